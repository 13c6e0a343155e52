import { Construct } from 'constructs';
import type { TerraformProvider } from '../util/cdktf';
import type { z } from 'zod';
import { ResidencyGroupSchema, type ResidencyGroup } from '../spec/geo';
import type { ResidencyClientGroup } from '../spec/residency';
import { dnsName } from '../spec/fields';
import {
  DEFAULT_ROUTE53_WEIGHT,
  HealthSchema,
  MAX_ROUTING_DOMAIN_LENGTH,
  RoutingSchema,
  route53RoutingProblems,
  type RoutingSpec,
} from '../spec/schema';
import { PropsChecker } from '../util/validate';
import { checkEndpointRef, checkHostedZone, checkInZone, objectProp, propsObject } from './prop-checks';
import type { HealthInput } from './gpu-fleet';
import { InferenceAliasRecord, RecordTarget } from './inference-alias-record';
import type { IHostedZone } from './inference-hosted-zone';
import type { IInferenceEndpoint } from './inference-endpoint-ref';
import { ALARM_NAME_PREFIX, RegionHealthCheck } from './region-health-check';
import { RoutingPolicy } from './routing-policy';
import { protectLiterals } from '../util/terraform-literals';

/** A region as the routing sees it. */
export interface RoutedRegion {
  /** The region's endpoint: a {@link GpuInferenceEndpoint}, or one imported with `InferenceEndpointRef`. */
  readonly endpoint: IInferenceEndpoint;
  /** Public name resolving to this endpoint only (probe FQDN and SNI), e.g. `us-east-1.inference.example.com`. */
  readonly hostname: string;
  /** Provider of the endpoint's region, for its CloudWatch alarms. @default - the routing provider */
  readonly provider?: TerraformProvider;
}

/** The spec's `routing` section as props accept it (mode, failover, weights, canary, ...; defaults apply). */
export type RoutingInput = z.input<typeof RoutingSchema>;
/** The spec's `residency` section as props accept it: residency groups by jurisdiction key. */
export type ResidencyInput = Record<string, z.input<typeof ResidencyGroupSchema>>;

/** Props of {@link GlobalRoute53Routing}: the zone and name, the regions, and the spec's routing and health. */
export interface GlobalRoute53RoutingProps {
  /** Zone of `domain`. */
  readonly zone: IHostedZone;
  /** The name clients resolve, e.g. `inference.example.com`. Nested sets live under it (`eu.`, `global.`, ...). */
  readonly domain: string;
  /** Regions to route to (at least one). */
  readonly regions: readonly RoutedRegion[];
  /** Routing mode and its settings. @default - latency across every region */
  readonly routing?: RoutingInput;
  /**
   * Clients bound to a jurisdiction: they are only answered by regions whose endpoint has that jurisdiction. @default -
   * none
   */
  readonly residency?: ResidencyInput;
  /** Readiness probe and capacity signals. @default - the spec defaults */
  readonly health?: HealthInput;
  /** Route53 provider (us-east-1 by convention). @default - the stack's default AWS provider */
  readonly provider?: TerraformProvider;
  /** Prefix of health-check and alarm names. @default 'gi' */
  readonly namePrefix?: string;
}

