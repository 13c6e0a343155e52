import { CLOUDFLARE_DNS_ONLY_TTL_SECONDS } from '../facts/failover';
import { Construct } from 'constructs';
import type { TerraformProvider } from '../util/cdktf';
import { LoadBalancer, type LoadBalancerRules } from '@cdktf/provider-cloudflare/lib/load-balancer';
import type { z } from 'zod';
import {
  CLOUDFLARE_DEFAULTS,
  DebugPinSchema,
  FAIL_CLOSED,
  NON_ENTERPRISE_MAX_LB_RULES,
  SessionAffinitySchema,
  sessionAffinityProblems,
  trafficSteeringProblem,
  WEIGHTED_TRAFFIC_STEERING,
  type CloudflareIssue,
  type CloudflarePlan,
  type DebugPinSpec,
  type SessionAffinitySpec,
  type TrafficSteeringPolicy,
} from '../spec/cloudflare-schema';
import { describeValue, formatPath, type SpecProblem } from '../spec/errors';
import { AWS_REGION_CODES } from '../spec/regions';
import { isToken, throwIfProblems } from '../util/validate';
import { hostnameProblems, idProblems, isPlan, outOfRange, planProblems, schemaProblems } from './prop-checks';
import type { IRegionPool } from './region-pool';
import { planRouting, type RoutingPlan } from './routing-plan';
import type { ResidencyClients } from '../spec/residency';
import { protectLiterals } from '../util/terraform-literals';

/** Session affinity settings as authored (see {@link SessionAffinitySchema}). */
export type SessionAffinityInput = z.input<typeof SessionAffinitySchema>;
/** Debug pin settings as authored (see {@link DebugPinSchema}). */
export type DebugPinInput = z.input<typeof DebugPinSchema>;

/** DNS TTL of a DNS-only (not proxied) load balancer; proxied ones have none. */

/** Props of {@link CloudflareInferenceLoadBalancer}: zone, hostname, plan, the pools, and steering and residency. */
export interface CloudflareInferenceLoadBalancerProps {
  /** Cloudflare zone of the hostname (may be a reference). */
  readonly zoneId: string;
  /** Hostname clients use, e.g. `inference.example.com`. */
  readonly hostname: string;
  /** Plan of the zone; Enterprise-only features are refused on other plans. */
  readonly plan: CloudflarePlan;
  /** The account has the traffic steering add-on (geo, dynamic latency, proximity below Enterprise). @default false */
  readonly trafficSteering?: boolean;
  /**
   * One pool per region (see {@link CloudflareRegionPool}); their order is the failover order where nothing else
   * decides.
   */
  readonly pools: readonly IRegionPool[];
  /**
   * Clients that must stay in a jurisdiction, by jurisdiction key (as lib/spec/geo.ts outputs them). @default - no
   * residency
   */
  readonly residency?: ResidencyClients;
  /**
   * Traffic steering. @default - geo when residency applies (the only policy that reads country/region pools), else
   * dynamic_latency
   */
  readonly steering?: TrafficSteeringPolicy;
  /**
   * Pool weight (0-1) by region for random / least_outstanding_requests steering, e.g. `{ 'ap-northeast-1': 0.1 }`.
   * @default - 1 each
   */
  readonly poolWeights?: Readonly<Record<string, number>>;
  /**
   * Pool of last resort, used when every pool of a client's list is unhealthy: a region, or `'fail-closed'`.
   * @default - the first pool of the residency jurisdiction; `'fail-closed'` with several jurisdictions; else the first
   * pool
   */
  readonly fallback?: string;
  /**
   * The pool that fails requests, required when the fallback is `'fail-closed'` (see {@link FailClosedPool}). @default
   * - none
   */
  readonly failClosedPool?: { readonly poolId: string };
  /**
   * Proxy through Cloudflare (orange cloud). DNS-only load balancers have a TTL and no rules, affinity or zero-downtime
   * failover. @default true
   */
  readonly proxied?: boolean;
  /**
   * Session affinity. @default - cookie, 1800 s, sticky zero-downtime failover, 300 s drain; none when DNS-only or
   * under residency
   */
  readonly sessionAffinity?: SessionAffinityInput;
  /**
   * Adaptive routing: retry a request that could not connect on the next pool, not only inside the pool. @default true
   */
  readonly failoverAcrossPools?: boolean;
  /** Header that pins a request to a region, for debugging (one custom rule per region). @default - none */
  readonly debugPin?: DebugPinInput;
  /**
   * The routing already planned for these pools by {@link planRouting} (a front door plans it to report its
   * problems under its own paths, and hands it on rather than planning twice).
   * @default - planned here from pools, residency, plan, steering, fallback, poolWeights and debugPin
   */
  readonly routing?: RoutingPlan;
  /** Description shown in the dashboard. @default - the steering and residency in words */
  readonly description?: string;
  /** Cloudflare provider to use. @default - the stack's default Cloudflare provider */
  readonly provider?: TerraformProvider;
}

