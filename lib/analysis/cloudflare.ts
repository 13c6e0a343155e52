/*
 * Cloudflare load balancing as the analysis sees it (schema of cloudflare/cloudflare 5.14, the provider
 * @cdktf/provider-cloudflare 13.9.1 generates): load balancers, pools, monitors; and an evaluator of the steering.
 *
 * Semantics (Cloudflare Load Balancing docs, provider schema descriptions):
 * - steering `geo` (or "" with region/country/pop pools) picks the list `pop_pools[PoP]`, else
 *   `country_pools[country]`, else `region_pools[region of the data center]`, else `default_pools`; every other
 *   policy uses `default_pools`;
 * - a pool is healthy when enabled and at least `minimum_origins` of its enabled origins are healthy; a pool with no
 *   monitor is always considered healthy (Cloudflare cannot tell);
 * - off/geo: the first healthy pool of the list; dynamic_latency/proximity: the nearest healthy pool;
 *   random/least_outstanding_requests/least_connections: healthy pools share by `random_steering` weight;
 * - no healthy pool in the list: the `fallback_pool`, healthy or not;
 * - `adaptive_routing.failover_across_pools` retries a request that cannot connect on a healthy origin of another
 *   pool in the failover order (the list, then the fallback), so those pools are possible landings too;
 * - rules (overrides) apply when their condition matches, which the analysis cannot evaluate: each enabled rule
 *   that changes pools or steering is treated as possibly matching any client;
 * - `pop_pools` depend on the data center serving the request, not modelled per client: each entry is a possible
 *   landing for every client.
 */
import { CLOUDFLARE_REGION_CENTROIDS } from './countries';
import { block, bool, isExpression, isRecord, normalizeName, num, parseRef, resourcesOfType, str, strings } from './input';
import type { ClientGroup, DiagramPart, FailoverPath, GraphContext, HealthState, Landing, PathStep, ProbeSource, StackInput } from './model';
import { greatCircle } from './route53';
import { isKnownRegion, regionInfo } from '../spec/regions';

/** Cloudflare monitors probe from three data centers in each check region (the majority decides). */
export const CLOUDFLARE_PROBES_PER_REGION = 3;
/** Check regions counted when a pool lists none (every region: 13). */
export const CLOUDFLARE_ALL_REGIONS = 13;
/** TTL of a DNS-only load balancer when none is set (the API default). */
export const CLOUDFLARE_DEFAULT_TTL_SECONDS = 30;
/** An origin that never resolves: the pool fails closed (RFC 6761 `.invalid`). */
export const FAIL_CLOSED_SUFFIX = '.invalid';

export interface CfMonitor {
  readonly address: string;
  readonly interval: number;
  readonly timeout: number;
  readonly retries: number;
  readonly consecutiveDown: number;
  readonly type: string;
  readonly path?: string;
}

export interface CfOrigin {
  readonly name: string;
  readonly address: string;
  readonly enabled: boolean;
  readonly weight: number;
  readonly region?: string;
  readonly failClosed: boolean;
}

export interface CfPool {
  readonly address: string;
  readonly name: string;
  readonly enabled: boolean;
  readonly minimumOrigins: number;
  /** Monitor address, or `monitor-id:<literal>` for one outside the stacks; undefined = no monitor. */
  readonly monitor?: string;
  readonly origins: readonly CfOrigin[];
  readonly checkRegions?: readonly string[];
  readonly latitude?: number;
  readonly longitude?: number;
}

/** The routing fields a rule can override. */
export interface CfRouting {
  readonly steering: string;
  readonly defaultPools: readonly string[];
  readonly fallbackPool?: string;
  readonly countryPools: Readonly<Record<string, readonly string[]>>;
  readonly regionPools: Readonly<Record<string, readonly string[]>>;
  readonly popPools: Readonly<Record<string, readonly string[]>>;
  readonly failoverAcrossPools: boolean;
  readonly poolWeights: Readonly<Record<string, number>>;
  readonly defaultWeight: number;
}

export interface CfRule {
  readonly name: string;
  readonly condition: string;
  readonly priority: number;
  /** The routing with the rule's overrides applied; undefined for a fixed response. */
  readonly routing?: CfRouting;
}

