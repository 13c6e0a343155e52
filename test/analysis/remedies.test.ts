/*
 * Every remedy a violation prints, followed, removes it (issue 17 item 3): each test reads the remedy, applies it
 * to the spec (or the synthesized JSON), synthesizes again and re-runs the proofs. Where the budget cannot be met on
 * the declared plan, the message says so and suggests no impossible setting.
 */
import { App } from '../../lib/util/cdktf';
import { analyzeRouting } from '../../lib/analysis/analyze';
import { parseSpec } from '../../lib/spec/load';
import type { GlobalInferenceSpecInput } from '../../lib/spec/schema';
import { addGlobalInferenceStacks, proofOptionsFor } from '../../stacks/global-inference-stacks';
import { minimalSpec } from '../support/specs';
import { regex } from '../support/regex';

function prove(input: GlobalInferenceSpecInput) {
  const spec = parseSpec(input);
  const app = new App({ outdir: '/nonexistent' });
  addGlobalInferenceStacks(app, spec, { proofs: false, policy: false });
  return analyzeRouting(app, proofOptionsFor(spec));
}

const cloudflareSpec = (cloudflare: Record<string, unknown>, slo: number): GlobalInferenceSpecInput =>
  minimalSpec({
    frontDoor: 'cloudflare',
    cloudflare: {
      accountId: '0'.repeat(32),
      zoneId: '1'.repeat(32),
      plan: 'enterprise',
      ...cloudflare,
    } as GlobalInferenceSpecInput['cloudflare'],
    slo: { failoverSeconds: slo },
  });

describe('failover-time remedies', () => {
  it('Route53: the spec health settings it names bring the path within the budget', () => {
    const report = prove(minimalSpec({ slo: { failoverSeconds: 80 } }));
    const v = report.violations.filter((x) => x.proof === 'failover-time');
    expect(v.length).toBeGreaterThan(0);
    // 10 s × 3 + 60 s TTL = 90 s > 80 s: 20 s are left for detection.
    expect(v[0].remedy).toMatch(
      regex(
        /^set health.intervalSeconds: 10 and health.failureThreshold: 2 \(10 s × 2 \+ 60 s TTL = 80 s\); or /,
        /raise slo.failoverSeconds to 90 or more$/,
      ),
    );
    expect(
      prove(minimalSpec({ slo: { failoverSeconds: 80 }, health: { intervalSeconds: 10, failureThreshold: 2 } }))
        .violations,
    ).toEqual([]);
    expect(prove(minimalSpec({ slo: { failoverSeconds: 90 } })).violations).toEqual([]);
  });

  it('Route53: below what DNS failover can do, it says so instead of suggesting a setting', () => {
    const [v] = prove(minimalSpec({ slo: { failoverSeconds: 65 } })).violations.filter(
      (x) => x.proof === 'failover-time',
    );
    expect(v.remedy).toMatch(
      regex(
        /^the budget cannot be met by Route53 DNS failover on this path: the fastest health check /,
        /\(request_interval 10 s × failure_threshold 1\) plus the 60 s TTL is 70 s, over 65 s/,
      ),
    );
    expect(v.remedy).not.toMatch(/health.intervalSeconds/);
  });

  it('Cloudflare Pro: a 30 s budget cannot be met (60 s monitor minimum); the message names the plans that can', () => {
    const report = prove(cloudflareSpec({ plan: 'pro', trafficSteering: true }, 30));
    const [v] = report.violations.filter((x) => x.proof === 'failover-time');
    expect(v.remedy).toMatch(
      regex(
        /^the budget cannot be met on the pro plan: the fastest a monitor can mark a pool unhealthy there is /,
        /60 s \(minimum interval\) × 1 \+ 1 s timeout = 61 s, over 30 s; the business or enterprise plan /,
        /allows it/,
      ),
    );
    expect(v.remedy).not.toMatch(/set interval/);
    // Followed: on Business the same budget is met with the settings that plan's remedy prints.
    const [business] = prove(cloudflareSpec({ plan: 'business', trafficSteering: true }, 30)).violations.filter(
      (x) => x.proof === 'failover-time',
    );
    expect(business.remedy).toMatch(
      regex(
        /^set interval 15 and consecutive_down 1 on cloudflare_load_balancer_monitor\.\S+ /,
        /\(cloudflare.monitor.intervalSeconds: 15, consecutiveDown: 1\): 15 s × 1 \+ 4 s × \(1 \+ 1\) = 23 s/,
      ),
    );
    expect(
      prove(
        cloudflareSpec(
          { plan: 'business', trafficSteering: true, monitor: { intervalSeconds: 15, consecutiveDown: 1 } },
          30,
        ),
      ).violations,
    ).toEqual([]);
  });

  it('Cloudflare Enterprise: a slow monitor gets the settings that fit, and they pass', () => {
    const [v] = prove(cloudflareSpec({ monitor: { intervalSeconds: 60, consecutiveDown: 3 } }, 60)).violations.filter(
      (x) => x.proof === 'failover-time',
    );
    expect(v.remedy).toMatch(
      regex(
        /^set interval 10 and consecutive_down 3 on cloudflare_load_balancer_monitor\.\S+ /,
        /\(cloudflare.monitor.intervalSeconds: 10, consecutiveDown: 3\): 10 s × 3 \+ 4 s × \(1 \+ 1\) = 38 s; /,
        /or raise slo.failoverSeconds to 188 or more$/,
      ),
    );
    expect(prove(cloudflareSpec({ monitor: { intervalSeconds: 10, consecutiveDown: 3 } }, 60)).violations).toEqual([]);
    expect(prove(cloudflareSpec({ monitor: { intervalSeconds: 60, consecutiveDown: 3 } }, 188)).violations).toEqual([]);
  });
});

describe('availability remedies', () => {
  it('a single-region service: accepting the outage (slo.survivesRegionFailure: false) removes the violation', () => {
    const solo = minimalSpec({ regions: [minimalSpec().regions[0]] });
    const [v] = prove(solo).violations;
    expect(v.proof).toBe('availability');
    expect(v.remedy).toBe(
      'add a region that can take over for these clients, or set slo.survivesRegionFailure: false to accept ' +
        'that a region failure is an outage',
    );
    expect(prove({ ...solo, slo: { survivesRegionFailure: false } }).violations).toEqual([]);
  });

  it('geolocation without a default: adding one (routing.geolocation.default) removes the violation', () => {
    const geo = (fallback: string) =>
      minimalSpec({
        routing: {
          mode: 'geolocation',
          geolocation: {
            groups: [
              { name: 'europe', continents: ['EU'], regions: ['eu-west-1'] },
              { name: 'americas', continents: ['NA'], regions: ['us-east-1'] },
            ],
            default: fallback,
          },
        },
      });
    const v = prove(geo('none')).violations.filter((x) => x.proof === 'availability');
    expect(v[0].remedy).toMatch(
      regex(
        /^add a default \(\*\) geolocation record to the name \(in a spec: routing.geolocation.default: /,
        /latency or a region\)$/,
      ),
    );
    expect(prove(geo('latency')).violations).toEqual([]);
  });
});
