import { TerraformStack, Testing } from '../../lib/util/cdktf';
import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { GlobalRoute53Routing, type GlobalRoute53RoutingProps } from '../../lib/aws/global-route53-routing';
import { InferenceAliasRecord, RecordTarget } from '../../lib/aws/inference-alias-record';
import { InferenceEndpointRef, type IInferenceEndpoint } from '../../lib/aws/inference-endpoint-ref';
import { InferenceHostedZone } from '../../lib/aws/inference-hosted-zone';
import { HealthCheckRef, RegionHealthCheck } from '../../lib/aws/region-health-check';
import { RoutingPolicy } from '../../lib/aws/routing-policy';
import type { TerraformJson } from '../../lib/util/synth-output';
import { errorOf, resourcesOf, synthJson } from '../support/synth';

const DOMAIN = 'inference.example.com';
const zone = InferenceHostedZone.fromZoneId('Z0123456789ABCDEFGHIJ', DOMAIN);

function endpoint(region: string, jurisdiction?: string): IInferenceEndpoint {
  return InferenceEndpointRef.fromAttributes({
    region,
    jurisdiction,
    albDnsName: `alb-${region}.elb.amazonaws.com`,
    albZoneId: `ZALB${region.replace(/-/g, '').toUpperCase()}`,
    healthCheckPath: '/health',
    models: [{ name: 'llama', id: 'meta-llama/Llama-3.1-8B-Instruct', version: '1' }],
    albArnSuffix: `app/alb-${region}/0123`,
    targetGroupArnSuffix: `targetgroup/tg-${region}/4567`,
    minCapacity: 2,
  });
}

function regions(...codes: [string, string?][]): GlobalRoute53RoutingProps['regions'] {
  return codes.map(([code, jurisdiction]) => ({
    endpoint: endpoint(code, jurisdiction),
    hostname: `${code}.${DOMAIN}`,
  }));
}

function synthRouting(props: Partial<GlobalRoute53RoutingProps>): {
  json: TerraformJson;
  routing: GlobalRoute53Routing;
} {
  const stack = new TerraformStack(Testing.app(), 'routing');
  new AwsProvider(stack, 'aws', { region: 'us-east-1' });
  const routing = new GlobalRoute53Routing(stack, 'Routing', {
    zone,
    domain: DOMAIN,
    regions: regions(['us-east-1'], ['eu-west-1']),
    ...props,
  });
  return { json: synthJson(stack), routing };
}

/** Records as `name policy setIdentifier -> target` lines, for readable structural assertions. */
function recordLines(json: TerraformJson): string[] {
  return resourcesOf(json, 'aws_route53_record')
    .map(([, r]) => {
      const policyKey = Object.keys(r).find((k) => k.endsWith('_routing_policy'));
      const policy = policyKey
        ? `${policyKey.replace('_routing_policy', '')}${JSON.stringify(r[policyKey])}`
        : 'simple';
      const alias = r.alias as { name: string; evaluate_target_health: boolean } | undefined;
      const target = alias ? alias.name.replace(/^alb-(.*)\.elb\.amazonaws\.com$/, 'ALB $1') : String(r.records);
      return (
        `${r.name} ${policy} ${r.set_identifier ?? '-'} -> ` +
        `${target}${r.health_check_id ? ' [hc]' : ''}${alias && !alias.evaluate_target_health ? ' [no-eth]' : ''}`
      );
    })
    .sort();
}

