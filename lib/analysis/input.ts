/*
 * Reading synthesized stacks: from a cdktf output directory, from an in-memory app, or from JSON objects; and the
 * small helpers every reader needs (resource listing, `${type.name.attr}` references, the service intent).
 */
import type { ResidencyClientGroup } from '../spec/residency';
import { existsSync, statSync } from 'node:fs';
import { TerraformStack } from '../util/cdktf';
import type { IConstruct } from 'constructs';
import { readSynthOutput, type TerraformJson } from '../util/synth-output';
import type { ServiceIntent, StackInput } from './model';
import {
  block,
  blocks,
  bool,
  isExpression,
  isRecord,
  num,
  resourceBodies,
  str,
  stringElements,
} from '../util/terraform-json';
import { normalizeDnsName } from '../util/dns-name';
import {
  readExternalEndpoints,
  readServiceIntent,
  SERVICE_INTENT_KEY,
  ServiceIntentError,
  type ServiceIntentDocument,
} from '../intent/service-intent';

export { block, blocks, bool, isExpression, isRecord, num, str, stringElements, normalizeDnsName };

/** What the analysis can read: a cdktf output directory, an app (or any construct holding stacks), or stack JSON. */
export type AnalysisSource = string | IConstruct | readonly StackInput[];

/**
 * The stacks of a source. An app is read in memory (`toTerraform()` of each stack: escape hatches and overrides
 * included; aspects run only during `app.synth()`, so analyse the output directory when an aspect edits routing).
 */
export function loadStacks(source: AnalysisSource): StackInput[] {
  if (typeof source === 'string') {
    if (!existsSync(source) || !statSync(source).isDirectory())
      throw new Error(`${source} is not a cdktf output directory (run a synth first)`);
    return readSynthOutput(source).map((s) => ({ name: s.name, json: s.json }));
  }
  if (Array.isArray(source)) return [...(source as readonly StackInput[])];
  const root = source as IConstruct;
  const stacks = TerraformStack.isStack(root)
    ? [root]
    : root.node.findAll().filter((c): c is TerraformStack => TerraformStack.isStack(c));
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
  return stacks.flatMap((stack) =>
    resourceBodies(stack.json, type).map(({ name, body }) => {
      const { '//': _comment, ...config } = body;
      return { type, name, address: `${type}.${name}`, stack: stack.name, config };
    }),
  );
}

/**
 * `${aws_lb.Foo.dns_name}` -> { type: aws_lb, name: Foo, attribute: dns_name }, for the first reference in a string.
 */
export function parseRef(value: unknown): { type: string; name: string; attribute: string } | undefined {
  if (typeof value !== 'string') return undefined;
  const match = /\$\{\s*([a-z0-9_]+)\.([A-Za-z0-9_-]+)\.([a-z0-9_]+)[^}]*\}/.exec(value);
  return match ? { type: match[1], name: match[2], attribute: match[3] } : undefined;
}

/**
 * The provider alias region map of a stack's AWS providers: `aws.eu-west-1` -> `eu-west-1`, `aws` -> default region.
 */
export function awsProviderRegions(stacks: readonly StackInput[]): Map<string, string> {
  const out = new Map<string, string>();
  for (const stack of stacks) {
    // Terraform JSON writes one provider block as an object and several as a list (at either level): read both.
    for (const config of blocks(stack.json.provider).flatMap((p) => blocks(p.aws))) {
      const region = str(config.region);
      if (region === undefined || isExpression(config.region)) continue;
      const key = typeof config.alias === 'string' ? `${stack.name}|aws.${config.alias}` : `${stack.name}|aws`;
      out.set(key, region);
    }
  }
  return out;
}

/**
 * The service intent of the stacks, merged (the first stack wins a conflict), with every external endpoint
 * declaration they carry. An intent that cannot be read is refused: reading around it would drop the jurisdictions
 * and residency groups the proofs check, and pass what they cannot see.
 */
export function readIntent(stacks: readonly StackInput[]): ServiceIntent {
  const found: { stack: string; intent: ServiceIntentDocument }[] = [];
  for (const stack of stacks) {
    const reading = readServiceIntent(stack.json);
    if (reading.status === 'invalid') {
      throw new ServiceIntentError(
        `stack ${stack.name}: the service intent (//.${SERVICE_INTENT_KEY}) cannot be read: ` +
          `${reading.problems.join('; ')}`,
      );
    }
    if (reading.status === 'present') found.push({ stack: stack.name, intent: reading.intent });
  }
  const first = <T>(pick: (intent: ServiceIntentDocument) => T | undefined): T | undefined =>
    found.map((f) => pick(f.intent)).find((v) => v !== undefined);
  const regions: Record<string, { jurisdiction?: string; hostname?: string }> = {};
  const residency: Record<string, ResidencyClientGroup> = {};
  for (const { intent } of [...found].reverse()) {
    for (const [code, r] of Object.entries(intent.regions))
      regions[code] = { jurisdiction: r.jurisdiction, hostname: r.hostname };
    for (const [key, g] of Object.entries(intent.residency))
      residency[key] = { countries: g.countries, continents: g.continents };
  }
  const health = first((i) => i.health);
  return {
    service: first((i) => i.service),
    domain: first((i) => i.domain),
    routingDomain: first((i) => i.routingDomain),
    frontDoor: first((i) => i.frontDoor),
    routingMode: first((i) => i.routingMode),
    regions,
    residency,
    health: health ? { intervalSeconds: health.intervalSeconds, failureThreshold: health.failureThreshold } : undefined,
    cloudflarePlan: first((i) => i.cloudflarePlan),
    sloFailoverSeconds: first((i) => i.sloFailoverSeconds),
    survivesRegionFailure: first((i) => i.survivesRegionFailure),
    externalEndpoints: stacks.flatMap((stack) => readExternalEndpoints(stack.json, stack.name)),
    sources: found.map((f) => f.stack),
  };
}
