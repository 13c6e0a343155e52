/**
 * The fuzzer's independent apply-time model (scripts/fuzz/aws-limits.ts) knows the limits of red-team holes B-D:
 * ELB subnets of at least /27, subnets holding the instances their groups may launch, instance types in the EC2
 * catalogue, and IAM's case-insensitive tag keys. Stacks are written by hand, so the model is tested on its own.
 */
import { awsLimitViolations } from '../../scripts/fuzz/aws-limits';
import type { TerraformJson } from '../../lib/util/synth-output';

const stack = (
  resource: Record<string, Record<string, Record<string, unknown>>>,
  defaultTags: Record<string, string> = {},
): TerraformJson =>
  ({
    provider: { aws: [{ region: 'us-east-1', default_tags: [{ tags: defaultTags }] }] },
    resource,
  }) as unknown as TerraformJson;

const subnets = (prefix: number) => ({
  a: { cidr_block: `10.64.0.0/${prefix}`, availability_zone_id: 'use1-az1' },
  b: { cidr_block: `10.64.1.0/${prefix}`, availability_zone_id: 'use1-az2' },
});

test('an ALB in /28 subnets breaks the ELB limit; /27 is fine', () => {
  const lb = (prefix: number) =>
    stack({
      aws_subnet: subnets(prefix),
      aws_lb: { alb: { name: 'chat-inference', subnets: ['${aws_subnet.a.id}', '${aws_subnet.b.id}'] } },
    });
  expect(awsLimitViolations(lb(28))).toEqual([
    'aws_lb.alb: subnet aws_subnet.a is a /28 (ELB needs at least /27)',
    'aws_lb.alb: subnet aws_subnet.b is a /28 (ELB needs at least /27)',
  ]);
  expect(awsLimitViolations(lb(27))).toEqual([]);
});

test("autoscaling groups whose maximum exceeds a subnet's usable addresses break the limit", () => {
  const asg = (max: number) =>
    stack({
      aws_subnet: subnets(26),
      aws_autoscaling_group: {
        one: { max_size: max, vpc_zone_identifier: ['${aws_subnet.a.id}', '${aws_subnet.b.id}'] },
        two: { max_size: max, vpc_zone_identifier: ['${aws_subnet.a.id}'] },
      },
    });
  expect(awsLimitViolations(asg(29))).toEqual([]);
  expect(awsLimitViolations(asg(30))).toEqual([
    'aws_subnet.a: a /26 has 59 usable addresses, its groups may launch 60 instances',
  ]);
});

test('a launch template with an instance size EC2 does not offer breaks the limit', () => {
  const lt = (type: string) =>
    stack({
      aws_launch_template: { lt: { instance_type: type, block_device_mappings: [{ ebs: { volume_size: 150 } }] } },
    });
  expect(awsLimitViolations(lt('g6e.banana'))).toEqual([
    'aws_launch_template.lt: instance type g6e.banana is not in the EC2 catalogue',
  ]);
  expect(awsLimitViolations(lt('p5.huge'))).toHaveLength(1);
  expect(awsLimitViolations(lt('g6e.xlarge'))).toEqual([]);
  expect(awsLimitViolations(lt('p5.4xlarge'))).toEqual([]);
});

test('an IAM role whose tags differ only in case from the default tags breaks the limit', () => {
  const role = (defaults: Record<string, string>) => stack({ aws_iam_role: { r: { name_prefix: 'x-' } } }, defaults);
  expect(awsLimitViolations(role({ 'managed-by': 'cdktf-global-inference', 'Managed-By': 'platform-team' }))).toEqual([
    'aws_iam_role.r: tag keys that differ only in case (IAM refuses them)',
  ]);
  expect(awsLimitViolations(role({ 'managed-by': 'cdktf-global-inference', team: 'ml' }))).toEqual([]);
});
