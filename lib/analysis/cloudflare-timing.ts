/*
 * Cloudflare failover time and probe load: how long a pool's monitor takes to mark it unhealthy (plus the DNS TTL
 * when the load balancer is DNS-only), the fastest the zone's plan allows, and the probes each monitor sends.
 */
import { PLAN_MIN_MONITOR_INTERVAL_SECONDS, type CloudflarePlan } from '../facts/provider-facts';
import type { CfLoadBalancer, CloudflareModel } from './cloudflare-model';
import { cloudflareDetectionSeconds } from '../facts/failover';
import type { Detection, ProbeSource } from './model';
import { plural } from '../util/strings';

/** Cloudflare monitors probe from three data centers in each check region (the majority decides). */
export const CLOUDFLARE_PROBES_PER_REGION = 3;
/** Check regions counted when a pool lists none (every region: 13). */
export const CLOUDFLARE_ALL_REGIONS = 13;
/** The shortest probe timeout a monitor accepts (seconds). */
export const CLOUDFLARE_MIN_TIMEOUT_SECONDS = 1;

/** Worst-case seconds from an origin failing to the monitor marking its pool unhealthy, plus the TTL when DNS-only. */
export function poolDetection(model: CloudflareModel, lb: CfLoadBalancer, poolAddress: string): Detection {
  const pool = model.pools.get(poolAddress);
  const monitor = pool?.monitor ? model.monitors.get(pool.monitor) : undefined;
  if (!pool?.monitor)
    return {
      seconds: Number.POSITIVE_INFINITY,
      breakdown: `${poolAddress} has no monitor: Cloudflare never marks it unhealthy`,
      resources: [poolAddress],
      causes: [{ kind: 'undetected', why: `${poolAddress} has no monitor` }],
    };
  if (!monitor)
    return {
      seconds: Number.POSITIVE_INFINITY,
      breakdown: `${poolAddress}: its monitor ${pool.monitor} is not in the synthesized stacks`,
      resources: [poolAddress],
      causes: [{ kind: 'undetected', why: `the monitor of ${poolAddress} is not in the stacks` }],
    };
  if (monitor.unknown || pool.unknown || lb.unknown) {
    const why = monitor.unknown
      ? `${monitor.address}: ${monitor.unknown}`
      : pool.unknown
        ? `${poolAddress}: ${pool.unknown}`
        : `${lb.address}: ${lb.unknown}`;
    return {
      seconds: Number.POSITIVE_INFINITY,
      breakdown: `unknown: ${why}`,
      resources: [lb.address, poolAddress, monitor.address],
      causes: [{ kind: 'undetected', why }],
    };
  }
  // The failure can start just after a probe; consecutive_down probes must fail, the last one only after its
  // timeout and retries (each retry waits another timeout). Same bound as lib/cloudflare's failoverSeconds.
  const detect = cloudflareDetectionSeconds({
    intervalSeconds: monitor.interval,
    timeoutSeconds: monitor.timeout,
    retries: monitor.retries,
    consecutiveDown: monitor.consecutiveDown,
  });
  const ttl = lb.proxied ? 0 : lb.ttl;
  const seconds = detect + ttl;
  return {
    seconds,
    breakdown:
      `${monitor.address}: interval ${monitor.interval} s × consecutive_down ${monitor.consecutiveDown} + ` +
      `timeout ${monitor.timeout} s × (retries ${monitor.retries} + 1) = ${detect} ` +
      `s${lb.proxied ? ' (proxied: no DNS TTL)' : ` + TTL ${ttl} s (DNS-only)`} = ${seconds} s`,
    resources: [lb.address, poolAddress, monitor.address],
    causes: [
      {
        kind: 'cloudflare-monitor',
        address: monitor.address,
        interval: monitor.interval,
        consecutiveDown: monitor.consecutiveDown,
        timeout: monitor.timeout,
        retries: monitor.retries,
        ttl,
      },
    ],
  };
}

/** The fastest failover a plan allows: its minimum interval × 1 probe + the shortest timeout, no retries (+ TTL). */
export function fastestCloudflareFailover(plan: CloudflarePlan, ttl: number): number {
  return PLAN_MIN_MONITOR_INTERVAL_SECONDS[plan] + CLOUDFLARE_MIN_TIMEOUT_SECONDS + ttl;
}

/** Probe traffic from each pool's monitor to its origins: check regions × 3 data centers / interval. */
export function cloudflareProbes(model: CloudflareModel, frontDoor: string): ProbeSource[] {
  const out: ProbeSource[] = [];
  for (const pool of model.pools.values()) {
    const monitor = pool.monitor ? model.monitors.get(pool.monitor) : undefined;
    if (!pool.enabled || !monitor) continue;
    const listed = (pool.checkRegions ?? []).filter((r) => r !== 'ALL_REGIONS');
    const regions = listed.length > 0 ? listed.length : CLOUDFLARE_ALL_REGIONS;
    for (const origin of pool.origins) {
      if (!origin.enabled || origin.failClosed) continue;
      out.push({
        origin: origin.address,
        region: origin.region,
        frontDoor,
        resource: pool.address,
        requestsPerSecond: (regions * CLOUDFLARE_PROBES_PER_REGION) / monitor.interval,
        derivation:
          `${plural(regions, 'check region')}${listed.length > 0 ? '' : ' (all: none listed)'} × ` +
          `${CLOUDFLARE_PROBES_PER_REGION} data centers / ${monitor.interval} s (${monitor.address})`,
      });
    }
  }
  return out;
}
