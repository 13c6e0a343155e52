/*
 * Where a Cloudflare load balancer can send a client under any combination of health states: every pool list that
 * can apply (the main routing, each rule override, each PoP mapping), every pool the steering can pick from it with
 * the health conditions of the pick, the fallback pool, the pools adaptive routing retries on, and every enabled
 * origin of a chosen pool (origin steering and zero-downtime failover can use any of them).
 *
 * Health: an origin of a monitored pool is an atom (its monitor's verdict); a pool is healthy when enabled and at
 * least minimum_origins of its enabled origins are; a pool without a monitor is always healthy; a pool outside the
 * stacks is an atom of its own. Steering choices (h(p) = "pool p is healthy"):
 * - off, geo: the i-th pool of the list when the ones before it are unhealthy;
 * - dynamic_latency, proximity: any healthy pool (measured RTT and the serving data center are not known at synth);
 * - random, least_outstanding_requests, least_connections: any healthy pool with weight > 0; a zero-weight one when
 *   it is healthy and the weighted ones are not;
 * - every pool of the list unhealthy: the fallback pool.
 */
import {
  candidateList,
  effectiveSteering,
  poolStep,
  sameRouting,
  type CfLoadBalancer,
  type CfPool,
  type CfRouting,
  type CloudflareModel,
} from './cloudflare-model';
import { and, atLeast, atom, FALSE, not, TRUE, type Formula } from './health';
import type { ClientGroup, PathStep, ReachKind, ReachPath } from './model';
import { unreadableFix } from './unknowns';

interface PoolChoice {
  readonly pool: string;
  readonly conditions: readonly Formula[];
  readonly note?: string;
  /** Chosen as the fallback pool (every pool of the list unhealthy), whatever its own health. */
  readonly fallback?: boolean;
}

/** Reachability of one load balancer (pool health formulas memoised). */
export class CloudflareReach {
  private readonly healthy = new Map<string, Formula>();
  private readonly steps = new Map<string, PathStep>();

  /**
   * @param model the Cloudflare load balancing of the stacks: the pools and monitors `lb` names are looked up in it.
   * @param lb the load balancer whose reachability this is.
   * @param idealDown a region whose failure every pool sees at once (a perfect monitor, also on pools without one):
   * the reach a perfect detector would give, to tell "nowhere to go" from "pools that keep clients there".
   */
  constructor(
    readonly model: CloudflareModel,
    readonly lb: CfLoadBalancer,
    readonly idealDown?: string,
  ) {}

  /** When Cloudflare considers a pool healthy. */
  poolHealthy(address: string): Formula {
    let f = this.healthy.get(address);
    if (f) return f;
    const pool = this.model.pools.get(address);
    if (!pool)
      f = atom({
        id: `pool:${address}`,
        label: `pool ${address.replace(/^pool-id:/, '')} (outside the stacks)`,
        resource: this.lb.address,
      });
    // Settings unknown at synth (enabled, minimum_origins, origins...): healthy or not at any time.
    else if (pool.unknown)
      f = atom({ id: `pool:${address}`, label: `pool ${pool.name} (${pool.unknown})`, resource: pool.address });
    else if (!pool.enabled) f = FALSE;
    else if (!pool.monitor)
      f =
        this.idealDown === undefined
          ? TRUE
          : atLeast(
              pool.minimumOrigins,
              pool.origins
                .filter((o) => o.enabled && !o.failClosed)
                .map((o) => (o.region === this.idealDown ? FALSE : TRUE)),
            );
    else
      f = atLeast(
        pool.minimumOrigins,
        pool.origins.filter((o) => o.enabled && !o.failClosed).map((o) => this.originHealthy(pool, o)),
      );
    this.healthy.set(address, f);
    return f;
  }

  /** An origin of a monitored pool: its monitor's verdict. */
  private originHealthy(pool: CfPool, origin: CfPool['origins'][number]): Formula {
    return atom({
      id: `origin:${pool.address}|${origin.address}`,
      label: `origin ${origin.address} of ${pool.address} (as its monitor sees it)`,
      resource: pool.address,
      region: origin.region,
    });
  }

