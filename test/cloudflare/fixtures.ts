import type { IInferenceEndpoint } from '../../lib/aws/inference-endpoint-ref';
import type { CloudflareSpecInput } from '../../lib/spec/cloudflare-schema';
import { resourcesOf } from '../support/synth';
import type { TerraformJson } from '../../lib/util/synth-output';

export const ACCOUNT_ID = 'a'.repeat(32);
export const ZONE_ID = 'b'.repeat(32);

/** A regional endpoint as the routing constructs see it (no AWS resources needed). */
export function endpoint(region: string, jurisdiction?: string, healthCheckPath = '/health'): IInferenceEndpoint {
  return {
    region,
    albDnsName: `alb-${region}.elb.amazonaws.com`,
    albZoneId: 'Z35SXDOTRQ7X7K',
    healthCheckPath,
    models: [{ name: 'llama', id: 'meta-llama/Llama-3.1-8B-Instruct', version: '2026-11-01' }],
    jurisdiction,
  };
}

/** Two EU regions, one US region and one region without jurisdiction. */
export function euUsEndpoints(): IInferenceEndpoint[] {
  return [
    endpoint('us-east-1', 'us'),
    endpoint('eu-west-1', 'eu'),
    endpoint('eu-central-1', 'eu'),
    endpoint('ap-northeast-1'),
  ];
}

export function cloudflareSpec(overrides: Partial<CloudflareSpecInput> = {}): CloudflareSpecInput {
  return { accountId: ACCOUNT_ID, zoneId: ZONE_ID, plan: 'enterprise', ...overrides };
}

/** Pool id reference (`${cloudflare_load_balancer_pool.<name>.id}`) -> region code, from the pools' origin names. */
export function poolRegionsById(json: TerraformJson): Map<string, string> {
  const out = new Map<string, string>();
  for (const [name, pool] of resourcesOf(json, 'cloudflare_load_balancer_pool')) {
    const origins = pool.origins as { name: string }[];
    out.set(`\${cloudflare_load_balancer_pool.${name}.id}`, origins[0].name);
  }
  return out;
}
export const MONITOR_ID = 'c'.repeat(32);
