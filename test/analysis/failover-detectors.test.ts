/*
 * Failover time credits only a detector whose verdict can change the answer (issue 17, item 4): a health check on a
 * record counts when the record's set, or a set above it that the health reaches through aliases with
 * evaluate_target_health, can give the clients another record. Route53 answers a one-record set even when its
 * record is unhealthy, so a check there moves no one. And each remedy a failover-time violation prints, applied to
 * the JSON as written, makes the proof pass (a record's own TTL is a setting; "cannot be met" only when none meets it).
 */
import { analyzeRouting } from '../../lib/analysis/analyze';
import type { StackInput, Violation } from '../../lib/analysis/model';
import { buildExampleApp } from '../../examples/example-app';
import { editableStacks, resourcesLike, synthToTemp } from './fixtures';
import { regex } from '../support/regex';

const base = synthToTemp((o) => buildExampleApp('default', o, { proofs: false }));
const REGIONS = ['us-east-1', 'eu-west-1', 'ap-northeast-1'];

type Body = Record<string, unknown>;

function aws(stacks: StackInput[]): StackInput {
  return stacks.find((s) => s.name.endsWith('-aws')) ?? stacks[0];
}

function resources(stacks: StackInput[], type: string): Record<string, Body> {
  const r = aws(stacks).json.resource as Record<string, Record<string, Body>>;
  return (r[type] ??= {});
}

function one(stacks: StackInput[], type: string, fragment: string): Body {
  const found = resourcesLike(aws(stacks), type, fragment);
  expect(found).toHaveLength(1);
  return found[0][1];
}

const latency = (stacks: StackInput[], region: string) => one(stacks, 'aws_route53_record', `Latency-root-${region}`);
const regional = (stacks: StackInput[], region: string) =>
  one(stacks, 'aws_route53_record', `RegionalRecord-${region}`);
const zoneRef = (stacks: StackInput[]) =>
  `\${aws_route53_zone.${Object.keys(resources(stacks, 'aws_route53_zone'))[0]}.zone_id}`;

/** t5: the latency records alias the regional names without evaluate_target_health; the check moved below them. */
function checkBelow(): StackInput[] {
  const stacks = editableStacks(base);
  for (const region of REGIONS) {
    const lat = latency(stacks, region);
    regional(stacks, region).health_check_id = lat.health_check_id;
    delete lat.health_check_id;
    lat.alias = { name: `${region}.inference.example.com`, zone_id: zoneRef(stacks), evaluate_target_health: false };
  }
  return stacks;
}

/** t6: as t5, plus a slow check (30 s × 10) on the latency records: the only ones that can move clients. */
function slowAboveFastBelow(): StackInput[] {
  const stacks = checkBelow();
  for (const region of REGIONS) {
    const name = `Slow_${region.replace(/-/g, '_')}`;
    resources(stacks, 'aws_route53_health_check')[name] = {
      type: 'HTTPS',
      fqdn: `${region}.inference.example.com`,
      port: 443,
      resource_path: '/health',
      request_interval: 30,
      failure_threshold: 10,
      regions: ['us-east-1', 'eu-west-1', 'ap-southeast-1'],
      provider: 'aws.us-east-1',
    };
    latency(stacks, region).health_check_id = `\${aws_route53_health_check.${name}.id}`;
  }
  return stacks;
}

/** t8c: the latency records as CNAMEs to the regional names with a literal TTL. */
function cnameTtl(ttl: number): StackInput[] {
  const stacks = editableStacks(base);
  for (const region of REGIONS) {
    const lat = latency(stacks, region);
    delete lat.alias;
    Object.assign(lat, { type: 'CNAME', records: [`${region}.inference.example.com`], ttl });
  }
  return stacks;
}

function failoverViolations(stacks: StackInput[], options: { sloFailoverSeconds?: number } = {}): Violation[] {
  return analyzeRouting(stacks, options).violations.filter((v) => v.proof === 'failover-time');
}

function byAddress(stacks: StackInput[], address: string): Body {
  const [type, name] = address.split('.');
  const body = resources(stacks, type)[name];
  expect({ address, found: !!body }).toEqual({ address, found: true });
  return body;
}

/**
 * Applies one remedy option to the JSON the way a user would: each setting it names, on the resources it names.
 * Returns the analysis options it changes (a raised budget), or throws on text it does not know.
 */
