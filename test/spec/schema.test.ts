import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SpecValidationError } from '../../lib/spec/errors';
import { jsonSchemaText, SPEC_SCHEMA_FILE } from '../../lib/spec/json-schema';
import { parseSpec, safeParseSpec } from '../../lib/spec/load';
import { modelKeyFromId } from '../../lib/spec/schema';
import { errorOf } from '../support/synth';
import { minimalSpec } from '../support/specs';

describe('spec defaults', () => {
  const spec = parseSpec(minimalSpec());

  test('the one-model shorthand becomes a named models list', () => {
    expect(spec.models).toHaveLength(1);
    expect(spec.models[0]).toMatchObject({ name: 'llama-3-1-8b-instruct', engine: 'vllm', port: 8000, args: [] });
    expect('model' in spec).toBe(false);
  });

  test('every region serves every model unless it says otherwise', () => {
    expect(spec.regions.map((r) => r.models)).toEqual([['llama-3-1-8b-instruct'], ['llama-3-1-8b-instruct']]);
  });

  test('health, endpoint, routing, state and front door get safe defaults', () => {
    expect(spec.health).toMatchObject({
      path: '/health',
      expectedStatus: 200,
      intervalSeconds: 10,
      failureThreshold: 3,
      capacity: { minHealthyTargets: 'asg-min' },
    });
    expect(spec.endpoint).toMatchObject({
      loadBalancingAlgorithm: 'least_outstanding_requests',
      slowStartSeconds: 0,
      deletionProtection: true,
      tlsPolicy: 'ELBSecurityPolicy-TLS13-1-2-2021-06',
      healthCheckGracePeriodSeconds: 900,
    });
    expect(spec.routing.mode).toBe('latency');
    expect(spec.frontDoor).toBe('route53');
    expect(spec.state).toEqual({ backend: 'local' });
    expect(spec.regions[0].network).toEqual({ natGateways: 'one' });
  });

  test('parsing a parsed spec gives the same spec (constructs re-validate what they are given)', () => {
    expect(parseSpec(spec)).toEqual(spec);
  });

  test('model keys derive from the last segment of the id', () => {
    expect(modelKeyFromId('meta-llama/Llama-3.1-8B-Instruct')).toBe('llama-3-1-8b-instruct');
    expect(modelKeyFromId('BAAI/bge-m3')).toBe('bge-m3');
    expect(modelKeyFromId('7B')).toBe('b');
  });
});

