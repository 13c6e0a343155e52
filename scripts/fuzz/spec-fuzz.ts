/**
 * Property-based fuzzing of specs (fast-check): every generated spec must either be rejected with a clear
 * validation error naming a path, or synthesize AWS stacks with no data sources that pass the offline
 * `terraform validate` (and the routing proofs, once wired in). Anything else — an exception that is not a
 * validation error, a problem without a path — is a crash.
 *
 * The generator mixes a mostly-valid space (known regions, GPU types, consistent routing) with mutations
 * (junk values, wrong types, out-of-range numbers, settings of another mode), so both sides are exercised.
 */
import fc from 'fast-check';
import { App, TerraformStack } from '../../lib/util/cdktf';
import { SpecValidationError } from '../../lib/spec/errors';
import { RoutingProofError } from '../../lib/analysis/gate';
import { safeParseSpec } from '../../lib/spec/load';
import { AWS_REGION_CODES, regionInfo } from '../../lib/spec/regions';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { detectOfflineTerraform, type OfflineTerraform } from '../../lib/terraform/offline-terraform';
import { awsLimitViolations } from './aws-limits';
import { TerraformBatch } from '../../lib/terraform/batch';
import type { TerraformJson } from '../../lib/util/synth-output';
import { addGlobalInferenceStacks } from '../../stacks/global-inference-stacks';

const GPU_TYPES = ['g6e.xlarge', 'g6.2xlarge', 'g5.xlarge', 'p5.48xlarge', 'g4dn.xlarge', 'g6e.12xlarge'];

/**
 * A valid spec: every choice consistent (capacities ordered, routing over existing regions, residency with regions).
 */
