/*
 * The routing table as one isolate sees it: a copy cached for `tableCacheMs`, refreshed in the background once stale
 * (requests never wait except on an isolate's first request), plus the probe snapshot applied to the health board on
 * each refresh. The table comes from the table writer (the Durable Object that decides every change), so an
 * acknowledged change reaches every isolate within `tableCacheMs`; KV's mirror serves an isolate's first request
 * (fast, nearby) and any refresh the writer cannot answer.
 */
import {
  ROUTER_KV_KEYS,
  ROUTER_WRITER_NAME,
  validateRoutingTable,
  type RoutingTable,
} from '../../lib/edge-router/routing-table';
import type { HealthBoard, ProbeSnapshot } from './health';
import { logLine } from './http';
import type { RouterTableWriter } from './writer';

export class TableStore {
  private cached: RoutingTable | undefined;
  private loadedAt = 0;
  private loading: Promise<RoutingTable | undefined> | undefined;

  constructor(
    private readonly kv: KVNamespace,
    private readonly board: HealthBoard,
    private cacheMs: number,
    private readonly writer: DurableObjectNamespace<RouterTableWriter> | undefined,
  ) {}

  configure(cacheMs: number): void {
    this.cacheMs = cacheMs;
  }

  /** The table to route by; undefined when there is none (not deployed yet). */
  async current(ctx: ExecutionContext, now: number): Promise<RoutingTable | undefined> {
    if (this.cached && now - this.loadedAt < this.cacheMs) return this.cached;
    if (this.cached) {
      ctx.waitUntil(this.refresh(now));
      return this.cached;
    }
    // First request of this isolate: KV's copy now, the writer's in the background.
    const first = await this.load(now, false);
    if (!this.writer) return first;
    // Nothing in KV yet (a fresh deployment before KV propagated): the writer, seeded from the deployment, knows.
    if (!first) return this.refresh(now);
    ctx.waitUntil(this.refresh(now));
    return first;
  }

  /** Reads the writer now (falling back to KV), with the probe snapshot. */
  refresh(now: number): Promise<RoutingTable | undefined> {
    this.loading ??= this.load(now, true).finally(() => {
      this.loading = undefined;
    });
    return this.loading;
  }

  /** A table the writer just committed for this isolate's admin call: used at once. */
  wrote(table: RoutingTable, now: number): void {
    if (!this.cached || table.version >= this.cached.version) this.cached = table;
    this.loadedAt = now;
  }

  private async load(now: number, fromWriter: boolean): Promise<RoutingTable | undefined> {
    const probe = this.kv.get<ProbeSnapshot>(ROUTER_KV_KEYS.probe, 'json').catch(() => null);
    let table: RoutingTable | undefined;
    if (fromWriter && this.writer) {
      try {
        const stub = this.writer.get(this.writer.idFromName(ROUTER_WRITER_NAME));
        const answer = (await stub.read(this.cached?.version)) as { version: number; table?: RoutingTable } | null;
        // The writer decides: its table replaces ours (unchanged version: keep the copy we have).
        if (answer?.table) table = answer.table;
        else if (answer && this.cached && answer.version === this.cached.version) table = this.cached;
      } catch (error) {
        logLine({ event: 'table-writer-unreachable', error: String(error) });
      }
      if (table) this.cached = table;
    }
    if (!table) {
      const fromKv = await this.readKv();
      // KV's copy may lag the writer: it only replaces an older (or missing) copy.
      if (fromKv && (!this.cached || fromKv.version > this.cached.version)) this.cached = fromKv;
    }
    const snapshot = await probe;
    if (snapshot && typeof snapshot.at === 'number' && typeof snapshot.results === 'object')
      this.board.applyProbe(snapshot, now);
    this.loadedAt = now;
    return this.cached;
  }

  private async readKv(): Promise<RoutingTable | undefined> {
    const raw = await this.kv.get<unknown>(ROUTER_KV_KEYS.current, 'json').catch((error: unknown) => {
      logLine({ event: 'table-read-error', error: String(error) });
      return undefined;
    });
    if (raw === undefined || raw === null) return undefined;
    const problems = validateRoutingTable(raw);
    if (problems.length > 0) {
      // Someone wrote a broken table to KV by hand: keep the last good one, say so loudly.
      logLine({ event: 'table-invalid', problems: problems.slice(0, 10) });
      return undefined;
    }
    return raw as RoutingTable;
  }
}
