import { TerraformResource } from 'cdktf';
import type { IConstruct } from 'constructs';
import { SUPPRESSIONS_KEY } from './stack-view';
import type { PolicySuppression } from './types';

const registry = new WeakMap<TerraformResource, PolicySuppression[]>();

/**
 * Suppressions of policy rules, with a reason, in the cdk-nag style. They are written into each resource's
 * `"//"` comment block (`"//": { "gi_suppressions": [{ "id", "reason" }] }`), which Terraform ignores, so the
 * PolicyAspect at synth time and `checkSynthOutput` on cdktf.out both see them, and so does a reviewer of the
 * synthesized JSON. Suppressed findings stay in every report, with their reason.
 */
export class PolicySuppressions {
  /**
   * Suppresses `ruleId` on `scope` when it is a Terraform resource, or on every Terraform resource under it
   * that exists now (a construct such as a GpuInferenceEndpoint, or a whole stack). Adding the same rule again
   * replaces the reason.
   *
   * @param reason why the rule does not apply here, or why the risk is accepted; required.
   */
  static add(scope: IConstruct, ruleId: string, reason: string): void {
    const where = `PolicySuppressions.add('${scope.node.path}', '${ruleId}')`;
    if (typeof ruleId !== 'string' || !/^[A-Z][A-Z0-9]*(?:-[A-Z0-9]+)+$/.test(ruleId.trim())) {
      throw new Error(`${where}: the rule id must look like GI-AWS-007 (see lib/policy/RULES.md), got: ${JSON.stringify(ruleId)}`);
    }
    if (typeof reason !== 'string' || reason.trim() === '') {
      throw new Error(`${where}: a suppression needs a reason (why the rule does not apply here, or why the risk is accepted); got an empty one`);
    }
    const targets = TerraformResource.isTerraformResource(scope)
      ? [scope as TerraformResource]
      : scope.node.findAll().filter((c): c is TerraformResource => TerraformResource.isTerraformResource(c));
    if (targets.length === 0) {
      throw new Error(`${where}: there is no Terraform resource under this construct yet; add the suppression after creating the resources it is about`);
    }
    const entry: PolicySuppression = { id: ruleId.trim(), reason: reason.trim() };
    for (const resource of targets) {
      const list = (registry.get(resource) ?? []).filter((s) => s.id !== entry.id);
      list.push(entry);
      registry.set(resource, list);
      resource.addOverride(`//.${SUPPRESSIONS_KEY}`, list.map((s) => ({ ...s })));
    }
  }

  /** The suppressions added to a resource through {@link PolicySuppressions.add}. */
  static of(resource: TerraformResource): readonly PolicySuppression[] {
    return registry.get(resource) ?? [];
  }

  private constructor() {}
}
