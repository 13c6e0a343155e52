/*
 * Route53 as the synthesized stacks declare it: every hosted zone (public and private, with the VPCs a private zone
 * answers), every record that can carry traffic (A, AAAA, CNAME, HTTPS/SVCB, aliases to any of them, NS
 * delegations), the health checks, alarms and load balancers they depend on. Parsing only: how Route53 answers is
 * in route53-resolve.ts (one health state) and route53-reach.ts (every health state).
 *
 * What cannot be placed is kept, not dropped: a target outside the stacks becomes an `external` target carrying the
 * Terraform address or literal that names it, a record whose name or zone is unknown at synth is listed in
 * `unresolved`, so the proofs can fail closed on them.
 */
import {
  awsProviderRegions,
  block,
  blocks,
  bool,
  isExpression,
  isRecord,
  normalizeDnsName,
  num,
  parseRef,
  resourcesOfType,
  str,
  stringElements,
  type ResourceRef,
} from './input';
import type { StackInput } from './model';
import { multiplicity, unknownSetting } from './unknowns';

/** Route53 defaults when a health check leaves them unset. */
export const DEFAULT_REQUEST_INTERVAL = 30;
export const DEFAULT_FAILURE_THRESHOLD = 3;
/** ALB target-group health-check defaults (interval 30 s, 3 failures). */
export const DEFAULT_TG_INTERVAL = 30;
export const DEFAULT_TG_UNHEALTHY = 3;

/** Record types that can send a client to an endpoint, and the query types each one answers. */
export const TRAFFIC_RECORD_TYPES: Readonly<Record<string, readonly QueryType[]>> = {
  A: ['A'],
  AAAA: ['AAAA'],
  CNAME: ['A', 'AAAA', 'HTTPS'],
  HTTPS: ['HTTPS'],
  SVCB: ['HTTPS'],
};

/** The queries a client makes for a service name: IPv4, IPv6, and the HTTPS service binding browsers ask for. */
export type QueryType = 'A' | 'AAAA' | 'HTTPS';
/** Every {@link QueryType}, in the order the analysis asks them for a name: A, AAAA, HTTPS. */
export const QUERY_TYPES: readonly QueryType[] = ['A', 'AAAA', 'HTTPS'];

/**
 * The routing policy of a Route53 record, from its `*_routing_policy` block (`simple` when it has none), with what the
 * policy chooses by: how Route53 picks among the records of one set (same zone, name and type).
 */
export type R53Policy =
  | { readonly kind: 'simple' }
  | { readonly kind: 'latency'; readonly region: string }
  | { readonly kind: 'weighted'; readonly weight: number }
  | { readonly kind: 'failover'; readonly role: 'PRIMARY' | 'SECONDARY' }
  | {
      readonly kind: 'geolocation';
      readonly continent?: string;
      readonly country?: string;
      readonly subdivision?: string;
    }
  | {
      readonly kind: 'geoproximity';
      readonly region?: string;
      readonly latitude?: number;
      readonly longitude?: number;
      readonly bias: number;
    }
  | { readonly kind: 'multivalue' }
  | { readonly kind: 'cidr'; readonly location: string };

/**
 * Where a Route53 record sends a client, as far as the analysis follows it: a load balancer, another record set (an
 * alias), a hostname resolved next, an NS delegation, or something outside the model (`external`, saying why), which
 * the proofs cannot place.
 */
export type R53Target =
  /** A load balancer: one of the stacks (`aws_lb.X`), or an ELB DNS name whose region the name carries. */
  | { readonly kind: 'alb'; readonly lb: string; readonly region?: string }
  /** An alias of a record set of a zone (a zone of the stacks, or `zone:<literal id>`). */
  | { readonly kind: 'name'; readonly zone: string; readonly name: string }
  /** A hostname the client resolves next (CNAME value, HTTPS/SVCB target name). */
  | { readonly kind: 'cname'; readonly host: string }
  /** Something the model does not follow: literal IPs, an alias to a resource it does not model, an expression. */
  | { readonly kind: 'external'; readonly value: string; readonly why: string; readonly resource?: string }
  /** An NS record: the name is answered by other name servers. */
  | { readonly kind: 'delegation'; readonly servers: readonly string[] };

