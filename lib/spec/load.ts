import { extname } from 'node:path';
import { visit as visitJson, type ParseError } from 'jsonc-parser';
import { isAlias, isMap, isScalar, LineCounter, parseDocument, visit, type Document } from 'yaml';
import type { z } from 'zod';
import { BoundedReadError, decodeUtf8, readBounded, readStreamBounded } from '../util/read-bounded';
import { SpecValidationError, kindOf, problemsFromIssues, type SpecProblem } from './errors';
import { toPlainData } from './plain-data';
import { SpecSchema, type GlobalInferenceSpec } from './schema';

/** The outcome of validating a spec without throwing. */
export type SpecResult =
  | { readonly success: true; readonly spec: GlobalInferenceSpec }
  | { readonly success: false; readonly problems: readonly SpecProblem[] };

/** Limits on reading and parsing spec text. */
export interface SpecTextOptions {
  /**
   * Largest spec accepted, in bytes (UTF-8).
   * @default - 1 MiB (1,048,576 bytes), or the `GI_SPEC_MAX_BYTES` environment variable
   */
  readonly maxBytes?: number;
  /**
   * How often YAML aliases (`*name`) may be expanded in total: enough for sharing settings, too few for an alias bomb
   * (a few lines that expand to gigabytes).
   * @default 100
   */
  readonly maxAliasCount?: number;
  /** Environment the `GI_SPEC_*` limits are read from. @default process.env */
  readonly env?: NodeJS.ProcessEnv;
}

/** Limits on reading a spec file. */
export interface SpecFileOptions extends SpecTextOptions {
  /**
   * How long a pipe, terminal or device (`/dev/stdin`, `<(command)`) may take to deliver the whole spec, in seconds.
   * Regular files are read at once.
   * @default - 10 s, or the `GI_SPEC_READ_TIMEOUT_SECONDS` environment variable
   */
  readonly readTimeoutSeconds?: number;
}

/** Defaults of {@link SpecTextOptions} and {@link SpecFileOptions}. */
export const SPEC_FILE_DEFAULTS = { maxBytes: 1024 * 1024, readTimeoutSeconds: 10, maxAliasCount: 100 } as const;

/** At most this many problems are listed; the rest are counted. */
const MAX_PROBLEMS = 50;

/** Brackets nesting deeper than this are refused before parsing (the parsers would take seconds, then fail). */
const MAX_BRACKET_DEPTH = 512;

/**
 * Validates a spec given as a plain object (a TS literal, or parsed YAML/JSON) and fills in every default.
 * Reports every problem at once. Never throws: input that is not plain data (a class instance, a getter, a cycle,
 * `__proto__` as a key, nesting or lists beyond the limits) is reported as problems too.
 */
export function safeParseSpec(input: unknown): SpecResult {
  const problems = rootProblems(input);
  if (problems) return { success: false, problems };
  const plain = toPlainData(input);
  if (!plain.ok) return { success: false, problems: capped(plain.problems) };
  const unchanged = unchangedValidatedSpec(input, plain.value);
  if (unchanged) return { success: true, spec: unchanged };
  try {
    const result = SpecSchema.safeParse(plain.value, { reportInput: true });
    if (result.success) return { success: true, spec: rememberValidated(result.data) };
    return { success: false, problems: capped(problemsFromIssues(result.error.issues, allowedKeysAt)) };
  } catch (error) {
    // The schema's checks run on plain data only, so this is a bug; it is still reported as a problem, not a crash.
    return {
      success: false,
      problems: [
        {
          path: '(root)',
          message:
            'could not be validated (please report this): ' +
            `${error instanceof Error ? error.message : String(error)}`,
        },
      ],
    };
  }
}

/*
 * The spec is validated once on its way from the file to the constructs: `loadSpecFile`, `addGlobalInferenceStacks`
 * and `GlobalInferenceService` each accept a spec, and each validates what it is given. A spec this module returned
 * is remembered with a fingerprint of its content; given back unchanged, it is not validated again. The check reads
 * the copy `toPlainData` made (no getter or proxy of the caller runs), and that copy is what is returned, so a spec
 * changed after validation, in any way, is validated again.
 */
