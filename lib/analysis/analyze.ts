/*
 * The analysis: every front door × client group × failure scenario, the answers, and the proofs over them.
 */
import { deriveClientGroups } from './clients';
import { buildRoutingGraph, type GraphOptions, type RoutingGraph } from './graph';
import type { AnalysisSource } from './input';
import type { Answer, ClientGroup, FailoverPath, HealthState, Scenario, Violation } from './model';
import { reachFailover, reachResidency, serves, type ReachableSummary } from './reach-proofs';
import {
  availabilityViolations,
  DEFAULT_MAX_PROBE_RPS,
  failoverTimeViolations,
  probeLoad,
  probeLoadViolations,
  residencyViolations,
  type OriginProbeLoad,
} from './proofs';
import { EXHAUSTIVE_REGION_LIMIT, failureScenarios } from './scenarios';
import { plural } from '../util/strings';

/**
 * One of the proofs {@link analyzeRouting} runs: `residency`, `availability`, `failover-time` or `probe-load`. What a
 * {@link ProofResult} and a {@link Violation} name, and what `AnalysisOptions.proofs` selects.
 */
export type ProofName = 'residency' | 'availability' | 'failover-time' | 'probe-load';
/**
 * Every proof, in the order a report lists their results (and SARIF output its rules): what runs unless
 * `AnalysisOptions.proofs` says otherwise (availability left out when the service need not survive a region failure).
 */
export const PROOFS: readonly ProofName[] = ['residency', 'availability', 'failover-time', 'probe-load'];

/** What a proof establishes, in a title and a sentence or two. */
export interface ProofDescription {
  readonly title: string;
  readonly description: string;
}

/** What each proof establishes, for reports that describe their checks (SARIF rules, docs). */
export const PROOF_DESCRIPTIONS: Readonly<Record<ProofName, ProofDescription>> = {
  residency: {
    title: 'Residency holds in every health state',
    description:
      "Clients of a jurisdiction (the spec's residency groups) reach only endpoints of that jurisdiction, whatever " +
      'is healthy or unhealthy: every record, pool, fallback and alias a front door can answer with is followed.',
  },
  availability: {
    title: 'Every client group is served when one region fails',
    description:
      'In normal operation and after each single-region failure, every client group is answered with a healthy ' +
      'region it may use (left out when slo.survivesRegionFailure is false).',
  },
  'failover-time': {
    title: 'Failover within slo.failoverSeconds',
    description:
      'On every path that moves clients off a failed region (second failures included), the time to detect the ' +
      'failure and switch (health-check interval × threshold, TTLs, monitor intervals, retries) is within the budget.',
  },
  'probe-load': {
    title: 'Health probes do not overload an origin',
    description:
      'The health-probe requests per second that Route53 checkers and Cloudflare monitors send each origin stay ' +
      'under the ceiling (5 requests/s unless set).',
  },
};

/**
 * Options of {@link analyzeRouting}, and of what runs it ({@link assertRoutingProofs}, the synth gate's `proofs`,
 * {@link diffSynth}): which front doors are read (the {@link GraphOptions}), how many failure scenarios are enumerated,
 * the budgets the proofs check against, and which proofs run.
 */
export interface AnalysisOptions extends GraphOptions {
  /**
   * Scenarios enumerated for the per-scenario answers (explain, availability): every subset of failures up to this
   * many regions, else singles and pairs. The residency and failover-time proofs do not depend on it: they cover
   * every health state by reachability. @default 8
   */
  readonly exhaustiveRegionLimit?: number;
  /** Failover budget in seconds. @default - the intent's `sloFailoverSeconds` (no check without either) */
  readonly sloFailoverSeconds?: number;
  /** Ceiling of health-probe requests per second per origin. @default 5 */
  readonly maxProbeRequestsPerSecond?: number;
  /**
   * Proofs to run. @default all (availability left out when the intent says the service need not survive a region
   * failure)
   */
  readonly proofs?: readonly ProofName[];
}

/** The outcome of one proof: whether it holds, every violation it found, and what it checked. */
export interface ProofResult {
  /** The proof. */
  readonly name: ProofName;
  /** True when it holds: `violations` is empty. */
  readonly passed: boolean;
  /** Each violation, naming the scenario, the client groups and the resources (empty when the proof holds). */
  readonly violations: readonly Violation[];
  /** One line on what was checked, e.g. `24 client groups × 16 scenarios × 1 front door`. */
  readonly summary: string;
}

/** Everything the analysis found. */
export interface RoutingReport {
  readonly graph: RoutingGraph;
  readonly clients: readonly ClientGroup[];
  readonly scenarios: readonly Scenario[];
  readonly answers: readonly Answer[];
  readonly failoverPaths: readonly FailoverPath[];
  readonly probeLoad: readonly OriginProbeLoad[];
  readonly proofs: readonly ProofResult[];
  readonly violations: readonly Violation[];
  /** Per front door and jurisdiction: every destination its client groups can reach under any health state. */
  readonly reachable: readonly ReachableSummary[];
  readonly sloFailoverSeconds?: number;
  readonly maxProbeRequestsPerSecond: number;
  /**
   * Milliseconds spent building the graph, on the reachability proofs, evaluating the scenarios, on the rest of the
   * proofs.
   */
  readonly timings: {
    readonly graphMs: number;
    readonly reachMs: number;
    readonly evaluateMs: number;
    readonly proofsMs: number;
  };
  /** The answer of one front door for one client group in one scenario. */
  answer(frontDoorId: string, clientId: string, scenarioId: string): Answer | undefined;
}

