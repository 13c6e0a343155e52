import { DEFAULT_ROUTE53_WEIGHT, RESERVED_LABELS } from './routing-schema';
import { asArray, type Ctx, isObject, type Raw, reportDuplicates } from './check-helpers';
import type { ResidencyClientGroup } from './residency';
import { formatPath, type SpecProblem } from './errors';
import { continentOf } from '../analysis/countries';
import { COUNTRY_PRESETS } from './geo';
/*
 * Rules of `routing`, `residency` and `externalEndpoints` against the regions they apply to; for the spec and for
 * constructs used without one (route53RoutingProblems).
 */

export function checkRouting(spec: Raw, regionCodes: string[], ctx: Ctx): void {
  const routing = isObject(spec.routing) ? spec.routing : {};
  const mode = typeof routing.mode === 'string' ? routing.mode : 'latency';
  const known = (path: PropertyKey[], value: unknown) => {
    if (typeof value === 'string' && !regionCodes.includes(value)) {
      ctx.addIssue({
        code: 'custom',
        path,
        input: value,
        message: `must be a region of the spec (${regionCodes.join(', ')})`,
      });
      return false;
    }
    return true;
  };
  const needs = (key: string, forMode: string) => {
    if (mode === forMode && routing[key] === undefined && forMode !== 'weighted') {
      ctx.addIssue({
        code: 'custom',
        path: ['routing', key],
        input: undefined,
        message: `is required for mode ${forMode}`,
      });
    }
    if (mode !== forMode && routing[key] !== undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['routing', key],
        input: routing[key],
        message: `only applies to mode ${forMode} (mode is ${mode}); remove it or change the mode`,
      });
    }
  };
  needs('failover', 'failover');
  needs('weights', 'weighted');
  needs('geolocation', 'geolocation');
  needs('biases', 'geoproximity');

  if (isObject(routing.failover)) {
    const primary = routing.failover.primary;
    known(['routing', 'failover', 'primary'], primary);
    const secondaries = asArray(routing.failover.secondaries);
    secondaries.forEach((r, i) => {
      known(['routing', 'failover', 'secondaries', i], r);
      if (r === primary)
        ctx.addIssue({
          code: 'custom',
          path: ['routing', 'failover', 'secondaries', i],
          input: r,
          message: 'is the primary; a region cannot be its own secondary',
        });
    });
    if (regionCodes.length < 2)
      ctx.addIssue({
        code: 'custom',
        path: ['routing', 'mode'],
        input: mode,
        message: 'failover needs at least two regions',
      });
  }
  for (const key of ['weights', 'biases'] as const) {
    if (isObject(routing[key])) for (const region of Object.keys(routing[key])) known(['routing', key, region], region);
  }
  if (mode === 'weighted' && isObject(routing.weights)) {
    const weights = routing.weights as Record<string, unknown>;
    const total = regionCodes.reduce(
      (sum, r) => sum + (typeof weights[r] === 'number' ? (weights[r] as number) : DEFAULT_ROUTE53_WEIGHT),
      0,
    );
    if (total === 0)
      ctx.addIssue({
        code: 'custom',
        path: ['routing', 'weights'],
        input: weights,
        message:
          'must give at least one region a weight above 0 (all-zero weights spread traffic evenly, which is ' +
          'never what was meant)',
      });
  }
  if (isObject(routing.geolocation)) {
    const groups = asArray(routing.geolocation.groups).filter(isObject);
    const seen = new Map<string, string>();
    groups.forEach((group, g) => {
      asArray(group.regions).forEach((r, i) => known(['routing', 'geolocation', 'groups', g, 'regions', i], r));
      const locations = [
        ...asArray(group.continents).map((c) => `continent ${String(c)}`),
        ...asArray(group.countries).map((c) => `country ${String(c)}`),
      ];
      if (locations.length === 0)
        ctx.addIssue({
          code: 'custom',
          path: ['routing', 'geolocation', 'groups', g],
          input: group.name,
          message: 'must list continents or countries',
        });
      for (const location of locations) {
        const other = seen.get(location);
        if (other !== undefined)
          ctx.addIssue({
            code: 'custom',
            path: ['routing', 'geolocation', 'groups', g],
            input: location,
            message: `${location} is already covered by group '${other}'; each location may belong to one group`,
          });
        else seen.set(location, String(group.name));
      }
    });
    const fallback = routing.geolocation.default;
    if (
      typeof fallback === 'string' &&
      fallback !== 'latency' &&
      fallback !== 'none' &&
      !regionCodes.includes(fallback)
    ) {
      ctx.addIssue({
        code: 'custom',
        path: ['routing', 'geolocation', 'default'],
        input: fallback,
        message: `must be 'latency', 'none' or a region of the spec (${regionCodes.join(', ')})`,
      });
    }
  }
  if (isObject(routing.canary)) {
    const region = routing.canary.region;
    if (known(['routing', 'canary', 'region'], region) && regionCodes.length < 2) {
      ctx.addIssue({
        code: 'custom',
        path: ['routing', 'canary', 'region'],
        input: region,
        message: 'a canary needs at least one other region to take the rest of the traffic',
      });
    }
    if (mode === 'geolocation') {
      ctx.addIssue({
        code: 'custom',
        path: ['routing', 'canary'],
        input: region,
        message:
          'does not combine with mode geolocation (each location already picks its regions); use a geolocation ' +
          'group for the new region instead',
      });
    }
    if (mode === 'failover' && isObject(routing.failover) && routing.failover.primary === region) {
      ctx.addIssue({
        code: 'custom',
        path: ['routing', 'canary', 'region'],
        input: region,
        message: 'cannot be the failover primary',
      });
    }
  }
}

