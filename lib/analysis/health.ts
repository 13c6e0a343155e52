/*
 * Health states as logic: every signal that can be healthy or not (a Route53 health check, a load balancer's
 * target health, a Cloudflare origin as its monitor sees it) is an atom; what a record or pool needs to be healthy
 * is a formula over atoms. A routing path is taken under a conjunction of formulas, so "can this path be taken in
 * some health state" is satisfiability, decided by a small backtracking solver. Atoms are independent: any
 * combination of health states is considered, including ones no region failure produces (a check probing a host
 * that is up while its region is down, two checks of one region disagreeing).
 */

/** One health signal. */
export interface HealthAtom {
  /** Unique key, e.g. `hc:aws_route53_health_check.X`, `alb:aws_lb.Y`, `origin:<pool>|<address>`. */
  readonly id: string;
  /** For messages: `health check aws_route53_health_check.X (probes us-east-1.inference.example.com)`. */
  readonly label: string;
  /** Terraform address of the resource behind the signal. */
  readonly resource: string;
  /** Region whose failure turns the signal unhealthy (healthy while it is up); undefined when no region decides it. */
  readonly region?: string;
}

/**
 * A condition on health signals: a constant, one {@link HealthAtom} being healthy, a negation, a conjunction, a
 * disjunction, or at least `count` of `args`. A routing path is taken under the conjunction of its formulas; whether
 * some health state allows that is {@link satisfy}'s question. Atoms are told apart by their `id`.
 */
export type Formula =
  | { readonly op: 'const'; readonly value: boolean }
  | { readonly op: 'atom'; readonly atom: HealthAtom }
  | { readonly op: 'not'; readonly arg: Formula }
  | { readonly op: 'and' | 'or'; readonly args: readonly Formula[] }
  /** At least `count` of `args` hold (a CALCULATED health check, a pool's minimum_origins). */
  | { readonly op: 'atleast'; readonly count: number; readonly args: readonly Formula[] };

export const TRUE: Formula = { op: 'const', value: true };
export const FALSE: Formula = { op: 'const', value: false };

const atoms = new Map<string, Formula>();

/** The formula of one atom (interned by id). */
export function atom(a: HealthAtom): Formula {
  let f = atoms.get(a.id);
  if (!f || (f as { atom: HealthAtom }).atom !== a) {
    f = { op: 'atom', atom: a };
    atoms.set(a.id, f);
  }
  return f;
}

export function not(f: Formula): Formula {
  if (f.op === 'const') return f.value ? FALSE : TRUE;
  if (f.op === 'not') return f.arg;
  return { op: 'not', arg: f };
}

export function and(...fs: readonly Formula[]): Formula {
  const args: Formula[] = [];
  for (const f of fs) {
    if (f.op === 'const') {
      if (!f.value) return FALSE;
      continue;
    }
    if (f.op === 'and') args.push(...f.args);
    else args.push(f);
  }
  return args.length === 0 ? TRUE : args.length === 1 ? args[0] : { op: 'and', args };
}

export function or(...fs: readonly Formula[]): Formula {
  const args: Formula[] = [];
  for (const f of fs) {
    if (f.op === 'const') {
      if (f.value) return TRUE;
      continue;
    }
    if (f.op === 'or') args.push(...f.args);
    else args.push(f);
  }
  return args.length === 0 ? FALSE : args.length === 1 ? args[0] : { op: 'or', args };
}

export function atLeast(count: number, fs: readonly Formula[]): Formula {
  if (count <= 0) return TRUE;
  if (count > fs.length) return FALSE;
  if (count === fs.length) return and(...fs);
  if (count === 1) return or(...fs);
  return { op: 'atleast', count, args: fs };
}

/** The value of a formula when every atom's value is known. */
export function evaluate(f: Formula, valueOfAtom: (a: HealthAtom) => boolean): boolean {
  switch (f.op) {
    case 'const':
      return f.value;
    case 'atom':
      return valueOfAtom(f.atom);
    case 'not':
      return !evaluate(f.arg, valueOfAtom);
    case 'and':
      return f.args.every((a) => evaluate(a, valueOfAtom));
    case 'or':
      return f.args.some((a) => evaluate(a, valueOfAtom));
    case 'atleast': {
      let n = 0;
      for (const a of f.args) if (evaluate(a, valueOfAtom) && ++n >= f.count) return true;
      return false;
    }
  }
}

/**
 * The value of a formula when some atoms are known (`value` undefined: unknown), or undefined if they do not decide it.
 */
