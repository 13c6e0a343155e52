/*
 * The admin API under /_router/: read the table, its versions and the audit log; set weights, drain or enable a
 * backend, roll back to an earlier version. Every change is authenticated (bearer token, constant-time compare),
 * validated against the same rules as the initial table, written as a new immutable version plus an audit entry,
 * and only then made current. A request that fails any check writes nothing.
 *
 * KV has no compare-and-set: two admins changing the table within the same second from different locations can
 * race (the later pointer write wins; both versions and audit entries remain). `expectedVersion` lets a caller
 * refuse to apply a change on top of a table it has not seen.
 */
import {
  MIN_ADMIN_TOKEN_LENGTH,
  ROUTER_ACTOR_HEADER,
  ROUTER_KV_KEYS,
  auditKey,
  validateRoutingTable,
  versionKey,
  versionOfKey,
  withEnabled,
  withWeights,
  type RoutingTable,
  type TableChange,
  type TableProblem,
} from '../../lib/edge-router/routing-table';
import { constantTimeEqual, tokenId } from './auth';
import type { HealthBoard, ProbeSnapshot } from './health';
import { json, logLine, openAiError, parseJsonObject } from './http';
import type { TableStore } from './table-store';

const ACTOR_PATTERN = /^[\w .@:/+-]{1,100}$/;

export interface AdminContext {
  readonly kv: KVNamespace;
  readonly store: TableStore;
  readonly board: HealthBoard;
  readonly adminToken: string | undefined;
}

/** One entry per change, under its own key (`audit:<version>`). */
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

// Changes are serialised within an isolate so two concurrent calls cannot both build on the same version here.
let writeQueue: Promise<unknown> = Promise.resolve();

export async function handleAdmin(request: Request, url: URL, admin: AdminContext): Promise<Response> {
  const auth = await authenticate(request, admin.adminToken);
  if (auth instanceof Response) return auth;
  const actorHeader = request.headers.get(ROUTER_ACTOR_HEADER);
  if (actorHeader !== null && !ACTOR_PATTERN.test(actorHeader)) {
    return openAiError(400, `${ROUTER_ACTOR_HEADER} must be 1-100 characters of letters, digits, space and . @ : / + - _`, 'invalid_request_error', 'invalid_actor', { param: ROUTER_ACTOR_HEADER });
  }
  const who = { actor: actorHeader, tokenId: auth.tokenId };
  const path = url.pathname.replace(/\/+$/, '');
  const method = request.method;
  const route = (allowed: string, handler: () => Promise<Response>): Promise<Response> | Response =>
    method === allowed
      ? handler()
      : openAiError(405, `Method ${method} is not allowed on ${path}; use ${allowed}`, 'invalid_request_error', 'method_not_allowed', { headers: { allow: allowed } });

  if (path === '/_router/table') return route('GET', async () => readCurrent(admin));
  if (path === '/_router/versions') return route('GET', async () => listVersions(admin.kv, limitOf(url)));
  const versionMatch = /^\/_router\/versions\/(\d{1,10})$/.exec(path);
  if (versionMatch) return route('GET', async () => readVersion(admin.kv, Number(versionMatch[1])));
  if (path === '/_router/audit') return route('GET', async () => listAudit(admin.kv, limitOf(url)));
  if (path === '/_router/health') return route('GET', async () => readHealth(admin));
  if (path === '/_router/weights') {
    return route('PUT', () =>
      change(request, admin, who, ['weights'], (table, body) => {
        const result = withWeights(table, body.weights);
        const weights = typeof body.weights === 'object' && body.weights !== null ? (body.weights as Record<string, number>) : {};
        return { ...result, change: { action: 'set-weights', weights } };
      }),
    );
  }
  const backendMatch = /^\/_router\/backends\/([^/]+)\/(drain|enable)$/.exec(path);
  if (backendMatch) {
    const [, id, action] = backendMatch;
    return route('POST', () =>
      change(request, admin, who, [], (table) => ({ ...withEnabled(table, decodeURIComponent(id), action === 'enable'), change: { action: action as 'drain' | 'enable', backend: decodeURIComponent(id) } })),
    );
  }
  if (path === '/_router/rollback') {
    return route('POST', () =>
      change(request, admin, who, ['version'], async (table, body) => {
        if (typeof body.version !== 'number' || !Number.isInteger(body.version) || body.version < 1) {
          return { table, problems: [{ path: 'version', message: 'must be the whole number of an earlier version (see GET /_router/versions)', received: JSON.stringify(body.version) }] };
        }
        if (body.version === table.version) {
          return { table, problems: [{ path: 'version', message: `is the current version; roll back to an earlier one`, received: String(body.version) }] };
        }
        const target = await admin.kv.get<RoutingTable>(versionKey(body.version), 'json');
        if (!target) return { table, problems: [{ path: 'version', message: 'must be an existing version (see GET /_router/versions)', received: String(body.version) }] };
        const { models, backends, residency } = target;
        return { table: { ...table, models, backends, residency }, problems: [], change: { action: 'rollback', toVersion: body.version } };
      }),
    );
  }
  return openAiError(404, `Unknown admin path ${path}; see /_router/table, /_router/versions, /_router/audit, /_router/health, /_router/weights, /_router/backends/<id>/drain|enable, /_router/rollback`, 'not_found_error', 'not_found');
}

