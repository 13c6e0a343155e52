import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { renderRulesMarkdown } from '../../lib/policy/rules-table';
import { DEFAULT_POLICY_PACKS, rulesOf } from '../../lib/policy/packs';

const FILE = join(__dirname, '..', '..', 'lib', 'policy', 'RULES.md');

test('lib/policy/RULES.md is the rendered rule table (GI_WRITE_RULES_MD=1 rewrites it)', () => {
  const rendered = renderRulesMarkdown();
  if (process.env.GI_WRITE_RULES_MD === '1') writeFileSync(FILE, rendered);
  const onDisk = readFileSync(FILE, 'utf8');
  if (onDisk !== rendered)
    throw new Error(
      'lib/policy/RULES.md is out of date: run GI_WRITE_RULES_MD=1 npx jest test/policy/rules-md and commit it',
    );
});

test('the table lists every rule with its rationale and mappings', () => {
  const md = renderRulesMarkdown();
  for (const rule of rulesOf(DEFAULT_POLICY_PACKS)) {
    const row = md.split('\n').find((line) => line.startsWith(`| ${rule.id} |`));
    expect(row).toBeDefined();
    expect(row).toContain(rule.rationale.replace(/\|/g, '\\|'));
    for (const id of [...(rule.checkov ?? []), ...(rule.cdkNag ?? [])]) expect(row).toContain(`\`${id}\``);
  }
});

test('rule ids are unique, well-formed, and every rule states why it exists', () => {
  const rules = rulesOf(DEFAULT_POLICY_PACKS);
  expect(new Set(rules.map((r) => r.id)).size).toBe(rules.length);
  for (const rule of rules) {
    expect(rule.id).toMatch(/^GI-(AWS|CF)-\d{3}$/);
    expect(rule.rationale.length).toBeGreaterThan(40);
    expect(rule.resourceTypes.length).toBeGreaterThan(0);
  }
});
