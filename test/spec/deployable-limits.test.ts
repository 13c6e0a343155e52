/**
 * Accepted => deployable, red-team holes of issue 18 item 2: subnets too small for an ALB or for the fleet, instance
 * types whose size does not exist, and tag keys IAM takes for the library's own (it compares them case-insensitively).
 * Each case was accepted by the schema before.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { safeParseSpec } from '../../lib/spec/load';
import { GPU_INSTANCE_SIZES, GPU_INSTANCE_TYPES, type GlobalInferenceSpecInput } from '../../lib/spec/schema';
import { layoutSubnets, parseIpv4Cidr, subnetLayoutProblem } from '../../lib/util/cidr';
import { minimalSpec } from '../support/specs';
import { regex } from '../support/regex';

function problems(spec: GlobalInferenceSpecInput): string[] {
  const result = safeParseSpec(spec);
  return result.success
    ? []
    : result.problems.map((p) => `${p.path}: ${p.message}${p.received === undefined ? '' : `, got: ${p.received}`}`);
}
const single = (
  region: Record<string, unknown>,
  extra: Partial<GlobalInferenceSpecInput> = {},
): GlobalInferenceSpecInput =>
  minimalSpec({
    regions: [{ region: 'us-east-1', instanceType: 'g6e.xlarge', capacity: { min: 1, max: 2 }, ...region } as never],
    slo: { survivesRegionFailure: false },
    ...extra,
  });
const FIXTURES = join(__dirname, 'fixtures', 'red-team-18');
const FIVE_ZONES = ['use1-az1', 'use1-az2', 'use1-az3', 'use1-az4', 'use1-az5'];

describe('subnets the created VPC lays out hold an ALB and the fleet', () => {
  test('a /22 over five zones (public /28 subnets) is refused at the CIDR with the smallest block that works', () => {
    const alb28 = parseYaml(readFileSync(join(FIXTURES, 'alb28.yaml'), 'utf8')) as GlobalInferenceSpecInput;
    expect(problems(alb28)).toEqual(
      problems(single({ network: { cidr: '10.64.0.0/22', availabilityZoneIds: FIVE_ZONES } })),
    );
    expect(problems(single({ network: { cidr: '10.64.0.0/22', availabilityZoneIds: FIVE_ZONES } }))).toEqual([
      'regions[0].network.cidr: gives public (ALB) subnets of /28 over 5 zones; ELB needs at least a /27 with ' +
        '8 free addresses in each zone of a load balancer: use a /21 or larger block for 5 zones, such as ' +
        '10.64.0.0/21, got: "10.64.0.0/22"',
    ]);
    expect(problems(single({ network: { cidr: '10.64.0.0/21', availabilityZoneIds: FIVE_ZONES } }))).toEqual([]);
    expect(
      problems(single({ network: { cidr: '10.64.0.0/22', availabilityZoneIds: FIVE_ZONES.slice(0, 4) } })),
    ).toEqual([]);
  });

  test(
    'private subnets must hold every GPU instance one zone may get (twice capacity.max while replacing, warm ' +
      'pool, per model)',
    () => {
      // /22 over 3 zones: private /24s, 251 usable addresses each.
      const at = (max: number, extra: Partial<GlobalInferenceSpecInput> = {}) =>
        problems(single({ capacity: { min: 1, max }, network: { cidr: '10.64.0.0/22' } }, extra));
      expect(at(125)).toEqual([]);
      expect(at(126)).toEqual([
        expect.stringMatching(
          regex(
            /^regions\[0\]\.network\.cidr: gives private subnets of \/24 over 3 zones \(251 usable addresses /,
            /each, after the 5 AWS reserves\); each must hold up to 252 GPU instances .*use a \/21 or larger /,
            /block for 3 zones, such as 10\.64\.0\.0\/21/,
          ),
        ),
      ]);
      expect(at(125, { endpoint: { warmPool: { minSize: 2 } } })).toEqual([
        expect.stringContaining('each must hold up to 252 GPU instances'),
      ]);
      const twoModels = {
        models: [
          { name: 'a', id: 'org/a', version: 'v1' },
          { name: 'b', id: 'org/b', version: 'v1' },
        ],
        model: undefined,
      };
      expect(at(62, twoModels)).toEqual([]);
      expect(at(63, twoModels)).toEqual([expect.stringContaining('each must hold up to 252 GPU instances')]);
      // The default /16 over three zones holds the schema's largest fleet; 16 fleets of 1000 fit no block the library
      // creates.
      expect(problems(single({ capacity: { min: 1, max: 1000 } }))).toEqual([]);
      const many = {
        models: Array.from({ length: 16 }, (_, i) => ({ name: `m${i}`, id: `org/m${i}`, version: 'v1' })),
        model: undefined,
      };
      expect(problems(single({ capacity: { min: 1, max: 1000 } }, many))).toEqual([
        expect.stringMatching(
          regex(
            /^regions\[0\]\.network\.cidr: \(default 10\.64\.0\.0\/16\) gives private subnets .*no VPC block /,
            /the library creates holds that/,
          ),
        ),
      ]);
      // An existing network is the user's to size.
      expect(
        problems(
          single(
            {
              capacity: { min: 1, max: 1000 },
              network: {
                vpcId: 'vpc-0123456789abcdef0',
                privateSubnetIds: ['subnet-0123456789abcdef0', 'subnet-0123456789abcdef1'],
                publicSubnetIds: ['subnet-0123456789abcdef2', 'subnet-0123456789abcdef3'],
              },
            },
            many,
          ),
        ),
      ).toEqual([]);
    },
  );

  test(
    'oracle: for every block and zone count, accepted layouts have ALB subnets of /27 or more and the fleet ' +
      'fits; the named block is the smallest that works',
    () => {
      for (let zones = 2; zones <= 6; zones++) {
        for (const instances of [0, 1, 27, 120, 123, 124, 251, 252, 1000, 4000]) {
          let smallestFit: number | undefined;
          for (let prefix = 22; prefix >= 16; prefix--) {
            const cidr = `10.0.0.0/${prefix}`;
            const { private: priv, public: pub } = safeLayout(cidr, zones);
            const fits =
              pub.every((c) => parseIpv4Cidr(c).prefix <= 27) &&
              priv.every((c) => 2 ** (32 - parseIpv4Cidr(c).prefix) - 5 >= instances);
            expect(subnetLayoutProblem(cidr, zones, instances) === undefined).toBe(fits);
            if (fits && smallestFit === undefined) smallestFit = prefix;
          }
          const problem = subnetLayoutProblem('10.0.0.0/22', zones, instances);
          if (problem && smallestFit !== undefined) expect(problem).toContain(`use a /${smallestFit} or larger block`);
          if (problem && smallestFit === undefined)
            expect(problem).toContain('no VPC block the library creates holds that');
        }
      }
    },
  );
});

/** The subnets laid out, computed without the refusal (so the oracle can judge layouts the library refuses). */
function safeLayout(cidr: string, zones: number): { private: string[]; public: string[] } {
  try {
    return layoutSubnets(cidr, zones);
  } catch {
    return { private: [], public: ['0.0.0.0/32'] };
  }
}

