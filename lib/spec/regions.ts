import { greatCircleKm } from '../util/geo';

/**
 * Static facts about AWS regions that the library needs at synth time without data sources
 * (so synthesized stacks stay plannable offline).
 *
 * Availability zones are given as zone *ids* (`use1-az1`), not names (`us-east-1a`): names are mapped
 * per account, ids are the same physical zone in every account. GPU families are not offered in every
 * zone; when a fleet fails to launch, pass the zones that have your instance type explicitly
 * (`regions[].network.availabilityZoneIds`).
 *
 * Data as of 2026-11. Coordinates are the approximate metro of each region (for proximity steering).
 */

/** A continent code as Route53 geolocation uses it. */
export type ContinentCode = 'AF' | 'AN' | 'AS' | 'EU' | 'OC' | 'NA' | 'SA';

/** A Cloudflare load-balancing region code (pool `check_regions`, load balancer `region_pools`). */
export type CloudflareRegionCode =
  | 'WNAM'
  | 'ENAM'
  | 'WEU'
  | 'EEU'
  | 'NSAM'
  | 'SSAM'
  | 'OC'
  | 'ME'
  | 'NAF'
  | 'SAF'
  | 'SAS'
  | 'SEAS'
  | 'NEAS';

/** What the library knows about one AWS region. */
export interface RegionInfo {
  /** AWS region code, e.g. `us-east-1`. */
  readonly code: string;
  /** Human name. */
  readonly name: string;
  /** Continent, for geolocation defaults and analysis. */
  readonly continent: ContinentCode;
  /** ISO 3166-1 alpha-2 country of the region. */
  readonly country: string;
  readonly latitude: number;
  readonly longitude: number;
  /** Availability zone ids, at least two (an ALB needs two zones). */
  readonly availabilityZoneIds: readonly string[];
  /** The Cloudflare region this AWS region sits in. */
  readonly cloudflareRegion: CloudflareRegionCode;
}

function region(
  code: string,
  name: string,
  continent: ContinentCode,
  country: string,
  latitude: number,
  longitude: number,
  azIds: string,
  cloudflareRegion: CloudflareRegionCode,
): RegionInfo {
  return {
    code,
    name,
    continent,
    country,
    latitude,
    longitude,
    availabilityZoneIds: azIds.split(' '),
    cloudflareRegion,
  };
}

/** Every AWS region the library knows: code, name, continent, country, coordinates, zones, Cloudflare region. */
export const AWS_REGIONS: readonly RegionInfo[] = [
  region('us-east-1', 'US East (N. Virginia)', 'NA', 'US', 38.9, -77.4, 'use1-az1 use1-az2 use1-az4', 'ENAM'),
  region('us-east-2', 'US East (Ohio)', 'NA', 'US', 40.0, -83.0, 'use2-az1 use2-az2 use2-az3', 'ENAM'),
  region('us-west-1', 'US West (N. California)', 'NA', 'US', 37.4, -121.9, 'usw1-az1 usw1-az3', 'WNAM'),
  region('us-west-2', 'US West (Oregon)', 'NA', 'US', 45.8, -119.7, 'usw2-az1 usw2-az2 usw2-az3', 'WNAM'),
  region('ca-central-1', 'Canada (Central)', 'NA', 'CA', 45.5, -73.6, 'cac1-az1 cac1-az2 cac1-az4', 'ENAM'),
  region('ca-west-1', 'Canada West (Calgary)', 'NA', 'CA', 51.0, -114.1, 'caw1-az1 caw1-az2 caw1-az3', 'WNAM'),
  region('mx-central-1', 'Mexico (Central)', 'NA', 'MX', 20.6, -100.4, 'mxc1-az1 mxc1-az2 mxc1-az3', 'WNAM'),
  region('sa-east-1', 'South America (Sao Paulo)', 'SA', 'BR', -23.5, -46.6, 'sae1-az1 sae1-az2 sae1-az3', 'SSAM'),
  region('eu-west-1', 'Europe (Ireland)', 'EU', 'IE', 53.3, -6.3, 'euw1-az1 euw1-az2 euw1-az3', 'WEU'),
  region('eu-west-2', 'Europe (London)', 'EU', 'GB', 51.5, -0.1, 'euw2-az1 euw2-az2 euw2-az3', 'WEU'),
  region('eu-west-3', 'Europe (Paris)', 'EU', 'FR', 48.9, 2.4, 'euw3-az1 euw3-az2 euw3-az3', 'WEU'),
  region('eu-central-1', 'Europe (Frankfurt)', 'EU', 'DE', 50.1, 8.7, 'euc1-az1 euc1-az2 euc1-az3', 'WEU'),
  region('eu-central-2', 'Europe (Zurich)', 'EU', 'CH', 47.4, 8.5, 'euc2-az1 euc2-az2 euc2-az3', 'WEU'),
  region('eu-north-1', 'Europe (Stockholm)', 'EU', 'SE', 59.3, 18.1, 'eun1-az1 eun1-az2 eun1-az3', 'EEU'),
  region('eu-south-1', 'Europe (Milan)', 'EU', 'IT', 45.5, 9.2, 'eus1-az1 eus1-az2 eus1-az3', 'WEU'),
  region('eu-south-2', 'Europe (Spain)', 'EU', 'ES', 41.6, -0.9, 'eus2-az1 eus2-az2 eus2-az3', 'WEU'),
  region('il-central-1', 'Israel (Tel Aviv)', 'AS', 'IL', 32.1, 34.8, 'ilc1-az1 ilc1-az2 ilc1-az3', 'ME'),
  region('me-south-1', 'Middle East (Bahrain)', 'AS', 'BH', 26.1, 50.6, 'mes1-az1 mes1-az2 mes1-az3', 'ME'),
  region('me-central-1', 'Middle East (UAE)', 'AS', 'AE', 25.2, 55.3, 'mec1-az1 mec1-az2 mec1-az3', 'ME'),
  region('af-south-1', 'Africa (Cape Town)', 'AF', 'ZA', -33.9, 18.4, 'afs1-az1 afs1-az2 afs1-az3', 'SAF'),
  region('ap-south-1', 'Asia Pacific (Mumbai)', 'AS', 'IN', 19.1, 72.9, 'aps1-az1 aps1-az2 aps1-az3', 'SAS'),
  region('ap-south-2', 'Asia Pacific (Hyderabad)', 'AS', 'IN', 17.4, 78.5, 'aps2-az1 aps2-az2 aps2-az3', 'SAS'),
  region('ap-east-1', 'Asia Pacific (Hong Kong)', 'AS', 'HK', 22.3, 114.2, 'ape1-az1 ape1-az2 ape1-az3', 'NEAS'),
  region('ap-east-2', 'Asia Pacific (Taipei)', 'AS', 'TW', 25.0, 121.6, 'ape2-az1 ape2-az2 ape2-az3', 'NEAS'),
  region('ap-northeast-1', 'Asia Pacific (Tokyo)', 'AS', 'JP', 35.7, 139.7, 'apne1-az1 apne1-az2 apne1-az4', 'NEAS'),
  region('ap-northeast-2', 'Asia Pacific (Seoul)', 'AS', 'KR', 37.6, 127.0, 'apne2-az1 apne2-az2 apne2-az3', 'NEAS'),
  region('ap-northeast-3', 'Asia Pacific (Osaka)', 'AS', 'JP', 34.7, 135.5, 'apne3-az1 apne3-az2 apne3-az3', 'NEAS'),
  region('ap-southeast-1', 'Asia Pacific (Singapore)', 'AS', 'SG', 1.3, 103.8, 'apse1-az1 apse1-az2 apse1-az3', 'SEAS'),
  region('ap-southeast-2', 'Asia Pacific (Sydney)', 'OC', 'AU', -33.9, 151.2, 'apse2-az1 apse2-az2 apse2-az3', 'OC'),
  region('ap-southeast-3', 'Asia Pacific (Jakarta)', 'AS', 'ID', -6.2, 106.8, 'apse3-az1 apse3-az2 apse3-az3', 'SEAS'),
  region('ap-southeast-4', 'Asia Pacific (Melbourne)', 'OC', 'AU', -37.8, 145.0, 'apse4-az1 apse4-az2 apse4-az3', 'OC'),
  region('ap-southeast-5', 'Asia Pacific (Malaysia)', 'AS', 'MY', 3.1, 101.7, 'apse5-az1 apse5-az2 apse5-az3', 'SEAS'),
  region('ap-southeast-7', 'Asia Pacific (Thailand)', 'AS', 'TH', 13.8, 100.5, 'apse7-az1 apse7-az2 apse7-az3', 'SEAS'),
];