export function checkResidency(spec: Raw, regions: readonly Raw[], ctx: Ctx): void {
  const residency = isObject(spec.residency) ? spec.residency : {};
  const jurisdictions = new Set(regions.map((r) => r.jurisdiction).filter((j): j is string => typeof j === 'string'));
  for (const key of Object.keys(residency)) {
    if (!jurisdictions.has(key)) {
      ctx.addIssue({
        code: 'custom',
        path: ['residency', key],
        input: key,
        message:
          `no region has jurisdiction '${key}', so its clients would have nowhere to go; set jurisdiction: ` +
          `${key} on at least one region`,
      });
    }
  }
  for (const key of Object.keys(residency)) {
    if ((RESERVED_LABELS as readonly string[]).includes(key)) {
      ctx.addIssue({
        code: 'custom',
        path: ['residency', key],
        input: key,
        message: `is a name the routing uses internally (${RESERVED_LABELS.join(', ')}); pick another jurisdiction key`,
      });
    }
  }
  // Geolocation groups and residency groups must not claim the same location, nor one a country inside a continent
  // of the other: Route53 answers the more specific record, so one of them would silently win.
  const routing = isObject(spec.routing) ? spec.routing : {};
  const groups = isObject(routing.geolocation) ? asArray(routing.geolocation.groups).filter(isObject) : [];
  for (const [key, group] of Object.entries(residency)) {
    if (!isObject(group)) continue;
    for (const g of groups) {
      const shared = overlaps(locationsOf(group), locationsOf(g));
      if (shared.length > 0) {
        ctx.addIssue({
          code: 'custom',
          path: ['routing', 'geolocation', 'groups'],
          input: shared,
          message:
            `group '${String(g.name)}' claims ${shared.join(', ')}, which residency group '${key}' already binds ` +
            'to its jurisdiction (Route53 answers the more specific location, so one group would silently win); ' +
            'give each location to one group',
        });
      }
    }
  }
  // A location can only be bound to one jurisdiction: not the same country or continent twice, and not a country
  // inside a continent another jurisdiction binds (Route53 and the Cloudflare and edge-router front doors resolve
  // that overlap differently: country first, or the data center's region).
  const keys = Object.keys(residency).filter((k) => isObject(residency[k]));
  for (let i = 0; i < keys.length; i++) {
    for (let k = 0; k < keys.length; k++) {
      if (i === k) continue;
      const a = locationsOf(residency[keys[i]] as Raw);
      const b = locationsOf(residency[keys[k]] as Raw);
      for (const country of a.countries) {
        if (k < i && b.countries.includes(country))
          ctx.addIssue({
            code: 'custom',
            path: ['residency', keys[i], 'countries'],
            input: country,
            message: `is also bound to jurisdiction '${keys[k]}'`,
          });
        const continent = continentOf(country);
        if (continent && b.continents.includes(continent)) {
          ctx.addIssue({
            code: 'custom',
            path: ['residency', keys[i], 'countries'],
            input: country,
            message:
              `lies in continent ${continent}, which residency group '${keys[k]}' binds: a client there would ` +
              `belong to two jurisdictions; bind ${country} in one group only`,
          });
        }
      }
      for (const continent of a.continents) {
        if (k < i && b.continents.includes(continent))
          ctx.addIssue({
            code: 'custom',
            path: ['residency', keys[i], 'continents'],
            input: continent,
            message: `is also bound to jurisdiction '${keys[k]}'`,
          });
      }
    }
  }
  // Geolocation groups among themselves: a country inside another group's continent goes to the country's group.
  for (let i = 0; i < groups.length; i++) {
    for (let k = 0; k < groups.length; k++) {
      if (i === k) continue;
      const inside = locationsOf(groups[i]).countries.filter((c) =>
        locationsOf(groups[k]).continents.includes(continentOf(c) ?? ''),
      );
      if (inside.length > 0) {
        ctx.addIssue({
          code: 'custom',
          path: ['routing', 'geolocation', 'groups', i, 'countries'],
          input: inside,
          message:
            `${inside.join(', ')} ${inside.length > 1 ? 'lie' : 'lies'} in a continent of group ` +
            `'${String(groups[k].name)}': Route53 would answer ${inside.length > 1 ? 'them' : 'it'} from this ` +
            "group's more specific record, which the groups do not say; move the countries out of one group or " +
            "name the continent's countries one by one",
        });
      }
    }
  }
  checkExternalEndpoints(spec, regions, ctx);
}

