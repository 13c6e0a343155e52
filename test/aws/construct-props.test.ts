/**
 * Red-team hole F (issue 18 item 5): constructs used on their own validate their props like the spec. A missing or
 * mistyped required prop is a SpecValidationError naming its path (never a TypeError), every problem in one report;
 * zone ids, DNS names and record types follow the spec's rules (lib/spec/fields), and references are accepted where a
 * value may be one.
 */
import { specProblemsOf, untypedProps } from '../support/synth';
import { TerraformStack, TerraformVariable, Testing } from '../../lib/util/cdktf';
import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { GlobalRoute53Routing } from '../../lib/aws/global-route53-routing';
import { GpuFleet } from '../../lib/aws/gpu-fleet';
import { GpuInferenceEndpoint } from '../../lib/aws/gpu-inference-endpoint';
import { InferenceAliasRecord, RecordTarget } from '../../lib/aws/inference-alias-record';
import { InferenceEndpointRef } from '../../lib/aws/inference-endpoint-ref';
import { InferenceHostedZone } from '../../lib/aws/inference-hosted-zone';
import { MinimalVpc } from '../../lib/aws/minimal-vpc';
import { PrivateHostedZone } from '../../lib/aws/private-hosted-zone';
import { RegionHealthCheck } from '../../lib/aws/region-health-check';
import { RegionalCertificate } from '../../lib/aws/regional-certificate';
import { resourcesOf, synthJson } from '../support/synth';

function stack(): TerraformStack {
  const s = new TerraformStack(Testing.app(), 'test');
  new AwsProvider(s, 'aws', { region: 'us-east-1' });
  return s;
}
/** The problems a construct refuses its props with; fails the test on any other error (a TypeError) or none. */
const zone = InferenceHostedZone.fromZoneId('Z0123456789ABCDEFGHIJ', 'inference.example.com');
const alb = RecordTarget.loadBalancer({
  albDnsName: 'my-alb-1.us-east-1.elb.amazonaws.com',
  albZoneId: 'Z35SXDOTRQ7X7K',
});
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

describe('missing required props are reported by path, all at once, never as a TypeError', () => {
  test.each([
    [
      'RegionHealthCheck',
      (s: TerraformStack) => new RegionHealthCheck(s, 'H', untypedProps({})),
      ['fqdn: is required', 'endpoint: is required'],
    ],
    [
      'InferenceAliasRecord',
      (s: TerraformStack) => new InferenceAliasRecord(s, 'A', untypedProps({})),
      ['zone: is required', 'name: is required', 'target: is required'],
    ],
    [
      'GlobalRoute53Routing',
      (s: TerraformStack) => new GlobalRoute53Routing(s, 'R', untypedProps({})),
      ['regions: is required', 'zone: is required', 'domain: is required'],
    ],
    [
      'PrivateHostedZone',
      (s: TerraformStack) => new PrivateHostedZone(s, 'P', untypedProps({})),
      ['zoneName: is required', 'vpcs: is required'],
    ],
    [
      'GpuInferenceEndpoint (no props)',
      (s: TerraformStack) => new GpuInferenceEndpoint(s, 'E', untypedProps(undefined)),
      [
        '(props): are required',
        'region: is required',
        'serviceName: is required',
        'models: is required',
        'instanceType: is required',
        'capacity: is required',
        'certificateArn: is required',
      ],
    ],
    [
      'GpuFleet (no props)',
      (s: TerraformStack) => new GpuFleet(s, 'F', untypedProps(undefined)),
      [
        'region: is required',
        'model: is required',
        'instanceType: is required',
        'capacity: is required',
        'vpcId: is required',
        'subnetIds: is required',
        'instanceSecurityGroupId: is required',
        'loadBalancerArnSuffix: is required',
      ],
    ],
    [
      'MinimalVpc (no props)',
      (s: TerraformStack) => new MinimalVpc(s, 'V', untypedProps(undefined)),
      ['region: is required', 'name: is required'],
    ],
    [
      'InferenceHostedZone (no props)',
      (s: TerraformStack) => new InferenceHostedZone(s, 'Z', untypedProps(undefined)),
      ['zoneName: is required'],
    ],
    [
      'RegionalCertificate (no props)',
      (s: TerraformStack) => new RegionalCertificate(s, 'C', untypedProps(undefined)),
      ['zone: is required', 'domainName: is required'],
    ],
  ])('%s', (_name, make, expected) => {
    const found = specProblemsOf(() => make(stack()));
    for (const start of expected)
      expect(found).toContainEqual(expect.stringMatching(new RegExp(`^${start.replace(/[()]/g, '\\$&')}`)));
  });

  test('wrong-typed required props get the same treatment', () => {
    expect(
      specProblemsOf(
        () =>
          new GlobalRoute53Routing(
            stack(),
            'R',
            untypedProps({ zone, domain: 'inference.example.com', regions: 'us-east-1' }),
          ),
      ),
    ).toEqual([expect.stringMatching(/^regions: must be a list of \{ endpoint, hostname \}, got: "us-east-1"/)]);
    expect(
      specProblemsOf(
        () => new PrivateHostedZone(stack(), 'P', untypedProps({ zoneName: 'inference.example.com', vpcs: [null] })),
      ),
    ).toEqual(['vpcs[0]: is required (an object { vpcId, region }), got: null']);
    expect(
      specProblemsOf(
        () =>
          new InferenceAliasRecord(
            stack(),
            'A',
            untypedProps({ zone, name: 'x.inference.example.com', target: { kind: 'mx' } }),
          ),
      ),
    ).toEqual([expect.stringMatching(/^target: must be a RecordTarget made by its factories/)]);
    expect(
      specProblemsOf(
        () =>
          new RegionHealthCheck(
            stack(),
            'H',
            untypedProps({
              endpoint: { albArnSuffix: 'a', targetGroupArnSuffix: 'b' },
              fqdn: 'us-east-1.inference.example.com',
            }),
          ),
      ),
    ).toEqual([expect.stringMatching(/^endpoint\.region: is required/)]);
  });
});

