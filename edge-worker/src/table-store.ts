/*
 * The routing table as one isolate sees it: a copy cached for `tableCacheMs`, refreshed from KV in the background
 * once stale (requests never wait for KV except on an isolate's first request), plus the probe snapshot applied
 * to the health board on each refresh.
 */
import { ROUTER_KV_KEYS, validateRoutingTable, type RoutingTable } from '../../lib/edge-router/routing-table';
import type { HealthBoard, ProbeSnapshot } from './health';
import { logLine } from './http';

/** KV may take this long to show a write at other locations; a table written here wins over an older KV read meanwhile. */
const KV_PROPAGATION_MS = 60_000;

export class TableStore {
  private cached: RoutingTable | undefined;
  private loadedAt = 0;
  private writtenHereAt = -Infinity;
  private loading: Promise<RoutingTable | undefined> | undefined;

  constructor(
    private readonly kv: KVNamespace,
    private readonly board: HealthBoard,
    private cacheMs: number,
  ) {}

  configure(cacheMs: number): void {
    this.cacheMs = cacheMs;
  }

  /** The table to route by; undefined when KV has none (not deployed yet, or deleted). */
  async current(ctx: ExecutionContext, now: number): Promise<RoutingTable | undefined> {
    if (this.cached && now - this.loadedAt < this.cacheMs) return this.cached;
    if (this.cached) {
      ctx.waitUntil(this.refresh(now));
      return this.cached;
    }
    return this.refresh(now);
  }

  /** Reads KV now (admin changes start from the freshest table this isolate can know). */
  refresh(now: number): Promise<RoutingTable | undefined> {
    this.loading ??= this.load(now).finally(() => {
      this.loading = undefined;
    });
    return this.loading;
  }

  /** A table this isolate just wrote: used at once, and preferred over older KV reads while KV propagates. */
  wrote(table: RoutingTable, now: number): void {
    this.cached = table;
    this.loadedAt = now;
    this.writtenHereAt = now;
  }

  private async load(now: number): Promise<RoutingTable | undefined> {
    const [raw, probe] = await Promise.all([
      this.kv.get<unknown>(ROUTER_KV_KEYS.current, 'json').catch((error: unknown) => {
        logLine({ event: 'table-read-error', error: String(error) });
        return undefined;
      }),
      this.kv.get<ProbeSnapshot>(ROUTER_KV_KEYS.probe, 'json').catch(() => null),
    ]);
    if (probe && typeof probe.at === 'number' && typeof probe.results === 'object') this.board.applyProbe(probe, now);
    this.loadedAt = now;
    // Read failed, or no table (not written yet / deleted by hand): keep routing by what we have, if anything.
    if (raw === undefined || raw === null) return this.cached;
    const problems = validateRoutingTable(raw);
    if (problems.length > 0) {
      // Someone wrote a broken table to KV by hand: keep the last good one, say so loudly.
      logLine({ event: 'table-invalid', problems: problems.slice(0, 10) });
      return this.cached;
    }
    const table = raw as RoutingTable;
    const keepLocal = this.cached && this.cached.version > table.version && now - this.writtenHereAt < KV_PROPAGATION_MS;
    if (!keepLocal) this.cached = table;
    return this.cached;
  }
}
