/*
 * How Route53 answers one client in one health state: the records chosen, by policy, the path of records to each
 * landing, and the share of the client's queries each landing gets. Used for the per-scenario answers (explain,
 * availability, the diagram); the proofs of residency and failover time use route53-reach.ts, which covers every
 * health state at once.
 *
 * Selection rules (Route53 Developer Guide, "Choosing a routing policy"), with health from route53-health.ts:
 * - when every record of a set is unhealthy, Route53 treats them all as healthy (it always answers);
 * - latency: the healthy record nearest the client (distance stands in for measured latency here; the proofs do
 *   not assume it); weighted: healthy records with weight > 0 share by weight (then zero-weight healthy ones, then
 *   everything); failover: PRIMARY if healthy, else SECONDARY if healthy, else PRIMARY; geolocation: the most
 *   specific matching record (subdivision, country, continent, default `*`), falling through to the next less
 *   specific one while unhealthy; no match and no default: no answer; geoproximity: the nearest healthy record by
 *   biased distance; multivalue: up to eight healthy records; CIDR: not modelled, every record possible.
 */
import { greatCircleKm as greatCircle } from '../util/geo';
import { evaluate, type Formula, type HealthAtom } from './health';
import type { ClientGroup, GraphContext, HealthState, Landing, PathStep } from './model';
import { latencyPoint, MAX_DEPTH, proximityPoint, Route53Lookup, type FoundSet } from './route53-health';
import {
  QUERY_TYPES,
  type QueryType,
  type R53Policy,
  type R53Record,
  type R53Target,
  type Route53Model,
} from './route53-model';

/** Route53 multivalue answers return up to eight healthy records. */
export const MULTIVALUE_MAX = 8;

/** How a record set resolved for one client in one scenario. */
export interface Resolution {
  readonly landings: readonly Landing[];
  /** Whether a healthy record was selected (false: Route53 answered with unhealthy records, or nothing). */
  readonly healthy: boolean;
  readonly noAnswer?: string;
  readonly notes: readonly string[];
}

interface Choice {
  readonly record: R53Record;
  readonly share: number;
  readonly note?: string;
  /** Records passed over before this one (geolocation fall-through, failover), with the reason. */
  readonly skipped?: readonly { readonly record: R53Record; readonly why: string }[];
}

export type ResolveContext = Pick<GraphContext, 'regionOfHost' | 'declaredEndpoint'>;

/** Value of an atom in a region-failure scenario: unhealthy exactly when its region is down. */
export function scenarioValue(health: HealthState): (a: HealthAtom) => boolean {
  return (a) => !(a.region && health.failed.has(a.region));
}

/** Evaluates Route53 queries over a model, scenario by scenario. */
export class Route53Evaluator {
  private readonly steps = new Map<string, PathStep>();
  private readonly distances = new Map<ClientGroup, Map<R53Record, number>>();
  /** The record sets and health formulas it evaluates: the lookup it was given, else its own over `model`. */
  readonly lookup: Route53Lookup;

  /**
   * @param model the Route53 side of the stacks.
   * @param context places the hostnames and values records point to outside the model (a region, or the declaration
   *   of an endpoint outside the stacks).
   * @param lookup record sets and health formulas to share with a {@link Route53Reach} of the same model (default: a
   *   new one over `model`).
   */
  constructor(
    readonly model: Route53Model,
    readonly context: ResolveContext,
    lookup?: Route53Lookup,
  ) {
    this.lookup = lookup ?? new Route53Lookup(model, context);
  }

  /** The A record set a name resolves to in a zone (for the diagram and location keys). */
  setOf(zone: string, name: string, qtype: QueryType = 'A'): readonly R53Record[] | undefined {
    const found = this.lookup.lookup(zone, name, qtype);
    return found.kind === 'set' ? found.set.records : undefined;
  }

  /**
   * Every query type a client makes for an entry name: landings of each, shares normalised over the types that answer.
   */
  resolveEntry(
    zone: string,
    name: string,
    client: ClientGroup,
    health: HealthState,
  ): { landings: Landing[]; noAnswer?: string; notes: string[] } {
    const types = QUERY_TYPES.filter((q, i) => i === 0 || this.lookup.lookup(zone, name, q).kind !== 'none');
    const byType =
      types.length === 1
        ? [this.resolve(zone, name, types[0], client, health)]
        : types
            .map((q) => this.resolve(zone, name, q, client, health))
            .filter((r, i) => i === 0 || r.landings.length > 0);
    if (byType.length === 1)
      return {
        landings: [...byType[0].landings],
        noAnswer: byType[0].landings.length === 0 ? byType[0].noAnswer : undefined,
        notes: [...byType[0].notes],
      };
    const answering = byType.filter((r) => r.landings.length > 0);
    const landings = answering.flatMap((r) => r.landings.map((l) => ({ ...l, share: l.share / answering.length })));
    return {
      landings,
      noAnswer: landings.length === 0 ? byType[0].noAnswer : undefined,
      notes: [...new Set(byType.flatMap((r) => r.notes))],
    };
  }

