/*
 * The inference path: read `model` from the body, pick a backend (table x residency x health), forward, and retry
 * the next-best backend on a failure before the client has received anything, within bounded attempts and a total
 * time budget.
 *
 * Per-status policy (what an answer from a backend means; retries are always on another backend, never after bytes
 * reached the client):
 *   2xx, 3xx, 4xx except 429 .... the answer: relayed to the client (4xx are the client's problem, not the backend's)
 *   429, or 503 with Retry-After  saturated: retried elsewhere; no first attempts until its Retry-After has passed
 *                                 (the default back-off without one, capped); not an error of the backend
 *   503 without Retry-After ..... down (an ALB with no healthy target): retried elsewhere; opens its breaker at once
 *   502, 504 .................... failure: retried elsewhere; counts toward its error rate and breaker
 *   500 and other 5xx ........... failure: retried elsewhere (unless retryServerErrors is false: then relayed);
 *                                 counts toward its error rate and breaker either way
 *   connection refused/reset .... down: retried elsewhere; opens its breaker at once
 *   no headers in time .......... timeout: retried elsewhere; opens its breaker at once when nothing it was sent
 *                                 since was answered (it hangs), else counts toward it
 *   body breaks off ............. non-streamed: read whole before the client gets any of it, so retried elsewhere;
 *                                 streamed (SSE): the client gets an `event: error` and the end of the stream.
 *                                 A failure of the backend either way
 *
 * Errors the router itself answers, and whether a client should retry:
 *   no backend for the model in the client's jurisdiction ... 404, x-should-retry: false
 *   every backend of the client's jurisdiction is down ...... 503, x-should-retry: false (residency forbids
 *                                                             going elsewhere), Retry-After informative
 *   every backend saturated ................................. 429, Retry-After = the earliest back-off end
 *   every backend down / attempts used up ................... 503 (504 if the last one timed out),
 *                                                             Retry-After = when a backend is next tried
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
import {
  targetKey,
  type Attempt,
  type CopyPick,
  type FailureKind,
  type HealthBoard,
  type Pick,
  type PickReason,
} from './health';
import {
  hopByHopNames,
  json,
  logLine,
  openAiError,
  parseJsonObject,
  readBody,
  retryAfterHeaders,
  retryAfterMsOf,
} from './http';
import { probeOne } from './probe';
import { readWhole, streamRest } from './relay';
import { relaySse } from './sse';

export const INFERENCE_PATHS: ReadonlySet<string> = new Set([
  '/v1/chat/completions',
  '/v1/completions',
  '/v1/embeddings',
]);
/** `/v1/models/{id}` (OpenAI's model retrieve). */
export const MODEL_PATH = /^\/v1\/models\/(.+)$/;
/**
 * Request header sent with a background copy (a re-measurement): its answer is discarded; backends may deprioritise it.
 */
export const ROUTER_COPY_HEADER = 'x-router-copy';
/** Not forwarded besides hop-by-hop headers: Cloudflare's own, and headers the router sets itself. */
const DROPPED_REQUEST_HEADERS: ReadonlySet<string> = new Set([
  'host',
  'content-length',
  'x-forwarded-for',
  'x-real-ip',
  ROUTER_MODEL_HEADER.toLowerCase(),
]);
/** Response headers the router replaces (the body may be re-framed). */
const DROPPED_RESPONSE_HEADERS: ReadonlySet<string> = new Set([
  'content-length',
  ROUTER_BACKEND_HEADER,
  ROUTER_ATTEMPTS_HEADER,
]);

export interface RouteContext {
  readonly table: RoutingTable;
  readonly board: HealthBoard;
  readonly config: RouterConfig;
  /** For background work that outlives the response (breaker probes, copies, stream bookkeeping). */
  readonly ctx: ExecutionContext;
  /** Headers a locked origin requires (the front door's secret), added to every request and probe. */
  readonly originHeaders: Readonly<Record<string, string>>;
  /** The admin token: never forwarded to a backend, whatever header a client puts it in. */
  readonly adminToken?: string;
}

interface AttemptLog {
  backend: string;
  reason: PickReason;
  outcome: 'ok' | FailureKind | 'saturated';
  status?: number;
  retryAfterMs?: number;
  ms: number;
}

