import { z } from 'zod';
import {
  cidrList,
  cloudwatchNamespace,
  freeText,
  GP3_MAX_GIB,
  accessLogsBucketProblem,
  noDuplicates,
  metricDimensions,
  metricName,
} from './fields';
import { LONGEST_REGION_CODE } from './regions';
import { ROUTE53_CHECKER_REGIONS, WAF_MANAGED_RULE_GROUPS, WAF_RATE_LIMIT_RANGE } from '../facts/provider-facts';
/*
 * How every layer probes model readiness (`health`) and the settings shared by every regional endpoint.
 */

/** The spec's `health` section: the readiness probe every layer uses, and the capacity signals. */
export const HealthSchema = z
  .strictObject({
    path: z
      .string()
      .max(255, 'must be at most 255 characters (Route53 resource path limit)')
      .regex(/^\/[A-Za-z0-9._~\-/?=&%]*$/, "must be a URL path starting with '/', such as /health")
      .default('/health')
      .meta({ description: 'Readiness path; must answer only once the model is loaded.' }),
    expectedStatus: z
      .number()
      .int()
      .min(200, 'must be ≥ 200')
      .max(399, 'must be ≤ 399')
      .default(200)
      .meta({ description: 'HTTP status a ready server answers.' }),
    expectedBody: freeText(255, 'Route53 search string limit')
      .min(1, 'must not be empty (leave it out to match on the status only)')
      .optional()
      .meta({ description: 'Text the readiness response must contain.' }),
    intervalSeconds: z
      .union([z.literal(10), z.literal(30)], { error: 'must be 10 or 30 (the Route53 request intervals)' })
      .default(10)
      .meta({ description: 'Probe interval: 10 (fast) or 30 seconds (Route53 limits).' }),
    failureThreshold: z
      .number()
      .int()
      .min(1, 'must be ≥ 1 (Route53 limit)')
      .max(10, 'must be ≤ 10 (Route53 limit)')
      .default(3)
      .meta({ description: 'Consecutive failures before a region is unhealthy (1-10).' }),
    checkerRegions: z
      .array(
        z.enum(ROUTE53_CHECKER_REGIONS, {
          error: `must be a Route53 health-checker region (${ROUTE53_CHECKER_REGIONS.join(', ')})`,
        }),
      )
      .min(3, 'must list at least 3 regions (Route53 minimum)')
      .superRefine(noDuplicates('region'))
      .optional()
      .meta({
        description: 'Route53 checker regions probing each endpoint. Default: the three nearest to the endpoint.',
      }),
    capacity: z
      .strictObject({
        minHealthyTargets: z
          .union([z.literal('asg-min'), z.number().int().min(1, 'must be ≥ 1')])
          .default('asg-min')
          .meta({
            description:
              "A region with fewer healthy targets is unhealthy. 'asg-min': the fleet's minimum size (at least 1).",
          }),
        maxAverageResponseSeconds: z
          .number()
          .positive('must be > 0')
          .optional()
          .meta({
            description:
              'A region whose average target response time (1-minute periods) exceeds this is saturated. ' +
              'Average, not p90: Route53 alarm health checks reject percentile statistics. Default: not checked.',
          }),
        queueDepth: z
          .strictObject({
            namespace: cloudwatchNamespace,
            metricName,
            dimensions: metricDimensions.default({}),
            threshold: z.number().positive('must be > 0'),
          })
          .optional()
          .meta({
            description:
              'A custom metric (e.g. vLLM requests waiting) above which a region is saturated. Default: not checked.',
          }),
        evaluationMinutes: z
          .number()
          .int()
          .min(1)
          .max(10)
          .default(2)
          .meta({ description: 'Consecutive 1-minute periods a capacity alarm must breach.' }),
      })
      .prefault({})
      .meta({
        description:
          'Capacity signals combined with the readiness probe: a region that is up but saturated stops ' +
          'receiving new traffic.',
      }),
  })
  .meta({ description: 'How every layer probes model readiness.' });

const WarmPoolSchema = z.strictObject({
  minSize: z
    .number()
    .int()
    .min(0, 'must be ≥ 0')
    .default(1)
    .meta({ description: 'Instances kept pre-initialised (weights pulled).' }),
  state: z
    .enum(['Stopped', 'Hibernated', 'Running'])
    .default('Stopped')
    .meta({ description: 'State of warm instances.' }),
  reuseOnScaleIn: z.boolean().default(true).meta({ description: 'Return instances to the pool on scale-in.' }),
});

