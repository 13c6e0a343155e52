import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { offlineEnv, offlinePlanOverride, type OfflineTerraform } from './offline-terraform';
import type { TerraformJson } from '../util/synth-output';

/** What terraform said about one stack of a batch. */
export interface StackValidation {
  readonly ok: boolean;
  /** Errors, as `summary: detail (file)`. */
  readonly diagnostics: readonly string[];
  /** Warnings, in the same form (they do not make `ok` false). */
  readonly warnings: readonly string[];
}

/** What an offline plan of one stack of a batch would do. */
export interface StackPlan {
  readonly ok: boolean;
  /** Resource changes by action (`create`, `update`, ...). */
  readonly actions: Readonly<Record<string, number>>;
  /** Addresses (within the stack) planned for creation. */
  readonly created: readonly string[];
  /** Terraform's message when the plan failed. */
  readonly message: string;
}

/**
 * Validates (and plans) many synthesized AWS stacks with the real `terraform validate`, offline, a batch at a time:
 * each stack becomes a child module of one root module, so terraform loads the provider schema once per batch instead
 * of once
 * per stack (a few seconds each). The workspace is initialised once; its module slots (`m0`..`m<size-1>`) never
 * change, only their contents, so no later run needs `terraform init`.
 */
export class TerraformBatch {
  private readonly root = mkdtempSync(join(tmpdir(), 'gi-terraform-batch-'));
  private readonly dir = join(this.root, 'root');
  private readonly env: NodeJS.ProcessEnv;
  private initialised = false;
  private plans = 0;

  constructor(
    private readonly tf: OfflineTerraform,
    readonly batchSize = 40,
  ) {
    mkdirSync(this.dir);
    this.env = offlineEnv(tf, this.root);
  }

  /** Validates the stacks (in batches of `batchSize`); one result per stack, in order. */
  validate(stacks: readonly TerraformJson[]): StackValidation[] {
    const results: StackValidation[] = [];
    for (let i = 0; i < stacks.length; i += this.batchSize)
      results.push(...this.validateBatch(stacks.slice(i, i + this.batchSize)));
    return results;
  }

  /**
   * `terraform plan -refresh=false` of the stacks in one run, each a child module with the offline provider settings
   * of {@link OfflineWorkspace.plan} in an override file; the planned changes are split back by module. A failed
   * plan fails every stack with terraform's message (it does not say which module it came from reliably).
   */
  plan(stacks: readonly TerraformJson[]): StackPlan[] {
    const dir = join(this.root, `plan-${this.plans++}`);
    const modules: Record<string, { source: string }> = {};
    stacks.forEach((stack, slot) => {
      const name = `m${slot}`;
      mkdirSync(join(dir, name), { recursive: true });
      const { backend: _backend, ...terraform } = (stack.terraform ?? {}) as Record<string, unknown>;
      writeFileSync(join(dir, name, 'cdk.tf.json'), JSON.stringify({ ...stack, terraform }));
      writeFileSync(join(dir, name, 'zz_offline_plan_override.tf.json'), JSON.stringify(offlinePlanOverride(stack)));
      modules[name] = { source: `./${name}` };
    });
    writeFileSync(join(dir, 'main.tf.json'), JSON.stringify({ module: modules }));
    const failed = (run: { stdout: string; stderr: string }) =>
      stacks.map(() => ({ ok: false, actions: {}, created: [], message: `${run.stderr}\n${run.stdout.slice(-4000)}` }));
    const init = this.run(['init', '-input=false', '-no-color'], dir);
    if (!init.ok) return failed(init);
    const plan = this.run(
      ['plan', '-refresh=false', '-input=false', '-lock=false', '-no-color', '-out=offline.tfplan'],
      dir,
    );
    if (!plan.ok) return failed(plan);
    const show = this.run(['show', '-json', '-no-color', 'offline.tfplan'], dir);
    const parsed = JSON.parse(show.stdout) as {
      resource_changes?: { address: string; change: { actions: string[] } }[];
    };
    const results = stacks.map(() => ({
      ok: true,
      actions: {} as Record<string, number>,
      created: [] as string[],
      message: '',
    }));
    for (const change of parsed.resource_changes ?? []) {
      const match = /^module\.m(\d+)\.(.*)$/.exec(change.address);
      const result = match ? results[Number(match[1])] : undefined;
      if (!result)
        return failed({
          stdout: '',
          stderr: `the plan changes ${change.address}, which belongs to no stack of the batch`,
        });
      const action = change.change.actions.join('+');
      result.actions[action] = (result.actions[action] ?? 0) + 1;
      if (action === 'create') result.created.push(match![2]);
    }
    return results;
  }

