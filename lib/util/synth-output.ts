import { existsSync, readFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { plural } from './strings';

/** A synthesized stack as cdktf wrote it. */
export interface SynthesizedStack {
  readonly name: string;
  /** Directory of the stack (holds cdk.tf.json; terraform runs here). */
  readonly dir: string;
  /** Path of cdk.tf.json. */
  readonly file: string;
  readonly json: TerraformJson;
}

/** The parts of Terraform JSON the library reads. */
export interface TerraformJson {
  readonly resource?: Record<string, Record<string, Record<string, unknown>>>;
  readonly data?: Record<string, Record<string, Record<string, unknown>>>;
  readonly provider?: Record<string, Record<string, unknown>[]>;
  readonly output?: Record<string, Record<string, unknown>>;
  readonly variable?: Record<string, Record<string, unknown>>;
  readonly terraform?: Record<string, unknown>;
  readonly locals?: Record<string, unknown>;
}

/** Reads every stack of a cdktf output directory, through its manifest. */
export function readSynthOutput(outdir: string): SynthesizedStack[] {
  const manifestFile = join(outdir, 'manifest.json');
  if (!existsSync(manifestFile))
    throw new Error(`${outdir} holds no cdktf output (no manifest.json): run a synth first`);
  const manifest = JSON.parse(readFileSync(manifestFile, 'utf8')) as {
    stacks: Record<string, { name: string; synthesizedStackPath: string; workingDirectory: string }>;
  };
  return Object.values(manifest.stacks).map((stack) => {
    const file = resolve(outdir, stack.synthesizedStackPath);
    return {
      name: stack.name,
      dir: resolve(outdir, stack.workingDirectory),
      file,
      json: JSON.parse(readFileSync(file, 'utf8')) as TerraformJson,
    };
  });
}

/** Resource counts by type, largest first. */
export function resourceCounts(json: TerraformJson): [string, number][] {
  return Object.entries(json.resource ?? {})
    .map(([type, byName]): [string, number] => [type, Object.keys(byName).length])
    .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
}

/** Human summary of a cdktf output directory: where it is and what each stack holds. */
export function describeSynthOutput(outdir: string, cwd = process.cwd()): string {
  const stacks = readSynthOutput(outdir);
  const lines = [`Synthesized ${plural(stacks.length, 'stack')} into ` + `${relative(cwd, resolve(outdir)) || '.'}/`];
  for (const stack of stacks) {
    const counts = resourceCounts(stack.json);
    const total = counts.reduce((sum, [, n]) => sum + n, 0);
    const providers = Object.entries(stack.json.provider ?? {}).map(([name, configs]) => `${name} x${configs.length}`);
    const dataSources = Object.values(stack.json.data ?? {}).reduce(
      (sum, byName) => sum + Object.keys(byName).length,
      0,
    );
    lines.push('', `${stack.name}: ${relative(cwd, stack.file)}`);
    lines.push(`  ${total} resources, ${dataSources} data sources, providers: ${providers.join(', ') || 'none'}`);
    lines.push(`  outputs: ${Object.keys(stack.json.output ?? {}).join(', ') || 'none'}`);
    for (const [type, n] of counts) lines.push(`  ${String(n).padStart(4)}  ${type}`);
  }
  return lines.join('\n');
}
