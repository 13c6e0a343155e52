/**
 * Red-team holes B and C for constructs used on their own: the spec's subnet-layout and instance-type rules, from
 * the same functions, with prop paths.
 */
import { TerraformStack, TerraformVariable, Testing } from '../../lib/util/cdktf';
import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { GpuFleet } from '../../lib/aws/gpu-fleet';
import { GpuInferenceEndpoint } from '../../lib/aws/gpu-inference-endpoint';
import { MinimalVpc } from '../../lib/aws/minimal-vpc';
import { errorOf, resourcesOf, synthJson } from '../support/synth';
import { regex } from '../support/regex';

function stack(): TerraformStack {
  const s = new TerraformStack(Testing.app(), 'test');
  new AwsProvider(s, 'aws', { region: 'us-east-1' });
  return s;
}
const FIVE_ZONES = ['use1-az1', 'use1-az2', 'use1-az3', 'use1-az4', 'use1-az5'];
const CERT = 'arn:aws:acm:us-east-1:123456789012:certificate/11111111-2222-3333-4444-555555555555';
const fleet = {
  serviceName: 'chat',
  model: { id: 'meta-llama/Llama-3.1-8B-Instruct', version: 'v1' },
  capacity: { min: 1, max: 2 },
  vpcId: 'vpc-0123456789abcdef0',
  subnetIds: ['subnet-0123456789abcdef0', 'subnet-0123456789abcdef1'],
  instanceSecurityGroupId: 'sg-0123456789abcdef0',
  loadBalancerArnSuffix: 'app/alb/123',
  region: 'us-east-1',
};

test('MinimalVpc refuses a block whose ALB subnets would be /28, naming the smallest that works', () => {
  expect(
    errorOf(
      () =>
        new MinimalVpc(stack(), 'Vpc', {
          region: 'us-east-1',
          name: 'chat',
          cidr: '10.64.0.0/22',
          availabilityZoneIds: FIVE_ZONES,
        }),
    ),
  ).toContain(
    'cidr: gives public (ALB) subnets of /28 over 5 zones; ELB needs at least a /27 with 8 free addresses in ' +
      'each zone of a load balancer: use a /21 or larger block for 5 zones, such as 10.64.0.0/21, got: ' +
      '"10.64.0.0/22"',
  );
  const s = stack();
  new MinimalVpc(s, 'Vpc', {
    region: 'us-east-1',
    name: 'chat',
    cidr: '10.64.0.0/21',
    availabilityZoneIds: FIVE_ZONES,
  });
  const prefixes = resourcesOf(synthJson(s), 'aws_subnet').map(([, r]) => Number(String(r.cidr_block).split('/')[1]));
  expect(prefixes).toHaveLength(10);
  expect(prefixes).toAllSatisfy((p: number) => p <= 27);
});

test('GpuInferenceEndpoint sizes the VPC it creates for its fleets; a capacity reference skips that check', () => {
  const props = (max: number | undefined, s: TerraformStack) => ({
    region: 'us-east-1',
    serviceName: 'chat',
    models: [{ id: 'meta-llama/Llama-3.1-8B-Instruct', version: 'v1' }],
    instanceType: 'g6e.xlarge',
    capacity: { min: 1, max: max ?? new TerraformVariable(s, 'max', { type: 'number' }).numberValue },
    certificateArn: CERT,
    vpc: { cidr: '10.64.0.0/22' },
  });
  const s1 = stack();
  expect(errorOf(() => new GpuInferenceEndpoint(s1, 'E', props(126, s1)))).toMatch(
    regex(
      /vpc\.cidr: gives private subnets of \/24 over 3 zones \(251 usable addresses each.*each must hold up to /,
      /252 GPU instances/,
    ),
  );
  const s2 = stack();
  expect(() => new GpuInferenceEndpoint(s2, 'E', props(125, s2))).not.toThrow();
  const s3 = stack();
  expect(() => new GpuInferenceEndpoint(s3, 'E', props(undefined, s3))).not.toThrow();
});

test('GpuFleet and GpuInferenceEndpoint refuse sizes EC2 does not offer, with the closest type', () => {
  expect(errorOf(() => new GpuFleet(stack(), 'F', { ...fleet, instanceType: 'g6e.banana' }))).toContain(
    'instanceType: must be an instance type EC2 offers: g6e comes in xlarge, 2xlarge, 4xlarge, 8xlarge, ' +
      '12xlarge, 16xlarge, 24xlarge, 48xlarge (did you mean \'g6e.xlarge\'?), got: "g6e.banana"',
  );
  expect(
    errorOf(
      () =>
        new GpuInferenceEndpoint(stack(), 'E', {
          region: 'us-east-1',
          serviceName: 'chat',
          models: [fleet.model],
          instanceType: 'p5.huge',
          capacity: { min: 1, max: 2 },
          certificateArn: CERT,
        }),
    ),
  ).toContain('instanceType: must be an instance type EC2 offers: p5 comes in 4xlarge, 48xlarge');
  expect(() => new GpuFleet(stack(), 'F', { ...fleet, instanceType: 'p5.4xlarge' })).not.toThrow();
});
