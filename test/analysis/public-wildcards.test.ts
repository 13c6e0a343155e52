/*
 * A CNAME target is resolved by the world's resolvers through public DNS: which public zone answers depends on
 * delegation the stacks may not show. A covering public zone whose wildcard would answer the target is a possible
 * answer too (before: only the zone holding the name was read, and a wildcard elsewhere was never seen).
 */
import { analyzeRouting } from '../../lib/analysis/analyze';
import { albDns, DOMAIN, intent, key, StackBuilder } from './fixtures';

const EU = 'eu-west-1';
const US = 'us-east-1';

function stack(parentWildcard: boolean) {
  const b = new StackBuilder()
    .region(EU)
    .region(US)
    .withIntent(intent({ [EU]: 'eu', [US]: null }, { eu: { countries: ['DE'] } }));
  b.add('aws_route53_record', 'Germany', {
    zone_id: '${aws_route53_zone.Zone.zone_id}',
    name: DOMAIN,
    type: 'CNAME',
    ttl: 60,
    set_identifier: 'de',
    geolocation_routing_policy: { country: 'DE' },
    records: [`${EU}.origin.example.net`],
  });
  b.add('aws_route53_record', 'Default', {
    zone_id: '${aws_route53_zone.Zone.zone_id}',
    name: DOMAIN,
    type: 'CNAME',
    ttl: 60,
    set_identifier: 'default',
    geolocation_routing_policy: { country: '*' },
    records: [`${EU}.origin.example.net`],
  });
  // The CNAME target lives in a zone of its own; its parent zone (not covering the service name) has a wildcard.
  b.add('aws_route53_zone', 'Origins', { name: 'origin.example.net' });
  b.add('aws_route53_record', 'OriginEu', {
    zone_id: '${aws_route53_zone.Origins.zone_id}',
    name: `${EU}.origin.example.net`,
    type: 'A',
    alias: { name: albDns(EU), zone_id: `\${aws_lb.Lb_${key(EU)}.zone_id}`, evaluate_target_health: false },
  });
  b.add('aws_route53_zone', 'Parent', { name: 'example.net' });
  if (parentWildcard) {
    b.add('aws_route53_record', 'Wildcard', {
      zone_id: '${aws_route53_zone.Parent.zone_id}',
      name: '*.example.net',
      type: 'A',
      alias: { name: albDns(US), zone_id: `\${aws_lb.Lb_${key(US)}.zone_id}`, evaluate_target_health: false },
    });
  }
  return b.build();
}

const residency = (parentWildcard: boolean) =>
  analyzeRouting([stack(parentWildcard)], { proofs: ['residency'] }).violations.filter((v) => v.proof === 'residency');

test(
  'control: without a wildcard in the parent zone, DE resolves ' + 'the CNAME target in the zone that holds it (EU)',
  () => {
    expect(residency(false)).toEqual([]);
  },
);

test('a wildcard in a covering public zone may answer the CNAME target: a possible leak to us-east-1', () => {
  const v = residency(true);
  expect(v.length).toBeGreaterThan(0);
  expect(v.map((x) => x.message).join('\n')).toContain(US);
});
