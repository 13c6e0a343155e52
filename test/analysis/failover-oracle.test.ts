/*
 * Failover time held against a brute-force oracle. For random small Route53 topologies (oracle.ts: every policy,
 * nested sets, checks probing regions or addresses, CALCULATED, inverted and disabled checks, evaluate_target_health,
 * CNAMEs), the oracle replays a region's failure over time in every health state in which a client can be on that
 * region while it is up (every other atom free: second failures included): at 30 s the endpoint checks probing the
 * region turn unhealthy (10 s × 3), at 90 s the load balancer's target health does (the default 30 s × 3; only
 * when the model servers fail, not when the region is unreachable from outside), and the client has moved once no
 * answer it can get is in that region; + the 60 s TTL every answer of these topologies has. The analysis' figure
 * for the client and region must never be lower (a lower one passes a budget Route53 would miss), and where the
 * oracle's clients never move, the analysis must say never. Cloudflare load balancers of the same topologies
 * likewise: the monitors see the failure after 130 s (cloudflareSteady: the pool steering picks, then its healthy
 * origins; no adaptive retries, which are per request).
 */
import fc from 'fast-check';
import { analyzeRouting } from '../../lib/analysis/analyze';
import type { ClientGroup, FailoverPath } from '../../lib/analysis/model';
import { atomsOf, Oracle, originDest, topologyArbitrary, toStacks, type Rec, type Topology } from './oracle';

const MAX_ATOMS = 11;
const CHECK_SECONDS = 30;
const TARGET_HEALTH_SECONDS = 90;
const TTL = 60;

/**
 * The oracle with a perfect detector: every record whose own answer is in the failed region is unhealthy (an alias
 * to its load balancer, a CNAME to its regional name).
 */
class IdealDetection extends Oracle {
  constructor(
    t: Topology,
    readonly down: string,
  ) {
    super(t);
  }

  override recordHealthy(...args: Parameters<Oracle['recordHealthy']>): boolean {
    const [r] = args;
    if (r.target.kind === 'alb' && r.target.region === this.down) return false;
    if (r.target.kind === 'cname' && r.target.host === `${this.down}.inference.example.com`) return false;
    return super.recordHealthy(...args);
  }
}

/** Worst seconds, over every state in which the client can be on `region` while it is up, until it has moved off. */
function oracleFailover(
  t: Topology,
  client: ClientGroup,
  region: string,
  scope: 'first failure' | 'second failure',
): number | undefined {
  const oracle = new Oracle(t);
  const ideal = new IdealDetection(t, region);
  const atoms = atomsOf(t);
  const own = atoms.filter((a) => a.region === region);
  const destsOf = (o: Oracle, state: Map<string, boolean>) =>
    new Set([...o.route53(t.sets[0], client, state, true), ...(t.ipv6 ? o.route53(t.ipv6, client, state, true) : [])]);
  const dests = (state: Map<string, boolean>) => destsOf(oracle, state);
  let worst: number | undefined;
  for (const state of oracle.states()) {
    if (own.some((a) => state.get(a.id) === false)) continue; // the region is up: its own signals are healthy
    // First failures: every other region is up too (only signals of no region, such as a check probing an address,
    // vary); second failures: at most one other region has unhealthy signals.
    const othersDown = new Set(
      atoms
        .filter((a) => a.region !== undefined && a.region !== region && state.get(a.id) === false)
        .map((a) => a.region),
    );
    if (scope === 'first failure' && othersDown.size > 0) continue;
    if (scope === 'second failure' && othersDown.size > 1) continue;
    if (!dests(state).has(region)) continue;
    for (const mode of ['unreachable', 'unhealthy'] as const) {
      // Detection events: endpoint checks probing the region; target health only when the servers fail.
      const events = own
        .map((a) => ({
          id: a.id,
          at: a.id.startsWith('alb:')
            ? mode === 'unhealthy'
              ? TARGET_HEALTH_SECONDS
              : Number.POSITIVE_INFINITY
            : CHECK_SECONDS,
        }))
        .filter((e) => Number.isFinite(e.at));
      // Once every signal has seen the failure, even a perfect detector (every record aliasing the region's load
      // balancer unhealthy) leaves the client there: there is nowhere to go, which is availability's concern.
      const detected = new Map(state);
      for (const e of events) detected.set(e.id, false);
      const idealDests = destsOf(ideal, detected);
      if (idealDests.has(region)) continue;
      // Somewhere to go means a region that is up (every signal of it healthy) or an endpoint outside the regions.
      const up = (d: string) =>
        !t.regions.some((r) => r.code === d) ||
        atoms.filter((a) => a.region === d).every((a) => detected.get(a.id) !== false);
      if (![...idealDests].some(up)) continue;
      let moved = Number.POSITIVE_INFINITY;
      for (const at of [...new Set(events.map((e) => e.at))].sort((a, b) => a - b)) {
        const later = new Map(state);
        for (const e of events) if (e.at <= at) later.set(e.id, false);
        if (!dests(later).has(region)) {
          moved = at + TTL;
          break;
        }
      }
      worst = Math.max(worst ?? 0, moved);
    }
  }
  return worst;
}

