import { Construct } from 'constructs';
import type { TerraformProvider } from '../util/cdktf';
import { Lb } from '@cdktf/provider-aws/lib/lb';
import { LbListener } from '@cdktf/provider-aws/lib/lb-listener';
import { LbListenerRule } from '@cdktf/provider-aws/lib/lb-listener-rule';
import { SecurityGroup } from '@cdktf/provider-aws/lib/security-group';
import { VpcSecurityGroupEgressRule } from '@cdktf/provider-aws/lib/vpc-security-group-egress-rule';
import { VpcSecurityGroupIngressRule } from '@cdktf/provider-aws/lib/vpc-security-group-ingress-rule';
import { z } from 'zod';
import { accessLogsBucketProblem, acmCertificateArn, cidrList, serviceName, tags as tagsSchema } from '../spec/fields';
import {
  awsRegion,
  CapacitySchema,
  EndpointSchema,
  fleetProblems,
  gpuInstanceType,
  HealthSchema,
  ModelSchema,
  modelKeyFromId,
  NetworkSchema,
  peakInstancesPerSubnet,
  regionalProblems,
  RegionSchema,
  type EndpointSpec,
  type HealthSpec,
  type ModelSpec,
} from '../spec/schema';
import { isToken, PropsChecker } from '../util/validate';
import { objectProp, propsObject } from './prop-checks';
import {
  fleetPropsCheckedByEndpoint,
  GpuFleet,
  type EndpointSettingsInput,
  type FleetCapacity,
  type HealthInput,
  type ModelInput,
} from './gpu-fleet';
import type { IInferenceEndpoint, ServedModel } from './inference-endpoint-ref';
import { MinimalVpc, minimalVpcProblems, type IEndpointNetwork, type MinimalVpcProps } from './minimal-vpc';
import { protectLiterals } from '../util/terraform-literals';
import { AlbAccessLogsBucket } from './alb-access-logs-bucket';
import { AlbWebAcl } from './alb-web-acl';

/** Header the edge router (or any client) sets to pick a model's fleet behind a shared ALB. */
export const MODEL_HEADER = 'X-Inference-Model';

/** Props of {@link GpuInferenceEndpoint}: one region's endpoint, checked by the spec's rules at construction. */
export interface GpuInferenceEndpointProps {
  /** AWS region code; the stable key of the endpoint. */
  readonly region: string;
  /**
   * Provider for the region: an aliased `AwsProvider` when one stack spans regions. @default - the stack's default AWS
   * provider
   */
  readonly provider?: TerraformProvider;
  /** Service name, used in resource names and tags (lower-case, at most 24 characters). */
  readonly serviceName: string;
  /**
   * Models served; the first is the default target of the ALB, the others are chosen by the `X-Inference-Model` header.
   */
  readonly models: ModelInput[];
  /**
   * Per-model version this region runs when it differs from the model's `version` (rolling upgrades). @default - every
   * model at its `version`
   */
  readonly modelVersions?: Record<string, string>;
  /** GPU instance type, e.g. `g6e.xlarge`. */
  readonly instanceType: string;
  /** Instance counts of each model's fleet. */
  readonly capacity: FleetCapacity;
  /** An existing network. @default - a {@link MinimalVpc} is created with `vpc` settings */
  readonly network?: IEndpointNetwork;
  /**
   * Settings of the VPC created when no `network` is given. @default - 10.64.0.0/16 over the region's default zones,
   * one NAT gateway, flow logs
   */
  readonly vpc?: Omit<MinimalVpcProps, 'region' | 'provider' | 'name'>;
  /** ACM certificate for the HTTPS listener, in this region (may be a reference to an `AcmCertificateValidation`). */
  readonly certificateArn: string;
  /** Readiness probe used by the target group. @default - GET /health expecting 200 */
  readonly health?: HealthInput;
  /** ALB and fleet settings. @default - the spec defaults (see `EndpointSchema`) */
  readonly settings?: EndpointSettingsInput;
  /** Jurisdiction of this endpoint, carried to routing constructs for residency. @default - none */
  readonly jurisdiction?: string;
  /** Tags for instances and volumes. @default - none */
  readonly tags?: Record<string, string>;
  /**
   * Serve only requests that came through a front door (Cloudflare): the ALB accepts connections only from
   * `allowedCidrs` and the HTTPS listener answers 403 unless the secret header is present.
   * @default - no lock: the ALB serves anyone in `settings.albIngressCidrs`
   */
  readonly originLock?: OriginLock;
}