/** Where the client is, per Cloudflare (`request.cf`), and the jurisdiction that binds it, if any. */
export function clientScope(
  request: Request,
  table: RoutingTable,
): { country?: string; continent?: string; jurisdiction?: string } {
  const cf = request.cf as { country?: unknown; continent?: unknown } | undefined;
  const country = typeof cf?.country === 'string' ? cf.country : undefined;
  const continent = typeof cf?.continent === 'string' ? cf.continent : undefined;
  return { country, continent, jurisdiction: jurisdictionOf(table.residency, country, continent) };
}

export function requestIdOf(request: Request): string {
  const given = request.headers.get('x-request-id');
  return given && /^[\w.:-]{1,128}$/.test(given) ? given : crypto.randomUUID();
}

const NOT_RETRYABLE = { 'x-should-retry': 'false' };

/**
 * `GET /v1/models` and `GET /v1/models/{id}`: the models with at least one backend this client may reach, in OpenAI's
 * shapes.
 */
export function listModels(request: Request, url: URL, route: RouteContext): Response {
  if (request.method !== 'GET' && request.method !== 'HEAD') {
    return openAiError(
      405,
      `Method ${request.method} is not allowed on ${url.pathname}; use GET`,
      'invalid_request_error',
      'method_not_allowed',
      { headers: { allow: 'GET, HEAD', ...NOT_RETRYABLE } },
    );
  }
  const { jurisdiction } = clientScope(request, route.table);
  const entry = (key: string) => ({
    id: route.table.models[key].id,
    object: 'model',
    created: 0,
    owned_by: 'global-inference',
  });
  const reachable = Object.keys(route.table.models)
    .sort()
    .filter((key) => eligibleBackends(route.table, key, jurisdiction).length > 0);
  const one = MODEL_PATH.exec(url.pathname);
  if (!one) return json(200, { object: 'list', data: reachable.map(entry) });
  let requested: string;
  try {
    requested = decodeURIComponent(one[1]);
  } catch {
    requested = one[1];
  }
  const key = modelKeyFor(route.table, requested);
  if (key === undefined || !reachable.includes(key)) {
    return openAiError(
      404,
      `The model '${truncate(requested)}' does not exist or is not served here`,
      'invalid_request_error',
      'model_not_found',
      { param: 'model', headers: NOT_RETRYABLE },
    );
  }
  return json(200, entry(key));
}

