import { z } from 'zod';
import { continentOf } from '../analysis/countries';

/** Continent codes as Route53 geolocation uses them. */
export const CONTINENT_CODES = ['AF', 'AN', 'AS', 'EU', 'NA', 'OC', 'SA'] as const;
/** A continent code as Route53 geolocation uses it. */
export type Continent = (typeof CONTINENT_CODES)[number];

/** The 27 member states of the European Union (ISO 3166-1 alpha-2), as of 2026-11. */
export const EU_COUNTRIES = [
  'AT',
  'BE',
  'BG',
  'HR',
  'CY',
  'CZ',
  'DK',
  'EE',
  'FI',
  'FR',
  'DE',
  'GR',
  'HU',
  'IE',
  'IT',
  'LV',
  'LT',
  'LU',
  'MT',
  'NL',
  'PL',
  'PT',
  'RO',
  'SK',
  'SI',
  'ES',
  'SE',
] as const;
/** The European Economic Area: the EU plus Iceland, Liechtenstein and Norway. */
export const EEA_COUNTRIES = [...EU_COUNTRIES, 'IS', 'LI', 'NO'] as const;

/** Named country sets a residency group can start from. */
export const COUNTRY_PRESETS = { eu: EU_COUNTRIES, eea: EEA_COUNTRIES } as const;

/**
 * An assigned ISO 3166-1 alpha-2 country code (what Route53 geolocation and Cloudflare country pools accept): `ZZ`
 * has the right shape and is refused at apply.
 */
export const countryCode = z
  .string()
  .regex(/^[A-Z]{2}$/, 'must be an ISO 3166-1 alpha-2 country code in capitals, such as DE')
  .refine(
    (code) => !/^[A-Z]{2}$/.test(code) || isCountryCode(code),
    'is not an assigned ISO 3166-1 alpha-2 country code (Route53 and Cloudflare refuse it); use one such as DE',
  );

/** Whether a code is an assigned ISO 3166-1 alpha-2 country code. */
export function isCountryCode(code: string): boolean {
  return continentOf(code) !== undefined;
}

/**
 * Which clients belong to a jurisdiction. Clients in these countries/continents are only ever answered by the
 * jurisdiction's regions (regions whose `jurisdiction` is this key), by every front door.
 */
export const ResidencyGroupSchema = z
  .strictObject({
    preset: z
      .enum(Object.keys(COUNTRY_PRESETS) as ['eu', 'eea'])
      .optional()
      .meta({ description: 'Start from a named country set: eu (27 member states) or eea (EU + IS, LI, NO).' }),
    countries: z
      .array(countryCode)
      .default([])
      .meta({ description: 'Countries (ISO 3166-1 alpha-2) whose clients must stay in the jurisdiction.' }),
    continents: z
      .array(z.enum(CONTINENT_CODES))
      .default([])
      .meta({ description: 'Whole continents whose clients must stay in the jurisdiction.' }),
  })
  .superRefine((group, ctx) => {
    if (!group.preset && group.countries.length === 0 && group.continents.length === 0) {
      ctx.addIssue({
        code: 'custom',
        input: group,
        message: 'must name the clients it covers: a preset, countries or continents',
      });
    }
  })
  .transform((group) => ({
    countries: [...new Set([...(group.preset ? COUNTRY_PRESETS[group.preset] : []), ...group.countries])].sort(),
    continents: [...new Set(group.continents)].sort(),
  }))
  .meta({ description: 'The clients of a jurisdiction.' });

/** The clients of one jurisdiction (a preset, countries, continents), validated. */
export type ResidencyGroup = z.output<typeof ResidencyGroupSchema>;
