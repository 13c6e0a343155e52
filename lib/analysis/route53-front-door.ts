/*
 * Route53 front doors: the names clients resolve (in every public zone that holds them, and in every private zone,
 * whose clients are the VPCs associated with it), assembled from the model, the evaluator of one health state, the
 * reachability over all of them and the failover timing.
 */
import { isKnownRegion, regionInfo } from '../spec/regions';
import { residencyOfRegion } from '../spec/residency';
import { normalizeDnsName } from './input';
import type {
  ClientGroup,
  Detection,
  DiagramPart,
  FailoverPath,
  GraphContext,
  HealthState,
  Landing,
  ReachPath,
  ServiceIntent,
} from './model';
import { Route53Lookup } from './route53-health';
import { QUERY_TYPES, type R53Record, type R53Target, type Route53Model } from './route53-model';
import { LAST_RESORT_NOTE, Route53Reach } from './route53-reach';
import { describePolicy, Route53Evaluator } from './route53-resolve';
import { pathFailover, route53Probes } from './route53-timing';

/**
 * A change that keeps a leaking client group in its jurisdiction, read from the leaking path:
 * - the path falls through a geolocation record whose own target stays in the jurisdiction: stop the fall-through;
 * - the client's own location record points elsewhere, or the client has none: point it (or add one) where a
 *   sibling record of the same set keeps another client of the jurisdiction inside.
 */
function route53ResidencyRemedy(
  model: Route53Model,
  reach: Route53Reach,
  path: ReachPath,
  client: ClientGroup,
  jurisdiction: string,
  allowed: (l: ReachPath['landing']) => boolean,
): string | undefined {
  const stays = (r: R53Record) =>
    r.targets.every((t) => {
      if (t.kind === 'alb')
        return allowed({ region: t.region ?? model.loadBalancers.get(t.lb)?.region, endpoint: t.lb });
      if (t.kind === 'name') {
        const paths = reach.reach(t.zone, t.name, 'A', client, 1);
        return paths.length > 0 && paths.every((p) => allowed(p.landing));
      }
      return false;
    });
  const records = path.path
    .map((s) => ({ step: s, record: model.records.get(s.address) }))
    .filter((x): x is { step: typeof x.step; record: R53Record } => !!x.record);
  const fallThrough = records.find(
    (x) => x.step.note?.startsWith('passed over') && x.record.policy.kind === 'geolocation' && stays(x.record),
  );
  if (fallThrough) {
    const r = fallThrough.record;
    return (
      `set evaluate_target_health false${r.healthCheck ? ' and remove health_check_id' : ''} on ${r.address}: ` +
      'Route53 then never falls through it to a less specific location, and answers inside jurisdiction ' +
      `${jurisdiction} even when every region there is unhealthy`
    );
  }
  const first = records[0]?.record;
  if (first?.policy.kind !== 'geolocation') return undefined;
  const set = model.sets.get(`${first.zone}|${first.name}|${first.type}`) ?? [];
  const sibling = set.find(
    (r) =>
      r !== first &&
      r.policy.kind === 'geolocation' &&
      r.policy.country !== '*' &&
      r.targets.every((t) => t.kind === 'name') &&
      stays(r),
  );
  if (sibling?.target.kind !== 'name') return undefined;
  const own =
    first.policy.country !== '*' &&
    (first.policy.country === client.country || (!first.policy.country && first.policy.continent === client.continent));
  if (own)
    return (
      `point ${first.address} at ${sibling.target.name} with evaluate_target_health false, as ${sibling.address} ` +
      'does'
    );
  if (!client.country) return undefined;
  return (
    `add a geolocation record for country ${client.country} to ${first.name} aliasing ${sibling.target.name} ` +
    `with evaluate_target_health false, as ${sibling.address} does (${client.label} now falls to ` +
    `${first.address})`
  );
}

/** A name clients resolve, in one zone. */
export interface Route53Entry {
  readonly zone: string;
  readonly name: string;
  readonly private: boolean;
}

/** Lookups for entry discovery: the resolution rules (wildcards, delegations) without a client. */
const entryLookups = new WeakMap<Route53Model, Route53Lookup>();
function entryLookup(model: Route53Model): Route53Lookup {
  let l = entryLookups.get(model);
  if (!l) entryLookups.set(model, (l = new Route53Lookup(model, { regionOfHost: () => undefined })));
  return l;
}

