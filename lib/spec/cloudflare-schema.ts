import type { Ctx } from './check-helpers';
import { z } from 'zod';
import {
  CLOUDFLARE_PLANS,
  MAX_MONITOR_INTERVAL_SECONDS,
  PLAN_MIN_MONITOR_INTERVAL_SECONDS,
  PLAN_RATE_LIMIT_LIMITS,
  rateLimitMitigationTimeouts,
  rateLimitPeriods,
  type CloudflarePlan,
} from '../facts/provider-facts';
// Provider facts shared with the analysis live in a zod-free module; re-exported where the spec always had them.
export { CLOUDFLARE_PLANS, PLAN_MIN_MONITOR_INTERVAL_SECONDS, type CloudflarePlan } from '../facts/provider-facts';

/*
 * The Cloudflare front door part of the spec (used when `frontDoor` is `cloudflare` or `both`), owned by the
 * Cloudflare constructs (lib/cloudflare). Plan facts live here (the monitor interval minimums in
 * lib/facts/provider-facts.ts, shared with the analysis) so that the spec, the constructs and their
 * validation share one source. Sources (checked 2026-11):
 * - monitor interval minimum 60 s (Pro), 15 s (Business), 10 s (Enterprise), maximum 3600 s:
 *   developers.cloudflare.com/load-balancing/monitors/create-monitor/ and .../reference/limitations/
 * - geo, dynamic (latency), proximity and least-outstanding-requests *traffic* steering: Enterprise, or the
 *   self-service traffic steering add-on; hash and least-outstanding-requests *origin* steering: Enterprise only;
 *   (Load Balancing reference architecture, "Steering options overview")
 * - one load balancing custom rule per hostname below Enterprise (.../additional-options/load-balancing-rules/)
 * - header session affinity: 1 header below Enterprise, 5 on Enterprise; sticky zero-downtime failover is not
 *   supported with header affinity; cookie TTL 1800-604800 s, header TTL 30-3600 s (API schema, provider 5.14)
 * - rate limiting rules: counting periods up to 60 s (Pro), 600 s (Business), 65535 s (Enterprise), mitigation
 *   timeouts up to 1 h (Pro) or 1 day, from one list of supported values (lib/facts/provider-facts.ts;
 *   developers.cloudflare.com/waf/rate-limiting-rules/)
 */

export { MAX_MONITOR_INTERVAL_SECONDS } from '../facts/provider-facts';

/** The 13 Cloudflare load-balancing regions (pool `check_regions`, load balancer `region_pools`). */
export const CLOUDFLARE_REGION_CODES = [
  'WNAM',
  'ENAM',
  'WEU',
  'EEU',
  'NSAM',
  'SSAM',
  'OC',
  'ME',
  'NAF',
  'SAF',
  'SAS',
  'SEAS',
  'NEAS',
] as const;

/** Traffic (pool-level) steering policies the library offers. */
export const TRAFFIC_STEERING_POLICIES = [
  'dynamic_latency',
  'geo',
  'proximity',
  'least_outstanding_requests',
  'random',
  'off',
] as const;
/** How a Cloudflare load balancer chooses a pool (`cloudflare.steering`). */
export type TrafficSteeringPolicy = (typeof TRAFFIC_STEERING_POLICIES)[number];
/** Traffic steering that needs Enterprise or the traffic steering add-on. */
export const ADD_ON_TRAFFIC_STEERING: readonly TrafficSteeringPolicy[] = [
  'dynamic_latency',
  'geo',
  'proximity',
  'least_outstanding_requests',
];
/** Traffic steering that uses `random_steering` pool weights. */
export const WEIGHTED_TRAFFIC_STEERING: readonly TrafficSteeringPolicy[] = ['random', 'least_outstanding_requests'];

/** Origin (within-pool) steering policies the library offers. */
export const ORIGIN_STEERING_POLICIES = ['random', 'hash', 'least_outstanding_requests'] as const;
/** How a Cloudflare pool chooses an origin (`cloudflare.originSteering`). */
export type OriginSteeringPolicy = (typeof ORIGIN_STEERING_POLICIES)[number];
/** Origin steering that Cloudflare sells on Enterprise only. */
export const ENTERPRISE_ORIGIN_STEERING: readonly OriginSteeringPolicy[] = ['hash', 'least_outstanding_requests'];

/** Session affinity cookie TTL limits (seconds) and header affinity idle-TTL limits. */
export const SESSION_AFFINITY_TTL_LIMITS = { cookie: [1800, 604800], header: [30, 3600] } as const;
/** Header affinity: how many headers each plan may key on. */
export const MAX_AFFINITY_HEADERS: Readonly<Record<CloudflarePlan, number>> = { pro: 1, business: 1, enterprise: 5 };
/** Load balancing custom rules per hostname below Enterprise. */
export const NON_ENTERPRISE_MAX_LB_RULES = 1;

/** Fallback value that makes a load balancer fail closed instead of leaving a jurisdiction. */
export const FAIL_CLOSED = 'fail-closed';

/**
 * The library's defaults for the Cloudflare block and the Cloudflare constructs, defined once: the zod schema's
 * `.default()`s and the constructs' `props.x ?? ...` both read them from here, so a construct used on its own
 * behaves like the spec. These are deliberate choices of the library, not the provider's schema defaults (those are
 * in lib/cloudflare/provider-schema.ts, e.g. the provider's monitor timeout is 5 s and retries 2).
 */
