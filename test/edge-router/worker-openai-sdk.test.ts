/**
 * The router as an OpenAI endpoint for a real client: the official `openai` Node SDK (its own retry logic, error
 * classes and SSE parser) over plain HTTP into workerd, in front of loopback backends. Models list and retrieve,
 * chat completions streamed and not, embeddings, the error classes the router answers with, a stream that breaks
 * off raising in the SDK's loop, and retries that honour the router's timing and never go back to the backend that
 * just refused them.
 */
import OpenAI, {
  APIError,
  AuthenticationError,
  BadRequestError,
  InternalServerError,
  NotFoundError,
  RateLimitError,
} from 'openai';
import {
  FakeInferenceServer,
  HARNESS_ORIGIN,
  loopbackTable,
  routerScript,
  sleep,
  startRouter,
  type RouterHarness,
} from '../../scripts/edge-worker-harness';

const script = routerScript();
const LLAMA = 'meta-llama/Llama-3.1-8B-Instruct';
const EMBED = 'BAAI/bge-large-en-v1.5';
const messages = [{ role: 'user' as const, content: 'hello' }];

/** An SDK client over plain HTTP to the router's workerd socket, counting the HTTP requests it makes. */
function client(router: RouterHarness, maxRetries = 2): { sdk: OpenAI; calls: () => number } {
  let calls = 0;
  const sdk = new OpenAI({
    apiKey: 'client-key',
    baseURL: new URL('/v1', router.directUrl).href,
    maxRetries,
    timeout: 20_000,
    fetch: (url, init) => {
      calls++;
      return fetch(url, init);
    },
  });
  return { sdk, calls: () => calls };
}

/** An SDK client whose requests carry a client location (request.cf), through Miniflare's dispatch. */
function clientFrom(
  router: RouterHarness,
  cf: { country: string; continent: string },
): { sdk: OpenAI; calls: () => number } {
  let calls = 0;
  const sdk = new OpenAI({
    apiKey: 'client-key',
    baseURL: `${HARNESS_ORIGIN}/v1`,
    maxRetries: 2,
    fetch: async (url, init) => {
      calls++;
      const request = new Request(url, init);
      return (await router.mf.dispatchFetch(request.url, {
        method: request.method,
        headers: [...request.headers],
        body: await request.text(),
        cf,
      } as never)) as unknown as Response;
    },
  });
  return { sdk, calls: () => calls };
}

async function rejection(promise: Promise<unknown>): Promise<APIError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof APIError) return error;
    throw error;
  }
  throw new Error('expected the SDK call to fail');
}

