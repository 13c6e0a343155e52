/**
 * Where clients are: ISO 3166-1 alpha-2 countries with the continent Route53 geolocation matches them to, an
 * approximate centroid (for latency and proximity picks) and the Cloudflare load-balancing region(s) whose data
 * centers usually serve them.
 *
 * Approximations, stated so nobody mistakes them for facts:
 * - Continents follow the GeoIP convention Route53 uses (Russia in Europe; Turkey, Cyprus, the Caucasus in Asia).
 *   Route53 uses its own GeoIP data, so a border country can differ; residency by country (what the `eu` preset
 *   does) does not depend on this table.
 * - Centroids are rough (a degree or two); they only order AWS regions by distance for a client group.
 * - Cloudflare regions: Cloudflare maps a request to the region of the data center that serves it, not to the
 *   client's country. The US and Canada span WNAM and ENAM, so they are analysed once per region.
 */
import type { ContinentCode, CloudflareRegionCode } from '../spec/regions';

/**
 * What the analysis knows of a country: the continent Route53 geolocation matches it to (the GeoIP convention: Russia
 * in Europe, Turkey and Cyprus in Asia), a rough centroid that orders regions by distance for latency and proximity
 * picks, and the Cloudflare regions whose data centers usually serve it. Approximations, not facts: Route53 and
 * Cloudflare use their own data.
 */
export interface CountryInfo {
  /** ISO 3166-1 alpha-2 code, upper case (`DE`). */
  readonly code: string;
  readonly continent: ContinentCode;
  readonly latitude: number;
  readonly longitude: number;
  /** Cloudflare regions serving the country (usually one). */
  readonly cloudflareRegions: readonly CloudflareRegionCode[];
}

/** Approximate centres of Cloudflare's 13 load-balancing regions (the same points lib/cloudflare uses). */
export const CLOUDFLARE_REGION_CENTROIDS: Readonly<
  Record<CloudflareRegionCode, { readonly latitude: number; readonly longitude: number }>
> = {
  WNAM: { latitude: 40, longitude: -115 },
  ENAM: { latitude: 38, longitude: -80 },
  WEU: { latitude: 48, longitude: 5 },
  EEU: { latitude: 52, longitude: 25 },
  NSAM: { latitude: 5, longitude: -70 },
  SSAM: { latitude: -25, longitude: -55 },
  OC: { latitude: -30, longitude: 145 },
  ME: { latitude: 28, longitude: 45 },
  NAF: { latitude: 25, longitude: 15 },
  SAF: { latitude: -20, longitude: 25 },
  SAS: { latitude: 20, longitude: 78 },
  SEAS: { latitude: 5, longitude: 110 },
  NEAS: { latitude: 35, longitude: 125 },
};

