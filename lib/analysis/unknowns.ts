/*
 * Settings the analysis cannot read at synth. The model reads literal values; a setting written as a Terraform
 * expression (`${var.ttl}`, `${data.x.y}`, a function call, a conditional, a `%{}` directive) or a resource
 * multiplied by `count`/`for_each` is not what Terraform will create, and reading it as a default would pass what
 * the proofs cannot see. Each modelled resource type lists the settings the analysis reads; a setting of that list
 * that is an expression makes the resource unknown (the proofs then fail closed on it), except where the setting
 * is meant to be a plain reference to another resource of the stacks (`${aws_route53_zone.Z.zone_id}`), which the
 * model follows itself. Settings the analysis does not read (tags, names of monitors, account ids) do not matter.
 */
import { isExpression, isRecord, num } from './input';

/** `literal`: must be a literal; `reference`: a literal, or plain references to managed resources of the stacks. */
type Mode = 'literal' | 'reference';

const R53_POLICIES: Record<string, Mode> = {
  'latency_routing_policy.region': 'literal',
  'weighted_routing_policy.weight': 'literal',
  'failover_routing_policy.type': 'literal',
  'geolocation_routing_policy.continent': 'literal',
  'geolocation_routing_policy.country': 'literal',
  'geolocation_routing_policy.subdivision': 'literal',
  'geoproximity_routing_policy.aws_region': 'literal',
  'geoproximity_routing_policy.bias': 'literal',
  'geoproximity_routing_policy.local_zone_group': 'literal',
  'geoproximity_routing_policy.coordinates.latitude': 'literal',
  'geoproximity_routing_policy.coordinates.longitude': 'literal',
  'cidr_routing_policy.collection_id': 'reference',
  'cidr_routing_policy.location_name': 'literal',
  multivalue_answer_routing_policy: 'literal',
};

/** The settings each modelled resource type is read by, and how. */
const READ_SETTINGS: Readonly<Record<string, Readonly<Record<string, Mode>>>> = {
  aws_route53_record: {
    zone_id: 'reference',
    name: 'reference',
    type: 'literal',
    set_identifier: 'literal',
    records: 'reference',
    ttl: 'literal',
    health_check_id: 'reference',
    'alias.name': 'reference',
    'alias.zone_id': 'reference',
    'alias.evaluate_target_health': 'literal',
    ...R53_POLICIES,
  },
  aws_route53_health_check: {
    type: 'literal',
    fqdn: 'reference',
    ip_address: 'reference',
    port: 'literal',
    resource_path: 'literal',
    request_interval: 'literal',
    failure_threshold: 'literal',
    regions: 'literal',
    child_healthchecks: 'reference',
    child_health_threshold: 'literal',
    cloudwatch_alarm_name: 'reference',
    cloudwatch_alarm_region: 'literal',
    insufficient_data_health_status: 'literal',
    invert_healthcheck: 'literal',
    disabled: 'literal',
  },
  aws_route53_zone: { name: 'literal', 'vpc.vpc_id': 'reference', 'vpc.vpc_region': 'literal' },
  aws_route53_zone_association: { zone_id: 'reference', vpc_id: 'reference', vpc_region: 'literal' },
  aws_lb_target_group: {
    'health_check.interval': 'literal',
    'health_check.unhealthy_threshold': 'literal',
    'health_check.enabled': 'literal',
  },
  aws_alb_target_group: {
    'health_check.interval': 'literal',
    'health_check.unhealthy_threshold': 'literal',
    'health_check.enabled': 'literal',
  },
  aws_cloudwatch_metric_alarm: { period: 'literal', evaluation_periods: 'literal' },
  cloudflare_load_balancer: {
    name: 'literal',
    enabled: 'literal',
    proxied: 'literal',
    ttl: 'literal',
    steering_policy: 'literal',
    session_affinity: 'literal',
    default_pools: 'reference',
    fallback_pool: 'reference',
    country_pools: 'reference',
    region_pools: 'reference',
    pop_pools: 'reference',
    'adaptive_routing.failover_across_pools': 'literal',
    random_steering: 'reference',
    rules: 'reference',
    'rules.condition': 'literal',
    'rules.disabled': 'literal',
    'rules.priority': 'literal',
    'rules.overrides.steering_policy': 'literal',
    'rules.overrides.session_affinity': 'literal',
    'rules.overrides.adaptive_routing.failover_across_pools': 'literal',
  },
  cloudflare_load_balancer_pool: {
    enabled: 'literal',
    minimum_origins: 'literal',
    monitor: 'reference',
    'origins.address': 'reference',
    'origins.enabled': 'literal',
    'origins.weight': 'literal',
    check_regions: 'literal',
    latitude: 'literal',
    longitude: 'literal',
  },
  cloudflare_load_balancer_monitor: {
    interval: 'literal',
    timeout: 'literal',
    retries: 'literal',
    consecutive_down: 'literal',
    type: 'literal',
  },
};

