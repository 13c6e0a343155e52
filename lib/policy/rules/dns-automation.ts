import type { PolicyRule, RuleViolation } from '../types';
import { blocks, isExpression, str, type ResourceView } from '../stack-view';
/*
 * DNS automation gets only the permissions it needs (the motivating DNS guide): a principal that may change records
 * may change only the service's own names, by Route53's condition keys, in named zones.
 */

/** The IAM policy documents a resource carries: its `policy`, or each inline policy of a role. */
function policyDocuments(resource: ResourceView): unknown[] {
  if (resource.type === 'aws_iam_role') return blocks(resource.config.inline_policy).map((p) => p.policy);
  return [resource.config.policy];
}

interface Statement {
  readonly Effect?: string;
  readonly Action?: string | string[];
  readonly NotAction?: string | string[];
  readonly Resource?: string | string[];
  readonly Condition?: Record<string, Record<string, unknown>>;
}

const asList = (v: string | string[] | undefined): string[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);

/** Whether an action pattern (`route53:*`, `*`, `route53:Change*`) covers route53:ChangeResourceRecordSets. */
function coversRecordChanges(pattern: string): boolean {
  const re = new RegExp(
    `^${pattern
      .replace(/[.+^${}()|[\]\\]/g, '\\$&')
      .replace(/\*/g, '.*')
      .replace(/\?/g, '.')}$`,
    'i',
  );
  return re.test('route53:ChangeResourceRecordSets');
}

/** GI-AWS-015: whoever may change Route53 records may change only named records of named zones. */
export const DNS_AUTOMATION_SCOPED: PolicyRule = {
  id: 'GI-AWS-015',
  title: 'Record changes are scoped to named zones and record names',
  rationale:
    'A principal that may change any record of any zone can move every client of the service, or of the account, ' +
    "anywhere; automation needs the service's own names only.",
  severity: 'error',
  resourceTypes: [
    'aws_iam_role_policy',
    'aws_iam_policy',
    'aws_iam_role',
    'aws_iam_user_policy',
    'aws_iam_group_policy',
  ],
  cdkNag: ['AwsSolutions-IAM5'],
  note:
    'An Allow statement whose actions cover route53:ChangeResourceRecordSets (route53:*, *, NotAction...) must name ' +
    'hosted zone ARNs (not *) and carry the route53:ChangeResourceRecordSetsNormalizedRecordNames condition key. ' +
    'A policy that is an expression is not judged. DnsAutomationRole (dns.automationRole) complies.',
  check(resource) {
    const out: RuleViolation[] = [];
    for (const document of policyDocuments(resource)) {
      const text = str(document);
      if (text === undefined || isExpression(document)) continue;
      let statements: Statement[];
      try {
        const parsed = JSON.parse(text) as { Statement?: Statement | Statement[] };
        statements = Array.isArray(parsed.Statement) ? parsed.Statement : parsed.Statement ? [parsed.Statement] : [];
      } catch {
        continue; // not JSON (a template or a reference): not judged here
      }
      for (const s of statements) {
        if (s.Effect !== 'Allow') continue;
        // NotAction allows everything not listed: it covers record changes unless it names them.
        const covers =
          asList(s.Action).some(coversRecordChanges) ||
          (s.NotAction !== undefined && !asList(s.NotAction).some(coversRecordChanges));
        if (!covers) continue;
        const resources = asList(s.Resource);
        const anyZone =
          resources.length === 0 ||
          resources.some((r) => !/^arn:aws[a-z-]*:route53:::hostedzone\/./.test(r) || r.endsWith('/*'));
        const named = Object.values(s.Condition ?? {}).some(
          (keys) => keys && 'route53:ChangeResourceRecordSetsNormalizedRecordNames' in keys,
        );
        if (!anyZone && named) continue;
        out.push({
          message:
            'allows route53:ChangeResourceRecordSets ' +
            `${anyZone ? `on ${resources.length ? resources.join(', ') : 'every resource'}` : 'in its zones'}` +
            `${named ? '' : ' for any record name'}`,
          fix:
            'name the hosted zone ARNs and add a route53:ChangeResourceRecordSetsNormalizedRecordNames condition ' +
            '(ForAllValues:StringLike on the service names), or use DnsAutomationRole (dns.automationRole)',
        });
      }
    }
    return out;
  },
};
