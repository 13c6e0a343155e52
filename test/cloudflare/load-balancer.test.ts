import type { TerraformStack } from '../../lib/util/cdktf';
import { FailClosedPool } from '../../lib/cloudflare/fail-closed-pool';
import {
  CloudflareInferenceLoadBalancer,
  type CloudflareInferenceLoadBalancerProps,
} from '../../lib/cloudflare/inference-load-balancer';
import { CloudflareRegionPool } from '../../lib/cloudflare/region-pool';
import { errorOf, newStack, onlyResource, synthJson } from '../support/synth';
import { ACCOUNT_ID, MONITOR_ID, ZONE_ID, poolRegionsById } from './fixtures';

const REGIONS: [string, string | undefined][] = [
  ['us-east-1', 'us'],
  ['eu-west-1', 'eu'],
  ['ap-northeast-1', undefined],
];

function pools(stack: TerraformStack, plan: 'pro' | 'business' | 'enterprise' = 'enterprise'): CloudflareRegionPool[] {
  return REGIONS.map(
    ([region, jurisdiction]) =>
      new CloudflareRegionPool(stack, `Pool-${region}`, {
        accountId: ACCOUNT_ID,
        region,
        originAddress: `${region}.inference.example.com`,
        monitorId: MONITOR_ID,
        plan,
        namePrefix: 'chat',
        jurisdiction,
      }),
  );
}

function loadBalancer(props: Partial<CloudflareInferenceLoadBalancerProps> = {}) {
  const { stack } = newStack();
  const lb = new CloudflareInferenceLoadBalancer(stack, 'LoadBalancer', {
    zoneId: ZONE_ID,
    hostname: 'inference.example.com',
    plan: 'enterprise',
    pools: pools(stack, props.plan),
    ...props,
  });
  const json = synthJson(stack);
  return { lb, json, config: onlyResource(json, 'cloudflare_load_balancer'), regionOf: poolRegionsById(json) };
}

function lbError(props: Partial<CloudflareInferenceLoadBalancerProps>): string {
  const { stack } = newStack();
  return errorOf(
    () =>
      new CloudflareInferenceLoadBalancer(stack, 'LoadBalancer', {
        zoneId: ZONE_ID,
        hostname: 'inference.example.com',
        plan: 'enterprise',
        pools: pools(stack, props.plan),
        ...props,
      }),
  );
}

