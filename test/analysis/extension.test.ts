/* The extension point the edge router plugs into: an extractor returning front doors built by tableFrontDoor. */
import { analyzeRouting } from '../../lib/analysis/analyze';
import type { FrontDoorExtractor } from '../../lib/analysis/model';
import { tableFrontDoor } from '../../lib/analysis/table-front-door';
import { backendTable as table, DOMAIN, StackBuilder, intent } from './fixtures';
import { regex } from '../support/regex';

function stacks() {
  const aws = new StackBuilder();
  for (const r of ['us-east-1', 'eu-west-1', 'eu-central-1']) aws.region(r);
  // No Route53 front door: the intent says Cloudflare, so only the extension's front door is analysed.
  return [
    aws
      .withIntent(
        intent(
          { 'us-east-1': 'us', 'eu-west-1': 'eu', 'eu-central-1': 'eu' },
          { eu: { countries: ['DE'] } },
          { frontDoor: 'cloudflare', sloFailoverSeconds: 20 },
        ),
      )
      .build(),
  ];
}

describe('front doors added by an extractor', () => {
  it('are analysed like the built-in ones: answers, residency, failover budget, probes, diagram', () => {
    const extractor: FrontDoorExtractor = (context) => [tableFrontDoor(context, table())];
    const report = analyzeRouting(stacks(), { extractors: [extractor] });
    expect(report.graph.frontDoors.map((f) => f.label)).toEqual(['Edge router chat-router']);
    const de = report.answer('edge-router:test', 'eu:DE', 'normal')!;
    expect(de.landings.map((l) => [l.region, l.share, l.possible ?? 'main'])).toEqual([
      ['eu-central-1', 1, 'main'],
      ['eu-west-1', 0, 'retry on the next backend (up to 3 attempts)'],
    ]);
    expect(report.proofs.find((p) => p.name === 'residency')!.passed).toBe(true);
    const budget = report.violations.filter((v) => v.proof === 'failover-time');
    expect(budget[0].message).toMatch(
      regex(
        /after up to 30 s, over the budget slo.failoverSeconds = 20 s: /,
        /cloudflare_workers_kv.Router_TableCurrent: attempt timeout 10000 ms × 3 attempts = 30 s/,
      ),
    );
    expect(report.probeLoad.find((l) => l.origin === `eu-west-1.${DOMAIN}`)!.sources.map((s) => s.resource)).toContain(
      'cloudflare_workers_kv.Router_TableCurrent#eu-west-1',
    );
  });

  it('catch a backend the table puts in the jurisdiction but the service intent does not', () => {
    const leaky = table({
      backends: table().backends.map((b) => (b.key === 'us-east-1' ? { ...b, jurisdiction: 'eu' } : b)),
    });
    const report = analyzeRouting(stacks(), { extractors: [(context) => [tableFrontDoor(context, leaky)]] });
    const v = report.violations.filter((x) => x.proof === 'residency');
    expect(v[0].message).toMatch(
      /Edge router chat-router sends client group "eu: DE" \(jurisdiction eu\) to us-east-1 \(jurisdiction us\)/,
    );
  });
});

describe('front doors without reachability (an extractor that gives none)', () => {
  it(
    'are checked on the enumerated scenarios only, the summary says so, and each scenario lists exactly its ' +
      'client groups',
    () => {
      const leaky = table({
        backends: table().backends.map((b) => (b.key === 'us-east-1' ? { ...b, jurisdiction: 'eu' } : b)),
      });
      const extractor: FrontDoorExtractor = (context) => {
        const { reach: _reach, pathFailover: _timing, ...rest } = tableFrontDoor(context, leaky);
        return [rest];
      };
      const report = analyzeRouting(stacks(), { extractors: [extractor] });
      const residency = report.proofs.find((p) => p.name === 'residency')!;
      expect(residency.summary).toMatch(/Edge router chat-router: \d+ enumerated scenarios only \(no reachability\)/);
      const v = residency.violations.find(
        (x) => x.message.includes('to us-east-1 (jurisdiction us)') && x.message.includes('as the answer'),
      )!;
      // DE reaches us-east-1 as the nearest backend only when both EU backends are down.
      expect(v.cases).toEqual([{ scenario: 'eu-central-1 + eu-west-1 down', clientGroups: ['eu: DE'] }]);
    },
  );
});
