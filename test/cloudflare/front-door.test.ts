import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { TerraformStack, TerraformVariable, Testing } from '../../lib/util/cdktf';
import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { CloudflareProvider } from '@cdktf/provider-cloudflare/lib/provider';
import { GpuInferenceEndpoint } from '../../lib/aws/gpu-inference-endpoint';
import { CloudflareFrontDoor, type CloudflareFrontDoorProps } from '../../lib/cloudflare/cloudflare-front-door';
import { ORIGIN_AUTH_HEADER } from '../../lib/cloudflare/origin-auth';
import { SpecSchema } from '../../lib/spec/schema';
import type { TerraformJson } from '../../lib/util/synth-output';
import { minimalSpec } from '../support/specs';
import { errorOf, newStack, onlyResource, synthJson } from '../support/synth';
import { cloudflareSpec, endpoint, euUsEndpoints, poolRegionsById } from './fixtures';

const JURISDICTION: Record<string, string | undefined> = {
  'us-east-1': 'us',
  'eu-west-1': 'eu',
  'eu-central-1': 'eu',
  'ap-northeast-1': undefined,
};

/** The EU-residency front door of the reference service, in a stack of its own with an aliased provider. */
function euFrontDoor(overrides: Partial<CloudflareFrontDoorProps> = {}) {
  const { stack } = newStack('chat-cloudflare');
  const provider = new CloudflareProvider(stack, 'cloudflare', { alias: 'front_door' });
  const spec = SpecSchema.parse(
    minimalSpec({
      regions: [
        { region: 'us-east-1', instanceType: 'g6e.xlarge', capacity: { min: 2, max: 8 }, jurisdiction: 'us' },
        { region: 'eu-west-1', instanceType: 'g6e.xlarge', capacity: { min: 2, max: 8 }, jurisdiction: 'eu' },
        { region: 'eu-central-1', instanceType: 'g6e.xlarge', capacity: { min: 1, max: 4 }, jurisdiction: 'eu' },
        { region: 'ap-northeast-1', instanceType: 'g6e.xlarge', capacity: { min: 1, max: 4 } },
      ],
      residency: { eu: { preset: 'eu' } },
      health: { path: '/health', expectedBody: 'ok' },
      frontDoor: 'cloudflare',
      cloudflare: cloudflareSpec({ plan: 'business', trafficSteering: true }),
    }),
  );
  const frontDoor = new CloudflareFrontDoor(stack, 'FrontDoor', {
    endpoints: euUsEndpoints(),
    serviceName: spec.service.name,
    serviceDomain: spec.service.domain,
    health: spec.health,
    residency: spec.residency,
    cloudflare: spec.cloudflare!,
    provider,
    ...overrides,
  });
  return { stack, frontDoor, json: synthJson(stack) };
}

/** Every value set anywhere in the JSON for a key, at any depth. */
function valuesOfKey(value: unknown, key: string, out: unknown[] = []): unknown[] {
  if (Array.isArray(value)) value.forEach((v) => valuesOfKey(v, key, out));
  else if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      if (k === key) out.push(v);
      valuesOfKey(v, key, out);
    }
  }
  return out;
}

function lbOf(json: TerraformJson) {
  return onlyResource(json, 'cloudflare_load_balancer') as {
    country_pools: Record<string, string[]>;
    region_pools: Record<string, string[]>;
    fallback_pool: string;
    steering_policy: string;
  };
}

