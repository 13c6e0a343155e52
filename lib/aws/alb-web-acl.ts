import { Construct } from 'constructs';
import type { TerraformProvider } from '../util/cdktf';
import { Wafv2WebAcl, type Wafv2WebAclRule } from '@cdktf/provider-aws/lib/wafv2-web-acl';
import { Wafv2WebAclAssociation } from '@cdktf/provider-aws/lib/wafv2-web-acl-association';
import { WAF_MANAGED_RULE_GROUPS } from '../facts/provider-facts';
import { AlbWafSchema } from '../spec/endpoint-schema';
import { tags as tagsSchema } from '../spec/fields';
import { protectLiterals } from '../util/terraform-literals';
import { PropsChecker } from '../util/validate';
import { propsObject } from './prop-checks';

/** Props of {@link AlbWebAcl}. */
export interface AlbWebAclProps {
  /**
   * Provider of the load balancer's region (a regional web ACL protects resources of its own region).
   * @default - the stack's default AWS provider
   */
  readonly provider?: TerraformProvider;
  /** Name of the web ACL and prefix of its CloudWatch metric names (letters, digits, `-`, `_`). */
  readonly name: string;
  /** ARN of the application load balancer to protect. */
  readonly loadBalancerArn: string;
  /** Requests one client IP may send in 5 minutes before it is blocked. @default 1000 */
  readonly rateLimitPer5Minutes?: number;
  /**
   * AWS managed rule groups, evaluated in this order after the rate limit. @default - AWSManagedRulesCommonRuleSet,
   * AWSManagedRulesKnownBadInputsRuleSet, AWSManagedRulesAmazonIpReputationList
   */
  readonly managedRuleGroups?: readonly string[];
  /**
   * What the managed rules that inspect the request body do: `count` (a prompt is free text — code, URLs, paths —
   * that body rules would refuse) or `block`. @default 'count'
   */
  readonly bodyRules?: 'count' | 'block';
  /** Tags of the web ACL. @default - none */
  readonly tags?: Record<string, string>;
}

/**
 * An AWS WAF web ACL in front of an application load balancer: requests are allowed unless a client IP exceeds the
 * rate limit (blocked until its rate falls) or an AWS managed rule group blocks them. The managed groups' rules
 * that inspect the body only count by default (see `bodyRules`), so prompts are not judged as web-form input; every
 * rule has CloudWatch metrics and sampled requests.
 *
 * @example
 * ```ts
 * import { App, TerraformStack } from 'cdktf';
 * import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
 * import { AlbWebAcl } from 'cdktf-global-inference';
 *
 * const stack = new TerraformStack(new App(), 'waf');
 * const provider = new AwsProvider(stack, 'aws', { region: 'eu-west-1' });
 * new AlbWebAcl(stack, 'Waf', {
 *   provider,
 *   name: 'chat-eu-west-1',
 *   loadBalancerArn: 'arn:aws:elasticloadbalancing:eu-west-1:123456789012:loadbalancer/app/chat/0123456789abcdef',
 *   rateLimitPer5Minutes: 600,
 * });
 * ```
 */
export class AlbWebAcl extends Construct {
  /** The web ACL (escape hatch). */
  readonly resource: Wafv2WebAcl;
  /** ARN of the web ACL. */
  readonly webAclArn: string;

  constructor(scope: Construct, id: string, props: AlbWebAclProps) {
    super(scope, id);
    const checker = new PropsChecker(`AlbWebAcl '${this.node.path}'`);
    props = propsObject(checker, props);
    checker.check(tagsSchema.optional(), props.tags, 'tags');
    if (typeof props.name !== 'string' || !/^[A-Za-z0-9_-]{1,128}$/.test(props.name))
      checker.add([
        { path: 'name', input: props.name, message: 'must be 1 to 128 letters, digits, - or _ (a web ACL name)' },
      ]);
    const settings = checker.literal(
      AlbWafSchema,
      {
        rateLimitPer5Minutes: props.rateLimitPer5Minutes,
        managedRuleGroups: props.managedRuleGroups,
        bodyRules: props.bodyRules,
      },
      '',
    );
    checker.throwIfAny();
    const { provider, name } = props;
    const visibility = (metric: string) => ({
      cloudwatchMetricsEnabled: true,
      metricName: `${name}-${metric}`.slice(0, 255),
      sampledRequestsEnabled: true,
    });
    // The statements are written in Terraform's own (snake_case) form: the provider bindings leave them untyped.
    const rules: Wafv2WebAclRule[] = [
      {
        name: 'rate-limit-per-ip',
        priority: 0,
        action: { block: {} },
        statement: { rate_based_statement: { limit: settings!.rateLimitPer5Minutes, aggregate_key_type: 'IP' } },
        visibilityConfig: visibility('rate-limit'),
      },
      ...settings!.managedRuleGroups.map(
        (group, i): Wafv2WebAclRule => ({
          name: group,
          priority: i + 1,
          overrideAction: { none: {} },
          statement: {
            managed_rule_group_statement: {
              name: group,
              vendor_name: 'AWS',
              ...(settings!.bodyRules === 'count' && WAF_MANAGED_RULE_GROUPS[group].bodyRules.length > 0
                ? {
                    rule_action_override: WAF_MANAGED_RULE_GROUPS[group].bodyRules.map((rule) => ({
                      name: rule,
                      action_to_use: { count: {} },
                    })),
                  }
                : {}),
            },
          },
          visibilityConfig: visibility(group),
        }),
      ),
    ];
    this.resource = new Wafv2WebAcl(this, 'Resource', {
      provider,
      name,
      description: 'Rate limit per client IP and AWS managed rule groups in front of an inference ALB',
      scope: 'REGIONAL',
      defaultAction: { allow: {} },
      rule: rules,
      visibilityConfig: visibility('web-acl'),
      tags: props.tags,
    });
    this.webAclArn = this.resource.arn;
    new Wafv2WebAclAssociation(this, 'Association', {
      provider,
      resourceArn: props.loadBalancerArn,
      webAclArn: this.resource.arn,
    });
    protectLiterals(this);
  }
}