// code continent latitude longitude cloudflare-region(s)
const TABLE = `
AD EU 42.5 1.5 WEU|AE AS 24.0 54.0 ME|AF AS 33.0 65.0 SAS|AG NA 17.1 -61.8 NSAM|AI NA 18.2 -63.1 NSAM
AL EU 41.0 20.0 EEU|AM AS 40.0 45.0 ME|AO AF -12.5 18.5 SAF|AQ AN -75.0 0.0 OC|AR SA -34.0 -64.0 SSAM
AS OC -14.3 -170.7 OC|AT EU 47.3 13.3 WEU|AU OC -25.0 134.0 OC|AW NA 12.5 -70.0 NSAM|AX EU 60.1 19.9 EEU
AZ AS 40.5 47.5 ME|BA EU 44.0 18.0 EEU|BB NA 13.2 -59.5 NSAM|BD AS 24.0 90.0 SAS|BE EU 50.8 4.0 WEU
BF AF 13.0 -2.0 NAF|BG EU 43.0 25.0 EEU|BH AS 26.0 50.5 ME|BI AF -3.5 30.0 SAF|BJ AF 9.5 2.3 NAF
BL NA 17.9 -62.8 NSAM|BM NA 32.3 -64.8 ENAM|BN AS 4.5 114.7 SEAS|BO SA -17.0 -65.0 SSAM|BQ NA 12.2 -68.3 NSAM
BR SA -10.0 -55.0 SSAM|BS NA 24.3 -76.0 ENAM|BT AS 27.5 90.5 SAS|BV AN -54.4 3.4 SAF|BW AF -22.0 24.0 SAF
BY EU 53.0 28.0 EEU|BZ NA 17.3 -88.8 NSAM|CA NA 56.0 -106.0 WNAM,ENAM|CC AS -12.2 96.9 OC|CD AF -2.5 23.5 SAF
CF AF 7.0 21.0 NAF|CG AF -1.0 15.0 SAF|CH EU 47.0 8.0 WEU|CI AF 8.0 -5.0 NAF|CK OC -21.2 -159.8 OC
CL SA -30.0 -71.0 SSAM|CM AF 6.0 12.0 NAF|CN AS 35.0 105.0 NEAS|CO SA 4.0 -72.0 NSAM|CR NA 10.0 -84.0 NSAM
CU NA 21.5 -80.0 NSAM|CV AF 16.0 -24.0 NAF|CW NA 12.2 -69.0 NSAM|CX AS -10.5 105.7 OC|CY AS 35.0 33.0 ME
CZ EU 49.8 15.5 EEU|DE EU 51.0 9.0 WEU|DJ AF 11.5 43.0 NAF|DK EU 56.0 10.0 WEU|DM NA 15.4 -61.4 NSAM
DO NA 19.0 -70.7 NSAM|DZ AF 28.0 3.0 NAF|EC SA -2.0 -77.5 NSAM|EE EU 59.0 26.0 EEU|EG AF 27.0 30.0 NAF
EH AF 24.5 -13.0 NAF|ER AF 15.0 39.0 NAF|ES EU 40.0 -4.0 WEU|ET AF 8.0 38.0 NAF|FI EU 64.0 26.0 EEU
FJ OC -18.0 178.0 OC|FK SA -51.8 -59.0 SSAM|FM OC 6.9 158.2 OC|FO EU 62.0 -7.0 WEU|FR EU 46.0 2.0 WEU
GA AF -1.0 11.8 SAF|GB EU 54.0 -2.0 WEU|GD NA 12.1 -61.7 NSAM|GE AS 42.0 43.5 ME|GF SA 4.0 -53.0 NSAM
GG EU 49.5 -2.6 WEU|GH AF 8.0 -2.0 NAF|GI EU 36.1 -5.4 WEU|GL NA 72.0 -40.0 ENAM|GM AF 13.5 -15.5 NAF
GN AF 11.0 -10.0 NAF|GP NA 16.3 -61.6 NSAM|GQ AF 2.0 10.0 NAF|GR EU 39.0 22.0 EEU|GS AN -54.5 -37.0 SSAM
GT NA 15.5 -90.3 NSAM|GU OC 13.4 144.8 OC|GW AF 12.0 -15.0 NAF|GY SA 5.0 -59.0 NSAM|HK AS 22.3 114.2 NEAS
HM AN -53.1 73.5 OC|HN NA 15.0 -86.5 NSAM|HR EU 45.2 15.5 EEU|HT NA 19.0 -72.4 NSAM|HU EU 47.0 20.0 EEU
ID AS -5.0 120.0 SEAS|IE EU 53.0 -8.0 WEU|IL AS 31.5 34.8 ME|IM EU 54.2 -4.5 WEU|IN AS 20.0 77.0 SAS
IO AS -6.0 71.5 SAS|IQ AS 33.0 44.0 ME|IR AS 32.0 53.0 ME|IS EU 65.0 -18.0 WEU|IT EU 42.8 12.8 WEU
JE EU 49.2 -2.1 WEU|JM NA 18.1 -77.3 NSAM|JO AS 31.0 36.0 ME|JP AS 36.0 138.0 NEAS|KE AF 1.0 38.0 SAF
KG AS 41.0 75.0 SAS|KH AS 13.0 105.0 SEAS|KI OC 1.4 173.0 OC|KM AF -12.2 44.3 SAF|KN NA 17.3 -62.7 NSAM
KP AS 40.0 127.0 NEAS|KR AS 37.0 127.5 NEAS|KW AS 29.5 47.8 ME|KY NA 19.5 -80.5 NSAM|KZ AS 48.0 68.0 SAS
LA AS 18.0 105.0 SEAS|LB AS 33.8 35.8 ME|LC NA 13.9 -61.0 NSAM|LI EU 47.2 9.5 WEU|LK AS 7.0 81.0 SAS
LR AF 6.5 -9.5 NAF|LS AF -29.5 28.5 SAF|LT EU 56.0 24.0 EEU|LU EU 49.8 6.2 WEU|LV EU 57.0 25.0 EEU
LY AF 25.0 17.0 NAF|MA AF 32.0 -5.0 NAF|MC EU 43.7 7.4 WEU|MD EU 47.0 29.0 EEU|ME EU 42.5 19.3 EEU
MF NA 18.1 -63.1 NSAM|MG AF -20.0 47.0 SAF|MH OC 9.0 168.0 OC|MK EU 41.8 22.0 EEU|ML AF 17.0 -4.0 NAF
MM AS 22.0 98.0 SEAS|MN AS 46.0 105.0 NEAS|MO AS 22.2 113.5 NEAS|MP OC 15.2 145.8 OC|MQ NA 14.7 -61.0 NSAM
MR AF 20.0 -12.0 NAF|MS NA 16.7 -62.2 NSAM|MT EU 35.9 14.4 WEU|MU AF -20.3 57.6 SAF|MV AS 3.2 73.0 SAS
MW AF -13.5 34.0 SAF|MX NA 23.0 -102.0 WNAM|MY AS 2.5 112.5 SEAS|MZ AF -18.3 35.0 SAF|NA AF -22.0 17.0 SAF
NC OC -21.5 165.5 OC|NE AF 16.0 8.0 NAF|NF OC -29.0 168.0 OC|NG AF 10.0 8.0 NAF|NI NA 13.0 -85.0 NSAM
NL EU 52.5 5.8 WEU|NO EU 62.0 10.0 EEU|NP AS 28.0 84.0 SAS|NR OC -0.5 166.9 OC|NU OC -19.0 -169.9 OC
NZ OC -41.0 174.0 OC|OM AS 21.0 57.0 ME|PA NA 9.0 -80.0 NSAM|PE SA -10.0 -76.0 NSAM|PF OC -15.0 -140.0 OC
PG OC -6.0 147.0 OC|PH AS 13.0 122.0 SEAS|PK AS 30.0 70.0 SAS|PL EU 52.0 20.0 EEU|PM NA 46.8 -56.3 ENAM
PN OC -25.1 -130.1 OC|PR NA 18.2 -66.5 NSAM|PS AS 32.0 35.3 ME|PT EU 39.5 -8.0 WEU|PW OC 7.5 134.5 OC
PY SA -23.0 -58.0 SSAM|QA AS 25.5 51.2 ME|RE AF -21.1 55.6 SAF|RO EU 46.0 25.0 EEU|RS EU 44.0 21.0 EEU
RU EU 56.0 38.0 EEU|RW AF -2.0 30.0 SAF|SA AS 25.0 45.0 ME|SB OC -8.0 159.0 OC|SC AF -4.6 55.5 SAF
SD AF 15.0 30.0 NAF|SE EU 62.0 15.0 EEU|SG AS 1.35 103.8 SEAS|SH AF -15.9 -5.7 SAF|SI EU 46.1 14.8 EEU
SJ EU 78.0 20.0 EEU|SK EU 48.7 19.5 EEU|SL AF 8.5 -11.5 NAF|SM EU 43.9 12.4 WEU|SN AF 14.0 -14.0 NAF
SO AF 10.0 49.0 NAF|SR SA 4.0 -56.0 NSAM|SS AF 7.0 30.0 NAF|ST AF 1.0 7.0 NAF|SV NA 13.8 -88.9 NSAM
SX NA 18.0 -63.1 NSAM|SY AS 35.0 38.0 ME|SZ AF -26.5 31.5 SAF|TC NA 21.8 -71.8 NSAM|TD AF 15.0 19.0 NAF
TF AN -49.3 69.2 SAF|TG AF 8.0 1.2 NAF|TH AS 15.0 100.0 SEAS|TJ AS 39.0 71.0 SAS|TK OC -9.0 -172.0 OC
TL AS -8.8 125.9 SEAS|TM AS 40.0 60.0 SAS|TN AF 34.0 9.0 NAF|TO OC -20.0 -175.0 OC|TR AS 39.0 35.0 ME
TT NA 11.0 -61.0 NSAM|TV OC -8.0 178.0 OC|TW AS 23.5 121.0 NEAS|TZ AF -6.0 35.0 SAF|UA EU 49.0 32.0 EEU
UG AF 1.0 32.0 SAF|UM OC 19.3 166.6 OC|US NA 39.8 -98.6 WNAM,ENAM|UY SA -33.0 -56.0 SSAM|UZ AS 41.0 64.0 SAS
VA EU 41.9 12.45 WEU|VC NA 13.25 -61.2 NSAM|VE SA 8.0 -66.0 NSAM|VG NA 18.4 -64.6 NSAM|VI NA 18.3 -64.9 NSAM
VN AS 16.0 106.0 SEAS|VU OC -16.0 167.0 OC|WF OC -13.3 -176.2 OC|WS OC -13.6 -172.3 OC|YE AS 15.5 48.0 ME
YT AF -12.8 45.2 SAF|ZA AF -29.0 24.0 SAF|ZM AF -15.0 30.0 SAF|ZW AF -19.0 29.0 SAF
`;

