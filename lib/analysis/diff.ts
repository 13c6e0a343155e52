/*
 * `diff`: a routing-aware review of two synth outputs (or of a saved plan) as Markdown for a pull request:
 * replacements of live DNS records and health checks first, then weights, records, health checks, pools, where
 * traffic lands in normal operation, and the proofs before and after.
 *
 * Which attributes force replacement (read from the provider sources of the pinned versions):
 * - hashicorp/aws 5.100 `aws_route53_record`: `zone_id`, `name` are ForceNew. `type` and `set_identifier` are
 *   updated in place, by a DELETE + CREATE in one atomic Route53 change batch (provider 6.x made `type` ForceNew,
 *   issue hashicorp/terraform-provider-aws#43500); reported as "rewritten", not as a replacement.
 * - `aws_route53_health_check`: `type`, `request_interval`, `measure_latency`, `reference_name`,
 *   `routing_control_arn` are ForceNew; `fqdn`, `regions`, `failure_threshold`, children... update in place.
 * - `aws_route53_zone`: `name`, `delegation_set_id`; `aws_cloudwatch_metric_alarm`: `alarm_name`;
 *   `aws_lb`: `name`, `name_prefix`, `internal`, `load_balancer_type`.
 * - cloudflare/cloudflare 5.14: `cloudflare_load_balancer.zone_id`, `cloudflare_load_balancer_pool.account_id`,
 *   `cloudflare_load_balancer_monitor.account_id` (RequiresReplace).
 * A resource whose Terraform address changes (a construct id changed) is destroyed and created too.
 */
import { readFileSync } from 'node:fs';
import { analyzeRouting, type AnalysisOptions, type RoutingReport } from './analyze';
import { table } from './explain';
import { block, isRecord, loadStacks, normalizeDnsName, str, type AnalysisSource } from './input';
import { resourceBodies } from '../util/terraform-json';
import type { StackInput } from './model';
import { plural } from '../util/strings';
import { isRename, pairStacks, renameNotes, type StackPairing } from './stack-pairing';

/** Resource types the routing diff reviews; the edge router's table resources can be added by the caller. */
export const ROUTING_RESOURCE_TYPES: readonly string[] = [
  'aws_route53_record',
  'aws_route53_health_check',
  'aws_route53_zone',
  'aws_cloudwatch_metric_alarm',
  'aws_lb',
  'cloudflare_load_balancer',
  'cloudflare_load_balancer_pool',
  'cloudflare_load_balancer_monitor',
];

/** Attributes whose change replaces the resource (ForceNew / RequiresReplace), by type. */
export const FORCE_NEW_ATTRIBUTES: Readonly<Record<string, readonly string[]>> = {
  aws_route53_record: ['zone_id', 'name'],
  aws_route53_health_check: ['type', 'request_interval', 'measure_latency', 'reference_name', 'routing_control_arn'],
  aws_route53_zone: ['name', 'delegation_set_id'],
  aws_cloudwatch_metric_alarm: ['alarm_name'],
  aws_lb: ['name', 'name_prefix', 'internal', 'load_balancer_type'],
  cloudflare_load_balancer: ['zone_id'],
  cloudflare_load_balancer_pool: ['account_id'],
  cloudflare_load_balancer_monitor: ['account_id'],
};

/** Attributes updated in place but by deleting and re-creating the live object (atomically). */
export const REWRITE_ATTRIBUTES: Readonly<Record<string, readonly string[]>> = {
  aws_route53_record: ['type', 'set_identifier'],
};

export interface AttributeChange {
  readonly path: string;
  readonly before: unknown;
  readonly after: unknown;
}

/**
 * A change to one reviewed resource between two synth outputs, as {@link diffSynth} finds it (compared within a pair
 * of stacks, whatever each side's stack is called): created, deleted, updated in place, or replaced (an attribute of
 * `FORCE_NEW_ATTRIBUTES` changed).
 */
