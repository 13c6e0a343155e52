/*
 * Cloudflare front doors: one per load balancer, assembled from the model (cloudflare-model.ts), the evaluator of
 * one health state (cloudflare-resolve.ts), the reachability over all of them (cloudflare-reach.ts) and the
 * failover timing and probe load (cloudflare-timing.ts).
 */
import { CLOUDFLARE_REGION_CENTROIDS } from './countries';
import {
  buildCloudflareModel,
  effectiveSteering,
  type CfPool,
  type CfRouting,
  type CloudflareModel,
} from './cloudflare-model';
import { CloudflareReach } from './cloudflare-reach';
import { CloudflareEvaluator } from './cloudflare-resolve';
import { cloudflareProbes, poolDetection } from './cloudflare-timing';
import type {
  ClientGroup,
  Detection,
  DiagramPart,
  FailoverPath,
  GraphContext,
  HealthState,
  Landing,
  ReachPath,
} from './model';

/** Front doors: one per Cloudflare load balancer. */
export function cloudflareFrontDoors(context: GraphContext) {
  const model = withPlacementReasons(
    buildCloudflareModel(
      context.stacks,
      (h) => context.regionOfHost(h),
      (n) => context.declaredEndpoint(n),
    ),
    context,
  );
  return model.loadBalancers.map((lb) => {
    const evaluator = new CloudflareEvaluator(model, lb);
    const reach = new CloudflareReach(model, lb);
    // A perfect monitor on every pool, per failed region (built when the stuck check asks).
    const idealReaches = new Map<string, CloudflareReach>();
    const label = `Cloudflare ${lb.hostname}`;
    const usedPools = new Set<string>([
      ...lb.routing.defaultPools,
      ...(lb.routing.fallbackPool ? [lb.routing.fallbackPool] : []),
      ...Object.values(lb.routing.countryPools).flat(),
      ...Object.values(lb.routing.regionPools).flat(),
      ...Object.values(lb.routing.popPools).flat(),
      ...lb.rules.flatMap((r) =>
        r.routing ? [...r.routing.defaultPools, ...(r.routing.fallbackPool ? [r.routing.fallbackPool] : [])] : [],
      ),
    ]);
    const monitors = new Set([...usedPools].map((p) => model.pools.get(p)?.monitor).filter((m): m is string => !!m));
    return {
      kind: 'cloudflare',
      id: `cloudflare:${lb.address}`,
      label,
      resources: [lb.address, ...usedPools, ...monitors].filter((a) => !a.startsWith('pool-id:')),
      model,
      loadBalancer: lb,
      resolve: (client: ClientGroup, health: HealthState) => evaluator.resolve(client, health),
      reach: (client: ClientGroup) => reach.reach(client),
      reachWithIdealDetector: (client: ClientGroup, region: string) => {
        let ideal = idealReaches.get(region);
        if (!ideal) idealReaches.set(region, (ideal = new CloudflareReach(model, lb, region)));
        return ideal.reach(client);
      },
      residencyRemedy(
        path: ReachPath,
        client: ClientGroup,
        jurisdiction: string,
        allowed: (l: ReachPath['landing']) => boolean,
      ): string | undefined {
        const inside = [...model.pools.values()].filter(
          (p) =>
            p.origins.some((o) => o.enabled) &&
            p.origins
              .filter((o) => o.enabled)
              .every((o) =>
                allowed({
                  region: o.region,
                  endpoint: o.address,
                  failClosed: o.failClosed,
                  declared: o.declared,
                  unplaced: o.unplaced,
                }),
              ),
        );
        const names = inside.map((p) => p.address);
        if (path.possible?.startsWith('session affinity'))
          return (
            `set session_affinity "none" on ${lb.address} (cloudflare.sessionAffinity.type: none; the schema ` +
            'refuses affinity under residency)'
          );
        if (path.kind === 'override') {
          const rule = path.path.find((s) => s.label.startsWith('rule "'))?.label.split('"')[1];
          return (
            `remove rule "${rule}" from ${lb.address} (custom load-balancing rules do not function reliably ` +
            'under geo steering, which residency needs)'
          );
        }
        if (path.kind === 'retry')
          return (
            `set adaptive_routing.failover_across_pools false on ${lb.address} (cloudflare.failoverAcrossPools: ` +
            `false), so a failed request is not retried on pools outside jurisdiction ${jurisdiction}`
          );
        if (path.kind === 'pop') {
          const pop = path.path.find((s) => s.label.startsWith('pop_pools['))?.label;
          return `remove ${pop} from ${lb.address}, or list only pools of jurisdiction ${jurisdiction} in it`;
        }
        if (path.path.some((s) => s.note?.startsWith('fallback_pool'))) {
          return (
            `set fallback_pool of ${lb.address} to ` +
            `${names[0] ? `${names[0]} (jurisdiction ${jurisdiction})` : `a pool of jurisdiction ${jurisdiction}`} ` +
            'or to a fail-closed pool (cloudflare.fallback: fail-closed)'
          );
        }
        const via = path.path.find((s) => /^(country_pools|region_pools|default_pools)/.test(s.label))?.label;
        if (client.country && via && names.length > 0)
          return (
            `map ${client.country} in country_pools of ${lb.address} to pools of jurisdiction ${jurisdiction} ` +
            `only (e.g. ${names.join(', ')}); it is steered by ${via} now`
          );
        return undefined;
      },
      pathFailover(path: ReachPath): Detection {
        const l = path.landing;
        if (l.declared)
          return {
            seconds: l.declared.failoverSeconds,
            breakdown:
              `${l.endpoint} is declared to fail over within ${l.declared.failoverSeconds} s ` +
              `(${l.declared.declaredBy})`,
            resources: [lb.address],
            causes: [{ kind: 'declared', endpoint: l.declared }],
          };
        if (!l.region)
          return {
            seconds: Number.POSITIVE_INFINITY,
            breakdown: `unknown: ${l.unplaced ?? `${l.endpoint} is not placed`}`,
            resources: [lb.address],
            causes: [{ kind: 'undetected', why: l.unplaced ?? `${l.endpoint} is not placed` }],
          };
        const pool = [...path.path].reverse().find((s) => model.pools.has(s.address))?.address;
        return pool
          ? poolDetection(model, lb, pool)
          : {
              seconds: Number.POSITIVE_INFINITY,
              breakdown: 'no pool on the path',
              resources: [lb.address],
              causes: [{ kind: 'undetected', why: 'no pool on the path' }],
            };
      },
      failoverPaths(normal: readonly { client: ClientGroup; landings: readonly Landing[] }[]): FailoverPath[] {
        const grouped = new Map<string, FailoverPath & { clientSet: Set<string> }>();
        for (const answer of normal) {
          for (const landing of answer.landings) {
            if (landing.possible || !landing.region || landing.share <= 0) continue;
            const pool = [...landing.path].reverse().find((s) => model.pools.has(s.address))?.address;
            if (!pool) continue;
            const d = poolDetection(model, lb, pool);
            const key = `${landing.region}|${pool}`;
            const g = grouped.get(key) ?? {
              frontDoor: label,
              region: landing.region,
              seconds: d.seconds,
              breakdown: d.breakdown,
              resources: d.resources,
              clients: [],
              clientSet: new Set<string>(),
            };
            g.clientSet.add(answer.client.label);
            grouped.set(key, g);
          }
        }
        return [...grouped.values()].map(({ clientSet, ...g }) => ({ ...g, clients: [...clientSet] }));
      },
      probes: () =>
        cloudflareProbes({ ...model, pools: new Map([...model.pools].filter(([a]) => usedPools.has(a))) }, label),
      diagram(): DiagramPart {
        const entry = `lb:${lb.address}`;
        const nodes: { id: string; label: string; shape?: 'box' | 'round' | 'stadium' | 'hexagon' }[] = [
          { id: entry, label: `${label} (${effectiveSteering(lb.routing)})`, shape: 'hexagon' },
        ];
        const edges: { from: string; to: string; label?: string; dotted?: boolean }[] = [];
        const roles = new Map<string, string[]>();
        const add = (pool: string, role: string) => roles.set(pool, [...(roles.get(pool) ?? []), role]);
        lb.routing.defaultPools.forEach((p, i) => add(p, `default #${i + 1}`));
        if (lb.routing.fallbackPool) add(lb.routing.fallbackPool, 'fallback');
        const countries = new Map<string, string[]>();
        for (const [country, list] of Object.entries(lb.routing.countryPools))
          list.forEach((p) => countries.set(p, [...(countries.get(p) ?? []), country]));
        for (const [p, cs] of countries) add(p, `countries ${summarise(cs)}`);
        const regions = new Map<string, string[]>();
        for (const [region, list] of Object.entries(lb.routing.regionPools))
          list.forEach((p) => regions.set(p, [...(regions.get(p) ?? []), region]));
        for (const [p, rs] of regions) add(p, `regions ${summarise(rs)}`);
        for (const rule of lb.rules) for (const p of rule.routing?.defaultPools ?? []) add(p, `rule ${rule.name}`);
        for (const [pool, rs] of roles) {
          const p = model.pools.get(pool);
          const pid = `pool:${pool}`;
          nodes.push({
            id: pid,
            label: `pool ${p?.name ?? pool}${p && !p.monitor ? ' (no monitor)' : ''}`,
            shape: 'round',
          });
          edges.push({
            from: entry,
            to: pid,
            label: rs.join('; '),
            dotted: rs.every((r) => r === 'fallback' || r.startsWith('rule')),
          });
          for (const o of p?.origins ?? [])
            edges.push({
              from: pid,
              to: o.failClosed ? 'endpoint:fail-closed' : o.region ? `region:${o.region}` : `endpoint:${o.address}`,
              label: o.address,
            });
        }
        return { nodes, edges, entry };
      },
      locations() {
        const mapped = [lb.routing, ...lb.rules.map((r) => r.routing).filter((r): r is CfRouting => !!r)];
        return {
          countries: [...new Set(mapped.flatMap((r) => Object.keys(r.countryPools)))],
          continents: [],
          subdivisions: [],
          cloudflareRegions: [...new Set(mapped.flatMap((r) => Object.keys(r.regionPools)))],
        };
      },
    };
  });
}

