/*
 * The table writer: one Durable Object (addressed by a fixed name) through which every admin change goes. It is the
 * strongly consistent single writer the KV-only design lacked: it holds the current table, every version and the
 * audit log in its own transactional storage, decides each change there — compare-and-set on `expectedVersion`,
 * version number, validation — and commits the new version, the audit entry and the new current table in one atomic
 * storage write before it answers. Changes are handled one at a time, so two isolates changing the table at once
 * cannot both build on the same version: one succeeds, the other gets 409 (or, without expectedVersion, is applied on
 * top of the first). An acknowledged change is durable (the answer waits for the storage write) and is never undone
 * by another writer.
 *
 * KV is the read path: after committing, the writer mirrors the version, its audit entry and `table:current` to KV
 * (an alarm retries until the mirror is complete if a KV write fails), and isolates read the table from the writer
 * itself every `tableCacheSeconds` (KV only on an isolate's first request, or when the writer cannot be reached).
 *
 * Seeding: on first use it adopts `table:current` from KV (a deployment that had live edits before the writer
 * existed keeps them, and its KV history is imported) or else the table the deployment carries
 * (ROUTER_DEPLOYED_TABLE). With keepLiveEdits false, a deployment whose generated table differs from the one last
 * seen becomes a new version (action `deploy`), as applies reset the live table before.
 */
import { DurableObject } from 'cloudflare:workers';
import { parseRouterConfig } from '../../lib/edge-router/router-config';
import {
  ROUTER_KV_KEYS,
  auditKey,
  validateRoutingTable,
  versionKey,
  versionOfKey,
  type RoutingTable,
  type TableProblem,
} from '../../lib/edge-router/routing-table';
import { applyChange, diffTables, nextVersion, type AuditEntry, type ChangeRequest, type Who } from './changes';
import { errorBody, invalidChangeBody, logLine } from './http';

export interface WriterEnv {
  readonly ROUTER_KV: KVNamespace;
  readonly ROUTER_CONFIG?: string;
  readonly ROUTER_DEPLOYED_TABLE?: string;
}

/** One change as the admin handler passes it on. */
export interface ChangeCall {
  readonly change: ChangeRequest;
  readonly expectedVersion?: number;
  readonly comment?: string;
  readonly who: Who;
}

/** What the admin handler answers the client: an HTTP status and a JSON body. */
export interface WriterAnswer {
  readonly status: number;
  readonly body: Record<string, unknown>;
}

interface Meta {
  /** Version of the current table. */
  readonly version: number;
  /** The number the next change gets (above every version this writer or KV ever had). */
  readonly nextVersion: number;
  /** SHA-256 of the deployed table last seen (null: none deployed). */
  readonly deployedHash: string | null;
  /** Highest version whose documents are in KV, with `table:current` at least that recent. */
  readonly mirrored: number;
}

const META = 'meta';
const CURRENT = 'current';
const versionEntry = (version: number) => `v:${String(version).padStart(10, '0')}`;
const auditEntry = (version: number) => `a:${String(version).padStart(10, '0')}`;
/** After a failed KV mirror write, try again this much later. */
const MIRROR_RETRY_MS = 5_000;

export class RouterTableWriter extends DurableObject<WriterEnv> {
  /**
   * Every operation runs after the previous one: the object's single-threadedness alone does not stop two handlers
   * interleaving at an await.
   */
  private queue: Promise<unknown> = Promise.resolve();
  private deployedHashMemo: Promise<string | null> | undefined;

  /** The current table, or only its version when the caller already has that version. */
  async read(knownVersion?: number): Promise<{ version: number; table?: RoutingTable } | null> {
    return this.serial(async () => {
      const meta = await this.ready();
      if (!meta) return null;
      if (knownVersion === meta.version) return { version: meta.version };
      const table = await this.ctx.storage.get<RoutingTable>(CURRENT);
      return table ? { version: meta.version, table } : null;
    });
  }

