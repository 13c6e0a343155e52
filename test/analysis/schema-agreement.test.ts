/*
 * Schema, proof and provider agree (issue 17 item 6): what the proof must always refuse, or what Cloudflare documents
 * as not working, is refused by the schema first with the reason; overlapping location groups are refused; an
 * external endpoint the spec declares is placed by the proof.
 */
import { App, TerraformStack } from '../../lib/util/cdktf';
import { Route53Record } from '@cdktf/provider-aws/lib/route53-record';
import { analyzeRouting } from '../../lib/analysis/analyze';
import { declareExternalEndpoint } from '../../lib/analysis/external-endpoints';
import { parseSpec } from '../../lib/spec/load';
import type { GlobalInferenceSpecInput } from '../../lib/spec/schema';
import { addGlobalInferenceStacks, proofOptionsFor } from '../../stacks/global-inference-stacks';
import { errorOf } from '../support/synth';
import { minimalSpec } from '../support/specs';
import { regex } from '../support/regex';

const cloudflare = { accountId: '0'.repeat(32), zoneId: '1'.repeat(32), plan: 'enterprise' as const };
const residencySpec = (extra: Partial<GlobalInferenceSpecInput> = {}): GlobalInferenceSpecInput =>
  minimalSpec({
    regions: [
      { region: 'us-east-1', instanceType: 'g6e.xlarge', capacity: { min: 1, max: 2 }, jurisdiction: 'us' },
      { region: 'eu-west-1', instanceType: 'g6e.xlarge', capacity: { min: 1, max: 2 }, jurisdiction: 'eu' },
      { region: 'eu-central-1', instanceType: 'g6e.xlarge', capacity: { min: 1, max: 2 }, jurisdiction: 'eu' },
    ],
    residency: { eu: { preset: 'eu' } },
    ...extra,
  });

describe('the debug pin (a Cloudflare custom rule) and geo steering', () => {
  it('is refused under residency, with the reason Cloudflare documents, even limited to operator networks', () => {
    const message = errorOf(() =>
      parseSpec(
        residencySpec({
          frontDoor: 'cloudflare',
          cloudflare: { ...cloudflare, debugPin: { regions: ['eu-west-1'], sourceCidrs: ['203.0.113.0/24'] } },
        }),
      ),
    );
    expect(message).toContain(
      'cloudflare.debugPin: cannot be used with geo steering (residency eu needs it): the pin is a ' +
        'load-balancing custom rule, and Cloudflare documents custom rules as incompatible with geo steering',
    );
  });

  it('is refused with explicit geo steering, and accepted with another steering and no residency', () => {
    const regions = minimalSpec().regions;
    expect(
      errorOf(() =>
        parseSpec(
          minimalSpec({
            frontDoor: 'cloudflare',
            cloudflare: { ...cloudflare, steering: 'geo', debugPin: { regions: ['us-east-1'] } },
          }),
        ),
      ),
    ).toContain('cloudflare.debugPin: cannot be used with geo steering:');
    const spec = parseSpec(
      minimalSpec({
        regions,
        frontDoor: 'cloudflare',
        cloudflare: { ...cloudflare, steering: 'dynamic_latency', debugPin: { regions: ['us-east-1'] } },
      }),
    );
    expect(spec.cloudflare?.debugPin?.regions).toEqual(['us-east-1']);
  });
});

describe('overlapping location groups', () => {
  it('refuses a country of one residency group inside a continent another binds', () => {
    const message = errorOf(() =>
      parseSpec(
        minimalSpec({
          residency: { eu: { countries: ['DE'] }, us: { continents: ['EU'] } },
        }),
      ),
    );
    expect(message).toContain(
      "residency.eu.countries: lies in continent EU, which residency group 'us' binds: a client there would " +
        'belong to two jurisdictions; bind DE in one group only',
    );
  });

  it('refuses a geolocation group whose country lies in a residency continent, and the other way round', () => {
    const geo = (group: Record<string, unknown>) => ({
      mode: 'geolocation' as const,
      geolocation: { groups: [{ name: 'g', regions: ['us-east-1'], ...group }] },
    });
    expect(
      errorOf(() =>
        parseSpec(minimalSpec({ residency: { eu: { continents: ['EU'] } }, routing: geo({ countries: ['DE'] }) })),
      ),
    ).toContain("group 'g' claims country DE (in continent EU), which residency group 'eu' already binds");
    expect(
      errorOf(() =>
        parseSpec(minimalSpec({ residency: { eu: { countries: ['FR'] } }, routing: geo({ continents: ['EU'] }) })),
      ),
    ).toContain("group 'g' claims continent EU (holding country FR)");
  });

  it('refuses a country in one geolocation group inside another group’s continent', () => {
    const message = errorOf(() =>
      parseSpec(
        minimalSpec({
          routing: {
            mode: 'geolocation',
            geolocation: {
              groups: [
                { name: 'europe', continents: ['EU'], regions: ['eu-west-1'] },
                { name: 'germany', countries: ['DE'], regions: ['us-east-1'] },
              ],
            },
          },
        }),
      ),
    );
    expect(message).toContain("routing.geolocation.groups[1].countries: DE lies in a continent of group 'europe'");
  });
});

