import type { TerraformJson } from '../util/synth-output';
import { isExpression, resourceBodies } from '../util/terraform-json';
import { parseRouterConfig, type RouterStrategy } from './router-config';
import { ROUTER_BINDINGS, ROUTER_KV_KEYS, validateRoutingTable, type RoutingTable } from './routing-table';

/**
 * An edge router as synthesized: the table Terraform writes (version 1), the Worker's routing settings and its
 * probe schedule. Shaped like the routing analysis' `BackendTable`, so an extractor is one line:
 *
 *   (context) => edgeRouterTables(context.stacks).map((t) => tableFrontDoor(context, t))
 *
 * It describes what is deployed; weights changed live through the admin API are not in the synthesized JSON.
 */
export interface SynthesizedEdgeRouter {
  /** `edge-router:<stack>/cloudflare_workers_kv.<name>` */
  readonly id: string;
  /** `Edge router <script name>` */
  readonly label: string;
  /** Terraform addresses of the table entry and the script. */
  readonly resources: readonly string[];
  readonly backends: readonly {
    readonly key: string;
    readonly host: string;
    readonly jurisdiction?: string;
    readonly weight: number;
    readonly enabled: boolean;
  }[];
  readonly residency: RoutingTable['residency'];
  readonly strategy: RouterStrategy;
  readonly attemptTimeoutMs: number;
  readonly maxAttempts: number;
  /** Seconds between probe runs, when the cron schedule is a plain every-N-minutes one. */
  readonly probeIntervalSeconds?: number;
  /** Readiness requests per backend per run: one per model it serves (the largest over the backends). */
  readonly probesPerRun?: number;
  /** Why the table cannot be read at synth: the analysis then treats the router as sending anyone anywhere. */
  readonly unreadable?: string;
  /** The whole table, for checks beyond the analysis model (absent when unreadable). */
  readonly table?: RoutingTable;
}

/**
 * Every edge router in synthesized stacks, found by its `table:current` KV entry. A table the analysis cannot read
 * (its value an expression, not JSON, or not a valid table) is returned with `unreadable` set and one placeholder
 * backend, so the proofs fail closed on it instead of skipping the router.
 */
export function edgeRouterTables(
  stacks: readonly { readonly name: string; readonly json: TerraformJson }[],
): SynthesizedEdgeRouter[] {
  const found: SynthesizedEdgeRouter[] = [];
  for (const stack of stacks) {
    const scripts = resourceBodies(stack.json, 'cloudflare_workers_script').map(
      ({ name, body }) => [name, body] as const,
    );
    const crons = resourceBodies(stack.json, 'cloudflare_workers_cron_trigger').map(({ body }) => body);
    for (const { name, body: entry } of resourceBodies(stack.json, 'cloudflare_workers_kv')) {
      // A key that is an expression might be the table's key.
      if (entry.key_name !== ROUTER_KV_KEYS.current && !isExpression(entry.key_name)) continue;
      const address = `cloudflare_workers_kv.${name}`;
      const id = `edge-router:${stack.name}/${address}`;
      const script = scripts.find(([, s]) =>
        bindingsOf(s).some(
          (b) => b.type === 'kv_namespace' && b.name === ROUTER_BINDINGS.kv && b.namespace_id === entry.namespace_id,
        ),
      );
      const resources = [address, ...(script ? [`cloudflare_workers_script.${script[0]}`] : [])];
      const label = `Edge router ${typeof script?.[1].script_name === 'string' ? script[1].script_name : name}`;
      const unreadable = tableProblem(entry);
      if (unreadable) {
        found.push({
          id,
          label,
          resources,
          backends: [{ key: 'unreadable-table', host: address, weight: 1, enabled: true }],
          residency: {},
          strategy: 'latency',
          attemptTimeoutMs: Number.POSITIVE_INFINITY,
          maxAttempts: 1,
          unreadable,
        });
        continue;
      }
      const table = JSON.parse(entry.value as string) as RoutingTable;
      const configText = script
        ? bindingsOf(script[1]).find((b) => b.name === ROUTER_BINDINGS.config)?.text
        : undefined;
      const { config } = parseRouterConfig(typeof configText === 'string' ? configText : undefined);
      const scriptRef = script ? `\${cloudflare_workers_script.${script[0]}.script_name}` : undefined;
      const cron = crons.find(
        (c) => c.script_name === scriptRef || (script && c.script_name === script[1].script_name),
      );
      const schedule = Array.isArray(cron?.schedules) ? (cron.schedules as { cron?: unknown }[])[0]?.cron : undefined;
      const interval = typeof schedule === 'string' ? cronIntervalSeconds(schedule) : undefined;
      found.push({
        id,
        label,
        resources,
        backends: Object.entries(table.backends).map(([key, b]) => ({
          key,
          host: b.url.replace(/^https?:\/\//, '').replace(/:\d+$/, ''),
          ...(b.jurisdiction ? { jurisdiction: b.jurisdiction } : {}),
          weight: b.weight,
          enabled: b.enabled,
        })),
        residency: table.residency,
        strategy: config.strategy,
        attemptTimeoutMs: config.attemptTimeoutMs,
        maxAttempts: config.maxAttempts,
        ...(interval !== undefined ? { probeIntervalSeconds: interval } : {}),
        ...(cron ? { probesPerRun: Math.max(...Object.values(table.backends).map((b) => b.models.length)) } : {}),
        table,
      });
    }
  }
  return found;
}

/** Why a `table:current` entry cannot be read at synth, or undefined when it is a valid table. */
function tableProblem(entry: Record<string, unknown>): string | undefined {
  if (isExpression(entry.key_name)) return `its key_name is not known at synth (${String(entry.key_name)})`;
  if (typeof entry.value !== 'string' || isExpression(entry.value))
    return `its value is not known at synth (${String(entry.value).slice(0, 80)})`;
  let table: unknown;
  try {
    table = JSON.parse(entry.value);
  } catch {
    return 'its value is not JSON';
  }
  const problems = validateRoutingTable(table as RoutingTable);
  return problems.length > 0
    ? `its value is not a valid routing table (${problems.slice(0, 3).join('; ')})`
    : undefined;
}

/** Seconds between runs of `* * * * *` (60) or `*\/N * * * *` (N x 60); undefined for other schedules. */
export function cronIntervalSeconds(cron: string): number | undefined {
  const fields = cron.trim().split(/\s+/);
  if (fields.length !== 5 || fields.slice(1).some((f) => f !== '*')) return undefined;
  if (fields[0] === '*') return 60;
  const step = /^\*\/(\d+)$/.exec(fields[0]);
  return step ? Number(step[1]) * 60 : undefined;
}

function bindingsOf(script: Record<string, unknown>): Record<string, unknown>[] {
  return Array.isArray(script.bindings) ? (script.bindings as Record<string, unknown>[]) : [];
}
