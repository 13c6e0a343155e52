/*
 * Cloudflare load balancing as the synthesized stacks declare it (schema of cloudflare/cloudflare 5.14, the provider
 * @cdktf/provider-cloudflare 13.9.1 generates): load balancers, pools, monitors, rules. Parsing and the steering
 * rules that pick a client's pool list; evaluation is in cloudflare-resolve.ts (one health state) and
 * cloudflare-reach.ts (every health state).
 *
 * Semantics (Cloudflare Load Balancing docs, provider schema descriptions):
 * - steering `geo` (or "" with region/country/pop pools) picks the list `pop_pools[PoP]`, else
 *   `country_pools[country]`, else `region_pools[region of the data center]`, else `default_pools`; every other
 *   policy uses `default_pools`;
 * - a pool is healthy when enabled and at least `minimum_origins` of its enabled origins are healthy; a pool with no
 *   monitor is always considered healthy (Cloudflare cannot tell);
 * - off/geo: the first healthy pool of the list; dynamic_latency/proximity: the fastest / nearest healthy pool;
 *   random/least_outstanding_requests/least_connections: healthy pools share by `random_steering` weight;
 * - no healthy pool in the list: the `fallback_pool`, healthy or not;
 * - `adaptive_routing.failover_across_pools` retries a request that cannot connect on a healthy origin of another
 *   pool in the failover order (the list, then the fallback);
 * - rules (overrides) apply when their condition matches, which the analysis cannot evaluate, and custom rules do
 *   not function reliably under geo steering (Cloudflare documents them as incompatible): each enabled rule that
 *   changes pools or steering possibly applies, and possibly does not;
 * - `pop_pools` depend on the data center serving the request: each entry is possible for every client.
 */
import {
  block,
  bool,
  isExpression,
  isRecord,
  normalizeDnsName,
  num,
  parseRef,
  resourcesOfType,
  str,
  stringElements,
} from './input';
import type { ClientGroup, ExternalEndpoint, PathStep, StackInput } from './model';
import { multiplicity, unknownSetting } from './unknowns';
import { CLOUDFLARE_DNS_ONLY_TTL_SECONDS } from '../facts/failover';

/** An origin that never resolves: the pool fails closed (RFC 6761 `.invalid`). */
export const FAIL_CLOSED_SUFFIX = '.invalid';

/**
 * A `cloudflare_load_balancer_monitor` as the analysis reads it, unset settings at the API defaults (interval 60 s,
 * timeout 5 s, 2 retries, one failed check marks an origin down): what the failover time of a pool it watches is
 * computed from (interval × consecutive failures + timeout × (retries + 1), then the TTL).
 */
export interface CfMonitor {
  readonly address: string;
  readonly interval: number;
  readonly timeout: number;
  readonly retries: number;
  readonly consecutiveDown: number;
  readonly type: string;
  readonly path?: string;
  /** Why its settings cannot be read at synth (see unknowns.ts): the proofs then fail closed on it. */
  readonly unknown?: string;
}

export interface CfOrigin {
  readonly name: string;
  readonly address: string;
  readonly enabled: boolean;
  readonly weight: number;
  readonly region?: string;
  readonly failClosed: boolean;
  /** The declaration of an origin outside the service's regions. */
  readonly declared?: ExternalEndpoint;
  /** Why the analysis cannot place the origin (an address, a name outside the stacks, an expression). */
  readonly unplaced?: string;
}

/**
 * A `cloudflare_load_balancer_pool` as the analysis reads it: its origins (each placed in a region, declared, fail
 * closed or unplaced), its monitor and `minimum_origins`. Cloudflare counts it healthy when it is enabled and at least
 * `minimumOrigins` of its enabled origins are; a pool without a monitor always counts as healthy (nothing can tell).
 */
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
  /** Why its settings cannot be read at synth (see unknowns.ts): the proofs then fail closed on it. */
  readonly unknown?: string;
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

/**
 * A `cloudflare_load_balancer` as the analysis reads it: the hostname it answers, its routing (steering, pool lists,
 * fallback pool, adaptive routing, weights), its enabled rules with their overrides applied, session affinity and the
 * TTL of its DNS-only answers. A disabled one answers nothing (the name is left to DNS records).
 */
export interface CfLoadBalancer {
  readonly address: string;
  readonly stack: string;
  readonly hostname: string;
  readonly enabled: boolean;
  readonly proxied: boolean;
  readonly ttl: number;
  readonly routing: CfRouting;
  readonly rules: readonly CfRule[];
  /** Session affinity (`none` when unset): a session keeps the origin it started on, whatever steering says later. */
  readonly sessionAffinity: string;
  /** Why its settings cannot be read at synth (see unknowns.ts): the proofs then fail closed on it. */
  readonly unknown?: string;
}

/**
 * The Cloudflare load balancing of the stacks, as {@link buildCloudflareModel} reads it: every load balancer, and the
 * pools and monitors by Terraform address (resources with `count = 0` are left out). A pool a load balancer names by a
 * literal id is not in `pools`: it is outside the stacks (key `pool-id:<id>`), and the proofs fail closed on it.
 */
export interface CloudflareModel {
  readonly loadBalancers: readonly CfLoadBalancer[];
  readonly pools: ReadonlyMap<string, CfPool>;
  readonly monitors: ReadonlyMap<string, CfMonitor>;
}

