/*
 * Abuse protection at the edge (issue 16, Cloudflare side): the front door puts a Cloudflare rate limiting rule on
 * the load balancer's hostname by default, with thresholds from the spec checked against the zone's plan; only
 * `cloudflare.rateLimit: false` turns it off, and a service records that as a suppression with its reason.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, TerraformStack, TerraformVariable } from '../../lib/util/cdktf';
import { CloudflareFrontDoor } from '../../lib/cloudflare/cloudflare-front-door';
import { EdgeRateLimit, rulesLanguageString } from '../../lib/cloudflare/edge-rate-limit';
import { providerSchemaProblems } from '../../lib/cloudflare/provider-schema';
import { PLAN_RATE_LIMIT_LIMITS, rateLimitPeriods } from '../../lib/facts/provider-facts';
import { checkSynthOutput } from '../../lib/policy/engine';
import { hostsOfExpression } from '../../lib/policy/rules/cloudflare';
import { GlobalInferenceService } from '../../lib/service/global-inference-service';
import { CLOUDFLARE_PLANS } from '../../lib/spec/cloudflare-schema';
import { parseSpec } from '../../lib/spec/load';
import { minimalSpec } from '../support/specs';
import { errorOf, newStack, onlyResource, resourcesOf, specProblemsOf, synthJson } from '../support/synth';
import { cloudflareSpec, euUsEndpoints, ZONE_ID } from './fixtures';
import type { CloudflareSpecInput } from '../../lib/spec/cloudflare-schema';

function frontDoorJson(cloudflare: Partial<CloudflareSpecInput> = {}) {
  const { stack } = newStack();
  const frontDoor = new CloudflareFrontDoor(stack, 'FrontDoor', {
    endpoints: euUsEndpoints(),
    serviceName: 'chat',
    serviceDomain: 'inference.example.com',
    cloudflare: cloudflareSpec(cloudflare),
  });
  return { frontDoor, json: synthJson(stack) };
}

const rateLimitRulesets = (json: ReturnType<typeof synthJson>) =>
  resourcesOf(json, 'cloudflare_ruleset').filter(([, r]) => r.phase === 'http_ratelimit');

const serviceSpec = (cloudflare: Record<string, unknown> = {}) =>
  minimalSpec({
    frontDoor: 'cloudflare',
    cloudflare: { accountId: '0'.repeat(32), zoneId: '1'.repeat(32), plan: 'pro', steering: 'off', ...cloudflare },
  });

describe('the edge rate limit by default', () => {
  const { frontDoor, json } = frontDoorJson();
  const [[, ruleset]] = rateLimitRulesets(json);
  const [rule] = ruleset.rules as Record<string, unknown>[];

  test("the zone's http_ratelimit ruleset: one blocking rule on the load balancer's hostname, per IP and colo", () => {
    expect(ruleset).toMatchObject({ zone_id: ZONE_ID, kind: 'zone', phase: 'http_ratelimit' });
    expect(rule).toEqual({
      ref: 'inference_rate_limit',
      description: 'At most 200 requests per 60 s per client IP',
      expression: '(http.host eq "inference.example.com")',
      action: 'block',
      // cf.colo.id is mandatory: Cloudflare counts per data center.
      ratelimit: {
        characteristics: ['cf.colo.id', 'ip.src'],
        period: 60,
        requests_per_period: 200,
        mitigation_timeout: 300,
      },
      enabled: true,
    });
    expect(frontDoor.rateLimit?.settings).toEqual({
      requestsPerPeriod: 200,
      periodSeconds: 60,
      mitigationTimeoutSeconds: 300,
    });
  });

  test('the defaults are values every plan offers, and the ruleset is one the 5.14 schema defines', () => {
    for (const plan of CLOUDFLARE_PLANS) {
      expect(rateLimitPeriods(plan)).toContain(60);
      expect(PLAN_RATE_LIMIT_LIMITS[plan].maxMitigationTimeoutSeconds).toBeGreaterThanOrEqual(300);
    }
    expect(providerSchemaProblems('cloudflare_ruleset', ruleset)).toEqual([]);
  });

  test('the policy pack finds the hostname covered (GI-CF-003)', () => {
    expect(hostsOfExpression(rule.expression as string)).toEqual(['inference.example.com']);
  });

  test('cloudflare.hostname, when given, is the hostname limited; the spec thresholds are used', () => {
    const custom = frontDoorJson({
      hostname: 'api.example.com',
      rateLimit: { requestsPerPeriod: 50, periodSeconds: 10, mitigationTimeoutSeconds: 3600 },
    }).json;
    const [[, r]] = rateLimitRulesets(custom);
    expect((r.rules as Record<string, unknown>[])[0]).toMatchObject({
      expression: '(http.host eq "api.example.com")',
      ratelimit: { period: 10, requests_per_period: 50, mitigation_timeout: 3600 },
    });
  });
});

describe("the zone's plan decides the periods and timeouts", () => {
  const problems = (plan: string, rateLimit: Record<string, unknown>) =>
    specProblemsOf(() => parseSpec(serviceSpec({ plan, rateLimit })));

  test('a period or timeout the plan does not offer is refused, with the values it offers', () => {
    expect(problems('pro', { periodSeconds: 600, mitigationTimeoutSeconds: 86400 })).toEqual([
      'cloudflare.rateLimit.periodSeconds: must be a counting period the pro plan offers (up to 60 s) and every ' +
        'provider version accepts: 10, 60, got: 600',
      'cloudflare.rateLimit.mitigationTimeoutSeconds: must be a mitigation timeout the pro plan offers (up to ' +
        '3600 s): 10, 15, 20, 30, 40, 45, 60, 90, 120, 180, 240, 300, 480, 600, 900, 1200, 1800, 2400, 3600, ' +
        'got: 86400',
    ]);
    // Not a supported value at all, on any plan.
    expect(problems('enterprise', { periodSeconds: 100 })).toEqual([
      expect.stringMatching(/^cloudflare\.rateLimit\.periodSeconds: must be a counting period the enterprise plan/),
    ]);
    expect(problems('enterprise', { periodSeconds: 7, mitigationTimeoutSeconds: 90000 })).toEqual([
      expect.stringMatching(/^cloudflare\.rateLimit\.periodSeconds: must be ≥ 10 \(the shortest counting period/),
      expect.stringMatching(/^cloudflare\.rateLimit\.mitigationTimeoutSeconds: must be ≤ 86400 \(one day/),
    ]);
    expect(problems('business', { periodSeconds: 3600 })).toEqual([
      expect.stringMatching(/periodSeconds: must be a counting period the business plan offers \(up to 600 s\)/),
    ]);
  });

  test('what the plan offers is accepted', () => {
    const accepted = (plan: string, rateLimit: Record<string, unknown>) =>
      parseSpec(serviceSpec({ plan, rateLimit })).cloudflare?.rateLimit;
    expect(accepted('business', { periodSeconds: 600, mitigationTimeoutSeconds: 86400 })).toMatchObject({
      periodSeconds: 600,
    });
    expect(accepted('enterprise', { periodSeconds: 3600, mitigationTimeoutSeconds: 86400 })).toMatchObject({
      periodSeconds: 3600,
    });
    expect(accepted('pro', { periodSeconds: 60, mitigationTimeoutSeconds: 3600 })).toEqual({
      requestsPerPeriod: 200,
      periodSeconds: 60,
      mitigationTimeoutSeconds: 3600,
    });
  });

  test('a malformed value: the branch of the union it was meant for reports it; neither false nor settings', () => {
    expect(problems('pro', { requestsPerPeriod: 0, extra: 1 })).toEqual([
      expect.stringMatching(/^cloudflare\.rateLimit\.requestsPerPeriod: must be ≥ 1/),
      'cloudflare.rateLimit.extra: is not a known key',
    ]);
    expect(specProblemsOf(() => parseSpec(serviceSpec({ rateLimit: true })))).toEqual([
      expect.stringMatching(/^cloudflare\.rateLimit: must be false \(no edge rate limit\) or its settings/),
    ]);
  });

  test('the construct on its own runs the same checks, every problem at once', () => {
    const { stack } = newStack();
    expect(
      errorOf(
        () =>
          new EdgeRateLimit(stack, 'RateLimit', {
            zoneId: 'not-a-zone',
            plan: 'pro',
            hostnames: ['inference.example.com'],
            periodSeconds: 120,
            mitigationTimeoutSeconds: 7200,
          }),
      ),
    ).toMatch(
      new RegExp(
        'zoneId: must be a Cloudflare zone id[\\s\\S]*periodSeconds: must be a counting period the pro plan ' +
          'offers[\\s\\S]*mitigationTimeoutSeconds: must be a mitigation timeout the pro plan offers',
      ),
    );
    expect(
      errorOf(() => new EdgeRateLimit(stack, 'NoHosts', { zoneId: ZONE_ID, plan: 'free' as 'pro', hostnames: [] })),
    ).toMatch(/plan: must be one of pro, business, enterprise[\s\S]*hostnames: must list at least one hostname/);
  });
});

describe('hostnames are data in the rule expression', () => {
  test('strings are quoted for the Rules language: a quote or backslash cannot end the string', () => {
    expect(rulesLanguageString('inference.example.com')).toBe('"inference.example.com"');
    expect(rulesLanguageString('a" or true or "b\\')).toBe('"a\\" or true or \\"b\\\\"');
    // Read back, it is one host, not an expression.
    expect(hostsOfExpression(`(http.host eq ${rulesLanguageString('a" or true or "b')})`)).toEqual([
      'a" or true or "b',
    ]);
  });

  test('and a hostile hostname never gets that far: hostnames are validated DNS names, known at synth time', () => {
    const { stack } = newStack();
    const hostile = 'inference.example.com") or (true';
    expect(
      errorOf(() => new EdgeRateLimit(stack, 'A', { zoneId: ZONE_ID, plan: 'pro', hostnames: [hostile] })),
    ).toMatch(/hostnames\[0\]: must be a lower-case DNS name/);
    const variable = new TerraformVariable(stack, 'host', { type: 'string' });
    expect(
      errorOf(() => new EdgeRateLimit(stack, 'B', { zoneId: ZONE_ID, plan: 'pro', hostnames: [variable.stringValue] })),
    ).toMatch(/hostnames\[0\]: must be a literal hostname known at synth time/);
    expect(specProblemsOf(() => parseSpec(serviceSpec({ hostname: hostile })))).toEqual([
      expect.stringMatching(/^cloudflare\.hostname: must be a lower-case DNS name/),
    ]);
  });
});

describe('opting out', () => {
  test('rateLimit: false leaves the ruleset out', () => {
    const { frontDoor, json } = frontDoorJson({ rateLimit: false });
    expect(frontDoor.rateLimit).toBeUndefined();
    expect(rateLimitRulesets(json)).toEqual([]);
    expect(onlyResource(json, 'cloudflare_load_balancer').proxied).toBe(true);
  });

  test('a service synthesizes; the policy report shows GI-CF-003 suppressed with the spec setting as reason', () => {
    const outdir = mkdtempSync(join(tmpdir(), 'gi-edge-opt-out-'));
    const app = new App({ outdir });
    const aws = new TerraformStack(app, 'chat-aws');
    const cf = new TerraformStack(app, 'chat-cloudflare');
    new GlobalInferenceService(aws, 'Service', { spec: serviceSpec({ rateLimit: false }), cloudflareStack: cf });
    // The gated synth runs the policy pack: it passes, and the written output says what was turned off and why.
    app.synth();
    const report = checkSynthOutput(outdir);
    const suppressed = report.stacks.flatMap((s) => s.findings).filter((f) => f.suppressed);
    expect(suppressed.map((f) => [f.ruleId, f.resource?.address, f.suppressed?.reason])).toContainEqual([
      'GI-CF-003',
      expect.stringMatching(/^cloudflare_load_balancer\./),
      'cloudflare.rateLimit: false in the spec',
    ]);
    expect(report.ok).toBe(true);
  });

  test('without the opt-out, the same service passes with nothing suppressed for GI-CF-003', () => {
    const outdir = mkdtempSync(join(tmpdir(), 'gi-edge-default-'));
    const app = new App({ outdir });
    const aws = new TerraformStack(app, 'chat-aws');
    const cf = new TerraformStack(app, 'chat-cloudflare');
    new GlobalInferenceService(aws, 'Service', { spec: serviceSpec(), cloudflareStack: cf });
    app.synth();
    const report = checkSynthOutput(outdir);
    expect(report.stacks.flatMap((s) => s.findings).filter((f) => f.ruleId === 'GI-CF-003')).toEqual([]);
    expect(report.ok).toBe(true);
  });
});
