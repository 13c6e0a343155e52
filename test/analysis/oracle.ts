/*
 * A deliberately simple, independent model of Route53 and Cloudflare load balancing for the property tests: random
 * small topologies (described directly, not as Terraform JSON), their Terraform JSON for the analysis, and a
 * brute-force evaluator that enumerates every health state (2^atoms) and, in each, every answer a client can get.
 * A Cloudflare origin at a record set's name is resolved the same way, over every state and every resolver place.
 * It shares nothing with lib/analysis but the region table and the great-circle formula.
 */
import fc from 'fast-check';
import { regionInfo } from '../../lib/spec/regions';
import { greatCircleKm } from '../../lib/util/geo';
import type { ClientGroup, StackInput } from '../../lib/analysis/model';
import type { TerraformJson } from '../../lib/util/synth-output';

export const DOMAIN = 'inference.example.com';
const PARTNER = 'partner.example.net';
const POOL_REGIONS = ['us-east-1', 'us-west-2', 'eu-west-1', 'eu-central-1', 'ap-northeast-1', 'sa-east-1'];

export type Policy = 'simple' | 'latency' | 'weighted' | 'failover' | 'geolocation' | 'geoproximity' | 'multivalue';
export type Target =
  | { kind: 'alb'; region: string }
  | { kind: 'set'; index: number }
  | { kind: 'cname'; host: string }
  | { kind: 'ip'; address: string };
export type Location = { country: string } | { continent: string } | { default: true };

export interface Rec {
  readonly target: Target;
  /** Index into checks. */
  readonly check?: number;
  readonly eth: boolean;
  readonly region: string; // latency / geoproximity point
  readonly weight: number;
  readonly role: 'PRIMARY' | 'SECONDARY';
  readonly location: Location;
  readonly bias: number;
}

export interface RecordSet {
  readonly policy: Policy;
  readonly type: 'A' | 'AAAA' | 'CNAME';
  readonly records: readonly Rec[];
}

export interface Check {
  /**
   * Probed host: a region's regional name, or an address (no region); or a CALCULATED check over earlier checks,
   * healthy when at least `threshold` of them are (a threshold above the child count: never healthy).
   */
  readonly probes:
    | { region: string }
    | { ip: string }
    | { calculated: { readonly children: readonly number[]; readonly threshold: number } };
  readonly inverted: boolean;
  readonly disabled: boolean;
}

export interface Pool {
  readonly origins: readonly { readonly host: string; readonly enabled: boolean; readonly weight: number }[];
  readonly monitored: boolean;
  readonly enabled: boolean;
  readonly minimumOrigins: number;
}

export interface Routing {
  readonly steering: 'off' | 'geo' | 'random' | 'dynamic_latency';
  readonly defaultPools: readonly number[];
  readonly countryPools: Readonly<Record<string, readonly number[]>>;
  readonly regionPools: Readonly<Record<string, readonly number[]>>;
  readonly popPools: Readonly<Record<string, readonly number[]>>;
  readonly fallback: number;
  readonly failoverAcrossPools: boolean;
  readonly weights: Readonly<Record<number, number>>;
}

export interface Topology {
  readonly regions: readonly { readonly code: string; readonly jurisdiction?: string }[];
  readonly residency: { readonly countries: readonly string[]; readonly continents: readonly string[] };
  readonly checks: readonly Check[];
  /** sets[0] answers DOMAIN (type A); sets[i] for i > 0 answer n<i>.DOMAIN; an AAAA set at DOMAIN when `ipv6`. */
  readonly sets: readonly RecordSet[];
  readonly ipv6?: RecordSet;
  readonly cloudflare?: { readonly pools: readonly Pool[]; readonly routing: Routing; readonly rule?: Routing };
  readonly declared: readonly { readonly name: string; readonly jurisdiction: string }[];
}

// ---------------------------------------------------------------------------------------------------------------
// Random topologies

const COUNTRIES = ['DE', 'FR', 'US', 'JP', 'BR'];