async function authenticate(request: Request, token: string | undefined): Promise<{ tokenId: string } | Response> {
  if (!token || token.length < MIN_ADMIN_TOKEN_LENGTH) {
    return openAiError(503, `The admin API is disabled: the ADMIN_TOKEN secret is not set or shorter than ${MIN_ADMIN_TOKEN_LENGTH} characters`, 'server_error', 'admin_disabled');
  }
  const header = request.headers.get('authorization') ?? '';
  const match = /^Bearer\s+(\S+)$/i.exec(header);
  if (!match || !(await constantTimeEqual(match[1], token))) {
    return openAiError(401, 'A valid admin token is required: Authorization: Bearer <token>', 'authentication_error', 'invalid_token', { headers: { 'www-authenticate': 'Bearer realm="edge-router"' } });
  }
  return { tokenId: await tokenId(token) };
}

type Mutation = (
  table: RoutingTable,
  body: Record<string, unknown>,
) => { table: RoutingTable; problems: TableProblem[]; change?: TableChange } | Promise<{ table: RoutingTable; problems: TableProblem[]; change?: TableChange }>;

/** Validates and applies one change; see the file comment for the write order and its guarantees. */
async function change(request: Request, admin: AdminContext, who: { actor: string | null; tokenId: string }, fields: string[], mutate: Mutation): Promise<Response> {
  const text = await request.text();
  const body = text.trim() === '' ? {} : parseJsonObject(new TextEncoder().encode(text).buffer as ArrayBuffer);
  if (!body) return invalid([{ path: '(body)', message: 'must be a JSON object' }]);
  const allowed = [...fields, 'expectedVersion', 'comment'];
  const unknown = Object.keys(body).filter((k) => !allowed.includes(k));
  const problems: TableProblem[] = unknown.map((k) => ({ path: k, message: `is not a known field; allowed: ${allowed.join(', ')}` }));
  for (const field of fields) if (!(field in body)) problems.push({ path: field, message: 'is required' });
  if (body.expectedVersion !== undefined && (typeof body.expectedVersion !== 'number' || !Number.isInteger(body.expectedVersion))) {
    problems.push({ path: 'expectedVersion', message: 'must be the whole-number version the change is based on', received: JSON.stringify(body.expectedVersion) });
  }
  if (body.comment !== undefined && (typeof body.comment !== 'string' || body.comment.length > 500)) {
    problems.push({ path: 'comment', message: 'must be text of at most 500 characters', received: JSON.stringify(body.comment)?.slice(0, 80) });
  }
  if (problems.length > 0) return invalid(problems);

  const run = writeQueue.then(async () => {
    const current = await admin.store.refresh(Date.now());
    if (!current) return openAiError(503, 'There is no routing table in KV yet (has Terraform written it?)', 'server_error', 'no_table');
    if (body.expectedVersion !== undefined && body.expectedVersion !== current.version) {
      return openAiError(409, `The table is at version ${current.version}, not ${String(body.expectedVersion)}; read it again and retry`, 'conflict_error', 'version_conflict', {
        extra: { currentVersion: current.version },
      });
    }
    const result = await mutate(current, body);
    if (result.problems.length > 0) return invalid(result.problems);
    const version = (await latestVersion(admin.kv, current.version)) + 1;
    const at = new Date().toISOString();
    const changeRecord = result.change ?? { action: 'set-weights' };
    const next: RoutingTable = {
      format: result.table.format,
      version,
      previousVersion: current.version,
      updatedAt: at,
      updatedBy: who.actor ?? who.tokenId,
      change: changeRecord,
      ...(typeof body.comment === 'string' ? { comment: body.comment } : {}),
      models: result.table.models,
      backends: result.table.backends,
      residency: result.table.residency,
    };
    const tableProblems = validateRoutingTable(next);
    if (tableProblems.length > 0) return invalid(tableProblems);
    const diff = diffTables(current, next);
    if (diff.length === 0) return invalid([{ path: '(change)', message: `changes nothing: the table at version ${current.version} already says so` }]);
    const entry: AuditEntry = {
      version,
      previousVersion: current.version,
      at,
      who: next.updatedBy,
      actor: who.actor,
      tokenId: who.tokenId,
      change: changeRecord,
      ...(next.comment ? { comment: next.comment } : {}),
      diff,
    };
    // Order: the immutable version first (harmless if the rest fails), then the pointer, then the audit entry.
    // The version document itself records who/when/what, so history survives a failed audit write.
    const serialized = JSON.stringify(next);
    try {
      await admin.kv.put(versionKey(version), serialized, { metadata: { updatedAt: at, updatedBy: next.updatedBy, action: changeRecord.action } });
      await admin.kv.put(ROUTER_KV_KEYS.current, serialized);
    } catch (error) {
      logLine({ event: 'admin-write-failed', version, error: String(error) });
      return openAiError(503, `The change was not applied: writing to KV failed (${String(error)}); KV allows one write per second per key, retry shortly`, 'server_error', 'write_failed');
    }
    admin.store.wrote(next, Date.now());
    let auditWritten = true;
    try {
      await admin.kv.put(auditKey(version), JSON.stringify(entry));
    } catch (error) {
      auditWritten = false;
      logLine({ event: 'audit-write-failed', version, error: String(error) });
    }
    logLine({ event: 'admin-change', ...entry });
    return json(200, { table: next, audit: entry, ...(auditWritten ? {} : { warning: 'applied, but the audit entry could not be written; the version document records the change' }) });
  });
  writeQueue = run.catch(() => undefined);
  return run;
}

