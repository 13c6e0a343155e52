import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { analyzeRouting, PROOFS } from '../../lib/analysis/analyze';
import { assertRoutingProofs, RoutingProofError } from '../../lib/analysis/gate';
import { packageRoot } from '../../lib/util/project-root';
import { buildExampleApp } from '../../examples/example-app';
import { buildLeakyResidencyExample } from '../../examples/leaky-residency/main';
import { errorOf } from '../support/synth';
import { synthToTemp } from './fixtures';
import { regex } from '../support/regex';

/** The two examples that exist to be rejected. */
const REJECTED = ['leaky-residency', 'slow-failover'];

/** Every example directory with a spec (so a new example is checked without editing this list). */
const EXAMPLES = readdirSync(join(packageRoot(__dirname), 'examples'), { withFileTypes: true })
  .filter((d) => d.isDirectory() && existsSync(join(packageRoot(__dirname), 'examples', d.name, 'spec.yaml')))
  .map((d) => d.name)
  .filter((n) => !REJECTED.includes(n))
  .sort();

describe.each(EXAMPLES)('example %s', (name) => {
  const outdir = synthToTemp((o) => buildExampleApp(name, o));
  const report = analyzeRouting(outdir);

  it('has a front door and every proof passes', () => {
    expect(report.graph.frontDoors.length).toBeGreaterThan(0);
    expect(report.proofs.map((p) => p.name)).toEqual(PROOFS);
    expect(report.violations.map((v) => v.message)).toEqual([]);
    expect(report.graph.warnings).toEqual([]);
  });

  it('gives every client group a healthy answer in normal operation', () => {
    const normal = report.answers.filter((x) => x.scenario.kind === 'normal');
    expect(normal.length).toBeGreaterThan(0);
    for (const a of normal) {
      expect({ client: a.client.label, served: a.landings.some((l) => !l.possible && l.share > 0 && l.up) }).toEqual({
        client: a.client.label,
        served: true,
      });
    }
  });

  it('reports what every front door does when every region is down', () => {
    const all = report.answers.filter((a) => a.scenario.kind === 'all');
    // Every front door answers every client group it serves (a private zone serves only its VPCs).
    const served = report.graph.frontDoors.reduce(
      (n, f) => n + report.clients.filter((c) => (f.serves ? f.serves(c) : !c.vpc)).length,
      0,
    );
    expect(all.length).toBe(served);
    expect(served).toBeGreaterThan(0);
    // Route53 answers anyway; Cloudflare uses its fallback pool: nobody gets a healthy region, nobody gets nothing.
    for (const a of all) expect(a.landings.filter((l) => !l.possible)).toAllSatisfy((l) => !l.up);
  });
});

describe('example leaky-residency', () => {
  // The proof gate is off so the output can be analysed here; with it on, synth is refused (test below).
  const outdir = synthToTemp((o) => buildLeakyResidencyExample(o, { proofs: false }));

  it('synthesizes (the escape hatch is legal) but fails the residency proof, naming the leak', () => {
    const message = errorOf(() => assertRoutingProofs(outdir));
    expect(message).toMatch(/^Routing proofs failed \(2 violations: residency 2\):/);
    // All 27 EU countries (Cyprus too), in the smallest failure set that lets the nested set be unhealthy.
    expect(message).toMatch(
      regex(
        /residency: Route53 inference.example.com sends client groups "eu: AT, eu: BE, eu: BG, eu: CY, eu: CZ /,
        /and 22 more" \(jurisdiction eu\) to us-east-1 \(jurisdiction us\) in scenario "eu-central-1 \+ /,
        /eu-west-1 down"/,
      ),
    );
    expect(message).toMatch(
      regex(
        /aws_route53_record.Service_Route53Routing_Residency-eu-country-AT_\w+ \[inference.example.com /,
        /geolocation country=AT -> eu.inference.example.com, evaluate_target_health=true; passed over: /,
        /unhealthy\]/,
      ),
    );
    expect(message).toMatch(
      /-> aws_route53_record.Service_Route53Routing_Geo-Default_\w+ \[inference.example.com geolocation default/,
    );
    expect(message).toMatch(/to ap-northeast-1 \(jurisdiction none\)/);
    expect(message).toMatch(
      regex(
        /to fix: set evaluate_target_health false on /,
        /aws_route53_record.Service_Route53Routing_Residency-eu-country-AT_\w+/,
      ),
    );
  });

  it('with the proof gate on (the default), synth is refused with the same leak', () => {
    expect(errorOf(() => synthToTemp((o) => buildLeakyResidencyExample(o)))).toMatch(
      regex(
        /^synth refused, nothing was written:\nRouting proofs failed \(\d+ violations?: residency /,
        /\d+\):\n {2}- residency: Route53 inference.example.com sends client groups "eu: AT/,
      ),
    );
  });

  it('throws a RoutingProofError carrying the report', () => {
    let error: unknown;
    try {
      assertRoutingProofs(outdir);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(RoutingProofError);
    const report = (error as RoutingProofError).report;
    expect(report.proofs.find((p) => p.name === 'residency')?.passed).toBe(false);
    expect(report.proofs.filter((p) => p.name !== 'residency')).toAllSatisfy((p) => p.passed);
  });
});

describe('example slow-failover', () => {
  const outdir = synthToTemp((o) => buildExampleApp('slow-failover', o, { proofs: false }));

  it('fails the failover-time budget, naming the health check and the arithmetic', () => {
    const message = errorOf(() => assertRoutingProofs(outdir));
    // Both paths: clients on the primary in normal operation, and on the secondary once the primary is down.
    expect(message).toMatch(/^Routing proofs failed \(2 violations: failover-time 2\):/);
    expect(message).toMatch(
      regex(
        /failover-time: when us-east-1 fails in normal operation, Route53 inference.example.com moves client /,
        /groups ".*" off us-east-1 after up to 360 s, over the budget slo.failoverSeconds = 60 s/,
      ),
    );
    expect(message).toMatch(
      regex(
        /failover-time: when us-west-2 fails after "us-east-1 down", Route53 inference.example.com moves /,
        /client groups ".*" off us-west-2 after up to 360 s/,
      ),
    );
    expect(message).toMatch(
      regex(
        /aws_route53_health_check.Service_Route53Routing_Health-us-east-1_Readiness_\w+ \(HTTPS /,
        /us-east-1.inference.example.com: request_interval 30 s × failure_threshold 10 = 300 s\)\) \+ TTL 60 s /,
        /\(alias to an ALB\) = 360 s/,
      ),
    );
    // A 60 s budget is below what DNS failover can do at all (10 s × 1 + 60 s TTL): said so, no impossible setting.
    expect(message).toMatch(
      regex(
        /the budget cannot be met by Route53 DNS failover on this path: the fastest health check /,
        /\(request_interval 10 s × failure_threshold 1\) plus the 60 s TTL is 70 s/,
      ),
    );
    expect(message).not.toMatch(/health.intervalSeconds: /);
  });
});
