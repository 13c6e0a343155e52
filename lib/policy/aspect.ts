import { Refusal } from '../util/refusal';
import {
  Annotations,
  Aspects,
  DefaultTokenResolver,
  StringConcat,
  TerraformResource,
  TerraformStack,
  Tokenization,
  type IAspect,
} from '../util/cdktf';
import type { IConstruct } from 'constructs';
import {
  SERVICE_INTENT_KEY,
  readServiceIntent,
  type IntentReading,
  type ServiceIntentDocument,
} from '../intent/service-intent';
import { evaluateResource, formatFinding, sortFindings, stackFindings, summarize } from './engine';
import { DEFAULT_POLICY_PACKS, rulesOf } from './packs';
import { isRecord, resourceView, StackView } from './stack-view';
import type { Finding, PolicyOptions, PolicyReport, PolicyRule, StackPolicyReport } from './types';

/** Options of {@link PolicyAspect}: the shared policy options, and whether error findings fail synth. */
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
  readonly reading: IntentReading;
  readonly context?: ServiceIntentDocument;
  readonly findings: Finding[];
  resourcesChecked: number;
}

const RESOLVER = new DefaultTokenResolver(new StringConcat());

/**
 * Applies policy packs at synth time: `Aspects.of(stack).add(new PolicyAspect())`. Each Terraform resource is
 * checked on its synthesized configuration (tokens resolved to `${type.name.attr}` references, escape-hatch
 * overrides applied), with the rest of its stack (resolved once, when its first resource is visited) available
 * for cross-resource rules. Errors fail synth, listing every finding with its rule id, resource path, what is
 * wrong and how to fix it; warnings and suppressed findings are annotated. `report()` returns everything found.
 *
 * Add it to each stack (or use {@link PolicyAspect.applyTo}): cdktf 0.21 starts aspect traversal at every stack,
 * so an aspect added to the App is silently never run. Add it after any aspect that changes resources: aspects run
 * in the order they were added. A resource another aspect applies to is resolved again when visited;
 * cross-resource lookups still see the stack as it was when its first resource was visited.
 */
export class PolicyAspect implements IAspect {
  /**
   * Adds one PolicyAspect to `scope` if it is in a stack, or to every stack under it (an App): the one place to
   * apply the policy. Stacks created afterwards are not covered. Returns the aspect, whose `report()` is complete
   * after synth.
   */
  static applyTo(scope: IConstruct, options: PolicyAspectOptions = {}): PolicyAspect {
    const aspect = new PolicyAspect(options);
    const inStack = scope.node.scopes.some((s) => TerraformStack.isStack(s));
    const targets = inStack ? [scope] : scope.node.findAll().filter((c) => TerraformStack.isStack(c));
    if (targets.length === 0)
      throw new PolicyUsageError(
        `PolicyAspect.applyTo('${scope.node.path || '(app)'}'): there is no stack under it yet; create the ` +
          'stacks first',
      );
    for (const target of targets) Aspects.of(target).add(aspect);
    return aspect;
  }

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
    // The stack view was resolved when the first resource was visited. Another aspect on this resource's scopes may
    // have changed it since, so then it is resolved again as it is now.
    const address = `${resource.terraformResourceType}.${resource.friendlyUniqueId}`;
    let view = state.view.get(address);
    if (!view || hasForeignAspects(resource)) {
      const body = synthesizedBody(stack, resource);
      if (!body) return;
      view = resourceView(resource.terraformResourceType, resource.friendlyUniqueId, body);
    }
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
      // Every resource of the stack once, as it will be synthesized, for lookups across resources.
      const resources = stack.node
        .findAll()
        .filter(
          (c): c is TerraformResource => TerraformResource.isTerraformResource(c) && TerraformStack.of(c) === stack,
        )
        .flatMap((r) => {
          const body = synthesizedBody(stack, r);
          return body ? [resourceView(r.terraformResourceType, r.friendlyUniqueId, body)] : [];
        });
      const view = new StackView(stack.node.id, resources);
      const reading: IntentReading = this.options.context
        ? { status: 'present', intent: this.options.context }
        : readServiceIntent({ '//': stackComment(stack) });
      state = {
        view,
        reading,
        context: reading.status === 'present' ? reading.intent : undefined,
        findings: [],
        resourcesChecked: 0,
      };
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

/** True when an aspect other than a PolicyAspect applies to the resource (it may have changed it). */
function hasForeignAspects(resource: IConstruct): boolean {
  return resource.node.scopes.some((scope) =>
    Aspects.of(scope).all.some((aspect) => !(aspect instanceof PolicyAspect)),
  );
}

/**
 * The stack's top-level `//` block. `writeServiceIntent` puts the intent there through a stack override, which is
 * read directly; anything else takes the whole stack's synthesized JSON (slower, but complete).
 */
function stackComment(stack: TerraformStack): unknown {
  const overrides = (stack as unknown as { rawOverrides?: Record<string, unknown> }).rawOverrides;
  const comment = overrides?.['//'];
  if (isRecord(comment) && comment[SERVICE_INTENT_KEY] !== undefined)
    return Tokenization.resolve(comment, { scope: stack, preparing: false, resolver: RESOLVER });
  return (stack.toTerraform() as Record<string, unknown>)['//'];
}

/** A resource's body as it will be written to cdk.tf.json (overrides applied, tokens resolved). */
function synthesizedBody(stack: TerraformStack, resource: TerraformResource): Record<string, unknown> | undefined {
  const tf = Tokenization.resolve(resource.toTerraform(), { scope: stack, preparing: false, resolver: RESOLVER }) as {
    resource?: Record<string, Record<string, unknown>>;
  };
  const body = tf.resource?.[resource.terraformResourceType]?.[resource.friendlyUniqueId];
  return isRecord(body) ? body : undefined;
}

/**
 * A policy pack used in a way that cannot work (applied before any stack exists): a refusal, printed without a trace.
 */
export class PolicyUsageError extends Refusal {}
