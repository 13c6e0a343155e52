import type { PolicyRule } from '../types';
import { block, bool, isExpression, str, literalStrings, type ResourceView, type StackView } from '../stack-view';
import { normalizeDnsName } from '../../util/dns-name';

/** A Route53 zone is private when it is associated with a VPC; DNSSEC and query logs are for public zones. */
function isPrivateZone(zone: ResourceView): boolean {
  return block(zone.config.vpc) !== undefined;
}

/**
 * Resources of `types` whose `attribute` refers to the zone (by `.id` or `.zone_id`), directly or through a
 * key-signing key's `hosted_zone_id` (a common way to order DNSSEC after the key).
 */
function zoneUsers(zone: ResourceView, stack: StackView, types: string[], attribute: string): ResourceView[] {
  const direct = stack.referencing(zone, types, attribute);
  const viaKeys = stack
    .referencing(zone, ['aws_route53_key_signing_key'], 'hosted_zone_id')
    .flatMap((key) => stack.referencing(key, types, attribute))
    .filter((r) => !direct.includes(r));
  return [...direct, ...viaKeys];
}

/** GI-AWS-009: a hosted zone the stack creates is DNSSEC-signed. */
export const HOSTED_ZONE_DNSSEC: PolicyRule = {
  id: 'GI-AWS-009',
  title: 'Hosted zone DNSSEC signing',
  rationale:
    'Unsigned answers for the service name can be spoofed, sending clients (and their prompts) to an impostor ' +
    'endpoint.',
  severity: 'error',
  resourceTypes: ['aws_route53_zone'],
  checkov: ['CKV2_AWS_38'],
  note:
    'CKV2_AWS_38 accepts a connected key-signing key or DNSSEC resource; this rule requires both (active, ' +
    'signing) and skips private zones.',
  check(zone, stack) {
    if (isPrivateZone(zone)) return [];
    const ksk = zoneUsers(zone, stack, ['aws_route53_key_signing_key'], 'hosted_zone_id').filter(
      (k) => str(k.config.status) !== 'INACTIVE',
    );
    const dnssec = zoneUsers(zone, stack, ['aws_route53_hosted_zone_dnssec'], 'hosted_zone_id').filter(
      (d) => str(d.config.signing_status) !== 'NOT_SIGNING',
    );
    const missing = [
      ...(ksk.length === 0 ? ['active aws_route53_key_signing_key'] : []),
      ...(dnssec.length === 0 ? ['signing aws_route53_hosted_zone_dnssec'] : []),
    ];
    if (missing.length === 0) return [];
    return [
      {
        message: `is created by this stack but no ${missing.join(' and no ')} refers to it`,
        fix:
          'sign the zone: a KMS key (ECC_NIST_P256, us-east-1) + aws_route53_key_signing_key + ' +
          'aws_route53_hosted_zone_dnssec, then add the DS record at the parent (the spec dns.dnssec setting ' +
          'does this)',
      },
    ];
  },
};

/** GI-AWS-010: a hosted zone the stack creates logs its queries. */
export const HOSTED_ZONE_QUERY_LOGGING: PolicyRule = {
  id: 'GI-AWS-010',
  title: 'Hosted zone query logging',
  rationale:
    'DNS query logs are the only record of who resolved the service and from where; needed to debug routing ' +
    'and investigate abuse.',
  severity: 'error',
  resourceTypes: ['aws_route53_zone'],
  checkov: ['CKV2_AWS_39'],
  note: 'Same as CKV2_AWS_39, skipping private zones.',
  check(zone, stack) {
    if (isPrivateZone(zone)) return [];
    if (zoneUsers(zone, stack, ['aws_route53_query_log'], 'zone_id').length > 0) return [];
    return [
      {
        message: 'is created by this stack but no aws_route53_query_log refers to it',
        fix:
          'add aws_route53_query_log { zone_id = <zone>.zone_id } writing to a CloudWatch log group in us-east-1 ' +
          'with a resource policy for route53.amazonaws.com (the spec dns.queryLogging setting does this)',
      },
    ];
  },
};

