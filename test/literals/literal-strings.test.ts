/**
 * Literal means literal (lib/util/terraform-literals.ts): strings from specs and construct props are data that
 * Terraform takes verbatim; references stay references.
 *
 * - properties against a deliberately simple template evaluator written here (the oracle);
 * - the real offline `terraform plan`: random hostile strings in every free-text field of a spec and of construct
 *   props land byte-for-byte in the planned values. `GI_LITERAL_PLANS` sets the number of plans (default 1;
 *   `npm run fuzz:literals` runs 20).
 */
import fc from 'fast-check';
import { TerraformOutput, TerraformStack, TerraformVariable, Testing } from '../../lib/util/cdktf';
import { Construct } from 'constructs';
import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { SsmParameter } from '@cdktf/provider-aws/lib/ssm-parameter';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InferenceHostedZone } from '../../lib/aws/inference-hosted-zone';
import { shq } from '../../lib/aws/user-data';
import { GlobalInferenceService } from '../../lib/service/global-inference-service';
import { isPlainText } from '../../lib/spec/fields';
import { detectOfflineTerraform, OfflineWorkspace, type OfflineTerraform } from '../../lib/terraform/offline-terraform';
import { templateLiteral } from '../../lib/util/terraform-json';
import { escapeTemplateText, literalString, protectLiterals } from '../../lib/util/terraform-literals';
import type { TerraformJson } from '../../lib/util/synth-output';

// ---------------------------------------------------------------------------------------------------------
// The oracle: what Terraform makes of a JSON string, for the few forms the library may produce. Anything else
// (an interpolation that is not one of the known references, a directive) is an error: text was evaluated.

function evaluateTemplate(template: string, references: Record<string, string>): string {
  let out = '';
  let i = 0;
  while (i < template.length) {
    if (template.startsWith('$${', i) || template.startsWith('%%{', i)) {
      out += template.slice(i + 1, i + 3);
      i += 3;
    } else if (template.startsWith('%{', i)) {
      throw new Error(`a directive at ${i} of ${JSON.stringify(template)}`);
    } else if (template.startsWith('${', i)) {
      const end = template.indexOf('}', i);
      let inner = template.slice(i + 2, end);
      // A quoted string literal may contain '}' only if JSON-escaped; find the closing quote first.
      if (inner.startsWith('"')) {
        const close = template.indexOf('"}', i + 3);
        inner = template.slice(i + 2, close + 1);
        out += JSON.parse(inner) as string;
        i = close + 2;
        continue;
      }
      if (!(inner in references)) throw new Error(`an interpolation \${${inner}} in ${JSON.stringify(template)}`);
      out += references[inner];
      i = end + 1;
    } else {
      out += template[i];
      i++;
    }
  }
  return out;
}

