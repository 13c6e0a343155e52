import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Aspects, TerraformStack, Testing } from '../../lib/util/cdktf';
import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { LaunchTemplate } from '@cdktf/provider-aws/lib/launch-template';
import { PolicyAspect } from '../../lib/policy/aspect';
import { writeServiceIntent } from '../../lib/intent/service-intent';
import { checkSynthOutput } from '../../lib/policy/engine';
import { AWS_POLICY_PACK } from '../../lib/policy/packs';
import { endpointApp, synthError } from './support/endpoint';
import { regex } from '../support/regex';

const annotations = (node: { node: { metadata: { type: string; data: unknown }[] } }, type: string) =>
  node.node.metadata.filter((m) => m.type === type).map((m) => String(m.data));

describe('PolicyAspect on a GpuInferenceEndpoint', () => {
  test('the library defaults pass every AWS rule: synth succeeds and the report has no error or warning', () => {
    const { app, aspect, apply } = endpointApp({ packs: [AWS_POLICY_PACK] });
    apply();
    app.synth();
    const report = aspect.report();
    expect(report.stacks.map((s) => s.stack)).toEqual(['policy-test']);
    expect(report.stacks[0].resourcesChecked).toBeGreaterThan(30);
    expect(report.stacks[0].findings.filter((f) => f.severity !== 'info')).toEqual([]);
    expect(report.ok).toBe(true);
  });

  test(
    'fails synth when an escape hatch re-enables IMDSv1, naming the rule, the construct path, the problem and ' +
      'the fix',
    () => {
      const { app, endpoint, apply } = endpointApp();
      endpoint.primaryFleet.launchTemplate.addOverride('metadata_options.http_tokens', 'optional');
      apply();
      const message = synthError(app);
      expect(message).toContain('[policy-test/Endpoint/Fleet-llama/LaunchTemplate] GI-AWS-001 aws_launch_template.');
      expect(message).toContain('metadata_options.http_tokens is "optional", which allows IMDSv1');
      expect(message).toContain('Fix: set metadata_options { http_tokens = "required" }');
      expect(message).toContain("PolicySuppressions.add(<construct>, 'GI-AWS-001', '<why>')");
    },
  );

  test('lists every error finding at once', () => {
    const { app, endpoint, apply } = endpointApp();
    endpoint.primaryFleet.launchTemplate.addOverride('metadata_options.http_tokens', 'optional');
    endpoint.resource.addOverride('drop_invalid_header_fields', false);
    endpoint.httpsListener.addOverride('ssl_policy', 'ELBSecurityPolicy-2016-08');
    apply();
    const message = synthError(app);
    for (const id of ['GI-AWS-001', 'GI-AWS-004', 'GI-AWS-005']) expect(message).toContain(id);
  });

  test(
    'sees references resolved: a world-open rule on the instance ' + 'group (a token at construct time) is caught',
    () => {
      const { app, endpoint, apply } = endpointApp();
      endpoint.node.findAll().forEach((c) => {
        if (c.node.id === 'InstancesFromAlb-8000') {
          (c as unknown as { addOverride(path: string, value: unknown): void }).addOverride(
            'referenced_security_group_id',
            null,
          );
          (c as unknown as { addOverride(path: string, value: unknown): void }).addOverride('cidr_ipv4', '0.0.0.0/0');
        }
      });
      apply();
      expect(synthError(app)).toMatch(
        regex(
          /GI-AWS-007 aws_vpc_security_group_ingress_rule\.Endpoint_InstancesFromAlb-8000_\w+: ingress rule of /,
          /aws_security_group\.Endpoint_InstanceSecurityGroup_\w+ allows tcp 8000 from 0\.0\.0\.0\/0/,
        ),
      );
    },
  );

  test('evaluates a resource as another aspect (added before it) left it', () => {
    const { app, stack, endpoint, apply } = endpointApp();
    Aspects.of(stack).add({
      visit: (node) => {
        if (node === endpoint.resource) endpoint.resource.addOverride('drop_invalid_header_fields', false);
      },
    });
    apply();
    expect(synthError(app)).toContain('GI-AWS-004');
  });

  test('with failOnError: false, errors become warnings and synth succeeds; the report still counts them', () => {
    const { app, endpoint, aspect, apply } = endpointApp({ failOnError: false });
    endpoint.resource.addOverride('drop_invalid_header_fields', false);
    apply();
    app.synth();
    expect(aspect.report().errors).toBe(1);
    expect(annotations(endpoint.resource, '@cdktf/warn').join('\n')).toContain('GI-AWS-004');
  });

  test('finds exactly what checkSynthOutput finds in the written cdk.tf.json', () => {
    const { app, endpoint, aspect, apply, outdir } = endpointApp({ failOnError: false });
    endpoint.resource.addOverride('drop_invalid_header_fields', false);
    endpoint.primaryFleet.targetGroup.addOverride('health_check.path', null);
    apply();
    app.synth();
    const key = (f: { ruleId: string; resource?: { address: string }; message: string; severity: string }) =>
      `${f.ruleId} ${f.resource?.address} ${f.severity} ${f.message}`;
    const fromAspect = aspect
      .report()
      .stacks.flatMap((s) => s.findings)
      .map(key)
      .sort();
    const fromOutput = checkSynthOutput(outdir)
      .stacks.flatMap((s) => s.findings)
      .map(key)
      .sort();
    expect(fromAspect).toEqual(fromOutput);
    expect(fromAspect.filter((k) => !k.includes(' info '))).toHaveLength(2);
  });
});

