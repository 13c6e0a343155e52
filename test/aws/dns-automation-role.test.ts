/*
 * Scoped DNS automation (issue 16 item 4): a role that may change only the service's own record names, read the
 * rest, and nothing else; the policy rule GI-AWS-015 accepts it and refuses broader grants.
 */
import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { DnsAutomationRole, normalizedNamePatterns } from '../../lib/aws/dns-automation-role';
import { InferenceHostedZone } from '../../lib/aws/inference-hosted-zone';
import { checkStackJson } from '../../lib/policy/engine';
import { GlobalInferenceService } from '../../lib/service/global-inference-service';
import { parseSpec } from '../../lib/spec/load';
import { minimalSpec } from '../support/specs';
import { regex } from '../support/regex';
import { errorOf, newStack, onlyResource, resourcesOf, specProblemsOf, synthJson } from '../support/synth';

const ZONE = InferenceHostedZone.fromZoneId('Z0123456789ABCDEFGHIJ', 'inference.example.com');

interface Statement {
  Sid: string;
  Action: string | string[];
  Resource: string;
  Condition?: Record<string, Record<string, string[]>>;
}

function roleJson(props: Partial<ConstructorParameters<typeof DnsAutomationRole>[2]> = {}) {
  const { stack } = newStack();
  new AwsProvider(stack, 'aws', { region: 'us-east-1' });
  new DnsAutomationRole(stack, 'Automation', {
    zone: ZONE,
    domainNames: ['inference.example.com'],
    trustedPrincipals: ['arn:aws:iam::123456789012:role/ci', '210987654321'],
    ...props,
  });
  return synthJson(stack);
}

describe('DnsAutomationRole', () => {
  const json = roleJson();
  const statements = () =>
    (JSON.parse(onlyResource(json, 'aws_iam_role_policy').policy as string) as { Statement: Statement[] }).Statement;

  test('record changes only in its zone, only under its names, only A/AAAA, only UPSERT', () => {
    const [change] = statements();
    expect(change).toEqual({
      Sid: 'ChangeOnlyTheServiceRecords',
      Effect: 'Allow',
      Action: 'route53:ChangeResourceRecordSets',
      Resource: 'arn:aws:route53:::hostedzone/Z0123456789ABCDEFGHIJ',
      Condition: {
        'ForAllValues:StringLike': {
          'route53:ChangeResourceRecordSetsNormalizedRecordNames': ['inference.example.com', '*.inference.example.com'],
        },
        'ForAllValues:StringEquals': {
          'route53:ChangeResourceRecordSetsRecordTypes': ['A', 'AAAA'],
          'route53:ChangeResourceRecordSetsActions': ['UPSERT'],
        },
      },
    });
  });

  test('reads the zone, its changes and health checks; no other write', () => {
    const actions = statements().flatMap((s) => (Array.isArray(s.Action) ? s.Action : [s.Action]));
    const writes = actions.filter((a) => !/^route53:(Get|List)/.test(a));
    expect(writes).toEqual(['route53:ChangeResourceRecordSets']);
    expect(statements().find((s) => s.Sid === 'ReadTheZone')?.Resource).toBe(
      'arn:aws:route53:::hostedzone/Z0123456789ABCDEFGHIJ',
    );
  });

  test('assumable by exactly the named principals (an account id as its root)', () => {
    const trust = JSON.parse(onlyResource(json, 'aws_iam_role').assume_role_policy as string);
    expect(trust.Statement).toEqual([
      {
        Effect: 'Allow',
        Principal: { AWS: ['arn:aws:iam::123456789012:role/ci', 'arn:aws:iam::210987654321:root'] },
        Action: 'sts:AssumeRole',
      },
    ]);
  });

  test('passes its own policy rule; refuses bad props with their paths', () => {
    const findings = checkStackJson(json).stacks[0].findings.filter((f) => f.ruleId === 'GI-AWS-015');
    expect(findings).toEqual([]);
    expect(normalizedNamePatterns(['A.example.com.', 'a.example.com'])).toEqual(['a.example.com', '*.a.example.com']);
    const { stack } = newStack();
    expect(
      errorOf(
        () =>
          new DnsAutomationRole(stack, 'Bad', {
            zone: ZONE,
            domainNames: [],
            trustedPrincipals: ['someone'],
            recordTypes: ['MX'],
          }),
      ),
    ).toMatch(
      regex(
        /trustedPrincipals\[0\]: must be a 12-digit account id[\s\S]*recordTypes\[0\]: must be one of/,
        /[\s\S]*domainNames: must name at least one domain/,
      ),
    );
  });
});

describe('dns.automationRole in a spec', () => {
  test('the service creates the role for its routing domain and names it in an output', () => {
    const { stack } = newStack();
    const service = new GlobalInferenceService(stack, 'Service', {
      spec: minimalSpec({
        dns: {
          automationRole: { trustedPrincipals: ['arn:aws:iam::123456789012:role/ci'], actions: ['UPSERT', 'DELETE'] },
        },
      }),
      synthChecks: false,
    });
    const json = synthJson(stack);
    expect(service.dnsAutomationRole).toBeDefined();
    const policy = JSON.parse(
      resourcesOf(json, 'aws_iam_role_policy').find(([n]) => n.includes('DnsAutomation'))![1].policy as string,
    );
    expect(
      policy.Statement[0].Condition['ForAllValues:StringLike']['route53:ChangeResourceRecordSetsNormalizedRecordNames'],
    ).toEqual([service.routingDomain, `*.${service.routingDomain}`]);
    expect(
      policy.Statement[0].Condition['ForAllValues:StringEquals']['route53:ChangeResourceRecordSetsActions'],
    ).toEqual(['UPSERT', 'DELETE']);
    expect(Object.keys(json.output ?? {})).toContain('dns_automation_role_arn');
  });

  test('without it, no role; a bad principal is refused with its path', () => {
    const { stack } = newStack();
    new GlobalInferenceService(stack, 'Service', { spec: minimalSpec(), synthChecks: false });
    expect(Object.keys(synthJson(stack).output ?? {})).not.toContain('dns_automation_role_arn');
    expect(
      specProblemsOf(() => parseSpec(minimalSpec({ dns: { automationRole: { trustedPrincipals: ['root'] } } }))),
    ).toEqual([expect.stringMatching(/^dns\.automationRole\.trustedPrincipals\[0\]: must be a 12-digit account id/)]);
  });
});
