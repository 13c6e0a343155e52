import { Construct } from 'constructs';
import type { TerraformProvider } from '../util/cdktf';
import { AutoscalingGroup } from '@cdktf/provider-aws/lib/autoscaling-group';
import { AutoscalingPolicy } from '@cdktf/provider-aws/lib/autoscaling-policy';
import { IamInstanceProfile } from '@cdktf/provider-aws/lib/iam-instance-profile';
import { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { IamRolePolicy } from '@cdktf/provider-aws/lib/iam-role-policy';
import { IamRolePolicyAttachment } from '@cdktf/provider-aws/lib/iam-role-policy-attachment';
import { LaunchTemplate } from '@cdktf/provider-aws/lib/launch-template';
import { LbTargetGroup } from '@cdktf/provider-aws/lib/lb-target-group';
import { z } from 'zod';
import { defaultRootVolumeGiB as defaultVolumeForWeights, serviceName, tags as tagsSchema } from '../spec/fields';
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
  type EndpointSpec,
  type HealthSpec,
  type ModelSpec,
} from '../spec/schema';
import { assumeRolePolicy, policyDocument, type PolicyStatement } from '../util/iam';
import { PropsChecker } from '../util/validate';
import { propsObject } from './prop-checks';
import { renderUserData } from './user-data';
import { protectLiterals } from '../util/terraform-literals';

/** A model as construct props accept it (the spec's model entry; defaults apply). */
export type ModelInput = z.input<typeof ModelSchema>;
/** Readiness probe settings as props accept them. */
export type HealthInput = z.input<typeof HealthSchema>;
/** Endpoint settings as props accept them. */
export type EndpointSettingsInput = z.input<typeof EndpointSchema>;

/** Instance counts of a fleet. Values may be tokens (e.g. from a variable); literal values are checked. */
export interface FleetCapacity {
  /** Minimum instances. */
  readonly min: number;
  /** Maximum instances. */
  readonly max: number;
  /** Initial desired instances. @default - `min` */
  readonly desired?: number;
}

/** Props of {@link GpuFleet}: one model's instances in one region, behind an ALB you provide. */
export interface GpuFleetProps {
  /** Provider for the fleet's region. @default - the stack's default AWS provider */
  readonly provider?: TerraformProvider;
  /** AWS region code of the fleet (for names and tags). */
  readonly region: string;
  /** Service name, used in resource names and tags. */
  readonly serviceName: string;
  /** The model this fleet serves. */
  readonly model: ModelInput;
  /**
   * The model version this fleet runs, when it differs from `model.version` (rolling upgrades). @default -
   * `model.version`
   */
  readonly modelVersion?: string;
  /** GPU instance type, e.g. `g6e.xlarge`. */
  readonly instanceType: string;
  /** Instance counts of the autoscaling group (`desired` defaults to `min`). */
  readonly capacity: FleetCapacity;
  /** VPC of the target group. */
  readonly vpcId: string;
  /** Private subnets the instances launch in (two or more zones). */
  readonly subnetIds: string[];
  /** Security group of the instances (only the ALB may reach the serving port). */
  readonly instanceSecurityGroupId: string;
  /** ARN suffix of the ALB in front, for the requests-per-target scaling metric. */
  readonly loadBalancerArnSuffix: string;
  /** Readiness probe. @default - GET /health expecting 200 */
  readonly health?: HealthInput;
  /** Shared endpoint settings (volume, grace period, drain, scaling, warm pool). @default - the spec defaults */
  readonly settings?: EndpointSettingsInput;
  /** Tags for instances and volumes (provider default tags do not reach them). @default - none */
  readonly tags?: Record<string, string>;
}

/** SSM parameters of the Deep Learning Base OSS NVIDIA Driver GPU AMI (Amazon Linux 2023), per architecture. */
export const GPU_AMI_PARAMETERS = {
  x86_64: '/aws/service/deeplearning/ami/x86_64/base-oss-nvidia-driver-gpu-amazon-linux-2023/latest/ami-id',
  arm64: '/aws/service/deeplearning/ami/arm64/base-oss-nvidia-driver-gpu-amazon-linux-2023/latest/ami-id',
} as const;

