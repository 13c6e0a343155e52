import { MAX_MONITOR_INTERVAL_SECONDS, PLAN_MIN_MONITOR_INTERVAL_SECONDS } from '../../facts/provider-facts';
import { regionJurisdiction, regionOfHostname, type ServiceIntentDocument } from '../../intent/service-intent';
import type { PolicyRule, RuleViolation } from '../types';
import {
  block,
  blocks,
  bool,
  isExpression,
  isRecord,
  num,
  str,
  literalStrings,
  type ResourceView,
} from '../stack-view';

/** Cloudflare's default monitor interval (seconds) when `interval` is unset. */
const DEFAULT_MONITOR_INTERVAL_SECONDS = 60;

/** GI-CF-001: monitor intervals are allowed by the zone's plan. */
export const MONITOR_INTERVAL_PLAN_MINIMUM: PolicyRule = {
  id: 'GI-CF-001',
  title: "Monitor interval ≥ the plan's minimum",
  rationale:
    'Cloudflare rejects a monitor interval below the plan minimum (Pro 60 s, Business 15 s, Enterprise 10 s) ' +
    'at apply time; failover budgets built on it are fiction.',
  severity: 'error',
  resourceTypes: ['cloudflare_load_balancer_monitor'],
  needsContext: true,
  note:
    "Reads the plan from the service intent; an unset interval is Cloudflare's default, 60 s. Also flags " +
    'intervals above the 3600 s maximum.',
  check(monitor, _stack, context) {
    const plan = context?.cloudflarePlan;
    if (!plan) {
      return [
        {
          message: 'not checked: the service intent names no Cloudflare plan (global_inference.cloudflarePlan)',
          fix: 'set cloudflare.plan in the spec',
          severity: 'info',
        },
      ];
    }
    const raw = monitor.config.interval;
    if (isExpression(raw)) return [];
    const interval = num(raw) ?? DEFAULT_MONITOR_INTERVAL_SECONDS;
    const minimum = PLAN_MIN_MONITOR_INTERVAL_SECONDS[plan];
    if (interval > MAX_MONITOR_INTERVAL_SECONDS) {
      return [
        {
          message: `interval is ${interval} s, above Cloudflare's maximum of ${MAX_MONITOR_INTERVAL_SECONDS} s`,
          fix: `lower interval to at most ${MAX_MONITOR_INTERVAL_SECONDS} s`,
        },
      ];
    }
    if (interval >= minimum) return [];
    return [
      {
        message: `interval is ${interval} s, below the ${plan} plan's minimum of ${minimum} s`,
        fix: `raise interval to at least ${minimum} s, or move the zone to a plan that allows ${interval} s (${
          Object.entries(PLAN_MIN_MONITOR_INTERVAL_SECONDS)
            .filter(([, s]) => s <= interval)
            .map(([p]) => p)
            .join(', ') || 'none does'
        })`,
      },
    ];
  },
};

const POOL_TYPE = 'cloudflare_load_balancer_pool';

/**
 * Where a pool's origins are: regions by their hostnames (`<region>.<domain>`), origins that serve nobody (disabled,
 * or under the reserved `.invalid` TLD, RFC 6761: a fail-closed pool), and the addresses that do not say.
 */
export function poolRegions(
  pool: ResourceView,
  context: ServiceIntentDocument,
): { regions: string[]; unknown: string[]; sinks: number } {
  const regions: string[] = [];
  const unknown: string[] = [];
  let sinks = 0;
  for (const origin of blocks(pool.config.origins)) {
    const address = str(origin.address);
    if (origin.enabled === false || (address !== undefined && /\.invalid\.?$/i.test(address.trim()))) {
      sinks++;
      continue;
    }
    const region = address && !isExpression(address) ? regionOfHostname(context, address) : undefined;
    if (region) {
      if (!regions.includes(region)) regions.push(region);
    } else {
      unknown.push(address ?? '(no address)');
    }
  }
  return { regions, unknown, sinks };
}

/**
 * The jurisdiction every origin of the pools is in, `mixed` when they span several (or some region has none),
 * `unknown` when an origin cannot be placed.
 */
