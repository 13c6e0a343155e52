import type { CloudflareRegionCode } from '../spec/regions';
import { greatCircleKm } from '../util/geo';

export { greatCircleKm };

/**
 * Facts about Cloudflare's 13 load-balancing regions that routing needs at synth time.
 *
 * Centroids are approximate (a point inside the area each region covers, 2026-11); the library only uses them to
 * order pools by distance, where a few hundred kilometres do not change the order of AWS regions.
 */
export const CLOUDFLARE_REGIONS: Readonly<
  Record<CloudflareRegionCode, { readonly name: string; readonly latitude: number; readonly longitude: number }>
> = {
  WNAM: { name: 'Western North America', latitude: 40, longitude: -115 },
  ENAM: { name: 'Eastern North America', latitude: 38, longitude: -80 },
  WEU: { name: 'Western Europe', latitude: 48, longitude: 5 },
  EEU: { name: 'Eastern Europe', latitude: 52, longitude: 25 },
  NSAM: { name: 'Northern South America', latitude: 5, longitude: -70 },
  SSAM: { name: 'Southern South America', latitude: -25, longitude: -55 },
  OC: { name: 'Oceania', latitude: -30, longitude: 145 },
  ME: { name: 'Middle East', latitude: 28, longitude: 45 },
  NAF: { name: 'Northern Africa', latitude: 25, longitude: 15 },
  SAF: { name: 'Southern Africa', latitude: -20, longitude: 25 },
  SAS: { name: 'Southern Asia', latitude: 20, longitude: 78 },
  SEAS: { name: 'Southeast Asia', latitude: 5, longitude: 110 },
  NEAS: { name: 'Northeast Asia', latitude: 35, longitude: 125 },
};

/** Every Cloudflare region code, in a fixed order. */
export const CLOUDFLARE_REGION_LIST = Object.keys(CLOUDFLARE_REGIONS) as CloudflareRegionCode[];

/**
 * Cloudflare regions that make up each continent, for residency groups declared by continent. A region is where the
 * Cloudflare data center serving the request is, not where the client is, so a continent maps to its regions only
 * approximately (a client served by a data center in another region is not caught). Residency by country is exact:
 * list countries when it matters. Antarctica has no Cloudflare region.
 */
export const CONTINENT_CLOUDFLARE_REGIONS: Readonly<Record<string, readonly CloudflareRegionCode[]>> = {
  AF: ['NAF', 'SAF'],
  AN: [],
  AS: ['ME', 'SAS', 'SEAS', 'NEAS'],
  EU: ['WEU', 'EEU'],
  NA: ['WNAM', 'ENAM'],
  OC: ['OC'],
  SA: ['NSAM', 'SSAM'],
};