const validSpec = (maxRegions: number): fc.Arbitrary<{ spec: Record<string, unknown>; codes: string[] }> =>
  fc.uniqueArray(fc.constantFrom(...AWS_REGION_CODES), { minLength: 1, maxLength: maxRegions }).chain((codes) =>
    fc
      .record({
        name: fc.constantFrom('chat', 'embed', 'x1', 'a-very-long-service-nm'),
        engine: fc.constantFrom('vllm', 'sglang', 'tgi', 'custom'),
        weightsGiB: fc.option(fc.integer({ min: 1, max: 900 }), { nil: undefined }),
        types: fc.array(fc.constantFrom(...GPU_TYPES), { minLength: codes.length, maxLength: codes.length }),
        capacities: fc.array(fc.tuple(fc.integer({ min: 0, max: 4 }), fc.integer({ min: 1, max: 8 })), {
          minLength: codes.length,
          maxLength: codes.length,
        }),
        jurisdictions: fc.array(fc.constantFrom(undefined, 'eu', 'us'), {
          minLength: codes.length,
          maxLength: codes.length,
        }),
        network: fc.constantFrom(
          undefined,
          { natGateways: 'per-zone' },
          { cidr: '10.1.0.0/20' },
          { cidr: '172.16.0.0/16' },
        ),
        modeIndex: fc.nat(6),
        weights: fc.array(fc.integer({ min: 0, max: 255 }), { minLength: codes.length, maxLength: codes.length }),
        percent: fc.integer({ min: 0, max: 100 }),
        rollout: fc.boolean(),
        health: fc.record({
          intervalSeconds: fc.constantFrom(10, 30),
          failureThreshold: fc.integer({ min: 1, max: 10 }),
        }),
        dns: fc.constantFrom(
          undefined,
          { dnssec: false },
          { privateZone: true },
          { hostedZoneId: 'Z0123456789ABCDEFGHIJ' },
          { queryLogging: false },
        ),
        endpoint: fc.constantFrom(
          undefined,
          { loadBalancingAlgorithm: 'round_robin', slowStartSeconds: 60 },
          { warmPool: { minSize: 1 } },
          { deletionProtection: false },
        ),
        // Mostly an SLO the generated health settings can meet (up to 10 x 30 s to detect), sometimes a tight one.
        slo: fc.constantFrom({ failoverSeconds: 900 }, { failoverSeconds: 900 }, { failoverSeconds: 900 }, undefined, {
          failoverSeconds: 120,
        }),
        accountId: fc.constantFrom(undefined, '123456789012'),
      })
      .map((c) => {
        const regions = codes.map((region, i) => ({
          region,
          instanceType: c.types[i],
          capacity: { min: Math.min(...c.capacities[i]), max: Math.max(...c.capacities[i], 1) },
          ...(c.jurisdictions[i] ? { jurisdiction: c.jurisdictions[i] } : {}),
          ...(c.network ? { network: c.network } : {}),
          // A rollout on the last region keeps the stable version on the others.
          ...(c.rollout && i === codes.length - 1 && codes.length >= 3 ? { modelVersions: { main: 'v2' } } : {}),
        }));
        // A residency group served by one region cannot survive that region's failure: bind clients only to two or
        // more.
        const euRegions = regions.filter((r) => r.jurisdiction === 'eu').length;
        const jurisdictions = new Set(euRegions >= 2 ? ['eu'] : []);
        const modes = [
          { mode: 'latency' },
          codes.length >= 2 ? { mode: 'failover', failover: { primary: codes[0] } } : { mode: 'latency' },
          {
            mode: 'weighted',
            weights: Object.fromEntries(codes.map((r, i) => [r, i === 0 ? Math.max(1, c.weights[i]) : c.weights[i]])),
          },
          {
            mode: 'geolocation',
            geolocation: {
              groups: [{ name: 'americas', continents: ['NA', 'SA'], regions: codes.slice(0, 2) }],
              default: 'latency',
            },
          },
          { mode: 'geoproximity', biases: { [codes[0]]: 10 } },
          codes.length >= 2
            ? { mode: 'latency', canary: { region: codes[codes.length - 1], percent: c.percent } }
            : { mode: 'latency' },
          { mode: 'latency', ignoreWeightChanges: true },
        ];
        return {
          service: { name: c.name, domain: 'inference.example.com' },
          model: {
            name: 'main',
            id: 'meta-llama/Llama-3.1-8B-Instruct',
            version: 'v1',
            engine: c.engine,
            ...(c.engine === 'custom' ? { image: 'ghcr.io/acme/server:1', command: ['serve'] } : {}),
            ...(c.weightsGiB ? { weightsGiB: c.weightsGiB } : {}),
          },
          regions,
          routing: modes[c.modeIndex],
          ...(jurisdictions.has('eu') ? { residency: { eu: { preset: 'eu' } } } : {}),
          health: c.health,
          ...(c.dns ? { dns: c.dns } : {}),
          ...(c.endpoint ? { endpoint: c.endpoint } : {}),
          // One region cannot survive its own failure: say so, as a single-region service would.
          ...(c.slo || codes.length === 1
            ? { slo: { ...c.slo, ...(codes.length === 1 ? { survivesRegionFailure: false } : {}) } }
            : {}),
          ...(c.accountId ? { aws: { accountId: c.accountId } } : {}),
        } as Record<string, unknown>;
      })
      .map((spec) => ({ spec, codes })),
  );

/** Text that must land verbatim where free text is allowed, and be refused where it is not. */
const HOSTILE_TEXT = fc.oneof(
  fc.constantFrom(
    '${file("/etc/passwd")}',
    '${trimspace(file("/some/local/file"))}',
    '%{ if true }rendered%{ endif }',
    '$${already escaped}',
    '%%{directive escaped}',
    'ends with $',
    'ends with %',
    '"quoted" \\ back\\slash',
    'line one\nline two\ttab',
    'ünïcødé ✓ 日本語 🚀',
    '\u0000nul',
    '\ud800 lone surrogate',
    '${TfToken[TOKEN.1]}',
    'x -1.8881545897087626e+289 y',
    '',
    ' ',
  ),
  fc.string({ unit: 'grapheme', maxLength: 40 }),
  fc.string({ unit: 'binary', maxLength: 20 }),
  fc.string({ maxLength: 300 }),
);
const PRINTABLE_HOSTILE = fc.oneof(
  fc.constantFrom(
    '${var.x}',
    '%{ for x in y }',
    'queue $$ depth',
    'vllm:num_requests_waiting',
    ':leading colon',
    'a'.repeat(256),
  ),
  fc.string({ maxLength: 40 }),
);

