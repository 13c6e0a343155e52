/*
 * How a Cloudflare load balancer answers one client in one health state (a region-failure scenario): the rule and
 * mapping that pick the pool list, the pool chosen by the steering, the origins it sends to, and the places a
 * request can reach besides (adaptive cross-pool retries, rule overrides, PoP mappings) as possible landings.
 * The proofs use cloudflare-reach.ts, which covers every health state.
 */
import { isKnownRegion, regionInfo } from '../spec/regions';
import { greatCircleKm as greatCircle } from '../util/geo';
import {
  candidateList,
  effectiveSteering,
  poolStep,
  sameRouting,
  type CfLoadBalancer,
  type CfOrigin,
  type CfPool,
  type CfRouting,
  type CloudflareModel,
} from './cloudflare-model';

export { greatCircle };
import type { ClientGroup, HealthState, Landing, PathStep } from './model';

/**
 * How one Cloudflare load balancer answers a client group in one health state (a region-failure scenario): the share
 * of its new requests each origin gets under the main routing, and the possible landings (share 0) through rule
 * overrides, `pop_pools` entries and adaptive-routing retries. Explain and the availability proof use it; the
 * residency and failover-time proofs use {@link CloudflareReach}, which covers every health state.
 */
export class CloudflareEvaluator {
  private readonly steps = new Map<string, PathStep>();

  /**
   * @param model the Cloudflare load balancing of the stacks: the pools and monitors `lb` names are looked up in it.
   * @param lb the load balancer to evaluate.
   */
  constructor(
    readonly model: CloudflareModel,
    readonly lb: CfLoadBalancer,
  ) {}

  /** Whether Cloudflare considers a pool healthy in the scenario. */
  poolHealthy(address: string, health: HealthState): boolean {
    const pool = this.model.pools.get(address);
    if (!pool) return true;
    if (!pool.enabled) return false;
    if (!pool.monitor) return true;
    return this.upOrigins(pool, health).length >= pool.minimumOrigins;
  }

  private upOrigins(pool: CfPool, health: HealthState): CfOrigin[] {
    return pool.origins.filter((o) => o.enabled && !o.failClosed && (!o.region || !health.failed.has(o.region)));
  }

  /**
   * Where `client`'s requests land while the regions failed in `health` are down: the origins of the pool the steering
   * picks from the client's pool list (the fallback pool when none of the list is healthy), each with its share, then
   * the possible landings. `noAnswer` when the load balancer is disabled; `notes` say when the fallback pool answers.
   */
  resolve(client: ClientGroup, health: HealthState): { landings: Landing[]; noAnswer?: string; notes: string[] } {
    const lbStep: PathStep = {
      address: this.lb.address,
      label:
        `Cloudflare load balancer ${this.lb.hostname} (${effectiveSteering(this.lb.routing)} ` +
        `steering${this.lb.proxied ? ', proxied' : ', DNS-only'})`,
    };
    if (!this.lb.enabled) return { landings: [], noAnswer: `${this.lb.address} is disabled`, notes: [] };
    const notes: string[] = [];
    const main = this.route(this.lb.routing, client, health, [lbStep], notes);
    const landings = [...main];
    for (const rule of this.lb.rules) {
      if (!rule.routing) continue;
      if (sameRouting(rule.routing, this.lb.routing)) continue;
      const ruleStep: PathStep = {
        address: this.lb.address,
        label: `rule "${rule.name}" (priority ${rule.priority})`,
        note: `rule override when ${rule.condition || 'always'}`,
      };
      for (const l of this.route(rule.routing, client, health, [lbStep, ruleStep], []))
        landings.push({
          ...l,
          share: 0,
          possible: l.possible ?? `rule override "${rule.name}" (${rule.condition || 'always'})`,
        });
    }
    for (const [pop, pools] of Object.entries(this.lb.routing.popPools)) {
      const popStep: PathStep = {
        address: this.lb.address,
        label: `pop_pools[${pop}]`,
        note: `when the request is served by data center ${pop}`,
      };
      const routed = this.choose(
        { ...this.lb.routing },
        pools,
        `pop_pools[${pop}]`,
        client,
        health,
        [lbStep, popStep],
        [],
      );
      for (const l of routed)
        landings.push({ ...l, share: 0, possible: l.possible ?? `pop_pools[${pop}] (data center ${pop})` });
    }
    return { landings, notes };
  }

  private route(
    r: CfRouting,
    client: ClientGroup,
    health: HealthState,
    prefix: PathStep[],
    notes: string[],
  ): Landing[] {
    const { pools, via } = candidateList(r, client);
    return this.choose(r, pools, via, client, health, prefix, notes);
  }

