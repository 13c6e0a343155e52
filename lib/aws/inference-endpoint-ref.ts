/** A model as routing constructs see it: the key, the id clients send, and the version a region runs. */
export interface ServedModel {
  readonly name: string;
  readonly id: string;
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

export class InferenceEndpointRef {
  /** An endpoint the library did not create (an existing ALB serving OpenAI-compatible models). */
  static fromAttributes(attributes: InferenceEndpointAttributes): IInferenceEndpoint {
    return { ...attributes };
  }

  private constructor() {}
}
