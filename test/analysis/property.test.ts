/*
 * The analysis held against the brute-force oracle (oracle.ts) on random small topologies: Route53 record sets of
 * every policy (nested, with health checks probing their own region, another region or an address, inverted and
 * disabled checks, evaluate_target_health, CNAMEs, literal addresses, an AAAA set) and Cloudflare load balancers
 * (pools with and without monitors, disabled pools and origins, every steering, country/region/PoP pools, a
 * fallback, adaptive routing, a rule override). Every health state is enumerated by the oracle. They must agree:
 * - on every destination each residency client group can reach (the analysis' reachability vs the union over all
 *   2^atoms states),
 * - on the residency verdict,
 * - on the main answer in every enumerated region-failure scenario.
 * `GI_PROPERTY_RUNS` (npm run test:property) raises the number of topologies and the region count to 6.
 */
import fc from 'fast-check';
import { analyzeRouting } from '../../lib/analysis/analyze';
import { satisfy } from '../../lib/analysis/health';
import type { Answer, ClientGroup, FrontDoor } from '../../lib/analysis/model';
import { atomsOf, Oracle, topologyArbitrary, toStacks, type Dest, type Topology } from './oracle';

const RUNS = Number(process.env.GI_PROPERTY_RUNS ?? 100);
const MAX_REGIONS = process.env.GI_PROPERTY_RUNS ? 6 : 4;
/** States the oracle enumerates per topology at most (2^atoms); bigger topologies are skipped, not truncated. */
const MAX_ATOMS = process.env.GI_PROPERTY_RUNS ? 14 : 11;

function served(fd: FrontDoor, c: ClientGroup): boolean {
  return fd.serves ? fd.serves(c) : !c.vpc;
}

function libReach(fd: FrontDoor, client: ClientGroup): Set<Dest> {
  const out = new Set<Dest>();
  for (const p of fd.reach!(client))
    if (!p.landing.failClosed && satisfy(p.conditions).status !== 'unsat')
      out.add(p.landing.region ?? p.landing.endpoint);
  return out;
}

function oracleReach(oracle: Oracle, fd: FrontDoor, client: ClientGroup): Set<Dest> {
  const out = new Set<Dest>();
  const t = oracle.t;
  for (const state of oracle.states()) {
    const dests =
      fd.kind === 'cloudflare'
        ? oracle.cloudflare(client, state)
        : new Set([
            ...oracle.route53(t.sets[0], client, state, true),
            ...(t.ipv6 ? oracle.route53(t.ipv6, client, state, true) : []),
          ]);
    dests.forEach((d) => out.add(d));
  }
  return out;
}

function mainDests(a: Answer | undefined): Set<Dest> {
  return new Set((a?.landings ?? []).filter((l) => !l.possible && l.share > 0).map((l) => l.region ?? l.endpoint));
}

const sorted = (s: Set<string>) => [...s].sort();

function check(t: Topology): void {
  const report = analyzeRouting(toStacks(t), { proofs: ['residency'] });
  const oracle = new Oracle(t);
  let leak = false;
  for (const fd of report.graph.frontDoors) {
    for (const client of report.clients.filter((c) => served(fd, c))) {
      if (client.jurisdiction) {
        const lib = libReach(fd, client);
        const brute = oracleReach(oracle, fd, client);
        expect({ fd: fd.id, client: client.id, reach: sorted(lib) }).toEqual({
          fd: fd.id,
          client: client.id,
          reach: sorted(brute),
        });
        if ([...brute].some((d) => !oracle.allowed(d, client.jurisdiction!))) leak = true;
      }
      for (const scenario of report.scenarios) {
        const failed = new Set(scenario.failed);
        const state = oracle.scenarioState(failed);
        const expected =
          fd.kind === 'cloudflare'
            ? oracle.cloudflareMain(client, failed, state)
            : new Set([
                ...oracle.route53(t.sets[0], client, state, false),
                ...(t.ipv6 ? oracle.route53(t.ipv6, client, state, false) : []),
              ]);
        if (!expected) continue;
        const got = mainDests(report.answer(fd.id, client.id, scenario.id));
        expect({ fd: fd.id, client: client.id, scenario: scenario.id, lands: sorted(got) }).toEqual({
          fd: fd.id,
          client: client.id,
          scenario: scenario.id,
          lands: sorted(expected),
        });
      }
    }
  }
  expect({ residencyPassed: report.proofs.find((p) => p.name === 'residency')!.passed }).toEqual({
    residencyPassed: !leak,
  });
}

describe('the analysis agrees with a brute-force oracle over every health state', () => {
  it(
    `on ${RUNS} random topologies of up to ${MAX_REGIONS} regions: every reachable destination, every verdict, ` +
      "every scenario's answer",
    () => {
      let leaking = 0;
      let checked = 0;
      fc.assert(
        fc.property(
          topologyArbitrary(MAX_REGIONS).filter((t) => atomsOf(t).length <= MAX_ATOMS),
          (t) => {
            check(t);
            checked++;
            const r = analyzeRouting(toStacks(t), { proofs: ['residency'] });
            if (!r.proofs[0].passed) leaking++;
          },
        ),
        { numRuns: RUNS, seed: process.env.GI_PROPERTY_SEED ? Number(process.env.GI_PROPERTY_SEED) : undefined },
      );
      // The generator must exercise both verdicts, or agreement proves little.
      expect(checked).toBe(RUNS);
      expect(leaking).toBeGreaterThan(RUNS / 10);
      expect(leaking).toBeLessThan(RUNS);
    },
  );
});
