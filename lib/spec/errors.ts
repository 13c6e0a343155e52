import type { z } from 'zod';
import { Refusal } from '../util/refusal';
import { closestMatch } from '../util/strings';

/** One problem found in a spec: where, what was received, and what is allowed. */
export interface SpecProblem {
  /** Path in the spec, e.g. `regions[1].capacity.min`; `(root)` for the whole document. */
  readonly path: string;
  /** What is wrong and what is allowed. */
  readonly message: string;
  /** The value received at that path, rendered for humans; undefined when nothing was given. */
  readonly received?: string;
  /** `file:line:column` when the spec came from a file and the location is known. */
  readonly location?: string;
  /** What the problem is about: a key (unknown) is located where the key is written, anything else at its value. */
  readonly about?: 'key';
}

/**
 * Thrown for an invalid spec or invalid construct props. Carries every problem found, so one run shows them all;
 * `message` is the readable report. The CLI prints `message` and exits non-zero, without a stack trace.
 */
export class SpecValidationError extends Refusal {
  /** The problems found, each with its path, the value received and what is allowed; `message` lists them. */
  readonly problems: readonly SpecProblem[];

  constructor(problems: readonly SpecProblem[], source = 'spec') {
    super(problemsText(problems, source));
    this.name = 'SpecValidationError';
    this.problems = problems;
  }
}

/** A spec's problems as text: one line for a file that cannot be read as a spec, else the list of problems. */
export function problemsText(problems: readonly SpecProblem[], source: string): string {
  const [first] = problems;
  if (problems.length === 1 && first.path === '(file)') return `${first.location ?? source}: ${first.message}`;
  return renderProblems(problems, source);
}

function renderProblems(problems: readonly SpecProblem[], source: string): string {
  const count = problems.length === 1 ? '1 problem' : `${problems.length} problems`;
  const lines = problems.map((p) => {
    const got = p.received === undefined ? '' : `, got: ${p.received}`;
    const where = p.location ? ` (${p.location})` : '';
    return `  - ${p.path}: ${p.message}${got}${where}`;
  });
  return `${source} is invalid (${count}):\n${lines.join('\n')}`;
}

/** `regions[1].capacity.min` from `['regions', 1, 'capacity', 'min']`. */
export function formatPath(path: readonly PropertyKey[]): string {
  if (path.length === 0) return '(root)';
  let out = '';
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else if (typeof part === 'string' && /^[A-Za-z_$][\w$]*$/.test(part)) out += out ? `.${part}` : part;
    else out += `[${JSON.stringify(String(part))}]`;
  }
  return out;
}

/** A short, readable rendering of a received value. */
export function describeValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (typeof value === 'string') return JSON.stringify(value.length > 80 ? `${value.slice(0, 77)}...` : value);
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (Array.isArray(value)) return value.length === 0 ? '[] (an empty list)' : truncate(JSON.stringify(value));
  if (typeof value === 'object') return truncate(JSON.stringify(value));
  return typeof value;
}

function truncate(text: string): string {
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

/** What a value is, in the words a spec author uses. */
export function kindOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'an object';
  if (typeof value === 'string') return 'text';
  return `a ${typeof value}`;
}

/**
 * Turns zod issues into problems with our wording. `allowedKeysAt` answers which keys an object at a path
 * accepts, so an unknown key can be reported with the keys that would have been accepted.
 */
export function problemsFromIssues(
  issues: readonly z.core.$ZodIssue[],
  allowedKeysAt: (path: readonly PropertyKey[]) => readonly string[] | undefined,
): SpecProblem[] {
  const problems: SpecProblem[] = [];
  for (const issue of issues) {
    const input = (issue as { input?: unknown }).input;
    switch (issue.code) {
      case 'invalid_type': {
        const expected = EXPECTED_WORDS[issue.expected] ?? issue.expected;
        if (input === undefined) {
          problems.push({ path: formatPath(issue.path), message: `is required (${expected})` });
        } else if (issue.expected === 'int' && typeof input === 'number') {
          problems.push({
            path: formatPath(issue.path),
            message: 'must be a whole number',
            received: describeValue(input),
          });
        } else {
          problems.push({
            path: formatPath(issue.path),
            message: `must be ${expected}, not ${kindOf(input)}`,
            received: describeValue(input),
          });
        }
        break;
      }
      case 'unrecognized_keys': {
        const allowed = allowedKeysAt(issue.path) ?? [];
        for (const key of issue.keys) {
          const close = closestMatch(key, allowed);
          const hint = close ? ` (did you mean '${close}'?)` : '';
          const list = allowed.length ? `; allowed keys: ${allowed.join(', ')}` : '';
          problems.push({
            path: formatPath([...issue.path, key]),
            message: `is not a known key${hint}${list}`,
            about: 'key',
          });
        }
        break;
      }
      case 'invalid_union': {
        // A value of the right shape for one branch only (`waf: { ... }` of `false | { ... }`) is reported with that
        // branch's own problems, at their paths; otherwise the union's message stands.
        const branches = ((issue as { errors?: z.core.$ZodIssue[][] }).errors ?? []).filter(
          (branch) => branch.length > 0 && branch.every((inner) => inner.path.length > 0),
        );
        if (branches.length === 1) {
          const inner = branches[0].map((i) => ({ ...i, path: [...issue.path, ...i.path] }) as z.core.$ZodIssue);
          problems.push(...problemsFromIssues(inner, (path) => allowedKeysAt(path)));
          break;
        }
        problems.push({ path: formatPath(issue.path), message: issue.message, received: describeValue(input) });
        break;
      }
      default:
        problems.push({
          path: formatPath(issue.path),
          message: issue.message,
          received: input === undefined ? undefined : describeValue(input),
        });
    }
  }
  return problems;
}

const EXPECTED_WORDS: Record<string, string> = {
  string: 'text',
  number: 'a number',
  int: 'a whole number',
  boolean: 'true or false',
  object: 'an object',
  array: 'a list',
  record: 'an object (a map of keys to values)',
};
