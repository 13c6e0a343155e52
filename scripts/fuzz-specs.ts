/**
 * `npm run fuzz [-- --runs N --seed S --no-terraform]`: a larger fuzzing run than the test suite's, printing figures.
 * Every distinct accepted AWS stack goes through the real offline `terraform validate` (batched) and a model of AWS
 * apply-time limits. Exit code 1 when anything is accepted-invalid or crashes (each printed with its seed and spec).
 */
import { parseArgs } from 'node:util';
import { assertRoutingProofs } from '../lib/analysis/gate';
import { fuzzSpecs } from './fuzz/spec-fuzz';

const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: '1000' },
    seed: { type: 'string' },
    'no-terraform': { type: 'boolean', default: false },
  },
});
const runs = Number(values.runs);
const seed = values.seed === undefined ? undefined : Number(values.seed);
if (!Number.isInteger(runs) || runs < 1 || (seed !== undefined && !Number.isInteger(seed))) {
  process.stderr.write('usage: npm run fuzz -- [--runs N] [--seed S] [--no-terraform]\n');
  process.exit(2);
}
const report = fuzzSpecs({
  runs,
  seed,
  terraform: !values['no-terraform'],
  prove: (stacks) => assertRoutingProofs(stacks),
});
const paths = [...report.problemPaths.entries()].sort((a, b) => b[1] - a[1]);
process.stdout.write(
  [
    `spec fuzzing: ${report.runs} specs, seed ${report.seed}, ${report.seconds.toFixed(1)} s (synth and proofs ` +
      `${report.synthSeconds.toFixed(1)} s, terraform ${report.terraformSeconds.toFixed(1)} s)`,
    `  rejected with a path:        ${report.rejectedBySpec} (${paths.length} distinct problem paths)`,
    `  rejected by routing proofs:  ${report.rejectedByProofs}`,
    `  accepted:                    ${report.accepted} (${report.distinctStacks} distinct AWS stacks, ` +
      `${report.terraformValidated} through terraform validate)`,
    `  accepted-invalid:            ${report.acceptedInvalid.length}`,
    `  crashes:                     ${report.crashes.length}`,
    `  most reported paths: ${paths
      .slice(0, 10)
      .map(([p, n]) => `${p} (${n})`)
      .join(', ')}`,
    ...report.crashes.map((c) => `CRASH ${c}`),
    ...report.acceptedInvalid.map((f) => `ACCEPTED-INVALID ${f}`),
    '',
  ].join('\n'),
);
if (report.crashes.length > 0 || report.acceptedInvalid.length > 0) process.exitCode = 1;
