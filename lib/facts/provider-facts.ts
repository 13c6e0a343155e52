/*
 * Provider facts the spec, the constructs and the analysis share, without zod (the analysis and the policy pack
 * load no schema code). Sources (checked 2026-11):
 * - Cloudflare monitor interval minimum 60 s (Pro), 15 s (Business), 10 s (Enterprise):
 *   developers.cloudflare.com/load-balancing/monitors/create-monitor/ and .../reference/limitations/
 * - Route53 health checker regions: the `regions` a health check accepts (AWS API reference, HealthCheckConfig).
 */

/** Cloudflare plans of a zone, in increasing order. */
export const CLOUDFLARE_PLANS = ['pro', 'business', 'enterprise'] as const;
/**
 * The Cloudflare plan of a zone: what limits its load-balancer monitor interval and the load-balancing features a spec
 * may use (origin steering, rules, header affinity).
 */
export type CloudflarePlan = (typeof CLOUDFLARE_PLANS)[number];

/** The shortest load-balancer monitor interval each plan allows, in seconds. */
export const PLAN_MIN_MONITOR_INTERVAL_SECONDS: Readonly<Record<CloudflarePlan, number>> = {
  pro: 60,
  business: 15,
  enterprise: 10,
};
/** The longest monitor interval Cloudflare accepts, in seconds. */
export const MAX_MONITOR_INTERVAL_SECONDS = 3600;

/** Regions Route53 health checkers probe from (the `regions` of a health check). */
export const ROUTE53_CHECKER_REGIONS = [
  'us-east-1',
  'us-west-1',
  'us-west-2',
  'eu-west-1',
  'ap-southeast-1',
  'ap-southeast-2',
  'ap-northeast-1',
  'sa-east-1',
] as const;