const validatedSpecs = new WeakMap<object, string>();

function rememberValidated(spec: GlobalInferenceSpec): GlobalInferenceSpec {
  validatedSpecs.set(spec, fingerprint(spec));
  return spec;
}

function unchangedValidatedSpec(input: unknown, copy: unknown): GlobalInferenceSpec | undefined {
  const known = typeof input === 'object' && input !== null ? validatedSpecs.get(input) : undefined;
  if (known === undefined || fingerprint(copy) !== known) return undefined;
  validatedSpecs.set(copy as object, known);
  return copy as GlobalInferenceSpec;
}

/**
 * Content of plain data as text, one text per content: keys set to `undefined` count (`JSON.stringify` would drop
 * them), and strings are prefixed so that no string can read as the `undefined` marker.
 */
function fingerprint(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => (v === undefined ? 'u' : typeof v === 'string' ? `s${v}` : v));
}

/** Like {@link safeParseSpec} but throws a {@link SpecValidationError} listing every problem. */
export function parseSpec(input: unknown, source = 'spec'): GlobalInferenceSpec {
  const result = safeParseSpec(input);
  if (!result.success) throw new SpecValidationError(result.problems, source);
  return result.spec;
}

/**
 * Reads and validates a YAML (`.yaml`/`.yml`, and any other name) or strict JSON (`.json`) spec file. Problems carry
 * `file:line:column`. Throws {@link SpecValidationError} — one line for a file that cannot be a spec (unreadable,
 * a directory, too large, not UTF-8, not valid YAML/JSON, empty, several documents, an alias bomb), the list of
 * problems for an invalid spec. Bounded in time and memory whatever `file` names (see {@link SpecFileOptions}).
 */
export function loadSpecFile(file: string, options: SpecFileOptions = {}): GlobalInferenceSpec {
  if (typeof file !== 'string')
    throw fileError(String(file), `the spec file must be named by a path (text), not ${describeKind(file)}`);
  options ??= {};
  const env = options.env ?? process.env;
  const maxBytes = positiveLimit(
    options.maxBytes,
    env,
    'GI_SPEC_MAX_BYTES',
    SPEC_FILE_DEFAULTS.maxBytes,
    file,
    'maxBytes',
  );
  const timeoutSeconds = positiveLimit(
    options.readTimeoutSeconds,
    env,
    'GI_SPEC_READ_TIMEOUT_SECONDS',
    SPEC_FILE_DEFAULTS.readTimeoutSeconds,
    file,
    'readTimeoutSeconds',
  );
  let text: string;
  try {
    text = decodeUtf8(readBounded(file, { maxBytes, timeoutMs: timeoutSeconds * 1000 }));
  } catch (error) {
    if (error instanceof BoundedReadError) throw fileError(file, `cannot read ${file}: ${error.reason}`);
    throw error;
  }
  return parseSpecText(text, file, { ...options, maxBytes });
}

/**
 * Reads and validates a spec from a stream (standard input: `global-inference validate -`) as YAML, with the size
 * and time limits of {@link loadSpecFile}: a writer that never finishes is given up after `readTimeoutSeconds`.
 */
export async function loadSpecStream(
  stream: NodeJS.ReadableStream,
  name = '<stdin>',
  options: SpecFileOptions = {},
): Promise<GlobalInferenceSpec> {
  options ??= {};
  const env = options.env ?? process.env;
  const maxBytes = positiveLimit(
    options.maxBytes,
    env,
    'GI_SPEC_MAX_BYTES',
    SPEC_FILE_DEFAULTS.maxBytes,
    name,
    'maxBytes',
  );
  const timeoutSeconds = positiveLimit(
    options.readTimeoutSeconds,
    env,
    'GI_SPEC_READ_TIMEOUT_SECONDS',
    SPEC_FILE_DEFAULTS.readTimeoutSeconds,
    name,
    'readTimeoutSeconds',
  );
  let text: string;
  try {
    text = decodeUtf8(await readStreamBounded(stream, { maxBytes, timeoutMs: timeoutSeconds * 1000 }));
  } catch (error) {
    if (error instanceof BoundedReadError) throw fileError(name, `cannot read ${name}: ${error.reason}`);
    throw error;
  }
  return parseSpecText(text, name, { ...options, maxBytes });
}

