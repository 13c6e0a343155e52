/*
 * The one residency type: which clients each jurisdiction binds. Types only, with no imports, so the edge router's
 * Worker bundle (lib/edge-router/routing-table.ts) can share it with the spec, the constructs and the analysis.
 */

/** The clients bound to one jurisdiction: ISO country codes and continent codes (presets expanded). */
export interface ResidencyClientGroup {
  readonly countries: readonly string[];
  readonly continents: readonly string[];
}

/** The clients of each jurisdiction, by jurisdiction key. */
export type ResidencyClients = Readonly<Record<string, ResidencyClientGroup>>;