/** Resource types whose settings the analysis reads. */
export const MODELLED_TYPES: readonly string[] = Object.keys(READ_SETTINGS);

/**
 * What Terraform does with a resource's `count`: create it once, not at all, or something the analysis cannot model.
 */
export type Multiplicity = 'one' | 'none' | { readonly unknown: string };

/**
 * `count = 0` removes the resource, `count = 1` keeps it; any other count, a `for_each` or an expression is unknown.
 */
export function multiplicity(config: Readonly<Record<string, unknown>>): Multiplicity {
  if (config.for_each !== undefined && config.for_each !== null)
    return { unknown: `for_each (${brief(config.for_each)}) makes copies the analysis cannot enumerate` };
  if (config.count === undefined || config.count === null) return 'one';
  const count = num(config.count);
  if (count === 0) return 'none';
  if (count === 1) return 'one';
  return { unknown: `count = ${brief(config.count)} is not 0 or 1: copies the analysis cannot enumerate` };
}

/**
 * Why a resource's settings cannot be read at synth (the first setting found), or undefined when every setting the
 * analysis reads is literal (or a plain reference where one is meant).
 */
export function unknownSetting(type: string, config: Readonly<Record<string, unknown>>): string | undefined {
  const m = multiplicity(config);
  if (typeof m === 'object') return m.unknown;
  if (config.dynamic !== undefined)
    return (
      `a dynamic block (${Object.keys(isRecord(config.dynamic) ? config.dynamic : {}).join(', ') || 'dynamic'}) ` +
      'is expanded by Terraform, not at synth'
    );
  const settings = READ_SETTINGS[type];
  if (!settings) return undefined;
  for (const [path, mode] of Object.entries(settings)) {
    for (const value of valuesAt(config, path.split('.'))) {
      const bad = firstUnknown(value, mode);
      if (bad !== undefined) return `${path} is not known at synth (${brief(bad)})`;
    }
  }
  return undefined;
}

/** Every value at a dotted path; nested blocks may be an object or a list of objects. */
function valuesAt(value: unknown, path: readonly string[]): unknown[] {
  if (path.length === 0) return [value];
  if (Array.isArray(value)) return value.flatMap((v) => valuesAt(v, path));
  if (!isRecord(value)) return [];
  const next = value[path[0]];
  if (next === undefined) return [];
  // A whole block written as one expression (`"alias": "${var.alias}"`) hides every setting in it.
  if (typeof next === 'string' && isExpression(next) && path.length > 1) return [next];
  return valuesAt(next, path.slice(1));
}

/** The first string inside a value that is an expression the mode does not allow. */
function firstUnknown(value: unknown, mode: Mode): string | undefined {
  if (typeof value === 'string') {
    if (!isExpression(value)) return undefined;
    return mode === 'reference' && isPlainReference(value) ? undefined : value;
  }
  if (Array.isArray(value)) {
    for (const v of value) {
      const bad = firstUnknown(v, mode);
      if (bad !== undefined) return bad;
    }
    return undefined;
  }
  if (isRecord(value)) {
    for (const [k, v] of Object.entries(value)) {
      // Map keys can be references too (random_steering.pool_weights); a key that is an expression is unknown.
      if (isExpression(k) && !(mode === 'reference' && isPlainReference(k))) return k;
      const bad = firstUnknown(v, mode);
      if (bad !== undefined) return bad;
    }
  }
  return undefined;
}

/**
 * Text whose only interpolations are `${<type>.<name>.<attribute>}` of managed resources (no variables, locals,
 * data sources, modules, functions, operators or directives), which the model follows by address.
 */
function isPlainReference(value: string): boolean {
  if (value.includes('%{')) return false;
  const interpolations = value.match(/\$\{[^}]*\}/g) ?? [];
  if (interpolations.length === 0) return false;
  return interpolations.every((i) => {
    const m = /^\$\{\s*([a-z][a-z0-9_]*)\.([A-Za-z0-9_-]+)\.([a-z0-9_]+)\s*\}$/.exec(i);
    return (
      m !== null &&
      !['var', 'local', 'data', 'module', 'each', 'count', 'self', 'path', 'terraform'].includes(m[1]) &&
      m[1].includes('_')
    );
  });
}

function brief(value: unknown): string {
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

/** The remedy for a resource the analysis cannot read: a declaration cannot place it; literal settings can. */
export function unreadableFix(address: string): string {
  return (
    `write the settings of ${address} the analysis names as literals (or plain references to resources of the ` +
    'stacks), without count/for_each, so the proofs can follow it; or remove it'
  );
}