const covers = (zoneName: string, name: string) => name === zoneName || name.endsWith(`.${zoneName}`);

/**
 * The private zones of a VPC (given by its zone set) that answer `name`, per the Route53 Resolver: the most
 * specific associated private zone whose name covers the name answers alone (a name it lacks is NXDOMAIN, never the
 * public answer); a zone whose name is unknown at synth might be that zone, so it is listed too. Empty: no private
 * zone of the VPC covers the name, public DNS answers.
 */
export function answeringPrivateZones(model: Route53Model, zones: readonly string[], name: string): string[] {
  let best: string[] = [];
  let bestLength = -1;
  const unknown: string[] = [];
  for (const key of zones) {
    const zoneName = model.zones.get(key)?.name;
    if (zoneName === undefined) unknown.push(key);
    else if (covers(zoneName, name)) {
      if (zoneName.length > bestLength) [best, bestLength] = [[key], zoneName.length];
      else if (zoneName.length === bestLength) best.push(key);
    }
  }
  return [...best, ...unknown].sort();
}

/** A set of VPCs that resolve alike: one region, one set of associated private zones. */
interface VpcGroup {
  readonly region?: string;
  readonly zones: readonly string[];
  readonly vpcs: readonly string[];
}

const vpcGroupCache = new WeakMap<Route53Model, VpcGroup[]>();

/**
 * Every VPC associated with a private zone, grouped by region and by the exact set of private zones it is
 * associated with (VPCs with different zone sets resolve differently and are never merged).
 */
function vpcGroups(model: Route53Model): VpcGroup[] {
  const cached = vpcGroupCache.get(model);
  if (cached) return cached;
  const zonesOfVpc = new Map<string, Set<string>>();
  const regionsOfVpc = new Map<string, Set<string | undefined>>();
  for (const z of model.zones.values()) {
    for (const v of z.vpcs) {
      zonesOfVpc.set(v.vpc, (zonesOfVpc.get(v.vpc) ?? new Set()).add(z.key));
      regionsOfVpc.set(v.vpc, (regionsOfVpc.get(v.vpc) ?? new Set()).add(v.region));
    }
  }
  const groups = new Map<string, { region?: string; zones: string[]; vpcs: string[] }>();
  for (const [vpc, zoneSet] of zonesOfVpc) {
    const zones = [...zoneSet].sort();
    // A VPC declared in several regions (a contradiction the analysis cannot settle) is a client in each.
    for (const region of regionsOfVpc.get(vpc)!) {
      const key = `${region ?? '?'}|${zones.join(',')}`;
      const g = groups.get(key) ?? { region, zones, vpcs: [] };
      g.vpcs.push(vpc);
      groups.set(key, g);
    }
  }
  const out = [...groups.values()].sort(
    (a, b) => (a.region ?? '~').localeCompare(b.region ?? '~') || a.zones.join(',').localeCompare(b.zones.join(',')),
  );
  vpcGroupCache.set(model, out);
  return out;
}

/**
 * Names clients resolve: the intent's routing domain (else routed names nothing points to) in every zone that can
 * answer it, by the rules resolution uses (an exact record set, or a wildcard for a name the zone does not hold):
 * - public zones (unless Cloudflare alone is the front door): every public zone holding the name or covering it
 *   with a wildcard (which zone the registrar's delegation reaches is not known at synth, so each one may answer);
 * - private zones: for every VPC, the private zone the Route53 Resolver answers it from (the most specific
 *   associated zone covering the name), whether or not it holds the name (a missing name is NXDOMAIN there).
 */
