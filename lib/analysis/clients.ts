/*
 * Client groups: every population the routing can tell apart. Each jurisdiction's countries one by one (so a hand
 * edit of one country's record is caught), every location a record or pool mapping names, and one "rest of"
 * group per (continent, Cloudflare region) for clients that no specific mapping names.
 */
import type { ContinentCode, CloudflareRegionCode } from '../spec/regions';
import { CLOUDFLARE_REGION_CENTROIDS, countriesOf, countryInfo, type CountryInfo } from './countries';
import type { ClientGroup, LocationKeys, ServiceIntent } from './model';

const CONTINENTS: readonly ContinentCode[] = ['AF', 'AN', 'AS', 'EU', 'NA', 'OC', 'SA'];

/** Derives the client groups from the intent's residency and the locations the front doors distinguish. */
export function deriveClientGroups(intent: ServiceIntent, locations: readonly LocationKeys[]): ClientGroup[] {
  const residencyCountry = new Map<string, string>();
  const residencyContinent = new Map<string, string>();
  for (const [j, group] of Object.entries(intent.residency)) {
    for (const c of group.countries) if (!residencyCountry.has(c)) residencyCountry.set(c, j);
    for (const c of group.continents) if (!residencyContinent.has(c)) residencyContinent.set(c, j);
  }
  const jurisdictionOf = (country: string | undefined, continent: string) =>
    (country && residencyCountry.get(country)) ?? residencyContinent.get(continent);

  const named = new Set<string>();
  const subdivisions: { country: string; subdivision: string }[] = [];
  for (const l of locations) {
    l.countries.forEach((c) => named.add(c.toUpperCase()));
    subdivisions.push(...l.subdivisions);
  }
  for (const c of residencyCountry.keys()) named.add(c);

  const groups = new Map<string, ClientGroup>();
  const add = (g: ClientGroup) => {
    if (!groups.has(g.id)) groups.set(g.id, g);
  };

  // Named countries, once per Cloudflare region serving them.
  for (const code of [...named].sort()) {
    const info = countryInfo(code);
    if (!info) continue;
    for (const g of countryGroups(info, jurisdictionOf(code, info.continent))) add(g);
  }
  for (const s of subdivisions) {
    const info = countryInfo(s.country);
    if (!info) continue;
    for (const g of countryGroups(info, jurisdictionOf(s.country, info.continent), s.subdivision)) add(g);
  }
  // Everyone else, per continent and Cloudflare region.
  for (const continent of CONTINENTS) {
    const members = countriesOf(continent).filter((c) => !named.has(c.code));
    const byRegion = new Map<CloudflareRegionCode, CountryInfo[]>();
    for (const c of members) for (const r of c.cloudflareRegions) byRegion.set(r, [...(byRegion.get(r) ?? []), c]);
    for (const [region, countries] of [...byRegion].sort(([a], [b]) => a.localeCompare(b))) {
      const j = residencyContinent.get(continent);
      const point = centroid(countries);
      add({
        id: `${j ? `${j}:` : ''}rest:${continent}@${region}`,
        label: `${j ? `${j}: ` : ''}rest of ${continent} (${region})`,
        kind: j ? 'residency' : 'elsewhere',
        jurisdiction: j,
        continent,
        cloudflareRegion: region,
        latitude: point.latitude,
        longitude: point.longitude,
      });
    }
  }
  return [...groups.values()];
}

function countryGroups(info: CountryInfo, jurisdiction: string | undefined, subdivision?: string): ClientGroup[] {
  const split = info.cloudflareRegions.length > 1;
  return info.cloudflareRegions.map((region) => {
    // A country served by several Cloudflare regions is placed at each region's centre (e.g. US west and east).
    const point = split ? CLOUDFLARE_REGION_CENTROIDS[region] : info;
    const name = subdivision ? `${info.code}-${subdivision}` : info.code;
    const suffix = split ? `@${region}` : '';
    return {
      id: `${jurisdiction ? `${jurisdiction}:` : 'loc:'}${name}${suffix}`,
      label: `${jurisdiction ? `${jurisdiction}: ` : ''}${name}${split ? ` (${region})` : ''}`,
      kind: jurisdiction ? ('residency' as const) : ('location' as const),
      jurisdiction,
      country: info.code,
      subdivision,
      continent: info.continent,
      cloudflareRegion: region,
      latitude: point.latitude,
      longitude: point.longitude,
    };
  });
}

function centroid(countries: readonly CountryInfo[]): { latitude: number; longitude: number } {
  if (countries.length === 0) return { latitude: 0, longitude: 0 };
  // Mean of unit vectors, so a group straddling the antimeridian (Oceania) is not placed in Africa.
  let x = 0;
  let y = 0;
  let z = 0;
  const rad = Math.PI / 180;
  for (const c of countries) {
    x += Math.cos(c.latitude * rad) * Math.cos(c.longitude * rad);
    y += Math.cos(c.latitude * rad) * Math.sin(c.longitude * rad);
    z += Math.sin(c.latitude * rad);
  }
  return { latitude: Math.atan2(z, Math.hypot(x, y)) / rad, longitude: Math.atan2(y, x) / rad };
}
