/** A model as routing constructs see it: the key, the id clients send, and the version a region runs. */
export interface ServedModel {
  /** The model's key (the spec's `name`, or derived from its id): construct ids, fleet names, header values. */
  readonly name: string;
  /** The model id clients send, e.g. `meta-llama/Llama-3.1-8B-Instruct`. */
  readonly id: string;
  /** The model version this region runs. */
  readonly version: string;
}

/**
 * What routing constructs (Route53 records and health checks, Cloudflare pools, the edge router) need from a
 * regional endpoint. {@link GpuInferenceEndpoint} implements it; {@link InferenceEndpointRef.fromAttributes}
 * wraps an endpoint the library did not create.
 */
export interface IInferenceEndpoint {
  /** AWS region code: the stable key of the endpoint. */
  readonly region: string;
  /** DNS name of the ALB (alias target). */
  readonly albDnsName: string;
  /** Hosted zone id of the ALB (alias target). */
  readonly albZoneId: string;
  /** Readiness path answered once the model is loaded. */
  readonly healthCheckPath: string;
  /** Models this endpoint serves. */
  readonly models: readonly ServedModel[];
  /** ALB ARN suffix for CloudWatch metrics (capacity signals). Absent for imported endpoints without metrics. */
  readonly albArnSuffix?: string;
  /** Target group ARN suffix of the primary model, for CloudWatch metrics. */
  readonly targetGroupArnSuffix?: string;
  /** Minimum healthy instances of the primary model's fleet (capacity alarm threshold). */
  readonly minCapacity?: number;
  /** Jurisdiction the endpoint belongs to, for residency. */
  readonly jurisdiction?: string;
}

/** Attributes of an existing endpoint. */
export interface InferenceEndpointAttributes extends IInferenceEndpoint {}

/**
 * Imports of regional endpoints the library did not create, for the routing constructs.
 *
 * @example
 * ```ts
 * import { InferenceEndpointRef } from 'cdktf-global-inference';
 *
 * // An existing ALB serving an OpenAI-compatible model; the ARN suffixes enable the capacity health checks.
 * const legacy = InferenceEndpointRef.fromAttributes({
 *   region: 'us-west-2',
 *   albDnsName: 'legacy-0123456789.us-west-2.elb.amazonaws.com',
 *   albZoneId: 'Z1H1FL5HABSF5',
 *   healthCheckPath: '/health',
 *   models: [{ name: 'llama-3-1-8b', id: 'meta-llama/Llama-3.1-8B-Instruct', version: '2026-11-01' }],
 *   albArnSuffix: 'app/legacy/0123456789abcdef',
 *   targetGroupArnSuffix: 'targetgroup/legacy/0123456789abcdef',
 *   minCapacity: 2,
 * });
 * // Use `legacy` wherever an IInferenceEndpoint is expected (GlobalRoute53Routing regions, RegionHealthCheck, ...).
 * ```
 */
export class InferenceEndpointRef {
  /** An endpoint the library did not create (an existing ALB serving OpenAI-compatible models). */
  static fromAttributes(attributes: InferenceEndpointAttributes): IInferenceEndpoint {
    return { ...attributes };
  }

  private constructor() {}
}