export async function routeInference(request: Request, url: URL, route: RouteContext): Promise<Response> {
  const startedAt = Date.now();
  const { table, board, config } = route;
  const requestId = requestIdOf(request);
  const scope = clientScope(request, table);
  const log = (fields: Record<string, unknown>) => {
    if (config.logDecisions)
      logLine({
        event: 'route',
        requestId,
        path: url.pathname,
        ...scope,
        tableVersion: table.version,
        ...fields,
        totalMs: Date.now() - startedAt,
      });
  };
  const reject = (response: Response, reason: string) => {
    log({ status: response.status, rejected: reason });
    response.headers.set('x-request-id', requestId);
    return response;
  };

  if (request.method !== 'POST') {
    return reject(
      openAiError(
        405,
        `Method ${request.method} is not allowed on ${url.pathname}; use POST`,
        'invalid_request_error',
        'method_not_allowed',
        { headers: { allow: 'POST', ...NOT_RETRYABLE } },
      ),
      'method',
    );
  }
  const body = await readBody(request, config.maxBodyBytes);
  if (!body) {
    return reject(
      openAiError(
        413,
        `The request body is larger than ${config.maxBodyBytes} bytes`,
        'invalid_request_error',
        'request_too_large',
        { headers: NOT_RETRYABLE },
      ),
      'too-large',
    );
  }
  const parsed = parseJsonObject(body);
  if (!parsed) {
    return reject(
      openAiError(
        400,
        'The request body must be a JSON object, such as {"model": "...", "messages": [...]}',
        'invalid_request_error',
        'invalid_json',
        { headers: NOT_RETRYABLE },
      ),
      'invalid-json',
    );
  }
  if (typeof parsed.model !== 'string' || parsed.model.length === 0) {
    return reject(
      openAiError(
        400,
        'The request body must name a model: "model" must be a non-empty string',
        'invalid_request_error',
        'missing_model',
        { param: 'model', headers: NOT_RETRYABLE },
      ),
      'missing-model',
    );
  }
  const model = modelKeyFor(table, parsed.model);
  if (model === undefined) {
    const known = Object.values(table.models).map((m) => m.id);
    return reject(
      openAiError(
        404,
        `The model '${truncate(parsed.model)}' does not exist or is not served here; available: ${known.join(', ')}`,
        'invalid_request_error',
        'model_not_found',
        { param: 'model', headers: NOT_RETRYABLE },
      ),
      'unknown-model',
    );
  }
  const eligible = eligibleBackends(table, model, scope.jurisdiction);
  if (eligible.length === 0) {
    // Permanent for this client: no retry can help until the table changes (the table guarantees every model a
    // backend for unbound clients, so only a jurisdiction whose backends do not serve the model gets here).
    const where = scope.jurisdiction
      ? ` in jurisdiction '${scope.jurisdiction}' (requests from ${scope.country ?? scope.continent} stay there)`
      : '';
    return reject(
      openAiError(404, `The model '${model}' is not served${where}`, 'invalid_request_error', 'model_not_found', {
        param: 'model',
        headers: NOT_RETRYABLE,
      }),
      'no-backend',
    );
  }

  const headers = forwardHeaders(request, model, requestId, route.originHeaders, route.adminToken);
  const deadline = startedAt + config.budgetMs;
  const streamed = parsed.stream === true;
  let probes = probeOpenBreakers(route, model, eligible);
  const tried = new Set<string>();
  const attempts: AttemptLog[] = [];
  let copied: CopyPick | undefined;
  let lastFailure: FailureKind | 'saturated' | undefined;
  while (attempts.length < config.maxAttempts) {
    const now = Date.now();
    const remaining = deadline - now;
    if (remaining <= 0) break;
    const candidates = eligible
      .filter((id) => !tried.has(id))
      .map((id) => ({ backend: id, weight: table.backends[id].weight }));
    let choice = board.choose(candidates, model, now, { withCopy: attempts.length === 0 });
    if (choice.copy) {
      copied = choice.copy;
      copyInBackground(route, choice.copy, url, headers, body, model);
    }
    if (!choice.pick && probes.length > 0) {
      // Nothing else to try, but this request started readiness probes: a backend that has recovered becomes the
      // trial of this very request instead of the next one.
      await Promise.race([Promise.all(probes), sleep(remaining)]);
      probes = [];
      choice = board.choose(candidates, model, Date.now());
    }
    const pick = choice.pick;
    if (!pick) break;
    tried.add(pick.backend);
    const attempt = board.start(pick, now);
    const number = attempts.length + 1;
    headers.set(ROUTER_ATTEMPT_HEADER, String(number));
    const attemptTimeoutMs = Math.min(config.attemptTimeoutMs, remaining);
    const target = `${table.backends[pick.backend].url}${url.pathname}${url.search}`;
    const result = await forward(target, headers, body, attemptTimeoutMs);
    const headersAt = Date.now();
    const entry: AttemptLog = { backend: pick.backend, reason: pick.reason, outcome: 'ok', ms: headersAt - now };
    attempts.push(entry);
    const verdict = judge(result, board, attempt, headersAt, config, attemptTimeoutMs);
    if (verdict.kind !== 'answer') {
      entry.outcome = verdict.kind === 'saturated' ? 'saturated' : verdict.failure;
      if (verdict.status !== undefined) entry.status = verdict.status;
      if (verdict.kind === 'saturated') entry.retryAfterMs = verdict.waitMs;
      lastFailure = entry.outcome as FailureKind | 'saturated';
      continue;
    }
    const upstream = verdict.response;
    entry.status = upstream.status;
    const out = responseHeaders(upstream.headers, pick.backend, number, requestId);
    if (isEventStream(upstream)) {
      if (!verdict.recorded) board.succeed(attempt, headersAt);
      log({ model, status: upstream.status, backend: pick.backend, attempts, ...(copied ? { copy: copied } : {}) });
      return new Response(relayStream(upstream, route, pick, requestId, streamed), {
        status: upstream.status,
        statusText: upstream.statusText,
        headers: out,
      });
    }
    // Not streamed: the whole answer before the client gets a byte, so one that breaks off is retried elsewhere.
    const whole = await readWhole(
      upstream.body,
      config.maxResponseBufferBytes,
      Math.max(1, Math.min(config.attemptTimeoutMs, deadline - Date.now())),
      declaredLength(upstream),
    );
    if (whole.kind === 'broken') {
      if (!verdict.recorded) board.fail(attempt, Date.now(), { answered: true, serverError: true });
      entry.outcome = 'body';
      lastFailure = 'body';
      logLine({ event: 'body-broken', requestId, backend: pick.backend, detail: whole.detail });
      continue;
    }
    if (!verdict.recorded) board.succeed(attempt, headersAt);
    log({ model, status: upstream.status, backend: pick.backend, attempts, ...(copied ? { copy: copied } : {}) });
    if (whole.kind === 'whole')
      return new Response(whole.body, { status: upstream.status, statusText: upstream.statusText, headers: out });
    const rest = streamRest(whole.head, whole.reader, declaredLength(upstream), (detail) => {
      board.brokeMidStream(attempt.target, Date.now());
      logLine({ event: 'body-broken', requestId, backend: pick.backend, midStream: true, detail });
    });
    return new Response(rest, { status: upstream.status, statusText: upstream.statusText, headers: out });
  }

  const targets = eligible.map((id) => targetKey(id, model));
  const waitMs = board.retryAfterMs(targets, Date.now());
  const inJurisdiction = scope.jurisdiction ? ` in jurisdiction '${scope.jurisdiction}'` : '';
  const common = { [ROUTER_ATTEMPTS_HEADER]: String(attempts.length), 'x-request-id': requestId };
  const everySaturated = targets.every((t) => board.stateOf(t, Date.now()) === 'saturated');
  if (everySaturated || (attempts.length > 0 && attempts.every((a) => a.outcome === 'saturated'))) {
    log({ model, status: 429, rejected: 'saturated', eligible, attempts });
    return openAiError(
      429,
      `Every backend for model '${model}'${inJurisdiction} is saturated; retry in ${Math.ceil(waitMs / 1000)} s`,
      'rate_limit_error',
      'backends_saturated',
      {
        headers: { ...common, ...retryAfterHeaders(waitMs) },
      },
    );
  }
  if (scope.jurisdiction && waitMs > 0) {
    // Residency keeps these clients in their jurisdiction, and nothing there can take a request now: an automatic
    // retry cannot help, so clients are told not to retry blindly (and when a backend there is next tried).
    log({ model, status: 503, rejected: 'jurisdiction-down', eligible, attempts });
    return openAiError(
      503,
      `Every backend for model '${model}'${inJurisdiction} is unavailable, and requests from ` +
        `${scope.country ?? scope.continent} stay in that jurisdiction; the next backend check there is in ` +
        `${Math.ceil(waitMs / 1000)} s`,
      'server_error',
      'jurisdiction_unavailable',
      {
        headers: { ...common, ...NOT_RETRYABLE, ...retryAfterHeaders(waitMs) },
      },
    );
  }
  if (attempts.length === 0 && Date.now() < deadline) {
    // Every eligible backend's breaker is open: fail fast, and say when a trial will be let through.
    log({ model, status: 503, rejected: 'circuit-open', eligible });
    return openAiError(
      503,
      `Every backend for model '${model}'${inJurisdiction} is failing (circuit open: ${eligible.join(', ')}); ` +
        `retry in ${Math.ceil(waitMs / 1000)} s`,
      'server_error',
      'circuit_open',
      {
        headers: { ...common, ...retryAfterHeaders(waitMs) },
      },
    );
  }
  const status = lastFailure === 'timeout' ? 504 : 503;
  const summary = attempts
    .map((a) => `${a.backend}: ${a.outcome === 'status' || a.outcome === 'saturated' ? `HTTP ${a.status}` : a.outcome}`)
    .join('; ');
  log({
    model,
    status,
    attempts,
    exhausted: attempts.length >= config.maxAttempts ? 'attempts' : Date.now() >= deadline ? 'budget' : 'backends',
  });
  return openAiError(
    status,
    `No backend could answer for model '${model}' (${summary || 'no attempt fit in the time budget'})`,
    'server_error',
    'backend_unavailable',
    {
      headers: { ...common, ...retryAfterHeaders(waitMs) },
    },
  );
}

