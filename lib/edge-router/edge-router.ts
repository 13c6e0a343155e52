import type { ResidencyClients } from '../spec/residency';
import { Construct } from 'constructs';
import { Fn, Op, TerraformVariable, type TerraformProvider } from '../util/cdktf';
import { WorkersCronTrigger } from '@cdktf/provider-cloudflare/lib/workers-cron-trigger';
import { WorkersCustomDomain } from '@cdktf/provider-cloudflare/lib/workers-custom-domain';
import { WorkersKv } from '@cdktf/provider-cloudflare/lib/workers-kv';
import { WorkersKvNamespace } from '@cdktf/provider-cloudflare/lib/workers-kv-namespace';
import { WorkersRoute } from '@cdktf/provider-cloudflare/lib/workers-route';
import { WorkersScript } from '@cdktf/provider-cloudflare/lib/workers-script';
import type { IInferenceEndpoint } from '../aws/inference-endpoint-ref';
import { EdgeRouterSchema, type EdgeRouterSpec, type EdgeRouterSpecInput } from '../spec/edge-router-schema';
import { describeValue, SpecValidationError, type SpecProblem } from '../spec/errors';
import { isToken, throwIfProblems, validateProps } from '../util/validate';
import { buildRoutingTable } from './initial-table';
import { DEFAULT_ROUTER_CONFIG, type RouterConfig } from './router-config';
import {
  MIN_ADMIN_TOKEN_LENGTH,
  ROUTER_BINDINGS,
  ROUTER_KV_KEYS,
  ROUTER_WRITER_CLASS,
  versionKey,
  type RoutingTable,
} from './routing-table';
import { EDGE_WORKER_MAIN_MODULE, edgeWorkerScript } from './worker-script';
import { protectLiterals } from '../util/terraform-literals';

/** Workers runtime version the router is written and tested against (miniflare runs the same date in tests). */
export const EDGE_WORKER_COMPATIBILITY_DATE = '2025-09-01';
/**
 * Durable Object migration tag that creates the table writer class (SQLite-backed, as Cloudflare requires of new
 * classes). A later change to the class set needs a new tag with this one as `old_tag`.
 */
export const EDGE_WORKER_MIGRATION_TAG = 'v1';

