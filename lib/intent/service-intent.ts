/*
 * The service intent: what the synthesized resources cannot say themselves (which region belongs to which
 * jurisdiction, whose clients must stay there, the SLO, the probe settings, the Cloudflare plan). One writer
 * (GlobalInferenceService, or `writeServiceIntent` for a hand-built stack) puts it in a stack's top-level `//`
 * block, where Terraform ignores it; both checkers (the policy pack and the routing analysis) read it back here, with
 * the same schema. The document carries a version so a reader refuses what a newer library wrote instead of
 * misreading it.
 */
import { z } from 'zod';
import type { TerraformStack } from '../util/cdktf';
import { CLOUDFLARE_PLANS } from '../facts/provider-facts';
import { normalizeDnsName } from '../util/dns-name';
import { isRecord } from '../util/terraform-json';
import { Refusal } from '../util/refusal';

/** Key of the service intent inside a stack's top-level `//` comment block. */
export const SERVICE_INTENT_KEY = 'global_inference';

/** Key of construct-level external endpoint declarations (`declareExternalEndpoint`) in the same block. */
export const EXTERNAL_ENDPOINTS_KEY = 'global_inference_external_endpoints';

/**
 * Version of the intent document this library writes and reads. Absent means 1 (stacks written before the field
 * existed); a reader refuses a higher one.
 */
export const SERVICE_INTENT_VERSION = 1;

/** JSON has no undefined: an absent optional value may be written as null. */
function optional<T extends z.ZodType>(schema: T) {
  return schema.nullish().transform((v) => (v === null ? undefined : v) as z.output<T> | undefined);
}

const upperCodes = z
  .array(z.string())
  .nullish()
  .transform((codes) => (codes ?? []).map((c) => c.toUpperCase()));

/** Clients bound to a jurisdiction: ISO country codes and continent codes, upper case. */
export const IntentResidencySchema = z.looseObject({ countries: upperCodes, continents: upperCodes });

/**
 * An endpoint outside the stacks, declared with its jurisdiction and worst-case failover time. A malformed entry
 * places nothing (the analysis then treats the target as unplaced: fail closed).
 */
export const IntentExternalEndpointSchema = z.looseObject({
  name: z.string().min(1).transform(normalizeDnsName),
  /** `none` (or absent): outside every jurisdiction. */
  jurisdiction: optional(z.string()).transform((j) => (j === 'none' ? undefined : j)),
  failoverSeconds: z.number().positive(),
  declaredBy: optional(z.string()),
});

/**
 * The intent document. Unknown keys are kept, so a field added later (with the same version) does not break an
 * older reader.
 */
export const ServiceIntentSchema = z.looseObject({
  version: optional(
    z
      .number()
      .int()
      .min(1)
      .max(SERVICE_INTENT_VERSION, {
        message:
          'was written by a newer version of cdktf-global-inference (this one reads version ' +
          `${SERVICE_INTENT_VERSION}); upgrade the library that checks it`,
      }),
  ).transform((v) => v ?? 1),
  service: z.string(),
  domain: z.string(),
  /** The zone the service's records live in, when it is not `domain`. */
  routingDomain: optional(z.string()),
  frontDoor: optional(z.string()),
  routingMode: optional(z.string()),
  regions: z.record(
    z.string(),
    z.looseObject({
      jurisdiction: optional(z.string()),
      /** The region's own DNS name, when it is not `<region>.<domain>`. */
      hostname: optional(z.string()).transform((h) => (h === undefined ? undefined : normalizeDnsName(h))),
    }),
  ),
  residency: z
    .record(z.string(), IntentResidencySchema)
    .nullish()
    .transform((r) => r ?? {}),
  health: optional(z.looseObject({ intervalSeconds: optional(z.number()), failureThreshold: optional(z.number()) })),
  cloudflarePlan: optional(z.enum(CLOUDFLARE_PLANS)),
  sloFailoverSeconds: optional(z.number().positive()),
  /** false when the spec accepts a region failure as an outage (availability is then not proven). */
  survivesRegionFailure: optional(z.boolean()),
  externalEndpoints: optional(z.array(z.unknown())),
});

/** The intent as read (defaults applied, codes upper case, names normalised). */
export type ServiceIntentDocument = z.output<typeof ServiceIntentSchema>;
/** The intent as written (version, residency and the optional fields may be omitted). */
export type ServiceIntentInput = z.input<typeof ServiceIntentSchema>;
/** An external endpoint declaration as read. */
export type IntentExternalEndpoint = z.output<typeof IntentExternalEndpointSchema>;

