import { Construct } from 'constructs';
import type { TerraformProvider } from '../util/cdktf';
import { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { IamRolePolicy } from '@cdktf/provider-aws/lib/iam-role-policy';
import { DnsAutomationRoleSchema } from '../spec/routing-schema';
import { dnsName, tags as tagsSchema } from '../spec/fields';
import { normalizeDnsName } from '../util/dns-name';
import { policyDocument } from '../util/iam';
import { protectLiterals } from '../util/terraform-literals';
import { PropsChecker } from '../util/validate';
import type { IHostedZone } from './inference-hosted-zone';
import { checkHostedZone, propsObject } from './prop-checks';

/** Props of {@link DnsAutomationRole}. */
export interface DnsAutomationRoleProps {
  /** Provider for IAM (a global service). @default - the stack's default AWS provider */
  readonly provider?: TerraformProvider;
  /** The zone whose records the role may change. */
  readonly zone: IHostedZone;
  /**
   * The names the role may change: each name and every name below it (`inference.example.com` also allows
   * `eu-west-1.inference.example.com` and `*.inference.example.com`).
   */
  readonly domainNames: readonly string[];
  /** IAM principals (role, user or account ARNs, or 12-digit account ids) that may assume the role. */
  readonly trustedPrincipals: readonly string[];
  /** Record types the role may change. @default ['A', 'AAAA'] */
  readonly recordTypes?: readonly string[];
  /** Change actions the role may make. @default ['UPSERT'] */
  readonly actions?: readonly string[];
  /** Prefix of the role's name. @default 'gi-dns-automation-' */
  readonly namePrefix?: string;
  /** Tags of the role. @default - none */
  readonly tags?: Record<string, string>;
}

/**
 * An IAM role for CI or operators that may change only the service's own records: `route53:ChangeResourceRecordSets`
 * on one zone, limited by Route53's condition keys to the given names (normalized: lower case, no trailing dot, a
 * wildcard label as `\052`), record types and change actions; and read access to the zone, its changes and the
 * health checks. Nothing else: no zone, health-check or DNSSEC changes, no other zone.
 *
 * @example
 * ```ts
 * import { App, TerraformStack } from 'cdktf';
 * import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
 * import { DnsAutomationRole, InferenceHostedZone } from 'cdktf-global-inference';
 *
 * const stack = new TerraformStack(new App(), 'dns');
 * new AwsProvider(stack, 'aws', { region: 'us-east-1' });
 * const role = new DnsAutomationRole(stack, 'Automation', {
 *   zone: InferenceHostedZone.fromZoneId('Z0123456789ABCDEFGHIJ', 'inference.example.com'),
 *   domainNames: ['inference.example.com'],
 *   trustedPrincipals: ['arn:aws:iam::123456789012:role/ci-deployer'],
 * });
 * // role.roleArn: what CI assumes to shift weights (UPSERT of A/AAAA records under inference.example.com).
 * ```
 */
export class DnsAutomationRole extends Construct {
  /** The role (escape hatch). */
  readonly resource: IamRole;
  /** ARN of the role, for the principals that assume it. */
  readonly roleArn: string;

  constructor(scope: Construct, id: string, props: DnsAutomationRoleProps) {
    super(scope, id);
    const checker = new PropsChecker(`DnsAutomationRole '${this.node.path}'`);
    props = propsObject(checker, props);
    checkHostedZone(checker, props.zone, 'zone');
    const settings = checker.literal(
      DnsAutomationRoleSchema,
      { trustedPrincipals: props.trustedPrincipals, recordTypes: props.recordTypes, actions: props.actions },
      '',
    );
    const names = checker.literal(
      dnsName.array().min(1, 'must name at least one domain'),
      props.domainNames,
      'domainNames',
    );
    checker.check(tagsSchema.optional(), props.tags, 'tags');
    checker.throwIfAny();
    const { provider } = props;

    this.resource = new IamRole(this, 'Resource', {
      provider,
      namePrefix: props.namePrefix ?? 'gi-dns-automation-',
      description: 'Changes only the inference service records it names (Route53 condition keys)',
      assumeRolePolicy: policyDocument({
        Effect: 'Allow',
        Principal: { AWS: settings!.trustedPrincipals.map((p) => (/^\d{12}$/.test(p) ? `arn:aws:iam::${p}:root` : p)) },
        Action: 'sts:AssumeRole',
      }),
      maxSessionDuration: 3600,
      tags: props.tags,
    });
    this.roleArn = this.resource.arn;
    new IamRolePolicy(this, 'Policy', {
      provider,
      role: this.resource.id,
      policy: recordChangePolicy(props.zone.zoneId, names!, settings!.recordTypes, settings!.actions),
    });
    protectLiterals(this);
  }
}

/**
 * The names a change may touch, as `route53:ChangeResourceRecordSetsNormalizedRecordNames` patterns: each name, and
 * everything below it (the glob `*` of StringLike matches any labels, the `\052` of a wildcard record included).
 */
export function normalizedNamePatterns(domainNames: readonly string[]): string[] {
  return [...new Set(domainNames.map(normalizeDnsName))].flatMap((name) => [name, `*.${name}`]);
}

function recordChangePolicy(
  zoneId: string,
  domainNames: readonly string[],
  recordTypes: readonly string[],
  actions: readonly string[],
): string {
  const zoneArn = `arn:aws:route53:::hostedzone/${zoneId}`;
  return policyDocument(
    {
      Sid: 'ChangeOnlyTheServiceRecords',
      Effect: 'Allow',
      Action: 'route53:ChangeResourceRecordSets',
      Resource: zoneArn,
      Condition: {
        'ForAllValues:StringLike': {
          'route53:ChangeResourceRecordSetsNormalizedRecordNames': normalizedNamePatterns(domainNames),
        },
        'ForAllValues:StringEquals': {
          'route53:ChangeResourceRecordSetsRecordTypes': [...recordTypes],
          'route53:ChangeResourceRecordSetsActions': [...actions],
        },
      },
    },
    {
      Sid: 'ReadTheZone',
      Effect: 'Allow',
      Action: ['route53:GetHostedZone', 'route53:ListResourceRecordSets'],
      Resource: zoneArn,
    },
    { Sid: 'ReadChanges', Effect: 'Allow', Action: 'route53:GetChange', Resource: 'arn:aws:route53:::change/*' },
    {
      Sid: 'ReadHealthChecks',
      Effect: 'Allow',
      Action: ['route53:GetHealthCheck', 'route53:GetHealthCheckStatus'],
      Resource: 'arn:aws:route53:::healthcheck/*',
    },
    {
      // List calls take no resource-level permissions.
      Sid: 'List',
      Effect: 'Allow',
      Action: ['route53:ListHostedZones', 'route53:ListHostedZonesByName', 'route53:ListHealthChecks'],
      Resource: '*',
    },
  );
}