  private choose(
    r: CfRouting,
    pools: readonly string[],
    via: string,
    client: ClientGroup,
    health: HealthState,
    prefix: PathStep[],
    notes: string[],
  ): Landing[] {
    const steering = effectiveSteering(r);
    const healthy = pools.filter((p) => this.poolHealthy(p, health));
    const out: Landing[] = [];
    let chosen: { pool: string; share: number; note?: string }[];
    if (healthy.length === 0) {
      if (!r.fallbackPool) return [];
      chosen = [{ pool: r.fallbackPool, share: 1, note: `fallback_pool: no pool of the client's list is healthy` }];
      notes.push(`no pool of ${via} is healthy: Cloudflare uses the fallback pool`);
    } else if (steering === 'dynamic_latency' || steering === 'proximity') {
      const best = [...healthy].sort(
        (a, b) =>
          this.poolDistance(a, client) - this.poolDistance(b, client) || healthy.indexOf(a) - healthy.indexOf(b),
      )[0];
      chosen = [{ pool: best, share: 1 }];
    } else if (steering === 'random' || steering === 'least_outstanding_requests' || steering === 'least_connections') {
      const weight = (p: string) => r.poolWeights[p] ?? r.defaultWeight;
      const weighted = healthy.filter((p) => weight(p) > 0);
      const list = weighted.length > 0 ? weighted : healthy;
      const total = list.reduce((s, p) => s + weight(p), 0);
      chosen = list.map((p) => ({ pool: p, share: total > 0 ? weight(p) / total : 1 / list.length }));
    } else {
      const first = healthy[0];
      chosen = [
        {
          pool: first,
          share: 1,
          note:
            pools.indexOf(first) > 0 ? `first healthy pool of the list (the ones before it are unhealthy)` : undefined,
        },
      ];
    }
    const viaStep: PathStep = {
      address: prefix[prefix.length - 1].address,
      label: via,
      clientSpecific: via !== 'default_pools' || undefined,
    };
    for (const c of chosen)
      out.push(...this.poolLandings(c.pool, c.share, [...prefix, viaStep, this.poolStep(c.pool, c.note)], health));
    if (r.failoverAcrossPools) {
      // A request that cannot connect is retried on healthy origins of the next pools in the failover order.
      const order = [...pools, ...(r.fallbackPool ? [r.fallbackPool] : [])];
      const primary = new Set(chosen.map((c) => c.pool));
      for (const pool of [...new Set(order)]) {
        if (primary.has(pool) || !this.poolHealthy(pool, health)) continue;
        for (const l of this.poolLandings(
          pool,
          0,
          [
            ...prefix,
            viaStep,
            this.poolStep(
              pool,
              'adaptive routing: failover_across_pools retries a request that could not connect here',
            ),
          ],
          health,
        )) {
          out.push({ ...l, possible: 'adaptive routing (failover_across_pools)' });
        }
      }
    }
    return out;
  }

  private poolLandings(address: string, share: number, path: PathStep[], health: HealthState): Landing[] {
    const pool = this.model.pools.get(address);
    if (!pool)
      return [
        {
          endpoint: address,
          share,
          up: true,
          unplaced: `pool ${address.replace(/^pool-id:/, '')} is not in the stacks`,
          path,
        },
      ];
    const up = this.upOrigins(pool, health);
    const enabled = pool.origins.filter((o) => o.enabled && o.weight > 0);
    // A pool in use with too few healthy origins (fallback, or no monitor) still sends to its enabled origins.
    const targets = up.length >= pool.minimumOrigins && up.length > 0 ? up.filter((o) => o.weight > 0) : enabled;
    const total = targets.reduce((s, o) => s + o.weight, 0);
    return targets.map((o) => ({
      region: o.region,
      endpoint: o.failClosed ? `fail-closed (${o.address})` : o.address,
      share: total > 0 ? (share * o.weight) / total : share / Math.max(1, targets.length),
      up: !o.failClosed && (!o.region || !health.failed.has(o.region)),
      failClosed: o.failClosed || undefined,
      declared: o.declared,
      unplaced: o.unplaced,
      path,
    }));
  }

  private poolDistance(address: string, client: ClientGroup): number {
    const pool = this.model.pools.get(address);
    if (!pool) return Number.POSITIVE_INFINITY;
    if (pool.latitude !== undefined && pool.longitude !== undefined)
      return greatCircle(client, { latitude: pool.latitude, longitude: pool.longitude });
    const region = pool.origins.find((o) => o.region)?.region;
    return region && isKnownRegion(region) ? greatCircle(client, regionInfo(region)) : Number.POSITIVE_INFINITY;
  }

  /**
   * The path step of a pool: its name and origins (with their regions), and `no monitor` when it has none; memoised
   * per evaluator. With `note`, a copy carrying it.
   */
  poolStep(address: string, note?: string): PathStep {
    return poolStep(this.steps, this.model, address, note);
  }
}
