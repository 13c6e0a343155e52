import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { offlineEnv, type OfflineTerraform } from './offline-terraform';
import type { TerraformJson } from '../util/synth-output';

/** What terraform said about one stack of a batch. */
export interface StackValidation {
  readonly ok: boolean;
  /** Errors, as `summary: detail (file)`. */
  readonly diagnostics: readonly string[];
  /** Warnings, in the same form (they do not make `ok` false). */
  readonly warnings: readonly string[];
}

/**
 * Validates many synthesized AWS stacks with the real `terraform validate`, offline, a batch at a time: each stack
 * becomes a child module of one root module, so terraform loads the provider schema once per batch instead of once
 * per stack (a few seconds each). The workspace is initialised once; its module slots (`m0`..`m<size-1>`) never
 * change, only their contents, so no later run needs `terraform init`.
 */
export class BatchValidator {
  private readonly root = mkdtempSync(join(tmpdir(), 'gi-terraform-batch-'));
  private readonly dir = join(this.root, 'root');
  private readonly env: NodeJS.ProcessEnv;
  private initialised = false;

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
    for (let i = 0; i < stacks.length; i += this.batchSize) results.push(...this.validateBatch(stacks.slice(i, i + this.batchSize)));
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
        for (const [variable, config] of Object.entries((stack.variable ?? {}) as Record<string, Record<string, unknown>>)) {
          if (config.default !== undefined) continue;
          variables[`${name}_${variable}`] = Object.fromEntries(Object.entries(config).filter(([key]) => ['type', 'sensitive', 'nullable'].includes(key)));
          call[variable] = `\${var.${name}_${variable}}`;
        }
        writeFileSync(join(moduleDir, 'cdk.tf.json'), JSON.stringify(body));
      } else {
        writeFileSync(join(moduleDir, 'cdk.tf.json'), '{}');
      }
      modules[name] = call;
    }
    writeFileSync(join(this.dir, 'main.tf.json'), JSON.stringify({ module: modules, ...(Object.keys(variables).length ? { variable: variables } : {}) }));

    if (!this.initialised) {
      const init = this.run(['init', '-backend=false', '-input=false', '-no-color']);
      if (!init.ok) return stacks.map(() => ({ ok: false, diagnostics: [`terraform init failed: ${init.stderr || init.stdout}`], warnings: [] }));
      this.initialised = true;
    }
    const run = this.run(['validate', '-json', '-no-color']);
    let parsed: { diagnostics?: { severity: string; summary: string; detail?: string; range?: { filename?: string }; snippet?: { context?: string } }[] };
    try {
      parsed = JSON.parse(run.stdout) as typeof parsed;
    } catch {
      return stacks.map(() => ({ ok: false, diagnostics: [`terraform validate printed no JSON: ${run.stderr}`], warnings: [] }));
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
    const unexplainedFailure = !run.ok && !(parsed.diagnostics ?? []).some((d) => d.severity === 'error') ? [`terraform validate failed without a diagnostic: ${run.stderr}`] : [];
    return stacks.map((_, slot) => {
      const diagnostics = [...(bySlot.get(`error ${slot}`) ?? []), ...unplaced.error, ...unexplainedFailure];
      return { ok: diagnostics.length === 0, diagnostics, warnings: [...(bySlot.get(`warning ${slot}`) ?? []), ...unplaced.warning] };
    });
  }

  private run(args: string[]): { ok: boolean; stdout: string; stderr: string } {
    const result = spawnSync(this.tf.terraform, args, { cwd: this.dir, env: this.env, encoding: 'utf8', maxBuffer: 512 * 1024 * 1024 });
    return { ok: result.status === 0, stdout: result.stdout ?? '', stderr: result.stderr ?? result.error?.message ?? '' };
  }
}