/** What a stack's `//` block says about the service intent. */
export type IntentReading =
  | { readonly status: 'present'; readonly intent: ServiceIntentDocument }
  | { readonly status: 'absent' }
  | { readonly status: 'invalid'; readonly problems: readonly string[] };

/** An intent document that cannot be read: a refusal, so every entry point prints it without a trace. */
export class ServiceIntentError extends Refusal {}

/** Reads `json["//"].global_inference` of a synthesized stack (or of its `//` block alone). */
export function readServiceIntent(json: unknown): IntentReading {
  const comment = isRecord(json) ? json['//'] : undefined;
  const raw = isRecord(comment) ? comment[SERVICE_INTENT_KEY] : undefined;
  if (raw === undefined) return { status: 'absent' };
  const parsed = ServiceIntentSchema.safeParse(raw);
  if (parsed.success) return { status: 'present', intent: parsed.data };
  return { status: 'invalid', problems: issues(parsed.error) };
}

/**
 * The declarations of endpoints outside the stacks that a stack carries: the intent's own list and the
 * construct-level ones. Malformed entries are dropped (the target stays unplaced).
 */
export function readExternalEndpoints(
  json: unknown,
  stackName: string,
): (IntentExternalEndpoint & { declaredBy: string })[] {
  const comment = isRecord(json) ? json['//'] : undefined;
  if (!isRecord(comment)) return [];
  const fromIntent = isRecord(comment[SERVICE_INTENT_KEY]) ? comment[SERVICE_INTENT_KEY].externalEndpoints : undefined;
  const fromConstructs = isRecord(comment[EXTERNAL_ENDPOINTS_KEY])
    ? Object.values(comment[EXTERNAL_ENDPOINTS_KEY])
    : [];
  const parse = (entry: unknown, from: string): (IntentExternalEndpoint & { declaredBy: string })[] => {
    const parsed = IntentExternalEndpointSchema.safeParse(entry);
    return parsed.success ? [{ ...parsed.data, declaredBy: parsed.data.declaredBy ?? from }] : [];
  };
  return [
    ...(Array.isArray(fromIntent) ? fromIntent : []).flatMap((e) =>
      parse(e, `spec externalEndpoints (stack ${stackName})`),
    ),
    ...fromConstructs.flatMap((e) => parse(e, `declareExternalEndpoint in stack ${stackName}`)),
  ];
}

/**
 * Writes the service intent into a stack's top-level `//` comment block (with the current version), where
 * {@link readServiceIntent} finds it. Validated first, so a malformed intent fails here, naming the field.
 */
export function writeServiceIntent(stack: TerraformStack, intent: ServiceIntentInput): void {
  const parsed = ServiceIntentSchema.safeParse(intent);
  if (!parsed.success) {
    throw new ServiceIntentError(
      `service intent for stack '${stack.node.id}' is invalid: ${issues(parsed.error).join('; ')}`,
    );
  }
  // The input is written (not the parsed output), so what the stack carries is what the caller said, plus the version.
  stack.addOverride(`//.${SERVICE_INTENT_KEY}`, { version: SERVICE_INTENT_VERSION, ...intent });
}

/** The jurisdiction of a region code, when the intent gives one. */
export function regionJurisdiction(intent: ServiceIntentDocument, region: string): string | undefined {
  return intent.regions[region]?.jurisdiction;
}

/**
 * The region a hostname names: the region whose `hostname` it is, else by the `<region>.<domain>` convention
 * (regional DNS names of the service); undefined when neither places it in a region the intent lists.
 */
export function regionOfHostname(intent: ServiceIntentDocument, hostname: string): string | undefined {
  const host = normalizeDnsName(hostname);
  const named = Object.entries(intent.regions).find(([, r]) => r.hostname !== undefined && r.hostname === host);
  if (named) return named[0];
  const suffix = `.${normalizeDnsName(intent.domain)}`;
  if (!host.endsWith(suffix)) return undefined;
  const label = host.slice(0, -suffix.length);
  return Object.hasOwn(intent.regions, label) ? label : undefined;
}

function issues(error: z.ZodError): string[] {
  return error.issues.map((issue) => `${issue.path.length > 0 ? issue.path.join('.') : '(root)'}: ${issue.message}`);
}