/** How an endpoint recognises requests from its front door. */
export interface OriginLock {
  /** Header the front door adds to every request to the origin. */
  readonly headerName: string;
  /**
   * Its value: a reference to a sensitive Terraform variable, never a literal (it would land in state diffs and
   * snapshots).
   */
  readonly headerValue: string;
  /** The front door's published address ranges; they replace `albIngressCidrs`. */
  readonly allowedCidrs: readonly string[];
  /** Where the ranges come from, for rule descriptions (e.g. 'Cloudflare 2026-11-01'). */
  readonly source: string;
}

/**
 * A regional GPU inference endpoint: an internet-facing ALB (HTTPS only, TLS 1.2+, invalid headers dropped) in
 * front of one {@link GpuFleet} per model, in a VPC of your own or a {@link MinimalVpc}. Instances are reachable
 * only from the ALB, on their serving port.
 *
 * @example
 * ```ts
 * import { App, TerraformStack } from 'cdktf';
 * import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
 * import { GpuInferenceEndpoint } from 'cdktf-global-inference';
 *
 * const stack = new TerraformStack(new App(), 'one-region');
 * new AwsProvider(stack, 'aws', { region: 'eu-west-1' });
 * const endpoint = new GpuInferenceEndpoint(stack, 'Endpoint', {
 *   region: 'eu-west-1',
 *   serviceName: 'chat',
 *   models: [{ id: 'meta-llama/Llama-3.1-8B-Instruct', version: '2026-11-01' }],
 *   instanceType: 'g6e.xlarge',
 *   capacity: { min: 2, max: 8 },
 *   certificateArn: 'arn:aws:acm:eu-west-1:123456789012:certificate/0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d',
 * });
 * // endpoint.albDnsName is the ALB's name; point a record or a front door at it.
 * ```
 */
export class GpuInferenceEndpoint extends Construct implements IInferenceEndpoint {
  /** The ALB (escape hatch). */
  readonly resource: Lb;
  readonly region: string;
  readonly albDnsName: string;
  readonly albZoneId: string;
  /** ARN of the ALB. */
  readonly albArn: string;
  readonly albArnSuffix: string;
  readonly healthCheckPath: string;
  readonly models: readonly ServedModel[];
  readonly jurisdiction?: string;
  /** Fleets by model name. */
  readonly fleets: Readonly<Record<string, GpuFleet>>;
  /** The fleet of the first (default) model. */
  readonly primaryFleet: GpuFleet;
  readonly targetGroupArnSuffix: string;
  /** Name of the primary model's autoscaling group. */
  readonly autoScalingGroupName: string;
  readonly minCapacity: number;
  /** The network the endpoint runs in: `props.network`, or the {@link MinimalVpc} created for it. */
  readonly network: IEndpointNetwork;
  /** Security group of the ALB: HTTPS (and HTTP, redirected) from the allowed ranges, model ports to the fleets. */
  readonly albSecurityGroup: SecurityGroup;
  /** Security group of the GPU instances: their serving ports from the ALB only. */
  readonly instanceSecurityGroup: SecurityGroup;
  /**
   * The HTTPS listener (escape hatch): forwards to the first model's fleet (answers 403 when origin-locked), with a
   * header rule per other model.
   */
  readonly httpsListener: LbListener;
  /** The validated settings, defaults filled in. */
  readonly settings: EndpointSpec;
  /** The bucket the ALB's access logs go to, when the endpoint creates it (`settings.accessLogs`). */
  readonly accessLogsBucket?: AlbAccessLogsBucket;
  /** The WAF web ACL on the ALB (`settings.waf`); absent when it is turned off. */
  readonly webAcl?: AlbWebAcl;

