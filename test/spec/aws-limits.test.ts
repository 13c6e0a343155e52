/**
 * Accepted => valid: the schema refuses what terraform, the AWS provider or AWS refuse, each with its path, the value
 * and the limit (issue 18, "Accepted but invalid"). Each case was accepted by the schema before.
 */
import { safeParseSpec } from '../../lib/spec/load';
import { isIpv4NetworkCidr, isIpv6NetworkCidr, LOG_RETENTION_DAYS } from '../../lib/spec/fields';
import type { GlobalInferenceSpecInput } from '../../lib/spec/schema';
import { minimalSpec } from '../support/specs';
import { regex } from '../support/regex';

const CERT = (region: string, account = '123456789012') =>
  `arn:aws:acm:${region}:${account}:certificate/0f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b`;

function problems(spec: GlobalInferenceSpecInput): string[] {
  const result = safeParseSpec(spec);
  return result.success
    ? []
    : result.problems.map((p) => `${p.path}: ${p.message}${p.received === undefined ? '' : `, got: ${p.received}`}`);
}
const region0 = (extra: Record<string, unknown>) =>
  minimalSpec({
    regions: [
      { region: 'us-east-1', instanceType: 'g6e.xlarge', capacity: { min: 2, max: 8 }, ...extra },
      { region: 'eu-west-1', instanceType: 'g6e.xlarge', capacity: { min: 2, max: 8 } },
    ],
  });

