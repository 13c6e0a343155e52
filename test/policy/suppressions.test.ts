import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, TerraformStack } from '../../lib/util/cdktf';
import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { SecurityGroup } from '@cdktf/provider-aws/lib/security-group';
import { checkStackJson, checkSynthOutput } from '../../lib/policy/engine';
import { spawnSync } from 'node:child_process';
import { PolicySuppressions, RULES_DOC, SuppressionRefusedError } from '../../lib/policy/suppressions';
import { Refusal } from '../../lib/util/refusal';
import { detectOfflineTerraform, OfflineWorkspace } from '../../lib/terraform/offline-terraform';
import { readSynthOutput } from '../../lib/util/synth-output';
import { errorOf } from '../support/synth';
import { endpointApp } from './support/endpoint';
import { tf } from './support/fixtures';
import { regex } from '../support/regex';

type TerraformJsonLike = { resource: Record<string, Record<string, unknown>> };

const REASON = 'legacy AMI reads IMDSv1 at boot; removed with the AL2023 migration (OPS-1234)';

describe('PolicySuppressions.add', () => {
  test('a suppressed error does not fail synth, and stays in the report with its reason', () => {
    const { app, endpoint, aspect, apply } = endpointApp();
    const lt = endpoint.primaryFleet.launchTemplate;
    lt.addOverride('metadata_options.http_tokens', 'optional');
    PolicySuppressions.add(lt, 'GI-AWS-001', REASON);
    apply();
    app.synth();
    const report = aspect.report();
    expect(report.ok).toBe(true);
    expect(report.suppressed).toBe(1);
    expect(report.stacks[0].findings.find((f) => f.ruleId === 'GI-AWS-001')).toMatchObject({
      severity: 'error',
      suppressed: { reason: REASON },
    });
  });

  test('is written into cdk.tf.json, so the cdktf.out runner honours and reports it too', () => {
    const { app, endpoint, outdir } = endpointApp();
    const lt = endpoint.primaryFleet.launchTemplate;
    lt.addOverride('metadata_options.http_tokens', 'optional');
    PolicySuppressions.add(lt, 'GI-AWS-001', REASON);
    app.synth();
    const [stack] = readSynthOutput(outdir);
    const body = Object.values(stack.json.resource!.aws_launch_template)[0] as { '//': Record<string, unknown> };
    expect(body['//'].gi_suppressions).toEqual([{ id: 'GI-AWS-001', reason: REASON }]);
    expect(body['//'].metadata).toMatchObject({ path: 'policy-test/Endpoint/Fleet-llama/LaunchTemplate' });
    const report = checkSynthOutput(outdir);
    expect(report.ok).toBe(true);
    expect(report.stacks[0].findings.filter((f) => f.suppressed).map((f) => [f.ruleId, f.suppressed!.reason])).toEqual([
      ['GI-AWS-001', REASON],
    ]);
  });

  test(
    'on a higher-level construct, applies to every resource under ' + 'it; adding a rule again replaces the reason',
    () => {
      const { endpoint, stack } = endpointApp();
      PolicySuppressions.add(endpoint, 'GI-AWS-007', 'first reason');
      PolicySuppressions.add(endpoint, 'GI-AWS-008', 'target groups probed by a sidecar');
      PolicySuppressions.add(endpoint, 'GI-AWS-007', 'partner VPN range only (NET-42)');
      const json = stack.toTerraform() as {
        resource: Record<string, Record<string, { '//': { gi_suppressions?: unknown } }>>;
      };
      const bodies = Object.values(json.resource).flatMap((byName) => Object.values(byName));
      expect(bodies.length).toBeGreaterThan(30);
      for (const body of bodies) {
        expect(body['//'].gi_suppressions).toEqual([
          { id: 'GI-AWS-008', reason: 'target groups probed by a sidecar' },
          { id: 'GI-AWS-007', reason: 'partner VPN range only (NET-42)' },
        ]);
      }
    },
  );

  test('refuses an empty reason with a clear error', () => {
    const { endpoint } = endpointApp();
    expect(errorOf(() => PolicySuppressions.add(endpoint.resource, 'GI-AWS-004', '   '))).toBe(
      "PolicySuppressions.add('policy-test/Endpoint/Resource', 'GI-AWS-004'): a suppression needs a reason " +
        '(why the rule does not apply here, or why the risk is accepted); got an empty one',
    );
  });

  test('refuses a malformed rule id, and a scope with no resources', () => {
    const { endpoint, app } = endpointApp();
    expect(errorOf(() => PolicySuppressions.add(endpoint.resource, 'imdsv2', 'reason'))).toContain(
      'the rule id must look like GI-AWS-007',
    );
    const empty = new TerraformStack(app, 'empty');
    expect(errorOf(() => PolicySuppressions.add(empty, 'GI-AWS-001', 'reason'))).toContain(
      'there is no Terraform resource under this construct yet',
    );
  });

  test(
    'a mistyped rule id is a Refusal naming the id, what is allowed and the closest rule id, citing a shipped ' +
      'file',
    () => {
      // Red team: a plain Error with a stack trace, pointing at lib/policy/RULES.md, which the package did not ship.
      const { endpoint } = endpointApp();
      let thrown: unknown;
      try {
        PolicySuppressions.add(endpoint, 'gi-aws-7', 'accepted risk');
      } catch (error) {
        thrown = error;
      }
      expect(thrown).toBeInstanceOf(Refusal);
      expect(thrown).toBeInstanceOf(SuppressionRefusedError);
      const message = (thrown as Error).message;
      expect(message.split('\n')).toHaveLength(1);
      expect(message).toContain(
        `PolicySuppressions.add('policy-test/Endpoint', 'gi-aws-7'): the rule id must look like GI-AWS-007`,
      );
      expect(message).toContain("did you mean 'GI-AWS-007'?");
      expect(message).toContain('GI-AWS-001, GI-AWS-002');
      expect(message).toContain(`(${RULES_DOC})`);
      expect(message).not.toMatch(/(^|[^/])lib\/policy\/RULES\.md/); // only the installed package's path
      expect(errorOf(() => PolicySuppressions.add(endpoint, 'GI_CF_1', 'r'))).toContain("did you mean 'GI-CF-001'?");
      for (const bad of ['', 'imdsv2', 42 as unknown as string])
        expect(() => PolicySuppressions.add(endpoint, bad, 'r')).toThrow(SuppressionRefusedError);
      expect(() => PolicySuppressions.add(endpoint, 'GI-AWS-001', ' ')).toThrow(SuppressionRefusedError);
    },
  );

  test('uncaught in a program of your own, a mistyped rule id prints one line and exits 1, no stack trace', () => {
    const script = [
      "const { App, TerraformStack } = require('cdktf');",
      "const { PolicySuppressions } = require('./dist/lib/index.js');",
      "const { SecurityGroup } = require('@cdktf/provider-aws/lib/security-group');",
      "const stack = new TerraformStack(new App({ outdir: require('os').tmpdir() + '/gi-uncaught-' + " +
        "process.pid }), 's');",
      "PolicySuppressions.add(new SecurityGroup(stack, 'G', {}), 'gi-aws-7', 'accepted risk');",
    ].join('\n');
    const result = spawnSync(process.execPath, ['-e', script], { cwd: join(__dirname, '..', '..'), encoding: 'utf8' });
    expect(result.status).toBe(1);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toMatch(
      regex(
        /^PolicySuppressions\.add\('s\/G', 'gi-aws-7'\): the rule id must look like GI-AWS-007 .*did you mean /,
        /'GI-AWS-007'\?/,
      ),
    );
  });
});