/** Props of {@link EdgeRouter}: the account, the regional endpoints and their names, and the router's settings. */
export interface EdgeRouterProps {
  /** Cloudflare account of the Worker and KV namespace (32 hex characters, or a reference). */
  readonly accountId: string;
  /**
   * Zone of the route or custom domain (32 hex characters, or a reference). @default - none: needed only with
   * `hostname` or `routePattern`
   */
  readonly zoneId?: string;
  /** Service name, used for the default script name. @default - 'inference' */
  readonly serviceName?: string;
  /** Name of the Worker script. @default - `<serviceName>-edge-router` */
  readonly scriptName?: string;
  /**
   * Serve the router on this hostname as a Worker custom domain (Cloudflare creates DNS record and certificate).
   * @default - no custom domain
   */
  readonly hostname?: string;
  /** Run the router on a route of a proxied hostname, such as `inference.example.com/v1/*`. @default - no route */
  readonly routePattern?: string;
  /** Regional endpoints the router forwards to; each is a backend keyed by its region code. */
  readonly endpoints: readonly IInferenceEndpoint[];
  /** Public hostname of each endpoint by region code (`<region>.<service domain>`), literal strings. */
  readonly hostnames: Readonly<Record<string, string>>;
  /**
   * Clients bound to a jurisdiction (the spec's `residency`). @default - no residency: every client may reach every
   * backend
   */
  readonly residency?: ResidencyClients;
  /** Initial weight per region code (0 = no traffic); operators change them live. @default - 100 each */
  readonly weights?: Readonly<Record<string, number>>;
  /**
   * How a backend is chosen: `latency` (fastest group, split by weight) or `weighted` (by weight alone). @default
   * 'latency'
   */
  readonly strategy?: 'latency' | 'weighted';
  /** Time one attempt may wait for response headers before the next backend is tried. @default 10000 */
  readonly attemptTimeoutMs?: number;
  /** Attempts per request, the first included, each on another backend. @default 3 */
  readonly maxAttempts?: number;
  /** Total time a request may spend on attempts. @default 30000 */
  readonly budgetMs?: number;
  /**
   * Circuit breaker per backend: consecutive failures to open (a refused connection, a 503 or an attempt timeout
   * while the backend answered nothing else opens at once unless `openOnUnambiguousFailure` is false), cooldown before
   * the first readiness probe, then a probe every `probeIntervalMs` until the backend is ready again. @default - {
   * failureThreshold: 3, cooldownMs: 10000, probeIntervalMs: 1000, openOnUnambiguousFailure: true }
   */
  readonly breaker?: {
    readonly failureThreshold?: number;
    readonly cooldownMs?: number;
    readonly probeIntervalMs?: number;
    readonly openOnUnambiguousFailure?: boolean;
  };
  /** latency strategy: backends within this percentage of the fastest share traffic by weight. @default 25 */
  readonly latencyTolerancePercent?: number;
  /** latency strategy: share of requests that explore a healthy backend outside the fastest group. @default 0.5 */
  readonly explorePercent?: number;
  /** How long an isolate routes by its cached table before reading KV again. @default 10 */
  readonly tableCacheSeconds?: number;
  /** Scheduled readiness probe. @default - { cron: '* * * * *', timeoutMs: 5000 } */
  readonly probe?: { readonly cron?: string; readonly timeoutMs?: number };
  /**
   * Saturated backends (429, or 503 with Retry-After) get no first attempts for their Retry-After (at most
   * `maxBackoffMs`), or `defaultBackoffMs` without one; requests go to another backend meanwhile.
   * @default - { defaultBackoffMs: 1000, maxBackoffMs: 60000 }
   */
  readonly saturation?: { readonly defaultBackoffMs?: number; readonly maxBackoffMs?: number };
  /**
   * Largest share of requests also sent as a discarded background copy to a backend the router is not using (demoted,
   * saturated, erroring, half-open), to notice its recovery without sending a client there; at most one copy per
   * backend per probe interval. 0 = no copies: real requests do it. @default 10
   */
  readonly remeasurePercent?: number;
  /** Retry 500 and other 5xx (besides 502/503/504, always retried) on another backend. @default true */
  readonly retryServerErrors?: boolean;
  /** A streamed answer silent for this long is broken: the client gets an error event. @default 30000 */
  readonly streamIdleTimeoutMs?: number;
  /**
   * true: Terraform writes the initial table once and ignores later differences, so operators' live edits stay;
   * false: every apply that changes the generated table resets the live table to it. @default true
   */
  readonly keepLiveEdits?: boolean;
  /** Log one JSON line per routing decision. @default true */
  readonly logDecisions?: boolean;
  /**
   * The admin bearer token, as a Terraform variable declared `sensitive: true`. @default - a sensitive string
   * variable named `<script name with underscores>_admin_token` (set it with TF_VAR_<name>; at least 16 characters)
   */
  readonly adminToken?: TerraformVariable;
  /**
   * The origins are locked to the front door (ALBs answer 403 without a secret header): the Worker adds the header,
   * from this sensitive variable, to every request and probe. Worker subrequests do not pass through the zone's
   * transform rules, so the Worker must carry it itself. @default - no header
   */
  readonly originAuth?: { readonly headerName: string; readonly secret: TerraformVariable };
  /** Cloudflare provider (aliased or in another configuration). @default - the stack's default cloudflare provider */
  readonly provider?: TerraformProvider;
  /**
   * Worker source to deploy instead of the bundled router (tests, forks). @default - the bundled edge router ({@link
   * edgeWorkerScript})
   */
  readonly script?: string;
}

