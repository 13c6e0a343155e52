/*
 * Relaying a backend's answer so that a client always learns when it is incomplete.
 *
 * workerd ends a chunked response cleanly when the stream behind it fails (it writes the last chunk), so passing the
 * upstream body through turns a backend that dies mid-answer into a short, apparently complete answer. Instead:
 * - a streamed (SSE) answer is relayed event by event; if the backend's stream breaks off (connection lost, or no
 *   bytes for the stream idle timeout), the partial event is dropped and the client gets an `event: error` carrying an
 *   OpenAI-shaped error object, then the end of the stream (the openai SDKs raise it in their stream loop);
 * - a non-streamed answer is read whole (up to a limit) before the client gets anything, so one that breaks off is
 *   a failed attempt, retried on another backend; a larger one is streamed through with its length declared
 *   (Content-Length, when the backend declared it), so a break leaves the client with a body shorter than declared,
 *   which every HTTP client reports as an error.
 */

/** A body read to its end, or what was read before it stopped. */
export type WholeBody =
  | { readonly kind: 'whole'; readonly body: Uint8Array }
  | { readonly kind: 'too-large'; readonly head: Uint8Array[]; readonly reader: ReadableStreamDefaultReader<Uint8Array> }
  | { readonly kind: 'broken'; readonly detail: string };

/** Reads a body to its end, unless it exceeds `maxBytes`, fails, or sends nothing for `idleMs`. */
export async function readWhole(body: ReadableStream<Uint8Array> | null, maxBytes: number, idleMs: number): Promise<WholeBody> {
  if (!body) return { kind: 'whole', body: new Uint8Array(0) };
  const reader = body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const next = await readWithin(reader, idleMs);
    if ('failure' in next) {
      reader.cancel().catch(() => undefined);
      return { kind: 'broken', detail: next.failure };
    }
    if (next.done) return { kind: 'whole', body: concat(chunks, size) };
    chunks.push(next.value);
    size += next.value.byteLength;
    if (size > maxBytes) return { kind: 'too-large', head: chunks, reader };
  }
}

/**
 * The rest of a body too large to hold, after `head`: with `declaredLength`, through a FixedLengthStream, so a break
 * aborts the response short of its declared length; without one, as is (nothing more can be done to tell the client).
 */
export function streamRest(head: readonly Uint8Array[], reader: ReadableStreamDefaultReader<Uint8Array>, declaredLength: number | undefined, onBroken: (detail: string) => void): ReadableStream<Uint8Array> {
  const pump = async (write: (chunk: Uint8Array) => Promise<void>): Promise<void> => {
    for (const chunk of head) await write(chunk);
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      await write(value);
    }
  };
  if (declaredLength !== undefined) {
    const { readable, writable } = new FixedLengthStream(declaredLength);
    const writer = writable.getWriter();
    pump((chunk) => writer.write(chunk))
      .then(() => writer.close())
      .catch((error: unknown) => {
        onBroken(String(error));
        writer.abort(error).catch(() => undefined);
      });
    return readable;
  }
  let headIndex = 0;
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      if (headIndex < head.length) {
        controller.enqueue(head[headIndex++]);
        return;
      }
      try {
        const { done, value } = await reader.read();
        if (done) controller.close();
        else controller.enqueue(value);
      } catch (error) {
        onBroken(String(error));
        controller.error(error);
      }
    },
    cancel(reason) {
      return reader.cancel(reason).catch(() => undefined);
    },
  });
}

export interface SseHooks {
  /** The backend's stream broke off after the client had part of it. */
  readonly onBroken: (detail: string) => void;
  /** The backend's stream ended normally. */
  readonly onEnd?: () => void;
}

/**
 * Relays an SSE body event by event. Bytes are forwarded unchanged up to the last complete event; a partial event is
 * held until its end arrives. If the stream breaks off, the held partial event is dropped and `errorEvent()` (a
 * complete SSE event) is sent instead, then the stream ends.
 */
export function relaySse(body: ReadableStream<Uint8Array>, idleMs: number, errorEvent: (detail: string) => string, hooks: SseHooks): ReadableStream<Uint8Array> {
  const reader = body.getReader();
  const scanner = new SseBoundaryScanner();
  let held: Uint8Array = new Uint8Array(0);
  let finished = false;
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      for (;;) {
        const next = await readWithin(reader, idleMs);
        if ('failure' in next) {
          finished = true;
          reader.cancel().catch(() => undefined);
          controller.enqueue(new TextEncoder().encode(errorEvent(next.failure)));
          controller.close();
          hooks.onBroken(next.failure);
          return;
        }
        if (next.done) {
          finished = true;
          // A clean end: whatever is held goes out as it is (the backend chose to end there).
          if (held.byteLength > 0) controller.enqueue(held);
          controller.close();
          hooks.onEnd?.();
          return;
        }
        const joined = held.byteLength === 0 ? next.value : concat([held, next.value], held.byteLength + next.value.byteLength);
        const boundary = scanner.scan(joined, held.byteLength);
        if (boundary > 0) {
          controller.enqueue(joined.slice(0, boundary));
          held = joined.slice(boundary);
          scanner.rebase(boundary);
          return;
        }
        held = joined;
      }
    },
    cancel(reason) {
      // The client went away: not a failure of the backend; free its connection.
      if (!finished) reader.cancel(reason).catch(() => undefined);
    },
  });
}

/**
 * Finds SSE event boundaries (an empty line: two line terminators in a row, each CRLF, LF or CR) in a growing buffer,
 * carrying its state across chunks (a CR at the end of one chunk may be followed by the LF of a CRLF in the next).
 */
export class SseBoundaryScanner {
  private lineStart = true;
  private previousWasCr = false;
  /** Offset (in the current buffer) of the end of the last complete event, 0 if none. */
  private lastBoundary = 0;

  /** Scans `buffer` from `from` and returns the end of the last complete event in it (0 when there is none). */
  scan(buffer: Uint8Array, from: number): number {
    for (let i = from; i < buffer.length; i++) {
      const byte = buffer[i];
      if (byte === 10 && this.previousWasCr) {
        // The LF of a CRLF: the terminator was counted at the CR; an event ending in CRLF CRLF ends after this LF.
        this.previousWasCr = false;
        if (this.lastBoundary === i) this.lastBoundary = i + 1;
        continue;
      }
      this.previousWasCr = byte === 13;
      if (byte === 10 || byte === 13) {
        if (this.lineStart) this.lastBoundary = i + 1;
        this.lineStart = true;
      } else {
        this.lineStart = false;
      }
    }
    return this.lastBoundary;
  }

  /** The caller dropped the first `offset` bytes of the buffer. */
  rebase(offset: number): void {
    this.lastBoundary = Math.max(0, this.lastBoundary - offset);
  }
}

/** One read, or a failure: the stream errored, or nothing came for `idleMs`. */
async function readWithin(reader: ReadableStreamDefaultReader<Uint8Array>, idleMs: number): Promise<ReadableStreamReadResult<Uint8Array> | { failure: string }> {
  let timer: ReturnType<typeof setTimeout> | null = null;
  const idle = new Promise<{ failure: string }>((resolve) => {
    timer = setTimeout(() => resolve({ failure: `the backend sent nothing for ${idleMs} ms` }), idleMs);
  });
  try {
    return await Promise.race([reader.read(), idle]);
  } catch (error) {
    return { failure: `the backend's connection broke off: ${String(error)}` };
  } finally {
    if (timer !== null) clearTimeout(timer);
  }
}

function concat(chunks: readonly Uint8Array[], size: number): Uint8Array {
  if (chunks.length === 1) return chunks[0];
  const out = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return out;
}