export interface ResourceChange {
  /** Terraform address, e.g. `aws_route53_record.Service_Route53Routing_Latency-root-ap-northeast-1_EB7C1239`. */
  readonly address: string;
  /** Resource type, e.g. `aws_route53_record`. */
  readonly type: string;
  /** The stack holding it: after the change, or before it for a delete. */
  readonly stack: string;
  readonly action: 'create' | 'delete' | 'update' | 'replace';
  /** The attributes that differ, flattened (`weighted_routing_policy.weight`); empty for a create or a delete. */
  readonly changes: readonly AttributeChange[];
  /** Why the change is dangerous (replacement of a live DNS record or health check, ...). */
  readonly danger?: string;
  /** For a delete paired with a create of the same live object under a new address. */
  readonly movedTo?: string;
  /** For a delete: its stack is no longer synthesized, so nothing deletes it (it stays deployed). */
  readonly stackRemoved?: boolean;
}

/**
 * What {@link diffSynth} found between two synth outputs: the stacks paired, the changes to routing resources
 * (dangerous ones first, then deletes, creates and updates, each by address), and the analysis of each side.
 */
export interface SynthDiff {
  /** The stacks before and after, paired by name and, across renames, by role. */
  readonly stacks: readonly StackPairing[];
  readonly changes: readonly ResourceChange[];
  /** The routing analysis of the output before. */
  readonly before: RoutingReport;
  /** The routing analysis of the output after. */
  readonly after: RoutingReport;
}

/**
 * Options of {@link diffSynth} and {@link diffRouting}: the analysis options both outputs are analysed with, and more
 * resource types to review.
 */
export interface DiffOptions extends AnalysisOptions {
  /** More resource types to review (e.g. the edge router's). */
  readonly extraTypes?: readonly string[];
}

