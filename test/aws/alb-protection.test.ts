/*
 * Abuse protection and an access trail by default (issue 16 item 6): ALB access logs to a bucket the endpoint
 * creates, an AWS WAF web ACL on the ALB, both turned off only explicitly; a service records the spec's opt-outs
 * as suppressions with their reason.
 */
import { App, TerraformStack } from '../../lib/util/cdktf';
import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { AlbAccessLogsBucket } from '../../lib/aws/alb-access-logs-bucket';
import { AlbWebAcl } from '../../lib/aws/alb-web-acl';
import { GpuInferenceEndpoint, type GpuInferenceEndpointProps } from '../../lib/aws/gpu-inference-endpoint';
import { ELB_LOG_DELIVERY_ACCOUNTS, ELB_LOG_DELIVERY_PRINCIPAL } from '../../lib/facts/provider-facts';
import { checkSynthOutput } from '../../lib/policy/engine';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GlobalInferenceService } from '../../lib/service/global-inference-service';
import { errorOf, newStack, onlyResource, resourcesOf, synthJson } from '../support/synth';
import { minimalSpec } from '../support/specs';
import { specProblemsOf } from '../support/synth';
import { parseSpec } from '../../lib/spec/load';

const CERT = 'arn:aws:acm:us-east-1:123456789012:certificate/11111111-2222-3333-4444-555555555555';

function endpointJson(settings: GpuInferenceEndpointProps['settings'] = {}, region = 'us-east-1') {
  const { stack } = newStack();
  new AwsProvider(stack, 'aws', { region });
  new GpuInferenceEndpoint(stack, 'Endpoint', {
    region,
    serviceName: 'chat',
    models: [{ name: 'llama', id: 'meta-llama/Llama-3.1-8B-Instruct', version: '2026-11-01', weightsGiB: 16 }],
    instanceType: 'g6e.xlarge',
    capacity: { min: 1, max: 2 },
    certificateArn: CERT.replace('us-east-1', region),
    settings,
  });
  return synthJson(stack);
}

type Json = ReturnType<typeof synthJson>;
const policyOf = (json: Json) =>
  JSON.parse(onlyResource(json, 'aws_s3_bucket_policy').policy as string) as {
    Statement: { Sid: string; Effect: string; Principal: Record<string, string>; Action: string; Resource: unknown }[];
  };

