/*
 * Route53 front doors: the names clients resolve (in every public zone that holds them, and in every private zone,
 * whose clients are the VPCs associated with it), assembled from the model, the evaluator of one health state, the
 * reachability over all of them and the failover timing.
 */
import { isKnownRegion, regionInfo } from '../spec/regions';
import { residencyOfRegion } from '../spec/residency';
import { normalizeDnsName } from './input';
import type { ClientGroup, Detection, DiagramPart, FailoverPath, GraphContext, HealthState, Landing, ReachPath, ServiceIntent } from './model';
import { Route53Lookup } from './route53-health';
import { QUERY_TYPES, type R53Record, type R53Zone, type Route53Model } from './route53-model';
import { Route53Reach } from './route53-reach';
import { describePolicy, Route53Evaluator } from './route53-resolve';
import { pathFailover, route53Probes } from './route53-timing';

/**
 * A change that keeps a leaking client group in its jurisdiction, read from the leaking path:
 * - the path falls through a geolocation record whose own target stays in the jurisdiction: stop the fall-through;
 * - the client's own location record points elsewhere, or the client has none: point it (or add one) where a
 *   sibling record of the same set keeps another client of the jurisdiction inside.
 */
function route53ResidencyRemedy(model: Route53Model, reach: Route53Reach, path: ReachPath, client: ClientGroup, jurisdiction: string, allowed: (l: ReachPath['landing']) => boolean): string | undefined {
  const stays = (r: R53Record) =>
    r.targets.every((t) => {
      if (t.kind === 'alb') return allowed({ region: t.region ?? model.loadBalancers.get(t.lb)?.region, endpoint: t.lb });
      if (t.kind === 'name') {
        const paths = reach.reach(t.zone, t.name, 'A', client, 1);
        return paths.length > 0 && paths.every((p) => allowed(p.landing));
      }
      return false;
    });
  const records = path.path.map((s) => ({ step: s, record: model.records.get(s.address) })).filter((x): x is { step: typeof x.step; record: R53Record } => !!x.record);
  const fallThrough = records.find((x) => x.step.note?.startsWith('passed over') && x.record.policy.kind === 'geolocation' && stays(x.record));
  if (fallThrough) {
    const r = fallThrough.record;
    return `set evaluate_target_health false${r.healthCheck ? ' and remove health_check_id' : ''} on ${r.address}: Route53 then never falls through it to a less specific location, and answers inside jurisdiction ${jurisdiction} even when every region there is unhealthy`;
  }
  const first = records[0]?.record;
  if (!first || first.policy.kind !== 'geolocation') return undefined;
  const set = model.sets.get(`${first.zone}|${first.name}|${first.type}`) ?? [];
  const sibling = set.find((r) => r !== first && r.policy.kind === 'geolocation' && r.policy.country !== '*' && r.targets.every((t) => t.kind === 'name') && stays(r));
  if (!sibling || sibling.target.kind !== 'name') return undefined;
  const own = first.policy.country !== '*' && (first.policy.country === client.country || (!first.policy.country && first.policy.continent === client.continent));
  if (own) return `point ${first.address} at ${sibling.target.name} with evaluate_target_health false, as ${sibling.address} does`;
  if (!client.country) return undefined;
  return `add a geolocation record for country ${client.country} to ${first.name} aliasing ${sibling.target.name} with evaluate_target_health false, as ${sibling.address} does (${client.label} now falls to ${first.address})`;
}

/** A name clients resolve, in one zone. */
export interface Route53Entry {
  readonly zone: string;
  readonly name: string;
  readonly private: boolean;
}

/**
 * Names clients resolve: the intent's routing domain in every zone holding it (public zones unless Cloudflare alone
 * is the front door; private zones always, their VPCs resolve through them), else routed names nothing points to.
 */
