/*
 * The proofs over the answers: residency, availability, failover-time budget, health-probe load. Each is a pure
 * function returning violations whose messages name the scenario(s), the client group(s) and the resources.
 */

/** Said of a leaking path shown for one client group of several. */
export const SAME_PATH_NOTE = ' (the other groups take the same path through their own location mapping)';

/** The landings an answer gives out of the regions that are down (a fail-closed pool named as such). */
function answeredWith(a: Answer): string[] {
  return a.landings
    .filter((l) => !l.possible && l.share > 0)
    .map((l) => (l.failClosed ? 'a fail-closed pool' : `${l.region ?? l.endpoint} (down)`));
}
import type { Answer, FailoverPath, Landing, ProbeSource, ServiceIntent, Violation } from './model';

/** Default ceiling of health-probe requests per second an origin should receive from all checkers together. */
export const DEFAULT_MAX_PROBE_RPS = 5;

const MAX_LISTED = 5;

/** `a, b, c and 4 more` */
export function list(items: readonly string[], max = MAX_LISTED): string {
  const unique = [...new Set(items)];
  return unique.length <= max
    ? unique.join(', ')
    : `${unique.slice(0, max).join(', ')} and ${unique.length - max} more`;
}

/** `A -> B -> C`, each step with its address and note. */
export function describePath(landing: Landing): string {
  return landing.path.map((s) => `${s.address} [${s.label}${s.note ? `; ${s.note}` : ''}]`).join(' -> ');
}

function jurisdictionOfRegion(intent: ServiceIntent, region: string | undefined): string | undefined {
  return region ? (intent.regions[region]?.jurisdiction ?? undefined) : undefined;
}

/**
 * Residency over enumerated scenarios (front doors without reachability): in no scenario does a jurisdiction's
 * client reach a region outside the jurisdiction, through the normal answer or a possible one. A fail-closed
 * endpoint is not a leak; an endpoint the analysis cannot place is (residency cannot be shown).
 */
export function residencyViolations(answers: readonly Answer[], intent: ServiceIntent): Violation[] {
  // Grouped by front door, jurisdiction, destination and path (each group's own location mapping counted as the
  // same hop), so 27 EU countries leaking through the same default record are one violation listing 27 groups.
  const groups = new Map<
    string,
    {
      frontDoor: string;
      jurisdiction: string;
      leakTo: string;
      how: string;
      example: string;
      exampleClient: string;
      clients: string[];
      scenarios: string[];
      resources: Set<string>;
    }
  >();
  for (const a of answers) {
    const j = a.client.jurisdiction;
    if (!j) continue;
    for (const l of a.landings) {
      if (l.failClosed || (l.declared && l.declared.jurisdiction === j)) continue;
      const lj = jurisdictionOfRegion(intent, l.region);
      if (l.region && lj === j) continue;
      const leakTo = l.region
        ? `${l.region} (jurisdiction ${lj ?? 'none'})`
        : `${l.endpoint} (not a region of the service)`;
      const how = l.possible
        ? `a possible landing via ${l.possible}`
        : `the answer (share ${Math.round(l.share * 100)}%)`;
      const signature = l.path
        .map((s) => `${s.clientSpecific ? '<own mapping>' : s.address}|${s.note ?? ''}`)
        .join('>');
      const key = `${a.frontDoor}|${j}|${leakTo}|${how}|${signature}`;
      const g = groups.get(key) ?? {
        frontDoor: a.frontDoor,
        jurisdiction: j,
        leakTo,
        how,
        example: describePath(l),
        exampleClient: a.client.label,
        clients: [],
        scenarios: [],
        resources: new Set<string>(),
      };
      g.clients.push(a.client.label);
      g.scenarios.push(a.scenario.label);
      for (const s of l.path) g.resources.add(s.address);
      groups.set(key, g);
    }
  }
  return [...groups.values()].map((g) => {
    const clients = [...new Set(g.clients)];
    // Exactly which client groups leak in which scenario (not every client × every scenario).
    const byScenario = new Map<string, Set<string>>();
    g.scenarios.forEach((sc, i) => byScenario.set(sc, (byScenario.get(sc) ?? new Set()).add(g.clients[i])));
    const cases = [...byScenario].map(([scenario, cs]) => ({ scenario, clientGroups: [...cs] }));
    const more = cases
      .slice(1, 4)
      .map(
        (c) =>
          `; in scenario "${c.scenario}" client group${c.clientGroups.length > 1 ? 's' : ''} "${list(c.clientGroups)}"`,
      )
      .join('');
    return {
      proof: 'residency' as const,
      frontDoor: g.frontDoor,
      scenarios: cases.map((c) => c.scenario),
      clientGroups: clients,
      cases,
      resources: [...g.resources],
      message:
        `residency: ${g.frontDoor} sends client group${cases[0].clientGroups.length > 1 ? 's' : ''} ` +
        `"${list(cases[0].clientGroups)}" (jurisdiction ${g.jurisdiction}) to ${g.leakTo} ` +
        'in scenario ' +
        `"${cases[0].scenario}"${more}${cases.length > 4 ? ` (and ${cases.length - 4} more scenarios)` : ''} ` +
        `as ${g.how}; ` +
        `leaking path for "${g.exampleClient}": ` +
        g.example +
        (clients.length > 1 ? SAME_PATH_NOTE : ''),
    };
  });
}

/**
 * Availability: in normal operation and with any one region down, every client group gets an answer with a share
 * on a region that is up.
 */