describe('suppressions written in the JSON', () => {
  const openGroup = (suppressions: unknown) =>
    tf({
      aws_security_group: {
        sg: {
          '//': { gi_suppressions: suppressions },
          ingress: [{ protocol: 'tcp', from_port: 22, to_port: 22, cidr_blocks: ['0.0.0.0/0'] }],
        },
      },
    });

  test('a well-formed one silences the rule on that resource only', () => {
    const json = tf({
      aws_security_group: {
        sg: {
          '//': { gi_suppressions: [{ id: 'GI-AWS-007', reason: 'bastion, closed by NACL' }] },
          ingress: [{ protocol: 'tcp', from_port: 22, to_port: 22, cidr_blocks: ['0.0.0.0/0'] }],
        },
        other: { ingress: [{ protocol: 'tcp', from_port: 22, to_port: 22, cidr_blocks: ['0.0.0.0/0'] }] },
      },
    });
    const report = checkStackJson(json);
    expect(report.errors).toBe(1);
    expect(report.suppressed).toBe(1);
    expect(
      report.stacks[0].findings.map((f) => `${f.resource?.address} ${f.suppressed ? 'suppressed' : f.severity}`),
    ).toEqual(['aws_security_group.other error', 'aws_security_group.sg suppressed']);
  });

  test('one without a reason is ignored and reported as an error', () => {
    const findings = checkStackJson(openGroup([{ id: 'GI-AWS-007', reason: '' }])).stacks[0].findings;
    expect(findings.map((f) => [f.ruleId, f.severity, Boolean(f.suppressed)])).toEqual([
      ['GI-AWS-007', 'error', false],
      ['GI-POLICY-001', 'error', false],
    ]);
    expect(findings[1].message).toContain('suppresses GI-AWS-007 without a reason');
  });

  test('an unknown rule id suppressed on a construct is reported once per suppression, not once per resource', () => {
    // Red team: one suppression of GI-AWS-999 on a service printed the same warning and fix for each of 177 resources.
    const { stack, endpoint } = endpointApp();
    PolicySuppressions.add(endpoint, 'GI-AWS-999', 'accepted risk');
    PolicySuppressions.add(endpoint, 'ACME-001', 'our own pack');
    const json = stack.toTerraform() as TerraformJsonLike;
    const resources = Object.values(json.resource).flatMap((byName) => Object.keys(byName));
    expect(resources.length).toBeGreaterThan(30);
    const unknown = checkStackJson(json as never).stacks[0].findings.filter((f) => f.ruleId === 'GI-POLICY-001');
    expect(unknown.map((f) => f.message.replace(/ \(.*?, and \d+ more\)/, ' (...)')).sort()).toEqual([
      `suppresses ACME-001 on ${resources.length} resources (...), which is not a known rule id (a typo?)`,
      `suppresses GI-AWS-999 on ${resources.length} resources (...), which is not a known rule id (a typo? did ` +
        'you mean GI-AWS-009?)',
    ]);
    for (const f of unknown) {
      expect(f.severity).toBe('warning');
      expect(f.fix).toContain(`GI-AWS-001, GI-AWS-002`);
      expect(f.fix).toContain(RULES_DOC);
    }
  });

  test('one naming an unknown rule is reported as a warning (a typo would otherwise hide nothing silently)', () => {
    const findings = checkStackJson(openGroup([{ id: 'GI-AWS-070', reason: 'typo' }])).stacks[0].findings;
    expect(findings.find((f) => f.ruleId === 'GI-POLICY-001')).toMatchObject({
      severity: 'warning',
      message: expect.stringContaining('GI-AWS-070, which is not a known rule id'),
    });
  });

  test('a block that is not a list is reported', () => {
    const findings = checkStackJson(openGroup({ id: 'GI-AWS-007' })).stacks[0].findings;
    expect(findings.find((f) => f.ruleId === 'GI-POLICY-001')?.message).toContain('must be a list of { id, reason }');
  });
});