export const CLOUDFLARE_DEFAULTS = {
  /** Seconds before a probe counts as failed. */
  monitorTimeoutSeconds: 4,
  /** Immediate retries of a timed-out probe. */
  monitorRetries: 1,
  /** Failed probes in a row before an origin is unhealthy. */
  monitorConsecutiveDown: 2,
  /** Passed probes in a row before an origin is healthy again. */
  monitorConsecutiveUp: 2,
  monitorFollowRedirects: false,
  /** Status a ready origin answers (the spec's `health.expectedStatus` default). */
  monitorExpectedCodes: '200',
  /** Readiness path probed by a monitor used on its own (the spec's `health.path` default). */
  monitorPath: '/health',
  /** Healthy origins a pool needs to take traffic. */
  minimumOrigins: 1,
  /** Session lifetime: re-evaluate the region every 30 minutes. */
  sessionAffinityTtlSeconds: 1800,
  /** Sessions keep reaching an origin being drained long enough for streamed generations to finish. */
  sessionDrainSeconds: 300,
  /** Zero-downtime failover also retries on the next pool. */
  failoverAcrossPools: true,
  proxied: true,
  trafficSteering: false,
  enforceStrictOriginTls: true,
  /** Name of the sensitive variable holding the origin secret (`TF_VAR_origin_auth_secret`). */
  originSecretVariable: 'origin_auth_secret',
  debugPinHeader: 'X-Inference-Region',
  /**
   * Edge rate limit per client IP and Cloudflare data center: 200 requests a minute (the ALB web ACL's 1000 per
   * 5 minutes), then blocked for 5 minutes. The Pro plan's limits, so every plan accepts them.
   */
  rateLimitRequestsPerPeriod: 200,
  rateLimitPeriodSeconds: 60,
  rateLimitMitigationTimeoutSeconds: 300,
} as const;

/**
 * Whether the ALBs are locked to Cloudflare when `cloudflare.lockOrigin` is not given: yes when Cloudflare is the only
 * front door; no with `both`, where Route53 clients and health checks reach the ALBs directly. The front door used on
 * its own is the `cloudflare` case.
 */
export function defaultLockOrigin(frontDoor: string): boolean {
  return frontDoor === 'cloudflare';
}

/** A Cloudflare account or zone id (32 lower-case hex characters). Shared by the spec and the constructs. */
export const cloudflareIdSchema = (what: string) =>
  z.string().regex(/^[0-9a-f]{32}$/, `must be a Cloudflare ${what} id (32 hex characters)`);
const hexId = cloudflareIdSchema;

/** The zone's plan, with the message the spec and the constructs share. */
export const CloudflarePlanSchema = z.enum(CLOUDFLARE_PLANS, {
  message: `must be one of ${CLOUDFLARE_PLANS.join(', ')} (the zone's Cloudflare plan)`,
});

/** A lower-case DNS name (load balancer hostnames, origin addresses). */
export const HostnameSchema = z
  .string()
  .max(253, 'must be at most 253 characters (DNS limit)')
  .regex(
    /^(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z][a-z0-9-]{0,61}[a-z0-9]$/,
    'must be a lower-case DNS name such as inference.example.com',
  );

/** An HTTP header name. */
export const HeaderNameSchema = z
  .string()
  .regex(
    /^[A-Za-z0-9][A-Za-z0-9-]{0,63}$/,
    "must be an HTTP header name (letters, digits and '-'), such as X-Inference-Region",
  );

const IPV4_CIDR = /^(?:(?:25[0-5]|2[0-4]\d|1?\d?\d)\.){3}(?:25[0-5]|2[0-4]\d|1?\d?\d)\/(?:3[0-2]|[12]?\d)$/;
const IPV6_CIDR = /^[0-9a-fA-F:]+:[0-9a-fA-F:]*\/(?:12[0-8]|1[01]\d|\d?\d)$/;
const cidr = z
  .string()
  .regex(
    new RegExp(`${IPV4_CIDR.source}|${IPV6_CIDR.source}`),
    'must be an IPv4 or IPv6 CIDR block such as 203.0.113.0/24',
  );

const seconds = (min: number, max: number) =>
  z.number().int('must be a whole number of seconds').min(min, `must be ≥ ${min}`).max(max, `must be ≤ ${max}`);

