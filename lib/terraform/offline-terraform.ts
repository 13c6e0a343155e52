import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { delimiter, join, resolve } from 'node:path';
import type { TerraformJson } from '../util/synth-output';

/**
 * Runs the real `terraform validate` and `terraform plan` on synthesized stacks without network access, using a
 * filesystem mirror of the providers. Used by the test suite; usable in a user's CI the same way.
 *
 * Environment:
 * - `GI_TF_PROVIDER_MIRROR`: directory of the provider mirror (holding `registry.terraform.io/...`).
 *   When unset it is auto-detected: the filesystem_mirror of the Terraform CLI config, Terraform's implied
 *   local mirror directories, then a shallow search of the usual software roots.
 * - `GI_TERRAFORM_BIN`: the terraform binary. Default: `terraform` on PATH.
 */
export const MIRROR_ENV = 'GI_TF_PROVIDER_MIRROR';
/** Environment variable naming the terraform binary (default: `terraform` on PATH). */
export const TERRAFORM_ENV = 'GI_TERRAFORM_BIN';

/** The AWS provider version the pinned @cdktf/provider-aws generates. */
export const AWS_PROVIDER = { source: 'registry.terraform.io/hashicorp/aws', version: '5.100.0' } as const;

/** A terraform binary and a provider mirror that can run offline, as {@link detectOfflineTerraform} found them. */
export interface OfflineTerraform {
  /** Path of the terraform binary. */
  readonly terraform: string;
  /** Directory of the provider filesystem mirror (holding `registry.terraform.io/...`). */
  readonly mirror: string;
  /** How the mirror was found, for test output. */
  readonly mirrorFoundBy: string;
}

/** Terraform and the provider mirror, or the reason they are not usable here. */
export function detectOfflineTerraform(
  env: NodeJS.ProcessEnv = process.env,
): OfflineTerraform | { readonly missing: string } {
  const terraform = env[TERRAFORM_ENV] ?? findOnPath('terraform', env);
  if (!terraform) return { missing: `terraform is not on PATH (set ${TERRAFORM_ENV} to its location)` };
  const version = spawnSync(terraform, ['version', '-json'], {
    encoding: 'utf8',
    env: { ...env, CHECKPOINT_DISABLE: '1' },
  });
  if (version.status !== 0)
    return { missing: `${terraform} does not run: ${version.stderr || version.error?.message}` };
  const found = findProviderMirror(env);
  if (!found) {
    return {
      missing:
        `no filesystem mirror holding ${AWS_PROVIDER.source} ${AWS_PROVIDER.version} was found (set ` +
        `${MIRROR_ENV})`,
    };
  }
  return { terraform, mirror: found.dir, mirrorFoundBy: found.how };
}

/** Finds a provider mirror directory holding the pinned AWS provider. */
export function findProviderMirror(env: NodeJS.ProcessEnv = process.env): { dir: string; how: string } | undefined {
  const holdsAws = (dir: string) => existsSync(join(dir, AWS_PROVIDER.source, AWS_PROVIDER.version));
  const explicit = env[MIRROR_ENV];
  if (explicit) return holdsAws(explicit) ? { dir: resolve(explicit), how: MIRROR_ENV } : undefined;

  for (const dir of mirrorsInCliConfig(env)) if (holdsAws(dir)) return { dir, how: 'the Terraform CLI config' };

  const home = env.HOME ?? homedir();
  const implied = [
    join(home, '.terraform.d', 'plugins'),
    join(home, '.local', 'share', 'terraform', 'plugins'),
    '/usr/local/share/terraform/plugins',
    '/usr/share/terraform/plugins',
  ];
  for (const dir of implied) if (holdsAws(dir)) return { dir, how: "Terraform's implied local mirror directories" };

  // Last resort: a shallow search of the places software is usually installed.
  for (const root of [resolve('/', 'opt'), resolve('/', 'usr', 'local'), resolve('/', 'srv'), home]) {
    const dir = searchForMirror(root, 3, holdsAws);
    if (dir) return { dir, how: `a search under ${root}` };
  }
  return undefined;
}

/** The Terraform CLI config that installs providers from the mirror only. */
export function offlineCliConfig(mirror: string): string {
  return [
    'provider_installation {',
    '  filesystem_mirror {',
    `    path    = ${JSON.stringify(mirror)}`,
    '    include = ["registry.terraform.io/*/*"]',
    '  }',
    '  direct {',
    '    exclude = ["registry.terraform.io/*/*"]',
    '  }',
    '}',
    '',
  ].join('\n');
}

