/**
 * `npm run bench`: synth wall time and peak RSS, from compiled JS, each case in fresh node processes.
 *
 * Cases:
 *   floor          bare node loading cdktf (nothing can be faster)
 *   default        the cdktf.json app: the three-region default example (target ≤ 1.0 s, ≤ 150 MB)
 *   30 regions     a generated 30-region spec through the same stacks (target ≤ 2 s, ≤ 250 MB)
 *   root imports   the default example after loading @cdktf/provider-aws from its package root, i.e. what a
 *                  naive cdktf app that writes `import { ... } from '@cdktf/provider-aws'` pays
 *
 * Options: --runs N (default 5), --tests (also time the whole jest suite once).
 * Peak RSS is the child's own maxRSS (process.resourceUsage), reported at exit by a preloaded module.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { AWS_REGION_CODES } from '../lib/spec/regions';
import type { GlobalInferenceSpecInput } from '../lib/spec/schema';
import { packageRoot } from '../lib/util/project-root';

const root = packageRoot(__dirname);
const dist = join(root, 'dist');
const scratch = mkdtempSync(join(tmpdir(), 'gi-bench-'));
const rssReporter = join(scratch, 'report-rss.js');
writeFileSync(
  rssReporter,
  "process.on('exit', () => { require('fs').writeSync(3, JSON.stringify({ maxRssKiB: " +
    'process.resourceUsage().maxRSS })); });\n',
);

interface Sample {
  readonly seconds: number;
  readonly rssMiB: number;
}

function measure(args: string[], env: NodeJS.ProcessEnv = {}): Sample {
  const started = process.hrtime.bigint();
  const child = spawnSync(process.execPath, ['-r', rssReporter, ...args], {
    cwd: scratch,
    env: { ...process.env, CHECKPOINT_DISABLE: '1', ...env },
    stdio: ['ignore', 'ignore', 'pipe', 'pipe'],
    encoding: 'utf8',
  });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  if (child.status !== 0) throw new Error(`benchmark case failed: node ${args.join(' ')}\n${child.stderr}`);
  const report = JSON.parse(String(child.output[3])) as { maxRssKiB: number };
  return { seconds, rssMiB: report.maxRssKiB / 1024 };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** A 30-region spec: every region the library knows, minus a few, two models. */
export function generatedSpec(regionCount: number): GlobalInferenceSpecInput {
  return {
    service: { name: 'bench', domain: 'inference.example.com' },
    models: [
      { name: 'llama', id: 'meta-llama/Llama-3.1-8B-Instruct', version: '2026-11-01' },
      { name: 'embed', id: 'BAAI/bge-m3', version: '2026-11-01', port: 8001 },
    ],
    regions: AWS_REGION_CODES.slice(0, regionCount).map((region, i) => ({
      region,
      instanceType: i % 2 ? 'g6e.xlarge' : 'g6.2xlarge',
      capacity: { min: 1, max: 4 },
      jurisdiction: region.startsWith('eu-') ? 'eu' : undefined,
    })),
  };
}

function main(): void {
  const { values } = parseArgs({
    options: { runs: { type: 'string', default: '5' }, tests: { type: 'boolean', default: false } },
  });
  const runs = Number(values.runs);
  const specFile = join(scratch, 'spec-30.json');
  writeFileSync(specFile, JSON.stringify(generatedSpec(30)));
  const cli = join(dist, 'bin', 'cli.js');
  const example = join(dist, 'examples', 'default', 'main.js');

  const cases: { name: string; target?: string; args: () => string[] }[] = [
    { name: 'floor: node + cdktf', args: () => ['-e', "require('cdktf')"] },
    { name: 'default example (cdktf.json app)', target: '≤ 1.0 s, ≤ 150 MB', args: () => [example] },
    {
      name: '30-region spec',
      target: '≤ 2.0 s, ≤ 250 MB',
      args: () => [cli, 'synth', specFile, '--out', join(scratch, 'out-30')],
    },
    {
      name: 'default example, root imports',
      args: () => [
        '-e',
        "require('@cdktf/provider-aws'); " +
          `require(${JSON.stringify(example)}).buildDefaultExample(${JSON.stringify(join(scratch, 'out-root'))}` +
          ').synth();',
      ],
    },
  ];

  process.stdout.write(
    `synth benchmark: ${runs} runs per case, node ${process.version}, ${require('node:os').cpus().length} cores\n\n`,
  );
  process.stdout.write(
    `${'case'.padEnd(34)} ${'median s'.padStart(9)} ${'min s'.padStart(7)} ${'max s'.padStart(7)} ` +
      `${'peak MB'.padStart(8)}  target\n`,
  );
  for (const benchCase of cases) {
    const samples: Sample[] = [];
    for (let i = 0; i < runs; i++) samples.push(measure(benchCase.args(), { NODE_PATH: join(root, 'node_modules') }));
    const seconds = samples.map((s) => s.seconds);
    const rss = median(samples.map((s) => s.rssMiB));
    process.stdout.write(
      `${benchCase.name.padEnd(34)} ${median(seconds).toFixed(3).padStart(9)} ${Math.min(...seconds)
        .toFixed(3)
        .padStart(7)} ${Math.max(...seconds)
        .toFixed(3)
        .padStart(7)} ${rss.toFixed(0).padStart(8)}  ${benchCase.target ?? ''}\n`,
    );
  }
  const thirty = JSON.parse(readFileSync(join(scratch, 'out-30', 'stacks', 'bench-aws', 'cdk.tf.json'), 'utf8')) as {
    resource: Record<string, object>;
  };
  const resources = Object.values(thirty.resource).reduce((sum, byName) => sum + Object.keys(byName).length, 0);
  process.stdout.write(`\n30-region stack: ${resources} resources\n`);

  if (values.tests) {
    const started = process.hrtime.bigint();
    const jest = spawnSync(process.execPath, [join(root, 'node_modules', 'jest', 'bin', 'jest.js')], {
      cwd: root,
      stdio: ['ignore', 'ignore', 'pipe'],
      encoding: 'utf8',
    });
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    const summary = /Tests:.*$/m.exec(jest.stderr)?.[0] ?? 'no summary';
    process.stdout.write(`test suite (jest, all tests): ${seconds.toFixed(1)} s, exit ${jest.status}, ${summary}\n`);
  }
  rmSync(scratch, { recursive: true, force: true });
}

main();