/** `cloudflare.monitor`: the health monitor's timing (interval, timeout, retries, consecutive results). */
export const CloudflareMonitorSchema = z
  .strictObject({
    intervalSeconds: seconds(10, MAX_MONITOR_INTERVAL_SECONDS)
      .optional()
      .meta({
        description:
          'Seconds between probes. Default: the plan minimum (pro 60, business 15, enterprise 10), the fastest ' +
          'failover the plan allows.',
      }),
    timeoutSeconds: seconds(1, 10)
      .default(CLOUDFLARE_DEFAULTS.monitorTimeoutSeconds)
      .meta({ description: 'Seconds before a probe counts as failed.' }),
    retries: z
      .number()
      .int('must be a whole number')
      .min(0, 'must be ≥ 0')
      .max(5, 'must be ≤ 5')
      .default(CLOUDFLARE_DEFAULTS.monitorRetries)
      .meta({ description: 'Immediate retries of a timed-out probe before it counts as failed.' }),
    consecutiveDown: z
      .number()
      .int('must be a whole number')
      .min(1, 'must be ≥ 1')
      .max(10, 'must be ≤ 10')
      .default(CLOUDFLARE_DEFAULTS.monitorConsecutiveDown)
      .meta({ description: 'Failed probes in a row before an origin is unhealthy (1 reacts to a single lost probe).' }),
    consecutiveUp: z
      .number()
      .int('must be a whole number')
      .min(1, 'must be ≥ 1')
      .max(10, 'must be ≤ 10')
      .default(CLOUDFLARE_DEFAULTS.monitorConsecutiveUp)
      .meta({ description: 'Passed probes in a row before an origin is healthy again.' }),
    expectedCodes: z
      .string()
      .regex(/^(?:[1-5]\d{2}|[1-5]xx)$/, 'must be one HTTP status code such as 200, or a class such as 2xx')
      .optional()
      .meta({
        description: 'Status code (or class such as 2xx) a ready origin answers. Default: health.expectedStatus.',
      }),
    followRedirects: z
      .boolean()
      .default(CLOUDFLARE_DEFAULTS.monitorFollowRedirects)
      .meta({ description: 'Follow 301/302 answers instead of counting them as failures.' }),
  })
  .meta({ description: 'Cloudflare health monitor of the regional endpoints (HTTPS GET of health.path).' });

/** `cloudflare.sessionAffinity`: whether and how a client sticks to one region. */
export const SessionAffinitySchema = z
  .strictObject({
    type: z
      .enum(['none', 'cookie', 'header'])
      .optional()
      .meta({
        description:
          'none; cookie (browsers keep a conversation on one region, API clients without cookies are not ' +
          'pinned); header (pin by request headers such as a session id). Default: cookie; none when residency ' +
          'applies (a session outlives steering, so a travelling client would keep reaching a region outside its ' +
          'jurisdiction) or when DNS-only.',
      }),
    ttlSeconds: z
      .number()
      .int('must be a whole number of seconds')
      .optional()
      .meta({
        description:
          'Session lifetime: cookie 1800-604800 s, header idle time 30-3600 s. Default: 1800 (re-evaluate the ' +
          'region every 30 minutes).',
      }),
    headers: z
      .array(HeaderNameSchema)
      .min(1, 'must list at least one header')
      .optional()
      .meta({ description: 'Headers that key header affinity (1 below Enterprise, up to 5 on Enterprise).' }),
    zeroDowntimeFailover: z
      .enum(['none', 'temporary', 'sticky'])
      .optional()
      .meta({
        description:
          'When a pinned origin fails: sticky re-pins the session (cookie only), temporary uses another origin ' +
          'until it recovers. Default: sticky for cookie, temporary for header.',
      }),
    drainSeconds: seconds(0, 3600).default(CLOUDFLARE_DEFAULTS.sessionDrainSeconds).meta({
      description:
        'How long sessions keep reaching an origin being drained (long enough for streamed generations to finish).',
    }),
  })
  .meta({ description: 'Session affinity of the load balancer.' });

/** `cloudflare.debugPin`: a request header that pins a request to one region, for debugging. */
export const DebugPinSchema = z
  .strictObject({
    header: HeaderNameSchema.default(CLOUDFLARE_DEFAULTS.debugPinHeader).meta({
      description: 'Request header whose value (a region code) pins the request to that region.',
    }),
    regions: z
      .array(z.string().min(1))
      .min(1, 'must list at least one region')
      .optional()
      .meta({ description: 'Regions that can be pinned (one load balancing rule each). Default: every region.' }),
    sourceCidrs: z
      .array(cidr)
      .min(1, 'must list at least one CIDR')
      .optional()
      .meta({
        description:
          'Only clients in these networks (operators) may pin. (Residency forces geo steering, under which ' +
          'Cloudflare custom rules do not function: a debug pin is refused there.)',
      }),
  })
  .meta({ description: 'A debugging header that pins a request to one region (load balancing custom rules).' });

/** `cloudflare.rateLimit`: the edge rate limit per client IP (a Cloudflare rate limiting rule). */
export const EdgeRateLimitSchema = z
  .strictObject({
    requestsPerPeriod: z
      .number()
      .int('must be a whole number of requests')
      .min(1, 'must be ≥ 1')
      .default(CLOUDFLARE_DEFAULTS.rateLimitRequestsPerPeriod)
      .meta({ description: 'Requests one client IP may send per period (counted per Cloudflare data center).' }),
    periodSeconds: z
      .number()
      .int('must be a whole number of seconds')
      .min(10, 'must be ≥ 10 (the shortest counting period Cloudflare offers)')
      .max(65535, 'must be ≤ 65535 (the longest counting period Cloudflare offers)')
      .default(CLOUDFLARE_DEFAULTS.rateLimitPeriodSeconds)
      .meta({
        description:
          'Counting period, seconds: 10, 60, 600 or 3600, as far as the plan offers (pro up to 60, business up to ' +
          '600, enterprise up to 3600).',
      }),
    mitigationTimeoutSeconds: z
      .number()
      .int('must be a whole number of seconds')
      .min(10, 'must be ≥ 10 (the shortest mitigation timeout Cloudflare offers)')
      .max(86400, 'must be ≤ 86400 (one day, the longest mitigation timeout Cloudflare offers)')
      .default(CLOUDFLARE_DEFAULTS.rateLimitMitigationTimeoutSeconds)
      .meta({
        description:
          'How long a client over the limit is blocked, seconds: one of the values the plan offers (pro up to ' +
          '3600, business and enterprise up to 86400).',
      }),
  })
  .meta({ description: 'Edge rate limit per client IP: a Cloudflare rate limiting rule that blocks.' });

