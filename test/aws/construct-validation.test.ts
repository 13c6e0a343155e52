/**
 * Every AWS construct usable on its own validates its props like the spec (issue 18 item 5): the spec's rules and
 * messages, all problems at once, each with the prop path and the value, references skipped where legitimate. And
 * its defaults are the spec's (item 7): one definition, read by both.
 */
import { TerraformStack, TerraformVariable, Testing } from '../../lib/util/cdktf';
import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { GlobalRoute53Routing } from '../../lib/aws/global-route53-routing';
import { GpuFleet, type GpuFleetProps } from '../../lib/aws/gpu-fleet';
import { InferenceAliasRecord, RecordTarget } from '../../lib/aws/inference-alias-record';
import { InferenceEndpointRef } from '../../lib/aws/inference-endpoint-ref';
import { InferenceHostedZone } from '../../lib/aws/inference-hosted-zone';
import { MinimalVpc } from '../../lib/aws/minimal-vpc';
import { PrivateHostedZone } from '../../lib/aws/private-hosted-zone';
import { RegionHealthCheck } from '../../lib/aws/region-health-check';
import { RegionalCertificate } from '../../lib/aws/regional-certificate';
import { DEFAULT_VPC_CIDR } from '../../lib/spec/fields';
import { parseSpec } from '../../lib/spec/load';
import { DnsSchema, NetworkSchema } from '../../lib/spec/schema';
import { minimalSpec } from '../support/specs';
import { errorOf, onlyResource, resourcesOf, synthJson } from '../support/synth';

function stack(): TerraformStack {
  const s = new TerraformStack(Testing.app(), 'test');
  new AwsProvider(s, 'aws', { region: 'us-east-1' });
  return s;
}
const zone = InferenceHostedZone.fromZoneId('Z0123456789ABCDEFGHIJ', 'inference.example.com');
const endpoint = (region = 'us-east-1') =>
  InferenceEndpointRef.fromAttributes({
    region,
    albDnsName: 'alb.example.com',
    albZoneId: 'ZALB',
    healthCheckPath: '/health',
    models: [],
    albArnSuffix: 'app/a/1',
    targetGroupArnSuffix: 'targetgroup/t/2',
    minCapacity: 1,
  });

const fleetProps = (overrides: Partial<GpuFleetProps> = {}): GpuFleetProps => ({
  region: 'us-east-1',
  serviceName: 'chat',
  model: { id: 'meta-llama/Llama-3.1-8B-Instruct', version: 'v1' },
  instanceType: 'g6e.xlarge',
  capacity: { min: 1, max: 2 },
  vpcId: 'vpc-0123456789abcdef0',
  subnetIds: ['subnet-0123456789abcdef0', 'subnet-0123456789abcdef1'],
  instanceSecurityGroupId: 'sg-0123456789abcdef0',
  loadBalancerArnSuffix: 'app/alb/123',
  ...overrides,
});