/**
 * A Cloudflare load balancer over regional pools. Residency is enforced with geo steering: a residency country maps
 * to its jurisdiction's pools only (`country_pools`), a residency continent's Cloudflare regions likewise
 * (`region_pools`), every other region to all pools nearest first; the single fallback pool respects residency, or
 * fails closed when no region can. Zero-downtime failover retries connection failures on the next origin, across
 * pools; session affinity keeps a conversation on one region (off under residency: a session outlives steering).
 * Attributes provider 5.14 would otherwise compute are pinned (PROVIDER-NOTES.md).
 *
 * @example
 * ```ts
 * import { App, TerraformStack } from 'cdktf';
 * import { CloudflareProvider } from '@cdktf/provider-cloudflare/lib/provider';
 * import {
 *   CloudflareHealthMonitor,
 *   CloudflareInferenceLoadBalancer,
 *   CloudflareRegionPool,
 * } from 'cdktf-global-inference';
 *
 * const stack = new TerraformStack(new App(), 'chat-cloudflare');
 * new CloudflareProvider(stack, 'cloudflare', {});
 * const accountId = '0123456789abcdef0123456789abcdef';
 * const monitor = new CloudflareHealthMonitor(stack, 'Monitor', { accountId, plan: 'enterprise' });
 * const pools = ['us-east-1', 'eu-west-1'].map(
 *   (region) =>
 *     new CloudflareRegionPool(stack, `Pool-${region}`, {
 *       accountId,
 *       region,
 *       originAddress: `${region}.origin.inference.example.com`,
 *       monitorId: monitor.monitorId,
 *       plan: 'enterprise',
 *       namePrefix: 'chat',
 *     }),
 * );
 * new CloudflareInferenceLoadBalancer(stack, 'LoadBalancer', {
 *   zoneId: 'fedcba9876543210fedcba9876543210',
 *   hostname: 'inference.example.com',
 *   plan: 'enterprise',
 *   pools,
 *   steering: 'dynamic_latency',
 * });
 * ```
 */
export class CloudflareInferenceLoadBalancer extends Construct {
  /** The load balancer (escape hatch). */
  readonly resource: LoadBalancer;
  /** The routing in region codes: which pools each client population may reach. */
  readonly routing: RoutingPlan;
  /** Hostname clients use. */
  readonly hostname: string;
  /** Whether traffic is proxied through Cloudflare (orange cloud) rather than DNS-only. */
  readonly proxied: boolean;
  /** Session affinity with its type resolved. */
  readonly sessionAffinity: ResolvedSessionAffinity;
  /** The validated debug pin settings, when a debug pin is configured. */
  readonly debugPin?: DebugPinSpec;

