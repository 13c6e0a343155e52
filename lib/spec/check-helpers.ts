import { closestMatch } from '../util/strings';
/*
 * Small helpers of the cross-field rules, which read the value defensively: parts of it may be invalid.
 */

export type Raw = Record<string, unknown>;

/**
 * Where a rule reports a problem: zod's refinement context when the spec schema runs the rules, a plain collector
 * when a construct applies them to its props (route53RoutingProblems). Only what the rules use.
 */
export interface Ctx {
  addIssue(issue: { code: 'custom'; path: PropertyKey[]; input: unknown; message: string }): void;
}

export function reportDuplicates(
  values: (string | undefined)[],
  pathOf: (i: number) => PropertyKey[],
  what: string,
  ctx: Ctx,
): void {
  const firstIndex = new Map<string, number>();
  values.forEach((value, i) => {
    if (value === undefined) return;
    const first = firstIndex.get(value);
    if (first === undefined) {
      firstIndex.set(value, i);
    } else {
      ctx.addIssue({
        code: 'custom',
        path: pathOf(i),
        input: value,
        message: `duplicate ${what} (also at index ${first}); each ${what} may appear once`,
      });
    }
  });
}

export function isObject(value: unknown): value is Raw {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function asArray(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

/** " (did you mean 'x'?)" when a close match exists. */
export function suggestion(input: unknown, candidates: readonly string[]): string {
  const close = typeof input === 'string' ? closestMatch(input, candidates) : undefined;
  return close ? ` (did you mean '${close}'?)` : '';
}
