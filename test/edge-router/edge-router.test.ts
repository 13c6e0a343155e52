/**
 * The EdgeRouter construct: synthesized Cloudflare resources, the admin secret as a sensitive variable, the
 * generated routing table, lifecycle settings, and validation messages.
 */
import { TerraformStack, TerraformVariable, Testing } from '../../lib/util/cdktf';
import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { GpuInferenceEndpoint, MODEL_HEADER } from '../../lib/aws/gpu-inference-endpoint';
import type { IInferenceEndpoint } from '../../lib/aws/inference-endpoint-ref';
import { EdgeRouter, routerConfig, type EdgeRouterProps } from '../../lib/edge-router/edge-router';
import { buildRoutingTable } from '../../lib/edge-router/initial-table';
import { parseRouterConfig } from '../../lib/edge-router/router-config';
import { cronIntervalSeconds, edgeRouterTables } from '../../lib/edge-router/synthesized-table';
import { ROUTER_MODEL_HEADER, validateRoutingTable, type RoutingTable } from '../../lib/edge-router/routing-table';
import { edgeWorkerScript } from '../../lib/edge-router/worker-script';
import { templateLiteral } from '../../lib/util/terraform-json';
import { EdgeRouterSchema } from '../../lib/spec/edge-router-schema';
import { parseSpec } from '../../lib/spec/load';
import { errorOf, newStack, onlyResource, resourcesOf, synthJson } from '../support/synth';

const ACCOUNT = '0123456789abcdef0123456789abcdef';
const ZONE = 'fedcba9876543210fedcba9876543210';
const LLAMA = { name: 'llama', id: 'meta-llama/Llama-3.1-8B-Instruct', version: '2026-11-01' };
const EMBED = { name: 'embed', id: 'BAAI/bge-large-en-v1.5', version: '1' };

function endpoint(region: string, extra: Partial<IInferenceEndpoint> = {}): IInferenceEndpoint {
  return {
    region,
    albDnsName: `alb.${region}.example`,
    albZoneId: 'Z35SXDOTRQ7X7K',
    healthCheckPath: '/health',
    models: [LLAMA],
    ...extra,
  };
}

const ENDPOINTS = [
  endpoint('us-east-1', { models: [LLAMA, EMBED] }),
  endpoint('eu-west-1', { jurisdiction: 'eu' }),
  endpoint('eu-central-1', { jurisdiction: 'eu', healthCheckPath: '/ready' }),
];
const HOSTNAMES = Object.fromEntries(ENDPOINTS.map((e) => [e.region, `${e.region}.origin.inference.example.com`]));
const RESIDENCY = { eu: { countries: ['FR', 'DE'], continents: [] } };

function props(overrides: Partial<EdgeRouterProps> = {}): EdgeRouterProps {
  return {
    accountId: ACCOUNT,
    zoneId: ZONE,
    serviceName: 'chat',
    hostname: 'api.inference.example.com',
    endpoints: ENDPOINTS,
    hostnames: HOSTNAMES,
    residency: RESIDENCY,
    ...overrides,
  };
}

function synth(overrides: Partial<EdgeRouterProps> = {}) {
  const { stack } = newStack('edge');
  const router = new EdgeRouter(stack, 'EdgeRouter', props(overrides));
  return { router, json: synthJson(stack), text: Testing.synth(stack) };
}

function kvEntry(json: ReturnType<typeof synthJson>, key: string): Record<string, unknown> {
  const entries = resourcesOf(json, 'cloudflare_workers_kv').filter(([, r]) => r.key_name === key);
  expect(entries).toHaveLength(1);
  return entries[0][1];
}

