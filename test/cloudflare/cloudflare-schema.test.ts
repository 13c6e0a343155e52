import { z } from 'zod';
import { CloudflareSchema, cloudflareCrossChecks, type CloudflareSpecInput } from '../../lib/spec/cloudflare-schema';
import { formatPath } from '../../lib/spec/errors';
import { cloudflareSpec } from './fixtures';

/** `path: message` of every issue the schema reports. */
function issues(input: CloudflareSpecInput): string[] {
  const result = CloudflareSchema.safeParse(input);
  return result.success ? [] : result.error.issues.map((i) => `${formatPath(i.path)}: ${i.message}`);
}

function crossIssues(spec: Record<string, unknown>): string[] {
  const result = z
    .any()
    .superRefine((value, ctx) => cloudflareCrossChecks(value, ctx))
    .safeParse(spec);
  return result.success ? [] : result.error.issues.map((i) => `${formatPath(i.path)}: ${i.message}`);
}

const regions = [
  { region: 'us-east-1', jurisdiction: 'us' },
  { region: 'eu-west-1', jurisdiction: 'eu' },
  { region: 'eu-central-1', jurisdiction: 'eu' },
];

describe('Cloudflare spec block', () => {
  test('defaults are the safe ones: proxied, adaptive routing, strict TLS, a drain for streams, variable name', () => {
    const cf = CloudflareSchema.parse(cloudflareSpec());
    expect(cf).toMatchObject({
      proxied: true,
      trafficSteering: false,
      failoverAcrossPools: true,
      enforceStrictOriginTls: true,
      originSecretVariable: 'origin_auth_secret',
      minimumOrigins: 1,
      sessionAffinity: { drainSeconds: 300 },
      monitor: { timeoutSeconds: 4, retries: 1, consecutiveDown: 2, consecutiveUp: 2, followRedirects: false },
    });
    // Defaults that depend on the plan or on residency stay unset here and are filled in by the constructs.
    expect(cf.monitor.intervalSeconds).toBeUndefined();
    expect(cf.steering).toBeUndefined();
    expect(cf.sessionAffinity.type).toBeUndefined();
  });

  test.each([
    ['pro', 59, 60],
    ['business', 14, 15],
    ['enterprise', 9, 10],
  ] as const)('fails when the monitor interval is below the %s minimum', (plan, interval, minimum) => {
    const found = issues(
      cloudflareSpec({
        plan,
        trafficSteering: true,
        monitor: { intervalSeconds: interval, timeoutSeconds: 2, retries: 0 },
      }),
    );
    expect(found.some((m) => m.startsWith('monitor.intervalSeconds:'))).toBe(true);
    if (plan !== 'enterprise') {
      expect(found).toContain(
        `monitor.intervalSeconds: must be ≥ ${minimum} on the ${plan} plan (Cloudflare minimum monitor ` +
          'interval: pro 60 s, business 15 s, enterprise 10 s)',
      );
    }
    expect(
      issues(
        cloudflareSpec({
          plan,
          trafficSteering: true,
          monitor: { intervalSeconds: minimum, timeoutSeconds: 2, retries: 0 },
        }),
      ),
    ).toEqual([]);
  });

  test('fails when a probe with its retries does not fit in one interval', () => {
    expect(issues(cloudflareSpec({ monitor: { intervalSeconds: 10, timeoutSeconds: 5, retries: 1 } }))).toEqual([
      'monitor.timeoutSeconds: × (retries + 1) = 10 s must be shorter than the interval (10 s), or a slow ' +
        'probe overlaps the next one; lower timeoutSeconds or retries',
    ]);
  });

  test('fails when the default steering needs the traffic steering add-on the account does not have', () => {
    expect(issues(cloudflareSpec({ plan: 'pro' }))).toEqual([
      'steering: the default steering (dynamic_latency, or geo when residency applies) needs the Enterprise ' +
        'plan or the Load Balancing traffic steering add-on (plan is pro); set trafficSteering: true if the ' +
        'account has the add-on, or steering: off (failover order) or random',
    ]);
    expect(issues(cloudflareSpec({ plan: 'pro', trafficSteering: true }))).toEqual([]);
    expect(issues(cloudflareSpec({ plan: 'pro', steering: 'random' }))).toEqual([]);
    expect(issues(cloudflareSpec({ plan: 'business', steering: 'proximity' }))[0]).toMatch(
      /^steering: proximity steering needs the Enterprise plan/,
    );
  });

  test('fails when Enterprise-only features are used on other plans, saying why', () => {
    const found = issues(
      cloudflareSpec({
        plan: 'business',
        trafficSteering: true,
        originSteering: 'least_outstanding_requests',
        sessionAffinity: { type: 'header', headers: ['X-Session-Id', 'Authorization'] },
        debugPin: { regions: ['us-east-1', 'eu-west-1'] },
      }),
    );
    expect(found).toEqual([
      'originSteering: least_outstanding_requests origin steering is sold on the Enterprise plan only (plan is ' +
        'business); use random or upgrade the zone',
      'sessionAffinity.headers: may list at most 1 header on the business plan (Cloudflare allows 5 on ' +
        'Enterprise, 1 otherwise)',
      'debugPin.regions: needs one load balancing rule per region (2), but non-Enterprise zones get 1 rule per ' +
        'hostname; list one region or upgrade to Enterprise',
    ]);
    expect(
      issues(
        cloudflareSpec({
          originSteering: 'least_outstanding_requests',
          sessionAffinity: { type: 'header', headers: ['X-Session-Id', 'Authorization'] },
          debugPin: { regions: ['us-east-1', 'eu-west-1'] },
        }),
      ),
    ).toEqual([]);
  });

  test('fails when session affinity settings do not fit its type', () => {
    expect(issues(cloudflareSpec({ sessionAffinity: { type: 'header' } }))).toEqual([
      'sessionAffinity.headers: is required for header affinity: name the header(s) that identify a session, ' +
        'such as X-Session-Id',
    ]);
    expect(
      issues(
        cloudflareSpec({
          sessionAffinity: { type: 'header', headers: ['X-Session-Id'], zeroDowntimeFailover: 'sticky' },
        }),
      ),
    ).toEqual([
      'sessionAffinity.zeroDowntimeFailover: sticky is not supported with header affinity (Cloudflare cannot ' +
        're-pin a header); use temporary',
    ]);
    expect(issues(cloudflareSpec({ sessionAffinity: { type: 'cookie', ttlSeconds: 60 } }))).toEqual([
      'sessionAffinity.ttlSeconds: must be between 1800 and 604800 for cookie affinity (Cloudflare limit)',
    ]);
    expect(issues(cloudflareSpec({ sessionAffinity: { type: 'cookie', headers: ['X-Session-Id'] } }))[0]).toMatch(
      /^sessionAffinity.headers: only apply to type header/,
    );
  });

  test('fails when pool weights are given without weighted steering', () => {
    expect(issues(cloudflareSpec({ poolWeights: { 'eu-west-1': 0.1 } }))[0]).toMatch(
      /^poolWeights: only apply to steering random or least_outstanding_requests/,
    );
    expect(issues(cloudflareSpec({ steering: 'random', poolWeights: { 'eu-west-1': 0.1 } }))).toEqual([]);
    expect(issues(cloudflareSpec({ steering: 'random', poolWeights: { 'eu-west-1': 2 } }))).toEqual([
      'poolWeights["eu-west-1"]: must be ≤ 1 (Cloudflare pool weights are 0-1)',
    ]);
  });

  describe('checks against the rest of the spec', () => {
    test('fails when residency is declared but steering is not geo', () => {
      expect(
        crossIssues({ regions, residency: { eu: {} }, cloudflare: cloudflareSpec({ steering: 'dynamic_latency' }) }),
      ).toEqual([
        'cloudflare.steering: must be geo when residency applies (eu): only geo steering consults the country ' +
          'and region pools that keep clients in their jurisdiction; remove steering (non-residency clients then ' +
          'get the nearest region first) or remove residency',
      ]);
    });

    test('fails when the fallback region is outside the residency jurisdiction', () => {
      expect(
        crossIssues({ regions, residency: { eu: {} }, cloudflare: cloudflareSpec({ fallback: 'us-east-1' }) }),
      ).toEqual([
        "cloudflare.fallback: is outside jurisdiction 'eu': Cloudflare sends a client to the single fallback " +
          'pool when every pool of its list is unhealthy, so eu clients would leave their jurisdiction. Use a ' +
          "region of 'eu' or 'fail-closed'",
      ]);
      expect(
        crossIssues({ regions, residency: { eu: {} }, cloudflare: cloudflareSpec({ fallback: 'eu-central-1' }) }),
      ).toEqual([]);
    });

    test('fails when two residency jurisdictions are given one region as fallback', () => {
      const found = crossIssues({
        regions,
        residency: { eu: {}, us: {} },
        cloudflare: cloudflareSpec({ fallback: 'eu-west-1' }),
      });
      expect(found).toEqual([
        "cloudflare.fallback: is outside jurisdiction 'us': Cloudflare sends a client to the single fallback " +
          'pool when every pool of its list is unhealthy, so us clients would leave their jurisdiction. With ' +
          "several residency jurisdictions no region can be the fallback; use 'fail-closed'",
      ]);
      expect(
        crossIssues({
          regions,
          residency: { eu: {}, us: {} },
          cloudflare: cloudflareSpec({ fallback: 'fail-closed' }),
        }),
      ).toEqual([]);
    });

    test('fails when session affinity is asked for under residency, since a session outlives steering', () => {
      expect(
        crossIssues({
          regions,
          residency: { eu: {} },
          cloudflare: cloudflareSpec({ sessionAffinity: { type: 'cookie' } }),
        }),
      ).toEqual([
        'cloudflare.sessionAffinity.type: must be none when residency applies (eu): a session keeps its origin ' +
          'over steering, so a client that started one outside its jurisdiction (e.g. while travelling) would ' +
          'keep being served there; remove it or set type: none',
      ]);
      expect(crossIssues({ regions, residency: { eu: {} }, cloudflare: cloudflareSpec() })).toEqual([]);
    });

    test('leaves a residency jurisdiction without regions to the spec’s own check (no duplicate report)', () => {
      expect(crossIssues({ regions, residency: { ch: {} }, cloudflare: cloudflareSpec() })).toEqual([]);
    });

    test(
      'fails when names refer to regions the spec does not have, and when a debug pin is combined with residency ' +
        '(geo steering)',
      () => {
        const found = crossIssues({
          regions,
          residency: { eu: {} },
          cloudflare: cloudflareSpec({
            fallback: 'eu-west-3',
            steering: 'geo',
            poolWeights: { 'us-west-2': 1 },
            debugPin: { regions: ['eu-west-1'] },
          }),
        });
        expect(found).toEqual([
          "cloudflare.fallback: must be 'fail-closed' or a region of the load balancer (us-east-1, eu-west-1, " +
            'eu-central-1)',
          'cloudflare.poolWeights["us-west-2"]: must be a region of the load balancer (us-east-1, eu-west-1, ' +
            'eu-central-1)',
          'cloudflare.debugPin: cannot be used with geo steering (residency eu needs it): the pin is a ' +
            'load-balancing custom rule, and Cloudflare documents custom rules as incompatible with geo steering ' +
            "(they do not function as expected); remove debugPin and pin a request by calling the region's own " +
            'hostname (<region>.<origin domain>)',
        ]);
      },
    );
  });
});
