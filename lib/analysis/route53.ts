/*
 * Route53 as the analysis sees it: the records of public zones grouped into record sets by name, their routing
 * policies, health checks and targets, and an evaluator that answers a query the way Route53 does.
 *
 * Route53 rules implemented (AWS Route53 Developer Guide, "How health checks work in complex configurations" and
 * "Choosing a routing policy"):
 * - a record is healthy iff its health check (if any) is healthy AND, for an alias with evaluate_target_health,
 *   its target is healthy (an ALB: its region is up; another name: a healthy record would be returned there);
 * - when every record of a set is unhealthy, Route53 treats them all as healthy (it always answers);
 * - latency: the healthy record nearest the client; weighted: healthy records with weight > 0 share by weight
 *   (then zero-weight healthy ones, then everything); failover: PRIMARY if healthy, else SECONDARY if healthy,
 *   else PRIMARY; geolocation: the most specific matching record (subdivision, country, continent, default `*`),
 *   falling through to the next less specific one while unhealthy; no match and no default: no answer;
 *   geoproximity: the nearest healthy record by biased distance; multivalue: up to eight healthy records.
 */
import { isKnownRegion, regionInfo } from '../spec/regions';
import { awsProviderRegions, block, bool, isExpression, normalizeName, num, parseRef, resourcesOfType, str, strings, type ResourceRef } from './input';
import type { ClientGroup, DiagramPart, FailoverPath, GraphContext, HealthState, Landing, PathStep, ProbeSource, StackInput } from './model';
import { greatCircleKm as greatCircle } from '../util/geo';

/** Great-circle distance in km (shared helper). */
export { greatCircle };

/** Resolvers cache an alias to an ALB for 60 s (the TTL Route53 answers alias-to-ELB queries with). */
export const ALB_ALIAS_TTL_SECONDS = 60;

/**
 * Health checkers Route53 runs per checker region. AWS does not publish the count; it documents the resulting rate:
 * "A Route 53 health checker in each health-checking region sends a health check request to an endpoint every 30
 * seconds. On average, your endpoint receives a health check request about every two seconds" (Route53 API
 * Reference, HealthCheckConfig, "Request interval"; the Developer Guide's "Values that you specify when you create
 * or update health checks" says the same). With the default eight checker regions, one request every ~2 s at a
 * 30 s interval means ~15-16 checkers, i.e. about 2 per region. We use 2 per region.
 */
export const ROUTE53_CHECKERS_PER_REGION = 2;

/** Checker regions when a health check lists none (Route53 then uses all of them; 8 as of 2026). */
export const ROUTE53_DEFAULT_CHECKER_REGION_COUNT = 8;

/**
 * Assumed delay between a CloudWatch alarm changing state and Route53 acting on it. AWS documents no figure for
 * CLOUDWATCH_METRIC health checks; we assume one more minute (ALB metrics are per-minute, and the health check
 * follows the alarm's data stream), so a capacity alarm needs evaluation_periods × period + 60 s.
 */
export const ROUTE53_ALARM_POLL_SECONDS = 60;

/** Route53 defaults when a health check leaves them unset. */
const DEFAULT_REQUEST_INTERVAL = 30;
const DEFAULT_FAILURE_THRESHOLD = 3;
/** ALB target-group health-check defaults (interval 30 s, 3 failures). */
const DEFAULT_TG_INTERVAL = 30;
const DEFAULT_TG_UNHEALTHY = 3;
/** Route53 multivalue answers return up to eight healthy records. */
const MULTIVALUE_MAX = 8;
/** Alias chains deeper than this are treated as a loop. */
const MAX_DEPTH = 12;

export type R53Policy =
  | { readonly kind: 'simple' }
  | { readonly kind: 'latency'; readonly region: string }
  | { readonly kind: 'weighted'; readonly weight: number }
  | { readonly kind: 'failover'; readonly role: 'PRIMARY' | 'SECONDARY' }
  | { readonly kind: 'geolocation'; readonly continent?: string; readonly country?: string; readonly subdivision?: string }
  | { readonly kind: 'geoproximity'; readonly region?: string; readonly latitude?: number; readonly longitude?: number; readonly bias: number }
  | { readonly kind: 'multivalue' }
  | { readonly kind: 'cidr'; readonly location: string };

export type R53Target =
  | { readonly kind: 'alb'; readonly lb: string; readonly region?: string }
  | { readonly kind: 'name'; readonly zone: string; readonly name: string }
  | { readonly kind: 'cname'; readonly host: string }
  | { readonly kind: 'external'; readonly value: string };

export interface R53Record {
  readonly address: string;
  readonly stack: string;
  /** Zone key: `aws_route53_zone.<name>` or `zone:<literal id>`. */
  readonly zone: string;
  readonly name: string;
  readonly type: string;
  readonly setIdentifier?: string;
  readonly policy: R53Policy;
  /** Health check: an `aws_route53_health_check.<name>` address, or `health-check:<literal id>`. */
  readonly healthCheck?: string;
  readonly evaluateTargetHealth: boolean;
  readonly target: R53Target;
  /** TTL of a non-alias record. */
  readonly ttl?: number;
}

export interface R53HealthCheck {
  readonly address: string;
  readonly type: string;
  readonly fqdn?: string;
  readonly ipAddress?: string;
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
}

export interface CloudWatchAlarm {
  readonly address: string;
  readonly name?: string;
  readonly period: number;
  readonly evaluationPeriods: number;
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
}

/** Everything Route53-related in the stacks. */
export interface Route53Model {
  readonly zones: ReadonlyMap<string, { readonly address: string; readonly name: string; readonly private: boolean }>;
  /** Record sets of public zones (A and CNAME records), by `<zone>|<name>`. */
  readonly sets: ReadonlyMap<string, readonly R53Record[]>;
  readonly records: ReadonlyMap<string, R53Record>;
  readonly healthChecks: ReadonlyMap<string, R53HealthCheck>;
  readonly alarms: ReadonlyMap<string, CloudWatchAlarm>;
  readonly loadBalancers: ReadonlyMap<string, LoadBalancerInfo>;
  readonly targetGroups: readonly TargetGroupInfo[];
  /** Records the model could not place (unresolvable names, private zones), for the report. */
  readonly skipped: readonly string[];
}