/**
 * An `aws_route53_record` that can carry traffic (A, AAAA, CNAME, HTTPS, SVCB, or an NS delegation), as
 * {@link buildRoute53Model} reads it: its zone and fully qualified name, routing policy, health check and targets.
 * ACM validation records are left out; one the model cannot read at synth (an expression in its name, zone, type or
 * a routing setting, or `count`/`for_each` copies) is listed in `Route53Model.unresolved` instead.
 */
export interface R53Record {
  readonly address: string;
  readonly stack: string;
  /** Zone key: `aws_route53_zone.<name>` or `zone:<literal id or expression>`. */
  readonly zone: string;
  readonly name: string;
  readonly type: string;
  readonly setIdentifier?: string;
  readonly policy: R53Policy;
  /** Health check: an `aws_route53_health_check.<name>` address, or `health-check:<literal id>`. */
  readonly healthCheck?: string;
  readonly evaluateTargetHealth: boolean;
  /** The first target (most records have exactly one). */
  readonly target: R53Target;
  /** Every target: A/AAAA records list several addresses, an HTTPS record a target name and address hints. */
  readonly targets: readonly R53Target[];
  readonly alias: boolean;
  /** TTL of a non-alias record. */
  readonly ttl?: number;
}

/**
 * An `aws_route53_health_check` as the analysis reads it, unset settings at Route53's defaults (30 s interval, 3
 * failures): what it watches (an endpoint it probes, a CloudWatch alarm, the child checks of a CALCULATED one), and the
 * settings that decide when it is healthy and how fast it notices a failure.
 */
export interface R53HealthCheck {
  readonly address: string;
  readonly type: string;
  readonly fqdn?: string;
  readonly ipAddress?: string;
  /** The load balancer the check probes, when its fqdn is a reference to one. */
  readonly probesLoadBalancer?: string;
  readonly requestInterval: number;
  readonly failureThreshold: number;
  /** Checker regions; undefined = all. */
  readonly regions?: readonly string[];
  readonly children: readonly string[];
  readonly childThreshold: number;
  readonly alarmRegion?: string;
  /** The alarm resource, when the alarm name references one. */
  readonly alarm?: string;
  readonly inverted: boolean;
  readonly disabled: boolean;
  readonly config: Readonly<Record<string, unknown>>;
  /** Why its settings cannot be read at synth: its verdict is then free and its timing unknown. */
  readonly unknown?: string;
}

export interface CloudWatchAlarm {
  readonly address: string;
  readonly name?: string;
  readonly period: number;
  readonly evaluationPeriods: number;
  /** Why its settings cannot be read at synth (its timing is then unknown). */
  readonly unknown?: string;
}

export interface LoadBalancerInfo {
  readonly address: string;
  readonly stack: string;
  readonly region?: string;
}

export interface TargetGroupInfo {
  readonly address: string;
  readonly stack: string;
  readonly region?: string;
  readonly interval: number;
  readonly unhealthyThreshold: number;
  /** Why its settings cannot be read at synth (its timing is then unknown). */
  readonly unknown?: string;
}

/** A VPC a private zone answers, with its region (undefined when the analysis cannot tell). */
export interface ZoneVpc {
  readonly vpc: string;
  readonly region?: string;
  /** Resource declaring the association (the zone or an `aws_route53_zone_association`). */
  readonly declaredBy: string;
}

/**
 * A Route53 hosted zone, under the key records refer to it by (`aws_route53_zone.<name>` for a zone of the stacks,
 * `zone:<id>` for one known only by a literal id). Private when VPCs are associated with it (in the zone itself or by
 * an `aws_route53_zone_association`): it then answers only those VPCs.
 */