/**
 * The GPU instances serving one model in one region: launch template, instance role, autoscaling group,
 * target group and scaling policy. Used by {@link GpuInferenceEndpoint}; usable alone behind your own ALB.
 *
 * @example
 * ```ts
 * import { App, TerraformStack } from 'cdktf';
 * import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
 * import { GpuFleet } from 'cdktf-global-inference';
 *
 * const stack = new TerraformStack(new App(), 'fleet');
 * new AwsProvider(stack, 'aws', { region: 'us-east-1' });
 * // Behind an ALB of your own: attach `fleet.targetGroup` to one of its listeners.
 * const fleet = new GpuFleet(stack, 'Fleet', {
 *   region: 'us-east-1',
 *   serviceName: 'chat',
 *   model: { id: 'meta-llama/Llama-3.1-8B-Instruct', version: '2026-11-01' },
 *   instanceType: 'g6e.xlarge',
 *   capacity: { min: 1, max: 4 },
 *   vpcId: 'vpc-0123456789abcdef0',
 *   subnetIds: ['subnet-0123456789abcdef0', 'subnet-0fedcba9876543210'],
 *   instanceSecurityGroupId: 'sg-0123456789abcdef0',
 *   loadBalancerArnSuffix: 'app/chat/0123456789abcdef',
 * });
 * ```
 */
export class GpuFleet extends Construct {
  /** The autoscaling group (escape hatch). */
  readonly resource: AutoscalingGroup;
  /** The launch template: GPU AMI, encrypted root volume, IMDSv2 only, the boot script serving the model. */
  readonly launchTemplate: LaunchTemplate;
  /** The target group the ALB forwards to, with the readiness probe as its health check. */
  readonly targetGroup: LbTargetGroup;
  /** The instance role: SSM access and read access to exactly the model's weights and token, nothing more. */
  readonly role: IamRole;
  /** The validated model, defaults filled in. */
  readonly model: ModelSpec;
  /** The model version this fleet runs. */
  readonly modelVersion: string;
  /** Name of the autoscaling group (for CloudWatch metrics and alarms). */
  readonly autoScalingGroupName: string;
  /** `capacity.min`: the fewest instances the fleet keeps (the capacity alarm's threshold). */
  readonly minCapacity: number;
  /** `capacity.max`: the most instances scaling may launch. */
  readonly maxCapacity: number;

  constructor(scope: Construct, id: string, props: GpuFleetProps) {
    super(scope, id);
    // A GpuInferenceEndpoint checked these props by the same rules already; on its own, the fleet checks them here.
    const checked = precheckedFleet(props) ?? checkFleetProps(props, `GpuFleet '${this.node.path}'`);
    const { model, health, settings } = checked;
    props = checked.props;

    this.model = model;
    this.modelVersion = props.modelVersion ?? model.version;
    this.minCapacity = props.capacity.min;
    this.maxCapacity = props.capacity.max;
    const fleet: FleetParts = {
      provider: props.provider,
      props,
      model,
      health,
      settings,
      modelVersion: this.modelVersion,
      baseName: `${props.serviceName}-${model.name}`,
    };
    const { role, profile } = instanceRole(this, fleet);
    this.role = role;
    this.launchTemplate = launchTemplate(this, fleet, profile);
    this.targetGroup = targetGroup(this, fleet);
    this.resource = autoScalingGroup(this, fleet, this.launchTemplate, this.targetGroup);
    this.autoScalingGroupName = this.resource.name;
    scalingPolicy(this, fleet, this.resource, this.targetGroup);
    protectLiterals(this);
  }
}

/**
 * Fleet props with the values parsed from them, defaults filled in. A GpuInferenceEndpoint checks every prop it passes
 * to its fleets by the fleet's own rules (models, settings, health, capacity, instance type, tags, per-model limits)
 * and registers what it parsed, so a fleet inside an endpoint does not check them again; a GpuFleet used on its own
 * always checks its props. Not part of the public API (lib/index.ts does not export these).
 */
export interface CheckedFleet {
  readonly props: GpuFleetProps;
  readonly model: ModelSpec;
  readonly health: HealthSpec;
  readonly settings: EndpointSpec;
}

const checkedByEndpoint = new WeakMap<GpuFleetProps, CheckedFleet>();

/** Registers fleet props an endpoint built from its checked props; returns them for the GpuFleet constructor. */
export function fleetPropsCheckedByEndpoint(checked: CheckedFleet): GpuFleetProps {
  checkedByEndpoint.set(checked.props, checked);
  return checked.props;
}

/** The parsed values of props an endpoint registered, or undefined: the fleet checks them itself. */
function precheckedFleet(props: GpuFleetProps): CheckedFleet | undefined {
  return checkedByEndpoint.get(props);
}