const CloudflareObjectSchema = z.strictObject({
  accountId: hexId('account').meta({ description: 'Cloudflare account holding the monitors and pools.' }),
  zoneId: hexId('zone').meta({ description: 'Cloudflare zone of the service hostname.' }),
  plan: CloudflarePlanSchema.meta({
    description: 'Cloudflare plan of the zone; limits the monitor interval and features.',
  }),
  trafficSteering: z
    .boolean()
    .default(CLOUDFLARE_DEFAULTS.trafficSteering)
    .meta({
      description:
        'The account has the Load Balancing traffic steering add-on (geo, dynamic latency, proximity steering ' +
        'below Enterprise). Enterprise includes it.',
    }),
  hostname: HostnameSchema.optional().meta({ description: 'Hostname of the load balancer. Default: service.domain.' }),
  proxied: z
    .boolean()
    .default(CLOUDFLARE_DEFAULTS.proxied)
    .meta({
      description:
        'Proxy traffic through Cloudflare (orange cloud): hides the origins, no DNS TTL in failover, enables ' +
        'rules and zero-downtime failover. false = DNS-only.',
    }),
  steering: z
    .enum(TRAFFIC_STEERING_POLICIES)
    .optional()
    .meta({
      description:
        'How a pool is chosen: dynamic_latency (measured RTT), geo (country/region pools; required by ' +
        'residency), proximity (pool coordinates), least_outstanding_requests, random (pool weights: canary), ' +
        'off (failover order). Default: geo when residency applies, else dynamic_latency.',
    }),
  poolWeights: z
    .record(z.string(), z.number().min(0, 'must be ≥ 0').max(1, 'must be ≤ 1 (Cloudflare pool weights are 0-1)'))
    .optional()
    .meta({
      description:
        'Pool weight (0-1) per region for random / least_outstanding_requests steering, e.g. a canary region ' +
        'at 0.1. Default: 1 each.',
    }),
  fallback: z
    .string()
    .min(1)
    .optional()
    .meta({
      description:
        "Pool of last resort: a region code, or 'fail-closed' (clients get an error rather than leaving their " +
        "jurisdiction). Default: the first region of the residency jurisdiction, 'fail-closed' with several, " +
        'else the first region.',
    }),
  originSteering: z
    .enum(ORIGIN_STEERING_POLICIES)
    .optional()
    .meta({
      description:
        'Origin choice inside a pool. Default: least_outstanding_requests on Enterprise, random otherwise ' +
        '(Cloudflare sells the others on Enterprise only).',
    }),
  minimumOrigins: z
    .number()
    .int('must be a whole number')
    .min(1, 'must be ≥ 1')
    .default(CLOUDFLARE_DEFAULTS.minimumOrigins)
    .meta({ description: 'Healthy origins a pool needs to take traffic.' }),
  monitor: CloudflareMonitorSchema.default(() => CloudflareMonitorSchema.parse({})),
  sessionAffinity: SessionAffinitySchema.default(() => SessionAffinitySchema.parse({})),
  failoverAcrossPools: z
    .boolean()
    .default(CLOUDFLARE_DEFAULTS.failoverAcrossPools)
    .meta({
      description:
        'Adaptive routing: retry a request that failed to connect (521/522/523/525/526) on the next pool, not ' +
        'only inside the pool.',
    }),
  debugPin: DebugPinSchema.optional().meta({ description: 'Debug header pinning a region. Default: off.' }),
  originSecretVariable: z
    .string()
    .regex(
      /^[a-z][a-z0-9_]{0,63}$/,
      "must be a Terraform variable name (lower-case letters, digits and '_', starting with a letter)",
    )
    .default(CLOUDFLARE_DEFAULTS.originSecretVariable)
    .meta({
      description:
        'Sensitive Terraform variable holding the secret header value Cloudflare adds to origin requests (set ' +
        'TF_VAR_<name>). The ALBs require the same value. Only with locked origins (lockOrigin): open origins ' +
        'get no header.',
    }),
  lockOrigin: z
    .boolean()
    .optional()
    .meta({
      description:
        "Lock the ALBs to Cloudflare: ingress only from Cloudflare's published ranges, 403 without the secret " +
        'header. Default: on when frontDoor is cloudflare; off with both, where Route53 clients and health ' +
        'checks reach the ALBs directly.',
    }),
  rateLimit: z
    .union([z.literal(false), EdgeRateLimitSchema], {
      error:
        'must be false (no edge rate limit) or its settings: { requestsPerPeriod, periodSeconds, ' +
        'mitigationTimeoutSeconds }',
    })
    .default(EdgeRateLimitSchema.parse({}))
    .meta({
      description:
        "A Cloudflare rate limiting rule on the load balancer's hostname (the zone's http_ratelimit phase): a " +
        'client IP over requestsPerPeriod in periodSeconds is blocked for mitigationTimeoutSeconds. Default: 200 ' +
        'a minute, blocked 5 minutes. false turns it off (an explicit, reported deviation).',
    }),
  enforceStrictOriginTls: z
    .boolean()
    .default(CLOUDFLARE_DEFAULTS.enforceStrictOriginTls)
    .meta({
      description:
        'Add a configuration rule so requests to the hostname use SSL mode Full (strict): Cloudflare validates ' +
        'the origin certificate. Turn off only if the zone already manages its http_config_settings phase.',
    }),
});