/**
 * Validates spec text; `file` names it in messages and selects the format by extension: `.json` is parsed as strict
 * JSON (RFC 8259: no comments, no trailing commas, no duplicate keys), anything else as one YAML 1.2 document.
 */
export function parseSpecText(text: string, file = 'spec.yaml', options: SpecTextOptions = {}): GlobalInferenceSpec {
  if (typeof file !== 'string')
    throw fileError(String(file), `the spec's file name must be text, not ${describeKind(file)}`);
  options ??= {};
  const env = options.env ?? process.env;
  if (typeof text !== 'string') throw fileError(file, `the spec text must be a string, not ${describeKind(text)}`);
  const maxBytes = positiveLimit(
    options.maxBytes,
    env,
    'GI_SPEC_MAX_BYTES',
    SPEC_FILE_DEFAULTS.maxBytes,
    file,
    'maxBytes',
  );
  // Characters ≤ bytes ≤ 3 × characters for UTF-16 text: count bytes only when it can matter.
  if (text.length * 3 > maxBytes && Buffer.byteLength(text, 'utf8') > maxBytes) {
    throw fileError(
      file,
      `it is ${Buffer.byteLength(text, 'utf8')} bytes; a spec is limited to ${maxBytes} bytes (maxBytes, or ` +
        'GI_SPEC_MAX_BYTES, raises the limit)',
    );
  }
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  const format = extname(file).toLowerCase() === '.json' ? 'json' : 'yaml';
  const parsed =
    format === 'json'
      ? parseJson(body, file)
      : parseYaml(body, file, options.maxAliasCount ?? SPEC_FILE_DEFAULTS.maxAliasCount);
  const empty = rootProblems(parsed.value, format);
  if (empty) {
    parsed.prepare?.(['(root)']);
    throw fileError(file, empty[0].message, parsed.locate('(root)'));
  }
  const result = safeParseSpec(parsed.value);
  if (result.success) return result.spec;
  parsed.prepare?.(result.problems.map((p) => p.path));
  throw new SpecValidationError(
    result.problems.map((p) => ({ ...p, location: p.location ?? parsed.locate(p.path, p.about === 'key') })),
    file,
  );
}

/** A parsed document and where each path of it is in the text. */
interface Parsed {
  readonly value: unknown;
  /** Called once with every path that will be located, before `locate`. */
  readonly prepare?: (paths: readonly string[]) => void;
  /** Where a path is written: its value, or with `atKey` the key of a mapping member (for an unknown key). */
  readonly locate: (path: string, atKey?: boolean) => string | undefined;
}

/** The root must be a mapping; null means the document was empty. */
function rootProblems(value: unknown, format?: 'json' | 'yaml'): SpecProblem[] | undefined {
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) return undefined;
  if (value === null || value === undefined) {
    const message =
      format === 'yaml'
        ? 'the file holds no spec: it is empty, only comments, only `---`, or `null`'
        : format === 'json'
          ? 'the file holds no spec: it is `null`'
          : 'must be the spec (an object with service, model, regions, ...), not ' +
            `${value === null ? 'null' : 'nothing'}`;
    return [{ path: '(root)', message }];
  }
  const what = format ? `the file holds ${kindOf(value)}` : `must be the spec (an object), not ${kindOf(value)}`;
  return [
    {
      path: '(root)',
      message: format ? `${what}, not a spec: a spec is a mapping (service:, model:, regions:, ...)` : what,
    },
  ];
}

// ---------------------------------------------------------------------------------------------------------- YAML

const ALLOWED_YAML_TAGS = new Set(
  ['str', 'int', 'float', 'bool', 'null', 'map', 'seq'].map((t) => `tag:yaml.org,2002:${t}`),
);