/** The generated monitor: interval 60 s × consecutive_down 2 + timeout 5 s × (retries 1 + 1); proxied, no TTL. */
const MONITOR_SECONDS = 60 * 2 + 5 * 2;

/**
 * Where a Cloudflare load balancer steadily sends a client in a state (no adaptive retries: those are per request):
 * per routing (main, rule) and pool list (the client's, each PoP's), the chosen pool, first healthy for off/geo,
 * the healthy weighted ones for random (all healthy ones when none is weighted), every healthy one for
 * dynamic_latency, the fallback when none is; then the chosen pool's healthy origins (the fallback's: every enabled
 * one). `idealDown`: a perfect monitor on every pool sees that region's failure.
 */
function cloudflareSteady(
  o: Oracle,
  t: Topology,
  client: ClientGroup,
  state: ReadonlyMap<string, boolean>,
  idealDown?: string,
): Set<string> {
  const cf = t.cloudflare!;
  const originUp = (i: number, k: number) => {
    const p = cf.pools[i];
    if (p.monitored) return state.get(`origin:${i}:${k}`) ?? true;
    return idealDown === undefined || originDest(t, p.origins[k].host) !== idealDown;
  };
  const poolUp = (i: number) => {
    const p = cf.pools[i];
    if (!p.enabled) return false;
    if (!p.monitored && idealDown === undefined) return true;
    return p.origins.filter((x, k) => x.enabled && originUp(i, k)).length >= p.minimumOrigins;
  };
  const out = new Set<string>();
  for (const { routing, list } of o.poolLists(client)) {
    const healthy = list.filter(poolUp);
    const weighted = healthy.filter((p) => (routing.weights[p] ?? 1) > 0);
    const chosen =
      healthy.length === 0
        ? []
        : routing.steering === 'off' || routing.steering === 'geo'
          ? [healthy[0]]
          : routing.steering === 'random' && weighted.length > 0
            ? weighted
            : healthy;
    for (const i of chosen)
      cf.pools[i].origins.forEach((x, k) => x.enabled && originUp(i, k) && out.add(originDest(t, x.host)));
    if (healthy.length === 0)
      cf.pools[routing.fallback].origins.forEach((x) => x.enabled && out.add(originDest(t, x.host)));
  }
  return out;
}

/** oracleFailover for the Cloudflare load balancer: its monitors see a region's failure after MONITOR_SECONDS. */
function oracleCloudflareFailover(
  t: Topology,
  client: ClientGroup,
  region: string,
  scope: 'first failure' | 'second failure',
): number | undefined {
  const oracle = new Oracle(t);
  const atoms = atomsOf(t).filter((a) => a.id.startsWith('origin:'));
  const own = atoms.filter((a) => a.region === region);
  let worst: number | undefined;
  for (const state of oracle.states()) {
    // Route53 signals do not matter here: one state of them is enough.
    if (atomsOf(t).some((a) => !a.id.startsWith('origin:') && state.get(a.id) === false)) continue;
    if (own.some((a) => state.get(a.id) === false)) continue;
    const othersDown = new Set(
      atoms
        .filter((a) => a.region !== undefined && a.region !== region && state.get(a.id) === false)
        .map((a) => a.region),
    );
    if (scope === 'first failure' && othersDown.size > 0) continue;
    if (scope === 'second failure' && othersDown.size > 1) continue;
    if (!cloudflareSteady(oracle, t, client, state).has(region)) continue;
    const detected = new Map(state);
    for (const a of own) detected.set(a.id, false);
    const idealDests = cloudflareSteady(oracle, t, client, detected, region);
    if (idealDests.has(region)) continue;
    const up = (d: string) =>
      !t.regions.some((r) => r.code === d) ||
      atoms.filter((a) => a.region === d).every((a) => detected.get(a.id) !== false);
    if (![...idealDests].some(up)) continue;
    const moved =
      own.length > 0 && !cloudflareSteady(oracle, t, client, detected).has(region)
        ? MONITOR_SECONDS
        : Number.POSITIVE_INFINITY;
    worst = Math.max(worst ?? 0, moved);
  }
  return worst;
}