/** The spec's `cloudflare` section, with the plan and consistency checks: the Cloudflare front door. */
export const CloudflareSchema = CloudflareObjectSchema.superRefine((cloudflare, ctx) => {
  for (const problem of cloudflarePlanProblems(cloudflare))
    ctx.addIssue({ code: 'custom', path: problem.path, input: problem.input, message: problem.message });
}).meta({ description: 'Cloudflare load-balancing front door.' });

/** The Cloudflare block as authored. */
export type CloudflareSpecInput = z.input<typeof CloudflareSchema>;
/** The Cloudflare block with defaults filled in. */
export type CloudflareSpec = z.output<typeof CloudflareSchema>;
/** `cloudflare.monitor`, validated, defaults filled in. */
export type CloudflareMonitorSpec = z.output<typeof CloudflareMonitorSchema>;
/** `cloudflare.sessionAffinity`, validated, defaults filled in. */
export type SessionAffinitySpec = z.output<typeof SessionAffinitySchema>;
/** `cloudflare.debugPin`, validated, defaults filled in. */
export type DebugPinSpec = z.output<typeof DebugPinSchema>;
/** `cloudflare.rateLimit` settings, validated, defaults filled in. */
export type EdgeRateLimitSpec = z.output<typeof EdgeRateLimitSchema>;

/** A problem found by the plan and consistency checks: a path inside the Cloudflare block, the value, the rule. */
export interface CloudflareIssue {
  readonly path: (string | number)[];
  readonly input: unknown;
  readonly message: string;
}

/**
 * Plan limits and internal consistency of a (defaulted) Cloudflare block. Used by the schema's superRefine and by
 * the constructs, so both report the same messages.
 */
export function cloudflarePlanProblems(
  cf: Pick<
    CloudflareSpec,
    | 'plan'
    | 'trafficSteering'
    | 'steering'
    | 'poolWeights'
    | 'originSteering'
    | 'monitor'
    | 'sessionAffinity'
    | 'debugPin'
    | 'rateLimit'
  >,
): CloudflareIssue[] {
  const out: CloudflareIssue[] = [];
  if (cf.rateLimit)
    out.push(...rateLimitProblems(cf.plan, cf.rateLimit).map((p) => ({ ...p, path: ['rateLimit', ...p.path] })));
  out.push(...monitorProblems(cf.plan, cf.monitor).map((p) => ({ ...p, path: ['monitor', ...p.path] })));
  const steeringProblem = trafficSteeringProblem(cf.plan, cf.trafficSteering, cf.steering);
  if (steeringProblem) out.push({ path: ['steering'], input: cf.steering, message: steeringProblem });
  if (cf.poolWeights !== undefined && !WEIGHTED_TRAFFIC_STEERING.includes(cf.steering ?? 'dynamic_latency')) {
    out.push({
      path: ['poolWeights'],
      input: cf.poolWeights,
      message:
        `only apply to steering ${WEIGHTED_TRAFFIC_STEERING.join(' or ')} (steering is ` +
        `${cf.steering ?? 'the default'}); set steering: random for a canary, or remove poolWeights`,
    });
  }
  if (
    cf.originSteering !== undefined &&
    ENTERPRISE_ORIGIN_STEERING.includes(cf.originSteering) &&
    cf.plan !== 'enterprise'
  ) {
    out.push({
      path: ['originSteering'],
      input: cf.originSteering,
      message:
        `${cf.originSteering} origin steering is sold on the Enterprise plan only (plan is ${cf.plan}); use ` +
        'random or upgrade the zone',
    });
  }
  out.push(
    ...sessionAffinityProblems(cf.plan, cf.sessionAffinity).map((p) => ({
      ...p,
      path: ['sessionAffinity', ...p.path],
    })),
  );
  if (cf.debugPin?.regions && cf.plan !== 'enterprise' && cf.debugPin.regions.length > NON_ENTERPRISE_MAX_LB_RULES) {
    out.push({
      path: ['debugPin', 'regions'],
      input: cf.debugPin.regions,
      message:
        `needs one load balancing rule per region (${cf.debugPin.regions.length}), but non-Enterprise zones get ` +
        `${NON_ENTERPRISE_MAX_LB_RULES} rule per hostname; list one region or upgrade to Enterprise`,
    });
  }
  return out;
}

