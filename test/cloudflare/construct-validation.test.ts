import { CloudflareFrontDoor } from '../../lib/cloudflare/cloudflare-front-door';
import { FailClosedPool } from '../../lib/cloudflare/fail-closed-pool';
import { CloudflareHealthMonitor } from '../../lib/cloudflare/health-monitor';
import { CloudflareInferenceLoadBalancer } from '../../lib/cloudflare/inference-load-balancer';
import { CloudflareRegionPool } from '../../lib/cloudflare/region-pool';
import {
  CLOUDFLARE_DEFAULTS,
  CloudflareMonitorSchema,
  CloudflareSchema,
  defaultLockOrigin,
  type CloudflarePlan,
} from '../../lib/spec/cloudflare-schema';
import { SpecValidationError } from '../../lib/spec/errors';
import { errorOf, newStack, onlyResource, synthJson } from '../support/synth';
import { ACCOUNT_ID, MONITOR_ID, ZONE_ID, cloudflareSpec, endpoint, euUsEndpoints } from './fixtures';

/** The problems a construct reports, as `path` -> `received`. */
function problemsOf(build: () => unknown): Map<string, string | undefined> {
  try {
    build();
  } catch (error) {
    if (error instanceof SpecValidationError) return new Map(error.problems.map((p) => [p.path, p.received]));
    throw error;
  }
  throw new Error('expected a SpecValidationError');
}

function pool(stack: ReturnType<typeof newStack>['stack'], region: string, plan: CloudflarePlan = 'enterprise') {
  return new CloudflareRegionPool(stack, `Pool-${region}`, {
    accountId: ACCOUNT_ID,
    region,
    originAddress: `${region}.inference.example.com`,
    monitorId: MONITOR_ID,
    plan,
    namePrefix: 'chat',
  });
}

describe('Cloudflare constructs on their own validate like the spec', () => {
  test('a monitor refuses an unknown plan instead of synthesizing an interval of undefined', () => {
    const { stack } = newStack();
    const problems = problemsOf(
      () => new CloudflareHealthMonitor(stack, 'Monitor', { accountId: ACCOUNT_ID, plan: 'free' as CloudflarePlan }),
    );
    expect(problems.get('plan')).toBe('"free"');
  });

  test('a monitor reports a plan limit together with an out-of-range setting (not on the next run)', () => {
    const { stack } = newStack();
    const problems = problemsOf(
      () =>
        new CloudflareHealthMonitor(stack, 'Monitor', {
          accountId: 'not-an-id',
          plan: 'pro',
          intervalSeconds: 30,
          retries: 9,
          headers: { 'Bad Header': ['x'], 'X-Empty': [] },
        }),
    );
    expect([...problems.keys()].sort()).toEqual(
      ['accountId', 'headers["X-Empty"]', 'headers["Bad Header"]', 'intervalSeconds', 'retries'].sort(),
    );
    expect(problems.get('intervalSeconds')).toBe('30');
    expect(problems.get('retries')).toBe('9');
  });

  test('monitor settings must be literals (they set the failover budget)', () => {
    const { stack } = newStack();
    const { TerraformVariable } = require('cdktf') as typeof import('cdktf');
    const interval = new TerraformVariable(stack, 'interval', { type: 'number' }).numberValue;
    expect(
      errorOf(
        () =>
          new CloudflareHealthMonitor(stack, 'Monitor', {
            accountId: ACCOUNT_ID,
            plan: 'enterprise',
            intervalSeconds: interval,
          }),
      ),
    ).toContain('intervalSeconds: must be a literal value known at synth time');
  });

  test(
    'a pool refuses NaN weights, empty or duplicate origin names, ' + 'duplicate check regions, a bad plan and ids',
    () => {
      const { stack } = newStack();
      const problems = problemsOf(
        () =>
          new CloudflareRegionPool(stack, 'Pool', {
            accountId: ACCOUNT_ID,
            region: 'eu-west-1',
            originAddress: 'eu-west-1.inference.example.com',
            additionalOrigins: [
              { name: '', address: 'b.example.com', weight: Number.NaN },
              { name: 'eu-west-1', address: 'c.example.com' },
            ],
            checkRegions: ['WEU', 'WEU'],
            monitorId: 'monitor',
            plan: 'gold' as CloudflarePlan,
            namePrefix: 'chat',
          }),
      );
      expect([...problems.keys()].sort()).toEqual(
        [
          'additionalOrigins[0].name',
          'additionalOrigins[0].weight',
          'additionalOrigins[1].name',
          'checkRegions[1]',
          'monitorId',
          'plan',
        ].sort(),
      );
      expect(problems.get('additionalOrigins[0].weight')).toBe('NaN');
    },
  );

  test('a fail-closed pool checks its name prefix and an empty region list', () => {
    const { stack } = newStack();
    const problems = problemsOf(
      () =>
        new FailClosedPool(stack, 'FailClosed', {
          accountId: ACCOUNT_ID,
          namePrefix: 'chat service!',
          checkRegions: [],
        }),
    );
    expect([...problems.keys()].sort()).toEqual(['checkRegions', 'namePrefix']);
  });

  test('a load balancer reports affinity, debug pin, weights, plan and hostname problems in one run', () => {
    const { stack } = newStack();
    const pools = ['us-east-1', 'eu-west-1'].map((r) => pool(stack, r));
    const problems = problemsOf(
      () =>
        new CloudflareInferenceLoadBalancer(stack, 'LoadBalancer', {
          zoneId: ZONE_ID,
          hostname: 'Inference.Example.com',
          plan: 'enterprise',
          pools,
          steering: 'random',
          poolWeights: { 'us-east-1': Number.NaN },
          sessionAffinity: { type: 'sticky' as 'cookie' },
          debugPin: { header: 'bad header' },
        }),
    );
    expect([...problems.keys()].sort()).toEqual(
      ['debugPin.header', 'hostname', 'poolWeights["us-east-1"]', 'sessionAffinity.type'].sort(),
    );
  });

  test('a load balancer with an unknown plan gets a message, not a lookup of undefined', () => {
    const { stack } = newStack();
    const pools = [pool(stack, 'us-east-1')];
    expect(
      problemsOf(
        () =>
          new CloudflareInferenceLoadBalancer(stack, 'LoadBalancer', {
            zoneId: ZONE_ID,
            hostname: 'inference.example.com',
            plan: 'free' as CloudflarePlan,
            pools,
          }),
      ).get('plan'),
    ).toBe('"free"');
  });

  test('a front door reports the cloudflare block and its other props together, each under its prop path', () => {
    const { stack } = newStack();
    const problems = problemsOf(
      () =>
        new CloudflareFrontDoor(stack, 'FrontDoor', {
          endpoints: [endpoint('us-east-1'), endpoint('mars-north-1')],
          serviceName: 'Chat Service',
          serviceDomain: 'inference.example.com',
          originHostnames: { 'us-east-1': 'not a host' },
          cloudflare: cloudflareSpec({ accountId: 'x', plan: 'pro', monitor: { intervalSeconds: 5 } }),
        }),
    );
    expect([...problems.keys()].sort()).toEqual(
      [
        'cloudflare.accountId',
        'cloudflare.monitor.intervalSeconds',
        'cloudflare.monitor.timeoutSeconds',
        'cloudflare.steering',
        'endpoints[1].region',
        'originHostnames["us-east-1"]',
        'serviceName',
      ].sort(),
    );
    expect(problems.get('cloudflare.accountId')).toBe('"x"');
  });
});

