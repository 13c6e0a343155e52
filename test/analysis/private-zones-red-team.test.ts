/*
 * The red team's holes in reading the stacks and in private zones (issue 17, /work/rt17 t1, t2, t11): each case
 * failed on the analysis before its fix (a leak passed, or the analysis crashed), plus controls that the library's
 * own split-horizon zone still passes.
 * Route53 Resolver rules modelled: a VPC's query is answered by the most specific private zone associated with it
 * whose name covers the query name, and only by it (a missing name is NXDOMAIN, never the public answer); a wildcard
 * answers names that do not exist in the zone; names no private zone covers go to public DNS. A forwarding rule
 * associated with the VPC that covers the name wins over the private zone: its answer is outside the stacks.
 */
import { analyzeRouting } from '../../lib/analysis/analyze';
import { awsProviderRegions } from '../../lib/analysis/input';
import type { StackInput } from '../../lib/analysis/model';
import { buildExampleApp } from '../../examples/example-app';
import { DOMAIN, editableStacks, intent, resourcesLike, StackBuilder, synthToTemp } from './fixtures';
import { regex } from '../support/regex';

const euResidency = synthToTemp((o) => buildExampleApp('eu-residency', o, { proofs: false }));

type Body = Record<string, unknown>;

function aws(stacks: StackInput[]): StackInput {
  return stacks.find((s) => s.name.endsWith('-aws'))!;
}

function resources(stack: StackInput, type: string): Record<string, Body> {
  const all = stack.json.resource as Record<string, Record<string, Body>>;
  return (all[type] ??= {});
}

function albName(stack: StackInput, region: string): string {
  const [[name]] = resourcesLike(stack, 'aws_lb', `Endpoint-${region}_`);
  return `aws_lb.${name}`;
}

function aliasTo(lb: string): Body {
  return { name: `\${${lb}.dns_name}`, zone_id: `\${${lb}.zone_id}`, evaluate_target_health: false };
}

/** The eu-residency example plus a user VPC in eu-west-1 and a private zone `example.com` associated with it. */
function withCorpZone(zoneName = 'Corp'): { stacks: StackInput[]; stack: StackInput; us: string; zone: string } {
  const stacks = editableStacks(euResidency);
  const stack = aws(stacks);
  resources(stack, 'aws_vpc').UserVpc = { cidr_block: '10.50.0.0/16', provider: 'aws.eu-west-1' };
  resources(stack, 'aws_route53_zone')[zoneName] = {
    name: 'example.com',
    provider: 'aws.us-east-1',
    vpc: [{ vpc_id: '${aws_vpc.UserVpc.id}', vpc_region: 'eu-west-1' }],
  };
  return { stacks, stack, us: albName(stack, 'us-east-1'), zone: `\${aws_route53_zone.${zoneName}.zone_id}` };
}

const residency = (stacks: StackInput[]) => analyzeRouting(stacks, { proofs: ['residency'] }).violations;
const userVpc = (labels: readonly string[]) => labels.some((l) => l.includes('aws_vpc.UserVpc'));

describe('controls: the library’s own split-horizon zone', () => {
  it('passes untouched; its four VPC groups are the private zone’s only clients, labelled by region', () => {
    const report = analyzeRouting(editableStacks(euResidency));
    expect(report.violations).toEqual([]);
    const vpcs = report.clients.filter((c) => c.vpc);
    expect(vpcs.map((c) => c.label).sort()).toEqual([
      'VPCs in ap-northeast-1',
      'VPCs in us-east-1',
      'eu: VPCs in eu-central-1',
      'eu: VPCs in eu-west-1',
    ]);
    const doors = report.graph.frontDoors.filter((f) => f.id.startsWith('route53-private:'));
    expect(doors).toHaveLength(1);
    expect(report.reachable.find((r) => r.frontDoor === doors[0].label)).toMatchObject({
      jurisdiction: 'eu',
      destinations: ['eu-central-1', 'eu-west-1'],
      clients: 2,
    });
  });

  it(
    'a library VPC also associated with a leaking example.com zone still resolves from the more specific library ' +
      'zone',
    () => {
      const { stacks, stack, us, zone } = withCorpZone();
      const [[euVpc]] = resourcesLike(stack, 'aws_vpc', 'Endpoint-eu-west-1_');
      resources(stack, 'aws_route53_zone').Corp = {
        name: 'example.com',
        provider: 'aws.us-east-1',
        vpc: [{ vpc_id: `\${aws_vpc.${euVpc}.id}`, vpc_region: 'eu-west-1' }],
      };
      resources(stack, 'aws_route53_record').Wild = {
        zone_id: zone,
        name: '*.example.com',
        type: 'A',
        provider: 'aws.us-east-1',
        alias: aliasTo(us),
      };
      expect(residency(stacks)).toEqual([]);
    },
  );

  it('a wildcard does not answer a name that exists in the zone (here only as TXT): no data, no leak', () => {
    const { stacks, stack, us, zone } = withCorpZone();
    resources(stack, 'aws_route53_record').Wild = {
      zone_id: zone,
      name: '*.example.com',
      type: 'A',
      alias: aliasTo(us),
    };
    resources(stack, 'aws_route53_record').Txt = {
      zone_id: zone,
      name: DOMAIN,
      type: 'TXT',
      ttl: 60,
      records: ['v=1'],
    };
    expect(residency(stacks)).toEqual([]);
  });
});

