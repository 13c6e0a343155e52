/*
 * The scheduled readiness probe: every backend x model it serves, with the model header so the ALB asks the right
 * fleet. The snapshot goes to one KV key (one write per run), which every isolate applies when it refreshes its
 * table, so a fresh isolate starts from known health instead of discovering a dead backend with live traffic.
 */
import { ROUTER_KV_KEYS, ROUTER_MODEL_HEADER, type RoutingTable } from '../../lib/edge-router/routing-table';
import { targetKey, type ProbeResult, type ProbeSnapshot } from './health';

export async function probeBackends(
  table: RoutingTable,
  timeoutMs: number,
  originHeaders: Readonly<Record<string, string>> = {},
  now: () => number = Date.now,
): Promise<ProbeSnapshot> {
  const at = now();
  const jobs: Promise<[string, ProbeResult]>[] = [];
  for (const id of Object.keys(table.backends).sort()) {
    const backend = table.backends[id];
    for (const model of backend.models) {
      jobs.push(
        probeOne(`${backend.url}${backend.healthPath}`, model, timeoutMs, originHeaders, now).then((result) => [
          targetKey(id, model),
          result,
        ]),
      );
    }
  }
  return { at, results: Object.fromEntries(await Promise.all(jobs)) };
}

export async function writeProbe(kv: KVNamespace, snapshot: ProbeSnapshot): Promise<void> {
  await kv.put(ROUTER_KV_KEYS.probe, JSON.stringify(snapshot));
}

/** One readiness probe: GET the path with the model header; ready = a 2xx answer within the timeout. */
export async function probeOne(
  url: string,
  model: string,
  timeoutMs: number,
  originHeaders: Readonly<Record<string, string>> = {},
  now: () => number = Date.now,
): Promise<ProbeResult> {
  const started = now();
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), timeoutMs);
  try {
    const response = await fetch(url, {
      headers: { ...originHeaders, [ROUTER_MODEL_HEADER]: model, 'user-agent': 'edge-router-probe' },
      signal: controller.signal,
      redirect: 'manual',
    });
    // Read the (small) body so the time covers the whole answer and the connection is released.
    await response.arrayBuffer();
    return { ok: response.status >= 200 && response.status < 300, status: response.status, ms: now() - started };
  } catch (error) {
    return {
      ok: false,
      ms: now() - started,
      error: controller.signal.aborted ? `no answer within ${timeoutMs} ms` : String(error),
    };
  } finally {
    clearTimeout(timer);
  }
}