export interface CfLoadBalancer {
  readonly address: string;
  readonly stack: string;
  readonly hostname: string;
  readonly enabled: boolean;
  readonly proxied: boolean;
  readonly ttl: number;
  readonly routing: CfRouting;
  readonly rules: readonly CfRule[];
}

export interface CloudflareModel {
  readonly loadBalancers: readonly CfLoadBalancer[];
  readonly pools: ReadonlyMap<string, CfPool>;
  readonly monitors: ReadonlyMap<string, CfMonitor>;
}

/** Reads the Cloudflare load-balancing resources of the stacks. */
export function buildCloudflareModel(stacks: readonly StackInput[], regionOfHost: (host: string) => string | undefined): CloudflareModel {
  const monitors = new Map<string, CfMonitor>();
  for (const m of resourcesOfType(stacks, 'cloudflare_load_balancer_monitor')) {
    const c = m.config;
    monitors.set(m.address, {
      address: m.address,
      // API defaults: interval 60, timeout 5, retries 2, consecutive_down 0 (= 1 failure).
      interval: num(c.interval) ?? 60,
      timeout: num(c.timeout) ?? 5,
      retries: num(c.retries) ?? 2,
      consecutiveDown: Math.max(1, num(c.consecutive_down) ?? 1),
      type: str(c.type) ?? 'http',
      path: str(c.path),
    });
  }
  const pools = new Map<string, CfPool>();
  for (const p of resourcesOfType(stacks, 'cloudflare_load_balancer_pool')) {
    const c = p.config;
    const monitorRef = parseRef(c.monitor);
    const origins: CfOrigin[] = (Array.isArray(c.origins) ? c.origins : []).filter(isRecord).map((o) => {
      const address = normalizeName(str(o.address) ?? '');
      return {
        name: str(o.name) ?? address,
        address,
        enabled: bool(o.enabled) ?? true,
        weight: num(o.weight) ?? 1,
        region: isExpression(o.address) ? undefined : regionOfHost(address),
        failClosed: address.endsWith(FAIL_CLOSED_SUFFIX),
      };
    });
    pools.set(p.address, {
      address: p.address,
      name: str(c.name) ?? p.name,
      enabled: bool(c.enabled) ?? true,
      minimumOrigins: num(c.minimum_origins) ?? 1,
      monitor: monitorRef?.type === 'cloudflare_load_balancer_monitor' ? `${monitorRef.type}.${monitorRef.name}` : typeof c.monitor === 'string' && c.monitor !== '' ? `monitor-id:${c.monitor}` : undefined,
      origins,
      checkRegions: Array.isArray(c.check_regions) ? strings(c.check_regions) : undefined,
      latitude: num(c.latitude),
      longitude: num(c.longitude),
    });
  }
  const loadBalancers: CfLoadBalancer[] = [];
  for (const lb of resourcesOfType(stacks, 'cloudflare_load_balancer')) {
    const c = lb.config;
    const routing = routingOf(c);
    const rules: CfRule[] = (Array.isArray(c.rules) ? c.rules : []).filter(isRecord).filter((r) => !(bool(r.disabled) ?? false)).map((r, i) => {
      const overrides = block(r.overrides);
      const fixed = block(r.fixed_response);
      return {
        name: str(r.name) ?? `rule ${i + 1}`,
        condition: str(r.condition) ?? '',
        priority: num(r.priority) ?? i,
        routing: fixed && !overrides ? undefined : overrides ? mergeRouting(routing, overrides) : routing,
      };
    });
    loadBalancers.push({
      address: lb.address,
      stack: lb.stack,
      hostname: normalizeName(str(c.name) ?? lb.name),
      enabled: bool(c.enabled) ?? true,
      // Provider 5.x default: not proxied.
      proxied: bool(c.proxied) ?? false,
      ttl: num(c.ttl) ?? CLOUDFLARE_DEFAULT_TTL_SECONDS,
      routing,
      rules,
    });
  }
  return { loadBalancers, pools, monitors };
}

function poolKey(value: unknown): string {
  const ref = parseRef(value);
  return ref?.type === 'cloudflare_load_balancer_pool' ? `${ref.type}.${ref.name}` : `pool-id:${String(value)}`;
}

function poolList(value: unknown): string[] {
  return Array.isArray(value) ? value.map(poolKey) : [];
}

