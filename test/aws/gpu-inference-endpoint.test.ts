import { TerraformStack, TerraformVariable, Testing, Token } from '../../lib/util/cdktf';
import { AutoscalingGroup } from '@cdktf/provider-aws/lib/autoscaling-group';
import { AutoscalingPolicy } from '@cdktf/provider-aws/lib/autoscaling-policy';
import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { Lb } from '@cdktf/provider-aws/lib/lb';
import { LbListener } from '@cdktf/provider-aws/lib/lb-listener';
import { LbTargetGroup } from '@cdktf/provider-aws/lib/lb-target-group';
import {
  GpuInferenceEndpoint,
  listenerRulePriorities,
  type GpuInferenceEndpointProps,
} from '../../lib/aws/gpu-inference-endpoint';
import { errorOf, newStack, onlyResource, resourceNamed, resourcesOf, synthJson } from '../support/synth';
import { minimalSpec } from '../support/specs';
import { parseSpec } from '../../lib/spec/load';

const CERT = 'arn:aws:acm:us-east-1:123456789012:certificate/11111111-2222-3333-4444-555555555555';

function endpointProps(overrides: Partial<GpuInferenceEndpointProps> = {}): GpuInferenceEndpointProps {
  return {
    region: 'us-east-1',
    serviceName: 'chat',
    models: [{ name: 'llama', id: 'meta-llama/Llama-3.1-8B-Instruct', version: '2026-11-01', weightsGiB: 16 }],
    instanceType: 'g6e.xlarge',
    capacity: { min: 2, max: 8 },
    certificateArn: CERT,
    ...overrides,
  };
}

function synthEndpoint(overrides: Partial<GpuInferenceEndpointProps> = {}) {
  const { stack } = newStack();
  new AwsProvider(stack, 'aws', { region: 'us-east-1' });
  const endpoint = new GpuInferenceEndpoint(stack, 'Endpoint', endpointProps(overrides));
  const synthesized = Testing.synth(stack);
  return { stack, endpoint, synthesized, json: JSON.parse(synthesized) as ReturnType<typeof synthJson> };
}

