/*
 * Route53 failover time and probe load: how long a health check (or evaluate_target_health) takes to see a region
 * fail, the worst case along a path of records plus the resolvers' TTL, and how many probe requests each endpoint
 * check sends.
 */
import { route53DetectionSeconds } from '../facts/failover';
import { continentOf } from './countries';
import { possible } from './health';
import type { ClientGroup, Detection, FailoverCause, GraphContext, PathStep, ProbeSource } from './model';
import { Route53Lookup } from './route53-health';
import { LAST_RESORT_NOTE, Route53Reach } from './route53-reach';
import {
  DEFAULT_TG_INTERVAL,
  DEFAULT_TG_UNHEALTHY,
  QUERY_TYPES,
  type QueryType,
  type R53Record,
  type Route53Model,
} from './route53-model';

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

/** The fastest a Route53 endpoint check can see a failure: request_interval 10 s × failure_threshold 1. */
export const ROUTE53_FASTEST_CHECK_SECONDS = 10;

export type { Detection };

const NEVER: Detection = { seconds: Number.POSITIVE_INFINITY, breakdown: 'nothing detects it', resources: [] };

/**
 * How a region fails, for failover time. The worst case over both is what an SLO can promise:
 * - `unreachable`: the region cannot be reached from outside (network or load-balancer outage as the internet sees
 *   it). In-region signals (ALB target health, CloudWatch alarms on target metrics) can stay green; only external
 *   probes (Route53 HTTP/HTTPS/TCP checks, Cloudflare monitors) see it.
 * - `unhealthy`: the model servers stop answering readiness; every signal sees it.
 */
export type FailureMode = 'unreachable' | 'unhealthy';

type HostRegion = Pick<GraphContext, 'regionOfHost'>;

/** Region an endpoint check probes. */
function probedRegion(model: Route53Model, context: HostRegion, address: string): string | undefined {
  const hc = model.healthChecks.get(address);
  if (!hc) return undefined;
  if (hc.probesLoadBalancer) return model.loadBalancers.get(hc.probesLoadBalancer)?.region;
  return hc.fqdn ? context.regionOfHost(hc.fqdn) : undefined;
}

