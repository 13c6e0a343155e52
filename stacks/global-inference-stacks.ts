import { TerraformStack, type App } from 'cdktf';
import { addRoutingProofValidation, assertRoutingProofs } from '../lib/analysis/gate';
import { checkSynthOutput } from '../lib/policy/engine';
import { formatPolicyReport } from '../lib/policy/report';
import type { AnalysisOptions } from '../lib/analysis/analyze';
import { PolicyAspect, type PolicyAspectOptions } from '../lib/policy/aspect';
import { GlobalInferenceService } from '../lib/service/global-inference-service';
import { configureStateBackend, resolveStateBackend } from '../lib/service/state-backend';
import { parseSpec } from '../lib/spec/load';
import type { GlobalInferenceSpec, GlobalInferenceSpecInput } from '../lib/spec/schema';

/** The stacks of the reference deployment. */
export interface GlobalInferenceStacks {
  /** Every AWS resource (all regions, through aliased providers): checkable offline by `terraform validate`/`plan`. */
  readonly aws: TerraformStack;
  readonly service: GlobalInferenceService;
  /** Cloudflare resources only (front door), when the spec asks for Cloudflare; not checkable offline. */
  readonly cloudflare?: TerraformStack;
}

export interface GlobalInferenceStacksOptions {
  /** Environment for the `GI_STATE_*` backend overrides. @default process.env */
  readonly env?: NodeJS.ProcessEnv;
  /**
   * The policy pack (lib/policy/RULES.md) applied to every stack at synth: errors fail synth with each finding,
   * unless suppressed with a reason. `false` turns it off (the CLI does, to print the full report instead).
   * @default - every rule, failing on errors
   */
  readonly policy?: PolicyAspectOptions | false;
  /**
   * The routing proofs (residency, availability, failover-time budget, probe load) run on the synthesized stacks;
   * a violation fails synth naming the scenario and the resources. `false` turns them off.
   * @default - every proof
   */
  readonly proofs?: AnalysisOptions | false;
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
  const cloudflare = spec.frontDoor === 'route53' && !spec.edgeRouter ? undefined : new TerraformStack(app, `${spec.service.name}-cloudflare`);
  if (cloudflare) configureStateBackend(cloudflare, state);
  const service = new GlobalInferenceService(aws, 'Service', { spec, cloudflareStack: cloudflare });
  if (options.policy !== false) {
    // Per stack: cdktf 0.21 starts aspect traversal at each stack, so an App-level aspect would never run.
    for (const stack of [aws, cloudflare]) if (stack) PolicyAspect.applyTo(stack, options.policy ?? {});
  }
  if (options.proofs !== false) addRoutingProofValidation(app, proofOptionsFor(spec, options.proofs));
  return { aws, service, cloudflare };
}

/** The proofs a spec asks for: all of them, minus availability when the spec accepts a region failure as an outage. */
export function proofOptionsFor(spec: GlobalInferenceSpec, options: AnalysisOptions = {}): AnalysisOptions {
  const accepted = spec.slo.survivesRegionFailure ? undefined : (['residency', 'failover-time', 'probe-load'] as const);
  return { ...options, proofs: options.proofs ?? accepted };
}

/** The policy pack found errors in synthesized output. */
export class PolicyCheckError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PolicyCheckError';
  }
}

/**
 * The checks of a spec's deployment, run on synthesized output (a directory): the policy pack, then the routing
 * proofs the spec asks for. Throws {@link PolicyCheckError} or `RoutingProofError`. Entry points that stage synth
 * output (`synthAtomically`) use this instead of the in-synth aspect and validation: the same verdicts, one token
 * resolution instead of three.
 */
export function checkSynthesizedService(outdir: string, spec: GlobalInferenceSpec): void {
  const policy = checkSynthOutput(outdir);
  if (!policy.ok) throw new PolicyCheckError(formatPolicyReport(policy, { cwd: outdir }));
  assertRoutingProofs(outdir, proofOptionsFor(spec));
}
