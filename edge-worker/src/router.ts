/*
 * The inference path: read `model` from the body, pick a backend (table x residency x health), forward, and retry
 * the next-best backend on a connect error, a timeout before the response headers, or 502/503/504, within bounded
 * attempts and a total time budget. The first response that is not a backend failure is returned as a stream,
 * unbuffered, so no retry can happen once a client has received anything.
 */
import type { RouterConfig } from '../../lib/edge-router/router-config';
import {
  ROUTER_ATTEMPT_HEADER,
  ROUTER_ATTEMPTS_HEADER,
  ROUTER_BACKEND_HEADER,
  ROUTER_MODEL_HEADER,
  eligibleBackends,
  jurisdictionOf,
  modelKeyFor,
  type RoutingTable,
} from '../../lib/edge-router/routing-table';
import { targetKey, type FailureKind, type HealthBoard, type PickReason } from './health';
import { json, logLine, openAiError, parseJsonObject, readBody } from './http';
import { probeOne } from './probe';

export const INFERENCE_PATHS: ReadonlySet<string> = new Set(['/v1/chat/completions', '/v1/completions', '/v1/embeddings']);
const RETRY_STATUSES: ReadonlySet<number> = new Set([502, 503, 504]);
/** Not forwarded: hop-by-hop headers, Cloudflare's own, and headers the router sets itself. */
const DROPPED_HEADERS: ReadonlySet<string> = new Set([
  'connection',
  'keep-alive',
  'proxy-authenticate',
  'proxy-authorization',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
  'host',
  'content-length',
  'x-forwarded-for',
  'x-real-ip',
  ROUTER_MODEL_HEADER.toLowerCase(),
]);

export interface RouteContext {
  readonly table: RoutingTable;
  readonly board: HealthBoard;
  readonly config: RouterConfig;
  /** For background work that outlives the response (breaker probes). */
  readonly ctx: ExecutionContext;
  /** Headers a locked origin requires (the front door's secret), added to every request and probe. */
  readonly originHeaders: Readonly<Record<string, string>>;
}

interface AttemptLog {
  backend: string;
  reason: PickReason;
  outcome: 'ok' | FailureKind;
  status?: number;
  ms: number;
}

/** Where the client is, per Cloudflare (`request.cf`), and the jurisdiction that binds it, if any. */
export function clientScope(request: Request, table: RoutingTable): { country?: string; continent?: string; jurisdiction?: string } {
  const cf = request.cf as { country?: unknown; continent?: unknown } | undefined;
  const country = typeof cf?.country === 'string' ? cf.country : undefined;
  const continent = typeof cf?.continent === 'string' ? cf.continent : undefined;
  return { country, continent, jurisdiction: jurisdictionOf(table.residency, country, continent) };
}

export function requestIdOf(request: Request): string {
  const given = request.headers.get('x-request-id');
  return given && /^[\w.:-]{1,128}$/.test(given) ? given : crypto.randomUUID();
}

/** `GET /v1/models`: the models with at least one backend this client may reach, in OpenAI's list shape. */
export function listModels(request: Request, route: RouteContext): Response {
  if (request.method !== 'GET' && request.method !== 'HEAD') {
    return openAiError(405, `Method ${request.method} is not allowed on /v1/models; use GET`, 'invalid_request_error', 'method_not_allowed', { headers: { allow: 'GET, HEAD' } });
  }
  const { jurisdiction } = clientScope(request, route.table);
  const data = Object.keys(route.table.models)
    .sort()
    .filter((key) => eligibleBackends(route.table, key, jurisdiction).length > 0)
    .map((key) => ({ id: route.table.models[key].id, object: 'model', created: 0, owned_by: 'global-inference' }));
  return json(200, { object: 'list', data });
}

