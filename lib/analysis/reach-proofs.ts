/*
 * The proofs over reachability (every health state, any number of regions):
 * - residency: no path a jurisdiction's client group can take, under any combination of health states, ends
 *   outside the jurisdiction (an endpoint the analysis cannot place counts as outside: fail closed);
 * - failover time: every path any client group can take to a region while that region is up (normal operation, or
 *   after other failures: the second failure) moves them off it within the budget once it fails.
 * A violation names the front door, the destination, the path and, per scenario, exactly the client groups it
 * affects; each scenario is a smallest failure set witnessing it (witness.ts).
 */
import {
  and,
  atom,
  atomsOf,
  not,
  or,
  partialValue,
  satisfy,
  satisfyCached,
  substitute,
  FALSE,
  TRUE,
  type Formula,
  type HealthAtom,
} from './health';
import type {
  ClientGroup,
  Detection,
  FailoverPath,
  FrontDoor,
  PathStep,
  ReachPath,
  ServiceIntent,
  Violation,
} from './model';
import { list, SAME_PATH_NOTE } from './proofs';
import { failoverRemedy } from './remedies';
import { holdsWhenDown, smallestWitness, witnessLabel, type Witness } from './witness';

/** What a front door can add to explain a leak: a remedy that, followed, removes it. */
export interface ResidencyRemedyHook {
  residencyRemedy?(
    path: ReachPath,
    client: ClientGroup,
    jurisdiction: string,
    allowed: (l: ReachPath['landing']) => boolean,
  ): string | undefined;
}

/**
 * What the reachability proofs ({@link reachResidency}, {@link reachFailover}) check: the front doors (those without
 * `reach` are skipped), the client groups, the service intent (jurisdictions, residency) and the service's regions,
 * which name the failure sets that witness a violation.
 */
export interface ReachProofInput {
  readonly frontDoors: readonly (FrontDoor & ResidencyRemedyHook)[];
  readonly clients: readonly ClientGroup[];
  readonly intent: ServiceIntent;
  readonly regions: readonly string[];
}

/** Whether a front door answers a client group (private zones answer only their VPCs). */
export function serves(fd: FrontDoor, client: ClientGroup): boolean {
  return fd.serves ? fd.serves(client) : !client.vpc;
}

/** Where one jurisdiction's client groups can land, per front door, over every health state (for explain). */
export interface ReachableSummary {
  readonly frontDoor: string;
  readonly jurisdiction: string;
  /** Destinations (region or endpoint) any of its client groups can reach. */
  readonly destinations: readonly string[];
  readonly clients: number;
  readonly paths: number;
}

/** Per path object (front doors share paths between equivalent clients): whether it can be taken at all. */
const possibleCache = new WeakMap<ReachPath, boolean>();
function isPossible(path: ReachPath): boolean {
  let v = possibleCache.get(path);
  if (v === undefined)
    possibleCache.set(
      path,
      (v = takenWithOnlyUp(path, path.landing.region) || satisfyCached(path.conditions).status !== 'unsat'),
    );
  return v;
}

/**
 * A quick positive for "can be taken with `region` up": the conditions hold with every region up, or with only
 * `region` up (signals of no region left open, so a value is a proof). Most paths are settled so without the solver.
 */
function takenWithOnlyUp(path: ReachPath, region: string | undefined): boolean {
  const c = conditionsOf(path);
  if (conditionsAllUp(c) === true) return true;
  return (
    region !== undefined &&
    partialValue(c.formula, (a) => (a.region === undefined ? undefined : a.region === region)) === true
  );
}

/** Per path object: whether it can be taken while its own region is up. */
const upCache = new WeakMap<ReachPath, boolean>();
function possibleWhileUp(path: ReachPath): boolean {
  let v = upCache.get(path);
  if (v === undefined) {
    const region = path.landing.region;
    // Taken with every region up settles it (the common case) without the solver.
    v =
      takenWithOnlyUp(path, region) ||
      satisfyCached(path.conditions, `up:${region ?? ''}`, {
        fixed: (a) => (region && a.region === region ? true : undefined),
      }).status !== 'unsat';
    upCache.set(path, v);
  }
  return v;
}

interface Leak {
  readonly fd: FrontDoor & ResidencyRemedyHook;
  readonly client: ClientGroup;
  readonly path: ReachPath;
  witness?: Witness;
}

/** `describePath` for reach paths. */
export function describeSteps(path: readonly PathStep[]): string {
  return path.map((s) => `${s.address} [${s.label}${s.note ? `; ${s.note}` : ''}]`).join(' -> ');
}

