/**
 * Facts about the attributes of the Cloudflare provider 5.14.0 schema that the library's constructs set, read from
 * the provider's Go source (`internal/services/<resource>/schema.go`) and from the generated 5.14.0 bindings
 * (`@cdktf/provider-cloudflare` 13.9.1). PROVIDER-NOTES.md says which file and commit each comes from and where the
 * versions read disagree. A test holds every synthesized Cloudflare resource of every example against this table, so
 * an attribute name, shape, enum or range the provider does not define is caught at synth time.
 *
 * `computed` records the plugin-framework status: `false` = Optional only (an unset value is null, and a value the API
 * returns anyway shows as a change on every plan), `true` = Optional + Computed (an unset value keeps the state's),
 * `'varies'` = the versions read disagree (the constructs must be correct under both).
 */

/** Shape of an attribute value in Terraform JSON. */
export type AttributeShape = 'string' | 'number' | 'bool' | 'list' | 'map' | 'object';

export interface AttributeFact {
  readonly shape: AttributeShape;
  readonly required?: true;
  /**
   * Optional + Computed (`true`), Optional only (`false`), or different in the versions read. Required attributes:
   * `false`.
   */
  readonly computed: boolean | 'varies';
  /** The schema's static default, when it has one (`Default: ...Static...`). */
  readonly default?: string | number | boolean;
  /** `OneOfCaseInsensitive` values (for lists: of each element; for maps: of each value). */
  readonly enum?: readonly string[];
  /** Allowed keys of a map attribute. */
  readonly keys?: RegExp | readonly string[];
  /** Inclusive numeric range (for lists and maps: of each element). */
  readonly range?: readonly [number, number];
  /** A pattern a string (or each list element / map value) must match. */
  readonly pattern?: RegExp;
  /** Element shape of a list or map whose elements are not objects. */
  readonly elements?: AttributeShape;
}

/** Attribute facts of one resource type, keyed by path: `origins[].port`, `random_steering.pool_weights`. */
export type ResourceFacts = Readonly<Record<string, AttributeFact>>;

const HOST_REGIONS = [
  'WNAM',
  'ENAM',
  'WEU',
  'EEU',
  'NSAM',
  'SSAM',
  'OC',
  'ME',
  'NAF',
  'SAF',
  'SAS',
  'SEAS',
  'NEAS',
] as const;
const str = (f: Partial<AttributeFact> = {}): AttributeFact => ({ shape: 'string', computed: false, ...f });
const num = (f: Partial<AttributeFact> = {}): AttributeFact => ({ shape: 'number', computed: false, ...f });
const bool = (f: Partial<AttributeFact> = {}): AttributeFact => ({ shape: 'bool', computed: false, ...f });
const list = (f: Partial<AttributeFact> = {}): AttributeFact => ({ shape: 'list', computed: false, ...f });
const map = (f: Partial<AttributeFact> = {}): AttributeFact => ({ shape: 'map', computed: false, ...f });
const obj = (f: Partial<AttributeFact> = {}): AttributeFact => ({ shape: 'object', computed: false, ...f });
const required = { required: true } as const;

/** Steering policies of a load balancer (and of a rule override). `""` maps to geo or off depending on the maps. */
const STEERING = [
  'off',
  'geo',
  'random',
  'dynamic_latency',
  'proximity',
  'least_outstanding_requests',
  'least_connections',
  '',
] as const;