export interface R53Zone {
  readonly key: string;
  /** Terraform address (undefined for a zone known only by a literal id). */
  readonly address?: string;
  /** Zone name (undefined when unknown at synth). */
  readonly name?: string;
  readonly private: boolean;
  readonly vpcs: readonly ZoneVpc[];
}

/**
 * A Route53 Resolver rule that may forward a VPC's queries away from the zones the analysis reads. Resolver uses a
 * forwarding rule over a private hosted zone of the same name, so the answer then comes from DNS servers outside
 * the stacks. Settings unknown at synth are undefined (the proofs then assume the rule forwards every name).
 */
export interface ResolverRule {
  /** The rule's address, or the literal id an association names (a rule outside the stacks). */
  readonly address: string;
  /** Normalised domain it applies to (itself and every name below it); undefined when unknown. */
  readonly domain?: string;
  /** FORWARD (true), SYSTEM or RECURSIVE (false); undefined when unknown. */
  readonly forwards?: boolean;
  /** Where it forwards, for messages. */
  readonly targets: string;
  /** The VPCs associated with it, as written, with the resource declaring each association. */
  readonly associations: readonly { readonly vpc: string; readonly declaredBy: string }[];
}

/** Everything Route53-related in the stacks. */
export interface Route53Model {
  readonly zones: ReadonlyMap<string, R53Zone>;
  /** Record sets by `<zone>|<name>|<type>` (every traffic-carrying type, every zone). */
  readonly sets: ReadonlyMap<string, readonly R53Record[]>;
  /** Names that exist in a zone (any record type), by `<zone>|<name>`, for wildcard and delegation rules. */
  readonly names: ReadonlySet<string>;
  readonly records: ReadonlyMap<string, R53Record>;
  readonly healthChecks: ReadonlyMap<string, R53HealthCheck>;
  readonly alarms: ReadonlyMap<string, CloudWatchAlarm>;
  readonly loadBalancers: ReadonlyMap<string, LoadBalancerInfo>;
  readonly targetGroups: readonly TargetGroupInfo[];
  /** Traffic-carrying records whose name, zone or type is unknown at synth: they might answer any name. */
  readonly unresolved: readonly UnresolvedRecord[];
  /** Notes for the report (records the model reads in an unusual way). */
  readonly skipped: readonly string[];
  /** Resolver rules with at least one VPC association (a rule nothing associates changes no answer). */
  readonly resolverRules: readonly ResolverRule[];
}

/**
 * A traffic-carrying record the model cannot read at synth (name, zone, type or a routing setting is an expression,
 * or `count`/`for_each` multiplies it): it might answer any name of its zone (or of any zone when the zone is
 * unknown), or, when its zone and name are known, that name.
 */
export interface UnresolvedRecord {
  readonly address: string;
  readonly zone?: string;
  /** Set when only this name can be affected (a known, non-wildcard name). */
  readonly name?: string;
  readonly why: string;
}

const modelCache = new WeakMap<readonly StackInput[], Route53Model>();

const LOAD_BALANCER_TYPES = ['aws_lb', 'aws_alb', 'aws_elb'];

