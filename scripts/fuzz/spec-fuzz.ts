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
import { App, TerraformStack } from 'cdktf';
import { SpecValidationError } from '../../lib/spec/errors';
import { safeParseSpec } from '../../lib/spec/load';
import { AWS_REGION_CODES } from '../../lib/spec/regions';
import { detectOfflineTerraform, OfflineWorkspace, type OfflineTerraform } from '../../lib/terraform/offline-terraform';
import type { TerraformJson } from '../../lib/util/synth-output';
import { addGlobalInferenceStacks } from '../../stacks/global-inference-stacks';

const GPU_TYPES = ['g6e.xlarge', 'g6.2xlarge', 'g5.xlarge', 'p5.48xlarge', 'g4dn.xlarge', 'g6e.12xlarge'];

/** A valid spec: every choice consistent (capacities ordered, routing over existing regions, residency with regions). */
const validSpec: fc.Arbitrary<Record<string, unknown>> = fc
  .uniqueArray(fc.constantFrom(...AWS_REGION_CODES), { minLength: 1, maxLength: 5 })
  .chain((codes) =>
    fc
      .record({
        name: fc.constantFrom('chat', 'embed', 'x1', 'a-very-long-service-nm'),
        engine: fc.constantFrom('vllm', 'sglang', 'tgi', 'custom'),
        weightsGiB: fc.option(fc.integer({ min: 1, max: 900 }), { nil: undefined }),
        types: fc.array(fc.constantFrom(...GPU_TYPES), { minLength: codes.length, maxLength: codes.length }),
        capacities: fc.array(fc.tuple(fc.integer({ min: 0, max: 4 }), fc.integer({ min: 1, max: 8 })), { minLength: codes.length, maxLength: codes.length }),
        jurisdictions: fc.array(fc.constantFrom(undefined, 'eu', 'us'), { minLength: codes.length, maxLength: codes.length }),
        network: fc.constantFrom(undefined, { natGateways: 'per-zone' }, { cidr: '10.1.0.0/20' }, { cidr: '172.16.0.0/16' }),
        modeIndex: fc.nat(6),
        weights: fc.array(fc.integer({ min: 0, max: 255 }), { minLength: codes.length, maxLength: codes.length }),
        percent: fc.integer({ min: 0, max: 100 }),
        rollout: fc.boolean(),
        health: fc.record({ intervalSeconds: fc.constantFrom(10, 30), failureThreshold: fc.integer({ min: 1, max: 10 }) }),
        dns: fc.constantFrom(undefined, { dnssec: false }, { privateZone: true }, { hostedZoneId: 'Z0123456789ABCDEFGHIJ' }, { queryLogging: false }),
        endpoint: fc.constantFrom(undefined, { loadBalancingAlgorithm: 'round_robin', slowStartSeconds: 60 }, { warmPool: { minSize: 1 } }, { deletionProtection: false }),
        slo: fc.constantFrom(undefined, { failoverSeconds: 120 }, { failoverSeconds: 600 }),
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
        const jurisdictions = new Set(regions.map((r) => r.jurisdiction).filter(Boolean));
        const modes = [
          { mode: 'latency' },
          codes.length >= 2 ? { mode: 'failover', failover: { primary: codes[0] } } : { mode: 'latency' },
          { mode: 'weighted', weights: Object.fromEntries(codes.map((r, i) => [r, i === 0 ? Math.max(1, c.weights[i]) : c.weights[i]])) },
          { mode: 'geolocation', geolocation: { groups: [{ name: 'americas', continents: ['NA', 'SA'], regions: [codes[0]] }], default: 'latency' } },
          { mode: 'geoproximity', biases: { [codes[0]]: 10 } },
          codes.length >= 2 ? { mode: 'latency', canary: { region: codes[codes.length - 1], percent: c.percent } } : { mode: 'latency' },
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
          ...(c.slo ? { slo: c.slo } : {}),
          ...(c.accountId ? { aws: { accountId: c.accountId } } : {}),
        } as Record<string, unknown>;
      }),
  );

/** A junk value of some type. */
const junk = fc.oneof(fc.constant(null), fc.constant(''), fc.constant(-1), fc.constant(1e9), fc.constant('???'), fc.constant([]), fc.constant({}), fc.string({ maxLength: 6 }), fc.boolean());

/** Paths a mutation may overwrite (existing or not: unknown keys are mutations too). */
const MUTATION_PATHS = [
  ['service', 'name'], ['service', 'domain'], ['model', 'id'], ['model', 'version'], ['model', 'engine'], ['model', 'port'],
  ['regions', 0, 'region'], ['regions', 0, 'instanceType'], ['regions', 0, 'capacity', 'min'], ['regions', 0, 'capacity', 'max'],
  ['regions', 0, 'network'], ['regions', 0, 'jurisdiction'], ['regions', 0, 'models'], ['regions'], ['routing', 'mode'], ['routing', 'weights'],
  ['routing', 'canary'], ['routing', 'failover', 'primary'], ['health', 'intervalSeconds'], ['health', 'path'], ['residency'], ['dns', 'hostedZoneId'],
  ['endpoint', 'tlsPolicy'], ['endpoint', 'slowStartSeconds'], ['state'], ['frontDoor'], ['tags'], ['unknownKey'], ['regions', 0, 'typo'],
] as const;