export const PROVIDER_SCHEMA_5_14: Readonly<Record<string, ResourceFacts>> = {
  cloudflare_load_balancer_monitor: {
    account_id: str(required),
    description: str({ computed: 'varies' }),
    type: str({ computed: true, default: 'http', enum: ['http', 'https', 'tcp', 'udp_icmp', 'icmp_ping', 'smtp'] }),
    method: str({ computed: true }),
    path: str({ computed: true }),
    // "HTTP and HTTPS checks should only define the port when using a non-standard port": 0 is not a value the monitor
    // schema defines (unlike pool origins), so a port, when set, is a real one.
    port: num({ computed: 'varies', range: [1, 65535] }),
    header: map({ elements: 'list' }),
    expected_codes: str({ computed: true }),
    expected_body: str({ computed: 'varies' }),
    follow_redirects: bool({ computed: true, default: false }),
    allow_insecure: bool({ computed: true, default: false }),
    interval: num({ computed: true, default: 60 }),
    timeout: num({ computed: true, default: 5 }),
    retries: num({ computed: true, default: 2 }),
    consecutive_down: num({ computed: 'varies' }),
    consecutive_up: num({ computed: 'varies' }),
    probe_zone: str({ computed: 'varies' }),
  },
  cloudflare_load_balancer_pool: {
    account_id: str(required),
    name: str({ ...required, pattern: /^[A-Za-z0-9_-]+$/ }),
    origins: list(required),
    'origins[].name': str(),
    'origins[].address': str(),
    'origins[].enabled': bool({ computed: true, default: true }),
    'origins[].weight': num({ computed: true, default: 1, range: [0, 1] }),
    // "A value of 0 means the default port for the protocol will be used."
    'origins[].port': num({ computed: true, range: [0, 65535] }),
    'origins[].header': obj(),
    'origins[].header.host': list({ elements: 'string' }),
    'origins[].virtual_network_id': str(),
    description: str({ computed: 'varies' }),
    enabled: bool({ computed: true, default: true }),
    minimum_origins: num({ computed: true, default: 1 }),
    monitor: str(),
    monitor_group: str(),
    check_regions: list({ elements: 'string', enum: [...HOST_REGIONS, 'ALL_REGIONS'] }),
    latitude: num({ range: [-90, 90] }),
    longitude: num({ range: [-180, 180] }),
    origin_steering: obj({ computed: 'varies' }),
    'origin_steering.policy': str({
      computed: true,
      default: 'random',
      enum: ['random', 'hash', 'least_outstanding_requests', 'least_connections'],
    }),
    load_shedding: obj({ computed: 'varies' }),
    'load_shedding.default_percent': num({ computed: true, default: 0, range: [0, 100] }),
    'load_shedding.default_policy': str({ computed: true, default: 'random', enum: ['random', 'hash'] }),
    'load_shedding.session_percent': num({ computed: true, default: 0, range: [0, 100] }),
    'load_shedding.session_policy': str({ computed: true, default: 'hash', enum: ['hash'] }),
    notification_filter: obj({ computed: 'varies' }),
    'notification_filter.origin': obj({ computed: 'varies' }),
    'notification_filter.origin.disable': bool({ computed: 'varies' }),
    'notification_filter.origin.healthy': bool(),
    'notification_filter.pool': obj({ computed: 'varies' }),
    'notification_filter.pool.disable': bool({ computed: 'varies' }),
    'notification_filter.pool.healthy': bool(),
  },
  cloudflare_load_balancer: {
    zone_id: str(required),
    name: str(required),
    default_pools: list({ ...required, elements: 'string' }),
    fallback_pool: str(required),
    description: str({ computed: 'varies' }),
    enabled: bool({ computed: true, default: true }),
    proxied: bool({ computed: true, default: false }),
    ttl: num({ computed: true }),
    steering_policy: str({ computed: true, default: '', enum: STEERING }),
    country_pools: map({ computed: true, elements: 'list', keys: /^[A-Z]{2}$/ }),
    region_pools: map({ computed: true, elements: 'list', keys: HOST_REGIONS }),
    pop_pools: map({ computed: true, elements: 'list', keys: /^[A-Z]{3}$/ }),
    random_steering: obj({ computed: true }),
    'random_steering.default_weight': num({ computed: true, default: 1, range: [0, 1] }),
    'random_steering.pool_weights': map({ elements: 'number', range: [0, 1] }),
    adaptive_routing: obj({ computed: true }),
    'adaptive_routing.failover_across_pools': bool({ computed: true, default: false }),
    location_strategy: obj({ computed: true }),
    'location_strategy.mode': str({ computed: true, default: 'pop', enum: ['pop', 'resolver_ip'] }),
    'location_strategy.prefer_ecs': str({
      computed: true,
      default: 'proximity',
      enum: ['always', 'never', 'proximity', 'geo'],
    }),
    session_affinity: str({ computed: true, default: 'none', enum: ['none', 'cookie', 'ip_cookie', 'header'] }),
    session_affinity_ttl: num({ computed: true }),
    session_affinity_attributes: obj({ computed: true }),
    'session_affinity_attributes.drain_duration': num({ computed: true }),
    'session_affinity_attributes.headers': list({ elements: 'string' }),
    'session_affinity_attributes.require_all_headers': bool({ computed: true }),
    'session_affinity_attributes.samesite': str({ computed: true, enum: ['Auto', 'Lax', 'None', 'Strict'] }),
    'session_affinity_attributes.secure': str({ computed: true, enum: ['Auto', 'Always', 'Never'] }),
    'session_affinity_attributes.zero_downtime_failover': str({
      computed: true,
      enum: ['none', 'temporary', 'sticky'],
    }),
    networks: list({ computed: 'varies', elements: 'string' }),
    rules: list({ computed: true }),
    'rules[].name': str(),
    'rules[].condition': str(),
    'rules[].priority': num({ computed: true, default: 0, range: [0, Number.MAX_SAFE_INTEGER] }),
    'rules[].disabled': bool({ computed: true, default: false }),
    'rules[].terminates': bool(),
    'rules[].overrides': obj({ computed: true }),
    'rules[].overrides.steering_policy': str({ computed: true, enum: STEERING }),
    'rules[].overrides.default_pools': list({ elements: 'string' }),
    'rules[].overrides.fallback_pool': str(),
    'rules[].overrides.session_affinity': str({ computed: true, enum: ['none', 'cookie', 'ip_cookie', 'header'] }),
  },
  cloudflare_ruleset: {
    zone_id: str({ pattern: /^(?:[0-9a-f]{32}|\$\{.+\})$/ }),
    account_id: str({ pattern: /^(?:[0-9a-f]{32}|\$\{.+\})$/ }),
    kind: str({ ...required, enum: ['managed', 'custom', 'root', 'zone'] }),
    name: str({ ...required, pattern: /^.+$/ }),
    phase: str({
      ...required,
      enum: [
        'ddos_l4',
        'ddos_l7',
        'http_config_settings',
        'http_custom_errors',
        'http_log_custom_fields',
        'http_ratelimit',
        'http_request_cache_settings',
        'http_request_dynamic_redirect',
        'http_request_firewall_custom',
        'http_request_firewall_managed',
        'http_request_late_transform',
        'http_request_origin',
        'http_request_redirect',
        'http_request_sanitize',
        'http_request_sbfm',
        'http_request_transform',
        'http_response_cache_settings',
        'http_response_compression',
        'http_response_firewall_managed',
        'http_response_headers_transform',
        'magic_transit',
        'magic_transit_ids_managed',
        'magic_transit_managed',
        'magic_transit_ratelimit',
      ],
    }),
    description: str({ computed: true, default: '' }),
    rules: list({ computed: true }),
    'rules[].ref': str({ computed: true }),
    'rules[].description': str({ computed: true, default: '' }),
    // Required in F (LengthAtLeast(1)), Optional in U-old: the constructs always send one.
    'rules[].expression': str(),
    'rules[].enabled': bool({ computed: true, default: true }),
    'rules[].action': str({
      ...required,
      enum: [
        'block',
        'challenge',
        'compress_response',
        'ddos_dynamic',
        'execute',
        'force_connection_close',
        'js_challenge',
        'log',
        'log_custom_field',
        'managed_challenge',
        'redirect',
        'rewrite',
        'route',
        'score',
        'serve_error',
        'set_cache_control',
        'set_cache_settings',
        'set_cache_tags',
        'set_config',
        'skip',
      ],
    }),
    'rules[].action_parameters': obj({ computed: true }),
    'rules[].action_parameters.headers': map({ elements: 'object' }),
    'rules[].action_parameters.headers.*.operation': str({ ...required, enum: ['add', 'set', 'remove'] }),
    'rules[].action_parameters.headers.*.value': str(),
    'rules[].action_parameters.headers.*.expression': str(),
    'rules[].action_parameters.ssl': str({ enum: ['off', 'flexible', 'full', 'strict', 'origin_pull'] }),
    // Rate limiting rules (phase http_ratelimit). `period`: F validates AtLeast(0) only (U-old: OneOf 10, 60, 600,
    // 3600); the values Cloudflare accepts per plan are in lib/facts/provider-facts.ts.
    'rules[].ratelimit': obj(),
    'rules[].ratelimit.characteristics': list({ ...required, elements: 'string' }),
    'rules[].ratelimit.period': num({ ...required, range: [0, Number.MAX_SAFE_INTEGER] }),
    'rules[].ratelimit.requests_per_period': num({ range: [1, Number.MAX_SAFE_INTEGER] }),
    'rules[].ratelimit.mitigation_timeout': num({ computed: 'varies' }),
    'rules[].ratelimit.counting_expression': str(),
    'rules[].ratelimit.requests_to_origin': bool({ computed: 'varies', default: false }),
  },
  cloudflare_dns_record: {
    zone_id: str(required),
    name: str(required),
    type: str({
      ...required,
      enum: [
        'A',
        'AAAA',
        'CNAME',
        'MX',
        'NS',
        'OPENPGPKEY',
        'PTR',
        'TXT',
        'CAA',
        'CERT',
        'DNSKEY',
        'DS',
        'HTTPS',
        'LOC',
        'NAPTR',
        'SMIMEA',
        'SRV',
        'SSHFP',
        'SVCB',
        'TLSA',
        'URI',
      ],
    }),
    content: str(),
    // "Setting to 1 means 'automatic'. Value must be between 60 and 86400, with the minimum reduced to 30 for
    // Enterprise zones."
    ttl: num({ ...required, range: [1, 86400] }),
    comment: str(),
    proxied: bool({ computed: true }),
  },
  cloudflare_workers_script: {
    account_id: str(required),
    script_name: str(required),
    content: str(),
    main_module: str(),
    compatibility_date: str({ computed: true, pattern: /^\d{4}-\d{2}-\d{2}$/ }),
    compatibility_flags: list({ computed: true, elements: 'string' }),
    bindings: list({ computed: true }),
    'bindings[].name': str(required),
    'bindings[].type': str({
      ...required,
      enum: [
        'ai',
        'analytics_engine',
        'assets',
        'browser',
        'd1',
        'data_blob',
        'dispatch_namespace',
        'durable_object_namespace',
        'hyperdrive',
        'inherit',
        'images',
        'json',
        'kv_namespace',
        'mtls_certificate',
        'plain_text',
        'pipelines',
        'queue',
        'r2_bucket',
        'secret_text',
        'send_email',
        'service',
        'tail_consumer',
        'text_blob',
        'vectorize',
        'version_metadata',
        'secrets_store_secret',
        'secret_key',
        'workflow',
        'wasm_module',
      ],
    }),
    'bindings[].namespace_id': str({ computed: true }),
    'bindings[].text': str(),
    'bindings[].json': str(),
    'bindings[].class_name': str({ computed: true }),
    'bindings[].script_name': str(),
    'bindings[].environment': str(),
    migrations: obj(),
    'migrations.new_tag': str(),
    'migrations.old_tag': str(),
    'migrations.new_classes': list({ elements: 'string' }),
    'migrations.new_sqlite_classes': list({ elements: 'string' }),
    'migrations.deleted_classes': list({ elements: 'string' }),
    'migrations.renamed_classes': list(),
    'migrations.renamed_classes[].from': str(),
    'migrations.renamed_classes[].to': str(),
    'migrations.transferred_classes': list(),
    'migrations.transferred_classes[].from': str(),
    'migrations.transferred_classes[].from_script': str(),
    'migrations.transferred_classes[].to': str(),
    'migrations.steps': list(),
    'migrations.steps[].new_classes': list({ elements: 'string' }),
    'migrations.steps[].new_sqlite_classes': list({ elements: 'string' }),
    'migrations.steps[].deleted_classes': list({ elements: 'string' }),
    observability: obj(),
    'observability.enabled': bool(required),
    'observability.head_sampling_rate': num({ range: [0, 1] }),
    logpush: bool({ computed: true, default: false }),
    usage_model: str({ computed: true, default: 'standard', enum: ['standard', 'bundled', 'unbound'] }),
  },
  cloudflare_workers_kv_namespace: {
    account_id: str(required),
    title: str(required),
  },
  cloudflare_workers_kv: {
    account_id: str(required),
    namespace_id: str(required),
    // "The name may be at most 512 bytes." (checked in characters here; UTF-8 may need more bytes)
    key_name: str({ ...required, pattern: /^[^\s]{1,512}$/ }),
    value: str(required),
    metadata: str(),
  },
  cloudflare_workers_custom_domain: {
    account_id: str(required),
    zone_id: str(required),
    hostname: str(required),
    service: str(required),
    environment: str({ computed: true }),
  },
  cloudflare_workers_route: {
    zone_id: str(required),
    pattern: str(required),
    script: str(),
  },
  cloudflare_workers_cron_trigger: {
    account_id: str(required),
    script_name: str(required),
    schedules: list(required),
    'schedules[].cron': str(required),
  },
};

