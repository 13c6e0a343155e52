/*
 * The spec is validated once on its way from the file to the constructs (issue 13 item 2): loadSpecFile,
 * addGlobalInferenceStacks and GlobalInferenceService each accept a spec and validate what they are given, but a spec
 * the library validated and nobody changed is not validated again. A spec changed after validation, in any way, is.
 */
import { join } from 'node:path';
import { App } from '../../lib/util/cdktf';
import { loadSpecFile, parseSpec, safeParseSpec } from '../../lib/spec/load';
import { SpecSchema } from '../../lib/spec/schema';
import { addGlobalInferenceStacks } from '../../stacks/global-inference-stacks';
import { minimalSpec } from '../support/specs';

const EXAMPLES = join(__dirname, '..', '..', 'examples');

function schemaRuns<T>(run: () => T): { runs: number; result: T } {
  const spy = jest.spyOn(SpecSchema, 'safeParse');
  try {
    const result = run();
    return { runs: spy.mock.calls.length, result };
  } finally {
    spy.mockRestore();
  }
}

describe('the spec is validated once', () => {
  test.each(['default', 'edge-router'])('examples/%s: file -> stacks -> service runs the schema once', (example) => {
    const { runs, result } = schemaRuns(() => {
      const spec = loadSpecFile(join(EXAMPLES, example, 'spec.yaml'));
      return addGlobalInferenceStacks(new App(), spec, { gate: false });
    });
    expect(runs).toBe(1);
    expect(Object.keys(result.service.endpoints).length).toBeGreaterThan(0);
  });

  test('a TS literal is validated once too (stacks, then the service)', () => {
    const { runs } = schemaRuns(() => addGlobalInferenceStacks(new App(), minimalSpec(), { gate: false }));
    expect(runs).toBe(1);
  });

  test('a validated spec given back unchanged is the same content, not validated again', () => {
    const spec = parseSpec(minimalSpec());
    const { runs, result } = schemaRuns(() => parseSpec(spec));
    expect(runs).toBe(0);
    expect(result).toEqual(spec);
  });
});

describe('a spec changed after validation is validated again', () => {
  test('an invalid change is refused with its path', () => {
    const spec = parseSpec(minimalSpec());
    spec.regions[0].capacity.max = -1;
    const result = safeParseSpec(spec);
    expect(result.success).toBe(false);
    if (!result.success) expect(result.problems.map((p) => p.path)).toContain('regions[0].capacity.max');
  });

  test('a valid change is validated (and its defaults filled) again', () => {
    const spec = parseSpec(minimalSpec());
    (spec.health as { path?: string }).path = undefined;
    const { runs, result } = schemaRuns(() => parseSpec(spec));
    expect(runs).toBe(1);
    expect(result.health.path).toBe(parseSpec(minimalSpec()).health.path);
  });

  test('a key set to undefined counts as a change', () => {
    const spec = parseSpec(minimalSpec());
    (spec.dns as Record<string, unknown>).queryLogging = undefined;
    const { runs } = schemaRuns(() => parseSpec(spec));
    expect(runs).toBe(1);
  });

  test('a change deep inside (one digit of a nested number) is seen', () => {
    const spec = parseSpec(minimalSpec());
    spec.regions[1].capacity.min = 3;
    const { runs, result } = schemaRuns(() => parseSpec(spec));
    expect(runs).toBe(1);
    expect(result.regions[1].capacity.min).toBe(3);
  });

  test('a getter put into a validated spec is refused, never called', () => {
    const spec = parseSpec(minimalSpec());
    const calls: number[] = [];
    Object.defineProperty(spec.regions[0], 'instanceType', {
      enumerable: true,
      get: () => {
        calls.push(1);
        return 'g6e.xlarge';
      },
    });
    const result = safeParseSpec(spec);
    expect(result.success).toBe(false);
    expect(calls).toHaveLength(0);
  });

  test('what comes back is a copy: a proxy around a validated spec cannot change it later', () => {
    const spec = parseSpec(minimalSpec());
    let reads = 0;
    const proxy = new Proxy(spec, {
      get: (target, key, receiver) => {
        reads++;
        return Reflect.get(target, key, receiver);
      },
    });
    const result = safeParseSpec(proxy);
    const readsAfterParse = reads;
    if (result.success) {
      expect(result.spec).not.toBe(proxy);
      void result.spec.service.name;
      expect(reads).toBe(readsAfterParse);
    } else {
      // Refusing a proxy outright is sound too.
      expect(result.problems.length).toBeGreaterThan(0);
    }
  });
});