/** Structured diff of the routing resources of two synth outputs, with both analyses. */
export function diffSynth(before: AnalysisSource, after: AnalysisSource, options: DiffOptions = {}): SynthDiff {
  const b = loadStacks(before);
  const a = loadStacks(after);
  const types = new Set([...ROUTING_RESOURCE_TYPES, ...(options.extraTypes ?? [])]);
  // Resources are compared within a pair of stacks (one state), whatever each side's stack is called.
  const stacks = pairStacks(b, a);
  const pairOf = (side: 'before' | 'after', name: string) => String(stacks.findIndex((p) => p[side] === name));
  const left = index(b, types, (name) => pairOf('before', name));
  const right = index(a, types, (name) => pairOf('after', name));
  const removed = new Set(stacks.filter((p) => p.after === undefined).map((p) => p.before));
  const changes: ResourceChange[] = [];
  for (const [key, r] of right) {
    const l = left.get(key);
    if (!l) {
      changes.push({ address: r.address, type: r.type, stack: r.stack, action: 'create', changes: [] });
      continue;
    }
    const diffs = diffValues(l.config, r.config);
    if (diffs.length === 0) continue;
    const forced = diffs.filter((d) => (FORCE_NEW_ATTRIBUTES[r.type] ?? []).includes(d.path.split(/[.[]/)[0]));
    const rewritten = diffs.filter((d) => (REWRITE_ATTRIBUTES[r.type] ?? []).includes(d.path.split(/[.[]/)[0]));
    changes.push({
      address: r.address,
      type: r.type,
      stack: r.stack,
      action: forced.length > 0 ? 'replace' : 'update',
      changes: diffs,
      danger:
        forced.length > 0
          ? `replaced: ${forced.map((d) => d.path).join(', ')} force${forced.length === 1 ? 's' : ''} a new ` +
            `${r.type}${dangerNote(r.type, r.config)}`
          : rewritten.length > 0
            ? `rewritten in place: ${rewritten.map((d) => d.path).join(', ')} changes the live record's identity ` +
              '(Route53 deletes and re-creates it in one change batch)'
            : undefined,
    });
  }
  for (const [key, l] of left)
    if (!right.has(key))
      changes.push({
        address: l.address,
        type: l.type,
        stack: l.stack,
        action: 'delete',
        changes: [],
        ...(removed.has(l.stack) ? { stackRemoved: true } : {}),
      });
  pairMoves(changes, left, right);
  changes.sort((x, y) => rank(x) - rank(y) || x.address.localeCompare(y.address));
  return { stacks, changes, before: analyzeRouting(b, options), after: analyzeRouting(a, options) };
}

/** The Markdown review of two synth outputs (and, when given, of a saved plan's `terraform show -json`). */
export function diffRouting(
  before: AnalysisSource,
  after: AnalysisSource,
  options: DiffOptions & { readonly plan?: PlanJson | string } = {},
): string {
  // Loaded once: the stacks are compared, paired and analysed from the same reading.
  const b = loadStacks(before);
  const a = loadStacks(after);
  const diff = diffSynth(b, a, options);
  const out: string[] = ['## Routing review', '', ...stackSection(diff, b, a)];
  const many = diff.stacks.length > 1;
  const where = (c: ResourceChange) => `\`${c.address}\`${many ? ` (${c.stack})` : ''}`;
  // A removed stack's resources are not deleted by anything: listed in their tables, not as dangerous.
  const dangerous = diff.changes.filter((c) => c.danger || (c.action === 'delete' && !c.stackRemoved));
  if (dangerous.length > 0) {
    out.push(
      `**${plural(dangerous.length, 'change')} ` +
        `replace${dangerous.length === 1 ? 's' : ''} or remove${dangerous.length === 1 ? 's' : ''} live DNS ` +
        'records, health checks or pools: review before applying.**',
      '',
    );
    out.push(
      ...table(
        ['resource', 'change', 'why it matters'],
        dangerous.map((c) => [
          where(c),
          c.movedTo ? 'delete + create (address changed)' : c.action,
          c.danger ?? deleteNote(c),
        ]),
        100,
      ),
    );
  } else {
    out.push('No live DNS record, health check or pool is replaced or removed.');
  }
  out.push(...weightSection(diff));
  for (const [type, title] of [
    ['aws_route53_record', 'Records'],
    ['aws_route53_health_check', 'Health checks'],
    ['aws_cloudwatch_metric_alarm', 'Capacity alarms'],
    ['aws_route53_zone', 'Zones'],
    ['aws_lb', 'Load balancers'],
    ['cloudflare_load_balancer', 'Cloudflare load balancers'],
    ['cloudflare_load_balancer_pool', 'Cloudflare pools'],
    ['cloudflare_load_balancer_monitor', 'Cloudflare monitors'],
    ...(options.extraTypes ?? []).map((t) => [t, t]),
  ] as const) {
    const changes = diff.changes.filter((c) => c.type === type);
    if (changes.length === 0) continue;
    out.push('', `### ${title}`, '');
    out.push(
      ...table(
        ['resource', 'change', 'details'],
        changes.map((c) => [where(c), c.action, details(c)]),
        60,
      ),
    );
  }
  out.push(...landingSection(diff.before, diff.after));
  out.push('', '### Proofs', '');
  out.push(
    ...table(
      ['proof', 'before', 'after'],
      diff.after.proofs.map((p) => {
        const was = diff.before.proofs.find((q) => q.name === p.name);
        return [p.name, was ? status(was.violations.length) : '-', status(p.violations.length)];
      }),
      10,
    ),
  );
  const fresh = diff.after.violations.filter((v) => !diff.before.violations.some((w) => w.message === v.message));
  if (fresh.length > 0) out.push('', 'New violations:', '', ...fresh.map((v) => `- ${v.message}`));
  if (options.plan !== undefined) out.push('', ...planReview(options.plan));
  return out.join('\n');
}

/** The stacks compared, and what a renamed, added or removed stack means; empty when every stack kept its name. */
function stackSection(diff: SynthDiff, b: readonly StackInput[], a: readonly StackInput[]): string[] {
  if (diff.stacks.every((p) => p.before === p.after)) return [];
  const out = ['### Stacks', ''];
  for (const pair of diff.stacks) {
    if (isRename(pair)) {
      const was = b.find((s) => s.name === pair.before)!;
      const is = a.find((s) => s.name === pair.after)!;
      const resources = Object.values(is.json.resource ?? {}).reduce((n, byName) => n + Object.keys(byName).length, 0);
      out.push(...renameNotes(pair, was, is, resources), '');
    } else if (pair.before === undefined) {
      out.push(`- \`${pair.after}\` (${pair.role}) is a new stack: everything in it is created.`);
    } else if (pair.after === undefined) {
      out.push(
        `- \`${pair.before}\` (${pair.role}) is no longer synthesized: nothing deletes its resources; destroy it ` +
          `(\`cdktf destroy ${pair.before}\`) before removing it from the app, or they stay deployed.`,
      );
    } else out.push(`- \`${pair.after}\` (${pair.role}): same stack.`);
  }
  return [...out, ''];
}

// ---------------------------------------------------------------------------------------------------------------
// Plans

/** The parts of `terraform show -json <planfile>` the review reads. */
export interface PlanJson {
  readonly resource_changes?: readonly {
    readonly address: string;
    readonly type: string;
    readonly name?: string;
    readonly change: {
      readonly actions: readonly string[];
      readonly before?: unknown;
      readonly after?: unknown;
      readonly replace_paths?: readonly (readonly (string | number)[])[];
    };
    readonly action_reason?: string;
  }[];
}

/**
 * One resource change of a saved plan (`terraform show -json <planfile>`), as {@link planChanges} reads it (no-op and
 * read actions are left out).
 */
export interface PlanChange {
  readonly address: string;
  readonly type: string;
  /** Terraform's actions, e.g. `['update']`, `['delete', 'create']`. */
  readonly actions: readonly string[];
  /** Deleted and created, in either order: a replacement. */
  readonly replace: boolean;
  /** The attributes Terraform says force the replacement (its `replace_paths`), dotted: `name`, `alias.0.name`. */
  readonly replacePaths: readonly string[];
  /** Of a type the review treats as routing ({@link ROUTING_RESOURCE_TYPES}, plus the `extraTypes` asked for). */
  readonly routing: boolean;
}

/** Changes of a plan, replacements (delete + create in either order) flagged. */
export function planChanges(plan: PlanJson | string, extraTypes: readonly string[] = []): PlanChange[] {
  const json: PlanJson = typeof plan === 'string' ? (JSON.parse(readFileSync(plan, 'utf8')) as PlanJson) : plan;
  const types = new Set([...ROUTING_RESOURCE_TYPES, ...extraTypes]);
  return (json.resource_changes ?? [])
    .filter(
      (c) => !(c.change.actions.length === 1 && (c.change.actions[0] === 'no-op' || c.change.actions[0] === 'read')),
    )
    .map((c) => ({
      address: c.address,
      type: c.type,
      actions: c.change.actions,
      replace: c.change.actions.includes('delete') && c.change.actions.includes('create'),
      replacePaths: (c.change.replace_paths ?? []).map((p) => p.join('.')),
      routing: types.has(c.type),
    }));
}

/** Markdown section for a plan: replacements of routing resources first. */
export function planReview(plan: PlanJson | string, extraTypes: readonly string[] = []): string[] {
  const changes = planChanges(plan, extraTypes);
  const out = ['### Plan'];
  const replaced = changes.filter((c) => c.replace && c.routing);
  const deleted = changes.filter((c) => !c.replace && c.routing && c.actions.includes('delete'));
  out.push('');
  if (replaced.length + deleted.length > 0) {
    out.push(
      `**The plan replaces ${replaced.length} and deletes ${deleted.length} routing ` +
        `resource${replaced.length + deleted.length === 1 ? '' : 's'}.**`,
      '',
    );
    out.push(
      ...table(
        ['resource', 'actions', 'forced by'],
        [...replaced, ...deleted].map((c) => [
          `\`${c.address}\``,
          c.actions.join(' + '),
          c.replacePaths.join(', ') || (c.replace ? '(not reported)' : '-'),
        ]),
        100,
      ),
    );
  } else out.push('The plan replaces and deletes no routing resource.');
  const other = changes.filter((c) => c.routing && !c.replace && !c.actions.includes('delete'));
  if (other.length > 0)
    out.push(
      '',
      ...table(
        ['resource', 'actions'],
        other.map((c) => [`\`${c.address}\``, c.actions.join(' + ')]),
        60,
      ),
    );
  const nonRouting = changes.filter((c) => !c.routing);
  if (nonRouting.length > 0)
    out.push(
      '',
      `Other changes: ${nonRouting.length} (${plural(nonRouting.filter((c) => c.replace).length, 'replacement')}).`,
    );
  return out;
}

// ---------------------------------------------------------------------------------------------------------------
// helpers

interface Indexed {
  readonly key: string;
  readonly address: string;
  readonly type: string;
  readonly stack: string;
  readonly config: Record<string, unknown>;
}

/** The reviewed resources, keyed by `<stack pair>|<address>`: the same key for one resource of one state. */
function index(
  stacks: readonly StackInput[],
  types: ReadonlySet<string>,
  pairOf: (stack: string) => string,
): Map<string, Indexed> {
  const out = new Map<string, Indexed>();
  for (const stack of stacks) {
    for (const type of types) {
      for (const { name, body } of resourceBodies(stack.json, type)) {
        const { '//': _comment, ...config } = body;
        const address = `${type}.${name}`;
        const key = `${pairOf(stack.name)}|${address}`;
        out.set(key, { key, address, type, stack: stack.name, config });
      }
    }
  }
  return out;
}

/** Flattened differences between two configs (`weighted_routing_policy.weight: 100 -> 50`). */
export function diffValues(before: unknown, after: unknown, path = ''): AttributeChange[] {
  if (JSON.stringify(before) === JSON.stringify(after)) return [];
  if (isRecord(before) && isRecord(after)) {
    const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort();
    return keys.flatMap((k) => diffValues(before[k], after[k], path ? `${path}.${k}` : k));
  }
  if (
    Array.isArray(before) &&
    Array.isArray(after) &&
    before.length === after.length &&
    before.every((v) => isRecord(v))
  ) {
    return before.flatMap((v, i) => diffValues(v, after[i], `${path}[${i}]`));
  }
  return [{ path, before, after }];
}

/**
 * A deleted record and a created one of the same state that are the same live object (same record identity) are a
 * move: a `moved` block keeps it. (Across states a `moved` block does nothing; a renamed stack's state is moved whole.)
 */
function pairMoves(changes: ResourceChange[], left: Map<string, Indexed>, right: Map<string, Indexed>): void {
  const identity = (r: Indexed) =>
    r.type === 'aws_route53_record'
      ? `${r.key.split('|')[0]}|${JSON.stringify(r.config.zone_id)}|${normalizeDnsName(str(r.config.name) ?? '')}|` +
        `${str(r.config.type)}|${str(r.config.set_identifier) ?? ''}`
      : undefined;
  const find = (side: Map<string, Indexed>, c: ResourceChange) =>
    [...side.values()].find((r) => r.stack === c.stack && r.address === c.address);
  const created = changes.filter((c) => c.action === 'create').map((c) => ({ change: c, resource: find(right, c) }));
  for (let i = 0; i < changes.length; i++) {
    const c = changes[i];
    if (c.action !== 'delete') continue;
    const l = find(left, c);
    const id = l && identity(l);
    if (!id) continue;
    const twin = created.find((n) => n.resource && identity(n.resource) === id)?.change;
    if (twin) {
      changes[i] = {
        ...c,
        movedTo: twin.address,
        danger:
          `address changed to ${twin.address} (a construct id changed): Terraform deletes the live record and ` +
          'creates it again — the name can go unanswered in between; add a `moved` block ' +
          `(cdktf: \`moveFromId('${c.address}')\` on the new record)`,
      };
    }
  }
}

function dangerNote(type: string, config: Record<string, unknown>): string {
  if (type === 'aws_route53_health_check')
    return (
      ': records referencing it switch to a new health check whose status starts over; with ' +
      'create_before_destroy the old one is deleted after'
    );
  if (type === 'aws_route53_record')
    return (
      `: ${str(config.name) ?? 'the name'} is deleted and created ` +
      `again${block(config.lifecycle)?.create_before_destroy ? '' : ' (a window without this answer)'}`
    );
  if (type === 'aws_lb') return ': a new load balancer gets a new DNS name; aliases follow only after apply';
  if (type === 'cloudflare_load_balancer') return ': the hostname is unbalanced until the new load balancer exists';
  return '';
}

function deleteNote(c: ResourceChange): string {
  if (c.stackRemoved)
    return (
      `stack ${c.stack} is no longer synthesized: nothing deletes this, it stays deployed until that stack is ` +
      'destroyed'
    );
  if (c.type === 'aws_route53_record') return 'a live answer disappears';
  if (c.type === 'aws_route53_health_check')
    return 'records that used it lose their health signal (or the plan fails while they still reference it)';
  return 'removed';
}

function rank(c: ResourceChange): number {
  return c.danger ? 0 : c.action === 'delete' ? 1 : c.action === 'create' ? 2 : 3;
}

function details(c: ResourceChange): string {
  if (c.movedTo) return `moved to \`${c.movedTo}\``;
  if (c.stackRemoved) return deleteNote(c);
  if (c.action === 'create' || c.action === 'delete') return '';
  const shown = c.changes.slice(0, 6).map((d) => `${d.path}: ${fmt(d.before)} → ${fmt(d.after)}`);
  return `${shown.join('<br>')}${c.changes.length > 6 ? `<br>+${c.changes.length - 6} more` : ''}`;
}

function fmt(v: unknown): string {
  if (v === undefined) return '(unset)';
  const s = JSON.stringify(v);
  return s.length > 80 ? `${s.slice(0, 77)}...` : s;
}

function status(violations: number): string {
  return violations === 0 ? 'pass' : `**fail** (${violations})`;
}

/** Weighted records: weight and share of their set, before and after. */
function weightSection(diff: SynthDiff): string[] {
  const sets = (r: RoutingReport) => {
    const out = new Map<string, Map<string, number>>();
    for (const list of r.graph.route53.sets.values()) {
      const weighted = list.filter((x) => x.policy.kind === 'weighted');
      if (weighted.length === 0) continue;
      out.set(
        list[0].name,
        new Map(
          weighted.map((x) => [x.setIdentifier ?? x.address, x.policy.kind === 'weighted' ? x.policy.weight : 0]),
        ),
      );
    }
    return out;
  };
  const b = sets(diff.before);
  const a = sets(diff.after);
  const rows: string[][] = [];
  for (const name of [...new Set([...b.keys(), ...a.keys()])].sort()) {
    const wb = b.get(name) ?? new Map<string, number>();
    const wa = a.get(name) ?? new Map<string, number>();
    const tb = [...wb.values()].reduce((s, w) => s + w, 0);
    const ta = [...wa.values()].reduce((s, w) => s + w, 0);
    for (const id of [...new Set([...wb.keys(), ...wa.keys()])].sort()) {
      const x = wb.get(id);
      const y = wa.get(id);
      if (x === y && tb === ta) continue;
      const share = (w: number | undefined, t: number) =>
        w === undefined ? '-' : t > 0 ? `${Math.round((w / t) * 1000) / 10}%` : '-';
      rows.push([
        name,
        id,
        x === undefined ? '-' : String(x),
        y === undefined ? '-' : String(y),
        `${share(x, tb)} → ${share(y, ta)}`,
      ]);
    }
  }
  return rows.length > 0
    ? [
        '',
        '### Weights',
        '',
        ...table(['record set', 'set identifier', 'weight before', 'weight after', 'share'], rows, 60),
      ]
    : [];
}

/** Client groups whose normal-operation landing changes. */
function landingSection(before: RoutingReport, after: RoutingReport): string[] {
  const key = (r: RoutingReport) =>
    new Map(r.answers.filter((a) => a.scenario.kind === 'normal').map((a) => [`${a.frontDoor}|${a.client.id}`, a]));
  const b = key(before);
  const a = key(after);
  const describe = (
    x: { landings: readonly { region?: string; endpoint: string; share: number; possible?: string }[] } | undefined,
  ) =>
    x
      ? x.landings
          .filter((l) => !l.possible && l.share > 0)
          .map((l) => `${l.region ?? l.endpoint}${l.share < 1 ? ` ${Math.round(l.share * 100)}%` : ''}`)
          .sort()
          .join(' · ') || 'no answer'
      : 'not routed';
  const grouped = new Map<string, string[]>();
  for (const k of new Set([...b.keys(), ...a.keys()])) {
    const was = describe(b.get(k));
    const now = describe(a.get(k));
    if (was === now) continue;
    const [frontDoor] = k.split('|');
    const label = (a.get(k) ?? b.get(k))!.client.label;
    const g = `${frontDoor}|${was}|${now}`;
    grouped.set(g, [...(grouped.get(g) ?? []), label]);
  }
  if (grouped.size === 0)
    return ['', '### Where traffic lands', '', 'Normal operation: no client group changes region.'];
  return [
    '',
    '### Where traffic lands (normal operation)',
    '',
    ...table(
      ['front door', 'client groups', 'before', 'after'],
      [...grouped].map(([g, clients]) => {
        const [frontDoor, was, now] = g.split('|');
        return [
          frontDoor,
          clients.length <= 6 ? clients.join(', ') : `${clients.slice(0, 6).join(', ')} +${clients.length - 6}`,
          was,
          now,
        ];
      }),
      60,
    ),
  ];
}
