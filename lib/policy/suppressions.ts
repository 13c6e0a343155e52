import { TerraformResource } from '../util/cdktf';
import type { IConstruct } from 'constructs';
import { Refusal } from '../util/refusal';
import { closestMatch } from '../util/strings';
import { DEFAULT_POLICY_PACKS, rulesOf } from './packs';
import { SUPPRESSIONS_KEY } from './stack-view';
import type { PolicySuppression } from './types';

/** Where the rule table is in an installed package (shipped through package.json `files`). */
export const RULES_DOC = 'node_modules/cdktf-global-inference/lib/policy/RULES.md';

/** A suppression that cannot be added: a malformed rule id, no reason, nothing under the scope to suppress on. */
export class SuppressionRefusedError extends Refusal {}

/** The rule ids of the default packs, for messages: `GI-AWS-001, ..., GI-CF-002`. */
export function knownRuleIds(extra: readonly string[] = []): string[] {
  return [...new Set([...rulesOf(DEFAULT_POLICY_PACKS).map((r) => r.id), ...extra])];
}

/**
 * The known rule id a mistyped one most likely means: the same id in capitals with its number written in three
 * digits (`gi-aws-7` is GI-AWS-007), else the closest by edit distance, if close enough.
 */
export function closestRuleId(id: string, known: readonly string[] = knownRuleIds()): string | undefined {
  const normalized = id
    .trim()
    .toUpperCase()
    .replace(/[\s_.]+/g, '-')
    .replace(/-(\d{1,2})$/, (_, n: string) => `-${n.padStart(3, '0')}`);
  if (known.includes(normalized)) return normalized;
  return closestMatch(normalized, known);
}

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
      const close = typeof ruleId === 'string' ? closestRuleId(ruleId) : undefined;
      throw new SuppressionRefusedError(
        `${where}: the rule id must look like GI-AWS-007 (capital letters and digits in parts joined by '-'), ` +
          `got: ${JSON.stringify(ruleId)}` +
          `${close ? `; did you mean '${close}'?` : ''} The policy pack's rule ids are ` +
          `${knownRuleIds().join(', ')} (${RULES_DOC}); a pack of your own may add others.`,
      );
    }
    if (typeof reason !== 'string' || reason.trim() === '') {
      throw new SuppressionRefusedError(
        `${where}: a suppression needs a reason (why the rule does not apply here, or why the risk is ` +
          'accepted); got an empty one',
      );
    }
    const targets = TerraformResource.isTerraformResource(scope)
      ? [scope as TerraformResource]
      : scope.node.findAll().filter((c): c is TerraformResource => TerraformResource.isTerraformResource(c));
    if (targets.length === 0) {
      throw new SuppressionRefusedError(
        `${where}: there is no Terraform resource under this construct yet; add the suppression after creating ` +
          'the resources it is about',
      );
    }
    const entry: PolicySuppression = { id: ruleId.trim(), reason: reason.trim() };
    for (const resource of targets) {
      const list = (registry.get(resource) ?? []).filter((s) => s.id !== entry.id);
      list.push(entry);
      registry.set(resource, list);
      resource.addOverride(
        `//.${SUPPRESSIONS_KEY}`,
        list.map((s) => ({ ...s })),
      );
    }
  }

  /** The suppressions added to a resource through {@link PolicySuppressions.add}. */
  static of(resource: TerraformResource): readonly PolicySuppression[] {
    return registry.get(resource) ?? [];
  }

  private constructor() {}
}
