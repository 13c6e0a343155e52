/*
 * The edge router Worker: OpenAI-compatible inference routing across regional endpoints, with live weights decided by
 * one table writer (a Durable Object, exported here) and mirrored to KV, per-isolate health (latency, stalls, errors,
 * saturation, circuit breakers), residency, in-request retries, an admin API and a scheduled readiness probe. Bundled
 * by esbuild into one ES module (see lib/edge-router/worker-script.ts).
 */
import { parseRouterConfig, type RouterConfig } from '../../lib/edge-router/router-config';
import { handleAdmin } from './admin';
import { HealthBoard } from './health';
import { logLine, openAiError } from './http';
import { probeBackends, writeProbe } from './probe';
import { INFERENCE_PATHS, MODEL_PATH, listModels, routeInference } from './router';
import { TableStore } from './table-store';
import type { RouterTableWriter } from './writer';

export { RouterTableWriter } from './writer';

export interface Env {
  readonly ROUTER_KV: KVNamespace;
  /**
   * The table writer; absent in a deployment without it (routing then reads KV only, and admin changes are refused).
   */
  readonly ROUTER_WRITER?: DurableObjectNamespace<RouterTableWriter>;
  readonly ROUTER_DEPLOYED_TABLE?: string;
  readonly ADMIN_TOKEN?: string;
  readonly ROUTER_CONFIG?: string;
  readonly ORIGIN_AUTH_SECRET?: string;
}

interface Runtime {
  readonly config: RouterConfig;
  readonly board: HealthBoard;
  readonly store: TableStore;
  readonly configText: string | undefined;
}

// Per-isolate state: lives as long as the isolate, shared by every request it serves.
let runtime: Runtime | undefined;

function runtimeFor(env: Env): Runtime {
  if (runtime && runtime.configText === env.ROUTER_CONFIG) return runtime;
  const { config, ignored } = parseRouterConfig(env.ROUTER_CONFIG);
  if (ignored.length > 0)
    logLine({ event: 'config-ignored', fields: ignored, note: 'invalid ROUTER_CONFIG fields fell back to defaults' });
  if (runtime) {
    // A new deployment changed the settings: keep the health knowledge and the cached table.
    runtime.board.configure(config);
    runtime.store.configure(config.tableCacheMs);
    runtime = { ...runtime, config, configText: env.ROUTER_CONFIG };
  } else {
    const board = new HealthBoard(config);
    runtime = {
      config,
      board,
      store: new TableStore(env.ROUTER_KV, board, config.tableCacheMs, env.ROUTER_WRITER),
      configText: env.ROUTER_CONFIG,
    };
  }
  return runtime;
}

/** The locked origins' secret header, when the deployment configures one. */
function originHeaders(config: RouterConfig, env: Env): Record<string, string> {
  return config.originAuthHeader && env.ORIGIN_AUTH_SECRET ? { [config.originAuthHeader]: env.ORIGIN_AUTH_SECRET } : {};
}

export default {
  async fetch(request, env, ctx): Promise<Response> {
    try {
      const url = new URL(request.url);
      const rt = runtimeFor(env);
      if (url.pathname === '/_router' || url.pathname.startsWith('/_router/')) {
        return await handleAdmin(request, url, {
          kv: env.ROUTER_KV,
          writer: env.ROUTER_WRITER,
          store: rt.store,
          board: rt.board,
          adminToken: env.ADMIN_TOKEN,
        });
      }
      const isModels = url.pathname === '/v1/models' || MODEL_PATH.test(url.pathname);
      if (!isModels && !INFERENCE_PATHS.has(url.pathname)) {
        return openAiError(
          404,
          `Unknown path ${url.pathname}; this router serves /v1/chat/completions, /v1/completions, ` +
            '/v1/embeddings, /v1/models and /v1/models/{id}',
          'invalid_request_error',
          'unknown_url',
          {
            headers: { 'x-should-retry': 'false' },
          },
        );
      }
      const table = await rt.store.current(ctx, Date.now());
      if (!table)
        return openAiError(503, 'The router has no routing table yet', 'server_error', 'no_table', {
          headers: { 'retry-after': '10' },
        });
      const route = {
        table,
        board: rt.board,
        config: rt.config,
        ctx,
        originHeaders: originHeaders(rt.config, env),
        adminToken: env.ADMIN_TOKEN,
      };
      return isModels ? listModels(request, url, route) : await routeInference(request, url, route);
    } catch (error) {
      // A bug must not become a stack trace for the client; it is logged for us.
      logLine({ event: 'error', error: String(error), stack: error instanceof Error ? error.stack : undefined });
      return openAiError(500, 'The router failed to handle the request', 'server_error', 'router_error');
    }
  },

  async scheduled(_controller, env, _ctx): Promise<void> {
    const rt = runtimeFor(env);
    const table = await rt.store.refresh(Date.now());
    if (!table) {
      logLine({ event: 'probe', skipped: 'no routing table in KV' });
      return;
    }
    const snapshot = await probeBackends(table, rt.config.probeTimeoutMs, originHeaders(rt.config, env));
    rt.board.applyProbe(snapshot, Date.now());
    await writeProbe(env.ROUTER_KV, snapshot);
    const down = Object.entries(snapshot.results)
      .filter(([, r]) => !r.ok)
      .map(([k]) => k);
    logLine({ event: 'probe', tableVersion: table.version, targets: Object.keys(snapshot.results).length, down });
  },
} satisfies ExportedHandler<Env>;