function poolMap(value: unknown): Record<string, string[]> {
  if (!isRecord(value)) return {};
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k.toUpperCase(), poolList(v)]));
}

function weightsOf(value: unknown): Record<string, number> {
  const rs = block(value);
  const pw = rs?.pool_weights;
  if (!isRecord(pw)) return {};
  // The 5.x schema models pool_weights as {key, value}; the API and lib/cloudflare write a map of pool -> weight.
  if ('key' in pw && 'value' in pw) return { [poolKey(pw.key)]: num(pw.value) ?? 1 };
  return Object.fromEntries(Object.entries(pw).map(([k, v]) => [poolKey(k), num(v) ?? 1]));
}

function routingOf(c: Readonly<Record<string, unknown>>): CfRouting {
  const adaptive = block(c.adaptive_routing);
  return {
    steering: str(c.steering_policy) ?? '',
    defaultPools: poolList(c.default_pools),
    fallbackPool: c.fallback_pool !== undefined ? poolKey(c.fallback_pool) : undefined,
    countryPools: poolMap(c.country_pools),
    regionPools: poolMap(c.region_pools),
    popPools: poolMap(c.pop_pools),
    failoverAcrossPools: bool(adaptive?.failover_across_pools) ?? false,
    poolWeights: weightsOf(c.random_steering),
    defaultWeight: num(block(c.random_steering)?.default_weight) ?? 1,
  };
}

function mergeRouting(base: CfRouting, o: Record<string, unknown>): CfRouting {
  const adaptive = block(o.adaptive_routing);
  return {
    steering: str(o.steering_policy) ?? base.steering,
    defaultPools: o.default_pools !== undefined ? poolList(o.default_pools) : base.defaultPools,
    fallbackPool: o.fallback_pool !== undefined ? poolKey(o.fallback_pool) : base.fallbackPool,
    countryPools: o.country_pools !== undefined ? poolMap(o.country_pools) : base.countryPools,
    regionPools: o.region_pools !== undefined ? poolMap(o.region_pools) : base.regionPools,
    popPools: o.pop_pools !== undefined ? poolMap(o.pop_pools) : base.popPools,
    failoverAcrossPools: bool(adaptive?.failover_across_pools) ?? base.failoverAcrossPools,
    poolWeights: o.random_steering !== undefined ? weightsOf(o.random_steering) : base.poolWeights,
    defaultWeight: num(block(o.random_steering)?.default_weight) ?? base.defaultWeight,
  };
}

/** The steering Cloudflare applies: "" means geo when any region/country/pop mapping exists, else off. */
export function effectiveSteering(r: CfRouting): string {
  if (r.steering) return r.steering;
  const mapped = Object.keys(r.regionPools).length + Object.keys(r.countryPools).length + Object.keys(r.popPools).length > 0;
  return mapped ? 'geo' : 'off';
}

/** The pool list a client gets, and which mapping chose it (pop_pools are handled as possible landings). */
export function candidateList(r: CfRouting, client: ClientGroup): { pools: readonly string[]; via: string } {
  if (effectiveSteering(r) === 'geo') {
    if (client.country && r.countryPools[client.country]) return { pools: r.countryPools[client.country], via: `country_pools[${client.country}]` };
    if (r.regionPools[client.cloudflareRegion]) return { pools: r.regionPools[client.cloudflareRegion], via: `region_pools[${client.cloudflareRegion}]` };
  }
  return { pools: r.defaultPools, via: 'default_pools' };
}

/** Evaluates a Cloudflare load balancer. */
export class CloudflareEvaluator {
  private readonly steps = new Map<string, PathStep>();

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

