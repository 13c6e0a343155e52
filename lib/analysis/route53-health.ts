/*
 * What Route53 needs for a record to count as healthy, as a formula over health atoms (health.ts), and the lookup
 * of record sets (zones, private-zone views, wildcards, delegations) shared by the evaluator of one health state
 * (route53-resolve.ts) and the reachability over all of them (route53-reach.ts).
 *
 * Rules (Route53 Developer Guide, "How Amazon Route 53 chooses records when health checking is configured"):
 * - a record is healthy iff its health check (if any) is healthy AND, with evaluate_target_health on an alias, its
 *   target is healthy: a load balancer with healthy targets, or a record set with a healthy record (for a
 *   geolocation set: one of the records matching the client);
 * - a disabled health check is healthy (inverted and disabled: unhealthy); an inverted one is the negation; a
 *   CALCULATED one is healthy when at least child_health_threshold children are;
 * - every endpoint, CloudWatch-alarm and recovery-control check is an independent atom: any combination of health
 *   states is possible. In the region-failure scenarios an atom is unhealthy exactly when its region is down.
 */
import { isKnownRegion, regionInfo } from '../spec/regions';
import { and, atLeast, atom, FALSE, not, or, TRUE, type Formula, type HealthAtom } from './health';
import { normalizeDnsName } from './input';
import type { ClientGroup, GraphContext } from './model';
import type { QueryType, R53HealthCheck, R53Record, R53Target, Route53Model } from './route53-model';

/** Alias chains deeper than this are treated as a loop. */
export const MAX_DEPTH = 12;

/** A record set as a query finds it. */
export interface FoundSet {
  readonly zone: string;
  readonly name: string;
  readonly records: readonly R53Record[];
  /** The records answer through a wildcard (`*.<parent>`). */
  readonly wildcard?: string;
}

/** What a lookup of a name finds in a zone: a set, a delegation to other name servers, or nothing. */
export type Lookup =
  | { readonly kind: 'set'; readonly set: FoundSet }
  | { readonly kind: 'delegated'; readonly by: R53Record }
  | { readonly kind: 'none'; readonly why: string };

/** Record sets and health formulas over a model, memoised. */
export class Route53Lookup {
  private readonly lookups = new Map<string, Map<string, Map<QueryType, Lookup>>>();
  private readonly hcFormulas = new Map<string, Formula>();
  private readonly hcAtoms = new Map<string, HealthAtom>();
  private readonly lbAtoms = new Map<string, HealthAtom>();
  /** Formula memos by client location (health depends on the client only through geolocation matches). */
  private readonly recordFormulas = new Map<string, Map<string, Formula>>();
  private readonly setFormulas = new Map<string, Map<string, Formula>>();
  private readonly geoCache = new Map<readonly R53Record[], Map<ClientGroup, R53Record[][]>>();
  /** Zones with a known name, longest first (for "which zone answers this name"). */
  private readonly namedZones: { key: string; name: string; private: boolean }[];

  /**
   * @param model the Route53 side of the stacks: where record sets, health checks and load balancers are looked up.
   * @param context places a hostname in a region: the region whose failure a health check probing it sees, and the
   *   region a record's answer is in (for `idealDown`).
   * @param idealDown a region whose failure every record answering with one of its endpoints sees (a perfect
   *   detector): those records are unhealthy. Only for judging whether there is somewhere else to go, never for
   *   residency (an alias into a record set is judged by that set's records).
   */
  constructor(
    readonly model: Route53Model,
    readonly context: Pick<GraphContext, 'regionOfHost'>,
    readonly idealDown?: string,
  ) {
    this.namedZones = [...model.zones.values()]
      .filter((z): z is typeof z & { name: string } => z.name !== undefined)
      .map((z) => ({ key: z.key, name: z.name, private: z.private }))
      .sort((a, b) => b.name.length - a.name.length || a.key.localeCompare(b.key));
  }