/** How long a health check takes to report a failure of `region` (Infinity when it does not see it). */
export function healthCheckDetection(
  model: Route53Model,
  context: HostRegion,
  address: string,
  region: string,
  mode: FailureMode = 'unhealthy',
  seen: ReadonlySet<string> = new Set(),
): Detection {
  const hc = model.healthChecks.get(address);
  if (!hc || seen.has(address)) return NEVER;
  if (hc.unknown) return { ...NEVER, breakdown: `unknown: ${address}: ${hc.unknown}`, resources: [address] };
  if (hc.disabled)
    return {
      ...NEVER,
      breakdown: `${address} is disabled (Route53 treats it as ${hc.inverted ? 'unhealthy' : 'healthy'})`,
      resources: [address],
    };
  if (hc.inverted) return { ...NEVER, breakdown: `${address} is inverted`, resources: [address] };
  switch (hc.type) {
    case 'CALCULATED': {
      const next = new Set(seen).add(address);
      const children = hc.children.map((c) => healthCheckDetection(model, context, c, region, mode, next));
      const needed = hc.children.length - hc.childThreshold + 1;
      const finite = children.filter((c) => Number.isFinite(c.seconds)).sort((a, b) => a.seconds - b.seconds);
      if (hc.childThreshold <= 0 || needed <= 0 || finite.length < needed)
        return {
          ...NEVER,
          breakdown:
            `${address} (CALCULATED, ${hc.childThreshold} of ${hc.children.length} children must be healthy) ` +
            'never turns unhealthy',
          resources: [address],
        };
      const decisive = finite[needed - 1];
      return {
        seconds: decisive.seconds,
        breakdown:
          `${address} (CALCULATED: unhealthy once ${needed} of ${hc.children.length} children fail; ` +
          `${finite.map((c) => c.breakdown).join('; ')})`,
        resources: [address, ...decisive.resources],
        // The faster children must fail too: a remedy that speeds up the decisive one must speed them up as well.
        causes: decisive.causes?.map((c) =>
          c.kind === 'route53-check'
            ? {
                ...c,
                alsoChecks: [
                  ...new Set([
                    ...(c.alsoChecks ?? []),
                    ...finite
                      .slice(0, needed - 1)
                      .flatMap((f) => f.causes ?? [])
                      .flatMap((x) => (x.kind === 'route53-check' ? [x.address, ...(x.alsoChecks ?? [])] : [])),
                  ]),
                ].filter((a) => a !== c.address),
              }
            : c,
        ),
      };
    }
    case 'CLOUDWATCH_METRIC': {
      if (hc.alarmRegion !== region || mode === 'unreachable') return NEVER;
      const alarm = hc.alarm ? model.alarms.get(hc.alarm) : undefined;
      if (!alarm)
        return {
          ...NEVER,
          breakdown: `${address}: its CloudWatch alarm is not in the synthesized stacks`,
          resources: [address],
        };
      if (alarm.unknown)
        return {
          ...NEVER,
          breakdown: `unknown: ${alarm.address}: ${alarm.unknown}`,
          resources: [address, alarm.address],
        };
      const seconds = alarm.evaluationPeriods * alarm.period + ROUTE53_ALARM_POLL_SECONDS;
      return {
        seconds,
        breakdown:
          `${address} (CLOUDWATCH_METRIC ${alarm.address}: evaluation_periods ${alarm.evaluationPeriods} × ` +
          `period ${alarm.period} s + ${ROUTE53_ALARM_POLL_SECONDS} s alarm polling (assumed) = ${seconds} s)`,
        resources: [address, alarm.address],
      };
    }
    case 'RECOVERY_CONTROL':
      return NEVER;
    default: {
      if (probedRegion(model, context, address) !== region) return NEVER;
      const seconds = route53DetectionSeconds({
        requestIntervalSeconds: hc.requestInterval,
        failureThreshold: hc.failureThreshold,
      });
      return {
        seconds,
        breakdown:
          `${address} (${hc.type} ${hc.fqdn ?? hc.ipAddress ?? hc.probesLoadBalancer}: request_interval ` +
          `${hc.requestInterval} s × failure_threshold ${hc.failureThreshold} = ${seconds} s)`,
        resources: [address],
        causes: [
          {
            kind: 'route53-check',
            address,
            requestInterval: hc.requestInterval,
            failureThreshold: hc.failureThreshold,
            ttl: 0,
          },
        ],
      };
    }
  }
}

/** How long evaluate_target_health on an ALB alias takes to see the region fail: its target groups' health checks. */
export function targetHealthDetection(
  model: Route53Model,
  record: R53Record,
  region: string,
  mode: FailureMode = 'unhealthy',
): Detection {
  if (!record.evaluateTargetHealth || record.target.kind !== 'alb' || mode === 'unreachable') return NEVER;
  const lb = model.loadBalancers.get(record.target.lb);
  const lbRegion = record.target.region ?? lb?.region;
  if (lbRegion !== region) return NEVER;
  // Same stack and region as the ALB: the library puts one ALB per region (listener wiring is not followed).
  const groups = model.targetGroups.filter((tg) => tg.region === region && (!lb || tg.stack === lb.stack));
  if (groups.length === 0)
    return {
      seconds: DEFAULT_TG_INTERVAL * DEFAULT_TG_UNHEALTHY,
      breakdown: `${record.address} evaluate_target_health on ${record.target.lb} (target group defaults 30 s × 3)`,
      resources: [record.address],
    };
  const unknown = groups.find((tg) => tg.unknown);
  if (unknown)
    return {
      ...NEVER,
      breakdown: `unknown: ${unknown.address}: ${unknown.unknown}`,
      resources: [record.address, unknown.address],
    };
  const worst = [...groups].sort((a, b) => b.interval * b.unhealthyThreshold - a.interval * a.unhealthyThreshold)[0];
  const seconds = worst.interval * worst.unhealthyThreshold;
  return {
    seconds,
    breakdown:
      `${record.address} evaluate_target_health on ${record.target.lb} (${worst.address}: interval ` +
      `${worst.interval} s × unhealthy_threshold ${worst.unhealthyThreshold} = ${seconds} s)`,
    resources: [record.address, worst.address],
  };
}