  resolve(client: ClientGroup, health: HealthState): { landings: Landing[]; noAnswer?: string; notes: string[] } {
    const lbStep: PathStep = { address: this.lb.address, label: `Cloudflare load balancer ${this.lb.hostname} (${effectiveSteering(this.lb.routing)} steering${this.lb.proxied ? ', proxied' : ', DNS-only'})` };
    if (!this.lb.enabled) return { landings: [], noAnswer: `${this.lb.address} is disabled`, notes: [] };
    const notes: string[] = [];
    const main = this.route(this.lb.routing, client, health, [lbStep], notes);
    const landings = [...main];
    for (const rule of this.lb.rules) {
      if (!rule.routing) continue;
      if (sameRouting(rule.routing, this.lb.routing)) continue;
      const ruleStep: PathStep = { address: this.lb.address, label: `rule "${rule.name}" (priority ${rule.priority})`, note: `rule override when ${rule.condition || 'always'}` };
      for (const l of this.route(rule.routing, client, health, [lbStep, ruleStep], [])) landings.push({ ...l, share: 0, possible: l.possible ?? `rule override "${rule.name}" (${rule.condition || 'always'})` });
    }
    for (const [pop, pools] of Object.entries(this.lb.routing.popPools)) {
      const popStep: PathStep = { address: this.lb.address, label: `pop_pools[${pop}]`, note: `when the request is served by data center ${pop}` };
      const routed = this.choose({ ...this.lb.routing }, pools, `pop_pools[${pop}]`, client, health, [lbStep, popStep], []);
      for (const l of routed) landings.push({ ...l, share: 0, possible: l.possible ?? `pop_pools[${pop}] (data center ${pop})` });
    }
    return { landings, notes };
  }

  private route(r: CfRouting, client: ClientGroup, health: HealthState, prefix: PathStep[], notes: string[]): Landing[] {
    const { pools, via } = candidateList(r, client);
    return this.choose(r, pools, via, client, health, prefix, notes);
  }

  private choose(r: CfRouting, pools: readonly string[], via: string, client: ClientGroup, health: HealthState, prefix: PathStep[], notes: string[]): Landing[] {
    const steering = effectiveSteering(r);
    const healthy = pools.filter((p) => this.poolHealthy(p, health));
    const out: Landing[] = [];
    let chosen: { pool: string; share: number; note?: string }[];
    if (healthy.length === 0) {
      if (!r.fallbackPool) return [];
      chosen = [{ pool: r.fallbackPool, share: 1, note: `fallback_pool: no pool of the client's list is healthy` }];
      notes.push(`no pool of ${via} is healthy: Cloudflare uses the fallback pool`);
    } else if (steering === 'dynamic_latency' || steering === 'proximity') {
      const best = [...healthy].sort((a, b) => this.poolDistance(a, client) - this.poolDistance(b, client) || healthy.indexOf(a) - healthy.indexOf(b))[0];
      chosen = [{ pool: best, share: 1 }];
    } else if (steering === 'random' || steering === 'least_outstanding_requests' || steering === 'least_connections') {
      const weight = (p: string) => r.poolWeights[p] ?? r.defaultWeight;
      const weighted = healthy.filter((p) => weight(p) > 0);
      const list = weighted.length > 0 ? weighted : healthy;
      const total = list.reduce((s, p) => s + weight(p), 0);
      chosen = list.map((p) => ({ pool: p, share: total > 0 ? weight(p) / total : 1 / list.length }));
    } else {
      const first = healthy[0];
      chosen = [{ pool: first, share: 1, note: pools.indexOf(first) > 0 ? `first healthy pool of the list (the ones before it are unhealthy)` : undefined }];
    }
    const viaStep: PathStep = { address: prefix[prefix.length - 1].address, label: via, clientSpecific: via !== 'default_pools' || undefined };
    for (const c of chosen) out.push(...this.poolLandings(c.pool, c.share, [...prefix, viaStep, this.poolStep(c.pool, c.note)], health));
    if (r.failoverAcrossPools) {
      // A request that cannot connect is retried on healthy origins of the next pools in the failover order.
      const order = [...pools, ...(r.fallbackPool ? [r.fallbackPool] : [])];
      const primary = new Set(chosen.map((c) => c.pool));
      for (const pool of [...new Set(order)]) {
        if (primary.has(pool) || !this.poolHealthy(pool, health)) continue;
        for (const l of this.poolLandings(pool, 0, [...prefix, viaStep, this.poolStep(pool, 'adaptive routing: failover_across_pools retries a request that could not connect here')], health)) {
          out.push({ ...l, possible: 'adaptive routing (failover_across_pools)' });
        }
      }
    }
    return out;
  }