  constructor(scope: Construct, id: string, props: GpuInferenceEndpointProps) {
    super(scope, id);
    const checked = checkEndpointProps(props, `GpuInferenceEndpoint '${this.node.path}'`);
    const { models, settings, health } = checked;
    props = checked.props;

    const provider = props.provider;
    this.region = props.region;
    this.settings = settings;
    this.jurisdiction = props.jurisdiction;
    this.healthCheckPath = health.path;
    this.models = models.map((m) => ({ name: m.name, id: m.id, version: props.modelVersions?.[m.name] ?? m.version }));

    this.network =
      props.network ??
      new MinimalVpc(this, 'Network', {
        ...props.vpc,
        region: props.region,
        provider,
        name: `${props.serviceName}-${props.region}`,
      });

    const parts: EndpointParts = { provider, props, models, settings, lock: props.originLock };
    const groups = securityGroups(this, parts, this.network);
    this.albSecurityGroup = groups.alb;
    this.instanceSecurityGroup = groups.instances;
    // Access logs go to the spec's own bucket, or to one the endpoint creates (unless turned off).
    if (settings.accessLogs !== false && settings.accessLogsBucket === undefined)
      this.accessLogsBucket = new AlbAccessLogsBucket(this, 'AccessLogs', {
        provider,
        region: props.region,
        serviceName: props.serviceName,
        retentionDays: settings.accessLogs.retentionDays,
        tags: props.tags,
      });
    this.resource = loadBalancer(this, parts, this.network, groups.alb, this.accessLogsBucket);
    if (settings.waf !== false)
      this.webAcl = new AlbWebAcl(this, 'Waf', {
        provider,
        name: `${props.serviceName}-${props.region}`,
        loadBalancerArn: this.resource.arn,
        ...settings.waf,
        tags: props.tags,
      });
    this.albDnsName = this.resource.dnsName;
    this.albZoneId = this.resource.zoneId;
    this.albArn = this.resource.arn;
    this.albArnSuffix = this.resource.arnSuffix;

    const fleets: Record<string, GpuFleet> = {};
    for (const model of models) {
      // Every prop below was checked with the endpoint's props (checkEndpointProps), by the fleet's own rules.
      const fleetProps = fleetPropsCheckedByEndpoint({
        props: {
          provider,
          region: props.region,
          serviceName: props.serviceName,
          model,
          modelVersion: props.modelVersions?.[model.name],
          instanceType: props.instanceType,
          capacity: props.capacity,
          vpcId: this.network.vpcId,
          subnetIds: this.network.privateSubnetIds,
          instanceSecurityGroupId: this.instanceSecurityGroup.id,
          loadBalancerArnSuffix: this.resource.arnSuffix,
          health,
          settings,
          tags: props.tags,
        },
        model,
        health,
        settings,
      });
      fleets[model.name] = new GpuFleet(this, `Fleet-${model.name}`, fleetProps);
    }
    this.fleets = fleets;
    this.primaryFleet = fleets[models[0].name];
    this.targetGroupArnSuffix = this.primaryFleet.targetGroup.arnSuffix;
    this.autoScalingGroupName = this.primaryFleet.autoScalingGroupName;
    this.minCapacity = this.primaryFleet.minCapacity;

    this.httpsListener = listeners(this, parts, this.resource, fleets, this.primaryFleet);
    protectLiterals(this);
  }
}

/** What the parts of an endpoint are built from: its checked props and their parsed values. */
interface EndpointParts {
  readonly provider?: TerraformProvider;
  readonly props: GpuInferenceEndpointProps;
  readonly models: readonly ModelSpec[];
  readonly settings: EndpointSpec;
  readonly lock?: OriginLock;
}

// The parts of an endpoint, each created in the endpoint's scope under the construct id it always had.

