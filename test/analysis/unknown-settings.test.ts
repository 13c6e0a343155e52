/*
 * Settings the analysis cannot read at synth fail closed. A routing setting written as an expression (a variable,
 * a data source, a function, a conditional) or a resource multiplied by count/for_each is not what Terraform will
 * create; reading it as a default passed what the proofs could not see (each case below was accepted before:
 * `${var.x}` read as TTL 0, threshold 3, evaluate_target_health false, steering off; a zone from a data source read
 * as a zone of its own; count = 0 ignored). Each case has a control with the literal value the expression stood for.
 */
import { analyzeRouting } from '../../lib/analysis/analyze';
import type { StackInput } from '../../lib/analysis/model';
import { DOMAIN, intent, key, StackBuilder } from './fixtures';
import { synthExample } from '../support/examples';
import { buildExampleApp } from '../../examples/example-app';

const EU = 'eu-west-1';
const EU2 = 'eu-central-1';
const US = 'us-east-1';

type Body = Record<string, unknown>;

/** DE clients bound to the EU: a DE geolocation record to eu-west-1, the default record to us-east-1. */
function geoStack(de: { alias?: Body; extra?: Body } = {}, slo = 600): StackBuilder {
  const b = new StackBuilder()
    .region(EU)
    .region(US)
    .withIntent(intent({ [EU]: 'eu', [US]: null }, { eu: { countries: ['DE'] } }, { sloFailoverSeconds: slo }));
  b.record(
    'Germany',
    DOMAIN,
    EU,
    { geolocation_routing_policy: { country: 'DE' } },
    { evaluateTargetHealth: false, healthCheck: false },
  );
  b.record('Default', DOMAIN, US, { geolocation_routing_policy: { country: '*' } });
  const germany = b.resource.aws_route53_record.Germany as Body;
  Object.assign(germany.alias as Body, de.alias ?? {});
  Object.assign(germany, de.extra ?? {});
  return b;
}

function violations(stacks: StackInput[], proof: 'residency' | 'failover-time') {
  return analyzeRouting(stacks, { proofs: [proof] }).violations.filter((v) => v.proof === proof);
}