const modelCache = new WeakMap<readonly StackInput[], Route53Model>();

/** Reads the Route53 side of the stacks (memoised per stack list). */
export function buildRoute53Model(stacks: readonly StackInput[]): Route53Model {
  const cached = modelCache.get(stacks);
  if (cached) return cached;
  const providerRegion = awsProviderRegions(stacks);
  const regionOf = (r: ResourceRef) => {
    const provider = str(r.config.provider);
    return providerRegion.get(`${r.stack}|${provider ?? 'aws'}`) ?? (provider ? undefined : providerRegion.get(`${r.stack}|aws`));
  };

  const zones = new Map<string, { address: string; name: string; private: boolean }>();
  for (const z of resourcesOfType(stacks, 'aws_route53_zone')) {
    const vpc = z.config.vpc;
    zones.set(z.address, { address: z.address, name: normalizeName(str(z.config.name) ?? ''), private: Array.isArray(vpc) ? vpc.length > 0 : vpc !== undefined && vpc !== null });
  }

  const loadBalancers = new Map<string, LoadBalancerInfo>();
  for (const type of ['aws_lb', 'aws_alb']) {
    for (const lb of resourcesOfType(stacks, type)) loadBalancers.set(lb.address, { address: lb.address, stack: lb.stack, region: regionOf(lb) });
  }
  const targetGroups: TargetGroupInfo[] = [];
  for (const type of ['aws_lb_target_group', 'aws_alb_target_group']) {
    for (const tg of resourcesOfType(stacks, type)) {
      const hc = block(tg.config.health_check);
      targetGroups.push({ address: tg.address, stack: tg.stack, region: regionOf(tg), interval: num(hc?.interval) ?? DEFAULT_TG_INTERVAL, unhealthyThreshold: num(hc?.unhealthy_threshold) ?? DEFAULT_TG_UNHEALTHY });
    }
  }

  const alarms = new Map<string, CloudWatchAlarm>();
  for (const a of resourcesOfType(stacks, 'aws_cloudwatch_metric_alarm')) {
    alarms.set(a.address, { address: a.address, name: str(a.config.alarm_name), period: num(a.config.period) ?? 60, evaluationPeriods: num(a.config.evaluation_periods) ?? 1 });
  }
  const alarmByName = new Map([...alarms.values()].filter((a) => a.name).map((a) => [a.name!, a.address]));

  const healthChecks = new Map<string, R53HealthCheck>();
  for (const h of resourcesOfType(stacks, 'aws_route53_health_check')) {
    const c = h.config;
    const alarmRef = parseRef(c.cloudwatch_alarm_name);
    const alarmName = str(c.cloudwatch_alarm_name);
    const children = strings(c.child_healthchecks).map((v) => healthCheckKey(v));
    const regions = strings(c.regions);
    healthChecks.set(h.address, {
      address: h.address,
      type: (str(c.type) ?? '').toUpperCase(),
      fqdn: str(c.fqdn) && !isExpression(c.fqdn) ? normalizeName(str(c.fqdn)!) : undefined,
      ipAddress: str(c.ip_address),
      requestInterval: num(c.request_interval) ?? DEFAULT_REQUEST_INTERVAL,
      failureThreshold: num(c.failure_threshold) ?? DEFAULT_FAILURE_THRESHOLD,
      regions: regions.length > 0 ? regions : undefined,
      children,
      childThreshold: num(c.child_health_threshold) ?? 0,
      alarmRegion: str(c.cloudwatch_alarm_region),
      alarm: alarmRef?.type === 'aws_cloudwatch_metric_alarm' ? `${alarmRef.type}.${alarmRef.name}` : alarmName && !isExpression(alarmName) ? alarmByName.get(alarmName) : undefined,
      inverted: bool(c.invert_healthcheck) ?? false,
      disabled: bool(c.disabled) ?? false,
      config: c,
    });
  }

  // Records: first pass reads literal names, second resolves names that reference another record.
  const raw = resourcesOfType(stacks, 'aws_route53_record');
  const literalName = new Map<string, string>();
  for (const r of raw) {
    const name = str(r.config.name);
    if (name && !isExpression(name)) literalName.set(r.address, normalizeName(name));
  }
  const nameOf = (value: unknown): string | undefined => {
    if (typeof value !== 'string') return undefined;
    if (!isExpression(value)) return normalizeName(value);
    const ref = parseRef(value);
    if (ref?.type === 'aws_route53_record' && (ref.attribute === 'name' || ref.attribute === 'fqdn')) return literalName.get(`${ref.type}.${ref.name}`);
    return undefined;
  };
  const zoneKey = (value: unknown): string | undefined => {
    const ref = parseRef(value);
    if (ref?.type === 'aws_route53_zone') return `${ref.type}.${ref.name}`;
    return typeof value === 'string' && !isExpression(value) ? `zone:${value}` : undefined;
  };

  const records = new Map<string, R53Record>();
  const sets = new Map<string, R53Record[]>();
  const skipped: string[] = [];
  for (const r of raw) {
    const c = r.config;
    const type = (str(c.type) ?? '').toUpperCase();
    if (type !== 'A' && type !== 'CNAME') continue;
    const name = nameOf(c.name);
    const zone = zoneKey(c.zone_id);
    if (!name || !zone) {
      skipped.push(`${r.address}: name or zone is not known at synth time`);
      continue;
    }
    const alias = block(c.alias);
    const record: R53Record = {
      address: r.address,
      stack: r.stack,
      zone,
      name,
      type,
      setIdentifier: str(c.set_identifier),
      policy: policyOf(c),
      healthCheck: c.health_check_id !== undefined && c.health_check_id !== null ? healthCheckKey(c.health_check_id) : undefined,
      evaluateTargetHealth: alias ? (bool(alias.evaluate_target_health) ?? false) : false,
      target: targetOf(c, alias, zone, nameOf, zoneKey),
      ttl: num(c.ttl),
    };
    records.set(record.address, record);
    if (zones.get(zone)?.private) {
      skipped.push(`${r.address}: in a private zone (internal clients; not analysed as a front door)`);
      continue;
    }
    const key = `${zone}|${name}`;
    const list = sets.get(key) ?? [];
    list.push(record);
    sets.set(key, list);
  }
  // A CNAME set wins over an A set at the same name only if there is no A set (they cannot coexist in Route53).
  for (const list of sets.values()) list.sort((a, b) => a.address.localeCompare(b.address));

  const model: Route53Model = { zones, sets, records, healthChecks, alarms, loadBalancers, targetGroups, skipped };
  modelCache.set(stacks, model);
  return model;
}