/**
 * Worst-case failover of one answer path off `region`: for each failure mode, the fastest detector on the path whose
 * verdict can move the path's clients (see `movers`), plus the resolvers' TTL; the result is the slower mode
 * (usually `unreachable`, seen only by probes).
 */
export function pathFailover(
  model: Route53Model,
  context: HostRegion,
  path: readonly PathStep[],
  region: string,
): Detection {
  // Which detectors can move the clients does not depend on the failure mode: decided once.
  const levels = levelsOf(model, path);
  const moving = movers(model, context, levels, region);
  const unreachable = pathFailoverIn(model, context, path, levels, moving, region, 'unreachable');
  const unhealthy = pathFailoverIn(model, context, path, levels, moving, region, 'unhealthy');
  const worst = unreachable.seconds >= unhealthy.seconds ? unreachable : unhealthy;
  const other = worst === unreachable ? unhealthy : unreachable;
  const name = (d: Detection) =>
    d === unreachable
      ? 'region unreachable from outside (only external probes see it)'
      : 'model servers unhealthy (every signal sees it)';
  return {
    seconds: worst.seconds,
    breakdown:
      `worst case, ${name(worst)}: ${worst.breakdown}; when ${name(other)}: ` +
      `${Number.isFinite(other.seconds) ? `${other.seconds} s` : 'never'}`,
    resources: worst.resources.length > 0 ? worst.resources : other.resources,
    causes: worst.causes,
  };
}

/** One level of a path: the record chosen from one set, and the records of that set passed over as unhealthy. */
interface Level {
  readonly record: R53Record;
  readonly note?: string;
  readonly skipped: readonly R53Record[];
}

const byAllUnhealthyRule = (level: Level) => !!level.note && LAST_RESORT_NOTE.test(level.note);

function levelsOf(model: Route53Model, path: readonly PathStep[]): Level[] {
  const out: Level[] = [];
  let skipped: R53Record[] = [];
  for (const step of path) {
    const record = model.records.get(step.address);
    if (step.note?.startsWith('passed over')) {
      if (record) skipped.push(record);
      continue;
    }
    if (!record) continue;
    out.push({
      record,
      note: step.note,
      skipped: skipped.filter((x) => x.zone === record.zone && x.name === record.name),
    });
    skipped = [];
  }
  return out;
}

const lookups = new WeakMap<Route53Model, Route53Lookup>();

/** A client no geolocation record matches: what the health of a record that does not depend on location needs. */
const NOWHERE: ClientGroup = {
  id: 'timing:nowhere',
  label: 'timing',
  kind: 'elsewhere',
  continent: 'AN',
  cloudflareRegion: 'WEU',
  latitude: 0,
  longitude: 0,
};

/**
 * Whether `record` can be healthy while `region` is down (some state of the other regions makes it so). A record
 * whose health depends on the client's location (evaluate_target_health into a geolocation set) is not credited.
 */
function canBeHealthyWithout(model: Route53Model, context: HostRegion, record: R53Record, region: string): boolean {
  return memoised(healthyWithout, model, `${record.address}|${region}`, () =>
    canBeHealthyWithoutUncached(model, context, record, region),
  );
}