/** Whether a landing is allowed for a client of jurisdiction `j`. */
export function allowedFor(intent: ServiceIntent, j: string) {
  return (l: ReachPath['landing']): boolean => {
    if (l.failClosed) return true;
    if (l.declared) return l.declared.jurisdiction === j;
    return !!l.region && !l.unplaced && intent.regions[l.region]?.jurisdiction === j;
  };
}

function destination(intent: ServiceIntent, l: ReachPath['landing']): string {
  if (l.declared) return `${l.endpoint} (declared jurisdiction ${l.declared.jurisdiction ?? 'none'})`;
  if (l.unplaced || !l.region) return `${l.endpoint} (not placed: ${l.unplaced ?? 'no region'})`;
  return `${l.region} (jurisdiction ${intent.regions[l.region]?.jurisdiction ?? 'none'})`;
}

/** Residency over every health state. */
export function reachResidency(input: ReachProofInput): {
  violations: Violation[];
  reachable: ReachableSummary[];
  checked: { clients: number; paths: number };
} {
  const { intent } = input;
  const leaks: Leak[] = [];
  const reachable = new Map<
    string,
    { frontDoor: string; jurisdiction: string; destinations: Set<string>; clients: Set<string>; paths: number }
  >();
  let paths = 0;
  const clientsChecked = new Set<string>();
  for (const fd of input.frontDoors) {
    if (!fd.reach) continue;
    for (const client of input.clients) {
      const j = client.jurisdiction;
      if (!j || !serves(fd, client)) continue;
      clientsChecked.add(client.id);
      const allowed = allowedFor(intent, j);
      const summary = reachable.get(`${fd.label}|${j}`) ?? {
        frontDoor: fd.label,
        jurisdiction: j,
        destinations: new Set<string>(),
        clients: new Set<string>(),
        paths: 0,
      };
      reachable.set(`${fd.label}|${j}`, summary);
      summary.clients.add(client.id);
      for (const path of fd.reach(client)) {
        paths++;
        summary.paths++;
        if (path.landing.failClosed) continue;
        const ok = allowed(path.landing);
        // Paths inside the jurisdiction only matter for the summary; check them only if the summary lacks them.
        const dest = path.landing.region ?? path.landing.endpoint;
        if (ok && summary.destinations.has(dest)) continue;
        if (!isPossible(path)) continue;
        summary.destinations.add(dest);
        if (!ok) leaks.push({ fd, client, path });
      }
    }
  }
  return {
    violations: groupLeaks(leaks, input),
    reachable: [...reachable.values()].map((r) => ({
      frontDoor: r.frontDoor,
      jurisdiction: r.jurisdiction,
      destinations: [...r.destinations].sort(),
      clients: r.clients.size,
      paths: r.paths,
    })),
    checked: { clients: clientsChecked.size, paths },
  };
}

function signature(path: ReachPath): string {
  return path.path
    .map((s) => `${s.clientSpecific ? '<own mapping>' : s.address}|${s.clientSpecific ? '' : s.label}|${s.note ?? ''}`)
    .join('>');
}

function groupLeaks(leaks: readonly Leak[], input: ReachProofInput): Violation[] {
  const { intent, regions } = input;
  const groups = new Map<string, Leak[]>();
  for (const leak of leaks) {
    const j = leak.client.jurisdiction!;
    const how = leak.path.kind === 'answer' ? 'the answer' : `a possible landing via ${leak.path.possible}`;
    const key = `${leak.fd.label}|${j}|${destination(intent, leak.path.landing)}|${how}|${signature(leak.path)}`;
    groups.set(key, [...(groups.get(key) ?? []), leak]);
  }
  const out: Violation[] = [];
  for (const group of groups.values()) {
    const first = group[0];
    const j = first.client.jurisdiction!;
    for (const leak of group) leak.witness = smallestWitness(leak.path.conditions);
    const cases = casesOf(group, regions);
    const clients = [...new Set(group.map((l) => l.client.label))];
    const how = first.path.kind === 'answer' ? 'the answer' : `a possible landing via ${first.path.possible}`;
    const example = group.find((l) => l.client.label === cases[0].clientGroups[0]) ?? first;
    const remedy =
      [
        defaultResidencyRemedy(first.path, j),
        first.fd.residencyRemedy?.(first.path, first.client, j, allowedFor(intent, j)),
      ]
        .filter(Boolean)
        .join('; or ') || undefined;
    const resources = [...new Set(group.flatMap((l) => l.path.path.map((s) => s.address)))];
    const scenarioText = cases
      .map((c, i) =>
        i === 0
          ? `in scenario "${c.scenario}"`
          : `in scenario "${c.scenario}" client group${c.clientGroups.length > 1 ? 's' : ''} "${list(c.clientGroups)}"`,
      )
      .join('; ');
    out.push({
      proof: 'residency',
      frontDoor: first.fd.label,
      scenarios: cases.map((c) => c.scenario),
      clientGroups: clients,
      cases,
      resources,
      remedy,
      message:
        `residency: ${first.fd.label} sends client group${cases[0].clientGroups.length > 1 ? 's' : ''} ` +
        `"${list(cases[0].clientGroups)}" (jurisdiction ${j}) to ${destination(intent, first.path.landing)} ` +
        `${scenarioText} as ${how}; leaking path for "${example.client.label}": ${describeSteps(example.path.path)}` +
        (example.path.path.length > 0 && clients.length > 1 ? SAME_PATH_NOTE : '') +
        `${remedy ? `; to fix: ${remedy}` : ''}`,
    });
  }
  return out;
}

