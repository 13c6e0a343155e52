/*
 * Where Route53 can send a client under any combination of health states: every path through the record sets, each
 * with the conditions (formulas over health atoms, see health.ts) under which Route53 takes it. Exhaustive whatever
 * the number of regions: a set of n records contributes O(n) choices, never 2^n states.
 *
 * Choices per policy (h(r) = "record r is healthy", route53-health.ts):
 * - latency: Route53 answers with the healthy record of lowest *measured* latency, which synth cannot know, so any
 *   healthy record may be the answer [h(r)]; when all are unhealthy, any record [¬h(all)]. A VPC client (private
 *   zone) is placed by its region: the record of its own region first [h(own)], then any other [¬h(own), h(r)];
 * - geoproximity: by biased distance from the client group's location: the k-th nearest when the nearer ones are
 *   unhealthy; the nearest when all are;
 * - weighted: a record with weight > 0 when healthy; a zero-weight one when it is healthy and every weighted one is
 *   not; when all are unhealthy, the weighted ones (every one when all weights are 0);
 * - failover: PRIMARY [h(P)]; SECONDARY [¬h(P), h(S)]; PRIMARY again when both are unhealthy;
 * - geolocation: the i-th matching record (most specific first) when the more specific ones are unhealthy; the
 *   most specific when all are; no match and no default: no answer;
 * - multivalue: any healthy record, any record when none is; simple, CIDR: every record.
 * Alias targets are followed with their own conditions, so evaluate_target_health and the records below it are
 * correlated exactly (a country record that needs its nested set healthy cannot reach that set's "all unhealthy"
 * answer).
 */
import { and, FALSE, not, type Formula } from './health';
import { unreadableFix } from './unknowns';
import type { ClientGroup, PathStep, ReachPath } from './model';
import { greatCircleKm as greatCircle } from '../util/geo';
import { MAX_DEPTH, proximityPoint, type FoundSet, type Route53Lookup } from './route53-health';
import { QUERY_TYPES, type QueryType, type R53Record, type R53Target, type Route53Model } from './route53-model';
import { describeRecord, recordStep, type ResolveContext } from './route53-resolve';

/** Matches the notes of Route53's last-resort answers below (every record of a set unhealthy). */
export const LAST_RESORT_NOTE = /unhealthy: Route53 answers/;

interface ReachChoice {
  readonly record: R53Record;
  readonly conditions: readonly Formula[];
  readonly note?: string;
  readonly skipped?: readonly R53Record[];
}

type Landing = ReachPath['landing'];

/** Reachability over every health state, per client group (memoised). */
export class Route53Reach {
  /** Paths by set, query type and what of the client the set's subtree depends on: shared by equivalent clients. */
  private readonly memo = new Map<string, ReachPath[]>();
  private readonly dependence = new Map<ClientGroup, Map<string, string>>();
  private readonly steps = new Map<string, PathStep>();

  /**
   * @param model the Route53 side of the stacks; the records it could not read (`unresolved`) count as possible
   *   answers of every name they might hold.
   * @param context places the hostnames and values records point to outside the model (a region, or the declaration
   *   of an endpoint outside the stacks).
   * @param lookup the record sets and health formulas, shared with the {@link Route53Evaluator} of the same model.
   */
  constructor(
    readonly model: Route53Model,
    readonly context: ResolveContext,
    readonly lookup: Route53Lookup,
  ) {}

  /** Every path of every query type a client makes for an entry name. */
  entry(zone: string, name: string, client: ClientGroup): ReachPath[] {
    return QUERY_TYPES.flatMap((q) => this.reach(zone, name, q, client, 0));
  }

  /**
   * Every path Route53 can give `client` for a `qtype` query of `name` in `zone`, under any combination of health
   * states, each with the conditions under which it is taken (aliases and CNAME targets followed), and the records the
   * model cannot read that might answer the name, as unplaced landings. Memoised by what of the client the answer
   * depends on, so equivalent client groups share the paths.
   * @param depth alias and CNAME hops followed so far (0 for an entry name): past the depth limit, as in an alias loop
   *   (which Route53 answers with SERVFAIL), nothing more is reached.
   */
  reach(zone: string, name: string, qtype: QueryType, client: ClientGroup, depth: number): ReachPath[] {
    const key = `${zone}|${name}|${qtype}|${this.dependsOn(zone, name, qtype, client, new Set())}`;
    const known = this.memo.get(key);
    if (known) return known;
    // In progress: an alias loop resolves to nothing (Route53 answers SERVFAIL), so it adds no landing.
    this.memo.set(key, []);
    const out = depth > MAX_DEPTH ? [] : this.reachUncached(zone, name, qtype, client, depth);
    out.push(...this.unresolvedIn(zone, name));
    this.memo.set(key, out);
    return out;
  }