function healthCheckKey(value: unknown): string {
  const ref = parseRef(value);
  if (ref?.type === 'aws_route53_health_check') return `${ref.type}.${ref.name}`;
  return `health-check:${String(value)}`;
}

function policyOf(c: Readonly<Record<string, unknown>>): R53Policy {
  const latency = block(c.latency_routing_policy);
  if (latency) return { kind: 'latency', region: str(latency.region) ?? '' };
  const weighted = block(c.weighted_routing_policy);
  if (weighted) return { kind: 'weighted', weight: num(weighted.weight) ?? 0 };
  const failover = block(c.failover_routing_policy);
  if (failover) return { kind: 'failover', role: (str(failover.type) ?? '').toUpperCase() === 'SECONDARY' ? 'SECONDARY' : 'PRIMARY' };
  const geo = block(c.geolocation_routing_policy);
  if (geo) return { kind: 'geolocation', continent: str(geo.continent) || undefined, country: str(geo.country) || undefined, subdivision: str(geo.subdivision) || undefined };
  const prox = block(c.geoproximity_routing_policy);
  if (prox) {
    const coords = block(prox.coordinates);
    return { kind: 'geoproximity', region: str(prox.aws_region) || undefined, latitude: num(coords?.latitude), longitude: num(coords?.longitude), bias: num(prox.bias) ?? 0 };
  }
  if (bool(c.multivalue_answer_routing_policy)) return { kind: 'multivalue' };
  const cidr = block(c.cidr_routing_policy);
  if (cidr) return { kind: 'cidr', location: str(cidr.location_name) ?? '' };
  return { kind: 'simple' };
}

function targetOf(
  c: Readonly<Record<string, unknown>>,
  alias: Record<string, unknown> | undefined,
  ownZone: string,
  nameOf: (v: unknown) => string | undefined,
  zoneKey: (v: unknown) => string | undefined,
): R53Target {
  if (alias) {
    const ref = parseRef(alias.name);
    if (ref && (ref.type === 'aws_lb' || ref.type === 'aws_alb')) return { kind: 'alb', lb: `${ref.type}.${ref.name}` };
    const name = nameOf(alias.name);
    if (name) {
      const elb = /\.([a-z]{2}(?:-[a-z]+)+-\d)\.elb\.amazonaws\.com$/.exec(name);
      if (elb) return { kind: 'alb', lb: name, region: elb[1] };
      return { kind: 'name', zone: zoneKey(alias.zone_id) ?? ownZone, name };
    }
    return { kind: 'external', value: String(alias.name) };
  }
  const values = strings(c.records);
  if ((str(c.type) ?? '').toUpperCase() === 'CNAME' && values[0]) {
    const host = nameOf(values[0]);
    return host ? { kind: 'cname', host } : { kind: 'external', value: values[0] };
  }
  return { kind: 'external', value: values.join(', ') || '(no records)' };
}

/** `inference.example.com geolocation country=DE`, for messages and paths. */
export function describeRecord(r: R53Record): string {
  return `${r.name} ${describePolicy(r.policy)}`;
}

export function describePolicy(p: R53Policy): string {
  switch (p.kind) {
    case 'simple':
      return 'simple';
    case 'latency':
      return `latency ${p.region}`;
    case 'weighted':
      return `weighted ${p.weight}`;
    case 'failover':
      return `failover ${p.role}`;
    case 'geolocation':
      return `geolocation ${p.country === '*' ? 'default (*)' : p.subdivision ? `subdivision=${p.country}-${p.subdivision}` : p.country ? `country=${p.country}` : `continent=${p.continent}`}`;
    case 'geoproximity':
      return `geoproximity ${p.region ?? `${p.latitude},${p.longitude}`}${p.bias ? ` bias ${p.bias}` : ''}`;
    case 'multivalue':
      return 'multivalue';
    case 'cidr':
      return `cidr ${p.location}`;
  }
}

/** How a record set resolved for one client in one scenario. */
export interface Resolution {
  readonly landings: readonly Landing[];
  /** Whether a healthy record was selected (false: Route53 answered with unhealthy records, or nothing). */
  readonly healthy: boolean;
  readonly noAnswer?: string;
  readonly notes: readonly string[];
}

interface Choice {
  readonly record: R53Record;
  readonly share: number;
  readonly note?: string;
  /** Records passed over before this one (geolocation fall-through), with the reason. */
  readonly skipped?: readonly { readonly record: R53Record; readonly why: string }[];
}

/** Evaluates Route53 queries over a model, scenario by scenario. */
export class Route53Evaluator {
  private readonly steps = new Map<string, PathStep>();
  private readonly probed = new Map<string, string | undefined>();
  private readonly distances = new Map<ClientGroup, Map<R53Record, number>>();
  private readonly setCache = new Map<string, Map<string, readonly R53Record[] | undefined>>();
  private readonly geoCache = new Map<readonly R53Record[], Map<ClientGroup, R53Record[]>>();

  constructor(
    readonly model: Route53Model,
    private readonly context: Pick<GraphContext, 'regionOfHost'>,
  ) {}

  /** The record set a name resolves to in a zone (falling back to any public zone holding the name). */
  setOf(zone: string, name: string): readonly R53Record[] | undefined {
    let byName = this.setCache.get(zone);
    if (!byName) this.setCache.set(zone, (byName = new Map()));
    if (byName.has(name)) return byName.get(name);
    let found = this.model.sets.get(`${zone}|${name}`);
    if (!found) for (const [key, list] of this.model.sets) if (key.endsWith(`|${name}`)) found = list;
    byName.set(name, found);
    return found;
  }