/** Reads the Cloudflare load-balancing resources of the stacks. */
export function buildCloudflareModel(
  stacks: readonly StackInput[],
  regionOfHost: (host: string) => string | undefined,
  declaredEndpoint: (name: string) => ExternalEndpoint | undefined = () => undefined,
): CloudflareModel {
  const monitors = new Map<string, CfMonitor>();
  // `count = 0`: not created, so not modelled.
  const resources = (type: string) => resourcesOfType(stacks, type).filter((r) => multiplicity(r.config) !== 'none');
  for (const m of resources('cloudflare_load_balancer_monitor')) {
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
      unknown: unknownSetting('cloudflare_load_balancer_monitor', c),
    });
  }
  const pools = new Map<string, CfPool>();
  for (const p of resources('cloudflare_load_balancer_pool')) {
    const c = p.config;
    const monitorRef = parseRef(c.monitor);
    const origins: CfOrigin[] = (Array.isArray(c.origins) ? c.origins : []).filter(isRecord).map((o) => {
      const address = normalizeDnsName(str(o.address) ?? '');
      const expression = isExpression(o.address);
      const region = expression ? undefined : regionOfHost(address);
      const failClosed = address.endsWith(FAIL_CLOSED_SUFFIX);
      const declared = region || failClosed || expression ? undefined : declaredEndpoint(address);
      const unplaced =
        region || failClosed || declared
          ? undefined
          : expression
            ? `origin ${o.name ?? address} of ${p.address}: its address is not known at synth (${String(o.address)})`
            : `origin ${address} of ${p.address} is not a regional name of the service`;
      return {
        name: str(o.name) ?? address,
        address,
        enabled: bool(o.enabled) ?? true,
        weight: num(o.weight) ?? 1,
        region,
        failClosed,
        declared,
        unplaced,
      };
    });
    pools.set(p.address, {
      address: p.address,
      name: str(c.name) ?? p.name,
      enabled: bool(c.enabled) ?? true,
      minimumOrigins: num(c.minimum_origins) ?? 1,
      monitor:
        monitorRef?.type === 'cloudflare_load_balancer_monitor'
          ? `${monitorRef.type}.${monitorRef.name}`
          : typeof c.monitor === 'string' && c.monitor !== ''
            ? `monitor-id:${c.monitor}`
            : undefined,
      origins,
      checkRegions: Array.isArray(c.check_regions) ? stringElements(c.check_regions) : undefined,
      latitude: num(c.latitude),
      longitude: num(c.longitude),
      unknown: unknownSetting('cloudflare_load_balancer_pool', c),
    });
  }
  const loadBalancers: CfLoadBalancer[] = [];
  for (const lb of resources('cloudflare_load_balancer')) {
    const c = lb.config;
    const routing = routingOf(c);
    const rules: CfRule[] = (Array.isArray(c.rules) ? c.rules : [])
      .filter(isRecord)
      .filter((r) => !(bool(r.disabled) ?? false))
      .map((r, i) => {
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
      hostname: normalizeDnsName(str(c.name) ?? lb.name),
      enabled: bool(c.enabled) ?? true,
      // Provider 5.x default: not proxied.
      proxied: bool(c.proxied) ?? false,
      sessionAffinity: isExpression(c.session_affinity) ? 'unknown' : (str(c.session_affinity) ?? 'none'),
      ttl: num(c.ttl) ?? CLOUDFLARE_DNS_ONLY_TTL_SECONDS,
      routing,
      rules,
      unknown: unknownSetting('cloudflare_load_balancer', c),
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
  const mapped =
    Object.keys(r.regionPools).length + Object.keys(r.countryPools).length + Object.keys(r.popPools).length > 0;
  return mapped ? 'geo' : 'off';
}

/** The pool list a client gets, and which mapping chose it (pop_pools are handled as possible landings). */
export function candidateList(r: CfRouting, client: ClientGroup): { pools: readonly string[]; via: string } {
  if (effectiveSteering(r) === 'geo') {
    if (client.country && r.countryPools[client.country])
      return { pools: r.countryPools[client.country], via: `country_pools[${client.country}]` };
    if (r.regionPools[client.cloudflareRegion])
      return { pools: r.regionPools[client.cloudflareRegion], via: `region_pools[${client.cloudflareRegion}]` };
  }
  return { pools: r.defaultPools, via: 'default_pools' };
}

export function sameRouting(a: CfRouting, b: CfRouting): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/** The path step of a pool (its origins and regions), memoised in `cache`; with `note`, a copy carrying it. */
export function poolStep(
  cache: Map<string, PathStep>,
  model: CloudflareModel,
  address: string,
  note?: string,
): PathStep {
  let s = cache.get(address);
  if (!s) {
    const pool = model.pools.get(address);
    const origins = pool
      ? pool.origins.map((o) => (o.region ? `${o.address} (${o.region})` : o.address)).join(', ')
      : 'pool outside the stacks';
    s = { address, label: `pool ${pool?.name ?? address}: ${origins}${pool && !pool.monitor ? ', no monitor' : ''}` };
    cache.set(address, s);
  }
  return note ? { ...s, note } : s;
}