/** What the parts of a fleet are built from: the checked props and their parsed values. */
interface FleetParts extends CheckedFleet {
  readonly provider?: TerraformProvider;
  readonly modelVersion: string;
  /** `<service>-<model>`: the prefix of the fleet's resource names. */
  readonly baseName: string;
}

// The parts of a fleet, each created in the fleet's scope under the construct id it always had.

/** Least privilege: SSM for operator access (no SSH), plus read access to exactly the weights and token. */
function instanceRole(scope: Construct, { provider, props, model, settings, baseName }: FleetParts) {
  const role = new IamRole(scope, 'InstanceRole', {
    provider,
    namePrefix: 'gi-instance-',
    description: `GPU instances of ${baseName} in ${props.region}`,
    assumeRolePolicy: assumeRolePolicy('ec2.amazonaws.com'),
  });
  new IamRolePolicyAttachment(scope, 'SsmManagedInstanceCore', {
    provider,
    role: role.name,
    policyArn: 'arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore',
  });
  const statements = instancePolicyStatements(model, settings);
  if (statements.length > 0) {
    new IamRolePolicy(scope, 'InstancePolicy', {
      provider,
      role: role.id,
      namePrefix: 'model-access-',
      policy: policyDocument(...statements),
    });
  }
  const profile = new IamInstanceProfile(scope, 'InstanceProfile', {
    provider,
    namePrefix: 'gi-instance-',
    role: role.name,
  });
  return { role, profile };
}

function launchTemplate(
  scope: Construct,
  { provider, props, model, settings, baseName, modelVersion }: FleetParts,
  profile: IamInstanceProfile,
): LaunchTemplate {
  const tags = {
    ...props.tags,
    'inference:model': model.id,
    'inference:model-version': modelVersion,
    'inference:region': props.region,
  };
  const architecture = props.instanceType.startsWith('g5g.') ? 'arm64' : 'x86_64';
  const userData = renderUserData({
    model: { ...model, version: modelVersion },
    serviceName: props.serviceName,
  });
  return new LaunchTemplate(scope, 'LaunchTemplate', {
    provider,
    namePrefix: `${baseName}-`,
    // Launch template descriptions are at most 255 characters.
    description: `${model.id} ${modelVersion} on ${props.instanceType}`.slice(0, 255),
    // Resolved by EC2 at launch: no data source, and new AMI releases reach new instances on refresh.
    imageId: `resolve:ssm:${GPU_AMI_PARAMETERS[architecture]}`,
    instanceType: props.instanceType,
    updateDefaultVersion: true,
    iamInstanceProfile: { arn: profile.arn },
    vpcSecurityGroupIds: [props.instanceSecurityGroupId],
    metadataOptions: {
      httpEndpoint: 'enabled',
      httpTokens: 'required',
      // 2 hops so containers on the instance can reach IMDSv2.
      httpPutResponseHopLimit: 2,
      instanceMetadataTags: 'disabled',
    },
    monitoring: { enabled: settings.detailedMonitoring },
    blockDeviceMappings: [
      {
        deviceName: '/dev/xvda',
        ebs: {
          volumeSize: settings.rootVolumeGiB ?? defaultRootVolumeGiB(model),
          volumeType: 'gp3',
          encrypted: 'true',
          deleteOnTermination: 'true',
          // Faster than the gp3 baseline: weights are read from this volume at every start.
          throughput: 500,
          iops: 6000,
        },
      },
    ],
    userData: Buffer.from(userData, 'utf8').toString('base64'),
    tagSpecifications: [
      { resourceType: 'instance', tags: { ...tags, Name: `${baseName}-${props.region}` } },
      { resourceType: 'volume', tags: { ...tags, Name: `${baseName}-${props.region}` } },
    ],
    lifecycle: { createBeforeDestroy: true },
  });
}

function targetGroup(
  scope: Construct,
  { provider, props, model, health, settings, baseName }: FleetParts,
): LbTargetGroup {
  return new LbTargetGroup(scope, 'TargetGroup', {
    provider,
    // name_prefix (max 6 characters) + create-before-destroy: a replacement never collides with the old group.
    namePrefix: targetGroupPrefix(model.name),
    port: model.port,
    protocol: 'HTTP',
    protocolVersion: 'HTTP1',
    targetType: 'instance',
    vpcId: props.vpcId,
    loadBalancingAlgorithmType: settings.loadBalancingAlgorithm,
    slowStart: settings.slowStartSeconds,
    deregistrationDelay: String(settings.deregistrationDelaySeconds),
    healthCheck: {
      enabled: true,
      path: health.path,
      port: 'traffic-port',
      protocol: 'HTTP',
      matcher: String(health.expectedStatus),
      interval: 15,
      timeout: 5,
      healthyThreshold: 2,
      unhealthyThreshold: 3,
    },
    tags: { Name: `${baseName}-${props.region}`, 'inference:model': model.id },
    lifecycle: { createBeforeDestroy: true },
  });
}