describe('RegionHealthCheck', () => {
  const stack = new TerraformStack(Testing.app(), 'hc');
  new AwsProvider(stack, 'aws', { region: 'us-east-1' });
  const check = new RegionHealthCheck(stack, 'Health', {
    endpoint: endpoint('eu-west-1'),
    fqdn: `eu-west-1.${DOMAIN}`,
    health: {
      expectedBody: '"status":"ok"',
      capacity: {
        maxAverageResponseSeconds: 20,
        queueDepth: { namespace: 'vLLM', metricName: 'num_requests_waiting', threshold: 32 },
      },
    },
  });
  const json = synthJson(stack);
  const checks = resourcesOf(json, 'aws_route53_health_check').map(([, c]) => c);

  test(
    'the readiness probe is HTTPS with SNI, a body match and latency measurement, from the three nearest checker ' +
      'regions',
    () => {
      expect(checks.find((c) => c.type === 'HTTPS_STR_MATCH')).toMatchObject({
        fqdn: `eu-west-1.${DOMAIN}`,
        port: 443,
        resource_path: '/health',
        search_string: '"status":"ok"',
        enable_sni: true,
        measure_latency: true,
        request_interval: 10,
        failure_threshold: 3,
        regions: ['eu-west-1', 'us-east-1', 'us-west-2'],
        lifecycle: { create_before_destroy: true },
      });
      expect(check.checkerRegions).toHaveLength(3);
    },
  );

  test('capacity alarms: healthy targets below the fleet minimum, average response time, queue depth', () => {
    const alarms = resourcesOf(json, 'aws_cloudwatch_metric_alarm').map(([, a]) => a);
    expect(alarms.find((a) => a.metric_name === 'HealthyHostCount')).toMatchObject({
      namespace: 'AWS/ApplicationELB',
      statistic: 'Minimum',
      threshold: 2,
      comparison_operator: 'LessThanThreshold',
      treat_missing_data: 'breaching',
      dimensions: { LoadBalancer: 'app/alb-eu-west-1/0123', TargetGroup: 'targetgroup/tg-eu-west-1/4567' },
    });
    expect(alarms.find((a) => a.metric_name === 'TargetResponseTime')).toMatchObject({
      statistic: 'Average',
      threshold: 20,
    });
    expect(alarms.find((a) => a.metric_name === 'num_requests_waiting')).toMatchObject({
      namespace: 'vLLM',
      threshold: 32,
    });
    // No alarm uses a percentile: Route53 rejects extended statistics.
    expect(alarms).toAllSatisfy((a) => a.extended_statistic === undefined);
  });

  test('a CALCULATED check is healthy only when the probe and every capacity check are', () => {
    const alarmChecks = checks.filter((c) => c.type === 'CLOUDWATCH_METRIC');
    expect(alarmChecks).toHaveLength(3);
    expect(alarmChecks).toAllSatisfy(
      (c) => c.cloudwatch_alarm_region === 'eu-west-1' && c.insufficient_data_health_status === 'LastKnownStatus',
    );
    const calculated = checks.find((c) => c.type === 'CALCULATED')!;
    expect(calculated.child_health_threshold).toBe(4);
    expect(calculated.child_healthchecks).toHaveLength(4);
    expect(check.capacityChecks).toHaveProperty('HealthyTargets');
  });

  test('fails when probe settings break Route53 limits, with the limits in the message', () => {
    const s = new TerraformStack(Testing.app(), 'bad');
    const message = errorOf(
      () =>
        new RegionHealthCheck(s, 'H', {
          endpoint: endpoint('us-east-1'),
          fqdn: 'x.example.com',
          health: { intervalSeconds: 15 as never, failureThreshold: 11, checkerRegions: ['us-east-1', 'eu-west-1'] },
        }),
    );
    expect(message).toContain('intervalSeconds: must be 10 or 30 (the Route53 request intervals), got: 15');
    expect(message).toContain('failureThreshold: must be ≤ 10 (Route53 limit), got: 11');
    expect(message).toContain('checkerRegions: must list at least 3 regions (Route53 minimum)');
  });

  test('fails when an imported endpoint has no metrics for the capacity alarms', () => {
    const s = new TerraformStack(Testing.app(), 'bad2');
    const bare = InferenceEndpointRef.fromAttributes({
      region: 'us-east-1',
      albDnsName: 'x',
      albZoneId: 'Z',
      healthCheckPath: '/health',
      models: [],
    });
    expect(errorOf(() => new RegionHealthCheck(s, 'H', { endpoint: bare, fqdn: 'x.example.com' }))).toContain(
      'endpoint: needs albArnSuffix and targetGroupArnSuffix',
    );
  });

  test('existing health checks can be imported by id', () => {
    expect(HealthCheckRef.fromHealthCheckId('abcd-1234').healthCheckId).toBe('abcd-1234');
  });
});

