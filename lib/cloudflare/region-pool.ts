import { Construct } from 'constructs';
import type { TerraformProvider } from '../util/cdktf';
import { LoadBalancerPool } from '@cdktf/provider-cloudflare/lib/load-balancer-pool';
import {
  CLOUDFLARE_DEFAULTS,
  CLOUDFLARE_REGION_CODES,
  ENTERPRISE_ORIGIN_STEERING,
  ORIGIN_STEERING_POLICIES,
  type CloudflarePlan,
  type OriginSteeringPolicy,
} from '../spec/cloudflare-schema';
import { describeValue, type SpecProblem } from '../spec/errors';
import { AWS_REGION_CODES, isKnownRegion, regionInfo, type CloudflareRegionCode } from '../spec/regions';
import { isToken, throwIfProblems } from '../util/validate';
import { idProblems, isPlan, outOfRange, planProblems } from './prop-checks';
import type { PoolPlacement } from './routing-plan';
import { protectLiterals } from '../util/terraform-literals';

/** What a load balancer needs from a regional pool. */
export interface IRegionPool extends PoolPlacement {
  /** Id of the pool. */
  readonly poolId: string;
}

/** An origin of a pool. */
export interface PoolOrigin {
  /** Name of the origin, unique in the pool. */
  readonly name: string;
  /** Public hostname (or IP) that resolves directly to the origin, not a Cloudflare-proxied name. */
  readonly address: string;
  /** Host header (and TLS name) sent to the origin. @default - the address */
  readonly hostHeader?: string;
  /** Share of the pool's traffic, relative to the other origins (0-1). @default 1 */
  readonly weight?: number;
}

/** Props of {@link CloudflareRegionPool}: the account, the region and its origin, the monitor, and the plan. */
export interface CloudflareRegionPoolProps {
  /** Cloudflare account holding the pool (may be a reference). */
  readonly accountId: string;
  /** AWS region code of the endpoint: the pool's key, its coordinates and its health-check region. */
  readonly region: string;
  /**
   * Public hostname of the regional endpoint, e.g. `eu-west-1.inference.example.com` (a plain string known at synth).
   */
  readonly originAddress: string;
  /** Host header the origin needs (the name its certificate covers). @default - `originAddress` */
  readonly hostHeader?: string;
  /** More origins in the same pool, e.g. a second ALB in the region. @default - none */
  readonly additionalOrigins?: readonly PoolOrigin[];
  /** Id of the monitor that probes the origins (a {@link CloudflareHealthMonitor}'s `monitorId`). */
  readonly monitorId: string;
  /** Plan of the zone the pool serves; Enterprise-only origin steering is refused on other plans. */
  readonly plan: CloudflarePlan;
  /** Prefix of the pool name (the service name). The pool is named `<prefix>-<region>`. */
  readonly namePrefix: string;
  /** Jurisdiction of the region, for residency. @default - none */
  readonly jurisdiction?: string;
  /** Healthy origins the pool needs to take traffic. @default 1 */
  readonly minimumOrigins?: number;
  /**
   * Cloudflare regions that probe the origins (3 data centers each, majority wins). @default - the Cloudflare region
   * the AWS region sits in
   */
  readonly checkRegions?: readonly CloudflareRegionCode[];
  /**
   * Origin choice inside the pool. @default - least_outstanding_requests on Enterprise, random otherwise (Cloudflare
   * sells the others on Enterprise only)
   */
  readonly originSteering?: OriginSteeringPolicy;
  /** Take the pool out of rotation without deleting it. @default true */
  readonly enabled?: boolean;
  /** Cloudflare provider to use. @default - the stack's default Cloudflare provider */
  readonly provider?: TerraformProvider;
}

/**
 * One Cloudflare pool for one regional endpoint: its public hostname as origin (with the Host header the origin's
 * certificate covers), health checked from the Cloudflare region the AWS region sits in, with the region's
 * coordinates for proximity steering. Attributes the provider would otherwise compute are pinned (PROVIDER-NOTES.md).
 *
 * @example
 * ```ts
 * import { App, TerraformStack } from 'cdktf';
 * import { CloudflareProvider } from '@cdktf/provider-cloudflare/lib/provider';
 * import { CloudflareHealthMonitor, CloudflareRegionPool } from 'cdktf-global-inference';
 *
 * const stack = new TerraformStack(new App(), 'chat-cloudflare');
 * new CloudflareProvider(stack, 'cloudflare', {});
 * const accountId = '0123456789abcdef0123456789abcdef';
 * const monitor = new CloudflareHealthMonitor(stack, 'Monitor', { accountId, plan: 'enterprise' });
 * new CloudflareRegionPool(stack, 'Pool-eu-west-1', {
 *   accountId,
 *   region: 'eu-west-1',
 *   originAddress: 'eu-west-1.origin.inference.example.com',
 *   monitorId: monitor.monitorId,
 *   plan: 'enterprise',
 *   namePrefix: 'chat',
 *   jurisdiction: 'eu',
 * });
 * ```
 */
