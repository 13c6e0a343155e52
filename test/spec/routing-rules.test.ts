import { parseSpec } from '../../lib/spec/load';
import type { GlobalInferenceSpecInput } from '../../lib/spec/schema';
import { errorOf } from '../support/synth';
import { minimalSpec } from '../support/specs';

const threeRegions: GlobalInferenceSpecInput['regions'] = [
  { region: 'us-east-1', instanceType: 'g6e.xlarge', capacity: { min: 1, max: 2 } },
  { region: 'eu-west-1', instanceType: 'g6e.xlarge', capacity: { min: 1, max: 2 }, jurisdiction: 'eu' },
  { region: 'ap-northeast-1', instanceType: 'g6e.xlarge', capacity: { min: 1, max: 2 } },
];

describe('routing rules', () => {
  test('fails when a mode lacks its settings, or settings of another mode are given', () => {
    expect(errorOf(() => parseSpec(minimalSpec({ routing: { mode: 'failover' } })))).toContain(
      'routing.failover: is required for mode failover',
    );
    expect(
      errorOf(() => parseSpec(minimalSpec({ routing: { mode: 'latency', weights: { 'us-east-1': 5 } } }))),
    ).toContain('routing.weights: only applies to mode weighted (mode is latency); remove it or change the mode');
  });

  test('fails when routing names regions the spec does not have, with the ones it has', () => {
    const message = errorOf(() =>
      parseSpec(
        minimalSpec({ routing: { mode: 'failover', failover: { primary: 'us-west-2', secondaries: ['us-east-1'] } } }),
      ),
    );
    expect(message).toContain(
      'routing.failover.primary: must be a region of the spec (us-east-1, eu-west-1), got: "us-west-2"',
    );
  });

  test('fails when weights are all zero or out of the Route53 range', () => {
    expect(
      errorOf(() =>
        parseSpec(minimalSpec({ routing: { mode: 'weighted', weights: { 'us-east-1': 0, 'eu-west-1': 0 } } })),
      ),
    ).toContain('routing.weights: must give at least one region a weight above 0');
    expect(
      errorOf(() => parseSpec(minimalSpec({ routing: { mode: 'weighted', weights: { 'us-east-1': 300 } } }))),
    ).toContain('routing.weights["us-east-1"]: must be ≤ 255 (Route53 weights are 0-255)');
  });

  test('fails when two geolocation groups claim one location, or a canary is combined with geolocation', () => {
    const message = errorOf(() =>
      parseSpec(
        minimalSpec({
          routing: {
            mode: 'geolocation',
            geolocation: {
              groups: [
                { name: 'a', continents: ['EU'], regions: ['eu-west-1'] },
                { name: 'b', continents: ['EU'], regions: ['us-east-1'] },
              ],
            },
            canary: { region: 'us-east-1', percent: 5 },
          },
        }),
      ),
    );
    expect(message).toContain("continent EU is already covered by group 'a'");
    expect(message).toContain('routing.canary: does not combine with mode geolocation');
  });

  test('fails when a canary is the only region', () => {
    const spec = minimalSpec();
    expect(
      errorOf(() => parseSpec({ ...spec, regions: [spec.regions[0]], routing: { canary: { region: 'us-east-1' } } })),
    ).toContain('a canary needs at least one other region');
  });
});

