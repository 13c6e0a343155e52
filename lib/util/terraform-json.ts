/**
 * Reading literal values out of synthesized Terraform JSON, shared by the analysis and the policy pack. A value
 * that is a Terraform expression (`${...}` or a `%{...}` directive) is unknown at synth time; literal text that
 * the library escaped (`$${`, `%%{`, see lib/util/terraform-literals.ts) reads as the text it stands for.
 */

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** True when a value is (or contains) a Terraform expression, so its literal value is unknown at synth time. */
export function isExpression(value: unknown): boolean {
  return typeof value === 'string' && templateLiteral(value) === undefined;
}

/**
 * A string the way Terraform reads it: a literal (escapes `$${` and `%%{` undone), or as written when it holds an
 * interpolation or a directive (check {@link isExpression}).
 */
export function str(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  return templateLiteral(value) ?? value;
}

/** The text a Terraform string template stands for, or undefined when it interpolates or has a directive. */
export function templateLiteral(template: string): string | undefined {
  let out = '';
  for (let i = 0; i < template.length; i++) {
    const rest = template.slice(i, i + 3);
    if (rest === '$${' || rest === '%%{') {
      out += rest.slice(1);
      i += 2;
    } else if (rest.startsWith('${') || rest.startsWith('%{')) {
      return undefined;
    } else {
      out += template[i];
    }
  }
  return out;
}

/** A literal number (plain decimal strings included, as cdktf writes some numbers), or undefined. */
export function num(value: unknown): number | undefined {
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  if (typeof value === 'string' && /^-?\d+(\.\d+)?$/.test(value.trim())) return Number(value);
  return undefined;
}

/** A literal boolean (`true`/`"true"`), or undefined when unset or an expression. */
export function bool(value: unknown): boolean | undefined {
  if (typeof value === 'boolean') return value;
  if (value === 'true') return true;
  if (value === 'false') return false;
  return undefined;
}

/** Nested blocks, which cdktf writes as an object or a list of objects. */
export function blocks(value: unknown): Record<string, unknown>[] {
  if (Array.isArray(value)) return value.filter(isRecord);
  return isRecord(value) ? [value] : [];
}

/** The first nested block, if any. */
export function block(value: unknown): Record<string, unknown> | undefined {
  return blocks(value)[0];
}

/** A list of literal strings; undefined when it is not a list or any element is not a string (an expression). */
export function literalStrings(value: unknown): string[] | undefined {
  return Array.isArray(value) && value.every((v) => typeof v === 'string') ? (value as string[]) : undefined;
}

/** The string elements of a list (other elements dropped); empty when it is not a list. */
export function stringElements(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
}

/** One resource body of a stack: type, logical name and its JSON (the `//` comment block still in it). */
export interface ResourceBody {
  readonly type: string;
  readonly name: string;
  readonly body: Record<string, unknown>;
}

/**
 * Every resource body of a stack's Terraform JSON. Each level (`resource`, a type, a resource body) may be written
 * as an object or as a list of objects; cdktf writes objects, hand-written or tool-written JSON may not.
 */
export function resourceBodies(json: unknown, onlyType?: string): ResourceBody[] {
  const out: ResourceBody[] = [];
  for (const byType of blocks(isRecord(json) ? json.resource : undefined)) {
    for (const [type, byNames] of Object.entries(byType)) {
      if (onlyType !== undefined && type !== onlyType) continue;
      for (const byName of blocks(byNames)) {
        for (const [name, value] of Object.entries(byName))
          for (const body of blocks(value)) out.push({ type, name, body });
      }
    }
  }
  return out;
}
