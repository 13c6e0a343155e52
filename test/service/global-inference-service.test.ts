import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { TerraformStack, Testing } from '../../lib/util/cdktf';
import { GlobalInferenceService } from '../../lib/service/global-inference-service';
import { SERVICE_INTENT_KEY } from '../../lib/intent/service-intent';
import type { GlobalInferenceSpecInput } from '../../lib/spec/schema';
import type { TerraformJson } from '../../lib/util/synth-output';
import { errorOf, resourcesOf, synthJson } from '../support/synth';
import { minimalSpec } from '../support/specs';

function synthService(spec: GlobalInferenceSpecInput): { json: TerraformJson; service: GlobalInferenceService } {
  const stack = new TerraformStack(Testing.app(), 'svc');
  const service = new GlobalInferenceService(stack, 'Service', { spec });
  return { json: synthJson(stack), service };
}

describe('GlobalInferenceService with a created zone (defaults)', () => {
  const { json, service } = synthService(minimalSpec());

  test('the zone is protected, DNSSEC-signed and query-logged in us-east-1', () => {
    expect(resourcesOf(json, 'aws_route53_zone')[0][1]).toMatchObject({
      name: 'inference.example.com',
      force_destroy: false,
      lifecycle: { prevent_destroy: true },
      provider: 'aws.us-east-1',
    });
    expect(resourcesOf(json, 'aws_kms_key')[0][1]).toMatchObject({
      customer_master_key_spec: 'ECC_NIST_P256',
      key_usage: 'SIGN_VERIFY',
      provider: 'aws.us-east-1',
    });
    const template = String(resourcesOf(json, 'aws_kms_key_policy')[0][1].policy);
    // The policy is a Terraform template: the account id is interpolated from the key ARN at apply.
    expect(template).toMatch(/arn:aws:iam::\$\{element\(split\(":", aws_kms_key\.[^)]+\.arn\), 4\)\}:root/);
    const policy = JSON.parse(template.replace(/\$\{[^}]*\}/g, 'ACCOUNT')) as {
      Statement: { Sid: string; Principal: Record<string, string> }[];
    };
    expect(policy.Statement.map((s) => s.Sid)).toEqual([
      'AccountAdministers',
      'Route53DnssecSigns',
      'Route53DnssecGrants',
    ]);
    expect(policy.Statement[0].Principal.AWS).toBe('arn:aws:iam::ACCOUNT:root');
    expect(resourcesOf(json, 'aws_route53_key_signing_key')[0][1]).toMatchObject({ status: 'ACTIVE' });
    expect(resourcesOf(json, 'aws_route53_hosted_zone_dnssec')[0][1]).toMatchObject({ signing_status: 'SIGNING' });
    expect(resourcesOf(json, 'aws_cloudwatch_log_group').map(([, g]) => g.name)).toContain(
      '/aws/route53/inference.example.com',
    );
    expect(resourcesOf(json, 'aws_route53_query_log')).toHaveLength(1);
    expect(Object.keys(json.output ?? {}).sort()).toEqual([
      'dnssec_ds_record',
      'name_servers',
      'regional_endpoints',
      'service_url',
    ]);
  });

  test('each region gets its own name, probed by its health check', () => {
    expect(service.regionalHostnames).toEqual({
      'us-east-1': 'us-east-1.inference.example.com',
      'eu-west-1': 'eu-west-1.inference.example.com',
    });
    const probes = resourcesOf(json, 'aws_route53_health_check').filter(([, c]) => c.type === 'HTTPS');
    expect(probes.map(([, c]) => c.fqdn).sort()).toEqual([
      'eu-west-1.inference.example.com',
      'us-east-1.inference.example.com',
    ]);
  });

  test('routing intent is written as a stack comment for the analysis', () => {
    // Testing.synth drops JSON comments; a full synth keeps them as cdk.tf.json will.
    const stack = new TerraformStack(Testing.app(), 'meta');
    new GlobalInferenceService(stack, 'Service', { spec: minimalSpec() });
    const full = JSON.parse(
      readFileSync(join(Testing.fullSynth(stack), 'stacks', 'meta', 'cdk.tf.json'), 'utf8'),
    ) as Record<string, unknown>;
    const meta = full['//'] as Record<string, Record<string, unknown>>;
    expect(meta[SERVICE_INTENT_KEY]).toMatchObject({
      service: 'chat',
      routingDomain: 'inference.example.com',
      routingMode: 'latency',
      regions: { 'us-east-1': { jurisdiction: 'us' }, 'eu-west-1': { jurisdiction: 'eu' } },
      sloFailoverSeconds: 180,
    });
  });
});

