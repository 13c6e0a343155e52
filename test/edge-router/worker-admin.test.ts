/**
 * The admin API of the bundled Worker in workerd: authentication, validation, versioning, rollback and audit, with
 * the KV contents checked directly; and the scheduled readiness probe.
 */
import { ROUTER_KV_KEYS, auditKey, versionKey, type RoutingTable } from '../../lib/edge-router/routing-table';
import {
  FakeInferenceServer,
  chatBody,
  loopbackTable,
  startRouter,
  type RouterHarness,
  routerScript,
} from '../../scripts/edge-worker-harness';

const script = routerScript();
const TOKEN = 'test-admin-token-0123456789abcdef';
// biome-ignore lint/suspicious/noExplicitAny: parsed response bodies, read field by field in the assertions.
type Json = Record<string, any>;

describe('edge router admin API', () => {
  const us = new FakeInferenceServer({ name: 'us' });
  const eu = new FakeInferenceServer({ name: 'eu' });
  const eu2 = new FakeInferenceServer({ name: 'eu2' });
  let router: RouterHarness;

  const admin = async (method: string, path: string, body?: unknown, headers: Record<string, string> = {}) => {
    const response = await router.fetch(path, {
      method,
      headers: { authorization: `Bearer ${TOKEN}`, 'x-router-actor': 'alice@example.com', ...headers },
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });
    return { status: response.status, body: (await response.json()) as Json, headers: response.headers };
  };
  const current = async () => (await router.kv.get(ROUTER_KV_KEYS.current, 'json')) as RoutingTable;
  const keys = async (prefix: string) => (await router.kv.list({ prefix })).keys.map((k) => k.name);

  beforeAll(async () => {
    await Promise.all([us.start(), eu.start(), eu2.start()]);
    const table = loopbackTable(
      [
        { id: 'us-east-1', server: us, models: ['llama', 'embed'] },
        { id: 'eu-west-1', server: eu, models: ['llama'], jurisdiction: 'eu' },
        { id: 'eu-central-1', server: eu2, models: ['llama'], jurisdiction: 'eu' },
      ],
      { llama: 'llama-id', embed: 'embed-id' },
      { eu: { countries: ['DE'], continents: [] } },
    );
    router = await startRouter({ script, table, adminToken: TOKEN, config: { strategy: 'weighted' } });
  });
  afterAll(async () => {
    await router?.dispose();
    await Promise.all([us.kill(), eu.kill(), eu2.kill()]);
  });

  describe('authentication', () => {
    test.each([
      ['no Authorization header', {}],
      ['a wrong token', { authorization: 'Bearer wrong-token-0123456789abcdef' }],
      ['the token with one character changed', { authorization: `Bearer ${TOKEN.slice(0, -1)}x` }],
      ['a prefix of the token', { authorization: `Bearer ${TOKEN.slice(0, 10)}` }],
      ['another scheme', { authorization: `Basic ${TOKEN}` }],
    ])('%s is refused with 401 and changes nothing', async (_what, headers) => {
      const before = await keys('');
      for (const [method, path, body] of [
        ['GET', '/_router/table', undefined],
        ['PUT', '/_router/weights', { weights: { 'us-east-1': 1 } }],
        ['POST', '/_router/backends/us-east-1/drain', {}],
        ['POST', '/_router/rollback', { version: 1 }],
      ] as const) {
        const response = await router.fetch(path, {
          method,
          headers,
          body: body === undefined ? undefined : JSON.stringify(body),
        });
        expect(response.status).toBe(401);
        expect(response.headers.get('www-authenticate')).toContain('Bearer');
        expect(((await response.json()) as Json).error.code).toBe('invalid_token');
      }
      expect(await keys('')).toEqual(before);
      expect((await current()).version).toBe(1);
    });
  });

  test('reads the current table', async () => {
    const { status, body } = await admin('GET', '/_router/table');
    expect(status).toBe(200);
    expect(body.table).toMatchObject({
      version: 1,
      updatedBy: 'terraform',
      backends: { 'us-east-1': { weight: 100, enabled: true } },
    });
  });

  describe('invalid changes are refused with every problem named, and write nothing', () => {
    test.each([
      [
        'an unknown backend',
        '/_router/weights',
        'PUT',
        { weights: { 'us-west-9': 10 } },
        'weights["us-west-9"]',
        'must name a backend of the table (eu-central-1, eu-west-1, us-east-1)',
      ],
      [
        'a negative weight',
        '/_router/weights',
        'PUT',
        { weights: { 'us-east-1': -5 } },
        'weights["us-east-1"]',
        'must be a number from 0 to 10000',
      ],
      [
        'a weight that is not a number',
        '/_router/weights',
        'PUT',
        { weights: { 'us-east-1': '50' } },
        'weights["us-east-1"]',
        'must be a number from 0 to 10000',
      ],
      [
        'no enabled backend left for a model',
        '/_router/weights',
        'PUT',
        { weights: { 'us-east-1': 0 } },
        'models.embed',
        'must have at least one enabled backend with weight > 0 (serving it: us-east-1 (weight 0))',
      ],
      [
        'no backend left for a jurisdiction',
        '/_router/weights',
        'PUT',
        { weights: { 'eu-west-1': 0, 'eu-central-1': 0 } },
        'residency.eu',
        "clients of jurisdiction 'eu' need at least one enabled backend",
      ],
      [
        'a typo in a field name',
        '/_router/weights',
        'PUT',
        { weigths: { 'us-east-1': 5 } },
        'weigths',
        'is not a known field; allowed: weights, expectedVersion, comment',
      ],
      ['a body that is not JSON', '/_router/weights', 'PUT', '{"weights": ', '(body)', 'must be a JSON object'],
      [
        'draining the only backend of a model',
        '/_router/backends/us-east-1/drain',
        'POST',
        {},
        'models.embed',
        'must have at least one enabled backend with weight > 0 (serving it: us-east-1 (drained))',
      ],
      [
        'draining an unknown backend',
        '/_router/backends/nowhere/drain',
        'POST',
        {},
        'backend',
        'must name a backend of the table',
      ],
      [
        'a rollback to a version that does not exist',
        '/_router/rollback',
        'POST',
        { version: 99 },
        'version',
        'must be an existing version',
      ],
      ['a rollback without a version', '/_router/rollback', 'POST', {}, 'version', 'is required'],
    ])('%s', async (_what, path, method, body, problemPath, message) => {
      const before = await keys('');
      const { status, body: response } = await admin(method, path, body);
      expect(status).toBe(400);
      expect(response.error).toMatchObject({
        type: 'invalid_request_error',
        code: 'invalid_change',
        param: problemPath,
      });
      expect(response.problems).toEqual(
        expect.arrayContaining([
          expect.objectContaining({ path: problemPath, message: expect.stringContaining(message) }),
        ]),
      );
      expect(await keys('')).toEqual(before);
      expect((await current()).version).toBe(1);
    });

    test('an invalid actor header is refused', async () => {
      const { status, body } = await admin(
        'PUT',
        '/_router/weights',
        { weights: { 'us-east-1': 5 } },
        { 'x-router-actor': 'x'.repeat(101) },
      );
      expect(status).toBe(400);
      expect(body.error.code).toBe('invalid_actor');
      expect((await current()).version).toBe(1);
    });
  });

  describe('changes (in order: each builds on the previous)', () => {
    test(
      'setting weights writes version 2, the pointer and an audit entry naming who, when, what and the previous ' +
        'version',
      async () => {
        const { status, body } = await admin('PUT', '/_router/weights', {
          weights: { 'us-east-1': 25, 'eu-west-1': 50 },
          comment: 'shift load to EU',
          expectedVersion: 1,
        });
        expect(status).toBe(200);
        expect(body.table).toMatchObject({
          version: 2,
          previousVersion: 1,
          updatedBy: 'alice@example.com',
          change: { action: 'set-weights' },
          comment: 'shift load to EU',
        });
        expect(body.table.backends['us-east-1'].weight).toBe(25);
        expect(body.table.backends['eu-central-1'].weight).toBe(100); // not named: unchanged
        expect(await current()).toEqual(body.table);
        expect(await router.kv.get(versionKey(2), 'json')).toEqual(body.table);
        const audit = (await router.kv.get(auditKey(2), 'json')) as Json;
        expect(audit).toEqual({
          version: 2,
          previousVersion: 1,
          at: body.table.updatedAt,
          who: 'alice@example.com',
          actor: 'alice@example.com',
          tokenId: expect.stringMatching(/^token:[0-9a-f]{8}$/),
          change: { action: 'set-weights', weights: { 'us-east-1': 25, 'eu-west-1': 50 } },
          comment: 'shift load to EU',
          diff: [
            { path: 'backends.eu-west-1.weight', from: 100, to: 50 },
            { path: 'backends.us-east-1.weight', from: 100, to: 25 },
          ],
        });
        expect(Date.now() - Date.parse(audit.at)).toBeLessThan(60_000);
        expect(JSON.stringify(audit)).not.toContain(TOKEN);
      },
    );

    test('the new weights take effect at once in this isolate', async () => {
      await admin('PUT', '/_router/weights', { weights: { 'us-east-1': 100, 'eu-west-1': 0, 'eu-central-1': 100 } });
      eu.reset();
      for (let i = 0; i < 20; i++)
        await router.fetch('/v1/chat/completions', {
          method: 'POST',
          body: chatBody('llama'),
          cf: { country: 'DE', continent: 'EU' },
        });
      expect(eu.count()).toBe(0); // weight 0: no traffic; the DE clients all went to eu-central-1
      expect(eu2.count()).toBeGreaterThanOrEqual(20);
    });

    test('a change based on a stale version is refused with 409', async () => {
      const { status, body } = await admin('PUT', '/_router/weights', {
        weights: { 'us-east-1': 7 },
        expectedVersion: 1,
      });
      expect(status).toBe(409);
      expect(body).toMatchObject({ error: { code: 'version_conflict', type: 'conflict_error' }, currentVersion: 3 });
      expect((await current()).version).toBe(3);
    });

    test('without an actor header the audit names the token id', async () => {
      const response = await router.fetch('/_router/backends/eu-central-1/drain', {
        method: 'POST',
        headers: { authorization: `Bearer ${TOKEN}` },
      });
      expect(response.status).toBe(400); // draining it would leave 'eu' with only a weight-0 backend
      const ok = await router.fetch('/_router/weights', {
        method: 'PUT',
        headers: { authorization: `Bearer ${TOKEN}` },
        body: JSON.stringify({ weights: { 'eu-west-1': 100 } }),
      });
      expect(ok.status).toBe(200);
      const audit = (await router.kv.get(auditKey(4), 'json')) as Json;
      expect(audit.who).toMatch(/^token:[0-9a-f]{8}$/);
      expect(audit.actor).toBeNull();
    });

    test('draining a backend stops its traffic; enabling it restores its weight', async () => {
      const drained = await admin('POST', '/_router/backends/eu-west-1/drain', { comment: 'maintenance' });
      expect(drained.status).toBe(200);
      expect(drained.body.table).toMatchObject({ version: 5, change: { action: 'drain', backend: 'eu-west-1' } });
      expect(drained.body.table.backends['eu-west-1']).toMatchObject({ enabled: false, weight: 100 });
      eu.reset();
      for (let i = 0; i < 10; i++)
        await router.fetch('/v1/chat/completions', { method: 'POST', body: chatBody('llama') });
      expect(eu.count()).toBe(0);

      const again = await admin('POST', '/_router/backends/eu-west-1/drain', {});
      expect(again.status).toBe(400); // changes nothing: refused rather than writing an empty version
      expect(again.body.problems[0].message).toContain('changes nothing');

      const enabled = await admin('POST', '/_router/backends/eu-west-1/enable', {});
      expect(enabled.status).toBe(200);
      expect(enabled.body.table.version).toBe(6);
      expect(enabled.body.table.backends['eu-west-1']).toMatchObject({ enabled: true, weight: 100 });
    });

    test('rolling back writes a new version with the earlier version’s content, audited as a rollback', async () => {
      // Version 6 equals version 1 again (every weight 100, all enabled): rolling back to it would change nothing.
      const noop = await admin('POST', '/_router/rollback', { version: 1 });
      expect(noop.status).toBe(400);
      expect(noop.body.problems[0].message).toContain('changes nothing');

      const { status, body } = await admin('POST', '/_router/rollback', {
        version: 2,
        comment: 'back to the EU shift',
      });
      expect(status).toBe(200);
      const v2 = (await router.kv.get(versionKey(2), 'json')) as RoutingTable;
      expect(body.table).toMatchObject({
        version: 7,
        previousVersion: 6,
        change: { action: 'rollback', toVersion: 2 },
        comment: 'back to the EU shift',
      });
      expect(body.table.backends).toEqual(v2.backends);
      expect(body.table.models).toEqual(v2.models);
      expect(body.audit).toMatchObject({
        version: 7,
        previousVersion: 6,
        change: { action: 'rollback', toVersion: 2 },
      });
      expect(body.audit.diff).toEqual([
        { path: 'backends.eu-west-1.weight', from: 100, to: 50 },
        { path: 'backends.us-east-1.weight', from: 100, to: 25 },
      ]);
      expect(await current()).toEqual(body.table);
    });

    test('versions and audit entries are listed newest first', async () => {
      const versions = await admin('GET', '/_router/versions?limit=3');
      expect(versions.status).toBe(200);
      expect(versions.body.versions).toEqual([
        { version: 7, updatedAt: expect.any(String), updatedBy: 'alice@example.com', action: 'rollback' },
        { version: 6, updatedAt: expect.any(String), updatedBy: 'alice@example.com', action: 'enable' },
        { version: 5, updatedAt: expect.any(String), updatedBy: 'alice@example.com', action: 'drain' },
      ]);
      const all = await admin('GET', '/_router/versions?limit=100');
      expect(all.body.versions.map((v: Json) => v.version)).toEqual([7, 6, 5, 4, 3, 2, 1]);
      expect(all.body.versions[6]).toMatchObject({ version: 1, updatedBy: 'terraform', action: 'initial' });
      const one = await admin('GET', '/_router/versions/2');
      expect(one.body.table.comment).toBe('shift load to EU');
      expect((await admin('GET', '/_router/versions/42')).status).toBe(404);

      const audit = await admin('GET', '/_router/audit?limit=2');
      expect(audit.body.entries.map((e: Json) => [e.version, e.previousVersion, e.change.action])).toEqual([
        [7, 6, 'rollback'],
        [6, 5, 'enable'],
      ]);
      expect(await keys('audit:')).toHaveLength(6); // one per change (versions 2-7)
    });
  });

  test('health shows this isolate’s view per backend and model', async () => {
    const { status, body } = await admin('GET', '/_router/health');
    expect(status).toBe(200);
    expect(body.isolate['us-east-1/llama']).toMatchObject({
      breaker: 'closed',
      consecutiveFailures: 0,
      samples: expect.any(Number),
    });
    expect(body.probe).toBeNull(); // no scheduled run yet
  });

  test('unknown admin paths are 404 and wrong methods 405', async () => {
    expect((await admin('GET', '/_router/nope')).status).toBe(404);
    const wrong = await admin('POST', '/_router/table', {});
    expect(wrong.status).toBe(405);
    expect(wrong.headers.get('allow')).toBe('GET');
  });
});