  /**
   * What of the client the paths below a set depend on: its geolocation match (geolocation sets), its own region's
   * record (latency sets, VPC clients), its location (geoproximity sets); nested sets and CNAME targets included.
   * Clients with the same key share the paths (and the proofs' per-path results).
   */
  private dependsOn(zone: string, name: string, qtype: QueryType, client: ClientGroup, seen: Set<string>): string {
    let byClient = this.dependence.get(client);
    if (!byClient) this.dependence.set(client, (byClient = new Map()));
    const key = `${zone}|${name}|${qtype}`;
    const known = byClient.get(key);
    if (known !== undefined) return known;
    if (seen.has(key) || seen.size > MAX_DEPTH) return '';
    seen.add(key);
    const found = this.lookup.lookup(zone, name, qtype);
    let own = '';
    const parts: string[] = [];
    if (found.kind === 'set') {
      const records = found.set.records;
      const kind = records[0].policy.kind;
      if (kind === 'geolocation' || records.some((r) => r.evaluateTargetHealth))
        own =
          `g:${client.vpc ? `vpc:${client.vpc.region}` : ''}|${client.country ?? ''}|${client.subdivision ?? ''}|` +
          `${client.continent}`;
      if (kind === 'latency' && client.vpc) {
        const vpcRegion = client.vpc.region;
        const latency = records.find((r) => r.policy.kind === 'latency' && r.policy.region === vpcRegion);
        own += `|l:${latency?.address ?? ''}`;
      }
      if (kind === 'geoproximity') own += `|p:${client.latitude},${client.longitude}`;
      for (const r of records) {
        for (const t of r.targets) {
          if (t.kind === 'name') parts.push(this.dependsOn(t.zone, t.name, qtype, client, seen));
          if (t.kind === 'cname') {
            const zones = this.lookup.zonesFor(client, t.host);
            parts.push(`z:${zones.join(',')}`);
            const types: QueryType[] = r.type === 'HTTPS' || r.type === 'SVCB' ? ['A', 'AAAA'] : [qtype];
            for (const z of zones) for (const q of types) parts.push(this.dependsOn(z, t.host, q, client, seen));
          }
        }
      }
    }
    const value = [own, ...new Set(parts.filter(Boolean))].join(';');
    byClient.set(key, value);
    return value;
  }

  private reachUncached(zone: string, name: string, qtype: QueryType, client: ClientGroup, depth: number): ReachPath[] {
    const found = this.lookup.lookup(zone, name, qtype);
    if (found.kind === 'none') return [];
    if (found.kind === 'delegated') {
      const r = found.by;
      const servers = r.target.kind === 'delegation' ? r.target.servers.join(', ') : '';
      return [
        {
          landing: {
            endpoint: `${r.name} (delegated)`,
            unplaced: `${r.address} delegates ${r.name} to other name servers (${servers || 'none listed'})`,
          },
          path: [this.step(r)],
          conditions: [],
          kind: 'answer',
        },
      ];
    }
    const out: ReachPath[] = [];
    for (const choice of this.choices(found.set, qtype, client)) {
      const prefix: PathStep[] = [
        ...(choice.skipped ?? []).map((r) => ({ ...this.step(r), note: 'passed over: unhealthy' })),
        choice.note ? { ...this.step(choice.record), note: choice.note } : this.step(choice.record),
      ];
      for (const target of choice.record.targets) {
        for (const sub of this.targetPaths(choice.record, target, qtype, client, depth)) {
          out.push({
            landing: sub.landing,
            path: prefix.concat(sub.path),
            conditions: choice.conditions.concat(sub.conditions),
            kind: sub.kind,
            possible: sub.possible,
          });
        }
      }
    }
    return out;
  }