export class CloudflareRegionPool extends Construct implements IRegionPool {
  /** The pool (escape hatch). */
  readonly resource: LoadBalancerPool;
  readonly poolId: string;
  readonly region: string;
  readonly jurisdiction?: string;
  readonly country: string;
  /** Latitude of the AWS region, for proximity steering. */
  readonly latitude: number;
  /** Longitude of the AWS region, for proximity steering. */
  readonly longitude: number;
  /** How an origin inside the pool is chosen (as given, or the plan's default). */
  readonly originSteering: OriginSteeringPolicy;
  /** Cloudflare regions probing the origins. */
  readonly checkRegions: readonly CloudflareRegionCode[];

  constructor(scope: Construct, id: string, props: CloudflareRegionPoolProps) {
    super(scope, id);
    const source = `CloudflareRegionPool '${this.node.path}'`;
    throwIfProblems(checkProps(props), source);
    const info = regionInfo(props.region);
    this.region = props.region;
    this.jurisdiction = props.jurisdiction;
    this.country = info.country;
    this.latitude = info.latitude;
    this.longitude = info.longitude;
    this.originSteering = props.originSteering ?? defaultOriginSteering(props.plan);
    this.checkRegions = props.checkRegions ?? [info.cloudflareRegion];

    const origins: PoolOrigin[] = [
      { name: props.region, address: props.originAddress, hostHeader: props.hostHeader },
      ...(props.additionalOrigins ?? []),
    ];
    this.resource = new LoadBalancerPool(this, 'Resource', {
      provider: props.provider,
      accountId: props.accountId,
      name: `${props.namePrefix}-${props.region}`,
      description: `${info.name} (${props.region})${props.jurisdiction ? `, jurisdiction ${props.jurisdiction}` : ''}`,
      enabled: props.enabled ?? true,
      monitor: props.monitorId,
      minimumOrigins: props.minimumOrigins ?? CLOUDFLARE_DEFAULTS.minimumOrigins,
      checkRegions: [...this.checkRegions],
      latitude: info.latitude,
      longitude: info.longitude,
      originSteering: { policy: this.originSteering },
      // The API returns origins sorted by name; 5.14 compares lists by position, so any other order is a perpetual
      // diff.
      origins: sortByName(origins).map((o) => ({
        name: o.name,
        address: o.address,
        enabled: true,
        weight: o.weight ?? 1,
        port: 0,
        header: { host: [o.hostHeader ?? o.address] },
      })),
      // API defaults, pinned: 5.14 plans these computed objects as unknown on every run otherwise.
      loadShedding: { defaultPercent: 0, defaultPolicy: 'random', sessionPercent: 0, sessionPolicy: 'hash' },
      notificationFilter: { origin: { disable: false }, pool: { disable: false } },
    });
    this.poolId = this.resource.id;
    protectLiterals(this);
  }
}

/** least_outstanding_requests suits requests of very different lengths, but Cloudflare sells it on Enterprise only. */
export function defaultOriginSteering(plan: CloudflarePlan): OriginSteeringPolicy {
  return plan === 'enterprise' ? 'least_outstanding_requests' : 'random';
}