function parseTable(table: string): Map<string, CountryInfo> {
  const out = new Map<string, CountryInfo>();
  for (const entry of table
    .split(/[|\n]/)
    .map((s) => s.trim())
    .filter(Boolean)) {
    const [code, continent, lat, lon, regions] = entry.split(/\s+/);
    out.set(code, {
      code,
      continent: continent as ContinentCode,
      latitude: Number(lat),
      longitude: Number(lon),
      cloudflareRegions: regions.split(',') as CloudflareRegionCode[],
    });
  }
  return out;
}

const COUNTRIES = parseTable(TABLE);

/** Every country code in the table, sorted. */
export const COUNTRY_CODES: readonly string[] = [...COUNTRIES.keys()].sort();

/** Facts for a country code, or undefined when the table does not know it. */
export function countryInfo(code: string): CountryInfo | undefined {
  return COUNTRIES.get(code.toUpperCase());
}

/** The continent of a country (Route53 geolocation), or undefined for an unknown code. */
export function continentOf(code: string): ContinentCode | undefined {
  return countryInfo(code)?.continent;
}

/** Countries of a continent, sorted by code. */
export function countriesOf(continent: string): CountryInfo[] {
  return COUNTRY_CODES.map((c) => COUNTRIES.get(c)!).filter((c) => c.continent === continent);
}