/** The ALB's and the instances' security groups: HTTPS in from the allowed ranges, model ports from the ALB only. */
function securityGroups(
  scope: Construct,
  { provider, props, models, settings, lock }: EndpointParts,
  network: IEndpointNetwork,
): { alb: SecurityGroup; instances: SecurityGroup } {
  const alb = new SecurityGroup(scope, 'AlbSecurityGroup', {
    provider,
    namePrefix: `${props.serviceName}-alb-`,
    description: `ALB of ${props.serviceName} in ${props.region}: HTTPS from allowed clients`,
    vpcId: network.vpcId,
    lifecycle: { createBeforeDestroy: true },
  });
  const instances = new SecurityGroup(scope, 'InstanceSecurityGroup', {
    provider,
    namePrefix: `${props.serviceName}-gpu-`,
    description: `GPU instances of ${props.serviceName} in ${props.region}: serving port from the ALB only`,
    vpcId: network.vpcId,
    lifecycle: { createBeforeDestroy: true },
  });
  for (const cidr of lock ? lock.allowedCidrs : settings.albIngressCidrs) {
    const family = cidr.includes(':') ? { cidrIpv6: cidr } : { cidrIpv4: cidr };
    // Behind a front door only HTTPS from its ranges is needed; there is no one to redirect.
    for (const port of lock ? [443] : [443, 80]) {
      new VpcSecurityGroupIngressRule(scope, `AlbIngress${port}-${cidrKey(cidr)}`, {
        provider,
        securityGroupId: alb.id,
        ipProtocol: 'tcp',
        fromPort: port,
        toPort: port,
        ...family,
        description: lock
          ? `HTTPS from ${lock.source} ${cidr}`
          : port === 443
            ? `HTTPS from ${cidr}`
            : `HTTP from ${cidr} (redirected to HTTPS)`,
      });
    }
  }
  for (const port of [...new Set(models.map((m) => m.port))]) {
    new VpcSecurityGroupEgressRule(scope, `AlbToInstances-${port}`, {
      provider,
      securityGroupId: alb.id,
      ipProtocol: 'tcp',
      fromPort: port,
      toPort: port,
      referencedSecurityGroupId: instances.id,
      description: `Model servers on ${port}`,
    });
    new VpcSecurityGroupIngressRule(scope, `InstancesFromAlb-${port}`, {
      provider,
      securityGroupId: instances.id,
      ipProtocol: 'tcp',
      fromPort: port,
      toPort: port,
      referencedSecurityGroupId: alb.id,
      description: `Model server port ${port} from the ALB only`,
    });
  }
  new VpcSecurityGroupEgressRule(scope, 'InstancesHttpsOut', {
    provider,
    securityGroupId: instances.id,
    ipProtocol: 'tcp',
    fromPort: 443,
    toPort: 443,
    cidrIpv4: '0.0.0.0/0',
    description: 'HTTPS out: container registry, model weights, SSM',
  });
  return { alb, instances };
}

function loadBalancer(
  scope: Construct,
  { provider, props, settings }: EndpointParts,
  network: IEndpointNetwork,
  securityGroup: SecurityGroup,
  logs: AlbAccessLogsBucket | undefined,
): Lb {
  const logsBucket = settings.accessLogsBucket?.replace(/\{region\}/g, props.region) ?? logs?.bucketName;
  return new Lb(scope, 'Resource', {
    provider,
    name: albName(props.serviceName),
    loadBalancerType: 'application',
    internal: false,
    securityGroups: [securityGroup.id],
    subnets: network.publicSubnetIds,
    dropInvalidHeaderFields: true,
    desyncMitigationMode: 'defensive',
    enableHttp2: true,
    idleTimeout: settings.idleTimeoutSeconds,
    enableDeletionProtection: settings.deletionProtection,
    accessLogs: logsBucket
      ? { bucket: logsBucket, prefix: `${props.serviceName}/${props.region}`, enabled: true }
      : undefined,
    // ELB checks it may write when access logs are turned on: the bucket's policy comes first.
    dependsOn: logs ? [logs.deliveryPolicy] : undefined,
  });
}

/**
 * HTTPS (the default model, or 403 for a locked origin), HTTP redirecting to HTTPS, a rule per further model by the
 * model header, and for a locked origin the rule that forwards requests carrying the secret.
 */