/** A record Route53 takes out of rotation by health: it has a health check, or is an alias evaluating its target. */
function healthAware(record: ResourceView): boolean {
  const healthCheck = record.config.health_check_id;
  if ((typeof healthCheck === 'string' && healthCheck !== '') || isExpression(healthCheck)) return true;
  const evaluate = block(record.config.alias)?.evaluate_target_health;
  return bool(evaluate) === true || isExpression(evaluate);
}

const dnsName = (name: unknown) => (typeof name === 'string' ? normalizeDnsName(name) : undefined);

/** GI-AWS-011: every routed record can be taken out of rotation by health. */
export const ROUTED_RECORD_HEALTH: PolicyRule = {
  id: 'GI-AWS-011',
  title: 'Routed Route53 records have a health check',
  rationale:
    'A latency/failover/weighted/geo record without health keeps answering with a dead region, so failover ' +
    'never happens.',
  severity: 'error',
  resourceTypes: ['aws_route53_record'],
  note:
    'An alias with evaluate_target_health = false also passes when it points at record sets of the same zone in ' +
    'this stack that are all health-checked: failover then happens one level down, and not evaluating the target ' +
    'is a deliberate fail-closed choice (a residency record must not fall through to the default location).',
  check(record, stack) {
    const c = record.config;
    if (c.set_identifier === undefined || c.set_identifier === null || c.set_identifier === '') return [];
    if (healthAware(record)) return [];
    const alias = block(c.alias);
    if (alias) {
      // Alias to record sets of this stack that are themselves health-checked (e.g. residency -> eu.<domain>).
      const target = dnsName(alias.name);
      const targets = stack
        .ofType('aws_route53_record')
        .filter(
          (r) =>
            r !== record &&
            dnsName(r.config.name) === target &&
            JSON.stringify(r.config.zone_id) === JSON.stringify(alias.zone_id),
        );
      if (targets.length > 0 && targets.every(healthAware)) return [];
    }
    const evaluate = alias?.evaluate_target_health;
    const what = alias
      ? 'is an alias with evaluate_target_health = ' +
        `${evaluate === undefined ? 'unset (false)' : String(evaluate)} to ${String(alias.name)}, which is not a ` +
        'set of health-checked records of this stack'
      : 'has no health_check_id';
    return [
      {
        message:
          `is a routed record (set_identifier ${JSON.stringify(c.set_identifier)}) that ${what}, so Route53 ` +
          'keeps answering with it when its region is down',
        fix:
          'set health_check_id to the region health check (RegionHealthCheck), or for an alias record set ' +
          'alias.evaluate_target_health = true',
      },
    ];
  },
};

/** Route53 health-check types that probe from checker regions. */
const PROBING_TYPES = new Set(['HTTP', 'HTTPS', 'HTTP_STR_MATCH', 'HTTPS_STR_MATCH', 'TCP']);

/** GI-AWS-012: endpoint health checks probe from at least three checker regions. */
export const HEALTH_CHECK_REGIONS: PolicyRule = {
  id: 'GI-AWS-012',
  title: 'Route53 health checks use at least three checker regions',
  rationale:
    'Route53 judges health by the share of checkers that succeed; fewer than three regions makes one network ' +
    'problem look like an outage (and the API rejects it).',
  severity: 'error',
  resourceTypes: ['aws_route53_health_check'],
  check(check) {
    const type = str(check.config.type);
    if (type === undefined || !PROBING_TYPES.has(type)) return [];
    const regions = check.config.regions;
    if (regions === undefined || regions === null || isExpression(regions)) return [];
    const list = literalStrings(regions);
    if (!list || list.length >= 3) return [];
    return [
      {
        message:
          `probes from ${list.length} checker region${list.length === 1 ? '' : 's'} ` +
          `(${list.join(', ') || 'none'})`,
        fix:
          'list at least three checker regions (RegionHealthCheck picks the three nearest), or leave regions ' +
          'unset to probe from all',
      },
    ];
  },
};