  private poolLandings(address: string, share: number, path: PathStep[], health: HealthState): Landing[] {
    const pool = this.model.pools.get(address);
    if (!pool) return [{ endpoint: address, share, up: true, path }];
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
      path,
    }));
  }

  private poolDistance(address: string, client: ClientGroup): number {
    const pool = this.model.pools.get(address);
    if (!pool) return Number.POSITIVE_INFINITY;
    if (pool.latitude !== undefined && pool.longitude !== undefined) return greatCircle(client, { latitude: pool.latitude, longitude: pool.longitude });
    const region = pool.origins.find((o) => o.region)?.region;
    return region && isKnownRegion(region) ? greatCircle(client, regionInfo(region)) : Number.POSITIVE_INFINITY;
  }

  poolStep(address: string, note?: string): PathStep {
    let s = this.steps.get(address);
    if (!s) {
      const pool = this.model.pools.get(address);
      const origins = pool ? pool.origins.map((o) => (o.region ? `${o.address} (${o.region})` : o.address)).join(', ') : 'pool outside the stacks';
      s = { address, label: `pool ${pool?.name ?? address}: ${origins}${pool && !pool.monitor ? ', no monitor' : ''}` };
      this.steps.set(address, s);
    }
    return note ? { ...s, note } : s;
  }
}

function sameRouting(a: CfRouting, b: CfRouting): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/** Worst-case seconds from an origin failing to the monitor marking its pool unhealthy, plus the TTL when DNS-only. */
export function poolDetection(model: CloudflareModel, lb: CfLoadBalancer, poolAddress: string): { seconds: number; breakdown: string; resources: string[] } {
  const pool = model.pools.get(poolAddress);
  const monitor = pool?.monitor ? model.monitors.get(pool.monitor) : undefined;
  if (!pool || !pool.monitor) return { seconds: Number.POSITIVE_INFINITY, breakdown: `${poolAddress} has no monitor: Cloudflare never marks it unhealthy`, resources: [poolAddress] };
  if (!monitor) return { seconds: Number.POSITIVE_INFINITY, breakdown: `${poolAddress}: its monitor ${pool.monitor} is not in the synthesized stacks`, resources: [poolAddress] };
  // The failure can start just after a probe; consecutive_down probes must fail, the last one only after its
  // timeout and retries (each retry waits another timeout). Same bound as lib/cloudflare's failoverSeconds.
  const detect = monitor.interval * monitor.consecutiveDown + monitor.timeout * (monitor.retries + 1);
  const ttl = lb.proxied ? 0 : lb.ttl;
  const seconds = detect + ttl;
  return {
    seconds,
    breakdown: `${monitor.address}: interval ${monitor.interval} s × consecutive_down ${monitor.consecutiveDown} + timeout ${monitor.timeout} s × (retries ${monitor.retries} + 1) = ${detect} s${lb.proxied ? ' (proxied: no DNS TTL)' : ` + TTL ${ttl} s (DNS-only)`} = ${seconds} s`,
    resources: [lb.address, poolAddress, monitor.address],
  };
}

/** Probe traffic from each pool's monitor to its origins: check regions × 3 data centers / interval. */
export function cloudflareProbes(model: CloudflareModel, frontDoor: string): ProbeSource[] {
  const out: ProbeSource[] = [];
  for (const pool of model.pools.values()) {
    const monitor = pool.monitor ? model.monitors.get(pool.monitor) : undefined;
    if (!pool.enabled || !monitor) continue;
    const listed = (pool.checkRegions ?? []).filter((r) => r !== 'ALL_REGIONS');
    const regions = listed.length > 0 ? listed.length : CLOUDFLARE_ALL_REGIONS;
    for (const origin of pool.origins) {
      if (!origin.enabled || origin.failClosed) continue;
      out.push({
        origin: origin.address,
        region: origin.region,
        frontDoor,
        resource: pool.address,
        requestsPerSecond: (regions * CLOUDFLARE_PROBES_PER_REGION) / monitor.interval,
        derivation: `${regions} check region${regions === 1 ? '' : 's'}${listed.length > 0 ? '' : ' (all: none listed)'} × ${CLOUDFLARE_PROBES_PER_REGION} data centers / ${monitor.interval} s (${monitor.address})`,
      });
    }
  }
  return out;
}

