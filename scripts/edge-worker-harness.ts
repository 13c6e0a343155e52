/*
 * Test and benchmark harness for the edge router Worker: real HTTP servers on 127.0.0.1 that behave like
 * OpenAI-compatible inference servers (latency, error statuses, hangs, SSE streams, dying mid-stream, being killed),
 * and the bundled Worker running in workerd through Miniflare with a KV namespace. Nothing is mocked: the Worker's
 * fetches cross real sockets.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import { readFileSync } from 'node:fs';
import { Miniflare } from 'miniflare';
import { edgeWorkerScript } from '../lib/edge-router/worker-script';
import { DEFAULT_ROUTER_CONFIG, type RouterConfig } from '../lib/edge-router/router-config';
import { INITIAL_TABLE_HEADER } from '../lib/edge-router/initial-table';
import {
  ROUTER_BINDINGS,
  ROUTER_KV_KEYS,
  ROUTER_WRITER_CLASS,
  validateRoutingTable,
  versionKey,
  type ResidencyClientGroup,
  type RoutingBackend,
  type RoutingTable,
} from '../lib/edge-router/routing-table';

/**
 * The Worker the workerd tests run: the bundle of this checkout, or the file EDGE_ROUTER_BUNDLE names (to run the
 * same tests against another build, such as the previous release's, and see which of them it fails).
 */
export function routerScript(): string {
  const other = process.env.EDGE_ROUTER_BUNDLE;
  return other ? readFileSync(other, 'utf8') : edgeWorkerScript();
}

/**
 * The same date the construct deploys with (EDGE_WORKER_COMPATIBILITY_DATE); kept literal so this file needs no cdktf.
 */
export const HARNESS_COMPATIBILITY_DATE = '2025-09-01';

/** What a fake inference server does with the next inference requests. */
export type BackendBehaviour =
  | { readonly kind: 'ok' }
  /** Every request answered with this status (and a Retry-After header, when given). */
  | { readonly kind: 'status'; readonly status: number; readonly retryAfter?: string }
  /** This share of requests (0-1, at random) answered with the status, the rest normally. */
  | { readonly kind: 'flaky'; readonly status: number; readonly ratio: number }
  | { readonly kind: 'hang' }
  /** Sends headers and the first SSE event, then drops the connection. */
  | { readonly kind: 'break-stream' }
  /**
   * Dies mid-answer: a stream after `afterEvents` SSE events (default 1), a non-streamed answer after its headers
   * (with Content-Length) and half of its body. Readiness stays fine (a proxy cutting long connections, say).
   */
  | { readonly kind: 'cut'; readonly afterEvents?: number };

export interface RecordedRequest {
  readonly method: string;
  readonly path: string;
  readonly headers: IncomingMessage['headers'];
  readonly body: string;
  /** performance.now() when the request arrived. */
  readonly at: number;
}

export interface FakeBackendOptions {
  /** Name echoed in responses (`backend` field). */
  readonly name: string;
  /** Delay before the response headers. @default 0 */
  readonly latencyMs?: number;
  /** Readiness path. @default '/health' */
  readonly healthPath?: string;
  /** SSE events sent for `stream: true` requests, and the gap between them. @default 3 events, 20 ms apart */
  readonly sse?: { readonly events: number; readonly gapMs: number };
}

/** A loopback server that acts like a vLLM-style OpenAI-compatible server. */
export class FakeInferenceServer {
  readonly name: string;
  latencyMs: number;
  behaviour: BackendBehaviour = { kind: 'ok' };
  /**
   * Status of the readiness path (per model: set `healthByModel`). A hanging server does not answer it; one that
   * answers inference with an error status still reports ready (alive but failing requests, like an overloaded engine).
   */
  healthStatus = 200;
  healthByModel: Record<string, number> = {};
  /** Extra headers on every inference answer (e.g. hop-by-hop ones, to see that the router drops them). */
  extraHeaders: Record<string, string> = {};
  sse: { events: number; gapMs: number };
  readonly healthPath: string;
  /** Inference requests of clients (first attempts and retries). */
  readonly requests: RecordedRequest[] = [];
  /**
   * Background copies the router sent to re-measure this server (header x-router-copy); their answers are discarded.
   */
  readonly copies: RecordedRequest[] = [];
  readonly probes: RecordedRequest[] = [];
  private server: Server | undefined;
  private readonly sockets = new Set<Socket>();
  private listenPort = 0;

  constructor(options: FakeBackendOptions) {
    this.name = options.name;
    this.latencyMs = options.latencyMs ?? 0;
    this.healthPath = options.healthPath ?? '/health';
    this.sse = { events: options.sse?.events ?? 3, gapMs: options.sse?.gapMs ?? 20 };
  }

