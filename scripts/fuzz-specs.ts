/**
 * `npm run fuzz [-- --runs N --seed S --validate K]`: a larger fuzzing run than the test suite's, printing figures.
 * Exit code 1 when any crash or terraform failure is found (each with its seed and spec).
 */
import { parseArgs } from 'node:util';
import { assertRoutingProofs } from '../lib/analysis/gate';
import { fuzzSpecs } from './fuzz/spec-fuzz';

const { values } = parseArgs({ options: { runs: { type: 'string', default: '2000' }, seed: { type: 'string' }, validate: { type: 'string', default: '40' } } });
const report = fuzzSpecs({
  runs: Number(values.runs),
  seed: values.seed === undefined ? undefined : Number(values.seed),
  terraformValidations: Number(values.validate),
  prove: (stacks) => assertRoutingProofs(stacks),
});
const paths = [...report.problemPaths.entries()].sort((a, b) => b[1] - a[1]);
process.stdout.write(
  [
    `spec fuzzing: ${report.runs} specs, seed ${report.seed}, ${report.seconds.toFixed(1)} s`,
    `  rejected by spec validation: ${report.rejectedBySpec} (${paths.length} distinct problem paths)`,
    `  rejected by routing proofs:  ${report.rejectedByProofs}`,
    `  synthesized:                 ${report.synthesized}`,
    `  terraform validate:          ${report.terraformValidated} run, ${report.terraformFailures.length} failed`,
    `  crashes:                     ${report.crashes.length}`,
    `  most reported paths: ${paths.slice(0, 8).map(([p, n]) => `${p} (${n})`).join(', ')}`,
    ...report.crashes.map((c) => `CRASH ${c}`),
    ...report.terraformFailures.map((f) => `TERRAFORM ${f}`),
    '',
  ].join('\n'),
);
if (report.crashes.length > 0 || report.terraformFailures.length > 0) process.exitCode = 1;