/** Per witness scenario, exactly the client groups of the group that take the path in it. */
function casesOf(
  group: readonly Leak[],
  regions: readonly string[],
): { scenario: string; clientGroups: string[]; failed?: readonly string[] }[] {
  const scenarios = new Map<string, Witness>();
  for (const l of group) {
    const label = witnessLabel(l.witness!, regions);
    if (!scenarios.has(label)) scenarios.set(label, l.witness!);
  }
  const ordered = [...scenarios.entries()].sort(([, a], [, b]) => a.failed.length - b.failed.length);
  const cases = ordered.map(([label, w]) => {
    const failed = new Set(w.failed);
    const clients = group
      .filter((l) =>
        w.inconsistent ? witnessLabel(l.witness!, regions) === label : holdsWhenDown(l.path.conditions, failed).holds,
      )
      .map((l) => l.client.label);
    return { scenario: label, clientGroups: [...new Set(clients)], failed: w.inconsistent ? undefined : w.failed };
  });
  // A scenario that only adds failures to a listed one and no client group to it says nothing new.
  return cases.filter(
    (c, i) =>
      !cases.some(
        (d, k) =>
          k !== i &&
          d.failed &&
          c.failed &&
          d.failed.length < c.failed.length &&
          d.failed.every((r) => c.failed!.includes(r)) &&
          c.clientGroups.every((g) => d.clientGroups.includes(g)),
      ),
  );
}

/** A remedy that holds for every front door: an endpoint the analysis cannot place can be declared. */
function defaultResidencyRemedy(path: ReachPath, j: string): string | undefined {
  const l = path.landing;
  if (!l.unplaced || l.declared) return undefined;
  if (l.fix) return l.fix;
  return (
    `if ${l.endpoint} serves only from jurisdiction ${j}, declare it: add { name: ${l.endpoint}, jurisdiction: ` +
    `${j}, failoverSeconds: <seconds it needs to move traffic off a failure of its own> } ` +
    `to the spec's externalEndpoints (or call declareExternalEndpoint in the stack)`
  );
}

/**
 * The two ways a region fails: unreachable from outside (its load balancers still see healthy targets), or its model
 * servers unhealthy.
 */
type Mode = 'unreachable' | 'unhealthy';

/**
 * Why clients stay on a failed region; `nowhere`: no region that is up could take them (an outage, not a slow move).
 */
interface Stuck {
  readonly why: string;
  readonly nowhere: boolean;
}

/** A region is up when all of its signals in these paths are healthy (in the same state). */
function upAtomsOf(paths: readonly ReachPath[]): Map<string, Formula[]> {
  const out = new Map<string, Formula[]>();
  for (const a of atomsOf(paths.map((q) => conditionsOf(q).formula)))
    if (a.region !== undefined) out.set(a.region, [...(out.get(a.region) ?? []), atom(a)]);
  return out;
}

const usable = (q: ReachPath) => q.kind === 'answer' && !q.landing.failClosed;

interface AnswerUp {
  /** Where the answer lands. */
  readonly region?: string;
  /** Its conditions and, for a region, every signal of that region healthy. */
  readonly formula: Formula;
  readonly regions: ReadonlySet<string>;
  /** Its value with every region up (undefined: it depends on signals of no region). */
  readonly allUp: boolean | undefined;
  /** Its value with `down` failed and every other region up (undefined: it depends on signals of no region). */
  readonly whenDown: (down: string) => boolean | undefined;
}