export function topologyArbitrary(maxRegions: number): fc.Arbitrary<Topology> {
  return fc
    .record({
      count: fc.integer({ min: 2, max: maxRegions }),
      jurisdictions: fc.array(fc.constantFrom<string | undefined>('eu', 'us', undefined), {
        minLength: 6,
        maxLength: 6,
      }),
      residencyCountries: fc.subarray(['DE', 'FR']),
      residencyContinent: fc.boolean(),
      seed: fc.noBias(fc.integer({ min: 0, max: 0x7fffffff })),
      withCloudflare: fc.boolean(),
      withRoute53: fc.integer({ min: 0, max: 9 }).map((n) => n < 7),
    })
    .map(({ count, jurisdictions, residencyCountries, residencyContinent, seed, withCloudflare, withRoute53 }) => {
      const next = mulberry32(seed);
      const rnd = (n: number) => Math.floor(next() * n);
      const pick = <T>(xs: readonly T[]) => xs[rnd(xs.length)];
      const regions = POOL_REGIONS.slice(0, count).map((code, i) => ({
        code,
        jurisdiction: code.startsWith('eu-') ? 'eu' : jurisdictions[i] === 'eu' ? undefined : jurisdictions[i],
      }));
      // At least one EU region, so the residency jurisdiction exists.
      if (!regions.some((r) => r.jurisdiction === 'eu'))
        regions[rnd(regions.length)] = { ...regions[0], code: 'eu-west-1', jurisdiction: 'eu' };
      const codes = [...new Set(regions.map((r) => r.code))];
      const uniq = codes.map((c) => regions.find((r) => r.code === c)!);
      const checks: Check[] = uniq.map((r) => ({
        probes: { region: r.code },
        inverted: rnd(5) === 0,
        disabled: rnd(6) === 0,
      }));
      // Hostile checks: probing another region's name, or an address no region decides.
      if (rnd(3) === 0) checks.push({ probes: { region: pick(codes) }, inverted: false, disabled: false });
      if (rnd(4) === 0) checks.push({ probes: { ip: '192.0.2.10' }, inverted: false, disabled: false });
      // CALCULATED checks over the ones above, with thresholds from 0 (always healthy) to one above the child count
      // (never healthy: its records answer only through Route53's "every record unhealthy" rule).
      for (let k = rnd(3); k > 0; k--) {
        const children = [...new Set(Array.from({ length: 1 + rnd(3) }, () => rnd(checks.length)))].sort(
          (a, b) => a - b,
        );
        checks.push({
          probes: { calculated: { children, threshold: rnd(children.length + 2) } },
          inverted: rnd(5) === 0,
          disabled: rnd(8) === 0,
        });
      }
      const setCount = 1 + rnd(3);
      const makeSet = (index: number, type: RecordSet['type']): RecordSet => {
        const policy = pick<Policy>([
          'simple',
          'latency',
          'weighted',
          'failover',
          'geolocation',
          'geoproximity',
          'multivalue',
        ]);
        const n = policy === 'simple' ? 1 : policy === 'failover' ? 1 + rnd(2) : 1 + rnd(4);
        const records: Rec[] = [];
        const locations: Location[] = [
          { default: true },
          { continent: 'EU' },
          { continent: 'NA' },
          ...COUNTRIES.map((country) => ({ country })),
        ];
        const usedLocations = new Set<string>();
        for (let i = 0; i < n; i++) {
          const targetKind = rnd(10);
          const target: Target =
            type === 'CNAME'
              ? rnd(3) === 0
                ? { kind: 'cname', host: PARTNER }
                : { kind: 'cname', host: `${pick(codes)}.${DOMAIN}` }
              : targetKind < 6 || index + 1 >= setCount
                ? targetKind === 9
                  ? { kind: 'ip', address: `198.51.100.${1 + rnd(3)}` }
                  : { kind: 'alb', region: pick(codes) }
                : { kind: 'set', index: index + 1 + rnd(setCount - index - 1) };
          let location = pick(locations);
          while (usedLocations.has(JSON.stringify(location))) location = pick(locations);
          usedLocations.add(JSON.stringify(location));
          const region = policy === 'latency' ? codes[i % codes.length] : pick(codes);
          records.push({
            target,
            check: rnd(3) === 0 ? undefined : rnd(checks.length),
            eth: type !== 'CNAME' && target.kind !== 'ip' && rnd(2) === 0,
            region,
            weight: pick([0, 1, 5, 100]),
            role: i === 0 ? 'PRIMARY' : 'SECONDARY',
            location,
            bias: pick([0, 0, 50, -50]),
          });
        }
        // One record per latency region and per failover role (Route53 requires it).
        const dedup =
          policy === 'latency'
            ? records.filter((r, i) => records.findIndex((x) => x.region === r.region) === i)
            : records;
        return { policy, type, records: dedup };
      };
      const sets: RecordSet[] = [];
      for (let i = 0; i < setCount; i++) sets.push(makeSet(i, i > 0 && rnd(4) === 0 ? 'CNAME' : 'A'));
      const ipv6 = rnd(4) === 0 ? makeSet(setCount, 'AAAA') : undefined;
      let cloudflare: Topology['cloudflare'];
      if (withCloudflare || !withRoute53) {
        // Origins at a record set's name are resolved through Route53 (not for sets below which geoproximity decides:
        // their answer depends on where the resolver is, which the oracle does not model).
        const routed = withRoute53 ? sets.map((_, i) => i).filter((i) => !reachesGeoproximity(sets, i)) : [];
        const originHost = (code: string) =>
          rnd(8) === 0
            ? '203.0.113.9'
            : routed.length > 0 && rnd(6) === 0
              ? setName(pick(routed))
              : `${code}.${DOMAIN}`;
        const pools: Pool[] = uniq.map((r) => ({
          origins: [{ host: originHost(r.code), enabled: rnd(8) !== 0, weight: pick([1, 1, 0.5, 0]) }],
          monitored: rnd(5) !== 0,
          enabled: rnd(10) !== 0,
          minimumOrigins: 1,
        }));
        if (rnd(3) === 0)
          pools.push({
            origins: uniq.slice(0, 2).map((r) => ({ host: `${r.code}.${DOMAIN}`, enabled: true, weight: 1 })),
            monitored: true,
            enabled: true,
            minimumOrigins: 1 + rnd(2),
          });
        const list = () => {
          const xs = pools.map((_, i) => i).filter(() => rnd(3) !== 0);
          return xs.length > 0 ? xs.sort(() => rnd(3) - 1) : [0];
        };
        const routing = (): Routing => ({
          steering: pick(['off', 'geo', 'random', 'dynamic_latency'] as const),
          defaultPools: list(),
          countryPools: rnd(2) === 0 ? { DE: list() } : {},
          regionPools: rnd(2) === 0 ? { WEU: list() } : {},
          popPools: rnd(5) === 0 ? { FRA: list() } : {},
          fallback: rnd(pools.length),
          failoverAcrossPools: rnd(2) === 0,
          weights: Object.fromEntries(pools.map((_, i) => [i, pick([0, 0.5, 1])])),
        });
        cloudflare = { pools, routing: routing(), rule: rnd(4) === 0 ? routing() : undefined };
      }
      return {
        regions: uniq,
        residency: { countries: residencyCountries, continents: residencyContinent ? ['EU'] : [] },
        checks,
        sets: withRoute53 || !cloudflare ? sets : [],
        ipv6: withRoute53 || !cloudflare ? ipv6 : undefined,
        cloudflare,
        declared: rnd(3) === 0 ? [{ name: PARTNER, jurisdiction: pick(['eu', 'none']) }] : [],
      };
    })
    .filter((t) => t.residency.countries.length + t.residency.continents.length > 0);
}