function parseYaml(text: string, file: string, maxAliasCount: number): Parsed {
  const lineCounter = new LineCounter();
  const deep = deepBracket(text, false);
  if (deep !== undefined) {
    throw fileError(
      file,
      `brackets ([ ] { }) nest more than ${MAX_BRACKET_DEPTH} deep; a spec nests a few levels`,
      position(text, deep, file),
    );
  }
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true, strict: true });
  const at = (offset: number): string => {
    const pos = lineCounter.linePos(offset);
    return `${file}:${pos.line}:${pos.col}`;
  };
  if (doc.errors.length > 0) {
    const problems = doc.errors.map(
      (e): SpecProblem => ({ path: '(file)', message: yamlErrorMessage(e.code, e.message), location: at(e.pos[0]) }),
    );
    throw problems.length === 1
      ? fileError(file, problems[0].message, problems[0].location)
      : new SpecValidationError(capped(problems), file);
  }
  // Unresolved tags are reported by the visitor below, with the tag's name.
  const problems: SpecProblem[] = doc.warnings
    .filter((w) => w.code !== 'TAG_RESOLVE_FAILED')
    .map((w) => ({
      path: '(file)',
      message: `not accepted in a spec: ${firstLine(w.message)}`,
      location: at(w.pos[0]),
    }));
  // Tags and keys the JavaScript value would hide: `!!binary` and custom tags, keys that are lists, maps or aliases.
  visit(doc, {
    Node: (_key, node) => {
      const tag = (node as { tag?: string }).tag;
      if (tag && !ALLOWED_YAML_TAGS.has(tag)) {
        problems.push({
          path: '(file)',
          message:
            `the YAML tag ${tag.replace('tag:yaml.org,2002:', '!!')} is not accepted in a spec (plain text, ` +
            'numbers, true/false, lists and mappings only)',
          location: rangeAt(node, at),
        });
      }
    },
    Pair: (_key, pair) => {
      if (pair.key !== null && !isScalar(pair.key)) {
        problems.push({
          path: '(file)',
          message: `a key must be plain text, not ${isAlias(pair.key) ? 'an alias' : 'a list or mapping'}`,
          location: rangeAt(pair.key, at),
        });
      }
    },
  });
  if (problems.length > 0)
    throw problems.length === 1
      ? fileError(file, problems[0].message, problems[0].location)
      : new SpecValidationError(capped(problems), file);
  let value: unknown;
  try {
    value = doc.toJS({ maxAliasCount });
  } catch (error) {
    const message = (error as Error).message;
    if (/alias count/i.test(message)) {
      throw fileError(
        file,
        `YAML aliases expand more than ${maxAliasCount} times (an alias bomb?); aliases may share settings, ` +
          'not multiply data',
      );
    }
    if (error instanceof RangeError) throw fileError(file, 'the document nests too deeply to read');
    throw fileError(file, `not valid YAML: ${firstLine(message)}`);
  }
  return { value, locate: (path, atKey) => locateYaml(doc, lineCounter, path, file, atKey) };
}

function yamlErrorMessage(code: string, message: string): string {
  switch (code) {
    case 'MULTIPLE_DOCS':
      return (
        'the file holds more than one YAML document (a second one starts here, after `---`); a spec file holds ' + 'one'
      );
    case 'RESOURCE_EXHAUSTION':
      return 'the document nests too deeply to read';
    default:
      return `not valid YAML: ${firstLine(message)}`;
  }
}

function rangeAt(node: unknown, at: (offset: number) => string): string | undefined {
  const range = (node as { range?: [number, number, number] }).range;
  return range ? at(range[0]) : undefined;
}