function poolsJurisdiction(
  pools: readonly ResourceView[],
  context: ServiceIntentDocument,
): string | 'mixed' | 'unknown' {
  const found = new Set<string | undefined>();
  for (const pool of pools) {
    const { regions, unknown } = poolRegions(pool, context);
    if (unknown.length > 0 || regions.length === 0) return 'unknown';
    // Sink origins next to real ones do not change where the pool serves.
    for (const region of regions) found.add(regionJurisdiction(context, region));
  }
  if (found.size !== 1) return 'mixed';
  const [only] = [...found];
  return only ?? 'mixed';
}

const GEO_KEYS = ['country_pools', 'region_pools', 'pop_pools'] as const;
const STEERING_KEYS = ['default_pools', ...GEO_KEYS, 'steering_policy'] as const;

/**
 * Which clients go to which pools under one configuration: the load balancer's own, or a custom rule's overrides
 * laid over it (an override replaces the attribute it names). Country/region/PoP pools count only under `geo`
 * steering (an empty policy means `geo` when such pools exist, else `off`); every other policy uses default_pools.
 */
function steeringEntries(
  lb: Record<string, unknown>,
  overrides?: { prefix: string; values: Record<string, unknown> },
): { label: string; pools: unknown }[] {
  const pick = (key: (typeof STEERING_KEYS)[number]) =>
    overrides && overrides.values[key] !== undefined
      ? { value: overrides.values[key], label: `${overrides.prefix}${key}` }
      : { value: lb[key], label: key };
  const entries: { label: string; pools: unknown }[] = [];
  const defaults = pick('default_pools');
  if (Array.isArray(defaults.value)) entries.push({ label: defaults.label, pools: defaults.value });
  const geoMaps = GEO_KEYS.map(pick).filter((m) => isRecord(m.value) && Object.keys(m.value).length > 0);
  const policy = str(pick('steering_policy').value) ?? '';
  if (policy === 'geo' || (policy === '' && geoMaps.length > 0)) {
    for (const map of geoMaps)
      for (const [key, pools] of Object.entries(map.value as Record<string, unknown>))
        entries.push({ label: `${map.label}.${key}`, pools });
  }
  return entries;
}

/** Custom rules of a load balancer with their overrides. */
function customRules(lb: ResourceView): { label: string; overrides: Record<string, unknown> }[] {
  return blocks(lb.config.rules).map((rule, i) => ({
    label: `rules[${str(rule.name) ?? i}]`,
    overrides: blocks(rule.overrides)[0] ?? {},
  }));
}