describe('spec errors', () => {
  test('fails when several things are wrong: every problem is reported at once, each with its path', () => {
    const result = safeParseSpec({
      service: { name: 'Chat', domain: 'not a domain' },
      model: { id: 'm', version: '1' },
      regions: [
        { region: 'us-east-9', instanceType: 'm5.large', capacity: { min: 4, max: 2 } },
        { region: 'eu-west-1', instanceType: 'g6e.xlarge', capacity: { min: 'two', max: 2 } },
      ],
      health: { intervalSeconds: 15 },
    });
    expect(result.success).toBe(false);
    if (result.success) return;
    const byPath = Object.fromEntries(result.problems.map((p) => [p.path, p]));
    expect(Object.keys(byPath).sort()).toEqual(
      [
        'health.intervalSeconds',
        'regions[0].capacity.min',
        'regions[0].instanceType',
        'regions[0].region',
        'regions[1].capacity.min',
        'service.domain',
        'service.name',
      ].sort(),
    );
    expect(byPath['regions[0].region'].message).toContain("did you mean 'us-east-1'?");
    expect(byPath['regions[0].region'].received).toBe('"us-east-9"');
    expect(byPath['regions[0].instanceType'].message).toContain('NVIDIA GPU instance type');
    expect(byPath['regions[0].capacity.min'].message).toBe('must be ≤ capacity.max (2)');
    expect(byPath['regions[1].capacity.min'].message).toBe('must be a number, not text');
    expect(byPath['health.intervalSeconds'].message).toBe('must be 10 or 30 (the Route53 request intervals)');
  });

  test('fails when a key is unknown, suggesting the closest allowed key', () => {
    const message = errorOf(() => parseSpec({ ...minimalSpec(), helth: {} }));
    expect(message).toContain(
      "helth: is not a known key (did you mean 'health'?); allowed keys: $schema, service, model, models, regions",
    );
  });

  test('fails when a required field is missing, saying what is expected', () => {
    const { service: _service, ...noService } = minimalSpec();
    expect(errorOf(() => parseSpec(noService))).toContain('service: is required (an object)');
  });

  test('fails when no model is declared, or both forms are used', () => {
    const { model: _model, ...noModel } = minimalSpec();
    expect(errorOf(() => parseSpec(noModel))).toContain('models: is required: declare the model(s) to serve');
    expect(errorOf(() => parseSpec({ ...minimalSpec(), models: [{ id: 'x/y', version: '1' }] }))).toContain(
      'model: give either `model` (one model) or `models` (a list), not both',
    );
  });

  test('fails when a region appears twice', () => {
    const spec = minimalSpec();
    const message = errorOf(() => parseSpec({ ...spec, regions: [...spec.regions, spec.regions[0]] }));
    expect(message).toContain('regions[2].region: duplicate region (also at index 0)');
  });

  test('fails when a region names a model that is not declared', () => {
    const spec = minimalSpec();
    const message = errorOf(() => parseSpec({ ...spec, regions: [{ ...spec.regions[0], models: ['mistral'] }] }));
    expect(message).toContain(
      'regions[0].models[0]: must name a declared model (llama-3-1-8b-instruct), got: "mistral"',
    );
  });

  test('fails when slow start is combined with least outstanding requests (AWS refuses both)', () => {
    const message = errorOf(() => parseSpec({ ...minimalSpec(), endpoint: { slowStartSeconds: 120 } }));
    expect(message).toContain(
      'endpoint.slowStartSeconds: cannot be used with loadBalancingAlgorithm least_outstanding_requests',
    );
    expect(() =>
      parseSpec({ ...minimalSpec(), endpoint: { slowStartSeconds: 120, loadBalancingAlgorithm: 'round_robin' } }),
    ).not.toThrow();
  });

  test('fails when an existing network is given halfway', () => {
    const spec = minimalSpec();
    const message = errorOf(() =>
      parseSpec({ ...spec, regions: [{ ...spec.regions[0], network: { vpcId: 'vpc-0123456789abcdef0' } }] }),
    );
    expect(message).toContain('regions[0].network.privateSubnetIds: is required when using an existing VPC');
    expect(message).toContain('regions[0].network.publicSubnetIds: is required when using an existing VPC');
  });

  test('fails when a created VPC is too small or a custom engine has no image', () => {
    const spec = minimalSpec();
    const message = errorOf(() =>
      parseSpec({
        ...spec,
        model: { id: 'x/y', version: '1', engine: 'custom' },
        regions: [{ ...spec.regions[0], network: { cidr: '10.0.0.0/26' } }],
      }),
    );
    expect(message).toContain('regions[0].network.cidr: must be an IPv4 CIDR block from /16 to /22');
    expect(message).toContain('model.engine: custom engine needs both `image` and `command`');
  });

  test('the error is a SpecValidationError whose message starts with a count', () => {
    try {
      parseSpec({}, 'my-spec.yaml');
      throw new Error('not thrown');
    } catch (error) {
      expect(error).toBeInstanceOf(SpecValidationError);
      expect((error as Error).message).toMatch(/^my-spec\.yaml is invalid \(\d+ problems\):\n {2}- /);
    }
  });
});

describe('country codes', () => {
  test(
    'a code of the right shape that is not an assigned country (ZZ, XX, EU) is refused where a spec names ' +
      'countries',
    () => {
      for (const code of ['ZZ', 'XX', 'EU']) {
        const result = safeParseSpec({
          ...minimalSpec(),
          residency: { eu: { countries: ['DE', code] } },
          routing: {
            mode: 'geolocation',
            geolocation: { groups: [{ name: 'europe', countries: ['FR', code], regions: ['us-east-1'] }] },
          },
        });
        expect(result.success).toBe(false);
        if (result.success) continue;
        const byPath = Object.fromEntries(result.problems.map((p) => [p.path, p]));
        expect(byPath['residency.eu.countries[1]']).toMatchObject({
          received: `"${code}"`,
          message: expect.stringContaining('not an assigned ISO 3166-1 alpha-2 country code'),
        });
        expect(byPath['routing.geolocation.groups[0].countries[1]']).toMatchObject({
          received: `"${code}"`,
          message: expect.stringContaining('not an assigned ISO 3166-1 alpha-2 country code'),
        });
      }
    },
  );

  test('lower case is refused for its shape, with one message', () => {
    const result = safeParseSpec({ ...minimalSpec(), residency: { eu: { countries: ['de'] } } });
    expect(result.success).toBe(false);
    if (result.success) return;
    expect(result.problems.filter((p) => p.path === 'residency.eu.countries[0]').map((p) => p.message)).toEqual([
      'must be an ISO 3166-1 alpha-2 country code in capitals, such as DE',
    ]);
  });
});

describe('JSON Schema', () => {
  test('the committed schema file is generated from the zod schema (run `npm run schema` after changing it)', () => {
    const committed = readFileSync(join(__dirname, '..', '..', SPEC_SCHEMA_FILE), 'utf8');
    expect(committed).toBe(jsonSchemaText());
  });

  test('the schema describes fields for editors and forbids unknown keys', () => {
    const schema = JSON.parse(jsonSchemaText()) as {
      properties: Record<string, { description?: string }>;
      additionalProperties: boolean;
      required: string[];
    };
    expect(schema.additionalProperties).toBe(false);
    expect(schema.required).toEqual(['service', 'regions']);
    expect(schema.properties.frontDoor.description).toBe('Which front door(s) to build.');
  });
});