  constructor(scope: Construct, id: string, props: CloudflareInferenceLoadBalancerProps) {
    super(scope, id);
    const source = `CloudflareInferenceLoadBalancer '${this.node.path}'`;
    const proxied = props.proxied ?? CLOUDFLARE_DEFAULTS.proxied;
    // Every problem is collected before throwing (sub-settings, plan, routing, hostname), so one run reports them all.
    const early: SpecProblem[] = [
      ...planProblems(props.plan),
      ...idProblems(props.zoneId, 'zone', 'zoneId'),
      ...hostnameProblems(props.hostname, 'hostname'),
    ];
    const affinityParsed = SessionAffinitySchema.safeParse(props.sessionAffinity ?? {}, { reportInput: true });
    if (!affinityParsed.success)
      early.push(...schemaProblems(SessionAffinitySchema, props.sessionAffinity ?? {}, ['sessionAffinity']));
    const affinityInput: SessionAffinitySpec = affinityParsed.success
      ? affinityParsed.data
      : SessionAffinitySchema.parse({});
    const pinParsed = props.debugPin ? DebugPinSchema.safeParse(props.debugPin, { reportInput: true }) : undefined;
    if (pinParsed && !pinParsed.success) early.push(...schemaProblems(DebugPinSchema, props.debugPin, ['debugPin']));
    const debugPin = pinParsed?.success ? pinParsed.data : undefined;
    if (!isPlan(props.plan)) throwIfProblems(early, source);

    const routed = props.routing
      ? { plan: props.routing, problems: [] }
      : planRouting({
          pools: props.pools,
          residency: props.residency,
          plan: props.plan,
          steering: props.steering,
          fallback: props.fallback,
          poolWeights: props.poolWeights,
          debugPin,
          sessionAffinity: affinityInput.type,
        });
    const affinity: ResolvedSessionAffinity = {
      ...affinityInput,
      type: affinityInput.type ?? defaultSessionAffinity(proxied, (routed.plan?.residency.length ?? 0) > 0),
    };
    const issues: CloudflareIssue[] = [
      ...routed.problems,
      ...optionProblems(props, proxied, affinity, debugPin, routed.plan),
    ];
    const problems: SpecProblem[] = [
      ...early,
      ...issues.map((p) => ({
        path: formatPath(p.path),
        message: p.message,
        received: p.input === undefined ? undefined : describeValue(p.input),
      })),
    ];
    throwIfProblems(problems, source);
    const plan = routed.plan as RoutingPlan;

    this.routing = plan;
    this.hostname = props.hostname;
    this.proxied = proxied;
    this.sessionAffinity = affinity;
    this.debugPin = debugPin;

    const poolId = new Map(props.pools.map((p) => [p.region, p.poolId]));
    if (plan.fallback === FAIL_CLOSED) poolId.set(FAIL_CLOSED, (props.failClosedPool as { poolId: string }).poolId);
    const ids = (regions: readonly string[]) => regions.map((r) => poolId.get(r) as string);
    const mapIds = (record: Readonly<Record<string, readonly string[] | undefined>>) =>
      Object.fromEntries(Object.entries(record).map(([key, regions]) => [key, ids(regions ?? [])]));
    const weighted = WEIGHTED_TRAFFIC_STEERING.includes(plan.steering);
    const zeroDowntimeFailover = affinity.zeroDowntimeFailover ?? defaultZeroDowntimeFailover(affinity.type);

    this.resource = new LoadBalancer(this, 'Resource', {
      provider: props.provider,
      zoneId: props.zoneId,
      name: props.hostname,
      description: props.description ?? describeRouting(plan),
      enabled: true,
      proxied,
      ...(proxied ? {} : { ttl: CLOUDFLARE_DNS_ONLY_TTL_SECONDS }),
      steeringPolicy: plan.steering,
      defaultPools: ids(plan.defaultPools),
      fallbackPool: poolId.get(plan.fallback) as string,
      // Maps and lists only when they have entries: the API does not echo an empty map, so `{}` in the config is a
      // change on every plan (provider issue #7339); left out, the Optional + Computed value keeps the state's.
      countryPools: nonEmpty(mapIds(plan.countryPools)),
      regionPools: nonEmpty(mapIds(plan.regionPools)),
      randomSteering: {
        defaultWeight: 1,
        poolWeights: weighted
          ? nonEmpty(
              Object.fromEntries(
                Object.entries(props.poolWeights ?? {}).map(([region, weight]) => [
                  poolId.get(region) as string,
                  weight,
                ]),
              ),
            )
          : undefined,
      },
      // The schema's default is false; crossing pools is the library's deliberate choice (CLOUDFLARE_DEFAULTS).
      adaptiveRouting: { failoverAcrossPools: props.failoverAcrossPools ?? CLOUDFLARE_DEFAULTS.failoverAcrossPools },
      // Only used by DNS-only load balancers; the API's defaults, pinned against drift.
      locationStrategy: { mode: 'pop', preferEcs: 'proximity' },
      sessionAffinity: affinity.type,
      ...(affinity.type === 'none'
        ? {}
        : { sessionAffinityTtl: affinity.ttlSeconds ?? CLOUDFLARE_DEFAULTS.sessionAffinityTtlSeconds }),
      sessionAffinityAttributes: {
        drainDuration: affinity.type === 'none' ? 0 : affinity.drainSeconds,
        samesite: 'Lax',
        secure: 'Always',
        zeroDowntimeFailover,
        requireAllHeaders: false,
        ...(affinity.type === 'header' ? { headers: [...(affinity.headers ?? [])] } : {}),
      },
      networks: ['cloudflare'],
      rules: debugPin
        ? pinRules(
            debugPin,
            props.pools.map((p) => p.region),
            poolId,
          )
        : undefined,
    });
    protectLiterals(this);
  }
}

/** Session affinity with its type decided. */
export type ResolvedSessionAffinity = SessionAffinitySpec & { readonly type: 'none' | 'cookie' | 'header' };

/**
 * Cookie affinity keeps a browser conversation on one region (warm prefix cache) and costs API clients nothing. Off
 * when DNS-only (answers carry no cookies) and under residency (a session outlives steering).
 */
export function defaultSessionAffinity(proxied: boolean, residency: boolean): 'none' | 'cookie' {
  return proxied && !residency ? 'cookie' : 'none';
}

/** Cookie affinity can re-pin a session (sticky); header affinity only supports temporary failover. */
export function defaultZeroDowntimeFailover(type: ResolvedSessionAffinity['type']): 'none' | 'temporary' | 'sticky' {
  return type === 'cookie' ? 'sticky' : type === 'header' ? 'temporary' : 'none';
}