function canBeHealthyWithoutUncached(
  model: Route53Model,
  context: HostRegion,
  record: R53Record,
  region: string,
): boolean {
  let lookup = lookups.get(model);
  if (!lookup) lookups.set(model, (lookup = new Route53Lookup(model, context)));
  const qtype: QueryType = (QUERY_TYPES as readonly string[]).includes(record.type) ? (record.type as QueryType) : 'A';
  if (lookup.recordDependsOnLocation(record, qtype)) return false;
  return possible([lookup.record(record, NOWHERE, qtype)], { fixed: (a) => (a.region === region ? false : undefined) });
}

const reaches = new WeakMap<Route53Model, Route53Reach>();

// Both answers depend only on the model, the record and the region; every path through a set asks them again.
const healthyWithout = new WeakMap<Route53Model, Map<string, boolean>>();
const landsOn = new WeakMap<Route53Model, Map<string, boolean>>();
function memoised(
  cache: WeakMap<Route53Model, Map<string, boolean>>,
  model: Route53Model,
  key: string,
  compute: () => boolean,
): boolean {
  let answers = cache.get(model);
  if (!answers) cache.set(model, (answers = new Map()));
  let v = answers.get(key);
  if (v === undefined) answers.set(key, (v = compute()));
  return v;
}

/**
 * Whether an answer through `record` can still be in `region` once the region's failure is seen (its signals
 * unhealthy), other than by the every-record-unhealthy rule (nowhere healthy to go, availability's concern).
 */
function mayLandOn(model: Route53Model, context: HostRegion, record: R53Record, region: string): boolean {
  return memoised(landsOn, model, `${record.address}|${region}`, () =>
    mayLandOnUncached(model, context, record, region),
  );
}

function mayLandOnUncached(model: Route53Model, context: HostRegion, record: R53Record, region: string): boolean {
  const t = record.target;
  if (t.kind === 'alb') return (t.region ?? model.loadBalancers.get(t.lb)?.region) === region;
  if (t.kind === 'external' || t.kind === 'delegation') return false;
  let lookup = lookups.get(model);
  if (!lookup) lookups.set(model, (lookup = new Route53Lookup(model, context)));
  let reach = reaches.get(model);
  // Declarations do not matter here: an unplaced landing never counts as the region.
  if (!reach)
    reaches.set(
      model,
      (reach = new Route53Reach(
        model,
        { regionOfHost: context.regionOfHost, declaredEndpoint: () => undefined },
        lookup,
      )),
    );
  const zones = t.kind === 'name' ? [t.zone] : lookup.zonesFor(NOWHERE, t.host);
  const name = t.kind === 'name' ? t.name : t.host;
  const down = { fixed: (a: { region?: string }) => (a.region === region ? false : undefined) };
  return zones.some((zone) =>
    reach!
      .entry(zone, name, NOWHERE)
      .some(
        (p) =>
          p.landing.region === region &&
          !p.path.some((s) => s.note !== undefined && LAST_RESORT_NOTE.test(s.note)) &&
          possible(p.conditions, down),
      ),
  );
}

/**
 * Whether Route53 answers the level's clients with another record of the level's set once the level's record turns
 * unhealthy, in some state of the other regions: the detector's verdict can change the answer. Route53 answers a set
 * whose records are all unhealthy as if all were healthy, so
 * - latency, geoproximity, multivalue, a weighted record with weight > 0, a failover PRIMARY: only another record that
 *   can be healthy while `region` is down moves them (all unhealthy: the same choice again), unless the record was
 *   chosen over unhealthy ones that the "all unhealthy" answer returns to (geoproximity's nearest, a VPC's own region);
 * - a failover SECONDARY, a zero-weight record, a less specific geolocation record: "all unhealthy" answers the
 *   PRIMARY, the weighted records, the most specific record, so they always move (to where availability judges);
 * - geolocation: besides the records passed over, only the less specific records that match every client of the
 *   record count (the default; a country's continent; a subdivision's country);
 * - simple, CIDR and a one-record set: nothing (the record is answered whatever its health).
 */