  get port(): number {
    return this.listenPort;
  }

  get url(): string {
    return `http://127.0.0.1:${this.listenPort}`;
  }

  /** Listens on a free port, or on the port it had before (restart after `kill`). */
  async start(): Promise<this> {
    const server = createServer((req, res) => {
      // A client that gives up (the router's attempt timeout) aborts the request: not an error of the server.
      this.handle(req, res).catch(() => res.destroy());
    });
    server.keepAliveTimeout = 60_000;
    server.on('connection', (socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.listenPort, '127.0.0.1', () => resolve());
    });
    this.server = server;
    this.listenPort = (server.address() as AddressInfo).port;
    return this;
  }

  /** Stops listening and cuts every connection: new connections are refused, like a dead host's port. */
  async kill(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    for (const socket of this.sockets) socket.destroy();
    this.sockets.clear();
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** Inference requests (not probes) received since the last reset. */
  count(predicate: (r: RecordedRequest) => boolean = () => true): number {
    return this.requests.filter(predicate).length;
  }

  reset(): void {
    this.requests.length = 0;
    this.copies.length = 0;
    this.probes.length = 0;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const record: RecordedRequest = {
      method: req.method ?? '',
      path: req.url ?? '',
      headers: req.headers,
      body: Buffer.concat(chunks).toString('utf8'),
      at: performance.now(),
    };
    if ((req.url ?? '').split('?')[0] === this.healthPath) {
      this.probes.push(record);
      if (this.behaviour.kind === 'hang') return; // a stuck server does not answer its readiness path either
      const model = String(req.headers['x-inference-model'] ?? '');
      const status = this.healthByModel[model] ?? this.healthStatus;
      res.writeHead(status, { 'content-type': 'text/plain' }).end(status === 200 ? 'ready' : 'not ready');
      return;
    }
    if (req.headers['x-router-copy'] !== undefined) this.copies.push(record);
    else this.requests.push(record);
    const behaviour = this.behaviour;
    if (behaviour.kind === 'hang') return; // never answer; the socket stays open until the client gives up
    // A request may ask for its own latency (a long generation among short ones): header x-fake-latency-ms.
    const latencyMs = Number(req.headers['x-fake-latency-ms'] ?? this.latencyMs);
    if (latencyMs > 0) await sleep(latencyMs);
    if (behaviour.kind === 'status' || (behaviour.kind === 'flaky' && Math.random() < behaviour.ratio)) {
      const headers: Record<string, string> = { 'content-type': 'application/json' };
      if (behaviour.kind === 'status' && behaviour.retryAfter !== undefined)
        headers['retry-after'] = behaviour.retryAfter;
      res.writeHead(behaviour.status, headers).end(
        JSON.stringify({
          error: { message: `${this.name} says ${behaviour.status}`, type: 'server_error', param: null, code: null },
        }),
      );
      return;
    }
    let body: Record<string, unknown> = {};
    try {
      body = JSON.parse(record.body) as Record<string, unknown>;
    } catch {
      // the router should never forward a malformed body; answer anyway so a test can see it did
    }
    const cutAfter =
      behaviour.kind === 'break-stream' ? 1 : behaviour.kind === 'cut' ? (behaviour.afterEvents ?? 1) : Infinity;
    if (body.stream === true || behaviour.kind === 'break-stream') {
      res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', ...this.extraHeaders });
      res.flushHeaders();
      for (let i = 0; i < this.sse.events; i++) {
        res.write(`data: ${JSON.stringify(this.chunk(String(body.model ?? ''), i))}\n\n`);
        await sleep(this.sse.gapMs);
        if (i + 1 >= cutAfter) {
          res.socket?.destroy();
          return;
        }
      }
      res.end('data: [DONE]\n\n');
      return;
    }
    const answer = JSON.stringify(this.answer(record.path, body, req.headers));
    res.writeHead(200, {
      'content-type': 'application/json',
      'x-backend-name': this.name,
      'content-length': String(Buffer.byteLength(answer)),
      ...this.extraHeaders,
    });
    if (cutAfter !== Infinity) {
      res.write(answer.slice(0, Math.floor(answer.length / 2)));
      await sleep(5);
      res.socket?.destroy();
      return;
    }
    res.end(answer);
  }

  /** One streamed chunk, shaped like OpenAI's chat.completion.chunk. */
  private chunk(model: string, index: number): Record<string, unknown> {
    return {
      id: `chatcmpl-${this.name}`,
      object: 'chat.completion.chunk',
      created: 0,
      model,
      backend: this.name,
      index,
      choices: [{ index: 0, delta: { content: `token${index} ` }, finish_reason: null }],
    };
  }

  /**
   * A non-streamed answer, shaped like OpenAI's (chat completion, completion or embeddings), with what the server saw.
   */
  private answer(
    path: string,
    body: Record<string, unknown>,
    headers: IncomingMessage['headers'],
  ): Record<string, unknown> {
    const seen = { backend: this.name, model: body.model ?? null, header: headers['x-inference-model'] ?? null, path };
    if (path.startsWith('/v1/embeddings')) {
      return {
        object: 'list',
        data: [{ object: 'embedding', index: 0, embedding: [0.1, 0.2, 0.3] }],
        usage: { prompt_tokens: 1, total_tokens: 1 },
        ...seen,
      };
    }
    return {
      id: `chatcmpl-${this.name}`,
      object: 'chat.completion',
      created: 0,
      choices: [
        { index: 0, message: { role: 'assistant', content: `hello from ${this.name}` }, finish_reason: 'stop' },
      ],
      usage: { prompt_tokens: 1, completion_tokens: 3, total_tokens: 4 },
      ...seen,
    };
  }
}