/** Whether set `i` or a set it aliases uses geoproximity. */
function reachesGeoproximity(sets: readonly RecordSet[], i: number, depth = 0): boolean {
  if (depth > 6) return false;
  return (
    sets[i].policy === 'geoproximity' ||
    sets[i].records.some((r) => r.target.kind === 'set' && reachesGeoproximity(sets, r.target.index, depth + 1))
  );
}

/** A small seeded PRNG (fast-check's infinite streams are biased towards 0 in properties, which hid cases). */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Terraform JSON for the analysis

const key = (s: string) => s.replace(/[^A-Za-z0-9]/g, '_');
const setName = (i: number) => (i === 0 ? DOMAIN : `n${i}.${DOMAIN}`);

export function toStacks(t: Topology): StackInput[] {
  const resource: Record<string, Record<string, Record<string, unknown>>> = {};
  const add = (type: string, name: string, body: Record<string, unknown>) => ((resource[type] ??= {})[name] = body);
  const provider = { aws: [{ region: 'us-east-1' }, ...t.regions.map((r) => ({ region: r.code, alias: r.code }))] };
  const zone = '${aws_route53_zone.Zone.zone_id}';
  add('aws_route53_zone', 'Zone', { name: DOMAIN });
  for (const r of t.regions) {
    add('aws_lb', `Lb_${key(r.code)}`, { name: 'chat', provider: `aws.${r.code}` });
    add('aws_route53_record', `Regional_${key(r.code)}`, {
      zone_id: zone,
      name: `${r.code}.${DOMAIN}`,
      type: 'A',
      alias: {
        name: `\${aws_lb.Lb_${key(r.code)}.dns_name}`,
        zone_id: `\${aws_lb.Lb_${key(r.code)}.zone_id}`,
        evaluate_target_health: true,
      },
    });
  }
  t.checks.forEach((c, i) =>
    add('aws_route53_health_check', `Hc${i}`, {
      type: 'HTTPS',
      ...('calculated' in c.probes
        ? {
            type: 'CALCULATED',
            child_healthchecks: c.probes.calculated.children.map((j) => `\${aws_route53_health_check.Hc${j}.id}`),
            child_health_threshold: c.probes.calculated.threshold,
          }
        : {
            ...('region' in c.probes ? { fqdn: `${c.probes.region}.${DOMAIN}` } : { ip_address: c.probes.ip }),
            port: 443,
            request_interval: 10,
            failure_threshold: 3,
          }),
      invert_healthcheck: c.inverted,
      disabled: c.disabled,
    }),
  );
  const writeSet = (set: RecordSet, name: string, prefix: string) => {
    set.records.forEach((r, i) => {
      const policy: Record<string, unknown> =
        set.policy === 'latency'
          ? { latency_routing_policy: { region: r.region } }
          : set.policy === 'weighted'
            ? { weighted_routing_policy: { weight: r.weight } }
            : set.policy === 'failover'
              ? { failover_routing_policy: { type: r.role } }
              : set.policy === 'geolocation'
                ? { geolocation_routing_policy: 'default' in r.location ? { country: '*' } : r.location }
                : set.policy === 'geoproximity'
                  ? { geoproximity_routing_policy: { aws_region: r.region, bias: r.bias } }
                  : set.policy === 'multivalue'
                    ? { multivalue_answer_routing_policy: true }
                    : {};
      const target = r.target;
      const value =
        target.kind === 'alb'
          ? {
              alias: {
                name: `\${aws_lb.Lb_${key(target.region)}.dns_name}`,
                zone_id: `\${aws_lb.Lb_${key(target.region)}.zone_id}`,
                evaluate_target_health: r.eth,
              },
            }
          : target.kind === 'set'
            ? { alias: { name: setName(target.index), zone_id: zone, evaluate_target_health: r.eth } }
            : target.kind === 'cname'
              ? { records: [target.host], ttl: 60 }
              : { records: [target.address], ttl: 60 };
      add('aws_route53_record', `${prefix}_${i}`, {
        zone_id: zone,
        name,
        type: set.type,
        ...(set.policy === 'simple' ? {} : { set_identifier: `${prefix}-${i}` }),
        ...(r.check !== undefined ? { health_check_id: `\${aws_route53_health_check.Hc${r.check}.id}` } : {}),
        ...value,
        ...policy,
      });
    });
  };
  t.sets.forEach((s, i) => writeSet(s, setName(i), `Set${i}`));
  if (t.ipv6) writeSet(t.ipv6, DOMAIN, 'V6');

  const stacks: StackInput[] = [];
  const intent = {
    service: 'chat',
    domain: DOMAIN,
    routingDomain: DOMAIN,
    frontDoor: t.sets.length > 0 ? (t.cloudflare ? 'both' : 'route53') : 'cloudflare',
    regions: Object.fromEntries(
      t.regions.map((r) => [r.code, { jurisdiction: r.jurisdiction ?? null, hostname: `${r.code}.${DOMAIN}` }]),
    ),
    residency: { eu: { countries: [...t.residency.countries], continents: [...t.residency.continents] } },
    externalEndpoints: t.declared.map((d) => ({ ...d, failoverSeconds: 30 })),
  };
  stacks.push({
    name: 'aws',
    json: { '//': { global_inference: intent }, provider, resource } as unknown as TerraformJson,
  });
  if (t.cloudflare) {
    const cf: Record<string, Record<string, Record<string, unknown>>> = {};
    const cadd = (type: string, name: string, body: Record<string, unknown>) => ((cf[type] ??= {})[name] = body);
    cadd('cloudflare_load_balancer_monitor', 'Mon', {
      type: 'https',
      interval: 60,
      timeout: 5,
      retries: 1,
      consecutive_down: 2,
    });
    const poolRef = (i: number) => `\${cloudflare_load_balancer_pool.Pool${i}.id}`;
    t.cloudflare.pools.forEach((p, i) =>
      cadd('cloudflare_load_balancer_pool', `Pool${i}`, {
        name: `pool-${i}`,
        enabled: p.enabled,
        minimum_origins: p.minimumOrigins,
        ...(p.monitored ? { monitor: '${cloudflare_load_balancer_monitor.Mon.id}' } : {}),
        origins: p.origins.map((o, k) => ({ name: `o${k}`, address: o.host, enabled: o.enabled, weight: o.weight })),
      }),
    );
    const routingJson = (r: Routing) => ({
      steering_policy: r.steering,
      default_pools: r.defaultPools.map(poolRef),
      fallback_pool: poolRef(r.fallback),
      country_pools: Object.fromEntries(Object.entries(r.countryPools).map(([k, v]) => [k, v.map(poolRef)])),
      region_pools: Object.fromEntries(Object.entries(r.regionPools).map(([k, v]) => [k, v.map(poolRef)])),
      pop_pools: Object.fromEntries(Object.entries(r.popPools).map(([k, v]) => [k, v.map(poolRef)])),
      adaptive_routing: { failover_across_pools: r.failoverAcrossPools },
      random_steering: {
        default_weight: 1,
        pool_weights: Object.fromEntries(Object.entries(r.weights).map(([k, w]) => [poolRef(Number(k)), w])),
      },
    });
    cadd('cloudflare_load_balancer', 'Lb', {
      name: DOMAIN,
      proxied: true,
      ...routingJson(t.cloudflare.routing),
      rules: t.cloudflare.rule
        ? [{ name: 'rule', condition: 'http.host eq "x"', priority: 1, overrides: routingJson(t.cloudflare.rule) }]
        : [],
    });
    stacks.push({ name: 'cf', json: { resource: cf } as unknown as TerraformJson });
  }
  return stacks;
}