describe('hole 1: every zone that can answer the routing domain, wildcards included', () => {
  it('t1: `*.example.com` in a private zone answers inference.example.com for its VPC: a leak to us-east-1', () => {
    const { stacks, stack, us, zone } = withCorpZone();
    resources(stack, 'aws_route53_record').Wild = {
      zone_id: zone,
      name: '*.example.com',
      type: 'A',
      provider: 'aws.us-east-1',
      alias: aliasTo(us),
    };
    const v = residency(stacks);
    const leak = v.find((x) => userVpc(x.clientGroups));
    expect(leak).toBeDefined();
    expect(leak!.message).toMatch(
      regex(
        /Route53 private zone inference\.example\.com \(aws_route53_zone\.Corp\) sends client group "eu: VPCs /,
        /in eu-west-1 \(aws_vpc\.UserVpc\)" .* to us-east-1/,
      ),
    );
    expect(leak!.message).toContain('aws_route53_record.Wild');
    // The library's own VPCs are not touched by the user's zone.
    expect(v).toAllSatisfy((x) => userVpc(x.clientGroups));
  });

  it('a private zone covering the routing domain but lacking the name answers NXDOMAIN, not the public answer', () => {
    const { stacks, stack, zone } = withCorpZone();
    resources(stack, 'aws_route53_record').Other = {
      zone_id: zone,
      name: 'intranet.example.com',
      type: 'A',
      ttl: 60,
      records: ['10.50.0.10'],
    };
    const report = analyzeRouting(stacks);
    const door = report.graph.frontDoors.find((f) => f.id === `route53-private:${DOMAIN}@aws_route53_zone.Corp`);
    expect(door).toBeDefined();
    const client = report.clients.find((c) => c.vpc?.vpcs.includes('${aws_vpc.UserVpc.id}'))!;
    expect(client.vpc!.zones).toEqual(['aws_route53_zone.Corp']);
    const answer = report.answer(door!.id, client.id, 'normal')!;
    expect(answer.landings).toEqual([]);
    expect(answer.noAnswer).toMatch(/no record named inference\.example\.com/);
    // No public front door answers the VPC: the Resolver does not fall back to public DNS.
    for (const fd of report.graph.frontDoors.filter((f) => f !== door))
      expect(report.answer(fd.id, client.id, 'normal')).toBeUndefined();
    expect(report.violations.some((x) => x.proof === 'availability' && userVpc(x.clientGroups))).toBe(true);
  });

  it(
    'a wildcard in a public parent zone (no delegation of the ' + 'routing domain) is a front door for every client',
    () => {
      const stacks = editableStacks(euResidency);
      const stack = aws(stacks);
      resources(stack, 'aws_route53_zone').Parent = { name: 'example.com', provider: 'aws.us-east-1' };
      resources(stack, 'aws_route53_record').ParentWild = {
        zone_id: '${aws_route53_zone.Parent.zone_id}',
        name: '*.example.com',
        type: 'A',
        alias: aliasTo(albName(stack, 'us-east-1')),
      };
      const v = residency(stacks);
      expect(v.length).toBeGreaterThan(0);
      expect(v.map((x) => x.message).join('\n')).toMatch(
        /Route53 inference\.example\.com \(aws_route53_zone\.Parent\) sends client groups "eu: AT, .* to us-east-1/,
      );
    },
  );

  it('control: the same parent zone delegating the routing domain (NS) does not answer it', () => {
    const stacks = editableStacks(euResidency);
    const stack = aws(stacks);
    resources(stack, 'aws_route53_zone').Parent = { name: 'example.com', provider: 'aws.us-east-1' };
    resources(stack, 'aws_route53_record').ParentWild = {
      zone_id: '${aws_route53_zone.Parent.zone_id}',
      name: '*.example.com',
      type: 'A',
      alias: aliasTo(albName(stack, 'us-east-1')),
    };
    resources(stack, 'aws_route53_record').Delegation = {
      zone_id: '${aws_route53_zone.Parent.zone_id}',
      name: DOMAIN,
      type: 'NS',
      ttl: 300,
      records: ['${aws_route53_zone.Service_Zone.name_servers}'],
    };
    expect(residency(stacks)).toEqual([]);
  });

  it('a VPC whose private zone covers only a name on the path (a CNAME target) gets that zone’s answer', () => {
    const eu = 'eu-west-1';
    const us = 'us-east-1';
    const b = new StackBuilder()
      .region(eu)
      .region(us)
      .withIntent(intent({ [eu]: 'eu', [us]: null }, { eu: { continents: ['EU'] } }));
    // Public: the routing domain is a CNAME to eu.<domain>, which latency-routes inside the EU only.
    b.add('aws_route53_record', 'Entry', {
      zone_id: '${aws_route53_zone.Zone.zone_id}',
      name: DOMAIN,
      type: 'CNAME',
      ttl: 60,
      records: [`eu.${DOMAIN}`],
    });
    b.record('EuOnly', `eu.${DOMAIN}`, eu, { latency_routing_policy: { region: eu } });
    // Private: eu.<domain> for a VPC in eu-west-1 points at us-east-1.
    b.add('aws_vpc', 'UserVpc', { cidr_block: '10.50.0.0/16', provider: `aws.${eu}` });
    b.add('aws_route53_zone', 'EuPrivate', {
      name: `eu.${DOMAIN}`,
      vpc: [{ vpc_id: '${aws_vpc.UserVpc.id}', vpc_region: eu }],
    });
    b.add('aws_route53_record', 'EuPrivateApex', {
      zone_id: '${aws_route53_zone.EuPrivate.zone_id}',
      name: `eu.${DOMAIN}`,
      type: 'A',
      alias: {
        name: `\${aws_lb.Lb_us_east_1.dns_name}`,
        zone_id: '${aws_lb.Lb_us_east_1.zone_id}',
        evaluate_target_health: false,
      },
    });
    const v = residency([b.build()]);
    expect(v.map((x) => x.clientGroups.join())).toEqual(['eu: VPCs in eu-west-1']);
    expect(v[0].message).toContain('aws_route53_record.EuPrivateApex');
    // Control: without the private zone, the public answer stays in the EU.
    delete b.resource.aws_route53_zone.EuPrivate;
    delete b.resource.aws_route53_record.EuPrivateApex;
    expect(residency([b.build()])).toEqual([]);
  });

  it('a VPC associated with a private zone whose name is not known at synth is a possible leak, named', () => {
    const stacks = editableStacks(euResidency);
    const stack = aws(stacks);
    resources(stack, 'aws_vpc').UserVpc = { cidr_block: '10.50.0.0/16', provider: 'aws.eu-west-1' };
    resources(stack, 'aws_route53_zone_association').Outside = {
      zone_id: 'Z0123456789OUTSIDE',
      vpc_id: '${aws_vpc.UserVpc.id}',
      vpc_region: 'eu-west-1',
    };
    const v = residency(stacks);
    expect(v.length).toBeGreaterThan(0);
    expect(v).toAllSatisfy((x) => userVpc(x.clientGroups));
    expect(v[0].message).toMatch(/zone:Z0123456789OUTSIDE .*name that is not known at synth/);
  });
});

