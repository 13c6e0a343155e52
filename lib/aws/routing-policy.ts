import type { Route53RecordConfig } from '@cdktf/provider-aws/lib/route53-record';
import { SpecValidationError } from '../spec/errors';
import { CONTINENT_CODES, isCountryCode } from '../spec/geo';
import { isKnownRegion } from '../spec/regions';

type PolicyBlock = Pick<
  Route53RecordConfig,
  | 'latencyRoutingPolicy'
  | 'failoverRoutingPolicy'
  | 'weightedRoutingPolicy'
  | 'geolocationRoutingPolicy'
  | 'geoproximityRoutingPolicy'
>;

/** Where a geolocation record applies: one continent, one country (optionally a US state), or the default `*`. */
export type GeoLocation =
  | { readonly continent: string }
  | { readonly country: string; readonly subdivision?: string }
  | { readonly default: true };

/**
 * How Route53 picks among records of the same name. Built only through the factories, so a record carries exactly
 * one policy and invalid combinations (latency + weight, a failover role without a set identifier) cannot be
 * written. Values are checked against Route53's limits when the policy is created.
 */
export abstract class RoutingPolicy {
  /** One answer, no set identifier. */
  static simple(): RoutingPolicy {
    return new (class extends RoutingPolicy {
      readonly kind = 'simple' as const;
      toRecordConfig(): PolicyBlock {
        return {};
      }
    })();
  }

  /** Active-active: the answer with the lowest latency from the client's resolver, among healthy ones. */
  static latency(region: string): RoutingPolicy {
    if (!isKnownRegion(region)) throw invalid('RoutingPolicy.latency(region)', `must be an AWS region code`, region);
    return new (class extends RoutingPolicy {
      readonly kind = 'latency' as const;
      toRecordConfig(): PolicyBlock {
        return { latencyRoutingPolicy: { region } };
      }
    })();
  }

  /** Active-passive: PRIMARY while healthy, else SECONDARY. */
  static failover(role: 'PRIMARY' | 'SECONDARY'): RoutingPolicy {
    if (role !== 'PRIMARY' && role !== 'SECONDARY')
      throw invalid('RoutingPolicy.failover(role)', "must be 'PRIMARY' or 'SECONDARY'", role);
    return new (class extends RoutingPolicy {
      readonly kind = 'failover' as const;
      toRecordConfig(): PolicyBlock {
        return { failoverRoutingPolicy: { type: role } };
      }
    })();
  }

  /** A share of traffic proportional to `weight` (0-255) among the healthy records of the name. */
  static weighted(weight: number): RoutingPolicy {
    if (!Number.isInteger(weight) || weight < 0 || weight > 255)
      throw invalid('RoutingPolicy.weighted(weight)', 'must be a whole number from 0 to 255 (Route53 limit)', weight);
    return new (class extends RoutingPolicy {
      readonly kind = 'weighted' as const;
      toRecordConfig(): PolicyBlock {
        return { weightedRoutingPolicy: { weight } };
      }
    })();
  }

  /** Answers clients in a location; the most specific matching record wins, `default` catches the rest. */
  static geolocation(location: GeoLocation): RoutingPolicy {
    const block = geolocationBlock(location);
    return new (class extends RoutingPolicy {
      readonly kind = 'geolocation' as const;
      toRecordConfig(): PolicyBlock {
        return { geolocationRoutingPolicy: block };
      }
    })();
  }

  /** Nearest region by distance, with the region's area grown or shrunk by `bias` (-99 to 99). */
  static geoproximity(region: string, bias = 0): RoutingPolicy {
    if (!isKnownRegion(region))
      throw invalid('RoutingPolicy.geoproximity(region)', 'must be an AWS region code', region);
    if (!Number.isInteger(bias) || bias < -99 || bias > 99)
      throw invalid('RoutingPolicy.geoproximity(bias)', 'must be a whole number from -99 to 99 (Route53 limit)', bias);
    return new (class extends RoutingPolicy {
      readonly kind = 'geoproximity' as const;
      toRecordConfig(): PolicyBlock {
        return { geoproximityRoutingPolicy: { awsRegion: region, bias } };
      }
    })();
  }

  /** Which Route53 routing policy this is (the factory that made it). */
  abstract readonly kind: 'simple' | 'latency' | 'failover' | 'weighted' | 'geolocation' | 'geoproximity';
  /** The routing-policy block of a `aws_route53_record`. */
  abstract toRecordConfig(): PolicyBlock;

  protected constructor() {}
}

function geolocationBlock(location: GeoLocation): { continent?: string; country?: string; subdivision?: string } {
  if ('default' in location) return { country: '*' };
  if ('continent' in location) {
    if (!(CONTINENT_CODES as readonly string[]).includes(location.continent)) {
      throw invalid(
        'RoutingPolicy.geolocation({ continent })',
        `must be one of ${CONTINENT_CODES.join(', ')}`,
        location.continent,
      );
    }
    return { continent: location.continent };
  }
  if (!isCountryCode(location.country))
    throw invalid(
      'RoutingPolicy.geolocation({ country })',
      'must be an assigned ISO 3166-1 alpha-2 country code in capitals, such as DE',
      location.country,
    );
  if (location.subdivision !== undefined && location.country !== 'US' && location.country !== 'UA') {
    throw invalid(
      'RoutingPolicy.geolocation({ subdivision })',
      'is only supported by Route53 for US states and Ukraine',
      location.subdivision,
    );
  }
  return location.subdivision
    ? { country: location.country, subdivision: location.subdivision }
    : { country: location.country };
}

function invalid(path: string, message: string, received: unknown): SpecValidationError {
  return new SpecValidationError([{ path, message, received: JSON.stringify(received) }], 'routing policy');
}