describe('EdgeRouter defaults', () => {
  const { json, text, router } = synth();
  const script = onlyResource(json, 'cloudflare_workers_script');
  const bindings = script.bindings as Record<string, unknown>[];
  const binding = (name: string) => bindings.find((b) => b.name === name)!;

  test('deploys the bundled Worker as an ES module with its bindings', () => {
    expect(script).toMatchObject({
      account_id: ACCOUNT,
      script_name: 'chat-edge-router',
      main_module: 'worker.js',
      compatibility_date: '2025-09-01',
      observability: { enabled: true },
    });
    // Terraform reads the content as a template: it must stand for exactly the bundle (its `${` escaped).
    expect(templateLiteral(String(script.content))).toBe(edgeWorkerScript());
    expect(String(script.content)).toMatch(/export\s*\{[^}]*as default/);
    expect(bindings.map((b) => [b.name, b.type])).toEqual([
      ['ROUTER_KV', 'kv_namespace'],
      ['ROUTER_WRITER', 'durable_object_namespace'],
      ['ADMIN_TOKEN', 'secret_text'],
      ['ROUTER_CONFIG', 'plain_text'],
      ['ROUTER_DEPLOYED_TABLE', 'plain_text'],
    ]);
    expect(binding('ROUTER_KV').namespace_id).toBe(
      '${cloudflare_workers_kv_namespace.EdgeRouter_Namespace_41EF4822.id}',
    );
  });

  test(
    'declares the table writer: a Durable Object class of this script, its binding, and the migration that ' +
      'creates it (SQLite-backed)',
    () => {
      // Shapes of @cdktf/provider-cloudflare 13.9.1 (cloudflare/cloudflare 5.14): bindings[].class_name,
      // migrations.new_sqlite_classes.
      expect(binding('ROUTER_WRITER')).toEqual({
        name: 'ROUTER_WRITER',
        type: 'durable_object_namespace',
        class_name: 'RouterTableWriter',
      });
      expect(script.migrations).toEqual({ new_tag: 'v1', new_sqlite_classes: ['RouterTableWriter'] });
      // The class the binding and migration name is exported by the bundled module.
      expect(String(script.content)).toMatch(/export\s*\{[^}]*\bRouterTableWriter\b/);
    },
  );

  test('the deployed table binding carries the generated table (it seeds the writer)', () => {
    expect(JSON.parse(String(binding('ROUTER_DEPLOYED_TABLE').text))).toEqual(router.routingTable);
  });

  test('the admin token is a sensitive variable reference, never a value in the configuration', () => {
    expect(binding('ADMIN_TOKEN').text).toBe('${var.chat_edge_router_admin_token}');
    expect(json.variable?.chat_edge_router_admin_token).toMatchObject({
      type: 'string',
      sensitive: true,
      nullable: false,
      validation: [
        {
          condition: '${(length(var.chat_edge_router_admin_token) >= 16)}',
          error_message: expect.stringContaining('at least 16 characters'),
        },
      ],
    });
    expect(router.adminTokenVariable.sensitive).toBe(true);
    expect(text).not.toMatch(/"default"/); // no default value that could hold a token
  });

  test('the plain-text config carries the router settings, and the Worker reads every field of it', () => {
    const config = JSON.parse(String(binding('ROUTER_CONFIG').text));
    expect(config).toEqual({
      strategy: 'latency',
      attemptTimeoutMs: 10000,
      maxAttempts: 3,
      budgetMs: 30000,
      breakerFailureThreshold: 3,
      breakerCooldownMs: 10000,
      breakerProbeIntervalMs: 1000,
      breakerOpenOnUnambiguous: true,
      latencyTolerance: 0.25,
      exploreRatio: 0.005,
      tableCacheMs: 10000,
      probeTimeoutMs: 5000,
      maxBodyBytes: 16777216,
      saturationBackoffMs: 1000,
      saturationMaxBackoffMs: 60000,
      remeasureRatio: 0.1,
      retryServerErrors: true,
      streamIdleTimeoutMs: 30000,
      maxResponseBufferBytes: 8388608,
      keepLiveEdits: true,
      logDecisions: true,
      originAuthHeader: null,
    });
    expect(parseRouterConfig(String(binding('ROUTER_CONFIG').text))).toEqual({ config, ignored: [] });
  });

  test(
    'a KV namespace holds the table Terraform writes once: current and version 1, with later value changes ' +
      'ignored',
    () => {
      expect(onlyResource(json, 'cloudflare_workers_kv_namespace')).toEqual({
        account_id: ACCOUNT,
        title: 'chat-edge-router-routing',
      });
      const current = kvEntry(json, 'table:current');
      const v1 = kvEntry(json, 'table:v:0000000001');
      for (const entry of [current, v1]) {
        expect(entry).toMatchObject({
          account_id: ACCOUNT,
          namespace_id: '${cloudflare_workers_kv_namespace.EdgeRouter_Namespace_41EF4822.id}',
          lifecycle: { ignore_changes: ['value'] },
        });
      }
      expect(v1.value).toBe(current.value);
      expect(JSON.parse(String(v1.metadata))).toEqual({ updatedAt: null, updatedBy: 'terraform', action: 'initial' });
      expect(JSON.parse(String(current.value))).toEqual(router.routingTable);
    },
  );

  test(
    'the table has one backend per endpoint, from its region, ' + 'hostname, readiness path, jurisdiction and models',
    () => {
      const table = router.routingTable;
      expect(validateRoutingTable(table)).toEqual([]);
      expect(table).toEqual({
        format: 1,
        version: 1,
        previousVersion: null,
        updatedAt: null,
        updatedBy: 'terraform',
        change: { action: 'initial' },
        models: { embed: { id: EMBED.id }, llama: { id: LLAMA.id } },
        backends: {
          'eu-central-1': {
            url: 'https://eu-central-1.origin.inference.example.com',
            healthPath: '/ready',
            jurisdiction: 'eu',
            models: ['llama'],
            weight: 100,
            enabled: true,
          },
          'eu-west-1': {
            url: 'https://eu-west-1.origin.inference.example.com',
            healthPath: '/health',
            jurisdiction: 'eu',
            models: ['llama'],
            weight: 100,
            enabled: true,
          },
          'us-east-1': {
            url: 'https://us-east-1.origin.inference.example.com',
            healthPath: '/health',
            models: ['llama', 'embed'],
            weight: 100,
            enabled: true,
          },
        },
        residency: { eu: { countries: ['DE', 'FR'], continents: [] } },
      });
    },
  );

  test('the custom domain and the probe schedule point at the script, and traffic waits for the table', () => {
    expect(onlyResource(json, 'cloudflare_workers_custom_domain')).toEqual({
      account_id: ACCOUNT,
      zone_id: ZONE,
      hostname: 'api.inference.example.com',
      service: '${cloudflare_workers_script.EdgeRouter_4801577C.script_name}',
      depends_on: [
        'cloudflare_workers_kv.EdgeRouter_TableCurrent_2D713D2D',
        'cloudflare_workers_kv.EdgeRouter_TableVersion1_5A36EC21',
      ],
    });
    expect(onlyResource(json, 'cloudflare_workers_cron_trigger')).toEqual({
      account_id: ACCOUNT,
      script_name: '${cloudflare_workers_script.EdgeRouter_4801577C.script_name}',
      schedules: [{ cron: '* * * * *' }],
    });
    expect(resourcesOf(json, 'cloudflare_workers_route')).toEqual([]);
    expect(router.url).toBe('https://api.inference.example.com');
  });

  test('the model header the router sends is the one the regional ALB routes by', () => {
    expect(ROUTER_MODEL_HEADER).toBe(MODEL_HEADER);
  });
});