describe('external endpoints', () => {
  it('refuses a declaration in a jurisdiction the spec does not know, and a name declared twice', () => {
    const message = errorOf(() =>
      parseSpec(
        residencySpec({
          externalEndpoints: [
            { name: 'partner.example.net', jurisdiction: 'ch', failoverSeconds: 30 },
            { name: 'partner.example.net', jurisdiction: 'eu', failoverSeconds: 30 },
          ],
        }),
      ),
    );
    expect(message).toContain(
      "externalEndpoints[0].jurisdiction: must be a jurisdiction of the spec (eu, none, us); 'none' for an " +
        'endpoint in no jurisdiction',
    );
    expect(message).toContain('externalEndpoints[1].name: duplicate external endpoint (also at index 0)');
  });

  /** The eu-residency deployment plus an escape hatch: DE clients sent to a partner endpoint. */
  function withPartner(spec: GlobalInferenceSpecInput, declareInConstruct = false): App {
    const app = new App({ outdir: '/nonexistent' });
    const { aws, service } = addGlobalInferenceStacks(app, parseSpec(spec), { proofs: false, policy: false });
    new Route53Record(aws, 'PartnerDE', {
      zoneId: service.zone.zoneId,
      name: service.routingDomain,
      type: 'CNAME',
      ttl: 60,
      records: ['eu.partner.example.net'],
      setIdentifier: 'partner-de',
      geolocationRoutingPolicy: { country: 'DE' },
    });
    if (declareInConstruct)
      declareExternalEndpoint(aws, { name: 'eu.partner.example.net', jurisdiction: 'eu', failoverSeconds: 45 });
    return app;
  }

  it('an undeclared partner target is refused by residency and failover time; declared in the spec, it passes', () => {
    const refused = analyzeRouting(withPartner(residencySpec()));
    expect(refused.violations.map((v) => v.proof).sort()).toEqual(['failover-time', 'residency']);
    expect(refused.violations.find((v) => v.proof === 'residency')!.message).toMatch(
      regex(
        /sends client group "eu: DE" \(jurisdiction eu\) to eu.partner.example.net \(not placed: /,
        /aws_route53_record.PartnerDE points to eu.partner.example.net, which is outside the stacks\)/,
      ),
    );
    const spec = parseSpec(
      residencySpec({
        externalEndpoints: [{ name: 'eu.partner.example.net', jurisdiction: 'eu', failoverSeconds: 45 }],
      }),
    );
    const accepted = analyzeRouting(withPartner(spec), proofOptionsFor(spec));
    expect(accepted.violations).toEqual([]);
    expect(accepted.failoverPaths.find((p) => p.region === 'eu.partner.example.net')).toMatchObject({
      seconds: 45,
      breakdown: expect.stringMatching(/declared to fail over within 45 s \(spec externalEndpoints/),
    });
  });

  it('can be declared at construct level, validated like the spec', () => {
    expect(analyzeRouting(withPartner(residencySpec(), true)).violations).toEqual([]);
    const stack = new TerraformStack(new App({ outdir: '/nonexistent' }), 's');
    expect(
      errorOf(() => declareExternalEndpoint(stack, { name: 'Not A Name', jurisdiction: 'eu', failoverSeconds: 0 })),
    ).toMatch(
      regex(
        /declareExternalEndpoint in 's' is invalid \(2 problems\)[\s\S]*name: must be the DNS /,
        /name[\s\S]*failoverSeconds: must be > 0/,
      ),
    );
  });
});