  /**
   * The records answering `qtype` for `name` in `zone` (CNAME answers every type; wildcards and NS delegations apply).
   */
  lookup(zone: string, name: string, qtype: QueryType): Lookup {
    // Nested maps: no string building on the evaluator's hot path.
    let byZone = this.lookups.get(zone);
    if (!byZone) this.lookups.set(zone, (byZone = new Map()));
    let byName = byZone.get(name);
    if (!byName) byZone.set(name, (byName = new Map()));
    let found = byName.get(qtype);
    if (!found) byName.set(qtype, (found = this.lookupUncached(zone, name, qtype)));
    return found;
  }

  private lookupUncached(zone: string, name: string, qtype: QueryType): Lookup {
    const zoneName = this.model.zones.get(zone)?.name;
    const inZone = (n: string) => zoneName !== undefined && n !== zoneName && n.endsWith(`.${zoneName}`);
    // A delegation at the name or between it and the zone apex: other name servers answer.
    for (let n = name; inZone(n); n = n.slice(n.indexOf('.') + 1)) {
      const ns = this.model.sets.get(`${zone}|${n}|NS`);
      if (ns && ns.length > 0) return { kind: 'delegated', by: ns[0] };
    }
    const direct = this.recordsAt(zone, name, qtype);
    if (direct.length > 0) return { kind: 'set', set: { zone, name, records: direct } };
    if (this.model.names.has(`${zone}|${name}`)) return { kind: 'none', why: `${name} has no ${qtype} record` };
    // Wildcards: `*.<closest existing ancestor>` answers a name that does not exist.
    if (inZone(name)) {
      for (let parent = name.slice(name.indexOf('.') + 1); ; parent = parent.slice(parent.indexOf('.') + 1)) {
        const records = this.recordsAt(zone, `*.${parent}`, qtype);
        if (records.length > 0) return { kind: 'set', set: { zone, name: `*.${parent}`, records, wildcard: name } };
        if (parent === zoneName || !inZone(parent) || this.model.names.has(`${zone}|${parent}`)) break;
      }
    }
    return { kind: 'none', why: `no record named ${name}` };
  }

  private recordsAt(zone: string, name: string, qtype: QueryType): R53Record[] {
    const types = qtype === 'HTTPS' ? ['HTTPS', 'SVCB', 'CNAME'] : [qtype, 'CNAME'];
    return types.flatMap((t) => this.model.sets.get(`${zone}|${name}|${t}`) ?? []);
  }

  /**
   * Zones that answer `name` for a client: for a VPC client, the most specific private zone associated with its VPC
   * that covers the name (split horizon: it shadows the public zones entirely); otherwise every public zone that
   * holds the name, or the most specific public zone covering it (unnamed zones count when they hold the name).
   */
  zonesFor(client: ClientGroup, name: string): string[] {
    const covers = (zoneName: string) => name === zoneName || name.endsWith(`.${zoneName}`);
    if (client.vpc) {
      const own = this.namedZones.find((z) => z.private && client.vpc!.zones.includes(z.key) && covers(z.name));
      if (own) return [own.key];
    }
    const holding = [...this.model.zones.values()].filter(
      (z) => !z.private && [...QUERY_TYPES_ALL].some((t) => this.model.sets.has(`${z.key}|${name}|${t}`)),
    );
    const unnamed = [
      ...new Set(
        [...this.model.sets.keys()]
          .filter((k) => k.startsWith('zone:') && k.split('|')[1] === name)
          .map((k) => k.split('|')[0]),
      ),
    ];
    const keys = new Set([...holding.map((z) => z.key), ...unnamed]);
    if (keys.size > 0) {
      // Which public zone the world's resolvers ask depends on delegation the stacks may not show: a covering zone
      // whose wildcard would answer the name may be the one asked, so its answers are possible too.
      for (const z of this.namedZones)
        if (!z.private && !keys.has(z.key) && covers(z.name) && this.wildcardAnswers(z, name)) keys.add(z.key);
      return [...keys].sort();
    }
    const covering = this.namedZones.find((z) => !z.private && covers(z.name));
    return covering ? [covering.key] : [];
  }

