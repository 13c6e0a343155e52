import { cloudflareDetectionSeconds } from '../facts/failover';
import { Construct } from 'constructs';
import type { TerraformProvider } from '../util/cdktf';
import { LoadBalancerMonitor } from '@cdktf/provider-cloudflare/lib/load-balancer-monitor';
import {
  CLOUDFLARE_DEFAULTS,
  CloudflareMonitorSchema,
  HeaderNameSchema,
  monitorProblems,
  PLAN_MIN_MONITOR_INTERVAL_SECONDS,
  type CloudflareMonitorSpec,
  type CloudflarePlan,
} from '../spec/cloudflare-schema';
import { describeValue, formatPath, problemsFromIssues, type SpecProblem } from '../spec/errors';
import { stripUndefined } from '../util/objects';
import { isToken, throwIfProblems } from '../util/validate';
import { protectLiterals } from '../util/terraform-literals';
import { idProblems, isPlan, literalProblems, pathOf, planProblems, schemaProblems } from './prop-checks';

/** Props of {@link CloudflareHealthMonitor}: the account, the zone's plan, and the readiness probe. */
export interface CloudflareHealthMonitorProps {
  /** Cloudflare account holding the monitor (may be a reference). */
  readonly accountId: string;
  /** Plan of the zone the load balancer lives in; sets the shortest allowed interval. */
  readonly plan: CloudflarePlan;
  /** Readiness path probed with HTTPS GET; must answer only once the model is loaded. @default '/health' */
  readonly path?: string;
  /** Status code (or class such as `2xx`) of a ready origin. @default '200' */
  readonly expectedCodes?: string;
  /**
   * Case-insensitive text the readiness response must contain (first 10 KB). @default - the status code alone decides
   */
  readonly expectedBody?: string;
  /** Seconds between probes. @default - the plan minimum: 60 (pro), 15 (business), 10 (enterprise) */
  readonly intervalSeconds?: number;
  /** Seconds before a probe counts as failed. @default 4 */
  readonly timeoutSeconds?: number;
  /** Immediate retries of a timed-out probe. @default 1 */
  readonly retries?: number;
  /** Failed probes in a row before an origin is unhealthy. @default 2 */
  readonly consecutiveDown?: number;
  /** Passed probes in a row before an origin is healthy again. @default 2 */
  readonly consecutiveUp?: number;
  /** Follow redirects instead of counting them as failures. @default false */
  readonly followRedirects?: boolean;
  /**
   * Extra request headers, e.g. the origin-auth header whose value references a sensitive variable. Host is
   * better set per origin (a pool's origin Host header overrides the monitor's). @default - none
   */
  readonly headers?: Readonly<Record<string, string[]>>;
  /** Description shown in the dashboard. @default 'HTTPS GET <path> (model readiness)' */
  readonly description?: string;
  /** Cloudflare provider to use. @default - the stack's default Cloudflare provider */
  readonly provider?: TerraformProvider;
}

/**
 * A Cloudflare load-balancer monitor probing model readiness over HTTPS (certificate validated). Every attribute
 * the provider would otherwise compute is set explicitly (see PROVIDER-NOTES.md): provider 5.14 defaults the type to
 * plain `http`, which an HTTPS-only origin answers with a redirect.
 *
 * @example
 * ```ts
 * import { App, TerraformStack } from 'cdktf';
 * import { CloudflareProvider } from '@cdktf/provider-cloudflare/lib/provider';
 * import { CloudflareHealthMonitor } from 'cdktf-global-inference';
 *
 * const stack = new TerraformStack(new App(), 'chat-cloudflare');
 * new CloudflareProvider(stack, 'cloudflare', {});
 * const monitor = new CloudflareHealthMonitor(stack, 'Monitor', {
 *   accountId: '0123456789abcdef0123456789abcdef',
 *   plan: 'business', // probes every 15 s at the shortest
 *   path: '/health',
 *   expectedBody: 'ok',
 * });
 * // monitor.detectionSeconds: worst case from a failure to Cloudflare marking the origin unhealthy.
 * ```
 */
export class CloudflareHealthMonitor extends Construct {
  /** The monitor (escape hatch). */
  readonly resource: LoadBalancerMonitor;
  /** Id of the monitor, for pools. */
  readonly monitorId: string;
  /** Seconds between probes (as given, or the plan's minimum). */
  readonly intervalSeconds: number;
  /** Seconds before a probe counts as failed. */
  readonly timeoutSeconds: number;
  /** Immediate retries of a timed-out probe. */
  readonly retries: number;
  /** Failed probes in a row before an origin is unhealthy. */
  readonly consecutiveDown: number;
  /** Passed probes in a row before an origin is healthy again. */
  readonly consecutiveUp: number;
  /**
   * Worst case from an origin failing to Cloudflare marking it unhealthy: the failure can start just after a probe,
   * then `consecutiveDown` probes must fail, the last one only after its timeout and retries.
   */
  readonly detectionSeconds: number;

