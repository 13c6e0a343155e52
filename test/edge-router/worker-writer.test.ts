/**
 * Admin writes that cannot be lost: two Worker instances (separate isolates, like two Cloudflare locations) sharing
 * the KV namespace and the table writer Durable Object, changing the table at the same moment. Plus admin input
 * hygiene (body size, own-property backend ids) and how the writer is seeded and follows a deployment.
 */
import fc from 'fast-check';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROUTER_KV_KEYS, auditKey, versionKey, type RoutingTable } from '../../lib/edge-router/routing-table';
import {
  FakeInferenceServer,
  chatBody,
  loopbackTable,
  routerScript,
  sleep,
  startRouter,
  type RouterHarness,
} from '../../scripts/edge-worker-harness';

const script = routerScript();
const TOKEN = 'writer-test-admin-token-0123456789';
/** Conflicting pairs per run (npm test); EDGE_WRITER_PAIRS raises it for a longer run. */
const PAIRS = Number(process.env.EDGE_WRITER_PAIRS ?? 40);
// biome-ignore lint/suspicious/noExplicitAny: parsed response bodies, read field by field in the assertions.
type Json = Record<string, any>;

const servers = ['us-east-1', 'eu-west-1'].map((name) => new FakeInferenceServer({ name }));
const table = () =>
  loopbackTable(
    servers.map((s) => ({ id: s.name, server: s, models: ['llama'] })),
    { llama: 'llama-id' },
  );