// ---------------------------------------------------------------------------------------------------------------
// The brute-force evaluator

/**
 * Every health signal the topology's records and pools consult, with the region that decides it in the
 * region-failure scenarios (signals nothing consults are left out: they cannot change an answer).
 */
export function atomsOf(t: Topology): { id: string; region?: string }[] {
  const out: { id: string; region?: string }[] = [];
  const records = [...t.sets, ...(t.ipv6 ? [t.ipv6] : [])].flatMap((s) => s.records);
  // The endpoint checks records consult, directly or as children of (enabled) CALCULATED checks.
  const consulted = new Set<number>();
  const consult = (i: number) => {
    const c = t.checks[i];
    if (consulted.has(i) || c.disabled) return;
    consulted.add(i);
    if ('calculated' in c.probes) c.probes.calculated.children.forEach(consult);
  };
  for (const r of records) if (r.check !== undefined) consult(r.check);
  t.checks.forEach((c, i) => {
    if (consulted.has(i) && !('calculated' in c.probes))
      out.push({ id: `hc${i}`, region: 'region' in c.probes ? c.probes.region : undefined });
  });
  for (const r of t.regions)
    if (records.some((x) => x.eth && x.target.kind === 'alb' && x.target.region === r.code))
      out.push({ id: `alb:${r.code}`, region: r.code });
  t.cloudflare?.pools.forEach((p, i) =>
    p.origins.forEach((o, k) => {
      if (p.monitored && p.enabled && o.enabled) {
        const d = originDest(t, o.host);
        out.push({ id: `origin:${i}:${k}`, region: t.regions.some((r) => r.code === d) ? d : undefined });
      }
    }),
  );
  return out;
}