describe('instance types are sizes EC2 offers', () => {
  test('a size the family does not come in is refused with the closest valid type', () => {
    expect(problems(single({ instanceType: 'g6e.banana' }))).toEqual([
      'regions[0].instanceType: must be an instance type EC2 offers: g6e comes in xlarge, 2xlarge, 4xlarge, ' +
        '8xlarge, 12xlarge, 16xlarge, 24xlarge, 48xlarge (did you mean \'g6e.xlarge\'?), got: "g6e.banana"',
    ]);
    expect(problems(single({ instanceType: 'p5.huge' }))).toEqual([
      expect.stringMatching(
        regex(
          /^regions\[0\]\.instanceType: must be an instance type EC2 offers: p5 comes in 4xlarge, 48xlarge /,
          /\(did you mean 'p5\.\d+xlarge'\?\)/,
        ),
      ),
    ]);
    expect(problems(single({ instanceType: 'g6e.48xlarg' }))).toEqual([
      expect.stringContaining("(did you mean 'g6e.48xlarge'?)"),
    ]);
    expect(problems(single({ instanceType: 'p4d.48xlarge' }))).toEqual([
      expect.stringContaining("p4d comes in 24xlarge (did you mean 'p4d.24xlarge'?)"),
    ]);
    expect(problems(single({ instanceType: 'm5.large' }))).toEqual([
      expect.stringContaining('must be an NVIDIA GPU instance type of a family the Deep Learning GPU AMI supports'),
    ]);
    expect(problems(single({ instanceType: 'G6E.xlarge' }))).toEqual([
      expect.stringContaining("(did you mean 'g6e.xlarge'?)"),
    ]);
  });

  test('every listed type is accepted, and only those', () => {
    for (const type of GPU_INSTANCE_TYPES) expect(problems(single({ instanceType: type }))).toEqual([]);
    expect(GPU_INSTANCE_SIZES.g6e).toEqual([
      'xlarge',
      '2xlarge',
      '4xlarge',
      '8xlarge',
      '12xlarge',
      '16xlarge',
      '24xlarge',
      '48xlarge',
    ]);
    expect(GPU_INSTANCE_SIZES.p5).toEqual(['4xlarge', '48xlarge']);
    for (const type of ['g5.3xlarge', 'g6e.large', 'p5.24xlarge', 'p6-b200.24xlarge', 'g4dn.24xlarge'])
      expect(problems(single({ instanceType: type }))).toHaveLength(1);
  });

  test("the red team's badsize.yaml is refused", () => {
    const spec = parseYaml(readFileSync(join(FIXTURES, 'badsize.yaml'), 'utf8')) as GlobalInferenceSpecInput;
    expect(problems(spec)).toEqual([
      expect.stringContaining('regions[0].instanceType: must be an instance type EC2 offers: g6e comes in'),
    ]);
  });
});