/** Per path object (shared by equivalent clients and by the checkers of their front door): its conditions. */
interface PathConditions {
  readonly formula: Formula;
  readonly regions: ReadonlySet<string>;
  readonly downValues: Map<string, boolean | undefined>;
  allUp?: boolean | undefined | null;
}
const conditionsCache = new WeakMap<ReachPath, PathConditions>();
function conditionsOf(path: ReachPath): PathConditions {
  let c = conditionsCache.get(path);
  if (!c) {
    // The failover checks' view of the path: its conditions and, where the front door steers only to a healthy
    // landing, that landing's health.
    const formula = and(...path.conditions, ...(path.landingHealthy ? [path.landingHealthy] : []));
    conditionsCache.set(path, (c = { formula, regions: regionsOf(formula), downValues: new Map() }));
  }
  return c;
}

/**
 * With one region down and every other up, an answer elsewhere is its conditions' value: the signals of its own
 * region that "up" adds are fixed healthy. A region the conditions do not mention gives the value with every
 * region up, computed once per path.
 */
function conditionsWhenDown(c: PathConditions, down: string): boolean | undefined {
  if (!c.regions.has(down)) return conditionsAllUp(c);
  if (!c.downValues.has(down))
    c.downValues.set(
      down,
      partialValue(c.formula, (a) => (a.region === undefined ? undefined : a.region !== down)),
    );
  return c.downValues.get(down);
}

/** The answers that hold whenever every region they mention is up (see elsewhereOf). */
function solidAnswers(answers: readonly AnswerUp[]): AnswerUp[] {
  return answers.filter((q) => q.allUp === true);
}

function conditionsAllUp(c: PathConditions): boolean | undefined {
  if (c.allUp === undefined)
    c.allUp = partialValue(c.formula, (a) => (a.region === undefined ? undefined : true)) ?? null;
  return c.allUp ?? undefined;
}

function answersUp(paths: readonly ReachPath[], upAtoms: ReadonlyMap<string, Formula[]>): AnswerUp[] {
  return paths.filter(usable).map((q) => {
    const c = conditionsOf(q);
    const up = q.landing.region !== undefined ? (upAtoms.get(q.landing.region) ?? []) : [];
    const formula = up.length ? and(c.formula, ...up) : c.formula;
    const regions =
      up.length && !c.regions.has(q.landing.region!) ? new Set([...c.regions, q.landing.region!]) : c.regions;
    // The signals "up" adds are healthy with every region up: the conditions' value.
    const allUp = conditionsAllUp(c);
    return {
      region: q.landing.region,
      formula,
      regions,
      allUp,
      whenDown: (down: string) => conditionsWhenDown(c, down),
    };
  });
}

/**
 * Somewhere else to go once `region` has failed (its signals unhealthy), per region that may already be down
 * (`undefined`: none, every other region up): an answer elsewhere whose own region is up (a last-resort answer to a
 * region that is down is nowhere), or an endpoint outside the regions. Built from each answer with every region's
 * signals fixed, evaluated again only for the answers that mention the region left free; one answer that holds
 * without it settles the question. Nothing is built for the answers the fixed regions decide.
 */
function elsewhereOf(
  answers: readonly AnswerUp[],
  region: string,
  solid: readonly AnswerUp[] = solidAnswers(answers),
): (other: string | undefined) => Formula {
  let fixedAll: (AnswerUp & { readonly f: Formula })[] | undefined;
  const cache = new Map<string | undefined, Formula>();
  return (other) => {
    let e = cache.get(other);
    if (e) return e;
    const remember = (f: Formula) => (cache.set(other, f), f);
    // Usually settled without looking at every answer: one that holds with every region up and mentions neither
    // the failed region nor the one left free holds in every state the question allows.
    if (
      solid.some((q) => q.region !== region && !q.regions.has(region) && (other === undefined || !q.regions.has(other)))
    )
      return remember(TRUE);
    fixedAll ??= answers
      .filter((q) => q.region !== region)
      .map((q) => {
        const v = q.whenDown(region);
        return { ...q, f: v === undefined ? q.formula : v ? TRUE : FALSE };
      });
    if (other === undefined) e = or(...fixedAll.map((x) => x.f));
    else if (fixedAll.some((x) => x.f.op === 'const' && x.f.value && !x.regions.has(other))) e = TRUE;
    else {
      const known = (a: HealthAtom) => (a.region === undefined || a.region === other ? undefined : a.region !== region);
      const kept: Formula[] = [];
      for (const x of fixedAll) {
        if (!x.regions.has(other)) {
          kept.push(x.f);
          continue;
        }
        const v = partialValue(x.formula, known);
        if (v === true) return remember(TRUE);
        if (v === undefined) kept.push(x.formula);
      }
      e = or(...kept);
    }
    return remember(e);
  };
}