describe('residency rules', () => {
  test('presets expand to their countries', () => {
    const spec = parseSpec(minimalSpec({ residency: { eu: { preset: 'eu' } } }));
    expect(spec.residency.eu.countries).toHaveLength(27);
    expect(spec.residency.eu.countries).toContain('DE');
    expect(spec.residency.eu.countries).not.toContain('NO');
  });

  test('fails when a jurisdiction has no region, a key is reserved, or a country is bound twice', () => {
    const message = errorOf(() =>
      parseSpec({
        ...minimalSpec(),
        regions: threeRegions,
        residency: { eu: { countries: ['DE'] }, apac: { countries: ['JP', 'DE'] }, global: { countries: ['US'] } },
      }),
    );
    expect(message).toContain("residency.apac: no region has jurisdiction 'apac'");
    expect(message).toContain('residency.global: is a name the routing uses internally');
    expect(message).toContain('residency.apac.countries: is also bound to jurisdiction \'eu\', got: "DE"');
  });

  test('fails when a geolocation group claims a residency location', () => {
    const message = errorOf(() =>
      parseSpec({
        ...minimalSpec(),
        regions: threeRegions,
        residency: { eu: { countries: ['DE'] } },
        routing: {
          mode: 'geolocation',
          geolocation: { groups: [{ name: 'europe', countries: ['DE', 'FR'], regions: ['eu-west-1'] }] },
        },
      }),
    );
    expect(message).toContain(
      "group 'europe' claims country DE, which residency group 'eu' already binds to its jurisdiction",
    );
  });

  test('fails when a residency group names no clients', () => {
    expect(errorOf(() => parseSpec({ ...minimalSpec(), residency: { eu: {} } }))).toContain(
      'residency.eu: must name the clients it covers: a preset, countries or continents',
    );
  });
});

describe('rolling model upgrades', () => {
  const name = 'llama-3-1-8b-instruct';
  const withVersions = (versions: Record<string, string>, promotedVersion?: string): GlobalInferenceSpecInput => ({
    ...minimalSpec(),
    model: { id: 'meta-llama/Llama-3.1-8B-Instruct', version: 'v1', promotedVersion },
    regions: threeRegions.map((r) =>
      versions[r.region] ? { ...r, modelVersions: { [name]: versions[r.region] } } : r,
    ),
  });

  test('one region on the new version while two keep the stable one is allowed', () => {
    expect(parseSpec(withVersions({ 'ap-northeast-1': 'v2' })).regions[2].modelVersions).toEqual({ [name]: 'v2' });
  });

  test('fails when fewer than two regions still run the stable version, naming regions and the way out', () => {
    const message = errorOf(() => parseSpec(withVersions({ 'ap-northeast-1': 'v2', 'eu-west-1': 'v2' })));
    expect(message).toContain(
      `model.version: rolling upgrade of model '${name}': only 1 region (us-east-1) still runs the stable ` +
        'version v1 while v2 rolls out to eu-west-1, ap-northeast-1; keep at least two regions on v1, or declare ' +
        'the new version validated with model.promotedVersion: "v2"',
    );
  });

  test('a promoted version may take every region', () => {
    expect(() =>
      parseSpec(withVersions({ 'us-east-1': 'v2', 'ap-northeast-1': 'v2', 'eu-west-1': 'v2' }, 'v2')),
    ).not.toThrow();
  });

  test('fails when per-region versions name an unknown model', () => {
    expect(
      errorOf(() =>
        parseSpec({
          ...minimalSpec(),
          regions: [{ ...threeRegions[0], modelVersions: { mistral: 'v2' } }, threeRegions[1]],
        }),
      ),
    ).toContain('regions[0].modelVersions.mistral: must be keyed by a declared model name');
  });
});

describe('front door rules', () => {
  test('fails when Cloudflare is the front door without its settings, or the settings are given for Route53', () => {
    expect(errorOf(() => parseSpec(minimalSpec({ frontDoor: 'cloudflare' })))).toContain(
      'cloudflare: is required when frontDoor is cloudflare',
    );
  });
});

describe('edge router rules', () => {
  test('fails when edge-router weights name a region the spec does not have', () => {
    const message = errorOf(() =>
      parseSpec(minimalSpec({ edgeRouter: { accountId: '0'.repeat(32), weights: { 'us-west-2': 10 } } as never })),
    );
    expect(message).toContain(
      'edgeRouter.weights["us-west-2"]: must be keyed by a region of the spec (us-east-1, eu-west-1)',
    );
  });

  test('a fractional count is reported as such', () => {
    const spec = minimalSpec();
    const message = errorOf(() =>
      parseSpec({ ...spec, regions: [{ ...spec.regions[0], capacity: { min: 1.5, max: 2 } }] }),
    );
    expect(message).toContain('regions[0].capacity.min: must be a whole number, got: 1.5');
  });
});