describe('hole 2: a VPC client is its VPCs and their exact set of private zones', () => {
  it('t2: a user VPC associated only with another private zone is its own client, resolved with that zone', () => {
    const { stacks, stack, us, zone } = withCorpZone('ZCorp');
    resources(stack, 'aws_route53_record').CorpEntry = {
      zone_id: zone,
      name: DOMAIN,
      type: 'CNAME',
      ttl: 60,
      records: [`eu.${DOMAIN}`],
      provider: 'aws.us-east-1',
    };
    resources(stack, 'aws_route53_record').CorpEu = {
      zone_id: zone,
      name: `eu.${DOMAIN}`,
      type: 'A',
      provider: 'aws.us-east-1',
      alias: aliasTo(us),
    };
    const report = analyzeRouting(stacks, { proofs: ['residency'] });
    const ids = report.clients.map((c) => c.id);
    expect(new Set(ids).size).toBe(ids.length);
    const inEuWest = report.clients.filter((c) => c.vpc?.region === 'eu-west-1');
    expect(inEuWest.map((c) => c.vpc!.zones.join())).toEqual(
      expect.arrayContaining([
        'aws_route53_zone.ZCorp',
        expect.stringMatching(/^aws_route53_zone\.Service_PrivateZone/),
      ]),
    );
    expect(inEuWest).toHaveLength(2);
    const leak = report.violations.find((x) => userVpc(x.clientGroups));
    expect(leak).toBeDefined();
    expect(leak!.message).toMatch(/aws_route53_record\.CorpEntry .*-> aws_route53_record\.CorpEu/);
    // Each private front door serves exactly the VPCs it answers.
    const doors = report.graph.frontDoors.filter((f) => f.id.startsWith('route53-private:'));
    const served = (id: string) =>
      report.answers
        .filter((a) => a.frontDoor === doors.find((d) => d.id.endsWith(id))!.label && a.scenario.kind === 'normal')
        .map((a) => a.client.label);
    expect(served('@aws_route53_zone.ZCorp')).toEqual(['eu: VPCs in eu-west-1 (aws_vpc.UserVpc)']);
    expect(served('Service_PrivateZone_D5E2D48D')).toNoneSatisfy((l) => l.includes('UserVpc'));
  });
});

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