function check(
  t: Topology,
  scope: 'first failure' | 'second failure',
): { compared: number; finite: number; cloudflare: number } {
  const report = analyzeRouting(toStacks(t), { proofs: ['failover-time'] });
  let compared = 0;
  let finite = 0;
  let cloudflare = 0;
  for (const fd of report.graph.frontDoors.filter(
    (f) => (f.kind === 'route53' && f.id === 'route53:inference.example.com') || f.kind === 'cloudflare',
  )) {
    const r = checkFrontDoor(t, report, fd, scope);
    compared += r.compared;
    finite += r.finite;
    if (fd.kind === 'cloudflare') cloudflare += r.compared;
  }
  return { compared, finite, cloudflare };
}

function checkFrontDoor(
  t: Topology,
  report: ReturnType<typeof analyzeRouting>,
  fd: ReturnType<typeof analyzeRouting>['graph']['frontDoors'][number],
  scope: 'first failure' | 'second failure',
): { compared: number; finite: number } {
  let compared = 0;
  let finite = 0;
  for (const client of report.clients.filter((c) => (fd.serves ? fd.serves(c) : !c.vpc))) {
    for (const { code: region } of t.regions) {
      const brute =
        fd.kind === 'cloudflare'
          ? oracleCloudflareFailover(t, client, region, scope)
          : oracleFailover(t, client, region, scope);
      if (brute === undefined) continue;
      const figures = report.failoverPaths
        .filter((p) => p.frontDoor === fd.label && p.region === region && p.clients.includes(client.label))
        .map((p) => p.seconds);
      const lib = figures.length > 0 ? Math.max(...figures) : undefined;
      expect({
        client: client.id,
        region,
        analysis: lib === undefined ? 'no figure' : lib >= brute ? 'at least the oracle' : lib,
      }).toEqual({ client: client.id, region, analysis: 'at least the oracle' });
      compared++;
      if (Number.isFinite(brute)) finite++;
    }
  }
  return { compared, finite };
}

/*
 * A bounded run in `npm test` (40 topologies); the full one on request: `npm run test:failover-oracle`
 * (GI_FAILOVER_ORACLE_RUNS=400; 3000+ found the classes pinned above and below).
 */
const PROPERTY_RUNS = Number(process.env.GI_FAILOVER_ORACLE_RUNS ?? 40);

test(
  `failover time: on ${PROPERTY_RUNS} random Route53 and Cloudflare topologies the analysis never reports less ` +
    'than the brute-force replay',
  () => {
    let compared = 0;
    let finite = 0;
    let cloudflare = 0;
    fc.assert(
      fc.property(
        topologyArbitrary(4).filter((t) => (t.sets.length > 0 || !!t.cloudflare) && atomsOf(t).length <= MAX_ATOMS),
        (t) => {
          const r = check(t, process.env.GI_FAILOVER_ORACLE_SCOPE === 'first' ? 'first failure' : 'second failure');
          compared += r.compared;
          finite += r.finite;
          cloudflare += r.cloudflare;
        },
      ),
      { numRuns: PROPERTY_RUNS, seed: process.env.GI_PROPERTY_SEED ? Number(process.env.GI_PROPERTY_SEED) : undefined },
    );
    expect(compared).toBeGreaterThan(PROPERTY_RUNS);
    expect(cloudflare).toBeGreaterThan(0);
    expect(finite).toBeGreaterThan(0);
    expect(finite).toBeLessThan(compared);
  },
);