export function partialValue(f: Formula, value: (a: HealthAtom) => boolean | undefined): boolean | undefined {
  switch (f.op) {
    case 'const':
      return f.value;
    case 'atom':
      return value(f.atom);
    case 'not': {
      const v = partialValue(f.arg, value);
      return v === undefined ? undefined : !v;
    }
    case 'and':
    case 'or': {
      const absorbing = f.op === 'or';
      let open = false;
      for (const a of f.args) {
        const v = partialValue(a, value);
        if (v === absorbing) return absorbing;
        if (v === undefined) open = true;
      }
      return open ? undefined : !absorbing;
    }
    case 'atleast': {
      let yes = 0;
      let open = 0;
      for (const a of f.args) {
        const v = partialValue(a, value);
        if (v === true && ++yes >= f.count) return true;
        if (v === undefined) open++;
      }
      return yes + open < f.count ? false : undefined;
    }
  }
}

/** The formula with some atoms replaced by constants (`value` undefined: the atom stays), simplified. */
export function substitute(f: Formula, value: (a: HealthAtom) => boolean | undefined): Formula {
  switch (f.op) {
    case 'const':
      return f;
    case 'atom': {
      const v = value(f.atom);
      return v === undefined ? f : v ? TRUE : FALSE;
    }
    case 'not':
      return not(substitute(f.arg, value));
    case 'and':
      return and(...f.args.map((a) => substitute(a, value)));
    case 'or':
      return or(...f.args.map((a) => substitute(a, value)));
    case 'atleast':
      return atLeast(
        f.count,
        f.args.map((a) => substitute(a, value)),
      );
  }
}

/** Every atom a formula mentions. */
export function atomsOf(fs: readonly Formula[]): HealthAtom[] {
  const out = new Map<string, HealthAtom>();
  const walk = (f: Formula) => {
    if (f.op === 'atom') out.set(f.atom.id, f.atom);
    else if (f.op === 'not') walk(f.arg);
    else if (f.op === 'and' || f.op === 'or' || f.op === 'atleast') f.args.forEach(walk);
  };
  fs.forEach(walk);
  return [...out.values()];
}

/** An assignment found by the solver: the atoms it had to fix, with their values. */
export type Assignment = ReadonlyMap<string, { readonly atom: HealthAtom; readonly healthy: boolean }>;

/**
 * What {@link satisfy} decided: `sat`, with a health state making every formula hold (the atoms it had to fix),
 * `unsat` when no health state does, or `unknown` when its step budget ran out first.
 */
export type SatResult =
  | { readonly status: 'sat'; readonly assignment: Assignment }
  | { readonly status: 'unsat' }
  /** The step budget ran out: callers must treat the path as possible (fail closed). */
  | { readonly status: 'unknown' };

/** Options of {@link satisfy}: atoms whose values are given, and the step budget. */
export interface SatOptions {
  /** Values some atoms must take (e.g. every atom of a region that is up); undefined = free. */
  readonly fixed?: (a: HealthAtom) => boolean | undefined;
  /** Solver steps before giving up with `unknown`. @default 200000 */
  readonly budget?: number;
}

interface Goal {
  readonly f: Formula;
  readonly want: boolean;
}

class OutOfBudget extends Error {}

/**
 * Whether some health state makes every formula hold (and one such state): DPLL over formulas. Goals that force
 * values (an atom, a conjunction that must hold, a disjunction that must fail) are propagated first; a goal with
 * several ways to hold is branched on only when nothing else is forced, choosing the one with the fewest ways left,
 * and every goal is re-checked against the partial assignment (three-valued), so a contradiction is found before
 * any branching it does not depend on.
 */