  /**
   * Records the model cannot read might answer this name: any name of their zone (any zone when theirs is unknown),
   * or only their own name when it is known. A possible leak, named.
   */
  private unresolvedIn(zone: string, name: string): ReachPath[] {
    return this.model.unresolved
      .filter((u) => (u.zone === undefined || u.zone === zone) && (u.name === undefined || u.name === name))
      .map((u) => ({
        landing: {
          endpoint: u.address,
          unplaced: `${u.address} might answer this name: ${u.why}`,
          fix: unreadableFix(u.address),
        },
        path: [{ address: u.address, label: `record ${u.address}`, note: u.why }],
        conditions: [],
        kind: 'answer' as const,
      }));
  }

  /** The records a client can get from a set, each with the health conditions under which it is chosen. */
  choices(set: FoundSet, qtype: QueryType, client: ClientGroup): ReachChoice[] {
    const records = set.records;
    const h = (r: R53Record) => this.lookup.record(r, client, qtype);
    let down: Formula[] | undefined;
    const allDown = () => (down ??= records.map((r) => not(h(r))));
    const allUnhealthy = `every record of ${records[0].name} is unhealthy: Route53 answers as if all were healthy`;
    const kind = records[0].policy.kind;
    const out: ReachChoice[] = [];
    if (records.some((r) => r.policy.kind !== kind)) {
      // Route53 refuses mixed policies; were it deployed, any record could answer.
      for (const r of records)
        out.push({
          record: r,
          conditions: [],
          note: `${records[0].name} mixes routing policies (Route53 refuses that): every record counted`,
        });
      return out;
    }
    switch (kind) {
      case 'latency': {
        const own = client.vpc
          ? records.find((r) => r.policy.kind === 'latency' && r.policy.region === client.vpc!.region)
          : undefined;
        if (own) {
          out.push({
            record: own,
            conditions: [h(own)],
            note: `latency: the record of the client's own region (${client.vpc!.region})`,
          });
          for (const r of records)
            if (r !== own)
              out.push({
                record: r,
                conditions: [not(h(own)), h(r)],
                skipped: [own],
                note: 'latency: a healthy record (Route53 picks by measured latency)',
              });
          out.push({ record: own, conditions: allDown(), note: allUnhealthy });
        } else {
          for (const r of records)
            out.push({
              record: r,
              conditions: [h(r)],
              note:
                'latency: a healthy record (Route53 picks the lowest measured latency, which is not known at ' +
                'synth)',
            });
          for (const r of records) out.push({ record: r, conditions: allDown(), note: allUnhealthy });
        }
        break;
      }
      case 'geoproximity': {
        const ordered = [...records].sort(
          (a, b) => this.proximity(client, a) - this.proximity(client, b) || a.address.localeCompare(b.address),
        );
        ordered.forEach((r, i) =>
          out.push({
            record: r,
            conditions: [...ordered.slice(0, i).map((x) => not(h(x))), h(r)],
            skipped: ordered.slice(0, i),
            note: i > 0 ? 'geoproximity: the nearer records are unhealthy' : undefined,
          }),
        );
        out.push({ record: ordered[0], conditions: allDown(), note: allUnhealthy });
        break;
      }
      case 'weighted': {
        const weight = (r: R53Record) => (r.policy.kind === 'weighted' ? r.policy.weight : 0);
        const weighted = records.filter((r) => weight(r) > 0);
        const zero = records.filter((r) => weight(r) <= 0);
        for (const r of weighted) out.push({ record: r, conditions: [h(r)] });
        for (const r of zero)
          out.push({
            record: r,
            conditions: [h(r), ...weighted.map((w) => not(h(w)))],
            skipped: weighted,
            note: 'every record with weight > 0 is unhealthy: Route53 uses the zero-weight healthy records',
          });
        for (const r of weighted.length > 0 ? weighted : zero)
          out.push({ record: r, conditions: allDown(), note: allUnhealthy });
        break;
      }
      case 'failover': {
        const primaries = records.filter((r) => r.policy.kind === 'failover' && r.policy.role === 'PRIMARY');
        const secondaries = records.filter((r) => r.policy.kind === 'failover' && r.policy.role === 'SECONDARY');
        for (const p of primaries) out.push({ record: p, conditions: [h(p)] });
        for (const s of secondaries)
          out.push({
            record: s,
            conditions: [...primaries.map((p) => not(h(p))), h(s)],
            skipped: primaries,
            note: primaries.length > 0 ? 'SECONDARY: the PRIMARY is unhealthy' : undefined,
          });
        for (const r of primaries.length > 0 ? primaries : secondaries)
          out.push({
            record: r,
            conditions: allDown(),
            note: 'PRIMARY and SECONDARY are both unhealthy: Route53 answers with the PRIMARY',
          });
        break;
      }
      case 'geolocation': {
        for (const candidates of this.lookup.geolocationCandidates(records, client)) {
          candidates.forEach((r, i) =>
            out.push({
              record: r,
              conditions: [...candidates.slice(0, i).map((x) => not(h(x))), h(r)],
              skipped: candidates.slice(0, i),
              note: i > 0 ? 'next less specific location (the more specific record is unhealthy)' : undefined,
            }),
          );
          if (candidates.length > 0)
            out.push({
              record: candidates[0],
              conditions: candidates.map((x) => not(h(x))),
              note: 'every matching geolocation record is unhealthy: Route53 answers with the most specific one',
            });
        }
        break;
      }
      case 'multivalue':
        for (const r of records) out.push({ record: r, conditions: [h(r)] });
        for (const r of records) out.push({ record: r, conditions: allDown(), note: allUnhealthy });
        break;
      case 'cidr':
        for (const r of records)
          out.push({
            record: r,
            conditions: [],
            note: 'CIDR routing is not modelled: every location counted as possible',
          });
        break;
      default:
        for (const r of records) out.push({ record: r, conditions: [] });
    }
    // A choice that needs an always-healthy record to be unhealthy is impossible: drop it early.
    return out.filter((c) => !c.conditions.some((f) => f === FALSE) && and(...c.conditions) !== FALSE);
  }

