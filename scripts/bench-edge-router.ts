/**
 * `npm run bench:edge`: the edge router Worker (the bundle `npm run build` wrote, or EDGE_ROUTER_BUNDLE) in workerd
 * via Miniflare, in front of three loopback inference servers of different latencies (in a child process), under
 * open-loop load with 40% streamed (SSE) requests, while faults hit whichever backend is the best at the time
 * (times stretched by BENCH_SCALE, except the 700 ms flapping period):
 *
 *   0 s     all healthy                      best: a (5 ms)
 *   1 s     a answers 429 to everything      best: b (15 ms)    saturated
 *   2 s     a recovers                       best: a
 *   2.5 s   a answers 500 to 30% at random   best: b
 *   3.5 s   a recovers                       best: a
 *   4 s     a cuts every answer              best: b            streams after one event, bodies halfway
 *   5 s     a recovers                       best: a
 *   5.5 s   a's latency ramps 5 -> 200 ms    best: b once a is slower than 15 ms
 *   6.5 s   a is at 5 ms again               best: a
 *   7 s     a is killed                      best: b            port closed, connections cut
 *   7.8 s   b answers 503                    best: c (30 ms)
 *   8.8 s   a is back                        best: a            between two of its readiness probes
 *   9.3 s   b recovers
 *   9.8 s   a flaps: killed / restarted every 700 ms until 11.9 s (ends up)
 *  12.2 s   a hangs                          best: b            accepts requests, never answers
 *  13 s     end
 *
 * Prints: client-visible failures (HTTP errors, streams that ended with an error event, bodies cut short — and,
 * apart, any answer cut short without the client being told); per fault, the failures during it, the time until the
 * faulty backend got no more first attempts, and the time until it had its share back after recovering (its first
 * successful first attempt); the share of first attempts that went to the best healthy backend (ground truth from the
 * timeline: health and current latency), with the misses by cause and phase; the re-measurement copies; and the
 * routing overhead against calling a backend directly (p50/p99), separated into what any Worker hop costs here (a
 * pass-through Worker) and what the router's own logic adds. A script that prints figures, not a test.
 *
 * The client speaks plain HTTP to the Worker's own workerd socket, as Cloudflare's edge hands a Worker its requests;
 * Miniflare's dispatchFetch (its entry worker plus Node-side request conversion) is measured alongside for context.
 *
 * Options (environment): BENCH_RPS (default 100; the client and the log reader share one Node process, which
 * saturates around 150-200 req/s on a quiet 2-core machine and then measures its own queueing), BENCH_SCALE (stretch
 * the timeline, default 1), BENCH_SSE_PERCENT (streamed share, default 40), BENCH_OVERHEAD_N (sequential requests per
 * overhead series, default 1000), BENCH_TRACE=1 (every miss and failure, every copy, probe and broken stream),
 * BENCH_PROBE_INTERVAL_MS (default 100), BENCH_REMEASURE_PERCENT (copies, default 10) and BENCH_EXPLORE_PERCENT
 * (default 0.5). EDGE_ROUTER_BUNDLE=<file> runs another build of the Worker (an older release) on the same faults.
 */
import { cpus, loadavg } from 'node:os';
import { Miniflare } from 'miniflare';
import { RemoteBackends } from './edge-worker-backends';
import {
  HARNESS_COMPATIBILITY_DATE,
  chatBody,
  loopbackTable,
  percentile,
  routerScript,
  sleep,
  startRouter,
  type RouterHarness,
} from './edge-worker-harness';

const RPS = envNumber('BENCH_RPS', 100, 1, 1000);
const SCALE = envNumber('BENCH_SCALE', 1, 0.5, 100);
const OVERHEAD_N = envNumber('BENCH_OVERHEAD_N', 1000, 10, 1_000_000);
const TRACE = process.env.BENCH_TRACE === '1';
const SSE_PERCENT = envNumber('BENCH_SSE_PERCENT', 40, 0, 100);
/**
 * The defaults' times divided by 10 (attempt timeout, cooldown, probe interval, back-off), so the faults fit in 13 s.
 */
