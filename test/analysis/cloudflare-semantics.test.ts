import { analyzeRouting, type RoutingReport } from '../../lib/analysis/analyze';
import type { Answer, StackInput } from '../../lib/analysis/model';
import { DOMAIN, StackBuilder, intent, key } from './fixtures';
import { regex } from '../support/regex';

const REGIONS = ['us-east-1', 'eu-west-1', 'eu-central-1'];
const pool = (region: string) => `\${cloudflare_load_balancer_pool.Pool_${key(region)}.id}`;

interface LbOptions {
  readonly lb?: Record<string, unknown>;
  readonly noMonitor?: string[];
  readonly residency?: Record<string, { countries?: string[]; continents?: string[] }>;
}

/** An AWS stack (ALBs, regional names, intent: Cloudflare front door) and a Cloudflare stack. */
function stacks(options: LbOptions = {}): StackInput[] {
  const aws = new StackBuilder('chat-aws');
  for (const r of REGIONS) aws.region(r);
  aws.withIntent(
    intent(
      { 'us-east-1': 'us', 'eu-west-1': 'eu', 'eu-central-1': 'eu' },
      options.residency ?? { eu: { countries: ['DE', 'FR'] } },
      { frontDoor: 'cloudflare', sloFailoverSeconds: 60 },
    ),
  );
  const cf = new StackBuilder('chat-cloudflare');
  delete cf.resource.aws_route53_zone;
  cf.add('cloudflare_load_balancer_monitor', 'Mon', {
    type: 'https',
    path: '/health',
    interval: 10,
    timeout: 4,
    retries: 1,
    consecutive_down: 2,
  });
  for (const r of REGIONS) {
    cf.add('cloudflare_load_balancer_pool', `Pool_${key(r)}`, {
      name: `chat-${r}`,
      ...(options.noMonitor?.includes(r) ? {} : { monitor: '${cloudflare_load_balancer_monitor.Mon.id}' }),
      minimum_origins: 1,
      check_regions: [r.startsWith('eu') ? 'WEU' : 'ENAM'],
      origins: [{ name: r, address: `${r}.${DOMAIN}`, enabled: true, weight: 1 }],
    });
  }
  cf.add('cloudflare_load_balancer', 'Lb', {
    name: DOMAIN,
    proxied: true,
    steering_policy: 'geo',
    default_pools: [pool('us-east-1'), pool('eu-west-1'), pool('eu-central-1')],
    fallback_pool: pool('eu-west-1'),
    country_pools: { DE: [pool('eu-central-1'), pool('eu-west-1')], FR: [pool('eu-west-1'), pool('eu-central-1')] },
    region_pools: {
      WEU: [pool('eu-west-1'), pool('eu-central-1'), pool('us-east-1')],
      ENAM: [pool('us-east-1'), pool('eu-west-1')],
    },
    adaptive_routing: { failover_across_pools: false },
    ...options.lb,
  });
  const built = cf.build();
  return [aws.build(), { name: built.name, json: { resource: built.json.resource } }];
}

const FD = 'cloudflare:cloudflare_load_balancer.Lb';

function answer(report: RoutingReport, client: string, scenario: string): Answer {
  const a = report.answer(FD, client, scenario);
  if (!a)
    throw new Error(`no answer for ${client} in ${scenario}; clients: ${report.clients.map((c) => c.id).join(', ')}`);
  return a;
}

function lands(a: Answer): string[] {
  return a.landings.filter((l) => !l.possible && l.share > 0).map((l) => l.region ?? l.endpoint);
}

function possible(a: Answer): string[] {
  return a.landings.filter((l) => l.possible).map((l) => `${l.region}: ${l.possible}`);
}