/** Monitor limits: the plan's minimum interval, and probes (with retries) that fit in one interval. */
export function monitorProblems(plan: CloudflarePlan, monitor: Partial<CloudflareMonitorSpec>): CloudflareIssue[] {
  const out: CloudflareIssue[] = [];
  const interval = monitor.intervalSeconds ?? PLAN_MIN_MONITOR_INTERVAL_SECONDS[plan];
  const minimum = PLAN_MIN_MONITOR_INTERVAL_SECONDS[plan];
  if (interval < minimum) {
    out.push({
      path: ['intervalSeconds'],
      input: interval,
      message: `must be ≥ ${minimum} on the ${plan} plan (Cloudflare minimum monitor interval: ${planMinimumsText()})`,
    });
  }
  if (interval > MAX_MONITOR_INTERVAL_SECONDS) {
    out.push({
      path: ['intervalSeconds'],
      input: interval,
      message: `must be ≤ ${MAX_MONITOR_INTERVAL_SECONDS} (Cloudflare maximum)`,
    });
  }
  const timeout = monitor.timeoutSeconds ?? CLOUDFLARE_DEFAULTS.monitorTimeoutSeconds;
  const retries = monitor.retries ?? CLOUDFLARE_DEFAULTS.monitorRetries;
  if (timeout * (retries + 1) >= interval) {
    out.push({
      path: ['timeoutSeconds'],
      input: timeout,
      message:
        `× (retries + 1) = ${timeout * (retries + 1)} s must be shorter than the interval (${interval} s), or a ` +
        'slow probe overlaps the next one; lower timeoutSeconds or retries',
    });
  }
  return out;
}

/**
 * Rate limiting rule limits of a plan: the counting period and the mitigation timeout must be values the plan offers
 * (the messages list them).
 */
export function rateLimitProblems(
  plan: CloudflarePlan,
  limit: Partial<Pick<EdgeRateLimitSpec, 'periodSeconds' | 'mitigationTimeoutSeconds'>>,
): CloudflareIssue[] {
  const out: CloudflareIssue[] = [];
  const limits = PLAN_RATE_LIMIT_LIMITS[plan];
  const period = limit.periodSeconds ?? CLOUDFLARE_DEFAULTS.rateLimitPeriodSeconds;
  const periods = rateLimitPeriods(plan);
  // Values outside Cloudflare's overall range (or not whole) are the schema's to report.
  const inRange = (v: number, max: number) => Number.isInteger(v) && v >= 10 && v <= max;
  if (inRange(period, 65535) && !periods.includes(period))
    out.push({
      path: ['periodSeconds'],
      input: period,
      message:
        `must be a counting period the ${plan} plan offers (up to ${limits.maxPeriodSeconds} s) and every provider ` +
        `version accepts: ${periods.join(', ')}`,
    });
  const timeout = limit.mitigationTimeoutSeconds ?? CLOUDFLARE_DEFAULTS.rateLimitMitigationTimeoutSeconds;
  const timeouts = rateLimitMitigationTimeouts(plan);
  if (inRange(timeout, 86400) && !timeouts.includes(timeout))
    out.push({
      path: ['mitigationTimeoutSeconds'],
      input: timeout,
      message:
        `must be a mitigation timeout the ${plan} plan offers (up to ${limits.maxMitigationTimeoutSeconds} s): ` +
        `${timeouts.join(', ')}`,
    });
  return out;
}

/** Why a traffic steering policy is not available on a plan, or undefined when it is. */
export function trafficSteeringProblem(
  plan: CloudflarePlan,
  addOn: boolean,
  steering: TrafficSteeringPolicy | undefined,
): string | undefined {
  const effective = steering ?? 'dynamic_latency';
  if (!ADD_ON_TRAFFIC_STEERING.includes(effective) || plan === 'enterprise' || addOn) return undefined;
  const named =
    steering === undefined
      ? `the default steering (dynamic_latency, or geo when residency applies)`
      : `${effective} steering`;
  return (
    `${named} needs the Enterprise plan or the Load Balancing traffic steering add-on (plan is ${plan}); ` +
    `set trafficSteering: true if the account has the add-on, or steering: off (failover order) or random`
  );
}

/** Session affinity rules: plan header limits, TTL ranges per type, failover modes per type. */
export function sessionAffinityProblems(
  plan: CloudflarePlan,
  affinity: Partial<SessionAffinitySpec>,
): CloudflareIssue[] {
  const out: CloudflareIssue[] = [];
  const type = affinity.type ?? 'cookie';
  if (type === 'header') {
    if (!affinity.headers || affinity.headers.length === 0) {
      out.push({
        path: ['headers'],
        input: affinity.headers,
        message: 'is required for header affinity: name the header(s) that identify a session, such as X-Session-Id',
      });
    } else if (affinity.headers.length > MAX_AFFINITY_HEADERS[plan]) {
      out.push({
        path: ['headers'],
        input: affinity.headers,
        message:
          `may list at most ${MAX_AFFINITY_HEADERS[plan]} header${MAX_AFFINITY_HEADERS[plan] === 1 ? '' : 's'} ` +
          `on the ${plan} plan (Cloudflare allows 5 on Enterprise, 1 otherwise)`,
      });
    }
    if (affinity.zeroDowntimeFailover === 'sticky') {
      out.push({
        path: ['zeroDowntimeFailover'],
        input: 'sticky',
        message: 'sticky is not supported with header affinity (Cloudflare cannot re-pin a header); use temporary',
      });
    }
  } else if (affinity.headers !== undefined) {
    out.push({
      path: ['headers'],
      input: affinity.headers,
      message: `only apply to type header (type is ${type}); remove them or set type: header`,
    });
  }
  if (type !== 'none' && affinity.ttlSeconds !== undefined) {
    const [min, max] = SESSION_AFFINITY_TTL_LIMITS[type];
    if (affinity.ttlSeconds < min || affinity.ttlSeconds > max) {
      out.push({
        path: ['ttlSeconds'],
        input: affinity.ttlSeconds,
        message: `must be between ${min} and ${max} for ${type} affinity (Cloudflare limit)`,
      });
    }
  }
  if (
    type === 'none' &&
    (affinity.ttlSeconds !== undefined ||
      (affinity.zeroDowntimeFailover !== undefined && affinity.zeroDowntimeFailover !== 'none'))
  ) {
    out.push({
      path: ['type'],
      input: type,
      message: 'is none, so ttlSeconds and zeroDowntimeFailover have no effect; remove them or choose cookie or header',
    });
  }
  return out;
}