/** The rules language names headers in lower case. */
export function pinCondition(header: string, region: string, sourceCidrs?: readonly string[]): string {
  const match = `http.request.headers["${header.toLowerCase()}"][0] eq "${region}"`;
  return sourceCidrs ? `${match} and ip.src in {${sourceCidrs.join(' ')}}` : match;
}

function pinRules(
  debugPin: DebugPinSpec,
  regions: readonly string[],
  poolId: ReadonlyMap<string, string>,
): LoadBalancerRules[] {
  return (debugPin.regions ?? regions).map((region) => {
    const pool = poolId.get(region) as string;
    return {
      name: `pin-${region}`,
      condition: pinCondition(debugPin.header, region, debugPin.sourceCidrs),
      // From the region's place in the library's region table, not the order pools were given in. The conditions
      // exclude each other (one header value each), so priorities only keep the rule list stable.
      priority: AWS_REGION_CODES.indexOf(region) + 1,
      disabled: false,
      terminates: true,
      // off = the default pools in order: only the pinned one. No affinity, so a pinned response sets no cookie.
      overrides: { steeringPolicy: 'off', defaultPools: [pool], fallbackPool: pool, sessionAffinity: 'none' },
    };
  });
}

function optionProblems(
  props: CloudflareInferenceLoadBalancerProps,
  proxied: boolean,
  affinity: ResolvedSessionAffinity,
  debugPin: DebugPinSpec | undefined,
  plan: RoutingPlan | undefined,
): CloudflareIssue[] {
  const out: CloudflareIssue[] = [];
  const steering = plan?.steering ?? props.steering;
  const steeringProblem = trafficSteeringProblem(
    props.plan,
    props.trafficSteering ?? CLOUDFLARE_DEFAULTS.trafficSteering,
    steering,
  );
  if (steeringProblem) out.push({ path: ['steering'], input: steering, message: steeringProblem });
  if (props.poolWeights !== undefined && steering !== undefined && !WEIGHTED_TRAFFIC_STEERING.includes(steering)) {
    out.push({
      path: ['poolWeights'],
      input: props.poolWeights,
      message:
        `only apply to steering ${WEIGHTED_TRAFFIC_STEERING.join(' or ')} (steering is ${steering}); set ` +
        'steering: random for a canary, or remove poolWeights',
    });
  }
  for (const [region, weight] of Object.entries(props.poolWeights ?? {})) {
    if (!isToken(weight) && outOfRange(weight, 0, 1))
      out.push({
        path: ['poolWeights', region],
        input: weight,
        message: 'must be between 0 and 1 (Cloudflare pool weights)',
      });
  }
  out.push(
    ...sessionAffinityProblems(props.plan, affinity).map((p) => ({ ...p, path: ['sessionAffinity', ...p.path] })),
  );
  if (!proxied) {
    if (affinity.type !== 'none')
      out.push({
        path: ['sessionAffinity', 'type'],
        input: affinity.type,
        message:
          'needs a proxied load balancer (DNS-only answers carry no cookies or headers); set type: none or ' +
          'proxied: true',
      });
    if (debugPin)
      out.push({
        path: ['debugPin'],
        input: debugPin.header,
        message:
          'needs a proxied load balancer (request headers are only visible to proxied traffic); remove it or ' +
          'set proxied: true',
      });
  }
  if (debugPin && props.plan !== 'enterprise') {
    const rules = (debugPin.regions ?? props.pools.map((p) => p.region)).length;
    if (rules > NON_ENTERPRISE_MAX_LB_RULES) {
      out.push({
        path: ['debugPin', 'regions'],
        input: debugPin.regions,
        message:
          `needs ${rules} load balancing rules (one per region), but non-Enterprise zones get ` +
          `${NON_ENTERPRISE_MAX_LB_RULES} per hostname; list the one region to pin`,
      });
    }
  }
  if (plan?.fallback === FAIL_CLOSED && !props.failClosedPool) {
    const why =
      plan.residency.length > 1
        ? `residency for ${plan.residency.join(' and ')}: no single region keeps every jurisdiction's clients in place`
        : 'as requested';
    out.push({
      path: ['failClosedPool'],
      input: undefined,
      message: `is required: the fallback is '${FAIL_CLOSED}' (${why}); pass a FailClosedPool`,
    });
  }
  return out;
}

/** The record, or undefined when it has no entries (an empty Optional map would be a perpetual diff). */
function nonEmpty<T>(record: Readonly<Record<string, T>>): Record<string, T> | undefined {
  return Object.keys(record).length > 0 ? { ...record } : undefined;
}

function describeRouting(plan: RoutingPlan): string {
  const residency =
    plan.residency.length > 0 ? `; residency: ${plan.residency.join(', ')} clients stay in their jurisdiction` : '';
  return (
    `Inference front door: ${plan.steering} steering over ${plan.defaultPools.join(', ')}${residency}; fallback ` +
    `${plan.fallback}`
  );
}
