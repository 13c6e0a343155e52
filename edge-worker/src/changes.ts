/*
 * Admin changes to the routing table as pure functions: what a change request asks for, applied to a table, with
 * every problem named. The table writer (writer.ts) runs them on the table it holds.
 */
import {
  hasOwn,
  validateRoutingTable,
  withEnabled,
  withWeights,
  type RoutingTable,
  type TableChange,
  type TableProblem,
} from '../../lib/edge-router/routing-table';

/** A change as the admin API received it (fields checked for presence and type by the admin handler). */
export type ChangeRequest =
  | { readonly action: 'set-weights'; readonly weights: unknown }
  | { readonly action: 'drain' | 'enable'; readonly backend: string }
  | { readonly action: 'rollback'; readonly version: unknown };

/** Who asked: the caller-supplied actor (x-router-actor) and the token id. */
export interface Who {
  readonly actor: string | null;
  readonly tokenId: string;
}

/** One entry per change, stored with its version. */
export interface AuditEntry {
  readonly version: number;
  readonly previousVersion: number | null;
  readonly at: string;
  /** The caller-supplied actor (x-router-actor), else the token id. */
  readonly who: string;
  readonly actor: string | null;
  readonly tokenId: string;
  readonly change: TableChange;
  readonly comment?: string;
  /** Field-level differences from the previous version. */
  readonly diff: readonly { path: string; from: unknown; to: unknown }[];
}

export type Applied =
  | { readonly table: RoutingTable; readonly change: TableChange }
  | { readonly problems: TableProblem[] };

/** The table's routing content after the change (models, backends, residency), or the problems that refuse it. */
export async function applyChange(
  current: RoutingTable,
  request: ChangeRequest,
  readVersion: (version: number) => Promise<RoutingTable | undefined>,
): Promise<Applied> {
  switch (request.action) {
    case 'set-weights': {
      const result = withWeights(current, request.weights);
      if (result.problems.length > 0) return { problems: result.problems };
      // Own properties only, copied into a fresh object: what the audit records is exactly what was applied.
      const weights: Record<string, number> = {};
      for (const [id, weight] of Object.entries(request.weights as Record<string, number>))
        if (hasOwn(current.backends, id)) weights[id] = weight;
      return { table: result.table, change: { action: 'set-weights', weights } };
    }
    case 'drain':
    case 'enable': {
      const result = withEnabled(current, request.backend, request.action === 'enable');
      if (result.problems.length > 0) return { problems: result.problems };
      return { table: result.table, change: { action: request.action, backend: request.backend } };
    }
    case 'rollback': {
      const version = request.version;
      if (typeof version !== 'number' || !Number.isInteger(version) || version < 1) {
        return {
          problems: [
            {
              path: 'version',
              message: 'must be the whole number of an earlier version (see GET /_router/versions)',
              received: JSON.stringify(version),
            },
          ],
        };
      }
      if (version === current.version)
        return {
          problems: [
            {
              path: 'version',
              message: 'is the current version; roll back to an earlier one',
              received: String(version),
            },
          ],
        };
      const target = await readVersion(version);
      if (!target)
        return {
          problems: [
            {
              path: 'version',
              message: 'must be an existing version (see GET /_router/versions)',
              received: String(version),
            },
          ],
        };
      const { models, backends, residency } = target;
      return { table: { ...current, models, backends, residency }, change: { action: 'rollback', toVersion: version } };
    }
  }
}

/**
 * The next version document and its audit entry, or the problems: the result must be a valid table and must change
 * something.
 */
export function nextVersion(
  current: RoutingTable,
  applied: { table: RoutingTable; change: TableChange },
  version: number,
  who: Who,
  comment: string | undefined,
  at: string,
): { next: RoutingTable; entry: AuditEntry } | { problems: TableProblem[] } {
  const updatedBy = who.actor ?? who.tokenId;
  const next: RoutingTable = {
    format: applied.table.format,
    version,
    previousVersion: current.version,
    updatedAt: at,
    updatedBy,
    change: applied.change,
    ...(comment !== undefined ? { comment } : {}),
    models: applied.table.models,
    backends: applied.table.backends,
    residency: applied.table.residency,
  };
  const problems = validateRoutingTable(next);
  if (problems.length > 0) return { problems };
  const diff = diffTables(current, next);
  if (diff.length === 0)
    return {
      problems: [
        { path: '(change)', message: `changes nothing: the table at version ${current.version} already says so` },
      ],
    };
  const entry: AuditEntry = {
    version,
    previousVersion: current.version,
    at,
    who: updatedBy,
    actor: who.actor,
    tokenId: who.tokenId,
    change: applied.change,
    ...(comment !== undefined ? { comment } : {}),
    diff,
  };
  return { next, entry };
}

/** Field-level differences between two tables (backends, models, residency). */
export function diffTables(a: RoutingTable, b: RoutingTable): { path: string; from: unknown; to: unknown }[] {
  const diff: { path: string; from: unknown; to: unknown }[] = [];
  for (const section of ['backends', 'models', 'residency'] as const) {
    const left = a[section] as unknown as Record<string, Record<string, unknown>>;
    const right = b[section] as unknown as Record<string, Record<string, unknown>>;
    for (const key of [...new Set([...Object.keys(left), ...Object.keys(right)])].sort()) {
      if (!hasOwn(left, key) || !hasOwn(right, key)) {
        diff.push({
          path: `${section}.${key}`,
          from: hasOwn(left, key) ? left[key] : null,
          to: hasOwn(right, key) ? right[key] : null,
        });
        continue;
      }
      for (const field of [...new Set([...Object.keys(left[key]), ...Object.keys(right[key])])].sort()) {
        if (JSON.stringify(left[key][field]) !== JSON.stringify(right[key][field]))
          diff.push({
            path: `${section}.${key}.${field}`,
            from: left[key][field] ?? null,
            to: right[key][field] ?? null,
          });
      }
    }
  }
  return diff;
}