/** The Route53 atoms alone (what resolving an origin name depends on). */
function route53Atoms(t: Topology): { id: string }[] {
  return atomsOf({ ...t, cloudflare: undefined });
}

/**
 * Resolvers at every kind of place the generated geolocation records tell apart: each of their countries, a country
 * of each of their continents they do not name, and somewhere they name nothing (latency is taken as any record,
 * and origins never sit above a geoproximity set, so coordinates do not matter).
 */
const RESOLVERS: readonly ClientGroup[] = [
  ...[
    ['DE', 'EU'],
    ['FR', 'EU'],
    ['US', 'NA'],
    ['JP', 'AS'],
    ['BR', 'SA'],
    ['IT', 'EU'],
    ['CA', 'NA'],
    ['AU', 'OC'],
  ].map(
    ([country, continent]) =>
      ({
        id: `resolver:${country}`,
        label: country,
        kind: 'location',
        country,
        continent,
        cloudflareRegion: 'WEU',
        latitude: 0,
        longitude: 0,
      }) as ClientGroup,
  ),
];

const placements = new WeakMap<Topology, Map<string, Dest>>();

/**
 * Where a Cloudflare origin sends requests: a region's own name is that region; a record set's name is resolved
 * (every Route53 state, every resolver) and is a region only when everything it reaches is that one region, else
 * the name itself (unplaced); anything else (an address) is itself.
 */