/** The highest version number in KV (or `atLeast`), so a new version never overwrites an existing one. */
async function latestVersion(kv: KVNamespace, atLeast: number): Promise<number> {
  let latest = atLeast;
  let cursor: string | undefined;
  do {
    const page: KVNamespaceListResult<unknown, string> = await kv.list({ prefix: ROUTER_KV_KEYS.versionPrefix, cursor });
    for (const key of page.keys) latest = Math.max(latest, versionOfKey(key.name) ?? 0);
    cursor = page.list_complete ? undefined : page.cursor;
  } while (cursor);
  return latest;
}

async function readCurrent(admin: AdminContext): Promise<Response> {
  const table = await admin.store.refresh(Date.now());
  return table ? json(200, { table }) : openAiError(404, 'There is no routing table in KV yet', 'not_found_error', 'no_table');
}

async function readVersion(kv: KVNamespace, version: number): Promise<Response> {
  const table = await kv.get<RoutingTable>(versionKey(version), 'json');
  return table ? json(200, { table }) : openAiError(404, `Version ${version} does not exist (see GET /_router/versions)`, 'not_found_error', 'version_not_found');
}

async function listVersions(kv: KVNamespace, limit: number): Promise<Response> {
  const keys = await allKeys(kv, ROUTER_KV_KEYS.versionPrefix);
  const versions = keys
    .reverse()
    .slice(0, limit)
    .map((k) => ({ version: versionOfKey(k.name), ...(k.metadata as Record<string, unknown> | undefined) }));
  return json(200, { versions });
}

async function listAudit(kv: KVNamespace, limit: number): Promise<Response> {
  const keys = (await allKeys(kv, ROUTER_KV_KEYS.auditPrefix)).reverse().slice(0, limit);
  const entries = await Promise.all(keys.map((k) => kv.get<AuditEntry>(k.name, 'json')));
  return json(200, { entries: entries.filter((e) => e !== null) });
}

async function readHealth(admin: AdminContext): Promise<Response> {
  const probe = await admin.kv.get<ProbeSnapshot>(ROUTER_KV_KEYS.probe, 'json');
  return json(200, { isolate: admin.board.snapshot(Date.now()), probe: probe ? { ...probe, at: new Date(probe.at).toISOString() } : null });
}

async function allKeys(kv: KVNamespace, prefix: string): Promise<KVNamespaceListKey<unknown, string>[]> {
  const keys: KVNamespaceListKey<unknown, string>[] = [];
  let cursor: string | undefined;
  do {
    const page: KVNamespaceListResult<unknown, string> = await kv.list({ prefix, cursor });
    keys.push(...page.keys);
    cursor = page.list_complete ? undefined : page.cursor;
  } while (cursor);
  return keys;
}

function limitOf(url: URL): number {
  const n = Number(url.searchParams.get('limit') ?? '20');
  return Number.isInteger(n) && n >= 1 ? Math.min(n, 1000) : 20;
}

function invalid(problems: readonly TableProblem[]): Response {
  const text = problems.map((p) => `${p.path}: ${p.message}${p.received === undefined ? '' : `, got: ${p.received}`}`).join('; ');
  return openAiError(400, `The change is invalid and was not applied: ${text}`, 'invalid_request_error', 'invalid_change', { param: problems[0]?.path ?? null, extra: { problems } });
}

/** Field-level differences between two tables (backends, models, residency). */
export function diffTables(a: RoutingTable, b: RoutingTable): { path: string; from: unknown; to: unknown }[] {
  const diff: { path: string; from: unknown; to: unknown }[] = [];
  for (const section of ['backends', 'models', 'residency'] as const) {
    const left = a[section] as unknown as Record<string, Record<string, unknown>>;
    const right = b[section] as unknown as Record<string, Record<string, unknown>>;
    for (const key of [...new Set([...Object.keys(left), ...Object.keys(right)])].sort()) {
      if (!(key in left) || !(key in right)) {
        diff.push({ path: `${section}.${key}`, from: left[key] ?? null, to: right[key] ?? null });
        continue;
      }
      for (const field of [...new Set([...Object.keys(left[key]), ...Object.keys(right[key])])].sort()) {
        if (JSON.stringify(left[key][field]) !== JSON.stringify(right[key][field])) diff.push({ path: `${section}.${key}.${field}`, from: left[key][field] ?? null, to: right[key][field] ?? null });
      }
    }
  }
  return diff;
}