/** Terraform meta-arguments that can appear in any resource's JSON. */
export const META_ARGUMENTS: readonly string[] = [
  'provider',
  'depends_on',
  'lifecycle',
  'count',
  'for_each',
  'provisioner',
  'connection',
  '//',
];

/**
 * What in one synthesized Cloudflare resource the 5.14 schema does not define: unknown attributes, wrong shapes,
 * missing required ones, values outside an enum, range or pattern, map keys the attribute does not take, and empty
 * collections or empty strings (an empty Optional value is either the default, so pointless, or null to the API, so a
 * perpetual diff). References (`${...}`) are not judged. Returns one line per problem, with the attribute path.
 */
export function providerSchemaProblems(type: string, config: Readonly<Record<string, unknown>>): string[] {
  const facts = PROVIDER_SCHEMA_5_14[type];
  if (!facts)
    return [
      `${type}: not in the library's Cloudflare provider schema table (PROVIDER_SCHEMA_5_14), so its ` +
        'attributes cannot be checked against provider 5.14; use a resource type the library models, or report it',
    ];
  const out: string[] = [];
  checkObject(facts, '', config, out, true);
  return out.map((line) => `${type}.${line}`);
}

function checkObject(
  facts: ResourceFacts,
  prefix: string,
  value: Readonly<Record<string, unknown>>,
  out: string[],
  root: boolean,
): void {
  for (const [key, child] of Object.entries(value)) {
    if (root && META_ARGUMENTS.includes(key)) continue;
    const path = `${prefix}${key}`;
    const fact = facts[path];
    if (!fact) {
      out.push(`${path}: not an attribute of the 5.14 schema`);
      continue;
    }
    checkValue(facts, path, fact, child, out);
  }
  for (const [path, fact] of Object.entries(facts)) {
    if (!fact.required || !path.startsWith(prefix)) continue;
    const rest = path.slice(prefix.length);
    if (rest.includes('.') || rest.includes('[]')) continue;
    if (value[rest] === undefined || value[rest] === null) out.push(`${path}: is required`);
  }
}

