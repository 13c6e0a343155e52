import { DEFAULT_POLICY_PACKS, POLICY_ENGINE_FINDINGS } from './packs';
import type { PolicyPack } from './types';

/**
 * lib/policy/RULES.md, rendered from the rule definitions (a test keeps the file in sync: run
 * `GI_WRITE_RULES_MD=1 npx jest test/policy/rules-md` after changing a rule).
 */
export function renderRulesMarkdown(packs: readonly PolicyPack[] = DEFAULT_POLICY_PACKS): string {
  const cell = (text: string) => text.replace(/\|/g, '\\|');
  const ids = (list: readonly string[] | undefined) =>
    list && list.length > 0 ? list.map((id) => `\`${id}\``).join(', ') : '—';
  const lines = [
    '# Policy rules',
    '',
    '<!-- Generated from lib/policy/rules/*.ts by renderRulesMarkdown(); test/policy/rules-md.test.ts keeps it ' +
      'in sync. -->',
    '',
    'Rules are small pure functions over one synthesized Terraform resource (with read-only lookups into its stack',
    'and the service intent), collected into packs. `PolicyAspect` applies them at synth time; `checkSynthOutput(dir)`',
    'applies them to a cdktf output directory. The checkov and cdk-nag columns name the closest existing check; the',
    'notes under each table say how a rule decides and where its scope differs.',
    '',
  ];
  for (const pack of packs) {
    lines.push(
      `## Pack \`${pack.name}\``,
      '',
      '| id | severity | rule | why | resources | checkov | cdk-nag |',
      '|---|---|---|---|---|---|---|',
    );
    for (const rule of pack.rules) {
      const needs = rule.needsContext ? ' (needs service intent)' : '';
      lines.push(
        `| ${rule.id} | ${rule.severity} | ${cell(rule.title)}${needs} | ${cell(rule.rationale)} | ` +
          `${rule.resourceTypes.map((t) => `\`${t}\``).join(', ')} | ${ids(rule.checkov)} | ${ids(rule.cdkNag)} |`,
      );
    }
    const notes = pack.rules.filter((r) => r.note);
    if (notes.length > 0) {
      lines.push('', 'Notes:', '');
      for (const rule of notes) lines.push(`- ${rule.id}: ${rule.note}`);
    }
    lines.push('');
  }
  lines.push('## Engine findings', '', '| id | what | why |', '|---|---|---|');
  for (const meta of Object.values(POLICY_ENGINE_FINDINGS))
    lines.push(`| ${meta.id} | ${cell(meta.title)} | ${cell(meta.rationale)} |`);
  lines.push(
    '',
    '## Suppressions',
    '',
    'A suppression names a rule and gives a reason; an empty reason is refused. Suppressed findings stay in every',
    'report with their reason and do not fail the check.',
    '',
    '```ts',
    '// On a resource, or on a construct: then on every resource under it that exists at the time of the call.',
    "PolicySuppressions.add(endpoint.primaryFleet.launchTemplate, 'GI-AWS-001', 'vendor AMI agent needs IMDSv1 " +
      "until 2027-01 (OPS-1234)');",
    '```',
    '',
    "writes into each resource's comment block, which Terraform ignores and `checkSynthOutput` reads (hand-written",
    'Terraform JSON can carry the same block):',
    '',
    '```json',
    '"//": { "gi_suppressions": [{ "id": "GI-AWS-001", "reason": "vendor AMI agent needs IMDSv1 until 2027-01 ' +
      '(OPS-1234)" }] }',
    '```',
    '',
    '## Service intent',
    '',
    'Rules marked "needs service intent" read the stack\'s top-level `"//": { "global_inference": { ... } }` block',
    '(`writeServiceIntent`, written by GlobalInferenceService): service, domain, regions with their jurisdiction,',
    'residency groups, Cloudflare plan, failover SLO. Without it they report one `info` finding per stack instead',
    "of guessing. Cloudflare pools are placed in regions by their origin addresses: a region's `hostname` in the",
    'intent, or `<region>.<domain>`.',
    '',
  );
  return lines.join('\n');
}
