/*
 * Runtime settings of the edge router Worker, passed as JSON in the ROUTER_CONFIG plain-text binding.
 * Pure TypeScript with no imports (bundled into the Worker). The construct validates the user-facing settings
 * with the spec schema; the Worker reads them tolerantly (a missing or malformed field falls back to its default)
 * so that a bad binding degrades to defaults instead of taking routing down.
 */

/** How a backend is chosen among the healthy, eligible ones. */
export type RouterStrategy = 'latency' | 'weighted';

export interface RouterConfig {
  /**
   * latency: the fastest backends (observed time to response headers, within `latencyTolerance`) take the traffic,
   * split among themselves by weight; weighted: traffic is split by weight alone (exact canary shares).
   */
  readonly strategy: RouterStrategy;
  /** Time an attempt may take until the response headers arrive; then the next backend is tried. */
  readonly attemptTimeoutMs: number;
  /** Attempts per request, the first one included. */
  readonly maxAttempts: number;
  /** Total time a request may spend trying backends before the router answers with an error. */
  readonly budgetMs: number;
  /** Consecutive failures that open a backend's circuit breaker. */
  readonly breakerFailureThreshold: number;
  /** Time an open breaker waits before its first readiness probe (a passing probe lets one trial request through). */
  readonly breakerCooldownMs: number;
  /**
   * After the cooldown, how often an open breaker's readiness probe is repeated while it fails (in the background,
   * only while requests for the model arrive): a backend that comes back is used again within about this time.
   */
  readonly breakerProbeIntervalMs: number;
  /** A refused connection or a 503 opens the breaker at once (otherwise it needs `breakerFailureThreshold`). */
  readonly breakerOpenOnUnambiguous: boolean;
  /** Backends whose cost is within this fraction of the best one share traffic by weight (latency strategy). */
  readonly latencyTolerance: number;
  /** Fraction of requests sent to a healthy backend outside the fastest group, to keep its latency estimate fresh. */
  readonly exploreRatio: number;
  /** How long an isolate uses its copy of the routing table before reading KV again. */
  readonly tableCacheMs: number;
  /** Timeout of each readiness probe of the scheduled handler. */
  readonly probeTimeoutMs: number;
  /** Largest request body accepted (the body is held in memory so it can be re-sent on retry). */
  readonly maxBodyBytes: number;
  /** Log one JSON line per routing decision. */
  readonly logDecisions: boolean;
  /**
   * Header carrying the origin secret (binding ORIGIN_AUTH_SECRET) on every request and probe to a backend, for
   * origins locked to the front door. null: none.
   */
  readonly originAuthHeader: string | null;
}

export const DEFAULT_ROUTER_CONFIG: RouterConfig = {
  strategy: 'latency',
  attemptTimeoutMs: 10_000,
  maxAttempts: 3,
  budgetMs: 30_000,
  breakerFailureThreshold: 3,
  breakerCooldownMs: 10_000,
  breakerProbeIntervalMs: 1_000,
  breakerOpenOnUnambiguous: true,
  latencyTolerance: 0.25,
  exploreRatio: 0.005,
  tableCacheMs: 10_000,
  probeTimeoutMs: 5_000,
  maxBodyBytes: 16 * 1024 * 1024,
  logDecisions: true,
  originAuthHeader: null,
};

/** Limits of each numeric setting (inclusive); the Worker ignores values outside them. */
export const ROUTER_CONFIG_LIMITS: Readonly<Record<Exclude<keyof RouterConfig, 'strategy' | 'logDecisions' | 'originAuthHeader' | 'breakerOpenOnUnambiguous'>, readonly [number, number]>> = {
  attemptTimeoutMs: [50, 600_000],
  maxAttempts: [1, 10],
  budgetMs: [50, 900_000],
  breakerFailureThreshold: [1, 100],
  breakerCooldownMs: [100, 600_000],
  breakerProbeIntervalMs: [50, 600_000],
  latencyTolerance: [0, 10],
  exploreRatio: [0, 0.5],
  tableCacheMs: [0, 300_000],
  probeTimeoutMs: [100, 60_000],
  maxBodyBytes: [1024, 100 * 1024 * 1024],
};

/** The config from the binding's text, field by field; `ignored` names fields that fell back to defaults. */
export function parseRouterConfig(text: string | undefined): { config: RouterConfig; ignored: string[] } {
  const ignored: string[] = [];
  let raw: Record<string, unknown> = {};
  if (text !== undefined && text.trim() !== '') {
    try {
      const parsed: unknown = JSON.parse(text);
      if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)) raw = parsed as Record<string, unknown>;
      else ignored.push('(root)');
    } catch {
      ignored.push('(root)');
    }
  }
  const config: Record<string, unknown> = { ...DEFAULT_ROUTER_CONFIG };
  for (const [key, value] of Object.entries(raw)) {
    if (key === 'strategy') {
      if (value === 'latency' || value === 'weighted') config.strategy = value;
      else ignored.push(key);
    } else if (key === 'originAuthHeader') {
      if (value === null || (typeof value === 'string' && /^[A-Za-z0-9-]{1,40}$/.test(value))) config.originAuthHeader = value;
      else ignored.push(key);
    } else if (key === 'logDecisions' || key === 'breakerOpenOnUnambiguous') {
      if (typeof value === 'boolean') config[key] = value;
      else ignored.push(key);
    } else if (key in ROUTER_CONFIG_LIMITS) {
      const [min, max] = ROUTER_CONFIG_LIMITS[key as keyof typeof ROUTER_CONFIG_LIMITS];
      if (typeof value === 'number' && Number.isFinite(value) && value >= min && value <= max) config[key] = value;
      else ignored.push(key);
    } else {
      ignored.push(key);
    }
  }
  return { config: config as unknown as RouterConfig, ignored };
}