/** GI-CF-002: a load balancer that keeps a jurisdiction's clients inside it falls back inside it too. */
export const FALLBACK_POOL_IN_JURISDICTION: PolicyRule = {
  id: 'GI-CF-002',
  title: 'Fallback pool inside the jurisdiction',
  rationale:
    'When every pool is unhealthy Cloudflare sends all traffic to the fallback pool; outside the jurisdiction, ' +
    'that breaks data residency exactly during an outage.',
  severity: 'error',
  resourceTypes: ['cloudflare_load_balancer'],
  needsContext: true,
  note:
    "A configuration (the load balancer's own, or a custom rule's overrides laid over it) that sends some " +
    'clients only to pools of one residency jurisdiction must fall back inside it, or to a fail-closed pool ' +
    '(every origin disabled or under .invalid). Country/region/PoP pools count only under geo steering. A ' +
    'fallback pool whose origins name no region is a warning.',
  check(lb, stack, context) {
    if (!context) return [];
    const residency = new Set(Object.keys(context.residency));
    if (residency.size === 0) return [];
    const poolsOf = (refs: unknown): ResourceView[] | undefined => {
      const list = literalStrings(refs);
      if (!list) return undefined;
      const pools = list.map((ref) => stack.referencedBy(ref).find((r) => r.type === POOL_TYPE));
      return pools.every((p): p is ResourceView => p !== undefined) ? pools : undefined;
    };

    // Each fallback pool serves the clients of the configurations that use it: the load balancer's own fallback
    // serves its steering and that of rules not overriding the fallback; a rule's fallback serves that rule.
    const rules = customRules(lb);
    const ruleEntries = (r: (typeof rules)[number]) =>
      steeringEntries(lb.config, { prefix: `${r.label}.overrides.`, values: r.overrides });
    const fallbacks = [
      {
        label: 'fallback_pool',
        ref: lb.config.fallback_pool,
        entries: [
          ...steeringEntries(lb.config),
          ...rules.filter((r) => r.overrides.fallback_pool === undefined).flatMap(ruleEntries),
        ],
      },
      ...rules
        .filter((r) => r.overrides.fallback_pool !== undefined)
        .map((r) => ({
          label: `${r.label}.overrides.fallback_pool`,
          ref: r.overrides.fallback_pool,
          entries: ruleEntries(r),
        })),
    ];

    const out: RuleViolation[] = [];
    for (const fallback of fallbacks) {
      if (fallback.ref === undefined || fallback.ref === null) continue;
      // Clients steered only to one residency jurisdiction's pools must also fall back inside it.
      const steered = new Map<string, string[]>();
      for (const entry of fallback.entries) {
        const pools = poolsOf(entry.pools);
        if (!pools || pools.length === 0) continue;
        const j = poolsJurisdiction(pools, context);
        if (j !== 'mixed' && j !== 'unknown' && residency.has(j) && !(steered.get(j) ?? []).includes(entry.label))
          steered.set(j, [...(steered.get(j) ?? []), entry.label]);
      }
      if (steered.size === 0) continue;
      const pool = poolsOf([fallback.ref])?.[0];
      if (!pool) {
        out.push({
          message:
            `${fallback.label} ${JSON.stringify(fallback.ref)} is not a pool of this stack, so it cannot be ` +
            `shown to be inside ${[...steered.keys()].join(', ')}`,
          fix:
            `point ${fallback.label} at a cloudflare_load_balancer_pool of this stack whose origins are ` +
            `<region>.${context.domain} names in the jurisdiction`,
          severity: 'warning',
        });
        continue;
      }
      const { regions, unknown, sinks } = poolRegions(pool, context);
      // A fail-closed pool serves nobody, so it keeps every jurisdiction's clients in (they get an error instead).
      if (regions.length === 0 && unknown.length === 0 && sinks > 0) continue;
      if (unknown.length > 0) {
        out.push({
          message:
            `${fallback.label} is ${pool.address}, whose origin${unknown.length === 1 ? '' : 's'} ` +
            `${unknown.join(', ')} do${unknown.length === 1 ? 'es' : ''} not name a region as ` +
            `<region>.${context.domain}`,
          fix: `use the regional names <region>.${context.domain} as pool origin addresses so residency can be checked`,
          severity: 'warning',
        });
        continue;
      }
      for (const [jurisdiction, labels] of steered) {
        const outside = regions.filter((r) => regionJurisdiction(context, r) !== jurisdiction);
        if (outside.length === 0) continue;
        const inside = Object.keys(context.regions).filter((r) => regionJurisdiction(context, r) === jurisdiction);
        out.push({
          message:
            `${fallback.label} is ${pool.address} ` +
            `(${outside.map((r) => `${r}: ${regionJurisdiction(context, r) ?? 'no jurisdiction'}`).join(', ')}), ` +
            `outside jurisdiction ${jurisdiction}, whose clients this load balancer steers through ` +
            `${labels.join(', ')}: when every pool is unhealthy they would be served outside ${jurisdiction}`,
          fix:
            steered.size > 1
              ? 'make the fallback a fail-closed pool (FailClosedPool: an origin under .invalid, so clients get ' +
                'an error rather than leave their jurisdiction), or serve each jurisdiction ' +
                `(${[...steered.keys()].join(', ')}) from its own load balancer`
              : `set ${fallback.label} to a pool whose origins are in ${jurisdiction} ` +
                `(${inside.join(', ') || 'no region has it'}), or to a fail-closed pool (FailClosedPool)`,
        });
      }
    }
    return out;
  },
};

const RULESET_TYPE = 'cloudflare_ruleset';

/**
 * The hostnames a rule expression matches when it is only a disjunction of host comparisons (`http.host eq "a"`,
 * `http.host in {"a" "b"}`), or `'*'` for `true`; undefined when some term narrows it (a path, a method, `not`).
 */
export function hostsOfExpression(expression: string): string[] | '*' | undefined {
  const string = /"((?:[^"\\]|\\.)*)"/g;
  const unquote = (s: string) => s.replace(/\\(.)/g, '$1');
  const hosts: string[] = [];
  let rest = expression.trim();
  while (rest.startsWith('(') && rest.endsWith(')') && balanced(rest.slice(1, -1))) rest = rest.slice(1, -1).trim();
  for (const raw of splitOr(rest)) {
    let term = raw.trim();
    while (term.startsWith('(') && term.endsWith(')') && balanced(term.slice(1, -1))) term = term.slice(1, -1).trim();
    if (term === 'true') return '*';
    const eq = /^http\.host\s+(?:eq|==)\s+("(?:[^"\\]|\\.)*")$/.exec(term);
    const inSet = /^http\.host\s+in\s+\{((?:\s*"(?:[^"\\]|\\.)*")+)\s*\}$/.exec(term);
    if (eq) hosts.push(unquote(eq[1].slice(1, -1)));
    else if (inSet) for (const m of inSet[1].matchAll(string)) hosts.push(unquote(m[1]));
    else return undefined;
  }
  return hosts;
}