describe('routing policies and records', () => {
  test('fails when values break Route53 limits', () => {
    expect(errorOf(() => RoutingPolicy.weighted(256))).toContain(
      'RoutingPolicy.weighted(weight): must be a whole number from 0 to 255 (Route53 limit), got: 256',
    );
    expect(errorOf(() => RoutingPolicy.geoproximity('us-east-1', 100))).toContain(
      'must be a whole number from -99 to 99',
    );
    expect(errorOf(() => RoutingPolicy.geolocation({ continent: 'XX' }))).toContain(
      'must be one of AF, AN, AS, EU, NA, OC, SA',
    );
    expect(errorOf(() => RoutingPolicy.geolocation({ country: 'DE', subdivision: 'BY' }))).toContain(
      'only supported by Route53 for US states and Ukraine',
    );
    expect(errorOf(() => RoutingPolicy.geolocation({ country: 'ZZ' }))).toContain(
      'must be an assigned ISO 3166-1 alpha-2 country code',
    );
    expect(errorOf(() => RoutingPolicy.latency('us-east-9'))).toContain('must be an AWS region code');
  });

  test('fails when a routed record has no set identifier, or a simple record has one', () => {
    const stack = new TerraformStack(Testing.app(), 'records');
    expect(
      errorOf(
        () =>
          new InferenceAliasRecord(stack, 'A', {
            zone,
            name: DOMAIN,
            target: RecordTarget.hostname('x.example.net'),
            policy: RoutingPolicy.weighted(1),
          }),
      ),
    ).toContain('setIdentifier: is required for a weighted record');
    expect(
      errorOf(
        () =>
          new InferenceAliasRecord(stack, 'B', {
            zone,
            name: DOMAIN,
            target: RecordTarget.hostname('x.example.net'),
            setIdentifier: 'x',
          }),
      ),
    ).toContain('setIdentifier: only applies to routed records');
  });

  test('a CNAME target uses the TTL; live-tuned weights are ignored by later applies when asked', () => {
    const stack = new TerraformStack(Testing.app(), 'records2');
    new InferenceAliasRecord(stack, 'A', {
      zone,
      name: DOMAIN,
      target: RecordTarget.hostname('x.example.net'),
      policy: RoutingPolicy.weighted(7),
      setIdentifier: 'x',
      ttlSeconds: 30,
      ignoreWeightChanges: true,
    });
    expect(resourcesOf(synthJson(stack), 'aws_route53_record')[0][1]).toMatchObject({
      type: 'CNAME',
      records: ['x.example.net'],
      ttl: 30,
      weighted_routing_policy: { weight: 7 },
      lifecycle: { ignore_changes: ['weighted_routing_policy'] },
    });
  });
});

describe('GlobalRoute53Routing modes', () => {
  test('latency: one latency record per region at the domain, each guarded by its region health check', () => {
    expect(recordLines(synthRouting({}).json)).toEqual([
      `${DOMAIN} latency{"region":"eu-west-1"} eu-west-1 -> ALB eu-west-1 [hc]`,
      `${DOMAIN} latency{"region":"us-east-1"} us-east-1 -> ALB us-east-1 [hc]`,
    ]);
  });

  test('failover: primary region, then a latency set of the secondaries', () => {
    const { json } = synthRouting({
      regions: regions(['us-east-1'], ['us-west-2'], ['us-east-2']),
      routing: { mode: 'failover', failover: { primary: 'us-east-1' } },
    });
    expect(recordLines(json)).toEqual([
      `${DOMAIN} failover{"type":"PRIMARY"} primary-us-east-1 -> ALB us-east-1 [hc]`,
      `${DOMAIN} failover{"type":"SECONDARY"} secondary -> secondary.${DOMAIN}`,
      `secondary.${DOMAIN} latency{"region":"us-east-2"} us-east-2 -> ALB us-east-2 [hc]`,
      `secondary.${DOMAIN} latency{"region":"us-west-2"} us-west-2 -> ALB us-west-2 [hc]`,
    ]);
  });

  test('weighted: Route53 weights per region, 100 by default', () => {
    const { json } = synthRouting({
      regions: regions(['us-east-1'], ['us-west-2']),
      routing: { mode: 'weighted', weights: { 'us-east-1': 200 } },
    });
    expect(recordLines(json)).toEqual([
      `${DOMAIN} weighted{"weight":100} us-west-2 -> ALB us-west-2 [hc]`,
      `${DOMAIN} weighted{"weight":200} us-east-1 -> ALB us-east-1 [hc]`,
    ]);
  });

  test('geoproximity: per-region bias', () => {
    const { json } = synthRouting({ routing: { mode: 'geoproximity', biases: { 'eu-west-1': 25 } } });
    expect(recordLines(json)).toContain(
      `${DOMAIN} geoproximity{"aws_region":"eu-west-1","bias":25} eu-west-1 -> ALB eu-west-1 [hc]`,
    );
  });

  test('geolocation: locations to group sets, falling through to the default when a group is unhealthy', () => {
    const { json } = synthRouting({
      regions: regions(['us-east-1'], ['eu-west-1'], ['ap-northeast-1']),
      routing: {
        mode: 'geolocation',
        geolocation: { groups: [{ name: 'europe', continents: ['EU'], regions: ['eu-west-1'] }], default: 'us-east-1' },
      },
    });
    expect(recordLines(json)).toEqual([
      `europe.geo.${DOMAIN} latency{"region":"eu-west-1"} eu-west-1 -> ALB eu-west-1 [hc]`,
      `${DOMAIN} geolocation{"continent":"EU"} geo-europe-continent-EU -> europe.geo.${DOMAIN}`,
      `${DOMAIN} geolocation{"country":"*"} default -> ALB us-east-1 [hc]`,
    ]);
  });

  test("geolocation default 'none' leaves unmatched clients without an answer (an explicit choice)", () => {
    const { json } = synthRouting({
      routing: {
        mode: 'geolocation',
        geolocation: { groups: [{ name: 'eu', countries: ['DE'], regions: ['eu-west-1'] }], default: 'none' },
      },
    });
    expect(recordLines(json).filter((l) => l.includes('"country":"*"'))).toEqual([]);
  });

  test('canary: a weighted split between the new region and the mode over the others', () => {
    const { json } = synthRouting({
      regions: regions(['us-east-1'], ['eu-west-1'], ['ap-northeast-1']),
      routing: { mode: 'latency', canary: { region: 'ap-northeast-1', percent: 5 } },
    });
    expect(recordLines(json)).toEqual([
      `${DOMAIN} weighted{"weight":5} canary-ap-northeast-1 -> ALB ap-northeast-1 [hc]`,
      `${DOMAIN} weighted{"weight":95} stable -> stable.${DOMAIN}`,
      `stable.${DOMAIN} latency{"region":"eu-west-1"} eu-west-1 -> ALB eu-west-1 [hc]`,
      `stable.${DOMAIN} latency{"region":"us-east-1"} us-east-1 -> ALB us-east-1 [hc]`,
    ]);
  });
});

