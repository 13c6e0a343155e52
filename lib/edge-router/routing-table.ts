/*
 * The routing table of the edge router: the contract between the construct (which writes the initial table to
 * KV), the Worker (which routes by it and changes it through the admin API) and operators (who read and edit it).
 *
 * Pure TypeScript with no imports but types: the Worker bundle includes this file, so it must run in workerd as well as
 * Node.
 */
import type { ResidencyClients, ResidencyClientGroup } from '../util/residency-clients';

export type { ResidencyClientGroup };

/** Format of the table documents; bumped on incompatible changes. */
export const ROUTING_TABLE_FORMAT = 1;

/** Header that tells the regional ALB which model's fleet to use (same as `MODEL_HEADER` of the AWS endpoint). */
export const ROUTER_MODEL_HEADER = 'X-Inference-Model';
/** Response header naming the backend that answered. */
export const ROUTER_BACKEND_HEADER = 'x-router-backend';
/** Response header with the number of attempts the request took. */
export const ROUTER_ATTEMPTS_HEADER = 'x-router-attempts';
/** Request header sent to a backend with the attempt number (1 = first choice). */
export const ROUTER_ATTEMPT_HEADER = 'x-router-attempt';
/** Admin request header naming the person or system making a change (recorded in the audit). */
export const ROUTER_ACTOR_HEADER = 'x-router-actor';

/** Admin tokens shorter than this disable the admin API (a guessable token is worse than none). */
export const MIN_ADMIN_TOKEN_LENGTH = 16;

/** Binding names the Worker expects. */
export const ROUTER_BINDINGS = {
  kv: 'ROUTER_KV',
  adminToken: 'ADMIN_TOKEN',
  config: 'ROUTER_CONFIG',
  originAuthSecret: 'ORIGIN_AUTH_SECRET',
  /** The Durable Object namespace of the table writer (the single, strongly consistent writer of admin changes). */
  writer: 'ROUTER_WRITER',
  /**
   * The table Terraform generated (JSON), which seeds the writer and, with keepLiveEdits false, resets it on deploy.
   */
  deployedTable: 'ROUTER_DEPLOYED_TABLE',
} as const;

/** Exported class name of the table writer Durable Object (the migration and the binding name it). */
export const ROUTER_WRITER_CLASS = 'RouterTableWriter';
/** The one writer object: every isolate addresses it by this name, so all admin changes meet in one place. */
export const ROUTER_WRITER_NAME = 'routing-table';

/**
 * KV keys: the read path. The table writer (a Durable Object) holds the table, its versions and the audit log and
 * is where every change is decided; it mirrors each version, its audit entry and the current table to these keys
 * after committing. KV is eventually consistent (up to ~60 s between locations), so the mirror can lag; it is never
 * where a change is decided. A reader needs one read of `table:current` and can never follow a pointer to a missing
 * version.
 */
export const ROUTER_KV_KEYS = {
  current: 'table:current',
  versionPrefix: 'table:v:',
  auditPrefix: 'audit:',
  probe: 'health:probe',
} as const;

/** `table:v:0000000042`: zero-padded so that KV's lexicographic listing is numeric order. */
export function versionKey(version: number): string {
  return `${ROUTER_KV_KEYS.versionPrefix}${pad(version)}`;
}

/** `audit:0000000042`: the audit entry of the change that produced that version. */
export function auditKey(version: number): string {
  return `${ROUTER_KV_KEYS.auditPrefix}${pad(version)}`;
}

/** The version number of a `table:v:` or `audit:` key, or undefined for another key. */
export function versionOfKey(key: string): number | undefined {
  const match = /^(?:table:v:|audit:)(\d{10})$/.exec(key);
  return match ? Number(match[1]) : undefined;
}

function pad(version: number): string {
  return String(version).padStart(10, '0');
}

/** Continent codes as Cloudflare reports them in `request.cf.continent`. */
export const ROUTER_CONTINENTS = ['AF', 'AN', 'AS', 'EU', 'NA', 'OC', 'SA'] as const;