/**
 * Route53 routing across regional endpoints, for every mode of the spec, with health checks that know about
 * model readiness and capacity.
 *
 * Record sets are nested by alias, so each name has exactly one routing policy:
 * - without residency: the mode's records sit at `domain`;
 * - with residency (or mode geolocation): `domain` holds geolocation records. A jurisdiction's countries and
 *   continents alias `<jurisdiction>.<domain>`, a latency set of only that jurisdiction's regions, with
 *   `evaluate_target_health` OFF: Route53 never falls through to the default location when they are unhealthy,
 *   and when all of them are unhealthy it still answers inside the jurisdiction. Everything else goes to
 *   `global.<domain>`, where the mode lives;
 * - a canary wraps the mode in a weighted pair: `canary` (the new region) and `stable` (`stable.<domain>`, the mode
 *   over the other regions);
 * - failover: PRIMARY is the primary region; SECONDARY aliases `secondary.<domain>`, a latency set of the others.
 *
 * Set identifiers and construct ids derive from region codes and location codes, never from list positions.
 *
 * @example
 * ```ts
 * import { App, TerraformStack } from 'cdktf';
 * import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
 * import { GlobalRoute53Routing, InferenceEndpointRef, InferenceHostedZone } from 'cdktf-global-inference';
 *
 * const stack = new TerraformStack(new App(), 'routing');
 * new AwsProvider(stack, 'aws', { region: 'us-east-1' });
 * const zone = InferenceHostedZone.fromZoneId('Z0123456789ABCDEFGHIJ', 'inference.example.com');
 * const endpoint = (region: string, albZoneId: string) =>
 *   InferenceEndpointRef.fromAttributes({
 *     region,
 *     albDnsName: `chat-0123456789.${region}.elb.amazonaws.com`,
 *     albZoneId,
 *     healthCheckPath: '/health',
 *     models: [{ name: 'llama-3-1-8b', id: 'meta-llama/Llama-3.1-8B-Instruct', version: '2026-11-01' }],
 *     albArnSuffix: `app/chat-${region}/0123456789abcdef`,
 *     targetGroupArnSuffix: `targetgroup/chat-${region}/0123456789abcdef`,
 *     minCapacity: 2,
 *   });
 * // Active-passive: us-east-1 while it is healthy, else eu-west-1.
 * new GlobalRoute53Routing(stack, 'Routing', {
 *   zone,
 *   domain: 'inference.example.com',
 *   regions: [
 *     { endpoint: endpoint('us-east-1', 'Z35SXDOTRQ7X7K'), hostname: 'us-east-1.inference.example.com' },
 *     { endpoint: endpoint('eu-west-1', 'Z32O12XQLNTSW2'), hostname: 'eu-west-1.inference.example.com' },
 *   ],
 *   routing: { mode: 'failover', failover: { primary: 'us-east-1' } },
 * });
 * ```
 */
export class GlobalRoute53Routing extends Construct {
  /** Health checks by region code. */
  readonly healthChecks: Readonly<Record<string, RegionHealthCheck>>;
  /** Every record set name created, with its routing policy, for review and tests. */
  readonly recordSets: ReadonlyMap<string, string>;
  /** The validated routing settings, defaults filled in. */
  readonly routing: RoutingSpec;
  /** The validated residency groups by jurisdiction key (empty without residency). */
  readonly residency: Readonly<Record<string, ResidencyGroup>>;
  private readonly props: GlobalRoute53RoutingProps;
  private readonly byRegion = new Map<string, RoutedRegion>();
  private readonly sets = new Map<string, string>();