function autoScalingGroup(
  scope: Construct,
  { provider, props, model, settings, baseName }: FleetParts,
  launchTemplate: LaunchTemplate,
  targetGroup: LbTargetGroup,
): AutoscalingGroup {
  const desired = props.capacity.desired ?? props.capacity.min;
  return new AutoscalingGroup(scope, 'Resource', {
    provider,
    namePrefix: `${baseName}-`,
    minSize: props.capacity.min,
    maxSize: props.capacity.max,
    desiredCapacity: desired,
    vpcZoneIdentifier: props.subnetIds,
    targetGroupArns: [targetGroup.arn],
    healthCheckType: 'ELB',
    // Model load (image pull + weights + warm-up) takes minutes; ELB health must not kill instances meanwhile.
    healthCheckGracePeriod: settings.healthCheckGracePeriodSeconds,
    defaultInstanceWarmup: settings.healthCheckGracePeriodSeconds,
    capacityRebalance: true,
    // Terraform waits for healthy instances, longer than a model load takes.
    waitForCapacityTimeout: `${Math.ceil(settings.healthCheckGracePeriodSeconds / 60) + 15}m`,
    launchTemplate: { id: launchTemplate.id, version: launchTemplate.latestVersion.toString() },
    // Replace unhealthy instances by launching first, so capacity never dips below the minimum.
    instanceMaintenancePolicy: { minHealthyPercentage: 100, maxHealthyPercentage: 200 },
    instanceRefresh: {
      strategy: 'Rolling',
      preferences: {
        minHealthyPercentage: 100,
        maxHealthyPercentage: 150,
        instanceWarmup: String(settings.healthCheckGracePeriodSeconds),
        skipMatching: true,
        autoRollback: true,
      },
    },
    warmPool: settings.warmPool
      ? {
          minSize: settings.warmPool.minSize,
          poolState: settings.warmPool.state,
          instanceReusePolicy: { reuseOnScaleIn: settings.warmPool.reuseOnScaleIn },
        }
      : undefined,
    enabledMetrics: [
      'GroupMinSize',
      'GroupMaxSize',
      'GroupDesiredCapacity',
      'GroupInServiceInstances',
      'GroupPendingInstances',
      'GroupTerminatingInstances',
    ],
    metricsGranularity: '1Minute',
    tag: [
      { key: 'Name', value: `${baseName}-${props.region}`, propagateAtLaunch: true },
      { key: 'inference:model', value: model.id, propagateAtLaunch: true },
    ],
    lifecycle: {
      createBeforeDestroy: true,
      ignoreChanges: settings.scaling.ignoreDesiredCapacityChanges ? ['desired_capacity'] : undefined,
    },
  });
}

function scalingPolicy(
  scope: Construct,
  { provider, props, settings, baseName }: FleetParts,
  group: AutoscalingGroup,
  targetGroup: LbTargetGroup,
): void {
  const custom = settings.scaling.customMetric;
  new AutoscalingPolicy(scope, 'ScalingPolicy', {
    provider,
    // Scaling policy names are at most 255 characters; a long metric name is cut, the group keeps one policy.
    name: (custom ? `${baseName}-${custom.metricName}` : `${baseName}-requests-per-target`).slice(0, 255),
    autoscalingGroupName: group.name,
    policyType: 'TargetTrackingScaling',
    estimatedInstanceWarmup: settings.healthCheckGracePeriodSeconds,
    targetTrackingConfiguration: custom
      ? {
          targetValue: custom.targetValue,
          customizedMetricSpecification: {
            namespace: custom.namespace,
            metricName: custom.metricName,
            statistic: custom.statistic,
            metricDimension: Object.entries(custom.dimensions)
              .sort(([a], [b]) => a.localeCompare(b))
              .map(([name, value]) => ({ name, value })),
          },
        }
      : {
          targetValue: settings.scaling.requestsPerTargetPerMinute,
          predefinedMetricSpecification: {
            predefinedMetricType: 'ALBRequestCountPerTarget',
            resourceLabel: `${props.loadBalancerArnSuffix}/${targetGroup.arnSuffix}`,
          },
        },
  });
}

