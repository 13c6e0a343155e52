import { awsRegion } from './region-schema';
import { z } from 'zod';
import { CONTINENT_CODES, countryCode } from './geo';
import { dnsName, kmsKeyRef, logRetentionDays, route53ZoneId, s3BucketName, slug } from './fields';
/*
 * How traffic is spread across regions (`routing`), the hosted zone (`dns`), the state backend and the account.
 */

/** Weight of a region in mode weighted when `routing.weights` does not name it. */
export const DEFAULT_ROUTE53_WEIGHT = 100;
/** TTL of records that are not aliases. */
export const DEFAULT_RECORD_TTL_SECONDS = 60;

/** DNS labels the Route53 routing uses for nested record sets under the routing domain. */
export const RESERVED_LABELS = ['global', 'stable', 'secondary', 'geo'] as const;

/** Values of `routing.mode`: how Route53 spreads traffic across the regions. */
export const ROUTING_MODES = ['latency', 'failover', 'weighted', 'geolocation', 'geoproximity'] as const;

const regionRef = z.string().min(1, 'must name a region of the spec');

/** The spec's `routing` section: the mode and its settings (failover, weights, biases, canary, geolocation). */
export const RoutingSchema = z
  .strictObject({
    mode: z
      .enum(ROUTING_MODES)
      .default('latency')
      .meta({
        description:
          'latency: active-active, nearest healthy region; failover: active-passive; weighted: fixed shares; ' +
          'geolocation: client location picks a group of regions; geoproximity: distance with per-region bias.',
      }),
    failover: z
      .strictObject({
        primary: regionRef.meta({ description: 'Region that takes all traffic while healthy.' }),
        secondaries: z.array(regionRef).min(1, 'must list at least one region').optional().meta({
          description: 'Regions that take over (latency-routed among themselves). Default: every other region.',
        }),
      })
      .optional()
      .meta({ description: 'Active-passive settings (mode failover).' }),
    weights: z
      .record(
        z.string(),
        z
          .number()
          .int('must be a whole number')
          .min(0, 'must be ≥ 0 (Route53 weights are 0-255)')
          .max(255, 'must be ≤ 255 (Route53 weights are 0-255)'),
      )
      .optional()
      .meta({
        description: `Route53 weight (0-255) per region (mode weighted). Default: ${DEFAULT_ROUTE53_WEIGHT} each.`,
      }),
    geolocation: z
      .strictObject({
        groups: z
          .array(
            z.strictObject({
              name: slug('group name', 32),
              continents: z.array(z.enum(CONTINENT_CODES)).default([]),
              countries: z.array(countryCode).default([]),
              regions: z.array(regionRef).min(1, 'must list at least one region'),
            }),
          )
          .min(1, 'must list at least one group'),
        default: z
          .string()
          .default('latency')
          .meta({
            description:
              "Answer for clients no group matches: 'latency' (nearest of all regions), a region code, or 'none' " +
              '(no answer).',
          }),
      })
      .optional()
      .meta({ description: 'Client location to groups of regions (mode geolocation).' }),
    biases: z
      .record(
        z.string(),
        z.number().int().min(-99, 'must be ≥ -99 (Route53 bias)').max(99, 'must be ≤ 99 (Route53 bias)'),
      )
      .optional()
      .meta({ description: 'Geoproximity bias per region, -99 to 99 (mode geoproximity). Default: 0.' }),
    canary: z
      .strictObject({
        region: regionRef.meta({ description: 'The new region.' }),
        percent: z
          .number()
          .int()
          .min(0, 'must be ≥ 0')
          .max(100, 'must be ≤ 100')
          .default(10)
          .meta({ description: 'Share of global traffic sent to it.' }),
      })
      .optional()
      .meta({
        description: 'Send a small share of traffic to one region; the rest follows `mode` over the other regions.',
      }),
    ttlSeconds: z
      .number()
      .int()
      .min(0)
      .max(86400)
      .default(DEFAULT_RECORD_TTL_SECONDS)
      .meta({
        description:
          'TTL of records that are not aliases (CNAME targets; the records the library creates are aliases, ' +
          'which have none).',
      }),
    ignoreWeightChanges: z
      .boolean()
      .default(false)
      .meta({ description: 'Let operators tune weights live: later applies will not reset them.' }),
  })
  .meta({ description: 'How traffic is spread across regions.' });

