/*
 * The admin API under /_router/: read the table, its versions and the audit log; set weights, drain or enable a
 * backend, roll back to an earlier version. Every call is authenticated (bearer token, constant-time compare), its
 * body limited in size and checked field by field here; the change itself is decided by the table writer (a Durable
 * Object, writer.ts), the single strongly consistent writer: compare-and-set on `expectedVersion`, validation against
 * the same rules as the initial table, and the new version, its audit entry and the new current table committed in
 * one atomic write before anyone is told it succeeded. A request that fails any check writes nothing. Reads come from
 * the writer too, so they show every acknowledged change.
 */
import {
  MIN_ADMIN_TOKEN_LENGTH,
  ROUTER_ACTOR_HEADER,
  ROUTER_KV_KEYS,
  ROUTER_WRITER_NAME,
  type RoutingTable,
  type TableProblem,
} from '../../lib/edge-router/routing-table';
import { constantTimeEqual, tokenId } from './auth';
import type { ChangeRequest, Who } from './changes';
import type { HealthBoard, ProbeSnapshot } from './health';
import { invalidChangeBody, json, logLine, openAiError, parseJsonObject, readBody } from './http';
import type { TableStore } from './table-store';
import type { ChangeCall, RouterTableWriter, WriterAnswer } from './writer';

const ACTOR_PATTERN = /^[\w .@:/+-]{1,100}$/;
/** Largest admin request body: a change is a few hundred bytes; a table of 500 backends' weights stays far below. */
export const ADMIN_MAX_BODY_BYTES = 64 * 1024;

export interface AdminContext {
  readonly kv: KVNamespace;
  readonly writer: DurableObjectNamespace<RouterTableWriter> | undefined;
  readonly store: TableStore;
  readonly board: HealthBoard;
  readonly adminToken: string | undefined;
}

export async function handleAdmin(request: Request, url: URL, admin: AdminContext): Promise<Response> {
  const auth = await authenticate(request, admin.adminToken);
  if (auth instanceof Response) return auth;
  const actorHeader = request.headers.get(ROUTER_ACTOR_HEADER);
  if (actorHeader !== null && !ACTOR_PATTERN.test(actorHeader)) {
    return openAiError(
      400,
      `${ROUTER_ACTOR_HEADER} must be 1-100 characters of letters, digits, space and . @ : / + - _`,
      'invalid_request_error',
      'invalid_actor',
      { param: ROUTER_ACTOR_HEADER },
    );
  }
  const who: Who = { actor: actorHeader, tokenId: auth.tokenId };
  const path = url.pathname.replace(/\/+$/, '');
  const method = request.method;
  const route = (allowed: string, handler: () => Promise<Response>): Promise<Response> | Response =>
    method === allowed
      ? handler()
      : openAiError(
          405,
          `Method ${method} is not allowed on ${path}; use ${allowed}`,
          'invalid_request_error',
          'method_not_allowed',
          { headers: { allow: allowed } },
        );
  const writer = () => writerOf(admin);

  if (path === '/_router/table') return route('GET', async () => readCurrent(admin));
  if (path === '/_router/versions') {
    return route('GET', async () => {
      const w = writer();
      return w instanceof Response ? w : json(200, { versions: await w.versions(limitOf(url)) });
    });
  }
  const versionMatch = /^\/_router\/versions\/(\d{1,10})$/.exec(path);
  if (versionMatch) {
    return route('GET', async () => {
      const w = writer();
      if (w instanceof Response) return w;
      const table = (await w.version(Number(versionMatch[1]))) as RoutingTable | null;
      return table
        ? json(200, { table })
        : openAiError(
            404,
            `Version ${Number(versionMatch[1])} does not exist (see GET /_router/versions)`,
            'not_found_error',
            'version_not_found',
          );
    });
  }
  if (path === '/_router/audit') {
    return route('GET', async () => {
      const w = writer();
      return w instanceof Response ? w : json(200, { entries: await w.audit(limitOf(url)) });
    });
  }
  if (path === '/_router/health') return route('GET', async () => readHealth(admin));
  if (path === '/_router/weights')
    return route('PUT', () =>
      change(request, admin, who, ['weights'], (body) => ({ action: 'set-weights', weights: body.weights })),
    );
  const backendMatch = /^\/_router\/backends\/([^/]+)\/(drain|enable)$/.exec(path);
  if (backendMatch) {
    const [, encoded, action] = backendMatch;
    let backend: string;
    try {
      backend = decodeURIComponent(encoded);
    } catch {
      return json(
        400,
        invalidChangeBody([
          {
            path: 'backend',
            message: 'must be a backend id (a region code); the path is not valid percent-encoding',
            received: JSON.stringify(encoded).slice(0, 80),
          },
        ]),
      );
    }
    return route('POST', () =>
      change(request, admin, who, [], () => ({ action: action as 'drain' | 'enable', backend })),
    );
  }
  if (path === '/_router/rollback')
    return route('POST', () =>
      change(request, admin, who, ['version'], (body) => ({ action: 'rollback', version: body.version })),
    );
  return openAiError(
    404,
    `Unknown admin path ${path}; see /_router/table, /_router/versions, /_router/audit, /_router/health, ` +
      '/_router/weights, /_router/backends/<id>/drain|enable, /_router/rollback',
    'not_found_error',
    'not_found',
  );
}

