/*
 * Declaring an endpoint outside the stacks at construct level (for stacks that do not come from a spec, or escape
 * hatches added next to one): the declaration is written into the stack's `//` comment, where the analysis reads
 * it like the spec's `externalEndpoints`. Without a declaration, a target the analysis cannot place is a possible
 * residency leak and an unknown failover time.
 *
 *   new Route53Record(stack, 'Partner', { ..., records: ['partner.example.net'] });
 *   declareExternalEndpoint(stack, { name: 'partner.example.net', jurisdiction: 'eu', failoverSeconds: 30 });
 */
import { TerraformStack } from '../util/cdktf';
import type { IConstruct } from 'constructs';
import { ExternalEndpointSchema } from '../spec/external-endpoint-schema';
import { validateProps } from '../util/validate';
import { EXTERNAL_ENDPOINTS_KEY } from '../intent/service-intent';

/**
 * An endpoint outside the stacks, as {@link declareExternalEndpoint} declares it (the fields of an entry of the
 * spec's `externalEndpoints`): so the proofs can place it in its jurisdiction and time its failover, instead of
 * counting it as a possible residency leak with an unknown failover time.
 */
export interface ExternalEndpointDeclaration {
  /** DNS name or IP address exactly as the record, origin or backend names it. */
  readonly name: string;
  /** Jurisdiction the endpoint serves from, or `none`. */
  readonly jurisdiction: string;
  /** Worst-case seconds the endpoint needs to move traffic off a failure of its own. */
  readonly failoverSeconds: number;
}

/** Declares an endpoint outside the stacks in the stack of `scope`, validated like the spec's `externalEndpoints`. */
export function declareExternalEndpoint(scope: IConstruct, declaration: ExternalEndpointDeclaration): void {
  const valid = validateProps(ExternalEndpointSchema, declaration, `declareExternalEndpoint in '${scope.node.path}'`);
  const stack = TerraformStack.of(scope);
  // The key is derived from the name (stable, and dots would split the override path).
  const key = valid.name.replace(/[^A-Za-z0-9-]/g, '_');
  stack.addOverride(`//.${EXTERNAL_ENDPOINTS_KEY}.${key}`, {
    ...valid,
    declaredBy: `declareExternalEndpoint in ${scope.node.path}`,
  });
}
