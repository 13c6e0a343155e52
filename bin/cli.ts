#!/usr/bin/env node
/**
 * `global-inference`: the command line of cdktf-global-inference. Exit code 0 on success, 1 on an invalid spec,
 * a refused synth, a failed proof or policy error, or a usage error — each with a readable report, no stack trace.
 *
 * Output: stdout carries what the command produces, passed or failed (validate's report in every format, explain's
 * table, the diagram, the diff, the schema, synth's summary); stderr carries only why a command produced nothing
 * (a usage error, a refused synth, an unreadable synth directory) and unexpected errors.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { App } from '../lib/util/cdktf';
import { analyzeRouting, type RoutingReport } from '../lib/analysis/analyze';
import { routingDiagram } from '../lib/analysis/diagram';
import { diffRouting } from '../lib/analysis/diff';
import { explainRouting } from '../lib/analysis/explain';
import { checkSynthOutput } from '../lib/policy/engine';
import { jsonSchemaText } from '../lib/spec/json-schema';
import { SpecValidationError } from '../lib/spec/errors';
import { loadSpecFile, loadSpecStream } from '../lib/spec/load';
import type { GlobalInferenceSpec } from '../lib/spec/schema';
import { preflightOutput } from '../lib/util/atomic-synth';
import { runMain, UsageError } from '../lib/util/cli';
import { describeSynthOutput } from '../lib/util/synth-output';
import { plural } from '../lib/util/strings';
import { validationSarif } from '../lib/report/sarif';
import {
  checksReport,
  formatValidationText,
  schemaReport,
  type ValidationReport,
} from '../lib/report/validation-report';
import { addGlobalInferenceStacks, proofOptionsFor } from '../stacks/global-inference-stacks';

/** One line of the usage: a command's synopsis and what it does (wrapped under the synopsis column). */
interface UsageLine {
  readonly command: string;
  readonly synopsis: string;
  readonly summary: string;
}

const USAGE_LINES: readonly UsageLine[] = [
  {
    command: 'validate',
    synopsis: 'validate <spec.yaml|json|->',
    summary:
      'schema, synth, routing proofs and policy pack: a report and an exit code for CI (- reads YAML from stdin)',
  },
  {
    command: 'validate',
    synopsis: 'validate <synth dir>',
    summary: 'routing proofs and policy pack of synthesized stacks (cdktf.out), with the same report',
  },
  {
    command: 'validate',
    synopsis: '  [--format text|json|sarif]',
    summary:
      'the report as text (default), as JSON (reportVersion 1), or as SARIF 2.1.0 for GitHub code scanning; ' +
      'exit 1 when a check fails',
  },
  {
    command: 'synth',
    synopsis: 'synth <spec> [--out <dir>]',
    summary:
      'synthesize the reference stacks (default --out cdktf.out), all or nothing; refused on a failed proof or ' +
      'policy error',
  },
  {
    command: 'explain',
    synopsis: 'explain [dir]',
    summary:
      'where traffic lands, per client group and failure scenario (default dir cdktf.out); exit 1 when a proof fails',
  },
  {
    command: 'diagram',
    synopsis: 'diagram [dir]',
    summary: 'the routing topology as a Mermaid diagram for a pull request',
  },
  {
    command: 'diff',
    synopsis: 'diff <before> <after> [--plan <json>]',
    summary: "routing-aware review of two synth outputs (and of 'terraform show -json' of a saved plan), as Markdown",
  },
  { command: 'schema', synopsis: 'schema', summary: 'print the JSON Schema of spec files' },
  { command: 'version', synopsis: 'version, --version', summary: 'print the package version' },
  {
    command: 'help',
    synopsis: 'help [command]',
    summary: "this list, or one command's lines (also <command> --help)",
  },
];

const SYNOPSIS_WIDTH = Math.max(...USAGE_LINES.map((line) => line.synopsis.length)) + 1;

/** Usage lines as printed: the summary wrapped to 120 columns under its own column. */
function renderUsage(lines: readonly UsageLine[]): string {
  const column = 2 + SYNOPSIS_WIDTH;
  return lines
    .map((line) => {
      const rows: string[] = [];
      let row = '';
      for (const word of line.summary.split(' ')) {
        if (row && column + row.length + 1 + word.length > 120) {
          rows.push(row);
          row = word;
        } else row = row ? `${row} ${word}` : word;
      }
      rows.push(row);
      return rows
        .map((text, i) =>
          i === 0 ? `  ${line.synopsis.padEnd(SYNOPSIS_WIDTH)}${text}` : `${' '.repeat(column)}${text}`,
        )
        .join('\n');
    })
    .join('\n');
}

