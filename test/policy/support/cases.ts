import { renderUserData } from '../../../lib/aws/user-data';
import type { ServiceIntentInput } from '../../../lib/intent/service-intent';
import type { Severity } from '../../../lib/policy/types';
import type { TerraformJson } from '../../../lib/util/synth-output';
import { b64, CONTEXT, gzb64, httpsAlb, pools, tf } from './fixtures';

export interface RuleCase {
  readonly name: string;
  readonly json: TerraformJson;
  /** Intent passed explicitly (instead of the stack's block). */
  readonly context?: ServiceIntentInput;
  /** Non-compliant cases: the resource flagged, and words the message must contain. */
  readonly flagged?: string;
  readonly includes?: string;
  /** Non-compliant cases: expected severity. @default 'error' */
  readonly severity?: Severity;
}

export interface RuleCases {
  readonly compliant: readonly RuleCase[];
  readonly nonCompliant: readonly RuleCase[];
}

const model = {
  name: 'llama',
  id: 'meta-llama/Llama-3.1-8B-Instruct',
  version: '1',
  engine: 'vllm' as const,
  port: 8000,
  args: [],
};
const safeScript = renderUserData({
  serviceName: 'chat',
  model: {
    ...model,
    huggingFaceTokenSecretArn: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:hf-token-AbCdEf',
  },
});
const lt = (extra: Record<string, unknown>) => ({ aws_launch_template: { lt: { image_id: 'ami-123', ...extra } } });
const encryptedRoot = {
  block_device_mappings: [{ device_name: '/dev/xvda', ebs: { encrypted: 'true', volume_size: 150 } }],
};

const alb443 = {
  aws_security_group: { alb: { vpc_id: 'vpc-1' }, gpu: { vpc_id: 'vpc-1' } },
  aws_lb: { alb: httpsAlb() },
};
const worldRule = (
  port: number,
  group = '${aws_security_group.alb.id}',
  cidr: Record<string, string> = { cidr_ipv4: '0.0.0.0/0' },
) => ({
  aws_vpc_security_group_ingress_rule: {
    open: { security_group_id: group, ip_protocol: 'tcp', from_port: port, to_port: port, ...cidr },
  },
});

const listener = (
  protocol: string | undefined,
  action: Record<string, unknown>,
  extra: Record<string, unknown> = {},
) => ({
  aws_lb: { alb: httpsAlb() },
  aws_lb_listener: {
    l: {
      load_balancer_arn: '${aws_lb.alb.arn}',
      port: protocol === 'HTTPS' ? 443 : 80,
      ...(protocol ? { protocol } : {}),
      default_action: [action],
      ...extra,
    },
  },
});
const redirectHttps = { type: 'redirect', redirect: { protocol: 'HTTPS', port: '443', status_code: 'HTTP_301' } };
const forward = { type: 'forward', target_group_arn: '${aws_lb_target_group.tg.arn}' };

const zone = { aws_route53_zone: { z: { name: 'inference.example.com' } } };
const ksk = {
  aws_route53_key_signing_key: {
    ksk: {
      hosted_zone_id: '${aws_route53_zone.z.id}',
      key_management_service_arn: 'arn:aws:kms:us-east-1:1:key/x',
      name: 'ksk',
      status: 'ACTIVE',
    },
  },
};

/** A geolocation record for DE aliasing (without evaluating) eu.<domain>, a latency set over two EU regions. */
const residencyRecords = (checked: boolean) => ({
  aws_route53_record: {
    de: {
      zone_id: '${aws_route53_zone.z.zone_id}',
      name: 'inference.example.com',
      type: 'A',
      set_identifier: 'residency-eu-DE',
      geolocation_routing_policy: { country: 'DE' },
      alias: {
        name: 'eu.inference.example.com',
        zone_id: '${aws_route53_zone.z.zone_id}',
        evaluate_target_health: false,
      },
    },
    ...Object.fromEntries(
      ['eu-west-1', 'eu-central-1'].map((region) => [
        region,
        {
          zone_id: '${aws_route53_zone.z.zone_id}',
          name: 'eu.inference.example.com',
          type: 'A',
          set_identifier: region,
          latency_routing_policy: { region },
          ...(checked ? { health_check_id: `\${aws_route53_health_check.${region}.id}` } : {}),
          alias: { name: `alb-${region}`, zone_id: 'Z2', evaluate_target_health: false },
        },
      ]),
    ),
  },
});

const monitor = (interval?: number) => ({
  cloudflare_load_balancer_monitor: {
    mon: { account_id: 'acc', type: 'https', path: '/health', ...(interval === undefined ? {} : { interval }) },
  },
});
const lb = (config: Record<string, unknown>) => ({
  cloudflare_load_balancer_pool: pools,
  cloudflare_load_balancer: { lb: { zone_id: 'z', name: 'inference.example.com', ...config } },
});
const ref = (name: keyof typeof pools) => `\${cloudflare_load_balancer_pool.${name}.id}`;

