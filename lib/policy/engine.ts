import { readSynthOutput, type TerraformJson } from '../util/synth-output';
import { readServiceIntent, type IntentReading, type ServiceIntentDocument } from '../intent/service-intent';
import { DEFAULT_POLICY_PACKS, POLICY_ENGINE_FINDINGS, rulesOf } from './packs';
import { StackView, type ResourceView } from './stack-view';
import { closestRuleId, RULES_DOC } from './suppressions';
import type { Finding, PolicyOptions, PolicyReport, PolicyRule, Severity, StackPolicyReport } from './types';
import { plural } from '../util/strings';

/**
 * Runs the rules that apply to one resource. Pure: the findings depend only on the resource, the rest of its
 * stack and the intent. Rules that need the intent are skipped without it (the stack-level findings say so).
 */
export function evaluateResource(
  resource: ResourceView,
  stack: StackView,
  context: ServiceIntentDocument | undefined,
  rules: readonly PolicyRule[],
  options: Pick<PolicyOptions, 'severityOverrides'> = {},
): Finding[] {
  const findings: Finding[] = [];
  const where = { address: resource.address, type: resource.type, path: resource.path };
  for (const rule of rules) {
    if (!rule.resourceTypes.includes(resource.type)) continue;
    const override = options.severityOverrides?.[rule.id];
    if (override === 'off') continue;
    if (rule.needsContext && !context) continue;
    let violations: ReturnType<typeof rule.check>;
    try {
      violations = rule.check(resource, stack, context);
    } catch (error) {
      // A crashing rule must not pass silently, nor hide the other rules' findings.
      violations = [
        {
          message: `the rule failed on this resource: ${(error as Error).message}`,
          fix: 'report this as a bug of the policy pack',
          severity: 'error' as Severity,
        },
      ];
    }
    const suppression = resource.suppressions.find((s) => s.id === rule.id);
    for (const v of violations) {
      const severity: Severity = v.severity === 'info' ? 'info' : (override ?? v.severity ?? rule.severity);
      findings.push({
        ruleId: rule.id,
        severity,
        stack: stack.name,
        resource: where,
        message: v.message,
        fix: v.fix,
        rationale: rule.rationale,
        ...(suppression ? { suppressed: { reason: suppression.reason } } : {}),
      });
    }
  }
  findings.push(...suppressionFindings(resource, stack.name));
  return findings;
}

/** Findings about a resource's malformed suppressions (unknown rule ids are reported once per stack: stackFindings). */
function suppressionFindings(resource: ResourceView, stack: string): Finding[] {
  const meta = POLICY_ENGINE_FINDINGS.suppression;
  const where = { address: resource.address, type: resource.type, path: resource.path };
  const base = { ruleId: meta.id, stack, resource: where, rationale: meta.rationale };
  const out: Finding[] = resource.suppressionProblems.map((problem) => ({
    ...base,
    severity: 'error' as Severity,
    message: `${problem}; it is ignored`,
    fix:
      "give every suppression a rule id and a reason: PolicySuppressions.add(construct, 'GI-AWS-007', 'why this " +
      "does not apply')",
  }));
  return out;
}

/**
 * Suppressions naming no rule in use, one finding per suppression (rule id and reason) in the stack, however many
 * resources carry it: `PolicySuppressions.add` on a construct writes it into every resource under it.
 */
function unknownSuppressionFindings(stack: StackView, rules: readonly PolicyRule[]): Finding[] {
  const known = [...new Set([...rulesOf(DEFAULT_POLICY_PACKS), ...rules].map((r) => r.id))];
  const unknown = new Map<string, { id: string; resources: ResourceView[] }>();
  for (const resource of stack.resources) {
    for (const s of resource.suppressions) {
      if (known.includes(s.id)) continue;
      const key = JSON.stringify([s.id, s.reason]);
      const entry = unknown.get(key) ?? { id: s.id, resources: [] };
      entry.resources.push(resource);
      unknown.set(key, entry);
    }
  }
  const meta = POLICY_ENGINE_FINDINGS.suppression;
  return [...unknown.values()].map(({ id, resources }) => {
    const close = closestRuleId(id, known);
    const on =
      resources.length === 1
        ? ''
        : ` on ${resources.length} resources (${resources
            .slice(0, 3)
            .map((r) => r.address)
            .join(', ')}${resources.length > 3 ? `, and ${resources.length - 3} more` : ''})`;
    const only = resources.length === 1 ? resources[0] : undefined;
    return {
      ruleId: meta.id,
      severity: 'warning' as Severity,
      stack: stack.name,
      ...(only ? { resource: { address: only.address, type: only.type, path: only.path } } : {}),
      message: `suppresses ${id}${on}, which is not a known rule id (a typo?${close ? ` did you mean ${close}?` : ''})`,
      fix: `use one of the rule ids ${known.join(', ')} (${RULES_DOC}), or remove the suppression`,
      rationale: meta.rationale,
    };
  });
}

