import { Construct } from 'constructs';
import type { TerraformProvider } from '../util/cdktf';
import { CloudwatchLogGroup } from '@cdktf/provider-aws/lib/cloudwatch-log-group';
import { DefaultSecurityGroup } from '@cdktf/provider-aws/lib/default-security-group';
import { Eip } from '@cdktf/provider-aws/lib/eip';
import { FlowLog } from '@cdktf/provider-aws/lib/flow-log';
import { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { IamRolePolicy } from '@cdktf/provider-aws/lib/iam-role-policy';
import { InternetGateway } from '@cdktf/provider-aws/lib/internet-gateway';
import { NatGateway } from '@cdktf/provider-aws/lib/nat-gateway';
import { Route } from '@cdktf/provider-aws/lib/route';
import { RouteTable } from '@cdktf/provider-aws/lib/route-table';
import { RouteTableAssociation } from '@cdktf/provider-aws/lib/route-table-association';
import { Subnet } from '@cdktf/provider-aws/lib/subnet';
import { Vpc } from '@cdktf/provider-aws/lib/vpc';
import { z } from 'zod';
import { DEFAULT_VPC_CIDR, logRetentionDays, tagValue } from '../spec/fields';
import { awsRegion, createdNetworkProblems, NetworkSchema } from '../spec/schema';
import { regionInfo, zoneIdProblems } from '../spec/regions';
import { layoutSubnets } from '../util/cidr';
import { assumeRolePolicy, policyDocument } from '../util/iam';
import { stripUndefined } from '../util/objects';
import { PropsChecker } from '../util/validate';
import { propsObject } from './prop-checks';
import { protectLiterals } from '../util/terraform-literals';

/** The network a regional endpoint runs in. */
export interface IEndpointNetwork {
  /** Id of the VPC. */
  readonly vpcId: string;
  /** Subnets of the GPU instances; they need outbound HTTPS (NAT or VPC endpoints). */
  readonly privateSubnetIds: string[];
  /** Subnets of the internet-facing ALB. */
  readonly publicSubnetIds: string[];
}

/** Props of {@link MinimalVpc}: the region, a name prefix, and optional address, zone, NAT and flow-log settings. */
export interface MinimalVpcProps {
  /** AWS region code; picks the default availability zones. */
  readonly region: string;
  /**
   * Provider for the region (an aliased `AwsProvider` when one stack spans regions). @default - the stack's default AWS
   * provider
   */
  readonly provider?: TerraformProvider;
  /** Prefix of the `Name` tags. */
  readonly name: string;
  /** VPC block, /16 to /22. @default '10.64.0.0/16' */
  readonly cidr?: string;
  /**
   * Availability zone ids of the region (two to six). @default - the first three zones the library knows for the region
   */
  readonly availabilityZoneIds?: string[];
  /** `one` NAT gateway (cheaper) or one `per-zone` (private subnets keep egress when a zone fails). @default 'one' */
  readonly natGateways?: 'one' | 'per-zone';
  /** Record rejected traffic as VPC flow logs in CloudWatch Logs. @default true */
  readonly flowLogs?: boolean;
  /** Days to keep flow logs (a retention period CloudWatch Logs accepts). @default 90 */
  readonly flowLogRetentionDays?: number;
}

/** The settings of a {@link MinimalVpc}, with their defaults: the spec's network fields plus flow logs. */
export const MinimalVpcSettingsSchema = z.strictObject({
  cidr: NetworkSchema.shape.cidr,
  availabilityZoneIds: NetworkSchema.shape.availabilityZoneIds,
  natGateways: NetworkSchema.shape.natGateways,
  flowLogs: z.boolean().default(true),
  flowLogRetentionDays: logRetentionDays.default(90),
});

/**
 * Problems of MinimalVpc settings for a region (zones must be the region's; the CIDR must lay out ALB subnets of at
 * least /27, and private subnets holding `instancesPerSubnet` GPU instances); shared with GpuInferenceEndpoint.
 */
export function minimalVpcProblems(
  checker: PropsChecker,
  region: unknown,
  settings: unknown,
  path: string,
  instancesPerSubnet = 0,
): z.output<typeof MinimalVpcSettingsSchema> | undefined {
  const parsed = checker.literal(MinimalVpcSettingsSchema, settings, path);
  const zones = (settings as { availabilityZoneIds?: unknown } | undefined)?.availabilityZoneIds;
  if (typeof region === 'string' && Array.isArray(zones))
    checker.add(zoneIdProblems(region, zones), `${path}${path ? '.' : ''}availabilityZoneIds`);
  if (parsed) checker.add(createdNetworkProblems(region, parsed, instancesPerSubnet), path);
  return parsed;
}

/**
 * A minimal two-tier VPC for one regional endpoint: public subnets for the ALB and NAT, private subnets for the
 * GPU instances, the default security group stripped of all rules, and flow logs of rejected traffic.
 * Subnets are keyed by zone id, so adding a zone never renumbers the others.
 *
 * @example
 * ```ts
 * import { App, TerraformStack } from 'cdktf';
 * import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
 * import { MinimalVpc } from 'cdktf-global-inference';
 *
 * const stack = new TerraformStack(new App(), 'network');
 * new AwsProvider(stack, 'aws', { region: 'eu-west-1' });
 * const vpc = new MinimalVpc(stack, 'Network', {
 *   region: 'eu-west-1',
 *   name: 'chat-eu-west-1',
 *   natGateways: 'per-zone', // private subnets keep egress when a zone fails
 * });
 * // Pass `vpc` as the `network` of a GpuInferenceEndpoint, or use vpc.privateSubnetIds yourself.
 * ```
 */
export class MinimalVpc extends Construct implements IEndpointNetwork {
  /** The VPC (escape hatch). */
  readonly resource: Vpc;
  /** Id of the VPC. */
  readonly vpcId: string;
  readonly privateSubnetIds: string[];
  readonly publicSubnetIds: string[];
  /** The zone ids the subnets are in: `props.availabilityZoneIds`, or the region's first three. */
  readonly availabilityZoneIds: readonly string[];

  constructor(scope: Construct, id: string, props: MinimalVpcProps) {
    super(scope, id);
    const plan = vpcPlan(props, validatedSettings(this, props));
    this.availabilityZoneIds = plan.zones;
    this.resource = vpcWithDefaultDenyGroup(this, plan);
    this.vpcId = this.resource.id;
    const publicTier = publicRouting(this, plan, this.resource);
    const subnets = zoneSubnets(this, plan, this.resource, publicTier.routeTable);
    const nats = natGateways(this, plan, publicTier.internetGateway, subnets.publicSubnets);
    privateRouting(this, plan, this.resource, nats, subnets.privateSubnets);
    if (plan.settings.flowLogs) rejectedTrafficFlowLogs(this, plan, this.resource);
    this.publicSubnetIds = subnets.publicSubnets.map((s) => s.id);
    this.privateSubnetIds = subnets.privateSubnets.map((s) => s.id);
    protectLiterals(this);
  }
}

type MinimalVpcSettings = z.output<typeof MinimalVpcSettingsSchema>;

/** What the resources of a MinimalVpc are built from: its validated props, defaults filled in. */
interface VpcPlan {
  readonly provider?: TerraformProvider;
  readonly settings: MinimalVpcSettings;
  readonly cidr: string;
  readonly zones: string[];
  readonly subnetBlocks: ReturnType<typeof layoutSubnets>;
  readonly namePrefix: string;
  readonly nameTag: (suffix: string) => { Name: string };
}

/** The validated settings of the props; throws one error listing every problem. */
function validatedSettings(scope: MinimalVpc, props: MinimalVpcProps): MinimalVpcSettings {
  const checker = new PropsChecker(`MinimalVpc '${scope.node.path}'`);
  props = propsObject(checker, props);
  checker.literal(awsRegion, props.region, 'region');
  checker.literal(
    tagValue.max(240, 'must be at most 240 characters (Name tags add a suffix; AWS tag values are at most 256)'),
    props.name,
    'name',
  );
  const parsed = minimalVpcProblems(
    checker,
    props.region,
    stripUndefined({
      cidr: props.cidr,
      availabilityZoneIds: props.availabilityZoneIds,
      natGateways: props.natGateways,
      flowLogs: props.flowLogs,
      flowLogRetentionDays: props.flowLogRetentionDays,
    }),
    '',
  );
  checker.throwIfAny();
  return parsed!;
}

/** The plan of a MinimalVpc: CIDR, zones and their subnet blocks, with the library's defaults. */
function vpcPlan(props: MinimalVpcProps, settings: MinimalVpcSettings): VpcPlan {
  const cidr = settings.cidr ?? DEFAULT_VPC_CIDR;
  const zones = settings.availabilityZoneIds ?? regionInfo(props.region).availabilityZoneIds.slice(0, 3);
  return {
    provider: props.provider,
    settings,
    cidr,
    zones,
    subnetBlocks: layoutSubnets(cidr, zones.length),
    namePrefix: props.name,
    nameTag: (suffix) => ({ Name: `${props.name}-${suffix}` }),
  };
}

/** The VPC, with its default security group stripped of every rule. */
function vpcWithDefaultDenyGroup(scope: Construct, plan: VpcPlan): Vpc {
  const { provider, nameTag } = plan;
  const vpc = new Vpc(scope, 'Resource', {
    provider,
    cidrBlock: plan.cidr,
    enableDnsSupport: true,
    enableDnsHostnames: true,
    tags: nameTag('vpc'),
  });
  // CKV2_AWS_12: the default security group must not allow any traffic.
  new DefaultSecurityGroup(scope, 'DefaultSecurityGroup', {
    provider,
    vpcId: vpc.id,
    ingress: [],
    egress: [],
    tags: nameTag('default-deny'),
  });
  return vpc;
}

/** The internet gateway and the public route table that sends all traffic through it. */
function publicRouting(
  scope: Construct,
  plan: VpcPlan,
  vpc: Vpc,
): { internetGateway: InternetGateway; routeTable: RouteTable } {
  const { provider, nameTag } = plan;
  const internetGateway = new InternetGateway(scope, 'InternetGateway', {
    provider,
    vpcId: vpc.id,
    tags: nameTag('igw'),
  });
  const routeTable = new RouteTable(scope, 'PublicRoutes', { provider, vpcId: vpc.id, tags: nameTag('public') });
  new Route(scope, 'PublicDefaultRoute', {
    provider,
    routeTableId: routeTable.id,
    destinationCidrBlock: '0.0.0.0/0',
    gatewayId: internetGateway.id,
  });
  return { internetGateway, routeTable };
}

/** A public subnet (on the public route table) and a private subnet in each zone, in zone order. */
function zoneSubnets(
  scope: Construct,
  plan: VpcPlan,
  vpc: Vpc,
  publicRoutes: RouteTable,
): { publicSubnets: Subnet[]; privateSubnets: Subnet[] } {
  const { provider, nameTag } = plan;
  const publicSubnets: Subnet[] = [];
  const privateSubnets: Subnet[] = [];
  plan.zones.forEach((zone, i) => {
    const publicSubnet = new Subnet(scope, `Public-${zone}`, {
      provider,
      vpcId: vpc.id,
      availabilityZoneId: zone,
      cidrBlock: plan.subnetBlocks.public[i],
      mapPublicIpOnLaunch: false,
      tags: nameTag(`public-${zone}`),
    });
    new RouteTableAssociation(scope, `PublicRoutes-${zone}`, {
      provider,
      subnetId: publicSubnet.id,
      routeTableId: publicRoutes.id,
    });
    publicSubnets.push(publicSubnet);
    privateSubnets.push(
      new Subnet(scope, `Private-${zone}`, {
        provider,
        vpcId: vpc.id,
        availabilityZoneId: zone,
        cidrBlock: plan.subnetBlocks.private[i],
        mapPublicIpOnLaunch: false,
        tags: nameTag(`private-${zone}`),
      }),
    );
  });
  return { publicSubnets, privateSubnets };
}

/** The NAT gateways by zone: one in the first zone, or one per zone, each in the zone's public subnet. */
function natGateways(
  scope: Construct,
  plan: VpcPlan,
  internetGateway: InternetGateway,
  publicSubnets: Subnet[],
): Map<string, NatGateway> {
  const { provider, nameTag, zones } = plan;
  const natZones = plan.settings.natGateways === 'per-zone' ? zones : zones.slice(0, 1);
  const nats = new Map<string, NatGateway>();
  for (const zone of natZones) {
    const address = new Eip(scope, `NatAddress-${zone}`, { provider, domain: 'vpc', tags: nameTag(`nat-${zone}`) });
    const subnet = publicSubnets[zones.indexOf(zone)];
    nats.set(
      zone,
      new NatGateway(scope, `Nat-${zone}`, {
        provider,
        allocationId: address.allocationId,
        subnetId: subnet.id,
        tags: nameTag(`nat-${zone}`),
        dependsOn: [internetGateway],
      }),
    );
  }
  return nats;
}

/** A route table per private subnet, sending all traffic through the NAT of its zone (else the first NAT). */
function privateRouting(
  scope: Construct,
  plan: VpcPlan,
  vpc: Vpc,
  nats: Map<string, NatGateway>,
  privateSubnets: Subnet[],
): void {
  const { provider, nameTag } = plan;
  plan.zones.forEach((zone, i) => {
    const nat = nats.get(zone) ?? nats.get(plan.zones[0])!;
    const routes = new RouteTable(scope, `PrivateRoutes-${zone}`, {
      provider,
      vpcId: vpc.id,
      tags: nameTag(`private-${zone}`),
    });
    new Route(scope, `PrivateDefaultRoute-${zone}`, {
      provider,
      routeTableId: routes.id,
      destinationCidrBlock: '0.0.0.0/0',
      natGatewayId: nat.id,
    });
    new RouteTableAssociation(scope, `PrivateRoutes-${zone}-Association`, {
      provider,
      subnetId: privateSubnets[i].id,
      routeTableId: routes.id,
    });
  });
}

/** VPC flow logs of rejected traffic, into a CloudWatch log group through a role that may write only there. */
function rejectedTrafficFlowLogs(scope: Construct, plan: VpcPlan, vpc: Vpc): void {
  const { provider } = plan;
  const logGroup = new CloudwatchLogGroup(scope, 'FlowLogGroup', {
    provider,
    namePrefix: `/vpc/${plan.namePrefix}/flow-logs-`,
    retentionInDays: plan.settings.flowLogRetentionDays,
  });
  const role = new IamRole(scope, 'FlowLogRole', {
    provider,
    namePrefix: 'gi-flow-logs-',
    assumeRolePolicy: assumeRolePolicy('vpc-flow-logs.amazonaws.com'),
  });
  new IamRolePolicy(scope, 'FlowLogRolePolicy', {
    provider,
    role: role.id,
    policy: policyDocument({
      Effect: 'Allow',
      Action: ['logs:CreateLogStream', 'logs:PutLogEvents', 'logs:DescribeLogStreams'],
      Resource: [logGroup.arn, `${logGroup.arn}:*`],
    }),
  });
  new FlowLog(scope, 'FlowLog', {
    provider,
    vpcId: vpc.id,
    trafficType: 'REJECT',
    logDestinationType: 'cloud-watch-logs',
    logDestination: logGroup.arn,
    iamRoleArn: role.arn,
  });
}
