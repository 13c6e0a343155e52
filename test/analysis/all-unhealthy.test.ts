/*
 * Route53's last-resort answers, one policy at a time: when every record a client could get is unhealthy, Route53
 * still answers (latency, weighted, multivalue, geoproximity: as if all were healthy; failover: the PRIMARY;
 * geolocation: the most specific matching record). A record that can never be healthy (its check disabled and
 * inverted, or a CALCULATED check whose threshold exceeds its children) answers only then, so residency must see
 * it. The random topologies of property.test.ts reach these rules rarely and often land on the same region by
 * another path; these cases have exactly one way to leave the EU, through the last-resort answer.
 */
import { analyzeRouting } from '../../lib/analysis/analyze';
import type { StackInput } from '../../lib/analysis/model';
import { DOMAIN, intent, key, StackBuilder } from './fixtures';

const EU = 'eu-west-1';
const US = 'us-east-1';

/** Residency eu for DE; eu-west-1 in the EU, us-east-1 outside; a check that is never healthy. */
function base(never: 'disabled-inverted' | 'calculated'): StackBuilder {
  const b = new StackBuilder()
    .region(EU)
    .region(US)
    .withIntent(intent({ [EU]: 'eu', [US]: null }, { eu: { countries: ['DE'] } }));
  if (never === 'disabled-inverted')
    b.add('aws_route53_health_check', 'Never', {
      type: 'HTTPS',
      fqdn: `${US}.${DOMAIN}`,
      port: 443,
      request_interval: 10,
      failure_threshold: 3,
      disabled: true,
      invert_healthcheck: true,
    });
  else
    b.add('aws_route53_health_check', 'Never', {
      type: 'CALCULATED',
      child_healthchecks: [`\${aws_route53_health_check.Hc_${key(US)}.id}`],
      child_health_threshold: 2,
    });
  return b;
}

const cases: { name: string; build: (b: StackBuilder) => StackBuilder }[] = [
  {
    name: 'latency: every record unhealthy, any record answers',
    build: (b) =>
      b
        .record('ToEu', DOMAIN, EU, { latency_routing_policy: { region: EU } })
        .record('ToUs', DOMAIN, US, { latency_routing_policy: { region: US } }, { healthCheck: 'Never' }),
  },
  {
    name: 'weighted: every record unhealthy, the weighted ones answer',
    build: (b) =>
      b
        .record('ToEu', DOMAIN, EU, { weighted_routing_policy: { weight: 10 } })
        .record('ToUs', DOMAIN, US, { weighted_routing_policy: { weight: 1 } }, { healthCheck: 'Never' }),
  },
  {
    name: 'multivalue: every record unhealthy, up to eight answer',
    build: (b) =>
      b
        .record('ToEu', DOMAIN, EU, { multivalue_answer_routing_policy: true })
        .record('ToUs', DOMAIN, US, { multivalue_answer_routing_policy: true }, { healthCheck: 'Never' }),
  },
  {
    name: 'failover: PRIMARY and SECONDARY unhealthy, the PRIMARY answers',
    build: (b) =>
      b
        .record('Primary', DOMAIN, US, { failover_routing_policy: { type: 'PRIMARY' } }, { healthCheck: 'Never' })
        .record('Secondary', DOMAIN, EU, { failover_routing_policy: { type: 'SECONDARY' } }),
  },
  {
    name: 'geolocation: every matching record unhealthy, the most specific one answers',
    build: (b) =>
      b
        .record('Germany', DOMAIN, US, { geolocation_routing_policy: { country: 'DE' } }, { healthCheck: 'Never' })
        .record('Default', DOMAIN, EU, { geolocation_routing_policy: { country: '*' } }),
  },
  {
    name: 'geoproximity: every record unhealthy, the nearest answers',
    // The record placed in eu-west-1 (nearest to DE) points to us-east-1 and is never healthy.
    build: (b) =>
      b
        .record('NearDe', DOMAIN, US, { geoproximity_routing_policy: { aws_region: EU } }, { healthCheck: 'Never' })
        .record('Far', DOMAIN, EU, { geoproximity_routing_policy: { aws_region: US } }),
  },
];

function residency(stack: StackInput) {
  return analyzeRouting([stack], { proofs: ['residency'] }).violations.filter((v) => v.proof === 'residency');
}

describe.each(['disabled-inverted', 'calculated'] as const)(
  'a record that is never healthy (%s check) answers when every record is unhealthy',
  (never) => {
    test.each(cases)('$name', ({ build }) => {
      const v = residency(build(base(never)).build());
      expect(v.length).toBeGreaterThan(0);
      expect(v[0].message).toContain(US);
      expect(v[0].message).toMatch(/eu: DE/);
      expect(v.some((x) => x.message.includes('unhealthy'))).toBe(true);
    });

    test.each(cases)('guard: without the never-healthy record the same set keeps DE in the EU ($name)', ({ build }) => {
      const stack = build(base(never)).build();
      const records = stack.json.resource!.aws_route53_record as Record<string, Record<string, unknown>>;
      for (const [name, r] of Object.entries(records))
        if (String(r.health_check_id ?? '').includes('Never')) delete records[name];
      expect(residency(stack)).toEqual([]);
    });
  },
);

test(
  'a VPC of the EU: its own region’s latency record answers when every record is unhealthy, even one never ' +
    'healthy',
  () => {
    const b = base('disabled-inverted')
      .record('OwnEu', DOMAIN, US, { latency_routing_policy: { region: EU } }, { healthCheck: 'Never' })
      .record('ToEu', DOMAIN, EU, { latency_routing_policy: { region: US } });
    b.add('aws_route53_zone', 'Zone', { name: DOMAIN, vpc: [{ vpc_id: 'vpc-0123456789abcdef0', vpc_region: EU }] });
    const v = residency(b.build());
    expect(v.length).toBeGreaterThan(0);
    expect(v.map((x) => x.message).join('\n')).toMatch(/vpc/i);
  },
);