/**
 * Whether a client that takes `path` while `region` is up can stay on `region` once every signal that sees its
 * failure has turned (its endpoint checks; its load balancers' target health too when the servers fail), in one
 * health state before and after, with every other region up or one of them already down (the second failure):
 * - while a healthy answer elsewhere exists (another record that leads there stays healthy, or the record that
 *   moves them is unhealthy in that state); somewhere to go is judged as if every signal of the failed region had
 *   seen it: the question is whether the records keep clients there, not whether the failure is observable;
 * - or with no answer elsewhere at all although a region is up that a perfect detector (every record aliasing the
 *   failed region's load balancers unhealthy: `ideal`) would send them to; in a first failure with nowhere to go
 *   even then, the clients stay for good: `nowhere` (the outage slo.survivesRegionFailure: false accepts).
 * Route53 and Cloudflare alike (a pool without a monitor, or a fallback pool, in the failed region keeps clients
 * there as a record nothing checks does). A solver that runs out of budget ('unknown') counts as stuck: fail closed.
 */
function stuckChecker(
  all: readonly ReachPath[],
  regions: readonly string[],
  ideal?: (region: string) => readonly ReachPath[],
  noun: 'record' | 'pool' = 'record',
): (path: ReachPath, region: string) => Stuck | undefined {
  const answers = all.filter(usable);
  const upAtoms = upAtomsOf(all);
  const prepared = answersUp(all, upAtoms);
  const solid = solidAnswers(prepared);
  const byRegion = new Map<string, RegionQueries>();
  const sets = (region: string): RegionQueries => {
    let s = byRegion.get(region);
    if (s) return s;
    const toRegion = or(...answers.filter((q) => q.landing.region === region).map((q) => conditionsOf(q).formula));
    const mentioned = regionsOf(toRegion);
    // Unreachable from outside: the load balancer still sees healthy targets; servers unhealthy: every signal.
    const seen = (mode: Mode, a: HealthAtom) => mode === 'unreachable' && a.id.startsWith('alb:');
    // Formulas with the failed region's signals substituted are built only for the rare question a value does not
    // settle; values are computed on the unsubstituted formula with those signals fixed.
    const formulas: Partial<Record<Mode, Formula>> = {};
    const toRegionIn = (mode: Mode) =>
      (formulas[mode] ??= substitute(toRegion, (a) => (a.region === region ? seen(mode, a) : undefined)));
    const deadIn = (mode: Mode) =>
      partialValue(toRegion, (a) => (a.region === region ? seen(mode, a) : undefined)) === false;
    const dead = { unreachable: deadIn('unreachable'), unhealthy: deadIn('unhealthy') };
    // A region the formula does not mention gives the value with every other region up: computed once.
    const toRegionValues = {
      unreachable: new Map<string | undefined, boolean | undefined>(),
      unhealthy: new Map<string | undefined, boolean | undefined>(),
    };
    const toRegionWith = (mode: Mode, other: string | undefined): boolean | undefined => {
      const key = other !== undefined && mentioned.has(other) ? other : undefined;
      const values = toRegionValues[mode];
      if (!values.has(key))
        values.set(
          key,
          partialValue(toRegion, (a) =>
            a.region === region ? seen(mode, a) : a.region === undefined || a.region === key ? undefined : true,
          ),
        );
      return values.get(key);
    };
    let idealElsewhere: ((other: string | undefined) => Formula) | undefined;
    s = {
      toRegion: toRegionIn,
      dead: (mode) => dead[mode],
      mentioned,
      toRegionWith,
      elsewhere: elsewhereOf(prepared, region, solid),
      idealElsewhere: ideal
        ? (other) => {
            if (!idealElsewhere) {
              const paths = ideal(region);
              idealElsewhere = elsewhereOf(answersUp(paths, upAtomsOf([...all, ...paths])), region);
            }
            return idealElsewhere(other);
          }
        : undefined,
    };
    byRegion.set(region, s);
    return s;
  };
  const verdicts = new Map<string, Stuck | undefined>();
  return (path, region) => {
    const memo = `${pathId(path)}|${region}`;
    if (verdicts.has(memo)) return verdicts.get(memo);
    const verdict = check(path, region);
    verdicts.set(memo, verdict);
    return verdict;
  };
  function check(path: ReachPath, region: string): Stuck | undefined {
    const records = sets(region);
    const conditions = conditionsOf(path);
    // The path while the region is up, then the region failed: its signals true in `up` (built only for a query),
    // unhealthy (as each mode sees them) in the way back, and fixed so for the rest.
    if (partialValue(conditions.formula, (a) => (a.region === region ? true : undefined)) === false) return undefined;
    let upFormula: Formula | undefined;
    const up = () =>
      (upFormula ??= conditions.regions.has(region)
        ? substitute(conditions.formula, (a) => (a.region === region ? true : undefined))
        : conditions.formula);
    const upRegions = conditions.regions;
    const others = [undefined, ...regions.filter((r) => r !== region)];
    // Every region but `free` is up; the failed region's atoms are substituted in the formulas of a query.
    const fixedFor = (free: string | undefined) => (a: HealthAtom) =>
      a.region === undefined || a.region === free ? undefined : a.region !== region;
    // With every region but `other` fixed, the path or the way back is often decided already: nothing to solve.
    const upWith = new Map<string | undefined, boolean>();
    const upOpen = (other: string | undefined) => {
      const key = other !== undefined && upRegions.has(other) ? other : undefined;
      if (!upWith.has(key))
        upWith.set(
          key,
          partialValue(conditions.formula, (a) =>
            a.region === region ? true : a.region === undefined || a.region === key ? undefined : true,
          ) !== false,
        );
      return upWith.get(key)!;
    };
    const open = (mode: Mode, other: string | undefined) =>
      records.toRegionWith(mode, other) !== false && upOpen(other);
    for (const mode of ['unreachable', 'unhealthy'] as const) {
      // Most paths are settled here: every way back to the region needs one of its signals.
      if (records.dead(mode)) continue;
      // A first failure (every other region up) or a second one (one other region already down): the budget
      // speaks of clients that moved once being able to move again, not of any number of regions down. One query
      // per region that may be down (a single query with a cardinality constraint was far slower); a region that
      // the path and the records to the failed region do not mention, with somewhere else to go regardless, asks
      // the same question as the first failure: asked once.
      let result: ReturnType<typeof satisfy> = { status: 'unsat' };
      let askedUntouched = false;
      for (const other of others) {
        // Whether the path and the way back are still open is cheap and usually settles it: asked first.
        if (!open(mode, other)) continue;
        const rest = records.elsewhere(other);
        if (rest.op === 'const' && !rest.value) continue;
        const untouched =
          other !== undefined && rest.op === 'const' && !upRegions.has(other) && !records.mentioned.has(other);
        if (untouched && askedUntouched) continue;
        if (untouched) askedUntouched = true;
        result = satisfy([up(), records.toRegion(mode), rest], { fixed: fixedFor(untouched ? undefined : other) });
        if (result.status !== 'unsat') break;
      }
      if (result.status === 'unsat') continue;
      return {
        why:
          `clients can stay on ${region} after every signal sees it fail ` +
          `(${describeMode(mode)})${inState(result)}, although a healthy answer elsewhere exists: another ` +
          `${noun} that leads there stays healthy, or the ${noun} that moves them is unhealthy in that state`,
        nowhere: false,
      };
    }
    // No answer elsewhere at all in a state where clients still land on the region: whatever a detector on the
    // path sees, the records bring them back (the path's own figure would credit a move that only leads to
    // another record into the region).
    for (const other of others) {
      const modes = (['unreachable', 'unhealthy'] as const).filter((mode) => open(mode, other));
      if (modes.length === 0) continue;
      const rest = records.elsewhere(other);
      if (rest.op === 'const' && rest.value) continue;
      for (const mode of modes) {
        const query = [up(), records.toRegion(mode), not(rest)];
        const fixed = fixedFor(other);
        const stays = satisfy(query, { fixed });
        if (stays.status === 'unsat') continue;
        // Would a perfect detector have somewhere to send them, in that same state? Without the ideal reach, a
        // first failure counts as an outage and a second one as nothing to judge (both regions' clients lost).
        const better = records.idealElsewhere
          ? satisfy([...query, records.idealElsewhere(other)], { fixed })
          : ({ status: 'unsat' } as const);
        if (better.status === 'unsat' && other !== undefined) continue;
        const after = other === undefined ? '' : ` (with ${other} already down)`;
        if (better.status === 'unsat')
          return {
            why:
              `clients stay on ${region} after every signal sees it fail ` +
              `(${describeMode(mode)})${inState(stays)}: every answer the ${noun}s can give them then leads to ` +
              `${region}, and no region that is up could take them`,
            nowhere: true,
          };
        return {
          why:
            `clients stay on ${region}${after} after every signal sees it fail ` +
            `(${describeMode(mode)})${inState(better)}: every answer the records can give them then leads back ` +
            `to ${region} through a ${noun} nothing marks unhealthy, although a region that is up could take them`,
          nowhere: false,
        };
      }
    }
    return undefined;
  }
}