const mutation = fc.tuple(fc.constantFrom(...MUTATION_PATHS), junk);

/** Half the time a valid spec; otherwise one or two fields replaced by junk. */
export const specArbitrary: fc.Arbitrary<Record<string, unknown>> = fc
  .tuple(validSpec, fc.oneof({ weight: 1, arbitrary: fc.constant([]) }, { weight: 1, arbitrary: fc.array(mutation, { minLength: 1, maxLength: 2 }) }))
  .map(([spec, mutations]) => {
    const copy = structuredClone(spec);
    for (const [path, value] of mutations) setPath(copy, path, value);
    return copy;
  });

function setPath(root: Record<string, unknown>, path: readonly (string | number)[], value: unknown): void {
  let node: unknown = root;
  for (const key of path.slice(0, -1)) {
    if (node === null || typeof node !== 'object') return;
    const record = node as Record<string | number, unknown>;
    if (record[key] === undefined || record[key] === null || typeof record[key] !== 'object') record[key] = {};
    node = record[key];
  }
  if (node !== null && typeof node === 'object') (node as Record<string | number, unknown>)[path[path.length - 1]] = value;
}

export interface FuzzOptions {
  readonly runs: number;
  readonly seed?: number;
  /** How many valid specs to run through the real `terraform validate` (each costs a few seconds). */
  readonly terraformValidations: number;
  /** Extra checks on synthesized stacks (the routing proofs); throw a clear Error to reject. */
  readonly prove?: (stacks: { name: string; json: TerraformJson }[]) => void;
}

export interface FuzzReport {
  readonly runs: number;
  readonly seed: number;
  readonly rejectedBySpec: number;
  readonly rejectedByProofs: number;
  readonly synthesized: number;
  readonly terraformValidated: number;
  readonly terraformFailures: readonly string[];
  readonly crashes: readonly string[];
  /** How often each spec path was reported, to show the generator reaches the validation rules. */
  readonly problemPaths: ReadonlyMap<string, number>;
  readonly seconds: number;
}

/** Runs the fuzzing; never throws for a finding, it reports it. */
export function fuzzSpecs(options: FuzzOptions): FuzzReport {
  const started = Date.now();
  const seed = options.seed ?? Date.now() % 2 ** 31;
  const samples = fc.sample(specArbitrary, { numRuns: options.runs, seed });
  const detected = options.terraformValidations > 0 ? detectOfflineTerraform() : undefined;
  const tf = detected && !('missing' in detected) ? (detected as OfflineTerraform) : undefined;
  let workspace: OfflineWorkspace | undefined;
  const crashes: string[] = [];
  const terraformFailures: string[] = [];
  const problemPaths = new Map<string, number>();
  let rejectedBySpec = 0;
  let rejectedByProofs = 0;
  let synthesized = 0;
  let terraformValidated = 0;

  const scratch = emptyStackDir({});
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
        if (!problem.path || !problem.message) crashes.push(`${label}: a problem without path or message: ${JSON.stringify(problem)}`);
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
      stacks = app.node.children.filter((c): c is TerraformStack => TerraformStack.isStack(c)).map((s) => ({ name: s.node.id, json: s.toTerraform() as TerraformJson }));
    } catch (error) {
      if (error instanceof SpecValidationError) {
        rejectedBySpec++;
        continue;
      }
      crashes.push(`${label}: synth threw ${(error as Error).stack}\nspec: ${JSON.stringify(input)}`);
      continue;
    }
    for (const stack of stacks) {
      if (stack.name.endsWith('-aws') && stack.json.data) crashes.push(`${label}: ${stack.name} has data sources (the offline plan would fail)`);
    }
    if (options.prove) {
      try {
        options.prove(stacks);
      } catch (error) {
        if (error instanceof SpecValidationError || (error instanceof Error && error.name === 'RoutingProofError')) {
          rejectedByProofs++;
          continue;
        }
        crashes.push(`${label}: proofs threw ${(error as Error).stack}`);
        continue;
      }
    }
    synthesized++;
    if (tf && terraformValidated < options.terraformValidations) {
      const aws = stacks.find((s) => s.name.endsWith('-aws'))!;
      workspace ??= new OfflineWorkspace(tf, emptyStackDir(aws.json));
      workspace.replaceConfiguration(aws.json);
      const result = workspace.validate();
      terraformValidated++;
      if (!result.ok) terraformFailures.push(`${label}: ${result.diagnostics.map((d) => `${d.summary}: ${d.detail ?? ''}`).join('; ')}\nspec: ${JSON.stringify(input)}`);
    }
  }
  workspace?.dispose();
  return { runs: samples.length, seed, rejectedBySpec, rejectedByProofs, synthesized, terraformValidated, terraformFailures, crashes, problemPaths, seconds: (Date.now() - started) / 1000 };
}

/** A temp directory holding only a stack file, as the starting point of a workspace. */
function emptyStackDir(json: TerraformJson): string {
  const { mkdtempSync, writeFileSync } = require('node:fs') as typeof import('node:fs');
  const { join } = require('node:path') as typeof import('node:path');
  const { tmpdir } = require('node:os') as typeof import('node:os');
  const dir = mkdtempSync(join(tmpdir(), 'gi-fuzz-'));
  writeFileSync(join(dir, 'cdk.tf.json'), JSON.stringify(json));
  return dir;
}
