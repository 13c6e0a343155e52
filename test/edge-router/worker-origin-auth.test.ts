/**
 * Origins locked to the front door (ALBs answer 403 without the secret header): the Worker's requests to them do not
 * pass through the zone's transform rules, so the Worker adds the secret itself, to forwarded requests and to its
 * probes, and a client cannot choose its value.
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
const HEADER = 'X-Inference-Origin-Auth';
const SECRET = 'a'.repeat(40);

describe('edge router: locked origins', () => {
  const us = new FakeInferenceServer({ name: 'us' });
  let router: RouterHarness;

  beforeAll(async () => {
    await us.start();
    const table = loopbackTable([{ id: 'us-east-1', server: us, models: ['llama'] }], { llama: LLAMA_ID }, {});
    router = await startRouter({
      script: routerScript(),
      table,
      config: { originAuthHeader: HEADER },
      originAuthSecret: SECRET,
    });
  });
  afterAll(async () => {
    await router?.dispose();
    await us.kill();
  });
  beforeEach(() => us.reset());

  test('forwarded requests carry the secret, whatever the client sent', async () => {
    const response = await router.fetch('/v1/chat/completions', {
      method: 'POST',
      headers: { 'content-type': 'application/json', [HEADER]: 'guessed-by-a-client' },
      body: chatBody(LLAMA_ID),
    });
    expect(response.status).toBe(200);
    await response.text();
    const forwarded = us.requests.filter((r) => r.path === '/v1/chat/completions');
    expect(forwarded).toHaveLength(1);
    expect(forwarded[0].headers[HEADER.toLowerCase()]).toBe(SECRET);
  });

  test('scheduled readiness probes carry the secret too', async () => {
    await router.scheduled();
    const probes = us.probes;
    expect(probes.length).toBeGreaterThan(0);
    expect(probes).toAllSatisfy((p) => p.headers[HEADER.toLowerCase()] === SECRET);
  });
});