describe('EdgeRouter options', () => {
  test(
    'settings reach the Worker config; a route can replace the custom domain; keepLiveEdits: false lets applies ' +
      'reset the table',
    () => {
      const { json, router } = synth({
        hostname: undefined,
        routePattern: 'inference.example.com/v1/*',
        scriptName: 'router-a',
        strategy: 'weighted',
        weights: { 'us-east-1': 10, 'eu-west-1': 90 },
        attemptTimeoutMs: 2000,
        maxAttempts: 2,
        budgetMs: 5000,
        breaker: { failureThreshold: 5, probeIntervalMs: 500, openOnUnambiguousFailure: false },
        latencyTolerancePercent: 50,
        explorePercent: 1,
        tableCacheSeconds: 30,
        probe: { cron: '*/5 * * * *', timeoutMs: 2000 },
        saturation: { defaultBackoffMs: 2000, maxBackoffMs: 30000 },
        remeasurePercent: 0,
        retryServerErrors: false,
        streamIdleTimeoutMs: 5000,
        keepLiveEdits: false,
        logDecisions: false,
      });
      expect(router.config).toEqual({
        strategy: 'weighted',
        attemptTimeoutMs: 2000,
        maxAttempts: 2,
        budgetMs: 5000,
        breakerFailureThreshold: 5,
        breakerCooldownMs: 10000,
        breakerProbeIntervalMs: 500,
        breakerOpenOnUnambiguous: false,
        latencyTolerance: 0.5,
        exploreRatio: 0.01,
        tableCacheMs: 30000,
        probeTimeoutMs: 2000,
        maxBodyBytes: 16777216,
        saturationBackoffMs: 2000,
        saturationMaxBackoffMs: 30000,
        remeasureRatio: 0,
        retryServerErrors: false,
        streamIdleTimeoutMs: 5000,
        maxResponseBufferBytes: 8388608,
        keepLiveEdits: false,
        logDecisions: false,
        originAuthHeader: null,
      });
      expect(onlyResource(json, 'cloudflare_workers_route')).toMatchObject({
        zone_id: ZONE,
        pattern: 'inference.example.com/v1/*',
        script: '${cloudflare_workers_script.EdgeRouter_4801577C.script_name}',
      });
      expect(resourcesOf(json, 'cloudflare_workers_custom_domain')).toEqual([]);
      expect(onlyResource(json, 'cloudflare_workers_cron_trigger').schedules).toEqual([{ cron: '*/5 * * * *' }]);
      expect(kvEntry(json, 'table:current').lifecycle).toBeUndefined();
      expect(Object.fromEntries(Object.entries(router.routingTable.backends).map(([id, b]) => [id, b.weight]))).toEqual(
        {
          'eu-central-1': 100,
          'eu-west-1': 90,
          'us-east-1': 10,
        },
      );
      expect(json.variable?.router_a_admin_token).toBeDefined();
    },
  );

  test('account and zone ids may be references; an admin token variable of the caller is used as is', () => {
    const { stack } = newStack('edge');
    const account = new TerraformVariable(stack, 'cloudflare_account_id', { type: 'string' });
    const token = new TerraformVariable(stack, 'router_token', { type: 'string', sensitive: true });
    new EdgeRouter(
      stack,
      'EdgeRouter',
      props({ accountId: account.stringValue, zoneId: account.stringValue, adminToken: token }),
    );
    const json = synthJson(stack);
    expect(onlyResource(json, 'cloudflare_workers_script').account_id).toBe('${var.cloudflare_account_id}');
    expect(
      (onlyResource(json, 'cloudflare_workers_script').bindings as Record<string, unknown>[]).find(
        (b) => b.name === 'ADMIN_TOKEN',
      )!.text,
    ).toBe('${var.router_token}');
    expect(Object.keys(json.variable ?? {}).sort()).toEqual(['cloudflare_account_id', 'router_token']);
  });

  test('resource names and the table do not depend on the order of the endpoints', () => {
    const forward = synth().text;
    const reversed = synth({ endpoints: [...ENDPOINTS].reverse() }).text;
    expect(reversed).toBe(forward);
  });

  test('takes real GpuInferenceEndpoints from another stack without cross-stack references', () => {
    const app = Testing.app();
    const aws = new TerraformStack(app, 'aws');
    new AwsProvider(aws, 'aws', { region: 'us-east-1' });
    const gpu = new GpuInferenceEndpoint(aws, 'Endpoint', {
      region: 'us-east-1',
      serviceName: 'chat',
      models: [LLAMA, EMBED],
      instanceType: 'g6e.xlarge',
      capacity: { min: 1, max: 2 },
      certificateArn: 'arn:aws:acm:us-east-1:123456789012:certificate/11111111-2222-3333-4444-555555555555',
      health: { path: '/v1/models' },
    });
    const edge = new TerraformStack(app, 'edge');
    const router = new EdgeRouter(edge, 'EdgeRouter', {
      accountId: ACCOUNT,
      endpoints: [gpu],
      hostnames: { 'us-east-1': 'us-east-1.inference.example.com' },
    });
    expect(router.routingTable.backends['us-east-1']).toEqual({
      url: 'https://us-east-1.inference.example.com',
      healthPath: '/v1/models',
      models: ['llama', 'embed'],
      weight: 100,
      enabled: true,
    });
    const json = synthJson(edge);
    expect(JSON.stringify(json)).not.toContain('aws_');
    expect(json.data).toBeUndefined();
  });
});