  private formulaValue(f: Formula, health: HealthState): boolean {
    let memo = health.memo.get(this) as Map<Formula, boolean> | undefined;
    if (!memo) health.memo.set(this, (memo = new Map()));
    let v = memo.get(f);
    if (v === undefined) memo.set(f, (v = evaluate(f, scenarioValue(health))));
    return v;
  }

  /** Resolves `name` in `zone` for a client, with the path of records that led to each landing. */
  resolve(
    zone: string,
    name: string,
    qtype: QueryType,
    client: ClientGroup,
    health: HealthState,
    depth = 0,
  ): Resolution {
    const found = this.lookup.lookup(zone, name, qtype);
    if (found.kind === 'none') return { landings: [], healthy: false, noAnswer: found.why, notes: [] };
    if (found.kind === 'delegated')
      return { landings: [delegatedLanding(found.by, this.step(found.by))], healthy: true, notes: [] };
    // Keyed by the (cached) lookup object: one map per set and query type per scenario.
    let memo = health.memo.get(found) as Map<ClientGroup, Resolution> | undefined;
    if (!memo) health.memo.set(found, (memo = new Map()));
    const known = memo.get(client);
    if (known) return known;
    if (depth > MAX_DEPTH)
      return {
        landings: [],
        healthy: false,
        noAnswer: `alias chain through ${name} is deeper than ${MAX_DEPTH} (a loop?)`,
        notes: [],
      };
    // Mark in progress so a loop ends instead of recursing forever.
    memo.set(client, { landings: [], healthy: false, noAnswer: `alias loop through ${name}`, notes: [] });
    const result = this.resolveSet(found.set, qtype, client, health, depth);
    memo.set(client, result);
    return result;
  }

  private resolveSet(
    set: FoundSet,
    qtype: QueryType,
    client: ClientGroup,
    health: HealthState,
    depth: number,
  ): Resolution {
    const selection = this.select(set.records, qtype, client, health, depth);
    if (selection.noAnswer)
      return { landings: [], healthy: false, noAnswer: selection.noAnswer, notes: selection.notes };
    const landings: Landing[] = [];
    const notes = [...selection.notes];
    let noAnswer: string | undefined;
    for (const choice of selection.choices) {
      const prefix: PathStep[] = [
        ...(choice.skipped ?? []).map((s) => ({ ...this.step(s.record), note: `passed over: ${s.why}` })),
        choice.note ? { ...this.step(choice.record), note: choice.note } : this.step(choice.record),
      ];
      const targets = choice.record.targets;
      for (const target of targets) {
        const sub = this.landingsOf(choice.record, target, qtype, client, health, depth);
        if (sub.noAnswer && sub.landings.length === 0) noAnswer = `${describeRecord(choice.record)} -> ${sub.noAnswer}`;
        notes.push(...sub.notes);
        for (const l of sub.landings)
          landings.push({ ...l, share: (l.share * choice.share) / targets.length, path: [...prefix, ...l.path] });
      }
    }
    return {
      landings,
      healthy: selection.healthy,
      noAnswer: landings.length === 0 ? noAnswer : undefined,
      notes: [...new Set(notes)],
    };
  }

  private readonly facts = new WeakMap<
    readonly R53Record[],
    { kind: R53Policy['kind']; mixed?: string; allUnhealthy: string }
  >();

  /** What select() needs of a set that does not change between calls (computed once). */
  private setFacts(set: readonly R53Record[]): { kind: R53Policy['kind']; mixed?: string; allUnhealthy: string } {
    let f = this.facts.get(set);
    if (!f) {
      const kind = set[0].policy.kind;
      f = {
        kind,
        mixed: set.some((r) => r.policy.kind !== kind)
          ? `${set[0].name} mixes routing policies (Route53 refuses that); analysed as ${kind}`
          : undefined,
        allUnhealthy: `every record of ${set[0].name} is unhealthy: Route53 answers as if all were healthy`,
      };
      this.facts.set(set, f);
    }
    return f;
  }

