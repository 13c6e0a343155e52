import { CloudflareHealthMonitor } from '../../lib/cloudflare/health-monitor';
import { CloudflareRegionPool } from '../../lib/cloudflare/region-pool';
import { errorOf, newStack, onlyResource, synthJson } from '../support/synth';
import { ACCOUNT_ID, MONITOR_ID } from './fixtures';

describe('CloudflareHealthMonitor', () => {
  test('probes readiness over HTTPS with every attribute pinned, at the plan minimum by default', () => {
    const { stack } = newStack();
    const monitor = new CloudflareHealthMonitor(stack, 'Monitor', {
      accountId: ACCOUNT_ID,
      plan: 'business',
      path: '/v1/ready',
      expectedBody: 'ready',
    });
    const config = onlyResource(synthJson(stack), 'cloudflare_load_balancer_monitor');
    expect(config).toEqual({
      account_id: ACCOUNT_ID,
      description: 'HTTPS GET /v1/ready (model readiness)',
      type: 'https',
      method: 'GET',
      path: '/v1/ready',
      expected_codes: '200',
      expected_body: 'ready',
      follow_redirects: false,
      allow_insecure: false,
      interval: 15,
      timeout: 4,
      retries: 1,
      consecutive_down: 2,
      consecutive_up: 2,
    });
    // Neither port 0 (not a value the monitor schema defines; HTTPS uses 443) nor empty strings are sent.
    // 15 s x 2 failed probes + 4 s x 2 attempts of the last one.
    expect(monitor.detectionSeconds).toBe(38);
  });

  test.each([
    ['pro', 60, 128],
    ['business', 15, 38],
    ['enterprise', 10, 28],
  ] as const)('on %s the default interval is %i s and detection takes at most %i s', (plan, interval, detection) => {
    const { stack } = newStack();
    const monitor = new CloudflareHealthMonitor(stack, 'Monitor', { accountId: ACCOUNT_ID, plan });
    expect([monitor.intervalSeconds, monitor.detectionSeconds]).toEqual([interval, detection]);
  });

  test('fails when the interval is below the plan minimum', () => {
    const { stack } = newStack();
    expect(
      errorOf(
        () =>
          new CloudflareHealthMonitor(stack, 'Monitor', { accountId: ACCOUNT_ID, plan: 'pro', intervalSeconds: 30 }),
      ),
    ).toBe(
      "CloudflareHealthMonitor 'test/Monitor' is invalid (1 problem):\n  - intervalSeconds: must be ≥ 60 on " +
        'the pro plan (Cloudflare minimum monitor interval: pro 60 s, business 15 s, enterprise 10 s), got: 30',
    );
  });

  test('fails when the settings are out of range or inconsistent, reporting all of them', () => {
    const { stack } = newStack();
    const message = errorOf(
      () =>
        new CloudflareHealthMonitor(stack, 'Monitor', {
          accountId: ACCOUNT_ID,
          plan: 'enterprise',
          path: 'health',
          retries: 9,
          headers: { 'User-Agent': ['me'] },
        }),
    );
    expect(message).toContain('retries: must be ≤ 5, got: 9');
    expect(message).toContain("path: must be a URL path starting with '/', such as /health");
    const second = errorOf(
      () =>
        new CloudflareHealthMonitor(stack, 'Monitor2', {
          accountId: ACCOUNT_ID,
          plan: 'enterprise',
          path: 'health',
          timeoutSeconds: 6,
          headers: { 'User-Agent': ['me'] },
        }),
    );
    expect(second).toContain("path: must be a URL path starting with '/', such as /health");
    expect(second).toContain('timeoutSeconds: × (retries + 1) = 12 s must be shorter than the interval (10 s)');
    expect(second).toContain('headers.User-Agent: cannot be overridden');
  });
});

describe('CloudflareRegionPool', () => {
  test(
    'one origin: the regional hostname with its Host header, probed from the nearby Cloudflare region, with ' +
      'coordinates',
    () => {
      const { stack } = newStack();
      new CloudflareRegionPool(stack, 'Pool', {
        accountId: ACCOUNT_ID,
        region: 'eu-central-1',
        originAddress: 'eu-central-1.inference.example.com',
        monitorId: MONITOR_ID,
        plan: 'enterprise',
        namePrefix: 'chat',
        jurisdiction: 'eu',
      });
      expect(onlyResource(synthJson(stack), 'cloudflare_load_balancer_pool')).toEqual({
        account_id: ACCOUNT_ID,
        name: 'chat-eu-central-1',
        description: 'Europe (Frankfurt) (eu-central-1), jurisdiction eu',
        enabled: true,
        monitor: MONITOR_ID,
        minimum_origins: 1,
        check_regions: ['WEU'],
        latitude: 50.1,
        longitude: 8.7,
        origin_steering: { policy: 'least_outstanding_requests' },
        origins: [
          {
            name: 'eu-central-1',
            address: 'eu-central-1.inference.example.com',
            enabled: true,
            weight: 1,
            port: 0,
            header: { host: ['eu-central-1.inference.example.com'] },
          },
        ],
        load_shedding: { default_percent: 0, default_policy: 'random', session_percent: 0, session_policy: 'hash' },
        notification_filter: { origin: { disable: false }, pool: { disable: false } },
      });
    },
  );

  test(
    'below Enterprise origin steering defaults to random; origins ' + 'are listed by name (the order the API returns)',
    () => {
      const { stack } = newStack();
      const pool = new CloudflareRegionPool(stack, 'Pool', {
        accountId: ACCOUNT_ID,
        region: 'us-east-1',
        originAddress: 'us-east-1.inference.example.com',
        hostHeader: 'inference.example.com',
        additionalOrigins: [{ name: 'a-second-alb', address: 'alb2.us-east-1.inference.example.com', weight: 0.5 }],
        monitorId: MONITOR_ID,
        plan: 'pro',
        namePrefix: 'chat',
      });
      expect(pool.originSteering).toBe('random');
      const config = onlyResource(synthJson(stack), 'cloudflare_load_balancer_pool');
      expect(config.origins).toMatchObject([
        { name: 'a-second-alb', weight: 0.5, header: { host: ['alb2.us-east-1.inference.example.com'] } },
        { name: 'us-east-1', weight: 1, header: { host: ['inference.example.com'] } },
      ]);
      expect(config.check_regions).toEqual(['ENAM']);
    },
  );

  test(
    'fails when Enterprise-only origin steering is asked for on ' + 'another plan, or the pool could never be healthy',
    () => {
      const { stack } = newStack();
      const message = errorOf(
        () =>
          new CloudflareRegionPool(stack, 'Pool', {
            accountId: ACCOUNT_ID,
            region: 'eu-west-9',
            originAddress: 'not a host',
            monitorId: MONITOR_ID,
            plan: 'business',
            namePrefix: 'chat',
            originSteering: 'hash',
            minimumOrigins: 2,
            checkRegions: [],
          }),
      );
      expect(message).toContain('region: must be an AWS region code the library knows');
      expect(message).toContain(
        'originAddress: must be a public hostname such as eu-west-1.inference.example.com, or an IP address, ' +
          'got: "not a host"',
      );
      expect(message).toContain(
        'minimumOrigins: must be a whole number from 1 to the number of origins (1), or the pool can never be ' +
          'healthy, got: 2',
      );
      expect(message).toContain(
        'checkRegions: must list at least one region (an empty list means every data center, which is Enterprise ' +
          'only and multiplies probe load)',
      );
      expect(message).toContain(
        'originSteering: hash origin steering is sold on the Enterprise plan only (plan is business); use random ' +
          'or upgrade the zone',
      );
    },
  );
});