/** Access logs of an ALB to a bucket the library creates: how long they are kept. */
export const AlbAccessLogsSchema = z.strictObject({
  retentionDays: z
    .number()
    .int()
    .min(1, 'must be ≥ 1')
    .max(3650, 'must be ≤ 3650 (ten years)')
    .default(90)
    .meta({ description: 'Days a log object is kept before the bucket lifecycle deletes it.' }),
});

/** The AWS WAF web ACL on an ALB: a per-IP rate limit and AWS managed rule groups. */
export const AlbWafSchema = z.strictObject({
  rateLimitPer5Minutes: z
    .number()
    .int()
    .min(WAF_RATE_LIMIT_RANGE.min, `must be ≥ ${WAF_RATE_LIMIT_RANGE.min} (AWS WAF minimum)`)
    .max(WAF_RATE_LIMIT_RANGE.max, `must be ≤ ${WAF_RATE_LIMIT_RANGE.max} (AWS WAF maximum)`)
    .default(1000)
    .meta({ description: 'Requests one client IP may send in 5 minutes before WAF blocks it.' }),
  managedRuleGroups: z
    .array(
      z.enum(
        Object.keys(WAF_MANAGED_RULE_GROUPS) as [string, ...string[]],
        `must be one of ${Object.keys(WAF_MANAGED_RULE_GROUPS).join(', ')}`,
      ),
    )
    .max(5, 'must list at most 5 groups (each costs WCUs and a monthly fee)')
    .superRefine(noDuplicates('rule group'))
    .default([
      'AWSManagedRulesCommonRuleSet',
      'AWSManagedRulesKnownBadInputsRuleSet',
      'AWSManagedRulesAmazonIpReputationList',
    ])
    .meta({ description: 'AWS managed rule groups, in evaluation order after the rate limit.' }),
  bodyRules: z
    .enum(['count', 'block'])
    .default('count')
    .meta({
      description:
        'What the managed rules that inspect the request body do: count (default: a prompt is free text, ' +
        'code and URLs included) or block.',
    }),
});

/** ALB security policies the endpoint accepts (TLS 1.2 or 1.3 minimum, FIPS variants included). */
export const TLS_POLICIES = [
  'ELBSecurityPolicy-TLS13-1-2-2021-06',
  'ELBSecurityPolicy-TLS13-1-2-Res-2021-06',
  'ELBSecurityPolicy-TLS13-1-3-2021-06',
  'ELBSecurityPolicy-TLS13-1-2-FIPS-2023-04',
  'ELBSecurityPolicy-TLS13-1-3-FIPS-2023-04',
] as const;

