import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CloudflareFrontDoor, type CloudflareFrontDoorProps } from '../../lib/cloudflare/cloudflare-front-door';
import { PROVIDER_SCHEMA_5_14, providerSchemaProblems } from '../../lib/cloudflare/provider-schema';
import type { TerraformJson } from '../../lib/util/synth-output';
import { OFFLINE_EXAMPLES } from '../support/example-catalog';
import { synthExample } from '../support/examples';
import { newStack, synthJson } from '../support/synth';
import { cloudflareSpec, endpoint, euUsEndpoints } from './fixtures';

/** Every Cloudflare resource of a stack, as [type, name, config]. */
function cloudflareResources(json: TerraformJson): [string, string, Record<string, unknown>][] {
  return Object.entries(json.resource ?? {})
    .filter(([type]) => type.startsWith('cloudflare_'))
    .flatMap(([type, byName]) =>
      Object.entries(byName as Record<string, Record<string, unknown>>).map(
        ([name, config]) => [type, name, config] as [string, string, Record<string, unknown>],
      ),
    );
}

function problemsOf(json: TerraformJson, label: string): string[] {
  return cloudflareResources(json).flatMap(([type, name, config]) =>
    providerSchemaProblems(type, config).map((p) => `${label} ${name}: ${p}`),
  );
}

const EU_RESIDENCY = { eu: { countries: ['DE', 'FR', 'IE'], continents: ['EU'] } };
const US_RESIDENCY = { us: { countries: ['US'], continents: [] } };

/** Front doors the examples do not cover: each option that adds or removes attributes. */
const FRONT_DOORS: Record<
  string,
  Partial<CloudflareFrontDoorProps> & { cloudflare: CloudflareFrontDoorProps['cloudflare'] }
> = {
  'canary (random steering, pool weights)': {
    cloudflare: cloudflareSpec({ steering: 'random', poolWeights: { 'ap-northeast-1': 0.1 } }),
  },
  'DNS-only (TTL, no affinity)': { cloudflare: cloudflareSpec({ proxied: false, sessionAffinity: { type: 'none' } }) },
  'header affinity': {
    cloudflare: cloudflareSpec({ sessionAffinity: { type: 'header', headers: ['X-Session-Id'], ttlSeconds: 600 } }),
  },
  'debug pin (load balancing rules)': { cloudflare: cloudflareSpec({ debugPin: { sourceCidrs: ['203.0.113.0/24'] } }) },
  'two residency jurisdictions (fail-closed pool)': {
    residency: { ...EU_RESIDENCY, ...US_RESIDENCY },
    cloudflare: cloudflareSpec(),
  },
  'pro plan, open origins, no strict TLS, expected body': {
    cloudflare: cloudflareSpec({ plan: 'pro', steering: 'off', lockOrigin: false, enforceStrictOriginTls: false }),
    health: { expectedBody: 'ready' },
  },
  'least outstanding requests with weights, hash origin steering': {
    cloudflare: cloudflareSpec({
      steering: 'least_outstanding_requests',
      poolWeights: { 'us-east-1': 0.5 },
      originSteering: 'hash',
    }),
  },
};

/** Each example synthesized once for this file. */
const synthesized = new Map<string, ReturnType<typeof synthExample>>();
const stacksOf = (example: (typeof OFFLINE_EXAMPLES)[number]) => {
  if (!synthesized.has(example.name)) synthesized.set(example.name, synthExample(example.build));
  return synthesized.get(example.name)!.stacks;
};

describe('synthesized Cloudflare resources against the 5.14 schema facts', () => {
  test.each(OFFLINE_EXAMPLES.map((e) => [e.name, e] as const))(
    'example %s: every attribute is one the provider defines, with a value it defines',
    (_name, example) => {
      expect(stacksOf(example).flatMap((s) => problemsOf(s.json, s.name))).toEqual([]);
    },
  );

  test('the examples cover the front door and the edge router resources', () => {
    const types = new Set(
      OFFLINE_EXAMPLES.flatMap((e) => stacksOf(e).flatMap((s) => cloudflareResources(s.json).map(([type]) => type))),
    );
    for (const type of [
      'cloudflare_load_balancer',
      'cloudflare_load_balancer_pool',
      'cloudflare_load_balancer_monitor',
      'cloudflare_ruleset',
      'cloudflare_workers_script',
      'cloudflare_workers_kv',
    ])
      expect(types).toContain(type);
  });

  test.each(Object.entries(FRONT_DOORS))('front door: %s', (_name, props) => {
    const { stack } = newStack();
    new CloudflareFrontDoor(stack, 'FrontDoor', {
      endpoints: euUsEndpoints(),
      serviceName: 'chat',
      serviceDomain: 'inference.example.com',
      ...props,
    });
    const json = synthJson(stack);
    expect(cloudflareResources(json).length).toBeGreaterThan(3);
    expect(problemsOf(json, 'front door')).toEqual([]);
  });

  test('a monitor without a readiness body and with the default port sends neither', () => {
    const { stack } = newStack();
    new CloudflareFrontDoor(stack, 'FrontDoor', {
      endpoints: [endpoint('us-east-1')],
      serviceName: 'chat',
      serviceDomain: 'inference.example.com',
      cloudflare: cloudflareSpec(),
    });
    const [, , monitor] = cloudflareResources(synthJson(stack)).find(
      ([type]) => type === 'cloudflare_load_balancer_monitor',
    )!;
    for (const key of ['port', 'expected_body', 'probe_zone']) expect(monitor).not.toHaveProperty(key);
  });
});