function hasAlternative(model: Route53Model, context: HostRegion, level: Level, region: string): boolean {
  const r = level.record;
  if (byAllUnhealthyRule(level)) return false;
  const set = model.sets.get(`${r.zone}|${r.name}|${r.type}`) ?? [r];
  if (set.some((o) => o.policy.kind !== r.policy.kind)) return false;
  const others = set.filter((o) => o !== r);
  // Another record that can stay healthy while the region is down and still leads there (checked by another
  // region's check, or not at all) keeps clients on the failed region after the detector fires: no move.
  if (others.some((o) => canBeHealthyWithout(model, context, o, region) && mayLandOn(model, context, o, region)))
    return false;
  const healthyElsewhere = (xs: readonly R53Record[]) => xs.some((o) => canBeHealthyWithout(model, context, o, region));
  const p = r.policy;
  switch (p.kind) {
    case 'latency':
      // A VPC client's own-region record, passed over, is what "all unhealthy" answers.
      return level.skipped.length > 0 || healthyElsewhere(others);
    case 'geoproximity':
      return level.skipped.length > 0 || healthyElsewhere(others);
    case 'multivalue':
      return healthyElsewhere(others);
    case 'weighted': {
      const weight = (x: R53Record) => (x.policy.kind === 'weighted' ? x.policy.weight : 0);
      if (weight(r) > 0) return healthyElsewhere(others);
      return others.some((o) => weight(o) > 0) || healthyElsewhere(others);
    }
    case 'failover':
      if (p.role === 'SECONDARY')
        return others.some((o) => o.policy.kind === 'failover' && o.policy.role === 'PRIMARY');
      return healthyElsewhere(others.filter((o) => o.policy.kind === 'failover' && o.policy.role === 'SECONDARY'));
    case 'geolocation': {
      if (level.skipped.length > 0) return true;
      if (p.country === '*') return false;
      const continent = p.country ? continentOf(p.country) : undefined;
      return healthyElsewhere(
        others.filter((o) => {
          const g = o.policy.kind === 'geolocation' ? o.policy : undefined;
          if (!g) return false;
          if (g.country === '*') return true;
          if (g.subdivision) return false;
          if (g.country) return !!p.subdivision && g.country === p.country;
          return !!g.continent && !p.continent && g.continent === continent;
        }),
      );
    }
    default:
      return false;
  }
}

/**
 * Which levels' detectors can move the path's clients: level i's can when its set has an alternative record, or when
 * its record's health reaches level i-1 (an alias with evaluate_target_health, not itself chosen by the "every record
 * unhealthy" rule) and level i-1's can. `eth` adds records treated as if evaluate_target_health were on.
 */
function movers(
  model: Route53Model,
  context: HostRegion,
  levels: readonly Level[],
  region: string,
  eth: ReadonlySet<string> = new Set(),
): { moves: boolean[]; alternative: boolean[] } {
  const moves: boolean[] = [];
  const alternative: boolean[] = [];
  levels.forEach((level, i) => {
    alternative.push(hasAlternative(model, context, level, region));
    moves.push(
      !byAllUnhealthyRule(level) && (alternative[i] || (i > 0 && propagates(levels[i - 1], eth) && moves[i - 1])),
    );
  });
  return { moves, alternative };
}

/** Whether a level's record takes its health from the next level's set (an alias with evaluate_target_health). */
function propagates(parent: Level, eth: ReadonlySet<string>): boolean {
  const r = parent.record;
  if (!r.alias || r.target.kind !== 'name') return false;
  if (byAllUnhealthyRule(parent)) return false;
  return r.evaluateTargetHealth || eth.has(r.address);
}

/** The detectors of one level's record: its own health check, and evaluate_target_health on an ALB alias. */
function detectorsAt(
  model: Route53Model,
  context: HostRegion,
  record: R53Record,
  region: string,
  mode: FailureMode,
): Detection[] {
  const hc = record.healthCheck ? healthCheckDetection(model, context, record.healthCheck, region, mode) : NEVER;
  const eth = targetHealthDetection(model, record, region, mode);
  return [hc, eth]
    .filter((d) => Number.isFinite(d.seconds))
    .map((d) => ({ ...d, resources: [record.address, ...d.resources] }));
}