  /**
   * Whether Route53 considers a record healthy in the scenario, and why not (memoised per scenario when the client's
   * location does not matter).
   */
  recordHealth(
    record: R53Record,
    qtype: QueryType,
    client: ClientGroup,
    health: HealthState,
  ): { healthy: boolean; why?: string } {
    if (this.lookup.recordDependsOnLocation(record, qtype))
      return this.recordHealthUncached(record, qtype, client, health);
    let memo = health.memo.get(record) as Map<QueryType, { healthy: boolean; why?: string }> | undefined;
    if (!memo) health.memo.set(record, (memo = new Map()));
    let v = memo.get(qtype);
    if (!v) memo.set(qtype, (v = this.recordHealthUncached(record, qtype, client, health)));
    return v;
  }

  private recordHealthUncached(
    record: R53Record,
    qtype: QueryType,
    client: ClientGroup,
    health: HealthState,
  ): { healthy: boolean; why?: string } {
    if (record.healthCheck && !this.formulaValue(this.lookup.healthCheck(record.healthCheck), health))
      return { healthy: false, why: `health check ${record.healthCheck} is unhealthy` };
    if (record.evaluateTargetHealth && !this.formulaValue(this.lookup.targetHealth(record, client, qtype), health)) {
      const t = record.target;
      if (t.kind === 'alb')
        return {
          healthy: false,
          why:
            `evaluate_target_health: load balancer ${t.lb} (${this.lookup.albRegion(t) ?? 'region unknown'}) has ` +
            'no healthy targets',
        };
      return {
        healthy: false,
        why: `evaluate_target_health: ${t.kind === 'name' ? t.name : 'the target'} has no healthy record`,
      };
    }
    return { healthy: true };
  }

  private select(
    set: readonly R53Record[],
    qtype: QueryType,
    client: ClientGroup,
    health: HealthState,
    _depth: number,
  ): { choices: Choice[]; healthy: boolean; notes: string[]; noAnswer?: string } {
    const facts = this.setFacts(set);
    const kind = facts.kind;
    const notes = facts.mixed ? [facts.mixed] : [];
    const healthOf = (r: R53Record) => this.recordHealth(r, qtype, client, health);
    const allUnhealthy = facts.allUnhealthy;
    switch (kind) {
      case 'latency':
      case 'geoproximity': {
        const healthy = set.filter((r) => healthOf(r).healthy);
        const pool = healthy.length > 0 ? healthy : set;
        let best = pool[0];
        for (const r of pool) {
          const d = this.distance(client, r) - this.distance(client, best);
          if (d < 0 || (d === 0 && r.address < best.address)) best = r;
        }
        return {
          choices: [{ record: best, share: 1, note: healthy.length === 0 ? allUnhealthy : undefined }],
          healthy: healthy.length > 0,
          notes,
        };
      }
      case 'weighted': {
        const weight = (r: R53Record) => (r.policy.kind === 'weighted' ? r.policy.weight : 0);
        const healthy = set.filter((r) => healthOf(r).healthy);
        let pool = healthy.filter((r) => weight(r) > 0);
        let note: string | undefined;
        if (pool.length === 0 && healthy.length > 0) {
          pool = healthy;
          note = 'every record with weight > 0 is unhealthy: Route53 uses the zero-weight healthy records';
        }
        if (pool.length === 0) {
          pool = set.filter((r) => weight(r) > 0).length > 0 ? set.filter((r) => weight(r) > 0) : [...set];
          note = allUnhealthy;
        }
        const total = pool.reduce((s, r) => s + weight(r), 0);
        return {
          choices: pool.map((r) => ({ record: r, share: total > 0 ? weight(r) / total : 1 / pool.length, note })),
          healthy: healthy.length > 0,
          notes,
        };
      }
      case 'failover': {
        const primary = set.find((r) => r.policy.kind === 'failover' && r.policy.role === 'PRIMARY');
        const secondary = set.find((r) => r.policy.kind === 'failover' && r.policy.role === 'SECONDARY');
        const p = primary ? healthOf(primary) : undefined;
        if (primary && p?.healthy) return { choices: [{ record: primary, share: 1 }], healthy: true, notes };
        const s = secondary ? healthOf(secondary) : undefined;
        if (secondary && s?.healthy) {
          return {
            choices: [
              {
                record: secondary,
                share: 1,
                skipped: primary ? [{ record: primary, why: p?.why ?? 'unhealthy' }] : undefined,
                note: primary ? 'SECONDARY: the PRIMARY is unhealthy' : undefined,
              },
            ],
            healthy: true,
            notes,
          };
        }
        const fallback = primary ?? secondary!;
        return {
          choices: [
            {
              record: fallback,
              share: 1,
              note: 'PRIMARY and SECONDARY are both unhealthy: Route53 answers with the PRIMARY',
            },
          ],
          healthy: false,
          notes,
        };
      }
      case 'geolocation': {
        const candidates = this.lookup.geolocationCandidates(set, client)[0] ?? [];
        if (candidates.length === 0)
          return {
            choices: [],
            healthy: false,
            notes,
            noAnswer:
              `no geolocation record of ${set[0].name} matches ${client.label} and there is no default (*) ` +
              'record: no answer',
          };
        const skipped: { record: R53Record; why: string }[] = [];
        for (const candidate of candidates) {
          const h = healthOf(candidate);
          if (h.healthy)
            return {
              choices: [
                {
                  record: candidate,
                  share: 1,
                  skipped,
                  note:
                    skipped.length > 0
                      ? 'next less specific location (the more specific record is unhealthy)'
                      : undefined,
                },
              ],
              healthy: true,
              notes,
            };
          skipped.push({ record: candidate, why: h.why ?? 'unhealthy' });
        }
        return {
          choices: [
            {
              record: candidates[0],
              share: 1,
              note: 'every matching geolocation record is unhealthy: Route53 answers with the most specific one',
            },
          ],
          healthy: false,
          notes,
        };
      }
      case 'multivalue': {
        const healthy = set.filter((r) => healthOf(r).healthy).slice(0, MULTIVALUE_MAX);
        const pool = healthy.length > 0 ? healthy : set.slice(0, MULTIVALUE_MAX);
        return {
          choices: pool.map((r) => ({
            record: r,
            share: 1 / pool.length,
            note: healthy.length === 0 ? allUnhealthy : undefined,
          })),
          healthy: healthy.length > 0,
          notes,
        };
      }
      case 'cidr':
        return {
          choices: set.map((r) => ({ record: r, share: 1 / set.length })),
          healthy: true,
          notes: [...notes, `${set[0].name}: CIDR routing is not modelled; every location counted as possible`],
        };
      default:
        return {
          choices: set.map((r) => ({ record: r, share: 1 / set.length })),
          healthy: set.every((r) => healthOf(r).healthy),
          notes,
        };
    }
  }

