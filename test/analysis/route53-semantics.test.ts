import { analyzeRouting, type RoutingReport } from '../../lib/analysis/analyze';
import type { Answer } from '../../lib/analysis/model';
import { DOMAIN, StackBuilder, intent } from './fixtures';
import { regex } from '../support/regex';

const FD = `route53:${DOMAIN}`;

function answer(report: RoutingReport, client: string, scenario: string): Answer {
  const a = report.answer(FD, client, scenario);
  if (!a)
    throw new Error(
      `no answer for ${client} in ${scenario}; clients: ${report.clients.map((c) => c.id).join(', ')}; ` +
        `scenarios: ${report.scenarios.map((s) => s.id).join(', ')}`,
    );
  return a;
}

/** Regions with their share of the main answer, e.g. `eu-west-1:1`. */
function lands(a: Answer): string[] {
  return a.landings
    .filter((l) => !l.possible && l.share > 0)
    .map((l) => `${l.region}:${Math.round(l.share * 100) / 100}`);
}

const geo = (g: Record<string, string>) => ({ geolocation_routing_policy: g });
const latency = (region: string) => ({ latency_routing_policy: { region } });

describe('Route53 geolocation', () => {
  function geoStack(): StackBuilder {
    return new StackBuilder()
      .region('us-east-1')
      .region('eu-west-1')
      .region('eu-central-1')
      .record('GeoDE', DOMAIN, 'eu-central-1', geo({ country: 'DE' }))
      .record('GeoEU', DOMAIN, 'eu-west-1', geo({ continent: 'EU' }))
      .record('GeoDefault', DOMAIN, 'us-east-1', geo({ country: '*' }))
      .withIntent(intent({ 'us-east-1': null, 'eu-west-1': null, 'eu-central-1': null }));
  }

  it('answers with the most specific location: country, then continent, then the default', () => {
    const report = analyzeRouting([geoStack().build()]);
    expect(lands(answer(report, 'loc:DE', 'normal'))).toEqual(['eu-central-1:1']);
    expect(lands(answer(report, 'rest:EU@WEU', 'normal'))).toEqual(['eu-west-1:1']);
    expect(lands(answer(report, 'rest:NA@ENAM', 'normal'))).toEqual(['us-east-1:1']);
  });

  it('falls through to the next less specific location while the more specific record is unhealthy', () => {
    const report = analyzeRouting([geoStack().build()]);
    const oneDown = answer(report, 'loc:DE', 'eu-central-1');
    expect(lands(oneDown)).toEqual(['eu-west-1:1']);
    expect(oneDown.landings[0].path.map((s) => s.address)).toEqual([
      'aws_route53_record.GeoDE',
      'aws_route53_record.GeoEU',
    ]);
    expect(oneDown.landings[0].path[0].note).toMatch(
      /passed over: health check aws_route53_health_check.Hc_eu_central_1 is unhealthy/,
    );
    expect(lands(answer(report, 'loc:DE', 'eu-central-1+eu-west-1'))).toEqual(['us-east-1:1']);
  });

  it('answers with the most specific record when every matching record is unhealthy', () => {
    const report = analyzeRouting([geoStack().build()]);
    const all = answer(report, 'loc:DE', 'all');
    expect(lands(all)).toEqual(['eu-central-1:1']);
    expect(all.landings[0].up).toBe(false);
    expect(all.landings[0].path[0].note).toMatch(/every matching geolocation record is unhealthy/);
  });

  it('gives no answer when nothing matches and there is no default record', () => {
    const stack = new StackBuilder()
      .region('eu-west-1')
      .record('GeoDE', DOMAIN, 'eu-west-1', geo({ country: 'DE' }))
      .withIntent(intent({ 'eu-west-1': null }));
    const report = analyzeRouting([stack.build()]);
    const a = answer(report, 'rest:NA@ENAM', 'normal');
    expect(a.landings).toEqual([]);
    expect(a.noAnswer).toMatch(
      /no geolocation record of inference.example.com matches rest of NA \(ENAM\) and there is no default/,
    );
    expect(lands(answer(report, 'loc:DE', 'normal'))).toEqual(['eu-west-1:1']);
  });

  function residencyStack(evaluateTargetHealth: boolean): StackBuilder {
    return new StackBuilder()
      .region('us-east-1')
      .region('eu-west-1')
      .region('eu-central-1')
      .record('EuWest', `eu.${DOMAIN}`, 'eu-west-1', latency('eu-west-1'))
      .record('EuCentral', `eu.${DOMAIN}`, 'eu-central-1', latency('eu-central-1'))
      .record('ResidencyDE', DOMAIN, `name:eu.${DOMAIN}`, geo({ country: 'DE' }), { evaluateTargetHealth })
      .record('Default', DOMAIN, 'us-east-1', geo({ country: '*' }))
      .withIntent(
        intent({ 'us-east-1': 'us', 'eu-west-1': 'eu', 'eu-central-1': 'eu' }, { eu: { countries: ['DE'] } }),
      );
  }

  it('never falls through a residency record with evaluate_target_health off and no health check', () => {
    const report = analyzeRouting([residencyStack(false).build()]);
    const a = answer(report, 'eu:DE', 'eu-central-1+eu-west-1');
    expect(lands(a)).toEqual(['eu-central-1:1']);
    expect(a.landings[0].up).toBe(false);
    expect(a.landings[0].path.map((s) => s.address)).toEqual([
      'aws_route53_record.ResidencyDE',
      'aws_route53_record.EuCentral',
    ]);
    expect(a.landings[0].path[1].note).toMatch(
      /every record of eu.inference.example.com is unhealthy: Route53 answers as if all were healthy/,
    );
    expect(report.proofs.find((p) => p.name === 'residency')?.passed).toBe(true);
  });

  it('falls through to the default once evaluate_target_health is on and the nested set has no healthy record', () => {
    const report = analyzeRouting([residencyStack(true).build()]);
    const a = answer(report, 'eu:DE', 'eu-central-1+eu-west-1');
    expect(lands(a)).toEqual(['us-east-1:1']);
    expect(a.landings[0].path[0]).toMatchObject({
      address: 'aws_route53_record.ResidencyDE',
      note: expect.stringMatching(/eu.inference.example.com has no healthy record/),
    });
    // With one EU region left, the nested set is still healthy: no fall-through.
    expect(lands(answer(report, 'eu:DE', 'eu-central-1'))).toEqual(['eu-west-1:1']);
  });
});

