import { isObject, suggestion } from './check-helpers';
import { gpuInstanceType } from './gpu-instances';
import { versionLabel } from './model-schema';
import { z } from 'zod';
import {
  acmCertificateArn,
  ACM_CERTIFICATE_ARN,
  cidrList,
  isIpv4NetworkCidr,
  DEFAULT_VPC_CIDR,
  noDuplicates,
  slug,
} from './fields';
import { AWS_REGION_CODES, zoneIdProblems } from './regions';
/*
 * One region of the service: capacity, network, certificate, jurisdiction, and the rules tying them to the region.
 */

/** An AWS region code the library knows (zones, coordinates, checker regions), e.g. `eu-west-1`. */
export const awsRegion = z.enum(AWS_REGION_CODES as [string, ...string[]], {
  error: (issue) => {
    if (issue.input === undefined) return 'is required (an AWS region code such as us-east-1)';
    const hint = suggestion(issue.input, AWS_REGION_CODES);
    return hint
      ? `must be an AWS region code the library knows${hint}`
      : `must be an AWS region code the library knows: ${AWS_REGION_CODES.join(', ')}`;
  },
});

// ---------------------------------------------------------------------------------------------------------
// Regions

/** A region's `capacity`: instance counts of each model's fleet (min, max, desired). */
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

/** A region's `network`: an existing VPC and its subnets, or the settings of the VPC the library creates. */
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
          "Zone ids of the created VPC, in the endpoint's region. Default: the first three zones the library " +
          'knows for the region.',
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

/** One entry of the spec's `regions`: region, instance type, capacity, network, certificate, jurisdiction. */
export const RegionSchema = z
  .strictObject({
    region: awsRegion.meta({ description: 'AWS region code; the stable key of this regional endpoint.' }),
    instanceType: gpuInstanceType.meta({ description: 'GPU instance type, e.g. g6e.xlarge.' }),
    capacity: CapacitySchema,
    network: NetworkSchema.prefault({}).meta({
      description: 'Existing network ids, or settings of a minimal VPC the library creates (default).',
    }),
    jurisdiction: slug('jurisdiction key such as eu or us', 16)
      .optional()
      .meta({
        description:
          'Data-residency jurisdiction this region belongs to (e.g. eu). Users of a jurisdiction are only served ' +
          'by its regions.',
      }),
    certificateArn: acmCertificateArn.optional().meta({
      description:
        'ACM certificate for the HTTPS listener, in this region. Default: one is issued and DNS-validated in ' +
        'the hosted zone.',
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
      message:
        `must be a certificate in ${region.region}: an ALB only uses ACM certificates of its own region (this ` +
        `one is in ${arnMatch[1]})`,
    });
  }
  const network = isObject(region.network) ? region.network : {};
  if (Array.isArray(network.availabilityZoneIds)) {
    for (const problem of zoneIdProblems(region.region, network.availabilityZoneIds))
      problems.push({ ...problem, path: ['network', 'availabilityZoneIds', ...problem.path] });
  }
  return problems;
}