describe('Route53 settings unknown at synth', () => {
  test('control: evaluate_target_health false keeps DE in the EU (no fall-through to the default record)', () => {
    expect(violations([geoStack().build()], 'residency')).toEqual([]);
  });

  test('control: evaluate_target_health true lets DE fall through to us-east-1 (the leaky-residency example)', () => {
    const v = violations([geoStack({ alias: { evaluate_target_health: true } }).build()], 'residency');
    expect(v.length).toBeGreaterThan(0);
    expect(v.map((x) => x.message).join('\n')).toContain(US);
  });

  test(
    'evaluate_target_health from a variable is not read as false: ' + 'refused, naming the record and the setting',
    () => {
      const v = violations(
        [geoStack({ alias: { evaluate_target_health: '${var.eu_failover}' } }).build()],
        'residency',
      );
      expect(v.length).toBeGreaterThan(0);
      expect(v.map((x) => x.message).join('\n')).toMatch(
        /aws_route53_record\.Germany[\s\S]*alias\.evaluate_target_health is not known at synth/,
      );
    },
  );

  test.each([
    [
      'a geolocation country from a local',
      { geolocation_routing_policy: { country: '${local.country}' } },
      /geolocation_routing_policy\.country/,
    ],
    [
      'a whole policy block as one expression',
      { geolocation_routing_policy: '${var.policy}' },
      /geolocation_routing_policy/,
    ],
    ['a conditional set identifier', { set_identifier: '${var.x ? "a" : "b"}' }, /set_identifier/],
    ['for_each', { for_each: '${var.names}' }, /for_each/],
    ['count from a variable', { count: '${var.n}' }, /count/],
    ['count = 2', { count: 2 }, /count = 2/],
    ['a dynamic block', { dynamic: { alias: { for_each: '${var.x}' } } }, /dynamic block/],
  ])('%s: refused', (_name, extra, why) => {
    const v = violations([geoStack({ extra }).build()], 'residency');
    expect(v.length).toBeGreaterThan(0);
    expect(v.map((x) => x.message).join('\n')).toMatch(why);
  });

  test('count = 0 removes the record: DE then gets the default record (us-east-1) and residency fails', () => {
    const v = violations([geoStack({ extra: { count: 0 } }).build()], 'residency');
    expect(v.length).toBeGreaterThan(0);
    expect(v.map((x) => x.message).join('\n')).toContain(US);
  });

  test('control: count = 1 is the record as written', () => {
    expect(violations([geoStack({ extra: { count: 1 } }).build()], 'residency')).toEqual([]);
  });

  test('a record in a zone named by a data source or another stack is not a zone of its own: refused', () => {
    for (const zoneId of [
      '${data.aws_route53_zone.existing.zone_id}',
      '${data.terraform_remote_state.routing.outputs.zone_id}',
      '${var.zone_id}',
    ]) {
      const b = geoStack();
      b.record('Shortcut', DOMAIN, US, { latency_routing_policy: { region: US } });
      (b.resource.aws_route53_record.Shortcut as Body).zone_id = zoneId;
      const v = violations([b.build()], 'residency');
      expect(v.length).toBeGreaterThan(0);
      expect(v.map((x) => x.message).join('\n')).toContain('aws_route53_record.Shortcut');
      // Declaring an external endpoint cannot place a record: the remedy says what can.
      expect(v[0].remedy ?? v[0].message).toMatch(
        /write the settings of aws_route53_record\.Shortcut the analysis names as literals/,
      );
      expect(v.map((x) => x.message).join('\n')).not.toMatch(/declare it: add \{ name: aws_route53_record/);
    }
  });

  test('an alias into a zone named by a data source is unplaced, not "no answer"', () => {
    const b = geoStack();
    Object.assign(b.resource.aws_route53_record.Germany.alias as Body, {
      name: `elsewhere.${DOMAIN}`,
      zone_id: '${data.aws_route53_zone.other.zone_id}',
    });
    expect(violations([b.build()], 'residency').length).toBeGreaterThan(0);
  });

  describe('TTL and health-check timing', () => {
    /** The service name is a CNAME to the EU regional name; DE has nowhere else to go, so only timing matters. */
    function cnameStack(ttl: unknown, check: Body = {}): StackInput {
      const b = new StackBuilder()
        .region(EU, { interval: 10, threshold: 3 })
        .region(EU2, { interval: 10, threshold: 3 })
        .withIntent(intent({ [EU]: 'eu', [EU2]: 'eu' }, { eu: { countries: ['DE'] } }, { sloFailoverSeconds: 120 }));
      b.record('ToEu', `latency.${DOMAIN}`, EU, { latency_routing_policy: { region: EU } });
      b.record('ToEu2', `latency.${DOMAIN}`, EU2, { latency_routing_policy: { region: EU2 } });
      Object.assign(b.resource.aws_route53_health_check[`Hc_${key(EU)}`], check);
      b.add('aws_route53_record', 'Entry', {
        zone_id: '${aws_route53_zone.Zone.zone_id}',
        name: DOMAIN,
        type: 'CNAME',
        ttl,
        records: [`latency.${DOMAIN}`],
      });
      return b.build();
    }

    test('control: a literal TTL of 60 s and a 10 s × 3 check meet a 120 s budget', () => {
      expect(violations([cnameStack(60)], 'failover-time')).toEqual([]);
    });

    test('a TTL from a variable is not read as 0: refused', () => {
      const v = violations([cnameStack('${var.dns_ttl}')], 'failover-time');
      expect(v.length).toBeGreaterThan(0);
      expect(v.map((x) => x.message).join('\n')).toMatch(/ttl is not known at synth/);
    });

    test.each([
      ['failure_threshold', { failure_threshold: '${var.hc_threshold}' }],
      ['request_interval', { request_interval: '${local.interval}' }],
      ['disabled', { disabled: '${var.maintenance}' }],
    ])('a health check whose %s is an expression has an unknown failover time', (setting, check) => {
      const v = violations([cnameStack(60, check)], 'failover-time');
      expect(v.length).toBeGreaterThan(0);
      expect(v.map((x) => x.message).join('\n')).toContain(`${setting} is not known at synth`);
    });
  });
});

describe('Cloudflare settings unknown at synth', () => {
  const pool = (region: string) => `\${cloudflare_load_balancer_pool.Pool_${key(region)}.id}`;

  function cfStacks(lb: Body = {}, monitor: Body = {}, poolExtra: Body = {}): StackInput[] {
    const aws = new StackBuilder('chat-aws');
    for (const r of [US, EU, EU2]) aws.region(r);
    aws.withIntent(
      intent(
        { [US]: null, [EU]: 'eu', [EU2]: 'eu' },
        { eu: { countries: ['DE'] } },
        { frontDoor: 'cloudflare', sloFailoverSeconds: 120, cloudflarePlan: 'enterprise' },
      ),
    );
    const cf = new StackBuilder('chat-cloudflare');
    delete cf.resource.aws_route53_zone;
    cf.add('cloudflare_load_balancer_monitor', 'Mon', {
      type: 'https',
      path: '/health',
      interval: 10,
      timeout: 4,
      retries: 1,
      consecutive_down: 2,
      ...monitor,
    });
    for (const r of [US, EU, EU2]) {
      cf.add('cloudflare_load_balancer_pool', `Pool_${key(r)}`, {
        name: `chat-${r}`,
        monitor: '${cloudflare_load_balancer_monitor.Mon.id}',
        minimum_origins: 1,
        origins: [{ name: r, address: `${r}.${DOMAIN}`, enabled: true }],
        ...(r === EU ? poolExtra : {}),
      });
    }
    cf.add('cloudflare_load_balancer', 'Lb', {
      name: DOMAIN,
      proxied: true,
      steering_policy: 'geo',
      default_pools: [pool(EU), pool(EU2)],
      fallback_pool: pool(EU2),
      country_pools: { DE: [pool(US), pool(EU2)] },
      region_pools: { WEU: [pool(EU), pool(EU2)], ENAM: [pool(US)] },
      ...lb,
    });
    const built = cf.build();
    return [aws.build(), { name: built.name, json: { resource: built.json.resource } }];
  }

  test('control: literal geo steering sends DE to the US pool first: refused', () => {
    expect(violations(cfStacks(), 'residency').length).toBeGreaterThan(0);
  });

  test('control: steering off uses default_pools (EU only): accepted', () => {
    expect(violations(cfStacks({ steering_policy: 'off' }), 'residency')).toEqual([]);
  });

  test('steering from a variable is not read as off: refused', () => {
    const v = violations(cfStacks({ steering_policy: '${var.steering}' }), 'residency');
    expect(v.length).toBeGreaterThan(0);
    expect(v.map((x) => x.message).join('\n')).toMatch(/steering_policy is not known at synth/);
  });

  test('a pool whose origins come from a variable is unplaced', () => {
    const v = violations(cfStacks({ steering_policy: 'off' }, {}, { origins: '${var.origins}' }), 'residency');
    expect(v.length).toBeGreaterThan(0);
    expect(v.map((x) => x.message).join('\n')).toMatch(/origins/);
  });

  test('control: a 10 s monitor meets the 120 s budget; from a variable, its failover time is unknown', () => {
    expect(violations(cfStacks({ steering_policy: 'off' }), 'failover-time')).toEqual([]);
    const v = violations(cfStacks({ steering_policy: 'off' }, { interval: '${var.interval}' }), 'failover-time');
    expect(v.length).toBeGreaterThan(0);
    expect(v.map((x) => x.message).join('\n')).toMatch(/interval is not known at synth/);
  });

  test('count = 0 on the load balancer: it is not there, so it sends no one anywhere', () => {
    const report = analyzeRouting(cfStacks({ count: 0 }));
    expect(report.graph.frontDoors.filter((f) => f.id.startsWith('cloudflare:'))).toEqual([]);
  });
});

describe('an edge-router table the analysis cannot read', () => {
  test(
    'is a possible leak for every jurisdiction, with a remedy that says to write it literally (it was skipped: ' +
      'the router went unchecked)',
    () => {
      const { stacks } = synthExample((outdir) => buildExampleApp('edge-router', outdir));
      const cf = stacks.find((s) => Object.keys(s.json.resource ?? {}).includes('cloudflare_workers_kv'))!;
      const kv = (cf.json.resource as Record<string, Record<string, Body>>).cloudflare_workers_kv;
      const entry = Object.values(kv).find((e) => e.key_name === 'table:current')!;
      expect(analyzeRouting(stacks, { proofs: ['residency'] }).violations).toEqual([]);
      entry.value = '${jsonencode(var.table)}';
      const v = violations(stacks, 'residency');
      expect(v.length).toBeGreaterThan(0);
      expect(v.map((x) => x.message).join('\n')).toMatch(/cloudflare_workers_kv\.\S+: its value is not known at synth/);
      expect(v[0].remedy ?? '').toMatch(/write the settings of cloudflare_workers_kv/);
    },
  );
});
