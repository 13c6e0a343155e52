import { App } from '../../lib/util/cdktf';
import { analyzeRouting } from '../../lib/analysis/analyze';
import { COUNTRY_CODES, continentOf, countryInfo } from '../../lib/analysis/countries';
import { explainRouting } from '../../lib/analysis/explain';
import { addRoutingProofValidation, assertRoutingProofs } from '../../lib/analysis/gate';
import { failureScenarios } from '../../lib/analysis/scenarios';
import { EU_COUNTRIES } from '../../lib/spec/geo';
import { AWS_REGION_CODES } from '../../lib/spec/regions';
import { buildExampleApp } from '../../examples/example-app';
import { buildLeakyResidencyExample } from '../../examples/leaky-residency/main';
import { addGlobalInferenceStacks } from '../../stacks/global-inference-stacks';
import { errorOf } from '../support/synth';
import { synthToTemp } from './fixtures';
import { regex } from '../support/regex';

describe('failing synth', () => {
  it('makes app.synth() fail with one error per violation when the validation is added', () => {
    const app = synthless((o) => buildLeakyResidencyExample(o));
    addRoutingProofValidation(app);
    const message = errorOf(() => app.synth());
    expect(message).toMatch(
      regex(
        /residency: Route53 inference.example.com sends client groups "eu: AT, eu: BE, eu: BG, eu: CY, eu: CZ /,
        /and 22 more" \(jurisdiction eu\) to us-east-1/,
      ),
    );
    expect(message).toMatch(/Residency-eu-country-AT/);
  });

  it('lets a passing app synthesize, and analyses an app in memory', () => {
    const app = synthless((o) => buildExampleApp('eu-residency', o));
    addRoutingProofValidation(app);
    addRoutingProofValidation(app); // idempotent
    expect(() => app.synth()).not.toThrow();
    expect(assertRoutingProofs(app).violations).toEqual([]);
  });
});

describe('scenarios and countries', () => {
  it(
    'enumerates every subset up to 8 regions, else every single failure, always with everything down, plus ' +
      'witnesses',
    () => {
      expect(failureScenarios(['a', 'b', 'c']).map((s) => s.id)).toEqual([
        'normal',
        'a',
        'b',
        'c',
        'a+b',
        'a+c',
        'b+c',
        'all',
      ]);
      expect(failureScenarios(AWS_REGION_CODES.slice(0, 8))).toHaveLength(256);
      const thirty = failureScenarios(AWS_REGION_CODES.slice(0, 30), undefined, [
        ['eu-west-1', 'eu-central-1'],
        ['nowhere-1'],
      ]);
      expect(thirty).toHaveLength(1 + 30 + 1 + 1);
      expect(thirty.at(-2)).toMatchObject({ id: 'all', kind: 'all', label: 'every region down' });
      expect(thirty.at(-1)).toMatchObject({ id: 'eu-central-1+eu-west-1', kind: 'multiple' });
    },
  );

  it('knows every ISO country the residency presets use, with Route53 continents', () => {
    expect(COUNTRY_CODES.length).toBeGreaterThanOrEqual(245);
    for (const c of EU_COUNTRIES) expect(countryInfo(c)).toBeDefined();
    expect([
      continentOf('DE'),
      continentOf('US'),
      continentOf('BR'),
      continentOf('JP'),
      continentOf('AU'),
      continentOf('ZA'),
      continentOf('AQ'),
    ]).toEqual(['EU', 'NA', 'SA', 'AS', 'OC', 'AF', 'AN']);
    expect(countryInfo('US')?.cloudflareRegions).toEqual(['WNAM', 'ENAM']);
  });
});

describe('30 regions', () => {
  const outdir = synthToTemp((o) => {
    const app = new App({ outdir: o });
    addGlobalInferenceStacks(app, {
      service: { name: 'bench', domain: 'inference.example.com' },
      model: { id: 'meta-llama/Llama-3.1-8B-Instruct', version: '2026-11-01' },
      regions: AWS_REGION_CODES.slice(0, 30).map((region) => ({
        region,
        instanceType: 'g6e.xlarge',
        capacity: { min: 1, max: 4 },
        jurisdiction: region.startsWith('eu-') ? 'eu' : undefined,
      })),
      residency: { eu: { preset: 'eu' } },
    });
    return app;
  });

  it('proves residency over every health state for every client group, and passes', () => {
    const report = analyzeRouting(outdir);
    expect(report.scenarios).toHaveLength(1 + 30 + 1);
    expect(report.answers.length).toBe(report.scenarios.length * report.clients.length);
    expect(report.violations).toEqual([]);
    expect(report.proofs.find((p) => p.name === 'residency')!.summary).toMatch(
      /every health state \(reachability\) for 27 client groups × 1 front door/,
    );
    // The EU clients can reach exactly the nine EU regions, whatever fails.
    expect(report.reachable).toEqual([
      expect.objectContaining({
        jurisdiction: 'eu',
        destinations: AWS_REGION_CODES.slice(0, 30)
          .filter((r) => r.startsWith('eu-'))
          .sort(),
      }),
    ]);
  });

  it('keeps explain readable: unchanged failures summarised', () => {
    const text = explainRouting(analyzeRouting(outdir));
    expect(text.split('\n').length).toBeLessThan(400);
    expect(text).toMatch(/No client group's answer changes when/);
  });
});

/** An app that has not been synthesized yet, with a temp outdir. */
function synthless(build: (outdir: string) => App): App {
  let app: App | undefined;
  synthToTemp((o) => {
    app = build(o);
    return { synth: () => undefined } as unknown as App;
  });
  return app!;
}