export function route53Entries(
  model: Route53Model,
  intent: Pick<ServiceIntent, 'routingDomain' | 'frontDoor'>,
): Route53Entry[] {
  const lookup = entryLookup(model);
  const isPrivate = (zone: string) => model.zones.get(zone)?.private ?? false;
  const exact: Route53Entry[] = [];
  const wildcard: Route53Entry[] = [];
  const privateEntries = new Map<string, Route53Entry>();
  const addPrivate = (name: string) => {
    for (const g of vpcGroups(model))
      for (const zone of answeringPrivateZones(model, g.zones, name))
        privateEntries.set(`${zone}|${name}`, { zone, name, private: true });
  };
  if (intent.routingDomain) {
    const name = normalizeDnsName(intent.routingDomain);
    const holding = new Set<string>();
    for (const key of model.sets.keys()) {
      const [zone, n, type] = key.split('|');
      if (n === name && type !== 'NS' && !isPrivate(zone)) holding.add(zone);
    }
    // A record the model cannot read, at this name of a known public zone, still answers it there.
    for (const u of model.unresolved) if (u.zone && u.name === name && !isPrivate(u.zone)) holding.add(u.zone);
    exact.push(...[...holding].map((zone) => ({ zone, name, private: false })));
    for (const z of model.zones.values()) {
      if (z.private || z.name === undefined || holding.has(z.key) || !covers(z.name, name)) continue;
      if (QUERY_TYPES.some((q) => lookup.lookup(z.key, name, q).kind === 'set'))
        wildcard.push({ zone: z.key, name, private: false });
    }
    addPrivate(name);
  } else {
    const targeted = new Set<string>();
    for (const list of model.sets.values()) {
      for (const r of list)
        for (const t of r.targets)
          if (t.kind === 'name' || t.kind === 'cname') targeted.add(t.kind === 'name' ? t.name : t.host);
    }
    const routedNames = new Set<string>();
    const seen = new Set<string>();
    for (const list of model.sets.values()) {
      const routed = list.some((r) => r.policy.kind !== 'simple');
      const r = list[0];
      if (!routed || targeted.has(r.name) || r.type === 'NS') continue;
      routedNames.add(r.name);
      if (!isPrivate(r.zone) && !seen.has(`${r.zone}|${r.name}`)) {
        seen.add(`${r.zone}|${r.name}`);
        exact.push({ zone: r.zone, name: r.name, private: false });
      }
    }
    for (const name of routedNames) addPrivate(name);
  }
  const publicEntries = intent.frontDoor === 'cloudflare' ? [] : exact;
  const ordered = [...publicEntries, ...privateEntries.values()].sort(
    (a, b) => a.zone.localeCompare(b.zone) || a.name.localeCompare(b.name),
  );
  return [
    ...ordered,
    ...(intent.frontDoor === 'cloudflare' ? [] : wildcard.sort((a, b) => a.zone.localeCompare(b.zone))),
  ];
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
          if (t.kind === 'cname')
            for (const z of evaluator.lookup.zonesFor(PUBLIC_PROBE, t.host)) queue.push({ zone: z, name: t.host });
        }
      }
    }
  }
  return out;
}

/** A stand-in client for zone lookups that do not depend on the client (public view). */
const PUBLIC_PROBE: ClientGroup = {
  id: 'probe',
  label: 'probe',
  kind: 'elsewhere',
  continent: 'EU',
  cloudflareRegion: 'WEU',
  latitude: 0,
  longitude: 0,
};

/** `countries AT, BE, BG +24` for the records of one diagram edge. */
function summariseLocations(records: readonly R53Record[]): string {
  const items = records.map((r) => {
    const p = r.policy;
    if (p.kind === 'geolocation')
      return p.country === '*'
        ? 'default'
        : p.subdivision
          ? `${p.country}-${p.subdivision}`
          : (p.country ?? p.continent ?? '?');
    if (p.kind === 'weighted') return String(p.weight);
    if (p.kind === 'latency') return p.region;
    return r.setIdentifier ?? '?';
  });
  return items.length <= 6 ? items.join(', ') : `${items.slice(0, 6).join(', ')} +${items.length - 6}`;
}

const vpcClientCache = new WeakMap<Route53Model, WeakMap<GraphContext, ClientGroup[]>>();

/**
 * Every VPC group as a client group (shared objects, so every front door names the same clients): identified by
 * its region and its exact set of associated private zones.
 */