  /** Whether a wildcard record set of the zone (`*.<ancestor of name>`) could answer the name. */
  private wildcardAnswers(zone: { key: string; name: string }, name: string): boolean {
    const labels = name.split('.');
    for (let i = 1; i < labels.length; i++) {
      const parent = labels.slice(i).join('.');
      if (parent !== zone.name && !parent.endsWith(`.${zone.name}`)) break;
      if ([...QUERY_TYPES_ALL].some((t) => this.model.sets.has(`${zone.key}|*.${parent}|${t}`))) return true;
    }
    return false;
  }

  /** The atom of an endpoint-probing, alarm or recovery-control health check. */
  healthCheckAtom(address: string): HealthAtom {
    let a = this.hcAtoms.get(address);
    if (!a) {
      const hc = this.model.healthChecks.get(address);
      const region = hc ? this.checkedRegion(hc) : undefined;
      const what = !hc
        ? 'outside the stacks'
        : hc.type === 'CLOUDWATCH_METRIC'
          ? `alarm in ${hc.alarmRegion ?? 'an unknown region'}`
          : hc.fqdn
            ? `probes ${hc.fqdn}`
            : hc.ipAddress
              ? `probes ${hc.ipAddress}`
              : hc.type;
      a = {
        id: `hc:${address}`,
        label: `health check ${address} (${what})`,
        resource: address.startsWith('health-check:') ? address.slice('health-check:'.length) : address,
        region,
      };
      this.hcAtoms.set(address, a);
    }
    return a;
  }

  /** The region whose failure a health check sees (a probed hostname's region, an alarm's region). */
  checkedRegion(hc: R53HealthCheck): string | undefined {
    if (hc.type === 'CLOUDWATCH_METRIC') return hc.alarmRegion;
    if (hc.type === 'RECOVERY_CONTROL' || hc.type === 'CALCULATED') return undefined;
    if (hc.probesLoadBalancer) return this.model.loadBalancers.get(hc.probesLoadBalancer)?.region;
    return hc.fqdn ? this.context.regionOfHost(hc.fqdn) : undefined;
  }

  /** When a health check is healthy. */
  healthCheck(address: string, depth = 0): Formula {
    let f = this.hcFormulas.get(address);
    if (f) return f;
    const hc = this.model.healthChecks.get(address);
    // A check outside the stacks, or one whose settings are unknown at synth, can be in either state at any time.
    if (!hc || hc.unknown) f = atom(this.healthCheckAtom(address));
    else {
      let base: Formula;
      if (hc.disabled) base = TRUE;
      else if (hc.type === 'CALCULATED') {
        // A check that (wrongly) contains itself is cut off at the depth limit as an unknown signal.
        base =
          depth > MAX_DEPTH
            ? atom(this.healthCheckAtom(address))
            : atLeast(
                hc.childThreshold,
                hc.children.map((c) => this.healthCheck(c, depth + 1)),
              );
      } else base = atom(this.healthCheckAtom(address));
      f = hc.inverted ? not(base) : base;
    }
    this.hcFormulas.set(address, f);
    return f;
  }

  /** The target-health atom of a load balancer (healthy targets behind it). */
  loadBalancerAtom(lb: string, region: string | undefined): HealthAtom {
    let a = this.lbAtoms.get(lb);
    if (!a)
      this.lbAtoms.set(lb, (a = { id: `alb:${lb}`, label: `load balancer ${lb} target health`, resource: lb, region }));
    return a;
  }

  /** Region of a load balancer target (from the name, else the stacks). */
  albRegion(t: Extract<R53Target, { kind: 'alb' }>): string | undefined {
    return t.region ?? this.model.loadBalancers.get(t.lb)?.region;
  }

  /** The region a record's own answer is placed in (a load balancer, a hostname or value the context places). */
  private answersIn(record: R53Record): string | undefined {
    const t = record.target;
    if (t.kind === 'alb') return this.albRegion(t);
    if (t.kind === 'cname') return this.context.regionOfHost(t.host);
    if (t.kind === 'external') return this.context.regionOfHost(t.value);
    return undefined;
  }

