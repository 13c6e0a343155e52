import { Construct } from 'constructs';
import { Fn, type TerraformProvider } from '../util/cdktf';
import { CloudwatchLogGroup } from '@cdktf/provider-aws/lib/cloudwatch-log-group';
import { CloudwatchLogResourcePolicy } from '@cdktf/provider-aws/lib/cloudwatch-log-resource-policy';
import { KmsKey } from '@cdktf/provider-aws/lib/kms-key';
import { KmsKeyPolicy } from '@cdktf/provider-aws/lib/kms-key-policy';
import { Route53HostedZoneDnssec } from '@cdktf/provider-aws/lib/route53-hosted-zone-dnssec';
import { Route53KeySigningKey } from '@cdktf/provider-aws/lib/route53-key-signing-key';
import { Route53QueryLog } from '@cdktf/provider-aws/lib/route53-query-log';
import { Route53Zone } from '@cdktf/provider-aws/lib/route53-zone';
import { dnsName, freeText } from '../spec/fields';
import { DnsSchema } from '../spec/schema';
import { policyDocument } from '../util/iam';
import { stripUndefined } from '../util/objects';
import { isToken, PropsChecker } from '../util/validate';
import { checkHostedZone, propsObject } from './prop-checks';
import { protectLiterals } from '../util/terraform-literals';

/** A Route53 hosted zone the routing constructs write records into. */
export interface IHostedZone {
  /** Route53 id of the zone (`Z...`), or a reference to it. */
  readonly zoneId: string;
  /** The zone's DNS name, without trailing dot. */
  readonly zoneName: string;
}

/** Props of {@link InferenceHostedZone}: the zone name, and DNSSEC and query-logging settings. */
export interface InferenceHostedZoneProps {
  /** DNS name of the zone, e.g. `inference.example.com`. Delegate it from the parent zone with the `nameServers`. */
  readonly zoneName: string;
  /**
   * A us-east-1 provider: Route53 is global, and its DNSSEC keys and query logs must live in us-east-1. @default - the
   * stack's default AWS provider
   */
  readonly provider?: TerraformProvider;
  /**
   * Sign the zone with DNSSEC: an ECC P-256 KMS key (policy naming the account, read from the key's own ARN), a
   * key-signing key, and signing on. Publish `dsRecord` at the parent to complete the chain. @default true (the spec's
   * `dns.dnssec` default)
   */
  readonly dnssec?: boolean;
  /**
   * Log queries to CloudWatch Logs (`/aws/route53/<zone>`), with the resource policy Route53 needs. @default true (the
   * spec's `dns.queryLogging` default)
   */
  readonly queryLogging?: boolean;
  /**
   * Days to keep query logs (a retention period CloudWatch Logs accepts). @default 30 (the spec's
   * `dns.queryLogRetentionDays` default)
   */
  readonly queryLogRetentionDays?: number;
  /** Comment on the zone (at most 256 characters). @default - names the library */
  readonly comment?: string;
}

/**
 * A public hosted zone created by the library, protected against deletion: `prevent_destroy` is set and
 * `force_destroy` is not, so neither a refactor nor `terraform destroy` can silently delete every record.
 * Signed with DNSSEC and query-logged by default. Use {@link InferenceHostedZone.fromZoneId} to write into an
 * existing zone instead.
 *
 * @example
 * ```ts
 * import { App, TerraformStack } from 'cdktf';
 * import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
 * import { InferenceHostedZone } from 'cdktf-global-inference';
 *
 * const stack = new TerraformStack(new App(), 'dns');
 * new AwsProvider(stack, 'aws', { region: 'us-east-1' }); // Route53's DNSSEC keys and query logs live there
 * const zone = new InferenceHostedZone(stack, 'Zone', { zoneName: 'inference.example.com' });
 * // Delegate from the parent zone to zone.nameServers and publish zone.dsRecord there.
 *
 * // Or write into a zone that already exists; nothing is created:
 * const existing = InferenceHostedZone.fromZoneId('Z0123456789ABCDEFGHIJ', 'inference.example.com');
 * ```
 */
export class InferenceHostedZone extends Construct implements IHostedZone {
  /**
   * An existing zone, by id and name. Nothing is created. The id must be a Route53 zone id (the spec's
   * dns.hostedZoneId rule) and the name a DNS name; either may be a reference.
   */
  static fromZoneId(zoneId: string, zoneName: string): IHostedZone {
    const checker = new PropsChecker('InferenceHostedZone.fromZoneId(zoneId, zoneName)');
    checkHostedZone(checker, { zoneId, zoneName }, '');
    checker.throwIfAny();
    return { zoneId, zoneName: isToken(zoneName) ? zoneName : zoneName.replace(/\.$/, '') };
  }

  /** The zone (escape hatch). */
  readonly resource: Route53Zone;
  /** Route53 id of the zone (a reference, known after apply). */
  readonly zoneId: string;
  readonly zoneName: string;
  /** Name servers to delegate to from the parent zone. */
  readonly nameServers: string[];
  /** The DS record to publish at the parent zone (when DNSSEC is on). */
  readonly dsRecord?: string;
  /** The KMS key behind the DNSSEC key-signing key (ECC P-256, SIGN_VERIFY), when DNSSEC is on. */
  readonly signingKey?: KmsKey;
  /** The CloudWatch log group receiving the zone's query logs (`/aws/route53/<zone>`), when query logging is on. */
  readonly queryLogGroup?: CloudwatchLogGroup;