  dispose(): void {
    rmSync(this.root, { recursive: true, force: true });
  }

  private validateBatch(stacks: readonly TerraformJson[]): StackValidation[] {
    const variables: Record<string, Record<string, unknown>> = {};
    const modules: Record<string, Record<string, unknown>> = {};
    for (let slot = 0; slot < this.batchSize; slot++) {
      const name = `m${slot}`;
      const stack = stacks[slot];
      const moduleDir = join(this.dir, name);
      mkdirSync(moduleDir, { recursive: true });
      const call: Record<string, unknown> = { source: `./${name}` };
      if (stack) {
        const { backend: _backend, ...terraform } = (stack.terraform ?? {}) as Record<string, unknown>;
        const body = { ...stack, terraform } as Record<string, unknown>;
        // Required variables (e.g. the origin secret) come from unknown root variables, as in a real root module.
        for (const [variable, config] of Object.entries(
          (stack.variable ?? {}) as Record<string, Record<string, unknown>>,
        )) {
          if (config.default !== undefined) continue;
          variables[`${name}_${variable}`] = Object.fromEntries(
            Object.entries(config).filter(([key]) => ['type', 'sensitive', 'nullable'].includes(key)),
          );
          call[variable] = `\${var.${name}_${variable}}`;
        }
        writeFileSync(join(moduleDir, 'cdk.tf.json'), JSON.stringify(body));
      } else {
        writeFileSync(join(moduleDir, 'cdk.tf.json'), '{}');
      }
      modules[name] = call;
    }
    writeFileSync(
      join(this.dir, 'main.tf.json'),
      JSON.stringify({ module: modules, ...(Object.keys(variables).length ? { variable: variables } : {}) }),
    );

    if (!this.initialised) {
      const init = this.run(['init', '-backend=false', '-input=false', '-no-color']);
      if (!init.ok)
        return stacks.map(() => ({
          ok: false,
          diagnostics: [`terraform init failed: ${init.stderr || init.stdout}`],
          warnings: [],
        }));
      this.initialised = true;
    }
    const run = this.run(['validate', '-json', '-no-color']);
    let parsed: {
      diagnostics?: {
        severity: string;
        summary: string;
        detail?: string;
        range?: { filename?: string };
        snippet?: { context?: string };
      }[];
    };
    try {
      parsed = JSON.parse(run.stdout) as typeof parsed;
    } catch {
      return stacks.map(() => ({
        ok: false,
        diagnostics: [`terraform validate printed no JSON: ${run.stderr}`],
        warnings: [],
      }));
    }
    const bySlot = new Map<string, string[]>();
    const unplaced = { error: [] as string[], warning: [] as string[] };
    for (const d of parsed.diagnostics ?? []) {
      const severity = d.severity === 'error' ? 'error' : 'warning';
      const text = `${d.summary}${d.detail ? `: ${d.detail}` : ''}${d.range?.filename ? ` (${d.range.filename})` : ''}`;
      const slot = /^m(\d+)[/\\]/.exec(d.range?.filename ?? '') ?? /^module\.m(\d+)\b/.exec(d.snippet?.context ?? '');
      if (slot) bySlot.set(`${severity} ${slot[1]}`, [...(bySlot.get(`${severity} ${slot[1]}`) ?? []), text]);
      else unplaced[severity].push(text);
    }
    // A diagnostic terraform does not place in a module is charged to every stack of the batch, and a failed run
    // that printed no error fails them all: never a silent pass.
    const unexplainedFailure =
      !run.ok && !(parsed.diagnostics ?? []).some((d) => d.severity === 'error')
        ? [`terraform validate failed without a diagnostic: ${run.stderr}`]
        : [];
    return stacks.map((_, slot) => {
      const diagnostics = [...(bySlot.get(`error ${slot}`) ?? []), ...unplaced.error, ...unexplainedFailure];
      return {
        ok: diagnostics.length === 0,
        diagnostics,
        warnings: [...(bySlot.get(`warning ${slot}`) ?? []), ...unplaced.warning],
      };
    });
  }

  private run(args: string[], cwd = this.dir): { ok: boolean; stdout: string; stderr: string } {
    const result = spawnSync(this.tf.terraform, args, {
      cwd,
      env: this.env,
      encoding: 'utf8',
      maxBuffer: 512 * 1024 * 1024,
    });
    return {
      ok: result.status === 0,
      stdout: result.stdout ?? '',
      stderr: result.stderr ?? result.error?.message ?? '',
    };
  }
}
