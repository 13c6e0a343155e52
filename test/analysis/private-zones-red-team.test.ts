/*
 * The red team's holes in reading the stacks and in private zones (issue 17, /work/rt17 t1, t2, t11): each case
 * failed on the analysis before its fix (a leak passed, or the analysis crashed), plus controls that the library's
 * own split-horizon zone still passes.
 * Route53 Resolver rules modelled: a VPC's query is answered by the most specific private zone associated with it
 * whose name covers the query name, and only by it (a missing name is NXDOMAIN, never the public answer); a wildcard
 * answers names that do not exist in the zone; names no private zone covers go to public DNS.
 */
import { analyzeRouting } from '../../lib/analysis/analyze';
import { awsProviderRegions } from '../../lib/analysis/input';
import type { StackInput } from '../../lib/analysis/model';
import { buildExampleApp } from '../../examples/example-app';
import { editableStacks, resourcesLike, synthToTemp } from './fixtures';

const euResidency = synthToTemp((o) => buildExampleApp('eu-residency', o, { proofs: false }));

type Body = Record<string, unknown>;

function aws(stacks: StackInput[]): StackInput {
  return stacks.find((s) => s.name.endsWith('-aws'))!;
}

function albName(stack: StackInput, region: string): string {
  const [[name]] = resourcesLike(stack, 'aws_lb', `Endpoint-${region}_`);
  return `aws_lb.${name}`;
}

function aliasTo(lb: string): Body {
  return { name: `\${${lb}.dns_name}`, zone_id: `\${${lb}.zone_id}`, evaluate_target_health: false };
}

const residency = (stacks: StackInput[]) => analyzeRouting(stacks, { proofs: ['residency'] }).violations;

describe('hole 3: Terraform JSON blocks written as an object or as a list', () => {
  it('t11: `provider.aws` as one object (valid Terraform JSON) is read, not a TypeError', () => {
    const stacks = editableStacks(euResidency);
    const stack = aws(stacks);
    (stack.json as Record<string, unknown>).provider = { aws: { region: 'us-east-1' } };
    expect(awsProviderRegions([stack]).get(`${stack.name}|aws`)).toBe('us-east-1');
    // Every aliased provider is gone: the regional resources cannot be placed, which fails closed.
    expect(() => analyzeRouting(stacks)).not.toThrow();
    expect(residency(stacks).length).toBeGreaterThan(0);
  });

  it('resources written as lists (`"aws_route53_record": [{...}]`, a body as `[{...}]`) are read, not dropped', () => {
    const stacks = editableStacks(euResidency);
    const stack = aws(stacks);
    const all = stack.json.resource as unknown as Record<string, unknown>;
    const byName = all.aws_route53_record as Record<string, Body>;
    const [[de, body]] = resourcesLike(stack, 'aws_route53_record', 'Residency-eu-country-DE');
    // Germany's record now aliases the us-east-1 load balancer; the record type and the body are lists.
    body.alias = aliasTo(albName(stack, 'us-east-1'));
    byName[de] = [body] as unknown as Body;
    all.aws_route53_record = [byName];
    const v = residency(stacks);
    expect(v.map((x) => x.clientGroups.join())).toContain('eu: DE');
    expect(v.find((x) => x.clientGroups.includes('eu: DE'))!.message).toContain(`aws_route53_record.${de}`);
  });
});