/** Optional settings with valid and invalid values mixed, for the fields whose limits AWS enforces. */
const hostilePools = (codes: readonly string[]) => ({
  expectedBody: HOSTILE_TEXT,
  queueDepth: fc.record({
    namespace: fc.constantFrom('vLLM', 'Custom/Inference', 'AWS/ApplicationELB', ':bad', 'has $ sign', ''),
    metricName: PRINTABLE_HOSTILE,
    dimensions: fc.dictionary(fc.constantFrom('Model', ':x', 'é'), PRINTABLE_HOSTILE, { maxKeys: 2 }),
    threshold: fc.constantFrom(5, 0, -1),
  }),
  customMetric: fc.record({
    namespace: fc.constantFrom('vLLM', 'Custom/Inference'),
    metricName: PRINTABLE_HOSTILE,
    dimensions: fc.dictionary(fc.constantFrom('Model', 'Pool'), PRINTABLE_HOSTILE, { maxKeys: 2 }),
    targetValue: fc.constantFrom(10, 0.5),
  }),
  retention: fc.constantFrom(1, 30, 31, 0, 400, 3653, 3654, 90, 2),
  certificate: fc.tuple(
    fc.constantFrom('same', 'other-region', 'malformed', 'upper', 'other-account', 'partial'),
    fc.nat(codes.length - 1),
  ),
  weightsGiB: fc.constantFrom(1, 100, 8142, 8143, 16384, 20000),
  rootVolumeGiB: fc.constantFrom(undefined, 75, 300, 16384, 16385),
  tags: fc.dictionary(
    fc.constantFrom(
      'team',
      'Team',
      'cost-center',
      'aws:owner',
      'Name',
      'NAME',
      'inference:model',
      'Inference:Service',
      'Managed-By',
      'k'.repeat(129),
      'owner email',
      '${x}',
      'ключ',
      'a*b',
    ),
    fc.constantFrom('ml', '${var.x}', '%{ if true }y%{ endif }', 'v'.repeat(257), 'ünï', 'a*b', '', 'x@y.z'),
    { maxKeys: 3 },
  ),
  manyTags: fc.constantFrom(0, 44, 45),
  albIngressCidrs: fc.uniqueArray(
    fc.constantFrom(
      '10.0.0.0/8',
      '10.0.0.1/8',
      '2001:db8::/32',
      '2001:DB8::/32',
      '2001:db8:0::/48',
      '::/0',
      '0.0.0.0/0',
      '1.2.3.4/32',
      '::ffff:0:0/96',
      '010.0.0.0/8',
      '2001:db8::1/32',
    ),
    { minLength: 1, maxLength: 3 },
  ),
  duplicateCidr: fc.boolean(),
  networkCidr: fc.constantFrom(
    '10.1.0.0/20',
    '10.1.0.1/20',
    '172.16.0.0/16',
    '127.0.0.0/16',
    '10.64.0.0/23',
    '169.254.0.0/16',
  ),
  zones: fc.constantFrom('own', 'other', 'duplicate', 'all'),
  instanceType: fc.constantFrom(
    'g6e.xlarge',
    'g6e.48xlarge',
    'g6e.banana',
    'p5.huge',
    'p5.48xlarge',
    'g5.12xlarge',
    'g5.13xlarge',
    'p4d.24xlarge',
    'g4dn.metal',
    'm5.large',
  ),
  bigCapacity: fc.constantFrom(8, 60, 250, 1000),
  modelId: fc.constantFrom('meta-llama/Llama-3.1-8B-Instruct', `org/${'m'.repeat(124)}`, `org/${'m'.repeat(125)}`),
  args: fc.oneof(
    fc.array(HOSTILE_TEXT, { maxLength: 3 }),
    fc.constant(Array.from({ length: 5 }, () => 'x'.repeat(4000))),
  ),
  secretArn: fc.constantFrom(
    'arn:aws:secretsmanager:us-east-1:123456789012:secret:hf-token-AbCdEf',
    'arn:aws:secretsmanager:us-east-1:123456789012:secret:hf-token',
    'arn:aws:secretsmanager:eu-west-1:123456789012:secret:hf/${aws:username}-AbCdEf',
  ),
  weightsS3Uri: fc.constantFrom(
    's3://my-models/llama/',
    's3://my-models/${aws:username}/',
    's3://bad..bucket/x',
    's3://my-models/*',
    's3://My-Models/x',
    's3://my-models',
  ),
  accessLogsBucket: fc.constantFrom(
    'alb-logs-{region}',
    `${'l'.repeat(50)}-{region}`,
    'Bad_Bucket',
    'a..b-{region}',
    'logs-{region}-s3alias',
  ),
  kmsKeyId: fc.constantFrom(
    'alias/terraform',
    '0f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b',
    'not a key',
    'arn:aws:kms:us-east-1:123456789012:key/0f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b',
  ),
  checkerRegions: fc.constantFrom(
    ['us-east-1', 'us-west-2', 'eu-west-1'],
    ['us-east-1', 'us-east-1', 'eu-west-1'],
    ['us-east-1', 'eu-west-1'],
  ),
  domain: fc.constantFrom(
    'inference.example.com',
    `${'d'.repeat(52)}.example.com`,
    `${'d'.repeat(60)}.${'e'.repeat(60)}.${'f'.repeat(60)}.${'g'.repeat(20)}.example.com`,
  ),
  healthPath: fc.constantFrom('/health', `/${'p'.repeat(255)}`, '/v1/models?x=%7B'),
});