/** Reads the Route53 side of the stacks (memoised per stack list). */
export function buildRoute53Model(stacks: readonly StackInput[]): Route53Model {
  const cached = modelCache.get(stacks);
  if (cached) return cached;
  // A resource with `count = 0` is not created: it is left out like a resource that is not there.
  const resources = (type: string) => resourcesOfType(stacks, type).filter((r) => multiplicity(r.config) !== 'none');
  const providerRegion = awsProviderRegions(stacks);
  const regionOf = (r: ResourceRef) => {
    const provider = str(r.config.provider);
    return (
      providerRegion.get(`${r.stack}|${provider ?? 'aws'}`) ??
      (provider ? undefined : providerRegion.get(`${r.stack}|aws`))
    );
  };
  const vpcRegions = new Map(resources('aws_vpc').map((v) => [v.address, regionOf(v)]));
  const vpcRegion = (vpcId: unknown, declared: unknown, fallback: string | undefined): string | undefined => {
    if (typeof declared === 'string' && !isExpression(declared)) return declared;
    const ref = parseRef(vpcId);
    if (ref?.type === 'aws_vpc') return vpcRegions.get(`aws_vpc.${ref.name}`);
    return fallback;
  };

  const zones = new Map<string, R53Zone>();
  for (const z of resources('aws_route53_zone')) {
    const vpcs: ZoneVpc[] = blocks(z.config.vpc).map((v) => ({
      vpc: String(v.vpc_id ?? '?'),
      region: vpcRegion(v.vpc_id, v.vpc_region, regionOf(z)),
      declaredBy: z.address,
    }));
    const name = str(z.config.name);
    zones.set(z.address, {
      key: z.address,
      address: z.address,
      name: name && !isExpression(name) ? normalizeDnsName(name) : undefined,
      private: vpcs.length > 0,
      vpcs,
    });
  }
  for (const a of resources('aws_route53_zone_association')) {
    const key = zoneKey(a.config.zone_id);
    if (!key) continue;
    const zone = zones.get(key) ?? { key, private: true, vpcs: [] };
    zones.set(key, {
      ...zone,
      private: true,
      vpcs: [
        ...zone.vpcs,
        {
          vpc: String(a.config.vpc_id ?? '?'),
          region: vpcRegion(a.config.vpc_id, a.config.vpc_region, regionOf(a)),
          declaredBy: a.address,
        },
      ],
    });
  }

  const loadBalancers = new Map<string, LoadBalancerInfo>();
  for (const type of LOAD_BALANCER_TYPES) {
    for (const lb of resources(type))
      loadBalancers.set(lb.address, { address: lb.address, stack: lb.stack, region: regionOf(lb) });
  }
  const targetGroups: TargetGroupInfo[] = [];
  for (const type of ['aws_lb_target_group', 'aws_alb_target_group']) {
    for (const tg of resources(type)) {
      const hc = block(tg.config.health_check);
      targetGroups.push({
        address: tg.address,
        stack: tg.stack,
        region: regionOf(tg),
        interval: num(hc?.interval) ?? DEFAULT_TG_INTERVAL,
        unhealthyThreshold: num(hc?.unhealthy_threshold) ?? DEFAULT_TG_UNHEALTHY,
        unknown: unknownSetting(type, tg.config),
      });
    }
  }

  const alarms = new Map<string, CloudWatchAlarm>();
  for (const a of resources('aws_cloudwatch_metric_alarm')) {
    alarms.set(a.address, {
      address: a.address,
      name: str(a.config.alarm_name),
      period: num(a.config.period) ?? 60,
      evaluationPeriods: num(a.config.evaluation_periods) ?? 1,
      unknown: unknownSetting('aws_cloudwatch_metric_alarm', a.config),
    });
  }
  const alarmByName = new Map([...alarms.values()].filter((a) => a.name).map((a) => [a.name!, a.address]));

  // Records: names may reference zones and other records; resolve them before reading targets.
  const raw = resources('aws_route53_record');
  const rawByAddress = new Map(raw.map((r) => [r.address, r]));
  const resolvedNames = new Map<string, string | undefined>();
  const zoneNameOf = (key: string | undefined) => (key ? zones.get(key)?.name : undefined);
  const recordName = (address: string, seen: Set<string> = new Set()): string | undefined => {
    if (resolvedNames.has(address)) return resolvedNames.get(address);
    const r = rawByAddress.get(address);
    if (!r || seen.has(address)) return undefined;
    seen.add(address);
    const name = expandName(r.config.name, seen);
    const zoneName = zoneNameOf(zoneKey(r.config.zone_id));
    const full = name === undefined ? undefined : qualify(name, zoneName);
    resolvedNames.set(address, full);
    return full;
  };
  /** A literal name, or a template of zone names and record names (`eu.${aws_route53_zone.Z.name}`). */
  const expandName = (value: unknown, seen: Set<string> = new Set()): string | undefined => {
    if (typeof value !== 'string') return undefined;
    let unknown = false;
    const expanded = value.replace(
      /\$\{\s*([a-z0-9_]+)\.([A-Za-z0-9_-]+)\.([a-z0-9_]+)\s*\}/g,
      (_m, type: string, name: string, attribute: string) => {
        if (type === 'aws_route53_zone' && attribute === 'name')
          return zoneNameOf(`${type}.${name}`) ?? ((unknown = true), '');
        if (type === 'aws_route53_record' && (attribute === 'name' || attribute === 'fqdn'))
          return recordName(`${type}.${name}`, seen) ?? ((unknown = true), '');
        unknown = true;
        return '';
      },
    );
    if (unknown || expanded.includes('${')) return undefined;
    return normalizeDnsName(expanded);
  };

  const healthChecks = new Map<string, R53HealthCheck>();
  for (const h of resources('aws_route53_health_check')) {
    const c = h.config;
    const alarmRef = parseRef(c.cloudwatch_alarm_name);
    const alarmName = str(c.cloudwatch_alarm_name);
    const regions = stringElements(c.regions);
    const fqdnRef = parseRef(c.fqdn);
    healthChecks.set(h.address, {
      address: h.address,
      type: (str(c.type) ?? '').toUpperCase(),
      fqdn: expandName(c.fqdn),
      ipAddress: str(c.ip_address),
      probesLoadBalancer:
        fqdnRef && LOAD_BALANCER_TYPES.includes(fqdnRef.type) ? `${fqdnRef.type}.${fqdnRef.name}` : undefined,
      requestInterval: num(c.request_interval) ?? DEFAULT_REQUEST_INTERVAL,
      failureThreshold: num(c.failure_threshold) ?? DEFAULT_FAILURE_THRESHOLD,
      regions: regions.length > 0 ? regions : undefined,
      children: stringElements(c.child_healthchecks).map((v) => healthCheckKey(v)),
      childThreshold: num(c.child_health_threshold) ?? 0,
      alarmRegion: str(c.cloudwatch_alarm_region),
      alarm:
        alarmRef?.type === 'aws_cloudwatch_metric_alarm'
          ? `${alarmRef.type}.${alarmRef.name}`
          : alarmName && !isExpression(alarmName)
            ? alarmByName.get(alarmName)
            : undefined,
      inverted: bool(c.invert_healthcheck) ?? false,
      disabled: bool(c.disabled) ?? false,
      config: c,
      unknown: unknownSetting('aws_route53_health_check', c),
    });
  }

  const records = new Map<string, R53Record>();
  const sets = new Map<string, R53Record[]>();
  const names = new Set<string>();
  const unresolved: UnresolvedRecord[] = [];
  const skipped: string[] = [];
  for (const r of raw) {
    const c = r.config;
    const typeValue = str(c.type);
    const type = typeValue && !isExpression(typeValue) ? typeValue.toUpperCase() : undefined;
    const zone = zoneKey(c.zone_id);
    const name = recordName(r.address);
    if (zone && name) names.add(`${zone}|${name}`);
    if (type !== undefined && !(type in TRAFFIC_RECORD_TYPES) && type !== 'NS') continue;
    if (isCertificateValidation(c)) continue;
    if (!type || !zone || !name) {
      unresolved.push({
        address: r.address,
        zone,
        why: !type
          ? `its type is not known at synth (${String(c.type)})`
          : !zone
            ? `its zone is not known at synth (${String(c.zone_id)})`
            : `its name is not known at synth (${String(c.name)})`,
      });
      continue;
    }
    const unknown = unknownSetting('aws_route53_record', c);
    if (unknown) {
      unresolved.push({ address: r.address, zone, name: name.startsWith('*.') ? undefined : name, why: unknown });
      continue;
    }
    const alias = block(c.alias);
    const targets =
      type === 'NS'
        ? [{ kind: 'delegation' as const, servers: stringElements(c.records) }]
        : targetsOf(type, c, alias, zone, name, expandName, loadBalancers);
    const record: R53Record = {
      address: r.address,
      stack: r.stack,
      zone,
      name,
      type,
      setIdentifier: str(c.set_identifier),
      policy: policyOf(c),
      healthCheck:
        c.health_check_id !== undefined && c.health_check_id !== null ? healthCheckKey(c.health_check_id) : undefined,
      evaluateTargetHealth: alias ? (bool(alias.evaluate_target_health) ?? false) : false,
      target: targets[0] ?? { kind: 'external', value: '(no records)', why: 'the record lists no value' },
      targets:
        targets.length > 0 ? targets : [{ kind: 'external', value: '(no records)', why: 'the record lists no value' }],
      alias: alias !== undefined,
      ttl: num(c.ttl),
    };
    records.set(record.address, record);
    const key = `${zone}|${name}|${type}`;
    const list = sets.get(key) ?? [];
    list.push(record);
    sets.set(key, list);
  }
  for (const list of sets.values()) list.sort((a, b) => a.address.localeCompare(b.address));

  const model: Route53Model = {
    resolverRules: resolverRules(resources),
    zones,
    sets,
    names,
    records,
    healthChecks,
    alarms,
    loadBalancers,
    targetGroups,
    unresolved,
    skipped,
  };
  modelCache.set(stacks, model);
  return model;
}