/** Analyses a cdktf output directory, an app, or stack JSON. */
export function analyzeRouting(source: AnalysisSource, options: AnalysisOptions = {}): RoutingReport {
  const t0 = performance.now();
  const graph = buildRoutingGraph(source, options);
  const t1 = performance.now();
  const clients = [
    ...deriveClientGroups(
      graph.intent,
      graph.frontDoors.map((f) => f.locations()),
    ),
  ];
  for (const fd of graph.frontDoors)
    for (const c of fd.clients?.() ?? []) if (!clients.some((x) => x.id === c.id)) clients.push(c);
  const run = new Set(
    options.proofs ??
      (graph.intent.survivesRegionFailure === false ? PROOFS.filter((p) => p !== 'availability') : PROOFS),
  );
  const slo = options.sloFailoverSeconds ?? graph.intent.sloFailoverSeconds;
  const maxRps = options.maxProbeRequestsPerSecond ?? DEFAULT_MAX_PROBE_RPS;
  const withReach = graph.frontDoors.filter((f) => f.reach);
  const without = graph.frontDoors.filter((f) => !f.reach);
  const proofInput = { frontDoors: withReach, clients, intent: graph.intent, regions: graph.regions };

  // Proofs over every health state first: their witnesses join the enumerated scenarios, so explain shows them.
  const residency = run.has('residency') ? reachResidency(proofInput) : undefined;
  const timed = reachFailover({ ...proofInput, sloSeconds: run.has('failover-time') ? slo : undefined });
  const witnessed = [...(residency?.violations ?? []), ...timed.violations].flatMap((v) =>
    (v.cases ?? []).map((c) => c.failed).filter((f): f is readonly string[] => !!f && f.length > 0),
  );
  const t2 = performance.now();

  const scenarios = failureScenarios(
    graph.regions,
    options.exhaustiveRegionLimit ?? EXHAUSTIVE_REGION_LIMIT,
    witnessed,
  );
  const answers: Answer[] = [];
  const index = new Map<string, Answer>();
  for (const scenario of scenarios) {
    const health: HealthState = { scenario, failed: new Set(scenario.failed), memo: new Map() };
    for (const frontDoor of graph.frontDoors) {
      for (const client of clients) {
        if (!serves(frontDoor, client)) continue;
        const r = frontDoor.resolve(client, health);
        const answer: Answer = {
          frontDoor: frontDoor.label,
          client,
          scenario,
          landings: r.landings,
          noAnswer: r.noAnswer,
          notes: r.notes,
        };
        answers.push(answer);
        index.set(`${frontDoor.id}|${client.id}|${scenario.id}`, answer);
      }
    }
  }
  const t3a = performance.now();

  const normal = (id: string) => answers.filter((a) => a.scenario.kind === 'normal' && a.frontDoor === id);
  const legacyPaths = without.flatMap((f) => f.failoverPaths(normal(f.label)));
  const failoverPaths = [...timed.paths, ...legacyPaths];
  const load = probeLoad([...graph.probes, ...graph.frontDoors.flatMap((f) => f.probes())]);
  const doors = (n: number) => plural(n, 'front door');
  const proofs: ProofResult[] = [];
  const add = (name: ProofName, violations: Violation[], summary: string) =>
    proofs.push({ name, passed: violations.length === 0, violations, summary });
  if (residency) {
    const jurisdictions = Object.keys(graph.intent.residency);
    const scenarioAnswers = answers.filter((a) => without.some((f) => f.label === a.frontDoor));
    const violations = [...residency.violations, ...residencyViolations(scenarioAnswers, graph.intent)];
    const summary =
      jurisdictions.length === 0
        ? 'no residency groups in the service intent: nothing to prove'
        : `jurisdictions ${jurisdictions.join(', ')}: every health state (reachability) for ` +
          `${plural(residency.checked.clients, 'client group')} × ${doors(withReach.length)}, ` +
          plural(residency.checked.paths, 'path') +
          (without.length > 0
            ? `; ${without.map((f) => f.label).join(', ')}: ${plural(scenarios.length, 'enumerated scenario')} ` +
              'only (no reachability)'
            : '');
    add('residency', violations, summary);
  }
  if (run.has('availability'))
    add(
      'availability',
      availabilityViolations(answers),
      `normal operation and ${plural(scenarios.filter((s) => s.kind === 'single').length, 'single-region failure')} ` +
        `× ${plural(clients.length, 'client group')} × ${doors(graph.frontDoors.length)}`,
    );
  if (run.has('failover-time')) {
    const violations = [...timed.violations, ...failoverTimeViolations(legacyPaths, slo)];
    add(
      'failover-time',
      violations,
      slo === undefined
        ? 'no slo.failoverSeconds in the intent: times reported, not checked'
        : `${plural(failoverPaths.length, 'path')} (every health state, second failures included) against ` +
            `slo.failoverSeconds = ${slo} s`,
    );
  }
  if (run.has('probe-load'))
    add(
      'probe-load',
      probeLoadViolations(load, maxRps),
      `${plural(load.length, 'origin')} against ${maxRps} requests/s`,
    );
  const t3 = performance.now();

  return {
    graph,
    clients,
    scenarios,
    answers,
    failoverPaths,
    probeLoad: load,
    proofs,
    violations: proofs.flatMap((p) => p.violations),
    reachable: residency?.reachable ?? [],
    sloFailoverSeconds: slo,
    maxProbeRequestsPerSecond: maxRps,
    timings: {
      graphMs: Math.round(t1 - t0),
      reachMs: Math.round(t2 - t1),
      evaluateMs: Math.round(t3a - t2),
      proofsMs: Math.round(t3 - t3a),
    },
    answer: (frontDoorId, clientId, scenarioId) => index.get(`${frontDoorId}|${clientId}|${scenarioId}`),
  };
}
