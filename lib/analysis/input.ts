/*
 * Reading synthesized stacks: from a cdktf output directory, from an in-memory app, or from JSON objects; and the
 * small helpers every reader needs (resource listing, `${type.name.attr}` references, the service intent).
 */
import { existsSync, statSync } from 'node:fs';
import { TerraformStack } from 'cdktf';
import type { IConstruct } from 'constructs';
import { readSynthOutput, type TerraformJson } from '../util/synth-output';
import type { ExternalEndpoint, ServiceIntent, StackInput } from './model';
import { block, blocks, bool, isExpression, isRecord, num, str } from '../util/terraform-json';

export { block, blocks, bool, isExpression, isRecord, num, str };

/** Key of the service intent inside a stack's top-level `//` comment (written by GlobalInferenceService). */
export const INTENT_KEY = 'global_inference';

/** Key of construct-level external endpoint declarations inside a stack's `//` comment (declareExternalEndpoint). */
export const EXTERNAL_ENDPOINTS_KEY = 'global_inference_external_endpoints';

/** What the analysis can read: a cdktf output directory, an app (or any construct holding stacks), or stack JSON. */
export type AnalysisSource = string | IConstruct | readonly StackInput[];

/**
 * The stacks of a source. An app is read in memory (`toTerraform()` of each stack: escape hatches and overrides
 * included; aspects run only during `app.synth()`, so analyse the output directory when an aspect edits routing).
 */
export function loadStacks(source: AnalysisSource): StackInput[] {
  if (typeof source === 'string') {
    if (!existsSync(source) || !statSync(source).isDirectory()) throw new Error(`${source} is not a cdktf output directory (run a synth first)`);
    return readSynthOutput(source).map((s) => ({ name: s.name, json: s.json }));
  }
  if (Array.isArray(source)) return [...(source as readonly StackInput[])];
  const root = source as IConstruct;
  const stacks = TerraformStack.isStack(root) ? [root] : root.node.findAll().filter((c): c is TerraformStack => TerraformStack.isStack(c));
  return stacks.map((stack) => ({ name: stack.node.id, json: stack.toTerraform() as TerraformJson }));
}

/** A resource of a stack: address, type, logical name, config (the `//` comment removed) and stack. */
export interface ResourceRef {
  readonly type: string;
  readonly name: string;
  readonly address: string;
  readonly stack: string;
  readonly config: Readonly<Record<string, unknown>>;
}

/** Every resource of the given types across the stacks (the `//` comment block dropped). */
export function resourcesOfType(stacks: readonly StackInput[], type: string): ResourceRef[] {
  const out: ResourceRef[] = [];
  for (const stack of stacks) {
    for (const [name, body] of Object.entries(stack.json.resource?.[type] ?? {})) {
      if (!isRecord(body)) continue;
      const { ['//']: _comment, ...config } = body;
      out.push({ type, name, address: `${type}.${name}`, stack: stack.name, config });
    }
  }
  return out;
}

/** `${aws_lb.Foo.dns_name}` -> { type: aws_lb, name: Foo, attribute: dns_name }, for the first reference in a string. */
export function parseRef(value: unknown): { type: string; name: string; attribute: string } | undefined {
  if (typeof value !== 'string') return undefined;
  const match = /\$\{\s*([a-z0-9_]+)\.([A-Za-z0-9_-]+)\.([a-z0-9_]+)[^}]*\}/.exec(value);
  return match ? { type: match[1], name: match[2], attribute: match[3] } : undefined;
}


/** DNS names compare case-insensitively and without the trailing dot. */
export function normalizeName(name: string): string {
  return name.trim().replace(/\.$/, '').toLowerCase();
}

/** The provider alias region map of a stack's AWS providers: `aws.eu-west-1` -> `eu-west-1`, `aws` -> default region. */
export function awsProviderRegions(stacks: readonly StackInput[]): Map<string, string> {
  const out = new Map<string, string>();
  for (const stack of stacks) {
    for (const config of stack.json.provider?.aws ?? []) {
      if (!isRecord(config) || typeof config.region !== 'string') continue;
      const key = typeof config.alias === 'string' ? `${stack.name}|aws.${config.alias}` : `${stack.name}|aws`;
      out.set(key, config.region);
    }
  }
  return out;
}

