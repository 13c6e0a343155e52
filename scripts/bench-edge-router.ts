/**
 * `npm run bench:edge`: the edge router Worker (the bundle `npm run build` wrote) in workerd via Miniflare, in
 * front of three loopback inference servers of different latencies, under open-loop load, while faults are
 * injected into whichever backend is the best at the time:
 *
 *   0 s   all healthy             best: a (5 ms)
 *   3 s   a is killed             best: b (15 ms)     port closed, connections cut
 *   6 s   b answers 503           best: c (30 ms)
 *   8.5 s a is back               best: a             the router sees it at its next readiness probe of a
 *  10 s   a hangs                 best: c             accepts requests, never answers
 *  13 s   end
 *
 * Prints: client-visible failures; per fault, the time from the fault until first attempts stop going to that
 * backend; the share of first attempts that went to the best healthy backend (ground truth from the timeline);
 * and the routing overhead against calling a backend directly (p50/p99), separated into what any Worker hop costs
 * here (a pass-through Worker) and what the router's own logic adds. A script that prints figures, not a test.
 *
 * The client speaks plain HTTP to the Worker's own workerd socket, as Cloudflare's edge hands a Worker its requests;
 * Miniflare's dispatchFetch (its entry worker plus Node-side request conversion) is measured alongside for context.
 * The recovery lands between two readiness probes of the dead backend (8.5 s, not on the 1 s grid the kill at 3 s and
 * the 1 s cooldown set), so the time to see it is not flattered by alignment.
 *
 * Options (environment): BENCH_RPS (default 100; the client, the servers and the log reader share one Node process,
 * which saturates around 150-200 req/s on a 2-core machine and then measures its own queueing), BENCH_SCALE (stretch the timeline, default 1),
 * BENCH_OVERHEAD_N (sequential requests per overhead series, default 1000), BENCH_TRACE=1 (list every miss with its
 * attempts), BENCH_PROBE_INTERVAL_MS and BENCH_EXPLORE_PERCENT (the router's probe interval, default 100, and
 * exploration, default 0.5: what the first-attempt share costs in probes and in staleness).
 */
import { cpus, loadavg } from 'node:os';
import { Miniflare } from 'miniflare';
import { edgeWorkerScript } from '../lib/edge-router/worker-script';
import { RemoteBackends } from './edge-worker-backends';
import { HARNESS_COMPATIBILITY_DATE, chatBody, loopbackTable, percentile, sleep, startRouter, type RouterHarness } from './edge-worker-harness';

const RPS = envNumber('BENCH_RPS', 100, 1, 1000);
const SCALE = envNumber('BENCH_SCALE', 1, 0.5, 100);
const OVERHEAD_N = envNumber('BENCH_OVERHEAD_N', 1000, 10, 1_000_000);
const TRACE = process.env.BENCH_TRACE === '1';
/** The defaults' times divided by 10 (attempt timeout, cooldown, probe interval), so four faults fit in 13 s. */
const ROUTER_CONFIG = {
  attemptTimeoutMs: 1000,
  maxAttempts: 3,
  budgetMs: 5000,
  breakerFailureThreshold: 3,
  breakerCooldownMs: 1000,
  breakerProbeIntervalMs: envNumber('BENCH_PROBE_INTERVAL_MS', 100, 50, 600_000),
  probeTimeoutMs: 1000,
  exploreRatio: envNumber('BENCH_EXPLORE_PERCENT', 0.5, 0, 50) / 100,
};

interface Sent {
  id: string;
  start: number;
  end: number;
  status: number;
  error?: string;
}

interface Decision {
  requestId: string;
  /** Absent when no attempt was made (e.g. every breaker open). */
  attempts?: { backend: string; reason: string; outcome: string; ms: number }[];
  status: number;
}

interface FaultEvent {
  at: number;
  label: string;
  backend: string;
  kind: 'kill' | '503' | 'restore' | 'hang';
}