describe('providerSchemaProblems (the checker itself)', () => {
  const monitor = { account_id: 'a'.repeat(32), type: 'https', interval: 60 };
  test('accepts a resource the schema defines, references included', () => {
    expect(
      providerSchemaProblems('cloudflare_load_balancer_monitor', {
        ...monitor,
        header: { 'X-Auth': ['${var.secret}'] },
      }),
    ).toEqual([]);
    expect(
      providerSchemaProblems('cloudflare_load_balancer', {
        zone_id: '${var.zone}',
        name: 'a.example.com',
        default_pools: ['${x.id}'],
        fallback_pool: '${x.id}',
        region_pools: { WEU: ['${x.id}'] },
      }),
    ).toEqual([]);
  });

  test.each([
    ['port 0 on a monitor', 'cloudflare_load_balancer_monitor', { ...monitor, port: 0 }, 'port: 0 is outside 1..65535'],
    ['an empty string', 'cloudflare_load_balancer_monitor', { ...monitor, probe_zone: '' }, 'probe_zone: empty string'],
    [
      'an unknown attribute',
      'cloudflare_load_balancer_monitor',
      { ...monitor, ports: 443 },
      'ports: not an attribute of the 5.14 schema',
    ],
    [
      'a value outside the enum',
      'cloudflare_load_balancer_monitor',
      { ...monitor, type: 'grpc' },
      'type: "grpc" is not one of',
    ],
    ['a missing required attribute', 'cloudflare_load_balancer_monitor', { type: 'https' }, 'account_id: is required'],
    ['a wrong shape', 'cloudflare_load_balancer_monitor', { ...monitor, interval: '60' }, 'interval: must be number'],
    [
      'an empty nested map',
      'cloudflare_load_balancer',
      {
        zone_id: 'z',
        name: 'n',
        default_pools: ['p'],
        fallback_pool: 'p',
        random_steering: { default_weight: 1, pool_weights: {} },
      },
      'random_steering.pool_weights: empty map',
    ],
    [
      'a map key the attribute does not take',
      'cloudflare_load_balancer',
      { zone_id: 'z', name: 'n', default_pools: ['p'], fallback_pool: 'p', region_pools: { EUROPE: ['p'] } },
      'region_pools: key "EUROPE"',
    ],
    [
      'an element out of range',
      'cloudflare_load_balancer_pool',
      { account_id: 'a', name: 'p', origins: [{ name: 'o', address: 'o.example.com', weight: 2 }] },
      'origins[].weight: 2 is outside 0..1',
    ],
    [
      'an unknown binding type',
      'cloudflare_workers_script',
      { account_id: 'a', script_name: 's', bindings: [{ name: 'DO', type: 'durable_object' }] },
      'bindings[].type: "durable_object" is not one of',
    ],
    [
      'a resource type not in the table',
      'cloudflare_zone_setting',
      { zone_id: 'z' },
      "not in the library's Cloudflare provider schema table (PROVIDER_SCHEMA_5_14)",
    ],
  ] as const)('reports %s', (_what, type, config, expected) => {
    expect(providerSchemaProblems(type, config as Record<string, unknown>).join('\n')).toContain(expected);
  });
});

describe('the facts table against the generated 5.14.0 bindings (@cdktf/provider-cloudflare 13.9.1)', () => {
  const bindings = (type: string) =>
    readFileSync(
      join(
        require.resolve('@cdktf/provider-cloudflare/package.json'),
        '..',
        'lib',
        type.replace(/^cloudflare_/, '').replace(/_/g, '-'),
        'index.js',
      ),
      'utf8',
    );
  test.each(Object.keys(PROVIDER_SCHEMA_5_14))('every attribute of %s exists in the bindings', (type) => {
    const js = bindings(type);
    expect(js).toContain(`"${type}"`);
    const missing = Object.keys(PROVIDER_SCHEMA_5_14[type])
      .map((path) => path.split('.').pop()!.replace('[]', ''))
      .filter((leaf) => leaf !== '*' && !new RegExp(`\\b${leaf}: (?:cdktf\\.|[a-zA-Z]+ToTerraform)`).test(js));
    expect(missing).toEqual([]);
  });
});