  /** Per-scenario memo of this evaluator (object keys: no string building on the hot path). */
  private scenarioState(health: HealthState): { hc: Map<string, boolean>; res: Map<readonly R53Record[], Map<ClientGroup, Resolution>> } {
    let state = health.memo.get(this) as { hc: Map<string, boolean>; res: Map<readonly R53Record[], Map<ClientGroup, Resolution>> } | undefined;
    if (!state) health.memo.set(this, (state = { hc: new Map(), res: new Map() }));
    return state;
  }

  /** Whether a health check is healthy in a scenario (unknown checks count as healthy). */
  healthCheckHealthy(address: string, health: HealthState, depth = 0): boolean {
    const hcMemo = this.scenarioState(health).hc;
    const memo = hcMemo.get(address);
    if (memo !== undefined) return memo;
    const hc = this.model.healthChecks.get(address);
    let healthy = true;
    // Depth guards a CALCULATED check that (wrongly) contains itself.
    if (hc && !hc.disabled && depth <= MAX_DEPTH) {
      switch (hc.type) {
        case 'CALCULATED': {
          let count = 0;
          for (const child of hc.children) if (this.healthCheckHealthy(child, health, depth + 1)) count++;
          healthy = count >= hc.childThreshold;
          break;
        }
        case 'CLOUDWATCH_METRIC':
          healthy = !(hc.alarmRegion && health.failed.has(hc.alarmRegion));
          break;
        case 'RECOVERY_CONTROL':
          healthy = true;
          break;
        default: {
          const region = this.probedRegion(hc);
          healthy = region ? !health.failed.has(region) : true;
        }
      }
      if (hc.inverted) healthy = !healthy;
    }
    hcMemo.set(address, healthy);
    return healthy;
  }

  /** Region an endpoint health check probes (cached: the lookup normalises names). */
  private probedRegion(hc: R53HealthCheck): string | undefined {
    if (!this.probed.has(hc.address)) this.probed.set(hc.address, hc.fqdn ? this.context.regionOfHost(hc.fqdn) : undefined);
    return this.probed.get(hc.address);
  }

  /** Geolocation candidates of a set for a client (independent of the scenario, so cached). */
  private candidates(set: readonly R53Record[], client: ClientGroup): R53Record[] {
    let byClient = this.geoCache.get(set);
    if (!byClient) this.geoCache.set(set, (byClient = new Map()));
    let c = byClient.get(client);
    if (!c) byClient.set(client, (c = geolocationCandidates(set, client)));
    return c;
  }

  /** Distance from a client to a record's location, cached per client (latency and proximity picks). */
  private distance(client: ClientGroup, record: R53Record): number {
    let byRecord = this.distances.get(client);
    if (!byRecord) this.distances.set(client, (byRecord = new Map()));
    let d = byRecord.get(record);
    if (d === undefined) {
      d = record.policy.kind === 'latency' ? latencyDistance(client, record) : proximityDistance(client, record);
      byRecord.set(record, d);
    }
    return d;
  }

  /** Resolves `name` in `zone` for a client, with the path of records that led to each landing. */
  resolve(zone: string, name: string, client: ClientGroup, health: HealthState, depth = 0): Resolution {
    const set = this.setOf(zone, name);
    if (!set || set.length === 0) return { landings: [], healthy: false, noAnswer: `no record named ${name}`, notes: [] };
    const res = this.scenarioState(health).res;
    let byClient = res.get(set);
    if (!byClient) res.set(set, (byClient = new Map()));
    const memo = byClient.get(client);
    if (memo) return memo;
    if (depth > MAX_DEPTH) return { landings: [], healthy: false, noAnswer: `alias chain through ${name} is deeper than ${MAX_DEPTH} (a loop?)`, notes: [] };
    // Mark in progress so a loop ends instead of recursing forever.
    byClient.set(client, { landings: [], healthy: false, noAnswer: `alias loop through ${name}`, notes: [] });
    const result = this.resolveUncached(set, client, health, depth);
    byClient.set(client, result);
    return result;
  }

  private resolveUncached(set: readonly R53Record[], client: ClientGroup, health: HealthState, depth: number): Resolution {
    const selection = this.select(set, client, health, depth);
    if (selection.noAnswer) return { landings: [], healthy: false, noAnswer: selection.noAnswer, notes: selection.notes };
    const landings: Landing[] = [];
    const notes = [...selection.notes];
    let noAnswer: string | undefined;
    for (const choice of selection.choices) {
      const prefix: PathStep[] = [
        ...(choice.skipped ?? []).map((s) => ({ ...this.step(s.record), note: `passed over: ${s.why}` })),
        choice.note ? { ...this.step(choice.record), note: choice.note } : this.step(choice.record),
      ];
      const sub = this.landingsOf(choice.record, client, health, depth);
      if (sub.noAnswer && sub.landings.length === 0) noAnswer = `${describeRecord(choice.record)} -> ${sub.noAnswer}`;
      notes.push(...sub.notes);
      for (const l of sub.landings) landings.push({ ...l, share: l.share * choice.share, path: [...prefix, ...l.path] });
    }
    return { landings, healthy: selection.healthy, noAnswer: landings.length === 0 ? noAnswer : undefined, notes: [...new Set(notes)] };
  }

  /** Whether Route53 considers a record healthy, and why not. */
  recordHealth(record: R53Record, client: ClientGroup, health: HealthState, depth: number): { healthy: boolean; why?: string } {
    if (record.healthCheck && !this.healthCheckHealthy(record.healthCheck, health)) return { healthy: false, why: `health check ${record.healthCheck} is unhealthy` };
    if (record.evaluateTargetHealth) {
      const t = record.target;
      if (t.kind === 'alb') {
        const region = t.region ?? this.model.loadBalancers.get(t.lb)?.region;
        if (region && health.failed.has(region)) return { healthy: false, why: `evaluate_target_health: load balancer ${t.lb} (${region}) has no healthy targets` };
      } else if (t.kind === 'name') {
        const sub = this.resolve(t.zone, t.name, client, health, depth + 1);
        if (!sub.healthy) return { healthy: false, why: `evaluate_target_health: ${t.name} has no healthy record` };
      }
    }
    return { healthy: true };
  }