// Terraform must accept the comment block: run the real `terraform validate` offline (skipped loudly without it).
const detected = detectOfflineTerraform();
const describeWithTerraform = 'missing' in detected ? describe.skip : describe;
if ('missing' in detected) {
  if (process.env.GI_REQUIRE_TERRAFORM === '1')
    throw new Error(`GI_REQUIRE_TERRAFORM=1 but real terraform cannot run: ${detected.missing}`);
  process.stderr.write(`\n*** SKIPPING terraform validate of policy suppressions: ${detected.missing} ***\n\n`);
}

describeWithTerraform('real terraform, offline', () => {
  test(
    'terraform validate accepts resources carrying "//": { "gi_suppressions": [...] } and a stack-level ' +
      'global_inference block',
    () => {
      const outdir = mkdtempSync(join(tmpdir(), 'gi-policy-tf-'));
      const app = new App({ outdir });
      const stack = new TerraformStack(app, 'suppressed');
      new AwsProvider(stack, 'aws', { region: 'us-east-1' });
      const group = new SecurityGroup(stack, 'Bastion', {
        namePrefix: 'bastion-',
        description: 'bastion',
        ingress: [{ protocol: 'tcp', fromPort: 22, toPort: 22, cidrBlocks: ['0.0.0.0/0'] }],
      });
      PolicySuppressions.add(group, 'GI-AWS-007', 'bastion, closed by NACL outside office hours');
      stack.addOverride('//.global_inference', {
        service: 'chat',
        domain: 'inference.example.com',
        regions: { 'us-east-1': { jurisdiction: 'us' } },
        residency: {},
      });
      app.synth();
      const [synthesized] = readSynthOutput(outdir);
      expect(readFileSync(synthesized.file, 'utf8')).toContain('"gi_suppressions"');
      const workspace = new OfflineWorkspace(
        detected as Exclude<typeof detected, { missing: string }>,
        synthesized.dir,
      );
      try {
        const result = workspace.validate();
        expect(result.diagnostics).toEqual([]);
        expect(result.ok).toBe(true);
      } finally {
        workspace.dispose();
      }
      expect(checkSynthOutput(outdir)).toMatchObject({ ok: true, suppressed: 1 });
    },
  );
});