export function vpcClientGroups(model: Route53Model, context: GraphContext): ClientGroup[] {
  let byContext = vpcClientCache.get(model);
  if (!byContext) vpcClientCache.set(model, (byContext = new WeakMap()));
  const cached = byContext.get(context);
  if (cached) return cached;
  const groups = vpcGroups(model);
  const perRegion = new Map<string, number>();
  for (const g of groups) perRegion.set(g.region ?? '?', (perRegion.get(g.region ?? '?') ?? 0) + 1);
  const out = groups.map((g): ClientGroup => {
    const region = g.region && isKnownRegion(g.region) ? g.region : undefined;
    // Several groups in one region are told apart by their VPCs.
    const names = g.vpcs.map(vpcName);
    const suffix =
      (perRegion.get(g.region ?? '?') ?? 0) > 1
        ? ` (${names.slice(0, 2).join(', ')}${names.length > 2 ? ` +${names.length - 2}` : ''})`
        : '';
    const info = region ? regionInfo(region) : undefined;
    const jurisdiction = vpcJurisdiction(context, g.region);
    return {
      id: `vpc:${g.region ?? 'unknown'}|${g.zones.join(',')}`,
      label:
        `${jurisdiction && jurisdiction !== UNKNOWN_JURISDICTION ? `${jurisdiction}: ` : ''}VPCs in ` +
        `${g.region ?? 'an unknown region'}${suffix}`,
      kind: 'vpc',
      jurisdiction,
      country: info?.country,
      continent: info?.continent ?? 'AN',
      cloudflareRegion: info?.cloudflareRegion ?? 'WEU',
      latitude: info?.latitude ?? 0,
      longitude: info?.longitude ?? 0,
      vpc: { region: g.region ?? 'unknown', zones: g.zones, vpcs: g.vpcs },
    };
  });
  byContext.set(context, out);
  return out;
}

/** `${aws_vpc.Main.id}` -> `aws_vpc.Main`; a literal id as written. */
function vpcName(vpc: string): string {
  const m = /^\$\{\s*(aws_vpc)\.([A-Za-z0-9_-]+)\.id\s*\}$/.exec(vpc);
  return m ? `${m[1]}.${m[2]}` : vpc;
}

/**
 * The VPC client groups of an entry: for a private entry, the VPCs the Route53 Resolver answers the name for from
 * that zone; for a public one, the VPCs with a private zone none of which covers the name (public DNS answers
 * them, but names on the way may fall into their private zones).
 */
