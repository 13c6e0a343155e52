/*
 * The proofs read synthesized JSON, so they catch what a hand edit or an escape hatch changed. Each test edits a
 * real example's JSON the way someone might and checks that the right proof fails, naming the edited resource.
 */
import { analyzeRouting } from '../../lib/analysis/analyze';
import type { StackInput } from '../../lib/analysis/model';
import { buildExampleApp } from '../../examples/example-app';
import { editableStacks, resourcesLike, synthToTemp } from './fixtures';
import { regex } from '../support/regex';

const euResidency = synthToTemp((o) => buildExampleApp('eu-residency', o));
const cloudflareEu = synthToTemp((o) => buildExampleApp('cloudflare-eu', o));
const defaultExample = synthToTemp((o) => buildExampleApp('default', o));

function aws(stacks: StackInput[]): StackInput {
  return stacks.find((s) => s.name.endsWith('-aws'))!;
}

function residency(stacks: StackInput[]) {
  return analyzeRouting(stacks).violations.filter((v) => v.proof === 'residency');
}

describe('residency catches hand edits of one location', () => {
  it('passes on the untouched example', () => {
    expect(residency(editableStacks(euResidency))).toEqual([]);
  });

  it('flags evaluate_target_health switched on for one country, naming only that country and its record', () => {
    const stacks = editableStacks(euResidency);
    const [[name, record]] = resourcesLike(aws(stacks), 'aws_route53_record', 'Residency-eu-country-DE');
    (record.alias as Record<string, unknown>).evaluate_target_health = true;
    const v = residency(stacks);
    expect(v.map((x) => x.clientGroups)).toEqual([['eu: DE'], ['eu: DE']]);
    expect(v[0].resources).toContain(`aws_route53_record.${name}`);
    expect(v.map((x) => x.message).join('\n')).toMatch(/sends client group "eu: DE" \(jurisdiction eu\) to us-east-1/);
  });

  it('flags a deleted country record (the country falls to the geolocation default)', () => {
    const stacks = editableStacks(euResidency);
    const [[name]] = resourcesLike(aws(stacks), 'aws_route53_record', 'Residency-eu-country-FR');
    delete (aws(stacks).json.resource!.aws_route53_record as Record<string, unknown>)[name];
    const v = residency(stacks);
    expect(v.length).toBeGreaterThan(0);
    expect(v).toAllSatisfy((x) => x.clientGroups.join() === 'eu: FR');
    expect(v[0].message).toMatch(/Geo-Default/);
  });

  it('flags a country record re-pointed at the global set', () => {
    const stacks = editableStacks(euResidency);
    const [[, record]] = resourcesLike(aws(stacks), 'aws_route53_record', 'Residency-eu-country-IT');
    (record.alias as Record<string, unknown>).name = 'global.inference.example.com';
    const v = residency(stacks);
    expect(v.map((x) => x.clientGroups.join())).toContain('eu: IT');
    expect(v[0].message).toMatch(/global.inference.example.com latency (us-east-1|ap-northeast-1)/);
  });

  it('flags a Cloudflare fallback pool outside the jurisdiction, naming the pool', () => {
    const stacks = editableStacks(cloudflareEu);
    const cf = stacks.find((s) => s.name.endsWith('-cloudflare'))!;
    const [[usPool]] = resourcesLike(cf, 'cloudflare_load_balancer_pool', 'us-east-1');
    const [[, lb]] = resourcesLike(cf, 'cloudflare_load_balancer', '');
    lb.fallback_pool = `\${cloudflare_load_balancer_pool.${usPool}.id}`;
    const v = residency(stacks);
    const fallback = v.find((x) => x.message.includes('fallback_pool: no pool'))!;
    expect(fallback.clientGroups.length).toBe(27);
    expect(fallback.resources).toContain(`cloudflare_load_balancer_pool.${usPool}`);
    expect(fallback.message).toMatch(/to us-east-1 \(jurisdiction us\) in scenario "eu-central-1 \+ eu-west-1 down"/);
    // Adaptive routing retries on the fallback too: a possible landing even in normal operation.
    expect(v.some((x) => /normal operation.*adaptive routing/.test(x.message))).toBe(true);
  });
});

describe('failover-time catches hand edits of a health check', () => {
  it('flags interval 30 × threshold 10 against an SLO of 60 s, naming the check and the budget', () => {
    const stacks = editableStacks(defaultExample);
    const [[name, check]] = resourcesLike(aws(stacks), 'aws_route53_health_check', 'Health-eu-west-1_Readiness');
    Object.assign(check, { request_interval: 30, failure_threshold: 10 });
    const report = analyzeRouting(stacks, { sloFailoverSeconds: 60 });
    const v = report.violations.filter((x) => x.proof === 'failover-time');
    const eu = v.find((x) => x.message.includes('off eu-west-1'))!;
    expect(eu.message).toMatch(/after up to 360 s, over the budget slo.failoverSeconds = 60 s/);
    expect(eu.message).toContain(
      `aws_route53_health_check.${name} (HTTPS eu-west-1.inference.example.com: request_interval 30 s × ` +
        'failure_threshold 10 = 300 s)',
    );
    expect(eu.resources).toContain(`aws_route53_health_check.${name}`);
    // The other regions are untouched: 10 s × 3 + 60 s = 90 s, also over 60 s.
    expect(v.filter((x) => x.message.includes('after up to 90 s')).length).toBe(2);
  });

  it('reads the budget from the service intent', () => {
    const stacks = editableStacks(defaultExample);
    const comment = (aws(stacks).json as Record<string, Record<string, Record<string, unknown>>>)['//'];
    comment.global_inference.sloFailoverSeconds = 89;
    expect(analyzeRouting(stacks).violations.filter((x) => x.proof === 'failover-time')).toHaveLength(3);
    comment.global_inference.sloFailoverSeconds = 90;
    expect(analyzeRouting(stacks).violations).toEqual([]);
  });
});

describe('probe load', () => {
  it('sums Route53 checkers per origin and flags an origin over the ceiling', () => {
    const stacks = editableStacks(defaultExample);
    const report = analyzeRouting(stacks);
    // 3 checker regions × 2 checkers / 10 s.
    expect(report.probeLoad.map((l) => l.requestsPerSecond)).toEqual([0.6, 0.6, 0.6]);
    const [[, check]] = resourcesLike(aws(stacks), 'aws_route53_health_check', 'Health-us-east-1_Readiness');
    delete check.regions; // every checker region (8)
    const loud = analyzeRouting(stacks, { maxProbeRequestsPerSecond: 1 });
    const v = loud.violations.filter((x) => x.proof === 'probe-load');
    expect(v).toHaveLength(1);
    expect(v[0].message).toMatch(
      regex(
        /probe-load: origin us-east-1.inference.example.com \(us-east-1\) receives 1.6 health-probe /,
        /requests\/s, over the ceiling of 1\/s: .*8 checker regions \(all: none listed\) × 2 checkers \/ 10 s/,
      ),
    );
  });
});
