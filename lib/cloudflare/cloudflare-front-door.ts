import { Construct } from 'constructs';
import type { TerraformProvider, TerraformVariable } from '../util/cdktf';
import type { LoadBalancer } from '@cdktf/provider-cloudflare/lib/load-balancer';
import type { Ruleset } from '@cdktf/provider-cloudflare/lib/ruleset';
import type { IInferenceEndpoint } from '../aws/inference-endpoint-ref';
import {
  CloudflareSchema,
  defaultLockOrigin,
  FAIL_CLOSED,
  type CloudflareSpec,
  type CloudflareSpecInput,
} from '../spec/cloudflare-schema';
import { describeValue, formatPath, problemsFromIssues, type SpecProblem } from '../spec/errors';
import { AWS_REGION_CODES, isKnownRegion, regionInfo } from '../spec/regions';
import { isToken, throwIfProblems } from '../util/validate';
import { hostnameProblems } from './prop-checks';
import { FailClosedPool } from './fail-closed-pool';
import { CloudflareHealthMonitor } from './health-monitor';
import { CloudflareInferenceLoadBalancer } from './inference-load-balancer';
import { CLOUDFLARE_DNS_ONLY_TTL_SECONDS } from '../facts/failover';
import { CloudflareOriginAuth, ORIGIN_AUTH_HEADER, strictOriginTlsRuleset } from './origin-auth';
import { CloudflareRegionPool } from './region-pool';
import { EdgeRateLimit } from './edge-rate-limit';
import { planRouting, type RoutingPlan } from './routing-plan';
import type { ResidencyClients } from '../spec/residency';
import { protectLiterals } from '../util/terraform-literals';

/** The readiness probe, as the spec's `health` block has it (extra fields are ignored). */
export interface FrontDoorHealth {
  /** Readiness path. @default - the endpoints' `healthCheckPath` */
  readonly path?: string;
  /** Status a ready server answers. @default 200 */
  readonly expectedStatus?: number;
  /** Text the readiness response must contain. @default - none */
  readonly expectedBody?: string;
}

/** Props of {@link CloudflareFrontDoor}: the regional endpoints, the service's names, the spec's Cloudflare block. */
export interface CloudflareFrontDoorProps {
  /**
   * The regional endpoints (region, models, readiness path, jurisdiction); one pool each. Their order is the failover
   * order where nothing else decides.
   */
  readonly endpoints: readonly IInferenceEndpoint[];
  /** Service name: prefix of pool names. */
  readonly serviceName: string;
  /** DNS name clients use; the load balancer's hostname unless `cloudflare.hostname` says otherwise. */
  readonly serviceDomain: string;
  /**
   * Domain under which each region has a public name `<region>.<originDomain>` resolving to its ALB. @default -
   * `serviceDomain`
   */
  readonly originDomain?: string;
  /**
   * Public origin hostname per region, when not `<region>.<originDomain>`. @default - `<region>.<originDomain>` for
   * every region
   */
  readonly originHostnames?: Readonly<Record<string, string>>;
  /**
   * How readiness is probed (the spec's `health` block). @default - GET of the endpoints' readiness path expecting 200
   */
  readonly health?: FrontDoorHealth;
  /**
   * Clients that must stay in a jurisdiction, by jurisdiction key (the spec's `residency`, as lib/spec/geo.ts outputs
   * it). @default - no residency
   */
  readonly residency?: ResidencyClients;
  /** The Cloudflare block of the spec (account, zone, plan, steering, monitor, affinity, ...). */
  readonly cloudflare: CloudflareSpecInput;
  /**
   * An existing sensitive variable holding the origin secret (only with locked origins: `cloudflare.lockOrigin` unset
   * or true). @default - a sensitive variable named `cloudflare.originSecretVariable`
   */
  readonly secretVariable?: TerraformVariable;
  /**
   * Cloudflare provider to use (the front door lives in a stack of Cloudflare resources only). @default - the stack's
   * default Cloudflare provider
   */
  readonly provider?: TerraformProvider;
}