export function route53Entries(model: Route53Model, intent: Pick<ServiceIntent, 'routingDomain' | 'frontDoor'>): Route53Entry[] {
  const holding = (name: string) => {
    const zones = new Set<string>();
    for (const key of model.sets.keys()) {
      const [zone, n, type] = key.split('|');
      if (n === name && type !== 'NS') zones.add(zone);
    }
    // A record the model cannot read, at this name of a known zone, still answers it there.
    for (const u of model.unresolved) if (u.zone && u.name === name) zones.add(u.zone);
    return [...zones].sort();
  };
  const isPrivate = (zone: string) => model.zones.get(zone)?.private ?? false;
  if (intent.routingDomain) {
    const name = normalizeDnsName(intent.routingDomain);
    return holding(name)
      .map((zone) => ({ zone, name, private: isPrivate(zone) }))
      .filter((e) => e.private || intent.frontDoor !== 'cloudflare');
  }
  const targeted = new Set<string>();
  for (const list of model.sets.values()) {
    for (const r of list) for (const t of r.targets) if (t.kind === 'name' || t.kind === 'cname') targeted.add(t.kind === 'name' ? t.name : t.host);
  }
  const out = new Map<string, Route53Entry>();
  for (const list of model.sets.values()) {
    const routed = list.some((r) => r.policy.kind !== 'simple');
    const r = list[0];
    if (routed && !targeted.has(r.name) && r.type !== 'NS') out.set(`${r.zone}|${r.name}`, { zone: r.zone, name: r.name, private: isPrivate(r.zone) });
  }
  return [...out.values()];
}

/** Record sets reachable from an entry name (breadth first, every query type), for the diagram and location keys. */
export function reachableSets(evaluator: Route53Evaluator, zone: string, name: string): R53Record[][] {
  const out: R53Record[][] = [];
  const seen = new Set<string>();
  const queue: { zone: string; name: string }[] = [{ zone, name }];
  while (queue.length > 0) {
    const next = queue.shift()!;
    for (const q of QUERY_TYPES) {
      const set = evaluator.setOf(next.zone, next.name, q);
      if (!set || seen.has(`${set[0].zone}|${set[0].name}|${set[0].type}`)) continue;
      seen.add(`${set[0].zone}|${set[0].name}|${set[0].type}`);
      out.push([...set]);
      for (const r of set) {
        for (const t of r.targets) {
          if (t.kind === 'name') queue.push({ zone: t.zone, name: t.name });
          if (t.kind === 'cname') for (const z of evaluator.lookup.zonesFor(PUBLIC_PROBE, t.host)) queue.push({ zone: z, name: t.host });
        }
      }
    }
  }
  return out;
}

/** A stand-in client for zone lookups that do not depend on the client (public view). */
const PUBLIC_PROBE: ClientGroup = { id: 'probe', label: 'probe', kind: 'elsewhere', continent: 'EU', cloudflareRegion: 'WEU', latitude: 0, longitude: 0 };

/** `countries AT, BE, BG +24` for the records of one diagram edge. */
function summariseLocations(records: readonly R53Record[]): string {
  const items = records.map((r) => {
    const p = r.policy;
    if (p.kind === 'geolocation') return p.country === '*' ? 'default' : p.subdivision ? `${p.country}-${p.subdivision}` : (p.country ?? p.continent ?? '?');
    if (p.kind === 'weighted') return String(p.weight);
    if (p.kind === 'latency') return p.region;
    return r.setIdentifier ?? '?';
  });
  return items.length <= 6 ? items.join(', ') : `${items.slice(0, 6).join(', ')} +${items.length - 6}`;
}

/** The VPC client groups of a private zone: one per region (and set of associated private zones). */
export function vpcClients(model: Route53Model, context: GraphContext, zone: R53Zone): ClientGroup[] {
  const zonesOfVpc = new Map<string, Set<string>>();
  for (const z of model.zones.values()) for (const v of z.vpcs) zonesOfVpc.set(v.vpc, (zonesOfVpc.get(v.vpc) ?? new Set()).add(z.key));
  const groups = new Map<string, { region?: string; zones: string[]; vpcs: string[] }>();
  for (const v of zone.vpcs) {
    const zones = [...(zonesOfVpc.get(v.vpc) ?? new Set([zone.key]))].sort();
    const key = `${v.region ?? '?'}|${zones.join(',')}`;
    const g = groups.get(key) ?? { region: v.region, zones, vpcs: [] };
    g.vpcs.push(v.vpc);
    groups.set(key, g);
  }
  const perRegion = new Map<string, number>();
  const out: ClientGroup[] = [];
  for (const g of [...groups.values()].sort((a, b) => (a.region ?? '~').localeCompare(b.region ?? '~'))) {
    const region = g.region && isKnownRegion(g.region) ? g.region : undefined;
    const n = (perRegion.get(g.region ?? '?') ?? 0) + 1;
    perRegion.set(g.region ?? '?', n);
    const suffix = n > 1 ? `#${n}` : '';
    const info = region ? regionInfo(region) : undefined;
    const jurisdiction = vpcJurisdiction(context, g.region);
    out.push({
      id: `vpc:${g.region ?? 'unknown'}${suffix}`,
      label: `${jurisdiction && jurisdiction !== UNKNOWN_JURISDICTION ? `${jurisdiction}: ` : ''}VPCs in ${g.region ?? 'an unknown region'}${suffix}`,
      kind: 'vpc',
      jurisdiction,
      country: info?.country,
      continent: info?.continent ?? 'AN',
      cloudflareRegion: info?.cloudflareRegion ?? 'WEU',
      latitude: info?.latitude ?? 0,
      longitude: info?.longitude ?? 0,
      vpc: { region: g.region ?? 'unknown', zones: g.zones, vpcs: g.vpcs },
    });
  }
  return out;
}

