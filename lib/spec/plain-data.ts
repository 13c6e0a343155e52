/*
 * The shape check every spec passes before the schema sees it: plain data (text, numbers, true/false, null, lists,
 * objects) of bounded size, without keys that JavaScript treats specially. Whatever the input is — parsed YAML with
 * aliases that form a cycle, a TS object with getters, a class instance, a proxy, a list with a billion holes — the
 * result is a list of problems with paths, or a fresh copy the schema can read without surprises, in time bounded
 * by the limits below.
 */
import { formatPath, type SpecProblem } from './errors';

export interface PlainDataLimits {
  /** Deepest nesting of lists and objects. */
  readonly maxDepth: number;
  /** Most items in one list or keys in one object. */
  readonly maxItems: number;
  /** Most values in the whole document (aliases count each time they are used). */
  readonly maxValues: number;
  /** Longest text value, in characters. */
  readonly maxTextLength: number;
}

/** Far above what a spec needs (depth ≤ 8, ≤ 40 regions, ≤ 250 countries in a list), far below what hurts. */
export const SPEC_DATA_LIMITS: PlainDataLimits = {
  maxDepth: 32,
  maxItems: 1000,
  maxValues: 100_000,
  maxTextLength: 100_000,
};

/**
 * Keys refused anywhere: assigning `__proto__` replaces an object's prototype (so the key is silently dropped, or
 * pollutes what the schema builds), and `constructor`/`prototype` are the other names JavaScript code reads as
 * language machinery.
 */
export const FORBIDDEN_KEYS: ReadonlySet<string> = new Set(['__proto__', 'constructor', 'prototype']);

export type PlainDataResult =
  | { readonly ok: true; readonly value: unknown }
  | { readonly ok: false; readonly problems: readonly SpecProblem[] };

/**
 * Checks that `input` is plain data within `limits` and returns a copy of it made of fresh arrays and
 * null-prototype-free plain objects (so nothing the caller holds — a getter, a proxy — runs again later). Never
 * throws; never calls a getter.
 */
export function toPlainData(input: unknown, limits: PlainDataLimits = SPEC_DATA_LIMITS): PlainDataResult {
  const problems: SpecProblem[] = [];
  let values = 0;
  const report = (path: readonly PropertyKey[], message: string): void => {
    problems.push({ path: formatPath(path), message });
  };

  // Depth-first with an explicit stack: no recursion, so no depth can overflow the call stack.
  interface Frame {
    readonly value: unknown;
    readonly path: readonly PropertyKey[];
    readonly assign: (copy: unknown) => void;
  }
  const root: { value?: unknown } = {};
  const stack: (Frame | { readonly leave: object })[] = [
    { value: input, path: [], assign: (copy) => (root.value = copy) },
  ];
  const ancestors = new Map<object, readonly PropertyKey[]>();

  while (stack.length > 0) {
    const frame = stack.pop()!;
    if ('leave' in frame) {
      ancestors.delete(frame.leave);
      continue;
    }
    const { value, path, assign } = frame;
    if (++values > limits.maxValues) {
      report([], `holds more than ${limits.maxValues} values; a spec is far smaller (is this the right file?)`);
      break;
    }
    const problem = scalarProblem(value, limits);
    if (problem === null) {
      assign(value);
      continue;
    }
    if (problem !== undefined) {
      report(path, problem);
      continue;
    }
    // An object or a list.
    const object = value as object;
    const cycleStart = ancestors.get(object);
    if (cycleStart) {
      report(
        path,
        `refers back to ${formatPath(cycleStart)}, which contains it (a cycle, e.g. a YAML alias inside its ` +
          'own anchor); a spec must be a tree',
      );
      continue;
    }
    if (path.length >= limits.maxDepth) {
      report(path, `is nested more than ${limits.maxDepth} levels deep; a spec needs far fewer`);
      continue;
    }
    let entries: [PropertyKey, unknown][];
    let copy: unknown[] | Record<string, unknown>;
    try {
      const read = readEntries(object, limits);
      if ('refused' in read) {
        report(read.key === undefined ? path : [...path, read.key], read.refused);
        continue;
      }
      [entries, copy] = [read.entries, read.copy];
    } catch (error) {
      report(
        path,
        `could not be read (${error instanceof Error ? error.message : String(error)}); a spec must be plain data`,
      );
      continue;
    }
    assign(copy);
    ancestors.set(object, path);
    stack.push({ leave: object });
    // Pushed in reverse, so they are visited (and their problems reported) in document order.
    for (let i = entries.length - 1; i >= 0; i--) {
      const [key, child] = entries[i];
      if (typeof key === 'string' && FORBIDDEN_KEYS.has(key)) {
        report(
          [...path, key],
          `'${key}' cannot be a key: JavaScript treats it specially (__proto__, constructor and prototype are ` +
            'refused anywhere in a spec)',
        );
        continue;
      }
      const target = copy;
      stack.push({
        value: child,
        path: [...path, key],
        assign: (childCopy) => {
          if (Array.isArray(target)) target[key as number] = childCopy;
          else target[key as string] = childCopy;
        },
      });
    }
  }
  return problems.length > 0 ? { ok: false, problems } : { ok: true, value: root.value };
}

