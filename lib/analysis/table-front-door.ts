/*
 * The extension point for routers driven by a table of backends: an extractor that reads a synthesized table
 * describes it as a {@link BackendTable}, and {@link tableFrontDoor} turns that into a front door the proofs,
 * explain, diagram and failover budget understand. The edge router's own table (the `cloudflare_workers_kv` value
 * lib/edge-router writes) is read this way by one of the DEFAULT_EXTRACTORS; a router of your own adds its extractor:
 *
 *   const myRouter: FrontDoorExtractor = (context) => myTables(context.stacks).map((t) => tableFrontDoor(context, t));
 *   analyzeRouting(outdir, { extractors: [myRouter] });
 *
 * Semantics modelled: clients bound to a jurisdiction reach only its backends (the router's residency groups);
 * other clients reach every backend. Enabled backends with weight > 0 in a region that is up take traffic: by
 * weight (`weighted`), or the nearest ones by weight (`latency`, approximated by distance). When none is up, the
 * router still tries its candidates (no healthy answer). Every other allowed backend is a possible landing: a
 * failed attempt is retried on the next backend in the same request (up to `maxAttempts`).
 *
 * Reachability (every health state, and every live change operators can make): weights and drain/enable are tuned
 * live through the admin API, so every backend the client's jurisdiction allows can receive its requests, whatever
 * the synthesized weight; residency groups and backend jurisdictions change only through Terraform. A client's
 * jurisdiction is found as the Worker does: a country match in any group first, then a continent match.
 */
import { unreadableFix } from './unknowns';
import type { ResidencyClients } from '../spec/residency';
import { isKnownRegion, regionInfo } from '../spec/regions';
import { greatCircleKm as greatCircle } from '../util/geo';
import type {
  ClientGroup,
  Detection,
  DiagramPart,
  FailoverPath,
  GraphContext,
  HealthState,
  Landing,
  PathStep,
  ProbeSource,
  ReachPath,
} from './model';

/**
 * One backend of a {@link BackendTable}: the host the router sends requests to, the jurisdiction it serves, and its
 * weight and state in the synthesized table (operators change those two live, so reachability does not rely on them).
 */
export interface TableBackend {
  /** Backend key (the region code in lib/edge-router's table). */
  readonly key: string;
  /** Hostname requests go to (region found through the context). */
  readonly host: string;
  /** Jurisdiction it serves from: a residency group's clients reach only its jurisdiction's backends, others any. */
  readonly jurisdiction?: string;
  /** Relative share of traffic among the backends a request can use; 0 takes none until changed. */
  readonly weight: number;
  /** False: drained, no traffic until enabled again. */
  readonly enabled: boolean;
}

/**
 * A router driven by a table of backends (the edge router's KV routing table), as an extractor describes it for
 * {@link tableFrontDoor}: its backends, residency groups, strategy, retries and readiness probe.
 */
export interface BackendTable {
  /** Unique id, e.g. `edge-router:cloudflare_workers_kv.Router_TableCurrent`. */
  readonly id: string;
  /** e.g. `Edge router chat-router`. */
  readonly label: string;
  /** Terraform address of the table (and script), for messages. */
  readonly resources: readonly string[];
  readonly backends: readonly TableBackend[];
  /** Residency groups of the table, by jurisdiction. */
  readonly residency: ResidencyClients;
  /** How a request picks among the backends that are up: by weight, or the nearest ones by weight (`latency`). */
  readonly strategy: 'latency' | 'weighted';
  /** Per-attempt timeout and attempts per request: the failover bound is their product. */
  readonly attemptTimeoutMs: number;
  readonly maxAttempts: number;
  /** Scheduled readiness probe: seconds between runs and requests per backend per run (one per model). */
  readonly probeIntervalSeconds?: number;
  readonly probesPerRun?: number;
  /** Why the table cannot be read at synth: its one backend is then unplaced (a possible leak, an unknown time). */
  readonly unreadable?: string;
}

