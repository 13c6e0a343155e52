import { z } from 'zod';
import type { TerraformStack } from 'cdktf';
import { CLOUDFLARE_PLANS } from '../spec/cloudflare-schema';

/** Key of the service intent inside a stack's top-level `//` comment block. */
export const POLICY_CONTEXT_KEY = 'global_inference';


const ResidencySchema = z.looseObject({
  countries: z.array(z.string()).default([]),
  continents: z.array(z.string()).default([]),
});

/**
 * The service intent that rules cannot read off the resources themselves: which region belongs to which
 * jurisdiction, whose clients must stay there, the Cloudflare plan. GlobalInferenceService writes it into each
 * stack it creates (see {@link writePolicyContext}); Terraform treats a `"//"` property as a comment.
 * Unknown keys are kept, so later fields do not break older readers.
 */
export const PolicyContextSchema = z.looseObject({
  service: z.string(),
  domain: z.string(),
  regions: z.record(
    z.string(),
    z.looseObject({
      jurisdiction: optional(z.string()),
      /** The region's own DNS name, when it is not `<region>.<domain>`. */
      hostname: optional(z.string()),
    }),
  ),
  residency: z.record(z.string(), ResidencySchema).nullish().transform((r) => r ?? {}),
  cloudflarePlan: optional(z.enum(CLOUDFLARE_PLANS)),
  sloFailoverSeconds: optional(z.number().positive()),
});

/** JSON has no undefined: an absent optional value may be written as null. */
function optional<T extends z.ZodType>(schema: T) {
  return schema.nullish().transform((v) => (v === null ? undefined : v) as z.output<T> | undefined);
}

export type PolicyContext = z.output<typeof PolicyContextSchema>;
/** The context as written (residency may be omitted). */
export type PolicyContextInput = z.input<typeof PolicyContextSchema>;

/** What a stack's `//` block says about the service intent. */
export type ContextReading =
  | { readonly status: 'present'; readonly context: PolicyContext }
  | { readonly status: 'absent' }
  | { readonly status: 'invalid'; readonly problems: readonly string[] };

/** Reads `json["//"].global_inference` of a synthesized stack. */
export function readPolicyContext(json: unknown): ContextReading {
  const comment = isRecord(json) ? json['//'] : undefined;
  const raw = isRecord(comment) ? comment[POLICY_CONTEXT_KEY] : undefined;
  if (raw === undefined) return { status: 'absent' };
  const parsed = PolicyContextSchema.safeParse(raw);
  if (parsed.success) return { status: 'present', context: parsed.data };
  return {
    status: 'invalid',
    problems: parsed.error.issues.map((issue) => `${issue.path.length > 0 ? issue.path.join('.') : '(root)'}: ${issue.message}`),
  };
}

/**
 * Writes the service intent into a stack's top-level `//` comment block, where {@link readPolicyContext} (and so
 * the policy aspect and `checkSynthOutput`) find it. Validated here so a malformed block fails early.
 */
export function writePolicyContext(stack: TerraformStack, context: PolicyContextInput): void {
  const parsed = PolicyContextSchema.safeParse(context);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`);
    throw new Error(`policy context for stack '${stack.node.id}' is invalid: ${problems.join('; ')}`);
  }
  stack.addOverride(`//.${POLICY_CONTEXT_KEY}`, parsed.data);
}

/** The jurisdiction of a region code, when the context gives one. */
export function regionJurisdiction(context: PolicyContext, region: string): string | undefined {
  return context.regions[region]?.jurisdiction;
}

/**
 * The region a hostname names: the region whose `hostname` it is, else by the `<region>.<domain>` convention
 * (regional DNS names of the service); undefined when neither places it in a region the context lists.
 */
export function regionOfHostname(context: PolicyContext, hostname: string): string | undefined {
  const normalize = (name: string) => name.trim().toLowerCase().replace(/\.$/, '');
  const host = normalize(hostname);
  const named = Object.entries(context.regions).find(([, r]) => r.hostname !== undefined && normalize(r.hostname) === host);
  if (named) return named[0];
  const suffix = `.${context.domain.toLowerCase().replace(/\.$/, '')}`;
  if (!host.endsWith(suffix)) return undefined;
  const label = host.slice(0, -suffix.length);
  return Object.prototype.hasOwnProperty.call(context.regions, label) ? label : undefined;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