/** Front doors: one per Cloudflare load balancer. */
export function cloudflareFrontDoors(context: GraphContext) {
  const model = buildCloudflareModel(context.stacks, (h) => context.regionOfHost(h));
  return model.loadBalancers.map((lb) => {
    const evaluator = new CloudflareEvaluator(model, lb);
    const label = `Cloudflare ${lb.hostname}`;
    const usedPools = new Set<string>([
      ...lb.routing.defaultPools,
      ...(lb.routing.fallbackPool ? [lb.routing.fallbackPool] : []),
      ...Object.values(lb.routing.countryPools).flat(),
      ...Object.values(lb.routing.regionPools).flat(),
      ...Object.values(lb.routing.popPools).flat(),
      ...lb.rules.flatMap((r) => (r.routing ? [...r.routing.defaultPools, ...(r.routing.fallbackPool ? [r.routing.fallbackPool] : [])] : [])),
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
      failoverPaths(normal: readonly { client: ClientGroup; landings: readonly Landing[] }[]): FailoverPath[] {
        const grouped = new Map<string, FailoverPath & { clientSet: Set<string> }>();
        for (const answer of normal) {
          for (const landing of answer.landings) {
            if (landing.possible || !landing.region || landing.share <= 0) continue;
            const pool = [...landing.path].reverse().find((s) => model.pools.has(s.address))?.address;
            if (!pool) continue;
            const d = poolDetection(model, lb, pool);
            const key = `${landing.region}|${pool}`;
            const g = grouped.get(key) ?? { frontDoor: label, region: landing.region, seconds: d.seconds, breakdown: d.breakdown, resources: d.resources, clients: [], clientSet: new Set<string>() };
            g.clientSet.add(answer.client.label);
            grouped.set(key, g);
          }
        }
        return [...grouped.values()].map(({ clientSet, ...g }) => ({ ...g, clients: [...clientSet] }));
      },
      probes: () => cloudflareProbes({ ...model, pools: new Map([...model.pools].filter(([a]) => usedPools.has(a))) }, label),
      diagram(): DiagramPart {
        const entry = `lb:${lb.address}`;
        const nodes: { id: string; label: string; shape?: 'box' | 'round' | 'stadium' | 'hexagon' }[] = [{ id: entry, label: `${label} (${effectiveSteering(lb.routing)})`, shape: 'hexagon' }];
        const edges: { from: string; to: string; label?: string; dotted?: boolean }[] = [];
        const roles = new Map<string, string[]>();
        const add = (pool: string, role: string) => roles.set(pool, [...(roles.get(pool) ?? []), role]);
        lb.routing.defaultPools.forEach((p, i) => add(p, `default #${i + 1}`));
        if (lb.routing.fallbackPool) add(lb.routing.fallbackPool, 'fallback');
        const countries = new Map<string, string[]>();
        for (const [country, list] of Object.entries(lb.routing.countryPools)) list.forEach((p) => countries.set(p, [...(countries.get(p) ?? []), country]));
        for (const [p, cs] of countries) add(p, `countries ${summarise(cs)}`);
        const regions = new Map<string, string[]>();
        for (const [region, list] of Object.entries(lb.routing.regionPools)) list.forEach((p) => regions.set(p, [...(regions.get(p) ?? []), region]));
        for (const [p, rs] of regions) add(p, `regions ${summarise(rs)}`);
        for (const rule of lb.rules) for (const p of rule.routing?.defaultPools ?? []) add(p, `rule ${rule.name}`);
        for (const [pool, rs] of roles) {
          const p = model.pools.get(pool);
          const pid = `pool:${pool}`;
          nodes.push({ id: pid, label: `pool ${p?.name ?? pool}${p && !p.monitor ? ' (no monitor)' : ''}`, shape: 'round' });
          edges.push({ from: entry, to: pid, label: rs.join('; '), dotted: rs.every((r) => r === 'fallback' || r.startsWith('rule')) });
          for (const o of p?.origins ?? []) edges.push({ from: pid, to: o.failClosed ? 'endpoint:fail-closed' : o.region ? `region:${o.region}` : `endpoint:${o.address}`, label: o.address });
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

function summarise(items: readonly string[], max = 6): string {
  return items.length <= max ? items.join(', ') : `${items.slice(0, max).join(', ')} +${items.length - max}`;
}

/** Approximate centre of a Cloudflare region. */
export function cloudflareRegionCentroid(code: string): { latitude: number; longitude: number } | undefined {
  return (CLOUDFLARE_REGION_CENTROIDS as Record<string, { latitude: number; longitude: number }>)[code];
}