async function main(): Promise<void> {
  // The backends run in a child process: the latency the router measures is theirs, not this process's event loop.
  const { backends, servers } = await RemoteBackends.start([
    { name: 'a', latencyMs: 5 },
    { name: 'b', latencyMs: 15 },
    { name: 'c', latencyMs: 30 },
    { name: 'zero' },
  ]);
  const table = loopbackTable(
    [
      { id: 'a', server: servers.a, models: ['llama'] },
      { id: 'b', server: servers.b, models: ['llama'] },
      { id: 'c', server: servers.c, models: ['llama'] },
      { id: 'zero', server: servers.zero, models: ['zero'] },
    ],
    { llama: 'meta-llama/Llama-3.1-8B-Instruct', zero: 'zero-latency' },
  );
  const script = edgeWorkerScript();
  const router = await startRouter({ script, table, config: ROUTER_CONFIG, directSocket: true });
  const quiet = await startRouter({ script, table, config: { ...ROUTER_CONFIG, logDecisions: false }, directSocket: true });
  const passthrough = await startPassthrough(servers.zero.url);
  try {
    process.stdout.write(`edge router benchmark: Node ${process.version}, ${cpus().length} CPUs, load average ${loadavg().map((l) => l.toFixed(1)).join(' ')}, bundle ${(script.length / 1024).toFixed(1)} KiB\n\n`);
    await overhead(router, quiet, passthrough, servers.zero.url);
    await quiet.dispose();
    await faults(router, backends);
    process.stdout.write(`\nload average at the end: ${loadavg().map((l) => l.toFixed(1)).join(' ')}\n`);
  } finally {
    await Promise.all([router.dispose(), quiet.dispose().catch(() => undefined), passthrough.mf.dispose()]);
    backends.stop();
  }
}

/** Sequential requests: direct to a 0 ms backend, through a pass-through Worker, and through the router. */
async function overhead(router: RouterHarness, quiet: RouterHarness, passthrough: { mf: Miniflare; url: URL }, zeroUrl: string): Promise<void> {
  const body = chatBody('zero');
  const init = { method: 'POST', body, headers: { 'content-type': 'application/json' } };
  const path = '/v1/chat/completions';
  const series: Record<string, () => Promise<Response>> = {
    direct: () => fetch(`${zeroUrl}${path}`, init),
    passthrough: () => fetch(new URL(path, passthrough.url), init),
    router: () => fetch(new URL(path, router.directUrl), init),
    'router, no log': () => fetch(new URL(path, quiet.directUrl), init),
    'router, dispatch': () => router.fetch(path, init),
  };
  const times: Record<string, number[]> = Object.fromEntries(Object.keys(series).map((k) => [k, []]));
  // Warm up connections and JIT, then interleave the series so drifts of the machine hit all of them alike.
  for (let i = 0; i < 50; i++) for (const send of Object.values(series)) await (await send()).arrayBuffer();
  for (let i = 0; i < OVERHEAD_N; i++) {
    for (const [name, send] of Object.entries(series)) {
      const started = performance.now();
      const response = await send();
      await response.arrayBuffer();
      if (response.status !== 200) throw new Error(`${name} answered ${response.status}`);
      times[name].push(performance.now() - started);
    }
  }
  const p = (name: string, q: number) => percentile(times[name], q);
  const line = (label: string, x: string, y: string, note: string) =>
    `  ${label.padEnd(34)} p50 +${fmt(p(x, 50) - p(y, 50)).padEnd(9)} p99 +${fmt(p(x, 99) - p(y, 99)).padEnd(9)} ${note}\n`;
  process.stdout.write(`Routing overhead (${OVERHEAD_N} sequential requests per series, interleaved; 0 ms backend; time to full response; HTTP to the Worker's workerd socket):\n`);
  for (const name of Object.keys(series)) process.stdout.write(`  ${name.padEnd(16)} p50 ${fmt(p(name, 50)).padEnd(9)} p99 ${fmt(p(name, 99))}\n`);
  process.stdout.write(line('router vs direct', 'router', 'direct', '(target p99 ≤ 5 ms)'));
  process.stdout.write(line('  any Worker hop here', 'passthrough', 'direct', 'workerd socket + subrequest, no routing'));
  process.stdout.write(line('  routing logic, with decision log', 'router', 'passthrough', 'body parse, choice, headers, one JSON log line'));
  process.stdout.write(line('  routing logic, without the log', 'router, no log', 'passthrough', 'the log line goes through a stdout pipe to this process here'));
  process.stdout.write(line('router through Miniflare dispatch', 'router, dispatch', 'direct', "for context: Miniflare's entry worker and Node-side conversion on top"));
  process.stdout.write('\n');
}