describe('GlobalInferenceService options', () => {
  test('an existing zone is written into, not created', () => {
    const { json } = synthService(minimalSpec({ dns: { hostedZoneId: 'Z0123456789ABCDEFGHIJ' } }));
    expect(resourcesOf(json, 'aws_route53_zone')).toHaveLength(0);
    expect(resourcesOf(json, 'aws_kms_key')).toHaveLength(0);
    expect(new Set(resourcesOf(json, 'aws_route53_record').map(([, r]) => r.zone_id))).toEqual(
      new Set(['Z0123456789ABCDEFGHIJ']),
    );
  });

  test('DNSSEC and query logging can be turned off explicitly', () => {
    const { json } = synthService(minimalSpec({ dns: { dnssec: false, queryLogging: false } }));
    expect(resourcesOf(json, 'aws_kms_key')).toHaveLength(0);
    expect(resourcesOf(json, 'aws_route53_query_log')).toHaveLength(0);
  });

  test('split horizon: a private zone in every created VPC, latency-routed', () => {
    const { json } = synthService(minimalSpec({ dns: { privateZone: true } }));
    const zones = resourcesOf(json, 'aws_route53_zone').map(([, z]) => z);
    const privateZone = zones.find((z) => z.vpc) as { vpc: { vpc_region: string }[]; lifecycle: unknown };
    expect(privateZone.vpc.map((v) => v.vpc_region).sort()).toEqual(['eu-west-1', 'us-east-1']);
    expect(privateZone.lifecycle).toEqual({ prevent_destroy: true });
    expect(resourcesOf(json, 'aws_route53_record').filter(([name]) => name.includes('PrivateRecord'))).toHaveLength(2);
  });

  test('a declared account id makes every provider refuse other accounts', () => {
    const { json } = synthService(minimalSpec({ aws: { accountId: '123456789012' } }));
    expect((json.provider?.aws ?? []).map((p) => p.allowed_account_ids)).toEqual([['123456789012'], ['123456789012']]);
  });

  test('fails with every spec problem, naming the construct', () => {
    const message = errorOf(() => synthService(minimalSpec({ routing: { mode: 'failover' } })));
    expect(message).toContain("spec of GlobalInferenceService 'svc/Service' is invalid (1 problem):");
  });
});

describe('GlobalInferenceService with a Cloudflare front door', () => {
  const cloudflare = { accountId: '0'.repeat(32), zoneId: '1'.repeat(32), plan: 'enterprise' as const };
  function synthWithCloudflare(spec: GlobalInferenceSpecInput) {
    const app = Testing.app();
    const aws = new TerraformStack(app, 'aws');
    const cf = new TerraformStack(app, 'cf');
    const service = new GlobalInferenceService(aws, 'Service', { spec, cloudflareStack: cf });
    return { service, aws: synthJson(aws), cf: synthJson(cf) };
  }

  describe('frontDoor: cloudflare', () => {
    const { service, aws, cf } = synthWithCloudflare(minimalSpec({ frontDoor: 'cloudflare', cloudflare }));

    test('the AWS side answers under the origin domain and builds no Route53 routing', () => {
      expect(service.routingDomain).toBe('origin.inference.example.com');
      expect(service.route53Routing).toBeUndefined();
      expect(resourcesOf(aws, 'aws_route53_health_check')).toHaveLength(0);
      expect(resourcesOf(aws, 'aws_acm_certificate')[0][1]).toMatchObject({
        domain_name: 'origin.inference.example.com',
        subject_alternative_names: ['*.origin.inference.example.com'],
      });
      expect(service.serviceUrl).toBe('https://inference.example.com');
    });

    test('the ALBs are locked to Cloudflare with a sensitive, validated secret variable', () => {
      expect(aws.variable?.origin_auth_secret).toMatchObject({ type: 'string', sensitive: true });
      expect(JSON.stringify(aws.variable?.origin_auth_secret)).toContain('A-Za-z0-9]{32,128}');
      const https = resourcesOf(aws, 'aws_lb_listener').filter(([, l]) => l.port === 443);
      expect(https).toAllSatisfy(([, l]) => (l.default_action as { type: string }[])[0].type === 'fixed-response');
      const albIngress = resourcesOf(aws, 'aws_vpc_security_group_ingress_rule').filter(([, r]) =>
        String(r.security_group_id).includes('AlbSecurityGroup'),
      );
      expect(albIngress).toNoneSatisfy(([, r]) => r.cidr_ipv4 === '0.0.0.0/0');
      expect(albIngress).toAllSatisfy(([, r]) => r.from_port === 443);
    });

    test(
      'the Cloudflare stack holds only Cloudflare resources: pools on the regional names, the LB on the service ' +
        'name, and the delegation',
      () => {
        expect(Object.keys(cf.resource ?? {})).toAllSatisfy((type) => type.startsWith('cloudflare_'));
        expect(Object.keys(aws.resource ?? {})).toNoneSatisfy((type) => type.startsWith('cloudflare_'));
        const origins = resourcesOf(cf, 'cloudflare_load_balancer_pool').flatMap(([, p]) =>
          (p.origins as { address: string }[]).map((o) => o.address),
        );
        expect(origins.sort()).toEqual([
          'eu-west-1.origin.inference.example.com',
          'us-east-1.origin.inference.example.com',
        ]);
        expect(resourcesOf(cf, 'cloudflare_load_balancer')[0][1]).toMatchObject({
          name: 'inference.example.com',
          proxied: true,
        });
        const delegation = resourcesOf(cf, 'cloudflare_dns_record').filter(([, r]) => r.type === 'NS');
        expect(delegation.map(([, r]) => r.name)).toEqual(Array(4).fill('origin.inference.example.com'));
      },
    );
  });

  test('frontDoor both: Route53 routing under the origin domain, origins left open for it', () => {
    const { service, aws, cf } = synthWithCloudflare(minimalSpec({ frontDoor: 'both', cloudflare }));
    expect(service.route53Routing).toBeDefined();
    expect(aws.variable).toBeUndefined();
    // Nothing checks an origin header on open origins: Cloudflare adds none and no secret has to be set.
    expect(cf.variable).toBeUndefined();
    expect(JSON.stringify(cf)).not.toContain('X-Inference-Origin-Auth');
    expect(
      resourcesOf(cf, 'cloudflare_ruleset')
        .map(([, r]) => r.phase)
        .sort(),
    ).toEqual(['http_config_settings', 'http_ratelimit']);
    expect(
      resourcesOf(aws, 'aws_route53_record').some(
        ([, r]) => r.name === 'origin.inference.example.com' && r.latency_routing_policy,
      ),
    ).toBe(true);
  });

  test('fails when the origin lock is asked for with both front doors, or no Cloudflare stack is given', () => {
    expect(
      errorOf(() =>
        synthWithCloudflare(minimalSpec({ frontDoor: 'both', cloudflare: { ...cloudflare, lockOrigin: true } })),
      ),
    ).toContain('cloudflare.lockOrigin: cannot be on with frontDoor both');
    const stack = new TerraformStack(Testing.app(), 'lonely');
    expect(
      errorOf(
        () =>
          new GlobalInferenceService(stack, 'Service', { spec: minimalSpec({ frontDoor: 'cloudflare', cloudflare }) }),
      ),
    ).toContain('cloudflareStack: is required when frontDoor is cloudflare');
  });
});