describe('Route53 failover', () => {
  const stack = () =>
    new StackBuilder()
      .region('us-east-1')
      .region('eu-west-1')
      .record('Primary', DOMAIN, 'us-east-1', { failover_routing_policy: { type: 'PRIMARY' } })
      .record('Secondary', DOMAIN, `name:secondary.${DOMAIN}`, { failover_routing_policy: { type: 'SECONDARY' } })
      .record('SecondaryEu', `secondary.${DOMAIN}`, 'eu-west-1', latency('eu-west-1'))
      .withIntent(intent({ 'us-east-1': null, 'eu-west-1': null }));

  it('answers with the PRIMARY while it is healthy, else the SECONDARY', () => {
    const report = analyzeRouting([stack().build()]);
    expect(lands(answer(report, 'rest:EU@WEU', 'normal'))).toEqual(['us-east-1:1']);
    const failed = answer(report, 'rest:EU@WEU', 'us-east-1');
    expect(lands(failed)).toEqual(['eu-west-1:1']);
    expect(failed.landings[0].path.map((s) => s.address)).toEqual([
      'aws_route53_record.Primary',
      'aws_route53_record.Secondary',
      'aws_route53_record.SecondaryEu',
    ]);
  });

  it('answers with the PRIMARY when both are unhealthy', () => {
    const report = analyzeRouting([stack().build()]);
    const a = answer(report, 'rest:EU@WEU', 'all');
    expect(lands(a)).toEqual(['us-east-1:1']);
    expect(a.landings[0].path[0].note).toMatch(/both unhealthy: Route53 answers with the PRIMARY/);
  });

  it('keeps the PRIMARY while the SECONDARY alone is unhealthy', () => {
    const report = analyzeRouting([stack().build()]);
    expect(lands(answer(report, 'rest:EU@WEU', 'eu-west-1'))).toEqual(['us-east-1:1']);
  });
});