  private select(set: readonly R53Record[], client: ClientGroup, health: HealthState, depth: number): { choices: Choice[]; healthy: boolean; notes: string[]; noAnswer?: string } {
    const kind = set[0].policy.kind;
    const notes = set.some((r) => r.policy.kind !== kind) ? [`${set[0].name} mixes routing policies (Route53 refuses that); analysed as ${kind}`] : [];
    const healthOf = (r: R53Record) => this.recordHealth(r, client, health, depth);
    const allUnhealthy = `every record of ${set[0].name} is unhealthy: Route53 answers as if all were healthy`;
    switch (kind) {
      case 'latency':
      case 'geoproximity': {
        const healthy = set.filter((r) => healthOf(r).healthy);
        const pool = healthy.length > 0 ? healthy : set;
        let best = pool[0];
        for (const r of pool) {
          const d = this.distance(client, r) - this.distance(client, best);
          if (d < 0 || (d === 0 && r.address < best.address)) best = r;
        }
        return { choices: [{ record: best, share: 1, note: healthy.length === 0 ? allUnhealthy : undefined }], healthy: healthy.length > 0, notes };
      }
      case 'weighted': {
        const weight = (r: R53Record) => (r.policy.kind === 'weighted' ? r.policy.weight : 0);
        const healthy = set.filter((r) => healthOf(r).healthy);
        let pool = healthy.filter((r) => weight(r) > 0);
        let note: string | undefined;
        if (pool.length === 0 && healthy.length > 0) {
          pool = healthy;
          note = 'every record with weight > 0 is unhealthy: Route53 uses the zero-weight healthy records';
        }
        if (pool.length === 0) {
          pool = set.filter((r) => weight(r) > 0).length > 0 ? set.filter((r) => weight(r) > 0) : [...set];
          note = allUnhealthy;
        }
        const total = pool.reduce((s, r) => s + weight(r), 0);
        return { choices: pool.map((r) => ({ record: r, share: total > 0 ? weight(r) / total : 1 / pool.length, note })), healthy: healthy.length > 0, notes };
      }
      case 'failover': {
        const primary = set.find((r) => r.policy.kind === 'failover' && r.policy.role === 'PRIMARY');
        const secondary = set.find((r) => r.policy.kind === 'failover' && r.policy.role === 'SECONDARY');
        const p = primary ? healthOf(primary) : undefined;
        if (primary && p?.healthy) return { choices: [{ record: primary, share: 1 }], healthy: true, notes };
        const s = secondary ? healthOf(secondary) : undefined;
        if (secondary && s?.healthy) {
          return { choices: [{ record: secondary, share: 1, skipped: primary ? [{ record: primary, why: p?.why ?? 'unhealthy' }] : undefined, note: primary ? 'SECONDARY: the PRIMARY is unhealthy' : undefined }], healthy: true, notes };
        }
        const fallback = primary ?? secondary!;
        return { choices: [{ record: fallback, share: 1, note: 'PRIMARY and SECONDARY are both unhealthy: Route53 answers with the PRIMARY' }], healthy: false, notes };
      }
      case 'geolocation': {
        const candidates = this.candidates(set, client);
        if (candidates.length === 0) return { choices: [], healthy: false, notes, noAnswer: `no geolocation record of ${set[0].name} matches ${client.label} and there is no default (*) record: no answer` };
        const skipped: { record: R53Record; why: string }[] = [];
        for (const candidate of candidates) {
          const h = healthOf(candidate);
          if (h.healthy) return { choices: [{ record: candidate, share: 1, skipped, note: skipped.length > 0 ? 'next less specific location (the more specific record is unhealthy)' : undefined }], healthy: true, notes };
          skipped.push({ record: candidate, why: h.why ?? 'unhealthy' });
        }
        return { choices: [{ record: candidates[0], share: 1, note: 'every matching geolocation record is unhealthy: Route53 answers with the most specific one' }], healthy: false, notes };
      }
      case 'multivalue': {
        const healthy = set.filter((r) => healthOf(r).healthy).slice(0, MULTIVALUE_MAX);
        const pool = healthy.length > 0 ? healthy : set.slice(0, MULTIVALUE_MAX);
        return { choices: pool.map((r) => ({ record: r, share: 1 / pool.length, note: healthy.length === 0 ? allUnhealthy : undefined })), healthy: healthy.length > 0, notes };
      }
      case 'cidr':
        return { choices: set.map((r) => ({ record: r, share: 1 / set.length })), healthy: true, notes: [...notes, `${set[0].name}: CIDR routing is not modelled; every location counted as possible`] };
      case 'simple':
      default:
        return { choices: set.map((r) => ({ record: r, share: 1 / set.length })), healthy: set.every((r) => !r.healthCheck || healthOf(r).healthy), notes };
    }
  }

  private landingsOf(record: R53Record, client: ClientGroup, health: HealthState, depth: number): Resolution {
    const t = record.target;
    switch (t.kind) {
      case 'alb': {
        const region = t.region ?? this.model.loadBalancers.get(t.lb)?.region;
        return { landings: [{ region, endpoint: t.lb, share: 1, up: region ? !health.failed.has(region) : true, path: [] }], healthy: true, notes: [] };
      }
      case 'name':
        return this.resolve(t.zone, t.name, client, health, depth + 1);
      case 'cname': {
        if (this.setOf('', t.host)) return this.resolve('', t.host, client, health, depth + 1);
        const region = this.context.regionOfHost(t.host);
        return { landings: [{ region, endpoint: t.host, share: 1, up: region ? !health.failed.has(region) : true, path: [] }], healthy: true, notes: [] };
      }
      case 'external':
        return { landings: [{ endpoint: t.value, share: 1, up: true, path: [] }], healthy: true, notes: [] };
    }
  }