/** The TTL resolvers cache answers of the path with: the largest record TTL, and the fixed 60 s of an ALB alias. */
function pathTtl(levels: readonly Level[]): {
  ttl: number;
  why: string;
  fixed: number;
  records: { address: string; ttl: number }[];
} {
  let ttl = 0;
  let why = '';
  let fixed = 0;
  const records: { address: string; ttl: number }[] = [];
  for (const { record } of levels) {
    if (!record.alias && (record.ttl ?? 0) > 0) {
      records.push({ address: record.address, ttl: record.ttl! });
      if (record.ttl! > ttl) {
        ttl = record.ttl!;
        why = `TTL ${ttl} s (${record.address} ${record.type})`;
      }
    }
    if (record.target.kind === 'alb') {
      fixed = ALB_ALIAS_TTL_SECONDS;
      if (ALB_ALIAS_TTL_SECONDS > ttl) {
        ttl = ALB_ALIAS_TTL_SECONDS;
        why = `TTL ${ALB_ALIAS_TTL_SECONDS} s (alias to an ALB)`;
      }
    }
  }
  return { ttl, why, fixed, records };
}

function fastest(
  model: Route53Model,
  context: HostRegion,
  levels: readonly Level[],
  moves: readonly boolean[],
  region: string,
  mode: FailureMode,
): Detection {
  let best: Detection = NEVER;
  levels.forEach((level, i) => {
    if (!moves[i]) return;
    for (const d of detectorsAt(model, context, level.record, region, mode)) if (d.seconds < best.seconds) best = d;
  });
  return best;
}

function pathFailoverIn(
  model: Route53Model,
  context: HostRegion,
  path: readonly PathStep[],
  levels: readonly Level[],
  moving: ReturnType<typeof movers>,
  region: string,
  mode: FailureMode,
): Detection {
  const { moves, alternative } = moving;
  const best = fastest(model, context, levels, moves, region, mode);
  const t = pathTtl(levels);
  if (!Number.isFinite(best.seconds)) {
    const why = undetectedWhy(model, context, levels, moves, alternative, region, mode);
    // What would make it visible: evaluate_target_health on the aliases between a detector and the level that can move.
    const chooserIndex = alternative.lastIndexOf(true);
    const chooser = chooserIndex >= 0 ? levels[chooserIndex].record.address : undefined;
    let enable: { records: string[]; seconds: number; breakdown: string } | undefined;
    if (chooserIndex >= 0) {
      const aliases = levels
        .slice(chooserIndex)
        .filter(
          (l) =>
            l.record.alias &&
            l.record.target.kind === 'name' &&
            !l.record.evaluateTargetHealth &&
            !byAllUnhealthyRule(l),
        );
      if (aliases.length > 0) {
        const eth = new Set(aliases.map((l) => l.record.address));
        const d = fastest(model, context, levels, movers(model, context, levels, region, eth).moves, region, mode);
        if (Number.isFinite(d.seconds)) {
          // Only the aliases between the chooser and the detector need it.
          const needed = aliases
            .filter((l) => levels.indexOf(l) < levels.findIndex((x) => x.record.address === d.resources[0]))
            .map((l) => l.record.address);
          enable = { records: needed, seconds: d.seconds + t.ttl, breakdown: `${d.breakdown} + ${t.why || 'no TTL'}` };
        }
      }
    }
    return {
      ...NEVER,
      breakdown: why,
      resources: path.map((s) => s.address),
      causes: [{ kind: 'undetected', why, chooser, region, ttl: t.ttl, enable, nowhere: !alternative.some(Boolean) }],
    };
  }
  const causes: FailoverCause[] = (best.causes ?? []).map((c) =>
    c.kind === 'route53-check' ? { ...c, ttl: t.ttl, fixedTtl: t.fixed, ttlRecords: t.records } : c,
  );
  return {
    seconds: best.seconds + t.ttl,
    breakdown: `${best.breakdown} + ${t.why || 'no TTL'} = ${best.seconds + t.ttl} s`,
    resources: best.resources,
    causes,
  };
}