  /** Applies one change: compare-and-set, validation, then version + audit + current committed in one write. */
  async change(call: ChangeCall): Promise<WriterAnswer> {
    return this.serial(async () => {
      const meta = await this.ready();
      const current = meta ? await this.ctx.storage.get<RoutingTable>(CURRENT) : undefined;
      if (!meta || !current)
        return {
          status: 503,
          body: errorBody(
            'There is no routing table yet (has Terraform deployed the Worker with its table?)',
            'server_error',
            'no_table',
          ),
        };
      if (call.expectedVersion !== undefined && call.expectedVersion !== current.version) {
        return {
          status: 409,
          body: errorBody(
            `The table is at version ${current.version}, not ${call.expectedVersion}; read it again and retry`,
            'conflict_error',
            'version_conflict',
            { extra: { currentVersion: current.version } },
          ),
        };
      }
      const applied = await applyChange(current, call.change, (version) => this.versionDocument(version));
      if ('problems' in applied) return invalid(applied.problems);
      const made = nextVersion(current, applied, meta.nextVersion, call.who, call.comment, new Date().toISOString());
      if ('problems' in made) return invalid(made.problems);
      const mirrored = await this.commit(meta, made.next, made.entry);
      logLine({ event: 'admin-change', ...made.entry });
      return {
        status: 200,
        body: {
          table: made.next,
          audit: made.entry,
          ...(mirrored
            ? {}
            : {
                warning:
                  'applied and stored; copying it to KV failed and is retried in the background (routing reads ' +
                  'the writer, so this does not delay it)',
              }),
        },
      };
    });
  }

  /** Versions, newest first: number and who/when/what. */
  async versions(
    limit: number,
  ): Promise<{ version: number; updatedAt: string | null; updatedBy: string; action: string }[]> {
    return this.serial(async () => {
      await this.ready();
      const entries = await this.ctx.storage.list<RoutingTable>({ prefix: 'v:', reverse: true, limit });
      return [...entries.values()].map((t) => ({
        version: t.version,
        updatedAt: t.updatedAt,
        updatedBy: t.updatedBy,
        action: t.change.action,
      }));
    });
  }

  async version(version: number): Promise<RoutingTable | null> {
    return this.serial(async () => {
      await this.ready();
      return (await this.versionDocument(version)) ?? null;
    });
  }

  /** Audit entries, newest first. */
  async audit(limit: number): Promise<AuditEntry[]> {
    return this.serial(async () => {
      await this.ready();
      return [...(await this.ctx.storage.list<AuditEntry>({ prefix: 'a:', reverse: true, limit })).values()];
    });
  }

  /** Completes a KV mirror that failed. */
  async alarm(): Promise<void> {
    await this.serial(async () => {
      const meta = await this.ctx.storage.get<Meta>(META);
      if (meta && meta.mirrored < meta.version) await this.mirror(meta);
    });
  }

  private serial<T>(operation: () => Promise<T>): Promise<T> {
    const run = this.queue.then(operation);
    this.queue = run.catch(() => undefined);
    return run;
  }

  /** The writer's state, seeded on first use and brought up to a new deployment's table when that applies. */
  private async ready(): Promise<Meta | undefined> {
    let meta = await this.ctx.storage.get<Meta>(META);
    if (!meta) meta = await this.seed();
    if (!meta) return undefined;
    return this.followDeployment(meta);
  }

  /** First use: the live table from KV (with its history), or the deployed one. */
  private async seed(): Promise<Meta | undefined> {
    const kv = this.env.ROUTER_KV;
    const fromKv = await kv.get<unknown>(ROUTER_KV_KEYS.current, 'json').catch(() => null);
    const kvTable = fromKv !== null && validateRoutingTable(fromKv).length === 0 ? (fromKv as RoutingTable) : undefined;
    const deployed = this.deployedTable();
    const start = kvTable && (!deployed || kvTable.version >= deployed.version) ? kvTable : deployed;
    if (!start) return undefined;
    // Import the KV history, so rollback and listings cover what came before the writer.
    let highest = start.version;
    const imported: Record<string, unknown> = {};
    for (const prefix of [ROUTER_KV_KEYS.versionPrefix, ROUTER_KV_KEYS.auditPrefix]) {
      let cursor: string | undefined;
      do {
        const page: KVNamespaceListResult<unknown, string> = await kv.list({ prefix, cursor });
        for (const key of page.keys) {
          const version = versionOfKey(key.name);
          if (version === undefined) continue;
          highest = Math.max(highest, version);
          const value = await kv.get<unknown>(key.name, 'json').catch(() => null);
          if (value !== null)
            imported[prefix === ROUTER_KV_KEYS.versionPrefix ? versionEntry(version) : auditEntry(version)] = value;
        }
        cursor = page.list_complete ? undefined : page.cursor;
      } while (cursor);
    }
    const entries = Object.entries(imported);
    for (let i = 0; i < entries.length; i += 100)
      await this.ctx.storage.put(Object.fromEntries(entries.slice(i, i + 100)));
    const meta: Meta = {
      version: start.version,
      nextVersion: highest + 1,
      deployedHash: await this.deployedHash(),
      mirrored: start === kvTable ? start.version : 0,
    };
    await this.ctx.storage.put({ [META]: meta, [CURRENT]: start, [versionEntry(start.version)]: start });
    logLine({
      event: 'writer-seeded',
      version: start.version,
      from: start === kvTable ? 'kv' : 'deployment',
      imported: entries.length,
    });
    if (meta.mirrored < meta.version) await this.mirror(meta);
    return (await this.ctx.storage.get<Meta>(META)) ?? meta;
  }