/** file:line:col of the value at a formatted path (or its key, with `atKey`), or of its nearest existing parent. */
function locateYaml(
  doc: Document,
  lineCounter: LineCounter,
  path: string,
  file: string,
  atKey = false,
): string | undefined {
  const parts = parsePath(path);
  const at = (range: [number, number, number]) => {
    const pos = lineCounter.linePos(range[0]);
    return `${file}:${pos.line}:${pos.col}`;
  };
  for (let n = parts.length; n >= 0; n--) {
    const node = doc.getIn(parts.slice(0, n), true) as { range?: [number, number, number] } | undefined;
    if (!node || typeof node !== 'object' || !node.range) continue;
    const parent = atKey && n === parts.length && n > 0 ? doc.getIn(parts.slice(0, n - 1), true) : undefined;
    if (isMap(parent)) {
      const pair = parent.items.find((item) => isScalar(item.key) && item.key.value === parts[n - 1]);
      const keyRange = pair && isScalar(pair.key) ? pair.key.range : undefined;
      if (keyRange) return at(keyRange);
    }
    return at(node.range);
  }
  return undefined;
}

// ---------------------------------------------------------------------------------------------------------- JSON

function parseJson(text: string, file: string): Parsed {
  if (text.trim() === '') throw fileError(file, 'the file holds no spec: it is empty');
  const deep = deepBracket(text, true);
  if (deep !== undefined) {
    throw fileError(
      file,
      `brackets ([ ] { }) nest more than ${MAX_BRACKET_DEPTH} deep; a spec nests a few levels`,
      position(text, deep, file),
    );
  }
  // One streaming pass (no syntax tree: a large file costs its parsed value, not a node per token) finds the first
  // syntax error and keys given twice; JSON.parse then makes the value.
  const scan = scanJson(text);
  if (scan.error) {
    // The first error explains the rest (a missing comma makes every later token unexpected).
    const { message, offset } = jsonError(text, scan.error);
    throw fileError(file, `not valid JSON: ${message}`, position(text, offset, file));
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    // The two parsers agree on everything tried; should they not, the stricter one wins.
    throw fileError(file, `not valid JSON: ${(error as Error).message}`);
  }
  if (scan.duplicates.length > 0) {
    const problems = scan.duplicates.map(
      (d): SpecProblem => ({
        path: '(file)',
        message:
          `the key ${JSON.stringify(d.key)} is given twice in one object (JSON.parse would silently keep the ` +
          'last)',
        location: position(text, d.offset, file),
      }),
    );
    throw problems.length === 1
      ? fileError(file, problems[0].message, problems[0].location)
      : new SpecValidationError(capped(problems), file);
  }
  let located: Pick<JsonScan, 'offsets' | 'keyOffsets'> = { offsets: new Map(), keyOffsets: new Map() };
  return {
    value,
    // Positions are needed only for problems: one more streaming pass finds those of all of them.
    prepare: (paths) => {
      const wanted = new Set<string>();
      for (const parts of paths.map(parsePath))
        for (let n = 1; n <= parts.length; n++) wanted.add(JSON.stringify(parts.slice(0, n)));
      located = scanJson(text, wanted);
    },
    locate: (path, atKey) => {
      const parts = parsePath(path);
      for (let n = parts.length; n > 0; n--) {
        const key = JSON.stringify(parts.slice(0, n));
        const offset =
          (atKey && n === parts.length ? located.keyOffsets.get(key) : undefined) ?? located.offsets.get(key);
        if (offset !== undefined) return position(text, offset, file);
      }
      return position(text, text.search(/\S/), file);
    },
  };
}

interface JsonScan {
  readonly error?: ParseError;
  readonly duplicates: { key: string; offset: number }[];
  /** Offset of each value whose path (JSON of the path array) is in `wanted`. */
  readonly offsets: Map<string, number>;
  /** Offset of the key of each such value that is an object member. */
  readonly keyOffsets: Map<string, number>;
}

