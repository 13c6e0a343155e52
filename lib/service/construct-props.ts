/*
 * The one mapping from a validated spec to the props of the constructs a GlobalInferenceService builds. Everything
 * a construct needs from the spec is decided here, with every default already filled by the spec schema; the service
 * adds only the wiring the spec cannot hold (providers, the zone, certificates, other constructs, variables). The
 * constructs check these props with the shared field rules, never the spec again, and fill no default of their own
 * on top (test/service/construct-props.test.ts holds them to that). Pure: no construct is created here.
 */
import type { TerraformProvider, TerraformVariable } from '../util/cdktf';
import type { GlobalRoute53RoutingProps, RoutedRegion } from '../aws/global-route53-routing';
import type { GpuInferenceEndpointProps, OriginLock } from '../aws/gpu-inference-endpoint';
import type { IInferenceEndpoint } from '../aws/inference-endpoint-ref';
import type { IHostedZone, InferenceHostedZoneProps } from '../aws/inference-hosted-zone';
import type { CloudflareFrontDoorProps } from '../cloudflare/cloudflare-front-door';
import type { EdgeRouterProps } from '../edge-router/edge-router';
import type { ServiceIntentInput } from '../intent/service-intent';
import type { GlobalInferenceSpec, RegionSpec } from '../spec/schema';

/** What a region's endpoint is wired to, besides the spec. */
export interface EndpointWiring {
  readonly provider: TerraformProvider;
  readonly certificateArn: string;
  readonly originLock?: OriginLock;
}

/** The endpoint of one region of the spec. */
export function endpointProps(
  spec: GlobalInferenceSpec,
  region: RegionSpec,
  wiring: EndpointWiring,
): GpuInferenceEndpointProps {
  const network = region.network;
  return {
    region: region.region,
    provider: wiring.provider,
    serviceName: spec.service.name,
    models: spec.models.filter((m) => region.models.includes(m.name)),
    modelVersions: region.modelVersions,
    instanceType: region.instanceType,
    capacity: region.capacity,
    network: network.vpcId
      ? { vpcId: network.vpcId, privateSubnetIds: network.privateSubnetIds!, publicSubnetIds: network.publicSubnetIds! }
      : undefined,
    vpc: { cidr: network.cidr, availabilityZoneIds: network.availabilityZoneIds, natGateways: network.natGateways },
    certificateArn: wiring.certificateArn,
    health: spec.health,
    settings: { ...spec.endpoint, albIngressCidrs: region.albIngressCidrs ?? spec.endpoint.albIngressCidrs },
    jurisdiction: region.jurisdiction,
    tags: spec.tags,
    originLock: wiring.originLock,
  };
}

/** The public hosted zone the library creates when the spec names none. */
export function hostedZoneProps(
  spec: GlobalInferenceSpec,
  routingDomain: string,
  provider: TerraformProvider,
): InferenceHostedZoneProps {
  return {
    zoneName: routingDomain,
    provider,
    dnssec: spec.dns.dnssec,
    queryLogging: spec.dns.queryLogging,
    queryLogRetentionDays: spec.dns.queryLogRetentionDays,
  };
}

/**
 * The region that writes the ACM validation record: validation records are per account and domain, not per region,
 * so one region (the first by code, so the choice does not depend on list order) writes it and the others wait for
 * it. Undefined when every region brings its own certificate.
 */
export function certificateWriterRegion(spec: GlobalInferenceSpec): string | undefined {
  return spec.regions
    .filter((r) => !r.certificateArn)
    .map((r) => r.region)
    .sort()[0];
}

/** The Route53 routing of the spec's mode over the regions' endpoints. */
export function route53RoutingProps(
  spec: GlobalInferenceSpec,
  wiring: { zone: IHostedZone; routingDomain: string; regions: RoutedRegion[]; provider: TerraformProvider },
): GlobalRoute53RoutingProps {
  return {
    zone: wiring.zone,
    domain: wiring.routingDomain,
    regions: wiring.regions,
    routing: spec.routing,
    residency: spec.residency,
    health: spec.health,
    provider: wiring.provider,
    namePrefix: spec.service.name,
  };
}

/** What the Cloudflare-side constructs are wired to, besides the spec. */
export interface CloudflareWiring {
  readonly endpoints: readonly IInferenceEndpoint[];
  readonly routingDomain: string;
  readonly regionalHostnames: Readonly<Record<string, string>>;
  readonly provider: TerraformProvider;
  /** Whether the ALBs only serve requests carrying the front door's secret header. */
  readonly lockedOrigins: boolean;
  readonly secretVariable?: TerraformVariable;
}

/** Monitors, pools and the load balancer of the Cloudflare front door. */
export function cloudflareFrontDoorProps(
  spec: GlobalInferenceSpec,
  wiring: CloudflareWiring,
): CloudflareFrontDoorProps {
  return {
    endpoints: wiring.endpoints,
    serviceName: spec.service.name,
    serviceDomain: spec.service.domain,
    originDomain: wiring.routingDomain,
    originHostnames: wiring.regionalHostnames,
    health: spec.health,
    residency: spec.residency,
    // The front door adds the origin header only for locked origins; with `both` they stay open for Route53.
    cloudflare: { ...spec.cloudflare!, lockOrigin: wiring.lockedOrigins },
    secretVariable: wiring.secretVariable,
    provider: wiring.provider,
  };
}

/** The programmable edge router of a spec that has one; `originAuth` is the header it adds for locked origins. */
export function edgeRouterProps(
  spec: GlobalInferenceSpec,
  wiring: CloudflareWiring & { originAuth?: EdgeRouterProps['originAuth'] },
): EdgeRouterProps {
  return {
    ...spec.edgeRouter!,
    serviceName: spec.service.name,
    endpoints: wiring.endpoints,
    hostnames: wiring.regionalHostnames,
    residency: spec.residency,
    provider: wiring.provider,
    originAuth: wiring.originAuth,
  };
}

/**
 * Intent the synthesized resources cannot carry (which region belongs to which jurisdiction, the residency groups,
 * the SLO), for the analysis and the policy checks.
 */
export function serviceIntent(
  spec: GlobalInferenceSpec,
  routingDomain: string,
  regionalHostnames: Readonly<Record<string, string>>,
): ServiceIntentInput {
  return {
    service: spec.service.name,
    domain: spec.service.domain,
    routingDomain,
    frontDoor: spec.frontDoor,
    routingMode: spec.routing.mode,
    regions: Object.fromEntries(
      spec.regions.map((r) => [
        r.region,
        { jurisdiction: r.jurisdiction ?? null, hostname: regionalHostnames[r.region] },
      ]),
    ),
    residency: spec.residency,
    health: { intervalSeconds: spec.health.intervalSeconds, failureThreshold: spec.health.failureThreshold },
    cloudflarePlan: spec.cloudflare?.plan ?? null,
    sloFailoverSeconds: spec.slo.failoverSeconds,
    // Written only when set, so stacks that use neither keep their Terraform unchanged.
    ...(spec.slo.survivesRegionFailure ? {} : { survivesRegionFailure: false }),
    ...(spec.externalEndpoints && spec.externalEndpoints.length > 0
      ? { externalEndpoints: spec.externalEndpoints }
      : {}),
  };
}