describe('accepted => valid (spec)', () => {
  test('query log retention must be one of CloudWatch Logs periods (31 failed terraform validate)', () => {
    expect(problems(minimalSpec({ dns: { queryLogRetentionDays: 31 } }))).toEqual([
      expect.stringMatching(
        /^dns\.queryLogRetentionDays: must be one of the retention periods CloudWatch Logs accepts: 1, 3, 5.*got: 31$/,
      ),
    ]);
    for (const days of LOG_RETENTION_DAYS)
      expect(problems(minimalSpec({ dns: { queryLogRetentionDays: days } }))).toEqual([]);
  });

  test('a certificate ARN must be a well-formed ACM ARN of the endpoint region and account', () => {
    expect(problems(region0({ certificateArn: 'arn:aws:acm:us-east-1:123:cert/x' }))[0]).toMatch(
      /^regions\[0\]\.certificateArn: must be an ACM certificate ARN such as/,
    );
    expect(problems(region0({ certificateArn: CERT('eu-west-1') }))).toEqual([
      expect.stringContaining(
        'regions[0].certificateArn: must be a certificate in us-east-1: an ALB only uses ACM certificates of ' +
          'its own region (this one is in eu-west-1)',
      ),
    ]);
    expect(
      problems({
        ...region0({ certificateArn: CERT('us-east-1', '210987654321') }),
        aws: { accountId: '123456789012' },
      }),
    ).toEqual([expect.stringContaining('must be a certificate of account 123456789012 (aws.accountId)')]);
    expect(problems(region0({ certificateArn: CERT('us-east-1') }))).toEqual([]);
  });

  test('weightsGiB whose default root volume exceeds gp3 is refused unless the volume is sized explicitly', () => {
    const big = minimalSpec({ model: { id: 'meta-llama/Llama-3.1-405B', version: 'v1', weightsGiB: 16384 } });
    expect(problems(big)).toEqual([
      expect.stringContaining(
        'model.weightsGiB: gives a default root volume of 32868 GiB (100 + twice the weights), above the 16384 ' +
          'GiB gp3 limit',
      ),
    ]);
    expect(problems({ ...big, endpoint: { rootVolumeGiB: 16384 } })).toEqual([]);
    expect(problems(minimalSpec({ model: { id: 'a/b', version: 'v1', weightsGiB: 8142 } }))).toEqual([]);
    expect(problems(minimalSpec({ model: { id: 'a/b', version: 'v1', weightsGiB: 8143 } }))).toHaveLength(1);
  });

  test('tags: Terraform syntax, reserved prefixes, library keys, lengths, characters and count', () => {
    const found = problems(
      minimalSpec({
        tags: {
          team: '${var.x}',
          'aws:owner': 'me',
          Name: 'x',
          'inference:model': 'y',
          ok: 'v'.repeat(257),
          café: 'ok',
        },
      }),
    );
    expect(found).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^tags\.team: must use letters, digits, spaces and _ \. : \/ = \+ - @ only/),
        expect.stringMatching(/aws:owner.*must not start with 'aws:'/),
        expect.stringMatching(/Name.*is set by the library/),
        expect.stringMatching(/inference:model.*is set by the library/),
        expect.stringMatching(/^tags\.ok: must be at most 256 characters/),
      ]),
    );
    expect(found).toNoneSatisfy((p) => p.includes('café'));
    const many = Object.fromEntries(Array.from({ length: 45 }, (_, i) => [`t${i}`, 'x']));
    expect(problems(minimalSpec({ tags: many }))).toEqual([expect.stringContaining('tags: must have at most 44 tags')]);
  });

  test('CIDRs are network addresses in canonical form, once each', () => {
    for (const cidr of [
      '10.0.0.1/8',
      '2001:DB8::/32',
      '2001:db8:0::/48',
      '010.0.0.0/8',
      '::ffff:0:0/96',
      '1.2.3.4/33',
      '2001:db8::1/32',
    ]) {
      expect(problems(minimalSpec({ endpoint: { albIngressCidrs: [cidr] } }))).toEqual([
        expect.stringMatching(
          /^endpoint\.albIngressCidrs\[0\]: must be an IPv4 or IPv6 CIDR block written as its network address/,
        ),
      ]);
    }
    expect(problems(minimalSpec({ endpoint: { albIngressCidrs: ['10.0.0.0/8', '10.0.0.0/8'] } }))).toEqual([
      expect.stringContaining('endpoint.albIngressCidrs[1]: duplicate CIDR (also at index 0)'),
    ]);
    expect(
      problems(
        minimalSpec({
          endpoint: { albIngressCidrs: ['10.0.0.0/8', '2001:db8::/32', '::/0', '0.0.0.0/0', '2600:1f18:4000::/40'] },
        }),
      ),
    ).toEqual([]);
  });

  test('the created VPC: network address, not a reserved range, zones of its own region, each once', () => {
    expect(problems(region0({ network: { cidr: '10.64.1.0/16' } }))[0]).toMatch(
      /regions\[0\]\.network\.cidr: must be an IPv4 CIDR block from \/16 to \/22 written as its network address/,
    );
    expect(problems(region0({ network: { cidr: '127.0.0.0/16' } }))[0]).toMatch(/must not be in a range AWS refuses/);
    expect(problems(region0({ network: { availabilityZoneIds: ['use1-az1', 'euw1-az2'] } }))).toEqual([
      expect.stringContaining(
        'regions[0].network.availabilityZoneIds[1]: must be a zone of us-east-1 (its zone ids start with use1-',
      ),
    ]);
    expect(problems(region0({ network: { availabilityZoneIds: ['use1-az1', 'use1-az1'] } }))).toEqual([
      expect.stringContaining('availabilityZoneIds[1]: duplicate zone'),
    ]);
  });

  test('names and lengths the ALB, ACM and DNS impose', () => {
    expect(problems(minimalSpec({ model: { id: `org/${'m'.repeat(125)}`, version: 'v1' } }))[0]).toMatch(
      /^model\.id: must be at most 128 characters \(an ALB header condition value/,
    );
    const longDomain = `${'d'.repeat(53)}.example.com`;
    expect(problems(minimalSpec({ service: { name: 'chat', domain: longDomain } }))).toEqual([
      expect.stringContaining('service.domain: is 64 characters'.replace('64', String(longDomain.length))),
    ]);
    expect(
      problems({
        ...minimalSpec({ service: { name: 'chat', domain: longDomain } }),
        regions: [
          {
            region: 'us-east-1',
            instanceType: 'g6e.xlarge',
            capacity: { min: 1, max: 2 },
            certificateArn: CERT('us-east-1'),
          },
        ],
        slo: { survivesRegionFailure: false },
      }),
    ).toEqual([]);
    expect(problems(minimalSpec({ health: { path: `/${'p'.repeat(255)}` } }))[0]).toMatch(
      /^health\.path: must be at most 255 characters \(Route53/,
    );
    expect(problems(minimalSpec({ health: { checkerRegions: ['us-east-1', 'us-east-1', 'eu-west-1'] } }))).toEqual([
      expect.stringContaining('health.checkerRegions[1]: duplicate region'),
    ]);
  });

  test('boot scripts over 16 KB of EC2 user data are refused', () => {
    expect(
      problems(
        minimalSpec({ model: { id: 'a/b', version: 'v1', args: Array.from({ length: 5 }, () => 'x'.repeat(4000)) } }),
      ),
    ).toEqual([
      expect.stringMatching(
        /^model\.args: makes the instance boot script \d+ bytes; EC2 user data is limited to 16384 bytes/,
      ),
    ]);
  });

  test('secrets, S3 URIs and KMS keys: full ARNs, valid buckets, no IAM wildcards or policy variables', () => {
    expect(
      problems(
        minimalSpec({
          model: {
            id: 'a/b',
            version: 'v1',
            huggingFaceTokenSecretArn: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:hf-token',
          },
        }),
      )[0],
    ).toMatch(/must be the full ARN of a Secrets Manager secret/);
    for (const uri of [
      's3://my-models/${aws:username}/',
      's3://my-models/*',
      's3://bad..bucket/x',
      's3://My-Models/x',
    ]) {
      expect(problems(minimalSpec({ model: { id: 'a/b', version: 'v1', weightsS3Uri: uri } }))).toHaveLength(1);
    }
    expect(
      problems(
        minimalSpec({ state: { backend: 's3', bucket: 'tf-state', region: 'us-east-1', kmsKeyId: 'not a key' } }),
      )[0],
    ).toMatch(/^state\.kmsKeyId: must be a KMS key id/);
    expect(problems(minimalSpec({ endpoint: { accessLogsBucket: `${'l'.repeat(50)}-{region}` } }))[0]).toMatch(
      regex(
        /^endpoint\.accessLogsBucket: gives '.*' in (us-east-1|ap-southeast-\d|ap-northeast-\d), which must be /,
        /3 to 63 characters/,
      ),
    );
  });

  test('CloudWatch names: printable ASCII within limits, namespaces by CloudWatch rules', () => {
    const queue = (q: Record<string, unknown>) =>
      minimalSpec({
        health: { capacity: { queueDepth: { namespace: 'vLLM', metricName: 'waiting', threshold: 5, ...q } } },
      });
    expect(problems(queue({ namespace: ':bad' }))[0]).toMatch(
      /^health\.capacity\.queueDepth\.namespace: must not start with ':'/,
    );
    expect(problems(queue({ metricName: 'é' }))[0]).toMatch(/metricName: must be printable ASCII/);
    expect(problems(queue({ dimensions: { Model: 'x'.repeat(1025) } }))[0]).toMatch(
      /dimensions\.Model: must be at most 1024 characters/,
    );
    expect(problems(queue({ metricName: '${var.x} %{ if a }' }))).toEqual([]);
  });

  test('free text: no control characters, unpaired surrogates, non-NFC text, or CDKTF token text', () => {
    expect(problems(minimalSpec({ health: { expectedBody: 'a\u0000b' } }))[0]).toMatch(
      /^health\.expectedBody: must be plain text/,
    );
    expect(problems(minimalSpec({ health: { expectedBody: '\ud800' } }))[0]).toMatch(/must be plain text/);
    expect(problems(minimalSpec({ health: { expectedBody: 'e\u0301' } }))[0]).toMatch(
      /must be in Unicode normalization form NFC/,
    );
    expect(problems(minimalSpec({ health: { expectedBody: '${TfToken[TOKEN.1]}' } }))[0]).toMatch(
      /^health\.expectedBody: holds text CDKTF reads as an unresolved token/,
    );
    expect(problems(minimalSpec({ health: { expectedBody: 'x -1.8881545897087626e+289' } }))[0]).toMatch(
      /holds text CDKTF reads as an unresolved token/,
    );
    expect(
      problems(
        minimalSpec({ health: { expectedBody: '${trimspace(file("/etc/passwd"))} %{ if true }x%{ endif } ünï 🚀\n' } }),
      ),
    ).toEqual([]);
  });
});