/**
 * The Cloudflare front door of a global inference service: a readiness monitor, one pool per regional endpoint, a
 * steering load balancer that keeps residency clients in their jurisdiction, the secret origin header, and a per-IP
 * rate limit on the hostname ({@link EdgeRateLimit}; `cloudflare.rateLimit: false` leaves it out). Put it in a stack
 * that holds Cloudflare resources only, so the AWS stacks stay checkable offline.
 *
 * @example
 * ```ts
 * import { App, TerraformStack } from 'cdktf';
 * import { CloudflareProvider } from '@cdktf/provider-cloudflare/lib/provider';
 * import { CloudflareFrontDoor, InferenceEndpointRef } from 'cdktf-global-inference';
 *
 * const stack = new TerraformStack(new App(), 'chat-cloudflare'); // Cloudflare resources only
 * new CloudflareProvider(stack, 'cloudflare', {});
 * const endpoint = (region: string, albZoneId: string) =>
 *   InferenceEndpointRef.fromAttributes({
 *     region,
 *     albDnsName: `chat-0123456789.${region}.elb.amazonaws.com`,
 *     albZoneId,
 *     healthCheckPath: '/health',
 *     models: [{ name: 'llama-3-1-8b', id: 'meta-llama/Llama-3.1-8B-Instruct', version: '2026-11-01' }],
 *   });
 * // One pool per region, behind `inference.example.com`; origins are `<region>.origin.inference.example.com`.
 * new CloudflareFrontDoor(stack, 'FrontDoor', {
 *   endpoints: [endpoint('us-east-1', 'Z35SXDOTRQ7X7K'), endpoint('eu-west-1', 'Z32O12XQLNTSW2')],
 *   serviceName: 'chat',
 *   serviceDomain: 'inference.example.com',
 *   originDomain: 'origin.inference.example.com',
 *   cloudflare: {
 *     accountId: '0123456789abcdef0123456789abcdef',
 *     zoneId: 'fedcba9876543210fedcba9876543210',
 *     plan: 'enterprise',
 *   },
 * });
 * // The ALBs must require the secret header: set TF_VAR_origin_auth_secret for every stack.
 * ```
 */
export class CloudflareFrontDoor extends Construct {
  /** The load balancer resource (escape hatch). */
  readonly resource: LoadBalancer;
  /** The steering load balancer over the regional pools. */
  readonly loadBalancer: CloudflareInferenceLoadBalancer;
  /** The readiness monitor every pool uses. */
  readonly monitor: CloudflareHealthMonitor;
  /** Pools by region code. */
  readonly pools: Readonly<Record<string, CloudflareRegionPool>>;
  /**
   * The secret origin header and its variable, when the origins are locked to Cloudflare (`cloudflare.lockOrigin`,
   * default on here). Open origins get no header: nothing would check it, and it would only demand a secret.
   */
  readonly originAuth?: CloudflareOriginAuth;
  /** The ruleset enforcing Full (strict) TLS to the origins, unless `cloudflare.enforceStrictOriginTls` is off. */
  readonly tlsRuleset?: Ruleset;
  /** The fail-closed fallback pool, when residency needs one. */
  readonly failClosedPool?: FailClosedPool;
  /**
   * The edge rate limit on the load balancer's hostname (the zone's `http_ratelimit` ruleset), unless
   * `cloudflare.rateLimit` is false.
   */
  readonly rateLimit?: EdgeRateLimit;
  /** The validated Cloudflare settings, defaults filled in. */
  readonly settings: CloudflareSpec;
  /** The routing in region codes (for analysis and tests). */
  readonly routing: RoutingPlan;
  /** Hostname of the load balancer: `cloudflare.hostname`, else `serviceDomain`. */
  readonly hostname: string;
  /**
   * Worst-case seconds from a region failing its readiness probe to Cloudflare steering new requests away
   * (monitor interval x consecutive failures + the last probe's timeouts; plus the DNS TTL when DNS-only).
   * Requests that cannot connect at all (521/522/523/525/526) are retried on the next origin at once.
   */
  readonly failoverSeconds: number;