describe('GpuInferenceEndpoint defaults', () => {
  const { synthesized, json, endpoint } = synthEndpoint();

  test('the launch template resolves the GPU AMI through SSM, requires IMDSv2 and encrypts a gp3 root volume', () => {
    expect(onlyResource(json, 'aws_launch_template')).toMatchObject({
      image_id:
        'resolve:ssm:/aws/service/deeplearning/ami/x86_64/base-oss-nvidia-driver-gpu-amazon-linux-2023/latest/ami-id',
      instance_type: 'g6e.xlarge',
      metadata_options: { http_endpoint: 'enabled', http_tokens: 'required', http_put_response_hop_limit: 2 },
      monitoring: { enabled: true },
      block_device_mappings: [
        { device_name: '/dev/xvda', ebs: { encrypted: 'true', volume_type: 'gp3', volume_size: 150 } },
      ],
      lifecycle: { create_before_destroy: true },
    });
  });

  test('user data starts vLLM for the declared model on the declared port, with no secrets', () => {
    const lt = resourcesOf(json, 'aws_launch_template')[0][1];
    const script = Buffer.from(String(lt.user_data), 'base64').toString('utf8');
    expect(script).toContain('vllm/vllm-openai:v0.11.0');
    expect(script).toContain('--model meta-llama/Llama-3.1-8B-Instruct');
    expect(script).toContain('--served-model-name meta-llama/Llama-3.1-8B-Instruct llama');
    expect(script).toContain('-p 8000:8000');
    expect(script).not.toMatch(/HF_TOKEN=hf_|AKIA|secret_key|password/i);
  });

  test('the instance role can use SSM and nothing else', () => {
    const role = resourcesOf(json, 'aws_iam_role')[0][1];
    expect(JSON.parse(String(role.assume_role_policy))).toEqual({
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' }],
    });
    expect(resourcesOf(json, 'aws_iam_role_policy_attachment').map(([, a]) => a.policy_arn)).toEqual([
      'arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore',
    ]);
    expect(resourcesOf(json, 'aws_iam_role_policy')).toEqual([
      // the only inline policy is the VPC flow-log role's
      [expect.stringContaining('FlowLogRolePolicy'), expect.anything()],
    ]);
  });

  test('instances are reachable only from the ALB security group, on the serving port', () => {
    const ingress = resourcesOf(json, 'aws_vpc_security_group_ingress_rule');
    const toInstances = ingress.filter(([, r]) => String(r.security_group_id).includes('InstanceSecurityGroup'));
    expect(toInstances).toHaveLength(1);
    expect(toInstances[0][1]).toMatchObject({ from_port: 8000, to_port: 8000, ip_protocol: 'tcp' });
    expect(String(toInstances[0][1].referenced_security_group_id)).toContain('AlbSecurityGroup');
    expect(toInstances[0][1].cidr_ipv4).toBeUndefined();
    const albIngress = ingress.filter(([, r]) => String(r.security_group_id).includes('AlbSecurityGroup'));
    expect(albIngress.map(([, r]) => `${r.from_port} ${r.cidr_ipv4 ?? r.cidr_ipv6}`).sort()).toEqual([
      '443 0.0.0.0/0',
      '443 ::/0',
      '80 0.0.0.0/0',
      '80 ::/0',
    ]);
  });

  test(
    'the autoscaling group uses ELB health with a model-load grace ' + 'period, rolling refresh and private subnets',
    () => {
      expect(onlyResource(json, 'aws_autoscaling_group')).toMatchObject({
        min_size: 2,
        max_size: 8,
        desired_capacity: 2,
        health_check_type: 'ELB',
        health_check_grace_period: 900,
        capacity_rebalance: true,
        instance_refresh: {
          strategy: 'Rolling',
          preferences: { min_healthy_percentage: 100, max_healthy_percentage: 150, auto_rollback: true },
        },
        lifecycle: { create_before_destroy: true },
      });
      const asg = resourcesOf(json, 'aws_autoscaling_group')[0][1];
      expect(asg.vpc_zone_identifier).toEqual([
        expect.stringContaining('Private-use1-az1'),
        expect.stringContaining('Private-use1-az2'),
        expect.stringContaining('Private-use1-az4'),
      ]);
      expect(asg.warm_pool).toBeUndefined();
      expect((asg.lifecycle as Record<string, unknown>).ignore_changes).toBeUndefined();
    },
  );

  test(
    'the target group uses name_prefix, create-before-destroy, ' + 'least outstanding requests and a streaming drain',
    () => {
      expect(onlyResource(json, 'aws_lb_target_group')).toMatchObject({
        name_prefix: 'llama-',
        port: 8000,
        load_balancing_algorithm_type: 'least_outstanding_requests',
        slow_start: 0,
        deregistration_delay: '300',
        health_check: { path: '/health', matcher: '200', port: 'traffic-port' },
        lifecycle: { create_before_destroy: true },
      });
    },
  );

  test('the ALB drops invalid headers, keeps idle connections for streaming and is deletion-protected', () => {
    expect(synthesized).toHaveResourceWithProperties(Lb, {
      name: 'chat-inference',
      internal: false,
      drop_invalid_header_fields: true,
      idle_timeout: 600,
      enable_deletion_protection: true,
    });
  });

  test('HTTPS uses a TLS 1.3 policy and the given certificate; HTTP only redirects', () => {
    expect(synthesized).toHaveResourceWithProperties(LbListener, {
      port: 443,
      protocol: 'HTTPS',
      ssl_policy: 'ELBSecurityPolicy-TLS13-1-2-2021-06',
      certificate_arn: CERT,
    });
    expect(resourcesOf(json, 'aws_lb_listener').map(([, l]) => l)).toContainEqual({
      load_balancer_arn: expect.any(String),
      port: 80,
      protocol: 'HTTP',
      default_action: [{ type: 'redirect', redirect: { protocol: 'HTTPS', port: '443', status_code: 'HTTP_301' } }],
    });
  });

  test('scaling tracks ALB requests per target of this target group', () => {
    const policy = resourcesOf(json, 'aws_autoscaling_policy')[0][1] as {
      target_tracking_configuration: { target_value: number; predefined_metric_specification: Record<string, string> };
    };
    expect(policy.target_tracking_configuration.target_value).toBe(60);
    expect(policy.target_tracking_configuration.predefined_metric_specification.predefined_metric_type).toBe(
      'ALBRequestCountPerTarget',
    );
    expect(policy.target_tracking_configuration.predefined_metric_specification.resource_label).toMatch(
      /^\$\{aws_lb\.[^}]+\.arn_suffix\}\/\$\{aws_lb_target_group\.[^}]+\.arn_suffix\}$/,
    );
  });

  test('exposes typed attributes that reference the ALB, target group and ASG', () => {
    expect(Token.isUnresolved(endpoint.albDnsName)).toBe(true);
    const { stack } = newStack('refs');
    new AwsProvider(stack, 'aws', { region: 'us-east-1' });
    const e = new GpuInferenceEndpoint(stack, 'E', endpointProps());
    const out = JSON.parse(
      Testing.synthScope((scope) => {
        new (require('../../lib/util/cdktf').TerraformOutput)(scope, 'o', {
          value: { dns: e.albDnsName, zone: e.albZoneId, asg: e.autoScalingGroupName, tg: e.targetGroupArnSuffix },
        });
      }),
    ) as Record<string, unknown>;
    expect(JSON.stringify(out)).toMatch(/aws_lb\.[^.]+\.dns_name/);
    expect(endpoint.models).toEqual([{ name: 'llama', id: 'meta-llama/Llama-3.1-8B-Instruct', version: '2026-11-01' }]);
    expect(endpoint.minCapacity).toBe(2);
    expect(endpoint.healthCheckPath).toBe('/health');
  });

  test('creates a minimal VPC with a locked default security group and flow logs', () => {
    expect(resourcesOf(json, 'aws_subnet')).toHaveLength(6);
    expect(resourcesOf(json, 'aws_nat_gateway')).toHaveLength(1);
    expect(resourcesOf(json, 'aws_default_security_group')[0][1]).toMatchObject({ ingress: [], egress: [] });
    expect(resourcesOf(json, 'aws_flow_log')[0][1]).toMatchObject({
      traffic_type: 'REJECT',
      log_destination_type: 'cloud-watch-logs',
    });
  });
});

