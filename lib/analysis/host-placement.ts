/*
 * Where a hostname that front doors connect to (a Cloudflare origin, an edge-router backend, a CNAME target, a
 * health check's fqdn) takes requests: what the GraphContext's `regionOfHost` / `placeHost` answer.
 *
 * - A name in a public Route53 zone of the stacks (a zone that holds it or covers it) is resolved through the Route53
 *   model (route53-reach.ts, every health state), as the resolvers that look it up do: Cloudflare's, the edge
 *   router's, Route53's health checkers. None of them is in a VPC, and none is at a known place, so the answer is
 *   the union over every location the records can tell apart (every named country and subdivision, every rest of a
 *   continent, the point of every geoproximity record). The name is in a region only when every landing it can
 *   reach, under any health state and from any location, is that region; a name that can reach several regions,
 *   an endpoint outside them, or nothing the stacks declare is unplaced (a possible leak, an unknown failover time),
 *   with the records that decide it named, unless an `externalEndpoints` declaration covers the name itself.
 * - Any other name keeps the intent's placement: the region whose hostname it is, a load balancer's own DNS name
 *   (`x.eu-west-1.elb.amazonaws.com`), and for stacks without intent a `<region>.<domain>` name.
 */
import { isKnownRegion, regionInfo } from '../spec/regions';
import { deriveClientGroups } from './clients';
import { satisfyCached } from './health';
import { normalizeDnsName } from './input';
import type { ClientGroup, ExternalEndpoint, HostPlacement, LocationKeys, ServiceIntent } from './model';
import { Route53Lookup } from './route53-health';
import { elbRegion, QUERY_TYPES, type Route53Model } from './route53-model';
import { Route53Reach } from './route53-reach';

/** A traffic-carrying record of a Cloudflare zone: its name and type. */
export interface CloudflareDnsName {
  readonly address: string;
  readonly name: string;
  readonly type: string;
  /**
   * `*` when unknown at synth (it may be any name). The name may be relative to its zone (whose name the stacks do not
   * say): it then matches as leading labels.
   */
  readonly relative: boolean;
}

export interface HostPlacer {
  place(hostname: string): HostPlacement;
}