/** `${aws_route53_zone.Z.zone_id}` -> `aws_route53_zone.Z`; a literal id -> `zone:<id>`. */
export function zoneKey(value: unknown): string | undefined {
  const ref = parseRef(value);
  if (ref?.type === 'aws_route53_zone' && /^\$\{[^}]*\}$/.test(String(value).trim())) return `${ref.type}.${ref.name}`;
  // Any other expression (a data source, a variable, a remote state output) could name any zone: unknown.
  if (typeof value === 'string' && value !== '' && !isExpression(value)) return `zone:${value}`;
  return undefined;
}

export function healthCheckKey(value: unknown): string {
  const ref = parseRef(value);
  if (ref?.type === 'aws_route53_health_check') return `${ref.type}.${ref.name}`;
  return `health-check:${String(value)}`;
}

/** A relative record name (`www`) is qualified with the zone name, as the AWS provider does. */
function qualify(name: string, zoneName: string | undefined): string {
  if (!zoneName || name === zoneName || name.endsWith(`.${zoneName}`)) return name;
  return `${name}.${zoneName}`;
}

/** ACM's DNS validation records (`_<hash>.<domain>` CNAMEs to acm-validations.aws) carry no client traffic. */
function isCertificateValidation(c: Readonly<Record<string, unknown>>): boolean {
  return [c.name, ...stringElements(c.records)].some(
    (v) => typeof v === 'string' && /aws_acm_certificate\.[A-Za-z0-9_-]+\.domain_validation_options/.test(v),
  );
}

