import { TerraformStack, type App } from 'cdktf';
import { GlobalInferenceService } from '../lib/service/global-inference-service';
import { configureStateBackend, resolveStateBackend } from '../lib/service/state-backend';
import { parseSpec } from '../lib/spec/load';
import type { GlobalInferenceSpec, GlobalInferenceSpecInput } from '../lib/spec/schema';

/** The stacks of the reference deployment. */
export interface GlobalInferenceStacks {
  /** Every AWS resource (all regions, through aliased providers): checkable offline by `terraform validate`/`plan`. */
  readonly aws: TerraformStack;
  readonly service: GlobalInferenceService;
}

export interface GlobalInferenceStacksOptions {
  /** Environment for the `GI_STATE_*` backend overrides. @default process.env */
  readonly env?: NodeJS.ProcessEnv;
}

/**
 * The reference deployment of a spec: one AWS stack named `<service>-aws` holding every region. One stack (rather
 * than one per region) means no cross-stack remote-state data sources, so the stack plans offline and a region
 * can be added or removed in a single reviewed plan.
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
  const service = new GlobalInferenceService(aws, 'Service', { spec });
  return { aws, service };
}
