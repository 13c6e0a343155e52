import { Construct } from 'constructs';
import type { TerraformProvider } from '../util/cdktf';
import { Route53Zone } from '@cdktf/provider-aws/lib/route53-zone';
import { dnsName } from '../spec/fields';
import { awsRegion, NetworkSchema } from '../spec/schema';
import { PropsChecker } from '../util/validate';
import { objectProp, propsObject } from './prop-checks';
import type { IHostedZone } from './inference-hosted-zone';
import { protectLiterals } from '../util/terraform-literals';

/** Props of {@link PrivateHostedZone}: the zone name and the VPCs that resolve through it. */
export interface PrivateHostedZoneProps {
  /** DNS name, usually the service domain (split horizon: inside these VPCs it shadows the public zone). */
  readonly zoneName: string;
  /** VPCs that resolve through the zone, with their regions (at least one). */
  readonly vpcs: readonly { readonly vpcId: string; readonly region: string }[];
  /** Route53 provider. @default - the stack's default AWS provider */
  readonly provider?: TerraformProvider;
}

/**
 * A private hosted zone for internal clients (split horizon): workloads in the associated VPCs resolve the service
 * name through it, to the same regional endpoints, without leaving AWS's resolver. Protected by prevent_destroy.
 *
 * @example
 * ```ts
 * import { App, TerraformStack } from 'cdktf';
 * import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
 * import { PrivateHostedZone } from 'cdktf-global-inference';
 *
 * const stack = new TerraformStack(new App(), 'internal-dns');
 * new AwsProvider(stack, 'aws', { region: 'us-east-1' });
 * new PrivateHostedZone(stack, 'PrivateZone', {
 *   zoneName: 'inference.example.com',
 *   vpcs: [
 *     { vpcId: 'vpc-0123456789abcdef0', region: 'us-east-1' },
 *     { vpcId: 'vpc-0fedcba9876543210', region: 'eu-west-1' },
 *   ],
 * });
 * ```
 */
export class PrivateHostedZone extends Construct implements IHostedZone {
  /** The zone (escape hatch). */
  readonly resource: Route53Zone;
  /** Route53 id of the zone (a reference, known after apply). */
  readonly zoneId: string;
  readonly zoneName: string;

  constructor(scope: Construct, id: string, props: PrivateHostedZoneProps) {
    super(scope, id);
    const checker = new PropsChecker(`PrivateHostedZone '${this.node.path}'`);
    props = propsObject(checker, props);
    checker.literal(
      dnsName,
      typeof props.zoneName === 'string' ? props.zoneName.replace(/\.$/, '') : props.zoneName,
      'zoneName',
    );
    if (!Array.isArray(props.vpcs)) {
      checker.add([
        {
          path: 'vpcs',
          message:
            props.vpcs === undefined
              ? 'is required (a list of { vpcId, region }, at least one)'
              : 'must be a list of { vpcId, region }',
          input: props.vpcs,
        },
      ]);
    } else {
      if (props.vpcs.length === 0)
        checker.add([
          {
            path: 'vpcs',
            message: 'must list at least one VPC (a private zone is created with its first association)',
          },
        ]);
      props.vpcs.forEach((vpc, i) => {
        if (!objectProp(checker, vpc, `vpcs[${i}]`, 'an object { vpcId, region }')) return;
        checker.literal(awsRegion, vpc.region, `vpcs[${i}].region`);
        checker.check(NetworkSchema.shape.vpcId.unwrap(), vpc.vpcId, `vpcs[${i}].vpcId`);
      });
    }
    checker.throwIfAny();
    this.zoneName = props.zoneName.replace(/\.$/, '');
    this.resource = new Route53Zone(this, 'Resource', {
      provider: props.provider,
      name: this.zoneName,
      comment: 'Split-horizon zone managed by cdktf-global-inference',
      forceDestroy: false,
      vpc: props.vpcs.map((v) => ({ vpcId: v.vpcId, vpcRegion: v.region })),
      lifecycle: { preventDestroy: true },
    });
    this.zoneId = this.resource.zoneId;
    protectLiterals(this);
  }
}