describe('Cloudflare steering', () => {
  it(
    'picks country_pools, else region_pools of the client’s Cloudflare region, else default_pools, first healthy ' +
      'pool first',
    () => {
      const report = analyzeRouting(stacks());
      expect(report.graph.frontDoors.map((f) => f.id)).toEqual([FD]);
      expect(lands(answer(report, 'eu:DE', 'normal'))).toEqual(['eu-central-1']);
      expect(lands(answer(report, 'eu:FR', 'normal'))).toEqual(['eu-west-1']);
      expect(lands(answer(report, 'rest:EU@WEU', 'normal'))).toEqual(['eu-west-1']);
      expect(lands(answer(report, 'rest:NA@ENAM', 'normal'))).toEqual(['us-east-1']);
      // OC is not mapped: default_pools, in order.
      expect(lands(answer(report, 'rest:OC@OC', 'normal'))).toEqual(['us-east-1']);
      expect(lands(answer(report, 'eu:DE', 'eu-central-1'))).toEqual(['eu-west-1']);
    },
  );

  it('uses the fallback pool, healthy or not, when no pool of the list is healthy', () => {
    const report = analyzeRouting(stacks());
    const a = answer(report, 'eu:DE', 'eu-central-1+eu-west-1');
    expect(lands(a)).toEqual(['eu-west-1']);
    expect(a.landings[0].up).toBe(false);
    expect(a.landings[0].path.at(-1)?.note).toMatch(/fallback_pool/);
    expect(a.notes.join(' ')).toMatch(/Cloudflare uses the fallback pool/);
  });

  it('rejects a fallback pool outside the jurisdiction, naming the pool and the scenario', () => {
    const report = analyzeRouting(stacks({ lb: { fallback_pool: pool('us-east-1') } }));
    const residency = report.proofs.find((p) => p.name === 'residency')!;
    expect(residency.passed).toBe(false);
    const v = residency.violations.find((x) => x.message.includes('fallback_pool'))!;
    expect(v.message).toMatch(
      regex(
        /Cloudflare inference.example.com sends client groups "eu: DE, eu: FR" \(jurisdiction eu\) to /,
        /us-east-1 \(jurisdiction us\) in scenario "eu-central-1 \+ eu-west-1 down"/,
      ),
    );
    expect(v.resources).toEqual(
      expect.arrayContaining(['cloudflare_load_balancer.Lb', 'cloudflare_load_balancer_pool.Pool_us_east_1']),
    );
  });

  it('counts pools reached by adaptive routing (failover across pools) as possible landings for residency', () => {
    const ok = analyzeRouting(stacks({ lb: { adaptive_routing: { failover_across_pools: true } } }));
    expect(possible(answer(ok, 'eu:DE', 'normal'))).toEqual(['eu-west-1: adaptive routing (failover_across_pools)']);
    expect(ok.proofs.find((p) => p.name === 'residency')!.passed).toBe(true);

    // FR without a country mapping is steered by region_pools[WEU], which ends with a US pool.
    const leaky = analyzeRouting(
      stacks({
        lb: {
          adaptive_routing: { failover_across_pools: true },
          country_pools: { DE: [pool('eu-central-1'), pool('eu-west-1')] },
        },
      }),
    );
    const v = leaky.violations.filter((x) => x.proof === 'residency');
    expect(v.map((x) => x.clientGroups)).toEqual([['eu: FR'], ['eu: FR']]);
    expect(v[0].message).toMatch(
      regex(
        /sends client group "eu: FR" .* to us-east-1 .* in scenario "normal operation" as a possible landing /,
        /via adaptive routing \(failover_across_pools\)/,
      ),
    );
    expect(v[0].message).toContain('region_pools[WEU]');
    // And once both EU pools are down, region_pools[WEU] itself answers with the US pool.
    expect(v[1].message).toMatch(
      /in scenario "eu-central-1 \+ eu-west-1 down" as the answer;.*first healthy pool of the list/,
    );
  });

  it('counts a rule override as a possible landing and names the rule', () => {
    const report = analyzeRouting(
      stacks({
        lb: {
          rules: [
            {
              name: 'pin-us',
              condition: 'http.request.headers["x-pin"][0] eq "us"',
              priority: 1,
              overrides: {
                steering_policy: 'off',
                default_pools: [pool('us-east-1')],
                fallback_pool: pool('us-east-1'),
              },
            },
          ],
        },
      }),
    );
    const v = report.violations.filter((x) => x.proof === 'residency');
    expect(v.length).toBeGreaterThan(0);
    expect(v[0].message).toMatch(
      /as a possible landing via rule override "pin-us" \(http.request.headers\["x-pin"\]\[0\] eq "us"\)/,
    );
  });

  it('considers a pool without a monitor healthy, so its failed region keeps traffic (availability fails)', () => {
    const report = analyzeRouting(stacks({ noMonitor: ['eu-central-1'] }));
    const a = answer(report, 'eu:DE', 'eu-central-1');
    expect(lands(a)).toEqual(['eu-central-1']);
    expect(a.landings[0].up).toBe(false);
    const availability = report.violations.filter((x) => x.proof === 'availability');
    expect(availability[0].message).toMatch(
      /scenario "eu-central-1 down", Cloudflare inference.example.com gives client group "eu: DE" no healthy region/,
    );
    const failover = report.violations.filter((x) => x.proof === 'failover-time');
    expect(failover[0].message).toMatch(
      /after up to never, .*cloudflare_load_balancer_pool.Pool_eu_central_1 has no monitor/,
    );
  });

  it('computes failover time from the monitor (plus the TTL when DNS-only) and probe load from check regions', () => {
    const proxied = analyzeRouting(stacks());
    const times = [...new Set(proxied.failoverPaths.map((p) => p.seconds))];
    expect(times).toEqual([28]); // 10 s × 2 + 4 s × (1 + 1)
    const dnsOnly = analyzeRouting(stacks({ lb: { proxied: false, ttl: 30 } }));
    expect([...new Set(dnsOnly.failoverPaths.map((p) => p.seconds))]).toEqual([58]);
    const load = proxied.probeLoad.find((l) => l.origin === `eu-west-1.${DOMAIN}`)!;
    // Route53 readiness check (3 regions × 2 checkers / 10 s) + Cloudflare monitor (1 region × 3 data centers / 10 s).
    expect(load.requestsPerSecond).toBeCloseTo(0.9);
    expect(load.sources.map((s) => s.resource).sort()).toEqual([
      'aws_route53_health_check.Hc_eu_west_1',
      'cloudflare_load_balancer_pool.Pool_eu_west_1',
    ]);
  });

  it('rejects a monitor too slow for the SLO, naming the monitor', () => {
    const report = analyzeRouting(stacks({ lb: {} }).map((s) => (s.name === 'chat-cloudflare' ? slowMonitor(s) : s)));
    const v = report.violations.filter((x) => x.proof === 'failover-time');
    expect(v.length).toBeGreaterThan(0);
    expect(v[0].message).toMatch(
      regex(
        /over the budget slo.failoverSeconds = 60 s: cloudflare_load_balancer_monitor.Mon: interval 60 s × /,
        /consecutive_down 3/,
      ),
    );
  });
});

function slowMonitor(stack: StackInput): StackInput {
  const json = JSON.parse(JSON.stringify(stack.json)) as {
    resource: Record<string, Record<string, Record<string, unknown>>>;
  };
  Object.assign(json.resource.cloudflare_load_balancer_monitor.Mon, { interval: 60, consecutive_down: 3 });
  return { name: stack.name, json };
}
