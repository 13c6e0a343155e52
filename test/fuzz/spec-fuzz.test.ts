/**
 * Bounded property-based run (fixed seed, so CI is reproducible); `npm run fuzz` runs 1000 specs with a fresh seed.
 * Every generated spec is either rejected with problems that name a path, or synthesizes an AWS stack that the real
 * offline `terraform validate` accepts (every distinct one, batched in one workspace) and that breaks no AWS limit
 * of the independent model in scripts/fuzz/aws-limits.ts.
 */
import { detectOfflineTerraform } from '../../lib/terraform/offline-terraform';
import { assertRoutingProofs } from '../../lib/analysis/gate';
import { fuzzSpecs } from '../../scripts/fuzz/spec-fuzz';

const detected = detectOfflineTerraform();
const terraformAvailable = !('missing' in detected);
if (!terraformAvailable && process.env.GI_REQUIRE_TERRAFORM === '1')
  throw new Error(`GI_REQUIRE_TERRAFORM=1 but real terraform cannot run: ${(detected as { missing: string }).missing}`);

describe('spec fuzzing (bounded)', () => {
  const report = fuzzSpecs({
    runs: 30,
    seed: 20261121,
    maxRegions: 2,
    terraform: terraformAvailable,
    prove: (stacks) => assertRoutingProofs(stacks),
  });

  test('zero crashes: no exception other than a validation error, no problem without a path', () => {
    expect(report.crashes).toEqual([]);
  });

  test('the generator reaches both sides: many accepted specs and many distinct validation rules', () => {
    expect(report.accepted).toBeGreaterThan(report.runs * 0.15);
    expect(report.rejectedBySpec).toBeGreaterThan(report.runs * 0.2);
    expect(report.problemPaths.size).toBeGreaterThanOrEqual(12);
  });

  test('accepted => valid: no accepted spec breaks an AWS limit', () => {
    expect(report.acceptedInvalid.filter((f) => f.includes('breaks AWS limits'))).toEqual([]);
  });

  (terraformAvailable ? test : test.skip)(
    'accepted => valid: every distinct accepted AWS stack passes the real terraform validate',
    () => {
      expect(report.terraformValidated).toBe(report.distinctStacks);
      expect(report.distinctStacks).toBeGreaterThanOrEqual(8);
      expect(report.acceptedInvalid).toEqual([]);
    },
  );
});