/**
 * 100 GiB for OS, image and cache, plus twice the weights (download + page cache headroom); defined in lib/spec/fields.
 */
export function defaultRootVolumeGiB(model: Pick<ModelSpec, 'weightsGiB'>): number {
  return defaultVolumeForWeights(model.weightsGiB);
}

/** Target group name prefixes are at most 6 characters: up to five of the model key, then '-'. */
export function targetGroupPrefix(modelName: string): string {
  return `${modelName.replace(/[^a-z0-9]/g, '').slice(0, 5)}-`;
}

function instancePolicyStatements(model: ModelSpec, settings: EndpointSpec): PolicyStatement[] {
  const statements: PolicyStatement[] = [];
  if (model.weightsS3Uri) {
    const { bucket, prefix } = parseS3Uri(model.weightsS3Uri);
    statements.push(
      {
        Sid: 'ReadModelWeights',
        Effect: 'Allow',
        Action: 's3:GetObject',
        Resource: `arn:aws:s3:::${bucket}/${prefix}*`,
      },
      {
        Sid: 'ListModelWeights',
        Effect: 'Allow',
        Action: 's3:ListBucket',
        Resource: `arn:aws:s3:::${bucket}`,
        Condition: { StringLike: { 's3:prefix': [`${prefix}*`] } },
      },
    );
  }
  if (model.huggingFaceTokenSecretArn) {
    statements.push({
      Sid: 'ReadHuggingFaceToken',
      Effect: 'Allow',
      Action: 'secretsmanager:GetSecretValue',
      Resource: model.huggingFaceTokenSecretArn,
    });
  }
  const custom = settings.scaling.customMetric;
  if (custom) {
    statements.push({
      Sid: 'PublishScalingMetric',
      Effect: 'Allow',
      Action: 'cloudwatch:PutMetricData',
      Resource: '*',
      Condition: { StringEquals: { 'cloudwatch:namespace': custom.namespace } },
    });
  }
  return statements;
}

/** Splits an `s3://bucket/prefix` URI into bucket and key prefix (for IAM resources); throws on anything else. */
export function parseS3Uri(uri: string): { bucket: string; prefix: string } {
  const match = /^s3:\/\/([^/]+)\/?(.*)$/.exec(uri);
  if (!match) throw new Error(`not an s3:// URI: ${uri}`);
  return { bucket: match[1], prefix: match[2] };
}

/** Every problem of the props at once, with the spec's rules and messages. */
function checkFleetProps(input: GpuFleetProps, source: string): CheckedFleet {
  const checker = new PropsChecker(source);
  const props = propsObject(checker, input);
  checker.literal(awsRegion, props.region, 'region');
  checker.literal(serviceName, props.serviceName, 'serviceName');
  const parsed = checker.literal(ModelSchema, props.model, 'model');
  checker.literal(ModelSchema.shape.version.optional(), props.modelVersion, 'modelVersion');
  checker.literal(gpuInstanceType, props.instanceType, 'instanceType');
  checker.check(CapacitySchema, props.capacity, 'capacity');
  checker.check(NetworkSchema.shape.privateSubnetIds.unwrap(), props.subnetIds, 'subnetIds');
  // Ids of resources the fleet attaches to: usually references, so only their presence and type are checked.
  for (const key of ['vpcId', 'instanceSecurityGroupId', 'loadBalancerArnSuffix'] as const)
    checker.check(requiredText(key), props[key], key);
  const health = checker.literal(HealthSchema, props.health ?? {}, 'health');
  const settings = checker.literal(EndpointSchema, props.settings ?? {}, 'settings');
  checker.check(tagsSchema.optional(), props.tags, 'tags');
  const model = parsed ? { ...parsed, name: parsed.name ?? modelKeyFromId(parsed.id) } : undefined;
  if (model && settings && typeof props.serviceName === 'string') {
    checker.add(
      fleetProblems(model, {
        rootVolumeGiB: settings.rootVolumeGiB,
        serviceName: props.serviceName,
        versions: [props.modelVersion ?? model.version],
      }),
      'model',
    );
  }
  checker.throwIfAny();
  return { props, model: model!, health: health!, settings: settings! };
}

/** A required text prop (a reference is accepted). */
function requiredText(what: string) {
  return z
    .string({
      error: (issue) =>
        issue.input === undefined
          ? `is required (text: the ${what}, or a reference)`
          : `must be text: the ${what}, or a reference`,
    })
    .min(1, 'must not be empty');
}
