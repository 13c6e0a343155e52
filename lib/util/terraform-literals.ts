import {
  Aspects,
  TerraformBackend,
  TerraformDataSource,
  TerraformOutput,
  TerraformProvider,
  TerraformResource,
  Token,
  type IAspect,
  type IResolvable,
} from './cdktf';
import type { IConstruct } from 'constructs';

/*
 * Literal means literal: the one place where strings from specs and construct props become Terraform.
 *
 * Terraform reads every string of a `.tf.json` file as a template: `${...}` is evaluated and `%{...}` is a
 * directive, so a health-check body `${file("/etc/passwd")}` would be read from the machine running terraform.
 * Every Terraform element under a library construct therefore has the literal text of its attributes escaped
 * (`${` -> `$${`, `%{` -> `%%{`) at synthesis, before cdktf resolves tokens, while literal text and references
 * (cdktf tokens) can still be told apart. References stay references.
 *
 * Not escaped, on purpose:
 * - `addOverride` values: the documented escape hatch for writing a Terraform expression by hand;
 * - meta-arguments (`lifecycle`, `depends_on`, `provider`, `count`, `for_each`) and variables' validation
 *   conditions, which the library writes as expressions;
 * - values produced by an `IResolvable` (e.g. `Fn.*` calls), which render themselves.
 */

const STRING_TOKEN = /\$\{TfToken\[[a-zA-Z0-9:._-]+\]\}/g;
const LIST_TOKEN = /#\{TfToken\[[a-zA-Z0-9:._-]+\]\}/;
const MAP_TOKEN = /&\{TfToken\[[a-zA-Z0-9:._-]+\]\}/;

/** Literal text as a Terraform template that evaluates to exactly that text. */
export function escapeTemplateText(text: string): string {
  // Replacement functions, not strings: in a replacement string `$$` means one `$`.
  return text.replace(/\$\{/g, () => '$${').replace(/%\{/g, () => '%%{');
}

/**
 * A string attribute value with its literal text escaped and its tokens (references) kept. Strings that need no
 * change are returned as they are, so synthesized JSON only changes where a value would have been evaluated.
 */
export function literalString(value: string): string {
  if (!Token.isUnresolved(value)) return escapeTemplateText(value);
  if (LIST_TOKEN.test(value) || MAP_TOKEN.test(value)) return value;
  const parts = splitTokens(value);
  const needsWork = parts.some(
    (part, i) => !part.token && (needsEscape(part.text) || (endsWithMarkerStart(part.text) && parts[i + 1]?.token)),
  );
  if (!needsWork) return value;
  // Every literal part becomes a token of its own: cdktf reads a `${` between tokens as the start of a
  // hand-written expression (and would then render the next reference without its braces), so no literal text
  // may stay between the token markers.
  return parts
    .map((part, i) => {
      if (part.token) return part.text;
      let text = escapeTemplateText(part.text);
      // A literal '$' or '%' right before a reference would join its `${` into `$${` (an escape) or `%{`.
      if (parts[i + 1]?.token) text = text.replace(/[$%]+$/, (run) => `\${${JSON.stringify(run)}}`);
      return Token.asString(literalToken(text));
    })
    .join('');
}

/**
 * Escapes the literal strings of an attribute tree (plain objects, arrays, strings); keys of maps too, since
 * Terraform reads object keys in JSON as templates as well. Tokens, numbers and resolvables are left alone.
 */
export function escapeLiteralsIn<T>(value: T): T {
  return escapeValue(value) as T;
}

function escapeValue(value: unknown): unknown {
  if (typeof value === 'string') return literalString(value);
  if (Array.isArray(value)) {
    if (value.some((v) => typeof v === 'string' && LIST_TOKEN.test(v))) return value;
    return value.map(escapeValue);
  }
  if (isPlainObject(value)) {
    if (Object.keys(value).some((k) => MAP_TOKEN.test(k))) return value;
    const out: Record<string, unknown> = {};
    for (const [key, v] of Object.entries(value)) out[literalString(key)] = escapeValue(v);
    return out;
  }
  return value;
}

const PROTECTED = Symbol.for('cdktf-global-inference.literals-protected');

/**
 * Makes every Terraform element under `scope` synthesize its literal strings escaped: the elements there now, and
 * (through an aspect, at `app.synth()`) any added later. Library constructs call it as the last statement of their
 * constructor; it is idempotent, so nested constructs may each call it.
 */
export function protectLiterals(scope: IConstruct): void {
  for (const node of scope.node.findAll()) protectElement(node);
  const aspects = Aspects.of(scope);
  if (!aspects.all.includes(LITERALS_ASPECT)) aspects.add(LITERALS_ASPECT);
}

/** Whether an element's literal strings are escaped (for tests and reviews). */
export function isLiteralProtected(element: IConstruct): boolean {
  return (element as unknown as Record<symbol, unknown>)[PROTECTED] === true;
}

const LITERALS_ASPECT: IAspect = { visit: (node) => protectElement(node) };

function protectElement(node: IConstruct): void {
  const element = node as unknown as Record<PropertyKey, unknown>;
  if (element[PROTECTED]) return;
  if (TerraformOutput.isTerraformOutput(node)) {
    wrap(element, 'synthesizeAttributes', (attributes) => ({ ...attributes, value: escapeValue(attributes.value) }));
    // HCL synthesis wraps each value as `{ value, type, storageClassType, isBlock }`: the same walk escapes it.
    wrap(element, 'synthesizeHclAttributes', (attributes) => ({ ...attributes, value: escapeValue(attributes.value) }));
  } else if (
    TerraformResource.isTerraformResource(node) ||
    node instanceof TerraformDataSource ||
    node instanceof TerraformProvider ||
    node instanceof TerraformBackend
  ) {
    wrap(element, 'synthesizeAttributes', (attributes) => escapeValue(attributes) as Record<string, unknown>);
    wrap(element, 'synthesizeHclAttributes', (attributes) => escapeValue(attributes) as Record<string, unknown>);
  } else {
    return;
  }
  element[PROTECTED] = true;
}

function wrap(
  element: Record<PropertyKey, unknown>,
  method: string,
  transform: (attributes: Record<string, unknown>) => Record<string, unknown>,
): void {
  const original = element[method];
  if (typeof original !== 'function') return;
  element[method] = function (this: unknown, ...args: unknown[]) {
    const attributes = (original as (...a: unknown[]) => unknown).apply(this, args);
    return isPlainObject(attributes) ? transform(attributes) : attributes;
  };
}

/** A token that renders as already-escaped template text. */
function literalToken(text: string): IResolvable {
  return { creationStack: [], resolve: () => text, toString: () => text };
}

function splitTokens(value: string): { text: string; token: boolean }[] {
  const parts: { text: string; token: boolean }[] = [];
  let last = 0;
  for (const match of value.matchAll(STRING_TOKEN)) {
    if (match.index > last) parts.push({ text: value.slice(last, match.index), token: false });
    parts.push({ text: match[0], token: true });
    last = match.index + match[0].length;
  }
  if (last < value.length) parts.push({ text: value.slice(last), token: false });
  return parts;
}

function needsEscape(text: string): boolean {
  return text.includes('${') || text.includes('%{');
}

function endsWithMarkerStart(text: string): boolean {
  return text.endsWith('$') || text.endsWith('%');
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}
