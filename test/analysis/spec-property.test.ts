/*
 * Schema, proof and provider agree: every random spec with residency that the schema accepts synthesizes to stacks
 * whose residency proof passes (over every health state). A spec the proof would refuse must be refused by the
 * schema first, with its reason. `GI_PROPERTY_RUNS` (npm run test:property) raises the number of specs.
 */
import { App } from '../../lib/util/cdktf';
import fc from 'fast-check';
import { analyzeRouting } from '../../lib/analysis/analyze';
import { parseSpec } from '../../lib/spec/load';
import type { GlobalInferenceSpecInput } from '../../lib/spec/schema';
import { addGlobalInferenceStacks, proofOptionsFor } from '../../stacks/global-inference-stacks';

const RUNS = process.env.GI_PROPERTY_RUNS ? Math.max(20, Math.round(Number(process.env.GI_PROPERTY_RUNS) / 10)) : 6;
const REGIONS = [
  'us-east-1',
  'us-west-2',
  'eu-west-1',
  'eu-central-1',
  'eu-north-1',
  'eu-south-1',
  'ap-northeast-1',
  'sa-east-1',
  'ap-southeast-2',
];

const specArbitrary: fc.Arbitrary<GlobalInferenceSpecInput> = fc
  .record({
    regions: fc.subarray(REGIONS, { minLength: 2, maxLength: 5 }),
    euJurisdiction: fc.array(fc.boolean(), { minLength: 9, maxLength: 9 }),
    usResidency: fc.boolean(),
    residencyKind: fc.constantFrom('preset', 'countries', 'continent'),
    countries: fc.subarray(['DE', 'FR', 'IT', 'SE', 'IE', 'CY', 'PT']),
    mode: fc.constantFrom('latency', 'failover', 'weighted', 'geolocation', 'geoproximity'),
    canary: fc.boolean(),
    frontDoor: fc.constantFrom('route53', 'cloudflare', 'both'),
    plan: fc.constantFrom('pro', 'business', 'enterprise'),
    failoverAcrossPools: fc.boolean(),
    privateZone: fc.boolean(),
    edgeRouter: fc.boolean(),
  })
  .map((g) => {
    const regions = g.regions.map((region, i) => ({
      region,
      instanceType: 'g6e.xlarge',
      capacity: { min: 1, max: 2 },
      jurisdiction: region.startsWith('eu-')
        ? g.euJurisdiction[i] || i === 0
          ? 'eu'
          : undefined
        : region.startsWith('us-')
          ? 'us'
          : undefined,
    }));
    if (!regions.some((r) => r.jurisdiction === 'eu'))
      regions.push({
        region: 'eu-west-3',
        instanceType: 'g6e.xlarge',
        capacity: { min: 1, max: 2 },
        jurisdiction: 'eu',
      });
    const codes = regions.map((r) => r.region);
    const residency: Record<string, { preset?: 'eu'; countries?: string[]; continents?: ('EU' | 'NA')[] }> = {
      eu:
        g.residencyKind === 'preset'
          ? { preset: 'eu' }
          : g.residencyKind === 'continent'
            ? { continents: ['EU'] }
            : { countries: g.countries.length > 0 ? g.countries : ['DE'] },
    };
    if (g.usResidency && regions.some((r) => r.jurisdiction === 'us')) residency.us = { countries: ['US'] };
    const others = codes.filter((r) => r !== codes[0]);
    const routing =
      g.mode === 'failover'
        ? { mode: 'failover' as const, failover: { primary: codes[0] } }
        : g.mode === 'weighted'
          ? { mode: 'weighted' as const, weights: Object.fromEntries(codes.map((r, i) => [r, i === 0 ? 0 : 50])) }
          : g.mode === 'geolocation'
            ? {
                mode: 'geolocation' as const,
                geolocation: {
                  groups: [
                    { name: 'apac', continents: ['AS' as const, 'OC' as const], regions: [others[0] ?? codes[0]] },
                  ],
                  default: 'latency',
                },
              }
            : g.mode === 'geoproximity'
              ? { mode: 'geoproximity' as const, biases: { [codes[0]]: 40 } }
              : { mode: 'latency' as const };
    const spec: GlobalInferenceSpecInput = {
      service: { name: 'prop', domain: 'inference.example.com' },
      model: { id: 'meta-llama/Llama-3.1-8B-Instruct', version: '2026-11-01' },
      regions,
      residency: residency as GlobalInferenceSpecInput['residency'],
      routing:
        g.canary && g.mode !== 'geolocation' && g.mode !== 'failover'
          ? { ...routing, canary: { region: others[others.length - 1] ?? codes[0], percent: 10 } }
          : routing,
      frontDoor: g.frontDoor,
      dns: { privateZone: g.privateZone },
      ...(g.frontDoor === 'route53'
        ? {}
        : {
            cloudflare: {
              accountId: '0'.repeat(32),
              zoneId: '1'.repeat(32),
              plan: g.plan,
              trafficSteering: g.plan !== 'enterprise',
              failoverAcrossPools: g.failoverAcrossPools,
            },
          }),
      ...(g.edgeRouter
        ? { edgeRouter: { accountId: '0'.repeat(32), zoneId: '1'.repeat(32), hostname: 'api.inference.example.com' } }
        : {}),
    };
    return spec;
  });

describe('what the schema accepts under residency passes the residency proof', () => {
  it(
    `on ${RUNS} random specs (regions, jurisdictions, residency, routing modes, front doors, private zones, edge ` +
      'router)',
    () => {
      let accepted = 0;
      fc.assert(
        fc.property(specArbitrary, (input) => {
          let spec: ReturnType<typeof parseSpec>;
          try {
            spec = parseSpec(input);
          } catch {
            return; // refused by the schema, with a message (schema tests check those)
          }
          accepted++;
          const app = new App({ outdir: '/nonexistent' });
          addGlobalInferenceStacks(app, spec, { proofs: false, policy: false });
          const report = analyzeRouting(app, proofOptionsFor(spec));
          const residency = report.proofs.find((p) => p.name === 'residency')!;
          expect({ spec: input, residency: residency.violations.map((v) => v.message) }).toEqual({
            spec: input,
            residency: [],
          });
        }),
        { numRuns: RUNS, seed: process.env.GI_PROPERTY_SEED ? Number(process.env.GI_PROPERTY_SEED) : undefined },
      );
      expect(accepted).toBeGreaterThan(RUNS / 3);
    },
  );
});