export function originDest(t: Topology, host: string): Dest {
  const regional = regionOfHost(host);
  if (regional) return regional;
  const index = t.sets.findIndex((_, i) => setName(i) === host);
  if (index < 0) return host;
  let byHost = placements.get(t);
  if (!byHost) placements.set(t, (byHost = new Map()));
  let d = byHost.get(host);
  if (d === undefined) {
    const oracle = new Oracle(t);
    const atoms = route53Atoms(t);
    const reached = new Set<Dest>();
    // Topologies this big are left out by the property test (more atoms than it enumerates): not worth resolving.
    if (atoms.length > 14) return host;
    for (let mask = 0; mask < 1 << atoms.length; mask++) {
      const state = new Map(atoms.map((a, i) => [a.id, (mask & (1 << i)) === 0]));
      for (const client of RESOLVERS) {
        oracle.route53(t.sets[index], client, state, true).forEach((x) => reached.add(x));
        if (index === 0 && t.ipv6) oracle.route53(t.ipv6, client, state, true).forEach((x) => reached.add(x));
      }
    }
    const only = [...reached][0];
    d = reached.size === 1 && t.regions.some((r) => r.code === only) ? only : host;
    byHost.set(host, d);
  }
  return d;
}

function regionOfHost(host: string): string | undefined {
  const m = /^([a-z]{2}-[a-z]+-\d)\.inference\.example\.com$/.exec(host);
  return m?.[1];
}

/** Where one answer ends: a region, or an endpoint outside the service. */
export type Dest = string;

export class Oracle {
  constructor(readonly t: Topology) {}

  checkHealthy(i: number, state: ReadonlyMap<string, boolean>): boolean {
    const c = this.t.checks[i];
    const base = c.disabled
      ? true
      : 'calculated' in c.probes
        ? c.probes.calculated.children.filter((j) => this.checkHealthy(j, state)).length >=
          c.probes.calculated.threshold
        : (state.get(`hc${i}`) ?? true);
    return c.inverted ? !base : base;
  }

  private candidates(set: RecordSet, client: ClientGroup): Rec[] {
    const rank = (r: Rec) =>
      'country' in r.location
        ? r.location.country === client.country
          ? 1
          : -1
        : 'continent' in r.location
          ? r.location.continent === client.continent
            ? 2
            : -1
          : 3;
    return set.records
      .map((r, i) => ({ r, i, k: rank(r) }))
      .filter((x) => x.k >= 0)
      .sort((a, b) => a.k - b.k || a.i - b.i)
      .map((x) => x.r);
  }

