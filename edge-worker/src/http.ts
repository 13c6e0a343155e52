/** Small HTTP helpers: OpenAI-shaped errors and JSON responses. */

export type ErrorType =
  | 'invalid_request_error'
  | 'authentication_error'
  | 'permission_error'
  | 'not_found_error'
  | 'conflict_error'
  | 'rate_limit_error'
  | 'server_error';

/** An error in the shape OpenAI clients parse: `{ error: { message, type, param, code } }`. */
export function openAiError(
  status: number,
  message: string,
  type: ErrorType,
  code: string,
  options: { param?: string | null; headers?: Record<string, string>; extra?: Record<string, unknown> } = {},
): Response {
  return json(status, errorBody(message, type, code, options), options.headers);
}

/** The body of an OpenAI-shaped error. */
export function errorBody(
  message: string,
  type: ErrorType,
  code: string,
  options: { param?: string | null; extra?: Record<string, unknown> } = {},
): Record<string, unknown> {
  return { error: { message, type, param: options.param ?? null, code }, ...options.extra };
}

/** The body refusing an admin change: every problem with its path, the first one as `param`. */
export function invalidChangeBody(
  problems: readonly { path: string; message: string; received?: string }[],
): Record<string, unknown> {
  const text = problems
    .map((p) => `${p.path}: ${p.message}${p.received === undefined ? '' : `, got: ${p.received}`}`)
    .join('; ');
  return errorBody(`The change is invalid and was not applied: ${text}`, 'invalid_request_error', 'invalid_change', {
    param: problems[0]?.path ?? null,
    extra: { problems },
  });
}

export function json(status: number, body: unknown, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { 'content-type': 'application/json; charset=utf-8', ...headers },
  });
}

/**
 * An over-limit body is read and thrown away up to this many bytes before the 413 goes out: an HTTP/1.1 client still
 * sending its body would otherwise see the connection reset instead of the answer. Beyond it (a declared length
 * larger than the limit plus this), the answer goes out at once and such a client may see the reset.
 */
export const DRAIN_MAX_BYTES = 1024 * 1024;
/** Longest time spent draining an over-limit body before answering anyway. */
export const DRAIN_MAX_MS = 2_000;

/**
 * The request body, refusing bodies above `maxBytes` (the body is kept in memory for retries). Returns undefined when
 * it is too large, having kept no more than `maxBytes` + one chunk of it (the rest up to DRAIN_MAX_BYTES is discarded).
 */
export async function readBody(request: Request, maxBytes: number): Promise<ArrayBuffer | undefined> {
  const length = request.headers.get('content-length');
  const declared = Number(length ?? '0');
  if (declared > maxBytes) {
    if (declared <= maxBytes + DRAIN_MAX_BYTES) await drain(request.body?.getReader(), declared);
    else request.body?.cancel().catch(() => undefined);
    return undefined;
  }
  if (!request.body) return new ArrayBuffer(0);
  // A declared length within the limit: workerd holds the body to it, so it can be read in one go.
  if (length !== null && /^\d+$/.test(length)) return request.arrayBuffer();
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > maxBytes) {
      await drain(reader, DRAIN_MAX_BYTES);
      return undefined;
    }
    chunks.push(value);
  }
  const out = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return out.buffer;
}

/** Reads and discards up to `maxBytes` (and at most DRAIN_MAX_MS), then cancels the rest. */
async function drain(reader: ReadableStreamDefaultReader<Uint8Array> | undefined, maxBytes: number): Promise<void> {
  if (!reader) return;
  let timer: ReturnType<typeof setTimeout> | null = null;
  const timeout = new Promise<undefined>((resolve) => (timer = setTimeout(() => resolve(undefined), DRAIN_MAX_MS)));
  try {
    for (let left = maxBytes; left > 0; ) {
      const next = await Promise.race([reader.read(), timeout]);
      if (!next || next.done) return;
      left -= next.value.byteLength;
    }
  } catch {
    // A client that gave up mid-upload: nothing more to drain.
  } finally {
    if (timer !== null) clearTimeout(timer);
    reader.cancel().catch(() => undefined);
  }
}

/** Hop-by-hop headers (RFC 9110 7.6.1 and the usual non-standard ones): meaningful for one connection only. */
const HOP_BY_HOP: ReadonlySet<string> = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'proxy-authenticate',
  'proxy-authorization',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
]);

/** Header names that must not cross a hop: the standard ones and every name the Connection header lists. */
export function hopByHopNames(headers: Headers): Set<string> {
  const names = new Set(HOP_BY_HOP);
  for (const name of (headers.get('connection') ?? '').split(',')) {
    const trimmed = name.trim().toLowerCase();
    if (trimmed) names.add(trimmed);
  }
  return names;
}

/**
 * A Retry-After value in milliseconds from now: delay-seconds or an HTTP date (RFC 9110 10.2.3); also the
 * non-standard `retry-after-ms`. Undefined when absent or unreadable.
 */
export function retryAfterMsOf(headers: Headers, now: number): number | undefined {
  const ms = headers.get('retry-after-ms');
  if (ms !== null && /^\s*\d+(?:\.\d+)?\s*$/.test(ms)) return Number(ms);
  const value = headers.get('retry-after');
  if (value === null) return undefined;
  if (/^\s*\d+\s*$/.test(value)) return Number(value) * 1000;
  const date = Date.parse(value);
  return Number.isFinite(date) ? Math.max(0, date - now) : undefined;
}

/**
 * Retry-After headers for a wait the router itself knows: whole seconds (at least 1) and, when the wait is known to the
 * millisecond (a breaker's next probe, a back-off's end), the exact `retry-after-ms` the openai SDKs prefer. A wait
 * of 0 (a backend may be tried now) gets the one-second floor only.
 */
export function retryAfterHeaders(waitMs: number): Record<string, string> {
  const ms = Math.max(0, Math.ceil(waitMs));
  const seconds = { 'retry-after': String(Math.max(1, Math.ceil(ms / 1000))) };
  return ms > 0 ? { ...seconds, 'retry-after-ms': String(ms) } : seconds;
}

/** Parses a JSON object body; undefined when the body is not a JSON object. */
export function parseJsonObject(body: ArrayBuffer): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(new TextDecoder().decode(body));
    return typeof value === 'object' && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

/** Writes one structured log line (Workers Logs indexes JSON lines). */
export function logLine(entry: Record<string, unknown>): void {
  console.log(JSON.stringify({ ts: new Date().toISOString(), ...entry }));
}