  constructor(scope: Construct, id: string, props: InferenceHostedZoneProps) {
    super(scope, id);
    const checker = new PropsChecker(`InferenceHostedZone '${this.node.path}'`);
    props = propsObject(checker, props);
    checker.literal(
      dnsName,
      typeof props.zoneName === 'string' ? props.zoneName.replace(/\.$/, '') : props.zoneName,
      'zoneName',
    );
    // The spec's dns settings and their defaults: one definition for the spec and this construct.
    const settings = checker.literal(
      DnsSchema.pick({ dnssec: true, queryLogging: true, queryLogRetentionDays: true }),
      stripUndefined({
        dnssec: props.dnssec,
        queryLogging: props.queryLogging,
        queryLogRetentionDays: props.queryLogRetentionDays,
      }),
      '',
    );
    checker.check(freeText(256, 'Route53 zone comment limit').optional(), props.comment, 'comment');
    checker.throwIfAny();
    const provider = props.provider;
    this.zoneName = props.zoneName.replace(/\.$/, '');
    this.resource = new Route53Zone(this, 'Resource', {
      provider,
      name: this.zoneName,
      comment: props.comment ?? 'Managed by cdktf-global-inference',
      forceDestroy: false,
      lifecycle: { preventDestroy: true },
    });
    this.zoneId = this.resource.zoneId;
    this.nameServers = this.resource.nameServers;

    if (settings!.dnssec) {
      this.signingKey = new KmsKey(this, 'DnssecKey', {
        provider,
        description: `DNSSEC key-signing key of ${this.zoneName}`,
        customerMasterKeySpec: 'ECC_NIST_P256',
        keyUsage: 'SIGN_VERIFY',
        deletionWindowInDays: 30,
      });
      // The account id comes from the key's own ARN: no data source, and the user does not have to give it.
      const account = accountOf(this.signingKey.arn);
      const keyPolicy = new KmsKeyPolicy(this, 'DnssecKeyPolicy', {
        provider,
        keyId: this.signingKey.keyId,
        policy: policyDocument(
          {
            Sid: 'AccountAdministers',
            Effect: 'Allow',
            Principal: { AWS: `arn:aws:iam::${account}:root` },
            Action: 'kms:*',
            Resource: '*',
          },
          {
            Sid: 'Route53DnssecSigns',
            Effect: 'Allow',
            Principal: { Service: 'dnssec-route53.amazonaws.com' },
            Action: ['kms:DescribeKey', 'kms:GetPublicKey', 'kms:Sign'],
            Resource: '*',
            Condition: {
              StringEquals: { 'aws:SourceAccount': account },
              ArnLike: { 'aws:SourceArn': 'arn:aws:route53:::hostedzone/*' },
            },
          },
          {
            Sid: 'Route53DnssecGrants',
            Effect: 'Allow',
            Principal: { Service: 'dnssec-route53.amazonaws.com' },
            Action: 'kms:CreateGrant',
            Resource: '*',
            Condition: { Bool: { 'kms:GrantIsForAWSResource': true } },
          },
        ),
      });
      const ksk = new Route53KeySigningKey(this, 'KeySigningKey', {
        provider,
        hostedZoneId: this.resource.zoneId,
        keyManagementServiceArn: this.signingKey.arn,
        name: 'gi_ksk',
        status: 'ACTIVE',
        dependsOn: [keyPolicy],
      });
      new Route53HostedZoneDnssec(this, 'Dnssec', {
        provider,
        hostedZoneId: ksk.hostedZoneId,
        signingStatus: 'SIGNING',
      });
      this.dsRecord = ksk.dsRecord;
    }

    if (settings!.queryLogging) {
      this.queryLogGroup = new CloudwatchLogGroup(this, 'QueryLogGroup', {
        provider,
        // Route53 only writes to groups named /aws/route53/...
        name: `/aws/route53/${this.zoneName}`,
        retentionInDays: settings!.queryLogRetentionDays,
      });
      const logPolicy = new CloudwatchLogResourcePolicy(this, 'QueryLogPolicy', {
        provider,
        policyName: `gi-route53-query-logs-${this.zoneName}`,
        policyDocument: policyDocument({
          Sid: 'Route53WritesQueryLogs',
          Effect: 'Allow',
          Principal: { Service: 'route53.amazonaws.com' },
          Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
          Resource: `${this.queryLogGroup.arn}:*`,
          Condition: {
            StringEquals: { 'aws:SourceAccount': accountOf(this.queryLogGroup.arn) },
            ArnLike: { 'aws:SourceArn': `arn:aws:route53:::hostedzone/${this.resource.zoneId}` },
          },
        }),
      });
      new Route53QueryLog(this, 'QueryLog', {
        provider,
        zoneId: this.resource.zoneId,
        cloudwatchLogGroupArn: this.queryLogGroup.arn,
        dependsOn: [logPolicy],
      });
    }
    protectLiterals(this);
  }
}

/** The account id field of an ARN (a Terraform expression when the ARN is not known yet). */
function accountOf(arn: string): string {
  return Fn.element(Fn.split(':', arn), 4);
}