export function policyOf(c: Readonly<Record<string, unknown>>): R53Policy {
  const latency = block(c.latency_routing_policy);
  if (latency) return { kind: 'latency', region: str(latency.region) ?? '' };
  const weighted = block(c.weighted_routing_policy);
  if (weighted) return { kind: 'weighted', weight: num(weighted.weight) ?? 0 };
  const failover = block(c.failover_routing_policy);
  if (failover)
    return {
      kind: 'failover',
      role: (str(failover.type) ?? '').toUpperCase() === 'SECONDARY' ? 'SECONDARY' : 'PRIMARY',
    };
  const geo = block(c.geolocation_routing_policy);
  if (geo)
    return {
      kind: 'geolocation',
      continent: str(geo.continent) || undefined,
      country: str(geo.country) || undefined,
      subdivision: str(geo.subdivision) || undefined,
    };
  const prox = block(c.geoproximity_routing_policy);
  if (prox) {
    const coords = block(prox.coordinates);
    return {
      kind: 'geoproximity',
      region: str(prox.aws_region) || undefined,
      latitude: num(coords?.latitude),
      longitude: num(coords?.longitude),
      bias: num(prox.bias) ?? 0,
    };
  }
  if (bool(c.multivalue_answer_routing_policy)) return { kind: 'multivalue' };
  const cidr = block(c.cidr_routing_policy);
  if (cidr) return { kind: 'cidr', location: str(cidr.location_name) ?? '' };
  return { kind: 'simple' };
}