const BY_CODE = new Map(AWS_REGIONS.map((r) => [r.code, r]));

/** Every region code the library knows, in table order. */
export const AWS_REGION_CODES: readonly string[] = AWS_REGIONS.map((r) => r.code);

/** The facts for one region; throws for an unknown code (the spec schema and the constructs reject those earlier). */
export function regionInfo(code: string): RegionInfo {
  const info = BY_CODE.get(code);
  if (!info) {
    throw new Error(`unknown AWS region '${code}'. Known regions: ${AWS_REGION_CODES.join(', ')}`);
  }
  return info;
}

/** Whether `code` is an AWS region code the library knows (one of {@link AWS_REGIONS}). */
export function isKnownRegion(code: string): boolean {
  return BY_CODE.has(code);
}

/** The longest region code (for limits on names derived from region codes). */
export const LONGEST_REGION_CODE = AWS_REGION_CODES.reduce((a, b) => (b.length > a.length ? b : a));

/** The zone-id prefix of a region (`use1` for us-east-1): every zone id of the region starts with it. */
export function zoneIdPrefix(code: string): string {
  return regionInfo(code).availabilityZoneIds[0].replace(/-az\d+$/, '');
}

/**
 * Problems of availability zone ids for a VPC in `region`: each must be a zone of that region (its id starts with
 * the region's zone prefix, e.g. use1- for us-east-1) and appear once. Unknown regions are reported elsewhere.
 */
export function zoneIdProblems(
  region: string,
  zones: readonly unknown[],
): { path: PropertyKey[]; input: unknown; message: string }[] {
  if (!isKnownRegion(region)) return [];
  const prefix = zoneIdPrefix(region);
  const problems: { path: PropertyKey[]; input: unknown; message: string }[] = [];
  zones.forEach((zone, i) => {
    if (typeof zone === 'string' && /^[a-z]{2,6}\d-az\d{1,2}$/.test(zone) && !zone.startsWith(`${prefix}-`)) {
      problems.push({
        path: [i],
        input: zone,
        message:
          `must be a zone of ${region} (its zone ids start with ${prefix}-, such as ` +
          `${regionInfo(region).availabilityZoneIds[0]})`,
      });
    }
  });
  return problems;
}

/** Great-circle distance between two regions' metros, in km. */
export function distanceKm(a: string, b: string): number {
  return greatCircleKm(regionInfo(a), regionInfo(b));
}

/** The `count` candidates nearest to `region` (ties broken by code, so the choice is stable). */
export function nearestRegions(region: string, candidates: readonly string[], count: number): string[] {
  return [...candidates]
    .sort((a, b) => distanceKm(region, a) - distanceKm(region, b) || a.localeCompare(b))
    .slice(0, count);
}