/** A streaming pass over strict JSON: the first error, keys repeated within an object, offsets of wanted paths. */
function scanJson(text: string, wanted?: ReadonlySet<string>): JsonScan {
  type Container = {
    readonly path: (string | number)[];
    readonly keys?: Set<string>;
    key?: string;
    /** Where the current key is written (an unknown key is located there). */
    keyOffset?: number;
    index: number;
  };
  const stack: Container[] = [];
  const duplicates: { key: string; offset: number }[] = [];
  const offsets = new Map<string, number>();
  const keyOffsets = new Map<string, number>();
  let error: ParseError | undefined;
  /** The path of a value starting here, recorded when wanted. */
  const valueAt = (offset: number): (string | number)[] => {
    const top = stack.at(-1);
    const path = top ? [...top.path, top.keys ? (top.key as string) : top.index++] : [];
    if (wanted) {
      const key = JSON.stringify(path);
      if (wanted.has(key) && !offsets.has(key)) {
        offsets.set(key, offset);
        if (top?.keys && top.keyOffset !== undefined) keyOffsets.set(key, top.keyOffset);
      }
    }
    return path;
  };
  visitJson(
    text,
    {
      onObjectBegin: (offset) => void stack.push({ path: valueAt(offset), keys: new Set(), index: 0 }),
      onObjectProperty: (name, offset) => {
        const top = stack.at(-1)!;
        if (top.keys!.has(name)) duplicates.push({ key: name, offset });
        top.keys!.add(name);
        top.key = name;
        top.keyOffset = offset;
      },
      onObjectEnd: () => void stack.pop(),
      onArrayBegin: (offset) => void stack.push({ path: valueAt(offset), index: 0 }),
      onArrayEnd: () => void stack.pop(),
      onLiteralValue: (_value, offset) => void valueAt(offset),
      onError: (code, offset, length) => {
        error ??= { error: code, offset, length };
      },
    },
    { disallowComments: true, allowTrailingComma: false, allowEmptyContent: false },
  );
  return { error, duplicates, offsets, keyOffsets };
}

const JSON_ERRORS: Record<number, string> = {
  1: 'unexpected character',
  2: 'invalid number',
  3: 'a property name in double quotes was expected',
  4: 'a value was expected',
  5: 'a colon was expected',
  6: 'a comma was expected',
  7: 'a closing } was expected',
  8: 'a closing ] was expected',
  9: 'nothing may follow the top-level value',
  10: 'comments are not allowed in JSON',
  11: 'the text ends inside a comment',
  12: 'the text ends inside a string',
  13: 'the text ends inside a number',
  14: 'invalid \\u escape',
  15: 'invalid escape character',
  16: 'control characters (a tab, a line break) must be escaped inside strings',
};

/** What a parse error means, and where: a trailing comma is reported at the comma. */
function jsonError(text: string, error: ParseError): { message: string; offset: number } {
  // A trailing comma shows up as "value/property name expected" right before a closing bracket.
  const rest = text.slice(error.offset).trimStart();
  const before = text.slice(0, error.offset).trimEnd();
  if (
    (error.error === 3 || error.error === 4) &&
    before.endsWith(',') &&
    (rest.startsWith('}') || rest.startsWith(']'))
  ) {
    return {
      message:
        `a trailing comma before '${rest[0]}' (JSON allows none; YAML would have accepted it, rename the file to ` +
        '.yaml if you meant YAML)',
      offset: before.length - 1,
    };
  }
  return { message: JSON_ERRORS[error.error] ?? `parse error ${error.error}`, offset: error.offset };
}

// -------------------------------------------------------------------------------------------------------- shared

/**
 * The offset of the first bracket nesting deeper than {@link MAX_BRACKET_DEPTH}. JSON: exact (strings skipped).
 * YAML: every bracket counts wherever it is, an upper bound of the flow nesting that only a file with hundreds of
 * unmatched brackets in its text could exceed without nesting.
 */
function deepBracket(text: string, json: boolean): number | undefined {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++;
      else if (c === 0x22) inString = false;
      continue;
    }
    if (c === 0x22 && json) inString = true;
    else if (c === 0x5b || c === 0x7b) {
      if (++depth > MAX_BRACKET_DEPTH) return i;
    } else if ((c === 0x5d || c === 0x7d) && depth > 0) depth--;
  }
  return undefined;
}

