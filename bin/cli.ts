#!/usr/bin/env node
/**
 * `global-inference`: the command line of cdktf-global-inference.
 *
 *   global-inference synth <spec.yaml> [--out cdktf.out]   synthesize the reference stacks of a spec
 *   global-inference validate <spec.yaml>                  check a spec (schema, then a full synth) for CI
 *   global-inference schema                                print the JSON Schema of spec files
 *
 * Exit code 0 on success, 1 on an invalid spec or usage (with a readable report, no stack trace).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { App } from 'cdktf';
import { jsonSchemaText } from '../lib/spec/json-schema';
import { loadSpecFile } from '../lib/spec/load';
import { runMain, UsageError } from '../lib/util/cli';
import { describeSynthOutput } from '../lib/util/synth-output';
import { addGlobalInferenceStacks } from '../stacks/global-inference-stacks';

const USAGE = `usage:
  global-inference synth <spec.yaml|json> [--out <dir>]   synthesize the reference stacks (default --out cdktf.out)
  global-inference validate <spec.yaml|json>              validate the spec and synthesize it in a scratch directory
  global-inference schema                                 print the JSON Schema of spec files`;

export function main(argv: string[]): void {
  const { positionals, values } = parseArgs({ args: argv, allowPositionals: true, strict: true, options: { out: { type: 'string' }, help: { type: 'boolean', short: 'h' } } });
  const [command, ...rest] = positionals;
  if (values.help || command === undefined) {
    process.stdout.write(`${USAGE}\n`);
    if (command === undefined && !values.help) process.exitCode = 1;
    return;
  }
  switch (command) {
    case 'synth': {
      const specFile = single(rest, 'synth needs one spec file');
      const outdir = resolve(values.out ?? 'cdktf.out');
      const spec = loadSpecFile(specFile);
      const app = new App({ outdir });
      addGlobalInferenceStacks(app, spec);
      app.synth();
      process.stdout.write(`${describeSynthOutput(outdir)}\n`);
      return;
    }
    case 'validate': {
      const specFile = single(rest, 'validate needs one spec file');
      const spec = loadSpecFile(specFile);
      const scratch = mkdtempSync(join(tmpdir(), 'gi-validate-'));
      try {
        const app = new App({ outdir: scratch });
        addGlobalInferenceStacks(app, spec);
        app.synth();
        process.stdout.write(`${specFile}: valid (${spec.regions.length} regions, ${spec.models.length} model${spec.models.length === 1 ? '' : 's'}); synthesized without errors\n`);
      } finally {
        rmSync(scratch, { recursive: true, force: true });
      }
      return;
    }
    case 'schema':
      process.stdout.write(jsonSchemaText());
      return;
    default:
      throw new UsageError(`unknown command '${command}'\n${USAGE}`);
  }
}

function single(args: string[], message: string): string {
  if (args.length !== 1) throw new UsageError(`${message}\n${USAGE}`);
  return args[0];
}

if (require.main === module) {
  runMain(() => {
    try {
      main(process.argv.slice(2));
    } catch (error) {
      // parseArgs reports unknown options with a TypeError carrying an ERR_PARSE_ARGS_* code.
      if ((error as NodeJS.ErrnoException).code?.startsWith('ERR_PARSE_ARGS')) throw new UsageError(`${(error as Error).message}\n${USAGE}`);
      throw error;
    }
  });
}