const rec = (target: Rec['target'], extra: Partial<Rec> = {}): Rec => ({
  target,
  eth: false,
  region: 'us-east-1',
  weight: 1,
  role: 'PRIMARY',
  location: { default: true },
  bias: 0,
  ...extra,
});
const probe = (region: string): Topology['checks'][number] => ({
  probes: { region },
  inverted: false,
  disabled: false,
});
/**
 * The paths to eu-west-1 the analysis says never move, asserted non-empty, each with a cause saying it stays for good:
 * `nowhere` tells the outage slo.survivesRegionFailure: false accepts from records or pools that keep clients there.
 */
function expectNeverToEu(paths: readonly FailoverPath[], nowhere: boolean): FailoverPath[] {
  const never = paths.filter((p) => p.region === 'eu-west-1' && p.seconds === Number.POSITIVE_INFINITY);
  expect(never.length).toBeGreaterThan(0);
  const causes = never.flatMap((p) => p.causes ?? []);
  expect(causes.length).toBeGreaterThan(0);
  expect(causes).toAllSatisfy((c) => c.kind === 'undetected' && c.nowhere === nowhere);
  return never;
}
const REGIONS = [{ code: 'us-east-1' }, { code: 'us-west-2' }, { code: 'eu-west-1', jurisdiction: 'eu' }];
const base = { regions: REGIONS, residency: { countries: [], continents: ['EU'] }, declared: [] };

describe('failover time against the replay, pinned cases', () => {
  test('control: a latency pair with checks moves clients in 30 s + 60 s TTL, and the analysis says so', () => {
    const t: Topology = {
      ...base,
      checks: [probe('us-east-1'), probe('us-west-2')],
      sets: [
        {
          policy: 'latency',
          type: 'A',
          records: [
            rec({ kind: 'alb', region: 'us-east-1' }, { check: 0 }),
            rec({ kind: 'alb', region: 'us-west-2' }, { check: 1, region: 'us-west-2' }),
          ],
        },
      ],
    };
    expect(check2(t)).toEqual({ ok: true, compared: expect.any(Number) });
  });

  test(
    'control (red-team hole 5): a check on a one-record set under an alias without evaluate_target_health moves ' +
      'no one: never',
    () => {
      const t: Topology = {
        ...base,
        checks: [probe('us-east-1'), probe('us-west-2')],
        sets: [
          {
            policy: 'latency',
            type: 'A',
            records: [
              rec({ kind: 'set', index: 1 }),
              rec({ kind: 'alb', region: 'us-west-2' }, { check: 1, region: 'us-west-2' }),
            ],
          },
          { policy: 'simple', type: 'A', records: [rec({ kind: 'alb', region: 'us-east-1' }, { check: 0 })] },
        ],
      };
      expect(check2(t)).toEqual({ ok: true, compared: expect.any(Number) });
    },
  );

  // Under-reports the replay found (each failed before the analysis checked, in one health state before and after
  // the failure, that no answer still lands on the failed region while a healthy one elsewhere exists).
  test(
    'the record clients move to after detection can land in the same failed region (a zero-weight record checked ' +
      'by another region)',
    () => {
      const t: Topology = {
        ...base,
        checks: [probe('us-east-1'), probe('us-west-2')],
        sets: [
          {
            policy: 'weighted',
            type: 'A',
            records: [
              rec({ kind: 'alb', region: 'us-east-1' }, { check: 0, weight: 1 }),
              rec({ kind: 'alb', region: 'us-east-1' }, { check: 1, weight: 0 }),
              rec({ kind: 'alb', region: 'eu-west-1' }, { weight: 0 }),
            ],
          },
        ],
      };
      expect(check2(t)).toEqual({ ok: true, compared: expect.any(Number) });
    },
  );

  test(
    'after a first failure took the alternatives, the clients that moved cannot leave the next region (a record ' +
      'below it nothing can detect): never',
    () => {
      const t: Topology = {
        ...base,
        checks: [
          probe('us-east-1'),
          probe('us-west-2'),
          { probes: { calculated: { children: [0], threshold: 0 } }, inverted: false, disabled: false },
        ],
        sets: [
          {
            policy: 'multivalue',
            type: 'A',
            records: [
              rec({ kind: 'alb', region: 'eu-west-1' }, { check: 0 }),
              rec({ kind: 'set', index: 1 }, { check: 1 }),
            ],
          },
          {
            policy: 'multivalue',
            type: 'A',
            records: [
              rec({ kind: 'alb', region: 'us-west-2' }, { check: 2 }),
              rec({ kind: 'ip', address: '198.51.100.3' }),
            ],
          },
        ],
      };
      expect(check2(t, 'second failure')).toEqual({ ok: true, compared: expect.any(Number) });
    },
  );

  test(
    'a detector that moves clients one level down also flips the level above to a record with no signal that ' +
      'leads back: never, not 30 s + TTL',
    () => {
      // Found by the 2000-run oracle: the EU client's geoproximity record aliases a geolocation set (checked by
      // eu-west-1's probe); its EU record would fall back to the default in us-west-2, but the same probe makes the
      // geoproximity set answer its other record, an ALB alias into eu-west-1 that nothing checks. Nowhere to go.
      const t: Topology = {
        regions: [{ code: 'eu-west-1', jurisdiction: 'eu' }, { code: 'us-west-2' }],
        residency: { countries: ['FR'], continents: [] },
        declared: [],
        checks: [
          probe('eu-west-1'),
          { probes: { calculated: { children: [0], threshold: 0 } }, inverted: false, disabled: false },
        ],
        sets: [
          {
            policy: 'geoproximity',
            type: 'A',
            records: [
              rec({ kind: 'set', index: 1 }, { check: 0, region: 'us-west-2', bias: 50 }),
              rec({ kind: 'alb', region: 'eu-west-1' }, { region: 'us-west-2' }),
            ],
          },
          {
            policy: 'geolocation',
            type: 'A',
            records: [
              rec({ kind: 'alb', region: 'us-west-2' }, { check: 1, eth: true, location: { default: true } }),
              rec({ kind: 'alb', region: 'eu-west-1' }, { check: 0, location: { continent: 'EU' } }),
            ],
          },
        ],
      };
      expect(check2(t)).toEqual({ ok: true, compared: expect.any(Number) });
      // Not the outage slo.survivesRegionFailure: false accepts: a detector on the unchecked record would move them.
      const stuck = expectNeverToEu(analyzeRouting(toStacks(t), { proofs: ['failover-time'] }).failoverPaths, false);
      expect(stuck.map((p) => p.breakdown).join('\n')).toContain('a region that is up could take them');
    },
  );
});

