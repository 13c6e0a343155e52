/**
 * The routing analysis benchmark (part of `npm run bench`; alone: `node dist/scripts/bench-analysis.js`): a
 * generated 30-region spec with EU residency (with and without the split-horizon private zone, whose 30 VPC client
 * groups double the work), synthesized once, then the whole analysis (read the output, build the routing graph,
 * reachability proofs over every health state, the enumerated scenarios, every proof) timed:
 *   cold   a fresh node process per run (module loading excluded: the analysis modules are required first); wall
 *          time and CPU time (the machine may be shared: CPU time is what the analysis itself costs)
 *   warm   repeated runs in one process
 * Target: ≤ 0.5 s for the whole analysis of 30 regions. Options: --runs N (default 5), --regions N (default 30).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { App } from '../lib/util/cdktf';
import { analyzeRouting } from '../lib/analysis/analyze';
import { AWS_REGION_CODES } from '../lib/spec/regions';
import type { GlobalInferenceSpecInput } from '../lib/spec/schema';
import { addGlobalInferenceStacks } from '../stacks/global-inference-stacks';

function spec(regionCount: number, privateZone: boolean): GlobalInferenceSpecInput {
  return {
    service: { name: 'bench', domain: 'inference.example.com' },
    model: { id: 'meta-llama/Llama-3.1-8B-Instruct', version: '2026-11-01' },
    regions: AWS_REGION_CODES.slice(0, regionCount).map((region) => ({
      region,
      instanceType: 'g6e.xlarge',
      capacity: { min: 1, max: 4 },
      jurisdiction: region.startsWith('eu-') ? 'eu' : undefined,
    })),
    residency: { eu: { preset: 'eu' } },
    dns: { privateZone },
  };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

function main(): void {
  const { values } = parseArgs({
    options: {
      runs: { type: 'string', default: '5' },
      regions: { type: 'string', default: '30' },
      child: { type: 'string' },
    },
  });
  if (values.child) {
    // One cold run: modules are loaded before the clock starts.
    const started = performance.now();
    const cpu = process.cpuUsage();
    const report = analyzeRouting(values.child);
    const used = process.cpuUsage(cpu);
    process.stdout.write(
      JSON.stringify({
        ms: performance.now() - started,
        cpuMs: (used.user + used.system) / 1000,
        timings: report.timings,
        violations: report.violations.length,
        clients: report.clients.length,
        scenarios: report.scenarios.length,
        paths: report.failoverPaths.length,
      }),
    );
    return;
  }
  const runs = Number(values.runs);
  const regions = Number(values.regions);
  if (
    !Number.isInteger(runs) ||
    runs < 1 ||
    !Number.isInteger(regions) ||
    regions < 2 ||
    regions > AWS_REGION_CODES.length
  ) {
    process.stderr.write(`--runs must be a whole number ≥ 1 and --regions between 2 and ${AWS_REGION_CODES.length}\n`);
    process.exitCode = 2;
    return;
  }
  for (const privateZone of [false, true]) {
    const outdir = mkdtempSync(join(tmpdir(), 'gi-bench-analysis-'));
    try {
      const app = new App({ outdir });
      addGlobalInferenceStacks(app, spec(regions, privateZone), { proofs: false, policy: false });
      app.synth();
      const cold: number[] = [];
      const cpu: number[] = [];
      let last:
        | { timings: Record<string, number>; violations: number; clients: number; scenarios: number; paths: number }
        | undefined;
      for (let i = 0; i < runs; i++) {
        const child = spawnSync(process.execPath, [__filename, '--child', outdir], {
          encoding: 'utf8',
          env: { ...process.env, CHECKPOINT_DISABLE: '1' },
        });
        if (child.status !== 0) throw new Error(`benchmark run failed:\n${child.stderr}`);
        const r = JSON.parse(child.stdout) as { ms: number; cpuMs: number } & NonNullable<typeof last>;
        cold.push(r.ms);
        cpu.push(r.cpuMs);
        last = r;
      }
      const warm: number[] = [];
      for (let i = 0; i < runs + 2; i++) {
        const started = performance.now();
        analyzeRouting(outdir);
        if (i >= 2) warm.push(performance.now() - started);
      }
      const fmt = (ms: number) => `${(ms / 1000).toFixed(3)} s`;
      const lines = [
        `Routing analysis, ${regions} regions, EU residency${privateZone ? ' + private zone' : ''}: ` +
          `${last!.clients} client groups, ${last!.scenarios} enumerated scenarios, ${last!.paths} failover ` +
          `paths, ${last!.violations} violations`,
        `  cold (fresh process): median ${fmt(median(cold))}  min ${fmt(Math.min(...cold))}  max ` +
          `${fmt(Math.max(...cold))}  (target ≤ 0.5 s); CPU median ${fmt(median(cpu))}`,
        `  warm (same process):  median ${fmt(median(warm))}  min ${fmt(Math.min(...warm))}  max ` +
          `${fmt(Math.max(...warm))}`,
        `  last cold run by phase: ${Object.entries(last!.timings)
          .map(([k, v]) => `${k} ${v} ms`)
          .join(', ')}`,
      ];
      process.stdout.write(`${lines.join('\n')}\n`);
    } finally {
      rmSync(outdir, { recursive: true, force: true });
    }
  }
}

main();