/** `dualstack.x.eu-west-1.elb.amazonaws.com` -> eu-west-1 (ALB/NLB/classic ELB names carry their region). */
export function elbRegion(name: string): string | undefined {
  return /\.([a-z]{2}(?:-[a-z]+)+-\d)\.elb\.amazonaws\.com$/.exec(name)?.[1];
}

function targetsOf(
  type: string,
  c: Readonly<Record<string, unknown>>,
  alias: Record<string, unknown> | undefined,
  ownZone: string,
  ownName: string,
  expandName: (v: unknown) => string | undefined,
  loadBalancers: ReadonlyMap<string, LoadBalancerInfo>,
): R53Target[] {
  if (alias) return [aliasTarget(alias, ownZone, expandName, loadBalancers)];
  const values = Array.isArray(c.records) ? c.records : [];
  if (type === 'CNAME') return values.slice(0, 1).map((v) => hostTarget(v, expandName, loadBalancers));
  if (type === 'HTTPS' || type === 'SVCB')
    return values.flatMap((v) => serviceBindingTargets(v, ownName, expandName, loadBalancers));
  return values.map((v) => {
    const ref = parseRef(v);
    if (ref)
      return {
        kind: 'external' as const,
        value: String(v),
        resource: `${ref.type}.${ref.name}`,
        why: `an address taken from ${ref.type}.${ref.name}, which the analysis does not model`,
      };
    return { kind: 'external' as const, value: String(v), why: 'a literal address' };
  });
}

function aliasTarget(
  alias: Record<string, unknown>,
  ownZone: string,
  expandName: (v: unknown) => string | undefined,
  loadBalancers: ReadonlyMap<string, LoadBalancerInfo>,
): R53Target {
  const ref = parseRef(alias.name);
  if (ref && LOAD_BALANCER_TYPES.includes(ref.type)) return { kind: 'alb', lb: `${ref.type}.${ref.name}` };
  if (ref && ref.type !== 'aws_route53_record' && ref.type !== 'aws_route53_zone') {
    return {
      kind: 'external',
      value: String(alias.name),
      resource: `${ref.type}.${ref.name}`,
      why: `an alias of ${ref.type}.${ref.name}, a resource the analysis does not model`,
    };
  }
  const name = expandName(alias.name);
  if (!name) return { kind: 'external', value: String(alias.name), why: 'an alias whose target is not known at synth' };
  const region = elbRegion(name);
  if (region) {
    const known = [...loadBalancers.values()].find((lb) => lb.address === name);
    return { kind: 'alb', lb: known?.address ?? name, region };
  }
  const zone = alias.zone_id === undefined ? ownZone : zoneKey(alias.zone_id);
  if (!zone) return { kind: 'external', value: name, why: 'an alias into a zone that is not known at synth' };
  return { kind: 'name', zone, name };
}