export async function routeInference(request: Request, url: URL, route: RouteContext): Promise<Response> {
  const startedAt = Date.now();
  const { table, board, config } = route;
  const requestId = requestIdOf(request);
  const scope = clientScope(request, table);
  const log = (fields: Record<string, unknown>) => {
    if (config.logDecisions) logLine({ event: 'route', requestId, path: url.pathname, ...scope, tableVersion: table.version, ...fields, totalMs: Date.now() - startedAt });
  };
  const reject = (response: Response, reason: string) => {
    log({ status: response.status, rejected: reason });
    response.headers.set('x-request-id', requestId);
    return response;
  };

  if (request.method !== 'POST') {
    return reject(openAiError(405, `Method ${request.method} is not allowed on ${url.pathname}; use POST`, 'invalid_request_error', 'method_not_allowed', { headers: { allow: 'POST' } }), 'method');
  }
  const body = await readBody(request, config.maxBodyBytes);
  if (!body) {
    return reject(openAiError(413, `The request body is larger than ${config.maxBodyBytes} bytes`, 'invalid_request_error', 'request_too_large'), 'too-large');
  }
  const parsed = parseJsonObject(body);
  if (!parsed) {
    return reject(openAiError(400, 'The request body must be a JSON object, such as {"model": "...", "messages": [...]}', 'invalid_request_error', 'invalid_json'), 'invalid-json');
  }
  if (typeof parsed.model !== 'string' || parsed.model.length === 0) {
    return reject(openAiError(400, 'The request body must name a model: "model" must be a non-empty string', 'invalid_request_error', 'missing_model', { param: 'model' }), 'missing-model');
  }
  const model = modelKeyFor(table, parsed.model);
  if (model === undefined) {
    const known = Object.values(table.models).map((m) => m.id);
    return reject(
      openAiError(404, `The model '${truncate(parsed.model)}' does not exist or is not served here; available: ${known.join(', ')}`, 'invalid_request_error', 'model_not_found', { param: 'model' }),
      'unknown-model',
    );
  }
  const eligible = eligibleBackends(table, model, scope.jurisdiction);
  if (eligible.length === 0) {
    const where = scope.jurisdiction ? ` in jurisdiction '${scope.jurisdiction}' (requests from ${scope.country ?? scope.continent} stay there)` : '';
    return reject(
      openAiError(503, `No backend${where} is enabled for model '${model}'`, 'server_error', 'no_backend_available', { headers: { 'retry-after': '30' } }),
      'no-backend',
    );
  }

  const headers = forwardHeaders(request, model, requestId, route.originHeaders);
  const deadline = startedAt + config.budgetMs;
  let probes = probeOpenBreakers(route, model, eligible);
  const tried = new Set<string>();
  const attempts: AttemptLog[] = [];
  let lastFailure: FailureKind | undefined;
  while (attempts.length < config.maxAttempts) {
    const now = Date.now();
    const remaining = deadline - now;
    if (remaining <= 0) break;
    const candidates = eligible.filter((id) => !tried.has(id)).map((id) => ({ backend: id, weight: table.backends[id].weight }));
    let pick = board.pick(candidates, model, now);
    if (!pick && probes.length > 0) {
      // Nothing else to try, but this request started readiness probes: a backend that has recovered becomes the
      // trial of this very request instead of the next one.
      await Promise.race([Promise.all(probes), sleep(remaining)]);
      probes = [];
      pick = board.pick(candidates, model, Date.now());
    }
    if (!pick) break;
    tried.add(pick.backend);
    const attempt = board.start(pick, now);
    const number = attempts.length + 1;
    headers.set(ROUTER_ATTEMPT_HEADER, String(number));
    const attemptTimeoutMs = Math.min(config.attemptTimeoutMs, remaining);
    const result = await forward(`${table.backends[pick.backend].url}${url.pathname}${url.search}`, headers, body, attemptTimeoutMs);
    const doneAt = Date.now();
    const entry: AttemptLog = { backend: pick.backend, reason: pick.reason, outcome: 'ok', ms: doneAt - now };
    attempts.push(entry);
    if ('failure' in result || RETRY_STATUSES.has(result.response.status)) {
      const kind: FailureKind = 'failure' in result ? result.failure : 'status';
      entry.outcome = kind;
      if ('response' in result) {
        entry.status = result.response.status;
        // Free the connection; the body of a failed attempt is never shown to the client.
        result.response.body?.cancel().catch(() => undefined);
      }
      board.fail(attempt, doneAt, {
        unambiguous: kind === 'connect' || ('response' in result && result.response.status === 503),
        fullTimeout: kind === 'timeout' && attemptTimeoutMs === config.attemptTimeoutMs,
      });
      lastFailure = kind;
      continue;
    }
    const upstream = result.response;
    entry.status = upstream.status;
    board.succeed(attempt, doneAt, upstream.status >= 500);
    log({ model, status: upstream.status, backend: pick.backend, attempts });
    const out = new Headers(upstream.headers);
    out.set(ROUTER_BACKEND_HEADER, pick.backend);
    out.set(ROUTER_ATTEMPTS_HEADER, String(number));
    out.set('x-request-id', requestId);
    // The upstream body stream itself: bytes reach the client as the backend produces them (SSE).
    return new Response(upstream.body, { status: upstream.status, statusText: upstream.statusText, headers: out });
  }

  if (attempts.length === 0 && Date.now() < deadline) {
    // Every eligible backend's breaker is open: fail fast, and say when a trial will be let through.
    const waitMs = board.retryAfterMs(eligible.map((id) => targetKey(id, model)), Date.now());
    log({ model, status: 503, rejected: 'circuit-open', eligible });
    return openAiError(503, `Every backend for model '${model}'${scope.jurisdiction ? ` in jurisdiction '${scope.jurisdiction}'` : ''} is failing (circuit open: ${eligible.join(', ')}); retry in ${Math.ceil(waitMs / 1000)} s`, 'server_error', 'circuit_open', {
      headers: { [ROUTER_ATTEMPTS_HEADER]: '0', 'retry-after': String(Math.max(1, Math.ceil(waitMs / 1000))), 'x-request-id': requestId },
    });
  }
  const status = lastFailure === 'timeout' ? 504 : 503;
  const summary = attempts.map((a) => `${a.backend}: ${a.outcome === 'status' ? `HTTP ${a.status}` : a.outcome}`).join('; ');
  log({ model, status, attempts, exhausted: attempts.length >= config.maxAttempts ? 'attempts' : Date.now() >= deadline ? 'budget' : 'backends' });
  return openAiError(status, `No backend could answer for model '${model}' (${summary || 'no attempt fit in the time budget'})`, 'server_error', 'backend_unavailable', {
    headers: { [ROUTER_ATTEMPTS_HEADER]: String(attempts.length), 'retry-after': '1', 'x-request-id': requestId },
  });
}

