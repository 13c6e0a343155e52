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

import { concat, readWithin } from './sse';

/** A body read to its end, or what was read before it stopped. */
export type WholeBody =
  | { readonly kind: 'whole'; readonly body: Uint8Array }
  | {
      readonly kind: 'too-large';
      readonly head: Uint8Array[];
      readonly reader: ReadableStreamDefaultReader<Uint8Array>;
    }
  | { readonly kind: 'broken'; readonly detail: string };

/**
 * Reads a body to its end, unless it exceeds `maxBytes`, fails, or sends nothing for `idleMs`. With a declared length
 * within `maxBytes` it is read in one go (a body shorter than declared fails the read), bounded by `idleMs` in all.
 */
export async function readWhole(
  body: ReadableStream<Uint8Array> | null,
  maxBytes: number,
  idleMs: number,
  declaredLength?: number,
): Promise<WholeBody> {
  if (!body) return { kind: 'whole', body: new Uint8Array(0) };
  if (declaredLength !== undefined && declaredLength <= maxBytes) {
    let timer: ReturnType<typeof setTimeout> | null = null;
    const whole = new Response(body)
      .arrayBuffer()
      .then((buffer): WholeBody => ({ kind: 'whole', body: new Uint8Array(buffer) }));
    const late = new Promise<WholeBody>((resolve) => {
      timer = setTimeout(
        () => resolve({ kind: 'broken', detail: `the backend did not finish its answer within ${idleMs} ms` }),
        idleMs,
      );
    });
    try {
      const result = await Promise.race([whole, late]);
      if (result.kind === 'broken') body.cancel().catch(() => undefined);
      return result;
    } catch (error) {
      return { kind: 'broken', detail: `the backend's connection broke off: ${String(error)}` };
    } finally {
      if (timer !== null) clearTimeout(timer);
    }
  }
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
export function streamRest(
  head: readonly Uint8Array[],
  reader: ReadableStreamDefaultReader<Uint8Array>,
  declaredLength: number | undefined,
  onBroken: (detail: string) => void,
): ReadableStream<Uint8Array> {
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
