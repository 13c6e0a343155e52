/**
 * Every rule against hand-written Terraform JSON: compliant fixtures produce no finding of the rule (beyond
 * `info`), non-compliant ones flag the named resource with a message that says what is wrong.
 */
import { DEFAULT_POLICY_PACKS, rulesOf } from '../../lib/policy/packs';
import { ServiceIntentSchema } from '../../lib/intent/service-intent';
import { findingsOf } from './support/fixtures';
import { RULE_CASES } from './support/cases';

const rules = rulesOf(DEFAULT_POLICY_PACKS);

test('every rule has at least one compliant and one non-compliant case', () => {
  const missing = rules
    .filter(
      (r) => !RULE_CASES[r.id] || RULE_CASES[r.id].compliant.length === 0 || RULE_CASES[r.id].nonCompliant.length === 0,
    )
    .map((r) => r.id);
  expect(missing).toEqual([]);
  expect(Object.keys(RULE_CASES).sort()).toEqual(rules.map((r) => r.id).sort());
});

for (const rule of rules) {
  const cases = RULE_CASES[rule.id];
  if (!cases) continue;
  describe(`${rule.id} ${rule.title}`, () => {
    for (const c of cases.compliant) {
      test(`passes: ${c.name}`, () => {
        const context = c.context ? ServiceIntentSchema.parse(c.context) : undefined;
        const findings = findingsOf(c.json, rule.id, { context }).filter((f) => f.severity !== 'info');
        expect(findings.map((f) => `${f.resource?.address}: ${f.message}`)).toEqual([]);
      });
    }
    for (const c of cases.nonCompliant) {
      test(`fails when ${c.name}`, () => {
        const context = c.context ? ServiceIntentSchema.parse(c.context) : undefined;
        const findings = findingsOf(c.json, rule.id, { context }).filter((f) => f.severity !== 'info');
        const onResource = findings.filter((f) => f.resource?.address === c.flagged);
        expect(onResource.map((f) => f.message)).toEqual(
          expect.arrayContaining([expect.stringContaining(c.includes ?? '')]),
        );
        const matching = onResource.find((f) => f.message.includes(c.includes ?? ''))!;
        expect(matching.severity).toBe(c.severity ?? 'error');
        // Every finding says how to fix it.
        expect(matching.fix.length).toBeGreaterThan(20);
      });
    }
  });
}
