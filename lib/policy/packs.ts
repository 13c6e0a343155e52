import { EBS_ENCRYPTED, IMDSV2_REQUIRED, NO_SECRETS_IN_USER_DATA } from './rules/aws-compute';
import { ALB_ACCESS_LOGS, ALB_WEB_ACL } from './rules/aws-edge';
import { DNS_AUTOMATION_SCOPED } from './rules/dns-automation';
import {
  ALB_DROPS_INVALID_HEADERS,
  HTTP_REDIRECTS_TO_HTTPS,
  NO_WORLD_OPEN_PORTS,
  TARGET_GROUP_HEALTH_CHECK,
  TLS12_LISTENER_POLICY,
} from './rules/aws-network';
import { EDGE_RATE_LIMIT, FALLBACK_POOL_IN_JURISDICTION, MONITOR_INTERVAL_PLAN_MINIMUM } from './rules/cloudflare';
import {
  HEALTH_CHECK_REGIONS,
  HOSTED_ZONE_DNSSEC,
  HOSTED_ZONE_QUERY_LOGGING,
  ROUTED_RECORD_HEALTH,
} from './rules/route53';
import type { PolicyPack, PolicyRule } from './types';

/** Security and reliability rules for the AWS side: endpoints, load balancers, Route53. */
export const AWS_POLICY_PACK: PolicyPack = {
  name: 'aws',
  rules: [
    IMDSV2_REQUIRED,
    EBS_ENCRYPTED,
    NO_SECRETS_IN_USER_DATA,
    ALB_DROPS_INVALID_HEADERS,
    TLS12_LISTENER_POLICY,
    HTTP_REDIRECTS_TO_HTTPS,
    NO_WORLD_OPEN_PORTS,
    TARGET_GROUP_HEALTH_CHECK,
    HOSTED_ZONE_DNSSEC,
    HOSTED_ZONE_QUERY_LOGGING,
    ROUTED_RECORD_HEALTH,
    HEALTH_CHECK_REGIONS,
    ALB_ACCESS_LOGS,
    ALB_WEB_ACL,
    DNS_AUTOMATION_SCOPED,
  ],
};

/** Rules for the Cloudflare load-balancing front door. */
export const CLOUDFLARE_POLICY_PACK: PolicyPack = {
  name: 'cloudflare',
  rules: [MONITOR_INTERVAL_PLAN_MINIMUM, FALLBACK_POOL_IN_JURISDICTION, EDGE_RATE_LIMIT],
};

/** The packs applied when none are given. */
export const DEFAULT_POLICY_PACKS: readonly PolicyPack[] = [AWS_POLICY_PACK, CLOUDFLARE_POLICY_PACK];

/**
 * Findings the engine itself reports, not tied to a pack: a malformed or unknown suppression, a malformed
 * intent block. Suppressing them is not possible.
 */
export const POLICY_ENGINE_FINDINGS = {
  suppression: {
    id: 'GI-POLICY-001',
    title: 'Suppressions are well-formed',
    rationale: 'A suppression without a reason, or naming no known rule, hides nothing and explains nothing.',
  },
  context: {
    id: 'GI-POLICY-002',
    title: 'Service intent block is well-formed',
    rationale:
      'Rules about residency and plans read the //.global_inference block; a malformed one silently disables them.',
  },
} as const;

/** Every rule of the given packs, each once (by id), in pack order. */
export function rulesOf(packs: readonly PolicyPack[]): PolicyRule[] {
  const out: PolicyRule[] = [];
  const ids = new Set<string>();
  for (const pack of packs) {
    for (const rule of pack.rules) {
      if (ids.has(rule.id)) {
        if (!out.includes(rule))
          throw new Error(`policy packs define rule id ${rule.id} twice with different rules; rule ids must be unique`);
        continue;
      }
      ids.add(rule.id);
      out.push(rule);
    }
  }
  return out;
}