  private landingsOf(
    record: R53Record,
    t: R53Target,
    qtype: QueryType,
    client: ClientGroup,
    health: HealthState,
    depth: number,
  ): Resolution {
    const ok = (landings: Landing[]): Resolution => ({ landings, healthy: true, notes: [] });
    switch (t.kind) {
      case 'alb': {
        const region = this.lookup.albRegion(t);
        return ok([
          {
            region,
            endpoint: t.lb,
            share: 1,
            up: region ? !health.failed.has(region) : true,
            unplaced: region ? undefined : `load balancer ${t.lb}: its region is not known at synth`,
            path: [],
          },
        ]);
      }
      case 'name': {
        const found = this.lookup.lookup(t.zone, t.name, qtype);
        if (found.kind === 'none')
          return ok([
            this.hostLanding(
              t.name,
              `${record.address} aliases ${t.name} in ${t.zone}, where the stacks have no such record`,
              health,
            ),
          ]);
        return this.resolve(t.zone, t.name, qtype, client, health, depth + 1);
      }
      case 'cname': {
        const hostTypes: QueryType[] = record.type === 'HTTPS' || record.type === 'SVCB' ? ['A', 'AAAA'] : [qtype];
        const zones = this.lookup.zonesFor(client, t.host);
        if (zones.length > 0) {
          const subs = zones
            .flatMap((z) => hostTypes.map((q) => this.resolve(z, t.host, q, client, health, depth + 1)))
            .filter((s) => s.landings.length > 0 || s.noAnswer);
          const landings = subs.flatMap((s) =>
            s.landings.map((l) => ({
              ...l,
              share: l.share / Math.max(1, subs.filter((x) => x.landings.length > 0).length),
            })),
          );
          return {
            landings,
            healthy: subs.some((s) => s.healthy),
            noAnswer: landings.length === 0 ? subs[0]?.noAnswer : undefined,
            notes: subs.flatMap((s) => s.notes),
          };
        }
        return ok([
          this.hostLanding(t.host, `${record.address} points to ${t.host}, which is outside the stacks`, health),
        ]);
      }
      case 'external':
        return ok([
          this.hostLanding(t.value, `${record.address}: ${t.why}${t.resource ? '' : ` (${t.value})`}`, health),
        ]);
      case 'delegation':
        return ok([delegatedLanding(record)]);
    }
  }