/**
 * The programmable edge router: a Cloudflare Worker that routes OpenAI-compatible requests across the regional
 * endpoints by live weights and observed health, retries the next backend within the request, keeps clients of a
 * jurisdiction in it, and exposes an authenticated admin API; a Durable Object class in the same script (binding
 * ROUTER_WRITER, created by a migration) that is the single writer of admin changes, holding the versioned table and
 * the audit log; a KV namespace that mirrors them for reads (Terraform writes version 1 from the endpoints) and holds
 * probe results; a cron trigger for the readiness probe; and a custom domain and/or route.
 *
 * @example
 * ```ts
 * import { App, TerraformStack } from 'cdktf';
 * import { CloudflareProvider } from '@cdktf/provider-cloudflare/lib/provider';
 * import { EdgeRouter, InferenceEndpointRef } from 'cdktf-global-inference';
 *
 * const stack = new TerraformStack(new App(), 'chat-cloudflare');
 * new CloudflareProvider(stack, 'cloudflare', {});
 * const endpoint = (region: string, albZoneId: string) =>
 *   InferenceEndpointRef.fromAttributes({
 *     region,
 *     albDnsName: `chat-0123456789.${region}.elb.amazonaws.com`,
 *     albZoneId,
 *     healthCheckPath: '/health',
 *     models: [{ name: 'llama-3-1-8b', id: 'meta-llama/Llama-3.1-8B-Instruct', version: '2026-11-01' }],
 *   });
 * const router = new EdgeRouter(stack, 'EdgeRouter', {
 *   accountId: '0123456789abcdef0123456789abcdef',
 *   zoneId: 'fedcba9876543210fedcba9876543210',
 *   serviceName: 'chat',
 *   hostname: 'router.inference.example.com',
 *   endpoints: [endpoint('us-east-1', 'Z35SXDOTRQ7X7K'), endpoint('eu-west-1', 'Z32O12XQLNTSW2')],
 *   hostnames: {
 *     'us-east-1': 'us-east-1.inference.example.com',
 *     'eu-west-1': 'eu-west-1.inference.example.com',
 *   },
 *   weights: { 'us-east-1': 100, 'eu-west-1': 50 },
 * });
 * // router.url is https://router.inference.example.com; set TF_VAR_<name> of router.adminTokenVariable.
 * ```
 */
export class EdgeRouter extends Construct {
  /** The Worker script (escape hatch). */
  readonly resource: WorkersScript;
  /** The KV namespace mirroring the routing table and its history for reads, and holding probe results. */
  readonly kvNamespace: WorkersKvNamespace;
  /** The KV entry holding the current table (written once unless `keepLiveEdits` is false). */
  readonly tableEntry: WorkersKv;
  /** The cron trigger running the scheduled readiness probe (`probe.cron`). */
  readonly cronTrigger: WorkersCronTrigger;
  /** The Worker custom domain, when `hostname` is set. */
  readonly customDomain?: WorkersCustomDomain;
  /** The Worker route, when `routePattern` is set. */
  readonly route?: WorkersRoute;
  /** The sensitive variable holding the admin token. */
  readonly adminTokenVariable: TerraformVariable;
  /** Name of the Worker script: `scriptName`, else `<serviceName>-edge-router`. */
  readonly scriptName: string;
  /** The initial routing table (version 1), as written to KV. */
  readonly routingTable: RoutingTable;
  /** The runtime settings passed to the Worker in the ROUTER_CONFIG binding. */
  readonly config: RouterConfig;
  /** The validated settings, defaults filled in. */
  readonly settings: EdgeRouterSpec;
  /** `https://<hostname>` when a custom domain is set. */
  readonly url?: string;

