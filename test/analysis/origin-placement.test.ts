/*
 * Origins and backends are placed by what their DNS records reach, not by their names. A Cloudflare origin or an
 * edge-router backend is a hostname; when that name is in a Route53 zone of the stacks, Cloudflare (or the Worker)
 * resolves it through Route53 and connects wherever the records send it. Before, the analysis took the region from
 * the service intent unless the name had a single simple alias to a load balancer, so re-pointing the EU origin name
 * to a US load balancer (an alias to another regional name, a CNAME, a weighted set, a literal address) passed the
 * residency proof while EU traffic was served in the US. Each case below edits the synthesized cloudflare-eu example
 * (or a hand-written table) the way an escape hatch would; each failed before the fix.
 */
import { analyzeRouting } from '../../lib/analysis/analyze';
import type { FrontDoorExtractor, StackInput } from '../../lib/analysis/model';
import { tableFrontDoor, type BackendTable } from '../../lib/analysis/table-front-door';
import { buildExampleApp } from '../../examples/example-app';
import {
  backendTable,
  DOMAIN,
  StackBuilder,
  editableStacks,
  intent,
  key,
  resourcesLike,
  synthToTemp,
} from './fixtures';
import { regex } from '../support/regex';

type Body = Record<string, unknown>;

const cloudflareEu = synthToTemp((o) => buildExampleApp('cloudflare-eu', o, { proofs: false }));
const ORIGIN = 'origin.inference.example.com';

function aws(stacks: StackInput[]): StackInput {
  return stacks.find((s) => s.name.endsWith('-aws'))!;
}

function stackWithIntent(stacks: StackInput[]): StackInput {
  return stacks.find((s) => (s.json as Body)['//'] && ((s.json as Body)['//'] as Body).global_inference)!;
}

/** The regional record of a region in the origin zone, and what it needs to point elsewhere. */
function regional(
  stacks: StackInput[],
  region: string,
): { name: string; body: Body; zone: string; alb: (r: string) => string; records: Record<string, Body> } {
  const stack = aws(stacks);
  const [[name, body]] = resourcesLike(stack, 'aws_route53_record', `RegionalRecord-${region}_`);
  const [[zoneName]] = resourcesLike(stack, 'aws_route53_zone', 'Service_Zone');
  const alb = (r: string) => resourcesLike(stack, 'aws_lb', `Endpoint-${r}_`)[0][0];
  return {
    name,
    body,
    zone: `\${aws_route53_zone.${zoneName}.zone_id}`,
    alb,
    records: stack.json.resource!.aws_route53_record as Record<string, Body>,
  };
}

function residency(stacks: StackInput[]) {
  const report = analyzeRouting(stacks);
  return {
    report,
    passed: report.proofs.find((p) => p.name === 'residency')!.passed,
    violations: report.violations.filter((v) => v.proof === 'residency'),
  };
}

/** Replaces the eu-west-1 regional record's target by `fields` (alias removed unless given). */
function repoint(stacks: StackInput[], fields: Body): ReturnType<typeof regional> {
  const r = regional(stacks, 'eu-west-1');
  delete r.body.alias;
  delete r.body.records;
  delete r.body.ttl;
  Object.assign(r.body, fields);
  return r;
}

function declare(stacks: StackInput[], name: string, jurisdiction: string): void {
  const gi = ((stackWithIntent(stacks).json as Body)['//'] as Body).global_inference as Body;
  gi.externalEndpoints = [
    ...((gi.externalEndpoints as Body[] | undefined) ?? []),
    { name, jurisdiction, failoverSeconds: 30, declaredBy: 'test' },
  ];
}

