/*
 * Route53 failover time and probe load: how long a health check (or evaluate_target_health) takes to see a region
 * fail, the worst case along a path of records plus the resolvers' TTL, and how many probe requests each endpoint
 * check sends.
 */
import { route53DetectionSeconds } from '../facts/failover';
import type { Detection, FailoverCause, GraphContext, PathStep, ProbeSource } from './model';
import { DEFAULT_TG_INTERVAL, DEFAULT_TG_UNHEALTHY, type R53Record, type Route53Model } from './route53-model';

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
export function healthCheckDetection(model: Route53Model, context: HostRegion, address: string, region: string, mode: FailureMode = 'unhealthy', seen: ReadonlySet<string> = new Set()): Detection {
  const hc = model.healthChecks.get(address);
  if (!hc || seen.has(address)) return NEVER;
  if (hc.unknown) return { ...NEVER, breakdown: `unknown: ${address}: ${hc.unknown}`, resources: [address] };
  if (hc.disabled) return { ...NEVER, breakdown: `${address} is disabled (Route53 treats it as ${hc.inverted ? 'unhealthy' : 'healthy'})`, resources: [address] };
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
        causes: decisive.causes,
      };
    }
    case 'CLOUDWATCH_METRIC': {
      if (hc.alarmRegion !== region || mode === 'unreachable') return NEVER;
      const alarm = hc.alarm ? model.alarms.get(hc.alarm) : undefined;
      if (!alarm) return { ...NEVER, breakdown: `${address}: its CloudWatch alarm is not in the synthesized stacks`, resources: [address] };
      if (alarm.unknown) return { ...NEVER, breakdown: `unknown: ${alarm.address}: ${alarm.unknown}`, resources: [address, alarm.address] };
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
      if (probedRegion(model, context, address) !== region) return NEVER;
      const seconds = route53DetectionSeconds({ requestIntervalSeconds: hc.requestInterval, failureThreshold: hc.failureThreshold });
      return {
        seconds,
        breakdown: `${address} (${hc.type} ${hc.fqdn ?? hc.ipAddress ?? hc.probesLoadBalancer}: request_interval ${hc.requestInterval} s × failure_threshold ${hc.failureThreshold} = ${seconds} s)`,
        resources: [address],
        causes: [{ kind: 'route53-check', address, requestInterval: hc.requestInterval, failureThreshold: hc.failureThreshold, ttl: 0 }],
      };
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
  const unknown = groups.find((tg) => tg.unknown);
  if (unknown) return { ...NEVER, breakdown: `unknown: ${unknown.address}: ${unknown.unknown}`, resources: [record.address, unknown.address] };
  const worst = [...groups].sort((a, b) => b.interval * b.unhealthyThreshold - a.interval * a.unhealthyThreshold)[0];
  const seconds = worst.interval * worst.unhealthyThreshold;
  return { seconds, breakdown: `${record.address} evaluate_target_health on ${record.target.lb} (${worst.address}: interval ${worst.interval} s × unhealthy_threshold ${worst.unhealthyThreshold} = ${seconds} s)`, resources: [record.address, worst.address] };
}

/**
 * Worst-case failover of one answer path off `region`: for each failure mode, the fastest record on the path that
 * sees it, plus the resolvers' TTL; the result is the slower mode (usually `unreachable`, seen only by probes).
 */
export function pathFailover(model: Route53Model, context: HostRegion, path: readonly PathStep[], region: string): Detection {
  const unreachable = pathFailoverIn(model, context, path, region, 'unreachable');
  const unhealthy = pathFailoverIn(model, context, path, region, 'unhealthy');
  const worst = unreachable.seconds >= unhealthy.seconds ? unreachable : unhealthy;
  const other = worst === unreachable ? unhealthy : unreachable;
  const name = (d: Detection) => (d === unreachable ? 'region unreachable from outside (only external probes see it)' : 'model servers unhealthy (every signal sees it)');
  return {
    seconds: worst.seconds,
    breakdown: `worst case, ${name(worst)}: ${worst.breakdown}; when ${name(other)}: ${Number.isFinite(other.seconds) ? `${other.seconds} s` : 'never'}`,
    resources: worst.resources.length > 0 ? worst.resources : other.resources,
    causes: worst.causes,
  };
}

function pathFailoverIn(model: Route53Model, context: HostRegion, path: readonly PathStep[], region: string, mode: FailureMode): Detection {
  let best: Detection = NEVER;
  let ttl = 0;
  let ttlWhy = '';
  const unknown: string[] = [];
  for (const step of path) {
    const record = model.records.get(step.address);
    if (!record || step.note?.startsWith('passed over')) continue;
    const hc = record.healthCheck ? healthCheckDetection(model, context, record.healthCheck, region, mode) : NEVER;
    const eth = targetHealthDetection(model, record, region, mode);
    for (const d of [hc, eth]) {
      if (d.seconds < best.seconds) best = { ...d, resources: [record.address, ...d.resources] };
      if (d.breakdown.startsWith('unknown: ')) unknown.push(d.breakdown);
    }
    if (!record.alias && (record.ttl ?? 0) > ttl) {
      ttl = record.ttl ?? 0;
      ttlWhy = `TTL ${ttl} s (${record.address} ${record.type})`;
    }
    if (record.target.kind === 'alb' && ALB_ALIAS_TTL_SECONDS > ttl) {
      ttl = ALB_ALIAS_TTL_SECONDS;
      ttlWhy = `TTL ${ALB_ALIAS_TTL_SECONDS} s (alias to an ALB)`;
    }
  }
  if (!Number.isFinite(best.seconds)) {
    return {
      ...NEVER,
      breakdown: `no record on the path has a health check${mode === 'unhealthy' ? ' or target health' : ' probing from outside'} that sees ${region} fail${unknown.length > 0 ? ` (${unknown.join('; ')})` : ''}`,
      resources: path.map((s) => s.address),
      causes: [{ kind: 'undetected', why: `no record on the path has a health check that sees ${region} fail` }],
    };
  }
  const causes: FailoverCause[] = (best.causes ?? []).map((c) => (c.kind === 'route53-check' ? { ...c, ttl } : c));
  return { seconds: best.seconds + ttl, breakdown: `${best.breakdown} + ${ttlWhy || 'no TTL'} = ${best.seconds + ttl} s`, resources: best.resources, causes };
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
      derivation: `${regions} checker regions${hc.regions ? '' : ' (all: none listed)'} × ${ROUTE53_CHECKERS_PER_REGION} checkers / ${hc.requestInterval} s`,
    });
  }
  return out;
}