export function satisfy(formulas: readonly Formula[], options: SatOptions = {}): SatResult {
  const assigned = new Map<string, { atom: HealthAtom; healthy: boolean }>();
  let steps = options.budget ?? 200_000;
  const fixed = options.fixed;
  const tick = () => {
    if (--steps < 0) throw new OutOfBudget();
  };

  const atomValue = (a: HealthAtom): boolean | undefined => assigned.get(a.id)?.healthy ?? fixed?.(a);
  const value = (f: Formula): boolean | undefined => partialValue(f, atomValue);

  /** The ways an open goal can hold: each is a list of sub-goals. */
  const alternatives = (g: Goal): Goal[][] => {
    const f = g.f;
    if (f.op === 'and' || f.op === 'or') {
      // Only reached for and=false / or=true: some argument must take the value.
      return f.args.filter((a) => value(a) !== !g.want).map((a) => [{ f: a, want: g.want }]);
    }
    if (f.op === 'atleast') {
      // at least k of [a, ...rest] <=> (a and at least k-1 of rest) or at least k of rest.
      const [first, ...rest] = f.args;
      const expanded = or(and(first, atLeast(f.count - 1, rest)), atLeast(f.count, rest));
      return [[{ f: expanded, want: g.want }]];
    }
    return [[g]];
  };

  /**
   * `probe`: propagate only (no branching), then undo: false when the goals contradict by propagation alone.
   * Otherwise solve; before branching, each open goal's ways are probed and those propagation refutes are dropped,
   * so a disjunction whose every way contradicts the rest (e.g. "some record healthy" next to "every record
   * unhealthy") is refuted without branching on the others.
   */
  const solve = (goals: readonly Goal[], probe = false): boolean => {
    const trail: string[] = [];
    const undo = () => {
      for (const id of trail) assigned.delete(id);
      return false;
    };
    const pending = [...goals];
    let open: Goal[] = [];
    for (;;) {
      while (pending.length > 0) {
        tick();
        const g = pending.pop()!;
        const v = value(g.f);
        if (v !== undefined) {
          if (v !== g.want) return undo();
          continue;
        }
        const f = g.f;
        if (f.op === 'atom') {
          assigned.set(f.atom.id, { atom: f.atom, healthy: g.want });
          trail.push(f.atom.id);
        } else if (f.op === 'not') pending.push({ f: f.arg, want: !g.want });
        else if ((f.op === 'and' && g.want) || (f.op === 'or' && !g.want))
          for (const a of f.args) pending.push({ f: a, want: g.want });
        else open.push(g);
      }
      // Re-check the open goals against what propagation assigned; force those with one way left.
      const still: Goal[] = [];
      for (const g of open) {
        tick();
        const v = value(g.f);
        if (v !== undefined) {
          if (v !== g.want) return undo();
          continue;
        }
        const ways = alternatives(g);
        if (ways.length === 0) return undo();
        if (ways.length === 1) pending.push(...ways[0]);
        else still.push(g);
      }
      open = still;
      if (pending.length > 0) continue;
      if (open.length === 0) {
        if (probe) undo();
        return true;
      }
      if (probe) {
        undo();
        return true;
      }
      let best: { goal: Goal; ways: Goal[][] } | undefined;
      let forced = false;
      for (const g of open) {
        const all = alternatives(g);
        // Probing costs a propagation per way: worth it for wide disjunctions (the ones that blow up when branched
        // on last), not for the two-way clauses that plain branching settles.
        const others = all.length > 2 ? open.filter((x) => x !== g) : [];
        const ways = all.length > 2 ? all.filter((way) => solve([...way, ...others], true)) : all;
        if (ways.length === 0) return undo();
        if (ways.length === 1) {
          // The one way left implies the goal: replace the goal by it.
          pending.push(...ways[0]);
          open = open.filter((x) => x !== g);
          forced = true;
          break;
        }
        if (!best || ways.length < best.ways.length) best = { goal: g, ways };
      }
      if (forced) continue;
      const rest = open.filter((g) => g !== best!.goal);
      for (const way of best!.ways) if (solve([...way, ...rest])) return true;
      return undo();
    }
  };

  try {
    return solve(formulas.map((f) => ({ f, want: true })))
      ? { status: 'sat', assignment: new Map(assigned) }
      : { status: 'unsat' };
  } catch (error) {
    if (error instanceof OutOfBudget) return { status: 'unknown' };
    throw error;
  }
}

const ids = new WeakMap<Formula, number>();
let nextId = 1;
interface Trie {
  result?: SatResult;
  next?: Map<number, Trie>;
}
const roots = new Map<string, Trie>();
let cached = 0;

/**
 * `satisfy`, memoised by the identity of the formulas and of the fixed values (`fixedKey` names them): paths of
 * equivalent clients share their formula objects, so their checks are decided once. The cache is bounded.
 */
export function satisfyCached(formulas: readonly Formula[], fixedKey = '', options: SatOptions = {}): SatResult {
  let node = roots.get(fixedKey);
  if (!node) roots.set(fixedKey, (node = {}));
  for (const f of formulas) {
    let id = ids.get(f);
    if (id === undefined) ids.set(f, (id = nextId++));
    node.next ??= new Map();
    let child = node.next.get(id);
    if (!child) node.next.set(id, (child = {}));
    node = child;
  }
  if (!node.result) {
    if (++cached > 200_000) {
      roots.clear();
      cached = 0;
    }
    node.result = satisfy(formulas, options);
  }
  return node.result;
}

/** Whether a formula can hold at all (unknown counts as possible). */
export function possible(formulas: readonly Formula[], options: SatOptions = {}): boolean {
  return satisfy(formulas, options).status !== 'unsat';
}
