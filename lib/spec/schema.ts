import { z } from 'zod';
import { CloudflareSchema } from './cloudflare-schema';
import { crossChecks } from './cross-checks';
import { EdgeRouterSchema } from './edge-router-schema';
import { EndpointSchema, HealthSchema } from './endpoint-schema';
import { ExternalEndpointSchema } from './external-endpoint-schema';
import { dnsName, jurisdictionKey, serviceName, tags as tagsSchema } from './fields';
import { ResidencyGroupSchema } from './geo';
import { ModelSchema, modelKeyFromId } from './model-schema';
import { RegionSchema } from './region-schema';
import { AwsAccountSchema, DnsSchema, RoutingSchema, StateSchema } from './routing-schema';

/*
 * The spec of a global inference service: the one input every construct of the library can be derived from.
 * The schema is the single source of truth for shape, limits and defaults; `schema/spec.schema.json` is
 * generated from it for editors. The parts live in one module each (models, regions, health and endpoint settings,
 * routing, external endpoints), the cross-field rules in `cross-checks.ts` (with `routing-checks.ts` and
 * `deployability-checks.ts`); this module assembles them, normalises the result, and re-exports the parts where
 * the spec always had them.
 */

export * from './endpoint-schema';
export * from './external-endpoint-schema';
export * from './gpu-instances';
export * from './model-schema';
export * from './region-schema';
export * from './routing-schema';
export {
  ACM_FIRST_NAME_MAX,
  createdNetworkProblems,
  fleetProblems,
  MAX_ROUTING_DOMAIN_LENGTH,
  MAX_USER_DATA_BYTES,
  peakInstancesPerSubnet,
  routingDomainOf,
} from './deployability-checks';
export { route53RoutingProblems } from './routing-checks';
// Provider facts shared with the analysis live in a zod-free module; re-exported where the spec always had them.
export { ROUTE53_CHECKER_REGIONS } from '../facts/provider-facts';

/** Values of the spec's `frontDoor`: who answers the service name (Route53, Cloudflare, or both side by side). */
export const FRONT_DOORS = ['route53', 'cloudflare', 'both'] as const;

const SpecObjectSchema = z.strictObject({
  $schema: z.string().optional().meta({ description: 'Path or URL of the JSON Schema, for editors.' }),
  service: z.strictObject({
    name: serviceName.meta({ description: 'Short name used in resource names and tags.' }),
    domain: dnsName.meta({ description: 'DNS name clients use, e.g. inference.example.com.' }),
  }),
  model: ModelSchema.optional().meta({ description: 'The one model served (shorthand for `models: [ ... ]`).' }),
  models: z.array(ModelSchema).min(1, 'must list at least one model').max(16, 'must list at most 16 models').optional(),
  regions: z.array(RegionSchema).min(1, 'must list at least one region').max(40, 'must list at most 40 regions'),
  aws: AwsAccountSchema.default({}),
  dns: DnsSchema.prefault({}),
  residency: z
    .record(jurisdictionKey, ResidencyGroupSchema)
    .default({})
    .meta({
      description:
        'Clients that must stay in a jurisdiction, by jurisdiction key (regions opt in with `jurisdiction`). ' +
        'Example: { eu: { preset: eu } }.',
    }),
  health: HealthSchema.prefault({}),
  endpoint: EndpointSchema.prefault({}),
  routing: RoutingSchema.prefault({}),
  frontDoor: z.enum(FRONT_DOORS).default('route53').meta({ description: 'Which front door(s) to build.' }),
  cloudflare: CloudflareSchema.optional(),
  edgeRouter: EdgeRouterSchema.optional(),
  externalEndpoints: z
    .array(ExternalEndpointSchema)
    .max(100, 'must list at most 100 endpoints')
    .optional()
    .meta({
      description:
        'Endpoints outside the stacks that records or escape hatches route to, with their jurisdiction and ' +
        'failover time. Default: none (the proofs refuse targets they cannot place).',
    }),
  slo: z
    .strictObject({
      failoverSeconds: z
        .number()
        .int()
        .positive('must be > 0')
        .max(3600, 'must be ≤ 3600')
        .default(180)
        .meta({ description: 'Worst-case time to move traffic off a failed region.' }),
      survivesRegionFailure: z
        .boolean()
        .default(true)
        .meta({
          description:
            'Synth proves that every client group keeps a healthy region when any one region fails. false ' +
            'accepts that a region failure is an outage (e.g. a single-region development service).',
        }),
    })
    .prefault({}),
  state: StateSchema.default({ backend: 'local' }).meta({
    description: 'Terraform state backend. Environment variables can override it (see README).',
  }),
  tags: tagsSchema.default({}).meta({ description: 'Tags added to every AWS resource.' }),
});

/**
 * The zod schema of a whole spec: every field, its default and its rules, the cross-field checks, then the
 * normalisation (always `models`, every model named). `parseSpec` and `loadSpecFile` use it; so does the JSON Schema.
 */
export const SpecSchema = SpecObjectSchema.superRefine(crossChecks, { when: () => true })
  .transform(normalize)
  .meta({
    title: 'Global inference service spec',
    description: 'A multi-region GPU inference service and the routing in front of it.',
  });

/** The spec as authored (TS object or file): optional fields may be left out. */
export type GlobalInferenceSpecInput = z.input<typeof SpecSchema>;
/** The validated spec with every default filled in. */
export type GlobalInferenceSpec = z.output<typeof SpecSchema>;
/** One model of a validated spec (named, defaults filled in). */
export type ModelSpec = GlobalInferenceSpec['models'][number];
/** One region of a validated spec (defaults filled in, its models listed). */
export type RegionSpec = GlobalInferenceSpec['regions'][number];
/** The validated `health` section: readiness probe and capacity signals. */
export type HealthSpec = GlobalInferenceSpec['health'];
/** The validated `endpoint` section: ALB and fleet settings shared by every region. */
export type EndpointSpec = GlobalInferenceSpec['endpoint'];
/** The validated `state` section: the Terraform state backend. */
export type StateSpec = GlobalInferenceSpec['state'];
/** The validated `dns` section: hosted zone, DNSSEC, query logging, private zone. */
export type DnsSpec = GlobalInferenceSpec['dns'];
/** The validated `routing` section: the mode and its settings. */
export type RoutingSpec = GlobalInferenceSpec['routing'];

// ---------------------------------------------------------------------------------------------------------
// Normalisation: one shape for consumers (always `models`, every model named, every region's models listed).

function normalize(spec: z.output<typeof SpecObjectSchema>) {
  const { model, models, ...rest } = spec;
  const named = (models ?? (model ? [model] : [])).map((m) => ({ ...m, name: m.name ?? modelKeyFromId(m.id) }));
  const allNames = named.map((m) => m.name);
  return {
    ...rest,
    models: named,
    regions: spec.regions.map((r) => ({
      ...r,
      models: r.models ?? allNames,
      modelVersions: r.modelVersions ?? {},
    })),
  };
}
