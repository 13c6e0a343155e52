/**
 * The example apps, synthesized into temp dirs, pass the AWS policy pack with no error and no warning. The
 * default example is also required to exercise every AWS rule (each finds resources of its types).
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildDefaultExample } from '../../examples/default/main';
import { PolicyAspect } from '../../lib/policy/aspect';
import { readServiceIntent } from '../../lib/intent/service-intent';
import { checkStackJson, checkSynthOutput } from '../../lib/policy/engine';
import { AWS_POLICY_PACK, CLOUDFLARE_POLICY_PACK } from '../../lib/policy/packs';
import type { TerraformJson } from '../../lib/util/synth-output';
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
        const routed = stacks
          .flatMap((s) => Object.values(s.json.resource?.aws_route53_record ?? {}))
          .filter((r) => r.set_identifier !== undefined);
        expect(routed.length).toBeGreaterThan(0);
      });
    }
  });
}

test(
  'PolicyAspect on the default example: synth succeeds, the intent block is read, and it finds what the ' +
    'cdktf.out runner finds',
  () => {
    const outdir = mkdtempSync(join(tmpdir(), 'gi-policy-default-'));
    const app = buildDefaultExample(outdir);
    const aspect = PolicyAspect.applyTo(app, { packs: [AWS_POLICY_PACK] });
    app.synth();
    const fromAspect = aspect.report();
    expect(fromAspect.ok).toBe(true);
    expect(fromAspect.stacks.map((s) => s.context)).toEqual(['present']);
    const key = (f: { ruleId: string; resource?: { address: string }; severity: string }) =>
      `${f.ruleId} ${f.resource?.address} ${f.severity}`;
    const fromOutput = checkSynthOutput(outdir, { packs: [AWS_POLICY_PACK] });
    expect(
      fromAspect.stacks
        .flatMap((s) => s.findings)
        .map(key)
        .sort(),
    ).toEqual(
      fromOutput.stacks
        .flatMap((s) => s.findings)
        .map(key)
        .sort(),
    );
    expect(fromAspect.stacks[0].resourcesChecked).toBe(fromOutput.stacks[0].resourcesChecked);
  },
);

/**
 * The Cloudflare rules on the real front door of the cloudflare-eu example. Its Cloudflare stack carries no
 * intent block yet, so the intent is taken from its AWS stack and passed explicitly.
 */
const cloudflareExample = OFFLINE_EXAMPLES.find((e) => e.name === 'cloudflare-eu');
(cloudflareExample ? describe : describe.skip)('the Cloudflare front door of the cloudflare-eu example', () => {
  const { stacks } = synthExample(cloudflareExample!.build);
  const aws = stacks.find((s) => readServiceIntent(s.json).status === 'present');
  const cloudflare = stacks.find((s) => Object.keys(s.json.resource ?? {}).includes('cloudflare_load_balancer'));
  const reading = aws ? readServiceIntent(aws.json) : undefined;
  const context = reading?.status === 'present' ? reading.intent : undefined;
  const check = (json: TerraformJson) =>
    checkStackJson(json, { packs: [CLOUDFLARE_POLICY_PACK], context }).stacks[0].findings.filter(
      (f) => f.severity !== 'info',
    );

  test('passes GI-CF-001 and GI-CF-002 with the service intent of its AWS stack', () => {
    expect(context?.cloudflarePlan).toBeDefined();
    expect(Object.keys(context?.residency ?? {})).not.toEqual([]);
    expect(check(cloudflare!.json)).toEqual([]);
  });

  test('fails when the fallback pool is moved out of the EU, or the monitor probes faster than the plan allows', () => {
    const json = structuredClone(cloudflare!.json) as TerraformJson & {
      resource: Record<string, Record<string, Record<string, unknown>>>;
    };
    const usPool = Object.keys(json.resource.cloudflare_load_balancer_pool).find((name) => name.includes('us-east-1'))!;
    for (const lb of Object.values(json.resource.cloudflare_load_balancer))
      lb.fallback_pool = `\${cloudflare_load_balancer_pool.${usPool}.id}`;
    for (const monitor of Object.values(json.resource.cloudflare_load_balancer_monitor)) monitor.interval = 5;
    const findings = check(json);
    expect(findings.map((f) => f.ruleId).sort()).toEqual(['GI-CF-001', 'GI-CF-002']);
    expect(findings.find((f) => f.ruleId === 'GI-CF-002')?.message).toContain(
      'outside jurisdiction eu, whose clients this load balancer steers through country_pools.AT',
    );
  });
});