  /** A deployment with a different generated table: recorded; with keepLiveEdits false, it becomes the live table. */
  private async followDeployment(meta: Meta): Promise<Meta> {
    const hash = await this.deployedHash();
    if (hash === null || hash === meta.deployedHash) return meta;
    const deployed = this.deployedTable();
    const { config } = parseRouterConfig(this.env.ROUTER_CONFIG);
    const current = await this.ctx.storage.get<RoutingTable>(CURRENT);
    if (config.keepLiveEdits || !deployed || !current || diffTables(current, deployed).length === 0) {
      const updated = { ...meta, deployedHash: hash };
      await this.ctx.storage.put(META, updated);
      return updated;
    }
    const at = new Date().toISOString();
    const made = nextVersion(
      current,
      { table: deployed, change: { action: 'deploy' } },
      meta.nextVersion,
      { actor: 'terraform', tokenId: 'deployment' },
      'a deployment with keepLiveEdits false replaced the live table',
      at,
    );
    if ('problems' in made) {
      logLine({ event: 'deploy-table-invalid', problems: made.problems.slice(0, 10) });
      const updated = { ...meta, deployedHash: hash };
      await this.ctx.storage.put(META, updated);
      return updated;
    }
    await this.commit({ ...meta, deployedHash: hash }, made.next, made.entry);
    logLine({ event: 'admin-change', ...made.entry });
    return (await this.ctx.storage.get<Meta>(META))!;
  }

  /** One atomic storage write (version, audit, current, meta), then the KV mirror. True when the mirror is complete. */
  private async commit(meta: Meta, next: RoutingTable, entry: AuditEntry): Promise<boolean> {
    const updated: Meta = { ...meta, version: next.version, nextVersion: next.version + 1 };
    await this.ctx.storage.put({
      [META]: updated,
      [CURRENT]: next,
      [versionEntry(next.version)]: next,
      [auditEntry(next.version)]: entry,
    });
    return this.mirror(updated);
  }

  /** Copies every version not yet in KV (oldest first), then the current table; schedules a retry on failure. */
  private async mirror(meta: Meta): Promise<boolean> {
    const kv = this.env.ROUTER_KV;
    try {
      const from = Math.max(meta.mirrored + 1, 1);
      const pending = await this.ctx.storage.list<RoutingTable>({
        start: versionEntry(from),
        end: versionEntry(meta.version + 1),
        prefix: 'v:',
      });
      for (const table of pending.values()) {
        await kv.put(versionKey(table.version), JSON.stringify(table), {
          metadata: { updatedAt: table.updatedAt, updatedBy: table.updatedBy, action: table.change.action },
        });
        const audit = await this.ctx.storage.get<AuditEntry>(auditEntry(table.version));
        if (audit) await kv.put(auditKey(table.version), JSON.stringify(audit));
      }
      const current = await this.ctx.storage.get<RoutingTable>(CURRENT);
      if (current) await kv.put(ROUTER_KV_KEYS.current, JSON.stringify(current));
      await this.ctx.storage.put(META, { ...meta, mirrored: meta.version });
      return true;
    } catch (error) {
      logLine({ event: 'kv-mirror-failed', version: meta.version, error: String(error) });
      await this.ctx.storage.setAlarm(Date.now() + MIRROR_RETRY_MS);
      return false;
    }
  }

  private async versionDocument(version: number): Promise<RoutingTable | undefined> {
    return (await this.ctx.storage.get<RoutingTable>(versionEntry(version))) ?? undefined;
  }

  /** The table this deployment carries, if it is a valid one. */
  private deployedTable(): RoutingTable | undefined {
    const text = this.env.ROUTER_DEPLOYED_TABLE;
    if (!text) return undefined;
    try {
      const table: unknown = JSON.parse(text);
      return validateRoutingTable(table).length === 0 ? (table as RoutingTable) : undefined;
    } catch {
      return undefined;
    }
  }

  private deployedHash(): Promise<string | null> {
    this.deployedHashMemo ??= (async () => {
      const text = this.env.ROUTER_DEPLOYED_TABLE;
      if (!text) return null;
      const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text));
      return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join('');
    })();
    return this.deployedHashMemo;
  }
}

function invalid(problems: readonly TableProblem[]): WriterAnswer {
  return { status: 400, body: invalidChangeBody(problems) };
}