/** `file:line:col` of an offset (1-based, like editors). */
function position(text: string, offset: number, file: string): string {
  let line = 1;
  let lineStart = 0;
  for (let i = text.indexOf('\n'); i !== -1 && i < offset; i = text.indexOf('\n', i + 1)) {
    line++;
    lineStart = i + 1;
  }
  return `${file}:${line}:${offset - lineStart + 1}`;
}

/**
 * A file that cannot be a spec: one problem, and a one-line message (`file:line:col: what is wrong`) instead of the
 * problem list.
 */
function fileError(file: string, message: string, location?: string): SpecValidationError {
  return new SpecValidationError([{ path: '(file)', message, location }], file);
}

/** The first problems and a count of the rest: a 1000-item list with a problem per item is still readable. */
function capped(problems: readonly SpecProblem[]): readonly SpecProblem[] {
  if (problems.length <= MAX_PROBLEMS) return problems;
  return [
    ...problems.slice(0, MAX_PROBLEMS),
    { path: '(root)', message: `and ${problems.length - MAX_PROBLEMS} more problems (fix these first)` },
  ];
}

/** A limit from options, else the environment, else the default; a malformed one is refused, not ignored. */
function positiveLimit(
  option: number | undefined,
  env: NodeJS.ProcessEnv,
  variable: string,
  fallback: number,
  file: string,
  optionName: string,
): number {
  const raw = option ?? env[variable];
  if (raw === undefined || raw === '') return fallback;
  const value = typeof raw === 'number' ? raw : Number(raw);
  if (!Number.isFinite(value) || value <= 0) {
    const source = option !== undefined ? `the ${optionName} option` : variable;
    throw fileError(file, `${source} must be a positive number, got: ${JSON.stringify(raw)}`);
  }
  return value;
}

function describeKind(value: unknown): string {
  return value === undefined ? 'nothing' : kindOf(value);
}

function firstLine(text: string): string {
  return text.split('\n')[0];
}

function parsePath(path: string): (string | number)[] {
  if (path === '(root)' || path === '(file)') return [];
  const parts: (string | number)[] = [];
  const re = /([A-Za-z_$][\w$]*)|\[(\d+)\]|\[("(?:[^"\\]|\\.)*")\]/g;
  for (const m of path.matchAll(re)) {
    if (m[1] !== undefined) parts.push(m[1]);
    else if (m[2] !== undefined) parts.push(Number(m[2]));
    else if (m[3] !== undefined) parts.push(JSON.parse(m[3]) as string);
  }
  return parts;
}

/** The keys a strict object at `path` of the spec accepts, by walking the schema. */
function allowedKeysAt(path: readonly PropertyKey[]): readonly string[] | undefined {
  let schema: z.core.$ZodType | undefined = SpecSchema;
  for (const part of [...path, null]) {
    schema = unwrap(schema);
    if (!schema) return undefined;
    if (part === null) break;
    const def = schema._zod.def as unknown as Record<string, unknown>;
    // Own keys only: `shape['constructor']` would be Object's constructor, not a schema.
    if (def.type === 'object')
      schema = Object.hasOwn(def.shape as object, String(part))
        ? (def.shape as Record<string, z.core.$ZodType>)[String(part)]
        : undefined;
    else if (def.type === 'array') schema = def.element as z.core.$ZodType;
    else if (def.type === 'record') schema = def.valueType as z.core.$ZodType;
    else return undefined;
  }
  const def = schema?._zod.def as unknown as Record<string, unknown> | undefined;
  return def?.type === 'object' ? Object.keys(def.shape as object) : undefined;
}

function unwrap(schema: z.core.$ZodType | undefined): z.core.$ZodType | undefined {
  let current = schema;
  for (let i = 0; current && i < 10; i++) {
    const def = current._zod.def as unknown as Record<string, unknown>;
    if (def.type === 'optional' || def.type === 'default' || def.type === 'nullable' || def.type === 'prefault')
      current = def.innerType as z.core.$ZodType;
    else if (def.type === 'pipe') current = def.in as z.core.$ZodType;
    else return current;
  }
  return current;
}