/** One to three hostile settings at a time, so that some hostile specs are accepted and their stacks checked. */
const hostileSettings = (codes: readonly string[]): fc.Arbitrary<Record<string, unknown>> => {
  const pools = hostilePools(codes) as Record<string, fc.Arbitrary<unknown>>;
  return fc
    .shuffledSubarray(Object.keys(pools), { minLength: 1, maxLength: 3 })
    .chain((keys) =>
      fc.tuple(...keys.map((k) => pools[k])).map((values) => Object.fromEntries(keys.map((k, i) => [k, values[i]]))),
    );
};

/** Applies the hostile settings to a valid spec. */
function applyHostile(
  spec: Record<string, unknown>,
  h: Record<string, unknown>,
  codes: readonly string[],
): Record<string, unknown> {
  // biome-ignore lint/suspicious/noExplicitAny: a hostile edit of a spec of any shape, path by path.
  const out = structuredClone(spec) as Record<string, any>;
  const region0 = out.regions[0];
  out.health = { ...out.health };
  if (h.expectedBody !== undefined) out.health.expectedBody = h.expectedBody;
  if (h.healthPath !== undefined) out.health.path = h.healthPath;
  if (h.checkerRegions !== undefined) out.health.checkerRegions = h.checkerRegions;
  if (h.queueDepth !== undefined) out.health.capacity = { queueDepth: h.queueDepth };
  if (h.customMetric !== undefined) out.endpoint = { ...out.endpoint, scaling: { customMetric: h.customMetric } };
  if (h.rootVolumeGiB !== undefined) out.endpoint = { ...out.endpoint, rootVolumeGiB: h.rootVolumeGiB };
  if (h.accessLogsBucket !== undefined) out.endpoint = { ...out.endpoint, accessLogsBucket: h.accessLogsBucket };
  if (h.albIngressCidrs !== undefined) {
    const cidrs = h.albIngressCidrs as string[];
    out.endpoint = { ...out.endpoint, albIngressCidrs: h.duplicateCidr ? [...cidrs, cidrs[0]] : cidrs };
  }
  if (h.retention !== undefined) out.dns = { ...out.dns, queryLogRetentionDays: h.retention };
  if (h.certificate !== undefined) {
    const [kind, index] = h.certificate as [string, number];
    const region = codes[index];
    const other = AWS_REGION_CODES.find((c) => c !== region)!;
    const uuid = '0f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b';
    const arns: Record<string, string> = {
      same: `arn:aws:acm:${region}:123456789012:certificate/${uuid}`,
      'other-region': `arn:aws:acm:${other}:123456789012:certificate/${uuid}`,
      malformed: `arn:aws:acm:${region}:123:cert/${uuid}`,
      upper: `arn:aws:acm:${region}:123456789012:certificate/${uuid.toUpperCase()}`,
      'other-account': `arn:aws:acm:${region}:210987654321:certificate/${uuid}`,
      partial: `arn:aws:acm:${region}:123456789012:certificate/`,
    };
    out.regions[index] = { ...out.regions[index], certificateArn: arns[kind] };
    if (kind === 'other-account') out.aws = { accountId: '123456789012' };
  }
  if (h.weightsGiB !== undefined) out.model = { ...out.model, weightsGiB: h.weightsGiB };
  if (h.modelId !== undefined) out.model = { ...out.model, id: h.modelId };
  if (h.args !== undefined) out.model = { ...out.model, args: h.args };
  if (h.secretArn !== undefined && out.model.weightsS3Uri === undefined)
    out.model = { ...out.model, huggingFaceTokenSecretArn: h.secretArn };
  else if (h.weightsS3Uri !== undefined) out.model = { ...out.model, weightsS3Uri: h.weightsS3Uri };
  if (h.tags !== undefined || h.manyTags) {
    const many = Object.fromEntries(Array.from({ length: (h.manyTags as number) ?? 0 }, (_, i) => [`tag-${i}`, 'x']));
    out.tags = { ...many, ...(h.tags as object) };
  }
  if (h.networkCidr !== undefined && !region0.network?.vpcId)
    region0.network = { ...region0.network, cidr: h.networkCidr };
  if (h.zones !== undefined) {
    const own = regionZones(codes[0]);
    const other = regionZones(codes[0] === 'us-east-1' ? 'eu-west-1' : 'us-east-1');
    const zones =
      h.zones === 'own'
        ? own.slice(0, 2)
        : h.zones === 'all'
          ? [...own]
          : h.zones === 'other'
            ? [own[0], other[0]]
            : [own[0], own[0]];
    region0.network = { ...region0.network, availabilityZoneIds: zones };
  }
  if (h.instanceType !== undefined) region0.instanceType = h.instanceType;
  if (h.bigCapacity !== undefined) region0.capacity = { min: 1, max: h.bigCapacity };
  if (h.domain !== undefined) out.service = { ...out.service, domain: h.domain };
  if (h.kmsKeyId !== undefined)
    out.state = { backend: 's3', bucket: 'tf-state-bucket', region: 'us-east-1', kmsKeyId: h.kmsKeyId };
  return out;
}