  recordHealthy(r: Rec, client: ClientGroup, state: ReadonlyMap<string, boolean>, depth = 0): boolean {
    if (r.check !== undefined && !this.checkHealthy(r.check, state)) return false;
    if (r.eth) {
      if (r.target.kind === 'alb') return state.get(`alb:${r.target.region}`) ?? true;
      if (r.target.kind === 'set') return this.setHealthy(this.t.sets[r.target.index], client, state, depth + 1);
    }
    return true;
  }

  setHealthy(set: RecordSet, client: ClientGroup, state: ReadonlyMap<string, boolean>, depth: number): boolean {
    const pool = set.policy === 'geolocation' ? this.candidates(set, client) : set.records;
    if (set.policy === 'simple') return pool.every((r) => this.recordHealthy(r, client, state, depth));
    return pool.some((r) => this.recordHealthy(r, client, state, depth));
  }

  /**
   * Every record Route53 may answer with in a state (`nondeterministic`: latency by any measurement), or the one
   * it answers with when latency is by distance from the client group's point.
   */
  chosen(set: RecordSet, client: ClientGroup, state: ReadonlyMap<string, boolean>, nondeterministic: boolean): Rec[] {
    const healthy = (r: Rec) => this.recordHealthy(r, client, state);
    const ok = set.records.filter(healthy);
    const dist = (r: Rec) => greatCircleKm(client, regionInfo(r.region));
    const nearest = (rs: Rec[], d: (r: Rec) => number) =>
      [...rs]
        .map((r, i) => ({ r, i, d: d(r) }))
        .sort((a, b) => a.d - b.d || addressOrder(set, a.r) - addressOrder(set, b.r))[0].r;
    switch (set.policy) {
      case 'simple':
        return [...set.records];
      case 'latency': {
        const from = ok.length > 0 ? ok : [...set.records];
        return nondeterministic ? from : [nearest(from, dist)];
      }
      case 'geoproximity': {
        const from = ok.length > 0 ? ok : [...set.records];
        return [nearest(from, (r) => dist(r) * (1 - r.bias / 100))];
      }
      case 'multivalue':
        return ok.length > 0 ? ok : [...set.records];
      case 'weighted': {
        const weighted = ok.filter((r) => r.weight > 0);
        if (weighted.length > 0) return weighted;
        if (ok.length > 0) return ok;
        const positive = set.records.filter((r) => r.weight > 0);
        return positive.length > 0 ? positive : [...set.records];
      }
      case 'failover': {
        const p = set.records.filter((r) => r.role === 'PRIMARY');
        const s = set.records.filter((r) => r.role === 'SECONDARY');
        if (p.some(healthy)) return p.filter(healthy);
        if (s.some(healthy)) return s.filter(healthy);
        return p.length > 0 ? p : s;
      }
      case 'geolocation': {
        const c = this.candidates(set, client);
        if (c.length === 0) return [];
        return [c.find(healthy) ?? c[0]];
      }
    }
  }

  /** Destinations of a set in a state. */
  route53(
    set: RecordSet,
    client: ClientGroup,
    state: ReadonlyMap<string, boolean>,
    nondeterministic: boolean,
    depth = 0,
  ): Set<Dest> {
    const out = new Set<Dest>();
    if (depth > 6) return out;
    for (const r of this.chosen(set, client, state, nondeterministic)) {
      const t = r.target;
      if (t.kind === 'alb') out.add(t.region);
      else if (t.kind === 'set')
        for (const d of this.route53(this.t.sets[t.index], client, state, nondeterministic, depth + 1)) out.add(d);
      else if (t.kind === 'cname') out.add(regionOfHost(t.host) ?? t.host);
      else out.add(t.address);
    }
    return out;
  }

  poolHealthy(i: number, state: ReadonlyMap<string, boolean>): boolean {
    const p = this.t.cloudflare!.pools[i];
    if (!p.enabled) return false;
    if (!p.monitored) return true;
    return p.origins.filter((o, k) => o.enabled && (state.get(`origin:${i}:${k}`) ?? true)).length >= p.minimumOrigins;
  }

  private poolDests(i: number): Dest[] {
    return this.t.cloudflare!.pools[i].origins.filter((o) => o.enabled).map((o) => originDest(this.t, o.host));
  }

