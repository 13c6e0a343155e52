import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, TerraformStack } from '../../lib/util/cdktf';
import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { SecurityGroup } from '@cdktf/provider-aws/lib/security-group';
import { readServiceIntent, regionOfHostname, ServiceIntentSchema } from '../../lib/intent/service-intent';
import { checkStackJson, checkSynthOutput } from '../../lib/policy/engine';
import { AWS_POLICY_PACK, rulesOf } from '../../lib/policy/packs';
import { formatPolicyReport } from '../../lib/policy/report';
import { referencedAddresses } from '../../lib/policy/stack-view';
import type { PolicyRule } from '../../lib/policy/types';
import { errorOf } from '../support/synth';
import { CONTEXT, tf } from './support/fixtures';

const openSsh = {
  aws_security_group: {
    ssh: { ingress: [{ protocol: 'tcp', from_port: 22, to_port: 22, cidr_blocks: ['0.0.0.0/0'] }] },
  },
};
/** An ALB with access logs and a web ACL (GI-AWS-013/014 pass), and the settings a test gives it. */
const loggedProtectedAlb = (settings: Record<string, unknown>) => ({
  aws_lb: { alb: { access_logs: { bucket: 'logs', enabled: true }, ...settings } },
  aws_wafv2_web_acl_association: { waf: { resource_arn: '${aws_lb.alb.arn}', web_acl_arn: 'arn:aws:wafv2:x' } },
});
const noDropAlb = loggedProtectedAlb({ internal: false });

describe('service intent (//.global_inference)', () => {
  test('reads the block as GlobalInferenceService writes it: nulls for absent values, extra keys kept', () => {
    const reading = readServiceIntent({
      '//': {
        global_inference: {
          service: 'chat',
          domain: 'inference.example.com',
          regions: {
            'ap-northeast-1': { hostname: 'ap-northeast-1.inference.example.com', jurisdiction: null },
            'eu-west-1': { jurisdiction: 'eu' },
          },
          residency: {},
          cloudflarePlan: null,
          routingMode: 'latency',
          sloFailoverSeconds: 180,
        },
      },
    });
    expect(reading.status).toBe('present');
    if (reading.status !== 'present') return;
    expect(reading.intent.regions['ap-northeast-1'].jurisdiction).toBeUndefined();
    expect(reading.intent.cloudflarePlan).toBeUndefined();
    expect(reading.intent.routingMode).toBe('latency');
  });

  test(
    'absent and malformed blocks are told apart; a malformed one is an error naming the problem (it disables the ' +
      'residency rules)',
    () => {
      expect(readServiceIntent({ resource: {} })).toEqual({ status: 'absent' });
      const json = { '//': { global_inference: { service: 'chat', regions: {} } }, resource: {} };
      expect(readServiceIntent(json)).toEqual({ status: 'invalid', problems: [expect.stringContaining('domain')] });
      const report = checkStackJson(json as never);
      expect(report.stacks[0].context).toBe('invalid');
      expect(report.stacks[0].findings).toEqual([
        expect.objectContaining({
          ruleId: 'GI-POLICY-002',
          severity: 'error',
          message: expect.stringContaining('domain'),
        }),
      ]);
    },
  );

  test('maps hostnames to regions: a declared hostname first, else <region>.<domain>', () => {
    const context = ServiceIntentSchema.parse({
      ...CONTEXT,
      regions: { ...CONTEXT.regions, 'us-west-2': { hostname: 'oregon.edge.example.net' } },
    });
    expect(regionOfHostname(context, 'EU-WEST-1.inference.example.com.')).toBe('eu-west-1');
    expect(regionOfHostname(context, 'oregon.edge.example.net')).toBe('us-west-2');
    expect(regionOfHostname(context, 'sa-east-1.inference.example.com')).toBeUndefined();
    expect(regionOfHostname(context, 'eu-west-1.example.com')).toBeUndefined();
  });
});

