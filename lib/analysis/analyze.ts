/*
 * The analysis: every front door × client group × failure scenario, the answers, and the proofs over them.
 */
import { deriveClientGroups } from './clients';
import { buildRoutingGraph, type GraphOptions, type RoutingGraph } from './graph';
import type { AnalysisSource } from './input';
import type { Answer, ClientGroup, FailoverPath, HealthState, Scenario, Violation } from './model';
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

export type ProofName = 'residency' | 'availability' | 'failover-time' | 'probe-load';
export const PROOFS: readonly ProofName[] = ['residency', 'availability', 'failover-time', 'probe-load'];

export interface AnalysisOptions extends GraphOptions {
  /** Analyse every subset of failures up to this many regions (else singles and pairs). @default 8 */
  readonly exhaustiveRegionLimit?: number;
  /** Failover budget in seconds. @default - the intent's `sloFailoverSeconds` (no check without either) */
  readonly sloFailoverSeconds?: number;
  /** Ceiling of health-probe requests per second per origin. @default 5 */
  readonly maxProbeRequestsPerSecond?: number;
  /** Proofs to run. @default all */
  readonly proofs?: readonly ProofName[];
}

export interface ProofResult {
  readonly name: ProofName;
  readonly passed: boolean;
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
  readonly sloFailoverSeconds?: number;
  readonly maxProbeRequestsPerSecond: number;
  /** Milliseconds spent building the graph, evaluating, proving. */
  readonly timings: { readonly graphMs: number; readonly evaluateMs: number; readonly proofsMs: number };
  /** The answer of one front door for one client group in one scenario. */
  answer(frontDoorId: string, clientId: string, scenarioId: string): Answer | undefined;
}

/** Analyses a cdktf output directory, an app, or stack JSON. */
export function analyzeRouting(source: AnalysisSource, options: AnalysisOptions = {}): RoutingReport {
  const t0 = performance.now();
  const graph = buildRoutingGraph(source, options);
  const t1 = performance.now();
  const clients = deriveClientGroups(graph.intent, graph.frontDoors.map((f) => f.locations()));
  const scenarios = failureScenarios(graph.regions, options.exhaustiveRegionLimit ?? EXHAUSTIVE_REGION_LIMIT);
  const answers: Answer[] = [];
  const index = new Map<string, Answer>();
  for (const scenario of scenarios) {
    const health: HealthState = { scenario, failed: new Set(scenario.failed), memo: new Map() };
    for (const frontDoor of graph.frontDoors) {
      for (const client of clients) {
        const r = frontDoor.resolve(client, health);
        const answer: Answer = { frontDoor: frontDoor.label, client, scenario, landings: r.landings, noAnswer: r.noAnswer, notes: r.notes };
        answers.push(answer);
        index.set(`${frontDoor.id}|${client.id}|${scenario.id}`, answer);
      }
    }
  }
  const t2 = performance.now();

  const run = new Set(options.proofs ?? PROOFS);
  const slo = options.sloFailoverSeconds ?? graph.intent.sloFailoverSeconds;
  const maxRps = options.maxProbeRequestsPerSecond ?? DEFAULT_MAX_PROBE_RPS;
  const normal = (id: string) => answers.filter((a) => a.scenario.kind === 'normal' && a.frontDoor === id);
  const failoverPaths = graph.frontDoors.flatMap((f) => f.failoverPaths(normal(f.label)));
  const load = probeLoad([...graph.probes, ...graph.frontDoors.flatMap((f) => f.probes())]);
  const size = `${clients.length} client groups × ${scenarios.length} scenarios × ${graph.frontDoors.length} front door${graph.frontDoors.length === 1 ? '' : 's'}`;
  const proofs: ProofResult[] = [];
  const add = (name: ProofName, violations: Violation[], summary: string) => proofs.push({ name, passed: violations.length === 0, violations, summary });
  if (run.has('residency')) {
    const jurisdictions = Object.keys(graph.intent.residency);
    add('residency', residencyViolations(answers, graph.intent), jurisdictions.length > 0 ? `jurisdictions ${jurisdictions.join(', ')}: ${size}` : 'no residency groups in the service intent: nothing to prove');
  }
  if (run.has('availability')) add('availability', availabilityViolations(answers), `normal operation and ${scenarios.filter((s) => s.kind === 'single').length} single-region failures × ${clients.length} client groups × ${graph.frontDoors.length} front doors`);
  if (run.has('failover-time')) add('failover-time', failoverTimeViolations(failoverPaths, slo), slo === undefined ? 'no slo.failoverSeconds in the intent: times reported, not checked' : `${failoverPaths.length} paths against slo.failoverSeconds = ${slo} s`);
  if (run.has('probe-load')) add('probe-load', probeLoadViolations(load, maxRps), `${load.length} origins against ${maxRps} requests/s`);
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
    sloFailoverSeconds: slo,
    maxProbeRequestsPerSecond: maxRps,
    timings: { graphMs: Math.round(t1 - t0), evaluateMs: Math.round(t2 - t1), proofsMs: Math.round(t3 - t2) },
    answer: (frontDoorId, clientId, scenarioId) => index.get(`${frontDoorId}|${clientId}|${scenarioId}`),
  };
}