describe('the openai SDK against the router', () => {
  const a = new FakeInferenceServer({ name: 'a', latencyMs: 5, sse: { events: 5, gapMs: 10 } });
  const b = new FakeInferenceServer({ name: 'b', latencyMs: 40, sse: { events: 5, gapMs: 10 } });
  let router: RouterHarness;

  beforeAll(async () => {
    await Promise.all([a.start(), b.start()]);
    const table = loopbackTable(
      [
        { id: 'a', server: a, models: ['llama', 'embed'] },
        { id: 'b', server: b, models: ['llama', 'embed'] },
      ],
      { llama: LLAMA, embed: EMBED },
    );
    // Back-offs capped at 400 ms (whatever a backend's Retry-After says), so the tests need not wait seconds.
    router = await startRouter({
      script,
      table,
      directSocket: true,
      config: {
        exploreRatio: 0,
        breakerProbeIntervalMs: 300,
        attemptTimeoutMs: 1000,
        saturationMaxBackoffMs: 400,
        maxBodyBytes: 4096,
      },
    });
  });
  afterAll(async () => {
    await router?.dispose();
    await Promise.all([a.kill(), b.kill()]);
  });
  beforeEach(async () => {
    for (const s of [a, b]) s.behaviour = { kind: 'ok' };
    await sleep(450); // past any back-off (at most 400 ms) a previous test left
    for (const s of [a, b]) s.reset();
  });

  test(
    'models: list, and retrieve by id (an id with a slash ' + 'included); an unknown one is NotFoundError, not retried',
    async () => {
      const { sdk, calls } = client(router);
      const list = await sdk.models.list();
      expect(list.data.map((m) => m.id).sort()).toEqual([EMBED, LLAMA].sort());
      expect(list.data[0]).toMatchObject({ object: 'model', owned_by: 'global-inference' });
      const one = await sdk.models.retrieve(LLAMA);
      expect(one).toMatchObject({ id: LLAMA, object: 'model' });
      const before = calls();
      const missing = await rejection(sdk.models.retrieve('no-such-model'));
      expect(missing).toBeInstanceOf(NotFoundError);
      expect(missing.code).toBe('model_not_found');
      expect(calls() - before).toBe(1);
    },
  );

  test('chat completions, not streamed and streamed, and embeddings', async () => {
    const { sdk } = client(router);
    const completion = await sdk.chat.completions.create({ model: LLAMA, messages });
    expect(completion.choices[0].message.content).toMatch(/^hello from (a|b)$/);
    const stream = await sdk.chat.completions.create({ model: LLAMA, messages, stream: true });
    let text = '';
    for await (const chunk of stream) text += chunk.choices[0]?.delta?.content ?? '';
    expect(text).toBe('token0 token1 token2 token3 token4 ');
    const embedding = await sdk.embeddings.create({ model: EMBED, input: 'x', encoding_format: 'float' });
    expect(embedding.data[0].embedding).toEqual([0.1, 0.2, 0.3]);
  });

  test('a stream that breaks off mid-way raises in the SDK’s stream loop, after the chunks that arrived', async () => {
    a.behaviour = { kind: 'cut', afterEvents: 2 };
    b.behaviour = { kind: 'cut', afterEvents: 2 };
    const { sdk } = client(router);
    const stream = await sdk.chat.completions.create({ model: LLAMA, messages, stream: true });
    const chunks: string[] = [];
    const error = await rejection(
      (async () => {
        for await (const chunk of stream) chunks.push(chunk.choices[0]?.delta?.content ?? '');
      })(),
    );
    expect(chunks).toEqual(['token0 ', 'token1 ']);
    expect(error.message).toContain('The answer is incomplete');
    expect((error.error as { code?: string }).code).toBe('backend_stream_broken');
  });

  test(
    'the client’s own errors: 400 BadRequestError, 413 (body over the router’s limit), 401 AuthenticationError ' +
      '(the backend’s), none retried',
    async () => {
      const { sdk, calls } = client(router);
      const bad = await rejection(sdk.chat.completions.create({ model: '', messages }));
      expect(bad).toBeInstanceOf(BadRequestError);
      expect(bad.code).toBe('missing_model');
      const tooLarge = await rejection(
        sdk.chat.completions.create({ model: LLAMA, messages: [{ role: 'user', content: 'x'.repeat(5000) }] }),
      );
      expect(tooLarge.status).toBe(413);
      expect(tooLarge.code).toBe('request_too_large');
      a.behaviour = { kind: 'status', status: 401 };
      b.behaviour = { kind: 'status', status: 401 };
      const denied = await rejection(sdk.chat.completions.create({ model: LLAMA, messages }));
      expect(denied).toBeInstanceOf(AuthenticationError);
      expect(calls()).toBe(3);
    },
  );

  test(
    '429 and 503 from the best backend are retried by the router ' + 'elsewhere: the SDK sees one successful request',
    async () => {
      for (const status of [429, 503]) {
        a.reset();
        a.behaviour = { kind: 'status', status };
        const { sdk, calls } = client(router);
        const completion = await sdk.chat.completions.create({ model: LLAMA, messages });
        expect(completion.choices[0].message.content).toBe('hello from b');
        expect(calls()).toBe(1);
        expect(a.count()).toBeLessThanOrEqual(1);
      }
    },
  );

  test(
    'every backend saturated: RateLimitError after the SDK retried exactly when the Retry-After said, on the ' +
      'backend only after its back-off',
    async () => {
      a.behaviour = { kind: 'status', status: 429, retryAfter: '2' }; // capped at 400 ms by the router
      b.behaviour = { kind: 'status', status: 429, retryAfter: '2' };
      const { sdk, calls } = client(router, 1);
      const started = performance.now();
      const error = await rejection(sdk.chat.completions.create({ model: LLAMA, messages }));
      const elapsed = performance.now() - started;
      expect(error).toBeInstanceOf(RateLimitError);
      expect(error.code).toBe('backends_saturated');
      expect(calls()).toBe(2);
      // The SDK waited the router's retry-after-ms (the 400 ms back-off, what is left of it), not its own guess.
      expect(Number(error.headers?.get('retry-after-ms'))).toBeLessThanOrEqual(400);
      expect(elapsed).toBeGreaterThan(300);
      expect(elapsed).toBeLessThan(3000);
      // Each backend got one request per back-off: the retry reached them only once their back-off had passed.
      expect(a.count()).toBe(2);
      expect(b.count()).toBe(2);
      for (const s of [a, b]) expect(s.requests[1].at - s.requests[0].at).toBeGreaterThan(300);
    },
  );

  test(
    'an SDK retry never lands on the backend that just refused it: a saturated one is skipped until its ' +
      'Retry-After',
    async () => {
      a.behaviour = { kind: 'status', status: 429, retryAfter: '5' }; // saturated for the 400 ms cap
      b.behaviour = { kind: 'status', status: 500 };
      // b recovers before the SDK retries (after ≥ 1 s); a keeps answering 429 and, past its back-off, is re-measured
      // by copies only.
      setTimeout(() => (b.behaviour = { kind: 'ok' }), 150);
      const { sdk, calls } = client(router);
      const completion = await sdk.chat.completions.create({ model: LLAMA, messages });
      expect(completion.choices[0].message.content).toBe('hello from b');
      expect(calls()).toBe(2);
      expect(a.count()).toBe(1);
      expect(b.count()).toBe(2);
    },
  );

  test(
    'every backend down: InternalServerError with a Retry-After matching the breaker’s next probe; the SDK does ' +
      'not wait 30 s',
    async () => {
      await a.kill();
      await b.kill();
      try {
        const { sdk, calls } = client(router);
        const started = performance.now();
        const error = await rejection(sdk.chat.completions.create({ model: LLAMA, messages }));
        const elapsed = performance.now() - started;
        expect(error).toBeInstanceOf(InternalServerError);
        expect(error.status).toBe(503);
        expect(calls()).toBe(3);
        const waitMs = Number(error.headers?.get('retry-after-ms'));
        expect(waitMs).toBeGreaterThan(0);
        expect(waitMs).toBeLessThanOrEqual(300); // the probe interval
        expect(error.headers?.get('retry-after')).toBe('1');
        expect(elapsed).toBeLessThan(5000);
      } finally {
        await Promise.all([a.start(), b.start()]);
      }
    },
  );
});