function listeners(
  scope: Construct,
  { provider, props, models, settings, lock }: EndpointParts,
  loadBalancer: Lb,
  fleets: Readonly<Record<string, GpuFleet>>,
  primary: GpuFleet,
): LbListener {
  const https = new LbListener(scope, 'HttpsListener', {
    provider,
    loadBalancerArn: loadBalancer.arn,
    port: 443,
    protocol: 'HTTPS',
    sslPolicy: settings.tlsPolicy,
    certificateArn: props.certificateArn,
    defaultAction: lock
      ? [
          {
            type: 'fixed-response',
            fixedResponse: { statusCode: '403', contentType: 'application/json', messageBody: FORBIDDEN_BODY },
          },
        ]
      : [{ type: 'forward', targetGroupArn: primary.targetGroup.arn }],
  });
  new LbListener(scope, 'HttpRedirectListener', {
    provider,
    loadBalancerArn: loadBalancer.arn,
    port: 80,
    protocol: 'HTTP',
    defaultAction: [{ type: 'redirect', redirect: { protocol: 'HTTPS', port: '443', statusCode: 'HTTP_301' } }],
  });
  const lockCondition = lock ? [{ httpHeader: { httpHeaderName: lock.headerName, values: [lock.headerValue] } }] : [];
  const priorities = listenerRulePriorities(models.slice(1).map((m) => m.name));
  for (const model of models.slice(1)) {
    new LbListenerRule(scope, `ModelRule-${model.name}`, {
      provider,
      listenerArn: https.arn,
      priority: priorities.get(model.name),
      condition: [{ httpHeader: { httpHeaderName: MODEL_HEADER, values: [model.name, model.id] } }, ...lockCondition],
      action: [{ type: 'forward', targetGroupArn: fleets[model.name].targetGroup.arn }],
    });
  }
  if (lock) {
    // Last rule: requests carrying the secret reach the default model; everything else gets the 403 default.
    new LbListenerRule(scope, 'OriginLockRule', {
      provider,
      listenerArn: https.arn,
      priority: LAST_RULE_PRIORITY,
      condition: lockCondition,
      action: [{ type: 'forward', targetGroupArn: primary.targetGroup.arn }],
    });
  }
  return https;
}

/** Body of the 403 a locked origin answers when the front door's header is missing (OpenAI error shape). */
export const FORBIDDEN_BODY = JSON.stringify({
  error: {
    message: 'requests must come through the service front door',
    type: 'forbidden',
    param: null,
    code: 'origin_locked',
  },
});
/** Lowest-precedence listener rule priority (ALB maximum). */
export const LAST_RULE_PRIORITY = 50000;

/** ALB names: at most 32 characters, no trailing '-'. */
export function albName(serviceName: string): string {
  return `${serviceName}-inference`.slice(0, 32).replace(/-+$/, '');
}

/** A construct-id-safe key of a CIDR block: `0.0.0.0/0` -> `0-0-0-0-0`. */
export function cidrKey(cidr: string): string {
  return cidr.replace(/[^A-Za-z0-9]+/g, '-').replace(/^-|-$/g, '') || 'all';
}

/**
 * Listener-rule priorities derived from model names (not list positions), so adding or reordering models
 * leaves existing rules alone. Collisions are resolved by probing in name order.
 */
export function listenerRulePriorities(names: readonly string[]): Map<string, number> {
  const taken = new Set<number>();
  const out = new Map<string, number>();
  for (const name of [...names].sort()) {
    let priority = 1000 + (fnv1a(name) % 40000);
    while (taken.has(priority)) priority = priority >= 49999 ? 1000 : priority + 1;
    taken.add(priority);
    out.set(name, priority);
  }
  return out;
}

function fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash;
}