describe("zones, names and record types follow the spec's rules", () => {
  test('fromZoneId refuses what dns.hostedZoneId refuses, and a name that is no DNS name', () => {
    expect(specProblemsOf(() => InferenceHostedZone.fromZoneId('not-a-zone-id', 'other.org'))).toEqual([
      'zoneId: must be a Route53 hosted zone id such as Z0123456789ABCDEFGHIJ, got: "not-a-zone-id"',
    ]);
    expect(specProblemsOf(() => InferenceHostedZone.fromZoneId('z0123abc', 'Not A Name'))).toEqual([
      expect.stringMatching(/^zoneId: must be a Route53 hosted zone id/),
      expect.stringMatching(/^zoneName: must be a lower-case DNS name/),
    ]);
  });

  test(
    "InferenceAliasRecord refuses a name outside its zone (the red team's zone-mismatch.js) and non-address " +
      'record types',
    () => {
      const other = InferenceHostedZone.fromZoneId('Z0123456789ABCDEFGHIJ', 'other.org');
      expect(
        specProblemsOf(
          () => new InferenceAliasRecord(stack(), 'A', { zone: other, name: 'api.inference.example.com', target: alb }),
        ),
      ).toEqual([
        "name: must be in the zone other.org (the zone's name or a name under it); Route53 refuses a record " +
          'outside its zone, got: "api.inference.example.com"',
      ]);
      // A suffix that is not a label boundary is outside too.
      expect(
        specProblemsOf(() => new InferenceAliasRecord(stack(), 'A', { zone: other, name: 'brother.org', target: alb })),
      ).toHaveLength(1);
      expect(
        specProblemsOf(
          () =>
            new InferenceAliasRecord(stack(), 'A', {
              zone,
              name: 'api.inference.example.com',
              target: alb,
              recordTypes: untypedProps(['MX', 'TXT']),
            }),
        ),
      ).toEqual([
        'recordTypes[0]: must be A or AAAA (an alias to a load balancer answers addresses only), got: "MX"',
        'recordTypes[1]: must be A or AAAA (an alias to a load balancer answers addresses only), got: "TXT"',
      ]);
      const s = stack();
      new InferenceAliasRecord(s, 'A', {
        zone,
        name: 'inference.example.com.',
        target: alb,
        recordTypes: ['A', 'AAAA'],
      });
      expect(
        resourcesOf(synthJson(s), 'aws_route53_record')
          .map(([, r]) => r.type)
          .sort(),
      ).toEqual(['A', 'AAAA']);
    },
  );

  test('GlobalRoute53Routing refuses a lower-case zone id and a domain outside its zone', () => {
    const found = specProblemsOf(
      () =>
        new GlobalRoute53Routing(stack(), 'R', {
          zone: { zoneId: 'z0123abc', zoneName: 'other.org' },
          domain: 'inference.example.com',
          regions: [{ endpoint: endpoint(), hostname: 'us-east-1.inference.example.com' }],
        }),
    );
    expect(found).toEqual([
      'zone.zoneId: must be a Route53 hosted zone id such as Z0123456789ABCDEFGHIJ, got: "z0123abc"',
      "domain: must be in the zone other.org (the zone's name or a name under it); Route53 refuses a record " +
        'outside its zone, got: "inference.example.com"',
    ]);
  });

  test('references are accepted where a value may be one: zone ids and names, alias targets, a created zone', () => {
    const s = stack();
    const id = new TerraformVariable(s, 'zone_id', { type: 'string' });
    const name = new TerraformVariable(s, 'zone_name', { type: 'string' });
    const byRef = InferenceHostedZone.fromZoneId(id.stringValue, name.stringValue);
    new InferenceAliasRecord(s, 'A', {
      zone: byRef,
      name: 'api.inference.example.com',
      target: RecordTarget.loadBalancer({ albDnsName: id.stringValue, albZoneId: id.stringValue }),
    });
    const created = new InferenceHostedZone(s, 'Zone', { zoneName: 'inference.example.com' });
    new GlobalRoute53Routing(s, 'R', {
      zone: created,
      domain: 'inference.example.com',
      regions: [{ endpoint: endpoint(), hostname: 'us-east-1.inference.example.com' }],
    });
    new RegionalCertificate(s, 'Cert', { domainName: 'inference.example.com', zone: created });
    expect(resourcesOf(synthJson(s), 'aws_route53_record').length).toBeGreaterThanOrEqual(2);
  });

  test('RegionalCertificate validates in its zone: a domain outside it is refused', () => {
    expect(
      specProblemsOf(
        () =>
          new RegionalCertificate(stack(), 'C', {
            domainName: 'inference.example.com',
            zone: InferenceHostedZone.fromZoneId('Z0123456789ABCDEFGHIJ', 'other.org'),
          }),
      ),
    ).toEqual([expect.stringMatching(/^domainName: must be in the zone other\.org/)]);
  });
});
