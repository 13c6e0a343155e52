import { readFileSync } from 'node:fs';
import { extname } from 'node:path';
import { LineCounter, parseDocument, type Document } from 'yaml';
import { z } from 'zod';
import { SpecValidationError, problemsFromIssues, type SpecProblem } from './errors';
import { SpecSchema, type GlobalInferenceSpec } from './schema';

/** The outcome of validating a spec without throwing. */
export type SpecResult =
  | { readonly success: true; readonly spec: GlobalInferenceSpec }
  | { readonly success: false; readonly problems: readonly SpecProblem[] };

/**
 * Validates a spec given as a plain object (a TS literal, or parsed YAML/JSON) and fills in every default.
 * Reports every problem at once.
 */
export function safeParseSpec(input: unknown): SpecResult {
  const result = SpecSchema.safeParse(input, { reportInput: true });
  if (result.success) return { success: true, spec: result.data };
  return { success: false, problems: problemsFromIssues(result.error.issues, allowedKeysAt) };
}

/** Like {@link safeParseSpec} but throws a {@link SpecValidationError} listing every problem. */
export function parseSpec(input: unknown, source = 'spec'): GlobalInferenceSpec {
  const result = safeParseSpec(input);
  if (!result.success) throw new SpecValidationError(result.problems, source);
  return result.spec;
}

/**
 * Reads and validates a YAML (`.yaml`/`.yml`) or JSON (`.json`) spec file. Problems carry `file:line:column`.
 * Throws {@link SpecValidationError} for an unreadable, unparsable or invalid file.
 */
export function loadSpecFile(file: string): GlobalInferenceSpec {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (error as Error).message;
    throw new SpecValidationError([{ path: '(file)', message: `cannot read ${file}: ${reason}` }], file);
  }
  return parseSpecText(text, file);
}

/** Validates spec text; `file` names it in messages and selects the format by extension (YAML by default). */
export function parseSpecText(text: string, file = 'spec.yaml'): GlobalInferenceSpec {
  const format = extname(file).toLowerCase() === '.json' ? 'json' : 'yaml';
  const lineCounter = new LineCounter();
  // JSON is a subset of YAML 1.2, so one parser gives positions for both formats.
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length > 0) {
    const problems = doc.errors.map((e) => {
      const pos = lineCounter.linePos(e.pos[0]);
      return { path: '(file)', message: `not valid ${format === 'json' ? 'JSON' : 'YAML'}: ${firstLine(e.message)}`, location: `${file}:${pos.line}:${pos.col}` };
    });
    throw new SpecValidationError(problems, file);
  }
  const result = safeParseSpec(doc.toJS());
  if (result.success) return result.spec;
  throw new SpecValidationError(
    result.problems.map((p) => ({ ...p, location: locate(doc, lineCounter, p.path, file) })),
    file,
  );
}

function firstLine(text: string): string {
  return text.split('\n')[0];
}

/** file:line:col of the node at a formatted path, or of its nearest existing parent. */
function locate(doc: Document, lineCounter: LineCounter, path: string, file: string): string | undefined {
  const parts = parsePath(path);
  for (let n = parts.length; n >= 0; n--) {
    const node = doc.getIn(parts.slice(0, n), true) as { range?: [number, number, number] } | undefined;
    if (node && typeof node === 'object' && node.range) {
      const pos = lineCounter.linePos(node.range[0]);
      return `${file}:${pos.line}:${pos.col}`;
    }
  }
  return undefined;
}

function parsePath(path: string): (string | number)[] {
  if (path === '(root)') return [];
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
    if (def.type === 'object') schema = (def.shape as Record<string, z.core.$ZodType>)[String(part)];
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
    if (def.type === 'optional' || def.type === 'default' || def.type === 'nullable' || def.type === 'prefault') current = def.innerType as z.core.$ZodType;
    else if (def.type === 'pipe') current = def.in as z.core.$ZodType;
    else return current;
  }
  return current;
}