describe('residency by nesting', () => {
  const { json, routing } = synthRouting({
    regions: regions(['us-east-1', 'us'], ['eu-west-1', 'eu'], ['eu-central-1', 'eu']),
    residency: { eu: { countries: ['DE', 'FR'] } },
  });
  const lines = recordLines(json);

  test("a jurisdiction's clients alias its own latency set, which holds only its regions", () => {
    expect(lines).toContain(`${DOMAIN} geolocation{"country":"DE"} residency-eu-country-DE -> eu.${DOMAIN} [no-eth]`);
    expect(lines).toContain(`${DOMAIN} geolocation{"country":"FR"} residency-eu-country-FR -> eu.${DOMAIN} [no-eth]`);
    expect(lines.filter((l) => l.startsWith(`eu.${DOMAIN} `))).toEqual([
      `eu.${DOMAIN} latency{"region":"eu-central-1"} eu-central-1 -> ALB eu-central-1 [hc]`,
      `eu.${DOMAIN} latency{"region":"eu-west-1"} eu-west-1 -> ALB eu-west-1 [hc]`,
    ]);
  });

  test('residency records never fall through: no target-health evaluation and no health check on them', () => {
    const residency = resourcesOf(json, 'aws_route53_record').filter(([, r]) =>
      String(r.set_identifier).startsWith('residency-'),
    );
    expect(residency).toHaveLength(2);
    for (const [, r] of residency) {
      expect(r.health_check_id).toBeUndefined();
      expect((r.alias as { evaluate_target_health: boolean }).evaluate_target_health).toBe(false);
    }
  });

  test('everyone else is routed by the mode under global.<domain>, through the default location', () => {
    expect(lines).toContain(`${DOMAIN} geolocation{"country":"*"} default -> global.${DOMAIN}`);
    expect(lines.filter((l) => l.startsWith(`global.${DOMAIN} `))).toHaveLength(3);
    expect([...routing.recordSets.entries()]).toEqual(
      expect.arrayContaining([
        [`eu.${DOMAIN}`, 'latency'],
        [DOMAIN, 'geolocation'],
        [`global.${DOMAIN}`, 'latency'],
      ]),
    );
  });

  test('fails when a residency group has no region of its jurisdiction', () => {
    expect(errorOf(() => synthRouting({ residency: { apac: { countries: ['JP'] } } }))).toContain(
      "residency.apac: no region has jurisdiction 'apac'",
    );
  });
});

describe('stable identities', () => {
  test('reordering regions changes no record, set identifier or construct id', () => {
    const a = synthRouting({
      regions: regions(['us-east-1'], ['eu-west-1'], ['ap-northeast-1']),
      routing: { mode: 'weighted' },
    }).json;
    const b = synthRouting({
      regions: regions(['ap-northeast-1'], ['us-east-1'], ['eu-west-1']),
      routing: { mode: 'weighted' },
    }).json;
    expect(JSON.stringify(a.resource)).toBe(JSON.stringify(b.resource));
  });

  test('fails when routing names a region that is not routed', () => {
    const message = errorOf(() => synthRouting({ routing: { mode: 'failover', failover: { primary: 'us-west-2' } } }));
    expect(message).toContain(
      'routing.failover.primary: must be a region of the spec (us-east-1, eu-west-1), got: "us-west-2"',
    );
  });
});