  constructor(scope: Construct, id: string, props: CloudflareFrontDoorProps) {
    super(scope, id);
    const source = `CloudflareFrontDoor '${this.node.path}'`;
    const propsProblems: SpecProblem[] = [];
    if (typeof props !== 'object' || props === null || Array.isArray(props)) {
      propsProblems.push({
        path: '(props)',
        message: "are required: an object with the construct's props",
        received: describeValue(props),
      });
      props = {} as CloudflareFrontDoorProps;
    }
    // The Cloudflare block and the other props are checked together, so one run reports every problem.
    const parsed = parseCloudflare(props.cloudflare);
    throwIfProblems(
      [
        ...propsProblems,
        ...parsed.problems,
        ...checkProps(props, parsed.settings ?? (isObject(props.cloudflare) ? props.cloudflare : {})),
      ],
      source,
    );
    const cf = parsed.settings as CloudflareSpec;
    const hostname = cf.hostname ?? props.serviceDomain;
    if (cf.rateLimit !== false && isToken(hostname))
      throwIfProblems(
        [
          {
            path: 'serviceDomain',
            message:
              'must be a literal hostname known at synth time for the edge rate limit (its rule expression names ' +
              'the hostname); give cloudflare.hostname, or set cloudflare.rateLimit: false',
          },
        ],
        source,
      );
    const originDomain = props.originDomain ?? props.serviceDomain;
    const originOf = (region: string) => props.originHostnames?.[region] ?? `${region}.${originDomain}`;
    const placements = props.endpoints.map((e) => {
      const info = regionInfo(e.region);
      return {
        region: e.region,
        jurisdiction: e.jurisdiction,
        country: info.country,
        latitude: info.latitude,
        longitude: info.longitude,
      };
    });
    const routed = planRouting({
      pools: placements,
      residency: props.residency,
      plan: cf.plan,
      steering: cf.steering,
      fallback: cf.fallback,
      poolWeights: cf.poolWeights,
      debugPin: cf.debugPin,
      sessionAffinity: cf.sessionAffinity.type,
    });
    throwIfProblems(
      routed.problems.map((p) => ({
        path: formatPath(
          p.path[0] === 'residency'
            ? p.path
            : p.path[0] === 'pools'
              ? ['endpoints', ...p.path.slice(1)]
              : ['cloudflare', ...p.path],
        ),
        message: p.message,
        received: p.input === undefined ? undefined : describeValue(p.input),
      })),
      source,
    );

    this.settings = cf;
    this.hostname = hostname;
    if (cf.lockOrigin ?? defaultLockOrigin('cloudflare')) {
      this.originAuth = new CloudflareOriginAuth(this, 'OriginAuth', {
        zoneId: cf.zoneId,
        hostname,
        variableName: cf.originSecretVariable,
        secretVariable: props.secretVariable,
        enforceStrictTls: cf.enforceStrictOriginTls,
        provider: props.provider,
      });
      this.tlsRuleset = this.originAuth.tlsRuleset;
    } else if (cf.enforceStrictOriginTls) {
      this.tlsRuleset = strictOriginTlsRuleset(this, 'StrictOriginTls', {
        zoneId: cf.zoneId,
        hostname,
        provider: props.provider,
      });
    }

    const path = props.health?.path ?? props.endpoints[0].healthCheckPath;
    this.monitor = new CloudflareHealthMonitor(this, 'Monitor', {
      accountId: cf.accountId,
      plan: cf.plan,
      path,
      expectedCodes:
        cf.monitor.expectedCodes ??
        (props.health?.expectedStatus === undefined ? undefined : String(props.health.expectedStatus)),
      expectedBody: props.health?.expectedBody,
      intervalSeconds: cf.monitor.intervalSeconds,
      timeoutSeconds: cf.monitor.timeoutSeconds,
      retries: cf.monitor.retries,
      consecutiveDown: cf.monitor.consecutiveDown,
      consecutiveUp: cf.monitor.consecutiveUp,
      followRedirects: cf.monitor.followRedirects,
      // Probes bypass the zone's transform rules, so they carry the secret themselves (the ALB answers 403 without it).
      headers: this.originAuth ? { [ORIGIN_AUTH_HEADER]: [this.originAuth.headerValue] } : undefined,
      description: `${props.serviceName}: HTTPS GET ${path} (model readiness)`,
      provider: props.provider,
    });

    const pools: Record<string, CloudflareRegionPool> = {};
    for (const endpoint of props.endpoints) {
      pools[endpoint.region] = new CloudflareRegionPool(this, `Pool-${endpoint.region}`, {
        accountId: cf.accountId,
        region: endpoint.region,
        originAddress: originOf(endpoint.region),
        monitorId: this.monitor.monitorId,
        plan: cf.plan,
        namePrefix: props.serviceName,
        jurisdiction: endpoint.jurisdiction,
        minimumOrigins: cf.minimumOrigins,
        originSteering: cf.originSteering,
        provider: props.provider,
      });
    }
    this.pools = pools;

    if (routed.plan?.fallback === FAIL_CLOSED) {
      this.failClosedPool = new FailClosedPool(this, 'FailClosedPool', {
        accountId: cf.accountId,
        namePrefix: props.serviceName,
        checkRegions: pools[props.endpoints[0].region].checkRegions,
        provider: props.provider,
      });
    }

    this.loadBalancer = new CloudflareInferenceLoadBalancer(this, 'LoadBalancer', {
      zoneId: cf.zoneId,
      hostname,
      plan: cf.plan,
      trafficSteering: cf.trafficSteering,
      pools: props.endpoints.map((e) => pools[e.region]),
      residency: props.residency,
      steering: cf.steering,
      poolWeights: cf.poolWeights,
      fallback: cf.fallback,
      failClosedPool: this.failClosedPool,
      proxied: cf.proxied,
      sessionAffinity: cf.sessionAffinity,
      failoverAcrossPools: cf.failoverAcrossPools,
      debugPin: cf.debugPin,
      routing: routed.plan,
      provider: props.provider,
    });
    this.resource = this.loadBalancer.resource;
    this.routing = this.loadBalancer.routing;
    if (cf.rateLimit !== false)
      this.rateLimit = new EdgeRateLimit(this, 'RateLimit', {
        zoneId: cf.zoneId,
        plan: cf.plan,
        hostnames: [hostname],
        ...cf.rateLimit,
        provider: props.provider,
      });
    this.failoverSeconds = this.monitor.detectionSeconds + (cf.proxied ? 0 : CLOUDFLARE_DNS_ONLY_TTL_SECONDS);
    protectLiterals(this);
  }
}