describe('Cloudflare origins are placed by what their Route53 records reach', () => {
  it('control: the shipped cloudflare-eu example passes every proof', () => {
    expect(analyzeRouting(editableStacks(cloudflareEu)).violations).toEqual([]);
  });

  it(
    'the hole: the eu-west-1 origin name aliased to the us-east-1 ' + 'origin name (same zone) is a leak to us-east-1',
    () => {
      const stacks = editableStacks(cloudflareEu);
      const r = repoint(stacks, {
        alias: {
          name: `us-east-1.${ORIGIN}`,
          zone_id: regional(stacks, 'eu-west-1').zone,
          evaluate_target_health: true,
        },
      });
      const { passed, violations, report } = residency(stacks);
      expect(passed).toBe(false);
      expect(violations[0].message).toMatch(
        regex(
          /Cloudflare inference\.example\.com sends client groups? "eu: .*" \(jurisdiction eu\) to us-east-1 /,
          /\(jurisdiction us\)/,
        ),
      );
      expect(violations[0].message).toContain(`eu-west-1.${ORIGIN} (us-east-1)`);
      // The intent's hostname and the records disagree: said, naming the record.
      expect(report.graph.warnings.join('\n')).toContain(`aws_route53_record.${r.name}`);
      expect(report.graph.context.regionOfHost(`eu-west-1.${ORIGIN}`)).toBe('us-east-1');
    },
  );

  it('an alias chain that stays in the region is followed and placed there (no false alarm)', () => {
    const stacks = editableStacks(cloudflareEu);
    const r = regional(stacks, 'eu-west-1');
    r.records.Extra_eu_west_1b = {
      zone_id: r.zone,
      name: `eu-west-1b.${ORIGIN}`,
      type: 'A',
      alias: { ...(r.body.alias as Body) },
    };
    repoint(stacks, { alias: { name: `eu-west-1b.${ORIGIN}`, zone_id: r.zone, evaluate_target_health: true } });
    const { passed, report } = residency(stacks);
    expect(report.graph.context.regionOfHost(`eu-west-1.${ORIGIN}`)).toBe('eu-west-1');
    expect(passed).toBe(true);
  });

  it(
    "control (caught before too: a single record to a load balancer): a CNAME to another region's load balancer " +
      'DNS name is a leak to that region',
    () => {
      const stacks = editableStacks(cloudflareEu);
      const r = regional(stacks, 'eu-west-1');
      repoint(stacks, { type: 'CNAME', ttl: 60, records: [`\${aws_lb.${r.alb('us-east-1')}.dns_name}`] });
      const { passed, violations } = residency(stacks);
      expect(passed).toBe(false);
      expect(violations[0].message).toMatch(/to us-east-1 \(jurisdiction us\)/);
    },
  );

  it("a failover pair of CNAMEs whose SECONDARY is another region's load balancer DNS name is unplaced", () => {
    const stacks = editableStacks(cloudflareEu);
    const r = regional(stacks, 'eu-west-1');
    // The PRIMARY needs a health check, or the SECONDARY is never answered (and the name is eu-west-1's after all).
    aws(stacks).json.resource!.aws_route53_health_check = {
      Hc_primary: {
        type: 'HTTPS',
        fqdn: `\${aws_lb.${r.alb('eu-west-1')}.dns_name}`,
        port: 443,
        request_interval: 10,
        failure_threshold: 3,
      },
    };
    repoint(stacks, {
      type: 'CNAME',
      ttl: 60,
      set_identifier: 'primary',
      failover_routing_policy: { type: 'PRIMARY' },
      health_check_id: '${aws_route53_health_check.Hc_primary.id}',
      records: [`\${aws_lb.${r.alb('eu-west-1')}.dns_name}`],
    });
    r.records.Secondary_us = {
      zone_id: r.zone,
      name: `eu-west-1.${ORIGIN}`,
      type: 'CNAME',
      ttl: 60,
      set_identifier: 'secondary',
      failover_routing_policy: { type: 'SECONDARY' },
      records: [`\${aws_lb.${r.alb('us-east-1')}.dns_name}`],
    };
    const { passed, violations, report } = residency(stacks);
    expect(report.graph.context.regionOfHost(`eu-west-1.${ORIGIN}`)).toBeUndefined();
    expect(passed).toBe(false);
    expect(violations.map((v) => v.message).join('\n')).toContain('aws_route53_record.Secondary_us');
  });

  it('control (caught before too): a CNAME to a literal ELB name of another region is a leak to that region', () => {
    const stacks = editableStacks(cloudflareEu);
    repoint(stacks, { type: 'CNAME', ttl: 60, records: ['chat-123.ap-northeast-1.elb.amazonaws.com'] });
    const { passed, violations } = residency(stacks);
    expect(passed).toBe(false);
    expect(violations[0].message).toMatch(/to ap-northeast-1/);
  });

  it('a CNAME to another name of the zone is followed', () => {
    const stacks = editableStacks(cloudflareEu);
    repoint(stacks, { type: 'CNAME', ttl: 60, records: [`us-east-1.${ORIGIN}`] });
    const { passed, violations } = residency(stacks);
    expect(passed).toBe(false);
    expect(violations[0].message).toMatch(/to us-east-1 \(jurisdiction us\)/);
  });

  it(
    'a weighted set across two regions is unplaced: a possible leak naming the records, and an unknown failover ' +
      'time',
    () => {
      const stacks = editableStacks(cloudflareEu);
      const r = regional(stacks, 'eu-west-1');
      const euAlias = { ...(r.body.alias as Body) };
      repoint(stacks, { set_identifier: 'eu', weighted_routing_policy: { weight: 100 }, alias: euAlias });
      r.records.Weighted_us = {
        zone_id: r.zone,
        name: `eu-west-1.${ORIGIN}`,
        type: 'A',
        set_identifier: 'us',
        weighted_routing_policy: { weight: 0 },
        alias: {
          name: `\${aws_lb.${r.alb('us-east-1')}.dns_name}`,
          zone_id: `\${aws_lb.${r.alb('us-east-1')}.zone_id}`,
          evaluate_target_health: true,
        },
      };
      const { passed, violations, report } = residency(stacks);
      expect(report.graph.context.regionOfHost(`eu-west-1.${ORIGIN}`)).toBeUndefined();
      expect(passed).toBe(false);
      const message = violations.map((v) => v.message).join('\n');
      expect(message).toContain(`eu-west-1.${ORIGIN} resolves through Route53 to more than one place`);
      expect(message).toContain('aws_route53_record.Weighted_us');
      expect(message).toContain(`aws_route53_record.${r.name}`);
      const timing = report.violations
        .filter((v) => v.proof === 'failover-time')
        .map((v) => v.message)
        .join('\n');
      expect(timing).toMatch(/unknown/);
    },
  );

  it('the weighted set is accepted when an externalEndpoints declaration covers the origin name', () => {
    const stacks = editableStacks(cloudflareEu);
    const r = regional(stacks, 'eu-west-1');
    repoint(stacks, {
      set_identifier: 'eu',
      weighted_routing_policy: { weight: 100 },
      alias: { ...(r.body.alias as Body) },
    });
    r.records.Weighted_central = {
      zone_id: r.zone,
      name: `eu-west-1.${ORIGIN}`,
      type: 'A',
      set_identifier: 'central',
      weighted_routing_policy: { weight: 0 },
      alias: {
        name: `\${aws_lb.${r.alb('eu-central-1')}.dns_name}`,
        zone_id: `\${aws_lb.${r.alb('eu-central-1')}.zone_id}`,
        evaluate_target_health: true,
      },
    };
    expect(residency(stacks).passed).toBe(false);
    declare(stacks, `eu-west-1.${ORIGIN}`, 'eu');
    expect(residency(stacks).passed).toBe(true);
  });

  it('a latency set across two regions is unplaced', () => {
    const stacks = editableStacks(cloudflareEu);
    const r = regional(stacks, 'eu-west-1');
    repoint(stacks, {
      set_identifier: 'eu',
      latency_routing_policy: { region: 'eu-west-1' },
      alias: { ...(r.body.alias as Body) },
    });
    r.records.Latency_us = {
      zone_id: r.zone,
      name: `eu-west-1.${ORIGIN}`,
      type: 'A',
      set_identifier: 'us',
      latency_routing_policy: { region: 'us-east-1' },
      alias: {
        name: `\${aws_lb.${r.alb('us-east-1')}.dns_name}`,
        zone_id: `\${aws_lb.${r.alb('us-east-1')}.zone_id}`,
        evaluate_target_health: true,
      },
    };
    expect(residency(stacks).passed).toBe(false);
  });

  it(
    'a geolocation set is resolved from every location (Cloudflare resolves from anywhere): a US answer for US ' +
      'resolvers is a leak',
    () => {
      const stacks = editableStacks(cloudflareEu);
      const r = regional(stacks, 'eu-west-1');
      repoint(stacks, {
        set_identifier: 'default',
        geolocation_routing_policy: { country: '*' },
        alias: { ...(r.body.alias as Body) },
      });
      r.records.Geo_us = {
        zone_id: r.zone,
        name: `eu-west-1.${ORIGIN}`,
        type: 'A',
        set_identifier: 'us',
        geolocation_routing_policy: { country: 'US' },
        alias: {
          name: `\${aws_lb.${r.alb('us-east-1')}.dns_name}`,
          zone_id: `\${aws_lb.${r.alb('us-east-1')}.zone_id}`,
          evaluate_target_health: false,
        },
      };
      const { passed, report } = residency(stacks);
      expect(report.graph.context.regionOfHost(`eu-west-1.${ORIGIN}`)).toBeUndefined();
      expect(passed).toBe(false);
    },
  );

  it('an A record with a literal address is unplaced (a possible leak naming the record), unless declared', () => {
    const stacks = editableStacks(cloudflareEu);
    const r = repoint(stacks, { ttl: 60, records: ['198.51.100.7'] });
    const { passed, violations } = residency(stacks);
    expect(passed).toBe(false);
    const message = violations.map((v) => v.message).join('\n');
    expect(message).toContain('198.51.100.7');
    expect(message).toContain(`aws_route53_record.${r.name}`);
    declare(stacks, `eu-west-1.${ORIGIN}`, 'eu');
    expect(residency(stacks).passed).toBe(true);
  });

  it('an origin name in the zone with no record in the stacks is unplaced, not placed by its name', () => {
    const stacks = editableStacks(cloudflareEu);
    const r = regional(stacks, 'eu-west-1');
    delete r.records[r.name];
    const { passed, violations } = residency(stacks);
    expect(passed).toBe(false);
    expect(violations.map((v) => v.message).join('\n')).toContain(`eu-west-1.${ORIGIN} is in aws_route53_zone.`);
  });
});