const proxiedLb = (config: Record<string, unknown> = {}) => ({
  cloudflare_load_balancer: {
    lb: {
      zone_id: 'z',
      name: 'inference.example.com',
      default_pools: ['p'],
      fallback_pool: 'p',
      proxied: true,
      ...config,
    },
  },
});
const rateLimitRule = (rule: Record<string, unknown> = {}) => ({
  ref: 'inference_rate_limit',
  expression: '(http.host eq "inference.example.com")',
  action: 'block',
  ratelimit: {
    characteristics: ['cf.colo.id', 'ip.src'],
    period: 60,
    requests_per_period: 200,
    mitigation_timeout: 300,
  },
  enabled: true,
  ...rule,
});
const rateLimitRuleset = (rule: Record<string, unknown> = {}, zone = 'z') => ({
  cloudflare_ruleset: {
    rl: {
      zone_id: zone,
      kind: 'zone',
      phase: 'http_ratelimit',
      name: 'inference rate limit',
      rules: [rateLimitRule(rule)],
    },
  },
});

/** A compliant and a non-compliant set of hand-written fixtures per rule id. */
export const RULE_CASES: Record<string, RuleCases> = {
  'GI-AWS-001': {
    compliant: [
      {
        name: 'launch template requires IMDSv2 tokens',
        json: tf(
          lt({
            metadata_options: { http_endpoint: 'enabled', http_tokens: 'required', http_put_response_hop_limit: 2 },
          }),
        ),
      },
      {
        name: 'launch template disables the metadata endpoint',
        json: tf(lt({ metadata_options: { http_endpoint: 'disabled' } })),
      },
      {
        name: 'instance requires tokens (block as a list)',
        json: tf({ aws_instance: { i: { ami: 'ami-1', metadata_options: [{ http_tokens: 'required' }] } } }),
      },
    ],
    nonCompliant: [
      {
        name: 'launch template without metadata_options',
        json: tf(lt({})),
        flagged: 'aws_launch_template.lt',
        includes: 'no metadata_options',
      },
      {
        name: 'launch template with optional tokens',
        json: tf(lt({ metadata_options: { http_tokens: 'optional' } })),
        flagged: 'aws_launch_template.lt',
        includes: '"optional"',
      },
      {
        name: 'instance with tokens unset',
        json: tf({ aws_instance: { i: { ami: 'ami-1', metadata_options: { http_endpoint: 'enabled' } } } }),
        flagged: 'aws_instance.i',
        includes: 'unset',
      },
    ],
  },
  'GI-AWS-002': {
    compliant: [
      { name: 'launch template root volume encrypted', json: tf(lt(encryptedRoot)) },
      {
        name: 'EBS volume encrypted',
        json: tf({ aws_ebs_volume: { v: { availability_zone: 'us-east-1a', size: 100, encrypted: true } } }),
      },
      {
        name: 'instance root volume encrypted',
        json: tf({ aws_instance: { i: { ami: 'ami-1', root_block_device: { encrypted: true } } } }),
      },
    ],
    nonCompliant: [
      {
        name: 'launch template volume encrypted = "false"',
        json: tf(lt({ block_device_mappings: [{ device_name: '/dev/xvda', ebs: { encrypted: 'false' } }] })),
        flagged: 'aws_launch_template.lt',
        includes: '/dev/xvda',
      },
      {
        name: 'launch template volume without encrypted',
        json: tf(lt({ block_device_mappings: [{ device_name: '/dev/sdb', ebs: { volume_size: 10 } }] })),
        flagged: 'aws_launch_template.lt',
        includes: 'unset',
      },
      {
        name: 'EBS volume without encryption',
        json: tf({ aws_ebs_volume: { v: { availability_zone: 'us-east-1a', size: 100 } } }),
        flagged: 'aws_ebs_volume.v',
      },
      {
        name: 'launch template leaving the root volume to the AMI',
        json: tf(lt({})),
        flagged: 'aws_launch_template.lt',
        includes: 'left to the AMI',
        severity: 'warning',
      },
    ],
  },
  'GI-AWS-003': {
    compliant: [
      {
        name: 'the library boot script (token fetched from Secrets Manager at boot)',
        json: tf(lt({ user_data: b64(safeScript) })),
      },
      {
        name: 'plain user data without secrets on an instance',
        json: tf({
          aws_instance: {
            i: {
              ami: 'ami-1',
              user_data:
                '#!/bin/bash\nexport MODEL=meta-llama/Llama-3.1-8B-Instruct\nPASSWORD=$(aws ssm get-parameter ' +
                '--name db --with-decryption)\n',
            },
          },
        }),
      },
    ],
    nonCompliant: [
      {
        name: 'Hugging Face token in base64 user data',
        json: tf(
          lt({
            user_data: b64(
              '#!/bin/bash\ndocker run -e HF_TOKEN=hf_AbCdEfGhIjKlMnOpQrStUvWxYz0123456789 vllm/vllm-openai\n',
            ),
          }),
        ),
        flagged: 'aws_launch_template.lt',
        includes: 'Hugging Face token',
      },
      {
        name: 'AWS access key in plain user data',
        json: tf({
          aws_instance: { i: { ami: 'ami-1', user_data: 'export AWS_ACCESS_KEY_ID=AKIAIOSFODNN7EXAMPLE\n' } },
        }),
        flagged: 'aws_instance.i',
        includes: 'AWS access key id',
      },
      {
        name: 'password in gzipped base64 user data',
        json: tf(lt({ user_data: gzb64('#!/bin/bash\nDB_PASSWORD="correct-horse-battery-staple"\n') })),
        flagged: 'aws_launch_template.lt',
        includes: 'DB_PASSWORD',
      },
      {
        name: 'secret interpolated from Secrets Manager',
        json: tf(
          lt({ user_data: '${base64encode("HF_TOKEN=${aws_secretsmanager_secret_version.hf.secret_string}")}' }),
        ),
        flagged: 'aws_launch_template.lt',
        includes: 'secret_string',
      },
      {
        name: 'long high-entropy literal',
        json: tf(
          lt({
            user_data: b64('#!/bin/bash\ncurl -H "X-Key: Zq8xT2mWv9LpR4sKd7YhN3cBf6GjU1eA" https://example.com\n'),
          }),
        ),
        flagged: 'aws_launch_template.lt',
        includes: 'high-entropy',
        severity: 'warning',
      },
    ],
  },
  'GI-AWS-004': {
    compliant: [
      { name: 'ALB dropping invalid headers', json: tf({ aws_lb: { alb: httpsAlb() } }) },
      {
        name: 'a network load balancer (no HTTP headers)',
        json: tf({ aws_lb: { nlb: { load_balancer_type: 'network' } } }),
      },
    ],
    nonCompliant: [
      {
        name: 'ALB with the setting unset',
        json: tf({ aws_lb: { alb: { internal: false } } }),
        flagged: 'aws_lb.alb',
        includes: 'defaults to false',
      },
      {
        name: 'ALB (aws_alb) with drop_invalid_header_fields false',
        json: tf({ aws_alb: { alb: { drop_invalid_header_fields: false } } }),
        flagged: 'aws_alb.alb',
        includes: 'false',
      },
    ],
  },
  'GI-AWS-005': {
    compliant: [
      {
        name: 'HTTPS with the TLS 1.3/1.2 policy',
        json: tf(listener('HTTPS', forward, { ssl_policy: 'ELBSecurityPolicy-TLS13-1-2-2021-06' })),
      },
      {
        name: 'TLS listener with a forward-secrecy 1.2 policy',
        json: tf({
          aws_lb_listener: {
            l: {
              protocol: 'TLS',
              port: 443,
              ssl_policy: 'ELBSecurityPolicy-FS-1-2-Res-2020-10',
              default_action: [forward],
            },
          },
        }),
      },
      { name: 'plain HTTP listener (GI-AWS-006 covers it)', json: tf(listener('HTTP', redirectHttps)) },
    ],
    nonCompliant: [
      {
        name: 'HTTPS without ssl_policy',
        json: tf(listener('HTTPS', forward)),
        flagged: 'aws_lb_listener.l',
        includes: 'ELBSecurityPolicy-2016-08',
      },
      {
        name: 'HTTPS with a TLS 1.0 policy',
        json: tf(listener('HTTPS', forward, { ssl_policy: 'ELBSecurityPolicy-TLS13-1-0-2021-06' })),
        flagged: 'aws_lb_listener.l',
        includes: 'TLS 1.0',
      },
      {
        name: 'HTTPS with a TLS 1.1 policy',
        json: tf(listener('HTTPS', forward, { ssl_policy: 'ELBSecurityPolicy-TLS-1-1-2017-01' })),
        flagged: 'aws_lb_listener.l',
        includes: 'TLS 1.1',
      },
      {
        name: 'HTTPS with an unknown policy name',
        json: tf(listener('HTTPS', forward, { ssl_policy: 'MyPolicy' })),
        flagged: 'aws_lb_listener.l',
        includes: 'not a policy this rule knows',
      },
    ],
  },
  'GI-AWS-006': {
    compliant: [
      { name: 'HTTP listener redirecting to HTTPS', json: tf(listener('HTTP', redirectHttps)) },
      {
        name: 'HTTPS listener forwarding',
        json: tf(listener('HTTPS', forward, { ssl_policy: 'ELBSecurityPolicy-TLS13-1-2-2021-06' })),
      },
      {
        name: 'TCP listener of a network load balancer',
        json: tf({
          aws_lb: { nlb: { load_balancer_type: 'network' } },
          aws_lb_listener: {
            l: { load_balancer_arn: '${aws_lb.nlb.arn}', protocol: 'TCP', port: 80, default_action: [forward] },
          },
        }),
      },
    ],
    nonCompliant: [
      {
        name: 'HTTP listener forwarding',
        json: tf(listener('HTTP', forward)),
        flagged: 'aws_lb_listener.l',
        includes: 'forward',
      },
      {
        name: 'listener with protocol unset (HTTP on an ALB) forwarding',
        json: tf(listener(undefined, forward)),
        flagged: 'aws_lb_listener.l',
        includes: 'plain-HTTP',
      },
      {
        name: 'HTTP listener redirecting to HTTP',
        json: tf(
          listener('HTTP', { type: 'redirect', redirect: { protocol: 'HTTP', port: '8080', status_code: 'HTTP_302' } }),
        ),
        flagged: 'aws_lb_listener.l',
        includes: 'redirect to HTTP',
      },
      {
        name: 'listener rule forwarding on the HTTP listener',
        json: tf({
          ...listener('HTTP', redirectHttps),
          aws_lb_listener_rule: {
            r: {
              listener_arn: '${aws_lb_listener.l.arn}',
              priority: 10,
              action: [forward],
              condition: [{ path_pattern: { values: ['/v1/*'] } }],
            },
          },
        }),
        flagged: 'aws_lb_listener_rule.r',
        includes: 'aws_lb_listener.l',
      },
    ],
  },
  'GI-AWS-007': {
    compliant: [
      { name: "internet-facing ALB's group open on 443", json: tf({ ...alb443, ...worldRule(443) }) },
      {
        name: "internet-facing ALB's group open on 80 over IPv6 (security_group_rule)",
        json: tf({
          ...alb443,
          aws_security_group_rule: {
            r: {
              type: 'ingress',
              security_group_id: '${aws_security_group.alb.id}',
              protocol: 'tcp',
              from_port: 80,
              to_port: 80,
              ipv6_cidr_blocks: ['::/0'],
            },
          },
        }),
      },
      {
        name: 'instances open to the ALB group only',
        json: tf({
          ...alb443,
          aws_vpc_security_group_ingress_rule: {
            i: {
              security_group_id: '${aws_security_group.gpu.id}',
              ip_protocol: 'tcp',
              from_port: 8000,
              to_port: 8000,
              referenced_security_group_id: '${aws_security_group.alb.id}',
            },
          },
        }),
      },
      {
        name: 'inline ingress from a private range',
        json: tf({
          aws_security_group: {
            sg: { ingress: [{ protocol: 'tcp', from_port: 22, to_port: 22, cidr_blocks: ['10.0.0.0/8'] }] },
          },
        }),
      },
    ],
    nonCompliant: [
      {
        name: 'model-server port open to the world',
        json: tf({ ...alb443, ...worldRule(8000, '${aws_security_group.gpu.id}') }),
        flagged: 'aws_vpc_security_group_ingress_rule.open',
        includes: 'tcp 8000 from 0.0.0.0/0',
      },
      {
        name: '443 open on an internal ALB',
        json: tf({ ...alb443, aws_lb: { alb: httpsAlb({ internal: true }) }, ...worldRule(443) }),
        flagged: 'aws_vpc_security_group_ingress_rule.open',
        includes: 'not attached only to internet-facing',
      },
      {
        name: "443 open on the ALB's group that the launch template also uses",
        json: tf({
          ...alb443,
          ...worldRule(443),
          aws_launch_template: { lt: { vpc_security_group_ids: ['${aws_security_group.alb.id}'] } },
        }),
        flagged: 'aws_vpc_security_group_ingress_rule.open',
        includes: 'not attached only',
      },
      {
        name: 'SSH from ::/0 (security_group_rule)',
        json: tf({
          ...alb443,
          aws_security_group_rule: {
            r: {
              type: 'ingress',
              security_group_id: '${aws_security_group.gpu.id}',
              protocol: 'tcp',
              from_port: 22,
              to_port: 22,
              ipv6_cidr_blocks: ['::/0'],
            },
          },
        }),
        flagged: 'aws_security_group_rule.r',
        includes: 'tcp 22 from ::/0',
      },
      {
        name: 'inline ingress of all traffic',
        json: tf({
          aws_security_group: {
            sg: { ingress: [{ protocol: '-1', from_port: 0, to_port: 0, cidr_blocks: ['0.0.0.0/0'] }] },
          },
        }),
        flagged: 'aws_security_group.sg',
        includes: 'all traffic',
      },
      {
        name: '443 open on a group outside the stack',
        json: tf(worldRule(443, 'sg-0123456789abcdef0')),
        flagged: 'aws_vpc_security_group_ingress_rule.open',
        includes: 'not in this stack',
      },
    ],
  },
  'GI-AWS-008': {
    compliant: [
      {
        name: 'HTTP target group probing the readiness path',
        json: tf({
          aws_lb_target_group: {
            tg: { port: 8000, protocol: 'HTTP', health_check: { enabled: true, path: '/health', matcher: '200' } },
          },
        }),
      },
      {
        name: 'TCP target group with a health check',
        json: tf({ aws_lb_target_group: { tg: { port: 8000, protocol: 'TCP', health_check: [{ enabled: true }] } } }),
      },
      { name: 'Lambda target group', json: tf({ aws_lb_target_group: { tg: { target_type: 'lambda' } } }) },
    ],
    nonCompliant: [
      {
        name: 'no health_check block',
        json: tf({ aws_lb_target_group: { tg: { port: 8000, protocol: 'HTTP' } } }),
        flagged: 'aws_lb_target_group.tg',
        includes: 'no health_check',
      },
      {
        name: 'health check disabled',
        json: tf({
          aws_lb_target_group: {
            tg: { port: 8000, protocol: 'HTTP', health_check: { enabled: false, path: '/health' } },
          },
        }),
        flagged: 'aws_lb_target_group.tg',
        includes: 'enabled = false',
      },
      {
        name: 'health check without a path',
        json: tf({ aws_lb_target_group: { tg: { port: 8000, health_check: { enabled: true } } } }),
        flagged: 'aws_lb_target_group.tg',
        includes: 'no path',
      },
    ],
  },
  'GI-AWS-009': {
    compliant: [
      {
        name: 'zone signed (DNSSEC refers to the zone)',
        json: tf({
          ...zone,
          ...ksk,
          aws_route53_hosted_zone_dnssec: {
            d: { hosted_zone_id: '${aws_route53_zone.z.id}', signing_status: 'SIGNING' },
          },
        }),
      },
      {
        name: 'zone signed (DNSSEC ordered after the key, through its hosted_zone_id)',
        json: tf({
          ...zone,
          ...ksk,
          aws_route53_hosted_zone_dnssec: {
            d: { hosted_zone_id: '${aws_route53_key_signing_key.ksk.hosted_zone_id}' },
          },
        }),
      },
      { name: 'private zone', json: tf({ aws_route53_zone: { z: { name: 'internal', vpc: [{ vpc_id: 'vpc-1' }] } } }) },
    ],
    nonCompliant: [
      {
        name: 'zone without DNSSEC',
        json: tf(zone),
        flagged: 'aws_route53_zone.z',
        includes: 'no active aws_route53_key_signing_key and no signing aws_route53_hosted_zone_dnssec',
      },
      {
        name: 'key-signing key but signing not enabled',
        json: tf({ ...zone, ...ksk }),
        flagged: 'aws_route53_zone.z',
        includes: 'no signing aws_route53_hosted_zone_dnssec',
      },
      {
        name: 'signing explicitly off',
        json: tf({
          ...zone,
          ...ksk,
          aws_route53_hosted_zone_dnssec: {
            d: { hosted_zone_id: '${aws_route53_zone.z.id}', signing_status: 'NOT_SIGNING' },
          },
        }),
        flagged: 'aws_route53_zone.z',
      },
    ],
  },
  'GI-AWS-010': {
    compliant: [
      {
        name: 'zone with a query log',
        json: tf({
          ...zone,
          aws_route53_query_log: {
            q: {
              zone_id: '${aws_route53_zone.z.zone_id}',
              cloudwatch_log_group_arn: '${aws_cloudwatch_log_group.q.arn}',
            },
          },
        }),
      },
      { name: 'private zone', json: tf({ aws_route53_zone: { z: { name: 'internal', vpc: { vpc_id: 'vpc-1' } } } }) },
    ],
    nonCompliant: [
      {
        name: 'zone without a query log',
        json: tf(zone),
        flagged: 'aws_route53_zone.z',
        includes: 'no aws_route53_query_log',
      },
      {
        name: 'query log of another zone',
        json: tf({
          ...zone,
          aws_route53_query_log: { q: { zone_id: 'Z0123456789', cloudwatch_log_group_arn: 'arn' } },
        }),
        flagged: 'aws_route53_zone.z',
      },
    ],
  },
  'GI-AWS-011': {
    compliant: [
      {
        name: 'latency record with a health check',
        json: tf({
          aws_route53_record: {
            r: {
              zone_id: 'Z1',
              name: 'inference.example.com',
              type: 'A',
              set_identifier: 'us-east-1',
              latency_routing_policy: { region: 'us-east-1' },
              health_check_id: '${aws_route53_health_check.h.id}',
              alias: { name: 'a', zone_id: 'Z2', evaluate_target_health: true },
            },
          },
        }),
      },
      {
        name: 'failover alias evaluating target health',
        json: tf({
          aws_route53_record: {
            r: {
              zone_id: 'Z1',
              name: 'x',
              type: 'A',
              set_identifier: 'secondary',
              failover_routing_policy: [{ type: 'SECONDARY' }],
              alias: [{ name: 'a', zone_id: 'Z2', evaluate_target_health: true }],
            },
          },
        }),
      },
      {
        name: 'simple record (not routed)',
        json: tf({
          aws_route53_record: {
            r: {
              zone_id: 'Z1',
              name: 'us-east-1.x',
              type: 'A',
              alias: { name: 'a', zone_id: 'Z2', evaluate_target_health: false },
            },
          },
        }),
      },
      {
        name: 'fail-closed residency alias to health-checked records of the same zone',
        json: tf(residencyRecords(true)),
      },
    ],
    nonCompliant: [
      {
        name: 'latency alias not evaluating target health, no health check',
        json: tf({
          aws_route53_record: {
            r: {
              zone_id: 'Z1',
              name: 'x',
              type: 'A',
              set_identifier: 'eu-west-1',
              latency_routing_policy: { region: 'eu-west-1' },
              alias: { name: 'a', zone_id: 'Z2', evaluate_target_health: false },
            },
          },
        }),
        flagged: 'aws_route53_record.r',
        includes: 'evaluate_target_health = false',
      },
      {
        name: 'residency alias to records that are not health-checked',
        json: tf(residencyRecords(false)),
        flagged: 'aws_route53_record.de',
        includes: 'not a set of health-checked records',
      },
      {
        name: 'weighted CNAME without a health check',
        json: tf({
          aws_route53_record: {
            r: {
              zone_id: 'Z1',
              name: 'x',
              type: 'CNAME',
              ttl: 60,
              records: ['a.example.com'],
              set_identifier: 'canary',
              weighted_routing_policy: { weight: 10 },
            },
          },
        }),
        flagged: 'aws_route53_record.r',
        includes: 'no health_check_id',
      },
    ],
  },
  'GI-AWS-012': {
    compliant: [
      {
        name: 'HTTPS check from three regions',
        json: tf({
          aws_route53_health_check: {
            h: { type: 'HTTPS', fqdn: 'x', regions: ['us-east-1', 'us-west-2', 'eu-west-1'] },
          },
        }),
      },
      {
        name: 'HTTPS check with regions unset (all)',
        json: tf({ aws_route53_health_check: { h: { type: 'HTTPS', fqdn: 'x' } } }),
      },
      {
        name: 'CALCULATED check (no checker regions)',
        json: tf({
          aws_route53_health_check: { h: { type: 'CALCULATED', child_health_threshold: 2, child_healthchecks: [] } },
        }),
      },
    ],
    nonCompliant: [
      {
        name: 'HTTPS check from two regions',
        json: tf({
          aws_route53_health_check: { h: { type: 'HTTPS', fqdn: 'x', regions: ['us-east-1', 'eu-west-1'] } },
        }),
        flagged: 'aws_route53_health_check.h',
        includes: '2 checker regions',
      },
      {
        name: 'TCP check from one region',
        json: tf({ aws_route53_health_check: { h: { type: 'TCP', fqdn: 'x', port: 443, regions: ['us-east-1'] } } }),
        flagged: 'aws_route53_health_check.h',
        includes: '1 checker region ',
      },
    ],
  },
  'GI-AWS-013': {
    compliant: [
      {
        name: 'ALB logging to a bucket',
        json: tf({ aws_lb: { alb: { access_logs: { bucket: 'chat-alb-logs', enabled: true } } } }),
      },
      {
        name: 'ALB logging to a bucket the stack creates (a reference), in list form',
        json: tf({
          aws_lb: { alb: { access_logs: [{ bucket: '${aws_s3_bucket.logs.bucket}', enabled: true }] } },
          aws_s3_bucket: { logs: { bucket_prefix: 'chat-alb-logs-' } },
        }),
      },
      {
        name: 'a network load balancer (not checked)',
        json: tf({ aws_lb: { nlb: { load_balancer_type: 'network' } } }),
      },
    ],
    nonCompliant: [
      {
        name: 'ALB without access_logs',
        json: tf({ aws_lb: { alb: { internal: false } } }),
        flagged: 'aws_lb.alb',
        includes: 'no access_logs block',
      },
      {
        name: 'ALB with access logs turned off',
        json: tf({ aws_alb: { alb: { access_logs: { bucket: 'logs', enabled: false } } } }),
        flagged: 'aws_alb.alb',
        includes: 'not enabled',
      },
      {
        name: 'ALB with logs enabled and no bucket',
        json: tf({ aws_lb: { alb: { access_logs: { enabled: true } } } }),
        flagged: 'aws_lb.alb',
        includes: 'without a bucket',
      },
    ],
  },
  'GI-AWS-014': {
    compliant: [
      {
        name: 'ALB associated with a WAFv2 web ACL',
        json: tf({
          aws_lb: { alb: { internal: false } },
          aws_wafv2_web_acl_association: { a: { resource_arn: '${aws_lb.alb.arn}', web_acl_arn: 'arn:x' } },
        }),
      },
      { name: 'an internal ALB (not checked)', json: tf({ aws_lb: { alb: { internal: true } } }) },
    ],
    nonCompliant: [
      {
        name: 'internet-facing ALB without a web ACL',
        json: tf({ aws_lb: { alb: { internal: false } } }),
        flagged: 'aws_lb.alb',
        includes: 'no WAF web ACL',
      },
      {
        name: 'a web ACL associated with another load balancer only',
        json: tf({
          aws_lb: { alb: {}, other: {} },
          aws_wafv2_web_acl_association: { a: { resource_arn: '${aws_lb.other.arn}', web_acl_arn: 'arn:x' } },
        }),
        flagged: 'aws_lb.alb',
        includes: 'no WAF web ACL',
      },
    ],
  },
  'GI-AWS-015': {
    compliant: [
      {
        name: 'record changes in one zone, limited to the service names',
        json: tf({
          aws_iam_role_policy: {
            p: {
              role: 'r',
              policy: JSON.stringify({
                Statement: [
                  {
                    Effect: 'Allow',
                    Action: 'route53:ChangeResourceRecordSets',
                    Resource: 'arn:aws:route53:::hostedzone/Z123',
                    Condition: {
                      'ForAllValues:StringLike': {
                        'route53:ChangeResourceRecordSetsNormalizedRecordNames': ['x.example.com', '*.x.example.com'],
                      },
                    },
                  },
                ],
              }),
            },
          },
        }),
      },
      {
        name: 'read-only Route53 access',
        json: tf({
          aws_iam_policy: {
            p: { policy: JSON.stringify({ Statement: { Effect: 'Allow', Action: 'route53:List*', Resource: '*' } }) },
          },
        }),
      },
    ],
    nonCompliant: [
      {
        name: 'route53:* on every resource',
        json: tf({
          aws_iam_policy: {
            p: { policy: JSON.stringify({ Statement: [{ Effect: 'Allow', Action: 'route53:*', Resource: '*' }] }) },
          },
        }),
        flagged: 'aws_iam_policy.p',
        includes: 'on * for any record name',
      },
      {
        name: 'record changes in a named zone, for any name (inline policy of a role)',
        json: tf({
          aws_iam_role: {
            r: {
              assume_role_policy: '{}',
              inline_policy: [
                {
                  name: 'dns',
                  policy: JSON.stringify({
                    Statement: [
                      {
                        Effect: 'Allow',
                        Action: ['route53:ChangeResourceRecordSets'],
                        Resource: 'arn:aws:route53:::hostedzone/Z123',
                      },
                    ],
                  }),
                },
              ],
            },
          },
        }),
        flagged: 'aws_iam_role.r',
        includes: 'in its zones for any record name',
      },
      {
        name: 'NotAction that leaves record changes allowed',
        json: tf({
          aws_iam_user_policy: {
            u: {
              user: 'ci',
              policy: JSON.stringify({ Statement: [{ Effect: 'Allow', NotAction: 'iam:*', Resource: '*' }] }),
            },
          },
        }),
        flagged: 'aws_iam_user_policy.u',
        includes: 'allows route53:ChangeResourceRecordSets',
      },
    ],
  },
  'GI-CF-001': {
    compliant: [
      { name: 'business plan, 15 s', json: tf(monitor(15), CONTEXT) },
      { name: 'pro plan, interval unset (60 s default)', json: tf(monitor(), { ...CONTEXT, cloudflarePlan: 'pro' }) },
      {
        name: 'enterprise plan, 10 s, intent passed explicitly',
        json: tf(monitor(10)),
        context: { ...CONTEXT, cloudflarePlan: 'enterprise' },
      },
    ],
    nonCompliant: [
      {
        name: 'pro plan, 15 s',
        json: tf(monitor(15), { ...CONTEXT, cloudflarePlan: 'pro' }),
        flagged: 'cloudflare_load_balancer_monitor.mon',
        includes: "below the pro plan's minimum of 60 s",
      },
      {
        name: 'business plan, 10 s',
        json: tf(monitor(10), CONTEXT),
        flagged: 'cloudflare_load_balancer_monitor.mon',
        includes: 'minimum of 15 s',
      },
      {
        name: 'interval above the maximum',
        json: tf(monitor(7200), CONTEXT),
        flagged: 'cloudflare_load_balancer_monitor.mon',
        includes: "above Cloudflare's maximum of 3600 s",
      },
    ],
  },
  'GI-CF-002': {
    compliant: [
      {
        name: 'EU load balancer falling back to an EU pool',
        json: tf(lb({ default_pools: [ref('euw'), ref('euc')], fallback_pool: ref('euc') }), CONTEXT),
      },
      {
        name: 'global load balancer steering DE to EU pools, falling back in the EU',
        json: tf(
          lb({ default_pools: [ref('us'), ref('ap')], country_pools: { DE: [ref('euw')] }, fallback_pool: ref('euw') }),
          CONTEXT,
        ),
      },
      {
        name: 'no residency traffic on the load balancer',
        json: tf(lb({ default_pools: [ref('us'), ref('ap')], fallback_pool: ref('us') }), CONTEXT),
      },
      {
        name: 'a rule pinning the US pool falls back in the US, next to EU geo steering with a fail-closed fallback',
        json: tf(
          lb({
            default_pools: [ref('us')],
            country_pools: { DE: [ref('euw')] },
            fallback_pool: ref('closed'),
            rules: [
              {
                name: 'pin-us',
                condition: 'http.request.headers["x-region"][0] == "us-east-1"',
                overrides: { steering_policy: 'off', default_pools: [ref('us')], fallback_pool: ref('us') },
              },
            ],
          }),
          CONTEXT,
        ),
      },
      {
        name: 'country pools are not used under steering_policy off',
        json: tf(
          lb({
            steering_policy: 'off',
            default_pools: [ref('us')],
            country_pools: { DE: [ref('euw')] },
            fallback_pool: ref('us'),
          }),
          CONTEXT,
        ),
      },
      {
        name: 'EU and US clients steered apart, falling back to a fail-closed pool',
        json: tf(
          lb({
            default_pools: [ref('ap')],
            country_pools: { DE: [ref('euw')], US: [ref('us')] },
            fallback_pool: ref('closed'),
          }),
          { ...CONTEXT, residency: { eu: { countries: ['DE'] }, us: { countries: ['US'] } } },
        ),
      },
    ],
    nonCompliant: [
      {
        name: 'EU load balancer falling back to a US pool',
        json: tf(lb({ default_pools: [ref('euw'), ref('euc')], fallback_pool: ref('us') }), CONTEXT),
        flagged: 'cloudflare_load_balancer.lb',
        includes: 'outside jurisdiction eu',
      },
      {
        name: 'global load balancer steering DE to the EU, falling back to the US',
        json: tf(
          lb({ default_pools: [ref('us')], country_pools: { DE: [ref('euw')] }, fallback_pool: ref('us') }),
          CONTEXT,
        ),
        flagged: 'cloudflare_load_balancer.lb',
        includes: 'country_pools.DE',
      },
      {
        name: 'fallback pool whose origin names no region',
        json: tf(lb({ default_pools: [ref('euw')], fallback_pool: ref('elsewhere') }), CONTEXT),
        flagged: 'cloudflare_load_balancer.lb',
        includes: 'lb.other-provider.example.net does not name a region',
        severity: 'warning',
      },
      {
        name: 'EU and US clients steered apart by one load balancer with a real fallback pool',
        json: tf(
          lb({
            default_pools: [ref('ap')],
            country_pools: { DE: [ref('euw')], US: [ref('us')] },
            fallback_pool: ref('us'),
          }),
          { ...CONTEXT, residency: { eu: { countries: ['DE'] }, us: { countries: ['US'] } } },
        ),
        flagged: 'cloudflare_load_balancer.lb',
        includes: 'outside jurisdiction eu',
      },
      {
        name: 'a rule pinning the EU pool falls back to the US',
        json: tf(
          lb({
            default_pools: [ref('us')],
            fallback_pool: ref('us'),
            rules: [
              {
                name: 'pin-eu',
                condition: 'true',
                overrides: { steering_policy: 'off', default_pools: [ref('euw')], fallback_pool: ref('us') },
              },
            ],
          }),
          CONTEXT,
        ),
        flagged: 'cloudflare_load_balancer.lb',
        includes:
          'rules[pin-eu].overrides.fallback_pool is cloudflare_load_balancer_pool.us (us-east-1: us), outside ' +
          'jurisdiction eu, whose clients this load balancer steers through ' +
          'rules[pin-eu].overrides.default_pools',
      },
      {
        name: 'rule override falling back outside the EU',
        json: tf(
          lb({
            default_pools: [ref('euw')],
            fallback_pool: ref('euw'),
            rules: [
              {
                name: 'api',
                condition: 'http.request.uri.path contains "/v1"',
                overrides: { fallback_pool: ref('ap') },
              },
            ],
          }),
          CONTEXT,
        ),
        flagged: 'cloudflare_load_balancer.lb',
        includes: 'rules[api].overrides.fallback_pool',
      },
    ],
  },
  'GI-CF-003': {
    compliant: [
      {
        name: 'proxied load balancer whose hostname a blocking rate limiting rule of its zone matches',
        json: tf({ ...proxiedLb(), ...rateLimitRuleset() }),
      },
      {
        name: 'one rule for several hostnames (in set, or)',
        json: tf({
          ...proxiedLb(),
          ...rateLimitRuleset({
            expression: 'http.host in {"api.example.com" "inference.example.com"} or http.host eq "x.example.com"',
          }),
        }),
      },
      { name: 'DNS-only load balancer (no rule sees its traffic)', json: tf(proxiedLb({ proxied: false })) },
    ],
    nonCompliant: [
      {
        name: 'proxied load balancer without a rate limit',
        json: tf(proxiedLb()),
        flagged: 'cloudflare_load_balancer.lb',
        includes: 'no cloudflare_ruleset of phase http_ratelimit for this zone rate limits inference.example.com',
      },
      {
        name: 'rate limit of another zone',
        json: tf({ ...proxiedLb(), ...rateLimitRuleset({}, 'other') }),
        flagged: 'cloudflare_load_balancer.lb',
        includes: 'no cloudflare_ruleset of phase http_ratelimit',
      },
      {
        name: 'rule for another hostname',
        json: tf({ ...proxiedLb(), ...rateLimitRuleset({ expression: '(http.host eq "other.example.com")' }) }),
        flagged: 'cloudflare_load_balancer.lb',
        includes: 'covers every request to inference.example.com',
      },
      {
        name: 'rule narrowed to one path',
        json: tf({
          ...proxiedLb(),
          ...rateLimitRuleset({
            expression: '(http.host eq "inference.example.com" and http.request.uri.path eq "/v1/login")',
          }),
        }),
        flagged: 'cloudflare_load_balancer.lb',
        includes: 'covers every request',
      },
      {
        name: 'rule that only logs',
        json: tf({ ...proxiedLb(), ...rateLimitRuleset({ action: 'log' }) }),
        flagged: 'cloudflare_load_balancer.lb',
      },
      {
        name: 'disabled rule',
        json: tf({ ...proxiedLb(), ...rateLimitRuleset({ enabled: false }) }),
        flagged: 'cloudflare_load_balancer.lb',
      },
    ],
  },
};