  constructor(scope: Construct, id: string, props: EdgeRouterProps) {
    super(scope, id);
    const { settings, routingTable } = validatedSettingsAndTable(`EdgeRouter '${this.node.path}'`, props);
    this.settings = withReferenceIds(settings, props);
    this.routingTable = routingTable;
    this.scriptName = settings.scriptName ?? defaultScriptName(props.serviceName);
    this.config = { ...routerConfig(settings), originAuthHeader: props.originAuth?.headerName ?? null };
    this.adminTokenVariable = props.adminToken ?? adminTokenVariable(this, this.scriptName);
    this.kvNamespace = new WorkersKvNamespace(this, 'Namespace', {
      provider: props.provider,
      accountId: props.accountId,
      title: `${this.scriptName}-routing`,
    });
    const tableText = JSON.stringify(routingTable);
    const { current, version1 } = this.writeInitialTable(props, tableText, settings.keepLiveEdits);
    this.tableEntry = current;
    this.resource = this.deployWorker(props, tableText);
    // Traffic reaches the Worker only once the table it routes by is in KV.
    const ready = [current, version1];
    if (settings.hostname) {
      this.url = `https://${settings.hostname}`;
      this.customDomain = this.serveOnCustomDomain(props, settings.hostname, ready);
    }
    if (settings.routePattern) this.route = this.serveOnRoute(props, settings.routePattern, ready);
    this.cronTrigger = this.scheduleProbe(props, settings.probe.cron);
    protectLiterals(this);
  }

  /** The KV entries of the generated table: the current table and version 1 of the history. */
  private writeInitialTable(
    props: EdgeRouterProps,
    tableText: string,
    keepLiveEdits: boolean,
  ): { current: WorkersKv; version1: WorkersKv } {
    const { provider, accountId } = props;
    // Live edits go through the admin API; without ignore_changes the next apply would silently revert them.
    const lifecycle = keepLiveEdits ? { ignoreChanges: ['value'] } : undefined;
    const current = new WorkersKv(this, 'TableCurrent', {
      provider,
      accountId,
      namespaceId: this.kvNamespace.id,
      keyName: ROUTER_KV_KEYS.current,
      value: tableText,
      lifecycle,
    });
    // Version 1 in the history, so operators can always roll back to what Terraform deployed.
    const version1 = new WorkersKv(this, 'TableVersion1', {
      provider,
      accountId,
      namespaceId: this.kvNamespace.id,
      keyName: versionKey(1),
      value: tableText,
      metadata: JSON.stringify({ updatedAt: null, updatedBy: 'terraform', action: 'initial' }),
      lifecycle,
    });
    return { current, version1 };
  }

  /** The Worker script with its bindings and the migration that creates the table writer class. */
  private deployWorker(props: EdgeRouterProps, tableText: string): WorkersScript {
    return new WorkersScript(this, 'Resource', {
      provider: props.provider,
      accountId: props.accountId,
      scriptName: this.scriptName,
      content: props.script ?? edgeWorkerScript(),
      mainModule: EDGE_WORKER_MAIN_MODULE,
      compatibilityDate: EDGE_WORKER_COMPATIBILITY_DATE,
      bindings: [
        { name: ROUTER_BINDINGS.kv, type: 'kv_namespace', namespaceId: this.kvNamespace.id },
        // The table writer: one Durable Object (class exported by this script) that decides every admin change.
        { name: ROUTER_BINDINGS.writer, type: 'durable_object_namespace', className: ROUTER_WRITER_CLASS },
        { name: ROUTER_BINDINGS.adminToken, type: 'secret_text', text: this.adminTokenVariable.stringValue },
        { name: ROUTER_BINDINGS.config, type: 'plain_text', text: JSON.stringify(this.config) },
        // The generated table: seeds the writer; with keepLiveEdits false a changed one replaces the live table.
        { name: ROUTER_BINDINGS.deployedTable, type: 'plain_text', text: tableText },
        ...(props.originAuth
          ? [{ name: ROUTER_BINDINGS.originAuthSecret, type: 'secret_text', text: props.originAuth.secret.stringValue }]
          : []),
      ],
      migrations: { newTag: EDGE_WORKER_MIGRATION_TAG, newSqliteClasses: [ROUTER_WRITER_CLASS] },
      // Workers Logs keeps the JSON decision lines searchable.
      observability: { enabled: true },
    });
  }