describe('Cloudflare defaults are defined once', () => {
  test('the spec schema and a monitor used on its own fill in the same settings', () => {
    const spec = CloudflareMonitorSchema.parse({});
    const { stack } = newStack();
    const monitor = new CloudflareHealthMonitor(stack, 'Monitor', { accountId: ACCOUNT_ID, plan: 'business' });
    expect({
      timeout: monitor.timeoutSeconds,
      retries: monitor.retries,
      down: monitor.consecutiveDown,
      up: monitor.consecutiveUp,
    }).toEqual({
      timeout: spec.timeoutSeconds,
      retries: spec.retries,
      down: spec.consecutiveDown,
      up: spec.consecutiveUp,
    });
    expect(spec.timeoutSeconds).toBe(CLOUDFLARE_DEFAULTS.monitorTimeoutSeconds);
    const config = onlyResource(synthJson(stack), 'cloudflare_load_balancer_monitor');
    expect([config.path, config.expected_codes, config.follow_redirects]).toEqual([
      CLOUDFLARE_DEFAULTS.monitorPath,
      CLOUDFLARE_DEFAULTS.monitorExpectedCodes,
      CLOUDFLARE_DEFAULTS.monitorFollowRedirects,
    ]);
  });

  test('every default of the Cloudflare block comes from CLOUDFLARE_DEFAULTS', () => {
    const cf = CloudflareSchema.parse(cloudflareSpec());
    expect({
      proxied: cf.proxied,
      trafficSteering: cf.trafficSteering,
      minimumOrigins: cf.minimumOrigins,
      failoverAcrossPools: cf.failoverAcrossPools,
      enforce: cf.enforceStrictOriginTls,
      variable: cf.originSecretVariable,
      drain: cf.sessionAffinity.drainSeconds,
    }).toEqual({
      proxied: CLOUDFLARE_DEFAULTS.proxied,
      trafficSteering: CLOUDFLARE_DEFAULTS.trafficSteering,
      minimumOrigins: CLOUDFLARE_DEFAULTS.minimumOrigins,
      failoverAcrossPools: CLOUDFLARE_DEFAULTS.failoverAcrossPools,
      enforce: CLOUDFLARE_DEFAULTS.enforceStrictOriginTls,
      variable: CLOUDFLARE_DEFAULTS.originSecretVariable,
      drain: CLOUDFLARE_DEFAULTS.sessionDrainSeconds,
    });
  });

  test('origin lock: on for a Cloudflare-only front door (and the front door on its own), off with both', () => {
    expect([defaultLockOrigin('cloudflare'), defaultLockOrigin('both')]).toEqual([true, false]);
    const { stack } = newStack();
    const frontDoor = new CloudflareFrontDoor(stack, 'FrontDoor', {
      endpoints: euUsEndpoints(),
      serviceName: 'chat',
      serviceDomain: 'inference.example.com',
      cloudflare: cloudflareSpec(),
    });
    expect(frontDoor.originAuth !== undefined).toBe(defaultLockOrigin('cloudflare'));
  });
});