  /**
   * Every way the load balancer can send `client`'s requests, under any combination of health states, each with the
   * conditions under which it is taken: each pool the steering can pick from the client's pool list, the fallback
   * pool, the pools adaptive routing retries on (`kind: 'retry'`), and every enabled origin of each. Besides the main
   * routing: each enabled rule that changes it (`'override'`), session affinity, which can keep a session on any pool
   * of the load balancer (`'override'`), and each `pop_pools` entry under geo steering (`'pop'`). A disabled load
   * balancer reaches nothing; one whose settings cannot be read at synth also reaches an unplaced landing, on which
   * the proofs fail closed.
   */
  reach(client: ClientGroup): ReachPath[] {
    if (!this.lb.enabled) return [];
    const lbStep: PathStep = {
      address: this.lb.address,
      label:
        `Cloudflare load balancer ${this.lb.hostname} (${effectiveSteering(this.lb.routing)} ` +
        `steering${this.lb.proxied ? ', proxied' : ', DNS-only'})`,
    };
    const out: ReachPath[] = [];
    // Settings the analysis cannot read: the load balancer may send this client anywhere.
    if (this.lb.unknown)
      out.push({
        landing: {
          endpoint: this.lb.address,
          unplaced: `${this.lb.address}: ${this.lb.unknown}`,
          fix: unreadableFix(this.lb.address),
        },
        path: [lbStep],
        conditions: [],
        kind: 'answer',
      });
    const routings: { routing: CfRouting; prefix: PathStep[]; kind: ReachKind; possible?: string }[] = [
      { routing: this.lb.routing, prefix: [lbStep], kind: 'answer' },
    ];
    for (const rule of this.lb.rules) {
      if (!rule.routing || sameRouting(rule.routing, this.lb.routing)) continue;
      const ruleStep: PathStep = {
        address: this.lb.address,
        label: `rule "${rule.name}" (priority ${rule.priority})`,
        note: `rule override when ${rule.condition || 'always'}`,
      };
      routings.push({
        routing: rule.routing,
        prefix: [lbStep, ruleStep],
        kind: 'override',
        possible: `rule override "${rule.name}" (${rule.condition || 'always'})`,
      });
    }
    if (this.lb.sessionAffinity !== 'none' && this.lb.sessionAffinity !== '') {
      // A session keeps its origin over steering: a client that started one elsewhere (travelling, a VPN, another
      // resolver) is served by whatever origin any client can get. Every pool of the load balancer is possible.
      const affinityStep: PathStep = {
        address: this.lb.address,
        label: `session affinity ${this.lb.sessionAffinity}`,
        note: 'a session keeps the origin it started on, wherever the client is now',
      };
      for (const pool of this.allPools()) {
        for (const l of this.poolPaths(pool))
          out.push({
            landing: l,
            path: [lbStep, affinityStep, this.poolStep(pool)],
            conditions: [],
            kind: 'override',
            possible: `session affinity (${this.lb.sessionAffinity})`,
          });
      }
    }
    for (const r of routings) {
      const { pools, via } = candidateList(r.routing, client);
      out.push(...this.choose(r.routing, pools, via, r.prefix, r.kind, r.possible));
      if (effectiveSteering(r.routing) !== 'geo') continue;
      for (const [pop, list] of Object.entries(r.routing.popPools)) {
        const popStep: PathStep = {
          address: this.lb.address,
          label: `pop_pools[${pop}]`,
          note: `when the request is served by data center ${pop}`,
        };
        out.push(
          ...this.choose(
            r.routing,
            list,
            `pop_pools[${pop}]`,
            [...r.prefix, popStep],
            r.kind === 'answer' ? 'pop' : r.kind,
            r.possible ?? `pop_pools[${pop}] (data center ${pop})`,
          ),
        );
      }
    }
    return out;
  }

  /** Every pool the load balancer names (its routing and its rules). */
  private allPools(): string[] {
    const all = new Set<string>();
    for (const r of [this.lb.routing, ...this.lb.rules.map((x) => x.routing).filter((x): x is CfRouting => !!x)]) {
      for (const p of [
        ...r.defaultPools,
        ...(r.fallbackPool ? [r.fallbackPool] : []),
        ...Object.values(r.countryPools).flat(),
        ...Object.values(r.regionPools).flat(),
        ...Object.values(r.popPools).flat(),
      ])
        all.add(p);
    }
    return [...all];
  }