describe('CloudflareFrontDoor', () => {
  test('snapshot: EU residency front door of four regions on a business zone (a reviewed artefact)', () => {
    expect(euFrontDoor().json).toMatchSnapshot();
  });

  test('lives in a stack of Cloudflare resources only, all through the given provider', () => {
    const { json } = euFrontDoor();
    const types = Object.keys(json.resource ?? {});
    expect(types.sort()).toEqual([
      'cloudflare_load_balancer',
      'cloudflare_load_balancer_monitor',
      'cloudflare_load_balancer_pool',
      'cloudflare_ruleset',
    ]);
    expect(json.data).toBeUndefined();
    for (const type of types)
      for (const config of Object.values(json.resource?.[type] ?? {}))
        expect((config as { provider?: string }).provider).toBe('cloudflare.front_door');
  });

  test('residency: every EU country is steered only to EU pools, and the fallback pool is in the EU', () => {
    const { json } = euFrontDoor();
    const lb = lbOf(json);
    const regionOf = poolRegionsById(json);
    expect(lb.steering_policy).toBe('geo');
    expect(Object.keys(lb.country_pools)).toHaveLength(27);
    for (const [country, ids] of Object.entries(lb.country_pools)) {
      expect({
        country,
        jurisdictions: [...new Set(ids.map((id) => JURISDICTION[regionOf.get(id) as string]))],
      }).toEqual({ country, jurisdictions: ['eu'] });
    }
    expect(JURISDICTION[regionOf.get(lb.fallback_pool) as string]).toBe('eu');
    // A session would outlive steering (a client travelling into the EU would keep its old region): no affinity.
    expect(onlyResource(json, 'cloudflare_load_balancer').session_affinity).toBe('none');
    // Other clients keep every region, nearest first.
    expect(lb.region_pools.NEAS.map((id) => regionOf.get(id))[0]).toBe('ap-northeast-1');
    expect(lb.region_pools.ENAM).toHaveLength(4);
  });

  test('the origin secret is only ever a sensitive variable reference, also in the monitor probes', () => {
    const { json } = euFrontDoor();
    const values = valuesOfKey(json, ORIGIN_AUTH_HEADER);
    expect(values).toEqual([['${var.origin_auth_secret}'], { operation: 'set', value: '${var.origin_auth_secret}' }]);
    expect(json.variable?.origin_auth_secret).toMatchObject({ sensitive: true });
  });

  test(
    'open origins (lockOrigin false): no origin header, no secret to set, probes without it; TLS to the origins ' +
      'still strict',
    () => {
      const { json, frontDoor } = euFrontDoor({
        cloudflare: { ...euFrontDoor().frontDoor.settings, lockOrigin: false },
      });
      expect(frontDoor.originAuth).toBeUndefined();
      expect(valuesOfKey(json, ORIGIN_AUTH_HEADER)).toEqual([]);
      expect(json.variable).toBeUndefined();
      const rulesets = Object.values(json.resource?.cloudflare_ruleset ?? {}) as {
        phase: string;
        rules: { action: string; action_parameters: unknown }[];
      }[];
      // The edge rate limit (http_ratelimit) does not depend on the origin lock.
      expect(rulesets.map((r) => r.phase).sort()).toEqual(['http_config_settings', 'http_ratelimit']);
      expect(rulesets.find((r) => r.phase === 'http_config_settings')?.rules[0]).toMatchObject({
        action: 'set_config',
        action_parameters: { ssl: 'strict' },
      });
      expect(frontDoor.tlsRuleset).toBeDefined();
      expect(onlyResource(json, 'cloudflare_load_balancer_monitor').header).toBeUndefined();
    },
  );

  test('fails when a secret variable is given for open origins', () => {
    const { stack } = newStack('open-origins');
    const secret = new TerraformVariable(stack, 'secret', { type: 'string', sensitive: true });
    const settings = euFrontDoor().frontDoor.settings;
    expect(
      errorOf(
        () =>
          new CloudflareFrontDoor(stack, 'FrontDoor', {
            endpoints: euUsEndpoints(),
            serviceName: 'chat',
            serviceDomain: 'inference.example.com',
            cloudflare: { ...settings, lockOrigin: false },
            secretVariable: secret,
          }),
      ),
    ).toContain('secretVariable: is only used with locked origins');
  });

  test(
    'origins are the regional public names with their Host header; an origin domain and per-region names can be ' +
      'given',
    () => {
      const { json } = euFrontDoor({
        originDomain: 'origin.inference.example.com',
        originHostnames: { 'ap-northeast-1': 'tokyo.example.net' },
      });
      const origins = Object.values(json.resource?.cloudflare_load_balancer_pool ?? {}).map(
        (p) => (p as { origins: { address: string; header: { host: string[] } }[] }).origins[0],
      );
      expect(origins.map((o) => [o.address, o.header.host[0]]).sort()).toEqual([
        ['eu-central-1.origin.inference.example.com', 'eu-central-1.origin.inference.example.com'],
        ['eu-west-1.origin.inference.example.com', 'eu-west-1.origin.inference.example.com'],
        ['tokyo.example.net', 'tokyo.example.net'],
        ['us-east-1.origin.inference.example.com', 'us-east-1.origin.inference.example.com'],
      ]);
      expect(onlyResource(json, 'cloudflare_load_balancer').name).toBe('inference.example.com');
    },
  );

  test('two residency jurisdictions: a fail-closed pool is the fallback', () => {
    const { frontDoor, json } = euFrontDoor({
      residency: { eu: { countries: ['DE', 'FR'], continents: [] }, us: { countries: ['US'], continents: [] } },
    });
    expect(frontDoor.failClosedPool).toBeDefined();
    const lb = lbOf(json);
    expect(lb.fallback_pool).toBe(
      `\${cloudflare_load_balancer_pool.${frontDoor.failClosedPool!.resource.friendlyUniqueId}.id}`,
    );
    const regionOf = poolRegionsById(json);
    expect(lb.country_pools.US.map((id) => regionOf.get(id))).toEqual(['us-east-1']);
  });

  test.each([
    ['pro', 128],
    ['business', 38],
    ['enterprise', 28],
  ] as const)('promises failover within %s: %i s with the default monitor', (plan, seconds) => {
    const { stack } = newStack();
    const frontDoor = new CloudflareFrontDoor(stack, 'FrontDoor', {
      endpoints: [endpoint('us-east-1'), endpoint('eu-west-1')],
      serviceName: 'chat',
      serviceDomain: 'inference.example.com',
      cloudflare: cloudflareSpec({ plan, trafficSteering: true }),
    });
    expect(frontDoor.failoverSeconds).toBe(seconds);
  });

  test('fails when the spec asks for what the plan cannot do, with every problem and its path', () => {
    const { stack } = newStack();
    const message = errorOf(
      () =>
        new CloudflareFrontDoor(stack, 'FrontDoor', {
          endpoints: euUsEndpoints(),
          serviceName: 'chat',
          serviceDomain: 'inference.example.com',
          cloudflare: cloudflareSpec({ plan: 'pro', monitor: { intervalSeconds: 30 }, originSteering: 'hash' }),
        }),
    );
    expect(message).toMatch(/^CloudflareFrontDoor 'test\/FrontDoor' is invalid \(3 problems\):/);
    expect(message).toContain('monitor.intervalSeconds: must be ≥ 60 on the pro plan');
    expect(message).toContain('steering: the default steering');
    expect(message).toContain('originSteering: hash origin steering is sold on the Enterprise plan only (plan is pro)');
  });

  test('fails when residency cannot be kept, naming the spec paths', () => {
    const { stack } = newStack();
    const message = errorOf(
      () =>
        new CloudflareFrontDoor(stack, 'FrontDoor', {
          endpoints: euUsEndpoints(),
          serviceName: 'chat',
          serviceDomain: 'inference.example.com',
          residency: { eu: { countries: ['DE'], continents: [] }, ch: { countries: ['CH'], continents: [] } },
          cloudflare: cloudflareSpec({ fallback: 'us-east-1' }),
        }),
    );
    expect(message).toContain("residency.ch: no pool belongs to jurisdiction 'ch'");
    expect(message).toContain("cloudflare.fallback: is outside jurisdiction 'eu'");
  });

  test('fails when the endpoints answer readiness on different paths and none is given', () => {
    const { stack } = newStack();
    expect(
      errorOf(
        () =>
          new CloudflareFrontDoor(stack, 'FrontDoor', {
            endpoints: [endpoint('us-east-1', undefined, '/health'), endpoint('eu-west-1', undefined, '/ready')],
            serviceName: 'chat',
            serviceDomain: 'inference.example.com',
            cloudflare: cloudflareSpec(),
          }),
      ),
    ).toContain(
      'health.path: is required: the endpoints answer readiness on different paths (/health, /ready) and one ' +
        'monitor probes them all',
    );
  });
});