  /** When Route53 considers a record healthy for a client. */
  record(record: R53Record, client: ClientGroup, qtype: QueryType, depth = 0): Formula {
    if (this.idealDown !== undefined && this.answersIn(record) === this.idealDown) return FALSE;
    const where = this.recordDependsOnLocation(record, qtype) ? locationKey(client) : '';
    let byClient = this.recordFormulas.get(where);
    if (!byClient) this.recordFormulas.set(where, (byClient = new Map()));
    const key = `${record.address}|${qtype}`;
    const memo = byClient.get(key);
    if (memo) return memo;
    // Mark in progress: a record whose target health depends on itself is an unknown signal.
    const loop = atom({
      id: `loop:${record.address}`,
      label: `target health of ${record.address} (an alias loop)`,
      resource: record.address,
    });
    byClient.set(key, loop);
    const parts: Formula[] = [];
    if (record.healthCheck) parts.push(this.healthCheck(record.healthCheck));
    if (record.evaluateTargetHealth) parts.push(this.targetHealth(record, client, qtype, depth));
    const f = and(...parts);
    byClient.set(key, f);
    return f;
  }

  /** evaluate_target_health: the target's own health. */
  targetHealth(record: R53Record, client: ClientGroup, qtype: QueryType, depth = 0): Formula {
    const t = record.target;
    switch (t.kind) {
      case 'alb':
        return atom(this.loadBalancerAtom(t.lb, this.albRegion(t)));
      case 'name': {
        if (depth > MAX_DEPTH)
          return atom({
            id: `depth:${record.address}`,
            label: `target health of ${record.address} (alias chain too deep)`,
            resource: record.address,
          });
        const found = this.lookup(t.zone, t.name, qtype);
        if (found.kind === 'set') return this.setHealthy(found.set, client, qtype, depth + 1);
        return atom({
          id: `target:${t.zone}|${t.name}`,
          label: `target health of ${t.name} (not in the stacks)`,
          resource: record.address,
        });
      }
      default:
        return atom({
          id: `target:${record.address}`,
          label: `target health of ${record.address}'s target`,
          resource: record.address,
        });
    }
  }

  /** Whether a record set has a healthy record for the client (what an alias with evaluate_target_health sees). */
  setHealthy(set: FoundSet, client: ClientGroup, qtype: QueryType, depth = 0): Formula {
    const where = this.setDependsOnLocation(set.records, qtype) ? locationKey(client) : '';
    let byClient = this.setFormulas.get(where);
    if (!byClient) this.setFormulas.set(where, (byClient = new Map()));
    const key = `${set.zone}|${set.name}|${qtype}`;
    const memo = byClient.get(key);
    if (memo) return memo;
    const kind = set.records[0].policy.kind;
    const healthy = (r: R53Record) => this.record(r, client, qtype, depth);
    let f: Formula;
    if (kind === 'geolocation') {
      const lists = this.geolocationCandidates(set.records, client);
      f = lists.length === 0 ? FALSE : or(...lists.map((list) => or(...list.map(healthy))));
    } else if (kind === 'simple') f = and(...set.records.map(healthy));
    else f = or(...set.records.map(healthy));
    byClient.set(key, f);
    return f;
  }

  private readonly locationDependence = new Map<string, boolean>();

  /** Whether a record's health depends on the client's location: evaluate_target_health into a geolocation set. */
  recordDependsOnLocation(record: R53Record, qtype: QueryType, seen: Set<string> = new Set()): boolean {
    if (!record.evaluateTargetHealth || record.target.kind !== 'name') return false;
    const found = this.lookup(record.target.zone, record.target.name, qtype);
    return found.kind === 'set' && this.setDependsOnLocation(found.set.records, qtype, seen);
  }