  constructor(scope: Construct, id: string, props: CloudflareHealthMonitorProps) {
    super(scope, id);
    const source = `CloudflareHealthMonitor '${this.node.path}'`;
    // Every problem is collected before throwing, so one run reports them all.
    const problems: SpecProblem[] = [];
    const path = props.path ?? CLOUDFLARE_DEFAULTS.monitorPath;
    if (!isToken(path) && !/^\/[A-Za-z0-9._~\-/?=&%]*$/.test(path)) {
      problems.push({
        path: 'path',
        message: "must be a URL path starting with '/', such as /health",
        received: JSON.stringify(path),
      });
    }
    if (props.expectedBody !== undefined && !isToken(props.expectedBody) && props.expectedBody.length === 0) {
      problems.push({
        path: 'expectedBody',
        message: 'must not be empty; leave it out to let the status code decide',
        received: '""',
      });
    }
    for (const [name, values] of Object.entries(props.headers ?? {})) {
      if (name.toLowerCase() === 'user-agent')
        problems.push({
          path: `headers.${name}`,
          message: 'cannot be overridden (Cloudflare sends its own User-Agent)',
          received: JSON.stringify(name),
        });
      problems.push(...schemaProblems(HeaderNameSchema, name, ['headers', name]));
      if (!isToken(values) && (!Array.isArray(values) || values.length === 0)) {
        problems.push({
          path: pathOf('headers', name),
          message: 'must list at least one value (an empty header is left out by the API: a change on every plan)',
          received: describeValue(values),
        });
      }
    }
    problems.push(...idProblems(props.accountId, 'account', 'accountId'), ...planProblems(props.plan));
    const settingKeys = [
      'intervalSeconds',
      'timeoutSeconds',
      'retries',
      'consecutiveDown',
      'consecutiveUp',
      'expectedCodes',
      'followRedirects',
    ] as const;
    // Settings shape the failover budget, so they must be literals; a token is reported, not silently parsed.
    const tokenProblems = literalProblems(props as unknown as Record<string, unknown>, settingKeys);
    const input = stripUndefined(
      Object.fromEntries(settingKeys.filter((k) => !isToken(props[k])).map((k) => [k, props[k]])),
    );
    const parsed = CloudflareMonitorSchema.safeParse(input, { reportInput: true });
    const badKeys = new Set<string>([...tokenProblems.map((p) => p.path)]);
    problems.push(...tokenProblems);
    if (!parsed.success) {
      problems.push(...problemsFromIssues(parsed.error.issues, () => undefined));
      for (const issue of parsed.error.issues) badKeys.add(String(issue.path[0]));
    }
    // The plan limits are checked even when another setting is wrong (all problems in one run), on the settings that
    // are valid; the probe-overlap rule needs a valid timeout, retries and interval.
    if (isPlan(props.plan)) {
      const valid = CloudflareMonitorSchema.parse(
        Object.fromEntries(Object.entries(input).filter(([k]) => !badKeys.has(k))),
      );
      const limits = monitorProblems(props.plan, valid).filter(
        (p) =>
          !(
            p.path[0] === 'timeoutSeconds' &&
            ['timeoutSeconds', 'retries', 'intervalSeconds'].some((k) => badKeys.has(k))
          ),
      );
      problems.push(
        ...limits
          .filter((p) => !badKeys.has(String(p.path[0])))
          .map((p) => ({ path: formatPath(p.path), message: p.message, received: describeValue(p.input) })),
      );
    }
    throwIfProblems(problems, source);
    const settings = (parsed as { data: CloudflareMonitorSpec }).data;

    this.intervalSeconds = settings.intervalSeconds ?? PLAN_MIN_MONITOR_INTERVAL_SECONDS[props.plan];
    this.timeoutSeconds = settings.timeoutSeconds;
    this.retries = settings.retries;
    this.consecutiveDown = settings.consecutiveDown;
    this.consecutiveUp = settings.consecutiveUp;
    this.detectionSeconds = cloudflareDetectionSeconds({
      intervalSeconds: this.intervalSeconds,
      timeoutSeconds: this.timeoutSeconds,
      retries: this.retries,
      consecutiveDown: this.consecutiveDown,
    });

    this.resource = new LoadBalancerMonitor(this, 'Resource', {
      provider: props.provider,
      accountId: props.accountId,
      description: props.description ?? `HTTPS GET ${path} (model readiness)`,
      type: 'https',
      method: 'GET',
      path,
      // No port: the monitor schema says HTTPS checks define one only for a non-standard port (443 is used), and 0 is
      // not a value it defines (only pool origins read 0 as "the protocol's port").
      // Optional without a computed default: an empty map could come back as null, so none is sent when there are none.
      header: props.headers ? { ...props.headers } : undefined,
      expectedCodes: settings.expectedCodes ?? CLOUDFLARE_DEFAULTS.monitorExpectedCodes,
      // Only when given: an empty string is no check at all, and the schemas read leave it Optional (null) or default
      // it to "".
      expectedBody: props.expectedBody,
      followRedirects: settings.followRedirects,
      allowInsecure: false,
      interval: this.intervalSeconds,
      timeout: this.timeoutSeconds,
      retries: this.retries,
      consecutiveDown: this.consecutiveDown,
      consecutiveUp: this.consecutiveUp,
      // No probe_zone: probes carry the origin-auth header themselves, so they need no zone emulation.
    });
    this.monitorId = this.resource.id;
    protectLiterals(this);
  }
}