export interface TableBackend {
  readonly id: string;
  /** Where it listens (a FakeInferenceServer, or one running in another process). */
  readonly server: { readonly url: string; readonly healthPath: string };
  readonly models: readonly string[];
  readonly jurisdiction?: string;
  readonly weight?: number;
  readonly enabled?: boolean;
}

/** A valid routing table (version 1) pointing at loopback servers. Throws with the problems if it is not valid. */
export function loopbackTable(
  backends: readonly TableBackend[],
  models: Readonly<Record<string, string>>,
  residency: Readonly<Record<string, ResidencyClientGroup>> = {},
): RoutingTable {
  const table: RoutingTable = {
    ...INITIAL_TABLE_HEADER,
    models: Object.fromEntries(Object.entries(models).map(([key, id]) => [key, { id }])),
    backends: Object.fromEntries(
      backends.map((b): [string, RoutingBackend] => [
        b.id,
        {
          url: b.server.url,
          healthPath: b.server.healthPath,
          ...(b.jurisdiction ? { jurisdiction: b.jurisdiction } : {}),
          models: [...b.models],
          weight: b.weight ?? 100,
          enabled: b.enabled ?? true,
        },
      ]),
    ),
    residency,
  };
  const problems = validateRoutingTable(table);
  if (problems.length > 0) throw new Error(`test table is invalid: ${JSON.stringify(problems)}`);
  return table;
}

export interface RouterHarnessOptions {
  /** The bundled Worker (edgeWorkerScript()). */
  readonly script: string;
  /** Written to KV as the current table and version 1 before the first request. */
  readonly table?: RoutingTable;
  readonly config?: Partial<RouterConfig>;
  /** ADMIN_TOKEN secret. @default - none (admin API disabled) */
  readonly adminToken?: string;
  /** ORIGIN_AUTH_SECRET secret (with `config.originAuthHeader`). @default - none */
  readonly originAuthSecret?: string;
  /** Echo the Worker's stdout/stderr (debugging). @default false */
  readonly echo?: boolean;
  /**
   * Also serve the Worker on a socket of its own (`directUrl`): plain HTTP straight into workerd, as Cloudflare's
   * edge hands a Worker its requests, without Miniflare's entry worker (which sets `request.cf`, so requests there
   * carry none). Used by the benchmark. @default false
   */
  readonly directSocket?: boolean;
  /**
   * Worker instances (separate isolates, like two Cloudflare locations) sharing the KV namespace and the table
   * writer Durable Object. @default 1
   */
  readonly instances?: number;
  /**
   * Keep KV and Durable Object storage in this directory (a restart with new options keeps them). @default - in memory
   */
  readonly persistDir?: string;
  /** ROUTER_DEPLOYED_TABLE, when it should differ from `table` (a redeployment). @default - `table` */
  readonly deployedTable?: RoutingTable;
}

export interface RouterHarness {
  readonly mf: Miniflare;
  readonly kv: Awaited<ReturnType<Miniflare['getKVNamespace']>>;
  /** The Worker's own socket, when started with `directSocket`. */
  readonly directUrl?: URL;
  /** Every JSON line the Worker logged, parsed, in order. */
  readonly logs: Record<string, unknown>[];
  /** A request to the router; `cf` sets request.cf (country/continent drive residency). */
  fetch(path: string, init?: RouterRequestInit): Promise<Response>;
  /** A request to instance `index` (0 = the one `fetch` uses). */
  fetchOn(index: number, path: string, init?: RouterRequestInit): Promise<Response>;
  /** Whether the script has the table writer (older bundles do not). */
  readonly hasWriter: boolean;
  /** Runs the Worker's scheduled handler once. */
  scheduled(cron?: string): Promise<unknown>;
  dispose(): Promise<void>;
}