describe('the openai SDK from a client bound to a jurisdiction', () => {
  const us = new FakeInferenceServer({ name: 'us' });
  const eu = new FakeInferenceServer({ name: 'eu' });
  let router: RouterHarness;

  beforeAll(async () => {
    await Promise.all([us.start(), eu.start()]);
    const table = loopbackTable(
      [
        { id: 'us-east-1', server: us, models: ['llama', 'embed'] },
        { id: 'eu-west-1', server: eu, models: ['llama'], jurisdiction: 'eu' },
      ],
      { llama: LLAMA, embed: EMBED },
      { eu: { countries: [], continents: ['EU'] } },
    );
    router = await startRouter({ script, table, config: { breakerProbeIntervalMs: 300 } });
  });
  afterAll(async () => {
    await router?.dispose();
    await Promise.all([us.kill(), eu.kill()]);
  });

  test(
    'permanent conditions tell the SDK not to retry: a model not served in the client’s jurisdiction, and a ' +
      'jurisdiction with nothing up',
    async () => {
      const fromEu = clientFrom(router, { country: 'DE', continent: 'EU' });
      const notServed = await rejection(
        fromEu.sdk.embeddings.create({ model: EMBED, input: 'x', encoding_format: 'float' }),
      );
      expect(notServed).toBeInstanceOf(NotFoundError);
      expect(notServed.headers?.get('x-should-retry')).toBe('false');
      expect(fromEu.calls()).toBe(1);

      await eu.kill();
      try {
        const down = await rejection(fromEu.sdk.chat.completions.create({ model: LLAMA, messages }));
        expect(down).toBeInstanceOf(InternalServerError);
        expect(down.code).toBe('jurisdiction_unavailable');
        expect(down.headers?.get('x-should-retry')).toBe('false');
        expect(fromEu.calls()).toBe(2); // one request each: no blind retries
        expect(us.count()).toBe(0); // and never sent out of the jurisdiction
      } finally {
        await eu.start();
      }
    },
  );
});
