/**
 * The example apps, synthesized into temp dirs, pass the AWS policy pack with no error and no warning. The
 * default example is also required to exercise every AWS rule (each finds resources of its types).
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildDefaultExample } from '../../examples/default/main';
import { PolicyAspect } from '../../lib/policy/aspect';
import { checkSynthOutput } from '../../lib/policy/engine';
import { AWS_POLICY_PACK } from '../../lib/policy/packs';
import { formatPolicyReport } from '../../lib/policy/report';
import { OFFLINE_EXAMPLES } from '../support/example-catalog';
import { synthExample } from '../support/examples';

for (const example of OFFLINE_EXAMPLES) {
  describe(`example ${example.name}`, () => {
    const { outdir, stacks } = synthExample(example.build);
    const report = checkSynthOutput(outdir, { packs: [AWS_POLICY_PACK] });

    test('passes the AWS rules with no error or warning', () => {
      const problems = report.stacks.flatMap((s) => s.findings).filter((f) => !f.suppressed && f.severity !== 'info');
      if (problems.length > 0) throw new Error(formatPolicyReport(report, { cwd: outdir }));
      expect(report.ok).toBe(true);
    });

    if (example.name === 'default') {
      test('exercises every AWS rule', () => {
        const present = new Set(stacks.flatMap((s) => Object.keys(s.json.resource ?? {})));
        const idle = AWS_POLICY_PACK.rules.filter((r) => !r.resourceTypes.some((t) => present.has(t))).map((r) => r.id);
        expect(idle).toEqual([]);
        const routed = stacks.flatMap((s) => Object.values(s.json.resource?.aws_route53_record ?? {})).filter((r) => r.set_identifier !== undefined);
        expect(routed.length).toBeGreaterThan(0);
      });
    }
  });
}

test('PolicyAspect on the default example: synth succeeds, the intent block is read, and it finds what the cdktf.out runner finds', () => {
  const outdir = mkdtempSync(join(tmpdir(), 'gi-policy-default-'));
  const app = buildDefaultExample(outdir);
  const aspect = PolicyAspect.applyTo(app, { packs: [AWS_POLICY_PACK] });
  app.synth();
  const fromAspect = aspect.report();
  expect(fromAspect.ok).toBe(true);
  expect(fromAspect.stacks.map((s) => s.context)).toEqual(['present']);
  const key = (f: { ruleId: string; resource?: { address: string }; severity: string }) => `${f.ruleId} ${f.resource?.address} ${f.severity}`;
  const fromOutput = checkSynthOutput(outdir, { packs: [AWS_POLICY_PACK] });
  expect(fromAspect.stacks.flatMap((s) => s.findings).map(key).sort()).toEqual(fromOutput.stacks.flatMap((s) => s.findings).map(key).sort());
  expect(fromAspect.stacks[0].resourcesChecked).toBe(fromOutput.stacks[0].resourcesChecked);
});