  private targetPaths(
    record: R53Record,
    t: R53Target,
    qtype: QueryType,
    client: ClientGroup,
    depth: number,
  ): ReachPath[] {
    const leaf = (landing: Landing): ReachPath[] => [{ landing, path: [], conditions: [], kind: 'answer' }];
    switch (t.kind) {
      case 'alb': {
        const region = this.lookup.albRegion(t);
        return leaf({
          region,
          endpoint: t.lb,
          unplaced: region ? undefined : `load balancer ${t.lb}: its region is not known at synth`,
        });
      }
      case 'name': {
        const found = this.lookup.lookup(t.zone, t.name, qtype);
        if (found.kind === 'none')
          return leaf(
            this.hostLanding(
              t.name,
              `${record.address} aliases ${t.name} in ${t.zone}, where the stacks have no such record`,
            ),
          );
        return this.reach(t.zone, t.name, qtype, client, depth + 1);
      }
      case 'cname': {
        const hostTypes: QueryType[] = record.type === 'HTTPS' || record.type === 'SVCB' ? ['A', 'AAAA'] : [qtype];
        const zones = this.lookup.zonesFor(client, t.host);
        if (zones.length > 0)
          return zones.flatMap((z) => hostTypes.flatMap((q) => this.reach(z, t.host, q, client, depth + 1)));
        return leaf(this.hostLanding(t.host, `${record.address} points to ${t.host}, which is outside the stacks`));
      }
      case 'external':
        return leaf(this.hostLanding(t.value, `${record.address}: ${t.why}${t.resource ? '' : ` (${t.value})`}`));
      case 'delegation':
        return leaf({
          endpoint: `${record.name} (delegated)`,
          unplaced:
            `${record.address} delegates ${record.name} to other name servers ` +
            `(${t.servers.join(', ') || 'none listed'})`,
        });
    }
  }

  private hostLanding(host: string, why: string): Landing {
    const region = this.context.regionOfHost(host);
    if (region) return { region, endpoint: host };
    const declared = this.context.declaredEndpoint(host);
    if (declared) return { endpoint: host, declared };
    return { endpoint: host, unplaced: why };
  }

  private proximity(client: ClientGroup, r: R53Record): number {
    const p = proximityPoint(r);
    return p ? greatCircle(client, p) * (1 - p.bias / 100) : Number.POSITIVE_INFINITY;
  }

  /** The path step of a record: its name, type, policy, targets and health settings; memoised. */
  step(record: R53Record): PathStep {
    return recordStep(this.steps, record);
  }
}

export { describeRecord };
