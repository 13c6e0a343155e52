import { Construct } from 'constructs';
import type { TerraformProvider } from 'cdktf';
import { Route53Zone } from '@cdktf/provider-aws/lib/route53-zone';

/** A Route53 hosted zone the routing constructs write records into. */
export interface IHostedZone {
  readonly zoneId: string;
  /** The zone's DNS name, without trailing dot. */
  readonly zoneName: string;
}

export interface InferenceHostedZoneProps {
  /** DNS name of the zone, e.g. `inference.example.com`. Delegate it from the parent zone with the output name servers. */
  readonly zoneName: string;
  /** A us-east-1 provider (Route53 is global; DNSSEC and query logging need us-east-1). @default - the stack's default AWS provider */
  readonly provider?: TerraformProvider;
  /** Comment on the zone. @default - names the library */
  readonly comment?: string;
}

/**
 * A public hosted zone created by the library, protected against deletion: `prevent_destroy` is set and
 * `force_destroy` is not, so neither a refactor nor `terraform destroy` can silently delete every record.
 * Use {@link InferenceHostedZone.fromZoneId} to write into an existing zone instead.
 */
export class InferenceHostedZone extends Construct implements IHostedZone {
  /** An existing zone, by id and name. Nothing is created. */
  static fromZoneId(zoneId: string, zoneName: string): IHostedZone {
    return { zoneId, zoneName: zoneName.replace(/\.$/, '') };
  }

  /** The zone (escape hatch). */
  readonly resource: Route53Zone;
  readonly zoneId: string;
  readonly zoneName: string;
  /** Name servers to delegate to from the parent zone. */
  readonly nameServers: string[];

  constructor(scope: Construct, id: string, props: InferenceHostedZoneProps) {
    super(scope, id);
    this.zoneName = props.zoneName.replace(/\.$/, '');
    this.resource = new Route53Zone(this, 'Resource', {
      provider: props.provider,
      name: this.zoneName,
      comment: props.comment ?? 'Managed by cdktf-global-inference',
      forceDestroy: false,
      lifecycle: { preventDestroy: true },
    });
    this.zoneId = this.resource.zoneId;
    this.nameServers = this.resource.nameServers;
  }
}