/** Provider names a synthesized stack uses (keys of `terraform.required_providers`). */
export function requiredProviders(json: TerraformJson): string[] {
  const required = (json.terraform?.required_providers ?? {}) as Record<string, unknown>;
  return Object.keys(required).sort();
}

/** One terraform command's outcome. */
export interface TerraformRun {
  /** The command exited 0. */
  readonly ok: boolean;
  /** What it printed on standard output. */
  readonly stdout: string;
  /** What it printed on standard error. */
  readonly stderr: string;
}

/** The outcome of {@link OfflineWorkspace.validate}: `ok` only when the configuration is valid. */
export interface ValidateResult extends TerraformRun {
  /** Terraform's diagnostics (errors and warnings), as `terraform validate -json` reports them. */
  readonly diagnostics: readonly { severity: string; summary: string; detail?: string }[];
}

/** The outcome of {@link OfflineWorkspace.plan}. */
export interface PlanResult extends TerraformRun {
  /** Resource changes by action, from `terraform show -json` of the saved plan. */
  readonly actions: Readonly<Record<string, number>>;
  /** Addresses planned for creation. */
  readonly created: readonly string[];
  /** The whole plan as `terraform show -json` prints it (planned values, resource changes, outputs). */
  readonly json?: Record<string, unknown>;
}

/**
 * Works on a copy of a synthesized stack in a temp dir (cdktf.out stays untouched, runs can go in parallel).
 * `dispose` removes it.
 */
export class OfflineWorkspace {
  /** The workspace's copy of the stack directory, where terraform runs. */
  readonly dir: string;
  private readonly root: string;
  private readonly env: NodeJS.ProcessEnv;

  constructor(
    private readonly tf: OfflineTerraform,
    stackDir: string,
  ) {
    this.root = mkdtempSync(join(tmpdir(), 'gi-terraform-'));
    this.dir = join(this.root, 'stack');
    cpSync(stackDir, this.dir, { recursive: true, filter: (src) => !src.includes(`${'.terraform'}`) });
    this.env = offlineEnv(tf, this.root);
  }

  private initialised = false;
  private planInitialised = false;

  /**
   * `terraform init -backend=false` (once per workspace) then `terraform validate -json`. Swap the configuration with
   * {@link replaceConfiguration} to validate another stack using the same providers without a new init.
   */
  validate(): ValidateResult {
    if (!this.initialised) {
      const init = this.run(['init', '-backend=false', '-input=false', '-no-color']);
      if (!init.ok)
        return {
          ...init,
          diagnostics: [{ severity: 'error', summary: 'terraform init failed', detail: init.stderr || init.stdout }],
        };
      this.initialised = true;
    }
    const run = this.run(['validate', '-json', '-no-color']);
    let diagnostics: ValidateResult['diagnostics'] = [];
    let valid = false;
    try {
      const parsed = JSON.parse(run.stdout) as { valid: boolean; diagnostics: ValidateResult['diagnostics'] };
      diagnostics = parsed.diagnostics;
      valid = parsed.valid;
    } catch {
      diagnostics = [{ severity: 'error', summary: 'terraform validate printed no JSON', detail: run.stderr }];
    }
    return { ...run, ok: valid && run.ok, diagnostics };
  }

  /**
   * `terraform plan -refresh=false` with dummy credentials. Works offline only for stacks without data sources.
   * Every AWS provider block gets the skip_* settings and dummy keys through an override file; the state goes to
   * a local file in the workspace.
   */
  plan(): PlanResult {
    const stack = JSON.parse(readFileSync(join(this.dir, 'cdk.tf.json'), 'utf8')) as TerraformJson;
    const override = {
      terraform: { backend: { local: { path: 'offline-plan.tfstate' } } },
      ...offlinePlanOverride(stack),
    };
    writeFileSync(join(this.dir, 'zz_offline_plan_override.tf.json'), JSON.stringify(override, null, 2));
    // One init per workspace: later plans of replaced configurations (same providers) reuse it.
    if (!this.planInitialised) {
      const init = this.run(['init', '-input=false', '-no-color', '-reconfigure']);
      if (!init.ok) return { ...init, actions: {}, created: [] };
      this.planInitialised = true;
    }
    const plan = this.run([
      'plan',
      '-refresh=false',
      '-input=false',
      '-lock=false',
      '-no-color',
      '-out=offline.tfplan',
    ]);
    if (!plan.ok) return { ...plan, actions: {}, created: [] };
    const show = this.run(['show', '-json', '-no-color', 'offline.tfplan']);
    const parsed = JSON.parse(show.stdout) as {
      resource_changes?: { address: string; change: { actions: string[] } }[];
    } & Record<string, unknown>;
    const actions: Record<string, number> = {};
    const created: string[] = [];
    for (const change of parsed.resource_changes ?? []) {
      const action = change.change.actions.join('+');
      actions[action] = (actions[action] ?? 0) + 1;
      if (action === 'create') created.push(change.address);
    }
    return { ...plan, actions, created, json: parsed };
  }