/**
 * null for a value that is fine as it is, a message for one that is refused, undefined for an object or list to
 * descend into.
 */
function scalarProblem(value: unknown, limits: PlainDataLimits): string | null | undefined {
  switch (typeof value) {
    case 'undefined':
    case 'boolean':
    case 'number':
      return null;
    case 'string':
      return value.length > limits.maxTextLength
        ? `is ${value.length} characters long; text in a spec is at most ${limits.maxTextLength} characters`
        : null;
    case 'bigint':
      return `must be a plain number, not a BigInt (${String(value).slice(0, 40)}n)`;
    case 'symbol':
      return 'must be plain data, not a symbol';
    case 'function':
      return 'must be plain data, not a function';
    case 'object':
      return value === null ? null : undefined;
    default:
      return `must be plain data, not ${typeof value}`;
  }
}

interface Entries {
  readonly entries: [PropertyKey, unknown][];
  readonly copy: unknown[] | Record<string, unknown>;
}

/** The entries of a plain object or list (and an empty copy to fill), or why it (or one of its keys) is refused. */
function readEntries(
  object: object,
  limits: PlainDataLimits,
): Entries | { readonly refused: string; readonly key?: PropertyKey } {
  if (Array.isArray(object)) {
    // The length is checked before anything is read: `new Array(1e9)` costs nothing to refuse.
    const length = object.length;
    if (length > limits.maxItems)
      return { refused: `has ${length} items; a list in a spec holds at most ${limits.maxItems}` };
    const entries: [PropertyKey, unknown][] = [];
    for (let i = 0; i < length; i++) {
      const descriptor = Object.getOwnPropertyDescriptor(object, i);
      if (descriptor && (descriptor.get || descriptor.set))
        return { refused: 'is a getter or setter; a spec must be plain data', key: i };
      entries.push([i, descriptor?.value]);
    }
    return { entries, copy: new Array<unknown>(length) };
  }
  const prototype = Object.getPrototypeOf(object) as object | null;
  if (prototype !== null && !isObjectPrototype(prototype)) {
    return {
      refused:
        'must be plain data (text, numbers, true/false, lists and objects), not ' +
        `${instanceName(object, prototype)}`,
    };
  }
  const keys = Object.getOwnPropertyNames(object);
  if (keys.length > limits.maxItems)
    return { refused: `has ${keys.length} keys; an object in a spec holds at most ${limits.maxItems}` };
  const entries: [PropertyKey, unknown][] = [];
  for (const key of keys) {
    const descriptor = Object.getOwnPropertyDescriptor(object, key)!;
    if (!descriptor.enumerable && !FORBIDDEN_KEYS.has(key)) continue;
    if (descriptor.get || descriptor.set) return { refused: 'is a getter or setter; a spec must be plain data', key };
    entries.push([key, descriptor.value]);
  }
  return { entries, copy: {} };
}

/**
 * Object.prototype of any realm (a vm context, a test runner's sandbox, another copy of Node's globals): what plain
 * objects made there inherit from. A class instance, a Date or an object built with `__proto__: {...}` inherits from
 * something else.
 */
function isObjectPrototype(prototype: object): boolean {
  return (
    Object.getPrototypeOf(prototype) === null &&
    Object.hasOwn(prototype, 'hasOwnProperty') &&
    Object.hasOwn(prototype, 'isPrototypeOf')
  );
}

function instanceName(object: object, prototype: object): string {
  if (object instanceof Uint8Array) return 'binary data (a YAML !!binary value or a Buffer)';
  if (object instanceof Date) return 'a date (quote it to make it text)';
  if (object instanceof Map) return 'a Map (a YAML !!omap or !!pairs value?)';
  if (object instanceof Set) return 'a Set (a YAML !!set value?)';
  const name = (prototype as { constructor?: { name?: unknown } }).constructor?.name;
  return typeof name === 'string' && name ? `an instance of ${name}` : 'an object with a custom prototype';
}