/** The spec's `endpoint` section: ALB and fleet settings shared by every regional endpoint. */
export const EndpointSchema = z
  .strictObject({
    rootVolumeGiB: z
      .number()
      .int()
      .min(75, 'must be ≥ 75 (the Deep Learning GPU AMI root snapshot is 75 GiB)')
      .max(GP3_MAX_GIB, `must be ≤ ${GP3_MAX_GIB} (gp3 limit)`)
      .optional()
      .meta({
        description:
          'Root gp3 volume size of every fleet. Default: per model, 100 GiB plus twice its weightsGiB (25 when ' +
          'not given), at least 150 GiB.',
      }),
    healthCheckGracePeriodSeconds: z
      .number()
      .int()
      .min(60, 'must be ≥ 60')
      .max(7200, 'must be ≤ 7200')
      .default(900)
      .meta({ description: 'Time a new instance gets to pull the image and load weights before health checks count.' }),
    warmPool: WarmPoolSchema.optional().meta({
      description: 'Keep pre-initialised instances to cut scale-out time. Default: none.',
    }),
    detailedMonitoring: z.boolean().default(true).meta({ description: '1-minute EC2 metrics.' }),
    idleTimeoutSeconds: z
      .number()
      .int()
      .min(60, 'must be ≥ 60')
      .max(4000, 'must be ≤ 4000 (ALB limit)')
      .default(600)
      .meta({ description: 'ALB idle timeout; long enough for slow first tokens and non-streamed generations.' }),
    deregistrationDelaySeconds: z
      .number()
      .int()
      .min(0)
      .max(3600, 'must be ≤ 3600 (ALB limit)')
      .default(300)
      .meta({ description: 'Drain time for in-flight (streaming) responses when an instance leaves.' }),
    loadBalancingAlgorithm: z
      .enum(['least_outstanding_requests', 'round_robin'])
      .default('least_outstanding_requests')
      .meta({ description: 'Target selection; LOR suits requests of very different lengths.' }),
    slowStartSeconds: z
      .number()
      .int()
      .refine((v) => v === 0 || (v >= 30 && v <= 900), 'must be 0 (off) or between 30 and 900 (ALB limit)')
      .default(0)
      .meta({
        description:
          'Ramp-up for new targets. AWS refuses it with least_outstanding_requests: set loadBalancingAlgorithm ' +
          'round_robin to use it.',
      }),
    deletionProtection: z
      .boolean()
      .default(true)
      .meta({ description: 'ALB deletion protection (turn off to allow terraform destroy).' }),
    accessLogsBucket: z
      .string()
      .regex(
        /^(?:[a-z0-9.-]|\{region\}){3,63}$/,
        "must be an S3 bucket name, optionally containing '{region}' (ALB logs need a bucket in each region)",
      )
      .superRefine((bucket, ctx) => {
        // Checked with the longest region code the library knows; the spec checks each of its regions too.
        const problem = accessLogsBucketProblem(bucket, LONGEST_REGION_CODE);
        if (problem) ctx.addIssue({ code: 'custom', input: bucket, message: problem });
      })
      .optional()
      .meta({
        description:
          "Your own S3 bucket for ALB access logs ('{region}' is replaced by each region's code); the library then " +
          'creates none. Default: a bucket per region, created by the library (accessLogs).',
      }),
    accessLogs: z
      .union([z.literal(false), AlbAccessLogsSchema], {
        error: 'must be false (no access logs) or the settings of the bucket the library creates: { retentionDays }',
      })
      .default(AlbAccessLogsSchema.parse({}))
      .meta({
        description:
          'ALB access logs (CKV_AWS_91, cdk-nag ELB2): by default to a bucket per region the library creates ' +
          '(SSE-S3 — the only encryption ALB log delivery supports —, public access blocked, owner-enforced, ' +
          'TLS-only, expiring after retentionDays). false turns them off (an explicit, reported deviation).',
      }),
    waf: z
      .union([z.literal(false), AlbWafSchema], {
        error: 'must be false (no web ACL) or its settings: { rateLimitPer5Minutes, managedRuleGroups, bodyRules }',
      })
      .default(AlbWafSchema.parse({}))
      .meta({
        description:
          'An AWS WAF web ACL on each ALB (CKV2_AWS_28): a per-IP rate limit and AWS managed rule groups. false ' +
          'turns it off (an explicit, reported deviation).',
      }),
    albIngressCidrs: cidrList
      .default(['0.0.0.0/0', '::/0'])
      .meta({ description: 'Who may reach the ALBs on 443 (and 80 for the redirect).' }),
    tlsPolicy: z
      .enum(TLS_POLICIES)
      .default('ELBSecurityPolicy-TLS13-1-2-2021-06')
      .meta({ description: 'ALB TLS policy (TLS 1.2+ only).' }),
    scaling: z
      .strictObject({
        requestsPerTargetPerMinute: z
          .number()
          .positive('must be > 0')
          .default(60)
          .meta({ description: 'Target-tracking value for ALBRequestCountPerTarget.' }),
        customMetric: z
          .strictObject({
            namespace: cloudwatchNamespace,
            metricName,
            statistic: z.enum(['Average', 'Minimum', 'Maximum', 'Sum', 'SampleCount']).default('Average'),
            dimensions: metricDimensions.default({}),
            targetValue: z.number().positive('must be > 0'),
          })
          .optional()
          .meta({ description: 'Track this metric (e.g. vLLM queue depth) instead of requests per target.' }),
        ignoreDesiredCapacityChanges: z.boolean().default(false).meta({
          description: 'Let operators and autoscaling own desired capacity: later applies will not reset it.',
        }),
      })
      .prefault({}),
  })
  .superRefine((endpoint, ctx) => {
    if (endpoint.accessLogs === false && endpoint.accessLogsBucket !== undefined)
      ctx.addIssue({
        code: 'custom',
        path: ['accessLogsBucket'],
        input: endpoint.accessLogsBucket,
        message: 'names a bucket for access logs that accessLogs: false turns off; keep one of the two',
      });
  })
  .meta({ description: 'Settings shared by every regional endpoint.' });
