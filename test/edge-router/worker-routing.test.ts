/**
 * The bundled edge router Worker in workerd (Miniflare) against real loopback inference servers: routing by model,
 * request validation, forwarding (model header, path, query, body), response headers and decision logs.
 */
import {
  FakeInferenceServer,
  chatBody,
  loopbackTable,
  startRouter,
  type RouterHarness,
  routerScript,
} from '../../scripts/edge-worker-harness';

const LLAMA_ID = 'meta-llama/Llama-3.1-8B-Instruct';
const EMBED_ID = 'BAAI/bge-large-en-v1.5';

describe('edge router: routing by model', () => {
  const us = new FakeInferenceServer({ name: 'us' });
  const eu = new FakeInferenceServer({ name: 'eu' });
  const ap = new FakeInferenceServer({ name: 'ap' });
  let router: RouterHarness;

  beforeAll(async () => {
    await Promise.all([us.start(), eu.start(), ap.start()]);
    const table = loopbackTable(
      [
        { id: 'us-east-1', server: us, models: ['llama', 'embed'] },
        { id: 'eu-west-1', server: eu, models: ['llama'], jurisdiction: 'eu' },
        { id: 'ap-northeast-1', server: ap, models: ['embed'] },
      ],
      { llama: LLAMA_ID, embed: EMBED_ID },
      { eu: { countries: ['DE', 'FR'], continents: [] } },
    );
    router = await startRouter({ script: routerScript(), table });
  });
  afterAll(async () => {
    await router?.dispose();
    await Promise.all([us.kill(), eu.kill(), ap.kill()]);
  });
  beforeEach(() => [us, eu, ap].forEach((s) => s.reset()));

  test(
    'a chat completion reaches a backend serving the model, with ' + 'the model key header, path, query and body kept',
    async () => {
      const body = chatBody(LLAMA_ID, { temperature: 0.2 });
      const response = await router.fetch('/v1/chat/completions?trace=1', {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: 'Bearer client-key' },
        body,
      });
      expect(response.status).toBe(200);
      const backend = response.headers.get('x-router-backend');
      expect(['us-east-1', 'eu-west-1']).toContain(backend);
      expect(response.headers.get('x-router-attempts')).toBe('1');
      const server = backend === 'us-east-1' ? us : eu;
      expect(server.requests).toHaveLength(1);
      const seen = server.requests[0];
      expect(seen.method).toBe('POST');
      expect(seen.path).toBe('/v1/chat/completions?trace=1');
      expect(seen.body).toBe(body);
      expect(seen.headers['x-inference-model']).toBe('llama');
      expect(seen.headers['x-router-attempt']).toBe('1');
      expect(seen.headers.authorization).toBe('Bearer client-key'); // the backend may check client keys itself
      expect(ap.requests).toHaveLength(0); // ap does not serve llama
    },
  );

  test('clients may name a model by its id or its key; only backends serving it are used', async () => {
    for (let i = 0; i < 30; i++) {
      const response = await router.fetch('/v1/embeddings', {
        method: 'POST',
        body: JSON.stringify({ model: i % 2 ? EMBED_ID : 'embed', input: 'x' }),
      });
      expect(response.status).toBe(200);
      expect(['us-east-1', 'ap-northeast-1']).toContain(response.headers.get('x-router-backend'));
    }
    expect(eu.requests).toHaveLength(0);
    expect(us.requests.length + ap.requests.length).toBe(30);
    expect([...us.requests, ...ap.requests]).toAllSatisfy(
      (r) => r.headers['x-inference-model'] === 'embed' && r.path === '/v1/embeddings',
    );
  });

  test('an unknown model is a 404 in the OpenAI error shape, and no backend is called', async () => {
    const response = await router.fetch('/v1/completions', {
      method: 'POST',
      body: JSON.stringify({ model: 'gpt-17', prompt: 'hi' }),
    });
    expect(response.status).toBe(404);
    const body = (await response.json()) as { error: Record<string, unknown> };
    expect(body).toEqual({
      error: {
        message: expect.stringContaining("'gpt-17' does not exist"),
        type: 'invalid_request_error',
        param: 'model',
        code: 'model_not_found',
      },
    });
    expect(String(body.error.message)).toContain(LLAMA_ID);
    expect(us.requests.length + eu.requests.length + ap.requests.length).toBe(0);
  });

  test.each([
    ['not JSON', '{"model": "llama", ', 'invalid_json', null],
    ['a JSON array', '[1, 2]', 'invalid_json', null],
    ['no model', JSON.stringify({ messages: [] }), 'missing_model', 'model'],
    ['a model that is not a string', JSON.stringify({ model: 42 }), 'missing_model', 'model'],
    ['an empty body', '', 'invalid_json', null],
  ])('a body that is %s is a 400 naming the problem, never a crash', async (_what, body, code, param) => {
    const response = await router.fetch('/v1/chat/completions', { method: 'POST', body });
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({
      error: { message: expect.any(String), type: 'invalid_request_error', param, code },
    });
    expect(us.requests.length + eu.requests.length + ap.requests.length).toBe(0);
  });

  test('GET /v1/models lists the models of the table that the client can reach', async () => {
    const anywhere = await router.fetch('/v1/models');
    expect(anywhere.status).toBe(200);
    expect(await anywhere.json()).toEqual({
      object: 'list',
      data: [
        { id: EMBED_ID, object: 'model', created: 0, owned_by: 'global-inference' },
        { id: LLAMA_ID, object: 'model', created: 0, owned_by: 'global-inference' },
      ],
    });
    // Clients in Germany are bound to 'eu', whose only backend serves llama.
    const fromGermany = await router.fetch('/v1/models', { cf: { country: 'DE', continent: 'EU' } });
    expect(((await fromGermany.json()) as { data: { id: string }[] }).data.map((m) => m.id)).toEqual([LLAMA_ID]);
  });

  test('unknown paths are 404 and wrong methods 405, both in the OpenAI error shape', async () => {
    const unknown = await router.fetch('/v1/images/generations', { method: 'POST', body: chatBody('llama') });
    expect(unknown.status).toBe(404);
    expect(((await unknown.json()) as { error: { code: string } }).error.code).toBe('unknown_url');
    const get = await router.fetch('/v1/chat/completions');
    expect(get.status).toBe(405);
    expect(get.headers.get('allow')).toBe('POST');
    const post = await router.fetch('/v1/models', { method: 'POST', body: '{}' });
    expect(post.status).toBe(405);
  });

  test('a body above the size limit is refused with 413 before any backend is called', async () => {
    const huge = chatBody('llama', { pad: 'x'.repeat(17 * 1024 * 1024) });
    const response = await router.fetch('/v1/chat/completions', { method: 'POST', body: huge });
    expect(response.status).toBe(413);
    expect(us.requests.length + eu.requests.length).toBe(0);
  });

  test('each decision is logged as one JSON line with the backend, attempts and outcome', async () => {
    const requestId = `req-${Date.now()}`;
    const response = await router.fetch('/v1/chat/completions', {
      method: 'POST',
      headers: { 'x-request-id': requestId },
      body: chatBody('llama'),
    });
    expect(response.headers.get('x-request-id')).toBe(requestId);
    const deadline = Date.now() + 2000;
    let line: Record<string, unknown> | undefined;
    while (!line && Date.now() < deadline) {
      line = router.logs.find((l) => l.requestId === requestId);
      if (!line) await new Promise((r) => setTimeout(r, 20));
    }
    expect(line).toMatchObject({
      event: 'route',
      requestId,
      path: '/v1/chat/completions',
      model: 'llama',
      status: 200,
      backend: response.headers.get('x-router-backend'),
      tableVersion: 1,
      country: 'JP',
      attempts: [{ backend: response.headers.get('x-router-backend'), outcome: 'ok', status: 200 }],
    });
    expect(router.logs.filter((l) => l.requestId === requestId)).toHaveLength(1);
  });
});
