/*
 * Remedies printed with a failover-time violation: settings that, applied, bring the path within the budget, or
 * the plain statement that the declared plan or DNS failover cannot (never a setting the provider refuses).
 * Numbers come from the same arithmetic as the detection: Route53 request_interval (10 or 30 s) × failure_threshold
 * (1-10) + TTL; Cloudflare interval (≥ the plan minimum) × consecutive_down + timeout × (retries + 1) + TTL.
 */
import { CLOUDFLARE_PLANS, PLAN_MIN_MONITOR_INTERVAL_SECONDS, type CloudflarePlan } from '../facts/provider-facts';
import type { Detection, FailoverCause, ServiceIntent } from './model';
import { CLOUDFLARE_MIN_TIMEOUT_SECONDS } from './cloudflare-timing';
import { ROUTE53_FASTEST_CHECK_SECONDS } from './route53-timing';

/** The largest budget the spec accepts (slo.failoverSeconds ≤ 3600). */
const MAX_BUDGET = 3600;

/** The remedy for a path over the budget, or undefined when there is nothing a setting can do. */
export function failoverRemedy(d: Detection, slo: number, intent: ServiceIntent): string | undefined {
  const cause = d.causes?.[0];
  const raise =
    Number.isFinite(d.seconds) && d.seconds <= MAX_BUDGET
      ? `raise slo.failoverSeconds to ${Math.ceil(d.seconds)} or more`
      : undefined;
  if (!cause) return raise;
  switch (cause.kind) {
    case 'route53-check':
      return [route53Remedy(cause, slo, intent), raise].filter(Boolean).join('; or ');
    case 'cloudflare-monitor':
      return [cloudflareRemedy(cause, slo, intent), raise].filter(Boolean).join('; or ');
    case 'edge-router': {
      const perAttempt = Math.floor((slo * 1000) / cause.maxAttempts);
      return [
        `lower edgeRouter.attemptTimeoutMs to ${perAttempt} or less (× ${cause.maxAttempts} attempts ≤ ${slo} ` +
          's), or lower maxAttempts',
        raise,
      ]
        .filter(Boolean)
        .join('; or ');
    }
    case 'declared':
      return [
        `the declaration of ${cause.endpoint.name} (${cause.endpoint.declaredBy}) promises ` +
          `${cause.endpoint.failoverSeconds} s; route to an endpoint that fails over within ${slo} s`,
        raise,
      ]
        .filter(Boolean)
        .join('; or ');
    case 'undetected':
      return undetectedRemedy(cause, slo, intent);
  }
}

/**
 * A Route53 path over the budget: detection (request_interval × failure_threshold) + TTL. The TTL is the largest on
 * the path; a record's own `ttl` can be lowered, the 60 s of an alias to an ALB cannot. Offered, each enough alone:
 * lower the records' TTLs; a faster check; both; else the plain statement that DNS failover cannot meet the budget.
 */
function route53Remedy(
  c: Extract<FailoverCause, { kind: 'route53-check' }>,
  slo: number,
  intent: ServiceIntent,
): string {
  const fixed = c.ttlRecords ? (c.fixedTtl ?? 0) : c.ttl;
  const detect = c.requestInterval * c.failureThreshold;
  const records = c.ttlRecords ?? [];
  const checks = [c.address, ...(c.alsoChecks ?? [])];
  const lowerTtl = (max: number) => {
    const over = records.filter((r) => r.ttl > max);
    return `lower the TTL of ${over.map((r) => `${r.address} (ttl ${r.ttl})`).join(', ')} to ${max} s or less`;
  };
  const options: string[] = [];
  // Lower the records' TTLs, keeping the check.
  if (c.ttl > fixed && slo - detect >= fixed) {
    const max = slo - detect;
    options.push(
      `${lowerTtl(max)} (${detect} s detection + ${Math.max(max, fixed)} s TTL = ${detect + Math.max(max, fixed)} s)`,
    );
  }
  // A faster check, keeping the TTLs.
  const room = slo - c.ttl;
  if (room >= ROUTE53_FASTEST_CHECK_SECONDS) options.push(checkSetting(c, checks, room, c.ttl, intent));
  // Both.
  if (options.length === 0 && slo - fixed >= ROUTE53_FASTEST_CHECK_SECONDS) {
    const threshold = Math.max(1, Math.min(c.failureThreshold, Math.floor((slo - fixed) / 10)));
    const max = slo - 10 * threshold;
    options.push(`${checkSetting(c, checks, 10 * threshold, max, intent)}, and ${lowerTtl(max)}`);
  }
  if (options.length > 0) return options.join('; or ');
  return (
    'the budget cannot be met by Route53 DNS failover on this path: the fastest health check (request_interval ' +
    `10 s × failure_threshold 1) plus the ${fixed} s TTL is ` +
    `${ROUTE53_FASTEST_CHECK_SECONDS + fixed} s, over ${slo} ` +
    `s${fixed > 0 && c.ttlRecords ? ` (the ${fixed} s of an alias to an ALB, which no record setting lowers)` : ''}; ` +
    'put a front door with in-request retries (the edge router) in front for this budget'
  );
}