/** A model clients can ask for. The table key is the model key sent to the ALB in `X-Inference-Model`. */
export interface RoutingModel {
  /** The id clients send in `model` (they may also send the key). */
  readonly id: string;
}

/** A regional endpoint the router forwards to. */
export interface RoutingBackend {
  /** Origin requests go to, without a path: `https://us-east-1.inference.example.com`. */
  readonly url: string;
  /** Readiness path the scheduled probe calls (once per model, with the model header). */
  readonly healthPath: string;
  /** Jurisdiction of the backend; clients bound to a jurisdiction only reach its backends. */
  readonly jurisdiction?: string;
  /** Keys of the models it serves. */
  readonly models: readonly string[];
  /** Relative share of traffic (0 = none). */
  readonly weight: number;
  /** false = drained: no new requests, weight kept for when it is enabled again. */
  readonly enabled: boolean;
}

/** What changed to produce a version (recorded in the version itself and in its audit entry). */
export interface TableChange {
  readonly action: 'initial' | 'set-weights' | 'drain' | 'enable' | 'rollback' | 'deploy';
  readonly weights?: Readonly<Record<string, number>>;
  readonly backend?: string;
  readonly toVersion?: number;
}

/**
 * The routing table the edge router Worker routes by: models, backends with weights, and residency; versioned, and
 * written to KV (version 1 by Terraform, later versions by the admin API).
 */
export interface RoutingTable {
  /** Format marker of the table, checked by the Worker before it routes by a table. */
  readonly format: typeof ROUTING_TABLE_FORMAT;
  /** Version number; every change makes a new one. */
  readonly version: number;
  /** The version this one was derived from (null for the initial table). */
  readonly previousVersion: number | null;
  /** When it was written (ISO 8601); null for the table Terraform writes (keeps synth output deterministic). */
  readonly updatedAt: string | null;
  /** Who wrote it: `terraform`, or the actor / token id of an admin call. */
  readonly updatedBy: string;
  /** What changed to produce this version. */
  readonly change: TableChange;
  /** The note given with the admin change that wrote this version (at most 500 characters). */
  readonly comment?: string;
  /** Models by key. */
  readonly models: Readonly<Record<string, RoutingModel>>;
  /** Backends by region code. */
  readonly backends: Readonly<Record<string, RoutingBackend>>;
  /** Clients bound to a jurisdiction, by jurisdiction key. */
  readonly residency: ResidencyClients;
}

/** One problem found in a table or a change: where, what is allowed, what was received. */
export interface TableProblem {
  readonly path: string;
  readonly message: string;
  readonly received?: string;
}

/** Largest weight accepted (weights are relative; this only catches typos such as 1e9). */
export const MAX_ROUTING_WEIGHT = 10000;

const KEY_PATTERN = /^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$/;
const URL_PATTERN =
  /^https?:\/\/(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)*[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?::\d{1,5})?$/;
const PATH_PATTERN = /^\/[A-Za-z0-9._~\-/?=&%]*$/;
const COUNTRY_PATTERN = /^[A-Z]{2}$/;

/**
 * Every problem of a table, structural and semantic: known models, reachable backends, and at least one enabled
 * backend with weight > 0 for every model, and for every model a jurisdiction's backends serve. Empty when valid.
 * Accepts `unknown` because tables also come from KV and from admin requests.
 */