/** Why nothing on the path moves its clients off `region`: the detectors that see it and why each cannot. */
function undetectedWhy(
  model: Route53Model,
  context: HostRegion,
  levels: readonly Level[],
  moves: readonly boolean[],
  alternative: readonly boolean[],
  region: string,
  mode: FailureMode,
): string {
  const seen = mode === 'unhealthy' ? ' or target health' : ' probing from outside';
  const idle: string[] = [];
  levels.forEach((level, i) => {
    if (moves[i]) return;
    for (const d of detectorsAt(model, context, level.record, region, mode)) {
      const r = level.record;
      const set = `${r.name} ${r.type}`;
      const reasons = [
        `its set ${set} gives its clients no other record once it is unhealthy (a set whose records are all ` +
          'unhealthy is answered as if all were healthy)',
      ];
      for (let j = i; j > 0 && !alternative[j]; j--) {
        const parent = levels[j - 1];
        if (!propagates(parent, new Set())) {
          reasons.push(
            parent.record.alias && parent.record.target.kind === 'name'
              ? byAllUnhealthyRule(parent)
                ? `${parent.record.address} above it is already answered as unhealthy`
                : `${parent.record.address} aliases ${levels[j].record.name} with evaluate_target_health false, ` +
                  'so that health stops there'
              : `${parent.record.address} (${parent.record.type}, not an alias with evaluate_target_health) does ` +
                  `not take the health of ${levels[j].record.name}`,
          );
          break;
        }
      }
      idle.push(`${d.breakdown} on ${r.address} sees ${region} fail but cannot move anyone: ${reasons.join('; ')}`);
    }
  });
  if (idle.length > 0) return `nothing on the path moves its clients off ${region}: ${idle.join('; ')}`;
  // Checks whose settings are unknown at synth see nothing the proof can count: say which, and why.
  const unknown = levels
    .flatMap(({ record }) => [
      record.healthCheck ? healthCheckDetection(model, context, record.healthCheck, region, mode) : NEVER,
      targetHealthDetection(model, record, region, mode),
    ])
    .filter((d) => d.breakdown.startsWith('unknown: '))
    .map((d) => d.breakdown);
  const because = unknown.length > 0 ? ` (${[...new Set(unknown)].join('; ')})` : '';
  if (!alternative.some(Boolean))
    return (
      `no record on the path has a health check${seen} that sees ${region} fail${because}, and no set on it can ` +
      `give its clients another record once ${region} is down`
    );
  return `no record on the path has a health check${seen} that sees ${region} fail${because}`;
}

/** Probe traffic of every endpoint health check (HTTP/HTTPS/TCP): checker regions × checkers per region / interval. */
export function route53Probes(model: Route53Model, context: HostRegion, frontDoor: string): ProbeSource[] {
  const out: ProbeSource[] = [];
  for (const hc of model.healthChecks.values()) {
    if (hc.disabled || ['CALCULATED', 'CLOUDWATCH_METRIC', 'RECOVERY_CONTROL'].includes(hc.type)) continue;
    const origin = hc.fqdn ?? hc.ipAddress ?? hc.probesLoadBalancer;
    if (!origin) continue;
    const regions = hc.regions?.length ?? ROUTE53_DEFAULT_CHECKER_REGION_COUNT;
    const rps = (regions * ROUTE53_CHECKERS_PER_REGION) / hc.requestInterval;
    out.push({
      origin,
      region: probedRegion(model, context, hc.address),
      frontDoor,
      resource: hc.address,
      requestsPerSecond: rps,
      derivation:
        `${regions} checker regions${hc.regions ? '' : ' (all: none listed)'} × ${ROUTE53_CHECKERS_PER_REGION} ` +
        `checkers / ${hc.requestInterval} s`,
    });
  }
  return out;
}