describe('EdgeRouter validation', () => {
  test('fails when the account id is not 32 hex characters', () => {
    expect(errorOf(() => synth({ accountId: 'my-account' }))).toContain(
      'accountId: must be a Cloudflare account id (32 hex characters), got: "my-account"',
    );
  });

  test('fails when a custom domain or route is set without a zone', () => {
    const message = errorOf(() => synth({ zoneId: undefined, routePattern: 'inference.example.com/v1/*' }));
    expect(message).toContain("EdgeRouter 'edge/EdgeRouter' is invalid");
    expect(message).toContain('zoneId: is required when hostname is set (the custom domain belongs to a zone)');
    expect(message).toContain('zoneId: is required when routePattern is set (the route belongs to a zone)');
  });

  test('fails when the budget is shorter than one attempt', () => {
    expect(errorOf(() => synth({ attemptTimeoutMs: 5000, budgetMs: 1000 }))).toContain(
      'budgetMs: must be ≥ attemptTimeoutMs (5000), or the first attempt is cut short',
    );
  });

  test('fails with every problem of the settings at once, each with its path and the value received', () => {
    const message = errorOf(() =>
      synth({
        maxAttempts: 0,
        breaker: { failureThreshold: 1.5, cooldownMs: 10 },
        probe: { cron: 'every minute' },
        strategy: 'fastest' as never,
      }),
    );
    expect(message).toContain('(5 problems)');
    expect(message).toContain(
      "strategy: must be 'latency' (fastest backends, split by weight) or 'weighted' (split by weight alone), " +
        'got: "fastest"',
    );
    expect(message).toContain('maxAttempts: must be ≥ 1, got: 0');
    expect(message).toMatch(/breaker\.failureThreshold: must be a whole number.*got: 1\.5/);
    expect(message).toContain('breaker.cooldownMs: must be ≥ 100 ms, got: 10');
    expect(message).toContain(
      'probe.cron: must be a 5-field cron expression (minute hour day-of-month month day-of-week), such as "* * * * *"',
    );
  });

  test('fails when a setting key is misspelt', () => {
    expect(errorOf(() => synth({ breaker: { treshold: 2 } as never }))).toContain(
      'breaker.treshold: is not a known key',
    );
  });

  test('fails when weights name a region that is not an endpoint, or are negative', () => {
    const message = errorOf(() => synth({ weights: { 'eu-north-9': 50, 'us-east-1': -1 } }));
    expect(message).toContain('weights["us-east-1"]: must be ≥ 0 (0 sends no traffic), got: -1');
    const unknown = errorOf(() => synth({ weights: { 'eu-north-9': 50 } }));
    expect(unknown).toContain(
      'weights["eu-north-9"]: must be keyed by the region of an endpoint (us-east-1, eu-west-1, eu-central-1), ' +
        'got: "eu-north-9"',
    );
  });

  test('fails when an endpoint has no public hostname, or a hostname is not a DNS name', () => {
    const message = errorOf(() =>
      synth({ hostnames: { 'us-east-1': 'https://us-east-1.example.com/', 'eu-west-1': 'eu-west-1.example.com' } }),
    );
    expect(message).toContain(
      'hostnames["us-east-1"]: must be a lower-case DNS name such as us-east-1.inference.example.com (no ' +
        'scheme, no path), got: "https://us-east-1.example.com/"',
    );
    expect(message).toContain(
      'hostnames["eu-central-1"]: is required: the public hostname of the eu-central-1 endpoint',
    );
  });

  test('fails when a hostname is a token (the table is text written at synth)', () => {
    const { stack } = newStack('edge');
    const host = new TerraformVariable(stack, 'host', { type: 'string' });
    const message = errorOf(
      () => new EdgeRouter(stack, 'EdgeRouter', props({ hostnames: { ...HOSTNAMES, 'us-east-1': host.stringValue } })),
    );
    expect(message).toContain('hostnames["us-east-1"]: must be a literal hostname known at synth time');
  });

  test('fails when a residency group has no backend in its jurisdiction', () => {
    const message = errorOf(() => synth({ residency: { ...RESIDENCY, apac: { countries: ['JP'], continents: [] } } }));
    expect(message).toContain(
      "residency.apac: no backend has jurisdiction 'apac', so its clients would have nowhere to go",
    );
  });

  test('fails when initial weights leave a model or a jurisdiction without traffic', () => {
    const message = errorOf(() => synth({ weights: { 'us-east-1': 0, 'eu-west-1': 0, 'eu-central-1': 0 } }));
    expect(message).toContain(
      'models.embed: must have at least one enabled backend with weight > 0 (serving it: us-east-1 (weight 0))',
    );
    expect(message).toContain(
      "residency.eu: clients of jurisdiction 'eu' need at least one enabled backend with weight > 0 in the " +
        "jurisdiction for model 'llama' (serving it there: eu-central-1 (weight 0), eu-west-1 (weight 0))",
    );
  });

  test('fails when a non-sensitive variable is given as the admin token', () => {
    const { stack } = newStack('edge');
    const token = new TerraformVariable(stack, 'router_token', { type: 'string' });
    expect(errorOf(() => new EdgeRouter(stack, 'EdgeRouter', props({ adminToken: token })))).toContain(
      'adminToken: must be a TerraformVariable declared with sensitive: true',
    );
  });
});