describe('edge-router backends are placed the same way', () => {
  const table = (): BackendTable =>
    backendTable({ attemptTimeoutMs: 5_000, probeIntervalSeconds: undefined, probesPerRun: undefined });
  const extractor: FrontDoorExtractor = (context) => [tableFrontDoor(context, table())];

  function stacks(edit: (b: StackBuilder) => void = () => undefined): StackInput[] {
    const aws = new StackBuilder();
    for (const r of ['us-east-1', 'eu-west-1', 'eu-central-1']) aws.region(r);
    edit(aws);
    return [
      aws
        .withIntent(
          intent(
            { 'us-east-1': 'us', 'eu-west-1': 'eu', 'eu-central-1': 'eu' },
            { eu: { countries: ['DE'] } },
            { frontDoor: 'cloudflare' },
          ),
        )
        .build(),
    ];
  }
  const passes = (s: StackInput[]) =>
    analyzeRouting(s, { extractors: [extractor] }).proofs.find((p) => p.name === 'residency')!.passed;

  it('control: backends at their own regional names pass', () => {
    expect(passes(stacks())).toBe(true);
  });

  it('the eu-west-1 backend name aliased to the us-east-1 name is a leak to us-east-1', () => {
    const report = analyzeRouting(
      stacks((b) => {
        (b.resource.aws_route53_record[`Regional_${key('eu-west-1')}`] as Body).alias = {
          name: `us-east-1.${DOMAIN}`,
          zone_id: '${aws_route53_zone.Zone.zone_id}',
          evaluate_target_health: true,
        };
      }),
      { extractors: [extractor] },
    );
    const v = report.violations.filter((x) => x.proof === 'residency');
    expect(v[0].message).toMatch(
      /Edge router chat-router sends client group "eu: DE" \(jurisdiction eu\) to us-east-1/,
    );
  });

  it('a weighted set across two regions at a backend name is unplaced, naming the records', () => {
    const report = analyzeRouting(
      stacks((b) => {
        const r = b.resource.aws_route53_record[`Regional_${key('eu-west-1')}`] as Body;
        Object.assign(r, { set_identifier: 'eu', weighted_routing_policy: { weight: 1 } });
        b.add('aws_route53_record', 'Weighted_us', {
          zone_id: '${aws_route53_zone.Zone.zone_id}',
          name: `eu-west-1.${DOMAIN}`,
          type: 'A',
          set_identifier: 'us',
          weighted_routing_policy: { weight: 1 },
          alias: {
            name: '${aws_lb.Lb_us_east_1.dns_name}',
            zone_id: '${aws_lb.Lb_us_east_1.zone_id}',
            evaluate_target_health: true,
          },
        });
      }),
      { extractors: [extractor] },
    );
    const message = report.violations
      .filter((x) => x.proof === 'residency')
      .map((v) => v.message)
      .join('\n');
    expect(message).toContain(
      `backend eu-west-1 of cloudflare_workers_kv.Router_TableCurrent: eu-west-1.${DOMAIN} resolves through ` +
        'Route53 to more than one place',
    );
    expect(message).toContain('aws_route53_record.Weighted_us');
  });
});