describe('Route53 latency and weighted', () => {
  it('answers with the nearest healthy region, and with the nearest one anyway when none is healthy', () => {
    const stack = new StackBuilder()
      .region('us-east-1')
      .region('eu-west-1')
      .record('LatUs', DOMAIN, 'us-east-1', latency('us-east-1'))
      .record('LatEu', DOMAIN, 'eu-west-1', latency('eu-west-1'))
      .withIntent(intent({ 'us-east-1': null, 'eu-west-1': null }));
    const report = analyzeRouting([stack.build()]);
    expect(lands(answer(report, 'rest:EU@WEU', 'normal'))).toEqual(['eu-west-1:1']);
    expect(lands(answer(report, 'rest:EU@WEU', 'eu-west-1'))).toEqual(['us-east-1:1']);
    const all = answer(report, 'rest:EU@WEU', 'all');
    expect(lands(all)).toEqual(['eu-west-1:1']);
    expect(all.landings[0].path[0].note).toMatch(/every record of inference.example.com is unhealthy/);
  });

  it(
    'shares weighted traffic among healthy records by weight, and ' + 'gives the share of a failed record to the rest',
    () => {
      const stack = new StackBuilder()
        .region('us-east-1')
        .region('us-west-2')
        .record('WEast', DOMAIN, 'us-east-1', { weighted_routing_policy: { weight: 200 } })
        .record('WWest', DOMAIN, 'us-west-2', { weighted_routing_policy: { weight: 50 } })
        .withIntent(intent({ 'us-east-1': null, 'us-west-2': null }));
      const report = analyzeRouting([stack.build()]);
      expect(lands(answer(report, 'rest:NA@ENAM', 'normal')).sort()).toEqual(['us-east-1:0.8', 'us-west-2:0.2']);
      expect(lands(answer(report, 'rest:NA@ENAM', 'us-east-1'))).toEqual(['us-west-2:1']);
      expect(lands(answer(report, 'rest:NA@ENAM', 'all')).sort()).toEqual(['us-east-1:0.8', 'us-west-2:0.2']);
    },
  );

  it('uses zero-weight records only when every weighted one is unhealthy', () => {
    const stack = new StackBuilder()
      .region('us-east-1')
      .region('eu-west-1')
      .record('Main', DOMAIN, 'us-east-1', { weighted_routing_policy: { weight: 100 } })
      .record('Standby', DOMAIN, 'eu-west-1', { weighted_routing_policy: { weight: 0 } })
      .withIntent(intent({ 'us-east-1': null, 'eu-west-1': null }));
    const report = analyzeRouting([stack.build()]);
    expect(lands(answer(report, 'rest:NA@ENAM', 'normal'))).toEqual(['us-east-1:1']);
    expect(lands(answer(report, 'rest:NA@ENAM', 'us-east-1'))).toEqual(['eu-west-1:1']);
  });
});