describe('constructs validate like the spec', () => {
  test('GpuFleet: instance type, capacity, model, volume and subnets in one report', () => {
    const message = errorOf(
      () =>
        new GpuFleet(
          stack(),
          'Fleet',
          fleetProps({
            instanceType: 'm5.large',
            capacity: { min: 4, max: 2 },
            model: { id: 'a/b', version: 'has space', weightsGiB: 9000 },
            subnetIds: ['subnet-0123456789abcdef0'],
          }),
        ),
    );
    expect(message).toContain("GpuFleet 'test/Fleet' is invalid");
    for (const expected of [
      'instanceType: must be an NVIDIA GPU instance type',
      'capacity.min: must be ≤ capacity.max (2), got: 4',
      'model.version: must be a version label',
      'subnetIds: must list at least 2 subnets',
    ]) {
      expect(message).toContain(expected);
    }
    const volume = errorOf(
      () => new GpuFleet(stack(), 'Fleet', fleetProps({ model: { id: 'a/b', version: 'v1', weightsGiB: 9000 } })),
    );
    expect(volume).toContain('model.weightsGiB: gives a default root volume of 18100 GiB');
  });

  test('GpuFleet: capacities and subnets may be references', () => {
    const s = stack();
    const max = new TerraformVariable(s, 'max', { type: 'number' });
    const subnets = new TerraformVariable(s, 'subnets', { type: 'list(string)' });
    expect(
      () =>
        new GpuFleet(
          s,
          'Fleet',
          fleetProps({ capacity: { min: 3, max: max.numberValue }, subnetIds: subnets.listValue }),
        ),
    ).not.toThrow();
  });

  test('MinimalVpc: zones of its region, CIDR, retention, all at once', () => {
    const message = errorOf(
      () =>
        new MinimalVpc(stack(), 'Vpc', {
          region: 'us-east-1',
          name: 'chat',
          cidr: '10.64.1.0/16',
          availabilityZoneIds: ['euw1-az1', 'use1-az2'],
          flowLogRetentionDays: 31,
        }),
    );
    expect(message).toContain('cidr: must be an IPv4 CIDR block from /16 to /22 written as its network address');
    expect(message).toContain('availabilityZoneIds[0]: must be a zone of us-east-1 (its zone ids start with use1-');
    expect(message).toContain('flowLogRetentionDays: must be one of the retention periods CloudWatch Logs accepts');
    expect(errorOf(() => new MinimalVpc(stack(), 'Vpc', { region: 'mars-1', name: 'x' }))).toContain(
      'region: must be an AWS region code the library knows: us-east-1',
    );
  });

  test('InferenceHostedZone: zone name, retention and comment', () => {
    const message = errorOf(
      () =>
        new InferenceHostedZone(stack(), 'Zone', {
          zoneName: 'Not A Domain',
          queryLogRetentionDays: 31,
          comment: 'a\u0000b',
        }),
    );
    expect(message).toContain('zoneName: must be a lower-case DNS name');
    expect(message).toContain('queryLogRetentionDays: must be one of the retention periods CloudWatch Logs accepts');
    expect(message).toContain('comment: must be plain text');
  });

  test('RegionalCertificate: ACM refuses a first name longer than 64 characters', () => {
    const message = errorOf(
      () => new RegionalCertificate(stack(), 'Cert', { domainName: `${'d'.repeat(60)}.example.com`, zone }),
    );
    expect(message).toContain('domainName: must be at most 64 characters (ACM refuses a longer first domain name)');
  });

  test('RegionHealthCheck and GlobalRoute53Routing: names, probe settings and routing in one report', () => {
    const check = errorOf(
      () =>
        new RegionHealthCheck(stack(), 'H', {
          endpoint: endpoint(),
          fqdn: 'not a name',
          namePrefix: 'Bad_Prefix',
          health: { failureThreshold: 11 },
        }),
    );
    for (const expected of [
      'health.failureThreshold: must be ≤ 10 (Route53 limit)',
      'fqdn: must be a lower-case DNS name',
      'namePrefix: must be a name prefix',
    ])
      expect(check).toContain(expected);
    const routing = errorOf(
      () =>
        new GlobalRoute53Routing(stack(), 'R', {
          zone,
          domain: `${'x'.repeat(250)}.com`,
          regions: [{ endpoint: endpoint(), hostname: 'us-east-1.example.com' }],
          routing: { mode: 'failover' },
          health: { path: 'no-slash' },
        }),
    );
    for (const expected of [
      'routing.failover: is required for mode failover',
      'domain: must be',
      'health.path: must be a URL path',
    ])
      expect(routing).toContain(expected);
  });

  test('PrivateHostedZone and InferenceAliasRecord: names, regions, TTLs', () => {
    const privateZone = errorOf(
      () =>
        new PrivateHostedZone(stack(), 'P', {
          zoneName: 'UPPER.example.com',
          vpcs: [{ vpcId: 'vpc-1', region: 'moon-1' }],
        }),
    );
    for (const expected of [
      'zoneName: must be a lower-case DNS name',
      'vpcs[0].region: must be an AWS region code',
      'vpcs[0].vpcId: must be a VPC id',
    ])
      expect(privateZone).toContain(expected);
    const record = errorOf(
      () =>
        new InferenceAliasRecord(stack(), 'A', {
          zone,
          name: 'Bad Name',
          target: RecordTarget.hostname('x.example.com'),
          ttlSeconds: -1,
        }),
    );
    expect(record).toContain('name: must be a lower-case DNS name');
    expect(record).toContain('ttlSeconds: must be a whole number of seconds');
  });
});