describe('Route53 aliases to a regional name without a record', () => {
  it('are unplaced, not placed by the intent hostname', () => {
    const aws = new StackBuilder();
    for (const r of ['us-east-1', 'eu-west-1']) aws.region(r);
    delete aws.resource.aws_route53_record[`Regional_${key('eu-west-1')}`];
    aws.record('Entry', DOMAIN, `name:eu-west-1.${DOMAIN}`, {}, { evaluateTargetHealth: false });
    const report = analyzeRouting([
      aws.withIntent(intent({ 'us-east-1': 'us', 'eu-west-1': 'eu' }, { eu: { countries: ['DE'] } })).build(),
    ]);
    expect(report.proofs.find((p) => p.name === 'residency')!.passed).toBe(false);
    expect(report.violations.map((v) => v.message).join('\n')).toContain(
      `aws_route53_record.Entry aliases eu-west-1.${DOMAIN}`,
    );
  });
});

describe('an origin name answered by Cloudflare DNS', () => {
  const cloudflareStack = (stacks: StackInput[]) =>
    stacks.find((s) => Object.keys(s.json.resource ?? {}).includes('cloudflare_load_balancer'))!;

  it.each([
    ['an A record at the origin name', { name: `eu-west-1.${ORIGIN}`, type: 'A', content: '203.0.113.7' }],
    ['a CNAME at the origin name', { name: `eu-west-1.${ORIGIN}`, type: 'CNAME', content: `us-east-1.${ORIGIN}` }],
    ['a record whose name is unknown at synth', { name: '${var.name}', type: 'A', content: '203.0.113.7' }],
  ])('%s: the origin is not placed by its name (a possible leak, naming the record)', (_what, record) => {
    const stacks = editableStacks(cloudflareEu);
    const cf = cloudflareStack(stacks);
    ((cf.json.resource as Record<string, Record<string, Body>>).cloudflare_dns_record ??= {}).Shortcut = {
      zone_id: '${var.cloudflare_zone_id}',
      ttl: 60,
      ...record,
    };
    const { passed, violations } = residency(stacks);
    expect(passed).toBe(false);
    expect(violations.map((v) => v.message).join('\n')).toContain('cloudflare_dns_record.Shortcut');
  });

  it('control: the delegation NS records of the shipped example place nothing by themselves', () => {
    const stacks = editableStacks(cloudflareEu);
    const records = Object.values(
      (cloudflareStack(stacks).json.resource as Record<string, Record<string, Body>>).cloudflare_dns_record ?? {},
    );
    expect(records.length).toBeGreaterThan(0);
    expect(records).toAllSatisfy((r) => r.type === 'NS');
    expect(residency(stacks).passed).toBe(true);
  });
});
