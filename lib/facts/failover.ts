/*
 * How long each provider takes to notice a failed origin: one formula per provider, used by the constructs (the
 * figure they expose and the spec checks) and by the routing analysis (the figure it proves), so the two cannot
 * drift apart. Plain numbers in, seconds out: no schema, no constructs.
 */

/** A Cloudflare monitor's settings, as synthesized. */
export interface CloudflareMonitorTiming {
  readonly intervalSeconds: number;
  readonly timeoutSeconds: number;
  readonly retries: number;
  /** Failed probes before the origin is marked down (the API's 0 means 1). */
  readonly consecutiveDown: number;
}

/**
 * Worst case from an origin failing to its monitor marking it down: the failure can start just after a probe,
 * then `consecutiveDown` probes must fail, the last one only after its timeout and each retry's timeout.
 */
export function cloudflareDetectionSeconds(m: CloudflareMonitorTiming): number {
  return m.intervalSeconds * Math.max(1, m.consecutiveDown) + m.timeoutSeconds * (m.retries + 1);
}

/** A Route53 endpoint health check's settings, as synthesized. */
export interface Route53CheckTiming {
  readonly requestIntervalSeconds: number;
  readonly failureThreshold: number;
}

/** Worst case from an endpoint failing to its Route53 health check turning unhealthy: interval × threshold. */
export function route53DetectionSeconds(c: Route53CheckTiming): number {
  return c.requestIntervalSeconds * c.failureThreshold;
}

/**
 * TTL of a DNS-only (not proxied) Cloudflare load balancer's answers: what the library writes, and the API's
 * default when a load balancer leaves it unset. Clients may keep a failed answer this long.
 */
export const CLOUDFLARE_DNS_ONLY_TTL_SECONDS = 30;