/** Text with Terraform syntax, escapes, quotes, backslashes, newlines and Unicode, mixed with random text. */
const HOSTILE = fc.oneof(
  fc.constantFrom(
    '${file("/etc/passwd")}',
    '%{ if true }rendered%{ endif }',
    '$${x}',
    '%%{y}',
    '$$${z}',
    '%%%{w}',
    'ends $',
    'ends %',
    '$',
    '%',
    '${',
    '%{',
    '}',
    '"\\',
    'a\nb\tc',
    'ünï ✓ 日本 🚀',
  ),
  fc.string({ unit: 'grapheme', maxLength: 30 }),
  fc.string({ maxLength: 40 }),
  fc.stringMatching(/^[$%{}a"\\]{0,12}$/),
);
const TEXT = HOSTILE.filter(isPlainText);

describe('escapeTemplateText', () => {
  test('Terraform reads the escaped text as exactly the original (oracle and the library reader agree)', () => {
    fc.assert(
      fc.property(TEXT, (text) => {
        const escaped = escapeTemplateText(text);
        expect(evaluateTemplate(escaped, {})).toBe(text);
        expect(templateLiteral(escaped)).toBe(text);
      }),
      { numRuns: 2000 },
    );
  });

  test('text without template syntax is unchanged', () => {
    expect(escapeTemplateText('plain text, { braces } and $ and % alone')).toBe(
      'plain text, { braces } and $ and % alone',
    );
  });
});

describe('literalString with references', () => {
  /** A stack with a known variable reference and a protected construct. */
  function synthValue(parts: readonly (string | { ref: true })[]): { value: string; expected: string } {
    const app = Testing.app();
    const stack = new TerraformStack(app, 's');
    new AwsProvider(stack, 'aws', { region: 'us-east-1' });
    const variable = new TerraformVariable(stack, 'v', { type: 'string', default: 'VAL' });
    const scope = new Construct(stack, 'Lib');
    const value = parts.map((p) => (typeof p === 'string' ? p : variable.stringValue)).join('');
    new SsmParameter(scope, 'P', { name: '/x', type: 'String', insecureValue: value });
    new TerraformOutput(scope, 'o', { value });
    protectLiterals(scope);
    const json = JSON.parse(Testing.synth(stack)) as TerraformJson & { output: Record<string, { value: string }> };
    const param = Object.values(json.resource!.aws_ssm_parameter)[0] as { insecure_value: string };
    expect(Object.values(json.output)[0].value).toBe(param.insecure_value);
    return { value: param.insecure_value, expected: parts.map((p) => (typeof p === 'string' ? p : 'VAL')).join('') };
  }

  test('literal text around references is escaped, the references still interpolate', () => {
    fc.assert(
      fc.property(
        fc.array(fc.oneof(TEXT, fc.constant({ ref: true as const })), { minLength: 1, maxLength: 6 }),
        (parts) => {
          const { value, expected } = synthValue(parts);
          expect(evaluateTemplate(value, { 'var.v': 'VAL' })).toBe(expected);
        },
      ),
      { numRuns: 150 },
    );
  });

  test('a literal ending in $ or % before a reference does not swallow it', () => {
    for (const literal of ['a$', 'a$$', 'b%', '$', '${', '%{']) {
      const { value, expected } = synthValue([literal, { ref: true }, '}']);
      expect(evaluateTemplate(value, { 'var.v': 'VAL' })).toBe(expected);
    }
  });

  test('strings without tokens or syntax are returned as they are; list tokens are left alone', () => {
    expect(literalString('arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore')).toBe(
      'arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore',
    );
    expect(literalString('#{TfToken[TOKEN.1]}')).toBe('#{TfToken[TOKEN.1]}');
  });

  test('addOverride stays the escape hatch for expressions', () => {
    const app = Testing.app();
    const stack = new TerraformStack(app, 's');
    new AwsProvider(stack, 'aws', { region: 'us-east-1' });
    const scope = new Construct(stack, 'Lib');
    const p = new SsmParameter(scope, 'P', { name: '/x', type: 'String', insecureValue: '${literal}' });
    p.addOverride('description', '${upper("expression")}');
    protectLiterals(scope);
    const param = Object.values(
      (JSON.parse(Testing.synth(stack)) as TerraformJson).resource!.aws_ssm_parameter,
    )[0] as Record<string, string>;
    expect(param.insecure_value).toBe('$${literal}');
    expect(param.description).toBe('${upper("expression")}');
  });
});

// ---------------------------------------------------------------------------------------------------------
// Real terraform plan

const detected = detectOfflineTerraform();
const tf = 'missing' in detected ? undefined : (detected as OfflineTerraform);
if (!tf && process.env.GI_REQUIRE_TERRAFORM === '1')
  throw new Error(`GI_REQUIRE_TERRAFORM=1 but real terraform cannot run: ${(detected as { missing: string }).missing}`);
const PLANS = Number(process.env.GI_LITERAL_PLANS ?? 1);

/** Printable ASCII text (CloudWatch names), weighted to Terraform syntax. */
const ASCII = fc
  .oneof(
    fc.constantFrom('${var.x}', '%{ for a in b }', '$${q}', 'depth $', '%%{', 'q"uo\\te'),
    fc.stringMatching(/^[\x20-\x7e]{1,40}$/),
    fc.stringMatching(/^[${}%a ]{1,12}$/),
  )
  .filter((s) => /\S/.test(s));
/** Characters AWS accepts in security group rule descriptions (`$`, `{`, `}` among them). */
const SG_TEXT = fc.stringMatching(/^[a-zA-Z0-9. _\-:/()#,@[\]+=&;{}!$*]{1,60}$/);

const fieldValues = fc.record({
  expectedBody: TEXT.filter((s) => s.length >= 1 && s.length <= 255),
  queueMetric: ASCII,
  queueDimension: ASCII,
  scalingMetric: ASCII,
  scalingDimension: ASCII,
  arg: TEXT.filter((s) => s.length <= 200),
  zoneComment: TEXT.filter((s) => s.length <= 256),
  lockSource: SG_TEXT,
  mixed: fc.array(fc.oneof(TEXT, fc.constant(null)), { minLength: 1, maxLength: 5 }),
});

type Change = {
  type: string;
  address: string;
  change: { after: Record<string, unknown>; after_unknown: Record<string, unknown> };
};

(tf ? describe : describe.skip)('real terraform plan: values land byte-for-byte', () => {
  let workspace: OfflineWorkspace | undefined;
  afterAll(() => workspace?.dispose());

  // First the case: if Terraform evaluated the body, it would read this file of the machine running it.
  const localFile = join(mkdtempSync(join(tmpdir(), 'gi-local-')), 'secret.txt');
  writeFileSync(localFile, 'LEAKED-FROM-THE-CI-RUNNER');
  const [random] = [
    fc.sample(fieldValues, { numRuns: Math.max(1, PLANS), seed: Number(process.env.GI_LITERAL_SEED ?? 20261122) }),
  ];
  const samples = [
    {
      ...random[0],
      expectedBody: `\${trimspace(file(${JSON.stringify(localFile)}))}`,
      zoneComment: '%{ if true }rendered%{ endif }',
    },
    ...random.slice(1),
  ];
  samples.forEach((values, run) => {
    test(`plan ${run + 1} of ${samples.length}`, () => {
      const app = Testing.app();
      const stack = new TerraformStack(app, 'literals');
      const variable = new TerraformVariable(stack, 'known', { type: 'string', default: 'KNOWN' });
      const secret = new TerraformVariable(stack, 'origin_secret', {
        type: 'string',
        sensitive: true,
        default: 'a'.repeat(32),
      });
      const service = new GlobalInferenceService(stack, 'Service', {
        spec: {
          service: { name: 'lit', domain: 'inference.example.com' },
          model: { id: 'meta-llama/Llama-3.1-8B-Instruct', version: 'v1', args: [values.arg] },
          regions: [
            {
              region: 'us-east-1',
              instanceType: 'g6e.xlarge',
              capacity: { min: 1, max: 2 },
              certificateArn: 'arn:aws:acm:us-east-1:123456789012:certificate/0f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b',
              network: { availabilityZoneIds: ['use1-az1', 'use1-az2'] },
            },
          ],
          dns: { hostedZoneId: 'Z0123456789ABCDEFGHIJ' },
          health: {
            expectedBody: values.expectedBody,
            capacity: {
              queueDepth: {
                namespace: 'vLLM',
                metricName: values.queueMetric,
                dimensions: { Model: values.queueDimension },
                threshold: 5,
              },
            },
          },
          endpoint: {
            scaling: {
              customMetric: {
                namespace: 'vLLM',
                metricName: values.scalingMetric,
                dimensions: { Pool: values.scalingDimension },
                targetValue: 10,
              },
            },
          },
          slo: { survivesRegionFailure: false },
        },
      });
      new InferenceHostedZone(stack, 'Zone', {
        zoneName: 'other.example.com',
        comment: values.zoneComment,
        dnssec: false,
        queryLogging: false,
        provider: service.providerFor('us-east-1'),
      });
      const { GpuInferenceEndpoint } =
        require('../../lib/aws/gpu-inference-endpoint') as typeof import('../../lib/aws/gpu-inference-endpoint');
      new GpuInferenceEndpoint(stack, 'Locked', {
        region: 'us-east-1',
        provider: service.providerFor('us-east-1'),
        serviceName: 'locked',
        models: [{ id: 'm/model', version: 'v1' }],
        instanceType: 'g6e.xlarge',
        capacity: { min: 1, max: 1 },
        network: {
          vpcId: 'vpc-0123456789abcdef0',
          privateSubnetIds: ['subnet-0123456789abcdef0', 'subnet-0123456789abcdef1'],
          publicSubnetIds: ['subnet-0123456789abcdef2', 'subnet-0123456789abcdef3'],
        },
        certificateArn: 'arn:aws:acm:us-east-1:123456789012:certificate/0f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b',
        originLock: {
          headerName: 'X-Origin-Auth',
          headerValue: secret.stringValue,
          allowedCidrs: ['173.245.48.0/20'],
          source: values.lockSource,
        },
      });
      const lib = new Construct(stack, 'Mixed');
      const mixed = values.mixed.map((p) => (p === null ? variable.stringValue : p)).join('');
      new SsmParameter(lib, 'Param', {
        provider: service.providerFor('us-east-1'),
        name: '/mixed',
        type: 'String',
        insecureValue: mixed || 'x',
      });
      protectLiterals(lib);

      const json = JSON.parse(Testing.synth(stack)) as TerraformJson;
      const dir = mkdtempSync(join(tmpdir(), 'gi-literals-'));
      writeFileSync(join(dir, 'cdk.tf.json'), JSON.stringify(json));
      if (workspace) workspace.replaceConfiguration(json);
      else workspace = new OfflineWorkspace(tf!, dir);
      const result = workspace.plan();
      if (!result.ok) throw new Error(`terraform plan failed:\n${result.stderr}\n${result.stdout.slice(-3000)}`);
      const changes = (result.json!.resource_changes as Change[]).filter((c) => c.change.after);
      const after = (type: string, match: (c: Change) => boolean = () => true) => {
        const found = changes.filter((c) => c.type === type && match(c));
        expect(found.length).toBeGreaterThan(0);
        return found.map((c) => c.change.after);
      };

      expect(
        after('aws_route53_health_check', (c) => c.change.after.type === 'HTTPS_STR_MATCH').map((a) => a.search_string),
      ).toEqual([values.expectedBody]);
      const queue = after('aws_cloudwatch_metric_alarm', (c) => c.address.includes('QueueDepth'))[0];
      expect(queue.metric_name).toBe(values.queueMetric);
      expect(queue.dimensions).toEqual({ Model: values.queueDimension });
      expect(String(queue.alarm_description).startsWith(`${values.queueMetric} in us-east-1`)).toBe(true);
      const policy = after('aws_autoscaling_policy', (c) => c.address.includes('Service'))[0];
      const custom = (policy.target_tracking_configuration as Record<string, unknown>[])[0]
        .customized_metric_specification as Record<string, unknown>[];
      expect(custom[0].metric_name).toBe(values.scalingMetric);
      expect(custom[0].metric_dimension).toEqual([{ name: 'Pool', value: values.scalingDimension }]);
      expect(String(policy.name)).toBe(`lit-llama-3-1-8b-instruct-${values.scalingMetric}`.slice(0, 255));
      const userData = Buffer.from(
        String(after('aws_launch_template', (c) => c.address.includes('Service'))[0].user_data),
        'base64',
      ).toString('utf8');
      expect(userData).toContain(` ${shq(values.arg)}\n`);
      expect(after('aws_route53_zone').map((a) => a.comment)).toEqual([values.zoneComment]);
      expect(
        after(
          'aws_vpc_security_group_ingress_rule',
          (c) => c.address.includes('Locked') && c.address.includes('AlbIngress'),
        ).map((a) => a.description),
      ).toEqual([`HTTPS from ${values.lockSource} 173.245.48.0/20`]);
      expect(after('aws_ssm_parameter')[0].insecure_value).toBe(
        values.mixed.map((p) => (p === null ? 'KNOWN' : p)).join('') || 'x',
      );

      // Library-internal references are still references: unknown until apply, written as interpolations.
      const listener = changes.find(
        (c) => c.type === 'aws_lb_listener' && c.address.includes('Service') && c.change.after.port === 443,
      )!;
      expect(listener.change.after_unknown.load_balancer_arn).toBe(true);
      const rawListener = Object.entries(json.resource!.aws_lb_listener).find(
        ([name]) => name.includes('Service') && name.includes('Https'),
      )![1] as Record<string, unknown>;
      expect(rawListener.load_balancer_arn).toMatch(/^\$\{aws_lb\.[A-Za-z0-9_-]+\.arn\}$/);
      expect(policy.autoscaling_group_name).toBeUndefined();
    });
  });
});
