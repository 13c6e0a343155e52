/*
 * Witnesses for the messages: given the health conditions of a path the proofs found possible, the smallest set of
 * regions whose failure makes the path taken (every atom of a failed region unhealthy, every atom of another
 * region healthy, atoms no region decides left free). Search over failure sets of growing size, within a budget,
 * then a greedy shrink: the search only names the scenario; whether the path is possible was decided by
 * satisfiability over every health state (health.ts).
 */
import { atomsOf, satisfy, type Formula, type HealthAtom } from './health';

/** A smallest failure set found for a path, and the signals no region decides that must be unhealthy too. */
export interface Witness {
  /** Regions down, sorted. */
  readonly failed: readonly string[];
  /** Atoms without a region that the path needs unhealthy (a check of a host outside the service, ...). */
  readonly alsoUnhealthy: readonly HealthAtom[];
  /** No region-failure set produces the path: it needs signals of one region to disagree. */
  readonly inconsistent?: boolean;
  /** The atoms the solver had to set unhealthy when no region scenario exists. */
  readonly atomsDown?: readonly HealthAtom[];
}

export interface WitnessOptions {
  /** Regions that must stay up (the region whose failure a failover-time path is about). */
  readonly keepUp?: readonly string[];
  /** Satisfiability checks the exhaustive search may spend before shrinking greedily. @default 400 */
  readonly budget?: number;
}

/** Whether the path's conditions hold with `failed` down and every other region up (free atoms free). */
export function holdsWhenDown(
  conditions: readonly Formula[],
  failed: ReadonlySet<string>,
): { holds: boolean; alsoUnhealthy: HealthAtom[] } {
  const r = satisfy(conditions, { fixed: (a) => (a.region ? !failed.has(a.region) : undefined) });
  if (r.status === 'unsat') return { holds: false, alsoUnhealthy: [] };
  if (r.status === 'unknown') return { holds: true, alsoUnhealthy: [] };
  return {
    holds: true,
    alsoUnhealthy: [...r.assignment.values()].filter((v) => !v.atom.region && !v.healthy).map((v) => v.atom),
  };
}

/** The smallest failure set under which a (satisfiable) path is taken, or an atom-level witness. */
export function smallestWitness(conditions: readonly Formula[], options: WitnessOptions = {}): Witness {
  const keepUp = new Set(options.keepUp ?? []);
  const candidates = [
    ...new Set(
      atomsOf(conditions)
        .map((a) => a.region)
        .filter((r): r is string => !!r && !keepUp.has(r)),
    ),
  ].sort();
  let budget = options.budget ?? 400;
  const test = (failed: readonly string[]) => {
    budget--;
    return holdsWhenDown(conditions, new Set(failed));
  };
  for (let size = 0; size <= candidates.length && budget > 0; size++) {
    for (const subset of combinations(candidates, size)) {
      if (budget <= 0) break;
      const t = test(subset);
      if (t.holds) return { failed: subset, alsoUnhealthy: t.alsoUnhealthy };
    }
  }
  // Greedy: from every candidate down, bring regions back while the path is still taken.
  const all = test(candidates);
  if (all.holds) {
    let failed = [...candidates];
    let extra = all.alsoUnhealthy;
    for (const r of candidates) {
      const fewer = failed.filter((x) => x !== r);
      const t = holdsWhenDown(conditions, new Set(fewer));
      if (t.holds) {
        failed = fewer;
        extra = t.alsoUnhealthy;
      }
    }
    return { failed, alsoUnhealthy: extra };
  }
  const free = satisfy(conditions);
  const atomsDown =
    free.status === 'sat' ? [...free.assignment.values()].filter((v) => !v.healthy).map((v) => v.atom) : [];
  return { failed: [], alsoUnhealthy: [], inconsistent: true, atomsDown };
}

/** `normal operation`, `eu-west-1 + eu-central-1 down`, `every region down`, with free signals named. */
export function witnessLabel(w: Witness, allRegions: readonly string[]): string {
  if (w.inconsistent)
    return `health states no region failure produces: ${
      w.atomsDown && w.atomsDown.length > 0
        ? `${w.atomsDown.map((a) => a.label).join(', ')} unhealthy while their regions are up`
        : 'signals of one region disagreeing'
    }`;
  const base =
    w.failed.length === 0
      ? 'normal operation'
      : w.failed.length === allRegions.length && allRegions.length > 1
        ? 'every region down'
        : `${w.failed.join(' + ')} down`;
  return w.alsoUnhealthy.length > 0
    ? `${base}, with ${w.alsoUnhealthy.map((a) => a.label).join(', ')} unhealthy`
    : base;
}

function* combinations<T>(items: readonly T[], size: number, from = 0, prefix: T[] = []): Generator<T[]> {
  if (prefix.length === size) {
    yield [...prefix];
    return;
  }
  for (let i = from; i <= items.length - (size - prefix.length); i++) {
    prefix.push(items[i]);
    yield* combinations(items, size, i + 1, prefix);
    prefix.pop();
  }
}