function hostTarget(
  value: unknown,
  expandName: (v: unknown) => string | undefined,
  loadBalancers: ReadonlyMap<string, LoadBalancerInfo>,
): R53Target {
  const ref = parseRef(value);
  if (ref && LOAD_BALANCER_TYPES.includes(ref.type)) return { kind: 'alb', lb: `${ref.type}.${ref.name}` };
  const host = expandName(value);
  if (host) {
    const region = elbRegion(host);
    if (region)
      return {
        kind: 'alb',
        lb: [...loadBalancers.values()].find((lb) => lb.address === host)?.address ?? host,
        region,
      };
    return { kind: 'cname', host };
  }
  if (ref)
    return {
      kind: 'external',
      value: String(value),
      resource: `${ref.type}.${ref.name}`,
      why: `a name taken from ${ref.type}.${ref.name}, which the analysis does not model`,
    };
  return { kind: 'external', value: String(value), why: 'a name that is not known at synth' };
}

/**
 * An HTTPS/SVCB value (`1 . alpn=h2 ipv4hint=192.0.2.1`): the target name (`.` = the owner name itself, whose A/AAAA
 * records are followed anyway) and the address hints clients may connect to directly.
 */
function serviceBindingTargets(
  value: unknown,
  ownName: string,
  expandName: (v: unknown) => string | undefined,
  loadBalancers: ReadonlyMap<string, LoadBalancerInfo>,
): R53Target[] {
  if (typeof value !== 'string') return [];
  if (isExpression(value)) return [{ kind: 'external', value, why: 'a service binding that is not known at synth' }];
  const [, target = '.', ...params] = value.trim().split(/\s+/);
  const out: R53Target[] = [];
  const name = target === '.' ? ownName : normalizeDnsName(target);
  if (name !== ownName) out.push(hostTarget(name, expandName, loadBalancers));
  for (const p of params) {
    const hint = /^(ipv4hint|ipv6hint)="?([^"]*)"?$/i.exec(p);
    if (hint)
      for (const address of hint[2].split(',').filter(Boolean))
        out.push({
          kind: 'external',
          value: address,
          why: `an address hint (${hint[1].toLowerCase()}) clients may connect to`,
        });
  }
  return out;
}

export function isTrafficType(type: string): boolean {
  return type in TRAFFIC_RECORD_TYPES;
}

export { isRecord };

/** The resolver rules of the stacks, joined with their VPC associations (see ResolverRule). */
function resolverRules(resources: (type: string) => ResourceRef[]): ResolverRule[] {
  const rules = new Map<string, ResolverRule>();
  for (const r of resources('aws_route53_resolver_rule')) {
    const domain = str(r.config.domain_name);
    const type = str(r.config.rule_type);
    const targets = blocks(r.config.target_ip)
      .map((t) => `${String(t.ip ?? t.ipv6 ?? '?')}${t.port !== undefined ? `:${String(t.port)}` : ''}`)
      .join(', ');
    rules.set(r.address, {
      address: r.address,
      domain: domain && !isExpression(domain) ? normalizeDnsName(domain) : undefined,
      forwards: type && !isExpression(type) ? type.toUpperCase() === 'FORWARD' : undefined,
      targets: targets || (str(r.config.resolver_endpoint_id) ? 'its outbound endpoint' : 'servers not known at synth'),
      associations: [],
    });
  }
  const out = new Map<string, ResolverRule>();
  for (const a of resources('aws_route53_resolver_rule_association')) {
    const ref = parseRef(a.config.resolver_rule_id);
    const key =
      ref?.type === 'aws_route53_resolver_rule'
        ? `aws_route53_resolver_rule.${ref.name}`
        : String(a.config.resolver_rule_id ?? '?');
    // A rule outside the stacks (a literal id, a shared rule): nothing about it is known.
    const rule = out.get(key) ??
      rules.get(key) ?? { address: key, targets: 'servers not known at synth', associations: [] };
    out.set(key, {
      ...rule,
      associations: [...rule.associations, { vpc: String(a.config.vpc_id ?? '?'), declaredBy: a.address }],
    });
  }
  return [...out.values()];
}
