import { gzipSync } from 'node:zlib';
import type { ServiceIntentInput } from '../../../lib/intent/service-intent';
import { checkStackJson } from '../../../lib/policy/engine';
import type { Finding, PolicyOptions } from '../../../lib/policy/types';
import type { TerraformJson } from '../../../lib/util/synth-output';

type Resources = Record<string, Record<string, Record<string, unknown>>>;

/** A hand-written stack: resources by type and name, optionally with the service intent block. */
export function tf(resource: Resources, context?: ServiceIntentInput): TerraformJson {
  return { ...(context ? { '//': { global_inference: context } } : {}), resource } as TerraformJson;
}

/** Findings of one rule on a stack (info findings included). */
export function findingsOf(json: TerraformJson, ruleId: string, options: PolicyOptions = {}): Finding[] {
  return checkStackJson(json, options)
    .stacks.flatMap((s) => s.findings)
    .filter((f) => f.ruleId === ruleId);
}

export const b64 = (text: string) => Buffer.from(text, 'utf8').toString('base64');
export const gzb64 = (text: string) => gzipSync(Buffer.from(text, 'utf8')).toString('base64');

/** Intent of a four-region service with an EU residency group, on Cloudflare Business. */
export const CONTEXT: ServiceIntentInput = {
  service: 'chat',
  domain: 'inference.example.com',
  regions: {
    'us-east-1': { jurisdiction: 'us' },
    'eu-west-1': { jurisdiction: 'eu' },
    'eu-central-1': { jurisdiction: 'eu' },
    'ap-northeast-1': {},
  },
  residency: { eu: { countries: ['DE', 'FR', 'IE'], continents: [] } },
  cloudflarePlan: 'business',
  sloFailoverSeconds: 120,
};

// Building blocks shared by the AWS cases.
export const httpsAlb = (overrides: Record<string, unknown> = {}) => ({
  load_balancer_type: 'application',
  internal: false,
  drop_invalid_header_fields: true,
  security_groups: ['${aws_security_group.alb.id}'],
  ...overrides,
});

export const pool = (name: string, region: string) => ({
  account_id: 'acc',
  name,
  monitor: '${cloudflare_load_balancer_monitor.mon.id}',
  origins: [{ name: region, address: `${region}.inference.example.com` }],
});

export const pools = {
  us: pool('us', 'us-east-1'),
  euw: pool('euw', 'eu-west-1'),
  euc: pool('euc', 'eu-central-1'),
  ap: pool('ap', 'ap-northeast-1'),
  closed: {
    account_id: 'acc',
    name: 'fail-closed',
    origins: [{ name: 'fail-closed', address: 'fail-closed.invalid', enabled: true }],
  },
  elsewhere: {
    account_id: 'acc',
    name: 'elsewhere',
    origins: [{ name: 'lb', address: 'lb.other-provider.example.net' }],
  },
};