  /** The Worker custom domain serving the router on `hostname`. */
  private serveOnCustomDomain(props: EdgeRouterProps, hostname: string, ready: WorkersKv[]): WorkersCustomDomain {
    return new WorkersCustomDomain(this, 'CustomDomain', {
      provider: props.provider,
      accountId: props.accountId,
      zoneId: props.zoneId!,
      hostname,
      service: this.resource.scriptName,
      dependsOn: ready,
    });
  }

  /** The Worker route running the router on `pattern` of a proxied hostname. */
  private serveOnRoute(props: EdgeRouterProps, pattern: string, ready: WorkersKv[]): WorkersRoute {
    return new WorkersRoute(this, 'Route', {
      provider: props.provider,
      zoneId: props.zoneId!,
      pattern,
      script: this.resource.scriptName,
      dependsOn: ready,
    });
  }

  /** The cron trigger of the scheduled readiness probe. */
  private scheduleProbe(props: EdgeRouterProps, cron: string): WorkersCronTrigger {
    return new WorkersCronTrigger(this, 'ProbeSchedule', {
      provider: props.provider,
      accountId: props.accountId,
      scriptName: this.resource.scriptName,
      schedules: [{ cron }],
    });
  }
}

/** The validated settings and initial routing table; throws one error listing every problem. */
function validatedSettingsAndTable(
  source: string,
  givenProps: EdgeRouterProps,
): { settings: EdgeRouterSpec; routingTable: RoutingTable } {
  const problems: SpecProblem[] = [];
  const props = propsOrReported(givenProps, problems);
  const specPart = specInput(props);
  // The settings, the props and the routing table are checked together, so one run reports every problem.
  const endpoints = routableEndpoints(props.endpoints, problems);
  problems.push(...hostnamesShapeProblems(props.hostnames, endpoints.length));
  const settings = collect(problems, () =>
    validateProps(EdgeRouterSchema, stripUndefinedDeep(specPart), source, checkProps(props)),
  );
  const routingTable = collect(problems, () =>
    buildRoutingTable(
      {
        endpoints,
        hostnames: isObject(props.hostnames) ? (props.hostnames as Record<string, string>) : {},
        residency: props.residency,
        weights: settings?.weights ?? (isObject(props.weights) ? props.weights : undefined),
      },
      `${source} (routing table)`,
    ),
  );
  throwIfProblems(problems, source);
  if (!settings || !routingTable) throw new SpecValidationError(problems, source);
  return { settings, routingTable };
}

/** The props, or an empty object (with the problem reported) when they are not an object. */
function propsOrReported(props: EdgeRouterProps, problems: SpecProblem[]): EdgeRouterProps {
  if (isObject(props)) return props;
  problems.push({
    path: '(props)',
    message: "are required: an object with the construct's props",
    received: describeValue(props),
  });
  return {} as EdgeRouterProps;
}