export function validateRoutingTable(input: unknown): TableProblem[] {
  const problems: TableProblem[] = [];
  const add = (path: string, message: string, value?: unknown) =>
    problems.push({ path, message, ...(value === undefined ? {} : { received: describe(value) }) });
  if (!isRecord(input)) {
    add('(root)', 'must be a routing table object', input);
    return problems;
  }
  if (input.format !== ROUTING_TABLE_FORMAT) add('format', `must be ${ROUTING_TABLE_FORMAT}`, input.format);
  if (!isWholeNumber(input.version) || input.version < 1) add('version', 'must be a whole number ≥ 1', input.version);
  if (input.previousVersion !== null && (!isWholeNumber(input.previousVersion) || input.previousVersion < 1))
    add('previousVersion', 'must be null or a whole number ≥ 1', input.previousVersion);
  if (input.updatedAt !== null && typeof input.updatedAt !== 'string')
    add('updatedAt', 'must be null or an ISO 8601 time', input.updatedAt);
  if (typeof input.updatedBy !== 'string' || input.updatedBy.length === 0)
    add('updatedBy', 'must name who wrote the table', input.updatedBy);
  if (!isRecord(input.change) || typeof input.change.action !== 'string')
    add('change', 'must describe the change ({ action, ... })', input.change);

  const models = isRecord(input.models) ? input.models : undefined;
  if (!models || Object.keys(models).length === 0)
    add('models', 'must map at least one model key to { id }', input.models);
  const modelKeys = models ? Object.keys(models) : [];
  const idOwner = new Map<string, string>();
  for (const [key, model] of Object.entries(models ?? {})) {
    const path = `models${pathKey(key)}`;
    if (!KEY_PATTERN.test(key)) add(path, "key must be a model key: lower-case letters, digits and '-'", key);
    if (!isRecord(model) || typeof model.id !== 'string' || model.id.length === 0) {
      add(
        `${path}.id`,
        'must be the model id clients send, such as meta-llama/Llama-3.1-8B-Instruct',
        isRecord(model) ? model.id : model,
      );
      continue;
    }
    for (const name of new Set([key, model.id])) {
      const other = idOwner.get(name);
      if (other !== undefined && other !== key)
        add(`${path}.id`, `is also the key or id of model '${other}'; a name clients send must pick one model`, name);
      idOwner.set(name, key);
    }
  }

  const residency = isRecord(input.residency) ? input.residency : undefined;
  if (!residency)
    add(
      'residency',
      'must be an object of jurisdiction -> { countries, continents } (empty when no residency applies)',
      input.residency,
    );

  const backends = isRecord(input.backends) ? input.backends : undefined;
  if (!backends || Object.keys(backends).length === 0)
    add('backends', 'must map at least one backend id to a backend', input.backends);
  const valid: [string, RoutingBackend][] = [];
  for (const [id, backend] of Object.entries(backends ?? {})) {
    const path = `backends${pathKey(id)}`;
    if (!KEY_PATTERN.test(id))
      add(path, "key must be a backend id (a region code): lower-case letters, digits and '-'", id);
    if (!isRecord(backend)) {
      add(path, 'must be a backend object { url, healthPath, models, weight, enabled }', backend);
      continue;
    }
    let ok = true;
    const check = (condition: boolean, field: string, message: string) => {
      if (!condition) {
        add(`${path}.${field}`, message, backend[field]);
        ok = false;
      }
    };
    check(
      typeof backend.url === 'string' && URL_PATTERN.test(backend.url),
      'url',
      'must be an origin such as https://us-east-1.inference.example.com (no path, no trailing slash)',
    );
    check(
      typeof backend.healthPath === 'string' && PATH_PATTERN.test(backend.healthPath),
      'healthPath',
      "must be a URL path starting with '/', such as /health",
    );
    check(
      backend.jurisdiction === undefined ||
        (typeof backend.jurisdiction === 'string' && KEY_PATTERN.test(backend.jurisdiction)),
      'jurisdiction',
      'must be a jurisdiction key such as eu, or absent',
    );
    check(
      typeof backend.weight === 'number' &&
        Number.isFinite(backend.weight) &&
        backend.weight >= 0 &&
        backend.weight <= MAX_ROUTING_WEIGHT,
      'weight',
      `must be a number from 0 to ${MAX_ROUTING_WEIGHT}`,
    );
    check(typeof backend.enabled === 'boolean', 'enabled', 'must be true or false');
    if (!Array.isArray(backend.models) || backend.models.length === 0) {
      check(false, 'models', 'must list the keys of the models the backend serves (at least one)');
    } else {
      backend.models.forEach((m, i) => {
        if (typeof m !== 'string' || (models && !modelKeys.includes(m))) {
          add(
            `${path}.models[${i}]`,
            `must be a model key of the table (${modelKeys.join(', ') || 'none declared'})`,
            m,
          );
          ok = false;
        }
      });
    }
    if (ok) valid.push([id, backend as unknown as RoutingBackend]);
  }

  const owner = new Map<string, string>();
  for (const [jurisdiction, group] of Object.entries(residency ?? {})) {
    const path = `residency${pathKey(jurisdiction)}`;
    if (!KEY_PATTERN.test(jurisdiction)) add(path, 'key must be a jurisdiction key such as eu', jurisdiction);
    if (!isRecord(group) || !Array.isArray(group.countries) || !Array.isArray(group.continents)) {
      add(path, 'must be { countries: [...], continents: [...] }', group);
      continue;
    }
    if (group.countries.length === 0 && group.continents.length === 0)
      add(path, 'must list the countries or continents whose clients it binds', group);
    group.countries.forEach((c, i) => {
      if (typeof c !== 'string' || !COUNTRY_PATTERN.test(c))
        add(`${path}.countries[${i}]`, 'must be an ISO 3166-1 alpha-2 country code in capitals, such as DE', c);
      else bindOnce(`country ${c}`, jurisdiction, `${path}.countries[${i}]`);
    });
    group.continents.forEach((c, i) => {
      if (typeof c !== 'string' || !(ROUTER_CONTINENTS as readonly string[]).includes(c))
        add(`${path}.continents[${i}]`, `must be a continent code (${ROUTER_CONTINENTS.join(', ')})`, c);
      else bindOnce(`continent ${c}`, jurisdiction, `${path}.continents[${i}]`);
    });
    if (backends && !Object.values(backends).some((b) => isRecord(b) && b.jurisdiction === jurisdiction)) {
      add(path, `no backend has jurisdiction '${jurisdiction}', so its clients would have nowhere to go`, jurisdiction);
    }
  }
  function bindOnce(location: string, jurisdiction: string, path: string): void {
    const other = owner.get(location);
    if (other !== undefined && other !== jurisdiction)
      add(
        path,
        `${location} is also bound to jurisdiction '${other}'; each location may belong to one jurisdiction`,
        location.split(' ')[1],
      );
    owner.set(location, jurisdiction);
  }

  // Serving rules, only over well-formed backends (malformed ones were reported above).
  if (models && backends) {
    const live = (b: RoutingBackend) => b.enabled && b.weight > 0;
    for (const key of modelKeys) {
      const serving = valid.filter(([, b]) => b.models.includes(key));
      if (!serving.some(([, b]) => live(b))) {
        add(
          `models${pathKey(key)}`,
          `must have at least one enabled backend with weight > 0 (serving it: ${describeServing(serving)})`,
        );
      }
    }
    for (const jurisdiction of Object.keys(residency ?? {})) {
      const inJurisdiction = valid.filter(([, b]) => b.jurisdiction === jurisdiction);
      const served = new Set(inJurisdiction.flatMap(([, b]) => b.models));
      for (const key of [...served].sort()) {
        const serving = inJurisdiction.filter(([, b]) => b.models.includes(key));
        if (!serving.some(([, b]) => live(b))) {
          add(
            `residency${pathKey(jurisdiction)}`,
            `clients of jurisdiction '${jurisdiction}' need at least one enabled backend with weight > 0 in ` +
              `the jurisdiction for model '${key}' (serving it there: ${describeServing(serving)})`,
          );
        }
      }
    }
  }
  return problems;
}