describe('GlobalInferenceService with the edge router', () => {
  const edgeRouter = { accountId: '2'.repeat(32), zoneId: '3'.repeat(32), hostname: 'api.inference.example.com' };

  test(
    'behind a locked Cloudflare front door, the Worker carries the same origin secret as the pools, from one ' +
      'variable',
    () => {
      const app = Testing.app();
      const aws = new TerraformStack(app, 'aws');
      const cf = new TerraformStack(app, 'cf');
      const service = new GlobalInferenceService(aws, 'Service', {
        spec: minimalSpec({
          frontDoor: 'cloudflare',
          cloudflare: { accountId: '0'.repeat(32), zoneId: '1'.repeat(32), plan: 'enterprise' },
          edgeRouter,
        }),
        cloudflareStack: cf,
      });
      const json = synthJson(cf);
      expect(Object.keys(json.variable ?? {}).filter((v) => v.includes('origin'))).toEqual(['origin_auth_secret']);
      const script = resourcesOf(json, 'cloudflare_workers_script')[0][1] as {
        bindings: { name: string; type: string; text?: string }[];
      };
      expect(script.bindings.find((b) => b.name === 'ORIGIN_AUTH_SECRET')).toEqual({
        name: 'ORIGIN_AUTH_SECRET',
        type: 'secret_text',
        text: '${var.origin_auth_secret}',
      });
      expect(JSON.parse(script.bindings.find((b) => b.name === 'ROUTER_CONFIG')!.text!)).toMatchObject({
        originAuthHeader: 'X-Inference-Origin-Auth',
      });
      expect(service.edgeRouter).toBeDefined();
    },
  );

  test('with Route53 as the front door, the Worker goes into the Cloudflare stack without an origin secret', () => {
    const app = Testing.app();
    const aws = new TerraformStack(app, 'aws');
    const cf = new TerraformStack(app, 'cf');
    new GlobalInferenceService(aws, 'Service', { spec: minimalSpec({ edgeRouter }), cloudflareStack: cf });
    const script = resourcesOf(synthJson(cf), 'cloudflare_workers_script')[0][1] as { bindings: { name: string }[] };
    expect(script.bindings.map((b) => b.name)).not.toContain('ORIGIN_AUTH_SECRET');
    expect(
      errorOf(
        () =>
          new GlobalInferenceService(new TerraformStack(Testing.app(), 'x'), 'Service', {
            spec: minimalSpec({ edgeRouter }),
          }),
      ),
    ).toContain('cloudflareStack: is required when the spec has an edgeRouter');
  });
});