/** The props the spec schema validates, references to account and zone replaced by a placeholder id. */
function specInput(props: EdgeRouterProps): EdgeRouterSpecInput {
  const placeholderId = '0'.repeat(32);
  // Account and zone ids may be references (a variable, another resource); the schema checks literals only.
  return {
    accountId: isToken(props.accountId) ? placeholderId : props.accountId,
    zoneId: props.zoneId !== undefined && isToken(props.zoneId) ? placeholderId : props.zoneId,
    scriptName: props.scriptName,
    hostname: props.hostname,
    routePattern: props.routePattern,
    strategy: props.strategy,
    weights: props.weights ? { ...props.weights } : undefined,
    attemptTimeoutMs: props.attemptTimeoutMs,
    maxAttempts: props.maxAttempts,
    budgetMs: props.budgetMs,
    breaker: props.breaker,
    latencyTolerancePercent: props.latencyTolerancePercent,
    explorePercent: props.explorePercent,
    tableCacheSeconds: props.tableCacheSeconds,
    probe: props.probe,
    saturation: props.saturation,
    remeasurePercent: props.remeasurePercent,
    retryServerErrors: props.retryServerErrors,
    streamIdleTimeoutMs: props.streamIdleTimeoutMs,
    keepLiveEdits: props.keepLiveEdits,
    logDecisions: props.logDecisions,
  };
}

/** The problem of a missing or malformed hostnames prop, when the routing table will not report it per endpoint. */
function hostnamesShapeProblems(hostnames: unknown, endpointCount: number): SpecProblem[] {
  // Missing hostnames are reported per endpoint by the routing table; here only when there is no endpoint to name.
  if (isObject(hostnames) || (hostnames === undefined && endpointCount > 0)) return [];
  return [
    {
      path: 'hostnames',
      message:
        hostnames === undefined
          ? 'is required (the public hostname of each endpoint by region code, such as { "us-east-1": ' +
            '"us-east-1.inference.example.com" })'
          : 'must be an object of hostnames by region code',
      received: hostnames === undefined ? undefined : describeValue(hostnames),
    },
  ];
}

/** The validated settings with the account and zone ids as given (references included, not placeholders). */
function withReferenceIds(settings: EdgeRouterSpec, props: EdgeRouterProps): EdgeRouterSpec {
  return {
    ...settings,
    accountId: props.accountId,
    ...(props.zoneId !== undefined ? { zoneId: props.zoneId } : {}),
  };
}