describe('buildRoutingTable', () => {
  test('fails when two endpoints give one model key different ids', () => {
    const message = errorOf(() =>
      buildRoutingTable({
        endpoints: [
          endpoint('us-east-1'),
          endpoint('eu-west-1', { models: [{ ...LLAMA, id: 'meta-llama/Llama-3.3-70B' }] }),
        ],
        hostnames: HOSTNAMES,
      }),
    );
    expect(message).toContain(
      "endpoints[1].models: model 'llama' has id 'meta-llama/Llama-3.3-70B' here but " +
        "'meta-llama/Llama-3.1-8B-Instruct' on another endpoint",
    );
  });

  test('fails when a location is bound to two jurisdictions, or a region appears twice', () => {
    const message = errorOf(() =>
      buildRoutingTable({
        endpoints: [
          endpoint('us-east-1', { jurisdiction: 'us' }),
          endpoint('eu-west-1', { jurisdiction: 'eu' }),
          endpoint('eu-west-1'),
        ],
        hostnames: HOSTNAMES,
        residency: { eu: { countries: ['DE'], continents: ['EU'] }, us: { countries: ['DE'], continents: [] } },
      }),
    );
    expect(message).toContain('endpoints[2].region: duplicate region (also at index 1)');
    expect(message).toContain("residency.us.countries[0]: country DE is also bound to jurisdiction 'eu'");
  });

  test('the same inputs give the same table (what Terraform writes must not churn)', () => {
    const a: RoutingTable = buildRoutingTable({ endpoints: ENDPOINTS, hostnames: HOSTNAMES, residency: RESIDENCY });
    const b: RoutingTable = buildRoutingTable({
      endpoints: [...ENDPOINTS].reverse(),
      hostnames: HOSTNAMES,
      residency: { eu: { countries: ['DE', 'FR'], continents: [] } },
    });
    expect(JSON.stringify(b)).toBe(JSON.stringify(a));
  });
});