/** The spec's `state` section: `{ backend: local }` or `{ backend: s3, bucket, region, ... }`. */
export const StateSchema = z.discriminatedUnion(
  'backend',
  [
    z.strictObject({ backend: z.literal('local') }),
    z.strictObject({
      backend: z.literal('s3'),
      bucket: s3BucketName,
      region: awsRegion,
      keyPrefix: z
        .string()
        .regex(/^[A-Za-z0-9._\-/]*$/, "must be an S3 key prefix (letters, digits, '.', '_', '-', '/')")
        .default('')
        .meta({ description: 'Prefix of state keys; each stack writes <prefix><stack>.tfstate.' }),
      kmsKeyId: kmsKeyRef.optional().meta({ description: 'KMS key for state encryption. Default: S3-managed keys.' }),
    }),
  ],
  { error: 'must be { backend: local } or { backend: s3, bucket, region }' },
);

/** The record types a DNS automation role may change, by default: what the routing records are. */
export const DNS_AUTOMATION_DEFAULT_TYPES = ['A', 'AAAA'] as const;

/**
 * An IAM role for CI or operators that may change only the service's own records (`dns.automationRole`): who may
 * assume it, and which changes of which record types it may make.
 */
export const DnsAutomationRoleSchema = z.strictObject({
  trustedPrincipals: z
    .array(
      z
        .string()
        .regex(
          /^(?:\d{12}|arn:aws[a-z-]*:iam::\d{12}:(?:root|role\/[\w+=,.@/-]{1,512}|user\/[\w+=,.@/-]{1,512}))$/,
          'must be a 12-digit account id or the ARN of an IAM role, user or account root',
        ),
    )
    .min(1, 'must name at least one principal that may assume the role')
    .max(20, 'must name at most 20 principals')
    .meta({ description: 'IAM principals (role, user or account ARNs, or account ids) that may assume the role.' }),
  recordTypes: z
    .array(z.enum(['A', 'AAAA', 'CNAME', 'TXT', 'HTTPS', 'SVCB'], 'must be one of A, AAAA, CNAME, TXT, HTTPS, SVCB'))
    .min(1, 'must list at least one record type')
    .default([...DNS_AUTOMATION_DEFAULT_TYPES])
    .meta({ description: 'Record types the role may change.' }),
  actions: z
    .array(z.enum(['UPSERT', 'CREATE', 'DELETE'], 'must be one of UPSERT, CREATE, DELETE'))
    .min(1, 'must list at least one change action')
    .default(['UPSERT'])
    .meta({
      description:
        'Change actions the role may make: UPSERT (change a weight, switch a failover record) by default; ' +
        'creating and deleting records stays with Terraform unless listed.',
    }),
});

/**
 * The spec's `dns` section: an existing zone or the created one's DNSSEC and query logging, a private zone, a DNS
 * automation role.
 */
export const DnsSchema = z
  .strictObject({
    hostedZoneId: route53ZoneId.optional().meta({
      description:
        'Existing public zone to write records into. Default: a zone for service.domain is created (protected ' +
        'by prevent_destroy).',
    }),
    dnssec: z
      .boolean()
      .default(true)
      .meta({
        description:
          'Sign the zone the library creates with DNSSEC (KMS key in us-east-1, key-signing key). Add the DS ' +
          'record at the parent to complete the chain.',
      }),
    queryLogging: z
      .boolean()
      .default(true)
      .meta({ description: 'Log DNS queries of the zone the library creates to CloudWatch Logs in us-east-1.' }),
    queryLogRetentionDays: logRetentionDays.default(30).meta({ description: 'Days to keep query logs.' }),
    originDomain: dnsName.optional().meta({
      description:
        'Route53 domain of the AWS side when Cloudflare is the front door (service.domain then lives in ' +
        "Cloudflare). Default: 'origin.' + service.domain.",
    }),
    privateZone: z
      .boolean()
      .default(false)
      .meta({
        description:
          'Also create a private zone of the same name in the created VPCs (split horizon): clients inside AWS ' +
          'resolve the service through it.',
      }),
    automationRole: DnsAutomationRoleSchema.optional().meta({
      description:
        "An IAM role that may change only the service's own record names (route53:ChangeResourceRecordSets limited " +
        'by the normalized-record-name, record-type and action condition keys) and read the zone. Default: none.',
    }),
  })
  .meta({ description: 'Route53 hosted zone settings.' });

/** The spec's `aws` section: the account the stacks may touch (the providers refuse any other). */
export const AwsAccountSchema = z
  .strictObject({
    accountId: z
      .string()
      .regex(/^\d{12}$/, 'must be a 12-digit AWS account id')
      .optional()
      .meta({
        description: 'AWS account of the deployment: providers refuse any other account, and key policies name it.',
      }),
  })
  .meta({ description: 'AWS account settings.' });