function apply(stacks: StackInput[], option: string): { sloFailoverSeconds?: number } {
  let known = false;
  const out: { sloFailoverSeconds?: number } = {};
  const raise = /raise slo.failoverSeconds to (\d+) or more/.exec(option);
  if (raise) {
    known = true;
    out.sloFailoverSeconds = Number(raise[1]);
  }
  const check = /set request_interval (\d+) and failure_threshold (\d+) on (.+?) \(/.exec(option);
  if (check) {
    known = true;
    for (const address of check[3].split(' and '))
      Object.assign(byAddress(stacks, address), {
        request_interval: Number(check[1]),
        failure_threshold: Number(check[2]),
      });
  }
  const spec = /set health.intervalSeconds: (\d+) and health.failureThreshold: (\d+)/.exec(option);
  if (spec) {
    known = true;
    // What the spec change synthesizes: the library's readiness checks.
    for (const [, hc] of resourcesLike(aws(stacks), 'aws_route53_health_check', '_Readiness'))
      Object.assign(hc, { request_interval: Number(spec[1]), failure_threshold: Number(spec[2]) });
  }
  const ttl = /lower the TTL of (.+?) to (\d+) s or less/.exec(option);
  if (ttl) {
    known = true;
    for (const m of ttl[1].matchAll(/(aws_route53_record\.\S+) \(ttl \d+\)/g))
      byAddress(stacks, m[1]).ttl = Number(ttl[2]);
  }
  const eth = /set evaluate_target_health: true on (.+?), so/.exec(option);
  if (eth) {
    known = true;
    for (const address of eth[1].split(', ')) (byAddress(stacks, address).alias as Body).evaluate_target_health = true;
  }
  const give = regex(
    /give (\S+) its own health check \(health_check_id\) of type HTTPS probing (\S+) with request_interval /,
    /(\d+) and failure_threshold (\d+)/,
  ).exec(option);
  if (give) {
    known = true;
    const name = `Remedy_${give[1].split('.')[1]}`;
    resources(stacks, 'aws_route53_health_check')[name] = {
      type: 'HTTPS',
      fqdn: give[2],
      port: 443,
      resource_path: '/health',
      request_interval: Number(give[3]),
      failure_threshold: Number(give[4]),
      provider: 'aws.us-east-1',
    };
    byAddress(stacks, give[1]).health_check_id = `\${aws_route53_health_check.${name}.id}`;
  }
  if (!known) throw new Error(`remedy option not understood: ${option}`);
  return out;
}

/** Every option of the printed remedies, applied (option i of every violation together), passes the proof. */
function expectEveryRemedyFixes(make: () => StackInput[], options: { sloFailoverSeconds?: number } = {}): string[] {
  const violations = failoverViolations(make(), options);
  expect(violations.length).toBeGreaterThan(0);
  const split = violations.map((v) => (v.remedy ?? '').split('; or '));
  const applied: string[] = [];
  for (let i = 0; i < split[0].length; i++) {
    const stacks = make();
    let opts = { ...options };
    for (const opts_ of split.map((s) => apply(stacks, s[i]))) opts = { ...opts, ...opts_ };
    expect({ remedy: split[0][i], violations: failoverViolations(stacks, opts).map((v) => v.message) }).toEqual({
      remedy: split[0][i],
      violations: [],
    });
    applied.push(split[0][i]);
  }
  return applied;
}

describe('failover time counts only detectors that can move the clients', () => {
  it('control: the default example keeps its 90 s figure on every path', () => {
    const report = analyzeRouting(editableStacks(base));
    expect(report.violations).toEqual([]);
    expect([...new Set(report.failoverPaths.map((p) => p.seconds))]).toEqual([90]);
  });

  it(
    't6: a fast check on a one-record set under an alias without evaluate_target_health is not credited; the ' +
      'slow check above is (360 s)',
    () => {
      const v = failoverViolations(slowAboveFastBelow());
      expect(v).toHaveLength(3);
      for (const x of v) {
        expect(x.message).toMatch(/after up to 360 s, over the budget slo.failoverSeconds = 180 s/);
        expect(x.message).toMatch(
          regex(
            /aws_route53_health_check.Slow_\w+ \(HTTPS [\w.-]+: request_interval 30 s × failure_threshold 10 = /,
            /300 s\) \+ TTL 60 s \(alias to an ALB\) = 360 s/,
          ),
        );
      }
      const applied = expectEveryRemedyFixes(slowAboveFastBelow);
      expect(applied[0]).toMatch(
        regex(
          /^set request_interval 30 and failure_threshold 4 on aws_route53_health_check.Slow_\w+ \(30 s × 4 \+ /,
          /60 s TTL = 180 s/,
        ),
      );
    },
  );

  it(
    't5: with no check on the latency records nothing moves the clients: never, with the reason, and remedies ' +
      'that work',
    () => {
      const v = failoverViolations(checkBelow());
      expect(v).toHaveLength(3);
      for (const x of v) {
        expect(x.message).toMatch(/after up to never/);
        expect(x.message).toMatch(
          regex(
            /on aws_route53_record.Service_RegionalRecord-[\w-]+ sees [\w-]+ fail but cannot move anyone: its /,
            /set [\w.-]+ A gives its clients no other record once it is unhealthy/,
          ),
        );
        expect(x.message).toMatch(
          regex(
            /aws_route53_record.Service_Route53Routing_Latency-root-[\w-]+ aliases [\w.-]+ with /,
            /evaluate_target_health false/,
          ),
        );
      }
      const applied = expectEveryRemedyFixes(checkBelow);
      expect(applied).toHaveLength(2);
      expect(applied[0]).toMatch(
        regex(
          /^set evaluate_target_health: true on aws_route53_record.Service_Route53Routing_Latency-root-\S+, so /,
          /.* = 90 s\)$/,
        ),
      );
      expect(applied[1]).toMatch(
        /^give aws_route53_record.Service_Route53Routing_Latency-root-\S+ its own health check/,
      );
    },
  );

  it('t5b: accepting outages (slo.survivesRegionFailure: false) does not make the stuck paths pass at 90 s', () => {
    const stacks = checkBelow();
    (
      (aws(stacks).json as unknown as Record<string, unknown>)['//'] as { global_inference: Record<string, unknown> }
    ).global_inference.survivesRegionFailure = false;
    const report = analyzeRouting(stacks);
    expect(report.violations.map((x) => x.proof)).toEqual(['failover-time', 'failover-time', 'failover-time']);
    expect(report.failoverPaths).toAllSatisfy((p) => p.seconds === Number.POSITIVE_INFINITY);
  });

  it(
    'a check behind evaluate_target_health still counts (the library default: latency records with ETH to the ' +
      'ALB)',
    () => {
      const stacks = checkBelow();
      for (const region of REGIONS) (latency(stacks, region).alias as Body).evaluate_target_health = true;
      const report = analyzeRouting(stacks);
      expect(report.violations).toEqual([]);
      expect([...new Set(report.failoverPaths.map((p) => p.seconds))]).toEqual([90]);
    },
  );

  it('a CALCULATED check that needs two children to fail: the remedy names both, and applied, passes', () => {
    const make = () => {
      const stacks = editableStacks(base);
      const checks = resources(stacks, 'aws_route53_health_check');
      for (const region of REGIONS) {
        const k = region.replace(/-/g, '_');
        checks[`A_${k}`] = {
          type: 'HTTPS',
          fqdn: `${region}.inference.example.com`,
          port: 443,
          request_interval: 30,
          failure_threshold: 5,
        };
        checks[`B_${k}`] = {
          type: 'HTTPS',
          fqdn: `${region}.inference.example.com`,
          port: 443,
          request_interval: 30,
          failure_threshold: 10,
        };
        checks[`Calc_${k}`] = {
          type: 'CALCULATED',
          child_healthchecks: [`\${aws_route53_health_check.A_${k}.id}`, `\${aws_route53_health_check.B_${k}.id}`],
          child_health_threshold: 1,
        };
        latency(stacks, region).health_check_id = `\${aws_route53_health_check.Calc_${k}.id}`;
      }
      return stacks;
    };
    const [v] = failoverViolations(make());
    expect(v.message).toMatch(/after up to 360 s/);
    const applied = expectEveryRemedyFixes(make);
    expect(applied[0]).toMatch(
      regex(
        /^set request_interval 30 and failure_threshold 4 on aws_route53_health_check.B_\w+ and /,
        /aws_route53_health_check.A_\w+ /,
      ),
    );
  });
});

describe('failover-time remedies for a record TTL on the path', () => {
  it('t8c: a 3600 s CNAME TTL names the record and the largest TTL that meets the budget (not "cannot be met")', () => {
    const v = failoverViolations(cnameTtl(3600));
    expect(v).toHaveLength(3);
    for (const x of v) {
      expect(x.remedy).toMatch(
        regex(
          /^lower the TTL of aws_route53_record.Service_Route53Routing_Latency-root-[\w-]+ \(ttl 3600\) to 150 /,
          /s or less \(30 s detection \+ 150 s TTL = 180 s\)$/,
        ),
      );
      expect(x.remedy).not.toMatch(/cannot be met/);
    }
    expectEveryRemedyFixes(() => cnameTtl(3600));
    // Lowered to 60 s: the 90 s the library's own records give.
    expect([...new Set(analyzeRouting(cnameTtl(60)).failoverPaths.map((p) => p.seconds))]).toEqual([90]);
  });

  it('a TTL and a slow check that only together can meet the budget: one remedy sets both, and it passes', () => {
    const make = () => {
      const stacks = cnameTtl(3600);
      for (const [, hc] of resourcesLike(aws(stacks), 'aws_route53_health_check', '_Readiness'))
        Object.assign(hc, { request_interval: 30, failure_threshold: 10 });
      return stacks;
    };
    const [v] = failoverViolations(make());
    expect(v.remedy).toMatch(/and lower the TTL of aws_route53_record\.\S+ \(ttl 3600\) to 80 s or less/);
    expectEveryRemedyFixes(make);
  });

  it('a budget below the 60 s ALB alias TTL + 10 s is "cannot be met", whatever the record TTLs', () => {
    const v = failoverViolations(cnameTtl(3600), { sloFailoverSeconds: 65 });
    for (const x of v)
      expect(x.remedy).toMatch(
        regex(
          /^the budget cannot be met by Route53 DNS failover on this path: the fastest health check /,
          /\(request_interval 10 s × failure_threshold 1\) plus the 60 s TTL is 70 s, over 65 s/,
        ),
      );
  });

  it('a 120 s budget: lowering the TTL to 90 s is printed and enough', () => {
    expectEveryRemedyFixes(() => cnameTtl(3600), { sloFailoverSeconds: 120 });
    expect(failoverViolations(cnameTtl(3600), { sloFailoverSeconds: 120 })[0].remedy).toMatch(/to 90 s or less/);
  });
});