const ROUTER_CONFIG = {
  attemptTimeoutMs: 1000,
  maxAttempts: 3,
  budgetMs: 5000,
  breakerFailureThreshold: 3,
  breakerCooldownMs: 1000,
  breakerProbeIntervalMs: envNumber('BENCH_PROBE_INTERVAL_MS', 100, 50, 600_000),
  probeTimeoutMs: 1000,
  saturationBackoffMs: 100,
  streamIdleTimeoutMs: 3000,
  remeasureRatio: envNumber('BENCH_REMEASURE_PERCENT', 10, 0, 50) / 100,
  exploreRatio: envNumber('BENCH_EXPLORE_PERCENT', 0.5, 0, 50) / 100,
};

interface Sent {
  id: string;
  start: number;
  end: number;
  status: number;
  stream: boolean;
  outcome: Outcome;
  error?: string;
}

interface Decision {
  requestId: string;
  /** Absent when no attempt was made (e.g. every breaker open). */
  attempts?: { backend: string; reason: string; outcome: string; ms: number }[];
  status: number;
}

async function main(): Promise<void> {
  // The backends run in a child process: the latency the router measures is theirs, not this process's event loop.
  const { backends, servers } = await RemoteBackends.start([
    { name: 'a', latencyMs: BASE_LATENCY.a, sse: { events: 3, gapMs: 5 } },
    { name: 'b', latencyMs: BASE_LATENCY.b, sse: { events: 3, gapMs: 5 } },
    { name: 'c', latencyMs: BASE_LATENCY.c, sse: { events: 3, gapMs: 5 } },
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
  const script = routerScript();
  const router = await startRouter({ script, table, config: ROUTER_CONFIG, directSocket: true });
  const quiet = await startRouter({
    script,
    table,
    config: { ...ROUTER_CONFIG, logDecisions: false },
    directSocket: true,
  });
  const passthrough = await startPassthrough(servers.zero.url);
  try {
    process.stdout.write(
      `edge router benchmark: Node ${process.version}, ${cpus().length} CPUs, load average ${loadavg()
        .map((l) => l.toFixed(1))
        .join(' ')}, bundle ${(script.length / 1024).toFixed(1)} KiB\n\n`,
    );
    await overhead(router, quiet, passthrough, servers.zero.url);
    await quiet.dispose();
    await faults(router, backends);
    process.stdout.write(
      `\nload average at the end: ${loadavg()
        .map((l) => l.toFixed(1))
        .join(' ')}\n`,
    );
  } finally {
    await Promise.all([router.dispose(), quiet.dispose().catch(() => undefined), passthrough.mf.dispose()]);
    backends.stop();
  }
}

/** Sequential requests: direct to a 0 ms backend, through a pass-through Worker, and through the router. */
async function overhead(
  router: RouterHarness,
  quiet: RouterHarness,
  passthrough: { mf: Miniflare; url: URL },
  zeroUrl: string,
): Promise<void> {
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
    `  ${label.padEnd(34)} p50 +${fmt(p(x, 50) - p(y, 50)).padEnd(9)} p99 ` +
    `+${fmt(p(x, 99) - p(y, 99)).padEnd(9)} ${note}\n`;
  process.stdout.write(
    `Routing overhead (${OVERHEAD_N} sequential requests per series, interleaved; 0 ms backend; time to full ` +
      "response; HTTP to the Worker's workerd socket):\n",
  );
  for (const name of Object.keys(series))
    process.stdout.write(`  ${name.padEnd(16)} p50 ${fmt(p(name, 50)).padEnd(9)} p99 ${fmt(p(name, 99))}\n`);
  process.stdout.write(line('router vs direct', 'router', 'direct', '(target p99 ≤ 5 ms)'));
  process.stdout.write(
    line('  any Worker hop here', 'passthrough', 'direct', 'workerd socket + subrequest, no routing'),
  );
  process.stdout.write(
    line(
      '  routing logic, with decision log',
      'router',
      'passthrough',
      'body parse, choice, headers, one JSON log line',
    ),
  );
  process.stdout.write(
    line(
      '  routing logic, without the log',
      'router, no log',
      'passthrough',
      'the log line goes through a stdout pipe to this process here',
    ),
  );
  process.stdout.write(
    line(
      'router through Miniflare dispatch',
      'router, dispatch',
      'direct',
      "for context: Miniflare's entry worker and Node-side conversion on top",
    ),
  );
  process.stdout.write('\n');
}

type Outcome = 'ok' | 'http' | 'error-event' | 'truncated' | 'bad-json' | 'fetch-error';

interface FaultEvent {
  at: number;
  label: string;
  /** The fault this event belongs to (a fault and its recovery share one). */
  fault: string;
  backend: string;
  kind: 'fault' | 'recover';
}

interface Truth {
  at: number;
  healthy: Record<string, boolean>;
  latency: Record<string, number>;
}

/** Base latencies of the three backends (a is the best unless a fault hits it). */
const BASE_LATENCY: Record<string, number> = { a: 5, b: 15, c: 30 };

async function faults(router: RouterHarness, backends: RemoteBackends): Promise<void> {
  const healthy: Record<string, boolean> = { a: true, b: true, c: true };
  const latency: Record<string, number> = { ...BASE_LATENCY };
  const events: FaultEvent[] = [];
  const truth: Truth[] = [];
  const sent = new Map<string, Sent>();
  const t0 = performance.now();
  const wallT0 = Date.now();
  truth.push({ at: t0, healthy: { ...healthy }, latency: { ...latency } });
  const note = (at = performance.now()) => truth.push({ at, healthy: { ...healthy }, latency: { ...latency } });
  const mark = (label: string, fault: string, backend: string, kind: FaultEvent['kind'], isHealthy: boolean) => {
    const at = performance.now();
    events.push({ at, label, fault, backend, kind });
    healthy[backend] = isHealthy;
    note(at);
  };
  const ok = { kind: 'ok' } as const;
  const S = (seconds: number) => seconds * 1000 * SCALE;
  // The timeline (base 13 s, stretched by BENCH_SCALE); each fault hits the best backend of the moment.
  const schedule: [number, () => Promise<void>][] = [
    [
      S(1.0),
      async () => {
        await backends.behaviour('a', { kind: 'status', status: 429 });
        mark('a: 429 storm', '429 storm', 'a', 'fault', false);
      },
    ],
    [
      S(2.0),
      async () => {
        await backends.behaviour('a', ok);
        mark('a: 429s over', '429 storm', 'a', 'recover', true);
      },
    ],
    [
      S(2.5),
      async () => {
        await backends.behaviour('a', { kind: 'flaky', status: 500, ratio: 0.3 });
        mark('a: 30% 500s', '30% 500s', 'a', 'fault', false);
      },
    ],
    [
      S(3.5),
      async () => {
        await backends.behaviour('a', ok);
        mark('a: 500s over', '30% 500s', 'a', 'recover', true);
      },
    ],
    [
      S(4.0),
      async () => {
        await backends.behaviour('a', { kind: 'cut', afterEvents: 1 });
        mark('a: cuts answers', 'mid-stream cut', 'a', 'fault', false);
      },
    ],
    [
      S(5.0),
      async () => {
        await backends.behaviour('a', ok);
        mark('a: cuts over', 'mid-stream cut', 'a', 'recover', true);
      },
    ],
  ];
  // Latency ramp 5 -> 200 ms over 1 s; a is no longer the best once it is slower than b (15 ms).
  [10, 20, 40, 80, 140, 200].forEach((ms, i) =>
    schedule.push([
      S(5.5 + i / 6),
      async () => {
        await backends.latency('a', ms);
        latency.a = ms;
        if (ms > BASE_LATENCY.b && !events.some((e) => e.fault === 'latency ramp'))
          mark('a: slower than b', 'latency ramp', 'a', 'fault', true);
        else note();
      },
    ]),
  );
  schedule.push(
    [
      S(6.5),
      async () => {
        await backends.latency('a', BASE_LATENCY.a);
        latency.a = BASE_LATENCY.a;
        mark('a: 5 ms again', 'latency ramp', 'a', 'recover', true);
      },
    ],
    [
      S(7.0),
      async () => {
        await backends.kill('a');
        mark('a killed', 'killed', 'a', 'fault', false);
      },
    ],
    [
      S(7.8),
      async () => {
        await backends.behaviour('b', { kind: 'status', status: 503 });
        mark('b answers 503', '503', 'b', 'fault', false);
      },
    ],
    [
      S(8.8),
      async () => {
        await backends.restart('a');
        mark('a is back', 'killed', 'a', 'recover', true);
      },
    ],
    [
      S(9.3),
      async () => {
        await backends.behaviour('b', ok);
        mark('b answers again', '503', 'b', 'recover', true);
      },
    ],
  );
  // Flapping: a is killed and restarted every 700 ms (not stretched), from 9.8 s to 11.9 s (stretched); up at the end.
  const flaps: number[] = [];
  for (let at = S(9.8); at < S(11.9); at += 700) flaps.push(at);
  if (flaps.length % 2 === 1) flaps.push(flaps[flaps.length - 1] + 700);
  flaps.forEach((at, i) =>
    schedule.push([
      at,
      async () => {
        if (i % 2 === 0) {
          await backends.kill('a');
          mark('a flaps down', 'flapping', 'a', 'fault', false);
        } else {
          await backends.restart('a');
          mark('a flaps up', 'flapping', 'a', 'recover', true);
        }
      },
    ]),
  );
  schedule.push([
    Math.max(S(12.2), schedule[schedule.length - 1][0] + 300),
    async () => {
      await backends.behaviour('a', { kind: 'hang' });
      mark('a hangs', 'hang', 'a', 'fault', false);
    },
  ]);
  schedule.sort((x, y) => x[0] - y[0]);
  const end = Math.max(S(13), schedule[schedule.length - 1][0] + 800);

  process.stdout.write(
    `Fault run (${(end / 1000).toFixed(1)} s at ${RPS} req/s, ${SSE_PERCENT}% streamed; attempt timeout ` +
      `${ROUTER_CONFIG.attemptTimeoutMs} ms, probe interval ${ROUTER_CONFIG.breakerProbeIntervalMs} ms, ` +
      `saturation back-off ${ROUTER_CONFIG.saturationBackoffMs} ms, copies ≤ ` +
      `${ROUTER_CONFIG.remeasureRatio * 100}% of requests, ${ROUTER_CONFIG.exploreRatio * 100}% exploration):\n`,
  );
  const inflight = new Set<Promise<void>>();
  let n = 0;
  let next = 0;
  const faultsDone = (async () => {
    for (const [at, run] of schedule) {
      await sleep(Math.max(0, t0 + at - performance.now()));
      await run();
    }
  })();
  while (performance.now() - t0 < end) {
    const due = Math.floor(((performance.now() - t0) / 1000) * RPS);
    while (next < due) {
      next++;
      const id = `bench-${n++}`;
      const stream = (n * 37) % 100 < SSE_PERCENT;
      const record: Sent = { id, start: performance.now(), end: 0, status: 0, stream, outcome: 'ok' };
      sent.set(id, record);
      const p = send(router, id, stream, record).finally(() => {
        record.end = performance.now();
        inflight.delete(p);
      });
      inflight.add(p);
    }
    await sleep(1);
  }
  await faultsDone;
  await Promise.all(inflight);
  await sleep(500); // let the last log lines (and copies) arrive

  const decisions = new Map<string, Decision>();
  for (const line of router.logs) {
    if (line.event === 'route' && typeof line.requestId === 'string' && line.requestId.startsWith('bench-'))
      decisions.set(line.requestId, line as unknown as Decision);
  }
  const copies = router.logs.filter((l) => l.event === 'copy');
  const all = [...sent.values()];
  const failures = all.filter((r) => r.outcome !== 'ok');
  const latencies = all.map((r) => r.end - r.start);
  const firstOf = (r: Sent) => decisions.get(r.id)?.attempts?.[0];
  const kinds = (list: Sent[]) => {
    const counts = new Map<string, number>();
    for (const f of list) counts.set(describeOutcome(f), (counts.get(describeOutcome(f)) ?? 0) + 1);
    return [...counts].map(([k, v]) => `${v} x ${k}`).join(', ');
  };
  process.stdout.write(
    `  requests ${all.length} (${all.filter((r) => r.stream).length} streamed), complete answers: ` +
      `${all.length - failures.length}, client-visible failures: ` +
      `${failures.length}${failures.length ? ` (${kinds(failures)})` : ''}\n`,
  );
  const silentlyShort = all.filter((r) => r.outcome === 'truncated' || r.outcome === 'bad-json');
  process.stdout.write(`  answers cut short without the client being told (target 0): ${silentlyShort.length}\n`);
  process.stdout.write(
    '  retried within the request: ' +
      `${all.filter((r) => (decisions.get(r.id)?.attempts?.length ?? 0) > 1).length}; re-measurement copies: ` +
      `${copies.length} (${pct(copies.length, all.length)} of requests, ` +
      `${copies.filter((c) => c.outcome === 'ok').length} answered ok)\n`,
  );
  process.stdout.write(
    `  client latency p50 ${fmt(percentile(latencies, 50))}, p99 ${fmt(percentile(latencies, 99))}, max ` +
      `${fmt(Math.max(...latencies))}; decisions logged: ${decisions.size} of ${all.length}\n\n`,
  );

  // Ground truth: the fastest backend that is healthy when the request starts.
  const truthAt = (t: number) => [...truth].reverse().find((h) => h.at <= t)!;
  const bestAt = (t: number) => {
    const state = truthAt(t);
    return Object.keys(state.latency)
      .filter((k) => state.healthy[k])
      .sort((x, y) => state.latency[x] - state.latency[y] || BASE_LATENCY[x] - BASE_LATENCY[y])[0];
  };
  /** Requests started from an event until the next event of the same backend. */
  const windowOf = (event: FaultEvent) => {
    const nextEvent = events.find((e) => e.at > event.at && e.backend === event.backend);
    return all.filter((r) => r.start >= event.at && (!nextEvent || r.start < nextEvent.at));
  };
  const stopOf = (event: FaultEvent) => {
    const chosen = windowOf(event).filter((r) => firstOf(r)?.backend === event.backend);
    return { ms: chosen.length > 0 ? Math.max(...chosen.map((r) => r.start)) - event.at : 0, count: chosen.length };
  };
  const backOf = (event: FaultEvent) => {
    if (bestAt(event.at) !== event.backend) return undefined; // not the best when it recovered: no share to get back
    const back = windowOf(event)
      .filter((r) => firstOf(r)?.backend === event.backend && firstOf(r)?.outcome === 'ok')
      .sort((x, y) => x.start - y.start)[0];
    return back ? back.start - event.at : Infinity;
  };
  const faultNames = [...new Set(events.map((e) => e.fault))];
  process.stdout.write(
    '  Per fault (client-visible failures: requests started during the fault; "in flight": streams already ' +
      'running when it hit):\n',
  );
  process.stdout.write(
    `    ${'fault'.padEnd(16)} ${'failures'.padEnd(22)} ${'no more first attempts after'.padEnd(38)} share ` +
      `back after recovery (target ≤ ${2 * ROUTER_CONFIG.breakerProbeIntervalMs} ms)\n`,
  );
  for (const fault of faultNames) {
    const downs = events.filter((e) => e.fault === fault && e.kind === 'fault');
    const ups = events.filter((e) => e.fault === fault && e.kind === 'recover');
    const during = downs.flatMap((e) => windowOf(e));
    const visible = during.filter((r) => r.outcome !== 'ok');
    const hitInFlight = all.filter(
      (r) => r.outcome !== 'ok' && downs.some((e) => r.start < e.at && r.end > e.at) && !during.includes(r),
    );
    const inFlight = hitInFlight.length ? ` +${hitInFlight.length} in flight` : '';
    const stops = downs.map(stopOf);
    const backs = ups.map(backOf).filter((v): v is number => v !== undefined);
    const range = (values: number[]) =>
      values.length === 0
        ? 'n/a'
        : values.length === 1
          ? fmt(values[0])
          : `${fmt(Math.min(...values))} – ${fmt(Math.max(...values))} (median ${fmt(percentile(values, 50))}, ` +
            `${values.length}×)`;
    process.stdout.write(
      `    ${fault.padEnd(16)} ` +
        `${`${visible.length} of ${during.length}${inFlight}`.padEnd(22)} ` +
        `${`${range(stops.map((x) => x.ms))} (${stops.reduce((a, x) => a + x.count, 0)} first attempts)`.padEnd(38)} ` +
        `${range(backs)}\n`,
    );
    if (visible.length > 0 || hitInFlight.length > 0)
      process.stdout.write(`      ${kinds([...visible, ...hitInFlight])}\n`);
  }
  process.stdout.write('\n');

  const judged = all.filter((r) => firstOf(r));
  const hits = judged.filter((r) => firstOf(r)!.backend === bestAt(r.start));
  const settled = judged.filter((r) => !events.some((e) => r.start >= e.at && r.start < e.at + 1000));
  const settledHits = settled.filter((r) => firstOf(r)!.backend === bestAt(r.start));
  process.stdout.write('  First attempts to the best healthy backend (target ≥ 99%):\n');
  process.stdout.write(
    `    whole run                          ${pct(hits.length, judged.length)}  (${hits.length} of ${judged.length})\n`,
  );
  process.stdout.write(
    `    outside the 1 s after each event   ${pct(settledHits.length, settled.length)}  (${settledHits.length} ` +
      `of ${settled.length})\n`,
  );
  const causes = new Map<string, number>();
  const phaseMisses = new Map<string, number>();
  for (const r of judged) {
    const first = firstOf(r)!;
    const best = bestAt(r.start);
    if (first.backend === best) continue;
    const state = truthAt(r.start);
    const phase = [...events].reverse().find((e) => e.at <= r.start);
    const phaseLabel = phase ? (phase.kind === 'fault' ? phase.fault : `${phase.fault}, recovery`) : 'all healthy';
    phaseMisses.set(phaseLabel, (phaseMisses.get(phaseLabel) ?? 0) + 1);
    const cause =
      first.reason === 'trial' || first.reason === 'fallback'
        ? `${first.reason} (a real request to a doubtful backend)`
        : first.reason === 'explore'
          ? 'exploration (real requests: copies are off)'
          : !state.healthy[first.backend] || state.latency[first.backend] > state.latency[best]
            ? state.healthy[first.backend]
              ? 'a backend that had become slower, before the router saw it'
              : 'a failing backend, before the router saw the failure'
            : 'a slower healthy backend (the best one recovered and was not seen yet, or latency noise)';
    causes.set(cause, (causes.get(cause) ?? 0) + 1);
  }
  process.stdout.write('    misses by cause:\n');
  for (const [cause, count] of [...causes].sort((x, y) => y[1] - x[1]))
    process.stdout.write(`      ${String(count).padStart(5)}  ${cause}\n`);
  process.stdout.write('    misses by phase (the last event before the request):\n');
  for (const [phase, count] of [...phaseMisses].sort((x, y) => y[1] - x[1]))
    process.stdout.write(`      ${String(count).padStart(5)}  ${phase}\n`);
  if (TRACE) {
    process.stdout.write(
      '    every miss (BENCH_TRACE): start since t0, best then, attempts as backend/reason/outcome/ms\n',
    );
    for (const r of judged) {
      const best = bestAt(r.start);
      if (firstOf(r)!.backend === best) continue;
      const attempts = decisions
        .get(r.id)!
        .attempts!.map((a) => `${a.backend}/${a.reason}/${a.outcome}/${a.ms}`)
        .join(' ');
      process.stdout.write(`      ${fmt(r.start - t0).padStart(11)}  best ${best}  ${attempts}\n`);
    }
    for (const r of failures)
      process.stdout.write(
        `      failure ${fmt(r.start - t0).padStart(11)} ${describeOutcome(r)} ` +
          `${(decisions.get(r.id)?.attempts ?? []).map((a) => `${a.backend}/${a.outcome}`).join(' ')}\n`,
      );
    process.stdout.write('    copies, probes and broken streams (BENCH_TRACE): time since t0 (log clock), event\n');
    for (const l of router.logs) {
      if (l.event !== 'copy' && l.event !== 'breaker-probe' && l.event !== 'stream-broken' && l.event !== 'body-broken')
        continue;
      const { ts, event, ...rest } = l;
      process.stdout.write(
        `      ${fmt(Date.parse(String(ts)) - wallT0).padStart(11)}  ${String(event)} ${JSON.stringify(rest)}\n`,
      );
    }
    for (const e of events) process.stdout.write(`      event ${fmt(e.at - t0).padStart(11)}  ${e.label}\n`);
  }
}

/** One client request, read to its end; what the client could tell about it. */
async function send(router: RouterHarness, id: string, stream: boolean, record: Sent): Promise<void> {
  try {
    const response = await fetch(new URL('/v1/chat/completions', router.directUrl), {
      method: 'POST',
      headers: { 'x-request-id': id, 'content-type': 'application/json' },
      body: chatBody('llama', stream ? { stream: true } : {}),
    });
    record.status = response.status;
    const text = await response.text();
    if (response.status !== 200) record.outcome = 'http';
    else if (stream)
      record.outcome = text.includes('event: error')
        ? 'error-event'
        : text.trimEnd().endsWith('data: [DONE]')
          ? 'ok'
          : 'truncated';
    else {
      try {
        JSON.parse(text);
      } catch {
        record.outcome = 'bad-json';
      }
    }
  } catch (error) {
    record.outcome = 'fetch-error';
    record.error = String(error);
  }
}

function describeOutcome(r: Sent): string {
  switch (r.outcome) {
    case 'http':
      return `HTTP ${r.status}`;
    case 'error-event':
      return 'stream ended with an error event';
    case 'truncated':
      return 'stream cut short without an error event';
    case 'bad-json':
      return 'non-streamed body cut short';
    case 'fetch-error':
      return `client error (${r.error?.slice(0, 60)})`;
    default:
      return 'ok';
  }
}

/** A Worker that only forwards: the cost of a Worker hop here, without any routing. */
async function startPassthrough(origin: string): Promise<{ mf: Miniflare; url: URL }> {
  const mf = new Miniflare({
    modules: true,
    unsafeDirectSockets: [{ host: '127.0.0.1', port: 0 }],
    compatibilityDate: HARNESS_COMPATIBILITY_DATE,
    script:
      'export default { async fetch(request) { const url = new URL(request.url); const upstream = await ' +
      `fetch('${origin}' + url.pathname + url.search, { method: request.method, headers: request.headers, body: ` +
      'await request.arrayBuffer() }); return new Response(upstream.body, upstream); } };',
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