  /** The path step of a record (shared objects: answers hold many paths). */
  step(record: R53Record): PathStep {
    let s = this.steps.get(record.address);
    if (!s) {
      const eth = record.target.kind === 'alb' || record.target.kind === 'name' ? `, evaluate_target_health=${record.evaluateTargetHealth}` : '';
      const target = record.target.kind === 'alb' ? `ALB ${record.target.lb}` : record.target.kind === 'name' ? record.target.name : record.target.kind === 'cname' ? `CNAME ${record.target.host}` : record.target.value;
      const own = record.policy.kind === 'geolocation' && record.policy.country !== '*';
      s = { address: record.address, label: `${describeRecord(record)} -> ${target}${record.healthCheck ? ', health check' : ''}${eth}`, clientSpecific: own || undefined };
      this.steps.set(record.address, s);
    }
    return s;
  }
}

/** Geolocation records matching a client, most specific first (subdivision, country, continent, default). */
export function geolocationCandidates(set: readonly R53Record[], client: ClientGroup): R53Record[] {
  const geo = (r: R53Record) => (r.policy.kind === 'geolocation' ? r.policy : undefined);
  const rank = (r: R53Record): number => {
    const g = geo(r);
    if (!g) return -1;
    if (g.country === '*') return 3;
    if (g.subdivision) return client.country === g.country && client.subdivision === g.subdivision ? 0 : -1;
    if (g.country) return client.country === g.country ? 1 : -1;
    if (g.continent) return client.continent === g.continent ? 2 : -1;
    return -1;
  };
  return set.filter((r) => rank(r) >= 0).sort((a, b) => rank(a) - rank(b) || a.address.localeCompare(b.address));
}

function latencyDistance(client: ClientGroup, r: R53Record): number {
  const region = r.policy.kind === 'latency' ? r.policy.region : undefined;
  return region && isKnownRegion(region) ? greatCircle(client, regionInfo(region)) : Number.POSITIVE_INFINITY;
}

/** Route53's biased distance: actual distance × (1 − bias/100). */
function proximityDistance(client: ClientGroup, r: R53Record): number {
  if (r.policy.kind !== 'geoproximity') return Number.POSITIVE_INFINITY;
  const p = r.policy;
  const point = p.region && isKnownRegion(p.region) ? regionInfo(p.region) : p.latitude !== undefined && p.longitude !== undefined ? { latitude: p.latitude, longitude: p.longitude } : undefined;
  return point ? greatCircle(client, point) * (1 - p.bias / 100) : Number.POSITIVE_INFINITY;
}


// ---------------------------------------------------------------------------------------------------------------
// Failover time and probes

/** Worst-case seconds for a health check to turn unhealthy when `region` fails, with its derivation. */
export interface Detection {
  readonly seconds: number;
  readonly breakdown: string;
  readonly resources: readonly string[];
}

const NEVER: Detection = { seconds: Number.POSITIVE_INFINITY, breakdown: 'nothing detects it', resources: [] };

/**
 * How a region fails, for failover time. The worst case over both is what an SLO can promise:
 * - `unreachable`: the region cannot be reached from outside (network or load-balancer outage as the internet sees
 *   it). In-region signals (ALB target health, CloudWatch alarms on target metrics) can stay green; only external
 *   probes (Route53 HTTP/HTTPS/TCP checks, Cloudflare monitors) see it.
 * - `unhealthy`: the model servers stop answering readiness; every signal sees it.
 */
export type FailureMode = 'unreachable' | 'unhealthy';

/** How long a health check takes to report a failure of `region` (Infinity when it does not see it). */
export function healthCheckDetection(
  model: Route53Model,
  context: Pick<GraphContext, 'regionOfHost'>,
  address: string,
  region: string,
  mode: FailureMode = 'unhealthy',
  seen: ReadonlySet<string> = new Set(),
): Detection {
  const hc = model.healthChecks.get(address);
  if (!hc || seen.has(address)) return NEVER;
  if (hc.disabled) return { ...NEVER, breakdown: `${address} is disabled (Route53 treats it as healthy)`, resources: [address] };
  if (hc.inverted) return { ...NEVER, breakdown: `${address} is inverted`, resources: [address] };
  switch (hc.type) {
    case 'CALCULATED': {
      const next = new Set(seen).add(address);
      const children = hc.children.map((c) => healthCheckDetection(model, context, c, region, mode, next));
      const needed = hc.children.length - hc.childThreshold + 1;
      const finite = children.filter((c) => Number.isFinite(c.seconds)).sort((a, b) => a.seconds - b.seconds);
      if (hc.childThreshold <= 0 || needed <= 0 || finite.length < needed) return { ...NEVER, breakdown: `${address} (CALCULATED, ${hc.childThreshold} of ${hc.children.length} children must be healthy) never turns unhealthy`, resources: [address] };
      const decisive = finite[needed - 1];
      return {
        seconds: decisive.seconds,
        breakdown: `${address} (CALCULATED: unhealthy once ${needed} of ${hc.children.length} children fail; ${finite.map((c) => c.breakdown).join('; ')})`,
        resources: [address, ...decisive.resources],
      };
    }
    case 'CLOUDWATCH_METRIC': {
      if (hc.alarmRegion !== region || mode === 'unreachable') return NEVER;
      const alarm = hc.alarm ? model.alarms.get(hc.alarm) : undefined;
      if (!alarm) return { ...NEVER, breakdown: `${address}: its CloudWatch alarm is not in the synthesized stacks`, resources: [address] };
      const seconds = alarm.evaluationPeriods * alarm.period + ROUTE53_ALARM_POLL_SECONDS;
      return {
        seconds,
        breakdown: `${address} (CLOUDWATCH_METRIC ${alarm.address}: evaluation_periods ${alarm.evaluationPeriods} × period ${alarm.period} s + ${ROUTE53_ALARM_POLL_SECONDS} s alarm polling (assumed) = ${seconds} s)`,
        resources: [address, alarm.address],
      };
    }
    case 'RECOVERY_CONTROL':
      return NEVER;
    default: {
      const target = hc.fqdn ? context.regionOfHost(hc.fqdn) : undefined;
      if (target !== region) return NEVER;
      const seconds = hc.requestInterval * hc.failureThreshold;
      return { seconds, breakdown: `${address} (${hc.type} ${hc.fqdn}: request_interval ${hc.requestInterval} s × failure_threshold ${hc.failureThreshold} = ${seconds} s)`, resources: [address] };
    }
  }
}

