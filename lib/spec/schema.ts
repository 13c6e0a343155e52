import type { ResidencyClientGroup } from './residency';
import { z } from 'zod';
import { closestMatch, editDistance } from '../util/strings';
import { formatPath, type SpecProblem } from './errors';
import { cloudflareCrossChecks, CloudflareSchema } from './cloudflare-schema';
import { EdgeRouterSchema } from './edge-router-schema';
import { continentOf } from '../analysis/countries';
import { CONTINENT_CODES, COUNTRY_PRESETS, countryCode, ResidencyGroupSchema } from './geo';
import {
  acmCertificateArn,
  ACM_CERTIFICATE_ARN,
  cidrList,
  cloudwatchNamespace,
  dnsName,
  freeText,
  GP3_MAX_GIB,
  isIpv4NetworkCidr,
  kmsKeyRef,
  defaultRootVolumeGiB,
  DEFAULT_VPC_CIDR,
  accessLogsBucketProblem,
  noDuplicates,
  logRetentionDays,
  MAX_WEIGHTS_GIB_FOR_DEFAULT_VOLUME,
  metricDimensions,
  metricName,
  route53ZoneId,
  s3BucketName,
  s3BucketNameProblem,
  secretsManagerSecretArn,
  serviceName,
  slug,
  tags as tagsSchema,
} from './fields';
import { AWS_REGION_CODES, isKnownRegion, LONGEST_REGION_CODE, regionInfo, zoneIdProblems } from './regions';
import { subnetLayoutProblem } from '../util/cidr';
import { userDataBytes } from '../aws/user-data';
import { ROUTE53_CHECKER_REGIONS } from '../facts/provider-facts';
// Provider facts shared with the analysis live in a zod-free module; re-exported where the spec always had them.
export { ROUTE53_CHECKER_REGIONS } from '../facts/provider-facts';

/*
 * The spec of a global inference service: the one input every construct of the library can be derived from.
 * The schema is the single source of truth for shape, limits and defaults; `schema/spec.schema.json` is
 * generated from it for editors. Cross-field rules live in `crossChecks` below, and run even when other parts
 * of the spec are invalid, so that a user sees every problem at once.
 */

// ---------------------------------------------------------------------------------------------------------
// Reusable field types. Messages say what is allowed; the formatter adds the path and the value received.

/** A model version label (launch template description and tags carry it). */
const versionLabel = z
  .string()
  .min(1, 'must not be empty')
  .max(64, 'must be at most 64 characters')
  .regex(/^[A-Za-z0-9._-]+$/, "must be a version label (letters, digits, '.', '_', '-')");

export const awsRegion = z.enum(AWS_REGION_CODES as [string, ...string[]], {
  error: (issue) => {
    if (issue.input === undefined) return 'is required (an AWS region code such as us-east-1)';
    const hint = suggestion(issue.input, AWS_REGION_CODES);
    return hint
      ? `must be an AWS region code the library knows${hint}`
      : `must be an AWS region code the library knows: ${AWS_REGION_CODES.join(', ')}`;
  },
});

/**
 * The sizes of each GPU instance family with NVIDIA GPUs that the Deep Learning Base GPU AMI supports: the one list
 * the spec schema and the constructs (GpuFleet, GpuInferenceEndpoint) check instance types against. Only sizes in the
 * EC2 catalogue; a type that is not listed is refused (EC2 would refuse it at launch, after the rest was applied).
 *
 * Checked against the EC2 instance type pages as of 2026-11. Where a size is recent or the catalogue was unclear, a
 * comment says so; add sizes here when AWS publishes them.
 */
export const GPU_INSTANCE_SIZES = {
  g4dn: ['xlarge', '2xlarge', '4xlarge', '8xlarge', '12xlarge', '16xlarge', 'metal'],
  g5: ['xlarge', '2xlarge', '4xlarge', '8xlarge', '12xlarge', '16xlarge', '24xlarge', '48xlarge'],
  // Graviton + T4G (arm64).
  g5g: ['xlarge', '2xlarge', '4xlarge', '8xlarge', '16xlarge', 'metal'],
  g6: ['xlarge', '2xlarge', '4xlarge', '8xlarge', '12xlarge', '16xlarge', '24xlarge', '48xlarge'],
  g6e: ['xlarge', '2xlarge', '4xlarge', '8xlarge', '12xlarge', '16xlarge', '24xlarge', '48xlarge'],
  // Fractional L4 GPUs (2025); these four sizes are the ones announced.
  g6f: ['large', 'xlarge', '2xlarge', '4xlarge'],
  gr6: ['4xlarge', '8xlarge'],
  // Only one size announced (2025).
  gr6f: ['4xlarge'],
  // RTX PRO 6000 Blackwell (announced 2026-01): sizes as announced; verify against the catalogue of your region.
  g7e: ['2xlarge', '4xlarge', '8xlarge', '12xlarge', '24xlarge', '48xlarge'],
  p4d: ['24xlarge'],
  p4de: ['24xlarge'],
  // p5.4xlarge (one H100) since 2025.
  p5: ['4xlarge', '48xlarge'],
  p5e: ['48xlarge'],
  p5en: ['48xlarge'],
  'p6-b200': ['48xlarge'],
  'p6-b300': ['48xlarge'],
} as const satisfies Record<string, readonly string[]>;
// A plain `g7` family (listed by an earlier version of this file) is not in the EC2 catalogue as far as we know: left
// out rather than guessed. g7e is listed above.

/** GPU instance families with NVIDIA GPUs that the Deep Learning Base GPU AMI supports. */
export const GPU_INSTANCE_FAMILIES = Object.keys(GPU_INSTANCE_SIZES) as (keyof typeof GPU_INSTANCE_SIZES)[];

/** Every GPU instance type the library accepts, family by family, smallest size first. */
export const GPU_INSTANCE_TYPES: readonly string[] = GPU_INSTANCE_FAMILIES.flatMap((family) =>
  GPU_INSTANCE_SIZES[family].map((size) => `${family}.${size}`),
);

/**
 * What is wrong with an instance type, or undefined when it is one of {@link GPU_INSTANCE_TYPES}: an unknown family,
 * or a size its family does not come in, with the closest valid type.
 */
export function gpuInstanceTypeProblem(type: string): string | undefined {
  if (GPU_INSTANCE_TYPES.includes(type)) return undefined;
  const dot = type.indexOf('.');
  const family = dot > 0 ? type.slice(0, dot) : type;
  const sizes = (GPU_INSTANCE_SIZES as Record<string, readonly string[]>)[family];
  if (sizes) {
    const size = type.slice(dot + 1);
    const nearest = sizes.reduce((best, s) => (editDistance(size, s) < editDistance(size, best) ? s : best));
    return `must be an instance type EC2 offers: ${family} comes in ${sizes.join(', ')} (did you mean '${family}.${nearest}'?)`;
  }
  const close = closestMatch(type, GPU_INSTANCE_TYPES);
  return `must be an NVIDIA GPU instance type of a family the Deep Learning GPU AMI supports (${GPU_INSTANCE_FAMILIES.join(', ')}), such as g6e.xlarge${close ? ` (did you mean '${close}'?)` : ''}`;
}

export const gpuInstanceType = z.enum(GPU_INSTANCE_TYPES as [string, ...string[]], {
  error: (issue) =>
    typeof issue.input === 'string'
      ? gpuInstanceTypeProblem(issue.input)
      : issue.input === undefined
        ? 'is required (a GPU instance type such as g6e.xlarge)'
        : 'must be an instance type as text, such as g6e.xlarge',
});

export const port = z
  .number()
  .int('must be a whole number')
  .min(1024, 'must be ≥ 1024 (unprivileged)')
  .max(65535, 'must be ≤ 65535');

// ---------------------------------------------------------------------------------------------------------
// Model

export const ENGINES = ['vllm', 'sglang', 'tgi', 'custom'] as const;

/** One argument of the server command; the whole boot script must fit EC2's 16 KB user data (checked per model). */
const commandArgument = freeText(4096, 'per argument');