describe('failover time against the replay, a CNAME into the failed region', () => {
  test(
    'a detector that moves clients to an unchecked CNAME back into the region: never, and not the accepted ' +
      'outage (a detector on the CNAME would move them)',
    () => {
      // Set0 fails over from Set1 (evaluate_target_health) to us-west-2. Set1's checked PRIMARY is a CNAME to
      // eu-west-1's regional name; its unchecked SECONDARY is another CNAME there. eu-west-1 fails: the check moves
      // clients to the SECONDARY, Set1 stays healthy, so Set0 keeps answering it: back to eu-west-1. A perfect
      // detector (the SECONDARY unhealthy too) would leave Set1 with no healthy record and move them to us-west-2.
      const t: Topology = {
        regions: [{ code: 'eu-west-1', jurisdiction: 'eu' }, { code: 'us-west-2' }],
        residency: { countries: ['FR'], continents: [] },
        declared: [],
        checks: [probe('eu-west-1'), probe('us-west-2')],
        sets: [
          {
            policy: 'failover',
            type: 'A',
            records: [
              rec({ kind: 'set', index: 1 }, { eth: true }),
              rec({ kind: 'alb', region: 'us-west-2' }, { check: 1, role: 'SECONDARY' }),
            ],
          },
          {
            policy: 'failover',
            type: 'CNAME',
            records: [
              rec({ kind: 'cname', host: 'eu-west-1.inference.example.com' }, { check: 0 }),
              rec({ kind: 'cname', host: 'eu-west-1.inference.example.com' }, { role: 'SECONDARY' }),
            ],
          },
        ],
      };
      expect(check2(t)).toEqual({ ok: true, compared: expect.any(Number) });
      expectNeverToEu(analyzeRouting(toStacks(t), { proofs: ['failover-time'] }).failoverPaths, false);
    },
  );
});