describe('CIDR parsing (property: canonical network forms only)', () => {
  test('IPv4: every /n network of a random address is accepted, any host bit refused', () => {
    const fc = require('fast-check') as typeof import('fast-check');
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2 ** 32 - 1 }), fc.integer({ min: 0, max: 32 }), (address, bits) => {
        const network = bits === 0 ? 0 : address - (address % 2 ** (32 - bits));
        const text = (n: number) => [24, 16, 8, 0].map((s) => Math.floor(n / 2 ** s) % 256).join('.');
        expect(isIpv4NetworkCidr(`${text(network)}/${bits}`)).toBe(true);
        if (network !== address) expect(isIpv4NetworkCidr(`${text(address)}/${bits}`)).toBe(false);
      }),
    );
  });

  test('IPv6: the RFC 5952 form is accepted, other spellings of the same block refused', () => {
    expect(isIpv6NetworkCidr('2001:db8::/32')).toBe(true);
    expect(isIpv6NetworkCidr('2001:0db8::/32')).toBe(false);
    expect(isIpv6NetworkCidr('2001:db8:0:0::/32')).toBe(false);
    expect(isIpv6NetworkCidr('2001:db9::/31')).toBe(false);
    expect(isIpv6NetworkCidr('::/0')).toBe(true);
    expect(isIpv6NetworkCidr('1:0:0:1::/64')).toBe(true);
    expect(isIpv6NetworkCidr('1::1:0:0:0/64')).toBe(false);
  });
});