/** request_interval × failure_threshold within `room` seconds on the path's checks (the spec's when they are its). */
function checkSetting(
  c: Extract<FailoverCause, { kind: 'route53-check' }>,
  checks: readonly string[],
  room: number,
  ttl: number,
  intent: ServiceIntent,
): string {
  const interval = c.requestInterval === 30 && room >= 30 ? 30 : 10;
  const threshold = Math.min(10, Math.floor(room / interval));
  const spec =
    intent.health &&
    intent.health.intervalSeconds === c.requestInterval &&
    intent.health.failureThreshold === c.failureThreshold;
  return spec
    ? `set health.intervalSeconds: ${interval} and health.failureThreshold: ${threshold} (${interval} s × ` +
        `${threshold} + ${ttl} s TTL = ${interval * threshold + ttl} s)`
    : `set request_interval ${interval} and failure_threshold ${threshold} on ${checks.join(' and ')} ` +
        `(${interval} s × ${threshold} + ${ttl} s TTL = ${interval * threshold + ttl} s; it is not the spec's ` +
        `health check, so change the override that set ${c.requestInterval} s × ${c.failureThreshold})`;
}

/** A path on which nothing moves the clients: what would, named. */
function undetectedRemedy(
  c: Extract<FailoverCause, { kind: 'undetected' }>,
  slo: number,
  intent: ServiceIntent,
): string {
  if (c.fix) return c.fix;
  const generic =
    `make the failure visible on this path (${c.why}): a Route53 health check probing the region's hostname on ` +
    'the record that chooses it, or a monitor on the Cloudflare pool; an undeclared endpoint outside the stacks ' +
    'needs an externalEndpoints declaration';
  if (!c.region) return generic;
  const options: string[] = [];
  if (c.enable && c.enable.seconds <= slo && c.enable.records.length > 0) {
    options.push(
      `set evaluate_target_health: true on ${c.enable.records.join(', ')}, so the health below reaches the ` +
        `record that can move the clients (${c.enable.breakdown} = ${c.enable.seconds} s)`,
    );
  }
  const ttl = c.ttl ?? 0;
  const host = intent.regions[c.region]?.hostname;
  if (c.chooser && host && slo - ttl >= ROUTE53_FASTEST_CHECK_SECONDS) {
    const threshold = Math.min(10, Math.floor((slo - ttl) / 10));
    options.push(
      `give ${c.chooser} its own health check (health_check_id) of type HTTPS probing ${host} with ` +
        `request_interval 10 and failure_threshold ${threshold} (10 s × ${threshold} + ${ttl} s TTL = ` +
        `${10 * threshold + ttl} s)`,
    );
  }
  if (options.length > 0) return options.join('; or ');
  if (!c.chooser)
    return (
      `nothing can move these clients off ${c.region}: no record set on the path can give them another record ` +
      `once ${c.region} is down; add a record for another region to the set that chooses ${c.region}, or accept ` +
      'the outage (slo.survivesRegionFailure: false)'
    );
  return generic;
}

function cloudflareRemedy(
  c: Extract<FailoverCause, { kind: 'cloudflare-monitor' }>,
  slo: number,
  intent: ServiceIntent,
): string {
  const plan = (CLOUDFLARE_PLANS as readonly string[]).includes(intent.cloudflarePlan ?? '')
    ? (intent.cloudflarePlan as CloudflarePlan)
    : undefined;
  const minimum = PLAN_MIN_MONITOR_INTERVAL_SECONDS[plan ?? 'enterprise'];
  const fastest = minimum + CLOUDFLARE_MIN_TIMEOUT_SECONDS + c.ttl;
  if (slo < fastest) {
    const better = CLOUDFLARE_PLANS.filter(
      (p) => PLAN_MIN_MONITOR_INTERVAL_SECONDS[p] + CLOUDFLARE_MIN_TIMEOUT_SECONDS + c.ttl <= slo,
    );
    return (
      `the budget cannot be met${plan ? ` on the ${plan} plan` : ''}: the fastest a monitor can mark a pool ` +
      `unhealthy there is ${minimum} s (minimum interval) × 1 + ${CLOUDFLARE_MIN_TIMEOUT_SECONDS} s timeout` +
      `${c.ttl > 0 ? ` + ${c.ttl} s TTL (DNS-only)` : ''} = ${fastest} s, over ${slo} s` +
      (better.length > 0
        ? `; the ${better.join(' or ')} plan allows it`
        : c.ttl > 0
          ? '; proxying the load balancer removes the TTL'
          : '; put the edge router (in-request retries) in front for this budget')
    );
  }
  // Keep the probe's timeout and retries, then the interval, and find consecutive_down; else the plan minimum.
  const probe = c.timeout * (c.retries + 1);
  for (const interval of [c.interval, minimum]) {
    const down = Math.floor((slo - c.ttl - probe) / interval);
    if (interval >= minimum && down >= 1) {
      const total = interval * Math.min(down, c.consecutiveDown) + probe + c.ttl;
      const cd = Math.min(down, c.consecutiveDown);
      return (
        `set interval ${interval} and consecutive_down ${cd} on ${c.address} ` +
        `(cloudflare.monitor.intervalSeconds: ${interval}, consecutiveDown: ${cd}): ${interval} s × ${cd} + ` +
        `${c.timeout} s × (${c.retries} + 1)${c.ttl ? ` + ${c.ttl} s TTL` : ''} = ${total} s`
      );
    }
  }
  return (
    `set interval ${minimum}, consecutive_down 1, timeout ${CLOUDFLARE_MIN_TIMEOUT_SECONDS} and retries 0 on ` +
    `${c.address} (cloudflare.monitor: intervalSeconds ${minimum}, consecutiveDown 1, timeoutSeconds ` +
    `${CLOUDFLARE_MIN_TIMEOUT_SECONDS}, retries 0) = ${fastest} s`
  );
}
