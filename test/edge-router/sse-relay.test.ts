/**
 * The SSE relay against a deliberately simple oracle (fast-check): for any stream of events (LF, CRLF or CR line
 * ends, comments, multi-line data), cut into any chunks and broken off at any byte, the client gets exactly the bytes
 * of the events completed before the break, unchanged, and then one error event; a stream that ends normally comes
 * through byte for byte.
 */
import fc from 'fast-check';
import { relaySse } from '../../edge-worker/src/sse';

const ERROR_EVENT = 'event: error\ndata: {"error":{"code":"broken"}}\n\n';

/**
 * The oracle: the end of the last empty line in `text` (a line terminator right after another, or at the start), 0 if
 * none.
 */
function lastEventEnd(text: string): number {
  let end = 0;
  let previousEnd = 0; // where the current line started
  for (const match of text.matchAll(/\r\n|\r|\n/g)) {
    if (match.index === previousEnd) end = match.index + match[0].length;
    previousEnd = match.index + match[0].length;
  }
  return end;
}

/** A readable stream of `chunks`, then either the end or an error. */
function upstream(chunks: Uint8Array[], breaks: boolean): ReadableStream<Uint8Array> {
  let i = 0;
  return new ReadableStream<Uint8Array>({
    pull(controller) {
      if (i < chunks.length) controller.enqueue(chunks[i++]);
      else if (breaks) controller.error(new Error('connection lost'));
      else controller.close();
    },
  });
}

async function relayed(
  chunks: Uint8Array[],
  breaks: boolean,
): Promise<{ text: string; broken: number; ended: number }> {
  let broken = 0;
  let ended = 0;
  const out = relaySse(upstream(chunks, breaks), 5_000, () => ERROR_EVENT, {
    onBroken: () => broken++,
    onEnd: () => ended++,
  });
  const text = await new Response(out).text();
  return { text, broken, ended };
}

const lineEnd = fc.constantFrom('\n', '\r\n', '\r');
const field = fc.oneof(
  fc.string({ maxLength: 12 }).map((s) => `data: ${s.replace(/[\r\n]/g, ' ')}`),
  fc.constantFrom('event: message', ': keep-alive comment', 'id: 7', 'retry: 100'),
);
const event = fc
  .tuple(fc.array(fc.tuple(field, lineEnd), { minLength: 1, maxLength: 3 }), lineEnd)
  .map(([lines, end]) => lines.map(([l, e]) => l + e).join('') + end);
const stream = fc.array(event, { minLength: 1, maxLength: 6 }).map((events) => events.join(''));

/** Splits bytes at the given cut points. */
function chunk(bytes: Uint8Array, cuts: number[]): Uint8Array[] {
  const points = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
  const out: Uint8Array[] = [];
  let from = 0;
  for (const p of [...points, bytes.length]) {
    if (p > from) out.push(bytes.slice(from, p));
    from = p;
  }
  return out;
}

describe('SSE relay', () => {
  test(
    'a stream broken off at any byte: the client gets the complete events before it, unchanged, then one error ' +
      'event',
    async () => {
      await fc.assert(
        fc.asyncProperty(stream, fc.nat(), fc.array(fc.nat(), { maxLength: 8 }), async (text, breakAt, cuts) => {
          const bytes = new TextEncoder().encode(text);
          const received = bytes.slice(0, breakAt % (bytes.length + 1));
          const result = await relayed(chunk(received, cuts), true);
          const prefix = new TextDecoder().decode(received);
          expect(result.text).toBe(prefix.slice(0, lastEventEnd(prefix)) + ERROR_EVENT);
          expect([result.broken, result.ended]).toEqual([1, 0]);
        }),
        { numRuns: 300 },
      );
    },
  );

  test('a stream that ends normally comes through byte for byte, however it is chunked', async () => {
    await fc.assert(
      fc.asyncProperty(stream, fc.array(fc.nat(), { maxLength: 8 }), async (text, cuts) => {
        const result = await relayed(chunk(new TextEncoder().encode(text), cuts), false);
        expect(result.text).toBe(text);
        expect([result.broken, result.ended]).toEqual([0, 1]);
      }),
      { numRuns: 200 },
    );
  });

  test('a stream that goes silent for the idle timeout is broken off with the error event', async () => {
    const silent = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(new TextEncoder().encode('data: one\n\ndata: tw'));
      },
    });
    let detail = '';
    const text = await new Response(relaySse(silent, 50, () => ERROR_EVENT, { onBroken: (d) => (detail = d) })).text();
    expect(text).toBe(`data: one\n\n${ERROR_EVENT}`);
    expect(detail).toContain('sent nothing for 50 ms');
  });
});
