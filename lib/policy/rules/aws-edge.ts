import type { PolicyRule } from '../types';
import { block, bool, isExpression, str } from '../stack-view';
import { isApplicationLb, LB_TYPES } from './aws-network';
/*
 * Abuse protection and an access trail for the load balancers in front of the GPU fleets: AI APIs are expensive to
 * serve and attract credential stuffing and scripted misuse, and an incident review needs the requests.
 */

/** GI-AWS-013: application load balancers write access logs. */
export const ALB_ACCESS_LOGS: PolicyRule = {
  id: 'GI-AWS-013',
  title: 'ALB access logs are on',
  rationale:
    'Without access logs there is no record of who sent which requests: abuse, a leaked key or a cost spike cannot ' +
    'be traced after the fact.',
  severity: 'error',
  resourceTypes: LB_TYPES,
  checkov: ['CKV_AWS_91'],
  cdkNag: ['AwsSolutions-ELB2'],
  note:
    'GpuInferenceEndpoint writes them to a bucket per region it creates (encrypted, public access blocked, ' +
    'expiring), or to endpoint.accessLogsBucket; endpoint.accessLogs: false in a spec turns them off and the ' +
    'service records the suppression with its reason.',
  check(resource) {
    if (!isApplicationLb(resource)) return [];
    const logs = block(resource.config.access_logs);
    const enabled = logs?.enabled;
    if (isExpression(resource.config.access_logs) || isExpression(enabled) || isExpression(logs?.bucket)) return [];
    if (logs && str(logs.bucket) && bool(enabled) === true) return [];
    return [
      {
        message: logs
          ? `access_logs is ${bool(enabled) === true ? 'without a bucket' : 'not enabled'}`
          : 'no access_logs block',
        fix:
          'set access_logs { bucket = <bucket in the same region>, enabled = true } (GpuInferenceEndpoint does by ' +
          'default; endpoint.accessLogs in a spec)',
      },
    ];
  },
};

/** GI-AWS-014: internet-facing application load balancers sit behind an AWS WAF web ACL. */
export const ALB_WEB_ACL: PolicyRule = {
  id: 'GI-AWS-014',
  title: 'Internet-facing ALBs have a WAF web ACL',
  rationale:
    'Inference requests cost GPU time: without a per-client rate limit and managed rules, one script can exhaust a ' +
    "region's capacity or spend its budget.",
  severity: 'error',
  resourceTypes: LB_TYPES,
  checkov: ['CKV2_AWS_28'],
  cdkNag: ['NIST.800.53.R5-ALBWAFEnabled'],
  note:
    'The ALB must be the resource_arn of an aws_wafv2_web_acl_association (or aws_wafregional_web_acl_association) ' +
    'in the same stack. Internal load balancers are not checked. endpoint.waf: false in a spec turns the web ACL ' +
    'off and the service records the suppression with its reason.',
  check(resource, stack) {
    if (!isApplicationLb(resource)) return [];
    const internal = resource.config.internal;
    if (bool(internal) === true || isExpression(internal)) return [];
    const associations = stack.referencing(
      resource,
      ['aws_wafv2_web_acl_association', 'aws_wafregional_web_acl_association'],
      'resource_arn',
    );
    if (associations.length > 0) return [];
    return [
      {
        message: 'no WAF web ACL is associated with this internet-facing load balancer',
        fix:
          "associate a regional aws_wafv2_web_acl (aws_wafv2_web_acl_association with resource_arn = this ALB's " +
          'arn); GpuInferenceEndpoint does by default (endpoint.waf in a spec)',
      },
    ];
  },
};
