import { z } from 'zod';

/*
 * The programmable edge router part of the spec (a Cloudflare Worker + KV in front of the regional endpoints).
 * Owned by lib/edge-router. Limits match what the Worker accepts (lib/edge-router/router-config.ts).
 */

const wholeMs = (min: number, max: number) =>
  z
    .number()
    .int('must be a whole number of milliseconds')
    .min(min, `must be ≥ ${min} ms`)
    .max(max, `must be ≤ ${max} ms`);

/** One cron field: numbers, ranges, steps, lists, names (MON, JAN) and Cloudflare's L, W, #. */
const CRON_ITEM = /(?:\*|\?|[0-9A-Za-z]+(?:-[0-9A-Za-z]+)?(?:#\d)?)(?:\/\d+)?/;
const CRON_FIELD = new RegExp(`^${CRON_ITEM.source}(?:,${CRON_ITEM.source})*$`);

/** A 5-field cron expression (minute hour day-of-month month day-of-week), as Workers cron triggers take it. */
export const EdgeRouterCronSchema = z.string().refine((cron) => {
  const fields = cron.trim().split(/\s+/);
  return fields.length === 5 && fields.every((f) => CRON_FIELD.test(f));
}, 'must be a 5-field cron expression (minute hour day-of-month month day-of-week), such as "* * * * *" (every ' +
  'minute) or "*/5 * * * *"');

/** `edgeRouter.breaker`: the per-backend circuit breaker of each Worker isolate. */
export const EdgeRouterBreakerSchema = z
  .strictObject({
    failureThreshold: z
      .number()
      .int('must be a whole number')
      .min(1, 'must be ≥ 1')
      .max(100, 'must be ≤ 100')
      .default(3)
      .meta({
        description: 'Consecutive failures (timeout before headers, 502, 504) that open a backend’s circuit breaker.',
      }),
    openOnUnambiguousFailure: z
      .boolean()
      .default(true)
      .meta({
        description:
          'A refused connection, a 503 (no healthy target behind the ALB, or load shedding) or an attempt ' +
          'timeout during which the backend answered nothing else (it hangs) opens the breaker at once instead ' +
          'of after failureThreshold.',
      }),
    cooldownMs: wholeMs(100, 600_000)
      .default(10_000)
      .meta({
        description:
          'Back-off after a failed half-open trial that was a real client request (the readiness path passed, ' +
          'the request failed; only when remeasurePercent is 0 or no other backend is healthy): no probe for ' +
          'this long, doubled by each further failed trial (up to 8x). Also the longest wait before the first ' +
          'probe.',
      }),
    probeIntervalMs: wholeMs(50, 600_000)
      .default(1_000)
      .meta({
        description:
          'How often each isolate probes the readiness path of a backend whose breaker is open (the first probe ' +
          'this long after it opened; in the background, only while requests arrive), and how often it ' +
          're-measures a demoted, saturated or erroring backend: a backend that comes back is used again within ' +
          'about one or two of these. Lower = faster return, more probes and copies.',
      }),
  })
  .meta({ description: 'Per-backend circuit breaker of each Worker isolate.' });

/** `edgeRouter.probe`: the scheduled readiness probe (cron and timeout). */
export const EdgeRouterProbeSchema = z
  .strictObject({
    cron: EdgeRouterCronSchema.default('* * * * *').meta({
      description:
        'When the Worker probes every backend’s readiness path (Cloudflare cron trigger; one minute is the ' +
        'finest schedule).',
    }),
    timeoutMs: wholeMs(100, 60_000)
      .default(5_000)
      .meta({ description: 'Time a probe may take before the backend counts as down.' }),
  })
  .meta({ description: 'Scheduled readiness probe; results go to KV so new isolates start from known health.' });

/** `edgeRouter.saturation`: how long a saturated backend (429, 503 with Retry-After) gets no first attempts. */
export const EdgeRouterSaturationSchema = z
  .strictObject({
    defaultBackoffMs: wholeMs(50, 600_000)
      .default(1_000)
      .meta({
        description:
          'How long a backend that answered 429 without Retry-After gets no first attempts (with Retry-After: ' +
          'what it asked for).',
      }),
    maxBackoffMs: wholeMs(50, 3_600_000).default(60_000).meta({
      description: 'Longest Retry-After honoured from a backend; a longer one (or a date further out) is cut to this.',
    }),
  })
  .meta({
    description:
      'Saturated backends (429, or 503 with Retry-After): retried elsewhere, and no first attempts until their ' +
      'back-off has passed.',
  });

/** The tuning part of the edge router: how requests are routed and retried (also the construct's props). */
const EdgeRouterSettingsShape = {
  strategy: z
    .enum(['latency', 'weighted'], {
      error: "must be 'latency' (fastest backends, split by weight) or 'weighted' (split by weight alone)",
    })
    .default('latency')
    .meta({
      description:
        'latency: the backends with the lowest observed latency take traffic, split among themselves by ' +
        'weight; weighted: traffic is split by weight alone (exact canary shares).',
    }),
  weights: z
    .record(z.string(), z.number().min(0, 'must be ≥ 0 (0 sends no traffic)').max(10_000, 'must be ≤ 10000'))
    .optional()
    .meta({
      description:
        'Initial weight per region code (relative share; 0 = no traffic). Operators change them live through ' +
        'the admin API. Default: 100 each.',
    }),
  attemptTimeoutMs: wholeMs(50, 600_000)
    .default(10_000)
    .meta({
      description:
        'Time one attempt may wait for response headers before the next backend is tried. Streams send headers ' +
        'at once; a non-streamed completion sends them when done, so keep this above your longest non-streamed ' +
        'generation.',
    }),
  maxAttempts: z
    .number()
    .int('must be a whole number')
    .min(1, 'must be ≥ 1')
    .max(10, 'must be ≤ 10')
    .default(3)
    .meta({ description: 'Attempts per request, the first included (each on a different backend).' }),
  budgetMs: wholeMs(50, 900_000)
    .default(30_000)
    .meta({ description: 'Total time a request may spend on attempts before the router answers 503/504.' }),
  breaker: EdgeRouterBreakerSchema.default({
    failureThreshold: 3,
    cooldownMs: 10_000,
    probeIntervalMs: 1_000,
    openOnUnambiguousFailure: true,
  }),
  latencyTolerancePercent: z
    .number()
    .min(0, 'must be ≥ 0')
    .max(1000, 'must be ≤ 1000')
    .default(25)
    .meta({ description: 'latency strategy: backends within this percentage of the fastest share traffic by weight.' }),
  explorePercent: z
    .number()
    .min(0, 'must be ≥ 0')
    .max(50, 'must be ≤ 50')
    .default(0.5)
    .meta({
      description:
        'latency strategy: share of requests sent to a healthy backend outside the fastest group, to keep its ' +
        'latency estimate fresh.',
    }),
  tableCacheSeconds: z
    .number()
    .int('must be a whole number of seconds')
    .min(0, 'must be ≥ 0')
    .max(300, 'must be ≤ 300')
    .default(10)
    .meta({
      description:
        'How long an isolate routes by its copy of the table before reading KV again (KV itself takes up to ' +
        '~60 s to propagate a change).',
    }),
  probe: EdgeRouterProbeSchema.default({ cron: '* * * * *', timeoutMs: 5_000 }),
  saturation: EdgeRouterSaturationSchema.default({ defaultBackoffMs: 1_000, maxBackoffMs: 60_000 }),
  remeasurePercent: z
    .number()
    .min(0, 'must be ≥ 0 (0: no copies)')
    .max(50, 'must be ≤ 50')
    .default(10)
    .meta({
      description:
        'Largest share of requests also sent, as a background copy whose answer is discarded, to a backend the ' +
        'router is not sending traffic to (demoted for latency, saturated past its back-off, erroring, ' +
        'half-open): how a backend that became the best again is noticed without sending a client there (at most ' +
        'one copy per backend per probe interval). Copies carry the client’s headers plus x-router-copy; ' +
        'backends that meter per key count them. 0: no copies (trials and exploration use real requests).',
    }),
  retryServerErrors: z
    .boolean()
    .default(true)
    .meta({
      description:
        'Retry 500 and the other 5xx statuses (besides 502/503/504, always retried) on another backend before ' +
        'the client has received anything. Every 5xx counts toward the backend’s error rate and breaker either ' +
        'way.',
    }),
  streamIdleTimeoutMs: wholeMs(50, 600_000)
    .default(30_000)
    .meta({
      description:
        'A streamed (SSE) answer that sends nothing for this long is broken: the client gets an error event and ' +
        'the stream ends; the backend counts as failing.',
    }),
  keepLiveEdits: z
    .boolean()
    .default(true)
    .meta({
      description:
        'true: Terraform writes the initial table once and never overwrites what operators changed live; false: ' +
        'every apply that changes the generated table resets the live table to it.',
    }),
  logDecisions: z
    .boolean()
    .default(true)
    .meta({ description: 'Log one JSON line per routing decision (Workers Logs).' }),
} as const;

/**
 * The programmable edge router part of the spec (a Cloudflare Worker + KV in front of the regional endpoints).
 */
export const EdgeRouterSchema = z
  .strictObject({
    accountId: z
      .string()
      .regex(/^[0-9a-f]{32}$/, 'must be a Cloudflare account id (32 hex characters)')
      .meta({ description: 'Cloudflare account of the Worker and KV namespace.' }),
    zoneId: z
      .string()
      .regex(/^[0-9a-f]{32}$/, 'must be a Cloudflare zone id (32 hex characters)')
      .optional()
      .meta({ description: 'Zone of the route or custom domain.' }),
    scriptName: z
      .string()
      .regex(
        /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/,
        "must be a Worker name: lower-case letters, digits and '-', at most 63 characters",
      )
      .optional()
      .meta({ description: 'Name of the Worker script. Default: <service name>-edge-router.' }),
    hostname: z
      .string()
      .max(253, 'must be at most 253 characters (DNS limit)')
      .regex(
        /^(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z][a-z0-9-]{0,61}[a-z0-9]$/,
        'must be a lower-case DNS name such as api.inference.example.com',
      )
      .optional()
      .meta({
        description:
          'Serve the router on this hostname as a Worker custom domain (Cloudflare creates the DNS record and ' +
          'certificate). Needs zoneId.',
      }),
    routePattern: z
      .string()
      .regex(
        /^(?:\*\.?)?(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z][a-z0-9-]{0,61}[a-z0-9]\/\S*$/,
        'must be a Workers route pattern such as inference.example.com/v1/* (host, then a path that may end in *)',
      )
      .optional()
      .meta({
        description:
          'Also (or instead) run the router on a route of an existing proxied hostname, e.g. ' +
          'inference.example.com/v1/*. Needs zoneId.',
      }),
    ...EdgeRouterSettingsShape,
  })
  .superRefine((spec, ctx) => {
    crossCheck(spec, ctx);
    for (const key of ['hostname', 'routePattern'] as const) {
      if (spec[key] !== undefined && spec.zoneId === undefined) {
        ctx.addIssue({
          code: 'custom',
          path: ['zoneId'],
          input: undefined,
          message:
            `is required when ${key} is set (the ${key === 'hostname' ? 'custom domain' : 'route'} belongs to a ` +
            'zone)',
        });
      }
    }
  })
  .meta({
    description:
      'Programmable edge router (Cloudflare Worker + KV): live weights, model-aware routing, in-request retries.',
  });

function crossCheck(
  spec: { attemptTimeoutMs: number; budgetMs: number; saturation: { defaultBackoffMs: number; maxBackoffMs: number } },
  ctx: z.RefinementCtx,
): void {
  if (spec.saturation.maxBackoffMs < spec.saturation.defaultBackoffMs) {
    ctx.addIssue({
      code: 'custom',
      path: ['saturation', 'maxBackoffMs'],
      input: spec.saturation.maxBackoffMs,
      message:
        `must be ≥ saturation.defaultBackoffMs (${spec.saturation.defaultBackoffMs}), the back-off used when a ` +
        'backend sends no Retry-After',
    });
  }
  if (spec.budgetMs < spec.attemptTimeoutMs) {
    ctx.addIssue({
      code: 'custom',
      path: ['budgetMs'],
      input: spec.budgetMs,
      message:
        `must be ≥ attemptTimeoutMs (${spec.attemptTimeoutMs}), or the first attempt is cut short; a budget of ` +
        'about maxAttempts × attemptTimeoutMs lets every attempt run in full',
    });
  }
}

/** The spec's `edgeRouter` section, validated, defaults filled in. */
export type EdgeRouterSpec = z.output<typeof EdgeRouterSchema>;
/** The spec's `edgeRouter` section as authored. */
export type EdgeRouterSpecInput = z.input<typeof EdgeRouterSchema>;