describe('edgeRouterTables (the synthesized router, for the routing analysis)', () => {
  test('reads the table, settings and probe schedule back from the synthesized JSON', () => {
    const { json } = synth({
      strategy: 'weighted',
      attemptTimeoutMs: 2000,
      budgetMs: 6000,
      maxAttempts: 2,
      probe: { cron: '*/5 * * * *' },
    });
    const [router, ...others] = edgeRouterTables([{ name: 'edge', json }]);
    expect(others).toEqual([]);
    expect(router).toMatchObject({
      id: 'edge-router:edge/cloudflare_workers_kv.EdgeRouter_TableCurrent_2D713D2D',
      label: 'Edge router chat-edge-router',
      resources: [
        'cloudflare_workers_kv.EdgeRouter_TableCurrent_2D713D2D',
        'cloudflare_workers_script.EdgeRouter_4801577C',
      ],
      strategy: 'weighted',
      attemptTimeoutMs: 2000,
      maxAttempts: 2,
      probeIntervalSeconds: 300,
      probesPerRun: 2,
      residency: { eu: { countries: ['DE', 'FR'], continents: [] } },
    });
    expect(router.backends).toEqual([
      {
        key: 'eu-central-1',
        host: 'eu-central-1.origin.inference.example.com',
        jurisdiction: 'eu',
        weight: 100,
        enabled: true,
      },
      {
        key: 'eu-west-1',
        host: 'eu-west-1.origin.inference.example.com',
        jurisdiction: 'eu',
        weight: 100,
        enabled: true,
      },
      { key: 'us-east-1', host: 'us-east-1.origin.inference.example.com', weight: 100, enabled: true },
    ]);
  });

  test.each([
    ['not a valid table', '{"format": 1, "backends": {}}', /not a valid routing table/],
    ['not JSON', '{"format": 1,', /not JSON/],
    ['an expression', '${jsonencode(var.table)}', /value is not known at synth/],
  ])(
    'a hand-edited table that is %s is returned as unreadable (the proofs fail closed), never skipped or misread',
    (_what, value, why) => {
      const { json } = synth();
      const entry = Object.values(json.resource!.cloudflare_workers_kv).find((e) => e.key_name === 'table:current')!;
      (entry as Record<string, unknown>).value = value;
      const [router, ...others] = edgeRouterTables([{ name: 'edge', json }]);
      expect(others).toEqual([]);
      expect(router.unreadable).toMatch(why);
      expect(router.table).toBeUndefined();
      expect(router.backends).toHaveLength(1);
    },
  );

  test.each([
    ['* * * * *', 60],
    ['*/5 * * * *', 300],
    ['0 * * * *', undefined],
    ['*/5 1 * * *', undefined],
  ])('cron %s runs every %s seconds', (cron, seconds) => {
    expect(cronIntervalSeconds(cron)).toBe(seconds);
  });
});