function checkValue(facts: ResourceFacts, path: string, fact: AttributeFact, value: unknown, out: string[]): void {
  if (isReference(value)) return;
  if (value === null) return void out.push(`${path}: null (leave it out instead)`);
  const raw = shapeOf(value);
  const shape = raw === 'object' && fact.shape === 'map' ? 'map' : raw;
  if (shape !== fact.shape)
    return void out.push(`${path}: must be ${fact.shape}, got ${shape} ${JSON.stringify(value)}`);
  if (shape === 'string' && value === '' && !fact.enum?.includes(''))
    out.push(`${path}: empty string (leave it out instead)`);
  if (shape === 'list' || shape === 'map') {
    const entries =
      shape === 'list' ? (value as unknown[]).map((v, i) => [String(i), v] as const) : Object.entries(value as object);
    if (entries.length === 0)
      out.push(`${path}: empty ${shape} (an empty Optional collection comes back from the API as null: leave it out)`);
    for (const [key, element] of entries) {
      if (shape === 'map' && fact.keys && !keyAllowed(fact.keys, key))
        out.push(`${path}: key ${JSON.stringify(key)} is not one the attribute takes`);
      const elementPath = shape === 'list' ? `${path}[]` : `${path}.*`;
      if (fact.elements) {
        if (isReference(element)) continue;
        const rawElement = shapeOf(element);
        const elementShape = rawElement === 'object' && fact.elements === 'map' ? 'map' : rawElement;
        if (elementShape !== fact.elements) out.push(`${path}[${key}]: must be ${fact.elements}, got ${elementShape}`);
        else checkScalar(`${path}[${key}]`, fact, element, out);
        if (fact.elements === 'object' && isObject(element)) checkObject(facts, `${elementPath}.`, element, out, false);
        if (elementShape === 'list' && Array.isArray(element) && element.length === 0)
          out.push(`${path}[${key}]: empty list`);
      } else if (isObject(element)) {
        checkObject(facts, `${elementPath}.`, element, out, false);
      } else {
        out.push(`${path}[${key}]: must be an object, got ${shapeOf(element)}`);
      }
    }
  } else if (shape === 'object') {
    checkObject(facts, `${path}.`, value as Record<string, unknown>, out, false);
  } else {
    checkScalar(path, fact, value, out);
  }
}

