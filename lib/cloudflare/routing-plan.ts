import type { ResidencyClients } from '../spec/residency';
import {
  activeResidency,
  FAIL_CLOSED,
  routingProblems,
  type CloudflareIssue,
  type CloudflarePlan,
  type TrafficSteeringPolicy,
} from '../spec/cloudflare-schema';
import type { CloudflareRegionCode } from '../spec/regions';
import {
  CLOUDFLARE_REGION_LIST,
  CLOUDFLARE_REGIONS,
  CONTINENT_CLOUDFLARE_REGIONS,
  greatCircleKm,
} from './cloudflare-regions';

/** Where a pool is: its AWS region, jurisdiction and coordinates. */
export interface PoolPlacement {
  /** AWS region code (the pool's key). */
  readonly region: string;
  /** Jurisdiction of the region, for residency. */
  readonly jurisdiction?: string;
  /** ISO country of the region. */
  readonly country: string;
  /** Latitude of the region. */
  readonly latitude: number;
  /** Longitude of the region. */
  readonly longitude: number;
}

/** What {@link planRouting} plans from: the pools, residency, plan, and the steering settings of the spec. */
export interface RoutingPlanInput {
  /** The pools, in the order given (the failover order where nothing else decides). */
  readonly pools: readonly PoolPlacement[];
  /** Clients that must stay in a jurisdiction, by jurisdiction key. */
  readonly residency?: ResidencyClients;
  readonly plan: CloudflarePlan;
  readonly steering?: TrafficSteeringPolicy;
  readonly fallback?: string;
  readonly poolWeights?: Readonly<Record<string, number>>;
  readonly debugPin?: { readonly regions?: readonly string[]; readonly sourceCidrs?: readonly string[] };
  /** Session affinity type as authored (undefined: the default, which is none under residency). */
  readonly sessionAffinity?: string;
}

/**
 * The routing of a load balancer in region codes (pool ids are filled in by the construct), so it can be checked
 * and tested without synthesizing: which pools each client population may use, in failover order.
 */
export interface RoutingPlan {
  readonly steering: TrafficSteeringPolicy;
  /** Pools for clients no country or region mapping covers. */
  readonly defaultPools: readonly string[];
  /** Country code -> pools (residency countries: only their jurisdiction's pools). */
  readonly countryPools: Readonly<Record<string, readonly string[]>>;
  /** Cloudflare region -> pools, nearest first (residency continents: only their jurisdiction's pools). */
  readonly regionPools: Readonly<Partial<Record<CloudflareRegionCode, readonly string[]>>>;
  /** Region of the fallback pool, or `fail-closed`. */
  readonly fallback: string;
  /** Residency jurisdictions this plan enforces. */
  readonly residency: readonly string[];
}

/**
 * Plans the routing of a load balancer:
 * - without residency: `steering` (default dynamic_latency) over every pool; geo steering gets every Cloudflare
 *   region mapped to all pools nearest first, so it behaves like "nearest healthy region";
 * - with residency: geo steering. A residency country maps to its jurisdiction's pools only (a region in that
 *   country first), a residency continent's Cloudflare regions likewise; every other region maps to all pools,
 *   nearest first. The fallback is a pool of the residency jurisdiction, or `fail-closed` when there are several.
 * Returns the problems instead of a plan when the input cannot be routed safely.
 */