async function faults(router: RouterHarness, backends: RemoteBackends): Promise<void> {
  const latency: Record<string, number> = { a: 5, b: 15, c: 30 };
  const healthy: Record<string, boolean> = { a: true, b: true, c: true };
  const events: FaultEvent[] = [];
  const healthTimeline: { at: number; healthy: Record<string, boolean> }[] = [];
  const sent = new Map<string, Sent>();
  const t0 = performance.now();
  healthTimeline.push({ at: t0, healthy: { ...healthy } });
  const mark = (label: string, backend: string, kind: FaultEvent['kind'], isHealthy: boolean) => {
    const at = performance.now();
    events.push({ at, label, backend, kind });
    healthy[backend] = isHealthy;
    healthTimeline.push({ at, healthy: { ...healthy } });
  };
  const schedule: [number, () => Promise<void>][] = [
    // Each fault is marked when the child confirms it (an IPC round trip, well under a millisecond here).
    [3000, async () => { await backends.kill('a'); mark('a killed', 'a', 'kill', false); }],
    [6000, async () => { await backends.behaviour('b', { kind: 'status', status: 503 }); mark('b answers 503', 'b', '503', false); }],
    [8500, async () => { await backends.restart('a'); mark('a is back', 'a', 'restore', true); }],
    [10000, async () => { await backends.behaviour('a', { kind: 'hang' }); mark('a hangs', 'a', 'hang', false); }],
  ];
  const end = 13000 * SCALE;

  process.stdout.write(
    `Fault run (${(end / 1000).toFixed(0)} s at ${RPS} req/s; attempt timeout ${ROUTER_CONFIG.attemptTimeoutMs} ms, breaker ${ROUTER_CONFIG.breakerFailureThreshold} failures / ${ROUTER_CONFIG.breakerCooldownMs} ms cooldown / probe every ${ROUTER_CONFIG.breakerProbeIntervalMs} ms, ${ROUTER_CONFIG.exploreRatio * 100}% exploration):\n`,
  );
  const inflight = new Set<Promise<void>>();
  let n = 0;
  let next = 0;
  const faultsDone = (async () => {
    for (const [at, run] of schedule) {
      await sleep(Math.max(0, t0 + at * SCALE - performance.now()));
      await run();
    }
  })();
  while (performance.now() - t0 < end) {
    const due = Math.floor(((performance.now() - t0) / 1000) * RPS);
    while (next < due) {
      next++;
      const id = `bench-${n++}`;
      const start = performance.now();
      const record: Sent = { id, start, end: 0, status: 0 };
      sent.set(id, record);
      const p = fetch(new URL('/v1/chat/completions', router.directUrl), { method: 'POST', headers: { 'x-request-id': id }, body: chatBody('llama') })
        .then(async (response) => {
          await response.arrayBuffer();
          record.status = response.status;
        })
        .catch((error: unknown) => {
          record.error = String(error);
        })
        .finally(() => {
          record.end = performance.now();
          inflight.delete(p);
        });
      inflight.add(p);
    }
    await sleep(1);
  }
  await faultsDone;
  await Promise.all(inflight);
  await sleep(300); // let the last log lines arrive

  const decisions = new Map<string, Decision>();
  for (const line of router.logs) {
    if (line.event === 'route' && typeof line.requestId === 'string' && line.requestId.startsWith('bench-')) decisions.set(line.requestId, line as unknown as Decision);
  }
  const all = [...sent.values()];
  const failures = all.filter((r) => r.status !== 200);
  const retried = all.filter((r) => (decisions.get(r.id)?.attempts?.length ?? 0) > 1);
  const latencies = all.map((r) => r.end - r.start);
  process.stdout.write(`  requests ${all.length}, answered 200: ${all.length - failures.length}, client-visible failures: ${failures.length} (target 0)\n`);
  if (failures.length > 0) {
    const kinds = new Map<string, number>();
    for (const f of failures) kinds.set(f.error ?? `HTTP ${f.status}`, (kinds.get(f.error ?? `HTTP ${f.status}`) ?? 0) + 1);
    process.stdout.write(`    ${[...kinds].map(([k, v]) => `${v} x ${k}`).join(', ')}\n`);
  }
  process.stdout.write(`  retried within the request: ${retried.length}; client latency p50 ${fmt(percentile(latencies, 50))}, p99 ${fmt(percentile(latencies, 99))}, max ${fmt(Math.max(...latencies))}\n`);
  process.stdout.write(`  decisions logged: ${decisions.size} of ${all.length}\n\n`);

  const firstOf = (r: Sent) => decisions.get(r.id)?.attempts?.[0];
  /** Requests started from an event until the next event of the same backend. */
  const windowOf = (event: FaultEvent) => {
    const nextEvent = events.find((e) => e.at > event.at && e.backend === event.backend);
    return all.filter((r) => r.start >= event.at && (!nextEvent || r.start < nextEvent.at));
  };
  process.stdout.write('  Time from a fault until first attempts stop going to that backend (target ≤ 1 s):\n');
  for (const event of events.filter((e) => e.kind !== 'restore')) {
    const window = windowOf(event);
    const toIt = window.filter((r) => firstOf(r)?.backend === event.backend);
    const chosen = toIt.filter((r) => firstOf(r)?.reason !== 'trial');
    const trials = toIt.filter((r) => firstOf(r)?.reason === 'trial');
    const last = chosen.length > 0 ? Math.max(...chosen.map((r) => r.start)) - event.at : 0;
    const affected = window.filter((r) => decisions.get(r.id)?.attempts?.some((x) => x.backend === event.backend));
    const worst = affected.length > 0 ? Math.max(...affected.map((r) => r.end - r.start)) : 0;
    process.stdout.write(
      `    ${event.label.padEnd(14)} ${fmt(last).padStart(9)}  (${chosen.length} first attempts after the fault, then only ${trials.length} half-open trial${trials.length === 1 ? '' : 's'}; slowest affected request ${fmt(worst)})\n`,
    );
  }
  const restore = events.find((e) => e.kind === 'restore');
  if (restore) {
    const back = all.filter((r) => r.start >= restore.at && firstOf(r)?.backend === restore.backend && firstOf(r)?.outcome === 'ok').sort((x, y) => x.start - y.start)[0];
    process.stdout.write(`    ${'a is back'.padEnd(14)} ${fmt(back ? back.start - restore.at : NaN).padStart(9)}  until the first successful first attempt to it (bounded by the probe interval)\n\n`);
  }

  // Ground truth: the fastest backend that is healthy when the request starts.
  const bestAt = (t: number) => {
    const state = [...healthTimeline].reverse().find((h) => h.at <= t)!.healthy;
    return Object.keys(latency).filter((k) => state[k]).sort((x, y) => latency[x] - latency[y])[0];
  };
  const judged = all.filter((r) => firstOf(r));
  const hits = judged.filter((r) => firstOf(r)!.backend === bestAt(r.start));
  const settled = judged.filter((r) => !events.some((e) => r.start >= e.at && r.start < e.at + 1000));
  const settledHits = settled.filter((r) => firstOf(r)!.backend === bestAt(r.start));
  process.stdout.write('  First attempts to the best healthy backend (target ≥ 99%):\n');
  process.stdout.write(`    whole run                          ${pct(hits.length, judged.length)}  (${hits.length} of ${judged.length})\n`);
  process.stdout.write(`    outside the 1 s after each event   ${pct(settledHits.length, settled.length)}  (${settledHits.length} of ${settled.length})\n`);
  // When each fault could first be seen: the first answer (a refused connection, a 503) from that backend to an
  // attempt started after it, or for a hang, the moment that attempt's answer was overdue (the backend's latency).
  // A request decided before then went to the failing backend whatever the router did.
  const seenAt = new Map<FaultEvent, number>();
  for (const event of events.filter((e) => e.kind !== 'restore')) {
    const toIt = windowOf(event).filter((r) => firstOf(r)?.backend === event.backend && firstOf(r)?.outcome !== 'ok');
    const seen = toIt.map((r) => r.start + (event.kind === 'hang' ? latency[event.backend] : firstOf(r)!.ms));
    if (seen.length > 0) seenAt.set(event, Math.min(...seen));
  }
  const beforeSeen = (r: Sent, backend: string) => [...seenAt].some(([e, at]) => e.backend === backend && r.start >= e.at && r.start < at);
  const causes = new Map<string, number>();
  for (const r of judged) {
    const first = firstOf(r)!;
    const best = bestAt(r.start);
    if (first.backend === best) continue;
    const state = [...healthTimeline].reverse().find((h) => h.at <= r.start)!.healthy;
    const cause =
      first.reason === 'trial'
        ? 'trials (a breaker whose readiness probe passed lets one request through)'
        : first.reason === 'explore'
          ? `exploration (${ROUTER_CONFIG.exploreRatio * 100}% of requests, to keep estimates fresh)`
          : !state[first.backend] && beforeSeen(r, first.backend)
            ? 'a failing backend, decided before the fault could be seen (no failing or overdue answer yet)'
          : !state[first.backend]
            ? 'a failing backend after the fault could be seen (a hang before its silence counts as a stall, or failures before a breaker opens)'
            : 'a slower healthy backend (latency estimate: noise, not yet learned, or recovery not yet seen)';
    causes.set(cause, (causes.get(cause) ?? 0) + 1);
  }
  if (TRACE) {
    process.stdout.write('    every miss (BENCH_TRACE): start since t0, best then, attempts as backend/reason/outcome/ms\n');
    for (const r of judged) {
      const best = bestAt(r.start);
      if (firstOf(r)!.backend === best) continue;
      const attempts = decisions.get(r.id)!.attempts!.map((a) => `${a.backend}/${a.reason}/${a.outcome}/${a.ms}`).join(' ');
      process.stdout.write(`      ${fmt(r.start - t0).padStart(11)}  best ${best}  ${attempts}\n`);
    }
  }
  process.stdout.write(`    misses by cause:\n`);
  for (const [cause, count] of [...causes].sort((x, y) => y[1] - x[1])) process.stdout.write(`      ${String(count).padStart(5)}  ${cause}\n`);
  const phases = [{ at: t0, label: 'all healthy' }, ...events];
  for (const [i, phase] of phases.entries()) {
    const until = phases[i + 1]?.at ?? Infinity;
    const inPhase = judged.filter((r) => r.start >= phase.at && r.start < until);
    const phaseHits = inPhase.filter((r) => firstOf(r)!.backend === bestAt(r.start));
    const misses = new Map<string, number>();
    for (const r of inPhase) if (firstOf(r)!.backend !== bestAt(r.start)) misses.set(`${firstOf(r)!.backend}/${firstOf(r)!.reason}`, (misses.get(`${firstOf(r)!.backend}/${firstOf(r)!.reason}`) ?? 0) + 1);
    process.stdout.write(
      `    from "${phase.label}" (best: ${bestAt(phase.at + 1)})`.padEnd(44) +
        `${pct(phaseHits.length, inPhase.length)}  misses: ${[...misses].map(([k, v]) => `${v} to ${k}`).join(', ') || 'none'}\n`,
    );
  }
}

