import { TerraformStack, type App } from '../lib/util/cdktf';
import { assertRoutingProofs, proofOptionsFor, type PolicyCheckOptions } from '../lib/analysis/gate';
import { checkSynthOutput } from '../lib/policy/engine';
import { formatPolicyReport } from '../lib/policy/report';
import type { AnalysisOptions } from '../lib/analysis/analyze';
import { GlobalInferenceService } from '../lib/service/global-inference-service';
import { configureStateBackend, resolveStateBackend } from '../lib/service/state-backend';
import { parseSpec } from '../lib/spec/load';
import type { GlobalInferenceSpec, GlobalInferenceSpecInput } from '../lib/spec/schema';
import { Refusal } from '../lib/util/refusal';

export { proofOptionsFor } from '../lib/analysis/gate';

/** The stacks of the reference deployment. */
export interface GlobalInferenceStacks {
  /** Every AWS resource (all regions, through aliased providers): checkable offline by `terraform validate`/`plan`. */
  readonly aws: TerraformStack;
  readonly service: GlobalInferenceService;
  /** Cloudflare resources only (front door), when the spec asks for Cloudflare; not checkable offline. */
  readonly cloudflare?: TerraformStack;
}

/**
 * Options of {@link addGlobalInferenceStacks}: where the state backend overrides are read from, and the checks
 * `app.synth()` runs before it writes the stacks.
 */
export interface GlobalInferenceStacksOptions {
  /** Environment for the `GI_STATE_*` backend overrides. @default process.env */
  readonly env?: NodeJS.ProcessEnv;
  /**
   * The policy pack (lib/policy/RULES.md) that `app.synth()` runs on both stacks before it writes them: errors refuse
   * synth with each finding, unless suppressed with a reason. `false` turns it off.
   * @default - every rule, refusing on errors
   */
  readonly policy?: PolicyCheckOptions | false;
  /**
   * The routing proofs (residency, availability, failover-time budget, probe load) that `app.synth()` runs on the
   * synthesized stacks before it writes them; a violation refuses synth naming the scenario and the resources.
   * `false` turns them off.
   * @default - the proofs the spec asks for
   */
  readonly proofs?: AnalysisOptions | false;
  /**
   * `false`: no gate at all — `app.synth()` is plain cdktf (no checks, written in place, not atomically); for
   * callers that synthesize into a scratch directory and analyse it themselves (`global-inference validate`).
   * @default true
   */
  readonly gate?: boolean;
}

/**
 * The reference deployment of a spec: one AWS stack named `<service>-aws` holding every region, and, when the spec
 * asks for Cloudflare, a `<service>-cloudflare` stack with only Cloudflare resources. One AWS stack (rather than one
 * per region) means no cross-stack remote-state data sources, so it plans offline and a region can be added or
 * removed in a single reviewed plan. Deploy the AWS stack first: the Cloudflare stack reads its name servers.
 */
export function addGlobalInferenceStacks(
  app: App,
  specInput: GlobalInferenceSpecInput | GlobalInferenceSpec,
  options: GlobalInferenceStacksOptions = {},
): GlobalInferenceStacks {
  const spec = parseSpec(specInput);
  const state = resolveStateBackend(spec.state, options.env ?? process.env);
  const aws = new TerraformStack(app, `${spec.service.name}-aws`);
  configureStateBackend(aws, state);
  const cloudflare =
    spec.frontDoor === 'route53' && !spec.edgeRouter
      ? undefined
      : new TerraformStack(app, `${spec.service.name}-cloudflare`);
  if (cloudflare) configureStateBackend(cloudflare, state);
  // The service gates app.synth(): staged output, policy pack and proofs on the written JSON, then one rename.
  const synthChecks = options.gate === false ? false : { policy: options.policy, proofs: options.proofs };
  const service = new GlobalInferenceService(aws, 'Service', { spec, cloudflareStack: cloudflare, synthChecks });
  return { aws, service, cloudflare };
}

/** The policy pack found errors in synthesized output. */
export class PolicyCheckError extends Refusal {}

/**
 * The checks of a spec's deployment, run on synthesized output (a directory): the policy pack, then the routing
 * proofs the spec asks for. Throws {@link PolicyCheckError} or `RoutingProofError`. For output synthesized
 * elsewhere; `app.synth()` of an app with a GlobalInferenceService runs the same checks by itself.
 */
export function checkSynthesizedService(outdir: string, spec: GlobalInferenceSpec): void {
  const policy = checkSynthOutput(outdir);
  if (!policy.ok) throw new PolicyCheckError(formatPolicyReport(policy, { cwd: outdir }));
  assertRoutingProofs(outdir, proofOptionsFor(spec));
}
