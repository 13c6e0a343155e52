/*
 * Example snapshots a reviewer can read. Every example repeats the default example's per-region resources (VPC, ALB,
 * fleet, certificate...); what distinguishes it is its routing. A resource of an example is "the default's shape"
 * when, with region codes, service name, domain and construct-id hashes written as placeholders, its body equals the
 * body of the default example's resource of the same type and placeholder name for one of the default's regions.
 * Those are checked by equality (so they keep the coverage of the default's full snapshot); the routing resources
 * and every resource that differs from the default are snapshotted in full.
 */
import { readIntent } from '../../lib/analysis/input';
import type { StackInput } from '../../lib/analysis/model';
import type { TerraformJson } from '../../lib/util/synth-output';

/** Resource types that make up the routing of an example: always in its snapshot, never compared to the default. */
export const ROUTING_TYPES: readonly string[] = [
  'aws_route53_zone',
  'aws_route53_record',
  'aws_route53_health_check',
  'aws_route53_zone_association',
  'aws_route53_vpc_association_authorization',
  'aws_cloudwatch_metric_alarm',
];

export interface Placeholders {
  readonly regions: readonly string[];
  readonly service: string;
  readonly domain: string;
  /** Model slugs as fleets name them (`Fleet-<slug>`). */
  readonly models?: readonly string[];
}

/**
 * The placeholders of an app's stacks: regions, service and domain from the service intent, model slugs from the
 * fleets.
 */
export function placeholdersOf(stacks: readonly StackInput[]): Placeholders {
  const intent = readIntent(stacks);
  if (!intent.service || !intent.domain)
    throw new Error(`no service intent in stacks ${stacks.map((s) => s.name).join(', ')}`);
  return {
    regions: Object.keys(intent.regions),
    service: intent.service,
    domain: intent.domain,
    models: [...new Set(stacks.flatMap((s) => modelSlugs(s.json)))],
  };
}

/** The model slugs of a stack's fleets (`..._Fleet-<slug>_<hash>`), longest first. */
export function modelSlugs(json: TerraformJson): string[] {
  const slugs = new Set<string>();
  for (const byName of Object.values(json.resource ?? {})) {
    for (const name of Object.keys(byName as object)) {
      const m = /_Fleet-([a-z0-9-]+?)(?:_|$)/.exec(name);
      if (m) slugs.add(m[1]);
    }
  }
  return [...slugs].sort((a, b) => b.length - a.length);
}

/** Placeholder name and body of every resource: `type.name` with regions, service, domain and hashes replaced. */
export function placeholderResources(
  json: TerraformJson,
  p: Placeholders,
): Map<string, { address: string; body: string }> {
  const out = new Map<string, { address: string; body: string }>();
  for (const [type, byName] of Object.entries(json.resource ?? {})) {
    for (const [name, body] of Object.entries(byName as Record<string, unknown>)) {
      const key = `${type}.${placeholders(name, p)}`;
      const { '//': _metadata, ...config } = body as Record<string, unknown>;
      out.set(`${key}#${name}`, { address: `${type}.${name}`, body: placeholders(JSON.stringify(config), p) });
    }
  }
  return out;
}

/** Text with the example-specific parts replaced (longest region codes first, so `us-east-1` is not cut short). */
export function placeholders(text: string, p: Placeholders): string {
  let out = text.replace(/_[0-9A-F]{8}\b/g, '_<hash>');
  for (const r of [...p.regions].sort((a, b) => b.length - a.length)) {
    out = out.split(r).join('<region>').split(r.replace(/-/g, '_')).join('<region>');
  }
  for (const m of p.models ?? []) out = out.split(m).join('<model>');
  return out.split(p.domain).join('<domain>').split(p.service).join('<service>');
}

/** The placeholder key of a resource key (`type.name#original`). */
export function shapeKey(key: string): string {
  return key.slice(0, key.indexOf('#'));
}

/** Leaves of a JSON value by path (`a.b[0].c`). */
export function leaves(value: unknown, path = '', out = new Map<string, string>()): Map<string, string> {
  if (Array.isArray(value)) {
    if (value.length === 0) out.set(path, '[]');
    value.forEach((v, i) => leaves(v, `${path}[${i}]`, out));
  } else if (typeof value === 'object' && value !== null) {
    const entries = Object.entries(value);
    if (entries.length === 0) out.set(path, '{}');
    for (const [k, v] of entries) leaves(v, path ? `${path}.${k}` : k, out);
  } else out.set(path, JSON.stringify(value));
  return out;
}

/**
 * What differs between two placeholder bodies: the example's value per path, `<absent>` where only the default has
 * one. A base64 boot script is shown as the lines it adds (`+`) and drops (`-`), decoded.
 */
export function leafDiff(example: Map<string, string>, base: Map<string, string>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [path, v] of example) {
    const was = base.get(path);
    if (was === v) continue;
    out[path] =
      path === 'user_data' && was !== undefined
        ? scriptDiff(JSON.parse(v) as string, JSON.parse(was) as string)
        : (JSON.parse(v) as unknown);
  }
  for (const path of base.keys()) if (!example.has(path)) out[path] = '<absent>';
  return out;
}

function scriptDiff(mine: string, base: string): string[] {
  const decode = (b64: string) => Buffer.from(b64, 'base64').toString('utf8').split('\n');
  const [a, b] = [decode(mine), decode(base)];
  return [
    ...a.filter((l) => !b.includes(l)).map((l) => `+ ${l}`),
    ...b.filter((l) => !a.includes(l)).map((l) => `- ${l}`),
  ];
}

/**
 * The reviewable view of an example stack: routing resources and resources of types the default does not have, in
 * full; every other resource as the attributes in which it differs from the closest default resource of the same
 * placeholder name (nothing when it equals one). `sameShape` lists those equal to a default resource.
 */
export function distinctiveView(
  example: TerraformJson,
  exampleP: Placeholders,
  defaults: TerraformJson,
  defaultP: Placeholders,
): { sameShape: string[]; view: Record<string, unknown> } {
  const variants = new Map<string, Map<string, string>[]>();
  for (const [key, r] of placeholderResources(defaults, defaultP)) {
    const list = variants.get(shapeKey(key)) ?? [];
    list.push(leaves(JSON.parse(r.body)));
    variants.set(shapeKey(key), list);
  }
  const sameShape: string[] = [];
  const full: Record<string, Record<string, unknown>> = {};
  const differs: Record<string, Record<string, unknown>> = {};
  for (const [key, r] of placeholderResources(example, exampleP)) {
    const type = r.address.slice(0, r.address.indexOf('.'));
    const name = r.address.slice(type.length + 1);
    const bases = ROUTING_TYPES.includes(type) ? undefined : variants.get(shapeKey(key));
    if (!bases) {
      // The construct path and unique id repeat the address: left out of the view.
      const { '//': _metadata, ...body } = (
        example.resource as Record<string, Record<string, Record<string, unknown>>>
      )[type][name];
      (full[type] ??= {})[name] = body;
      continue;
    }
    const mine = leaves(JSON.parse(r.body));
    const diffs = bases.map((b) => leafDiff(mine, b)).sort((a, b) => Object.keys(a).length - Object.keys(b).length);
    if (Object.keys(diffs[0]).length === 0) sameShape.push(r.address);
    else differs[r.address] = diffs[0];
  }
  const { resource: _all, ...rest } = example as TerraformJson & Record<string, unknown>;
  return {
    sameShape,
    view: { ...rest, resource: full, 'differs from the default example (placeholder values)': differs },
  };
}