  /** A hostname or address outside the stacks: a service region by name, a declared endpoint, or unplaced. */
  hostLanding(host: string, why: string, health: HealthState): Landing {
    const region = this.context.regionOfHost(host);
    if (region) return { region, endpoint: host, share: 1, up: !health.failed.has(region), path: [] };
    const declared = this.context.declaredEndpoint(host);
    if (declared) return { endpoint: host, share: 1, up: true, declared, path: [] };
    return unplacedLanding(host, why);
  }

  /** Distance from a client to a record's location, cached per client (latency and proximity picks). */
  private distance(client: ClientGroup, record: R53Record): number {
    let byRecord = this.distances.get(client);
    if (!byRecord) this.distances.set(client, (byRecord = new Map()));
    let d = byRecord.get(record);
    if (d === undefined) {
      if (record.policy.kind === 'latency') {
        const p = latencyPoint(record);
        d = p ? greatCircle(client, p) : Number.POSITIVE_INFINITY;
      } else {
        const p = proximityPoint(record);
        d = p ? greatCircle(client, p) * (1 - p.bias / 100) : Number.POSITIVE_INFINITY;
      }
      byRecord.set(record, d);
    }
    return d;
  }

  /** The path step of a record (shared objects: answers hold many paths). */
  step(record: R53Record): PathStep {
    return recordStep(this.steps, record);
  }
}

/** The path step of a record, memoised in `cache`. */
export function recordStep(cache: Map<string, PathStep>, record: R53Record): PathStep {
  let s = cache.get(record.address);
  if (!s) {
    const eth = record.alias ? `, evaluate_target_health=${record.evaluateTargetHealth}` : '';
    const own = record.policy.kind === 'geolocation' && record.policy.country !== '*';
    s = {
      address: record.address,
      label:
        `${describeRecord(record)} -> ` +
        `${record.targets.map(describeTarget).join(', ')}${record.healthCheck ? ', health check' : ''}${eth}`,
      clientSpecific: own || undefined,
    };
    cache.set(record.address, s);
  }
  return s;
}

export function describeTarget(t: R53Target): string {
  switch (t.kind) {
    case 'alb':
      return `ALB ${t.lb}`;
    case 'name':
      return t.name;
    case 'cname':
      return `CNAME ${t.host}`;
    case 'external':
      return t.value;
    case 'delegation':
      return `NS ${t.servers.join(' ')}`;
  }
}

export function unplacedLanding(endpoint: string, why: string): Landing {
  return { endpoint, share: 1, up: true, unplaced: why, path: [] };
}

function delegatedLanding(record: R53Record, step?: PathStep): Landing {
  const servers = record.target.kind === 'delegation' ? record.target.servers.join(', ') : '?';
  return {
    ...unplacedLanding(
      `${record.name} (delegated)`,
      `${record.address} delegates ${record.name} to other name servers (${servers || 'none listed'})`,
    ),
    path: step ? [step] : [],
  };
}

/** `inference.example.com geolocation country=DE`, for messages and paths. */
export function describeRecord(r: R53Record): string {
  return `${r.name} ${r.type === 'A' ? '' : `${r.type} `}${describePolicy(r.policy)}`;
}

export function describePolicy(p: R53Policy): string {
  switch (p.kind) {
    case 'simple':
      return 'simple';
    case 'latency':
      return `latency ${p.region}`;
    case 'weighted':
      return `weighted ${p.weight}`;
    case 'failover':
      return `failover ${p.role}`;
    case 'geolocation':
      if (p.country === '*') return 'geolocation default (*)';
      if (p.subdivision) return `geolocation subdivision=${p.country}-${p.subdivision}`;
      return p.country ? `geolocation country=${p.country}` : `geolocation continent=${p.continent}`;
    case 'geoproximity':
      return `geoproximity ${p.region ?? `${p.latitude},${p.longitude}`}${p.bias ? ` bias ${p.bias}` : ''}`;
    case 'multivalue':
      return 'multivalue';
    case 'cidr':
      return `cidr ${p.location}`;
  }
}
