/** Small HTTP helpers: OpenAI-shaped errors and JSON responses. */

export type ErrorType = 'invalid_request_error' | 'authentication_error' | 'permission_error' | 'not_found_error' | 'conflict_error' | 'server_error';

/** An error in the shape OpenAI clients parse: `{ error: { message, type, param, code } }`. */
export function openAiError(
  status: number,
  message: string,
  type: ErrorType,
  code: string,
  options: { param?: string | null; headers?: Record<string, string>; extra?: Record<string, unknown> } = {},
): Response {
  const body = { error: { message, type, param: options.param ?? null, code }, ...options.extra };
  return json(status, body, options.headers);
}

export function json(status: number, body: unknown, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json; charset=utf-8', ...headers } });
}

/**
 * The request body as text, refusing bodies above `maxBytes` (the body is kept in memory for retries).
 * Returns undefined when it is too large.
 */
export async function readBody(request: Request, maxBytes: number): Promise<ArrayBuffer | undefined> {
  const declared = Number(request.headers.get('content-length') ?? '0');
  if (declared > maxBytes) return undefined;
  const body = await request.arrayBuffer();
  return body.byteLength > maxBytes ? undefined : body;
}

/** Parses a JSON object body; undefined when the body is not a JSON object. */
export function parseJsonObject(body: ArrayBuffer): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(new TextDecoder().decode(body));
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** Writes one structured log line (Workers Logs indexes JSON lines). */
export function logLine(entry: Record<string, unknown>): void {
  console.log(JSON.stringify({ ts: new Date().toISOString(), ...entry }));
}
