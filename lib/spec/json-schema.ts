import { z } from 'zod';
import { SpecSchema } from './schema';

/** Where the generated JSON Schema of the spec is committed (relative to the package root). */
export const SPEC_SCHEMA_FILE = 'schema/spec.schema.json';

/**
 * The JSON Schema of spec files, for editors (`# yaml-language-server: $schema=...` or `"$schema"` in JSON).
 * It describes the input side: fields with defaults are optional. Cross-field rules are only enforced by the
 * library.
 */
export function specJsonSchema(): Record<string, unknown> {
  return z.toJSONSchema(SpecSchema, { io: 'input', target: 'draft-2020-12' }) as Record<string, unknown>;
}

/** The schema file's exact text (what `npm run schema` writes and a test compares). */
export function jsonSchemaText(): string {
  return `${JSON.stringify(specJsonSchema(), null, 2)}\n`;
}