describe('GpuInferenceEndpoint options', () => {
  test('an existing network is used as given: no VPC is created', () => {
    const { json } = synthEndpoint({
      network: {
        vpcId: 'vpc-0abc1234',
        privateSubnetIds: ['subnet-0000000a', 'subnet-0000000b'],
        publicSubnetIds: ['subnet-0000000c', 'subnet-0000000d'],
      },
    });
    expect(resourcesOf(json, 'aws_vpc')).toHaveLength(0);
    expect(resourcesOf(json, 'aws_autoscaling_group')[0][1].vpc_zone_identifier).toEqual([
      'subnet-0000000a',
      'subnet-0000000b',
    ]);
    expect(resourcesOf(json, 'aws_lb')[0][1].subnets).toEqual(['subnet-0000000c', 'subnet-0000000d']);
  });

  test('warm pool, access logs, custom metric and operator-owned desired capacity', () => {
    const { json } = synthEndpoint({
      settings: {
        warmPool: { minSize: 1 },
        accessLogsBucket: 'alb-logs-{region}',
        deletionProtection: false,
        scaling: {
          ignoreDesiredCapacityChanges: true,
          customMetric: {
            namespace: 'vLLM',
            metricName: 'num_requests_waiting',
            targetValue: 4,
            dimensions: { Service: 'chat' },
          },
        },
      },
    });
    const asg = resourcesOf(json, 'aws_autoscaling_group')[0][1];
    expect(asg.warm_pool).toEqual({
      min_size: 1,
      pool_state: 'Stopped',
      instance_reuse_policy: { reuse_on_scale_in: true },
    });
    expect(asg.lifecycle).toEqual({ create_before_destroy: true, ignore_changes: ['desired_capacity'] });
    expect(resourcesOf(json, 'aws_lb')[0][1]).toMatchObject({
      enable_deletion_protection: false,
      access_logs: { bucket: 'alb-logs-us-east-1', prefix: 'chat/us-east-1', enabled: true },
    });
    const policy = resourcesOf(json, 'aws_autoscaling_policy')[0][1] as {
      target_tracking_configuration: Record<string, unknown>;
    };
    expect(policy.target_tracking_configuration).toEqual({
      target_value: 4,
      customized_metric_specification: {
        namespace: 'vLLM',
        metric_name: 'num_requests_waiting',
        statistic: 'Average',
        metric_dimension: [{ name: 'Service', value: 'chat' }],
      },
    });
    // Publishing the metric is allowed, in its namespace only.
    const inline = resourcesOf(json, 'aws_iam_role_policy').find(([name]) => name.includes('InstancePolicy'))![1];
    expect(JSON.parse(String(inline.policy)).Statement).toEqual([
      {
        Sid: 'PublishScalingMetric',
        Effect: 'Allow',
        Action: 'cloudwatch:PutMetricData',
        Resource: '*',
        Condition: { StringEquals: { 'cloudwatch:namespace': 'vLLM' } },
      },
    ]);
  });

  test('weights from S3 and a Hugging Face token give read access to exactly those', () => {
    const secret = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:hf-AbCdEf';
    const { json } = synthEndpoint({
      models: [
        {
          name: 'llama',
          id: 'meta-llama/Llama-3.1-8B-Instruct',
          version: '1',
          weightsS3Uri: 's3://models-bucket/llama/',
        },
        { name: 'gemma', id: 'google/gemma-3-12b-it', version: '1', huggingFaceTokenSecretArn: secret, port: 8001 },
      ],
    });
    const policies = resourcesOf(json, 'aws_iam_role_policy')
      .filter(([name]) => name.includes('InstancePolicy'))
      .map(([, p]) => JSON.parse(String(p.policy)).Statement);
    expect(policies).toContainEqual([
      {
        Sid: 'ReadModelWeights',
        Effect: 'Allow',
        Action: 's3:GetObject',
        Resource: 'arn:aws:s3:::models-bucket/llama/*',
      },
      {
        Sid: 'ListModelWeights',
        Effect: 'Allow',
        Action: 's3:ListBucket',
        Resource: 'arn:aws:s3:::models-bucket',
        Condition: { StringLike: { 's3:prefix': ['llama/*'] } },
      },
    ]);
    expect(policies).toContainEqual([
      { Sid: 'ReadHuggingFaceToken', Effect: 'Allow', Action: 'secretsmanager:GetSecretValue', Resource: secret },
    ]);
    const scripts = resourcesOf(json, 'aws_launch_template').map(([, lt]) =>
      Buffer.from(String(lt.user_data), 'base64').toString('utf8'),
    );
    expect(
      scripts.some((s) =>
        s.includes('aws s3 sync --only-show-errors --region "$REGION" s3://models-bucket/llama/ /opt/models/llama'),
      ),
    ).toBe(true);
    expect(scripts.some((s) => s.includes(`--secret-id ${secret}`) && !s.includes('hf_'))).toBe(true);
  });

  test('a second model gets its own fleet, chosen by the X-Inference-Model header', () => {
    const { json } = synthEndpoint({
      models: [
        { name: 'llama', id: 'meta-llama/Llama-3.1-8B-Instruct', version: '1' },
        { name: 'embed', id: 'BAAI/bge-m3', version: '1', port: 8001 },
      ],
    });
    expect(resourcesOf(json, 'aws_autoscaling_group')).toHaveLength(2);
    const rule = resourcesOf(json, 'aws_lb_listener_rule')[0][1] as {
      condition: { http_header: Record<string, unknown> }[];
      priority: number;
    };
    expect(rule.condition).toEqual([
      { http_header: { http_header_name: 'X-Inference-Model', values: ['embed', 'BAAI/bge-m3'] } },
    ]);
    expect(rule.priority).toBe(listenerRulePriorities(['embed']).get('embed'));
    const ports = resourcesOf(json, 'aws_vpc_security_group_ingress_rule')
      .filter(([, r]) => String(r.security_group_id).includes('InstanceSecurityGroup'))
      .map(([, r]) => r.from_port)
      .sort();
    expect(ports).toEqual([8000, 8001]);
  });

  test('listener-rule priorities depend on names, not positions: adding a model leaves the others alone', () => {
    const before = listenerRulePriorities(['embed', 'rerank']);
    const after = listenerRulePriorities(['vision', 'rerank', 'embed']);
    expect(after.get('embed')).toBe(before.get('embed'));
    expect(after.get('rerank')).toBe(before.get('rerank'));
    expect(new Set(after.values()).size).toBe(3);
  });

  test('works in one stack spanning regions through an aliased provider per region', () => {
    const app = Testing.app();
    const stack = new TerraformStack(app, 'global');
    const east = new AwsProvider(stack, 'east', { region: 'us-east-1', alias: 'us-east-1' });
    const west = new AwsProvider(stack, 'eu', { region: 'eu-west-1', alias: 'eu-west-1' });
    new GpuInferenceEndpoint(stack, 'Us', endpointProps({ provider: east }));
    new GpuInferenceEndpoint(
      stack,
      'Eu',
      endpointProps({ region: 'eu-west-1', provider: west, certificateArn: CERT.replace('us-east-1', 'eu-west-1') }),
    );
    const json = synthJson(stack);
    const providers = new Set<unknown>();
    for (const byName of Object.values(json.resource ?? {}))
      for (const config of Object.values(byName)) providers.add(config.provider);
    expect([...providers].sort()).toEqual(['aws.eu-west-1', 'aws.us-east-1']);
    expect(resourceNamed(json, 'aws_subnet', 'Eu_Network_Private-euw1-az1').availability_zone_id).toBe('euw1-az1');
  });

  test('capacity may come from a Terraform variable (tokens are not validated at synth)', () => {
    const { stack } = newStack();
    new AwsProvider(stack, 'aws', { region: 'us-east-1' });
    const max = new TerraformVariable(stack, 'max', { type: 'number' });
    new GpuInferenceEndpoint(stack, 'E', endpointProps({ capacity: { min: 1, max: max.numberValue } }));
    expect(Testing.synth(stack)).toHaveResourceWithProperties(AutoscalingGroup, { max_size: '${var.max}' });
  });

  test('round-robin with slow start is allowed; scaling policy names stay stable', () => {
    const { synthesized } = synthEndpoint({
      settings: { loadBalancingAlgorithm: 'round_robin', slowStartSeconds: 120 },
    });
    expect(synthesized).toHaveResourceWithProperties(LbTargetGroup, {
      load_balancing_algorithm_type: 'round_robin',
      slow_start: 120,
    });
    expect(synthesized).toHaveResourceWithProperties(AutoscalingPolicy, { name: 'chat-llama-requests-per-target' });
  });
});