describe('edge router admin API without a usable token', () => {
  let router: RouterHarness;
  const server = new FakeInferenceServer({ name: 'a' });

  beforeAll(async () => {
    await server.start();
    router = await startRouter({
      script,
      table: loopbackTable([{ id: 'a', server, models: ['m'] }], { m: 'm-id' }),
      adminToken: 'short',
    });
  });
  afterAll(async () => {
    await router?.dispose();
    await server.kill();
  });

  test('is disabled (503) rather than guarded by a guessable token', async () => {
    const response = await router.fetch('/_router/table', { headers: { authorization: 'Bearer short' } });
    expect(response.status).toBe(503);
    expect(((await response.json()) as Json).error.code).toBe('admin_disabled');
  });
});

describe('edge router scheduled probe', () => {
  const up = new FakeInferenceServer({ name: 'up' });
  const down = new FakeInferenceServer({ name: 'down' });
  let router: RouterHarness;
  let fresh: RouterHarness | undefined;
  let table: RoutingTable;

  beforeAll(async () => {
    await Promise.all([up.start(), down.start()]);
    down.healthByModel = { llama: 503 }; // the llama fleet behind this ALB is not ready; embed is
    table = loopbackTable(
      [
        { id: 'up', server: up, models: ['llama'] },
        { id: 'down', server: down, models: ['llama', 'embed'] },
      ],
      { llama: 'llama-id', embed: 'embed-id' },
    );
    router = await startRouter({ script, table, adminToken: TOKEN });
  });
  afterAll(async () => {
    await Promise.all([router?.dispose(), fresh?.dispose()]);
    await Promise.all([up.kill(), down.kill()]);
  });

  test(
    'probes every backend’s readiness path once per model, with ' + 'the model header, and records the results in KV',
    async () => {
      const before = Date.now();
      await router.scheduled();
      expect(up.probes.map((p) => [p.path, p.headers['x-inference-model']])).toEqual([['/health', 'llama']]);
      expect(down.probes.map((p) => p.headers['x-inference-model']).sort()).toEqual(['embed', 'llama']);
      const snapshot = (await router.kv.get(ROUTER_KV_KEYS.probe, 'json')) as Json;
      expect(snapshot.at).toBeGreaterThanOrEqual(before - 1000);
      expect(snapshot.results).toEqual({
        'up/llama': { ok: true, status: 200, ms: expect.any(Number) },
        'down/llama': { ok: false, status: 503, ms: expect.any(Number) },
        'down/embed': { ok: true, status: 200, ms: expect.any(Number) },
      });
      const health = await router.fetch('/_router/health', { headers: { authorization: `Bearer ${TOKEN}` } });
      expect(((await health.json()) as Json).isolate['down/llama'].breaker).toBe('open');
    },
  );

  test('a fresh isolate starts from the recorded health: no request goes to a target the probe saw down', async () => {
    // A new workerd process (fresh isolate) over a KV holding the table and the probe snapshot.
    fresh = await startRouter({ script, table, config: { breakerCooldownMs: 60_000 } });
    await fresh.kv.put(ROUTER_KV_KEYS.probe, (await router.kv.get(ROUTER_KV_KEYS.probe))!);
    up.reset();
    down.reset();
    for (let i = 0; i < 20; i++) {
      const response = await fresh.fetch('/v1/chat/completions', { method: 'POST', body: chatBody('llama') });
      expect(response.status).toBe(200);
    }
    expect(down.count()).toBe(0);
    expect(up.count()).toBe(20);
    // The same backend still takes the model it is ready for.
    const embed = await fresh.fetch('/v1/embeddings', {
      method: 'POST',
      body: JSON.stringify({ model: 'embed', input: 'x' }),
    });
    expect(embed.headers.get('x-router-backend')).toBe('down');
  });

  test('an unreachable backend is recorded as down with the reason', async () => {
    await down.kill();
    await router.scheduled();
    const snapshot = (await router.kv.get(ROUTER_KV_KEYS.probe, 'json')) as Json;
    expect(snapshot.results['down/embed']).toMatchObject({ ok: false, error: expect.any(String) });
    expect(snapshot.results['up/llama'].ok).toBe(true);
  });
});
