import { CLOUDFLARE_REGION_LIST } from '../../lib/cloudflare/cloudflare-regions';
import { planRouting, reachablePools, type PoolPlacement, type RoutingPlan } from '../../lib/cloudflare/routing-plan';
import { EU_COUNTRIES } from '../../lib/spec/geo';
import { regionInfo } from '../../lib/spec/regions';

function pool(region: string, jurisdiction?: string): PoolPlacement {
  const info = regionInfo(region);
  return { region, jurisdiction, country: info.country, latitude: info.latitude, longitude: info.longitude };
}

const pools = [pool('us-east-1', 'us'), pool('eu-west-1', 'eu'), pool('eu-central-1', 'eu'), pool('ap-northeast-1')];
const euResidency = { eu: { countries: [...EU_COUNTRIES], continents: [] } };

function planOf(input: Partial<Parameters<typeof planRouting>[0]>): RoutingPlan {
  const { plan, problems } = planRouting({ pools, plan: 'enterprise', ...input });
  if (!plan) throw new Error(problems.map((p) => `${p.path.join('.')}: ${p.message}`).join('\n'));
  return plan;
}

function problemsOf(input: Partial<Parameters<typeof planRouting>[0]>): string[] {
  return planRouting({ pools, plan: 'enterprise', ...input }).problems.map((p) => `${p.path.join('.')}: ${p.message}`);
}

describe('routing plan', () => {
  test('without residency: dynamic latency over every pool, no geography, the first pool as fallback', () => {
    expect(planOf({})).toEqual({
      steering: 'dynamic_latency',
      defaultPools: ['us-east-1', 'eu-west-1', 'eu-central-1', 'ap-northeast-1'],
      countryPools: {},
      regionPools: {},
      fallback: 'us-east-1',
      residency: [],
    });
  });

  test('geo steering without residency maps every Cloudflare region to all pools, nearest first', () => {
    const plan = planOf({ steering: 'geo' });
    expect(Object.keys(plan.regionPools).sort()).toEqual([...CLOUDFLARE_REGION_LIST].sort());
    expect(plan.regionPools.NEAS?.[0]).toBe('ap-northeast-1');
    expect(plan.regionPools.ENAM?.[0]).toBe('us-east-1');
    expect(plan.regionPools.WEU?.slice(0, 2).sort()).toEqual(['eu-central-1', 'eu-west-1']);
    for (const list of Object.values(plan.regionPools))
      expect([...(list ?? [])].sort()).toEqual(pools.map((p) => p.region).sort());
  });

  test('EU residency: every EU country maps only to EU pools, from every Cloudflare region, fallback included', () => {
    const plan = planOf({ residency: euResidency });
    expect(plan.steering).toBe('geo');
    expect(plan.fallback).toBe('eu-west-1');
    expect(Object.keys(plan.countryPools)).toEqual([...EU_COUNTRIES].sort());
    for (const country of EU_COUNTRIES) {
      for (const cfRegion of CLOUDFLARE_REGION_LIST) {
        expect({
          country,
          cfRegion,
          pools: reachablePools(plan, country, cfRegion).filter((r) => !['eu-west-1', 'eu-central-1'].includes(r)),
        }).toEqual({ country, cfRegion, pools: [] });
      }
    }
    // A region in the client's own country comes first.
    expect(plan.countryPools.DE).toEqual(['eu-central-1', 'eu-west-1']);
    expect(plan.countryPools.IE).toEqual(['eu-west-1', 'eu-central-1']);
  });

  test('clients outside residency keep every pool, nearest first', () => {
    const plan = planOf({ residency: euResidency });
    expect(reachablePools(plan, 'JP', 'NEAS')).toEqual(['ap-northeast-1', 'eu-central-1', 'eu-west-1', 'us-east-1']);
    expect(reachablePools(plan, 'US', 'ENAM')[0]).toBe('us-east-1');
    // Not an EU country, but served in Western Europe: EU pools are simply nearest.
    expect(reachablePools(plan, 'GB', 'WEU').slice(0, 2).sort()).toEqual(['eu-central-1', 'eu-west-1']);
  });

  test('residency by continent restricts the continent’s Cloudflare regions', () => {
    const plan = planOf({ residency: { eu: { countries: [], continents: ['EU'] } } });
    expect(plan.regionPools.WEU).toEqual(['eu-central-1', 'eu-west-1']);
    expect(plan.regionPools.EEU).toEqual(['eu-central-1', 'eu-west-1']);
    expect(plan.regionPools.ENAM).toHaveLength(4);
  });

  test('two residency jurisdictions: each keeps its clients, and the fallback fails closed', () => {
    const plan = planOf({ residency: { ...euResidency, us: { countries: ['US'], continents: [] } } });
    expect(plan.residency).toEqual(['eu', 'us']);
    expect(plan.countryPools.US).toEqual(['us-east-1']);
    expect(plan.fallback).toBe('fail-closed');
    expect(reachablePools(plan, 'US', 'WEU')).toEqual(['us-east-1', 'fail-closed']);
  });

  test('fails when residency cannot be kept, saying why', () => {
    expect(problemsOf({ residency: euResidency, steering: 'proximity' })[0]).toMatch(
      /^steering: must be geo when residency applies \(eu\)/,
    );
    expect(problemsOf({ residency: euResidency, fallback: 'ap-northeast-1' })[0]).toMatch(
      /^fallback: is outside jurisdiction 'eu'/,
    );
    expect(problemsOf({ residency: { ch: { countries: ['CH'], continents: [] } } })).toEqual([
      "residency.ch: no pool belongs to jurisdiction 'ch', so its clients would have nowhere to go; give at " +
        'least one region jurisdiction: ch',
    ]);
    expect(
      problemsOf({
        residency: { eu: { countries: ['DE'], continents: [] }, us: { countries: ['DE'], continents: [] } },
      }),
    ).toEqual([
      "residency.us.countries: is also bound to jurisdiction 'eu'; a country can stay in one jurisdiction only",
    ]);
    expect(problemsOf({ residency: { eu: { countries: [], continents: ['AN'] } } })).toEqual([
      'residency.eu.continents: has no Cloudflare load-balancing region; list its countries instead',
    ]);
    expect(problemsOf({ pools: [...pools, pool('eu-west-1', 'eu')] })).toEqual([
      'pools.4: duplicate pool for region eu-west-1 (also at index 1); one pool per region',
    ]);
  });
});