export function vpcClients(model: Route53Model, context: GraphContext, entry: Route53Entry): ClientGroup[] {
  return vpcClientGroups(model, context).filter((c) => {
    const answering = answeringPrivateZones(model, c.vpc!.zones, entry.name);
    return entry.private ? answering.includes(entry.zone) : answering.length === 0;
  });
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
  const id = entry.private
    ? `route53-private:${entry.name}@${entry.zone}`
    : index === 0
      ? `route53:${entry.name}`
      : `route53:${entry.name}@${entry.zone}`;
  const label = entry.private
    ? `Route53 private zone ${entry.name} (${zoneLabel})`
    : index === 0
      ? `Route53 ${entry.name}`
      : `Route53 ${entry.name} (${zoneLabel})`;
  const sets = reachableSets(evaluator, entry.zone, entry.name);
  const resources = [...new Set([...sets.flat().map((r) => r.address), ...(zone?.address ? [zone.address] : [])])];
  // The VPC clients this entry answers (a VPC's resolution uses exactly its own private zones).
  const own = vpcClients(model, context, entry);
  const ownIds = new Set(own.map((c) => c.id));
  // A private zone whose name is unknown at synth might answer the name with records the analysis cannot see.
  const unknownZone =
    entry.private && zone?.name === undefined
      ? `private zone ${zoneLabel} (associated with ${own.map((c) => c.label).join(', ') || 'VPCs'}) has a name ` +
        `that is not known at synth: it may answer ${entry.name} with any record`
      : undefined;
  const withUnknownZone = (paths: ReachPath[]): ReachPath[] =>
    unknownZone
      ? [
          ...paths,
          {
            landing: { endpoint: zoneLabel, unplaced: unknownZone },
            path: [{ address: zoneLabel, label: `private zone ${zoneLabel}`, note: unknownZone }],
            conditions: [],
            kind: 'answer' as const,
          },
        ]
      : paths;
  // Resolver rules that may forward this name away from the zones for a VPC client: a possible answer from
  // outside the stacks (fail closed), with the remedy that removes it.
  // One list per client group (the proofs key their caches by path object).
  const forwardedPaths = new Map<string, ReachPath[]>();
  const forwardedBy = (client: ClientGroup): ReachPath[] => {
    if (!client.vpc || model.resolverRules.length === 0) return [];
    let out = forwardedPaths.get(client.id);
    if (out) return out;
    out = [];
    forwardedPaths.set(client.id, out);
    for (const rule of model.resolverRules) {
      if (rule.forwards === false) continue;
      if (
        rule.domain !== undefined &&
        rule.domain !== '' &&
        entry.name !== rule.domain &&
        !entry.name.endsWith(`.${rule.domain}`)
      )
        continue;
      // An association names this group's VPC, or a VPC the analysis cannot tell apart from it.
      const associations = rule.associations.filter(
        (a) => client.vpc!.vpcs.includes(a.vpc) || !/^\$\{\s*aws_vpc\.[A-Za-z0-9_-]+\.id\s*\}$/.test(a.vpc),
      );
      if (associations.length === 0) continue;
      const what = rule.forwards === undefined ? 'may forward (its type is not known at synth)' : 'forwards';
      const domain =
        rule.domain === undefined ? 'names not known at synth' : rule.domain === '' ? 'every name' : rule.domain;
      const why =
        `resolver rule ${rule.address} ${what} queries for ${domain} from ${client.label} to ${rule.targets}: ` +
        'Route53 Resolver uses it over the private zone, and the answer comes from DNS servers outside the stacks';
      out.push({
        landing: {
          endpoint: `${rule.address} (forwards to ${rule.targets})`,
          unplaced: why,
          fix:
            `remove the association of ${rule.address} with the VPC ` +
            `(${associations.map((a) => a.declaredBy).join(', ')}), or narrow its domain_name so it does not ` +
            `cover ${entry.name}`,
        },
        path: [{ address: rule.address, label: `resolver rule ${rule.address}`, note: why }],
        conditions: [],
        kind: 'answer',
      });
    }
    return out;
  };
  // Built only when a failed region seems to leave clients nowhere to go (see reach-proofs.ts).
  const idealReaches = new Map<string, Route53Reach>();
  const detection = (path: ReachPath): Detection => {
    const l = path.landing;
    if (l.declared)
      return {
        seconds: l.declared.failoverSeconds,
        breakdown:
          `${l.endpoint} is declared to fail over within ${l.declared.failoverSeconds} s ` +
          `(${l.declared.declaredBy})`,
        resources: path.path.map((s) => s.address),
        causes: [{ kind: 'declared', endpoint: l.declared }],
      };
    if (!l.region)
      return {
        seconds: Number.POSITIVE_INFINITY,
        breakdown: `unknown: ${l.unplaced ?? `${l.endpoint} is not placed`}`,
        resources: path.path.map((s) => s.address),
        causes: [
          { kind: 'undetected', why: l.unplaced ?? `${l.endpoint} is not placed`, ...(l.fix ? { fix: l.fix } : {}) },
        ],
      };
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
      const resolved = evaluator.resolveEntry(entry.zone, entry.name, client, health);
      const forwarded = forwardedBy(client);
      const r =
        forwarded.length === 0
          ? resolved
          : {
              ...resolved,
              landings: [
                ...resolved.landings,
                ...forwarded.map((p) => ({
                  ...p.landing,
                  share: 0,
                  up: true,
                  possible: p.landing.unplaced,
                  path: p.path,
                })),
              ],
            };
      if (!unknownZone) return r;
      return {
        landings: [
          ...r.landings,
          {
            endpoint: zoneLabel,
            share: r.landings.length === 0 ? 1 : 0,
            up: true,
            possible: r.landings.length === 0 ? undefined : unknownZone,
            unplaced: unknownZone,
            path: [{ address: zoneLabel, label: `private zone ${zoneLabel}`, note: unknownZone }],
          },
        ],
        notes: r.notes,
      };
    },
    reach: (client: ClientGroup) => [
      ...withUnknownZone(reach.entry(entry.zone, entry.name, client)),
      ...forwardedBy(client),
    ],
    reachWithIdealDetector: (client: ClientGroup, region: string) => {
      let r = idealReaches.get(region);
      if (!r)
        idealReaches.set(region, (r = new Route53Reach(model, context, new Route53Lookup(model, context, region))));
      return [...withUnknownZone(r.entry(entry.zone, entry.name, client)), ...forwardedBy(client)];
    },
    pathFailover: detection,
    // Records that can detect a failure or set a TTL decide the figure; plain aliases without checks do not.
    // Everything the failover time reads (route53-timing.ts): each chosen record, whether records of its set were
    // passed over before it (the set had an alternative), and whether the "every record unhealthy" rule chose it.
    failoverKey: (path: ReachPath) => {
      const out: string[] = [];
      let passedOver = false;
      for (const s of path.path) {
        if (s.note?.startsWith('passed over')) {
          passedOver = true;
          continue;
        }
        out.push(`${s.address}${passedOver ? '~' : ''}${s.note && LAST_RESORT_NOTE.test(s.note) ? '!' : ''}`);
        passedOver = false;
      }
      return out.join('>');
    },
    residencyRemedy: (
      path: ReachPath,
      client: ClientGroup,
      jurisdiction: string,
      allowed: (l: ReachPath['landing']) => boolean,
    ) => route53ResidencyRemedy(model, reach, path, client, jurisdiction, allowed),
    serves: (client: ClientGroup) => (client.vpc ? ownIds.has(client.id) : !entry.private),
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
      return [...grouped.values()].map((g) => ({
        frontDoor: label,
        region: g.region,
        seconds: g.detection.seconds,
        breakdown: g.detection.breakdown,
        resources: g.detection.resources,
        clients: [...g.clients],
      }));
    },
    probes: () => route53Probes(model, context, label),
    diagram(): DiagramPart {
      const nodes: { id: string; label: string; shape?: 'box' | 'round' | 'stadium' | 'hexagon' }[] = [];
      const edges: { from: string; to: string; label?: string; dotted?: boolean }[] = [];
      const setId = (name: string) => `set:${entry.private ? `${entry.zone}:` : ''}${name}`;
      // The entry's own set comes first; a wildcard answers under its own name (`*.example.com`).
      const entryName = sets[0]?.[0]?.name ?? entry.name;
      if (sets.length === 0)
        nodes.push({
          id: setId(entry.name),
          label: `${entry.name} (no record${entry.private ? ' in the private zone: NXDOMAIN' : ''})`,
          shape: 'stadium',
        });
      for (const set of sets) {
        const kinds = [...new Set(set.map((r) => r.policy.kind))].join('/');
        const type = set[0].type === 'A' ? '' : ` ${set[0].type}`;
        if (!nodes.some((n) => n.id === setId(set[0].name)))
          nodes.push({
            id: setId(set[0].name),
            label: `${set[0].name}${type} (${kinds}${entry.private ? ', private zone' : ''})`,
            shape: set[0].name === entryName ? 'stadium' : 'box',
          });
        // Records with the same target and kind share an edge (27 country records to one set are one arrow).
        const byTarget = new Map<string, R53Record[]>();
        for (const r of set) {
          for (const t of r.targets) {
            const region =
              t.kind === 'alb' ? lookup.albRegion(t) : t.kind === 'cname' ? context.regionOfHost(t.host) : undefined;
            const to =
              t.kind === 'name'
                ? setId(t.name)
                : t.kind === 'cname' && evaluator.setOf(entry.zone, t.host)
                  ? setId(t.host)
                  : region
                    ? `region:${region}`
                    : `endpoint:${targetName(t)}`;
            const key = `${to}|${r.policy.kind}|${!!r.healthCheck}|${r.evaluateTargetHealth}`;
            byTarget.set(key, [...(byTarget.get(key) ?? []), r]);
          }
        }
        for (const [key, records] of byTarget) {
          const r = records[0];
          const policy =
            records.length === 1 ? describePolicy(r.policy) : `${r.policy.kind} ${summariseLocations(records)}`;
          const edgeLabel =
            `${policy}${r.healthCheck ? ' + hc' : ''}` + `${r.alias && !r.evaluateTargetHealth ? ' (no ETH)' : ''}`;
          edges.push({ from: setId(set[0].name), to: key.split('|')[0], label: edgeLabel });
        }
      }
      return { nodes, edges, entry: setId(entryName) };
    },
    locations() {
      const countries = new Set<string>();
      const continents = new Set<string>();
      const subdivisions: { country: string; subdivision: string }[] = [];
      for (const r of sets.flat()) {
        if (r.policy.kind !== 'geolocation') continue;
        if (r.policy.subdivision && r.policy.country)
          subdivisions.push({ country: r.policy.country, subdivision: r.policy.subdivision });
        else if (r.policy.country && r.policy.country !== '*') countries.add(r.policy.country);
        else if (r.policy.continent) continents.add(r.policy.continent);
      }
      return { countries: [...countries], continents: [...continents], subdivisions, cloudflareRegions: [] };
    },
  };
}

/** The name a diagram gives a target it draws as an endpoint of its own. */
function targetName(t: R53Target): string {
  if (t.kind === 'alb') return t.lb;
  if (t.kind === 'cname') return t.host;
  return t.kind === 'external' ? t.value : 'delegated';
}
