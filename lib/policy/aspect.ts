import { Annotations, DefaultTokenResolver, StringConcat, TerraformResource, TerraformStack, Tokenization, type IAspect } from 'cdktf';
import type { IConstruct } from 'constructs';
import type { TerraformJson } from '../util/synth-output';
import { readPolicyContext, type ContextReading, type PolicyContext } from './context';
import { evaluateResource, formatFinding, sortFindings, stackFindings, summarize } from './engine';
import { DEFAULT_POLICY_PACKS, rulesOf } from './packs';
import { isRecord, resourceView, StackView } from './stack-view';
import type { Finding, PolicyOptions, PolicyReport, PolicyRule, StackPolicyReport } from './types';

export interface PolicyAspectOptions extends PolicyOptions {
  /**
   * Annotate unsuppressed `error` findings as errors, which makes `app.synth()` (and `cdktf synth`) fail with
   * the list of findings. With false they are annotated as warnings and only the report carries them.
   * @default true
   */
  readonly failOnError?: boolean;
}

interface StackState {
  readonly view: StackView;
  readonly reading: ContextReading;
  readonly context?: PolicyContext;
  readonly findings: Finding[];
  resourcesChecked: number;
}

const RESOLVER = new DefaultTokenResolver(new StringConcat());

/**
 * Applies policy packs at synth time: `Aspects.of(stack).add(new PolicyAspect())`. Each Terraform resource is
 * checked on its synthesized configuration (tokens resolved to `${type.name.attr}` references, escape-hatch
 * overrides applied), with the rest of its stack available for cross-resource rules. Errors fail synth, listing
 * every finding with its rule id, resource path, what is wrong and how to fix it; warnings and suppressed
 * findings are annotated. `report()` returns everything found, for tools.
 *
 * Add it after any aspect that changes resources: aspects run in the order they were added.
 */
export class PolicyAspect implements IAspect {
  private readonly rules: readonly PolicyRule[];
  private readonly states = new Map<TerraformStack, StackState>();

  constructor(private readonly options: PolicyAspectOptions = {}) {
    this.rules = rulesOf(options.packs ?? DEFAULT_POLICY_PACKS);
  }

  visit(node: IConstruct): void {
    if (!TerraformResource.isTerraformResource(node)) return;
    const resource = node as TerraformResource;
    const stack = TerraformStack.of(resource);
    const state = this.stateOf(stack);
    const body = synthesizedBody(stack, resource);
    if (!body) return;
    const view = resourceView(resource.terraformResourceType, resource.friendlyUniqueId, body);
    const findings = evaluateResource(view, state.view, state.context, this.rules, this.options);
    state.resourcesChecked++;
    state.findings.push(...findings);
    for (const finding of findings) this.annotate(resource, finding);
  }

  /** Everything found so far; complete once the app has been synthesized. */
  report(): PolicyReport {
    const stacks: StackPolicyReport[] = [...this.states.entries()].map(([stack, state]) => ({
      stack: stack.node.id,
      context: this.options.context ? 'given' : state.reading.status,
      resourcesChecked: state.resourcesChecked,
      findings: sortFindings(state.findings),
    }));
    return summarize(stacks, this.rules);
  }

  private stateOf(stack: TerraformStack): StackState {
    let state = this.states.get(stack);
    if (!state) {
      // The whole stack once, for lookups across resources and for its //.global_inference block.
      const json = stack.toTerraform() as TerraformJson;
      const view = StackView.fromJson(stack.node.id, json);
      const reading: ContextReading = this.options.context ? { status: 'present', context: this.options.context } : readPolicyContext(json);
      state = { view, reading, context: reading.status === 'present' ? reading.context : undefined, findings: [], resourcesChecked: 0 };
      this.states.set(stack, state);
      const stackLevel = stackFindings(view, reading, this.rules, this.options);
      state.findings.push(...stackLevel);
      for (const finding of stackLevel) this.annotate(stack, finding);
    }
    return state;
  }

  private annotate(node: IConstruct, finding: Finding): void {
    const message = formatFinding(finding);
    const annotations = Annotations.of(node);
    if (finding.suppressed || finding.severity === 'info') annotations.addInfo(message);
    else if (finding.severity === 'warning' || this.options.failOnError === false) annotations.addWarning(message);
    else annotations.addError(message);
  }
}

/** A resource's body as it will be written to cdk.tf.json (overrides applied, tokens resolved). */
function synthesizedBody(stack: TerraformStack, resource: TerraformResource): Record<string, unknown> | undefined {
  const tf = Tokenization.resolve(resource.toTerraform(), { scope: stack, preparing: false, resolver: RESOLVER }) as { resource?: Record<string, Record<string, unknown>> };
  const body = tf.resource?.[resource.terraformResourceType]?.[resource.friendlyUniqueId];
  return isRecord(body) ? body : undefined;
}