function describeServing(serving: [string, RoutingBackend][]): string {
  if (serving.length === 0) return 'none';
  return serving
    .map(([id, b]) => `${id}${b.enabled ? '' : ' (drained)'}${b.weight > 0 ? '' : ' (weight 0)'}`)
    .join(', ');
}

/**
 * The table with new weights (a partial map: backends not named keep theirs). Problems name unknown backends and bad
 * values.
 */
export function withWeights(table: RoutingTable, weights: unknown): { table: RoutingTable; problems: TableProblem[] } {
  const problems: TableProblem[] = [];
  if (!isRecord(weights) || Object.keys(weights).length === 0) {
    return {
      table,
      problems: [
        {
          path: 'weights',
          message: 'must map at least one backend id to a weight, such as { "us-east-1": 50 }',
          received: describe(weights),
        },
      ],
    };
  }
  const backends: Record<string, RoutingBackend> = { ...table.backends };
  for (const [id, weight] of Object.entries(weights)) {
    const path = `weights${pathKey(id)}`;
    // An own property of the table, not an inherited name such as __proto__, constructor or toString.
    if (!hasOwn(table.backends, id)) {
      problems.push({
        path,
        message: `must name a backend of the table (${Object.keys(table.backends).sort().join(', ')})`,
        received: describe(id),
      });
    } else if (typeof weight !== 'number' || !Number.isFinite(weight) || weight < 0 || weight > MAX_ROUTING_WEIGHT) {
      problems.push({ path, message: `must be a number from 0 to ${MAX_ROUTING_WEIGHT}`, received: describe(weight) });
    } else {
      backends[id] = { ...table.backends[id], weight };
    }
  }
  return { table: { ...table, backends }, problems };
}