describe("tag keys IAM would take for the library's own, or for each other", () => {
  test('library keys and the inference: prefix in any letter case are refused', () => {
    const found = problems(
      single(
        {},
        { tags: { 'Managed-By': 'platform-team', 'Inference:Service': 'billing', NAME: 'x', 'INFERENCE:model': 'y' } },
      ),
    );
    expect(found).toHaveLength(4);
    for (const path of ['tags["Managed-By"]', 'tags["Inference:Service"]', 'tags.NAME', 'tags["INFERENCE:model"]']) {
      expect(found).toContainEqual(
        expect.stringContaining(
          `${path}: key is set by the library (Name, managed-by, inference:*, in any letter case: IAM compares ` +
            'tag keys case-insensitively)',
        ),
      );
    }
  });

  test("the red team's tagcase.yaml is refused, one problem per key", () => {
    const spec = parseYaml(readFileSync(join(FIXTURES, 'tagcase.yaml'), 'utf8')) as GlobalInferenceSpecInput;
    expect(problems(spec)).toEqual([
      expect.stringContaining('Managed-By'),
      expect.stringContaining('Inference:Service'),
    ]);
  });

  test('two user keys that differ only in case are refused; distinct keys are fine', () => {
    expect(problems(single({}, { tags: { team: 'a', Team: 'b' } }))).toEqual([
      "tags.Team: key differs from the key 'team' only in letter case; IAM treats tag keys " +
        'case-insensitively, so give them one spelling, got: "Team"',
    ]);
    expect(
      problems(single({}, { tags: { team: 'a', 'cost-center': 'b', managedby: 'c', 'inference-x': 'd' } })),
    ).toEqual([]);
  });
});
