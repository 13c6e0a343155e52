import { z } from 'zod';
import { describeValue } from '../spec/errors';
import { dnsName, isInZone, route53ZoneId } from '../spec/fields';
import { awsRegion } from '../spec/schema';
import { isToken, joinPath, type PropsChecker } from '../util/validate';

export { propsObject } from '../util/validate';

/*
 * Checks the AWS constructs share for props that are references to other things (a hosted zone, an endpoint): the
 * spec's rules (zone id pattern, DNS names, region codes) from lib/spec/fields, literal parts checked, tokens
 * (references) accepted where a value may be one. Every check reports into a PropsChecker, never throws.
 */

/** The value as an object to read from, or undefined (after reporting) when it is missing or not an object. */
export function objectProp<T extends object>(
  checker: PropsChecker,
  value: T | undefined,
  path: string,
  what: string,
): T | undefined {
  if (isPlainObject(value)) return value;
  checker.add([
    {
      path,
      message: value === undefined || value === null ? `is required (${what})` : `must be ${what}`,
      received: value === undefined ? undefined : describeValue(value),
    },
  ]);
  return undefined;
}

/** A Route53 zone as IHostedZone: zoneId a zone id (or a reference), zoneName a DNS name (or a reference). */
export function checkHostedZone(
  checker: PropsChecker,
  zone: unknown,
  path: string,
): { zoneId: unknown; zoneName: unknown } | undefined {
  const value = objectProp(
    checker,
    zone as object | undefined,
    path || '(zone)',
    'a hosted zone, such as InferenceHostedZone.fromZoneId(id, name)',
  ) as { zoneId?: unknown; zoneName?: unknown } | undefined;
  if (!value) return undefined;
  checker.check(route53ZoneId, value.zoneId, joinPath(path, 'zoneId'));
  // zoneId/zoneName only: a zone may be a construct, whose other properties are no props.
  checker.check(
    dnsName,
    typeof value.zoneName === 'string' && !isToken(value.zoneName) ? value.zoneName.replace(/\.$/, '') : value.zoneName,
    joinPath(path, 'zoneName'),
  );
  return { zoneId: value.zoneId, zoneName: value.zoneName };
}

/** A record name or domain must lie in its zone (both literal): Route53 refuses a record outside the zone. */
export function checkInZone(checker: PropsChecker, name: unknown, zoneName: unknown, path: string): void {
  if (typeof name !== 'string' || typeof zoneName !== 'string' || isToken(name) || isToken(zoneName)) return;
  if (!dnsName.safeParse(zoneName.replace(/\.$/, '')).success) return;
  if (!isInZone(name, zoneName)) {
    checker.add([
      {
        path,
        message:
          `must be in the zone ${zoneName.replace(/\.$/, '')} (the zone's name or a name under it); Route53 ` +
          'refuses a record outside its zone',
        received: describeValue(name),
      },
    ]);
  }
}

/** What routing constructs read from an IInferenceEndpoint: the region (a literal) and the ALB's alias target. */
const EndpointRefSchema = z.looseObject({
  region: awsRegion,
  albDnsName: z.string({
    error: (issue) =>
      issue.input === undefined
        ? 'is required (text: the DNS name of the ALB)'
        : 'must be text: the DNS name of the ALB',
  }),
  albZoneId: route53ZoneId,
});

/** An endpoint prop: an object with a literal region code and the ALB's DNS name and zone id (references accepted). */
export function checkEndpointRef(checker: PropsChecker, endpoint: unknown, path: string): boolean {
  const value = objectProp(
    checker,
    endpoint as object | undefined,
    path,
    'an endpoint: a GpuInferenceEndpoint or InferenceEndpointRef.fromAttributes(...)',
  ) as { region?: unknown; albDnsName?: unknown; albZoneId?: unknown } | undefined;
  if (!value) return false;
  checker.literal(awsRegion, value.region, `${path}.region`);
  // Only the fields read here (an endpoint may be a construct, whose other properties are no props).
  checker.check(
    EndpointRefSchema.omit({ region: true }),
    { albDnsName: value.albDnsName, albZoneId: value.albZoneId },
    path,
  );
  return typeof value.region === 'string';
}

function isPlainObject<T>(value: T | undefined): value is T & object {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