/** Splits on top-level ` or ` / `||`, outside strings and parentheses. */
function splitOr(expression: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let quoted = false;
  let start = 0;
  for (let i = 0; i < expression.length; i++) {
    const c = expression[i];
    if (quoted) {
      if (c === '\\') i++;
      else if (c === '"') quoted = false;
    } else if (c === '"') quoted = true;
    else if (c === '(') depth++;
    else if (c === ')') depth--;
    else if (depth === 0) {
      const m = /^(?:\s+or\s+|\s*\|\|\s*)/.exec(expression.slice(i));
      if (m && (c === ' ' || c === '|')) {
        out.push(expression.slice(start, i));
        i += m[0].length - 1;
        start = i + 1;
      }
    }
  }
  out.push(expression.slice(start));
  return out;
}

/** Parentheses balance (outside strings) and never close below zero. */
function balanced(text: string): boolean {
  let depth = 0;
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '\\') i++;
      else if (c === '"') quoted = false;
    } else if (c === '"') quoted = true;
    else if (c === '(') depth++;
    else if (c === ')' && --depth < 0) return false;
  }
  return depth === 0 && !quoted;
}

/** GI-CF-003: a proxied load balancer's hostname is rate limited at the edge. */
export const EDGE_RATE_LIMIT: PolicyRule = {
  id: 'GI-CF-003',
  title: 'Proxied load balancers are rate limited at the edge',
  rationale:
    'Inference requests cost GPU time: without a per-client rate limit at the edge, one script can exhaust the ' +
    'regions behind the load balancer (the edge counterpart of the ALB web ACL, GI-AWS-014).',
  severity: 'error',
  resourceTypes: ['cloudflare_load_balancer'],
  note:
    "The load balancer's hostname (name) must be matched by an enabled rule with a ratelimit block, and an action " +
    'other than log, in a cloudflare_ruleset of phase http_ratelimit of the same zone in the stack. Only rule ' +
    'expressions made of host comparisons (http.host eq / in) or true count as covering it. DNS-only load ' +
    'balancers are not checked (no rule sees their traffic). cloudflare.rateLimit: false in a spec turns the rule ' +
    'off and the service records the suppression with its reason.',
  check(lb, stack) {
    const proxied = lb.config.proxied;
    if (isExpression(proxied) || bool(proxied) !== true) return [];
    const hostname = str(lb.config.name);
    if (hostname === undefined || isExpression(lb.config.name)) return [];
    const zone = JSON.stringify(lb.config.zone_id);
    const rulesets = stack
      .ofType(RULESET_TYPE)
      .filter((r) => str(r.config.phase) === 'http_ratelimit' && JSON.stringify(r.config.zone_id) === zone);
    const host = hostname.toLowerCase();
    for (const ruleset of rulesets) {
      for (const rule of blocks(ruleset.config.rules)) {
        if (bool(rule.enabled) === false || !block(rule.ratelimit) || str(rule.action) === 'log') continue;
        const expression = str(rule.expression);
        if (expression === undefined) continue;
        const hosts = hostsOfExpression(expression);
        if (hosts === '*' || hosts?.some((h) => h.toLowerCase() === host)) return [];
      }
    }
    return [
      {
        message:
          rulesets.length === 0
            ? `no cloudflare_ruleset of phase http_ratelimit for this zone rate limits ${hostname}`
            : `no enabled rate limiting rule of the zone's http_ratelimit ruleset ` +
              `(${rulesets.map((r) => r.address).join(', ')}) covers every request to ${hostname}`,
        fix:
          `add a rate limiting rule (action block, ratelimit with characteristics cf.colo.id and ip.src) whose ` +
          `expression is http.host eq "${hostname}" to the zone's http_ratelimit ruleset; CloudflareFrontDoor does ` +
          'by default (EdgeRateLimit; cloudflare.rateLimit in a spec)',
      },
    ];
  },
};