/** Parses the Cloudflare block; account and zone ids may be references (checked by Cloudflare at apply). */
function parseCloudflare(input: CloudflareSpecInput): { settings?: CloudflareSpec; problems: SpecProblem[] } {
  if (typeof input !== 'object' || input === null)
    return {
      problems: [
        {
          path: 'cloudflare',
          message: 'is required (an object with accountId, zoneId and plan)',
          received: describeValue(input),
        },
      ],
    };
  const placeholder = '0'.repeat(32);
  const literal = {
    ...input,
    accountId: isToken(input.accountId) ? placeholder : input.accountId,
    zoneId: isToken(input.zoneId) ? placeholder : input.zoneId,
  };
  const tokens = findTokenPaths(literal);
  const result = CloudflareSchema.safeParse(literal, { reportInput: true });
  const problems = [
    ...tokens.map((path) => ({
      path: formatPath(['cloudflare', ...path]),
      message: 'must be a literal value known at synth time, not a token or reference',
    })),
    ...(result.success
      ? []
      : problemsFromIssues(
          result.error.issues
            .filter((i) => !tokens.some((t) => t.every((k, n) => i.path[n] === k)))
            .map((i) => ({ ...i, path: ['cloudflare', ...i.path] })),
          () => undefined,
        )),
  ];
  return {
    settings: result.success ? { ...result.data, accountId: input.accountId, zoneId: input.zoneId } : undefined,
    problems,
  };
}