/**
 * An origin whose name is in a Route53 zone of the stacks but reaches more than one place (or nothing the stacks
 * declare) is unplaced for that reason, with the records named, not as "not a regional name of the service".
 */
function withPlacementReasons(model: CloudflareModel, context: GraphContext): CloudflareModel {
  if (!context.placeHost) return model;
  const pools = new Map<string, CfPool>();
  for (const [address, pool] of model.pools) {
    const origins = pool.origins.map((o) => {
      if (!o.unplaced || o.region || o.declared || o.failClosed) return o;
      const placed = context.placeHost!(o.address);
      return placed.inZone && placed.unplaced
        ? { ...o, unplaced: `origin ${o.address} of ${pool.address}: ${placed.unplaced}` }
        : o;
    });
    pools.set(address, origins.some((o, i) => o !== pool.origins[i]) ? { ...pool, origins } : pool);
  }
  return { ...model, pools };
}

function summarise(items: readonly string[], max = 6): string {
  return items.length <= max ? items.join(', ') : `${items.slice(0, max).join(', ')} +${items.length - max}`;
}

/** Approximate centre of a Cloudflare region. */
export function cloudflareRegionCentroid(code: string): { latitude: number; longitude: number } | undefined {
  return (CLOUDFLARE_REGION_CENTROIDS as Record<string, { latitude: number; longitude: number }>)[code];
}