/** How long evaluate_target_health on an ALB alias takes to see the region fail: its target groups' health checks. */
export function targetHealthDetection(model: Route53Model, record: R53Record, region: string, mode: FailureMode = 'unhealthy'): Detection {
  if (!record.evaluateTargetHealth || record.target.kind !== 'alb' || mode === 'unreachable') return NEVER;
  const lb = model.loadBalancers.get(record.target.lb);
  const lbRegion = record.target.region ?? lb?.region;
  if (lbRegion !== region) return NEVER;
  // Same stack and region as the ALB: the library puts one ALB per region (listener wiring is not followed).
  const groups = model.targetGroups.filter((tg) => tg.region === region && (!lb || tg.stack === lb.stack));
  if (groups.length === 0) return { seconds: DEFAULT_TG_INTERVAL * DEFAULT_TG_UNHEALTHY, breakdown: `${record.address} evaluate_target_health on ${record.target.lb} (target group defaults 30 s × 3)`, resources: [record.address] };
  const worst = [...groups].sort((a, b) => b.interval * b.unhealthyThreshold - a.interval * a.unhealthyThreshold)[0];
  const seconds = worst.interval * worst.unhealthyThreshold;
  return { seconds, breakdown: `${record.address} evaluate_target_health on ${record.target.lb} (${worst.address}: interval ${worst.interval} s × unhealthy_threshold ${worst.unhealthyThreshold} = ${seconds} s)`, resources: [record.address, worst.address] };
}

/**
 * Worst-case failover of one answer path off `region`: for each failure mode, the fastest record on the path that
 * sees it, plus the resolvers' TTL; the result is the slower mode (usually `unreachable`, seen only by probes).
 */
export function pathFailover(model: Route53Model, context: Pick<GraphContext, 'regionOfHost'>, path: readonly PathStep[], region: string): Detection {
  const unreachable = pathFailoverIn(model, context, path, region, 'unreachable');
  const unhealthy = pathFailoverIn(model, context, path, region, 'unhealthy');
  const worst = unreachable.seconds >= unhealthy.seconds ? unreachable : unhealthy;
  const other = worst === unreachable ? unhealthy : unreachable;
  const name = (d: Detection) => (d === unreachable ? 'region unreachable from outside (only external probes see it)' : 'model servers unhealthy (every signal sees it)');
  return {
    seconds: worst.seconds,
    breakdown: `worst case, ${name(worst)}: ${worst.breakdown}; when ${name(other)}: ${Number.isFinite(other.seconds) ? `${other.seconds} s` : 'never'}`,
    resources: worst.resources.length > 0 ? worst.resources : other.resources,
  };
}

function pathFailoverIn(model: Route53Model, context: Pick<GraphContext, 'regionOfHost'>, path: readonly PathStep[], region: string, mode: FailureMode): Detection {
  let best: Detection = NEVER;
  let ttl = 0;
  let ttlWhy = '';
  for (const step of path) {
    const record = model.records.get(step.address);
    if (!record || step.note?.startsWith('passed over')) continue;
    const hc = record.healthCheck ? healthCheckDetection(model, context, record.healthCheck, region, mode) : NEVER;
    const eth = targetHealthDetection(model, record, region, mode);
    for (const d of [hc, eth]) if (d.seconds < best.seconds) best = { ...d, resources: [record.address, ...d.resources] };
    if (record.target.kind === 'cname' && (record.ttl ?? 0) > ttl) {
      ttl = record.ttl ?? 0;
      ttlWhy = `TTL ${ttl} s (${record.address} CNAME)`;
    }
    if (record.target.kind === 'alb' && ALB_ALIAS_TTL_SECONDS > ttl) {
      ttl = ALB_ALIAS_TTL_SECONDS;
      ttlWhy = `TTL ${ALB_ALIAS_TTL_SECONDS} s (alias to an ALB)`;
    }
  }
  if (!Number.isFinite(best.seconds)) return { ...NEVER, breakdown: `no record on the path has a health check${mode === 'unhealthy' ? ' or target health' : ' probing from outside'} that sees ${region} fail`, resources: path.map((s) => s.address) };
  return { seconds: best.seconds + ttl, breakdown: `${best.breakdown} + ${ttlWhy || 'no TTL'} = ${best.seconds + ttl} s`, resources: best.resources };
}