/** Characters AWS accepts in security group rule descriptions (the origin lock source lands in them). */
const RULE_DESCRIPTION = /^[a-zA-Z0-9. _\-:/()#,@[\]+=&;{}!$*]*$/;

const OriginLockSourceSchema = z
  .string()
  .min(1, 'must not be empty')
  .max(180, 'must be at most 180 characters (security group rule descriptions are at most 255)')
  .regex(
    RULE_DESCRIPTION,
    'must use only the characters AWS accepts in security group rule descriptions: letters, digits, spaces and ' +
      '. _ - : / ( ) # , @ [ ] + = & ; { } ! $ *',
  );

/** Every problem of the props at once, with the spec's rules and messages; the parsed models, settings and health. */
function checkEndpointProps(
  input: GpuInferenceEndpointProps,
  source: string,
): { props: GpuInferenceEndpointProps; models: ModelSpec[]; settings: EndpointSpec; health: HealthSpec } {
  const checker = new PropsChecker(source);
  const props = propsObject(checker, input);
  checker.literal(awsRegion, props.region, 'region');
  checker.literal(serviceName, props.serviceName, 'serviceName');
  const parsedModels = checker.literal(
    z.array(ModelSchema).min(1, 'must list at least one model').max(16, 'must list at most 16 models'),
    props.models,
    'models',
  );
  checker.literal(gpuInstanceType, props.instanceType, 'instanceType');
  checker.check(CapacitySchema, props.capacity, 'capacity');
  const settings = checker.literal(EndpointSchema, props.settings ?? {}, 'settings');
  const health = checker.literal(HealthSchema, props.health ?? {}, 'health');
  checker.check(acmCertificateArn, props.certificateArn, 'certificateArn');
  if (!isToken(props.certificateArn))
    checker.add(regionalProblems({ region: props.region, certificateArn: props.certificateArn }));
  checker.literal(
    z.record(z.string(), RegionSchema.shape.modelVersions.unwrap().valueType).optional(),
    props.modelVersions,
    'modelVersions',
  );
  checker.literal(RegionSchema.shape.jurisdiction, props.jurisdiction, 'jurisdiction');
  checker.check(tagsSchema.optional(), props.tags, 'tags');
  if (
    props.network !== undefined &&
    objectProp(checker, props.network, 'network', 'an object { vpcId, privateSubnetIds, publicSubnetIds }')
  ) {
    const { vpcId, privateSubnetIds, publicSubnetIds } = props.network;
    checker.check(NetworkSchema.shape.vpcId.unwrap(), vpcId, 'network.vpcId');
    checker.check(NetworkSchema.shape.privateSubnetIds.unwrap(), privateSubnetIds, 'network.privateSubnetIds');
    checker.check(NetworkSchema.shape.publicSubnetIds.unwrap(), publicSubnetIds, 'network.publicSubnetIds');
    if (props.vpc)
      checker.add([
        { path: 'vpc', message: 'applies only to the VPC the endpoint creates; remove it or remove network' },
      ]);
  } else if (props.network === undefined) {
    const max = props.capacity?.max;
    const warm = settings?.warmPool?.minSize ?? 0;
    const instances =
      typeof max === 'number' && !isToken(max) && Array.isArray(props.models)
        ? peakInstancesPerSubnet(Math.max(1, props.models.length), max, warm)
        : 0;
    minimalVpcProblems(checker, props.region, props.vpc ?? {}, 'vpc', instances);
  }
  if (
    props.originLock !== undefined &&
    objectProp(checker, props.originLock, 'originLock', 'an object { headerName, headerValue, allowedCidrs, source }')
  ) {
    const lock = props.originLock;
    if (!isToken(lock.headerValue))
      checker.add([
        {
          path: 'originLock.headerValue',
          message:
            'must reference a sensitive Terraform variable (a literal secret would be stored in plans, state ' +
            'diffs and snapshots)',
        },
      ]);
    if (typeof lock.headerName !== 'string' || !/^[A-Za-z0-9-]{1,40}$/.test(lock.headerName))
      checker.add([
        {
          path: 'originLock.headerName',
          message: "must be an HTTP header name (letters, digits, '-', at most 40)",
          input: lock.headerName,
        },
      ]);
    checker.check(
      cidrList,
      Array.isArray(lock.allowedCidrs) ? [...lock.allowedCidrs] : lock.allowedCidrs,
      'originLock.allowedCidrs',
    );
    checker.literal(OriginLockSourceSchema, lock.source, 'originLock.source');
  }

  const models = (parsedModels ?? []).map((m): ModelSpec => ({ ...m, name: m.name ?? modelKeyFromId(m.id) }));
  const names = models.map((m) => m.name);
  names.forEach((name, i) => {
    if (names.indexOf(name) !== i)
      checker.add([
        {
          path: `models[${i}].name`,
          message: `duplicate model name (also at index ${names.indexOf(name)}); each model may appear once`,
          input: name,
        },
      ]);
  });
  if (parsedModels) {
    for (const key of Object.keys(props.modelVersions ?? {})) {
      if (!names.includes(key))
        checker.add([
          {
            path: ['modelVersions', key],
            message: `must be keyed by a served model name (${names.join(', ')})`,
            input: key,
          },
        ]);
    }
  }
  if (settings && typeof props.serviceName === 'string') {
    models.forEach((model, i) => {
      const version = props.modelVersions?.[model.name] ?? model.version;
      checker.add(
        fleetProblems(model, {
          rootVolumeGiB: settings.rootVolumeGiB,
          serviceName: props.serviceName,
          versions: [version],
        }),
        `models[${i}]`,
      );
    });
    if (settings.accessLogsBucket && typeof props.region === 'string') {
      const problem = accessLogsBucketProblem(settings.accessLogsBucket, props.region);
      if (problem)
        checker.add([{ path: 'settings.accessLogsBucket', message: problem, input: settings.accessLogsBucket }]);
    }
  }
  checker.throwIfAny();
  return { props, models, settings: settings!, health: health! };
}