async function admin(
  router: RouterHarness,
  instance: number,
  method: string,
  path: string,
  body?: unknown,
  actor = 'ops@example.com',
): Promise<{ status: number; body: Json }> {
  const response = await router.fetchOn(instance, path, {
    method,
    headers: { authorization: `Bearer ${TOKEN}`, 'x-router-actor': actor },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as Json };
}

beforeAll(async () => {
  await Promise.all(servers.map((s) => s.start()));
});
afterAll(async () => {
  await Promise.all(servers.map((s) => s.kill()));
});

describe('concurrent admin writes from two isolates', () => {
  let router: RouterHarness;
  beforeAll(async () => {
    router = await startRouter({ script, table: table(), adminToken: TOKEN, instances: 2 });
  });
  afterAll(() => router?.dispose());

  test(
    `${PAIRS} pairs of conflicting writes on the same expectedVersion: exactly one of each pair succeeds, and ` +
      'every acknowledged write has its version and audit entry',
    async () => {
      const acknowledged: { version: number; weight: number; actor: string }[] = [];
      let expected = (await admin(router, 0, 'GET', '/_router/table')).body.table.version as number;
      for (let pair = 0; pair < PAIRS; pair++) {
        const weights = [1 + ((2 * pair) % 9000), 2 + ((2 * pair) % 9000)];
        const [a, b] = await Promise.all(
          [0, 1].map((instance) =>
            admin(
              router,
              instance,
              'PUT',
              '/_router/weights',
              { weights: { 'us-east-1': weights[instance] }, expectedVersion: expected },
              `isolate-${instance}@example.com`,
            ),
          ),
        );
        const statuses = [a.status, b.status].sort();
        expect(statuses).toEqual([200, 409]);
        const winner = a.status === 200 ? a : b;
        const loser = a.status === 200 ? b : a;
        expect(loser.body).toMatchObject({
          error: { code: 'version_conflict', type: 'conflict_error' },
          currentVersion: winner.body.table.version,
        });
        expect(winner.body.table).toMatchObject({ version: expected + 1, previousVersion: expected });
        acknowledged.push({
          version: winner.body.table.version,
          weight: winner.body.table.backends['us-east-1'].weight,
          actor: winner.body.table.updatedBy,
        });
        expected = winner.body.table.version;
      }
      // Every acknowledged write is in the writer's history with its audit entry, and in the KV mirror.
      const versions = (await admin(router, 1, 'GET', `/_router/versions?limit=${PAIRS + 5}`)).body.versions as Json[];
      const audit = (await admin(router, 0, 'GET', `/_router/audit?limit=${PAIRS + 5}`)).body.entries as Json[];
      for (const ack of acknowledged) {
        expect(versions.find((v) => v.version === ack.version)).toMatchObject({
          updatedBy: ack.actor,
          action: 'set-weights',
        });
        const entry = audit.find((e) => e.version === ack.version);
        expect(entry).toMatchObject({
          previousVersion: ack.version - 1,
          who: ack.actor,
          change: { action: 'set-weights', weights: { 'us-east-1': ack.weight } },
        });
        const mirrored = (await router.kv.get(versionKey(ack.version), 'json')) as RoutingTable;
        expect(mirrored.backends['us-east-1'].weight).toBe(ack.weight);
        expect(await router.kv.get(auditKey(ack.version), 'json')).toEqual(entry);
      }
      // No gaps and no version written twice: versions 1..N+1, one audit entry per change.
      expect(versions.map((v) => v.version).sort((x, y) => x - y)).toEqual(
        Array.from({ length: PAIRS + 1 }, (_, i) => i + 1),
      );
      expect(audit).toHaveLength(PAIRS);
      const current = (await router.kv.get(ROUTER_KV_KEYS.current, 'json')) as RoutingTable;
      expect(current.version).toBe(expected);
      expect(current.backends['us-east-1'].weight).toBe(acknowledged[acknowledged.length - 1].weight);
    },
  );

  test(
    'without expectedVersion both concurrent writes are applied, one on top of the other, each with its own ' +
      'version and audit entry',
    async () => {
      const start = (await admin(router, 0, 'GET', '/_router/table')).body.table.version as number;
      const [a, b] = await Promise.all([
        admin(router, 0, 'PUT', '/_router/weights', { weights: { 'us-east-1': 11 } }, 'a@example.com'),
        admin(router, 1, 'PUT', '/_router/weights', { weights: { 'eu-west-1': 22 } }, 'b@example.com'),
      ]);
      expect([a.status, b.status]).toEqual([200, 200]);
      expect([a.body.table.version, b.body.table.version].sort()).toEqual([start + 1, start + 2]);
      const last = a.body.table.version > b.body.table.version ? a.body.table : b.body.table;
      // The later one was built on the earlier one: both changes hold.
      expect(last.backends['us-east-1'].weight).toBe(11);
      expect(last.backends['eu-west-1'].weight).toBe(22);
      const audit = (await admin(router, 1, 'GET', '/_router/audit?limit=2')).body.entries as Json[];
      expect(audit.map((e) => e.who).sort()).toEqual(['a@example.com', 'b@example.com']);
    },
  );

  test(
    'any mix of concurrent changes from both isolates: the history replays, change by change, to every ' +
      'acknowledged table (property)',
    async () => {
      type Op = {
        instance: number;
        backend: string;
        kind: 'weight' | 'drain' | 'enable';
        weight: number;
        expect: boolean;
      };
      const op = fc.record({
        instance: fc.integer({ min: 0, max: 1 }),
        backend: fc.constantFrom('us-east-1', 'eu-west-1'),
        kind: fc.constantFrom<Op['kind']>('weight', 'weight', 'drain', 'enable'),
        weight: fc.integer({ min: 1, max: 9999 }),
        expect: fc.boolean(),
      });
      await fc.assert(
        fc.asyncProperty(
          fc.array(fc.array(op, { minLength: 1, maxLength: 4 }), { minLength: 1, maxLength: 4 }),
          async (batches) => {
            const start = (await admin(router, 0, 'GET', '/_router/table')).body.table as RoutingTable;
            const acknowledged: RoutingTable[] = [];
            let refusedOrConflicted = 0;
            for (const batch of batches) {
              // Each batch is sent at once; expectedVersion (when used) is the version both isolates last saw.
              const seen = (await admin(router, 1, 'GET', '/_router/table')).body.table.version as number;
              const answers = await Promise.all(
                batch.map((o) => {
                  const extra = o.expect ? { expectedVersion: seen } : {};
                  return o.kind === 'weight'
                    ? admin(router, o.instance, 'PUT', '/_router/weights', {
                        weights: { [o.backend]: o.weight },
                        ...extra,
                      })
                    : admin(router, o.instance, 'POST', `/_router/backends/${o.backend}/${o.kind}`, extra);
                }),
              );
              for (const a of answers) {
                if (a.status === 200) acknowledged.push(a.body.table as RoutingTable);
                else {
                  expect([400, 409]).toContain(a.status);
                  refusedOrConflicted++;
                }
              }
            }
            // The oracle: replay the writer's audit log from the starting table with plain assignments.
            const end = (await admin(router, 0, 'GET', '/_router/table')).body.table as RoutingTable;
            expect(end.version - start.version).toBe(acknowledged.length);
            const audit = (
              (await admin(router, 0, 'GET', `/_router/audit?limit=${acknowledged.length || 1}`)).body.entries as Json[]
            )
              .filter((e) => e.version > start.version)
              .reverse();
            expect(audit.map((e) => e.version)).toEqual(
              Array.from({ length: acknowledged.length }, (_, i) => start.version + 1 + i),
            );
            let model = JSON.parse(JSON.stringify(start.backends)) as Record<
              string,
              { weight: number; enabled: boolean }
            >;
            for (const entry of audit) {
              model = JSON.parse(JSON.stringify(model));
              if (entry.change.action === 'set-weights')
                for (const [id, w] of Object.entries(entry.change.weights as Record<string, number>))
                  model[id].weight = w;
              else model[entry.change.backend].enabled = entry.change.action === 'enable';
              const acked = acknowledged.find((t) => t.version === entry.version);
              expect(acked).toBeDefined(); // every version in the history was acknowledged to someone ...
              for (const id of Object.keys(model))
                expect({ id, weight: acked!.backends[id].weight, enabled: acked!.backends[id].enabled }).toEqual({
                  id,
                  weight: model[id].weight,
                  enabled: model[id].enabled,
                });
            }
            // ... and every acknowledged one is in the history, mirrored to KV.
            for (const t of acknowledged)
              expect(((await router.kv.get(versionKey(t.version), 'json')) as RoutingTable).backends).toEqual(
                t.backends,
              );
            expect(((await router.kv.get(ROUTER_KV_KEYS.current, 'json')) as RoutingTable).version).toBe(end.version);
            expect(refusedOrConflicted + acknowledged.length).toBe(batches.flat().length);
          },
        ),
        { numRuns: Number(process.env.EDGE_WRITER_RUNS ?? 8) },
      );
    },
  );

  test(
    'the other isolate routes by an acknowledged change within ' + 'its table cache time, whatever KV shows',
    async () => {
      const quick = await startRouter({
        script,
        table: table(),
        adminToken: TOKEN,
        instances: 2,
        config: { tableCacheMs: 200, strategy: 'weighted' },
      });
      try {
        // Instance 1 learns the table first, then instance 0 drains eu-west-1.
        for (let i = 0; i < 3; i++)
          await quick.fetchOn(1, '/v1/chat/completions', { method: 'POST', body: chatBody('llama') });
        expect((await admin(quick, 0, 'POST', '/_router/backends/eu-west-1/drain', {})).status).toBe(200);
        // KV's mirror is made stale on purpose: routing must follow the writer, not KV.
        await quick.kv.put(ROUTER_KV_KEYS.current, JSON.stringify(table()));
        await sleep(400);
        servers.forEach((s) => s.reset());
        for (let i = 0; i < 3; i++)
          // A refresh starts.
          await quick.fetchOn(1, '/v1/chat/completions', { method: 'POST', body: chatBody('llama') });
        await sleep(200);
        for (let i = 0; i < 20; i++)
          await quick.fetchOn(1, '/v1/chat/completions', { method: 'POST', body: chatBody('llama') });
        expect(servers[1].count()).toBeLessThanOrEqual(3);
        servers.forEach((s) => s.reset());
        for (let i = 0; i < 20; i++)
          await quick.fetchOn(1, '/v1/chat/completions', { method: 'POST', body: chatBody('llama') });
        expect(servers[1].count()).toBe(0);
      } finally {
        await quick.dispose();
      }
    },
  );
});

describe('admin input hygiene', () => {
  let router: RouterHarness;
  beforeAll(async () => {
    router = await startRouter({ script, table: table(), adminToken: TOKEN });
  });
  afterAll(() => router?.dispose());

  test.each(['__proto__', 'constructor', 'toString', 'hasOwnProperty'])(
    'a weight for "%s" (a name every object inherits) is refused with a clear message and writes nothing',
    async (name) => {
      const before = (await router.kv.list()).keys.map((k) => k.name);
      const body = `{"${name}": 50, "us-east-1": 63}`;
      const { status, body: answer } = await admin(router, 0, 'PUT', '/_router/weights', `{"weights": ${body}}`);
      expect(status).toBe(400);
      expect(answer.error.code).toBe('invalid_change');
      expect(answer.problems).toEqual([
        expect.objectContaining({
          path: `weights.${name}`,
          message: expect.stringContaining('must name a backend of the table (eu-west-1, us-east-1)'),
        }),
      ]);
      expect((await router.kv.list()).keys.map((k) => k.name)).toEqual(before);
      expect((await admin(router, 0, 'GET', '/_router/table')).body.table.version).toBe(1);
    },
  );

  test.each(['__proto__', 'constructor', 'toString'])(
    'draining "%s" is refused as an unknown backend',
    async (name) => {
      const { status, body } = await admin(router, 0, 'POST', `/_router/backends/${name}/drain`, {});
      expect(status).toBe(400);
      expect(body.problems[0]).toMatchObject({
        path: 'backend',
        message: expect.stringContaining('must name a backend of the table'),
      });
    },
  );

  test(
    'a body larger than the admin limit is refused with 413 and a message, every time (the client reads the ' +
      'answer, not a reset)',
    async () => {
      // Up to 1 MiB over the limit the router reads the rest before answering, so a client still sending its body is
      // not cut off (an early answer raced the upload: ECONNRESET now and then on a loaded machine).
      for (const size of [64 * 1024 + 1, 200 * 1024, 900 * 1024, 200 * 1024, 64 * 1024 + 1, 900 * 1024]) {
        const big = JSON.stringify({ weights: { 'us-east-1': 5 }, comment: 'x'.repeat(size) });
        const { status, body } = await admin(router, 0, 'PUT', '/_router/weights', big);
        expect(status).toBe(413);
        expect(body.error).toMatchObject({ code: 'request_too_large', type: 'invalid_request_error' });
        expect(body.error.message).toContain('65536 bytes');
      }
      expect((await admin(router, 0, 'GET', '/_router/table')).body.table.version).toBe(1);
    },
  );

  test(
    'a 20 MB body is refused without being read: 413, or the upload cut short by the early answer; nothing ' +
      'written',
    async () => {
      const huge = JSON.stringify({ weights: { 'us-east-1': 5 }, comment: 'x'.repeat(20 * 1024 * 1024) });
      const outcome = await admin(router, 0, 'PUT', '/_router/weights', huge).then(
        (r) => r.status,
        (error: unknown) => String(error),
      );
      expect([413, 'TypeError: fetch failed']).toContain(outcome);
      expect((await admin(router, 0, 'GET', '/_router/table')).body.table.version).toBe(1);
    },
  );

  test('a backend id that is not valid percent-encoding is a 400, not a crash', async () => {
    const { status, body } = await admin(router, 0, 'POST', '/_router/backends/%E0%A4%A/drain', {});
    expect(status).toBe(400);
    expect(body.error.code).toBe('invalid_change');
  });
});

describe('seeding the writer and following deployments', () => {
  test(
    'a deployment with live edits in KV from before the writer ' + 'keeps them, with their history for rollback',
    async () => {
      const router = await startRouter({ script, table: table(), adminToken: TOKEN });
      try {
        // Version 3 in KV, written by the KV-only router of an earlier release.
        const v3: RoutingTable = {
          ...table(),
          version: 3,
          previousVersion: 2,
          updatedBy: 'old-admin',
          updatedAt: new Date().toISOString(),
          change: { action: 'set-weights' },
          backends: { ...table().backends, 'us-east-1': { ...table().backends['us-east-1'], weight: 7 } },
        };
        await router.kv.put(versionKey(3), JSON.stringify(v3));
        await router.kv.put(ROUTER_KV_KEYS.current, JSON.stringify(v3));
        const current = await admin(router, 0, 'GET', '/_router/table');
        expect(current.body.table).toMatchObject({ version: 3, updatedBy: 'old-admin' });
        const change = await admin(router, 0, 'PUT', '/_router/weights', {
          weights: { 'eu-west-1': 9 },
          expectedVersion: 3,
        });
        expect(change.body.table).toMatchObject({ version: 4, previousVersion: 3 });
        expect(change.body.table.backends['us-east-1'].weight).toBe(7);
        const back = await admin(router, 0, 'POST', '/_router/rollback', { version: 1 });
        expect(back.body.table).toMatchObject({ version: 5, change: { action: 'rollback', toVersion: 1 } });
        expect(back.body.table.backends['us-east-1'].weight).toBe(100);
      } finally {
        await router.dispose();
      }
    },
  );

  test(
    'keepLiveEdits false: a deployment whose generated table changed replaces the live table as a new, audited ' +
      'version; true: it does not',
    async () => {
      for (const keepLiveEdits of [false, true]) {
        const dir = mkdtempSync(join(tmpdir(), 'edge-writer-'));
        try {
          const first = await startRouter({
            script,
            table: table(),
            adminToken: TOKEN,
            persistDir: dir,
            config: { keepLiveEdits },
          });
          expect((await admin(first, 0, 'PUT', '/_router/weights', { weights: { 'us-east-1': 5 } })).status).toBe(200);
          await first.dispose();
          // A new deployment: its generated table gives eu-west-1 weight 30 (KV is left as Terraform wrote it before).
          const generated = loopbackTable(
            servers.map((s) => ({
              id: s.name,
              server: s,
              models: ['llama'],
              weight: s.name === 'eu-west-1' ? 30 : 100,
            })),
            { llama: 'llama-id' },
          );
          const second = await startRouter({
            script,
            deployedTable: generated,
            adminToken: TOKEN,
            persistDir: dir,
            config: { keepLiveEdits },
          });
          try {
            const live = (await admin(second, 0, 'GET', '/_router/table')).body.table;
            if (keepLiveEdits) {
              expect(live).toMatchObject({ version: 2, updatedBy: 'ops@example.com' });
              expect(live.backends['us-east-1'].weight).toBe(5);
            } else {
              expect(live).toMatchObject({
                version: 3,
                previousVersion: 2,
                updatedBy: 'terraform',
                change: { action: 'deploy' },
              });
              expect(live.backends['eu-west-1'].weight).toBe(30);
              expect(live.backends['us-east-1'].weight).toBe(100);
              const audit = (await admin(second, 0, 'GET', '/_router/audit?limit=1')).body.entries[0];
              expect(audit).toMatchObject({ version: 3, change: { action: 'deploy' }, who: 'terraform' });
            }
          } finally {
            await second.dispose();
          }
        } finally {
          rmSync(dir, { recursive: true, force: true });
        }
      }
    },
  );
});