describe('the Worker config binding', () => {
  test('a malformed or out-of-range field falls back to its default and is named, instead of breaking routing', () => {
    const { config, ignored } = parseRouterConfig(
      JSON.stringify({ maxAttempts: 99, strategy: 'fastest', attemptTimeoutMs: 2500, logDecisions: 'yes', extra: 1 }),
    );
    expect(config.maxAttempts).toBe(3);
    expect(config.strategy).toBe('latency');
    expect(config.attemptTimeoutMs).toBe(2500);
    expect(config.logDecisions).toBe(true);
    expect(ignored.sort()).toEqual(['extra', 'logDecisions', 'maxAttempts', 'strategy']);
    expect(parseRouterConfig('not json')).toEqual({ config: parseRouterConfig(undefined).config, ignored: ['(root)'] });
  });
});

describe('edgeRouter in the spec', () => {
  const base = {
    service: { name: 'chat', domain: 'inference.example.com' },
    model: { id: LLAMA.id, version: '1' },
    regions: [{ region: 'us-east-1', instanceType: 'g6e.xlarge', capacity: { min: 1, max: 2 } }],
  };

  test('is optional, and gets every default when given', () => {
    expect(parseSpec(base).edgeRouter).toBeUndefined();
    const spec = parseSpec({ ...base, edgeRouter: { accountId: ACCOUNT } });
    expect(spec.edgeRouter).toEqual({
      accountId: ACCOUNT,
      strategy: 'latency',
      attemptTimeoutMs: 10000,
      maxAttempts: 3,
      budgetMs: 30000,
      breaker: { failureThreshold: 3, cooldownMs: 10000, probeIntervalMs: 1000, openOnUnambiguousFailure: true },
      latencyTolerancePercent: 25,
      explorePercent: 0.5,
      tableCacheSeconds: 10,
      probe: { cron: '* * * * *', timeoutMs: 5000 },
      saturation: { defaultBackoffMs: 1000, maxBackoffMs: 60000 },
      remeasurePercent: 10,
      retryServerErrors: true,
      streamIdleTimeoutMs: 30000,
      keepLiveEdits: true,
      logDecisions: true,
    });
    expect(routerConfig(EdgeRouterSchema.parse({ accountId: ACCOUNT }))).toEqual(parseRouterConfig('{}').config);
  });

  test('a parsed spec block spreads into the construct props', () => {
    const spec = parseSpec({
      ...base,
      edgeRouter: {
        accountId: ACCOUNT,
        zoneId: ZONE,
        hostname: 'api.inference.example.com',
        weights: { 'us-east-1': 40 },
        strategy: 'weighted',
      },
    });
    const { stack } = newStack('edge');
    const router = new EdgeRouter(stack, 'EdgeRouter', {
      ...spec.edgeRouter!,
      serviceName: spec.service.name,
      endpoints: [endpoint('us-east-1')],
      hostnames: { 'us-east-1': 'us-east-1.inference.example.com' },
      residency: spec.residency,
    });
    expect(router.settings).toMatchObject({ strategy: 'weighted', hostname: 'api.inference.example.com' });
    expect(router.routingTable.backends['us-east-1'].weight).toBe(40);
  });

  test('reports bad settings with their spec path', () => {
    const message = errorOf(() =>
      parseSpec({ ...base, edgeRouter: { accountId: ACCOUNT, maxAttempts: 11, hostname: 'Api.Example.com' } }),
    );
    expect(message).toContain('edgeRouter.maxAttempts: must be ≤ 10, got: 11');
    expect(message).toContain(
      'edgeRouter.hostname: must be a lower-case DNS name such as api.inference.example.com, got: "Api.Example.com"',
    );
  });

  test('reports a saturation back-off cap below the default back-off, and out-of-range copy shares', () => {
    const message = errorOf(() =>
      parseSpec({
        ...base,
        edgeRouter: {
          accountId: ACCOUNT,
          saturation: { defaultBackoffMs: 5000, maxBackoffMs: 1000 },
          remeasurePercent: 80,
        },
      }),
    );
    expect(message).toContain('edgeRouter.saturation.maxBackoffMs: must be ≥ saturation.defaultBackoffMs (5000)');
    expect(message).toContain('edgeRouter.remeasurePercent: must be ≤ 50, got: 80');
  });
});
