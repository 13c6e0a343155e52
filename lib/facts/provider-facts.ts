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

/**
 * The Elastic Load Balancing account that writes access logs in each region opened before August 2022 (its bucket
 * policy grants this account); newer regions grant {@link ELB_LOG_DELIVERY_PRINCIPAL} instead. Sources: the ALB
 * access-logs guide (docs.aws.amazon.com/elasticloadbalancing/latest/application/enable-access-logging.html), the
 * pinned provider's `aws_elb_service_account` table and AWS CDK's region facts, which agree.
 */
export const ELB_LOG_DELIVERY_ACCOUNTS: Readonly<Record<string, string>> = {
  'us-east-1': '127311923021',
  'us-east-2': '033677994240',
  'us-west-1': '027434742980',
  'us-west-2': '797873946194',
  'af-south-1': '098369216593',
  'ap-east-1': '754344448648',
  'ap-south-1': '718504428378',
  'ap-northeast-1': '582318560864',
  'ap-northeast-2': '600734575887',
  'ap-northeast-3': '383597477331',
  'ap-southeast-1': '114774131450',
  'ap-southeast-2': '783225319266',
  'ap-southeast-3': '589379963580',
  'ca-central-1': '985666609251',
  'eu-central-1': '054676820928',
  'eu-west-1': '156460612806',
  'eu-west-2': '652711504416',
  'eu-west-3': '009996457667',
  'eu-south-1': '635631232127',
  'eu-north-1': '897822967062',
  'me-south-1': '076674570225',
  'sa-east-1': '507241528517',
};

/** The service that writes ALB access logs in regions opened in August 2022 or later. */
export const ELB_LOG_DELIVERY_PRINCIPAL = 'logdelivery.elasticloadbalancing.amazonaws.com';

/**
 * AWS managed WAF rule groups a web ACL in front of an inference API can use, with the rules of each that inspect
 * the request body. A prompt is free text — code, URLs, file paths, `${jndi:...}` in a question about Log4Shell —
 * so body rules would refuse legitimate requests; by default they count instead of block (and an ALB's WAF sees only
 * the first 8 KB of a body, which SizeRestrictions_BODY would otherwise block outright). Source: the AWS WAF
 * developer guide, "AWS Managed Rules rule groups list" (checked 2026-12).
 */
export const WAF_MANAGED_RULE_GROUPS: Readonly<Record<string, { readonly bodyRules: readonly string[] }>> = {
  AWSManagedRulesCommonRuleSet: {
    bodyRules: [
      'SizeRestrictions_BODY',
      'EC2MetaDataSSRF_BODY',
      'GenericLFI_BODY',
      'GenericRFI_BODY',
      'CrossSiteScripting_BODY',
    ],
  },
  AWSManagedRulesKnownBadInputsRuleSet: { bodyRules: ['JavaDeserializationRCE_BODY', 'Log4JRCE_BODY'] },
  AWSManagedRulesAmazonIpReputationList: { bodyRules: [] },
  AWSManagedRulesAnonymousIpList: { bodyRules: [] },
  AWSManagedRulesSQLiRuleSet: { bodyRules: ['SQLi_BODY'] },
};

/** The rate-based rule limits AWS WAF accepts, requests per client IP per evaluation window. */
export const WAF_RATE_LIMIT_RANGE = { min: 10, max: 2_000_000_000 } as const;

/**
 * The period and mitigation-timeout values (seconds) Cloudflare rate limiting rules take: "10, 15, 20, 30, 40, 45, 60
 * (1 min), 90, 120 (2 min), 180 (3 min), 240 (4 min), 300 (5 min), 480, 600 (10 min), 900, 1200 (20 min), 1800, 2400,
 * 3600 (1 h), 65535, 86400 (1 day)"; "not all values are available on all plans" (see
 * {@link PLAN_RATE_LIMIT_LIMITS}). Source: developers.cloudflare.com/waf/rate-limiting-rules/ (the availability
 * table, cloudflare-docs `src/content/partials/waf/rate-limiting-availability-by-plan.mdx`, checked 2026-12).
 */
export const RATE_LIMIT_SUPPORTED_SECONDS = [
  10, 15, 20, 30, 40, 45, 60, 90, 120, 180, 240, 300, 480, 600, 900, 1200, 1800, 2400, 3600, 65535, 86400,
] as const;

/** What a zone's plan allows of rate limiting rules: the longest counting period and mitigation timeout, the rules. */
export interface RateLimitPlanLimits {
  /** Longest counting period (`period`), seconds. */
  readonly maxPeriodSeconds: number;
  /** Longest mitigation timeout (`mitigation_timeout`), seconds. */
  readonly maxMitigationTimeoutSeconds: number;
  /** Rate limiting rules per zone. */
  readonly maxRules: number;
}

/**
 * Rate limiting rules per plan (same source as {@link RATE_LIMIT_SUPPORTED_SECONDS}): counting periods "all supported
 * values up to" 1 min (Pro), 10 min (Business), 65,535 s (Enterprise); mitigation timeouts up to 1 h (Pro), 1 day
 * (Business, Enterprise; Enterprise may also set a custom one through the API, which the library does not offer);
 * 2, 5 and 100 rules (Enterprise: "depends on the exact contract terms"). Every plan counts by IP.
 */
export const PLAN_RATE_LIMIT_LIMITS: Readonly<Record<CloudflarePlan, RateLimitPlanLimits>> = {
  pro: { maxPeriodSeconds: 60, maxMitigationTimeoutSeconds: 3600, maxRules: 2 },
  business: { maxPeriodSeconds: 600, maxMitigationTimeoutSeconds: 86400, maxRules: 5 },
  enterprise: { maxPeriodSeconds: 65535, maxMitigationTimeoutSeconds: 86400, maxRules: 100 },
};

/**
 * The counting periods every reading of the provider accepts: one provider source read restricts `period` to these
 * four values, the other does not (PROVIDER-NOTES.md), so the library offers only these — a spec it accepts then
 * plans under either.
 */
export const RATE_LIMIT_PROVIDER_PERIODS = [10, 60, 600, 3600] as const;

/** The counting periods a plan offers that the provider accepts, seconds. */
export function rateLimitPeriods(plan: CloudflarePlan): number[] {
  return RATE_LIMIT_PROVIDER_PERIODS.filter((s) => s <= PLAN_RATE_LIMIT_LIMITS[plan].maxPeriodSeconds);
}

/** The mitigation timeouts a plan offers, seconds. */
export function rateLimitMitigationTimeouts(plan: CloudflarePlan): number[] {
  return RATE_LIMIT_SUPPORTED_SECONDS.filter((s) => s <= PLAN_RATE_LIMIT_LIMITS[plan].maxMitigationTimeoutSeconds);
}

/**
 * Rate limiting characteristics: Cloudflare counts per data center, so `cf.colo.id` is mandatory in every rule's
 * `characteristics` (and may not be used in expressions); `ip.src` counts per client IP, on every plan. Source:
 * developers.cloudflare.com/waf/rate-limiting-rules/parameters/.
 */
export const RATE_LIMIT_CHARACTERISTICS = ['cf.colo.id', 'ip.src'] as const;