describe('ALB access logs by default', () => {
  const json = endpointJson();
  const bucket = resourcesOf(json, 'aws_s3_bucket')[0];

  test('a bucket of the region: not public, owner-enforced, SSE-S3, expiring after 90 days, kept on destroy', () => {
    expect(bucket[1]).toMatchObject({ bucket_prefix: 'chat-alb-logs-', force_destroy: false });
    expect(onlyResource(json, 'aws_s3_bucket_public_access_block')).toMatchObject({
      block_public_acls: true,
      block_public_policy: true,
      ignore_public_acls: true,
      restrict_public_buckets: true,
    });
    expect(onlyResource(json, 'aws_s3_bucket_ownership_controls').rule).toEqual({
      object_ownership: 'BucketOwnerEnforced',
    });
    expect(onlyResource(json, 'aws_s3_bucket_server_side_encryption_configuration').rule).toEqual([
      { apply_server_side_encryption_by_default: { sse_algorithm: 'AES256' } },
    ]);
    expect(onlyResource(json, 'aws_s3_bucket_lifecycle_configuration').rule).toEqual([
      expect.objectContaining({ status: 'Enabled', expiration: [{ days: 90 }] }),
    ]);
  });

  test('only ELB log delivery of the region may write, under AWSLogs/; nothing without TLS', () => {
    const [deliver, tls] = policyOf(json).Statement;
    expect(deliver).toMatchObject({
      Effect: 'Allow',
      Principal: { AWS: `arn:aws:iam::${ELB_LOG_DELIVERY_ACCOUNTS['us-east-1']}:root` },
      Action: 's3:PutObject',
      Resource: `\${aws_s3_bucket.${bucket[0]}.arn}/AWSLogs/*`,
    });
    expect(tls).toMatchObject({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': false } } });
    // A region opened after August 2022 has no ELB account: its log-delivery service principal writes.
    const newer = policyOf(endpointJson({}, 'eu-south-2')).Statement[0];
    expect(ELB_LOG_DELIVERY_ACCOUNTS['eu-south-2']).toBeUndefined();
    expect(newer.Principal).toEqual({ Service: ELB_LOG_DELIVERY_PRINCIPAL });
  });

  test('the ALB logs to it, after its policy exists', () => {
    const [, lb] = resourcesOf(json, 'aws_lb')[0];
    expect(lb.access_logs).toEqual({
      bucket: `\${aws_s3_bucket.${bucket[0]}.bucket}`,
      prefix: 'chat/us-east-1',
      enabled: true,
    });
    expect(lb.depends_on).toEqual([`aws_s3_bucket_policy.${resourcesOf(json, 'aws_s3_bucket_policy')[0][0]}`]);
  });

  test('a bucket of your own replaces it; accessLogs: false turns logging off', () => {
    const own = endpointJson({ accessLogsBucket: 'my-logs-{region}' });
    expect(resourcesOf(own, 'aws_s3_bucket')).toEqual([]);
    expect(resourcesOf(own, 'aws_lb')[0][1].access_logs).toMatchObject({ bucket: 'my-logs-us-east-1' });
    const off = endpointJson({ accessLogs: false });
    expect(resourcesOf(off, 'aws_s3_bucket')).toEqual([]);
    expect(resourcesOf(off, 'aws_lb')[0][1].access_logs).toBeUndefined();
    expect(
      errorOf(() => parseSpec(minimalSpec({ endpoint: { accessLogs: false, accessLogsBucket: 'x-logs' } }))),
    ).toContain('endpoint.accessLogsBucket: names a bucket for access logs that accessLogs: false turns off');
  });
});

describe('a WAF web ACL on the ALB by default', () => {
  const json = endpointJson();
  const acl = onlyResource(json, 'aws_wafv2_web_acl') as { rule: Record<string, unknown>[] } & Record<string, unknown>;

  test('regional, allowing by default: a per-IP rate limit first, then the managed groups in order', () => {
    expect(acl).toMatchObject({ name: 'chat-us-east-1', scope: 'REGIONAL', default_action: { allow: {} } });
    expect(acl.rule.map((r) => [r.priority, r.name])).toEqual([
      [0, 'rate-limit-per-ip'],
      [1, 'AWSManagedRulesCommonRuleSet'],
      [2, 'AWSManagedRulesKnownBadInputsRuleSet'],
      [3, 'AWSManagedRulesAmazonIpReputationList'],
    ]);
    expect(acl.rule[0]).toMatchObject({
      action: { block: {} },
      statement: { rate_based_statement: { limit: 1000, aggregate_key_type: 'IP' } },
    });
    for (const rule of acl.rule)
      expect(rule.visibility_config).toMatchObject({
        cloudwatch_metrics_enabled: true,
        sampled_requests_enabled: true,
      });
  });

  test('the rules that judge the body (a prompt) only count; with bodyRules: block they block', () => {
    const overrides = (rules: Record<string, unknown>[]) =>
      rules.map((r) => {
        const statement = r.statement as {
          managed_rule_group_statement?: { rule_action_override?: { name: string }[] };
        };
        return (statement.managed_rule_group_statement?.rule_action_override ?? []).map((o) => o.name);
      });
    expect(overrides(acl.rule)).toEqual([
      [],
      [
        'SizeRestrictions_BODY',
        'EC2MetaDataSSRF_BODY',
        'GenericLFI_BODY',
        'GenericRFI_BODY',
        'CrossSiteScripting_BODY',
      ],
      ['JavaDeserializationRCE_BODY', 'Log4JRCE_BODY'],
      [],
    ]);
    const blocking = onlyResource(endpointJson({ waf: { bodyRules: 'block' } }), 'aws_wafv2_web_acl') as typeof acl;
    expect(overrides(blocking.rule).flat()).toEqual([]);
  });

  test('associated with the ALB; waf: false leaves it out', () => {
    const [lbName] = resourcesOf(json, 'aws_lb')[0];
    expect(onlyResource(json, 'aws_wafv2_web_acl_association').resource_arn).toBe(`\${aws_lb.${lbName}.arn}`);
    const off = endpointJson({ waf: false });
    expect(resourcesOf(off, 'aws_wafv2_web_acl')).toEqual([]);
    expect(resourcesOf(off, 'aws_wafv2_web_acl_association')).toEqual([]);
  });

  test('the spec refuses what WAF refuses: a limit under 10, an unknown or repeated rule group', () => {
    const problems = (waf: Record<string, unknown>) =>
      specProblemsOf(() => parseSpec(minimalSpec({ endpoint: { waf } })));
    expect(problems({ rateLimitPer5Minutes: 5, managedRuleGroups: ['AWSManagedRulesCommonRuleSet', 'Nope'] })).toEqual([
      expect.stringMatching(/^endpoint\.waf\.rateLimitPer5Minutes: must be ≥ 10 \(AWS WAF minimum\), got: 5/),
      expect.stringMatching(/^endpoint\.waf\.managedRuleGroups\[1\]: must be one of AWSManagedRulesCommonRuleSet, /),
    ]);
    expect(problems({ managedRuleGroups: ['AWSManagedRulesSQLiRuleSet', 'AWSManagedRulesSQLiRuleSet'] })).toEqual([
      expect.stringMatching(/^endpoint\.waf\.managedRuleGroups\[1\]: duplicate rule group \(also at index 0\)/),
    ]);
    // Not an object, not false: the union says what it takes.
    expect(problems('on' as unknown as Record<string, unknown>)).toEqual([expect.stringMatching(/^endpoint\.waf: /)]);
  });
});

describe('the constructs on their own', () => {
  test('refuse bad props with a path and the value', () => {
    const { stack } = newStack();
    expect(
      errorOf(
        () => new AlbAccessLogsBucket(stack, 'B', { region: 'us-east-9', serviceName: 'chat', retentionDays: 0 }),
      ),
    ).toMatch(/region: .*us-east-9[\s\S]*retentionDays: must be ≥ 1/);
    expect(
      errorOf(() => new AlbWebAcl(stack, 'W', { name: 'bad name', loadBalancerArn: 'arn:x', rateLimitPer5Minutes: 1 })),
    ).toMatch(/name: must be 1 to 128 letters[\s\S]*rateLimitPer5Minutes: must be ≥ 10/);
  });
});

describe('a spec that turns them off', () => {
  test('synthesizes, and the policy report shows both rules suppressed with the spec setting as the reason', () => {
    const outdir = mkdtempSync(join(tmpdir(), 'gi-opt-out-'));
    const app = new App({ outdir });
    const stack = new TerraformStack(app, 'chat-aws');
    new GlobalInferenceService(stack, 'Service', {
      spec: minimalSpec({ endpoint: { accessLogs: false, waf: false } }),
    });
    // The gated synth runs the policy pack: it passes, and the written output says what was turned off and why.
    app.synth();
    const report = checkSynthOutput(outdir);
    const suppressed = report.stacks[0].findings.filter((f) => f.suppressed);
    expect(suppressed.map((f) => [f.ruleId, f.suppressed?.reason])).toEqual(
      expect.arrayContaining([
        ['GI-AWS-013', 'endpoint.accessLogs: false in the spec'],
        ['GI-AWS-014', 'endpoint.waf: false in the spec'],
      ]),
    );
    expect(report.ok).toBe(true);
  });
});