function checkScalar(path: string, fact: AttributeFact, value: unknown, out: string[]): void {
  if (fact.enum && typeof value === 'string' && !fact.enum.some((e) => e.toLowerCase() === value.toLowerCase())) {
    out.push(`${path}: ${JSON.stringify(value)} is not one of ${fact.enum.map((e) => JSON.stringify(e)).join(', ')}`);
  }
  if (fact.range && typeof value === 'number' && (value < fact.range[0] || value > fact.range[1]))
    out.push(`${path}: ${value} is outside ${fact.range[0]}..${fact.range[1]}`);
  if (fact.pattern && typeof value === 'string' && !fact.pattern.test(value))
    out.push(`${path}: ${JSON.stringify(value)} does not match ${fact.pattern}`);
}

function keyAllowed(keys: RegExp | readonly string[], key: string): boolean {
  return keys instanceof RegExp ? keys.test(key) : keys.includes(key);
}

function shapeOf(value: unknown): AttributeShape | 'null' | 'other' {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'list';
  if (typeof value === 'string') return 'string';
  if (typeof value === 'number') return 'number';
  if (typeof value === 'boolean') return 'bool';
  if (typeof value === 'object') return 'object';
  return 'other';
}

/** A Terraform expression standing for a value known only at apply time. */
function isReference(value: unknown): boolean {
  return typeof value === 'string' && /^\$\{[\s\S]+\}$/.test(value);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