export function availabilityViolations(answers: readonly Answer[]): Violation[] {
  const out: Violation[] = [];
  const grouped = new Map<
    string,
    {
      frontDoor: string;
      scenario: string;
      single: boolean;
      reason: string;
      noGeoMatch: boolean;
      clients: string[];
      resources: Set<string>;
    }
  >();
  for (const a of answers) {
    if (a.scenario.kind !== 'normal' && a.scenario.kind !== 'single') continue;
    const served = a.landings.some((l) => !l.possible && l.share > 0 && l.up);
    if (served) continue;
    const reason = a.noAnswer ? `no answer (${a.noAnswer})` : `answered only with ${list(answeredWith(a))}`;
    const key = `${a.frontDoor}|${a.scenario.id}|${reason}`;
    const noGeoMatch = !!a.noAnswer && /no geolocation record of .* and there is no default/.test(a.noAnswer);
    const g = grouped.get(key) ?? {
      frontDoor: a.frontDoor,
      scenario: a.scenario.label,
      single: a.scenario.kind === 'single',
      reason,
      noGeoMatch,
      clients: [],
      resources: new Set<string>(),
    };
    g.clients.push(a.client.label);
    for (const l of a.landings) for (const s of l.path) g.resources.add(s.address);
    grouped.set(key, g);
  }
  for (const g of grouped.values()) {
    // Remedies that remove the violation when followed: a geolocation default answers unmatched clients; accepting
    // a region failure as an outage turns the proof off for single failures (and only for them).
    const remedy = g.noGeoMatch
      ? 'add a default (*) geolocation record to the name (in a spec: routing.geolocation.default: latency or a region)'
      : g.single
        ? 'add a region that can take over for these clients, or set slo.survivesRegionFailure: false to accept ' +
          'that a region failure is an outage'
        : undefined;
    out.push({
      proof: 'availability',
      frontDoor: g.frontDoor,
      scenarios: [g.scenario],
      clientGroups: g.clients,
      cases: [{ scenario: g.scenario, clientGroups: [...new Set(g.clients)] }],
      resources: [...g.resources],
      remedy,
      message:
        `availability: in scenario "${g.scenario}", ${g.frontDoor} gives client ` +
        `group${g.clients.length > 1 ? 's' : ''} "${list(g.clients)}" no healthy region: ` +
        `${g.reason}${g.resources.size > 0 ? `; resources: ${list([...g.resources], 4)}` : ''}` +
        `${remedy ? `; to fix: ${remedy}` : ''}`,
    });
  }
  return out;
}

/** Failover-time budget: every path's worst case against the SLO. */
export function failoverTimeViolations(paths: readonly FailoverPath[], sloSeconds: number | undefined): Violation[] {
  if (sloSeconds === undefined) return [];
  return paths
    .filter((p) => p.seconds > sloSeconds)
    .map((p) => ({
      proof: 'failover-time' as const,
      frontDoor: p.frontDoor,
      scenarios: [`${p.region} down`],
      clientGroups: [...p.clients],
      resources: [...p.resources],
      message:
        `failover-time: in scenario "${p.region} down", ${p.frontDoor} moves client ` +
        `group${p.clients.length > 1 ? 's' : ''} "${list(p.clients)}" off ${p.region} after up to ` +
        `${Number.isFinite(p.seconds) ? `${p.seconds} s` : 'never'}, over the budget slo.failoverSeconds = ` +
        `${sloSeconds} s: ${p.breakdown}`,
    }));
}

/** Load of health probes per origin, all checkers together. */
export interface OriginProbeLoad {
  readonly origin: string;
  readonly region?: string;
  readonly requestsPerSecond: number;
  readonly sources: readonly ProbeSource[];
}

/** Sums probe sources per origin (each resource counted once, even when several front doors share it). */
export function probeLoad(sources: readonly ProbeSource[]): OriginProbeLoad[] {
  const unique = new Map<string, ProbeSource>();
  for (const s of sources) unique.set(`${s.resource}|${s.origin}`, s);
  const byOrigin = new Map<string, ProbeSource[]>();
  for (const s of unique.values()) byOrigin.set(s.origin, [...(byOrigin.get(s.origin) ?? []), s]);
  return [...byOrigin]
    .map(([origin, list]) => ({
      origin,
      region: list.find((s) => s.region)?.region,
      requestsPerSecond: round(list.reduce((sum, s) => sum + s.requestsPerSecond, 0)),
      sources: list,
    }))
    .sort((a, b) => b.requestsPerSecond - a.requestsPerSecond || a.origin.localeCompare(b.origin));
}

/**
 * The probe-load proof: a violation for each origin of `load` (see {@link probeLoad}) receiving more than `maxRps`
 * health-probe requests per second, naming every resource that probes it with its rate and how that is derived.
 */
export function probeLoadViolations(load: readonly OriginProbeLoad[], maxRps: number): Violation[] {
  return load
    .filter((l) => l.requestsPerSecond > maxRps)
    .map((l) => ({
      proof: 'probe-load' as const,
      scenarios: ['normal operation'],
      clientGroups: [],
      resources: l.sources.map((s) => s.resource),
      message:
        `probe-load: origin ${l.origin}${l.region ? ` (${l.region})` : ''} receives ${l.requestsPerSecond} ` +
        `health-probe requests/s, over the ceiling of ${maxRps}/s: ` +
        `${l.sources.map((s) => `${s.resource} ${round(s.requestsPerSecond)}/s (${s.derivation})`).join('; ')}`,
    }));
}

export function round(n: number): number {
  return Math.round(n * 1000) / 1000;
}