const USAGE = `usage: global-inference <command>\n\n${renderUsage(USAGE_LINES)}`;

export async function main(argv: string[]): Promise<void> {
  const { positionals, values } = parseArgs({
    args: argv,
    allowPositionals: true,
    strict: true,
    options: {
      out: { type: 'string' },
      plan: { type: 'string' },
      format: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
      version: { type: 'boolean', short: 'v' },
    },
  });
  const [command, ...rest] = positionals;
  if (values.version || (command === 'version' && rest.length === 0)) {
    process.stdout.write(`${packageVersion()}\n`);
    return;
  }
  // `<command> --help` and `help <command>`: that command's lines; `--help` or `help` alone: every command.
  const helpFor = command === 'help' ? rest[0] : values.help ? command : undefined;
  if (command === 'help' || values.help || command === undefined) {
    process.stdout.write(`${helpFor === undefined ? USAGE : commandUsage(helpFor)}\n`);
    if (command === undefined && !values.help) process.exitCode = 1;
    return;
  }
  if (values.format !== undefined && command !== 'validate')
    throw new UsageError(`--format applies to validate only (got it with '${command}')`);
  switch (command) {
    case 'validate': {
      const format = reportFormat(values.format);
      const target = exactly(rest, 1, 'validate needs one spec file or synth output directory')[0];
      const report = isSynthOutput(target) ? validateSynthOutput(target) : await validateSpec(target);
      // The report is what validate produces, passed or failed: always on stdout; the exit code says which.
      process.stdout.write(`${renderReport(report, format)}\n`);
      if (!report.passed) process.exitCode = 1;
      return;
    }
    case 'synth': {
      const specFile = exactly(rest, 1, 'synth needs one spec file')[0];
      const outdir = resolve(values.out ?? 'cdktf.out');
      const spec = await loadSpec(specFile);
      // Before cdktf's App makes directories there: a file, or someone else's directory, is refused untouched.
      preflightOutput(outdir);
      const app = new App({ outdir });
      // The service gates app.synth(): staged, policy pack and proofs on the written JSON, then switched in by a
      // rename.
      addGlobalInferenceStacks(app, spec);
      app.synth();
      process.stdout.write(`${describeSynthOutput(outdir)}\n`);
      return;
    }
    case 'explain': {
      const report = analyze(optionalDir(rest));
      process.stdout.write(`${explainRouting(report)}\n`);
      // The table is the explanation; a failed proof still fails the command (CI reads the exit code).
      if (report.violations.length > 0) process.exitCode = 1;
      return;
    }
    case 'diagram':
      process.stdout.write(`\`\`\`mermaid\n${routingDiagram(analyze(optionalDir(rest)))}\n\`\`\`\n`);
      return;
    case 'diff': {
      const [before, after] = exactly(rest, 2, 'diff needs two synth output directories: <before> <after>');
      for (const dir of [before, after]) synthOutputDir(dir);
      process.stdout.write(`${diffRouting(before, after, values.plan ? { plan: readPlan(values.plan) } : {})}\n`);
      return;
    }
    case 'schema':
      process.stdout.write(jsonSchemaText());
      return;
    default:
      throw new UsageError(`unknown command '${command}'\n${USAGE}`);
  }
}

/** The usage lines of one command (validate has two), or a usage error naming the commands there are. */
function commandUsage(command: string): string {
  const lines = USAGE_LINES.filter((line) => line.command === command);
  if (lines.length === 0) {
    const commands = [...new Set(USAGE_LINES.map((line) => line.command))];
    throw new UsageError(`no help for '${command}': the commands are ${commands.join(', ')}`);
  }
  return `usage: global-inference\n\n${renderUsage(lines)}`;
}

/**
 * Everything a CI job wants to know about a spec, in one report: the schema (every problem at once), a synth in a
 * scratch directory with the checks collecting rather than throwing, the routing proofs, and the policy pack. A
 * spec the schema refuses (or a file that cannot be read as one) is a failed report, not an error of the command.
 */