export const ModelSchema = z
  .strictObject({
    name: slug('model key (used in resource ids and the x-inference-model header)', 40)
      .optional()
      .meta({ description: 'Stable key of the model. Defaults to a slug of the last segment of `id`.' }),
    id: z
      .string()
      .min(1, 'must not be empty')
      .max(
        128,
        'must be at most 128 characters (an ALB header condition value, how clients pick a model, is limited to 128)',
      )
      .regex(
        /^[A-Za-z0-9._\-/:]+$/,
        "must be a model id such as meta-llama/Llama-3.1-8B-Instruct (letters, digits, '.', '_', '-', '/', ':')",
      )
      .meta({
        description: 'Model id the server loads and clients send in `model`, e.g. meta-llama/Llama-3.1-8B-Instruct.',
      }),
    version: versionLabel.meta({
      description:
        'The version of the model the fleet serves (a release label); regions may run another during a rollout.',
    }),
    promotedVersion: versionLabel.optional().meta({
      description: 'A new version declared validated: regions may move to it without keeping two regions on `version`.',
    }),
    revision: z
      .string()
      .max(255, 'must be at most 255 characters')
      .regex(/^[A-Za-z0-9._\-/]+$/, 'must be a Hugging Face revision (branch, tag or commit)')
      .optional()
      .meta({
        description: 'Hugging Face revision to load (branch, tag or commit). Default: the repository default branch.',
      }),
    engine: z
      .enum(ENGINES)
      .default('vllm')
      .meta({ description: 'Serving engine. `custom` requires `image` and `command`.' }),
    image: z
      .string()
      .max(512, 'must be at most 512 characters')
      .regex(/^[a-z0-9][a-z0-9._\-/:@]*$/, 'must be a container image reference such as vllm/vllm-openai:v0.11.0')
      .optional()
      .meta({ description: 'Container image. Default: a pinned image of the engine.' }),
    command: z
      .array(commandArgument)
      .optional()
      .meta({ description: 'Container command (entrypoint arguments) replacing the engine default.' }),
    args: z.array(commandArgument).default([]).meta({ description: 'Extra arguments appended to the engine command.' }),
    port: port.default(8000).meta({ description: 'Port the server listens on inside the instance.' }),
    weightsGiB: z
      .number()
      .positive('must be > 0')
      .max(GP3_MAX_GIB, `must be ≤ ${GP3_MAX_GIB} (the largest gp3 volume)`)
      .optional()
      .meta({
        description: `Approximate size of the weights; sizes the root volume when \`endpoint.rootVolumeGiB\` is not set (then at most ${MAX_WEIGHTS_GIB_FOR_DEFAULT_VOLUME}, so the default volume fits gp3).`,
      }),
    weightsS3Uri: z
      .string()
      .regex(
        /^s3:\/\/[^/]+(?:\/[A-Za-z0-9._\-/=+@]*)?$/,
        'must be an s3:// URI such as s3://my-models/llama-3.1-8b/ (key prefix: letters, digits and . _ - / = + @; no wildcards or ${...}, which IAM would interpret)',
      )
      .superRefine((uri, ctx) => {
        const problem = s3BucketNameProblem(uri.slice('s3://'.length).split('/')[0]);
        if (problem) ctx.addIssue({ code: 'custom', input: uri, message: `bucket ${problem}` });
      })
      .optional()
      .meta({
        description:
          'Load weights from this S3 prefix (instances get read access to it only) instead of the Hugging Face Hub.',
      }),
    huggingFaceTokenSecretArn: secretsManagerSecretArn.optional().meta({
      description:
        'Secrets Manager secret holding a Hugging Face token; read at boot by the instance role, never placed in user data.',
    }),
    maxModelLength: z
      .number()
      .int()
      .positive()
      .optional()
      .meta({ description: 'Maximum context length passed to the engine.' }),
  })
  .meta({ description: 'A model served by the fleet.' });

// ---------------------------------------------------------------------------------------------------------
// Regions

export const CapacitySchema = z
  .strictObject({
    min: z
      .number()
      .int('must be a whole number')
      .min(0, 'must be ≥ 0')
      .max(1000, 'must be ≤ 1000')
      .meta({ description: 'Minimum instances.' }),
    desired: z
      .number()
      .int('must be a whole number')
      .min(0, 'must be ≥ 0')
      .max(1000, 'must be ≤ 1000')
      .optional()
      .meta({ description: 'Initial desired instances. Default: `min`.' }),
    max: z
      .number()
      .int('must be a whole number')
      .min(1, 'must be ≥ 1')
      .max(1000, 'must be ≤ 1000')
      .meta({ description: 'Maximum instances.' }),
  })
  .superRefine((capacity, ctx) => {
    if (capacity.min > capacity.max) {
      ctx.addIssue({
        code: 'custom',
        path: ['min'],
        input: capacity.min,
        message: `must be ≤ capacity.max (${capacity.max})`,
      });
    }
    if (capacity.desired !== undefined && (capacity.desired < capacity.min || capacity.desired > capacity.max)) {
      ctx.addIssue({
        code: 'custom',
        path: ['desired'],
        input: capacity.desired,
        message: `must be between capacity.min (${capacity.min}) and capacity.max (${capacity.max})`,
      });
    }
  });

export const NetworkSchema = z
  .strictObject({
    vpcId: z
      .string()
      .regex(/^vpc-[0-9a-f]{8,17}$/, 'must be a VPC id such as vpc-0123456789abcdef0')
      .optional()
      .meta({ description: 'Existing VPC. With it, give both subnet lists.' }),
    privateSubnetIds: z
      .array(z.string().regex(/^subnet-[0-9a-f]{8,17}$/, 'must be a subnet id such as subnet-0123456789abcdef0'))
      .min(2, 'must list at least 2 subnets in different zones (an ALB and a resilient fleet need two)')
      .superRefine(noDuplicates('subnet'))
      .optional()
      .meta({
        description: 'Existing private subnets for the GPU instances (need outbound HTTPS via NAT or endpoints).',
      }),
    publicSubnetIds: z
      .array(z.string().regex(/^subnet-[0-9a-f]{8,17}$/, 'must be a subnet id such as subnet-0123456789abcdef0'))
      .min(2, 'must list at least 2 subnets in different zones (an ALB needs two)')
      .superRefine(noDuplicates('subnet'))
      .optional()
      .meta({ description: 'Existing public subnets for the internet-facing ALB.' }),
    cidr: z
      .string()
      .refine(
        (c) => isIpv4NetworkCidr(c) && /\/(?:1[6-9]|2[0-2])$/.test(c),
        'must be an IPv4 CIDR block from /16 to /22 written as its network address, such as 10.64.0.0/16',
      )
      .refine(
        (c) => !isReservedVpcRange(c),
        'must not be in a range AWS refuses for VPCs (0.0.0.0/8, 127.0.0.0/8, 169.254.0.0/16, 224.0.0.0 and above)',
      )
      .optional()
      .meta({
        description: `CIDR of the VPC the library creates when no vpcId is given. Default ${DEFAULT_VPC_CIDR}.`,
      }),
    availabilityZoneIds: z
      .array(z.string().regex(/^[a-z]{2,6}\d-az\d{1,2}$/, 'must be an availability zone id such as use1-az1'))
      .min(2, 'must list at least 2 zones')
      .superRefine(noDuplicates('zone'))
      .max(6, 'must list at most 6 zones')
      .optional()
      .meta({
        description:
          "Zone ids of the created VPC, in the endpoint's region. Default: the first three zones the library knows for the region.",
      }),
    natGateways: z
      .enum(['one', 'per-zone'])
      .default('one')
      .meta({ description: 'NAT gateways of the created VPC: one (cheaper) or one per zone (survives a zone loss).' }),
  })
  .superRefine((network, ctx) => {
    const existing = [network.vpcId, network.privateSubnetIds, network.publicSubnetIds].filter(
      (v) => v !== undefined,
    ).length;
    if (existing > 0 && existing < 3) {
      for (const key of ['vpcId', 'privateSubnetIds', 'publicSubnetIds'] as const) {
        if (network[key] === undefined) {
          ctx.addIssue({
            code: 'custom',
            path: [key],
            input: undefined,
            message:
              'is required when using an existing VPC (give vpcId, privateSubnetIds and publicSubnetIds together)',
          });
        }
      }
    }
    if (existing > 0 && (network.cidr !== undefined || network.availabilityZoneIds !== undefined)) {
      ctx.addIssue({
        code: 'custom',
        path: [network.cidr !== undefined ? 'cidr' : 'availabilityZoneIds'],
        input: network.cidr ?? network.availabilityZoneIds,
        message: 'applies only to a VPC the library creates; remove it or remove vpcId and the subnet lists',
      });
    }
  });