/** How the hostnames of the stacks are placed (memoised per name). */
export function hostPlacer(
  model: Route53Model,
  intent: ServiceIntent,
  declaredEndpoint: (name: string) => ExternalEndpoint | undefined,
  cloudflareRecords: readonly CloudflareDnsName[] = [],
): HostPlacer {
  const intentHosts = new Map<string, string>();
  for (const [code, r] of Object.entries(intent.regions))
    if (r.hostname) intentHosts.set(normalizeDnsName(r.hostname), code);
  const byIntent = (name: string): string | undefined => {
    const known = intentHosts.get(name);
    if (known) return known;
    const elb = elbRegion(name);
    if (elb) return elb;
    // Last resort for stacks without intent: a `<region>.<domain>` name.
    const first = name.split('.')[0];
    return Object.keys(intent.regions).length === 0 && isKnownRegion(first) ? first : undefined;
  };

  let probes: ClientGroup[] | undefined;
  // The resolver's own context: names in a zone are not placed by name (a missing record stays unplaced).
  const inner = {
    regionOfHost: (h: string): string | undefined => {
      const name = normalizeDnsName(h);
      return zonesOf(name).length > 0 ? undefined : byIntent(name);
    },
    declaredEndpoint,
  };
  const lookup: Route53Lookup = new Route53Lookup(model, inner);
  const reach = new Route53Reach(model, inner, lookup);
  const zonesOf = (name: string): string[] => lookup.zonesFor((probes ??= probeClients(model, intent))[0], name);
  const cache = new Map<string, HostPlacement>();
  /** Whether a geolocation or geoproximity set is below the name (else every public client gets the same answers). */
  const locationMatters = (zones: readonly string[], name: string): boolean => {
    const seen = new Set<string>();
    const todo = zones.map((z) => [z, name] as const);
    while (todo.length > 0) {
      const [zone, n] = todo.pop()!;
      if (seen.has(`${zone}|${n}`) || seen.size > 10_000) continue;
      seen.add(`${zone}|${n}`);
      for (const q of QUERY_TYPES) {
        const found = lookup.lookup(zone, n, q);
        if (found.kind !== 'set') continue;
        for (const r of found.set.records) {
          if (r.policy.kind === 'geolocation' || r.policy.kind === 'geoproximity') return true;
          for (const t of r.targets) {
            if (t.kind === 'name') todo.push([t.zone, t.name]);
            if (t.kind === 'cname') for (const z of zonesOf(t.host)) todo.push([z, t.host]);
          }
        }
      }
    }
    return false;
  };

  const resolve = (name: string, zones: readonly string[]): HostPlacement => {
    // Destination -> the records of the first path leading there.
    const dests = new Map<string, string[]>();
    const regions = new Set<string>();
    const records = new Set<string>();
    for (const client of locationMatters(zones, name) ? probes! : probes!.slice(0, 1)) {
      for (const zone of zones) {
        for (const p of reach.entry(zone, name, client)) {
          if (satisfyCached(p.conditions).status === 'unsat') continue;
          const via = p.path
            .filter((s) => !s.note?.startsWith('passed over'))
            .map((s) => s.address)
            .filter((a, i, all) => all.indexOf(a) === i);
          via.forEach((a) => records.add(a));
          const l = p.landing;
          const dest =
            l.region && !l.unplaced
              ? l.region
              : l.declared
                ? `${l.endpoint} (declared, jurisdiction ${l.declared.jurisdiction ?? 'none'})`
                : `${l.endpoint} (unplaced: ${l.unplaced ?? 'no region'})`;
          if (l.region && !l.unplaced) regions.add(l.region);
          if (!dests.has(dest)) dests.set(dest, via);
        }
      }
    }
    const zoneNames = zones.map((z) => model.zones.get(z)?.address ?? z).join(', ');
    if (dests.size === 0)
      return {
        inZone: true,
        records: [...records],
        unplaced:
          `${name} is in ${zoneNames}, but no record of the stacks answers it (a record made outside the stacks ` +
          'could send it anywhere)',
      };
    if (regions.size === 1 && dests.size === 1) return { inZone: true, region: [...regions][0], records: [...records] };
    const where = [...dests].map(([d, via]) => `${d} via ${via.join(' > ')}`).join('; ');
    return {
      inZone: true,
      records: [...records],
      unplaced: `${name} resolves through Route53 to more than one place under some health state or location: ${where}`,
    };
  };

  return {
    place(hostname: string): HostPlacement {
      const name = normalizeDnsName(hostname);
      let p = cache.get(name);
      if (!p) {
        const zones = zonesOf(name);
        // A record of a Cloudflare zone at the name answers Cloudflare's own lookups (and the world's, where that zone
        // is authoritative) before any Route53 delegation: the analysis does not follow those, so it cannot place it.
        const cloudflare = cloudflareRecords.filter(
          (r) => r.name === '*' || r.name === name || (r.relative && name.startsWith(`${r.name}.`)),
        );
        if (cloudflare.length > 0) {
          p = {
            inZone: true,
            records: cloudflare.map((r) => r.address),
            unplaced:
              `${name} is answered by Cloudflare DNS ` +
              `(${cloudflare.map((r) => `${r.address} ${r.type}`).join(', ')}), which the analysis does not ` +
              'follow',
          };
        } else p = zones.length > 0 ? resolve(name, zones) : { inZone: false, region: byIntent(name), records: [] };
        cache.set(name, p);
      }
      return p;
    },
  };
}

/**
 * Public clients standing for every location the records tell apart: a location only matters to geolocation and
 * geoproximity sets, so one client does without them.
 */
function probeClients(model: Route53Model, intent: ServiceIntent): ClientGroup[] {
  const countries = new Set<string>();
  const continents = new Set<string>();
  const subdivisions: { country: string; subdivision: string }[] = [];
  const points: { latitude: number; longitude: number }[] = [];
  for (const r of model.records.values()) {
    const p = r.policy;
    if (p.kind === 'geolocation') {
      if (p.subdivision && p.country) subdivisions.push({ country: p.country, subdivision: p.subdivision });
      else if (p.country && p.country !== '*') countries.add(p.country);
      else if (p.continent) continents.add(p.continent);
    }
    if (p.kind === 'geoproximity') {
      const point =
        p.region && isKnownRegion(p.region)
          ? regionPoint(p.region)
          : p.latitude !== undefined && p.longitude !== undefined
            ? { latitude: p.latitude, longitude: p.longitude }
            : undefined;
      if (point) points.push(point);
    }
  }
  const locations: LocationKeys = {
    countries: [...countries],
    continents: [...continents],
    subdivisions,
    cloudflareRegions: [],
  };
  const groups = deriveClientGroups({ ...intent, residency: {} }, [locations]);
  const located = countries.size + continents.size + subdivisions.length + points.length > 0;
  if (!located) return groups.slice(0, 1);
  // A client at each geoproximity record's own point, where that record is the nearest.
  return [
    ...groups,
    ...points.map((pt, i) => ({
      ...groups[0],
      id: `probe:geoproximity:${i}`,
      label: `geoproximity point ${i}`,
      latitude: pt.latitude,
      longitude: pt.longitude,
    })),
  ];
}

function regionPoint(region: string): { latitude: number; longitude: number } {
  const info = regionInfo(region);
  return { latitude: info.latitude, longitude: info.longitude };
}