function regionZones(code: string): readonly string[] {
  return regionInfo(code).availabilityZoneIds;
}

/** A junk value of some type. */
const junk = fc.oneof(
  fc.constant(null),
  fc.constant(''),
  fc.constant(-1),
  fc.constant(1e9),
  fc.constant('???'),
  fc.constant([]),
  fc.constant({}),
  fc.string({ maxLength: 6 }),
  fc.boolean(),
  HOSTILE_TEXT,
);

/** Paths a mutation may overwrite (existing or not: unknown keys are mutations too). */
const MUTATION_PATHS = [
  ['service', 'name'],
  ['service', 'domain'],
  ['model', 'id'],
  ['model', 'version'],
  ['model', 'engine'],
  ['model', 'port'],
  ['regions', 0, 'region'],
  ['regions', 0, 'instanceType'],
  ['regions', 0, 'capacity', 'min'],
  ['regions', 0, 'capacity', 'max'],
  ['regions', 0, 'network'],
  ['regions', 0, 'jurisdiction'],
  ['regions', 0, 'models'],
  ['regions'],
  ['routing', 'mode'],
  ['routing', 'weights'],
  ['routing', 'canary'],
  ['routing', 'failover', 'primary'],
  ['health', 'intervalSeconds'],
  ['health', 'path'],
  ['residency'],
  ['dns', 'hostedZoneId'],
  ['endpoint', 'tlsPolicy'],
  ['endpoint', 'slowStartSeconds'],
  ['state'],
  ['frontDoor'],
  ['tags'],
  ['unknownKey'],
  ['regions', 0, 'typo'],
  ['model', 'revision'],
  ['model', 'image'],
  ['regions', 0, 'modelVersions'],
  ['dns', 'originDomain'],
  ['tags', 'team'],
] as const;