/** First octets (and 169.254) of ranges a VPC cannot use. */
function isReservedVpcRange(cidr: string): boolean {
  const [a, b] = cidr.split(/[./]/).map(Number);
  return a === 0 || a === 127 || a >= 224 || (a === 169 && b === 254);
}

export const RegionSchema = z
  .strictObject({
    region: awsRegion.meta({ description: 'AWS region code; the stable key of this regional endpoint.' }),
    instanceType: gpuInstanceType.meta({ description: 'GPU instance type, e.g. g6e.xlarge.' }),
    capacity: CapacitySchema,
    network: NetworkSchema.prefault({}).meta({
      description: 'Existing network ids, or settings of a minimal VPC the library creates (default).',
    }),
    jurisdiction: slug('jurisdiction key such as eu or us', 16).optional().meta({
      description:
        'Data-residency jurisdiction this region belongs to (e.g. eu). Users of a jurisdiction are only served by its regions.',
    }),
    certificateArn: acmCertificateArn.optional().meta({
      description:
        'ACM certificate for the HTTPS listener, in this region. Default: one is issued and DNS-validated in the hosted zone.',
    }),
    models: z
      .array(z.string())
      .min(1, 'must list at least one model')
      .optional()
      .meta({ description: 'Names of the models this region serves. Default: all models.' }),
    modelVersions: z.record(z.string(), versionLabel).optional().meta({
      description: 'Per-model version this region runs when it differs from the fleet version (rolling upgrades).',
    }),
    albIngressCidrs: cidrList
      .optional()
      .meta({ description: 'Who may reach the ALB on 443. Default: endpoint.albIngressCidrs.' }),
  })
  .superRefine((region, ctx) => {
    for (const problem of regionalProblems(region)) ctx.addIssue({ code: 'custom', ...problem });
  })
  .meta({ description: 'A regional GPU inference endpoint.' });

/**
 * Rules tying a region's settings to its region code: the certificate and the zones must be in that region. Shared
 * with {@link GpuInferenceEndpoint} and {@link MinimalVpc}, which apply them to their props.
 */
export function regionalProblems(region: {
  region?: unknown;
  certificateArn?: unknown;
  network?: unknown;
}): { path: PropertyKey[]; input: unknown; message: string }[] {
  const problems: { path: PropertyKey[]; input: unknown; message: string }[] = [];
  if (typeof region.region !== 'string') return problems;
  const arnMatch = typeof region.certificateArn === 'string' ? ACM_CERTIFICATE_ARN.exec(region.certificateArn) : null;
  if (arnMatch && arnMatch[1] !== region.region) {
    problems.push({
      path: ['certificateArn'],
      input: region.certificateArn,
      message: `must be a certificate in ${region.region}: an ALB only uses ACM certificates of its own region (this one is in ${arnMatch[1]})`,
    });
  }
  const network = isObject(region.network) ? region.network : {};
  if (Array.isArray(network.availabilityZoneIds)) {
    for (const problem of zoneIdProblems(region.region, network.availabilityZoneIds))
      problems.push({ ...problem, path: ['network', 'availabilityZoneIds', ...problem.path] });
  }
  return problems;
}