describe('CloudflareFrontDoor next to the AWS stack', () => {
  test('takes real GpuInferenceEndpoints from another stack without any cross-stack reference', () => {
    const app = Testing.app();
    const aws = new TerraformStack(app, 'chat-aws');
    new AwsProvider(aws, 'aws', { region: 'eu-west-1' });
    const eu = new GpuInferenceEndpoint(aws, 'Endpoint', {
      region: 'eu-west-1',
      serviceName: 'chat',
      models: [{ name: 'llama', id: 'meta-llama/Llama-3.1-8B-Instruct', version: '2026-11-01' }],
      instanceType: 'g6e.xlarge',
      capacity: { min: 2, max: 8 },
      certificateArn: 'arn:aws:acm:eu-west-1:123456789012:certificate/11111111-2222-3333-4444-555555555555',
      jurisdiction: 'eu',
    });
    const cf = new TerraformStack(app, 'chat-cloudflare');
    new CloudflareProvider(cf, 'cloudflare');
    new CloudflareFrontDoor(cf, 'FrontDoor', {
      endpoints: [eu],
      serviceName: 'chat',
      serviceDomain: 'inference.example.com',
      cloudflare: cloudflareSpec(),
    });
    app.synth();
    const read = (stack: string) =>
      JSON.parse(readFileSync(join(app.outdir, 'stacks', stack, 'cdk.tf.json'), 'utf8')) as TerraformJson;
    const cfJson = read('chat-cloudflare');
    expect(cfJson.data).toBeUndefined();
    expect(JSON.stringify(cfJson)).not.toMatch(/terraform_remote_state|aws_/);
    expect(read('chat-aws').output).toBeUndefined();
  });
});
