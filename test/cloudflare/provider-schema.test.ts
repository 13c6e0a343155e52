import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PROVIDER_SCHEMA_5_14, providerSchemaProblems } from '../../lib/cloudflare/provider-schema';
import { OFFLINE_EXAMPLES } from '../support/example-catalog';
import { synthExample } from '../support/examples';
import type { TerraformJson } from '../../lib/util/synth-output';

/** Every Cloudflare resource of a stack, as [type, name, config]. */
function cloudflareResources(json: TerraformJson): [string, string, Record<string, unknown>][] {
  return Object.entries(json.resource ?? {})
    .filter(([type]) => type.startsWith('cloudflare_'))
    .flatMap(([type, byName]) => Object.entries(byName as Record<string, Record<string, unknown>>).map(([name, config]) => [type, name, config] as [string, string, Record<string, unknown>]));
}

describe('synthesized Cloudflare resources against the 5.14 schema facts', () => {
  describe.each(OFFLINE_EXAMPLES.map((e) => [e.name, e] as const))('example %s', (_name, example) => {
    const { stacks } = synthExample(example.build);
    test('every attribute is one the provider defines, with a value it defines', () => {
      const problems = stacks.flatMap((s) => cloudflareResources(s.json).flatMap(([type, name, config]) => providerSchemaProblems(type, config).map((p) => `${s.name} ${name}: ${p}`)));
      expect(problems).toEqual([]);
    });
  });
});