/** Probe traffic of every endpoint health check (HTTP/HTTPS/TCP): checker regions × checkers per region / interval. */
export function route53Probes(model: Route53Model, context: Pick<GraphContext, 'regionOfHost'>, frontDoor: string): ProbeSource[] {
  const out: ProbeSource[] = [];
  for (const hc of model.healthChecks.values()) {
    if (hc.disabled || ['CALCULATED', 'CLOUDWATCH_METRIC', 'RECOVERY_CONTROL'].includes(hc.type)) continue;
    const origin = hc.fqdn ?? hc.ipAddress;
    if (!origin) continue;
    const regions = hc.regions?.length ?? ROUTE53_DEFAULT_CHECKER_REGION_COUNT;
    const rps = (regions * ROUTE53_CHECKERS_PER_REGION) / hc.requestInterval;
    out.push({
      origin,
      region: context.regionOfHost(origin),
      frontDoor,
      resource: hc.address,
      requestsPerSecond: rps,
      derivation: `${regions} checker regions${hc.regions ? '' : ' (all: none listed)'} × ${ROUTE53_CHECKERS_PER_REGION} checkers / ${hc.requestInterval} s`,
    });
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------------------
// The front door

/** Names in public zones that clients resolve: the intent's routing domain, else names nothing else points to. */
export function route53EntryNames(model: Route53Model, routingDomain?: string, frontDoor?: string): { zone: string; name: string }[] {
  if (routingDomain) {
    if (frontDoor === 'cloudflare') return [];
    const name = normalizeName(routingDomain);
    for (const [key, list] of model.sets) if (key.endsWith(`|${name}`)) return [{ zone: list[0].zone, name }];
    return [];
  }
  const targeted = new Set<string>();
  for (const list of model.sets.values()) {
    for (const r of list) {
      if (r.target.kind === 'name') targeted.add(r.target.name);
      if (r.target.kind === 'cname') targeted.add(r.target.host);
    }
  }
  const out: { zone: string; name: string }[] = [];
  for (const list of model.sets.values()) {
    const routed = list.some((r) => r.policy.kind !== 'simple');
    if (routed && !targeted.has(list[0].name)) out.push({ zone: list[0].zone, name: list[0].name });
  }
  return out;
}

/** Record sets reachable from an entry name (breadth first), for the diagram and location keys. */
export function reachableSets(evaluator: Route53Evaluator, zone: string, name: string): R53Record[][] {
  const out: R53Record[][] = [];
  const seen = new Set<string>();
  const queue: { zone: string; name: string }[] = [{ zone, name }];
  while (queue.length > 0) {
    const next = queue.shift()!;
    const set = evaluator.setOf(next.zone, next.name);
    if (!set || seen.has(`${set[0].zone}|${set[0].name}`)) continue;
    seen.add(`${set[0].zone}|${set[0].name}`);
    out.push([...set]);
    for (const r of set) {
      if (r.target.kind === 'name') queue.push({ zone: r.target.zone, name: r.target.name });
      if (r.target.kind === 'cname') queue.push({ zone: '', name: r.target.host });
    }
  }
  return out;
}

/** `countries AT, BE, BG +24` for the records of one diagram edge. */
function summariseLocations(records: readonly R53Record[]): string {
  const items = records.map((r) => {
    const p = r.policy;
    if (p.kind === 'geolocation') return p.country === '*' ? 'default' : p.subdivision ? `${p.country}-${p.subdivision}` : (p.country ?? p.continent ?? '?');
    if (p.kind === 'weighted') return String(p.weight);
    if (p.kind === 'latency') return p.region;
    return r.setIdentifier ?? '?';
  });
  return items.length <= 6 ? items.join(', ') : `${items.slice(0, 6).join(', ')} +${items.length - 6}`;
}

/** Builds the Route53 front door of one entry name. */
export function route53FrontDoor(model: Route53Model, context: GraphContext, entry: { zone: string; name: string }) {
  const evaluator = new Route53Evaluator(model, context);
  const id = `route53:${entry.name}`;
  const label = `Route53 ${entry.name}`;
  const sets = reachableSets(evaluator, entry.zone, entry.name);
  const resources = sets.flat().map((r) => r.address);
  return {
    kind: 'route53',
    id,
    label,
    resources,
    evaluator,
    resolve(client: ClientGroup, health: HealthState) {
      const r = evaluator.resolve(entry.zone, entry.name, client, health);
      return { landings: r.landings, noAnswer: r.noAnswer, notes: r.notes };
    },
    failoverPaths(normal: readonly { client: ClientGroup; landings: readonly Landing[] }[]): FailoverPath[] {
      const grouped = new Map<string, { region: string; detection: Detection; clients: Set<string> }>();
      for (const answer of normal) {
        for (const landing of answer.landings) {
          if (landing.possible || !landing.region || landing.share <= 0) continue;
          const d = pathFailover(model, context, landing.path, landing.region);
          const key = `${landing.region}|${d.seconds}|${d.breakdown}`;
          const entryFor = grouped.get(key) ?? { region: landing.region, detection: d, clients: new Set<string>() };
          entryFor.clients.add(answer.client.label);
          grouped.set(key, entryFor);
        }
      }
      return [...grouped.values()].map((g) => ({ frontDoor: label, region: g.region, seconds: g.detection.seconds, breakdown: g.detection.breakdown, resources: g.detection.resources, clients: [...g.clients] }));
    },
    probes: () => route53Probes(model, context, label),
    diagram(): DiagramPart {
      const nodes: { id: string; label: string; shape?: 'box' | 'round' | 'stadium' | 'hexagon' }[] = [];
      const edges: { from: string; to: string; label?: string; dotted?: boolean }[] = [];
      const setId = (name: string) => `set:${name}`;
      for (const set of sets) {
        const kinds = [...new Set(set.map((r) => r.policy.kind))].join('/');
        nodes.push({ id: setId(set[0].name), label: `${set[0].name} (${kinds})`, shape: set[0].name === entry.name ? 'stadium' : 'box' });
        // Records with the same target and kind share an edge (27 country records to one set are one arrow).
        const byTarget = new Map<string, R53Record[]>();
        for (const r of set) {
          const t = r.target;
          const region = t.kind === 'alb' ? (t.region ?? model.loadBalancers.get(t.lb)?.region) : t.kind === 'cname' ? context.regionOfHost(t.host) : undefined;
          const to =
            t.kind === 'name' ? setId(t.name) : t.kind === 'cname' && evaluator.setOf('', t.host) ? setId(t.host) : region ? `region:${region}` : `endpoint:${t.kind === 'alb' ? t.lb : t.kind === 'cname' ? t.host : t.value}`;
          const key = `${to}|${r.policy.kind}|${!!r.healthCheck}|${r.evaluateTargetHealth}`;
          byTarget.set(key, [...(byTarget.get(key) ?? []), r]);
        }
        for (const [key, records] of byTarget) {
          const r = records[0];
          const policy = records.length === 1 ? describePolicy(r.policy) : `${r.policy.kind} ${summariseLocations(records)}`;
          const label = `${policy}${r.healthCheck ? ' + hc' : ''}${r.target.kind !== 'external' && r.target.kind !== 'cname' && !r.evaluateTargetHealth ? ' (no ETH)' : ''}`;
          edges.push({ from: setId(set[0].name), to: key.split('|')[0], label });
        }
      }
      return { nodes, edges, entry: setId(entry.name) };
    },
    locations() {
      const countries = new Set<string>();
      const continents = new Set<string>();
      const subdivisions: { country: string; subdivision: string }[] = [];
      for (const r of sets.flat()) {
        if (r.policy.kind !== 'geolocation') continue;
        if (r.policy.subdivision && r.policy.country) subdivisions.push({ country: r.policy.country, subdivision: r.policy.subdivision });
        else if (r.policy.country && r.policy.country !== '*') countries.add(r.policy.country);
        else if (r.policy.continent) continents.add(r.policy.continent);
      }
      return { countries: [...countries], continents: [...continents], subdivisions, cloudflareRegions: [] };
    },
  };
}