/** A front door for a table-driven router. */
export function tableFrontDoor(context: GraphContext, table: BackendTable) {
  const region = new Map(table.backends.map((b) => [b.key, context.regionOfHost(b.host)]));
  const keys = Object.keys(table.residency).sort();
  const jurisdictionOf = (client: ClientGroup): string | undefined =>
    (client.country ? keys.find((j) => table.residency[j].countries.includes(client.country!)) : undefined) ??
    keys.find((j) => table.residency[j].continents.includes(client.continent));
  const place = (b: TableBackend): ReachPath['landing'] => {
    if (table.unreadable)
      return {
        endpoint: entry.address,
        unplaced: `${entry.address}: ${table.unreadable}`,
        fix: unreadableFix(entry.address),
      };
    const r = region.get(b.key);
    if (r) return { region: r, endpoint: b.host };
    const declared = context.declaredEndpoint(b.host);
    if (declared) return { endpoint: b.host, declared };
    const placed = context.placeHost?.(b.host);
    return {
      endpoint: b.host,
      unplaced:
        `backend ${b.key} of ${entry.address}: ` +
        `${placed?.inZone && placed.unplaced ? placed.unplaced : `${b.host} is not a regional name of the service`}`,
    };
  };
  const seconds = (table.attemptTimeoutMs * table.maxAttempts) / 1000;
  const entry: PathStep = { address: table.resources[0] ?? table.id, label: `${table.label} (${table.strategy})` };
  const step = (b: TableBackend, note?: string): PathStep => ({
    address: table.resources[0] ?? table.id,
    label: `backend ${b.key} (${b.host}, weight ${b.weight})`,
    note,
  });
  const distance = (client: ClientGroup, b: TableBackend) => {
    const r = region.get(b.key);
    return r && isKnownRegion(r) ? greatCircle(client, regionInfo(r)) : Number.POSITIVE_INFINITY;
  };

  return {
    kind: 'edge-router',
    id: table.id,
    label: table.label,
    resources: table.resources,
    resolve(client: ClientGroup, health: HealthState): { landings: Landing[]; noAnswer?: string; notes: string[] } {
      const j = jurisdictionOf(client);
      const allowed = table.backends.filter((b) => b.enabled && b.weight > 0 && (!j || b.jurisdiction === j));
      if (allowed.length === 0)
        return {
          landings: [],
          noAnswer: `no enabled backend${j ? ` of jurisdiction ${j}` : ''} with weight > 0`,
          notes: [],
        };
      const up = (b: TableBackend) => !health.failed.has(region.get(b.key) ?? '');
      const healthy = allowed.filter(up);
      const pool = healthy.length > 0 ? healthy : allowed;
      let chosen = pool;
      if (table.strategy === 'latency') {
        const nearest = Math.min(...pool.map((b) => distance(client, b)));
        chosen = pool.filter((b) => distance(client, b) === nearest);
      }
      const total = chosen.reduce((s, b) => s + b.weight, 0);
      const landings: Landing[] = chosen.map((b) => ({
        share: total > 0 ? b.weight / total : 1 / chosen.length,
        up: up(b),
        ...place(b),
        path: [
          entry,
          step(b, healthy.length === 0 ? 'no backend is up: the router still tries its candidates' : undefined),
        ],
      }));
      if (table.maxAttempts > 1) {
        for (const b of allowed.filter((x) => !chosen.includes(x))) {
          landings.push({
            ...place(b),
            share: 0,
            up: up(b),
            possible: `retry on the next backend (up to ${table.maxAttempts} attempts)`,
            path: [entry, step(b, 'retry after a failed attempt')],
          });
        }
      }
      return { landings, notes: [] };
    },
    reach(client: ClientGroup): ReachPath[] {
      const j = jurisdictionOf(client);
      return table.backends
        .filter((b) => !j || b.jurisdiction === j)
        .map((b) => ({
          landing: place(b),
          path: [
            entry,
            step(
              b,
              b.enabled && b.weight > 0
                ? undefined
                : `${b.enabled ? 'weight 0' : 'drained'} in the synthesized table; operators can change that live`,
            ),
          ],
          conditions: [],
          kind: 'answer' as const,
        }));
    },
    residencyRemedy(path: ReachPath, client: ClientGroup, jurisdiction: string): string | undefined {
      const b = table.backends.find((x) => path.path.some((s) => s.label.startsWith(`backend ${x.key} `)));
      if (!b) return undefined;
      const j = jurisdictionOf(client);
      if (!j)
        return (
          `add ${client.country ?? client.continent} to residency group ${jurisdiction} of the routing table ` +
          `(${entry.address}): the router sends clients no group names to every backend`
        );
      const r = region.get(b.key);
      if (r)
        return (
          `set the jurisdiction of backend ${b.key} in the routing table (${entry.address}) to ` +
          `${context.jurisdictionOf(r) ?? 'none'}: ${b.host} is in ${r}`
        );
      return undefined;
    },
    pathFailover(path: ReachPath): Detection {
      const l = path.landing;
      if (l.declared)
        return {
          seconds: Math.min(seconds, l.declared.failoverSeconds),
          breakdown:
            `${l.endpoint} is declared to fail over within ${l.declared.failoverSeconds} s ` +
            `(${l.declared.declaredBy}); the router retries after ${seconds} s`,
          resources: [...table.resources],
          causes: [{ kind: 'declared', endpoint: l.declared }],
        };
      return {
        seconds,
        breakdown:
          `${entry.address}: attempt timeout ${table.attemptTimeoutMs} ms × ${table.maxAttempts} attempts = ` +
          `${seconds} s (retried in the same request)`,
        resources: [...table.resources],
        causes: [
          {
            kind: 'edge-router',
            address: entry.address,
            attemptTimeoutMs: table.attemptTimeoutMs,
            maxAttempts: table.maxAttempts,
          },
        ],
      };
    },
    failoverPaths(normal: readonly { client: ClientGroup; landings: readonly Landing[] }[]): FailoverPath[] {
      const byRegion = new Map<string, Set<string>>();
      for (const a of normal)
        for (const l of a.landings)
          if (!l.possible && l.share > 0 && l.region)
            byRegion.set(l.region, (byRegion.get(l.region) ?? new Set()).add(a.client.label));
      return [...byRegion].map(([r, clients]) => ({
        frontDoor: table.label,
        region: r,
        seconds,
        breakdown:
          `${entry.address}: attempt timeout ${table.attemptTimeoutMs} ms × ${table.maxAttempts} attempts = ` +
          `${seconds} s (retried in the same request)`,
        resources: [...table.resources],
        clients: [...clients],
      }));
    },
    probes(): ProbeSource[] {
      if (!table.probeIntervalSeconds) return [];
      return table.backends
        .filter((b) => b.enabled)
        .map((b) => ({
          origin: b.host,
          region: region.get(b.key),
          frontDoor: table.label,
          resource: `${table.resources[0] ?? table.id}#${b.key}`,
          requestsPerSecond: (table.probesPerRun ?? 1) / table.probeIntervalSeconds!,
          derivation: `${table.probesPerRun ?? 1} probe(s) every ${table.probeIntervalSeconds} s`,
        }));
    },
    diagram(): DiagramPart {
      const id = `table:${table.id}`;
      return {
        nodes: [{ id, label: `${table.label} (${table.strategy})`, shape: 'hexagon' }],
        edges: table.backends.map((b) => ({
          from: id,
          to: region.get(b.key) ? `region:${region.get(b.key)}` : `endpoint:${b.host}`,
          label: `${b.key} w${b.weight}${b.enabled ? '' : ' (drained)'}`,
          dotted: !b.enabled || b.weight === 0,
        })),
        entry: id,
      };
    },
    locations() {
      const groups = Object.values(table.residency);
      return {
        countries: [...new Set(groups.flatMap((g) => g.countries))],
        continents: [...new Set(groups.flatMap((g) => g.continents))],
        subdivisions: [],
        cloudflareRegions: [],
      };
    },
  };
}
