import { Construct } from 'constructs';
import type { TerraformProvider } from '../util/cdktf';
import { S3Bucket } from '@cdktf/provider-aws/lib/s3-bucket';
import { S3BucketLifecycleConfiguration } from '@cdktf/provider-aws/lib/s3-bucket-lifecycle-configuration';
import { S3BucketOwnershipControls } from '@cdktf/provider-aws/lib/s3-bucket-ownership-controls';
import { S3BucketPolicy } from '@cdktf/provider-aws/lib/s3-bucket-policy';
import { S3BucketPublicAccessBlock } from '@cdktf/provider-aws/lib/s3-bucket-public-access-block';
import {
  S3BucketServerSideEncryptionConfigurationA as S3BucketEncryption,
  type S3BucketServerSideEncryptionConfigurationRuleA as EncryptionRule,
} from '@cdktf/provider-aws/lib/s3-bucket-server-side-encryption-configuration';
import { ELB_LOG_DELIVERY_ACCOUNTS, ELB_LOG_DELIVERY_PRINCIPAL } from '../facts/provider-facts';
import { AlbAccessLogsSchema } from '../spec/endpoint-schema';
import { serviceName, tags as tagsSchema } from '../spec/fields';
import { awsRegion } from '../spec/schema';
import { policyDocument } from '../util/iam';
import { protectLiterals } from '../util/terraform-literals';
import { PropsChecker } from '../util/validate';
import { propsObject } from './prop-checks';

/** Props of {@link AlbAccessLogsBucket}. */
export interface AlbAccessLogsBucketProps {
  /**
   * Provider of the region whose load balancers write here (log delivery needs a bucket in the same region).
   * @default - the stack's default AWS provider
   */
  readonly provider?: TerraformProvider;
  /** Region of the bucket and of the load balancers that write to it. */
  readonly region: string;
  /** Service name: the bucket's name starts with `<serviceName>-alb-logs-`. */
  readonly serviceName: string;
  /** Days a log object is kept. @default 90 */
  readonly retentionDays?: number;
  /** Tags of the bucket. @default - none */
  readonly tags?: Record<string, string>;
}

/**
 * An S3 bucket ALB access logs can be delivered to, and nothing else can read from the world: SSE-S3 encryption
 * (the only one ALB log delivery supports), every public access blocked, object ownership enforced, TLS-only
 * access, and a lifecycle that deletes logs after `retentionDays`. Its policy lets only Elastic Load Balancing's log
 * delivery write, under `AWSLogs/` (the regional ELB account in regions opened before August 2022, the log-delivery
 * service principal in newer ones). Not force-destroyed: `terraform destroy` stops at a bucket that holds logs.
 *
 * @example
 * ```ts
 * import { App, TerraformStack } from 'cdktf';
 * import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
 * import { AlbAccessLogsBucket } from 'cdktf-global-inference';
 *
 * const stack = new TerraformStack(new App(), 'logs');
 * const provider = new AwsProvider(stack, 'aws', { region: 'eu-west-1' });
 * const logs = new AlbAccessLogsBucket(stack, 'AlbLogs', {
 *   provider,
 *   region: 'eu-west-1',
 *   serviceName: 'chat',
 *   retentionDays: 30,
 * });
 * // logs.bucketName goes into an aws_lb's access_logs block.
 * ```
 */
export class AlbAccessLogsBucket extends Construct {
  /** The bucket (escape hatch). */
  readonly resource: S3Bucket;
  /** The bucket's name, for an ALB's `access_logs.bucket`. */
  readonly bucketName: string;
  /** The policy that lets log delivery write: a load balancer logging here depends on it. */
  readonly deliveryPolicy: S3BucketPolicy;

  constructor(scope: Construct, id: string, props: AlbAccessLogsBucketProps) {
    super(scope, id);
    const checker = new PropsChecker(`AlbAccessLogsBucket '${this.node.path}'`);
    props = propsObject(checker, props);
    checker.literal(awsRegion, props.region, 'region');
    checker.check(serviceName, props.serviceName, 'serviceName');
    const settings = checker.literal(AlbAccessLogsSchema, { retentionDays: props.retentionDays }, '');
    checker.check(tagsSchema.optional(), props.tags, 'tags');
    checker.throwIfAny();
    const { provider } = props;

    this.resource = new S3Bucket(this, 'Resource', {
      provider,
      bucketPrefix: `${props.serviceName}-alb-logs-`,
      forceDestroy: false,
      tags: props.tags,
    });
    this.bucketName = this.resource.bucket;
    const bucket = this.resource.id;
    new S3BucketPublicAccessBlock(this, 'PublicAccessBlock', {
      provider,
      bucket,
      blockPublicAcls: true,
      blockPublicPolicy: true,
      ignorePublicAcls: true,
      restrictPublicBuckets: true,
    });
    new S3BucketOwnershipControls(this, 'Ownership', {
      provider,
      bucket,
      rule: { objectOwnership: 'BucketOwnerEnforced' },
    });
    new S3BucketEncryption(this, 'Encryption', {
      provider,
      bucket,
      // SSE-S3: log delivery cannot write to a bucket encrypted with a KMS key.
      rule: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: 'AES256' } } satisfies EncryptionRule],
    });
    new S3BucketLifecycleConfiguration(this, 'Lifecycle', {
      provider,
      bucket,
      rule: [
        {
          id: 'expire-access-logs',
          status: 'Enabled',
          filter: [{}],
          expiration: [{ days: settings!.retentionDays }],
          abortIncompleteMultipartUpload: [{ daysAfterInitiation: 1 }],
        },
      ],
    });
    this.deliveryPolicy = new S3BucketPolicy(this, 'Policy', {
      provider,
      bucket,
      policy: logDeliveryPolicy(props.region, this.resource.arn),
    });
    protectLiterals(this);
  }
}

/** Who may write ALB logs into the bucket (and only under AWSLogs/), and that nobody may use it without TLS. */
function logDeliveryPolicy(region: string, bucketArn: string): string {
  const account = ELB_LOG_DELIVERY_ACCOUNTS[region];
  return policyDocument(
    {
      Sid: 'ElbLogDelivery',
      Effect: 'Allow',
      Principal: account ? { AWS: `arn:aws:iam::${account}:root` } : { Service: ELB_LOG_DELIVERY_PRINCIPAL },
      Action: 's3:PutObject',
      Resource: `${bucketArn}/AWSLogs/*`,
    },
    {
      Sid: 'TlsOnly',
      Effect: 'Deny',
      Principal: { AWS: '*' },
      Action: 's3:*',
      Resource: [bucketArn, `${bucketArn}/*`],
      Condition: { Bool: { 'aws:SecureTransport': false } },
    },
  );
}