describe('GpuInferenceEndpoint origin lock (behind Cloudflare)', () => {
  function lockedEndpoint(headerValue?: string) {
    const { stack } = newStack();
    new AwsProvider(stack, 'aws', { region: 'us-east-1' });
    const secret = new TerraformVariable(stack, 'origin_secret', { type: 'string', sensitive: true });
    new GpuInferenceEndpoint(
      stack,
      'Endpoint',
      endpointProps({
        models: [
          { name: 'llama', id: 'meta-llama/Llama-3.1-8B-Instruct', version: '1' },
          { name: 'embed', id: 'BAAI/bge-m3', version: '1', port: 8001 },
        ],
        originLock: {
          headerName: 'X-Origin-Auth',
          headerValue: headerValue ?? secret.stringValue,
          allowedCidrs: ['173.245.48.0/20', '2400:cb00::/32'],
          source: 'Cloudflare 2026-11-01',
        },
      }),
    );
    return synthJson(stack);
  }

  test('the ALB accepts HTTPS from the front door ranges only, and nothing on port 80', () => {
    const albIngress = resourcesOf(lockedEndpoint(), 'aws_vpc_security_group_ingress_rule').filter(([, r]) =>
      String(r.security_group_id).includes('AlbSecurityGroup'),
    );
    expect(albIngress.map(([, r]) => `${r.from_port} ${r.cidr_ipv4 ?? r.cidr_ipv6}`).sort()).toEqual([
      '443 173.245.48.0/20',
      '443 2400:cb00::/32',
    ]);
  });

  test('without the secret header the listener answers 403; with it, requests reach the model fleets', () => {
    const json = lockedEndpoint();
    const https = resourcesOf(json, 'aws_lb_listener').find(([, l]) => l.port === 443)![1] as {
      default_action: { type: string; fixed_response: { status_code: string } }[];
    };
    expect(https.default_action[0]).toMatchObject({ type: 'fixed-response', fixed_response: { status_code: '403' } });
    const rules = resourcesOf(json, 'aws_lb_listener_rule').map(
      ([, r]) =>
        r as { priority: number; condition: { http_header: { http_header_name: string; values: string[] } }[] },
    );
    const secretCondition = { http_header: { http_header_name: 'X-Origin-Auth', values: ['${var.origin_secret}'] } };
    expect(rules.find((r) => r.priority === 50000)!.condition).toEqual([secretCondition]);
    // The model rule requires the model header AND the secret.
    expect(rules.find((r) => r.priority !== 50000)!.condition).toEqual([
      { http_header: { http_header_name: 'X-Inference-Model', values: ['embed', 'BAAI/bge-m3'] } },
      secretCondition,
    ]);
  });

  test('fails when the secret is a literal', () => {
    expect(errorOf(() => lockedEndpoint('hunter2'))).toContain(
      'originLock.headerValue: must reference a sensitive Terraform variable',
    );
  });
});