type Verdict =
  /**
   * `recorded`: the board already counted it as a failure (a server error relayed because retryServerErrors is off).
   */
  | { readonly kind: 'answer'; readonly response: Response; readonly recorded?: boolean }
  | { readonly kind: 'saturated'; readonly status: number; readonly waitMs: number }
  | { readonly kind: 'failed'; readonly failure: FailureKind; readonly status?: number };

/** What an attempt's result means under the per-status policy (see the file comment), recorded on the board. */
function judge(
  result: Awaited<ReturnType<typeof forward>>,
  board: HealthBoard,
  attempt: Attempt,
  now: number,
  config: RouterConfig,
  attemptTimeoutMs: number,
): Verdict {
  if ('failure' in result) {
    const timeout = result.failure === 'timeout';
    board.fail(attempt, now, {
      unambiguous: result.failure === 'connect',
      timeout,
      fullTimeout: timeout && attemptTimeoutMs === config.attemptTimeoutMs,
    });
    return { kind: 'failed', failure: result.failure };
  }
  const { response } = result;
  const status = response.status;
  const retryAfterMs = retryAfterMsOf(response.headers, Date.now());
  if (status === 429 || (status === 503 && retryAfterMs !== undefined)) {
    discard(response);
    return { kind: 'saturated', status, waitMs: board.saturate(attempt, now, retryAfterMs) };
  }
  if (status >= 500) {
    const retried = status === 502 || status === 503 || status === 504 || config.retryServerErrors;
    board.fail(attempt, now, { unambiguous: status === 503, answered: true, serverError: status !== 503 });
    if (retried) {
      discard(response);
      return { kind: 'failed', failure: 'status', status };
    }
    return { kind: 'answer', response, recorded: true };
  }
  return { kind: 'answer', response };
}