export const HARNESS_ORIGIN = 'http://router.test';

export interface RouterRequestInit {
  method?: string;
  headers?: Record<string, string>;
  body?: string;
  cf?: { country?: string; continent?: string };
}

/** Worker name of instance `i` in the harness. */
export function routerInstanceName(index: number): string {
  return `router-${index}`;
}

export async function startRouter(options: RouterHarnessOptions): Promise<RouterHarness> {
  const logs: Record<string, unknown>[] = [];
  const config = { ...DEFAULT_ROUTER_CONFIG, logDecisions: true, ...options.config };
  const instances = Math.max(1, options.instances ?? 1);
  const hasWriter = new RegExp(`\\b${ROUTER_WRITER_CLASS}\\b`).test(options.script);
  const deployed = options.deployedTable ?? options.table;
  const bindings = {
    [ROUTER_BINDINGS.config]: JSON.stringify(config),
    ...(deployed ? { [ROUTER_BINDINGS.deployedTable]: JSON.stringify(deployed) } : {}),
    ...(options.adminToken !== undefined ? { [ROUTER_BINDINGS.adminToken]: options.adminToken } : {}),
    ...(options.originAuthSecret !== undefined ? { [ROUTER_BINDINGS.originAuthSecret]: options.originAuthSecret } : {}),
  };
  const workers = Array.from({ length: instances }, (_, i) => ({
    name: routerInstanceName(i),
    modules: true,
    script: options.script,
    compatibilityDate: HARNESS_COMPATIBILITY_DATE,
    // One namespace id: every instance sees the same KV, as every Cloudflare location does.
    kvNamespaces: { [ROUTER_BINDINGS.kv]: 'router-kv' },
    ...(hasWriter
      ? {
          durableObjects: {
            [ROUTER_BINDINGS.writer]: {
              className: ROUTER_WRITER_CLASS,
              useSQLite: true,
              ...(i > 0 ? { scriptName: routerInstanceName(0) } : {}),
            },
          },
        }
      : {}),
    bindings,
    ...(i === 0 && options.directSocket ? { unsafeDirectSockets: [{ host: '127.0.0.1', port: 0 }] } : {}),
  }));
  const mf = new Miniflare({
    workers,
    ...(options.persistDir
      ? { kvPersist: `${options.persistDir}/kv`, durableObjectsPersist: `${options.persistDir}/do` }
      : {}),
    handleRuntimeStdio(stdout: Readable, stderr: Readable) {
      createInterface({ input: stdout }).on('line', (line) => {
        if (options.echo) process.stdout.write(`[worker] ${line}\n`);
        const start = line.indexOf('{');
        if (start < 0) return;
        try {
          logs.push(JSON.parse(line.slice(start)) as Record<string, unknown>);
        } catch {
          // not one of our JSON lines
        }
      });
      createInterface({ input: stderr }).on('line', (line) => {
        if (options.echo) process.stderr.write(`[worker:err] ${line}\n`);
      });
    },
  } as never);
  await mf.ready;
  const directUrl = options.directSocket ? await mf.unsafeGetDirectURL(routerInstanceName(0)) : undefined;
  const kv = await mf.getKVNamespace(ROUTER_BINDINGS.kv, routerInstanceName(0));
  if (options.table) {
    const text = JSON.stringify(options.table);
    await kv.put(ROUTER_KV_KEYS.current, text);
    await kv.put(versionKey(options.table.version), text, {
      metadata: { updatedAt: null, updatedBy: 'terraform', action: 'initial' },
    });
  }
  const fetchers = await Promise.all(Array.from({ length: instances }, (_, i) => mf.getWorker(routerInstanceName(i))));
  const fetchOn = async (index: number, path: string, init: RouterRequestInit = {}) => {
    const { cf, ...rest } = init;
    const request = { ...rest, cf: { country: 'JP', continent: 'AS', ...cf } };
    const response =
      index === 0
        ? await mf.dispatchFetch(`${HARNESS_ORIGIN}${path}`, request as never)
        : await fetchers[index].fetch(`${HARNESS_ORIGIN}${path}`, request as never);
    return response as unknown as Response;
  };
  return {
    mf,
    kv,
    directUrl,
    logs,
    hasWriter,
    fetch: (path, init) => fetchOn(0, path, init),
    fetchOn,
    async scheduled(cron = '* * * * *') {
      return fetchers[0].scheduled({ cron });
    },
    dispose: () => mf.dispose(),
  };
}

/** A chat completion request body. */
export function chatBody(model: string, extra: Record<string, unknown> = {}): string {
  return JSON.stringify({ model, messages: [{ role: 'user', content: 'hello' }], ...extra });
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** The p-th percentile (0-100) of a list of numbers (nearest rank). */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}