describe('GpuInferenceEndpoint validation', () => {
  const fails = (overrides: Partial<GpuInferenceEndpointProps>) => errorOf(() => synthEndpoint(overrides));

  test('fails when capacity is inverted, naming the construct and the values (before any fleet is built)', () => {
    const message = fails({ capacity: { min: 5, max: 2 } });
    expect(message).toContain("GpuInferenceEndpoint 'test/Endpoint'");
    expect(message).toContain('capacity.min: must be ≤ capacity.max (2), got: 5');
  });

  test(
    'fails when the region is unknown or the certificate is not ' + 'an ACM ARN, listing the regions (not a file)',
    () => {
      const message = fails({ region: 'mars-1', certificateArn: 'my-cert' });
      expect(message).toContain('region: must be an AWS region code the library knows: us-east-1, us-east-2');
      expect(message).toContain(
        'certificateArn: must be an ACM certificate ARN such as arn:aws:acm:us-east-1:123456789012:certificate/',
      );
      expect(message).toContain('got: "my-cert"');
      expect(message).not.toMatch(/lib\/|\.ts\b/);
    },
  );

  test('refuses what the spec refuses, with the same messages: a non-GPU instance type', () => {
    const message = fails({ instanceType: 'm5.large' });
    expect(message).toContain('instanceType: must be an NVIDIA GPU instance type');
    expect(message).toContain('got: "m5.large"');
    const spec = errorOf(() =>
      parseSpec(
        minimalSpec({ regions: [{ region: 'us-east-1', instanceType: 'm5.large', capacity: { min: 1, max: 2 } }] }),
      ),
    );
    const line = (text: string) =>
      text
        .split('\n')
        .find((l) => l.includes('instanceType'))!
        .replace(/^.*instanceType: /, '');
    expect(line(message)).toBe(line(spec));
  });

  test('reports every problem at once: region, name, type, capacity, certificate region, CIDRs, zones, tags', () => {
    const message = fails({
      region: 'us-east-1',
      serviceName: 'Not_A_Slug',
      instanceType: 'm5.large',
      capacity: { min: 3, max: 1 },
      certificateArn: 'arn:aws:acm:eu-west-1:123456789012:certificate/0f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b',
      settings: { albIngressCidrs: ['10.0.0.1/8'] },
      vpc: { availabilityZoneIds: ['euw1-az1', 'use1-az1'], flowLogRetentionDays: 31 },
      tags: { 'aws:owner': 'x' },
    });
    for (const expected of [
      'serviceName: must be a service name',
      'instanceType: must be an NVIDIA GPU instance type',
      'capacity.min: must be ≤ capacity.max (1), got: 3',
      'certificateArn: must be a certificate in us-east-1',
      'settings.albIngressCidrs[0]: must be an IPv4 or IPv6 CIDR block written as its network address',
      'vpc.availabilityZoneIds[0]: must be a zone of us-east-1 (its zone ids start with use1-',
      'vpc.flowLogRetentionDays: must be one of the retention periods CloudWatch Logs accepts',
      'tags["aws:owner"]',
    ]) {
      expect(message).toContain(expected);
    }
    expect(message).toMatch(/is invalid \((\d+) problems\)/);
    expect(Number(/\((\d+) problems\)/.exec(message)![1])).toBeGreaterThanOrEqual(8);
  });

  test('skips references where a reference is legitimate (certificate, capacity, subnets)', () => {
    const { stack } = newStack();
    const cert = new TerraformVariable(stack, 'cert', { type: 'string' });
    const max = new TerraformVariable(stack, 'max', { type: 'number' });
    const subnets = new TerraformVariable(stack, 'subnets', { type: 'list(string)' });
    expect(
      () =>
        new GpuInferenceEndpoint(
          stack,
          'E',
          endpointProps({
            certificateArn: cert.stringValue,
            capacity: { min: 1, max: max.numberValue },
            network: { vpcId: 'vpc-0abc1234', privateSubnetIds: subnets.listValue, publicSubnetIds: subnets.listValue },
          }),
        ),
    ).not.toThrow();
  });

  test('refuses an origin lock source AWS would refuse in rule descriptions', () => {
    const { stack } = newStack();
    const secret = new TerraformVariable(stack, 'secret', { type: 'string', sensitive: true });
    const message = errorOf(
      () =>
        new GpuInferenceEndpoint(
          stack,
          'E',
          endpointProps({
            originLock: {
              headerName: 'X-Origin',
              headerValue: secret.stringValue,
              allowedCidrs: ['173.245.48.0/20'],
              source: 'Cloudflare "2026" <ranges>',
            },
          }),
        ),
    );
    expect(message).toContain(
      'originLock.source: must use only the characters AWS accepts in security group rule descriptions',
    );
  });

  test('fails when settings break ALB limits, with the spec wording', () => {
    const message = fails({ settings: { idleTimeoutSeconds: 5000, tlsPolicy: 'ELBSecurityPolicy-2016-08' as never } });
    expect(message).toContain('idleTimeoutSeconds: must be ≤ 4000 (ALB limit), got: 5000');
    expect(message).toContain('tlsPolicy: Invalid option');
  });

  test('fails when models repeat or per-region versions name an unknown model', () => {
    const message = fails({
      models: [
        { name: 'llama', id: 'a/b', version: '1' },
        { name: 'llama', id: 'c/d', version: '1' },
      ],
      modelVersions: { mistral: '2' },
    });
    expect(message).toContain('models[1].name: duplicate model name');
    expect(message).toContain('modelVersions.mistral: must be keyed by a served model name (llama, llama)');
  });

  test('fails when a setting that shapes resources is a token', () => {
    const { stack } = newStack();
    const timeout = new TerraformVariable(stack, 'timeout', { type: 'number' });
    const message = errorOf(
      () =>
        new GpuInferenceEndpoint(stack, 'E', endpointProps({ settings: { idleTimeoutSeconds: timeout.numberValue } })),
    );
    expect(message).toContain(
      'idleTimeoutSeconds: must be a literal value known at synth time, not a token or reference',
    );
  });
});