function checkProps(props: CloudflareRegionPoolProps): SpecProblem[] {
  const problems: SpecProblem[] = [
    ...idProblems(props.accountId, 'account', 'accountId'),
    ...idProblems(props.monitorId, 'monitor', 'monitorId'),
    ...planProblems(props.plan),
  ];
  if (!isKnownRegion(props.region)) {
    problems.push({
      path: 'region',
      message: `must be an AWS region code the library knows (${AWS_REGION_CODES.join(', ')})`,
      received: JSON.stringify(props.region),
    });
  }
  if (!isToken(props.namePrefix) && !/^[A-Za-z0-9_-]{1,40}$/.test(props.namePrefix)) {
    problems.push({
      path: 'namePrefix',
      message: "must be letters, digits, '-' or '_' (Cloudflare pool names), at most 40 characters",
      received: JSON.stringify(props.namePrefix),
    });
  }
  const origins: PoolOrigin[] = [
    { name: props.region, address: props.originAddress, hostHeader: props.hostHeader },
    ...(props.additionalOrigins ?? []),
  ];
  origins.forEach((o, i) => {
    const at = i === 0 ? '' : `additionalOrigins[${i - 1}].`;
    if (!isToken(o.address) && !isHostOrIp(o.address)) {
      problems.push({
        path: i === 0 ? 'originAddress' : `${at}address`,
        message: 'must be a public hostname such as eu-west-1.inference.example.com, or an IP address',
        received: JSON.stringify(o.address),
      });
    }
    if (o.hostHeader !== undefined && !isToken(o.hostHeader) && !isHostOrIp(o.hostHeader)) {
      problems.push({
        path: i === 0 ? 'hostHeader' : `${at}hostHeader`,
        message: 'must be a hostname',
        received: JSON.stringify(o.hostHeader),
      });
    }
    if (i > 0 && !isToken(o.name) && (typeof o.name !== 'string' || o.name.length === 0)) {
      problems.push({
        path: `${at}name`,
        message: 'must be a non-empty origin name, unique in the pool',
        received: describeValue(o.name),
      });
    }
    if (o.weight !== undefined && !isToken(o.weight) && outOfRange(o.weight, 0, 1)) {
      problems.push({
        path: `${at}weight`,
        message: 'must be between 0 and 1 (Cloudflare origin weights)',
        received: String(o.weight),
      });
    }
  });
  const names = origins.map((o) => o.name);
  names.forEach((n, i) => {
    if (names.indexOf(n) !== i)
      problems.push({
        path: `additionalOrigins[${i - 1}].name`,
        message:
          `duplicate origin name '${n}'; origin names are unique in a pool (the first origin is named after the ` +
          'region)',
        received: describeValue(n),
      });
  });
  const minimum = props.minimumOrigins;
  if (
    minimum !== undefined &&
    !isToken(minimum) &&
    (!Number.isInteger(minimum) || minimum < 1 || minimum > origins.length)
  ) {
    problems.push({
      path: 'minimumOrigins',
      message:
        `must be a whole number from 1 to the number of origins (${origins.length}), or the pool can never be ` +
        'healthy',
      received: String(minimum),
    });
  }
  props.checkRegions?.forEach((r, i) => {
    if (!(CLOUDFLARE_REGION_CODES as readonly string[]).includes(r))
      problems.push({
        path: `checkRegions[${i}]`,
        message: `must be a Cloudflare region (${CLOUDFLARE_REGION_CODES.join(', ')})`,
        received: JSON.stringify(r),
      });
  });
  if (props.checkRegions !== undefined && props.checkRegions.length === 0) {
    problems.push({
      path: 'checkRegions',
      message:
        'must list at least one region (an empty list means every data center, which is Enterprise only and ' +
        'multiplies probe load)',
      received: '[]',
    });
  }
  props.checkRegions?.forEach((r, i) => {
    if (props.checkRegions?.indexOf(r) !== i)
      problems.push({ path: `checkRegions[${i}]`, message: 'is listed twice', received: JSON.stringify(r) });
  });
  if (props.originSteering !== undefined) {
    if (!ORIGIN_STEERING_POLICIES.includes(props.originSteering)) {
      problems.push({
        path: 'originSteering',
        message: `must be one of ${ORIGIN_STEERING_POLICIES.join(', ')}`,
        received: JSON.stringify(props.originSteering),
      });
    } else if (
      ENTERPRISE_ORIGIN_STEERING.includes(props.originSteering) &&
      isPlan(props.plan) &&
      props.plan !== 'enterprise'
    ) {
      problems.push({
        path: 'originSteering',
        message:
          `${props.originSteering} origin steering is sold on the Enterprise plan only (plan is ${props.plan}); ` +
          'use random or upgrade the zone',
        received: JSON.stringify(props.originSteering),
      });
    }
  }
  return problems;
}

function isHostOrIp(value: string): boolean {
  return (
    /^(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z][a-z0-9-]{0,61}[a-z0-9]$/i.test(value) ||
    /^\d{1,3}(?:\.\d{1,3}){3}$/.test(value) ||
    /^[0-9a-f:]+:[0-9a-f:]*$/i.test(value)
  );
}

function sortByName<T extends { name: string }>(items: readonly T[]): T[] {
  return [...items].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}
