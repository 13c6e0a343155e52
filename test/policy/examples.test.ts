/**
 * The example apps, synthesized into temp dirs, pass the AWS policy pack with no error and no warning. The
 * default example is also required to exercise every AWS rule (each finds resources of its types).
 */
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
