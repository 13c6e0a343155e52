/*
 * Relaying a streamed (SSE) answer event by event, so that a stream that breaks off ends with an error event the
 * client can see (see relay.ts). Web-standard streams only: runs in workerd and in Node (tests).
 */

export interface SseHooks {
  /** The backend's stream broke off after the client had part of it. */
  readonly onBroken: (detail: string) => void;
  /** The relay is over without a break: the backend's stream ended, or the client went away. */
  readonly onEnd?: () => void;
}

/** Largest partial event held back; a backend that sends more without an event boundary is relayed as it comes. */
const MAX_HELD_BYTES = 1024 * 1024;

/**
 * Relays an SSE body event by event. Bytes are forwarded unchanged up to the last complete event; a partial event is
 * held until its end arrives. If the stream breaks off, the held partial event is dropped and `errorEvent()` (a
 * complete SSE event) is sent instead, then the stream ends.
 */
export function relaySse(
  body: ReadableStream<Uint8Array>,
  idleMs: number,
  errorEvent: (detail: string) => string,
  hooks: SseHooks,
): ReadableStream<Uint8Array> {
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
        const joined =
          held.byteLength === 0 ? next.value : concat([held, next.value], held.byteLength + next.value.byteLength);
        const boundary = scanner.scan(joined, held.byteLength);
        if (boundary > 0 || joined.byteLength > MAX_HELD_BYTES) {
          // Whole events go out; an oversized partial one too (holding it would let a backend grow this buffer without
          // bound).
          const cut = boundary > 0 ? boundary : joined.byteLength;
          controller.enqueue(joined.slice(0, cut));
          held = joined.slice(cut);
          scanner.rebase(cut);
          return;
        }
        held = joined;
      }
    },
    cancel(reason) {
      // The client went away: not a failure of the backend; free its connection.
      if (!finished) {
        finished = true;
        reader.cancel(reason).catch(() => undefined);
        hooks.onEnd?.();
      }
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
export async function readWithin(
  reader: ReadableStreamDefaultReader<Uint8Array>,
  idleMs: number,
): Promise<Awaited<ReturnType<ReadableStreamDefaultReader<Uint8Array>['read']>> | { failure: string }> {
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

export function concat(chunks: readonly Uint8Array[], size: number): Uint8Array {
  if (chunks.length === 1) return chunks[0];
  const out = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return out;
}