/** A Worker that only forwards: the cost of a Worker hop here, without any routing. */
async function startPassthrough(origin: string): Promise<{ mf: Miniflare; url: URL }> {
  const mf = new Miniflare({
    modules: true,
    unsafeDirectSockets: [{ host: '127.0.0.1', port: 0 }],
    compatibilityDate: HARNESS_COMPATIBILITY_DATE,
    script: `export default { async fetch(request) { const url = new URL(request.url); const upstream = await fetch('${origin}' + url.pathname + url.search, { method: request.method, headers: request.headers, body: await request.arrayBuffer() }); return new Response(upstream.body, upstream); } };`,
  });
  await mf.ready;
  return { mf, url: await mf.unsafeGetDirectURL() };
}

/** A numeric option from the environment, or the default; anything else ends the script with the reason. */
function envNumber(name: string, fallback: number, min: number, max: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value < min || value > max) {
    process.stderr.write(`bench: ${name} must be a number from ${min} to ${max}; received ${JSON.stringify(raw)}\n`);
    process.exit(2);
  }
  return value;
}

function fmt(ms: number): string {
  return Number.isFinite(ms) ? `${ms.toFixed(2)} ms` : 'n/a';
}

function pct(part: number, whole: number): string {
  return whole === 0 ? 'n/a' : `${((100 * part) / whole).toFixed(2)}%`;
}

main().catch((error: unknown) => {
  process.stderr.write(`bench failed: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