  /** Whether a set's health depends on the client's location (a geolocation set, or ETH into one). */
  setDependsOnLocation(records: readonly R53Record[], qtype: QueryType, seen: Set<string> = new Set()): boolean {
    const key = `${records[0].zone}|${records[0].name}|${records[0].type}|${qtype}`;
    const known = this.locationDependence.get(key);
    if (known !== undefined) return known;
    if (seen.has(key)) return true;
    seen.add(key);
    const v =
      records[0].policy.kind === 'geolocation' || records.some((r) => this.recordDependsOnLocation(r, qtype, seen));
    this.locationDependence.set(key, v);
    return v;
  }

  /**
   * Geolocation records matching a client, most specific first (subdivision, country, continent, default). A VPC
   * client's subdivision is not known (Route53 places a VPC by its region), so each subdivision record of its
   * country gives one more candidate list.
   */
  geolocationCandidates(set: readonly R53Record[], client: ClientGroup): R53Record[][] {
    let byClient = this.geoCache.get(set);
    if (!byClient) this.geoCache.set(set, (byClient = new Map()));
    let c = byClient.get(client);
    if (!c) {
      const base = geolocationCandidates(set, client);
      c = [base];
      if (client.vpc) {
        for (const r of set) {
          if (r.policy.kind === 'geolocation' && r.policy.subdivision && r.policy.country === client.country)
            c.push([r, ...base]);
        }
      }
      c = c.filter((l) => l.length > 0);
      byClient.set(client, c);
    }
    return c;
  }
}

const QUERY_TYPES_ALL = ['A', 'AAAA', 'CNAME', 'HTTPS', 'SVCB', 'NS'];

const locationKeys = new WeakMap<ClientGroup, string>();

/** What geolocation matching sees of a client: country, subdivision, continent, and whether it is a VPC. */
function locationKey(client: ClientGroup): string {
  let k = locationKeys.get(client);
  if (k === undefined)
    locationKeys.set(
      client,
      (k =
        `${client.vpc ? `vpc:${client.vpc.region}:${client.vpc.zones.join(',')}` : ''}|${client.country ?? ''}|` +
        `${client.subdivision ?? ''}|${client.continent}`),
    );
  return k;
}

/** Geolocation records matching a client, most specific first (subdivision, country, continent, default). */
export function geolocationCandidates(set: readonly R53Record[], client: ClientGroup): R53Record[] {
  const rank = (r: R53Record): number => {
    const g = r.policy.kind === 'geolocation' ? r.policy : undefined;
    if (!g) return -1;
    if (g.country === '*') return 3;
    if (g.subdivision) return client.country === g.country && client.subdivision === g.subdivision ? 0 : -1;
    if (g.country) return client.country === g.country ? 1 : -1;
    if (g.continent) return client.continent === g.continent ? 2 : -1;
    return -1;
  };
  return set.filter((r) => rank(r) >= 0).sort((a, b) => rank(a) - rank(b) || a.address.localeCompare(b.address));
}

/** The point a latency record stands for (its region), or undefined. */
export function latencyPoint(r: R53Record): { latitude: number; longitude: number } | undefined {
  const region = r.policy.kind === 'latency' ? r.policy.region : undefined;
  return region && isKnownRegion(region) ? regionInfo(region) : undefined;
}

/** The point and bias of a geoproximity record, or undefined. */
export function proximityPoint(r: R53Record): { latitude: number; longitude: number; bias: number } | undefined {
  if (r.policy.kind !== 'geoproximity') return undefined;
  const p = r.policy;
  const point =
    p.region && isKnownRegion(p.region)
      ? regionInfo(p.region)
      : p.latitude !== undefined && p.longitude !== undefined
        ? { latitude: p.latitude, longitude: p.longitude }
        : undefined;
  return point ? { latitude: point.latitude, longitude: point.longitude, bias: p.bias } : undefined;
}

/** The hostname of a target, for matching declarations and messages. */
export function targetName(t: R53Target): string {
  switch (t.kind) {
    case 'alb':
      return t.lb;
    case 'name':
      return t.name;
    case 'cname':
      return t.host;
    case 'external':
      return normalizeDnsName(t.value);
    case 'delegation':
      return t.servers.join(', ');
  }
}