export function planRouting(input: RoutingPlanInput): { plan?: RoutingPlan; problems: CloudflareIssue[] } {
  const regions = input.pools.map((p) => p.region);
  const jurisdictionOf = Object.fromEntries(input.pools.map((p) => [p.region, p.jurisdiction]));
  const residency = input.residency ?? {};
  const facts = {
    regions,
    jurisdictionOf,
    residencyJurisdictions: Object.keys(residency),
    plan: input.plan,
    steering: input.steering,
    fallback: input.fallback,
    poolWeights: input.poolWeights,
    debugPin: input.debugPin,
    sessionAffinity: input.sessionAffinity,
  };
  const problems = [...duplicatePools(regions), ...routingProblems(facts), ...residencyOverlaps(residency)];
  if (input.pools.length === 0) problems.push({ path: ['pools'], input: [], message: 'must list at least one pool' });
  if (problems.length > 0) return { problems };

  const active = activeResidency(facts);
  const steering = input.steering ?? (active.length > 0 ? 'geo' : 'dynamic_latency');
  const byDistance = (from: { latitude: number; longitude: number }, pools: readonly PoolPlacement[]) =>
    [...pools]
      .sort((a, b) => greatCircleKm(from, a) - greatCircleKm(from, b) || a.region.localeCompare(b.region))
      .map((p) => p.region);
  const poolsOf = (jurisdiction: string) => input.pools.filter((p) => p.jurisdiction === jurisdiction);

  const countryPools: Record<string, string[]> = {};
  const restrictedRegions = new Map<CloudflareRegionCode, string>();
  for (const j of active) {
    const own = poolsOf(j);
    for (const country of residency[j].countries) {
      // A region in the client's own country first, then the jurisdiction's others in the order given.
      countryPools[country] = [
        ...own.filter((p) => p.country === country),
        ...own.filter((p) => p.country !== country),
      ].map((p) => p.region);
    }
    for (const continent of residency[j].continents) {
      for (const cfRegion of CONTINENT_CLOUDFLARE_REGIONS[continent] ?? []) restrictedRegions.set(cfRegion, j);
    }
  }
  const regionPools: Partial<Record<CloudflareRegionCode, string[]>> = {};
  if (steering === 'geo') {
    for (const cfRegion of CLOUDFLARE_REGION_LIST) {
      const j = restrictedRegions.get(cfRegion);
      regionPools[cfRegion] = byDistance(CLOUDFLARE_REGIONS[cfRegion], j ? poolsOf(j) : input.pools);
    }
  }

  const fallback =
    input.fallback ??
    (active.length === 0 ? regions[0] : active.length === 1 ? poolsOf(active[0])[0].region : FAIL_CLOSED);
  return {
    plan: {
      steering,
      defaultPools: regions,
      countryPools: sortKeys(countryPools),
      regionPools,
      fallback,
      residency: active,
    },
    problems: [],
  };
}

/** Every pool a client of `country` (served in Cloudflare region `cfRegion`) can reach, fallback included. */
export function reachablePools(plan: RoutingPlan, country: string, cfRegion: CloudflareRegionCode): string[] {
  // Only geo steering consults the country and region maps; every other policy picks among the default pools.
  const list =
    plan.steering === 'geo'
      ? (plan.countryPools[country] ?? plan.regionPools[cfRegion] ?? plan.defaultPools)
      : plan.defaultPools;
  return [...new Set([...list, plan.fallback])];
}

function duplicatePools(regions: readonly string[]): CloudflareIssue[] {
  return regions.flatMap((r, i) =>
    regions.indexOf(r) !== i
      ? [
          {
            path: ['pools', i],
            input: r,
            message: `duplicate pool for region ${r} (also at index ${regions.indexOf(r)}); one pool per region`,
          },
        ]
      : [],
  );
}

/** A country, or a Cloudflare region reached through a continent, may belong to one jurisdiction only. */
function residencyOverlaps(residency: ResidencyClients): CloudflareIssue[] {
  const out: CloudflareIssue[] = [];
  const countryOwner = new Map<string, string>();
  const regionOwner = new Map<CloudflareRegionCode, string>();
  for (const [j, group] of Object.entries(residency)) {
    for (const country of group.countries) {
      const other = countryOwner.get(country);
      if (other && other !== j)
        out.push({
          path: ['residency', j, 'countries'],
          input: country,
          message: `is also bound to jurisdiction '${other}'; a country can stay in one jurisdiction only`,
        });
      countryOwner.set(country, j);
    }
    for (const continent of group.continents) {
      const cfRegions = CONTINENT_CLOUDFLARE_REGIONS[continent];
      if (!cfRegions || cfRegions.length === 0) {
        out.push({
          path: ['residency', j, 'continents'],
          input: continent,
          message: 'has no Cloudflare load-balancing region; list its countries instead',
        });
        continue;
      }
      for (const cfRegion of cfRegions) {
        const other = regionOwner.get(cfRegion);
        if (other && other !== j)
          out.push({
            path: ['residency', j, 'continents'],
            input: continent,
            message: `maps to Cloudflare region ${cfRegion}, already bound to jurisdiction '${other}'`,
          });
        regionOwner.set(cfRegion, j);
      }
    }
  }
  return out;
}

function sortKeys<T>(record: Record<string, T>): Record<string, T> {
  return Object.fromEntries(Object.entries(record).sort(([a], [b]) => a.localeCompare(b)));
}