/** Frees the connection of a failed attempt; its body is never shown to the client. */
function discard(response: Response): void {
  response.body?.cancel().catch(() => undefined);
}

/** The Content-Length a backend declared, if it is a plain number. */
function declaredLength(response: Response): number | undefined {
  const value = response.headers.get('content-length');
  return value !== null && /^\d+$/.test(value) ? Number(value) : undefined;
}

function isEventStream(response: Response): boolean {
  return (response.headers.get('content-type') ?? '').toLowerCase().startsWith('text/event-stream');
}

/**
 * A streamed answer, relayed so that a break reaches the client as an error event; a break is the backend's failure.
 */
function relayStream(
  upstream: Response,
  route: RouteContext,
  pick: Pick,
  requestId: string,
  clientAskedStream: boolean,
): ReadableStream<Uint8Array> | null {
  if (!upstream.body) return null;
  const { board, config, ctx } = route;
  let settle: () => void = () => undefined;
  ctx.waitUntil(new Promise<void>((resolve) => (settle = resolve)));
  return relaySse(upstream.body, config.streamIdleTimeoutMs, (detail) => streamErrorEvent(pick.backend, detail), {
    onBroken(detail) {
      board.brokeMidStream(pick.target, Date.now());
      logLine({ event: 'stream-broken', requestId, backend: pick.backend, detail, clientAskedStream });
      settle();
    },
    onEnd: settle,
  });
}

/** The SSE event a client gets when the backend's stream breaks off: OpenAI's error object, as the SDKs parse it. */
export function streamErrorEvent(backend: string, detail: string): string {
  const error = {
    message:
      `The answer is incomplete: backend ${backend} broke off the stream (${detail}); nothing after this point ` +
      'was received',
    type: 'server_error',
    param: null,
    code: 'backend_stream_broken',
  };
  return `event: error\ndata: ${JSON.stringify({ error })}\n\n`;
}

/**
 * A copy of the request to a target the router is not sending traffic to, in the background: its answer (read to
 * the end, so a stream that breaks off is seen) is recorded on the board and discarded. No client waits on it.
 */
function copyInBackground(
  route: RouteContext,
  copy: CopyPick,
  url: URL,
  headers: Headers,
  body: ArrayBuffer,
  model: string,
): void {
  const { board, config, table, ctx } = route;
  const copyHeaders = new Headers(headers);
  copyHeaders.set(ROUTER_ATTEMPT_HEADER, '0');
  copyHeaders.set(ROUTER_COPY_HEADER, copy.reason);
  const started = Date.now();
  const attempt = board.start(copy, started, true);
  const job = (async () => {
    const result = await forward(
      `${table.backends[copy.backend].url}${url.pathname}${url.search}`,
      copyHeaders,
      body,
      config.attemptTimeoutMs,
    );
    const headersAt = Date.now();
    const verdict = judge(
      result,
      board,
      attempt,
      headersAt,
      { ...config, retryServerErrors: true },
      config.attemptTimeoutMs,
    );
    let outcome: string =
      verdict.kind === 'answer' ? 'ok' : verdict.kind === 'saturated' ? 'saturated' : verdict.failure;
    if (verdict.kind === 'answer') {
      const response = verdict.response;
      if (isEventStream(response) && response.body) {
        // Read the stream to its end through the same relay, so a break counts as it would for a client.
        let broken = false;
        const relayed = relaySse(response.body, config.streamIdleTimeoutMs, () => '', {
          onBroken: () => (broken = true),
        });
        await relayed.pipeTo(new WritableStream()).catch(() => (broken = true));
        if (broken) {
          // What a client would have seen fail: a failed attempt (a trial's failure re-opens the breaker), erroring.
          board.fail(attempt, Date.now(), { answered: true, serverError: true });
          board.markStreamBroken(attempt.target);
          outcome = 'body';
        } else {
          board.succeed(attempt, headersAt);
        }
      } else {
        const whole = await readWhole(
          response.body,
          config.maxResponseBufferBytes,
          config.attemptTimeoutMs,
          declaredLength(response),
        );
        if (whole.kind === 'broken') {
          board.fail(attempt, Date.now(), { answered: true, serverError: true });
          outcome = 'body';
        } else {
          if (whole.kind === 'too-large') whole.reader.cancel().catch(() => undefined);
          board.succeed(attempt, headersAt);
        }
      }
    }
    if (config.logDecisions)
      logLine({
        event: 'copy',
        model,
        backend: copy.backend,
        reason: copy.reason,
        outcome,
        ms: headersAt - started,
        ...(verdict.kind !== 'answer' && verdict.status ? { status: verdict.status } : {}),
      });
  })().catch((error: unknown) => logLine({ event: 'copy-error', backend: copy.backend, error: String(error) }));
  ctx.waitUntil(job);
}