describe(
  'Route53 Resolver forwarding rules: a VPC whose queries for ' + 'the name go to DNS servers outside the stacks',
  () => {
    /** The eu-residency example with a resolver rule and one association with eu-west-1's VPC (or `vpcId`). */
    function withRule(rule: Body, vpcId?: string): { stacks: StackInput[]; association: string } {
      const stacks = editableStacks(euResidency);
      const stack = aws(stacks);
      const [[euVpc]] = resourcesLike(stack, 'aws_vpc', 'Endpoint-eu-west-1_');
      resources(stack, 'aws_route53_resolver_rule').Corp = { provider: 'aws.eu-west-1', ...rule };
      resources(stack, 'aws_route53_resolver_rule_association').CorpEu = {
        provider: 'aws.eu-west-1',
        resolver_rule_id: '${aws_route53_resolver_rule.Corp.id}',
        vpc_id: vpcId ?? `\${aws_vpc.${euVpc}.id}`,
      };
      return { stacks, association: 'aws_route53_resolver_rule_association.CorpEu' };
    }
    const forward = (domain: string) => ({
      domain_name: domain,
      rule_type: 'FORWARD',
      target_ip: [{ ip: '203.0.113.53', port: 53 }],
      resolver_endpoint_id: 'rslvr-out-0123456789abcdef0',
    });

    it(
      'a FORWARD rule covering the name, associated with an EU VPC: a possible leak for exactly that VPC group, ' +
        'naming the rule',
      () => {
        const { stacks, association } = withRule(forward('example.com'));
        const v = residency(stacks).filter((x) => x.message.includes('aws_route53_resolver_rule.Corp'));
        expect(v.length).toBeGreaterThan(0);
        expect([...new Set(v.flatMap((x) => x.clientGroups))]).toEqual(['eu: VPCs in eu-west-1']);
        expect(v[0].message).toContain('203.0.113.53:53');
        expect(v[0].remedy).toContain(association);
      },
    );

    it(
      'following the remedy (removing the association) passes again; a SYSTEM rule or one for another domain ' +
        'changes nothing',
      () => {
        const removed = withRule(forward('example.com'));
        delete resources(aws(removed.stacks), 'aws_route53_resolver_rule_association').CorpEu;
        expect(residency(removed.stacks)).toEqual([]);
        expect(residency(withRule({ domain_name: 'example.com', rule_type: 'SYSTEM' }).stacks)).toEqual([]);
        expect(residency(withRule(forward('corp.internal')).stacks)).toEqual([]);
      },
    );

    it(
      'fails closed: a rule type or domain not known at synth, or an ' +
        'association naming a VPC by literal id, counts',
      () => {
        const unknownType = withRule({ ...forward('example.com'), rule_type: '${var.rule_type}' });
        expect(residency(unknownType.stacks).some((x) => x.message.includes('may forward'))).toBe(true);
        const unknownDomain = withRule({ ...forward('x'), domain_name: '${var.domain}' });
        expect(residency(unknownDomain.stacks).some((x) => x.message.includes('names not known at synth'))).toBe(true);
        // A literal VPC id may be any VPC's: every EU VPC group leaks.
        const literal = withRule(forward('example.com'), 'vpc-0123456789abcdef0');
        const groups = new Set(residency(literal.stacks).flatMap((x) => x.clientGroups));
        expect([...groups].filter((g) => g.startsWith('eu: VPCs in')).sort()).toEqual([
          'eu: VPCs in eu-central-1',
          'eu: VPCs in eu-west-1',
        ]);
      },
    );

    it('a rule outside the stacks (an association naming a literal rule id) is assumed to forward every name', () => {
      const { stacks } = withRule(forward('example.com'));
      resources(aws(stacks), 'aws_route53_resolver_rule_association').CorpEu.resolver_rule_id =
        'rslvr-rr-0123456789abcdef0';
      const v = residency(stacks).filter((x) => x.message.includes('rslvr-rr-0123456789abcdef0'));
      expect(v.length).toBeGreaterThan(0);
      expect(v[0].message).toContain('names not known at synth');
    });
  },
);