describe('CloudflareInferenceLoadBalancer', () => {
  test(
    'defaults: proxied, dynamic latency over every pool, adaptive routing across pools, cookie affinity with ' +
      'sticky failover and a drain for streams',
    () => {
      const { config, regionOf } = loadBalancer();
      expect(config).toMatchObject({
        name: 'inference.example.com',
        zone_id: ZONE_ID,
        proxied: true,
        enabled: true,
        steering_policy: 'dynamic_latency',
        adaptive_routing: { failover_across_pools: true },
        session_affinity: 'cookie',
        session_affinity_ttl: 1800,
        session_affinity_attributes: {
          zero_downtime_failover: 'sticky',
          drain_duration: 300,
          secure: 'Always',
          samesite: 'Lax',
          require_all_headers: false,
        },
        random_steering: { default_weight: 1 },
        location_strategy: { mode: 'pop', prefer_ecs: 'proximity' },
        networks: ['cloudflare'],
      });
      // No empty maps or lists: the API does not echo them, so each would be a change on every plan (provider #7339).
      for (const key of ['country_pools', 'region_pools', 'pop_pools', 'rules']) expect(config).not.toHaveProperty(key);
      expect(config.random_steering).not.toHaveProperty('pool_weights');
      expect((config.default_pools as string[]).map((id) => regionOf.get(id))).toEqual([
        'us-east-1',
        'eu-west-1',
        'ap-northeast-1',
      ]);
      expect(regionOf.get(config.fallback_pool as string)).toBe('us-east-1');
      // A proxied load balancer has no DNS TTL to pin.
      expect(config).not.toHaveProperty('ttl');
    },
  );

  test('a canary: random steering with pool weights keyed by pool id', () => {
    const { config, regionOf } = loadBalancer({ steering: 'random', poolWeights: { 'ap-northeast-1': 0.1 } });
    expect(config.steering_policy).toBe('random');
    const weights = (config.random_steering as { pool_weights: Record<string, number> }).pool_weights;
    expect(Object.entries(weights).map(([id, w]) => [regionOf.get(id), w])).toEqual([['ap-northeast-1', 0.1]]);
  });

  test('a debug header pins a region through one rule per region, with priorities from the region table', () => {
    const { config, regionOf } = loadBalancer({
      debugPin: { regions: ['eu-west-1', 'us-east-1'], sourceCidrs: ['203.0.113.0/24'] },
    });
    const rules = config.rules as Record<string, unknown>[];
    expect(rules.map((r) => r.name)).toEqual(['pin-eu-west-1', 'pin-us-east-1']);
    expect(rules[0]).toMatchObject({
      condition: 'http.request.headers["x-inference-region"][0] eq "eu-west-1" and ip.src in {203.0.113.0/24}',
      terminates: true,
      disabled: false,
      overrides: { steering_policy: 'off', session_affinity: 'none' },
    });
    const overrides = rules[0].overrides as { default_pools: string[]; fallback_pool: string };
    expect([overrides.default_pools.map((id) => regionOf.get(id)), regionOf.get(overrides.fallback_pool)]).toEqual([
      ['eu-west-1'],
      'eu-west-1',
    ]);
    // us-east-1 is first in the library's region table, eu-west-1 ninth: list order does not matter.
    expect(rules.map((r) => r.priority)).toEqual([9, 1]);
  });

  test('DNS-only: a TTL is pinned and affinity is off', () => {
    const { config } = loadBalancer({ proxied: false });
    expect(config).toMatchObject({
      proxied: false,
      ttl: 30,
      session_affinity: 'none',
      session_affinity_attributes: { zero_downtime_failover: 'none', drain_duration: 0 },
    });
    expect(config).not.toHaveProperty('session_affinity_ttl');
  });

  test('two residency jurisdictions fall back to the fail-closed pool', () => {
    const { stack } = newStack();
    const failClosed = new FailClosedPool(stack, 'FailClosed', { accountId: ACCOUNT_ID, namePrefix: 'chat' });
    const lb = new CloudflareInferenceLoadBalancer(stack, 'LoadBalancer', {
      zoneId: ZONE_ID,
      hostname: 'inference.example.com',
      plan: 'enterprise',
      pools: pools(stack),
      residency: { eu: { countries: ['DE'], continents: [] }, us: { countries: ['US'], continents: [] } },
      failClosedPool: failClosed,
    });
    const json = synthJson(stack);
    const config = onlyResource(json, 'cloudflare_load_balancer');
    expect(lb.routing.fallback).toBe('fail-closed');
    const fallback = ((json.resource?.cloudflare_load_balancer_pool ?? {}) as Record<string, Record<string, unknown>>)[
      (config.fallback_pool as string).split('.')[1]
    ];
    expect(fallback).toMatchObject({ name: 'chat-fail-closed', origins: [{ address: 'fail-closed.invalid' }] });
    expect(fallback).not.toHaveProperty('monitor');
  });

  test('fails when the fallback must fail closed but no fail-closed pool is given', () => {
    expect(
      lbError({ residency: { eu: { countries: ['DE'], continents: [] }, us: { countries: ['US'], continents: [] } } }),
    ).toContain(
      "failClosedPool: is required: the fallback is 'fail-closed' (residency for eu and us: no single region " +
        "keeps every jurisdiction's clients in place); pass a FailClosedPool",
    );
  });

  test('fails when a plan lacks what the options need, listing every problem', () => {
    const message = lbError({ plan: 'pro', debugPin: {}, sessionAffinity: { type: 'header', headers: ['a', 'b'] } });
    expect(message).toContain(
      'steering: the default steering (dynamic_latency, or geo when residency applies) needs the Enterprise ' +
        'plan or the Load Balancing traffic steering add-on (plan is pro)',
    );
    expect(message).toContain('sessionAffinity.headers: may list at most 1 header on the pro plan');
    expect(message).toContain(
      'debugPin.regions: needs 3 load balancing rules (one per region), but non-Enterprise zones get 1 per ' +
        'hostname; list the one region to pin',
    );
  });

  test('fails when a DNS-only load balancer is given features that need the proxy', () => {
    const message = lbError({
      proxied: false,
      sessionAffinity: { type: 'cookie' },
      debugPin: { regions: ['us-east-1'] },
    });
    expect(message).toContain(
      'sessionAffinity.type: needs a proxied load balancer (DNS-only answers carry no cookies or headers); set ' +
        'type: none or proxied: true, got: "cookie"',
    );
    expect(message).toContain(
      'debugPin: needs a proxied load balancer (request headers are only visible to proxied traffic)',
    );
  });

  test('under residency affinity is off by default, and refused when asked for', () => {
    const residency = { eu: { countries: ['DE'], continents: [] } };
    expect(loadBalancer({ residency }).config).toMatchObject({
      session_affinity: 'none',
      session_affinity_attributes: { zero_downtime_failover: 'none' },
    });
    expect(lbError({ residency, sessionAffinity: { type: 'cookie' } })).toContain(
      'sessionAffinity.type: must be none when residency applies (eu)',
    );
  });

  test(
    'fails when a debug pin is combined with residency (geo steering, where Cloudflare custom rules do not ' +
      'function)',
    () => {
      expect(
        lbError({
          residency: { eu: { countries: ['DE'], continents: [] } },
          debugPin: { sourceCidrs: ['203.0.113.0/24'] },
        }),
      ).toContain('debugPin: cannot be used with geo steering (residency eu needs it)');
    },
  );
});