const mutation = fc.tuple(fc.constantFrom(...MUTATION_PATHS), junk);

/**
 * Two fifths of the time a valid spec; two fifths with hostile settings (values at and past AWS limits, text with
 * Terraform syntax); a fifth with one or two fields replaced by junk.
 */
export const specArbitrary = (maxRegions = 5): fc.Arbitrary<Record<string, unknown>> =>
  validSpec(maxRegions).chain(({ spec, codes }) =>
    fc.oneof(
      { weight: 2, arbitrary: fc.constant(spec) },
      { weight: 2, arbitrary: hostileSettings(codes).map((h) => applyHostile(spec, h, codes)) },
      {
        weight: 1,
        arbitrary: fc.array(mutation, { minLength: 1, maxLength: 2 }).map((mutations) => {
          const copy = structuredClone(spec);
          for (const [path, value] of mutations) setPath(copy, path, value);
          return copy;
        }),
      },
    ),
  );

function setPath(root: Record<string, unknown>, path: readonly (string | number)[], value: unknown): void {
  let node: unknown = root;
  for (const key of path.slice(0, -1)) {
    if (node === null || typeof node !== 'object') return;
    const record = node as Record<string | number, unknown>;
    if (record[key] === undefined || record[key] === null || typeof record[key] !== 'object') record[key] = {};
    node = record[key];
  }
  if (node !== null && typeof node === 'object')
    (node as Record<string | number, unknown>)[path[path.length - 1]] = value;
}

export interface FuzzOptions {
  readonly runs: number;
  readonly seed?: number;
  /** Most regions a generated spec has. @default 5 */
  readonly maxRegions?: number;
  /** Run every distinct accepted AWS stack through the real `terraform validate` (batched, one workspace). */
  readonly terraform: boolean;
  /** Extra checks on synthesized stacks (the routing proofs); throw a clear Error to reject. */
  readonly prove?: (stacks: { name: string; json: TerraformJson }[]) => void;
}

export interface FuzzReport {
  readonly runs: number;
  readonly seed: number;
  /** Refused by the schema (or a construct), every problem naming a path. */
  readonly rejectedBySpec: number;
  readonly rejectedByProofs: number;
  /** Accepted and synthesized. */
  readonly accepted: number;
  /** Distinct AWS stacks among the accepted ones. */
  readonly distinctStacks: number;
  readonly terraformValidated: number;
  /** Accepted specs whose stack terraform refuses or that break an AWS limit: each must be 0. */
  readonly acceptedInvalid: readonly string[];
  readonly crashes: readonly string[];
  /** How often each spec path was reported, to show the generator reaches the validation rules. */
  readonly problemPaths: ReadonlyMap<string, number>;
  readonly seconds: number;
  /** Of which: synthesis and proofs, and terraform. */
  readonly synthSeconds: number;
  readonly terraformSeconds: number;
}