  /** The pools the steering can pick from a list, with their conditions. */
  choices(r: CfRouting, pools: readonly string[]): PoolChoice[] {
    const steering = effectiveSteering(r);
    const h = (p: string) => this.poolHealthy(p);
    const out: PoolChoice[] = [];
    if (steering === 'off' || steering === 'geo') {
      pools.forEach((p, i) =>
        out.push({
          pool: p,
          conditions: [...pools.slice(0, i).map((q) => not(h(q))), h(p)],
          note: i > 0 ? 'first healthy pool of the list (the ones before it are unhealthy)' : undefined,
        }),
      );
    } else if (steering === 'random' || steering === 'least_outstanding_requests' || steering === 'least_connections') {
      const weight = (p: string) => r.poolWeights[p] ?? r.defaultWeight;
      const weighted = pools.filter((p) => weight(p) > 0);
      for (const p of weighted) out.push({ pool: p, conditions: [h(p)] });
      for (const p of pools.filter((q) => weight(q) <= 0))
        out.push({
          pool: p,
          conditions: [h(p), ...weighted.map((q) => not(h(q)))],
          note: 'zero-weight pool: every weighted pool is unhealthy',
        });
    } else {
      // dynamic_latency, proximity, or a policy the analysis does not know: any healthy pool.
      for (const p of pools)
        out.push({
          pool: p,
          conditions: [h(p)],
          note:
            `${steering} steering: any healthy pool (measured latency and the serving data center are not known ` +
            'at synth)',
        });
    }
    if (r.fallbackPool)
      out.push({
        pool: r.fallbackPool,
        conditions: pools.map((p) => not(h(p))),
        note: `fallback_pool: no pool of the client's list is healthy`,
        fallback: true,
      });
    return out.filter((c) => and(...c.conditions) !== FALSE);
  }

  private choose(
    r: CfRouting,
    pools: readonly string[],
    via: string,
    prefix: PathStep[],
    kind: ReachKind,
    possible?: string,
  ): ReachPath[] {
    const viaStep: PathStep = {
      address: prefix[prefix.length - 1].address,
      label: via,
      clientSpecific: via !== 'default_pools' || undefined,
    };
    const out: ReachPath[] = [];
    const order = [...new Set([...pools, ...(r.fallbackPool ? [r.fallbackPool] : [])])];
    for (const c of this.choices(r, pools)) {
      for (const { landing: l, healthy } of this.poolLandings(c.pool)) {
        // A pool chosen as healthy steers to its healthy origins; the fallback pool, chosen whatever its health,
        // to any. Residency does not count on it (a retry may still land on any origin), failover time does.
        const landingHealthy = c.fallback ? undefined : healthy;
        out.push({
          landing: l,
          path: [...prefix, viaStep, this.poolStep(c.pool, c.note)],
          conditions: c.conditions,
          kind,
          possible,
          ...(landingHealthy ? { landingHealthy } : {}),
        });
      }
      if (!r.failoverAcrossPools) continue;
      // A request that cannot connect is retried on a healthy origin of the next pools in the failover order.
      for (const q of order) {
        if (q === c.pool) continue;
        for (const l of this.poolPaths(q)) {
          out.push({
            landing: l,
            // The pool the request failed on is left out of the path: the retry lands the same whichever it was.
            path: [
              ...prefix,
              viaStep,
              this.poolStep(
                q,
                'adaptive routing: failover_across_pools retries here a request that could not connect to the ' +
                  'chosen pool',
              ),
            ],
            conditions: [...c.conditions, this.poolHealthy(q)],
            kind: kind === 'answer' ? 'retry' : kind,
            possible: possible ?? 'adaptive routing (failover_across_pools)',
          });
        }
      }
    }
    return out;
  }

  /** Every enabled origin of a pool, with its health where a monitor judges it (a pool without one: always). */
  private poolLandings(address: string): { landing: ReachPath['landing']; healthy?: Formula }[] {
    const pool = this.model.pools.get(address);
    const landings = this.poolPaths(address);
    if (!pool || pool.unknown || !pool.enabled || !pool.monitor) return landings.map((landing) => ({ landing }));
    const origins = pool.origins.filter((o) => o.enabled);
    return landings.map((landing, i) => ({
      landing,
      healthy: origins[i].failClosed ? undefined : this.originHealthy(pool, origins[i]),
    }));
  }

  /** Every enabled origin of a pool (origin steering and zero-downtime failover can use any of them). */
  private poolPaths(address: string): ReachPath['landing'][] {
    const pool = this.model.pools.get(address);
    if (!pool)
      return [{ endpoint: address, unplaced: `pool ${address.replace(/^pool-id:/, '')} is not in the stacks` }];
    if (pool.unknown)
      return [{ endpoint: address, unplaced: `${address}: ${pool.unknown}`, fix: unreadableFix(address) }];
    return pool.origins
      .filter((o) => o.enabled)
      .map((o) => ({
        region: o.region,
        endpoint: o.failClosed ? `fail-closed (${o.address})` : o.address,
        failClosed: o.failClosed || undefined,
        declared: o.declared,
        unplaced: o.unplaced,
      }));
  }

  private poolStep(address: string, note?: string): PathStep {
    return poolStep(this.steps, this.model, address, note);
  }
}
