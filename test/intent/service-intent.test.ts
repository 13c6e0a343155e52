import { App, TerraformStack, Testing } from '../../lib/util/cdktf';
import { loadStacks, readIntent } from '../../lib/analysis/input';
import {
  readServiceIntent,
  regionOfHostname,
  SERVICE_INTENT_KEY,
  SERVICE_INTENT_VERSION,
  ServiceIntentError,
  writeServiceIntent,
} from '../../lib/intent/service-intent';
import { checkStackJson } from '../../lib/policy/engine';
import { GlobalInferenceService } from '../../lib/service/global-inference-service';
import type { TerraformJson } from '../../lib/util/synth-output';
import { loadSpecFile } from '../../lib/spec/load';
import { join } from 'node:path';

function serviceStack(): TerraformJson {
  const app = Testing.app();
  const stack = new TerraformStack(app, 'svc');
  new GlobalInferenceService(stack, 'Service', {
    spec: loadSpecFile(join(__dirname, '../../examples/eu-residency/spec.yaml')),
    synthChecks: false,
  });
  return loadStacks(stack)[0].json;
}

describe('the service intent: one schema, one writer, both checkers read it', () => {
  const json = serviceStack();

  test('the service writes it under one key, with the current version', () => {
    const block = (json as Record<string, Record<string, Record<string, unknown>>>)['//'][SERVICE_INTENT_KEY];
    expect(block.version).toBe(SERVICE_INTENT_VERSION);
    expect(block.service).toBe('chat-eu');
    // One key: the old second name (a policy-context key) is gone.
    expect(
      Object.keys((json as Record<string, Record<string, unknown>>)['//']).filter((k) =>
        k.startsWith('global_inference'),
      ),
    ).toEqual([SERVICE_INTENT_KEY]);
  });

  test('the policy pack and the analysis read the same jurisdictions, residency and SLO', () => {
    const reading = readServiceIntent(json);
    expect(reading.status).toBe('present');
    if (reading.status !== 'present') return;
    const merged = readIntent([{ name: 'svc', json }]);
    expect(Object.keys(reading.intent.regions).length).toBeGreaterThan(1);
    for (const [region, r] of Object.entries(reading.intent.regions)) {
      expect(merged.regions[region]).toEqual({ jurisdiction: r.jurisdiction, hostname: r.hostname });
    }
    expect(Object.values(reading.intent.regions).some((r) => r.jurisdiction === 'eu')).toBe(true);
    expect(Object.values(reading.intent.regions).some((r) => r.jurisdiction === undefined)).toBe(true);
    expect(merged.residency).toEqual(
      Object.fromEntries(
        Object.entries(reading.intent.residency).map(([k, g]) => [
          k,
          { countries: g.countries, continents: g.continents },
        ]),
      ),
    );
    expect(Object.keys(merged.residency)).toContain('eu');
    expect(merged.sloFailoverSeconds).toBe(reading.intent.sloFailoverSeconds);
    expect(merged.sloFailoverSeconds).toBeGreaterThan(0);
    expect(regionOfHostname(reading.intent, 'EU-WEST-1.Inference.Example.com.')).toBe('eu-west-1');
  });

  test('codes read upper case and host names normalised, by both readers', () => {
    const hand = {
      '//': {
        [SERVICE_INTENT_KEY]: {
          service: 'chat',
          domain: 'x.example.com',
          regions: { 'eu-west-1': { jurisdiction: 'eu', hostname: 'EU.X.Example.com.' } },
          residency: { eu: { countries: ['de'], continents: ['eu'] } },
        },
      },
    };
    const reading = readServiceIntent(hand);
    if (reading.status !== 'present') throw new Error(`expected present, got ${reading.status}`);
    expect(reading.intent.residency.eu).toEqual({ countries: ['DE'], continents: ['EU'] });
    expect(readIntent([{ name: 'h', json: hand as TerraformJson }]).regions['eu-west-1'].hostname).toBe(
      'eu.x.example.com',
    );
    expect(regionOfHostname(reading.intent, 'eu.x.example.com')).toBe('eu-west-1');
  });

  test('a document without a version reads as version 1 (stacks written before the field)', () => {
    const reading = readServiceIntent({
      '//': { [SERVICE_INTENT_KEY]: { service: 'chat', domain: 'x.example.com', regions: {} } },
    });
    expect(reading).toMatchObject({ status: 'present', intent: { version: 1 } });
  });

  describe('a document from a newer library is refused by both checkers, never misread', () => {
    const newer = {
      '//': {
        [SERVICE_INTENT_KEY]: {
          version: SERVICE_INTENT_VERSION + 1,
          service: 'chat',
          domain: 'x.example.com',
          regions: {},
        },
      },
      resource: {},
    };

    test('policy pack: an error finding naming the version', () => {
      const report = checkStackJson(newer as TerraformJson);
      const errors = report.stacks[0].findings.filter((f) => f.severity === 'error');
      expect(errors.length).toBeGreaterThan(0);
      expect(errors.map((f) => f.message).join('\n')).toMatch(/version: was written by a newer version/);
    });

    test('analysis: a refusal naming the stack and the field', () => {
      expect(() => readIntent([{ name: 'svc', json: newer as TerraformJson }])).toThrow(ServiceIntentError);
      expect(() => readIntent([{ name: 'svc', json: newer as TerraformJson }])).toThrow(
        /stack svc: the service intent .* version: was written by a newer version/,
      );
    });
  });

  test('a malformed intent is refused by the analysis (reading around it would drop the residency groups)', () => {
    const bad = {
      '//': {
        [SERVICE_INTENT_KEY]: {
          service: 'chat',
          domain: 'x.example.com',
          regions: {},
          residency: { eu: { countries: 'DE' } },
        },
      },
    };
    expect(() => readIntent([{ name: 'svc', json: bad as TerraformJson }])).toThrow(/residency\.eu\.countries/);
  });

  test('writeServiceIntent refuses a malformed intent, naming the field', () => {
    const stack = new TerraformStack(new App(), 'hand-built');
    expect(() =>
      writeServiceIntent(stack, { service: 'chat', domain: 'x', regions: {}, cloudflarePlan: 'gold' as never }),
    ).toThrow(/service intent for stack 'hand-built' is invalid: cloudflarePlan/);
  });
});