/** The Worker's runtime settings from the validated spec settings. */
export function routerConfig(settings: EdgeRouterSpec): RouterConfig {
  return {
    strategy: settings.strategy,
    attemptTimeoutMs: settings.attemptTimeoutMs,
    maxAttempts: settings.maxAttempts,
    budgetMs: settings.budgetMs,
    breakerFailureThreshold: settings.breaker.failureThreshold,
    breakerCooldownMs: settings.breaker.cooldownMs,
    breakerProbeIntervalMs: settings.breaker.probeIntervalMs,
    breakerOpenOnUnambiguous: settings.breaker.openOnUnambiguousFailure,
    latencyTolerance: settings.latencyTolerancePercent / 100,
    exploreRatio: settings.explorePercent / 100,
    tableCacheMs: settings.tableCacheSeconds * 1000,
    probeTimeoutMs: settings.probe.timeoutMs,
    maxBodyBytes: DEFAULT_ROUTER_CONFIG.maxBodyBytes,
    saturationBackoffMs: settings.saturation.defaultBackoffMs,
    saturationMaxBackoffMs: settings.saturation.maxBackoffMs,
    remeasureRatio: settings.remeasurePercent / 100,
    retryServerErrors: settings.retryServerErrors,
    streamIdleTimeoutMs: settings.streamIdleTimeoutMs,
    maxResponseBufferBytes: DEFAULT_ROUTER_CONFIG.maxResponseBufferBytes,
    keepLiveEdits: settings.keepLiveEdits,
    logDecisions: settings.logDecisions,
    originAuthHeader: null,
  };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The result of `check`, or undefined with its validation problems added to `problems` (other errors propagate). */
function collect<T>(problems: SpecProblem[], check: () => T): T | undefined {
  try {
    return check();
  } catch (error) {
    if (!(error instanceof SpecValidationError)) throw error;
    problems.push(...error.problems);
    return undefined;
  }
}

/**
 * The endpoints the routing table can be built from; a missing list or an endpoint without region or models is
 * reported.
 */
function routableEndpoints(endpoints: unknown, problems: SpecProblem[]): IInferenceEndpoint[] {
  if (!Array.isArray(endpoints)) {
    problems.push({
      path: 'endpoints',
      message:
        endpoints === undefined
          ? 'is required (the regional endpoints the router forwards to, at least one)'
          : 'must be a list of endpoints',
      received: endpoints === undefined ? undefined : describeValue(endpoints),
    });
    return [];
  }
  return endpoints.filter((e, i): e is IInferenceEndpoint => {
    if (!isObject(e)) {
      problems.push({
        path: `endpoints[${i}]`,
        message: 'must be an endpoint: a GpuInferenceEndpoint or InferenceEndpointRef.fromAttributes(...)',
        received: describeValue(e),
      });
      return false;
    }
    const missing = (['region', 'healthCheckPath'] as const).filter((k) => typeof e[k] !== 'string');
    for (const key of missing)
      problems.push({
        path: `endpoints[${i}].${key}`,
        message: 'is required (text)',
        received: e[key] === undefined ? undefined : describeValue(e[key]),
      });
    if (!Array.isArray(e.models))
      problems.push({
        path: `endpoints[${i}].models`,
        message: 'is required (a list of { name, id, version })',
        received: e.models === undefined ? undefined : describeValue(e.models),
      });
    return missing.length === 0 && Array.isArray(e.models);
  });
}

function checkProps(props: EdgeRouterProps): SpecProblem[] {
  const problems: SpecProblem[] = [];
  if (props.originAuth && props.originAuth.secret.sensitive !== true) {
    problems.push({
      path: 'originAuth.secret',
      message:
        'must be a TerraformVariable declared with sensitive: true (the origin secret must never show in plans ' +
        'or snapshots)',
    });
  }
  if (props.adminToken && props.adminToken.sensitive !== true) {
    problems.push({
      path: 'adminToken',
      message: 'must be a TerraformVariable declared with sensitive: true, so the token never shows in plans or logs',
      received: `variable '${props.adminToken.friendlyUniqueId}' (not sensitive)`,
    });
  }
  if (props.serviceName !== undefined && !/^[a-z](?:[a-z0-9-]{0,22}[a-z0-9])?$/.test(props.serviceName)) {
    problems.push({
      path: 'serviceName',
      message:
        "must be a service name: lower-case letters, digits and '-', starting with a letter, at most 24 characters",
      received: JSON.stringify(props.serviceName),
    });
  }
  return problems;
}

function defaultScriptName(serviceName: string | undefined): string {
  return `${serviceName ?? 'inference'}-edge-router`;
}

function adminTokenVariable(scope: Construct, scriptName: string): TerraformVariable {
  const variable = new TerraformVariable(scope, 'AdminToken', {
    type: 'string',
    sensitive: true,
    nullable: false,
    description:
      `Bearer token of the ${scriptName} admin API (/_router/...). At least ${MIN_ADMIN_TOKEN_LENGTH} ` +
      `characters; set it with TF_VAR_${variableName(scriptName)}, never in code.`,
  });
  variable.overrideLogicalId(variableName(scriptName));
  variable.addValidation({
    condition: Op.gte(Fn.lengthOf(variable.value), MIN_ADMIN_TOKEN_LENGTH),
    errorMessage:
      `The admin token must be at least ${MIN_ADMIN_TOKEN_LENGTH} characters (the Worker disables its admin API ` +
      'for shorter ones).',
  });
  return variable;
}

function variableName(scriptName: string): string {
  return `${scriptName.replace(/-/g, '_')}_admin_token`;
}

/** A copy without `undefined` properties at any depth, so schema defaults apply to them. */
function stripUndefinedDeep<T>(value: T): T {
  if (Array.isArray(value) || typeof value !== 'object' || value === null || isToken(value)) return value;
  return Object.fromEntries(
    Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .map(([k, v]) => [k, stripUndefinedDeep(v)]),
  ) as T;
}