describe('failover time on Cloudflare: pools that keep clients on the failed region', () => {
  const pool = (region: string, monitored: boolean) => ({
    origins: [{ host: `${region}.inference.example.com`, enabled: true, weight: 1 }],
    monitored,
    enabled: true,
    minimumOrigins: 1,
  });
  const routing = (defaultPools: number[], fallback: number) => ({
    steering: 'off' as const,
    defaultPools,
    countryPools: {},
    regionPools: {},
    popPools: {},
    fallback,
    failoverAcrossPools: false,
    weights: {},
  });
  const cloudflareOnly = (pools: ReturnType<typeof pool>[], defaultPools: number[], fallback: number): Topology => ({
    regions: [{ code: 'eu-west-1', jurisdiction: 'eu' }, { code: 'us-west-2' }],
    residency: { countries: ['FR'], continents: [] },
    declared: [],
    checks: [],
    sets: [],
    cloudflare: { pools, routing: routing(defaultPools, fallback) },
  });
  const euFigures = (t: Topology) => {
    const report = analyzeRouting(toStacks(t), { proofs: ['failover-time'] });
    return report.failoverPaths.filter((p) => p.frontDoor.startsWith('Cloudflare') && p.region === 'eu-west-1');
  };

  test('control: a monitored pool in the region, a monitored one elsewhere next: the monitor figure', () => {
    const figures = euFigures(cloudflareOnly([pool('eu-west-1', true), pool('us-west-2', true)], [0, 1], 1));
    expect(figures.length).toBeGreaterThan(0);
    expect(figures.map((p) => p.seconds)).toAllSatisfy((s: number) => Number.isFinite(s) && s > 0);
  });

  test(
    'the monitor moves clients to the next pool, unmonitored and in the same region: never, and not the accepted ' +
      'outage',
    () => {
      // Cloudflare counts a pool without a monitor healthy: once pool 0's monitor fires, pool 1 takes the clients,
      // still in eu-west-1; pool 2 (us-west-2) is never reached. A monitor on pool 1 would move them there.
      const figures = euFigures(
        cloudflareOnly([pool('eu-west-1', true), pool('eu-west-1', false), pool('us-west-2', true)], [0, 1, 2], 2),
      );
      expectNeverToEu(figures, false);
    },
  );

  test('the fallback pool is the failed region and no other pool is left: never, the outage with nowhere to go', () => {
    // Both listed pools are in eu-west-1 and so is the fallback: once they fail, no region that is up is named.
    const figures = euFigures(cloudflareOnly([pool('eu-west-1', true), pool('us-west-2', true)], [0], 0));
    expectNeverToEu(figures, true);
  });
});

// Once the known gap (closing notes until stop 24): a record that aliases the failed region's load balancer
// without any signal (no check, no evaluate_target_health) cannot be modelled as unhealthy, so a detector above it
// whose last-resort answer leads back to it was credited. The check that no answer elsewhere remains closes it.
describe('failover time against the replay, nowhere else to go', () => {
  test(
    'a failover pair whose last-resort PRIMARY leads back, through ' + 'a record with no signal, to the failed region',
    () => {
      const never = { probes: { region: 'us-east-1' }, inverted: true, disabled: true } as const;
      const t: Topology = {
        ...base,
        checks: [never, probe('us-west-2')],
        sets: [
          {
            policy: 'failover',
            type: 'A',
            records: [
              rec({ kind: 'set', index: 1 }, { check: 0, eth: true }),
              rec({ kind: 'set', index: 1 }, { check: 1, eth: true, role: 'SECONDARY' }),
            ],
          },
          {
            policy: 'failover',
            type: 'A',
            records: [
              rec({ kind: 'alb', region: 'eu-west-1' }, { check: 0, eth: true }),
              rec({ kind: 'alb', region: 'us-west-2' }, { role: 'SECONDARY' }),
            ],
          },
        ],
      };
      expect(check2(t, 'second failure')).toEqual({ ok: true, compared: expect.any(Number) });
    },
  );
});

/** The replay's verdict for one topology, as a value (the property's expectation throws). */
function check2(
  t: Topology,
  scope: 'first failure' | 'second failure' = 'first failure',
): { ok: boolean; compared: number } {
  const r = check(t, scope);
  expect(r.compared).toBeGreaterThan(0);
  return { ok: true, compared: r.compared };
}