describe('engine', () => {
  test('severity overrides lower, raise or turn off a rule', () => {
    const json = tf({ ...openSsh, ...noDropAlb });
    const ids = (overrides: Record<string, 'error' | 'warning' | 'info' | 'off'>) =>
      checkStackJson(json, { severityOverrides: overrides }).stacks[0].findings.map((f) => `${f.ruleId}:${f.severity}`);
    expect(ids({})).toEqual(['GI-AWS-004:error', 'GI-AWS-007:error']);
    expect(ids({ 'GI-AWS-004': 'warning' })).toEqual(['GI-AWS-007:error', 'GI-AWS-004:warning']);
    expect(ids({ 'GI-AWS-007': 'off' })).toEqual(['GI-AWS-004:error']);
  });

  test('a rule that throws is reported as an error on the resource, and the other rules still run', () => {
    const broken: PolicyRule = {
      id: 'GI-AWS-999',
      title: 'broken',
      rationale: 'exercises the engine',
      severity: 'warning',
      resourceTypes: ['aws_lb'],
      check: () => {
        throw new Error('boom');
      },
    };
    const findings = checkStackJson(tf(noDropAlb), { packs: [AWS_POLICY_PACK, { name: 'custom', rules: [broken] }] })
      .stacks[0].findings;
    expect(findings.map((f) => [f.ruleId, f.severity, f.message])).toEqual([
      ['GI-AWS-004', 'error', expect.any(String)],
      ['GI-AWS-999', 'error', 'the rule failed on this resource: boom'],
    ]);
  });

  test('two different rules with one id are refused', () => {
    const twin: PolicyRule = { ...AWS_POLICY_PACK.rules[0], check: () => [] };
    expect(errorOf(() => rulesOf([AWS_POLICY_PACK, { name: 'twin', rules: [twin] }]))).toContain(
      'rule ids must be unique',
    );
  });

  test('finds references inside interpolations, functions and lists, but not literal text', () => {
    expect(
      referencedAddresses([
        '${aws_lb.a-b_1.arn}',
        '${tolist(aws_acm_certificate.c.domain_validation_options).0.resource_record_name}',
        'aws_lb.not_a_ref',
        { x: '${data.aws_ami.x.id}' },
      ]),
    ).toEqual(['aws_lb.a-b_1', 'aws_acm_certificate.c', 'data.aws_ami.x']);
  });
});

describe('checkSynthOutput and formatPolicyReport', () => {
  const outdir = mkdtempSync(join(tmpdir(), 'gi-policy-report-'));
  const app = new App({ outdir });
  const stack = new TerraformStack(app, 'report-test');
  new AwsProvider(stack, 'aws', { region: 'us-east-1' });
  new SecurityGroup(stack, 'Ssh', {
    ingress: [{ protocol: 'tcp', fromPort: 22, toPort: 22, cidrBlocks: ['0.0.0.0/0'] }],
  });
  app.synth();

  test('reads every stack of a cdktf.out directory and renders what is wrong, where, and the fix', () => {
    const report = checkSynthOutput(outdir);
    expect(report).toMatchObject({ ok: false, errors: 1, warnings: 0, suppressed: 0 });
    const text = formatPolicyReport(report, { cwd: outdir });
    expect(text.split('\n')).toEqual([
      'Policy check FAILED: 1 error, 0 warnings, 0 suppressed (18 rules on 1 stack)',
      '',
      'report-test stacks/report-test/cdk.tf.json: 1 resource checked, service intent absent',
      '  ERROR    GI-AWS-007  aws_security_group.Ssh',
      '           at report-test/Ssh',
      '           its inline ingress allows tcp 22 from 0.0.0.0/0: only 80 and 443 of an internet-facing ALB ' +
        'may be open to the world',
      '           fix: allow the source that needs it (a security group, or the CIDRs in albIngressCidrs) ' +
        'instead of the whole internet; instances take traffic from the ALB security group only',
    ]);
  });

  test('a clean report says so', () => {
    const text = formatPolicyReport(
      checkStackJson(tf(loggedProtectedAlb({ drop_invalid_header_fields: true })), { stackName: 'clean' }),
    );
    expect(text).toBe(
      'Policy check passed: 0 errors, 0 warnings, 0 suppressed (18 rules on 1 stack)\n\nclean: 2 resources ' +
        'checked, service intent absent\n  no findings',
    );
  });

  test('info findings can be hidden', () => {
    const json = tf({ cloudflare_load_balancer_monitor: { m: { account_id: 'a', interval: 5 } } });
    expect(formatPolicyReport(checkStackJson(json))).toContain('INFO     GI-CF-001  (stack)');
    expect(formatPolicyReport(checkStackJson(json), { showInfo: false })).toContain('no findings');
  });
});
