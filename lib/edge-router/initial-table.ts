import type { ResidencyClients } from '../spec/residency';
import type { IInferenceEndpoint } from '../aws/inference-endpoint-ref';
import { SpecValidationError, describeValue, type SpecProblem } from '../spec/errors';
import { isToken } from '../util/validate';
import {
  MAX_ROUTING_WEIGHT,
  ROUTING_TABLE_FORMAT,
  validateRoutingTable,
  type RoutingBackend,
  type RoutingModel,
  type RoutingTable,
} from './routing-table';

/** The header of the version Terraform writes: version 1, no predecessor, no operator yet. */
export const INITIAL_TABLE_HEADER = {
  format: ROUTING_TABLE_FORMAT,
  version: 1,
  previousVersion: null,
  updatedAt: null,
  updatedBy: 'terraform',
  change: { action: 'initial' },
} as const satisfies Partial<RoutingTable>;

/** Weight of a backend the input gives none. */
export const DEFAULT_ROUTING_WEIGHT = 100;

/** What the initial routing table is built from: the library's endpoints, their public hostnames, residency. */
export interface RoutingTableInput {
  /** Regional endpoints; each becomes a backend keyed by its region code. */
  readonly endpoints: readonly IInferenceEndpoint[];
  /**
   * Public hostname of each endpoint by region code, such as `us-east-1.inference.example.com` (what
   * `GlobalInferenceService.regionalHostnames` holds). Literal strings: the table is written at synth time.
   */
  readonly hostnames: Readonly<Record<string, string>>;
  /**
   * Clients bound to a jurisdiction, as the spec's `residency` outputs them. Clients in these countries/continents
   * only reach backends whose endpoint has that `jurisdiction`. @default - no residency: every client may reach every
   * backend
   */
  readonly residency?: ResidencyClients;
  /** Initial weight by region code (0 = no traffic). @default - 100 for every backend */
  readonly weights?: Readonly<Record<string, number>>;
}

/**
 * The routing table Terraform writes to KV as version 1: one backend per endpoint (`https://<hostname>`, its
 * readiness path, jurisdiction and models), the models clients may ask for, and the residency groups. Throws a
 * {@link SpecValidationError} listing every problem (missing hostnames, unknown regions in weights, a jurisdiction
 * without backends, a model without an enabled backend, ...).
 */
export function buildRoutingTable(input: RoutingTableInput, source = 'edge router routing table'): RoutingTable {
  const problems: SpecProblem[] = [];
  const add = (path: string, message: string, value?: unknown) =>
    problems.push({ path, message, ...(value === undefined ? {} : { received: describeValue(value) }) });
  if (input.endpoints.length === 0) add('endpoints', 'must list at least one endpoint (the backends of the router)');

  const models: Record<string, RoutingModel> = {};
  const backends: Record<string, RoutingBackend> = {};
  const regions = input.endpoints.map((e) => e.region);
  input.endpoints.forEach((endpoint, i) => {
    const region = endpoint.region;
    if (isToken(region)) {
      add(`endpoints[${i}].region`, 'must be a literal region code known at synth time, not a token');
      return;
    }
    if (regions.indexOf(region) !== i) {
      add(
        `endpoints[${i}].region`,
        `duplicate region (also at index ${regions.indexOf(region)}); each region may be a backend once`,
        region,
      );
      return;
    }
    const hostname = input.hostnames[region];
    if (hostname === undefined) {
      add(
        `hostnames["${region}"]`,
        `is required: the public hostname of the ${region} endpoint, such as ${region}.inference.example.com`,
      );
    } else if (isToken(hostname)) {
      add(
        `hostnames["${region}"]`,
        'must be a literal hostname known at synth time (the table is written to KV as text), not a token',
      );
    } else if (!/^(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z][a-z0-9-]{0,61}[a-z0-9]$/.test(hostname)) {
      add(
        `hostnames["${region}"]`,
        'must be a lower-case DNS name such as us-east-1.inference.example.com (no scheme, no path)',
        hostname,
      );
    }
    if (isToken(endpoint.healthCheckPath))
      add(`endpoints[${i}].healthCheckPath`, 'must be a literal path known at synth time, not a token');
    for (const model of endpoint.models) {
      const known = models[model.name];
      if (known && known.id !== model.id) {
        add(
          `endpoints[${i}].models`,
          `model '${model.name}' has id '${model.id}' here but '${known.id}' on another endpoint; one key must ` +
            'mean one model',
          model.id,
        );
      }
      models[model.name] ??= { id: model.id };
    }
    const weight = input.weights?.[region] ?? DEFAULT_ROUTING_WEIGHT;
    backends[region] = {
      url: `https://${hostname ?? `${region}.invalid`}`,
      healthPath: endpoint.healthCheckPath,
      ...(endpoint.jurisdiction ? { jurisdiction: endpoint.jurisdiction } : {}),
      models: endpoint.models.map((m) => m.name),
      weight,
      enabled: true,
    };
  });
  for (const [region, weight] of Object.entries(input.weights ?? {})) {
    if (!regions.includes(region))
      add(`weights["${region}"]`, `must be keyed by the region of an endpoint (${regions.join(', ')})`, region);
    else if (typeof weight !== 'number' || !Number.isFinite(weight) || weight < 0 || weight > MAX_ROUTING_WEIGHT)
      add(`weights["${region}"]`, `must be a number from 0 to ${MAX_ROUTING_WEIGHT}`, weight);
  }

  const residency = Object.fromEntries(
    Object.entries(input.residency ?? {})
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([key, group]) => [
        key,
        { countries: [...group.countries].sort(), continents: [...group.continents].sort() },
      ]),
  );
  const table: RoutingTable = {
    ...INITIAL_TABLE_HEADER,
    models: sortKeys(models),
    backends: sortKeys(backends),
    residency,
  };
  // The table rules (enabled backend per model and jurisdiction, one jurisdiction per location, ...) are the same
  // ones the Worker applies to every live change. URLs and weights were checked above, in the input's own terms.
  problems.push(...validateRoutingTable(table).filter((p) => !/^backends.*\.(?:url|weight)$/.test(p.path)));
  if (problems.length > 0) throw new SpecValidationError(problems, source);
  return table;
}

function sortKeys<T>(record: Record<string, T>): Record<string, T> {
  return Object.fromEntries(Object.entries(record).sort(([a], [b]) => a.localeCompare(b)));
}
