/*
 * One test per class of hole issue 17 lists (each fails on the analysis before the reachability rewrite: it
 * accepted these configurations), plus hostile cases of the same kinds. Each edits synthesized JSON the way an
 * escape hatch or a hand edit would, and checks the proof that must refuse it, naming the resource.
 */
import { App } from '../../lib/util/cdktf';
import { analyzeRouting } from '../../lib/analysis/analyze';
import type { StackInput } from '../../lib/analysis/model';
import { buildExampleApp } from '../../examples/example-app';
import { addGlobalInferenceStacks } from '../../stacks/global-inference-stacks';
import { editableStacks, resourcesLike, synthToTemp } from './fixtures';
import { regex } from '../support/regex';

const euResidency = synthToTemp((o) => buildExampleApp('eu-residency', o, { proofs: false }));
const failover = synthToTemp((o) => buildExampleApp('failover', o, { proofs: false }));

/** Nine regions, three of them in the EU, residency eu: the size at which the old analysis stopped enumerating. */
const nineRegions = synthToTemp((o) => {
  const app = new App({ outdir: o });
  const regions = [
    'us-east-1',
    'us-east-2',
    'us-west-2',
    'ca-central-1',
    'sa-east-1',
    'ap-northeast-1',
    'eu-west-1',
    'eu-central-1',
    'eu-north-1',
  ];
  addGlobalInferenceStacks(
    app,
    {
      service: { name: 'nine', domain: 'inference.example.com' },
      model: { id: 'meta-llama/Llama-3.1-8B-Instruct', version: '2026-11-01' },
      regions: regions.map((region) => ({
        region,
        instanceType: 'g6e.xlarge',
        capacity: { min: 1, max: 2 },
        jurisdiction: region.startsWith('eu-') ? 'eu' : undefined,
      })),
      residency: { eu: { preset: 'eu' } },
    },
    { proofs: false, policy: false },
  );
  return app;
});

function aws(stacks: StackInput[]): StackInput {
  return stacks.find((s) => s.name.endsWith('-aws'))!;
}

type Body = Record<string, unknown>;

function records(stack: StackInput): Record<string, Body> {
  return stack.json.resource!.aws_route53_record as Record<string, Body>;
}

function zoneRef(stack: StackInput, fragment = 'Service_Zone'): string {
  const [[name]] = resourcesLike(stack, 'aws_route53_zone', fragment);
  return `\${aws_route53_zone.${name}.zone_id}`;
}

function albRef(stack: StackInput, region: string): string {
  const [[name]] = resourcesLike(stack, 'aws_lb', `Endpoint-${region}_`);
  return `\${aws_lb.${name}.dns_name}`;
}

function violations(stacks: StackInput[], proof: string, options = {}) {
  return analyzeRouting(stacks, options).violations.filter((v) => v.proof === proof);
}

describe('class: above 8 regions only single failures and pairs were enumerated', () => {
  it('passes the untouched 9-region deployment', () => {
    expect(analyzeRouting(editableStacks(nineRegions)).violations).toEqual([]);
  });

  it('finds the leak that needs all three EU regions down, and names that scenario', () => {
    const stacks = editableStacks(nineRegions);
    for (const [, r] of resourcesLike(aws(stacks), 'aws_route53_record', 'Residency-eu-'))
      (r.alias as Body).evaluate_target_health = true;
    const v = violations(stacks, 'residency');
    expect(v.length).toBeGreaterThan(0);
    expect(v[0].message).toMatch(
      regex(
        /sends client groups "eu: AT, .*" \(jurisdiction eu\) to .* in scenario "eu-central-1 \+ eu-north-1 \+ /,
        /eu-west-1 down" as the answer/,
      ),
    );
    expect(v[0].cases).toEqual([
      {
        scenario: 'eu-central-1 + eu-north-1 + eu-west-1 down',
        clientGroups: expect.arrayContaining(['eu: DE', 'eu: FR', 'eu: SE']),
        failed: ['eu-central-1', 'eu-north-1', 'eu-west-1'],
      },
    ]);
    expect(v[0].cases![0].clientGroups).toHaveLength(27);
  });
});