  constructor(scope: Construct, id: string, props: GlobalRoute53RoutingProps) {
    super(scope, id);
    const source = `GlobalRoute53Routing '${this.node.path}'`;
    const checker = new PropsChecker(source);
    props = propsObject(checker, props);
    this.props = props;
    const routing = checker.literal(RoutingSchema, props.routing ?? {}, 'routing');
    const residency: Record<string, ResidencyGroup> = {};
    const residencyInput =
      props.residency === undefined
        ? {}
        : (objectProp(checker, props.residency, 'residency', 'an object of residency groups by jurisdiction key') ??
          {});
    for (const [key, group] of Object.entries(residencyInput)) {
      const parsed = checker.literal(ResidencyGroupSchema, group, `residency.${key}`);
      if (parsed) residency[key] = parsed;
    }
    const regions: readonly RoutedRegion[] = Array.isArray(props.regions) ? props.regions : [];
    if (!Array.isArray(props.regions))
      checker.add([
        {
          path: 'regions',
          message:
            props.regions === undefined
              ? 'is required (a list of { endpoint, hostname }, at least one)'
              : 'must be a list of { endpoint, hostname }',
          input: props.regions,
        },
      ]);
    // Only regions whose endpoint names a region take part in the routing rules (the others are reported below).
    const placed = regions.filter(
      (r, i) =>
        objectProp(checker, r, `regions[${i}]`, 'an object { endpoint, hostname }') &&
        checkEndpointRef(checker, r.endpoint, `regions[${i}].endpoint`),
    );
    for (const r of placed) this.byRegion.set(r.endpoint.region, r);
    const regionFacts = placed.map((r) => ({ region: r.endpoint.region, jurisdiction: r.endpoint.jurisdiction }));
    const problems = routing ? route53RoutingProblems(routing, residency, regionFacts) : [];
    if (Array.isArray(props.regions) && regions.length === 0)
      problems.push({ path: 'regions', message: 'must list at least one region' });
    if (this.byRegion.size !== placed.length)
      problems.push({ path: 'regions', message: 'must not list a region twice' });
    const zone = checkHostedZone(checker, props.zone, 'zone');
    checker.check(
      dnsName.max(
        MAX_ROUTING_DOMAIN_LENGTH,
        `must be at most ${MAX_ROUTING_DOMAIN_LENGTH} characters (record names under it add up to 37)`,
      ),
      props.domain,
      'domain',
    );
    if (zone) checkInZone(checker, props.domain, zone.zoneName, 'domain');
    checker.literal(ALARM_NAME_PREFIX.optional(), props.namePrefix, 'namePrefix');
    checker.literal(HealthSchema, props.health ?? {}, 'health');
    regions.forEach((r, i) => {
      if (typeof r === 'object' && r !== null) checker.check(dnsName, r.hostname, `regions[${i}].hostname`);
    });
    checker.add(problems);
    checker.throwIfAny();
    this.routing = routing!;
    this.residency = residency;

    const healthChecks: Record<string, RegionHealthCheck> = {};
    for (const r of props.regions) {
      healthChecks[r.endpoint.region] = new RegionHealthCheck(this, `Health-${r.endpoint.region}`, {
        endpoint: r.endpoint,
        fqdn: r.hostname,
        provider: props.provider,
        alarmProvider: r.provider,
        health: props.health,
        namePrefix: props.namePrefix,
      });
    }
    this.healthChecks = healthChecks;

    const domain = props.domain;
    const allRegions = props.regions.map((r) => r.endpoint.region);
    const geoTop = Object.keys(this.residency).length > 0 || this.routing.mode === 'geolocation';
    if (!geoTop) {
      this.buildGlobal(domain, allRegions);
    } else {
      for (const [jurisdiction, group] of Object.entries(this.residency)) {
        const setName = `${jurisdiction}.${domain}`;
        const members = allRegions.filter((r) => this.byRegion.get(r)!.endpoint.jurisdiction === jurisdiction);
        this.latencySet(setName, members);
        for (const location of locations(group)) {
          this.record(`Residency-${jurisdiction}-${location.key}`, domain, RecordTarget.record(setName, props.zone), {
            policy: RoutingPolicy.geolocation(location.geo),
            setIdentifier: `residency-${jurisdiction}-${location.key}`,
            // Never fall through to a less specific location (another jurisdiction) when the set is unhealthy.
            evaluateTargetHealth: false,
          });
        }
      }
      if (this.routing.mode === 'geolocation') {
        const geo = this.routing.geolocation!;
        for (const group of geo.groups) {
          const setName = `${group.name}.geo.${domain}`;
          this.latencySet(setName, group.regions);
          for (const location of locations(group)) {
            this.record(`Geo-${group.name}-${location.key}`, domain, RecordTarget.record(setName, props.zone), {
              policy: RoutingPolicy.geolocation(location.geo),
              setIdentifier: `geo-${group.name}-${location.key}`,
            });
          }
        }
        if (geo.default === 'latency') {
          this.latencySet(`global.${domain}`, allRegions);
          this.defaultLocation(domain, RecordTarget.record(`global.${domain}`, props.zone));
        } else if (geo.default !== 'none') {
          this.defaultLocation(
            domain,
            RecordTarget.loadBalancer(this.byRegion.get(geo.default)!.endpoint),
            geo.default,
          );
        }
      } else {
        this.buildGlobal(`global.${domain}`, allRegions);
        this.defaultLocation(domain, RecordTarget.record(`global.${domain}`, props.zone));
      }
    }
    this.recordSets = this.sets;
    protectLiterals(this);
  }

  /** The mode over `regions` at `name`, wrapped in a canary split when one is declared. */
  private buildGlobal(name: string, regions: string[]): void {
    const canary = this.routing.canary;
    if (canary && regions.includes(canary.region)) {
      const stableName = `stable.${this.props.domain}`;
      this.note(name, 'weighted (canary)');
      this.record(
        `Canary-${canary.region}`,
        name,
        RecordTarget.loadBalancer(this.byRegion.get(canary.region)!.endpoint),
        {
          policy: RoutingPolicy.weighted(canary.percent),
          setIdentifier: `canary-${canary.region}`,
          healthCheckRegion: canary.region,
        },
      );
      this.record('Stable', name, RecordTarget.record(stableName, this.props.zone), {
        policy: RoutingPolicy.weighted(100 - canary.percent),
        setIdentifier: 'stable',
      });
      this.buildMode(
        stableName,
        regions.filter((r) => r !== canary.region),
      );
    } else {
      this.buildMode(name, regions);
    }
  }