/**
 * Checks of the Cloudflare block against the rest of the spec (regions, residency). The spec's cross-field rules
 * call it; the constructs run the same checks on their props. `spec` is read defensively: other parts may be
 * invalid and reported elsewhere.
 */
export function cloudflareCrossChecks(spec: Record<string, unknown>, ctx: Ctx): void {
  const cf = spec.cloudflare;
  if (!isObject(cf)) return;
  const regions = (Array.isArray(spec.regions) ? spec.regions : []).filter(isObject);
  const regionCodes = regions.map((r) => r.region).filter((r): r is string => typeof r === 'string');
  const jurisdictionOf = Object.fromEntries(
    regions
      .filter((r) => typeof r.region === 'string')
      .map((r) => [r.region as string, typeof r.jurisdiction === 'string' ? r.jurisdiction : undefined]),
  );
  const residency = isObject(spec.residency) ? Object.keys(spec.residency) : [];
  const debugPin = isObject(cf.debugPin) ? cf.debugPin : undefined;
  const problems = routingProblems({
    regions: regionCodes,
    jurisdictionOf,
    residencyJurisdictions: residency,
    plan: typeof cf.plan === 'string' ? (cf.plan as CloudflarePlan) : 'enterprise',
    steering: typeof cf.steering === 'string' ? (cf.steering as TrafficSteeringPolicy) : undefined,
    fallback: typeof cf.fallback === 'string' ? cf.fallback : undefined,
    poolWeights: isObject(cf.poolWeights) ? (cf.poolWeights as Record<string, number>) : undefined,
    sessionAffinity:
      isObject(cf.sessionAffinity) && typeof cf.sessionAffinity.type === 'string' ? cf.sessionAffinity.type : undefined,
    debugPin: debugPin
      ? {
          regions: Array.isArray(debugPin.regions) ? (debugPin.regions as string[]) : undefined,
          sourceCidrs: Array.isArray(debugPin.sourceCidrs) ? (debugPin.sourceCidrs as string[]) : undefined,
        }
      : undefined,
  });
  for (const p of problems) {
    // A residency jurisdiction without regions is already reported at residency.<key> by the spec's own checks.
    if (p.path[0] === 'residency') continue;
    ctx.addIssue({ code: 'custom', path: ['cloudflare', ...p.path], input: p.input, message: p.message });
  }
}

/** What {@link routingProblems} needs to know: regions, their jurisdictions, residency, routing choices. */
export interface RoutingFacts {
  /** Region codes of the pools, in the order given. */
  readonly regions: readonly string[];
  /** Jurisdiction of each region (undefined: none). */
  readonly jurisdictionOf: Readonly<Record<string, string | undefined>>;
  /** Jurisdictions whose clients must stay in them (keys of the residency groups). */
  readonly residencyJurisdictions: readonly string[];
  readonly plan: CloudflarePlan;
  readonly steering?: TrafficSteeringPolicy;
  readonly fallback?: string;
  readonly poolWeights?: Readonly<Record<string, number>>;
  readonly debugPin?: { readonly regions?: readonly string[]; readonly sourceCidrs?: readonly string[] };
  /** Session affinity type as authored (undefined: the default). */
  readonly sessionAffinity?: string;
}

/**
 * Residency and routing rules that need the regions:
 * - a residency jurisdiction needs at least one region, else its clients have nowhere to go;
 * - residency needs geo steering: only geo consults country_pools/region_pools;
 * - the fallback pool (one per load balancer, used when every pool of a client's list is unhealthy) must belong to
 *   every residency jurisdiction, which no region can do once there are two: then only 'fail-closed' is valid;
 * - pool weights, fallback and pinned regions must name regions of the load balancer;
 * - a debug pin is a custom load-balancing rule, which Cloudflare documents as not functioning under geo steering,
 *   so it is refused with geo steering, and therefore with residency;
 * - session affinity overrides steering for the session's lifetime, so with residency it must stay off.
 */