describe('class: only A and CNAME records were modelled', () => {
  it('follows an AAAA latency set over every region at the service name: IPv6 clients leave the EU', () => {
    const stacks = editableStacks(euResidency);
    const stack = aws(stacks);
    for (const region of ['eu-west-1', 'us-east-1']) {
      records(stack)[`Ipv6_${region}`] = {
        zone_id: zoneRef(stack),
        name: 'inference.example.com',
        type: 'AAAA',
        set_identifier: `v6-${region}`,
        latency_routing_policy: { region },
        alias: { name: albRef(stack, region), zone_id: 'Z35SXDOTRQ7X7K', evaluate_target_health: true },
      };
    }
    const v = violations(stacks, 'residency');
    expect(v.map((x) => x.message).join('\n')).toMatch(
      regex(
        /sends client groups "eu: AT, .*" \(jurisdiction eu\) to us-east-1 \(jurisdiction us\) in scenario /,
        /"normal operation" as the answer; leaking path for "eu: AT": aws_route53_record.Ipv6_us-east-1 /,
        /\[inference.example.com AAAA latency us-east-1/,
      ),
    );
    expect(v.flatMap((x) => x.resources)).toContain('aws_route53_record.Ipv6_us-east-1');
  });

  it('follows an HTTPS record whose address hints point outside the stacks', () => {
    const stacks = editableStacks(euResidency);
    const stack = aws(stacks);
    records(stack).Svcb = {
      zone_id: zoneRef(stack),
      name: 'inference.example.com',
      type: 'HTTPS',
      ttl: 300,
      records: ['1 . alpn="h2" ipv4hint=198.51.100.7'],
    };
    const v = violations(stacks, 'residency');
    expect(v[0].message).toMatch(
      regex(
        /to 198.51.100.7 \(not placed: aws_route53_record.Svcb: an address hint \(ipv4hint\) clients may /,
        /connect to \(198.51.100.7\)\)/,
      ),
    );
  });

  it('follows an NS record that delegates the jurisdiction’s nested name to other name servers', () => {
    const stacks = editableStacks(euResidency);
    const stack = aws(stacks);
    records(stack).Delegation = {
      zone_id: zoneRef(stack),
      name: 'eu.inference.example.com',
      type: 'NS',
      ttl: 300,
      records: ['ns1.elsewhere.example.net'],
    };
    const v = violations(stacks, 'residency');
    expect(v.map((x) => x.message).join('\n')).toMatch(
      regex(
        /to eu.inference.example.com \(delegated\) \(not placed: aws_route53_record.Delegation delegates /,
        /eu.inference.example.com to other name servers \(ns1.elsewhere.example.net\)\)/,
      ),
    );
  });
});

describe('class: private zones were skipped', () => {
  it('passes the eu-residency example’s own split-horizon zone (VPCs in EU regions stay in the EU)', () => {
    const report = analyzeRouting(editableStacks(euResidency));
    expect(report.violations).toEqual([]);
    const privateDoor = report.graph.frontDoors.find((f) => f.id.startsWith('route53-private:'))!;
    expect(privateDoor).toBeDefined();
    expect(report.reachable.find((r) => r.frontDoor === privateDoor.label)).toMatchObject({
      jurisdiction: 'eu',
      destinations: ['eu-central-1', 'eu-west-1'],
      clients: 2,
    });
  });

  it('refuses the zone as the library wrote it before: latency records of EU-region VPCs to every region', () => {
    const stacks = editableStacks(euResidency);
    const stack = aws(stacks);
    for (const [name] of resourcesLike(stack, 'aws_route53_record', 'PrivateResidency-')) delete records(stack)[name];
    const [[hcName]] = resourcesLike(stack, 'aws_route53_health_check', 'Health-eu-west-1_');
    for (const region of ['eu-west-1', 'eu-central-1']) {
      const [[, r]] = resourcesLike(stack, 'aws_route53_record', `PrivateRecord-${region}_`);
      const [[hc]] = resourcesLike(stack, 'aws_route53_health_check', `Health-${region}_`);
      Object.assign(r, {
        alias: { name: albRef(stack, region), zone_id: 'Z32O12XQLNTSW2', evaluate_target_health: true },
        health_check_id: `\${aws_route53_health_check.${hc}.id}`,
      });
    }
    expect(hcName).toBeDefined();
    const v = violations(stacks, 'residency');
    expect(v.map((x) => x.clientGroups.join())).toEqual(
      expect.arrayContaining(['eu: VPCs in eu-west-1', 'eu: VPCs in eu-central-1']),
    );
    expect(
      v.find((x) => x.message.includes('VPCs in eu-west-1') && x.message.includes('to us-east-1'))!.message,
    ).toMatch(/Route53 private zone inference.example.com .* in scenario "eu-west-1 down" as the answer/);
  });

  it('treats a VPC association in another region as one more client group of the zone', () => {
    const stacks = editableStacks(euResidency);
    const stack = aws(stacks);
    const [[zone]] = resourcesLike(stack, 'aws_route53_zone', 'PrivateZone');
    // A VPC in Milan (Italy: an EU country, though eu-south-1 is no region of the service) resolves through the zone.
    (stack.json.resource as Record<string, Record<string, Body>>).aws_route53_zone_association = {
      Milan: {
        zone_id: `\${aws_route53_zone.${zone}.zone_id}`,
        vpc_id: 'vpc-0123456789abcdef0',
        vpc_region: 'eu-south-1',
      },
    };
    const v = violations(stacks, 'residency');
    expect(v.map((x) => x.clientGroups.join())).toContain('eu: VPCs in eu-south-1');
  });
});

describe('class: a target the analysis could not place was "no answer", and the printed remedy accepted it', () => {
  function partnerStacks(): StackInput[] {
    const stacks = editableStacks(euResidency);
    const [[, de]] = resourcesLike(aws(stacks), 'aws_route53_record', 'Residency-eu-country-DE');
    (de.alias as Body).name = 'eu.partner.example.net';
    (de.alias as Body).zone_id = 'Z0PARTNERZONE';
    return stacks;
  }

  it('is a possible leak for residency, naming the record and the literal target', () => {
    const v = violations(partnerStacks(), 'residency');
    expect(v).toHaveLength(1);
    expect(v[0].clientGroups).toEqual(['eu: DE']);
    expect(v[0].message).toMatch(
      regex(
        /to eu.partner.example.net \(not placed: /,
        /aws_route53_record.Service_Route53Routing_Residency-eu-country-DE_\w+ aliases eu.partner.example.net /,
        /in zone:Z0PARTNERZONE, where the stacks have no such record\)/,
      ),
    );
  });

  it('stays refused when availability is not proven (slo.survivesRegionFailure: false)', () => {
    const stacks = partnerStacks();
    (aws(stacks).json as Record<string, Record<string, Body>>)['//'].global_inference.survivesRegionFailure = false;
    const report = analyzeRouting(stacks);
    expect(report.proofs.map((p) => p.name)).not.toContain('availability');
    // Residency still refuses it (and its failover time is unknown): no proof that was dropped hid the leak.
    expect(report.violations.map((x) => x.proof).sort()).toEqual(['failover-time', 'residency']);
  });

  it('is accepted once the spec declares the endpoint’s jurisdiction and failover time (the remedy it prints)', () => {
    const stacks = partnerStacks();
    const [v] = violations(stacks, 'residency');
    expect(v.remedy).toMatch(
      regex(
        /if eu.partner.example.net serves only from jurisdiction eu, declare it: add \{ name: /,
        /eu.partner.example.net, jurisdiction: eu, failoverSeconds: <seconds/,
      ),
    );
    expect(v.remedy).toMatch(
      regex(
        /; or point aws_route53_record.Service_Route53Routing_Residency-eu-country-DE_\w+ at /,
        /eu.inference.example.com with evaluate_target_health false, as /,
        /aws_route53_record.Service_Route53Routing_Residency-eu-country-\w+ does$/,
      ),
    );
    (aws(stacks).json as Record<string, Record<string, Body>>)['//'].global_inference.externalEndpoints = [
      { name: 'eu.partner.example.net', jurisdiction: 'eu', failoverSeconds: 30 },
    ];
    expect(analyzeRouting(stacks).violations).toEqual([]);
    // The other remedy, followed instead, passes too.
    const repointed = partnerStacks();
    const [[, de]] = resourcesLike(aws(repointed), 'aws_route53_record', 'Residency-eu-country-DE');
    const [[, at]] = resourcesLike(aws(repointed), 'aws_route53_record', 'Residency-eu-country-AT');
    de.alias = { ...(at.alias as Body) };
    expect(analyzeRouting(repointed).violations).toEqual([]);
  });

  it('a declaration outside the jurisdiction is still a leak, and an unknown failover time is a violation', () => {
    const stacks = partnerStacks();
    (aws(stacks).json as Record<string, Record<string, Body>>)['//'].global_inference.externalEndpoints = [
      { name: 'eu.partner.example.net', jurisdiction: 'none', failoverSeconds: 30 },
    ];
    expect(violations(stacks, 'residency')[0].message).toMatch(
      /to eu.partner.example.net \(declared jurisdiction none\)/,
    );
    const undeclared = partnerStacks();
    const t = violations(undeclared, 'failover-time');
    expect(t[0].message).toMatch(
      regex(
        /off eu.partner.example.net after up to never, .*unknown: /,
        /aws_route53_record.Service_Route53Routing_Residency-eu-country-DE/,
      ),
    );
  });
});

describe('class: failover time only on normal-operation paths', () => {
  function slowSecondary(): StackInput[] {
    const stacks = editableStacks(failover);
    const [[, check]] = resourcesLike(aws(stacks), 'aws_route53_health_check', 'Health-us-west-2_Readiness');
    Object.assign(check, { request_interval: 30, failure_threshold: 10 });
    return stacks;
  }

  it('passes the failover example as synthesized (budget 120 s)', () => {
    expect(analyzeRouting(editableStacks(failover)).violations).toEqual([]);
  });

  it('refuses a secondary whose clients need 360 s to leave it once the primary is down, with the arithmetic', () => {
    const v = violations(slowSecondary(), 'failover-time');
    expect(v).toHaveLength(1);
    expect(v[0].message).toMatch(
      regex(
        /^failover-time: when us-west-2 fails after "us-east-1 down", Route53 inference.example.com moves /,
        /client groups ".*" off us-west-2 after up to 360 s, over the budget slo.failoverSeconds = 120 s/,
      ),
    );
    expect(v[0].message).toMatch(
      /request_interval 30 s × failure_threshold 10 = 300 s\)\) \+ TTL 60 s \(alias to an ALB\) = 360 s/,
    );
    expect(v[0].message).toMatch(
      regex(
        /path: aws_route53_record.Service_Route53Routing_Failover-Primary_\w+ \[.*passed over: unhealthy\] -> /,
        /aws_route53_record.Service_Route53Routing_Failover-Secondary_\w+ .* -> /,
        /aws_route53_record.Service_Route53Routing_Latency-secondary-us-west-2_\w+/,
      ),
    );
    expect(v[0].cases).toEqual([expect.objectContaining({ scenario: 'us-east-1 down', failed: ['us-east-1'] })]);
  });

  it('prints a remedy that, applied to the named check, passes', () => {
    const stacks = slowSecondary();
    const [v] = violations(stacks, 'failover-time');
    // The escaped check is not the spec's (10 s × 3): the remedy names the resource and its attributes.
    expect(v.remedy).toMatch(
      regex(
        /^set request_interval 30 and failure_threshold 2 on /,
        /aws_route53_health_check.Service_Route53Routing_Health-us-west-2_Readiness_\w+ \(30 s × 2 \+ 60 s TTL /,
        /= 120 s/,
      ),
    );
    const [[, check]] = resourcesLike(aws(stacks), 'aws_route53_health_check', 'Health-us-west-2_Readiness');
    Object.assign(check, { request_interval: 30, failure_threshold: 2 });
    expect(analyzeRouting(stacks).violations).toEqual([]);
  });

  it('and the other remedy it prints (raising the budget) passes too', () => {
    const stacks = slowSecondary();
    const [v] = violations(stacks, 'failover-time');
    expect(v.remedy).toMatch(/or raise slo.failoverSeconds to 360 or more$/);
    expect(analyzeRouting(stacks, { sloFailoverSeconds: 360 }).violations).toEqual([]);
  });
});

describe('hostile cases beyond the issue’s list', () => {
  const cloudflareEu = synthToTemp((o) => buildExampleApp('cloudflare-eu', o, { proofs: false }));
  const cf = (stacks: StackInput[]) => stacks.find((s) => s.name.endsWith('-cloudflare'))!;

  it('a disabled Cloudflare load balancer leaves its name to plain DNS records, which are followed', () => {
    const stacks = editableStacks(cloudflareEu);
    const [[, lb]] = resourcesLike(cf(stacks), 'cloudflare_load_balancer', '');
    lb.enabled = false;
    (cf(stacks).json.resource as Record<string, Record<string, Body>>).cloudflare_dns_record.Fallback = {
      zone_id: 'fedcba9876543210fedcba9876543210',
      name: 'inference.example.com',
      type: 'CNAME',
      content: 'us-east-1.origin.inference.example.com',
      proxied: true,
      ttl: 1,
    };
    const v = violations(stacks, 'residency');
    expect(v.map((x) => x.message).join('\n')).toMatch(
      regex(
        /Cloudflare DNS inference.example.com sends client groups "eu: AT, .*" \(jurisdiction eu\) to /,
        /us-east-1 \(jurisdiction us\) in scenario "normal operation"/,
      ),
    );
  });

  it('a pool origin given as an address is unplaced: a possible leak', () => {
    const stacks = editableStacks(cloudflareEu);
    const [[name, pool]] = resourcesLike(cf(stacks), 'cloudflare_load_balancer_pool', 'eu-west-1');
    (pool.origins as Body[])[0].address = '198.51.100.20';
    const v = violations(stacks, 'residency');
    expect(v[0].message).toContain(
      `198.51.100.20 (not placed: origin 198.51.100.20 of cloudflare_load_balancer_pool.${name} is not a ` +
        'regional name of the service)',
    );
  });

  it('session affinity switched on under residency: a session keeps any origin, wherever its client is now', () => {
    const stacks = editableStacks(cloudflareEu);
    const [[, lb]] = resourcesLike(cf(stacks), 'cloudflare_load_balancer', '');
    lb.session_affinity = 'cookie';
    const v = violations(stacks, 'residency');
    const affinity = v.find((x) => x.message.includes('session affinity (cookie)'))!;
    expect(affinity.message).toMatch(
      regex(
        /sends client groups "eu: AT, .*" \(jurisdiction eu\) to (us-east-1|ap-northeast-1) .* as a possible /,
        /landing via session affinity \(cookie\)/,
      ),
    );
    expect(affinity.remedy).toMatch(/^set session_affinity "none" on cloudflare_load_balancer\./);
    lb.session_affinity = 'none';
    expect(violations(stacks, 'residency')).toEqual([]);
  });

  it('a pool origin given as a load balancer DNS name is placed by the region in the name', () => {
    const stacks = editableStacks(cloudflareEu);
    const [[, pool]] = resourcesLike(cf(stacks), 'cloudflare_load_balancer_pool', 'eu-west-1');
    (pool.origins as Body[])[0].address = 'chat-123.us-east-1.elb.amazonaws.com';
    expect(violations(stacks, 'residency')[0].message).toMatch(/to us-east-1 \(jurisdiction us\)/);
  });

  it('a second public zone holding the service name is a front door of its own', () => {
    const stacks = editableStacks(euResidency);
    const stack = aws(stacks);
    records(stack).Shadow = {
      zone_id: 'Z0SECONDZONE',
      name: 'inference.example.com',
      type: 'A',
      alias: { name: albRef(stack, 'us-east-1'), zone_id: 'Z35SXDOTRQ7X7K', evaluate_target_health: true },
    };
    const report = analyzeRouting(stacks);
    expect(report.graph.frontDoors.map((f) => f.id)).toContain('route53:inference.example.com@zone:Z0SECONDZONE');
    expect(
      report.violations.some(
        (x) => x.proof === 'residency' && x.frontDoor === 'Route53 inference.example.com (zone:Z0SECONDZONE)',
      ),
    ).toBe(true);
  });

  it('a wildcard answers an alias to a name that no longer exists', () => {
    const stacks = editableStacks(euResidency);
    const stack = aws(stacks);
    for (const [name] of resourcesLike(stack, 'aws_route53_record', 'Latency-eu-')) delete records(stack)[name];
    records(stack).Wildcard = {
      zone_id: zoneRef(stack),
      name: '*.inference.example.com',
      type: 'A',
      alias: { name: albRef(stack, 'us-east-1'), zone_id: 'Z35SXDOTRQ7X7K', evaluate_target_health: true },
    };
    const v = violations(stacks, 'residency');
    expect(v.map((x) => x.message).join('\n')).toMatch(
      regex(
        /to us-east-1 \(jurisdiction us\) in scenario "normal operation" as the answer; leaking path for "eu: /,
        /AT": .*aws_route53_record.Wildcard \[\*.inference.example.com simple/,
      ),
    );
  });

  it('a record whose name is an expression might answer any name of its zone: fail closed', () => {
    const stacks = editableStacks(euResidency);
    const stack = aws(stacks);
    records(stack).Computed = {
      zone_id: zoneRef(stack),
      name: '${var.service_name}',
      type: 'A',
      alias: { name: albRef(stack, 'us-east-1'), zone_id: 'Z35SXDOTRQ7X7K', evaluate_target_health: true },
    };
    expect(violations(stacks, 'residency')[0].message).toMatch(
      regex(
        /to aws_route53_record.Computed \(not placed: aws_route53_record.Computed might answer this name: its /,
        /name is not known at synth \(\$\{var.service_name\}\)\)/,
      ),
    );
  });

  it(
    'latency is measured, not distance: an always-healthy EU ' + 'record does not keep German clients from a US one',
    () => {
      const stacks = editableStacks(euResidency);
      const stack = aws(stacks);
      const [[, de]] = resourcesLike(stack, 'aws_route53_record', 'Residency-eu-country-DE');
      (de.alias as Body).name = 'de.inference.example.com';
      const [[hc]] = resourcesLike(stack, 'aws_route53_health_check', 'Health-us-east-1_');
      records(stack).DeEu = {
        zone_id: zoneRef(stack),
        name: 'de.inference.example.com',
        type: 'A',
        set_identifier: 'eu',
        latency_routing_policy: { region: 'eu-central-1' },
        alias: { name: albRef(stack, 'eu-central-1'), zone_id: 'Z215JYRZR1TBD5', evaluate_target_health: false },
      };
      records(stack).DeUs = {
        zone_id: zoneRef(stack),
        name: 'de.inference.example.com',
        type: 'A',
        set_identifier: 'us',
        latency_routing_policy: { region: 'us-east-1' },
        health_check_id: `\${aws_route53_health_check.${hc}.id}`,
        alias: { name: albRef(stack, 'us-east-1'), zone_id: 'Z35SXDOTRQ7X7K', evaluate_target_health: true },
      };
      const v = violations(stacks, 'residency');
      expect(v).toHaveLength(1);
      expect(v[0].message).toMatch(
        regex(
          /sends client group "eu: DE" \(jurisdiction eu\) to us-east-1 .* in scenario "normal operation" as /,
          /the answer; .*aws_route53_record.DeUs \[de.inference.example.com latency us-east-1 .*Route53 picks /,
          /the lowest measured latency/,
        ),
      );
    },
  );

  it('a zero-weight record outside the jurisdiction answers once every weighted one is unhealthy', () => {
    const stacks = editableStacks(euResidency);
    const stack = aws(stacks);
    const [[, fr]] = resourcesLike(stack, 'aws_route53_record', 'Residency-eu-country-FR');
    (fr.alias as Body).name = 'fr.inference.example.com';
    const [[hc]] = resourcesLike(stack, 'aws_route53_health_check', 'Health-eu-west-1_');
    records(stack).FrMain = {
      zone_id: zoneRef(stack),
      name: 'fr.inference.example.com',
      type: 'A',
      set_identifier: 'main',
      weighted_routing_policy: { weight: 100 },
      health_check_id: `\${aws_route53_health_check.${hc}.id}`,
      alias: { name: albRef(stack, 'eu-west-1'), zone_id: 'Z32O12XQLNTSW2', evaluate_target_health: true },
    };
    records(stack).FrSpare = {
      zone_id: zoneRef(stack),
      name: 'fr.inference.example.com',
      type: 'A',
      set_identifier: 'spare',
      weighted_routing_policy: { weight: 0 },
      alias: { name: albRef(stack, 'us-east-1'), zone_id: 'Z35SXDOTRQ7X7K', evaluate_target_health: false },
    };
    const v = violations(stacks, 'residency');
    expect(v).toHaveLength(1);
    expect(v[0].message).toMatch(
      regex(
        /sends client group "eu: FR" \(jurisdiction eu\) to us-east-1 .* in scenario "eu-west-1 down" as the /,
        /answer; .*every record with weight > 0 is unhealthy/,
      ),
    );
  });
});