/** The countries and continents a residency or geolocation group names (a preset expands to its countries). */
function locationsOf(group: Raw): ResidencyClientGroup & { countries: string[]; continents: string[] } {
  const preset =
    typeof group.preset === 'string' && group.preset in COUNTRY_PRESETS
      ? [...COUNTRY_PRESETS[group.preset as keyof typeof COUNTRY_PRESETS]]
      : [];
  return {
    countries: [...preset, ...asArray(group.countries).filter((c): c is string => typeof c === 'string')],
    continents: asArray(group.continents).filter((c): c is string => typeof c === 'string'),
  };
}

/**
 * Locations group `b` claims that group `a` also covers: the same country or continent, a country of `b` inside a
 * continent of `a`, or a continent of `b` holding a country of `a` (described as `b` claims them).
 */
function overlaps(a: ResidencyClientGroup, b: ResidencyClientGroup): string[] {
  return [
    ...b.continents.filter((c) => a.continents.includes(c)).map((c) => `continent ${c}`),
    ...b.countries.filter((c) => a.countries.includes(c)).map((c) => `country ${c}`),
    ...b.countries
      .filter((c) => a.continents.includes(continentOf(c) ?? ''))
      .map((c) => `country ${c} (in continent ${continentOf(c)})`),
    ...a.countries
      .filter((c) => b.continents.includes(continentOf(c) ?? ''))
      .map((c) => `continent ${continentOf(c)} (holding country ${c})`),
  ];
}

/** External endpoints: a jurisdiction the spec knows (or `none`), and each name declared once. */
function checkExternalEndpoints(spec: Raw, regions: readonly Raw[], ctx: Ctx): void {
  const known = new Set([
    ...regions.map((r) => r.jurisdiction).filter((j): j is string => typeof j === 'string'),
    ...Object.keys(isObject(spec.residency) ? spec.residency : {}),
    'none',
  ]);
  const endpoints = asArray(spec.externalEndpoints).filter(isObject);
  reportDuplicates(
    endpoints.map((e) => (typeof e.name === 'string' ? e.name.replace(/\.$/, '') : undefined)),
    (i) => ['externalEndpoints', i, 'name'],
    'external endpoint',
    ctx,
  );
  endpoints.forEach((e, i) => {
    if (typeof e.jurisdiction === 'string' && !known.has(e.jurisdiction)) {
      ctx.addIssue({
        code: 'custom',
        path: ['externalEndpoints', i, 'jurisdiction'],
        input: e.jurisdiction,
        message:
          `must be a jurisdiction of the spec (${[...known].sort().join(', ')}); 'none' for an endpoint in no ` +
          'jurisdiction',
      });
    }
  });
}

/**
 * The routing and residency rules of the spec, for constructs used without a spec: problems of `routing` and
 * `residency` given the regions (code and jurisdiction) they apply to.
 */
export function route53RoutingProblems(
  routing: unknown,
  residency: unknown,
  regions: readonly { region: string; jurisdiction?: string }[],
): SpecProblem[] {
  const problems: SpecProblem[] = [];
  const ctx: Ctx = {
    addIssue: (issue) =>
      problems.push({
        path: formatPath(issue.path),
        message: issue.message,
        received: issue.input === undefined ? undefined : JSON.stringify(issue.input),
      }),
  };
  const spec = { routing, residency };
  checkRouting(
    spec,
    regions.map((r) => r.region),
    ctx,
  );
  checkResidency(spec, regions, ctx);
  return problems;
}