/**
 * Starts a background readiness probe of every eligible target whose breaker cooldown has passed. A passing probe
 * makes the target half-open (its next request is the trial); a failing one starts another cooldown. Clients never
 * wait on a dead or hanging backend for this.
 */
function probeOpenBreakers(route: RouteContext, model: string, eligible: readonly string[]): Promise<void>[] {
  const { board, table, config, ctx } = route;
  const probes: Promise<void>[] = [];
  for (const id of eligible) {
    const key = targetKey(id, model);
    if (board.dueForProbe([key], Date.now()).length === 0) continue;
    const backend = table.backends[id];
    const probe = probeOne(`${backend.url}${backend.healthPath}`, model, config.probeTimeoutMs, route.originHeaders).then((result) => {
      board.probed(key, result.ok, Date.now());
      if (config.logDecisions) logLine({ event: 'breaker-probe', target: key, ready: result.ok, status: result.status ?? null, ms: result.ms, ...(result.error ? { error: result.error } : {}) });
    });
    ctx.waitUntil(probe);
    probes.push(probe);
  }
  return probes;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));
}

/** One attempt: the response once its headers arrive, or the failure (connect error, or no headers in time). */
async function forward(target: string, headers: Headers, body: ArrayBuffer, timeoutMs: number): Promise<{ response: Response } | { failure: 'connect' | 'timeout'; detail: string }> {
  const controller = new AbortController();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    controller.abort();
  }, timeoutMs);
  try {
    const response = await fetch(target, { method: 'POST', headers, body, signal: controller.signal, redirect: 'manual' });
    return { response };
  } catch (error) {
    return { failure: timedOut ? 'timeout' : 'connect', detail: String(error) };
  } finally {
    // Only the wait for headers is bounded: a stream may legitimately last minutes.
    clearTimeout(timer);
  }
}

function forwardHeaders(request: Request, model: string, requestId: string, originHeaders: Readonly<Record<string, string>>): Headers {
  const headers = new Headers();
  for (const [name, value] of request.headers) {
    const lower = name.toLowerCase();
    if (DROPPED_HEADERS.has(lower) || lower.startsWith('cf-') || lower.startsWith('x-router-')) continue;
    headers.set(name, value);
  }
  // Set after the client's headers, so a client cannot choose (or spoof) them.
  for (const [name, value] of Object.entries(originHeaders)) headers.set(name, value);
  headers.set(ROUTER_MODEL_HEADER, model);
  headers.set('x-request-id', requestId);
  const ip = request.headers.get('cf-connecting-ip');
  if (ip) headers.set('x-forwarded-for', ip);
  return headers;
}

function truncate(text: string): string {
  return text.length > 100 ? `${text.slice(0, 97)}...` : text;
}