export function routingProblems(facts: RoutingFacts): CloudflareIssue[] {
  const out: CloudflareIssue[] = [];
  const known = new Set(facts.regions);
  const list = facts.regions.join(', ') || 'none';
  const active = activeResidency(facts);
  for (const j of facts.residencyJurisdictions) {
    if (!facts.regions.some((r) => facts.jurisdictionOf[r] === j)) {
      out.push({
        path: ['residency', j],
        input: j,
        message:
          `no pool belongs to jurisdiction '${j}', so its clients would have nowhere to go; give at least one ` +
          `region jurisdiction: ${j}`,
      });
    }
  }
  if (active.length > 0 && facts.steering !== undefined && facts.steering !== 'geo') {
    out.push({
      path: ['steering'],
      input: facts.steering,
      message:
        `must be geo when residency applies (${active.join(', ')}): only geo steering consults the country and ` +
        'region pools that keep clients in their jurisdiction; remove steering (non-residency clients then get ' +
        'the nearest region first) or remove residency',
    });
  }
  if (active.length > 0 && (facts.sessionAffinity === 'cookie' || facts.sessionAffinity === 'header')) {
    out.push({
      path: ['sessionAffinity', 'type'],
      input: facts.sessionAffinity,
      message:
        `must be none when residency applies (${active.join(', ')}): a session keeps its origin over steering, ` +
        'so a client that started one outside its jurisdiction (e.g. while travelling) would keep being served ' +
        'there; remove it or set type: none',
    });
  }
  if (facts.fallback !== undefined && facts.fallback !== FAIL_CLOSED) {
    if (!known.has(facts.fallback)) {
      out.push({
        path: ['fallback'],
        input: facts.fallback,
        message: `must be '${FAIL_CLOSED}' or a region of the load balancer (${list})`,
      });
    } else {
      const outside = active.filter((j) => facts.jurisdictionOf[facts.fallback as string] !== j);
      if (outside.length > 0) {
        out.push({
          path: ['fallback'],
          input: facts.fallback,
          message:
            `is outside jurisdiction ${outside.map((j) => `'${j}'`).join(' and ')}: Cloudflare sends a client ` +
            'to the single fallback pool when every pool of its list is unhealthy, so ' +
            `${outside.join('/')} clients would leave their jurisdiction. ` +
            (active.length > 1
              ? `With several residency jurisdictions no region can be the fallback; use '${FAIL_CLOSED}'`
              : `Use a region of '${active[0]}' or '${FAIL_CLOSED}'`),
        });
      }
    }
  }
  for (const region of Object.keys(facts.poolWeights ?? {})) {
    if (!known.has(region))
      out.push({
        path: ['poolWeights', region],
        input: region,
        message: `must be a region of the load balancer (${list})`,
      });
  }
  if (
    facts.poolWeights &&
    facts.regions.length > 0 &&
    facts.regions.every((r) => (facts.poolWeights?.[r] ?? 1) === 0)
  ) {
    out.push({
      path: ['poolWeights'],
      input: facts.poolWeights,
      message: 'must give at least one region a weight above 0',
    });
  }
  if (facts.debugPin) {
    const pinned = facts.debugPin.regions ?? facts.regions;
    facts.debugPin.regions?.forEach((r, i) => {
      if (!known.has(r))
        out.push({
          path: ['debugPin', 'regions', i],
          input: r,
          message: `must be a region of the load balancer (${list})`,
        });
    });
    if (
      facts.plan !== 'enterprise' &&
      facts.debugPin.regions === undefined &&
      pinned.length > NON_ENTERPRISE_MAX_LB_RULES
    ) {
      out.push({
        path: ['debugPin', 'regions'],
        input: undefined,
        message:
          `defaults to every region (${pinned.length} load balancing rules), but non-Enterprise zones get ` +
          `${NON_ENTERPRISE_MAX_LB_RULES} rule per hostname; list the one region to pin`,
      });
    }
    // Residency forces geo steering, and Cloudflare documents custom load-balancing rules (what the pin is) as
    // incompatible with geo steering: "any custom rule applied to Geo-steered load balancers will not function as
    // expected". A pin there would pass every check and do nothing, or leak if it did.
    const steering = facts.steering ?? (active.length > 0 ? 'geo' : 'dynamic_latency');
    if (steering === 'geo') {
      out.push({
        path: ['debugPin'],
        input: facts.debugPin,
        message:
          'cannot be used with geo ' +
          `steering${active.length > 0 ? ` (residency ${active.join(', ')} needs it)` : ''}: the pin is a ` +
          'load-balancing custom rule, and Cloudflare documents custom rules as incompatible with geo steering ' +
          '(they do not function as expected); ' +
          "remove debugPin and pin a request by calling the region's own hostname (<region>.<origin " +
          `domain>)${active.length > 0 ? '' : ', or use another steering policy'}`,
      });
    }
  }
  return out;
}

/** Residency jurisdictions that have at least one region (the ones the load balancer must enforce). */
export function activeResidency(
  facts: Pick<RoutingFacts, 'regions' | 'jurisdictionOf' | 'residencyJurisdictions'>,
): string[] {
  return [...new Set(facts.residencyJurisdictions)]
    .filter((j) => facts.regions.some((r) => facts.jurisdictionOf[r] === j))
    .sort();
}

function planMinimumsText(): string {
  return CLOUDFLARE_PLANS.map((p) => `${p} ${PLAN_MIN_MONITOR_INTERVAL_SECONDS[p]} s`).join(', ');
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