/** Runs the fuzzing; never throws for a finding, it reports it. */
export function fuzzSpecs(options: FuzzOptions): FuzzReport {
  const started = Date.now();
  const seed = options.seed ?? Date.now() % 2 ** 31;
  const samples = fc.sample(specArbitrary(options.maxRegions), { numRuns: options.runs, seed });
  const crashes: string[] = [];
  const acceptedInvalid: string[] = [];
  const problemPaths = new Map<string, number>();
  const distinct = new Map<string, { json: TerraformJson; label: string; input: unknown }>();
  let rejectedBySpec = 0;
  let rejectedByProofs = 0;
  let accepted = 0;

  const scratch = mkdtempSync(join(tmpdir(), 'gi-fuzz-'));
  for (const [i, input] of samples.entries()) {
    const label = `sample ${i} (seed ${seed})`;
    let parsed: ReturnType<typeof safeParseSpec>;
    try {
      parsed = safeParseSpec(input);
    } catch (error) {
      crashes.push(`${label}: safeParseSpec threw ${(error as Error).stack}`);
      continue;
    }
    if (!parsed.success) {
      rejectedBySpec++;
      for (const problem of parsed.problems) {
        if (!problem.path || !problem.message)
          crashes.push(`${label}: a problem without path or message: ${JSON.stringify(problem)}`);
        const key = problem.path.replace(/\[\d+\]/g, '[]').replace(/\["[^"]*"\]/g, '[key]');
        problemPaths.set(key, (problemPaths.get(key) ?? 0) + 1);
      }
      continue;
    }
    let stacks: { name: string; json: TerraformJson }[];
    try {
      // Synthesized in memory (toTerraform); the outdir is never written.
      const app = new App({ outdir: scratch });
      addGlobalInferenceStacks(app, parsed.spec, { env: {} });
      stacks = app.node.children
        .filter((c): c is TerraformStack => TerraformStack.isStack(c))
        .map((s) => ({ name: s.node.id, json: JSON.parse(JSON.stringify(s.toTerraform())) as TerraformJson }));
    } catch (error) {
      if (error instanceof SpecValidationError) {
        // A construct refusing what the schema accepted is a finding too: the schema must say it first.
        crashes.push(
          `${label}: the schema accepted a spec a construct refused: ${error.message}\nspec: ${JSON.stringify(input)}`,
        );
        continue;
      }
      crashes.push(`${label}: synth threw ${(error as Error).stack}\nspec: ${JSON.stringify(input)}`);
      continue;
    }
    for (const stack of stacks) {
      if (stack.name.endsWith('-aws') && stack.json.data)
        crashes.push(`${label}: ${stack.name} has data sources (the offline plan would fail)`);
    }
    if (options.prove) {
      try {
        options.prove(stacks);
      } catch (error) {
        if (error instanceof SpecValidationError || error instanceof RoutingProofError) {
          rejectedByProofs++;
          continue;
        }
        crashes.push(`${label}: proofs threw ${(error as Error).stack}`);
        continue;
      }
    }
    accepted++;
    const aws = stacks.find((s) => s.name.endsWith('-aws'))!;
    const limits = awsLimitViolations(aws.json);
    if (limits.length > 0)
      acceptedInvalid.push(`${label}: breaks AWS limits: ${limits.join('; ')}\nspec: ${JSON.stringify(input)}`);
    const key = JSON.stringify({ ...aws.json, '//': undefined });
    if (!distinct.has(key)) distinct.set(key, { json: aws.json, label, input });
  }
  rmSync(scratch, { recursive: true, force: true });

  const synthSeconds = (Date.now() - started) / 1000;
  let terraformValidated = 0;
  if (options.terraform && distinct.size > 0) {
    const detected = detectOfflineTerraform();
    if ('missing' in detected) {
      crashes.push(`terraform validation was asked for but cannot run: ${detected.missing}`);
    } else {
      const validator = new TerraformBatch(detected as OfflineTerraform);
      try {
        const entries = [...distinct.values()];
        const results = validator.validate(entries.map((e) => e.json));
        results.forEach((result, i) => {
          terraformValidated++;
          if (!result.ok)
            acceptedInvalid.push(
              `${entries[i].label}: terraform validate refused it: ${result.diagnostics.join('; ')}\nspec: ` +
                `${JSON.stringify(entries[i].input)}`,
            );
        });
      } finally {
        validator.dispose();
      }
    }
  }
  return {
    runs: samples.length,
    seed,
    rejectedBySpec,
    rejectedByProofs,
    accepted,
    distinctStacks: distinct.size,
    terraformValidated,
    acceptedInvalid,
    crashes,
    problemPaths,
    seconds: (Date.now() - started) / 1000,
    synthSeconds,
    terraformSeconds: (Date.now() - started) / 1000 - synthSeconds,
  };
}