async function validateSpec(file: string): Promise<ValidationReport> {
  const target = { kind: 'spec', path: file === '-' ? '<stdin>' : file } as const;
  let spec: GlobalInferenceSpec;
  try {
    spec = await loadSpec(file);
  } catch (error) {
    if (error instanceof SpecValidationError) return schemaReport(tool(), target, error.problems);
    throw error;
  }
  const scratch = mkdtempSync(join(tmpdir(), 'gi-validate-'));
  try {
    const app = new App({ outdir: scratch });
    addGlobalInferenceStacks(app, spec, { gate: false });
    app.synth();
    const headline =
      `${target.path}: schema valid (${plural(spec.regions.length, 'region')}, ` +
      `${plural(spec.models.length, 'model')}, ` +
      `front door ${spec.frontDoor}, routing ${spec.routing.mode}); synthesized`;
    return checksReport({
      tool: tool(),
      target,
      headline,
      routing: analyzeRouting(scratch, proofOptionsFor(spec)),
      policy: checkSynthOutput(scratch),
      showStackFiles: false,
    });
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

/** A spec file, or `-`: standard input, as YAML, with the same size and time limits as a file. */
function loadSpec(file: string): Promise<GlobalInferenceSpec> | GlobalInferenceSpec {
  return file === '-' ? loadSpecStream(process.stdin, '<stdin>') : loadSpecFile(file);
}

/**
 * `validate <dir>`: the checks of a synthesized directory (what will be deployed, escape hatches included): the
 * routing proofs the service intent asks for and the policy pack, in the same report as a spec's.
 */
function validateSynthOutput(dir: string): ValidationReport {
  const routing = analyzeRouting(dir);
  const headline =
    `${dir}: synthesized stacks ${routing.graph.stacks.map((s) => s.name).join(', ')} ` +
    `(${plural(routing.graph.regions.length, 'region')}, ${plural(routing.graph.frontDoors.length, 'front door')})`;
  return checksReport({
    tool: tool(),
    target: { kind: 'synth-output', path: dir },
    headline,
    routing,
    policy: checkSynthOutput(dir),
    showStackFiles: true,
  });
}

const REPORT_FORMATS = ['text', 'json', 'sarif'] as const;
type ReportFormat = (typeof REPORT_FORMATS)[number];

function reportFormat(value: string | undefined): ReportFormat {
  if (value === undefined) return 'text';
  if ((REPORT_FORMATS as readonly string[]).includes(value)) return value as ReportFormat;
  throw new UsageError(`--format: got '${value}'; allowed: ${REPORT_FORMATS.join(', ')}`);
}

function renderReport(report: ValidationReport, format: ReportFormat): string {
  if (format === 'json') return JSON.stringify(report, null, 2);
  if (format === 'sarif') return JSON.stringify(validationSarif(report), null, 2);
  return formatValidationText(report);
}

function tool(): ValidationReport['tool'] {
  return { name: 'global-inference', version: packageVersion() };
}

/** A directory holding cdktf output (its manifest). */
function isSynthOutput(path: string): boolean {
  try {
    return statSync(path).isDirectory() && existsSync(join(path, 'manifest.json'));
  } catch {
    return false;
  }
}

function analyze(dir: string): RoutingReport {
  return analyzeRouting(synthOutputDir(dir));
}

function synthOutputDir(dir: string): string {
  try {
    readFileSync(join(dir, 'manifest.json'));
  } catch {
    throw new UsageError(
      `${dir} holds no cdktf output (no manifest.json): synthesize first, e.g. 'global-inference synth ` +
        `spec.yaml --out ${dir}'`,
    );
  }
  return dir;
}

function readPlan(file: string): string {
  try {
    JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new UsageError(
      `--plan ${file}: not a readable JSON plan (${(error as Error).message}); produce one with 'terraform ` +
        "show -json plan.out > plan.json'",
    );
  }
  return file;
}

function optionalDir(args: string[]): string {
  if (args.length > 1) throw new UsageError(`expected at most one directory\n${USAGE}`);
  return args[0] ?? 'cdktf.out';
}

function exactly(args: string[], count: number, message: string): string[] {
  if (args.length !== count) throw new UsageError(`${message}\n${USAGE}`);
  return args;
}

if (require.main === module) {
  runMain(async () => {
    try {
      await main(process.argv.slice(2));
    } catch (error) {
      // parseArgs reports unknown options with a TypeError carrying an ERR_PARSE_ARGS_* code.
      if ((error as NodeJS.ErrnoException).code?.startsWith('ERR_PARSE_ARGS'))
        throw new UsageError(`${(error as Error).message}\n${USAGE}`);
      throw error;
    }
  });
}

/** The version of the package this CLI belongs to (its package.json, found upwards from the compiled file). */
function packageVersion(): string {
  for (let dir = __dirname; ; dir = dirname(dir)) {
    const file = join(dir, 'package.json');
    if (existsSync(file)) {
      const pkg = JSON.parse(readFileSync(file, 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'cdktf-global-inference' && pkg.version) return pkg.version;
    }
    if (dirname(dir) === dir) throw new UsageError('cannot find the package.json of cdktf-global-inference');
  }
}