function describeMode(mode: Mode): string {
  return mode === 'unreachable' ? 'region unreachable from outside' : 'model servers unhealthy';
}

/** The unhealthy signals of a solver's witness state, for a message. */
function inState(result: ReturnType<typeof satisfy>): string {
  const state =
    result.status === 'sat' ? [...result.assignment.values()].filter((v) => !v.healthy).map((v) => v.atom.label) : [];
  if (state.length === 0) return '';
  return (
    `, when ${state.slice(0, 3).join(', ')}${state.length > 3 ? ` and ${state.length - 3} more` : ''} ` +
    `${state.length === 1 ? 'is' : 'are'} unhealthy`
  );
}

interface RegionQueries {
  /** The answers that still lead to the region once each failure mode is seen (built on first use). */
  readonly toRegion: (mode: Mode) => Formula;
  /** Whether no answer can lead back to the region once the mode is seen, whatever the other regions do. */
  readonly dead: (mode: Mode) => boolean;
  /** The regions whose signals the answers to the region mention (a superset of those left once a mode is seen). */
  readonly mentioned: ReadonlySet<string>;
  /** The value of `toRegion` with every region but `other` fixed (the failed one down), undefined if still open. */
  readonly toRegionWith: (mode: Mode, other: string | undefined) => boolean | undefined;
  /** Somewhere else to go, with the region that may already be down left free. */
  readonly elsewhere: (other: string | undefined) => Formula;
  /** The same under a perfect detector (see `stuckChecker`), when the front door can tell. */
  readonly idealElsewhere?: (other: string | undefined) => Formula;
}

