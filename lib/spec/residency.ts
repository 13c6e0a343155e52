import { isKnownRegion, regionInfo } from './regions';

import type { ResidencyClients } from '../util/residency-clients';

export type { ResidencyClients, ResidencyClientGroup } from '../util/residency-clients';

/**
 * The jurisdiction that binds clients located in an AWS region (the workloads of a VPC there): the region's own
 * jurisdiction when residency declares clients for it, else the jurisdiction whose residency group names the
 * region's country, else its continent. The private zone (split horizon) and the routing proofs both use it, so
 * what the construct routes is what the proof checks.
 */
export function residencyOfRegion(
  region: string,
  jurisdiction: string | undefined,
  residency: ResidencyClients,
): string | undefined {
  const keys = Object.keys(residency).sort();
  if (keys.length === 0) return undefined;
  if (jurisdiction && keys.includes(jurisdiction)) return jurisdiction;
  if (!isKnownRegion(region)) return undefined;
  const info = regionInfo(region);
  return (
    keys.find((k) => residency[k].countries.includes(info.country)) ??
    keys.find((k) => residency[k].continents.includes(info.continent))
  );
}
