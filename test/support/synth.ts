import { SpecValidationError } from '../../lib/spec/errors';
import { Testing, TerraformStack, type App } from '../../lib/util/cdktf';
import type { TerraformJson } from '../../lib/util/synth-output';

/** A fresh app + stack for construct tests. */
export function newStack(id = 'test'): { app: App; stack: TerraformStack } {
  const app = Testing.app();
  return { app, stack: new TerraformStack(app, id) };
}

/** The synthesized JSON of a stack, parsed. */
export function synthJson(stack: TerraformStack): TerraformJson {
  return JSON.parse(Testing.synth(stack)) as TerraformJson;
}

/** Every resource of a type, as a list of [logical name, config]. */
export function resourcesOf(json: TerraformJson, type: string): [string, Record<string, unknown>][] {
  return Object.entries(json.resource?.[type] ?? {});
}

/** The single resource of a type whose logical name contains `fragment`. */
export function resourceNamed(json: TerraformJson, type: string, fragment: string): Record<string, unknown> {
  const matches = resourcesOf(json, type).filter(([name]) => name.includes(fragment));
  if (matches.length !== 1)
    throw new Error(
      `expected one ${type} named like '${fragment}', found ${matches.map(([n]) => n).join(', ') || 'none'}`,
    );
  return matches[0][1];
}

/** Runs `fn` and returns the message it throws (fails the test when nothing is thrown). */
export function errorOf(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error('expected an error, none was thrown');
}

/** The one resource of a type (fails when there are none or several). */
export function onlyResource(json: TerraformJson, type: string): Record<string, unknown> {
  const all = resourcesOf(json, type);
  if (all.length !== 1) throw new Error(`expected exactly one ${type}, found ${all.length}`);
  return all[0][1];
}

/**
 * The problems of the SpecValidationError `fn` throws, as `path: message[, got: value]` lines (anything else fails).
 */
export function specProblemsOf(fn: () => unknown): string[] {
  try {
    fn();
  } catch (error) {
    if (!(error instanceof SpecValidationError))
      throw new Error(`expected a SpecValidationError, got ${String(error)}`);
    return error.problems.map(
      (p) => `${p.path}: ${p.message}${p.received === undefined ? '' : `, got: ${p.received}`}`,
    );
  }
  throw new Error('expected a SpecValidationError, none was thrown');
}

/** Props as a plain-JS caller may pass them (missing or wrongly typed), past the TypeScript types. */
// biome-ignore lint/suspicious/noExplicitAny: hands deliberately invalid props to constructors in validation tests.
export const untypedProps = (props: unknown) => props as any;