  private buildMode(name: string, regions: string[]): void {
    const routing = this.routing;
    switch (routing.mode) {
      case 'latency':
      case 'geolocation':
        this.latencySet(name, regions);
        return;
      case 'weighted':
        this.note(name, 'weighted');
        for (const region of regions) {
          this.record(`Weighted-${region}`, name, RecordTarget.loadBalancer(this.byRegion.get(region)!.endpoint), {
            policy: RoutingPolicy.weighted(routing.weights?.[region] ?? DEFAULT_ROUTE53_WEIGHT),
            setIdentifier: region,
            healthCheckRegion: region,
            ignoreWeightChanges: routing.ignoreWeightChanges,
          });
        }
        return;
      case 'geoproximity':
        this.note(name, 'geoproximity');
        for (const region of regions) {
          this.record(`Geoproximity-${region}`, name, RecordTarget.loadBalancer(this.byRegion.get(region)!.endpoint), {
            policy: RoutingPolicy.geoproximity(region, routing.biases?.[region] ?? 0),
            setIdentifier: region,
            healthCheckRegion: region,
          });
        }
        return;
      case 'failover': {
        const primary = routing.failover!.primary;
        const secondaries = (routing.failover!.secondaries ?? regions.filter((r) => r !== primary)).filter(
          (r) => regions.includes(r) && r !== primary,
        );
        this.note(name, 'failover');
        const secondaryName = `secondary.${this.props.domain}`;
        if (regions.includes(primary)) {
          this.record(`Failover-Primary`, name, RecordTarget.loadBalancer(this.byRegion.get(primary)!.endpoint), {
            policy: RoutingPolicy.failover('PRIMARY'),
            setIdentifier: `primary-${primary}`,
            healthCheckRegion: primary,
          });
        }
        this.record('Failover-Secondary', name, RecordTarget.record(secondaryName, this.props.zone), {
          policy: RoutingPolicy.failover('SECONDARY'),
          setIdentifier: 'secondary',
        });
        this.latencySet(secondaryName, secondaries);
        return;
      }
    }
  }

  /** Latency records at `name`, one per region, each guarded by the region's health check. */
  private latencySet(name: string, regions: readonly string[]): void {
    if (this.sets.has(name)) return;
    this.note(name, 'latency');
    for (const region of regions) {
      this.record(
        `Latency-${labelKey(name, this.props.domain)}-${region}`,
        name,
        RecordTarget.loadBalancer(this.byRegion.get(region)!.endpoint),
        {
          policy: RoutingPolicy.latency(region),
          setIdentifier: region,
          healthCheckRegion: region,
        },
      );
    }
  }

  private defaultLocation(domain: string, target: RecordTarget, healthCheckRegion?: string): void {
    this.record('Geo-Default', domain, target, {
      policy: RoutingPolicy.geolocation({ default: true }),
      setIdentifier: 'default',
      healthCheckRegion,
    });
  }

  private record(
    id: string,
    name: string,
    target: RecordTarget,
    options: {
      policy: RoutingPolicy;
      setIdentifier: string;
      healthCheckRegion?: string;
      evaluateTargetHealth?: boolean;
      ignoreWeightChanges?: boolean;
    },
  ): void {
    if (!this.sets.has(name)) this.note(name, options.policy.kind);
    new InferenceAliasRecord(this, id, {
      zone: this.props.zone,
      name,
      target,
      policy: options.policy,
      setIdentifier: options.setIdentifier,
      healthCheck: options.healthCheckRegion ? this.healthChecks[options.healthCheckRegion] : undefined,
      evaluateTargetHealth: options.evaluateTargetHealth ?? true,
      ignoreWeightChanges: options.ignoreWeightChanges,
      provider: this.props.provider,
    });
  }

  private note(name: string, policy: string): void {
    if (!this.sets.has(name)) this.sets.set(name, policy);
  }
}

/** The geolocation locations of a group: continents then countries, each with a stable key. */
function locations(group: ResidencyClientGroup): { key: string; geo: { continent: string } | { country: string } }[] {
  return [
    ...[...group.continents].sort().map((continent) => ({ key: `continent-${continent}`, geo: { continent } })),
    ...[...group.countries].sort().map((country) => ({ key: `country-${country}`, geo: { country } })),
  ];
}

/** `eu` for `eu.inference.example.com` under `inference.example.com`; `root` for the domain itself. */
function labelKey(name: string, domain: string): string {
  return name === domain ? 'root' : name.slice(0, -(domain.length + 1)).replace(/\./g, '-');
}