  /** Replaces the workspace's cdk.tf.json (same providers), e.g. to validate many generated stacks cheaply. */
  replaceConfiguration(json: TerraformJson): void {
    writeFileSync(join(this.dir, 'cdk.tf.json'), JSON.stringify(json));
  }

  /** Removes the workspace (its temp dir, the copy and terraform's files). */
  dispose(): void {
    rmSync(this.root, { recursive: true, force: true });
  }

  private run(args: string[]): TerraformRun {
    const result = spawnSync(this.tf.terraform, args, {
      cwd: this.dir,
      env: this.env,
      encoding: 'utf8',
      maxBuffer: 256 * 1024 * 1024,
    });
    return {
      ok: result.status === 0,
      stdout: result.stdout ?? '',
      stderr: result.stderr ?? result.error?.message ?? '',
    };
  }
}

/**
 * An override file's content giving every AWS provider block of a stack dummy keys and the skip_* settings, so
 * `terraform plan -refresh=false` runs without credentials or network.
 */
export function offlinePlanOverride(stack: TerraformJson): { provider: { aws: Record<string, unknown>[] } } {
  const awsConfigs = stack.provider?.aws ?? [{}];
  return {
    provider: {
      aws: awsConfigs.map((config) => ({
        ...(config.alias ? { alias: config.alias } : {}),
        access_key: 'AKIAOFFLINEPLAN00000',
        secret_key: 'offline-plan-not-a-secret',
        skip_credentials_validation: true,
        skip_requesting_account_id: true,
        skip_metadata_api_check: true,
        skip_region_validation: true,
      })),
    },
  };
}

/** The environment for terraform runs in `dir`: providers from the mirror only, no prompts, no checkpoint calls. */
export function offlineEnv(tf: OfflineTerraform, dir: string): NodeJS.ProcessEnv {
  const rc = join(dir, 'terraformrc');
  writeFileSync(rc, offlineCliConfig(tf.mirror));
  return {
    ...process.env,
    TF_CLI_CONFIG_FILE: rc,
    TF_IN_AUTOMATION: '1',
    TF_INPUT: '0',
    CHECKPOINT_DISABLE: '1',
    TF_PLUGIN_CACHE_DIR: '',
  };
}

function findOnPath(name: string, env: NodeJS.ProcessEnv): string | undefined {
  for (const dir of (env.PATH ?? '').split(delimiter)) {
    const candidate = join(dir, name);
    if (dir && existsSync(candidate) && statSync(candidate).isFile()) return candidate;
  }
  return undefined;
}

/** filesystem_mirror paths named in the Terraform CLI config file, if there is one. */
function mirrorsInCliConfig(env: NodeJS.ProcessEnv): string[] {
  const file = env.TF_CLI_CONFIG_FILE ?? join(env.HOME ?? homedir(), '.terraformrc');
  if (!existsSync(file)) return [];
  const text = readFileSync(file, 'utf8');
  return [...text.matchAll(/filesystem_mirror\s*\{[^}]*?path\s*=\s*"([^"]+)"/g)].map((m) => m[1]);
}

function searchForMirror(root: string, depth: number, holdsAws: (dir: string) => boolean): string | undefined {
  if (depth < 0 || !existsSync(root)) return undefined;
  let entries: string[];
  try {
    entries = readdirSync(root);
  } catch {
    return undefined;
  }
  if (entries.includes('registry.terraform.io') && holdsAws(root)) return root;
  for (const entry of entries) {
    if (entry.startsWith('.') && entry !== '.terraform.d') continue;
    const child = join(root, entry);
    try {
      if (!statSync(child).isDirectory()) continue;
    } catch {
      continue;
    }
    const found = searchForMirror(child, depth - 1, holdsAws);
    if (found) return found;
  }
  return undefined;
}