test('alias targets must be zone ids and DNS names; token-looking text that is no token is refused', () => {
  const record = errorOf(
    () =>
      new InferenceAliasRecord(stack(), 'A', {
        zone,
        name: 'x.inference.example.com',
        target: RecordTarget.loadBalancer({ albDnsName: 'alb ${x}', albZoneId: 'zone' }),
      }),
  );
  expect(record).toContain('target.aliasZoneId: must be a Route53 hosted zone id');
  expect(record).toContain('target.aliasName: must be a DNS name');
  const fleet = errorOf(
    () =>
      new GpuFleet(
        stack(),
        'Fleet',
        fleetProps({ subnetIds: ['${TfToken[TOKEN.999999]}', 'subnet-0123456789abcdef1'] }),
      ),
  );
  expect(fleet).toContain('subnetIds[0]: holds text that looks like a CDKTF token but is none');
});

test('a __proto__ key in a props map is refused with its path, not silently dropped', () => {
  const message = errorOf(
    () =>
      new GpuFleet(
        stack(),
        'Fleet',
        fleetProps({ tags: JSON.parse('{"__proto__": "x", "team": "ml"}') as Record<string, string> }),
      ),
  );
  expect(message).toContain('tags.__proto__: is a key a JavaScript object cannot hold as data');
});

describe('defaults in one place', () => {
  test("InferenceHostedZone's defaults are the spec's dns defaults", () => {
    const dns = DnsSchema.parse({});
    const spec = parseSpec(minimalSpec());
    expect(spec.dns).toEqual(dns);
    const s = stack();
    new InferenceHostedZone(s, 'Zone', { zoneName: 'inference.example.com' });
    const json = synthJson(s);
    expect(onlyResource(json, 'aws_cloudwatch_log_group').retention_in_days).toBe(dns.queryLogRetentionDays);
    expect(resourcesOf(json, 'aws_route53_hosted_zone_dnssec')).toHaveLength(dns.dnssec ? 1 : 0);
    expect(resourcesOf(json, 'aws_route53_query_log')).toHaveLength(dns.queryLogging ? 1 : 0);
  });

  test("MinimalVpc's defaults are the spec's network defaults", () => {
    const s = stack();
    new MinimalVpc(s, 'Vpc', { region: 'us-east-1', name: 'chat' });
    const json = synthJson(s);
    expect(onlyResource(json, 'aws_vpc').cidr_block).toBe(DEFAULT_VPC_CIDR);
    expect(resourcesOf(json, 'aws_nat_gateway')).toHaveLength(NetworkSchema.parse({}).natGateways === 'one' ? 1 : 3);
    expect(String(NetworkSchema.shape.cidr.description)).toContain(DEFAULT_VPC_CIDR);
  });

  test('nested spec sections get their defaults from the section schemas (no repeated literals)', () => {
    const spec = parseSpec(minimalSpec());
    expect(spec.health.capacity).toEqual({ minHealthyTargets: 'asg-min', evaluationMinutes: 2 });
    expect(spec.endpoint.scaling).toEqual({ requestsPerTargetPerMinute: 60, ignoreDesiredCapacityChanges: false });
    expect(spec.slo).toEqual({ failoverSeconds: 180, survivesRegionFailure: true });
    expect(spec.regions[0].network).toEqual(NetworkSchema.parse({}));
  });
});