describe('Route53 health checks', () => {
  it('fails a CALCULATED check when fewer children than the threshold are healthy, and never with threshold 0', () => {
    const build = (threshold: number) =>
      new StackBuilder()
        .region('us-east-1')
        .region('eu-west-1')
        .add('aws_route53_health_check', 'Alarm_us', {
          type: 'CLOUDWATCH_METRIC',
          cloudwatch_alarm_region: 'us-east-1',
          cloudwatch_alarm_name: 'x',
        })
        .add('aws_route53_health_check', 'Calc_us', {
          type: 'CALCULATED',
          child_health_threshold: threshold,
          child_healthchecks: [
            '${aws_route53_health_check.Hc_us_east_1.id}',
            '${aws_route53_health_check.Alarm_us.id}',
          ],
        })
        .record('LatUs', DOMAIN, 'us-east-1', latency('us-east-1'), {
          healthCheck: 'Calc_us',
          evaluateTargetHealth: false,
        })
        .record('LatEu', DOMAIN, 'eu-west-1', latency('eu-west-1'))
        .withIntent(intent({ 'us-east-1': null, 'eu-west-1': null }));
    const strict = analyzeRouting([build(2).build()]);
    expect(lands(answer(strict, 'rest:NA@ENAM', 'us-east-1'))).toEqual(['eu-west-1:1']);
    const never = analyzeRouting([build(0).build()]);
    const a = answer(never, 'rest:NA@ENAM', 'us-east-1');
    expect(lands(a)).toEqual(['us-east-1:1']);
    expect(a.landings[0].up).toBe(false);
    const availability = never.proofs.find((p) => p.name === 'availability')!;
    expect(availability.passed).toBe(false);
    expect(availability.violations[0].message).toMatch(
      regex(
        /in scenario "us-east-1 down", Route53 inference.example.com gives client groups? ".*rest of NA /,
        /\(ENAM\).*" no healthy region: answered only with us-east-1 \(down\)/,
      ),
    );
    expect(availability.violations[0].resources).toContain('aws_route53_record.LatUs');
  });

  it('treats an alias with evaluate_target_health to a failed region as unhealthy even without a health check', () => {
    const stack = new StackBuilder()
      .region('us-east-1')
      .region('eu-west-1')
      .record('LatUs', DOMAIN, 'us-east-1', latency('us-east-1'), { healthCheck: false })
      .record('LatEu', DOMAIN, 'eu-west-1', latency('eu-west-1'), { healthCheck: false })
      .withIntent(intent({ 'us-east-1': null, 'eu-west-1': null }));
    const report = analyzeRouting([stack.build()]);
    expect(lands(answer(report, 'rest:NA@ENAM', 'us-east-1'))).toEqual(['eu-west-1:1']);
  });
});

describe('client groups', () => {
  it('evaluates every country of a residency continent, so one country routed elsewhere is caught', () => {
    const stack = new StackBuilder()
      .region('us-east-1')
      .region('eu-west-1')
      .region('eu-central-1')
      .record('EuWest', `eu.${DOMAIN}`, 'eu-west-1', latency('eu-west-1'))
      .record('EuCentral', `eu.${DOMAIN}`, 'eu-central-1', latency('eu-central-1'))
      .record('ResidencyEU', DOMAIN, `name:eu.${DOMAIN}`, geo({ continent: 'EU' }), { evaluateTargetHealth: false })
      // A hand-added record for one European country, pointing at the US.
      .record('GeoGB', DOMAIN, 'us-east-1', geo({ country: 'GB' }))
      .record('Default', DOMAIN, 'us-east-1', geo({ country: '*' }))
      .withIntent(
        intent({ 'us-east-1': 'us', 'eu-west-1': 'eu', 'eu-central-1': 'eu' }, { eu: { continents: ['EU'] } }),
      );
    const report = analyzeRouting([stack.build()]);
    expect(report.clients.map((c) => c.id)).toEqual(
      expect.arrayContaining(['eu:GB', 'eu:rest:EU@WEU', 'eu:rest:EU@EEU']),
    );
    expect(lands(answer(report, 'eu:rest:EU@WEU', 'all'))[0]).toMatch(/^eu-(west|central)-1:1$/);
    const v = report.violations.filter((x) => x.proof === 'residency');
    expect(v.map((x) => x.clientGroups)).toEqual([['eu: GB']]);
    expect(v[0].message).toMatch(
      /in scenario "normal operation" .*aws_route53_record.GeoGB \[inference.example.com geolocation country=GB/,
    );
  });

  it('works without a service intent: routed names nothing points to are the front doors', () => {
    const stack = new StackBuilder()
      .region('us-east-1')
      .region('eu-west-1')
      .record('LatUs', DOMAIN, 'us-east-1', latency('us-east-1'))
      .record('LatEu', DOMAIN, 'eu-west-1', latency('eu-west-1'));
    const report = analyzeRouting([stack.build()]);
    expect(report.graph.frontDoors.map((f) => f.id)).toEqual([FD]);
    expect(report.graph.regions).toEqual(['eu-west-1', 'us-east-1']);
    expect(lands(answer(report, 'rest:EU@WEU', 'eu-west-1'))).toEqual(['us-east-1:1']);
    expect(report.proofs.find((p) => p.name === 'failover-time')!.summary).toMatch(/no slo.failoverSeconds/);
    expect(report.violations).toEqual([]);
  });
});
