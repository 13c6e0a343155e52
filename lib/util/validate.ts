import { Token } from 'cdktf';
import type { z } from 'zod';
import { SpecValidationError, formatPath, problemsFromIssues, type SpecProblem } from '../spec/errors';

/**
 * Validates literal construct props against a zod schema taken from the spec, so a construct used on its own
 * gets the same limits, defaults and messages as a spec file. Throws one {@link SpecValidationError} listing
 * every problem (plus `extra` ones found by explicit checks), naming the construct.
 *
 * Schemas used here describe settings that shape resources at synth time, so they must be literals; a token
 * (a reference to another resource) is reported as such. Props that may legitimately be tokens (ids, ARNs,
 * capacities) are checked explicitly by the construct, skipping unresolved values.
 */
export function validateProps<S extends z.ZodType>(schema: S, props: unknown, source: string, extra: readonly SpecProblem[] = []): z.output<S> {
  const tokenPaths = findTokens(props);
  const tokenProblems = tokenPaths.map((path) => ({
    path: formatPath(path),
    message: 'must be a literal value known at synth time, not a token or reference',
  }));
  const result = schema.safeParse(props, { reportInput: true });
  const problems = [...tokenProblems, ...extra];
  if (!result.success) {
    const keep = result.error.issues.filter((issue) => !tokenPaths.some((p) => startsWith(issue.path, p)));
    problems.push(...problemsFromIssues(keep, () => undefined));
  }
  if (problems.length > 0 || !result.success) throw new SpecValidationError(problems, source);
  return result.data;
}

/** Throws a {@link SpecValidationError} when explicit checks found problems. */
export function throwIfProblems(problems: readonly SpecProblem[], source: string): void {
  if (problems.length > 0) throw new SpecValidationError(problems, source);
}

/** True when a value is an unresolved token (string, number or list). */
export function isToken(value: unknown): boolean {
  return (typeof value === 'string' || typeof value === 'number' || Array.isArray(value)) && Token.isUnresolved(value);
}

function findTokens(value: unknown, path: PropertyKey[] = [], out: PropertyKey[][] = []): PropertyKey[][] {
  if (path.length > 12 || value === undefined || value === null) return out;
  if (isToken(value)) {
    out.push(path);
  } else if (Array.isArray(value)) {
    value.forEach((v, i) => findTokens(v, [...path, i], out));
  } else if (typeof value === 'object') {
    for (const [k, v] of Object.entries(value as object)) findTokens(v, [...path, k], out);
  }
  return out;
}

function startsWith(path: readonly PropertyKey[], prefix: readonly PropertyKey[]): boolean {
  return prefix.every((p, i) => path[i] === p);
}