/** Reads the service intent from every stack that carries one (merged; the first stack wins a conflict). */
export function readIntent(stacks: readonly StackInput[]): ServiceIntent {
  const found: { stack: string; value: Record<string, unknown> }[] = [];
  for (const stack of stacks) {
    const comment = (stack.json as Record<string, unknown>)['//'];
    const value = isRecord(comment) ? comment[INTENT_KEY] : undefined;
    if (isRecord(value)) found.push({ stack: stack.name, value });
  }
  const regions: Record<string, { jurisdiction?: string; hostname?: string }> = {};
  const residency: Record<string, { countries: string[]; continents: string[] }> = {};
  const first = <T>(pick: (v: Record<string, unknown>) => T | undefined): T | undefined => {
    for (const f of found) {
      const v = pick(f.value);
      if (v !== undefined && v !== null) return v;
    }
    return undefined;
  };
  for (const f of [...found].reverse()) {
    for (const [code, r] of Object.entries(isRecord(f.value.regions) ? f.value.regions : {})) {
      if (!isRecord(r)) continue;
      regions[code] = { jurisdiction: str(r.jurisdiction), hostname: str(r.hostname)?.toLowerCase() };
    }
    for (const [key, g] of Object.entries(isRecord(f.value.residency) ? f.value.residency : {})) {
      if (!isRecord(g)) continue;
      residency[key] = { countries: strings(g.countries).map((c) => c.toUpperCase()), continents: strings(g.continents).map((c) => c.toUpperCase()) };
    }
  }
  const health = first((v) => (isRecord(v.health) ? v.health : undefined));
  const externalEndpoints: ExternalEndpoint[] = [];
  for (const f of found) for (const e of Array.isArray(f.value.externalEndpoints) ? f.value.externalEndpoints : []) pushEndpoint(externalEndpoints, e, `spec externalEndpoints (stack ${f.stack})`);
  for (const stack of stacks) {
    const comment = (stack.json as Record<string, unknown>)['//'];
    const declared = isRecord(comment) ? comment[EXTERNAL_ENDPOINTS_KEY] : undefined;
    for (const e of isRecord(declared) ? Object.values(declared) : []) pushEndpoint(externalEndpoints, e, `declareExternalEndpoint in stack ${stack.name}`);
  }
  return {
    service: first((v) => str(v.service)),
    domain: first((v) => str(v.domain)),
    routingDomain: first((v) => str(v.routingDomain)),
    frontDoor: first((v) => str(v.frontDoor)),
    routingMode: first((v) => str(v.routingMode)),
    regions,
    residency,
    health: health ? { intervalSeconds: num(health.intervalSeconds), failureThreshold: num(health.failureThreshold) } : undefined,
    cloudflarePlan: first((v) => str(v.cloudflarePlan)),
    sloFailoverSeconds: first((v) => num(v.sloFailoverSeconds)),
    survivesRegionFailure: first((v) => bool(v.survivesRegionFailure)),
    externalEndpoints,
    sources: found.map((f) => f.stack),
  };
}





/** A declaration read from a stack: name and failover seconds required (a malformed one places nothing: fail closed). */
function pushEndpoint(out: ExternalEndpoint[], value: unknown, from: string): void {
  if (!isRecord(value)) return;
  const name = str(value.name);
  const seconds = num(value.failoverSeconds);
  if (!name || seconds === undefined || seconds <= 0) return;
  const jurisdiction = str(value.jurisdiction);
  out.push({ name: normalizeName(name), jurisdiction: jurisdiction && jurisdiction !== 'none' ? jurisdiction : undefined, failoverSeconds: seconds, declaredBy: str(value.declaredBy) ?? from });
}

export function strings(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
}

