import { Construct } from 'constructs';
import type { TerraformProvider } from 'cdktf';
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
  readonly vpcId: string;
  /** Subnets of the GPU instances; they need outbound HTTPS (NAT or VPC endpoints). */
  readonly privateSubnetIds: string[];
  /** Subnets of the internet-facing ALB. */
  readonly publicSubnetIds: string[];
}

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
  /** VPC block, /16 to /22. @default '10.64.0.0/16' ({@link DEFAULT_VPC_CIDR}) */
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
 */
export class MinimalVpc extends Construct implements IEndpointNetwork {
  /** The VPC (escape hatch). */
  readonly resource: Vpc;
  readonly vpcId: string;
  readonly privateSubnetIds: string[];
  readonly publicSubnetIds: string[];
  readonly availabilityZoneIds: readonly string[];

  constructor(scope: Construct, id: string, props: MinimalVpcProps) {
    super(scope, id);
    const checker = new PropsChecker(`MinimalVpc '${this.node.path}'`);
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
    const settings = parsed!;
    const provider = props.provider;
    const cidr = settings.cidr ?? DEFAULT_VPC_CIDR;
    const zones = settings.availabilityZoneIds ?? regionInfo(props.region).availabilityZoneIds.slice(0, 3);
    const layout = layoutSubnets(cidr, zones.length);
    const name = (suffix: string) => ({ Name: `${props.name}-${suffix}` });

    this.availabilityZoneIds = zones;
    this.resource = new Vpc(this, 'Resource', {
      provider,
      cidrBlock: cidr,
      enableDnsSupport: true,
      enableDnsHostnames: true,
      tags: name('vpc'),
    });
    this.vpcId = this.resource.id;

    // CKV2_AWS_12: the default security group must not allow any traffic.
    new DefaultSecurityGroup(this, 'DefaultSecurityGroup', {
      provider,
      vpcId: this.resource.id,
      ingress: [],
      egress: [],
      tags: name('default-deny'),
    });

    const igw = new InternetGateway(this, 'InternetGateway', { provider, vpcId: this.resource.id, tags: name('igw') });
    const publicRoutes = new RouteTable(this, 'PublicRoutes', {
      provider,
      vpcId: this.resource.id,
      tags: name('public'),
    });
    new Route(this, 'PublicDefaultRoute', {
      provider,
      routeTableId: publicRoutes.id,
      destinationCidrBlock: '0.0.0.0/0',
      gatewayId: igw.id,
    });

    const publicSubnets: Subnet[] = [];
    const privateSubnets: Subnet[] = [];
    zones.forEach((zone, i) => {
      const pub = new Subnet(this, `Public-${zone}`, {
        provider,
        vpcId: this.resource.id,
        availabilityZoneId: zone,
        cidrBlock: layout.public[i],
        mapPublicIpOnLaunch: false,
        tags: name(`public-${zone}`),
      });
      new RouteTableAssociation(this, `PublicRoutes-${zone}`, {
        provider,
        subnetId: pub.id,
        routeTableId: publicRoutes.id,
      });
      publicSubnets.push(pub);
      privateSubnets.push(
        new Subnet(this, `Private-${zone}`, {
          provider,
          vpcId: this.resource.id,
          availabilityZoneId: zone,
          cidrBlock: layout.private[i],
          mapPublicIpOnLaunch: false,
          tags: name(`private-${zone}`),
        }),
      );
    });

    // One NAT gateway in the first zone, or one per zone; each private subnet routes through the NAT of its zone.
    const natZones = settings.natGateways === 'per-zone' ? zones : zones.slice(0, 1);
    const nats = new Map<string, NatGateway>();
    for (const zone of natZones) {
      const address = new Eip(this, `NatAddress-${zone}`, { provider, domain: 'vpc', tags: name(`nat-${zone}`) });
      const subnet = publicSubnets[zones.indexOf(zone)];
      nats.set(
        zone,
        new NatGateway(this, `Nat-${zone}`, {
          provider,
          allocationId: address.allocationId,
          subnetId: subnet.id,
          tags: name(`nat-${zone}`),
          dependsOn: [igw],
        }),
      );
    }
    zones.forEach((zone, i) => {
      const nat = nats.get(zone) ?? nats.get(natZones[0])!;
      const routes = new RouteTable(this, `PrivateRoutes-${zone}`, {
        provider,
        vpcId: this.resource.id,
        tags: name(`private-${zone}`),
      });
      new Route(this, `PrivateDefaultRoute-${zone}`, {
        provider,
        routeTableId: routes.id,
        destinationCidrBlock: '0.0.0.0/0',
        natGatewayId: nat.id,
      });
      new RouteTableAssociation(this, `PrivateRoutes-${zone}-Association`, {
        provider,
        subnetId: privateSubnets[i].id,
        routeTableId: routes.id,
      });
    });

    if (settings.flowLogs) {
      const logGroup = new CloudwatchLogGroup(this, 'FlowLogGroup', {
        provider,
        namePrefix: `/vpc/${props.name}/flow-logs-`,
        retentionInDays: settings.flowLogRetentionDays,
      });
      const role = new IamRole(this, 'FlowLogRole', {
        provider,
        namePrefix: 'gi-flow-logs-',
        assumeRolePolicy: assumeRolePolicy('vpc-flow-logs.amazonaws.com'),
      });
      new IamRolePolicy(this, 'FlowLogRolePolicy', {
        provider,
        role: role.id,
        policy: policyDocument({
          Effect: 'Allow',
          Action: ['logs:CreateLogStream', 'logs:PutLogEvents', 'logs:DescribeLogStreams'],
          Resource: [logGroup.arn, `${logGroup.arn}:*`],
        }),
      });
      new FlowLog(this, 'FlowLog', {
        provider,
        vpcId: this.resource.id,
        trafficType: 'REJECT',
        logDestinationType: 'cloud-watch-logs',
        logDestination: logGroup.arn,
        iamRoleArn: role.arn,
      });
    }

    this.publicSubnetIds = publicSubnets.map((s) => s.id);
    this.privateSubnetIds = privateSubnets.map((s) => s.id);
    protectLiterals(this);
  }
}
