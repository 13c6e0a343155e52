import type { z } from 'zod';
import { type Ctx, isObject, type Raw } from './check-helpers';
import { ModelSchema, modelKeyFromId } from './model-schema';
import { NetworkSchema } from './region-schema';
import {
  ACM_CERTIFICATE_ARN,
  dnsName,
  GP3_MAX_GIB,
  defaultRootVolumeGiB,
  DEFAULT_VPC_CIDR,
  accessLogsBucketProblem,
  MAX_WEIGHTS_GIB_FOR_DEFAULT_VOLUME,
} from './fields';
import { isKnownRegion, regionInfo } from './regions';
import { subnetLayoutProblem } from '../util/cidr';
import { userDataBytes } from '../aws/user-data';
/*
 * Limits AWS applies across fields (certificates, volumes, user data, subnets, record names, token text): what the
 * schema accepts must deploy. Shared by the spec and the constructs that apply them to their props.
 */

/** Limits AWS applies across fields: certificates, volumes, user data, bucket names, record names, token text. */
export function checkDeployability(
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
        message:
          `must be a certificate of account ${accountId} (aws.accountId): an ALB cannot use another account's ` +
          'certificate',
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
        message:
          `gives a routing domain of ${domain.length} characters; record names under it (up to ` +
          `${253 - MAX_ROUTING_DOMAIN_LENGTH} characters longer) must stay within the 253 of DNS, so keep it ≤ ` +
          `${MAX_ROUTING_DOMAIN_LENGTH}`,
      });
    } else if (domain.length > ACM_FIRST_NAME_MAX && regions.some((r) => r.certificateArn === undefined)) {
      ctx.addIssue({
        code: 'custom',
        path: where,
        input: domain,
        message:
          `is ${domain.length} characters; ACM refuses a certificate whose first name is longer than ` +
          `${ACM_FIRST_NAME_MAX}, and regions without certificateArn get one issued for ${domain}: shorten it or ` +
          'give every region a certificateArn',
      });
    }
  }

  for (const [path, value] of tokenLikeValues(spec)) {
    ctx.addIssue({
      code: 'custom',
      path,
      input: value,
      message:
        'holds text CDKTF reads as an unresolved token (${TfToken[...]} or an encoded number); a spec holds ' +
        'literal values only',
    });
  }
}

/**
 * Limits of one model's fleet: the default root volume must fit gp3, and the boot script EC2 user data (16 KB) for
 * every version a region runs. Shared by the spec and the {@link GpuFleet}/{@link GpuInferenceEndpoint} props.
 */
export function fleetProblems(
  model: Omit<z.output<typeof ModelSchema>, 'name'> & { name: string },
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
      message:
        `gives a default root volume of ${defaultRootVolumeGiB(model.weightsGiB)} GiB (100 + twice the weights), ` +
        `above the ${GP3_MAX_GIB} GiB gp3 limit; keep it ≤ ${MAX_WEIGHTS_GIB_FOR_DEFAULT_VOLUME} or set ` +
        'endpoint.rootVolumeGiB',
    });
  }
  if (model.engine === 'custom' && (!model.image || !model.command)) return problems;
  for (const version of new Set(context.versions ?? [model.version])) {
    const bytes = userDataBytes({ model: { ...model, version }, serviceName: context.serviceName });
    if (bytes > MAX_USER_DATA_BYTES) {
      problems.push({
        path: [model.command ? 'command' : 'args'],
        input: `${bytes} bytes`,
        message:
          `makes the instance boot script ${bytes} bytes; EC2 user data is limited to ${MAX_USER_DATA_BYTES} ` +
          'bytes',
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
export function tokenLikeValues(
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