async function authenticate(request: Request, token: string | undefined): Promise<{ tokenId: string } | Response> {
  if (!token || token.length < MIN_ADMIN_TOKEN_LENGTH) {
    return openAiError(
      503,
      `The admin API is disabled: the ADMIN_TOKEN secret is not set or shorter than ${MIN_ADMIN_TOKEN_LENGTH} ` +
        'characters',
      'server_error',
      'admin_disabled',
    );
  }
  const header = request.headers.get('authorization') ?? '';
  const match = /^Bearer\s+(\S+)$/i.exec(header);
  if (!match || !(await constantTimeEqual(match[1], token))) {
    return openAiError(
      401,
      'A valid admin token is required: Authorization: Bearer <token>',
      'authentication_error',
      'invalid_token',
      { headers: { 'www-authenticate': 'Bearer realm="edge-router"' } },
    );
  }
  return { tokenId: await tokenId(token) };
}

/** The writer object every isolate shares, or the answer saying it is missing from this deployment. */
function writerOf(admin: AdminContext): DurableObjectStub<RouterTableWriter> | Response {
  if (!admin.writer) {
    return openAiError(
      503,
      'The admin API needs the table writer (Durable Object binding ROUTER_WRITER), which this deployment lacks',
      'server_error',
      'writer_missing',
    );
  }
  return admin.writer.get(admin.writer.idFromName(ROUTER_WRITER_NAME));
}

/** Checks one change request's body field by field, then has the writer apply it. */
async function change(
  request: Request,
  admin: AdminContext,
  who: Who,
  fields: string[],
  build: (body: Record<string, unknown>) => ChangeRequest,
): Promise<Response> {
  const raw = await readBody(request, ADMIN_MAX_BODY_BYTES);
  if (!raw) {
    return openAiError(
      413,
      `The request body is larger than ${ADMIN_MAX_BODY_BYTES} bytes; an admin change is a small JSON object ` +
        'such as {"weights": {"us-east-1": 50}}',
      'invalid_request_error',
      'request_too_large',
    );
  }
  const text = new TextDecoder().decode(raw);
  const body = text.trim() === '' ? {} : parseJsonObject(raw);
  if (!body) return invalid([{ path: '(body)', message: 'must be a JSON object' }]);
  const allowed = [...fields, 'expectedVersion', 'comment'];
  const unknown = Object.keys(body).filter((k) => !allowed.includes(k));
  const problems: TableProblem[] = unknown.map((k) => ({
    path: k,
    message: `is not a known field; allowed: ${allowed.join(', ')}`,
  }));
  for (const field of fields) if (!Object.hasOwn(body, field)) problems.push({ path: field, message: 'is required' });
  if (
    body.expectedVersion !== undefined &&
    (typeof body.expectedVersion !== 'number' || !Number.isInteger(body.expectedVersion))
  ) {
    problems.push({
      path: 'expectedVersion',
      message: 'must be the whole-number version the change is based on',
      received: JSON.stringify(body.expectedVersion),
    });
  }
  if (body.comment !== undefined && (typeof body.comment !== 'string' || body.comment.length > 500)) {
    problems.push({
      path: 'comment',
      message: 'must be text of at most 500 characters',
      received: JSON.stringify(body.comment)?.slice(0, 80),
    });
  }
  if (problems.length > 0) return invalid(problems);
  const writer = writerOf(admin);
  if (writer instanceof Response) return writer;
  const call: ChangeCall = {
    change: build(body),
    who,
    ...(typeof body.expectedVersion === 'number' ? { expectedVersion: body.expectedVersion } : {}),
    ...(typeof body.comment === 'string' ? { comment: body.comment } : {}),
  };
  let answer: WriterAnswer;
  try {
    answer = (await writer.change(call)) as WriterAnswer;
  } catch (error) {
    // The writer could not be reached or its storage write failed: nothing was committed.
    logLine({ event: 'admin-write-failed', error: String(error) });
    return openAiError(
      503,
      `The change was not applied: the table writer failed (${String(error)}); retry shortly`,
      'server_error',
      'write_failed',
      { headers: { 'retry-after': '1' } },
    );
  }
  if (answer.status === 200 && typeof answer.body.table === 'object' && answer.body.table !== null)
    admin.store.wrote(answer.body.table as RoutingTable, Date.now());
  return json(answer.status, answer.body);
}

async function readCurrent(admin: AdminContext): Promise<Response> {
  const writer = writerOf(admin);
  if (writer instanceof Response) return writer;
  const current = (await writer.read()) as { version: number; table?: RoutingTable } | null;
  return current?.table
    ? json(200, { table: current.table })
    : openAiError(404, 'There is no routing table yet', 'not_found_error', 'no_table');
}

async function readHealth(admin: AdminContext): Promise<Response> {
  const probe = await admin.kv.get<ProbeSnapshot>(ROUTER_KV_KEYS.probe, 'json');
  return json(200, {
    isolate: admin.board.snapshot(Date.now()),
    probe: probe ? { ...probe, at: new Date(probe.at).toISOString() } : null,
  });
}

function limitOf(url: URL): number {
  const n = Number(url.searchParams.get('limit') ?? '20');
  return Number.isInteger(n) && n >= 1 ? Math.min(n, 1000) : 20;
}

function invalid(problems: readonly TableProblem[]): Response {
  return json(400, invalidChangeBody(problems));
}