/** The table with one backend enabled or drained. */
export function withEnabled(
  table: RoutingTable,
  id: string,
  enabled: boolean,
): { table: RoutingTable; problems: TableProblem[] } {
  if (!hasOwn(table.backends, id)) {
    return {
      table,
      problems: [
        {
          path: 'backend',
          message: `must name a backend of the table (${Object.keys(table.backends).sort().join(', ')})`,
          received: describe(id),
        },
      ],
    };
  }
  return {
    table: { ...table, backends: { ...table.backends, [id]: { ...table.backends[id], enabled } } },
    problems: [],
  };
}

/**
 * The jurisdiction whose clients a request belongs to, from Cloudflare's `request.cf.country`/`continent`. A
 * country binding wins over a continent binding (a country is the more specific statement); undefined = free.
 */
export function jurisdictionOf(
  residency: RoutingTable['residency'],
  country: string | undefined,
  continent: string | undefined,
): string | undefined {
  const keys = Object.keys(residency).sort();
  if (country) {
    for (const key of keys) if (residency[key].countries.includes(country)) return key;
  }
  if (continent) {
    for (const key of keys) if (residency[key].continents.includes(continent)) return key;
  }
  return undefined;
}

/** The model key for what a client sent in `model`: a key of the table, or a model's id. */
export function modelKeyFor(table: RoutingTable, requested: string): string | undefined {
  if (hasOwn(table.models, requested)) return requested;
  for (const [key, model] of Object.entries(table.models)) if (model.id === requested) return key;
  return undefined;
}

/** Backends that may take a request for a model from a client of a jurisdiction (undefined = unbound client). */
export function eligibleBackends(table: RoutingTable, modelKey: string, jurisdiction: string | undefined): string[] {
  return Object.keys(table.backends)
    .sort()
    .filter((id) => {
      const b = table.backends[id];
      return (
        b.enabled &&
        b.weight > 0 &&
        b.models.includes(modelKey) &&
        (jurisdiction === undefined || b.jurisdiction === jurisdiction)
      );
    });
}

/** `key` is an own property of `object` (never an inherited one such as `__proto__`, `constructor` or `toString`). */
export function hasOwn(object: object, key: string): boolean {
  return Object.hasOwn(object, key);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isWholeNumber(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value);
}

function pathKey(key: string): string {
  return /^[A-Za-z_$][\w$]*$/.test(key) ? `.${key}` : `[${JSON.stringify(key)}]`;
}

function describe(value: unknown): string {
  if (value === undefined) return 'nothing';
  const text = typeof value === 'string' ? JSON.stringify(value) : (JSON.stringify(value) ?? String(value));
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}
