import { Token, Tokenization } from './cdktf';
import type { z } from 'zod';
import { prototypeKeyPaths } from '../spec/fields';
import { SpecValidationError, describeValue, formatPath, problemsFromIssues, type SpecProblem } from '../spec/errors';

/**
 * Validates literal construct props against a zod schema taken from the spec, so a construct used on its own
 * gets the same limits, defaults and messages as a spec file. Throws one {@link SpecValidationError} listing
 * every problem (plus `extra` ones found by explicit checks), naming the construct.
 *
 * Schemas used here describe settings that shape resources at synth time, so they must be literals; a token
 * (a reference to another resource) is reported as such. Props that may legitimately be tokens (ids, ARNs,
 * capacities) are checked explicitly by the construct, skipping unresolved values.
 */
export function validateProps<S extends z.ZodType>(
  schema: S,
  props: unknown,
  source: string,
  extra: readonly SpecProblem[] = [],
): z.output<S> {
  const tokenPaths = findTokens(props);
  const tokenProblems = tokenPaths.map((path) => ({
    path: formatPath(path),
    message: 'must be a literal value known at synth time, not a token or reference',
  }));
  const result = schema.safeParse(props, { reportInput: true });
  const protoProblems = prototypeKeyPaths(props).map((path) => ({
    path: formatPath(path),
    message: 'is a key a JavaScript object cannot hold as data (it would be silently dropped); rename it',
  }));
  const problems = [...tokenProblems, ...protoProblems, ...extra];
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

/**
 * Collects every problem of a construct's props before anything is created, so one run reports them all (a nested
 * construct would otherwise report its own on the next run). Uses the spec's zod pieces, so props get the spec's
 * rules and messages; paths are prop paths (`settings.idleTimeoutSeconds`).
 */
export class PropsChecker {
  private readonly problems: SpecProblem[] = [];

  constructor(private readonly source: string) {}

  /**
   * A prop that shapes resources at synth time: it must be a literal (a token is reported). Returns the parsed
   * value with defaults, or undefined when it has problems.
   */
  literal<S extends z.ZodType>(schema: S, value: unknown, path: string): z.output<S> | undefined {
    this.refusePrototypeKeys(value, path);
    const tokenPaths = findTokens(value);
    for (const tokenPath of tokenPaths)
      this.problems.push({
        path: joinPath(path, formatPath(tokenPath)),
        message: 'must be a literal value known at synth time, not a token or reference',
      });
    const result = schema.safeParse(value, { reportInput: true });
    if (!result.success) {
      const keep = result.error.issues.filter((issue) => !tokenPaths.some((p) => startsWith(issue.path, p)));
      for (const problem of problemsFromIssues(keep, () => undefined))
        this.problems.push({ ...problem, path: joinPath(path, problem.path) });
    }
    return result.success && tokenPaths.length === 0 ? result.data : undefined;
  }

  /**
   * A prop that may be (or hold) a reference: literal parts are checked, tokens skipped. The value is kept as given.
   */
  check(schema: z.ZodType, value: unknown, path: string): void {
    this.refuseUnknownTokens(value, path);
    if (isToken(value)) return;
    this.refusePrototypeKeys(value, path);
    const tokenPaths = findTokens(value);
    // Tokens become "absent" so that cross-field rules (min <= max) only compare literal values.
    const result = schema.safeParse(withoutTokens(value), { reportInput: true });
    if (result.success) return;
    const keep = result.error.issues.filter((issue) => !tokenPaths.some((p) => startsWith(issue.path, p)));
    for (const problem of problemsFromIssues(keep, () => undefined))
      this.problems.push({ ...problem, path: joinPath(path, problem.path) });
  }

  /** Problems found by explicit checks; paths relative to `prefix`. */
  add(
    problems:
      | readonly SpecProblem[]
      | readonly { path: readonly PropertyKey[] | string; message: string; input?: unknown }[],
    prefix = '',
  ): void {
    for (const p of problems) {
      const path = typeof p.path === 'string' ? p.path : formatPath(p.path);
      const received =
        'received' in p
          ? (p as SpecProblem).received
          : 'input' in p && p.input !== undefined
            ? describeValue(p.input)
            : undefined;
      this.problems.push({ path: prefix ? joinPath(prefix, path) : path, message: p.message, received });
    }
  }

  /** Text that looks like a CDKTF token but names none (e.g. copied from synthesized output) fails synth later. */
  private refuseUnknownTokens(value: unknown, path: string): void {
    for (const tokenPath of findTokens(value)) {
      const text = tokenPath.reduce<unknown>((v, k) => (v as Record<PropertyKey, unknown>)?.[k], value);
      if (typeof text !== 'string') continue;
      try {
        Tokenization.reverseString(text);
      } catch {
        this.problems.push({
          path: joinPath(path, formatPath(tokenPath)),
          message:
            'holds text that looks like a CDKTF token but is none (a reference must be a token of this app, not text)',
          received: describeValue(text),
        });
      }
    }
  }

  private refusePrototypeKeys(value: unknown, path: string): void {
    for (const keyPath of prototypeKeyPaths(value)) {
      this.problems.push({
        path: joinPath(path, formatPath(keyPath)),
        message: 'is a key a JavaScript object cannot hold as data (it would be silently dropped); rename it',
      });
    }
  }

  get count(): number {
    return this.problems.length;
  }

  /** Throws one {@link SpecValidationError} with every problem collected, if any. */
  throwIfAny(): void {
    throwIfProblems(this.problems, this.source);
  }
}

/** `settings` + `idleTimeoutSeconds` -> `settings.idleTimeoutSeconds`; `models` + `[0].id` -> `models[0].id`. */
export function joinPath(prefix: string, path: string): string {
  if (path === '(root)' || path === '') return prefix;
  if (prefix === '') return path;
  return path.startsWith('[') ? `${prefix}${path}` : `${prefix}.${path}`;
}

/** A copy of a props value with every token replaced by undefined. */
function withoutTokens(value: unknown): unknown {
  if (isToken(value)) return undefined;
  if (Array.isArray(value)) return value.map(withoutTokens);
  if (value !== null && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, withoutTokens(v)]));
  }
  return value;
}

/**
 * The props object of a construct: when it is missing or not an object, that is reported and an empty object is
 * returned, so the construct goes on to report every required prop by its path (instead of a TypeError).
 */
export function propsObject<T extends object>(checker: PropsChecker, props: T | undefined): T {
  if (typeof props === 'object' && props !== null && !Array.isArray(props)) return props;
  checker.add([
    { path: '(props)', message: "are required: an object with the construct's props", received: describeValue(props) },
  ]);
  return {} as T;
}