/** Findings about a stack as a whole: its intent block, and rules that cannot run without it. */
export function stackFindings(
  stack: StackView,
  reading: IntentReading,
  rules: readonly PolicyRule[],
  options: Pick<PolicyOptions, 'severityOverrides'> = {},
): Finding[] {
  const out: Finding[] = unknownSuppressionFindings(stack, rules);
  if (reading.status === 'invalid') {
    const meta = POLICY_ENGINE_FINDINGS.context;
    out.push({
      ruleId: meta.id,
      // An error, not a warning: the rules it disables are the residency and plan rules (fail closed).
      severity: 'error',
      stack: stack.name,
      message:
        `the //.global_inference block is malformed (${reading.problems.join('; ')}), so rules that need the ` +
        'service intent were not evaluated',
      fix: 'write it with writeServiceIntent(stack, intent) (GlobalInferenceService does)',
      rationale: meta.rationale,
    });
  }
  const context = reading.status === 'present' ? reading.intent : undefined;
  if (!context) {
    for (const rule of rules) {
      if (!rule.needsContext || options.severityOverrides?.[rule.id] === 'off') continue;
      const count = stack.ofType(...rule.resourceTypes).length;
      if (count === 0) continue;
      out.push({
        ruleId: rule.id,
        severity: 'info',
        stack: stack.name,
        message:
          `not evaluated on ${plural(count, `${rule.resourceTypes.join('/')} resource`)}: the ` +
          'stack carries no service intent (//.global_inference)',
        fix:
          'build the stack with GlobalInferenceService, or call writeServiceIntent(stack, intent), or pass ' +
          '`context` to the check',
        rationale: rule.rationale,
      });
    }
  }
  return out;
}

/** What the runner needs to know about one stack. */
export interface PolicyStackInput {
  readonly name: string;
  readonly json: TerraformJson;
  /** Path of its cdk.tf.json, for the report. */
  readonly file?: string;
}

/** Checks one synthesized stack. */
export function checkStack(input: PolicyStackInput, options: PolicyOptions = {}): StackPolicyReport {
  const rules = rulesOf(options.packs ?? DEFAULT_POLICY_PACKS);
  const view = StackView.fromJson(input.name, input.json);
  const reading: IntentReading = options.context
    ? { status: 'present', intent: options.context }
    : readServiceIntent(input.json);
  const context = reading.status === 'present' ? reading.intent : undefined;
  const findings = [...stackFindings(view, reading, rules, options)];
  for (const resource of view.resources) findings.push(...evaluateResource(resource, view, context, rules, options));
  return {
    stack: input.name,
    file: input.file,
    context: options.context ? 'given' : reading.status,
    resourcesChecked: view.resources.length,
    findings: sortFindings(findings),
  };
}

/** Checks a stack's Terraform JSON (e.g. `cdk.tf.json` parsed, or `stack.toTerraform()`). */
export function checkStackJson(
  json: TerraformJson,
  options: PolicyOptions & { readonly stackName?: string } = {},
): PolicyReport {
  const { stackName, ...rest } = options;
  return summarize(
    [checkStack({ name: stackName ?? stackNameOf(json), json }, rest)],
    rulesOf(rest.packs ?? DEFAULT_POLICY_PACKS),
  );
}

/**
 * Checks every stack of a cdktf output directory (what `cdktf synth` wrote), so the findings cover what will be
 * deployed, escape hatches and hand edits included. The CLI `validate` command calls this.
 */
export function checkSynthOutput(outdir: string, options: PolicyOptions = {}): PolicyReport {
  const stacks = readSynthOutput(outdir).map((s) => checkStack({ name: s.name, json: s.json, file: s.file }, options));
  return summarize(stacks, rulesOf(options.packs ?? DEFAULT_POLICY_PACKS));
}

/** Totals over stack reports. */
export function summarize(stacks: readonly StackPolicyReport[], rules: readonly PolicyRule[]): PolicyReport {
  const all = stacks.flatMap((s) => s.findings);
  const live = all.filter((f) => !f.suppressed);
  const count = (severity: Severity) => live.filter((f) => f.severity === severity).length;
  return {
    stacks,
    rules: rules.map((r) => r.id),
    errors: count('error'),
    warnings: count('warning'),
    infos: count('info'),
    suppressed: all.length - live.length,
    ok: count('error') === 0,
  };
}

const SEVERITY_ORDER: Record<Severity, number> = { error: 0, warning: 1, info: 2 };

/** Unsuppressed first, then by severity, rule id and resource. */
export function sortFindings(findings: readonly Finding[]): Finding[] {
  return [...findings].sort(
    (a, b) =>
      Number(Boolean(a.suppressed)) - Number(Boolean(b.suppressed)) ||
      SEVERITY_ORDER[a.severity] - SEVERITY_ORDER[b.severity] ||
      a.ruleId.localeCompare(b.ruleId) ||
      (a.resource?.address ?? '').localeCompare(b.resource?.address ?? ''),
  );
}

/** One line per finding, as annotations and synth errors show it. */
export function formatFinding(finding: Finding): string {
  const resource = finding.resource ? `${finding.resource.address}: ` : '';
  const head = `${finding.ruleId} ${resource}${finding.message}.`;
  if (finding.suppressed) return `${head} Suppressed: ${finding.suppressed.reason}`;
  const how =
    finding.resource && finding.severity !== 'info'
      ? ' If this is intended, suppress it with a reason: PolicySuppressions.add(<construct>, ' +
        `'${finding.ruleId}', '<why>').`
      : '';
  return `${head} Fix: ${finding.fix}.${how}`;
}

function stackNameOf(json: TerraformJson): string {
  const comment = (json as Record<string, unknown>)['//'] as { metadata?: { stackName?: unknown } } | undefined;
  return typeof comment?.metadata?.stackName === 'string' ? comment.metadata.stackName : 'stack';
}
