/*
 * Runtime settings of the edge router Worker, passed as JSON in the ROUTER_CONFIG plain-text binding.
 * Pure TypeScript with no imports (bundled into the Worker). The construct validates the user-facing settings
 * with the spec schema; the Worker reads them tolerantly (a missing or malformed field falls back to its default)
 * so that a bad binding degrades to defaults instead of taking routing down.
 */

/** How a backend is chosen among the healthy, eligible ones. */
export type RouterStrategy = 'latency' | 'weighted';

/**
 * The Worker's runtime settings (the ROUTER_CONFIG binding), derived from {@link EdgeRouterProps}; see
 * {@link DEFAULT_ROUTER_CONFIG} for the values the Worker falls back to.
 */
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
  /**
   * Back-off after a failed half-open trial (the readiness path passed, the request failed): no readiness probe for
   * this long, doubled by each further failed trial up to 8x, reset by a success.
   */
  readonly breakerCooldownMs: number;
  /**
   * How often an open breaker's readiness probe runs (the first one this long after it opened; in the background,
   * only while requests for the model arrive), and how often a demoted backend is re-measured: a backend that comes
   * back is used again within about this time.
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
  /**
   * A saturated backend (429, or 503 with Retry-After) gets no first attempts for its Retry-After, or this long when
   * it sends none.
   */
  readonly saturationBackoffMs: number;
  /** Longest Retry-After honoured from a backend (a larger one, or an HTTP date further out, is cut to this). */
  readonly saturationMaxBackoffMs: number;
  /**
   * Share of requests that may also be sent, as a background copy whose answer is discarded, to a backend the router
   * is not sending traffic to (demoted, saturated, erroring, half-open, or slower): how the router notices that it
   * became the best again without sending a client there. 0: no copies (real requests re-measure it instead).
   */
  readonly remeasureRatio: number;
  /** Retry 500 and the other 5xx statuses (besides 502/503/504) on another backend before the client has a byte. */
  readonly retryServerErrors: boolean;
  /** A streamed (SSE) answer that sends nothing for this long counts as broken mid-stream. */
  readonly streamIdleTimeoutMs: number;
  /**
   * Non-streamed answers up to this size are read whole before the client gets anything, so one that breaks off
   * is retried on another backend; a larger one is streamed through (a break then aborts the client's body).
   */
  readonly maxResponseBufferBytes: number;
  /**
   * true: the deployed table (ROUTER_DEPLOYED_TABLE) only seeds the writer once; false: a deployment with a different
   * generated table makes it the live table again (a new version, audited as a deploy).
   */
  readonly keepLiveEdits: boolean;
  /** Log one JSON line per routing decision. */
  readonly logDecisions: boolean;
  /**
   * Header carrying the origin secret (binding ORIGIN_AUTH_SECRET) on every request and probe to a backend, for
   * origins locked to the front door. null: none.
   */
  readonly originAuthHeader: string | null;
}

/** The settings the Worker falls back to for a missing or malformed field of its binding. */
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
  saturationBackoffMs: 1_000,
  saturationMaxBackoffMs: 60_000,
  remeasureRatio: 0.1,
  retryServerErrors: true,
  streamIdleTimeoutMs: 30_000,
  maxResponseBufferBytes: 8 * 1024 * 1024,
  keepLiveEdits: true,
  logDecisions: true,
  originAuthHeader: null,
};

/** Settings that are true or false. */
const BOOLEAN_SETTINGS = ['logDecisions', 'breakerOpenOnUnambiguous', 'retryServerErrors', 'keepLiveEdits'] as const;

/** Limits of each numeric setting (inclusive); the Worker ignores values outside them. */
export const ROUTER_CONFIG_LIMITS: Readonly<
  Record<
    Exclude<keyof RouterConfig, 'strategy' | 'originAuthHeader' | (typeof BOOLEAN_SETTINGS)[number]>,
    readonly [number, number]
  >
> = {
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
  saturationBackoffMs: [50, 600_000],
  saturationMaxBackoffMs: [50, 3_600_000],
  remeasureRatio: [0, 0.5],
  streamIdleTimeoutMs: [50, 600_000],
  maxResponseBufferBytes: [0, 64 * 1024 * 1024],
};

/** The config from the binding's text, field by field; `ignored` names fields that fell back to defaults. */
export function parseRouterConfig(text: string | undefined): { config: RouterConfig; ignored: string[] } {
  const ignored: string[] = [];
  let raw: Record<string, unknown> = {};
  if (text !== undefined && text.trim() !== '') {
    try {
      const parsed: unknown = JSON.parse(text);
      if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed))
        raw = parsed as Record<string, unknown>;
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
      if (value === null || (typeof value === 'string' && /^[A-Za-z0-9-]{1,40}$/.test(value)))
        config.originAuthHeader = value;
      else ignored.push(key);
    } else if ((BOOLEAN_SETTINGS as readonly string[]).includes(key)) {
      if (typeof value === 'boolean') config[key] = value;
      else ignored.push(key);
    } else if (Object.hasOwn(ROUTER_CONFIG_LIMITS, key)) {
      const [min, max] = ROUTER_CONFIG_LIMITS[key as keyof typeof ROUTER_CONFIG_LIMITS];
      if (typeof value === 'number' && Number.isFinite(value) && value >= min && value <= max) config[key] = value;
      else ignored.push(key);
    } else {
      ignored.push(key);
    }
  }
  return { config: config as unknown as RouterConfig, ignored };
}