/**
 * Starts a background readiness probe of every eligible target whose breaker is due for one. A passing probe makes
 * the target half-open (its next request, or a copy of one, is the trial); a failing one schedules the next. Clients
 * never wait on a dead or hanging backend for this.
 */
function probeOpenBreakers(route: RouteContext, model: string, eligible: readonly string[]): Promise<void>[] {
  const { board, table, config, ctx } = route;
  const probes: Promise<void>[] = [];
  for (const id of eligible) {
    const key = targetKey(id, model);
    if (board.dueForProbe([key], Date.now()).length === 0) continue;
    const backend = table.backends[id];
    const startedAt = Date.now();
    const probe = probeOne(
      `${backend.url}${backend.healthPath}`,
      model,
      config.probeTimeoutMs,
      route.originHeaders,
    ).then((result) => {
      board.probed(key, result.ok, Date.now(), startedAt);
      if (config.logDecisions)
        logLine({
          event: 'breaker-probe',
          target: key,
          ready: result.ok,
          status: result.status ?? null,
          ms: result.ms,
          ...(result.error ? { error: result.error } : {}),
        });
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
async function forward(
  target: string,
  headers: Headers,
  body: ArrayBuffer,
  timeoutMs: number,
): Promise<{ response: Response } | { failure: 'connect' | 'timeout'; detail: string }> {
  const controller = new AbortController();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    controller.abort();
  }, timeoutMs);
  try {
    const response = await fetch(target, {
      method: 'POST',
      headers,
      body,
      signal: controller.signal,
      redirect: 'manual',
    });
    return { response };
  } catch (error) {
    return { failure: timedOut ? 'timeout' : 'connect', detail: String(error) };
  } finally {
    // Only the wait for headers is bounded here; bodies are bounded by the relay's idle timeouts.
    clearTimeout(timer);
  }
}

function forwardHeaders(
  request: Request,
  model: string,
  requestId: string,
  originHeaders: Readonly<Record<string, string>>,
  adminToken: string | undefined,
): Headers {
  const headers = new Headers();
  const hopByHop = hopByHopNames(request.headers);
  for (const [name, value] of request.headers) {
    const lower = name.toLowerCase();
    if (
      hopByHop.has(lower) ||
      DROPPED_REQUEST_HEADERS.has(lower) ||
      lower.startsWith('cf-') ||
      lower.startsWith('x-router-')
    )
      continue;
    // The admin token stays here, wherever a client put it (an operator's script sending it as its API key).
    if (adminToken && adminToken.length > 0 && value.includes(adminToken)) continue;
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

/** The backend's response headers for the client: hop-by-hop ones dropped, the router's own set. */
function responseHeaders(upstream: Headers, backend: string, attempts: number, requestId: string): Headers {
  const out = new Headers();
  const hopByHop = hopByHopNames(upstream);
  for (const [name, value] of upstream) {
    const lower = name.toLowerCase();
    if (hopByHop.has(lower) || DROPPED_RESPONSE_HEADERS.has(lower)) continue;
    out.append(name, value);
  }
  out.set(ROUTER_BACKEND_HEADER, backend);
  out.set(ROUTER_ATTEMPTS_HEADER, String(attempts));
  out.set('x-request-id', requestId);
  return out;
}

function truncate(text: string): string {
  return text.length > 100 ? `${text.slice(0, 97)}...` : text;
}