  /**
   * The pool lists a client's request can be steered by: per routing (main, rule), the client's list and each PoP's.
   */
  poolLists(client: ClientGroup): { routing: Routing; list: number[] }[] {
    const cf = this.t.cloudflare!;
    const out: { routing: Routing; list: number[] }[] = [];
    for (const routing of [cf.routing, ...(cf.rule ? [cf.rule] : [])]) {
      if (routing.steering === 'geo') {
        const list =
          routing.countryPools[client.country ?? ''] ??
          routing.regionPools[client.cloudflareRegion] ??
          routing.defaultPools;
        out.push({ routing, list: [...list] });
        for (const l of Object.values(routing.popPools)) out.push({ routing, list: [...l] });
      } else out.push({ routing, list: [...routing.defaultPools] });
    }
    return out;
  }

  /**
   * Every destination a Cloudflare request can reach in a state: main routing, rule, PoP, fallback, adaptive retries.
   */
  cloudflare(client: ClientGroup, state: ReadonlyMap<string, boolean>): Set<Dest> {
    const out = new Set<Dest>();
    for (const { routing, list } of this.poolLists(client)) {
      const healthy = list.filter((p) => this.poolHealthy(p, state));
      let chosen: number[];
      if (healthy.length === 0) chosen = [routing.fallback];
      else if (routing.steering === 'off' || routing.steering === 'geo') chosen = [healthy[0]];
      else if (routing.steering === 'random') {
        const w = healthy.filter((p) => (routing.weights[p] ?? 1) > 0);
        chosen = w.length > 0 ? w : healthy;
      } else chosen = healthy;
      for (const p of chosen) this.poolDests(p).forEach((d) => out.add(d));
      if (routing.failoverAcrossPools) {
        for (const q of new Set([...list, routing.fallback]))
          if (!chosen.includes(q) && this.poolHealthy(q, state)) this.poolDests(q).forEach((d) => out.add(d));
      }
    }
    return out;
  }

  /**
   * The main answer in one state for off/geo steering: the first healthy pool of the client's list (else the
   * fallback), and its enabled origins with weight > 0 that are up (all of them when too few are up).
   */
  cloudflareMain(
    client: ClientGroup,
    failed: ReadonlySet<string>,
    state: ReadonlyMap<string, boolean>,
  ): Set<Dest> | undefined {
    const routing = this.t.cloudflare!.routing;
    if (routing.steering !== 'off' && routing.steering !== 'geo') return undefined;
    const list =
      routing.steering === 'geo'
        ? (routing.countryPools[client.country ?? ''] ??
          routing.regionPools[client.cloudflareRegion] ??
          routing.defaultPools)
        : routing.defaultPools;
    const pool = list.find((p) => this.poolHealthy(p, state)) ?? routing.fallback;
    const p = this.t.cloudflare!.pools[pool];
    const enabled = p.origins.filter((o) => o.enabled && o.weight > 0);
    const up = p.origins.filter((o) => o.enabled && !failed.has(originDest(this.t, o.host)));
    const targets = up.length >= p.minimumOrigins && up.length > 0 ? up.filter((o) => o.weight > 0) : enabled;
    return new Set(targets.map((o) => originDest(this.t, o.host)));
  }

  /** Every state of the atoms. */
  *states(): Generator<Map<string, boolean>> {
    const atoms = atomsOf(this.t);
    for (let mask = 0; mask < 1 << atoms.length; mask++)
      yield new Map(atoms.map((a, i) => [a.id, (mask & (1 << i)) === 0]));
  }

  /** The state a region-failure scenario produces (atoms of failed regions unhealthy, the rest healthy). */
  scenarioState(failed: ReadonlySet<string>): Map<string, boolean> {
    return new Map(atomsOf(this.t).map((a) => [a.id, !(a.region && failed.has(a.region))]));
  }

  /** Whether a destination is allowed for a client of jurisdiction `j`. */
  allowed(dest: Dest, j: string): boolean {
    const region = this.t.regions.find((r) => r.code === dest);
    if (region) return region.jurisdiction === j;
    const declared = this.t.declared.find((d) => d.name === dest);
    return !!declared && declared.jurisdiction === j;
  }
}

function addressOrder(set: RecordSet, r: Rec): number {
  return set.records.indexOf(r);
}
