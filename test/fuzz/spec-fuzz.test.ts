/**
 * Bounded property-based run (fixed seed, so CI is reproducible); `npm run fuzz` runs a larger one with a fresh
 * seed. Every generated spec is either rejected with problems that name a path, or synthesizes; a sample of the
 * valid ones goes through the real offline `terraform validate`.
 */
import { detectOfflineTerraform } from '../../lib/terraform/offline-terraform';
import { assertRoutingProofs } from '../../lib/analysis/gate';
import { fuzzSpecs } from '../../scripts/fuzz/spec-fuzz';

const terraformAvailable = !('missing' in detectOfflineTerraform());

describe('spec fuzzing (bounded)', () => {
  const report = fuzzSpecs({ runs: 80, seed: 20261121, terraformValidations: terraformAvailable ? 3 : 0, prove: (stacks) => assertRoutingProofs(stacks) });

  test('zero crashes: no exception other than a validation error, no problem without a path', () => {
    expect(report.crashes).toEqual([]);
  });

  test('the generator reaches both sides: many valid specs and many distinct validation rules', () => {
    expect(report.synthesized + report.rejectedByProofs).toBeGreaterThan(report.runs * 0.3);
    expect(report.synthesized).toBeGreaterThan(report.runs * 0.15);
    expect(report.rejectedBySpec).toBeGreaterThan(report.runs * 0.2);
    expect(report.problemPaths.size).toBeGreaterThanOrEqual(12);
  });

  (terraformAvailable ? test : test.skip)('valid generated specs pass the real terraform validate', () => {
    expect(report.terraformValidated).toBe(3);
    expect(report.terraformFailures).toEqual([]);
  });
});