/** Paths of unresolved tokens inside a props object (settings that must be literals). */
function findTokenPaths(value: unknown, path: PropertyKey[] = [], out: PropertyKey[][] = []): PropertyKey[][] {
  if (path.length > 8 || value === undefined || value === null) return out;
  if (isToken(value)) out.push(path);
  else if (Array.isArray(value)) value.forEach((v, i) => findTokenPaths(v, [...path, i], out));
  else if (typeof value === 'object')
    for (const [k, v] of Object.entries(value as object)) findTokenPaths(v, [...path, k], out);
  return out;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function checkProps(
  props: CloudflareFrontDoorProps,
  cf: Pick<CloudflareSpecInput, 'proxied' | 'debugPin' | 'lockOrigin'>,
): SpecProblem[] {
  const problems: SpecProblem[] = [];
  if (!Array.isArray(props.endpoints)) {
    problems.push({
      path: 'endpoints',
      message:
        props.endpoints === undefined
          ? 'is required (a list of endpoints, one pool each)'
          : 'must be a list of endpoints',
      received: props.endpoints === undefined ? undefined : describeValue(props.endpoints),
    });
    props = { ...props, endpoints: [] };
  } else if (props.endpoints.length === 0)
    problems.push({ path: 'endpoints', message: 'must list at least one endpoint', received: '[] (an empty list)' });
  const endpoints = props.endpoints.filter((e, i) => {
    if (isObject(e)) return true;
    problems.push({
      path: `endpoints[${i}]`,
      message: 'must be an endpoint: a GpuInferenceEndpoint or InferenceEndpointRef.fromAttributes(...)',
      received: describeValue(e),
    });
    return false;
  });
  props = { ...props, endpoints };
  props.endpoints.forEach((e, i) => {
    if (!isKnownRegion(e.region))
      problems.push({
        path: `endpoints[${i}].region`,
        message: `must be an AWS region code the library knows (${AWS_REGION_CODES.join(', ')})`,
        received: JSON.stringify(e.region),
      });
  });
  if (props.serviceName === undefined) {
    problems.push({ path: 'serviceName', message: 'is required (text: the service name, a prefix of pool names)' });
  } else if (
    !isToken(props.serviceName) &&
    !(typeof props.serviceName === 'string' && /^[a-z](?:[a-z0-9-]{0,22}[a-z0-9])?$/.test(props.serviceName))
  ) {
    problems.push({
      path: 'serviceName',
      message:
        "must be a service name: lower-case letters, digits and '-', starting with a letter, at most 24 characters",
      received: JSON.stringify(props.serviceName),
    });
  }
  problems.push(...hostnameProblems(props.serviceDomain, 'serviceDomain'));
  if (props.originDomain !== undefined) problems.push(...hostnameProblems(props.originDomain, 'originDomain'));
  if (props.originHostnames !== undefined && !isObject(props.originHostnames))
    problems.push({
      path: 'originHostnames',
      message: 'must be an object of hostnames by region code',
      received: describeValue(props.originHostnames),
    });
  for (const [region, name] of Object.entries(isObject(props.originHostnames) ? props.originHostnames : {}))
    problems.push(...hostnameProblems(name, 'originHostnames', region));
  const regions = new Set(props.endpoints.map((e) => e.region));
  for (const region of Object.keys(isObject(props.originHostnames) ? props.originHostnames : {})) {
    if (!regions.has(region))
      problems.push({
        path: formatPath(['originHostnames', region]),
        message: `must be keyed by an endpoint's region (${[...regions].join(', ')})`,
        received: JSON.stringify(region),
      });
  }
  if (props.health?.path === undefined) {
    const paths = [...new Set(props.endpoints.map((e) => e.healthCheckPath))];
    if (paths.length > 1) {
      problems.push({
        path: 'health.path',
        message:
          `is required: the endpoints answer readiness on different paths (${paths.join(', ')}) and one monitor ` +
          'probes them all',
        received: undefined,
      });
    }
  }
  if (cf.proxied === false && cf.debugPin)
    problems.push({
      path: 'cloudflare.debugPin',
      message: 'needs proxied: true (request headers are only visible to proxied traffic)',
      received: describeValue(cf.debugPin),
    });
  if (props.secretVariable !== undefined && cf.lockOrigin === false) {
    problems.push({
      path: 'secretVariable',
      message:
        'is only used with locked origins; with cloudflare.lockOrigin false no origin header is added, so ' +
        'remove it (or lock the origins)',
      received: 'a TerraformVariable',
    });
  }
  return problems;
}