// ---------------------------------------------------------------------------------------------------------
// Health, endpoint settings, routing, front door, SLO, state

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
        maxAverageResponseSeconds: z.number().positive('must be > 0').optional().meta({
          description:
            'A region whose average target response time (1-minute periods) exceeds this is saturated. Average, not p90: Route53 alarm health checks reject percentile statistics. Default: not checked.',
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
          'Capacity signals combined with the readiness probe: a region that is up but saturated stops receiving new traffic.',
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

export const TLS_POLICIES = [
  'ELBSecurityPolicy-TLS13-1-2-2021-06',
  'ELBSecurityPolicy-TLS13-1-2-Res-2021-06',
  'ELBSecurityPolicy-TLS13-1-3-2021-06',
  'ELBSecurityPolicy-TLS13-1-2-FIPS-2023-04',
  'ELBSecurityPolicy-TLS13-1-3-FIPS-2023-04',
] as const;

export const EndpointSchema = z
  .strictObject({
    rootVolumeGiB: z
      .number()
      .int()
      .min(75, 'must be ≥ 75 (the Deep Learning GPU AMI root snapshot is 75 GiB)')
      .max(GP3_MAX_GIB, `must be ≤ ${GP3_MAX_GIB} (gp3 limit)`)
      .optional()
      .meta({
        description: `Root gp3 volume size of every fleet. Default: per model, 100 GiB plus twice its weightsGiB (25 when not given), at least 150 GiB.`,
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
          'Ramp-up for new targets. AWS refuses it with least_outstanding_requests: set loadBalancingAlgorithm round_robin to use it.',
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
        description: "S3 bucket for ALB access logs; '{region}' is replaced by each region's code. Default: off.",
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
  .meta({ description: 'Settings shared by every regional endpoint.' });

/** Weight of a region in mode weighted when `routing.weights` does not name it. */
export const DEFAULT_ROUTE53_WEIGHT = 100;
/** TTL of records that are not aliases. */
export const DEFAULT_RECORD_TTL_SECONDS = 60;

/** DNS labels the Route53 routing uses for nested record sets under the routing domain. */
export const RESERVED_LABELS = ['global', 'stable', 'secondary', 'geo'] as const;

export const ROUTING_MODES = ['latency', 'failover', 'weighted', 'geolocation', 'geoproximity'] as const;

const regionRef = z.string().min(1, 'must name a region of the spec');

export const RoutingSchema = z
  .strictObject({
    mode: z.enum(ROUTING_MODES).default('latency').meta({
      description:
        'latency: active-active, nearest healthy region; failover: active-passive; weighted: fixed shares; geolocation: client location picks a group of regions; geoproximity: distance with per-region bias.',
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
        default: z.string().default('latency').meta({
          description:
            "Answer for clients no group matches: 'latency' (nearest of all regions), a region code, or 'none' (no answer).",
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
    ttlSeconds: z.number().int().min(0).max(86400).default(DEFAULT_RECORD_TTL_SECONDS).meta({
      description:
        'TTL of records that are not aliases (CNAME targets; the records the library creates are aliases, which have none).',
    }),
    ignoreWeightChanges: z
      .boolean()
      .default(false)
      .meta({ description: 'Let operators tune weights live: later applies will not reset them.' }),
  })
  .meta({ description: 'How traffic is spread across regions.' });

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

export const DnsSchema = z
  .strictObject({
    hostedZoneId: route53ZoneId.optional().meta({
      description:
        'Existing public zone to write records into. Default: a zone for service.domain is created (protected by prevent_destroy).',
    }),
    dnssec: z.boolean().default(true).meta({
      description:
        'Sign the zone the library creates with DNSSEC (KMS key in us-east-1, key-signing key). Add the DS record at the parent to complete the chain.',
    }),
    queryLogging: z
      .boolean()
      .default(true)
      .meta({ description: 'Log DNS queries of the zone the library creates to CloudWatch Logs in us-east-1.' }),
    queryLogRetentionDays: logRetentionDays.default(30).meta({ description: 'Days to keep query logs.' }),
    originDomain: dnsName.optional().meta({
      description:
        "Route53 domain of the AWS side when Cloudflare is the front door (service.domain then lives in Cloudflare). Default: 'origin.' + service.domain.",
    }),
    privateZone: z.boolean().default(false).meta({
      description:
        'Also create a private zone of the same name in the created VPCs (split horizon): clients inside AWS resolve the service through it.',
    }),
  })
  .meta({ description: 'Route53 hosted zone settings.' });

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

/** Jurisdiction key pattern (residency keys, region jurisdictions). */
const jurisdictionKey = z
  .string()
  .regex(/^[a-z](?:[a-z0-9-]{0,14}[a-z0-9])?$/, 'must be a jurisdiction key such as eu');

/**
 * An endpoint outside the service's regions that routing can send clients to (a partner API, a CDN name, an
 * address): the routing proofs refuse any target they cannot place unless it is declared here, with the
 * jurisdiction it serves from and how fast it moves its own clients off a failure of its own.
 */
export const ExternalEndpointSchema = z
  .strictObject({
    name: z
      .string()
      .max(253, 'must be at most 253 characters (DNS limit)')
      .regex(
        /^(?:(?:[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9])?\.)+[a-z][a-z0-9-]{0,61}[a-z0-9]\.?|(?:\d{1,3}\.){3}\d{1,3}|[0-9a-fA-F:]*:[0-9a-fA-F:]+)$/,
        'must be the DNS name (lower case) or IP address that records, origins or backends name, such as partner.example.net',
      )
      .meta({ description: 'DNS name or IP address exactly as the record, origin or backend names it.' }),
    jurisdiction: jurisdictionKey.meta({
      description:
        "Jurisdiction the endpoint serves from (a residency key), or 'none' when it is in none: residency clients reaching it are then refused.",
    }),
    failoverSeconds: z
      .number()
      .int('must be a whole number of seconds')
      .positive('must be > 0')
      .max(3600, 'must be ≤ 3600')
      .meta({
        description:
          'Worst-case seconds the endpoint needs to move traffic off a failure of its own; counted as the failover time of every path ending there.',
      }),
  })
  .meta({ description: 'An endpoint outside the stacks, declared so the routing proofs can place it.' });

export type ExternalEndpointSpec = z.output<typeof ExternalEndpointSchema>;

export const FRONT_DOORS = ['route53', 'cloudflare', 'both'] as const;

const SpecObjectSchema = z.strictObject({
  $schema: z.string().optional().meta({ description: 'Path or URL of the JSON Schema, for editors.' }),
  service: z.strictObject({
    name: serviceName.meta({ description: 'Short name used in resource names and tags.' }),
    domain: dnsName.meta({ description: 'DNS name clients use, e.g. inference.example.com.' }),
  }),
  model: ModelSchema.optional().meta({ description: 'The one model served (shorthand for `models: [ ... ]`).' }),
  models: z.array(ModelSchema).min(1, 'must list at least one model').max(16, 'must list at most 16 models').optional(),
  regions: z.array(RegionSchema).min(1, 'must list at least one region').max(40, 'must list at most 40 regions'),
  aws: AwsAccountSchema.default({}),
  dns: DnsSchema.prefault({}),
  residency: z
    .record(
      z.string().regex(/^[a-z](?:[a-z0-9-]{0,14}[a-z0-9])?$/, 'must be a jurisdiction key such as eu'),
      ResidencyGroupSchema,
    )
    .default({})
    .meta({
      description:
        'Clients that must stay in a jurisdiction, by jurisdiction key (regions opt in with `jurisdiction`). Example: { eu: { preset: eu } }.',
    }),
  health: HealthSchema.prefault({}),
  endpoint: EndpointSchema.prefault({}),
  routing: RoutingSchema.prefault({}),
  frontDoor: z.enum(FRONT_DOORS).default('route53').meta({ description: 'Which front door(s) to build.' }),
  cloudflare: CloudflareSchema.optional(),
  edgeRouter: EdgeRouterSchema.optional(),
  externalEndpoints: z.array(ExternalEndpointSchema).max(100, 'must list at most 100 endpoints').optional().meta({
    description:
      'Endpoints outside the stacks that records or escape hatches route to, with their jurisdiction and failover time. Default: none (the proofs refuse targets they cannot place).',
  }),
  slo: z
    .strictObject({
      failoverSeconds: z
        .number()
        .int()
        .positive('must be > 0')
        .max(3600, 'must be ≤ 3600')
        .default(180)
        .meta({ description: 'Worst-case time to move traffic off a failed region.' }),
      survivesRegionFailure: z.boolean().default(true).meta({
        description:
          'Synth proves that every client group keeps a healthy region when any one region fails. false accepts that a region failure is an outage (e.g. a single-region development service).',
      }),
    })
    .prefault({}),
  state: StateSchema.default({ backend: 'local' }).meta({
    description: 'Terraform state backend. Environment variables can override it (see README).',
  }),
  tags: tagsSchema.default({}).meta({ description: 'Tags added to every AWS resource.' }),
});

export const SpecSchema = SpecObjectSchema.superRefine(crossChecks, { when: () => true })
  .transform(normalize)
  .meta({
    title: 'Global inference service spec',
    description: 'A multi-region GPU inference service and the routing in front of it.',
  });

/** The spec as authored (TS object or file): optional fields may be left out. */
export type GlobalInferenceSpecInput = z.input<typeof SpecSchema>;
/** The validated spec with every default filled in. */
export type GlobalInferenceSpec = z.output<typeof SpecSchema>;
export type ModelSpec = GlobalInferenceSpec['models'][number];
export type RegionSpec = GlobalInferenceSpec['regions'][number];
export type HealthSpec = GlobalInferenceSpec['health'];
export type EndpointSpec = GlobalInferenceSpec['endpoint'];
export type StateSpec = GlobalInferenceSpec['state'];
export type DnsSpec = GlobalInferenceSpec['dns'];
export type RoutingSpec = GlobalInferenceSpec['routing'];

// ---------------------------------------------------------------------------------------------------------
// Cross-field rules. They read the value defensively: parts of it may be invalid (and reported elsewhere).

type Raw = Record<string, unknown>;
type Ctx = z.RefinementCtx;

function crossChecks(spec: Raw, ctx: Ctx): void {
  const hasModel = spec.model !== undefined;
  const hasModels = spec.models !== undefined;
  if (hasModel && hasModels) {
    ctx.addIssue({
      code: 'custom',
      path: ['model'],
      input: spec.model,
      message: 'give either `model` (one model) or `models` (a list), not both',
    });
  }
  if (!hasModel && !hasModels) {
    ctx.addIssue({
      code: 'custom',
      path: ['models'],
      input: undefined,
      message: 'is required: declare the model(s) to serve with `model: {...}` or `models: [...]`',
    });
  }
  const models = (hasModels ? asArray(spec.models) : hasModel ? [spec.model] : []).filter(isObject);
  const modelNames = models.map((m) => modelKey(m));
  reportDuplicates(
    modelNames,
    (i) => [hasModels ? 'models' : 'model', ...(hasModels ? [i] : []), 'name'],
    'model name',
    ctx,
  );

  models.forEach((m, i) => {
    const path = hasModels ? ['models', i] : ['model'];
    if (m.engine === 'custom' && (m.image === undefined || m.command === undefined)) {
      ctx.addIssue({
        code: 'custom',
        path: [...path, 'engine'],
        input: 'custom',
        message: 'custom engine needs both `image` and `command` (the library cannot guess how to start it)',
      });
    }
    if (m.weightsS3Uri !== undefined && m.huggingFaceTokenSecretArn !== undefined) {
      ctx.addIssue({
        code: 'custom',
        path: [...path, 'huggingFaceTokenSecretArn'],
        input: m.huggingFaceTokenSecretArn,
        message: 'is not used when weightsS3Uri is set (weights come from S3); remove one of them',
      });
    }
  });

  const regions = asArray(spec.regions).filter(isObject);
  reportDuplicates(
    regions.map((r) => (typeof r.region === 'string' ? r.region : undefined)),
    (i) => ['regions', i, 'region'],
    'region',
    ctx,
  );
  regions.forEach((r, i) => {
    for (const [j, name] of asArray(r.models).entries()) {
      if (typeof name === 'string' && !modelNames.includes(name)) {
        ctx.addIssue({
          code: 'custom',
          path: ['regions', i, 'models', j],
          input: name,
          message: `must name a declared model (${modelNames.join(', ') || 'none declared'})`,
        });
      }
    }
    if (isObject(r.modelVersions)) {
      for (const name of Object.keys(r.modelVersions)) {
        if (!modelNames.includes(name)) {
          ctx.addIssue({
            code: 'custom',
            path: ['regions', i, 'modelVersions', name],
            input: name,
            message: `must be keyed by a declared model name (${modelNames.join(', ')})`,
          });
        }
      }
    }
  });

  const regionCodes = regions.map((r) => r.region).filter((r): r is string => typeof r === 'string');
  checkRouting(spec, regionCodes, ctx);
  checkResidency(spec, regions, ctx);
  checkRollout(models, hasModels, regions, ctx);
  checkFrontDoor(spec, ctx);
  cloudflareCrossChecks(spec, ctx);
  const edgeWeights = isObject(spec.edgeRouter) && isObject(spec.edgeRouter.weights) ? spec.edgeRouter.weights : {};
  for (const region of Object.keys(edgeWeights)) {
    if (!regionCodes.includes(region)) {
      ctx.addIssue({
        code: 'custom',
        path: ['edgeRouter', 'weights', region],
        input: region,
        message: `must be keyed by a region of the spec (${regionCodes.join(', ')})`,
      });
    }
  }

  const endpoint = isObject(spec.endpoint) ? spec.endpoint : {};
  checkDeployability(spec, models, hasModels, regions, endpoint, ctx);
  const algorithm = endpoint.loadBalancingAlgorithm ?? 'least_outstanding_requests';
  if (
    typeof endpoint.slowStartSeconds === 'number' &&
    endpoint.slowStartSeconds > 0 &&
    algorithm === 'least_outstanding_requests'
  ) {
    ctx.addIssue({
      code: 'custom',
      path: ['endpoint', 'slowStartSeconds'],
      input: endpoint.slowStartSeconds,
      message:
        'cannot be used with loadBalancingAlgorithm least_outstanding_requests (AWS refuses both on one target group); set loadBalancingAlgorithm: round_robin or slowStartSeconds: 0',
    });
  }
}

/** Limits AWS applies across fields: certificates, volumes, user data, bucket names, record names, token text. */
function checkDeployability(
  spec: Raw,
  models: Raw[],
  hasModels: boolean,
  regions: Raw[],
  endpoint: Raw,
  ctx: Ctx,
): void {
  const accountId = isObject(spec.aws) && typeof spec.aws.accountId === 'string' ? spec.aws.accountId : undefined;
  const bucketProblems = new Set<string>();
  regions.forEach((r, i) => {
    const arnMatch = typeof r.certificateArn === 'string' ? ACM_CERTIFICATE_ARN.exec(r.certificateArn) : null;
    if (arnMatch && accountId && arnMatch[2] !== accountId) {
      ctx.addIssue({
        code: 'custom',
        path: ['regions', i, 'certificateArn'],
        input: r.certificateArn,
        message: `must be a certificate of account ${accountId} (aws.accountId): an ALB cannot use another account's certificate`,
      });
    }
    if (typeof endpoint.accessLogsBucket === 'string' && typeof r.region === 'string') {
      const problem = accessLogsBucketProblem(endpoint.accessLogsBucket, r.region);
      // Once per distinct problem: a name that is invalid as written is so in every region.
      if (problem && !bucketProblems.has(problem) && bucketProblems.add(problem))
        ctx.addIssue({
          code: 'custom',
          path: ['endpoint', 'accessLogsBucket'],
          input: endpoint.accessLogsBucket,
          message: problem,
        });
    }
  });

  // The VPC the library creates: its subnets must hold an ALB (/27) and every GPU instance one zone may get.
  const warmPool = isObject(endpoint.warmPool) ? endpoint.warmPool : undefined;
  regions.forEach((r, i) => {
    const fleets = Array.isArray(r.models) ? r.models.length : models.length;
    const max = isObject(r.capacity) ? r.capacity.max : undefined;
    const instances =
      typeof max === 'number' && Number.isInteger(max) && max > 0
        ? peakInstancesPerSubnet(
            Math.max(1, fleets),
            max,
            warmPool ? (typeof warmPool.minSize === 'number' ? warmPool.minSize : 1) : 0,
          )
        : 0;
    for (const problem of createdNetworkProblems(r.region, r.network, instances))
      ctx.addIssue({ code: 'custom', ...problem, path: ['regions', i, 'network', ...problem.path] });
  });

  const serviceName =
    isObject(spec.service) && typeof spec.service.name === 'string' ? spec.service.name : 'x'.repeat(24);
  models.forEach((raw, i) => {
    const path = hasModels ? ['models', i] : ['model'];
    const model = ModelSchema.safeParse(raw);
    if (!model.success) return;
    const name = model.data.name ?? modelKeyFromId(model.data.id);
    const versions = [
      model.data.version,
      ...regions.map((r) =>
        isObject(r.modelVersions) && typeof r.modelVersions[name] === 'string'
          ? r.modelVersions[name]
          : model.data.version,
      ),
    ];
    const rootVolumeGiB = typeof endpoint.rootVolumeGiB === 'number' ? endpoint.rootVolumeGiB : undefined;
    for (const problem of fleetProblems(
      { ...model.data, name },
      { rootVolumeGiB, serviceName, versions: versions.map(String) },
    )) {
      ctx.addIssue({ code: 'custom', ...problem, path: [...path, ...problem.path] });
    }
  });

  const domain = routingDomainOf(spec);
  if (typeof domain === 'string' && dnsName.safeParse(domain).success) {
    const where =
      spec.frontDoor === 'cloudflare' || spec.frontDoor === 'both'
        ? isObject(spec.dns) && spec.dns.originDomain !== undefined
          ? ['dns', 'originDomain']
          : ['service', 'domain']
        : ['service', 'domain'];
    if (domain.length > MAX_ROUTING_DOMAIN_LENGTH) {
      ctx.addIssue({
        code: 'custom',
        path: where,
        input: domain,
        message: `gives a routing domain of ${domain.length} characters; record names under it (up to ${253 - MAX_ROUTING_DOMAIN_LENGTH} characters longer) must stay within the 253 of DNS, so keep it ≤ ${MAX_ROUTING_DOMAIN_LENGTH}`,
      });
    } else if (domain.length > ACM_FIRST_NAME_MAX && regions.some((r) => r.certificateArn === undefined)) {
      ctx.addIssue({
        code: 'custom',
        path: where,
        input: domain,
        message: `is ${domain.length} characters; ACM refuses a certificate whose first name is longer than ${ACM_FIRST_NAME_MAX}, and regions without certificateArn get one issued for ${domain}: shorten it or give every region a certificateArn`,
      });
    }
  }

  for (const [path, value] of tokenLikeValues(spec)) {
    ctx.addIssue({
      code: 'custom',
      path,
      input: value,
      message:
        'holds text CDKTF reads as an unresolved token (${TfToken[...]} or an encoded number); a spec holds literal values only',
    });
  }
}

/**
 * Limits of one model's fleet: the default root volume must fit gp3, and the boot script EC2 user data (16 KB) for
 * every version a region runs. Shared by the spec and the {@link GpuFleet}/{@link GpuInferenceEndpoint} props.
 */
export function fleetProblems(
  model: Omit<ModelSpec, 'name'> & { name: string },
  context: { rootVolumeGiB?: number; serviceName: string; versions?: readonly string[] },
): { path: PropertyKey[]; input: unknown; message: string }[] {
  const problems: { path: PropertyKey[]; input: unknown; message: string }[] = [];
  if (
    model.weightsGiB !== undefined &&
    model.weightsGiB > MAX_WEIGHTS_GIB_FOR_DEFAULT_VOLUME &&
    context.rootVolumeGiB === undefined
  ) {
    problems.push({
      path: ['weightsGiB'],
      input: model.weightsGiB,
      message: `gives a default root volume of ${defaultRootVolumeGiB(model.weightsGiB)} GiB (100 + twice the weights), above the ${GP3_MAX_GIB} GiB gp3 limit; keep it ≤ ${MAX_WEIGHTS_GIB_FOR_DEFAULT_VOLUME} or set endpoint.rootVolumeGiB`,
    });
  }
  if (model.engine === 'custom' && (!model.image || !model.command)) return problems;
  for (const version of new Set(context.versions ?? [model.version])) {
    const bytes = userDataBytes({ model: { ...model, version }, serviceName: context.serviceName });
    if (bytes > MAX_USER_DATA_BYTES) {
      problems.push({
        path: [model.command ? 'command' : 'args'],
        input: `${bytes} bytes`,
        message: `makes the instance boot script ${bytes} bytes; EC2 user data is limited to ${MAX_USER_DATA_BYTES} bytes`,
      });
      break;
    }
  }
  return problems;
}

/**
 * The most GPU instances one private subnet may have to hold: every fleet of the region in one zone (an ASG puts
 * instances where capacity is, so a zone can get all of them), each at twice `capacity.max` while instances are
 * replaced (the instance maintenance policy launches first, up to 200% of the group), plus its warm pool.
 */
export function peakInstancesPerSubnet(fleets: number, capacityMax: number, warmPoolMinSize = 0): number {
  return fleets * (2 * capacityMax + warmPoolMinSize);
}

/**
 * Problems of the VPC the library creates for a region (none when the network is an existing one): its CIDR must lay
 * out ALB subnets of at least /27 and private subnets holding `instancesPerSubnet` instances. Paths are relative to the
 * network settings (`cidr`). Shared by the spec, {@link MinimalVpc} and {@link GpuInferenceEndpoint}.
 */
export function createdNetworkProblems(
  region: unknown,
  network: unknown,
  instancesPerSubnet = 0,
): { path: PropertyKey[]; input: unknown; message: string }[] {
  const settings = isObject(network) ? network : {};
  if (settings.vpcId !== undefined || settings.privateSubnetIds !== undefined || settings.publicSubnetIds !== undefined)
    return [];
  const cidr = settings.cidr === undefined ? DEFAULT_VPC_CIDR : settings.cidr;
  if (typeof cidr !== 'string' || !NetworkSchema.shape.cidr.safeParse(cidr).success) return [];
  const zones = Array.isArray(settings.availabilityZoneIds)
    ? settings.availabilityZoneIds.length
    : typeof region === 'string' && isKnownRegion(region)
      ? Math.min(3, regionInfo(region).availabilityZoneIds.length)
      : undefined;
  if (zones === undefined || zones < 2 || zones > 6) return [];
  const problem = subnetLayoutProblem(cidr, zones, instancesPerSubnet);
  if (!problem) return [];
  return [
    {
      path: ['cidr'],
      input: settings.cidr,
      message: settings.cidr === undefined ? `(default ${DEFAULT_VPC_CIDR}) ${problem}` : problem,
    },
  ];
}

/** EC2 user data is limited to 16 KB before base64. */
export const MAX_USER_DATA_BYTES = 16384;
/** ACM: the first domain name of a certificate is at most 64 characters. */
export const ACM_FIRST_NAME_MAX = 64;
/** Names under the routing domain add up to 37 characters (`<group of 32>.geo.`). */
export const MAX_ROUTING_DOMAIN_LENGTH = 216;

/**
 * The domain the Route53 routing (zone, records, certificates) lives in: `service.domain` when Route53 is the front
 * door, else `dns.originDomain`, by default `origin.` + `service.domain`. The one definition of that default.
 */
export function routingDomainOf(spec: { frontDoor?: unknown; service?: unknown; dns?: unknown }): string | undefined {
  const domain = isObject(spec.service) && typeof spec.service.domain === 'string' ? spec.service.domain : undefined;
  if (domain === undefined) return undefined;
  if (spec.frontDoor !== 'cloudflare' && spec.frontDoor !== 'both') return domain;
  const origin = isObject(spec.dns) ? spec.dns.originDomain : undefined;
  return typeof origin === 'string' ? origin : `origin.${domain}`;
}

/** Strings (and numbers) that cdktf would take for its own token encodings, with their paths. */
function tokenLikeValues(
  value: unknown,
  path: PropertyKey[] = [],
  out: [PropertyKey[], unknown][] = [],
): [PropertyKey[], unknown][] {
  if (path.length > 32 || out.length > 20) return out;
  if (typeof value === 'string') {
    if (
      /[$#&]\{TfToken\[/.test(value) ||
      [...value.matchAll(/[-|\d|.+]+(e[-|\d|.|e|E|+]+)/g)].some((m) => isTokenDouble(parseFloat(m[0])))
    )
      out.push([path, value]);
  } else if (typeof value === 'number') {
    if (isTokenDouble(value)) out.push([path, value]);
  } else if (Array.isArray(value)) {
    value.forEach((v, i) => tokenLikeValues(v, [...path, i], out));
  } else if (isObject(value)) {
    for (const [k, v] of Object.entries(value)) {
      if (/[$#&]\{TfToken\[/.test(k)) out.push([[...path, k], k]);
      tokenLikeValues(v, [...path, k], out);
    }
  }
  return out;
}

/** cdktf encodes number tokens as doubles whose top 16 bits are 0xfdff (0xfbff for lists). */
function isTokenDouble(value: number): boolean {
  if (!Number.isFinite(value) && !Number.isNaN(value)) return false;
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, value, true);
  const top = view.getUint32(4, true) >>> 16;
  return top === 0xfdff || top === 0xfbff;
}

function checkRouting(spec: Raw, regionCodes: string[], ctx: Ctx): void {
  const routing = isObject(spec.routing) ? spec.routing : {};
  const mode = typeof routing.mode === 'string' ? routing.mode : 'latency';
  const known = (path: PropertyKey[], value: unknown) => {
    if (typeof value === 'string' && !regionCodes.includes(value)) {
      ctx.addIssue({
        code: 'custom',
        path,
        input: value,
        message: `must be a region of the spec (${regionCodes.join(', ')})`,
      });
      return false;
    }
    return true;
  };
  const needs = (key: string, forMode: string) => {
    if (mode === forMode && routing[key] === undefined && forMode !== 'weighted') {
      ctx.addIssue({
        code: 'custom',
        path: ['routing', key],
        input: undefined,
        message: `is required for mode ${forMode}`,
      });
    }
    if (mode !== forMode && routing[key] !== undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['routing', key],
        input: routing[key],
        message: `only applies to mode ${forMode} (mode is ${mode}); remove it or change the mode`,
      });
    }
  };
  needs('failover', 'failover');
  needs('weights', 'weighted');
  needs('geolocation', 'geolocation');
  needs('biases', 'geoproximity');

  if (isObject(routing.failover)) {
    const primary = routing.failover.primary;
    known(['routing', 'failover', 'primary'], primary);
    const secondaries = asArray(routing.failover.secondaries);
    secondaries.forEach((r, i) => {
      known(['routing', 'failover', 'secondaries', i], r);
      if (r === primary)
        ctx.addIssue({
          code: 'custom',
          path: ['routing', 'failover', 'secondaries', i],
          input: r,
          message: 'is the primary; a region cannot be its own secondary',
        });
    });
    if (regionCodes.length < 2)
      ctx.addIssue({
        code: 'custom',
        path: ['routing', 'mode'],
        input: mode,
        message: 'failover needs at least two regions',
      });
  }
  for (const key of ['weights', 'biases'] as const) {
    if (isObject(routing[key])) for (const region of Object.keys(routing[key])) known(['routing', key, region], region);
  }
  if (mode === 'weighted' && isObject(routing.weights)) {
    const weights = routing.weights as Record<string, unknown>;
    const total = regionCodes.reduce(
      (sum, r) => sum + (typeof weights[r] === 'number' ? (weights[r] as number) : DEFAULT_ROUTE53_WEIGHT),
      0,
    );
    if (total === 0)
      ctx.addIssue({
        code: 'custom',
        path: ['routing', 'weights'],
        input: weights,
        message:
          'must give at least one region a weight above 0 (all-zero weights spread traffic evenly, which is never what was meant)',
      });
  }
  if (isObject(routing.geolocation)) {
    const groups = asArray(routing.geolocation.groups).filter(isObject);
    const seen = new Map<string, string>();
    groups.forEach((group, g) => {
      asArray(group.regions).forEach((r, i) => known(['routing', 'geolocation', 'groups', g, 'regions', i], r));
      const locations = [
        ...asArray(group.continents).map((c) => `continent ${String(c)}`),
        ...asArray(group.countries).map((c) => `country ${String(c)}`),
      ];
      if (locations.length === 0)
        ctx.addIssue({
          code: 'custom',
          path: ['routing', 'geolocation', 'groups', g],
          input: group.name,
          message: 'must list continents or countries',
        });
      for (const location of locations) {
        const other = seen.get(location);
        if (other !== undefined)
          ctx.addIssue({
            code: 'custom',
            path: ['routing', 'geolocation', 'groups', g],
            input: location,
            message: `${location} is already covered by group '${other}'; each location may belong to one group`,
          });
        else seen.set(location, String(group.name));
      }
    });
    const fallback = routing.geolocation.default;
    if (
      typeof fallback === 'string' &&
      fallback !== 'latency' &&
      fallback !== 'none' &&
      !regionCodes.includes(fallback)
    ) {
      ctx.addIssue({
        code: 'custom',
        path: ['routing', 'geolocation', 'default'],
        input: fallback,
        message: `must be 'latency', 'none' or a region of the spec (${regionCodes.join(', ')})`,
      });
    }
  }
  if (isObject(routing.canary)) {
    const region = routing.canary.region;
    if (known(['routing', 'canary', 'region'], region) && regionCodes.length < 2) {
      ctx.addIssue({
        code: 'custom',
        path: ['routing', 'canary', 'region'],
        input: region,
        message: 'a canary needs at least one other region to take the rest of the traffic',
      });
    }
    if (mode === 'geolocation') {
      ctx.addIssue({
        code: 'custom',
        path: ['routing', 'canary'],
        input: region,
        message:
          'does not combine with mode geolocation (each location already picks its regions); use a geolocation group for the new region instead',
      });
    }
    if (mode === 'failover' && isObject(routing.failover) && routing.failover.primary === region) {
      ctx.addIssue({
        code: 'custom',
        path: ['routing', 'canary', 'region'],
        input: region,
        message: 'cannot be the failover primary',
      });
    }
  }
}

function checkResidency(spec: Raw, regions: Raw[], ctx: Ctx): void {
  const residency = isObject(spec.residency) ? spec.residency : {};
  const jurisdictions = new Set(regions.map((r) => r.jurisdiction).filter((j): j is string => typeof j === 'string'));
  for (const key of Object.keys(residency)) {
    if (!jurisdictions.has(key)) {
      ctx.addIssue({
        code: 'custom',
        path: ['residency', key],
        input: key,
        message: `no region has jurisdiction '${key}', so its clients would have nowhere to go; set jurisdiction: ${key} on at least one region`,
      });
    }
  }
  for (const key of Object.keys(residency)) {
    if ((RESERVED_LABELS as readonly string[]).includes(key)) {
      ctx.addIssue({
        code: 'custom',
        path: ['residency', key],
        input: key,
        message: `is a name the routing uses internally (${RESERVED_LABELS.join(', ')}); pick another jurisdiction key`,
      });
    }
  }
  // Geolocation groups and residency groups must not claim the same location, nor one a country inside a continent
  // of the other: Route53 answers the more specific record, so one of them would silently win.
  const routing = isObject(spec.routing) ? spec.routing : {};
  const groups = isObject(routing.geolocation) ? asArray(routing.geolocation.groups).filter(isObject) : [];
  for (const [key, group] of Object.entries(residency)) {
    if (!isObject(group)) continue;
    for (const g of groups) {
      const shared = overlaps(locationsOf(group), locationsOf(g));
      if (shared.length > 0) {
        ctx.addIssue({
          code: 'custom',
          path: ['routing', 'geolocation', 'groups'],
          input: shared,
          message: `group '${String(g.name)}' claims ${shared.join(', ')}, which residency group '${key}' already binds to its jurisdiction (Route53 answers the more specific location, so one group would silently win); give each location to one group`,
        });
      }
    }
  }
  // A location can only be bound to one jurisdiction: not the same country or continent twice, and not a country
  // inside a continent another jurisdiction binds (Route53 and the Cloudflare and edge-router front doors resolve
  // that overlap differently: country first, or the data center's region).
  const keys = Object.keys(residency).filter((k) => isObject(residency[k]));
  for (let i = 0; i < keys.length; i++) {
    for (let k = 0; k < keys.length; k++) {
      if (i === k) continue;
      const a = locationsOf(residency[keys[i]] as Raw);
      const b = locationsOf(residency[keys[k]] as Raw);
      for (const country of a.countries) {
        if (k < i && b.countries.includes(country))
          ctx.addIssue({
            code: 'custom',
            path: ['residency', keys[i], 'countries'],
            input: country,
            message: `is also bound to jurisdiction '${keys[k]}'`,
          });
        const continent = continentOf(country);
        if (continent && b.continents.includes(continent)) {
          ctx.addIssue({
            code: 'custom',
            path: ['residency', keys[i], 'countries'],
            input: country,
            message: `lies in continent ${continent}, which residency group '${keys[k]}' binds: a client there would belong to two jurisdictions; bind ${country} in one group only`,
          });
        }
      }
      for (const continent of a.continents) {
        if (k < i && b.continents.includes(continent))
          ctx.addIssue({
            code: 'custom',
            path: ['residency', keys[i], 'continents'],
            input: continent,
            message: `is also bound to jurisdiction '${keys[k]}'`,
          });
      }
    }
  }
  // Geolocation groups among themselves: a country inside another group's continent goes to the country's group.
  for (let i = 0; i < groups.length; i++) {
    for (let k = 0; k < groups.length; k++) {
      if (i === k) continue;
      const inside = locationsOf(groups[i]).countries.filter((c) =>
        locationsOf(groups[k]).continents.includes(continentOf(c) ?? ''),
      );
      if (inside.length > 0) {
        ctx.addIssue({
          code: 'custom',
          path: ['routing', 'geolocation', 'groups', i, 'countries'],
          input: inside,
          message: `${inside.join(', ')} ${inside.length > 1 ? 'lie' : 'lies'} in a continent of group '${String(groups[k].name)}': Route53 would answer ${inside.length > 1 ? 'them' : 'it'} from this group's more specific record, which the groups do not say; move the countries out of one group or name the continent's countries one by one`,
        });
      }
    }
  }
  checkExternalEndpoints(spec, regions, ctx);
}

/** The countries and continents a residency or geolocation group names (a preset expands to its countries). */
function locationsOf(group: Raw): ResidencyClientGroup & { countries: string[]; continents: string[] } {
  const preset =
    typeof group.preset === 'string' && group.preset in COUNTRY_PRESETS
      ? [...COUNTRY_PRESETS[group.preset as keyof typeof COUNTRY_PRESETS]]
      : [];
  return {
    countries: [...preset, ...asArray(group.countries).filter((c): c is string => typeof c === 'string')],
    continents: asArray(group.continents).filter((c): c is string => typeof c === 'string'),
  };
}

/**
 * Locations group `b` claims that group `a` also covers: the same country or continent, a country of `b` inside a
 * continent of `a`, or a continent of `b` holding a country of `a` (described as `b` claims them).
 */
function overlaps(a: ResidencyClientGroup, b: ResidencyClientGroup): string[] {
  return [
    ...b.continents.filter((c) => a.continents.includes(c)).map((c) => `continent ${c}`),
    ...b.countries.filter((c) => a.countries.includes(c)).map((c) => `country ${c}`),
    ...b.countries
      .filter((c) => a.continents.includes(continentOf(c) ?? ''))
      .map((c) => `country ${c} (in continent ${continentOf(c)})`),
    ...a.countries
      .filter((c) => b.continents.includes(continentOf(c) ?? ''))
      .map((c) => `continent ${continentOf(c)} (holding country ${c})`),
  ];
}

/** External endpoints: a jurisdiction the spec knows (or `none`), and each name declared once. */
function checkExternalEndpoints(spec: Raw, regions: Raw[], ctx: Ctx): void {
  const known = new Set([
    ...regions.map((r) => r.jurisdiction).filter((j): j is string => typeof j === 'string'),
    ...Object.keys(isObject(spec.residency) ? spec.residency : {}),
    'none',
  ]);
  const endpoints = asArray(spec.externalEndpoints).filter(isObject);
  reportDuplicates(
    endpoints.map((e) => (typeof e.name === 'string' ? e.name.replace(/\.$/, '') : undefined)),
    (i) => ['externalEndpoints', i, 'name'],
    'external endpoint',
    ctx,
  );
  endpoints.forEach((e, i) => {
    if (typeof e.jurisdiction === 'string' && !known.has(e.jurisdiction)) {
      ctx.addIssue({
        code: 'custom',
        path: ['externalEndpoints', i, 'jurisdiction'],
        input: e.jurisdiction,
        message: `must be a jurisdiction of the spec (${[...known].sort().join(', ')}); 'none' for an endpoint in no jurisdiction`,
      });
    }
  });
}

function checkRollout(models: Raw[], hasModels: boolean, regions: Raw[], ctx: Ctx): void {
  models.forEach((model, i) => {
    const name = modelKey(model);
    const stable = model.version;
    if (name === undefined || typeof stable !== 'string') return;
    const serving = regions.filter(
      (r) => typeof r.region === 'string' && (r.models === undefined || asArray(r.models).includes(name)),
    );
    const versionOf = (r: Raw) =>
      isObject(r.modelVersions) && typeof r.modelVersions[name] === 'string'
        ? (r.modelVersions[name] as string)
        : stable;
    const rolling = serving.filter((r) => versionOf(r) !== stable && versionOf(r) !== model.promotedVersion);
    if (rolling.length === 0) return;
    const onStable = serving.filter((r) => versionOf(r) === stable);
    if (onStable.length >= 2) return;
    const path = hasModels ? ['models', i, 'version'] : ['model', 'version'];
    const newVersions = [...new Set(rolling.map(versionOf))].join(', ');
    ctx.addIssue({
      code: 'custom',
      path,
      input: stable,
      message:
        `rolling upgrade of model '${name}': only ${onStable.length} region${onStable.length === 1 ? '' : 's'} (${onStable.map((r) => String(r.region)).join(', ') || 'none'}) still run${onStable.length === 1 ? 's' : ''} the stable version ${stable} ` +
        `while ${newVersions} rolls out to ${rolling.map((r) => String(r.region)).join(', ')}; keep at least two regions on ${stable}, ` +
        `or declare the new version validated with ${hasModels ? `models[${i}]` : 'model'}.promotedVersion: "${rolling.map(versionOf)[0]}"`,
    });
  });
}

function checkFrontDoor(spec: Raw, ctx: Ctx): void {
  const frontDoor = typeof spec.frontDoor === 'string' ? spec.frontDoor : 'route53';
  if ((frontDoor === 'cloudflare' || frontDoor === 'both') && spec.cloudflare === undefined) {
    ctx.addIssue({
      code: 'custom',
      path: ['cloudflare'],
      input: undefined,
      message: `is required when frontDoor is ${frontDoor} (accountId, zoneId and plan of the Cloudflare zone)`,
    });
  }
  const cloudflare = isObject(spec.cloudflare) ? spec.cloudflare : {};
  if (frontDoor === 'both' && cloudflare.lockOrigin === true) {
    ctx.addIssue({
      code: 'custom',
      path: ['cloudflare', 'lockOrigin'],
      input: true,
      message:
        'cannot be on with frontDoor both: Route53 clients and health checks reach the ALBs directly and would get 403; use frontDoor: cloudflare to lock the origins',
    });
  }
  if (frontDoor === 'route53' && spec.cloudflare !== undefined) {
    ctx.addIssue({
      code: 'custom',
      path: ['cloudflare'],
      input: '{...}',
      message: "is only used when frontDoor is 'cloudflare' or 'both'; set frontDoor or remove this block",
    });
  }
}

/**
 * The routing and residency rules of the spec, for constructs used without a spec: problems of `routing` and
 * `residency` given the regions (code and jurisdiction) they apply to.
 */
export function route53RoutingProblems(
  routing: unknown,
  residency: unknown,
  regions: readonly { region: string; jurisdiction?: string }[],
): SpecProblem[] {
  const problems: SpecProblem[] = [];
  const ctx = {
    addIssue: (issue: { path?: PropertyKey[]; message?: string; input?: unknown }) =>
      problems.push({
        path: formatPath(issue.path ?? []),
        message: issue.message ?? 'is invalid',
        received: issue.input === undefined ? undefined : JSON.stringify(issue.input),
      }),
  } as unknown as Ctx;
  const spec = { routing, residency };
  checkRouting(
    spec,
    regions.map((r) => r.region),
    ctx,
  );
  checkResidency(spec, regions as unknown as Raw[], ctx);
  return problems;
}

function reportDuplicates(
  values: (string | undefined)[],
  pathOf: (i: number) => PropertyKey[],
  what: string,
  ctx: Ctx,
): void {
  const firstIndex = new Map<string, number>();
  values.forEach((value, i) => {
    if (value === undefined) return;
    const first = firstIndex.get(value);
    if (first === undefined) {
      firstIndex.set(value, i);
    } else {
      ctx.addIssue({
        code: 'custom',
        path: pathOf(i),
        input: value,
        message: `duplicate ${what} (also at index ${first}); each ${what} may appear once`,
      });
    }
  });
}

// ---------------------------------------------------------------------------------------------------------
// Normalisation: one shape for consumers (always `models`, every model named, every region's models listed).

function normalize(spec: z.output<typeof SpecObjectSchema>) {
  const { model, models, ...rest } = spec;
  const named = (models ?? (model ? [model] : [])).map((m) => ({ ...m, name: m.name ?? modelKeyFromId(m.id) }));
  const allNames = named.map((m) => m.name);
  return {
    ...rest,
    models: named,
    regions: spec.regions.map((r) => ({
      ...r,
      models: r.models ?? allNames,
      modelVersions: r.modelVersions ?? {},
    })),
  };
}

/** The key of a model: its `name`, or a slug of the last segment of its id (undefined for malformed input). */
export function modelKey(model: { name?: unknown; id?: unknown }): string | undefined {
  if (typeof model.name === 'string') return model.name;
  return typeof model.id === 'string' ? modelKeyFromId(model.id) : undefined;
}

/** A model key derived from a model id: `meta-llama/Llama-3.1-8B-Instruct` -> `llama-3-1-8b-instruct`. */
export function modelKeyFromId(id: string): string {
  const last = id.split('/').pop() ?? id;
  const slugged = last
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^[^a-z]+/, '')
    .slice(0, 40)
    .replace(/-+$/, '');
  return slugged || 'model';
}

function isObject(value: unknown): value is Raw {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function asArray(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

/** " (did you mean 'x'?)" when a close match exists. */
function suggestion(input: unknown, candidates: readonly string[]): string {
  const close = typeof input === 'string' ? closestMatch(input, candidates) : undefined;
  return close ? ` (did you mean '${close}'?)` : '';
}