/** The regions whose signals a formula mentions. */
function regionsOf(f: Formula): Set<string> {
  const out = new Set<string>();
  for (const a of atomsOf([f])) if (a.region !== undefined) out.add(a.region);
  return out;
}

const pathIds = new WeakMap<ReachPath, number>();
let nextPathId = 0;
function pathId(p: ReachPath): number {
  let id = pathIds.get(p);
  if (id === undefined) pathIds.set(p, (id = nextPathId++));
  return id;
}

interface TimedPath {
  readonly fd: FrontDoor;
  readonly client: ClientGroup;
  readonly path: ReachPath;
  readonly detection: Detection;
  readonly target: string;
}

/**
 * Failover time over every health state: each path a client can take to a region while that region is up, and how
 * long until its clients leave once the region fails. Adaptive-routing retries are per request (not a steady
 * state) and fail-closed pools serve nobody: both are left out.
 */
export function reachFailover(input: ReachProofInput & { readonly sloSeconds?: number }): {
  paths: FailoverPath[];
  violations: Violation[];
} {
  const timed: TimedPath[] = [];
  for (const fd of input.frontDoors) {
    if (!fd.reach || !fd.pathFailover) continue;
    const cache = new Map<string, Detection>();
    const keyOf = (path: ReachPath) =>
      `${path.landing.region ?? path.landing.endpoint}|${
        fd.failoverKey
          ? fd.failoverKey(path)
          : path.path
              .filter((s) => !s.note?.startsWith('passed over'))
              .map((s) => s.address)
              .join('>')
      }`;
    const stuckCache = new Map<string, Detection>();
    const checkers = new Map<string, (path: ReachPath, region: string) => Stuck | undefined>();
    for (const client of input.clients) {
      if (!serves(fd, client)) continue;
      const all = [...fd.reach(client)];
      // Equivalent clients share the reach's path objects: one checker (and its answers) per distinct set of paths;
      // the perfect-detector reach depends on the client the same way, so the first client's serves them all.
      const signature = all.map(pathId).join(',');
      // The edge router's table is left out: its breakers and retries move requests, not a steady answer.
      const steady = fd.kind === 'route53' || fd.kind === 'cloudflare';
      let stuck = steady ? checkers.get(signature) : undefined;
      if (steady && !stuck)
        checkers.set(
          signature,
          (stuck = stuckChecker(
            all,
            input.regions,
            fd.reachWithIdealDetector ? (region) => fd.reachWithIdealDetector!(client, region) : undefined,
            fd.kind === 'cloudflare' ? 'pool' : 'record',
          )),
        );
      // One path per client and failover figure is enough (the first one that can be taken while its region is up),
      // unless another path of the same figure can leave the client on its region once the failure is seen.
      const done = new Map<string, boolean>();
      for (const path of all) {
        if (path.kind === 'retry' || path.landing.failClosed) continue;
        const key = keyOf(path);
        if (done.get(key) === true) continue;
        // Taken while its region is up? (A path taken only once its region looks down has nowhere to go.)
        if (!possibleWhileUp(path)) continue;
        let d = cache.get(key);
        if (!d) cache.set(key, (d = fd.pathFailover(path)));
        const region = path.landing.region;
        const stuckWhy = stuck && region && Number.isFinite(d.seconds) ? stuck(path, region) : undefined;
        if (stuckWhy) {
          const { why, nowhere } = stuckWhy;
          let never = stuckCache.get(`${key}|${why}`);
          if (!never)
            stuckCache.set(
              `${key}|${why}`,
              (never = {
                seconds: Number.POSITIVE_INFINITY,
                breakdown: why,
                resources: d.resources,
                causes: [{ kind: 'undetected', why, nowhere }],
              }),
            );
          timed.push({ fd, client, path, detection: never, target: region! });
          done.set(key, true);
          continue;
        }
        if (done.has(key)) continue;
        done.set(key, false);
        timed.push({ fd, client, path, detection: d, target: path.landing.region ?? path.landing.endpoint });
      }
    }
  }
  // Detections are shared objects per front door and path key; group by them, then merge equal figures.
  const byDetection = new Map<Detection, TimedPath[]>();
  for (const t of timed) {
    const list = byDetection.get(t.detection);
    if (list) list.push(t);
    else byDetection.set(t.detection, [t]);
  }
  const groups = new Map<string, TimedPath[]>();
  for (const list of byDetection.values()) {
    const t = list[0];
    const key = `${t.fd.label}|${t.target}|${t.detection.seconds}|${t.detection.breakdown}`;
    const g = groups.get(key);
    if (g) g.push(...list);
    else groups.set(key, [...list]);
  }
  const paths: FailoverPath[] = [];
  const violations: Violation[] = [];
  const slo = input.sloSeconds;
  for (const group of groups.values()) {
    const first = group[0];
    const keepUp = first.path.landing.region ? [first.path.landing.region] : [];
    // Nothing to fail over to (no set on the path can give the clients another record) is the outage the spec
    // accepts with slo.survivesRegionFailure: false; the path is still listed, with its figure.
    const accepted =
      input.intent.survivesRegionFailure === false &&
      !!first.detection.causes?.some((c) => c.kind === 'undetected' && c.nowhere);
    const over = slo !== undefined && first.detection.seconds > slo && !accepted;
    const witnesses = new Map<string, { w: Witness; clients: Set<string> }>();
    // Every member's smallest scenario for the violation's cases; one witness is enough for the explain table.
    for (const t of over ? group : [first]) {
      const w = smallestWitness(t.path.conditions, { keepUp });
      const label = witnessLabel(w, input.regions);
      const entry = witnesses.get(label) ?? { w, clients: new Set<string>() };
      entry.clients.add(t.client.label);
      witnesses.set(label, entry);
    }
    const clients = [...new Set(group.map((t) => t.client.label))];
    const [firstScenario] = [...witnesses.keys()];
    paths.push({
      frontDoor: first.fd.label,
      region: first.target,
      seconds: first.detection.seconds,
      breakdown: first.detection.breakdown,
      resources: first.detection.resources,
      clients,
      scenario: firstScenario,
      path: first.path.path,
      causes: first.detection.causes,
    });
    if (!over) continue;
    const cases = [...witnesses.entries()]
      .sort(([, a], [, b]) => a.w.failed.length - b.w.failed.length)
      .map(([scenario, e]) => ({
        scenario,
        clientGroups: [...e.clients],
        failed: e.w.inconsistent ? undefined : e.w.failed,
      }));
    const remedy = failoverRemedy(first.detection, slo!, input.intent);
    const seconds = Number.isFinite(first.detection.seconds) ? `${first.detection.seconds} s` : 'never';
    const when = (scenario: string) =>
      scenario === 'normal operation' ? 'in normal operation' : `after "${scenario}"`;
    const caseText = cases
      .map((c, i) =>
        i === 0
          ? when(c.scenario)
          : `${when(c.scenario)} for client group${c.clientGroups.length > 1 ? 's' : ''} "${list(c.clientGroups)}"`,
      )
      .join('; ');
    violations.push({
      proof: 'failover-time',
      frontDoor: first.fd.label,
      scenarios: cases.map((c) => c.scenario),
      clientGroups: clients,
      cases,
      resources: [...new Set([...first.detection.resources, ...first.path.path.map((s) => s.address)])],
      remedy,
      message:
        `failover-time: when ${first.target} fails ${caseText}, ${first.fd.label} moves client ` +
        `group${cases[0].clientGroups.length > 1 ? 's' : ''} "${list(cases[0].clientGroups)}" off ` +
        `${first.target} after up to ${seconds}, ` +
        `over the budget slo.failoverSeconds = ${slo} s: ${first.detection.breakdown}; path: ` +
        `${describeSteps(first.path.path)}${remedy ? `; to fix: ${remedy}` : ''}`,
    });
  }
  return { paths, violations };
}
