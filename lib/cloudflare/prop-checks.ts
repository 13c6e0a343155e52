import type { z } from 'zod';
import {
  CloudflarePlanSchema,
  cloudflareIdSchema,
  HostnameSchema,
  type CloudflarePlan,
} from '../spec/cloudflare-schema';
import { describeValue, formatPath, problemsFromIssues, type SpecProblem } from '../spec/errors';
import { isToken } from '../util/validate';

/*
 * Checks the Cloudflare constructs run on their props with the spec's own zod pieces, so a construct used on its own
 * gets the rules and messages a spec file gets. Each returns problems (path inside the props, value received), never
 * throws: a construct collects them all and throws once.
 */

/** Problems of `value` against a zod schema, with paths under `at` (e.g. `sessionAffinity`). */
export function schemaProblems(schema: z.ZodType, value: unknown, at: readonly PropertyKey[] = []): SpecProblem[] {
  const result = schema.safeParse(value, { reportInput: true });
  if (result.success) return [];
  return problemsFromIssues(
    result.error.issues.map((issue) => ({ ...issue, path: [...at, ...issue.path] })),
    () => undefined,
  );
}

/** The zone's plan, or a problem: an unknown plan would otherwise index the plan tables as undefined. */
export function planProblems(plan: unknown): SpecProblem[] {
  return schemaProblems(CloudflarePlanSchema, plan, ['plan']);
}

/** True when `plan` is one the plan tables know. */
export function isPlan(plan: unknown): plan is CloudflarePlan {
  return CloudflarePlanSchema.safeParse(plan).success;
}

/**
 * A Cloudflare id (account, zone, monitor, pool): a reference is accepted as is, a literal must be 32 hex characters.
 */
export function idProblems(value: unknown, what: string, path: string): SpecProblem[] {
  if (isToken(value)) return [];
  return schemaProblems(cloudflareIdSchema(what), value, [path]);
}

/** A DNS name in the spec's rule (lower case, at most 253 characters); a reference is accepted. */
export function hostnameProblems(value: unknown, ...path: PropertyKey[]): SpecProblem[] {
  if (isToken(value)) return [];
  return schemaProblems(HostnameSchema, value, path);
}

/** A value the construct needs at synth time: a reference there is a problem, reported as such. */
export function literalProblems(props: Readonly<Record<string, unknown>>, keys: readonly string[]): SpecProblem[] {
  return keys
    .filter((k) => isToken(props[k]))
    .map((k) => ({
      path: k,
      message: 'must be a literal value known at synth time, not a token or reference',
      received: describeValue(props[k]),
    }));
}

/** A number in [min, max]; NaN and infinities are refused (plain `<`/`>` comparisons let NaN through). */
export function outOfRange(value: number, min: number, max: number): boolean {
  return !(Number.isFinite(value) && value >= min && value <= max);
}

/** `path` rendered like the spec renders it. */
export function pathOf(...parts: PropertyKey[]): string {
  return formatPath(parts);
}
