import { Construct } from 'constructs';
import type { TerraformProvider } from '../util/cdktf';
import { AcmCertificate } from '@cdktf/provider-aws/lib/acm-certificate';
import { AcmCertificateValidation } from '@cdktf/provider-aws/lib/acm-certificate-validation';
import { Route53Record } from '@cdktf/provider-aws/lib/route53-record';
import { dnsName } from '../spec/fields';
import { ACM_FIRST_NAME_MAX } from '../spec/schema';
import { PropsChecker } from '../util/validate';
import { checkHostedZone, checkInZone, propsObject } from './prop-checks';
import type { IHostedZone } from './inference-hosted-zone';
import { protectLiterals } from '../util/terraform-literals';

/** Props of {@link RegionalCertificate}: the domain, the zone that validates it, and the providers to use. */
export interface RegionalCertificateProps {
  /**
   * Provider of the region the certificate is used in (ACM certificates are regional). @default - the stack's
   * default AWS provider
   */
  readonly provider?: TerraformProvider;
  /** The service DNS name; the certificate covers it and `*.` of it (regional and residency names). */
  readonly domainName: string;
  /** Zone the validation record is written to. */
  readonly zone: IHostedZone;
  /** Provider for Route53 records. @default - `provider` */
  readonly dnsProvider?: TerraformProvider;
  /**
   * Write the DNS validation record. ACM gives one validation record per account and domain, the same in every
   * region, so exactly one certificate of a service writes it. @default true
   */
  readonly writeValidationRecord?: boolean;
  /** The validation record written by another certificate of the same domain, to wait for. @default - none */
  readonly sharedValidationRecord?: Route53Record;
}

/**
 * An ACM certificate for `domain` and `*.domain`, DNS-validated in the service's zone. The apex and the
 * wildcard share one validation record, so no for_each over unknown values is needed.
 *
 * @example
 * ```ts
 * import { App, TerraformStack } from 'cdktf';
 * import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
 * import { InferenceHostedZone, RegionalCertificate } from 'cdktf-global-inference';
 *
 * const stack = new TerraformStack(new App(), 'certificates');
 * const dns = new AwsProvider(stack, 'aws', { region: 'us-east-1' });
 * const euWest1 = new AwsProvider(stack, 'eu-west-1', { region: 'eu-west-1', alias: 'eu-west-1' });
 * const zone = InferenceHostedZone.fromZoneId('Z0123456789ABCDEFGHIJ', 'inference.example.com');
 * const certificate = new RegionalCertificate(stack, 'Certificate', {
 *   provider: euWest1,
 *   dnsProvider: dns,
 *   domainName: 'inference.example.com',
 *   zone,
 * });
 * // certificate.certificateArn waits for validation: give it to the eu-west-1 GpuInferenceEndpoint.
 * ```
 */
export class RegionalCertificate extends Construct {
  /** The certificate (escape hatch). */
  readonly resource: AcmCertificate;
  /** ARN of the certificate once validated: use it in listeners so they wait for validation. */
  readonly certificateArn: string;
  /**
   * The DNS validation record, when this certificate writes it (`writeValidationRecord`); pass it as
   * `sharedValidationRecord` to the domain's certificates in other regions.
   */
  readonly validationRecord?: Route53Record;

  constructor(scope: Construct, id: string, props: RegionalCertificateProps) {
    super(scope, id);
    const checker = new PropsChecker(`RegionalCertificate '${this.node.path}'`);
    props = propsObject(checker, props);
    checkHostedZone(checker, props.zone, 'zone');
    if (typeof props.zone?.zoneName === 'string')
      checkInZone(checker, props.domainName, props.zone.zoneName, 'domainName');
    checker.check(
      dnsName.max(
        ACM_FIRST_NAME_MAX,
        `must be at most ${ACM_FIRST_NAME_MAX} characters (ACM refuses a longer first domain name)`,
      ),
      props.domainName,
      'domainName',
    );
    checker.throwIfAny();
    this.resource = new AcmCertificate(this, 'Resource', {
      provider: props.provider,
      domainName: props.domainName,
      subjectAlternativeNames: [`*.${props.domainName}`],
      validationMethod: 'DNS',
      keyAlgorithm: 'EC_prime256v1',
      lifecycle: { createBeforeDestroy: true },
    });
    const option = this.resource.domainValidationOptions.get(0);
    if (props.writeValidationRecord ?? true) {
      this.validationRecord = new Route53Record(this, 'ValidationRecord', {
        provider: props.dnsProvider ?? props.provider,
        zoneId: props.zone.zoneId,
        name: option.resourceRecordName,
        type: option.resourceRecordType,
        records: [option.resourceRecordValue],
        ttl: 300,
        allowOverwrite: true,
      });
    }
    const validation = new AcmCertificateValidation(this, 'Validation', {
      provider: props.provider,
      certificateArn: this.resource.arn,
      // The record name is the same for every region's certificate of this domain.
      validationRecordFqdns: [option.resourceRecordName],
      dependsOn: [this.validationRecord ?? props.sharedValidationRecord].filter(
        (r): r is Route53Record => r !== undefined,
      ),
    });
    this.certificateArn = validation.certificateArn;
    protectLiterals(this);
  }
}