/** The jurisdiction of a VPC whose region is unknown: it could be bound to any, so every answer must be shown. */
export const UNKNOWN_JURISDICTION = '(unknown: the VPC region is not known at synth)';

/**
 * A VPC's clients are in its region's jurisdiction when that jurisdiction has residency clients; else in the
 * jurisdiction whose residency group covers the region's country or continent.
 */
function vpcJurisdiction(context: GraphContext, region: string | undefined): string | undefined {
  const residency = context.intent.residency;
  if (Object.keys(residency).length === 0) return undefined;
  if (!region || !isKnownRegion(region)) return UNKNOWN_JURISDICTION;
  return residencyOfRegion(region, context.jurisdictionOf(region), residency);
}

/** Builds the Route53 front door of one entry name in one zone. */
export function route53FrontDoor(model: Route53Model, context: GraphContext, entry: Route53Entry, index = 0) {
  const lookup = new Route53Lookup(model, context);
  const evaluator = new Route53Evaluator(model, context, lookup);
  const reach = new Route53Reach(model, context, lookup);
  const zone = model.zones.get(entry.zone);
  const zoneLabel = zone?.address ?? entry.zone;
  const id = entry.private ? `route53-private:${entry.name}@${entry.zone}` : index === 0 ? `route53:${entry.name}` : `route53:${entry.name}@${entry.zone}`;
  const label = entry.private ? `Route53 private zone ${entry.name} (${zoneLabel})` : index === 0 ? `Route53 ${entry.name}` : `Route53 ${entry.name} (${zoneLabel})`;
  const sets = reachableSets(evaluator, entry.zone, entry.name);
  const resources = [...new Set([...sets.flat().map((r) => r.address), ...(zone?.address ? [zone.address] : [])])];
  const own = entry.private && zone ? vpcClients(model, context, zone) : [];
  const ownIds = new Set(own.map((c) => c.id));
  const detection = (path: ReachPath): Detection => {
    const l = path.landing;
    if (l.declared) return { seconds: l.declared.failoverSeconds, breakdown: `${l.endpoint} is declared to fail over within ${l.declared.failoverSeconds} s (${l.declared.declaredBy})`, resources: path.path.map((s) => s.address), causes: [{ kind: 'declared', endpoint: l.declared }] };
    if (!l.region) return { seconds: Number.POSITIVE_INFINITY, breakdown: `unknown: ${l.unplaced ?? `${l.endpoint} is not placed`}`, resources: path.path.map((s) => s.address), causes: [{ kind: 'undetected', why: l.unplaced ?? `${l.endpoint} is not placed` }] };
    return pathFailover(model, context, path.path, l.region);
  };
  return {
    kind: 'route53',
    id,
    label,
    resources,
    evaluator,
    entry,
    resolve(client: ClientGroup, health: HealthState) {
      return evaluator.resolveEntry(entry.zone, entry.name, client, health);
    },
    reach: (client: ClientGroup) => reach.entry(entry.zone, entry.name, client),
    pathFailover: detection,
    // Records that can detect a failure or set a TTL decide the figure; plain aliases without checks do not.
    failoverKey: (path: ReachPath) =>
      path.path
        .filter((s) => !s.note?.startsWith('passed over'))
        .map((s) => model.records.get(s.address))
        .filter((r): r is R53Record => !!r && (!!r.healthCheck || r.evaluateTargetHealth || !r.alias || r.target.kind === 'alb'))
        .map((r) => r.address)
        .join('>'),
    residencyRemedy: (path: ReachPath, client: ClientGroup, jurisdiction: string, allowed: (l: ReachPath['landing']) => boolean) => route53ResidencyRemedy(model, reach, path, client, jurisdiction, allowed),
    serves: (client: ClientGroup) => (entry.private ? ownIds.has(client.id) : !client.vpc),
    clients: () => own,
    failoverPaths(normal: readonly { client: ClientGroup; landings: readonly Landing[] }[]): FailoverPath[] {
      const grouped = new Map<string, { region: string; detection: Detection; clients: Set<string> }>();
      for (const answer of normal) {
        for (const landing of answer.landings) {
          if (landing.possible || !landing.region || landing.share <= 0) continue;
          const d = pathFailover(model, context, landing.path, landing.region);
          const key = `${landing.region}|${d.seconds}|${d.breakdown}`;
          const g = grouped.get(key) ?? { region: landing.region, detection: d, clients: new Set<string>() };
          g.clients.add(answer.client.label);
          grouped.set(key, g);
        }
      }
      return [...grouped.values()].map((g) => ({ frontDoor: label, region: g.region, seconds: g.detection.seconds, breakdown: g.detection.breakdown, resources: g.detection.resources, clients: [...g.clients] }));
    },
    probes: () => route53Probes(model, context, label),
    diagram(): DiagramPart {
      const nodes: { id: string; label: string; shape?: 'box' | 'round' | 'stadium' | 'hexagon' }[] = [];
      const edges: { from: string; to: string; label?: string; dotted?: boolean }[] = [];
      const setId = (name: string) => `set:${entry.private ? `${entry.zone}:` : ''}${name}`;
      for (const set of sets) {
        const kinds = [...new Set(set.map((r) => r.policy.kind))].join('/');
        const type = set[0].type === 'A' ? '' : ` ${set[0].type}`;
        if (!nodes.some((n) => n.id === setId(set[0].name))) nodes.push({ id: setId(set[0].name), label: `${set[0].name}${type} (${kinds}${entry.private ? ', private zone' : ''})`, shape: set[0].name === entry.name ? 'stadium' : 'box' });
        // Records with the same target and kind share an edge (27 country records to one set are one arrow).
        const byTarget = new Map<string, R53Record[]>();
        for (const r of set) {
          for (const t of r.targets) {
            const region = t.kind === 'alb' ? lookup.albRegion(t) : t.kind === 'cname' ? context.regionOfHost(t.host) : undefined;
            const to =
              t.kind === 'name' ? setId(t.name) : t.kind === 'cname' && evaluator.setOf(entry.zone, t.host) ? setId(t.host) : region ? `region:${region}` : `endpoint:${t.kind === 'alb' ? t.lb : t.kind === 'cname' ? t.host : t.kind === 'external' ? t.value : 'delegated'}`;
            const key = `${to}|${r.policy.kind}|${!!r.healthCheck}|${r.evaluateTargetHealth}`;
            byTarget.set(key, [...(byTarget.get(key) ?? []), r]);
          }
        }
        for (const [key, records] of byTarget) {
          const r = records[0];
          const policy = records.length === 1 ? describePolicy(r.policy) : `${r.policy.kind} ${summariseLocations(records)}`;
          const edgeLabel = `${policy}${r.healthCheck ? ' + hc' : ''}${r.alias && !r.evaluateTargetHealth ? ' (no ETH)' : ''}`;
          edges.push({ from: setId(set[0].name), to: key.split('|')[0], label: edgeLabel });
        }
      }
      return { nodes, edges, entry: setId(entry.name) };
    },
    locations() {
      const countries = new Set<string>();
      const continents = new Set<string>();
      const subdivisions: { country: string; subdivision: string }[] = [];
      for (const r of sets.flat()) {
        if (r.policy.kind !== 'geolocation') continue;
        if (r.policy.subdivision && r.policy.country) subdivisions.push({ country: r.policy.country, subdivision: r.policy.subdivision });
        else if (r.policy.country && r.policy.country !== '*') countries.add(r.policy.country);
        else if (r.policy.continent) continents.add(r.policy.continent);
      }
      return { countries: [...countries], continents: [...continents], subdivisions, cloudflareRegions: [] };
    },
  };
}