describe('PolicyAspect.applyTo', () => {
  test('on an App, adds the aspect to every stack (cdktf never runs aspects added to the App itself)', () => {
    const ignored = endpointApp({ failOnError: false });
    ignored.endpoint.resource.addOverride('drop_invalid_header_fields', false);
    Aspects.of(ignored.app).add(ignored.aspect);
    ignored.app.synth();
    expect(ignored.aspect.report().stacks).toEqual([]);

    const applied = endpointApp();
    applied.endpoint.resource.addOverride('drop_invalid_header_fields', false);
    PolicyAspect.applyTo(applied.app);
    expect(synthError(applied.app)).toContain('GI-AWS-004');
  });

  test('on a construct inside a stack, checks only the resources under it', () => {
    const { app, endpoint } = endpointApp({ failOnError: false });
    endpoint.resource.addOverride('drop_invalid_header_fields', false);
    const aspect = PolicyAspect.applyTo(endpoint.primaryFleet);
    app.synth();
    expect(aspect.report().errors).toBe(0);
    expect(aspect.report().stacks[0].resourcesChecked).toBeLessThan(15);
  });

  test('refuses an App without stacks', () => {
    expect(() => PolicyAspect.applyTo(Testing.app())).toThrow(/there is no stack under it yet/);
  });
});

describe('PolicyAspect warnings and intent', () => {
  test('warnings annotate without failing synth', () => {
    const app = Testing.app();
    const stack = new TerraformStack(app, 's');
    new AwsProvider(stack, 'aws', { region: 'us-east-1' });
    const lt = new LaunchTemplate(stack, 'Lt', { imageId: 'ami-123', metadataOptions: { httpTokens: 'required' } });
    Aspects.of(stack).add(new PolicyAspect());
    Testing.synth(stack);
    expect(annotations(lt, '@cdktf/warn')).toEqual([
      expect.stringContaining('GI-AWS-002 aws_launch_template.Lt: has no block_device_mappings with ebs'),
    ]);
    expect(annotations(lt, '@cdktf/error')).toEqual([]);
  });

  test(
    'rules that need intent say once per stack that they were not ' + 'evaluated, then run once the intent is written',
    async () => {
      const { CloudflareProvider } = await import('@cdktf/provider-cloudflare/lib/provider');
      const { LoadBalancerMonitor } = await import('@cdktf/provider-cloudflare/lib/load-balancer-monitor');
      const build = (withContext: boolean) => {
        const app = Testing.app();
        const stack = new TerraformStack(app, 'cf');
        new CloudflareProvider(stack, 'cloudflare', {});
        new LoadBalancerMonitor(stack, 'Monitor', { accountId: 'acc', type: 'https', path: '/health', interval: 10 });
        new LoadBalancerMonitor(stack, 'Monitor2', { accountId: 'acc', type: 'https', path: '/health', interval: 60 });
        if (withContext)
          writeServiceIntent(stack, {
            service: 'chat',
            domain: 'inference.example.com',
            regions: { 'us-east-1': {} },
            cloudflarePlan: 'pro',
          });
        const aspect = new PolicyAspect({ failOnError: false });
        Aspects.of(stack).add(aspect);
        Testing.synth(stack);
        return { stack, aspect };
      };
      const without = build(false);
      expect(annotations(without.stack, '@cdktf/info')).toEqual([
        expect.stringContaining('GI-CF-001 not evaluated on 2 cloudflare_load_balancer_monitor resources'),
      ]);
      expect(without.aspect.report().errors).toBe(0);
      const withIntent = build(true);
      expect(withIntent.aspect.report().stacks[0].context).toBe('present');
      expect(withIntent.aspect.report().stacks[0].findings.map((f) => `${f.ruleId} ${f.resource?.address}`)).toEqual([
        'GI-CF-001 cloudflare_load_balancer_monitor.Monitor',
      ]);
    },
  );

  test('the intent written by writeServiceIntent is in the stack JSON where checkSynthOutput reads it', () => {
    const { app, stack, outdir } = endpointApp();
    writeServiceIntent(stack, {
      service: 'chat',
      domain: 'inference.example.com',
      regions: { 'us-east-1': { jurisdiction: 'us' } },
    });
    app.synth();
    const json = JSON.parse(readFileSync(join(outdir, 'stacks', 'policy-test', 'cdk.tf.json'), 'utf8'));
    expect(json['//'].global_inference).toEqual({
      version: 1,
      service: 'chat',
      domain: 'inference.example.com',
      regions: { 'us-east-1': { jurisdiction: 'us' } },
    });
    expect(checkSynthOutput(outdir).stacks[0].context).toBe('present');
  });

  test('writeServiceIntent refuses a malformed intent', () => {
    const { stack } = endpointApp();
    expect(() =>
      writeServiceIntent(stack, { service: 'chat', domain: 'x', regions: {}, cloudflarePlan: 'free' as never }),
    ).toThrow(/service intent for stack 'policy-test' is invalid: cloudflarePlan/);
  });
});
