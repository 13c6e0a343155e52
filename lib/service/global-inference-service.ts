import { Construct } from 'constructs';
import { TerraformOutput } from 'cdktf';
import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { Route53Record } from '@cdktf/provider-aws/lib/route53-record';
import { GpuInferenceEndpoint } from '../aws/gpu-inference-endpoint';
import { InferenceHostedZone, type IHostedZone } from '../aws/inference-hosted-zone';
import { RegionalCertificate } from '../aws/regional-certificate';
import { parseSpec } from '../spec/load';
import type { GlobalInferenceSpec, GlobalInferenceSpecInput } from '../spec/schema';

export interface GlobalInferenceServiceProps {
  /** The service spec: a TS object, or a spec already parsed by `parseSpec`/`loadSpecFile`. Validated here. */
  readonly spec: GlobalInferenceSpecInput | GlobalInferenceSpec;
  /**
   * AWS providers by region code. Missing ones are created in this construct, aliased by region code, with the
   * spec's tags as default tags. @default - one aliased `AwsProvider` per region (plus us-east-1 for Route53)
   */
  readonly providers?: Readonly<Record<string, AwsProvider>>;
}

/** The region Route53, DNSSEC keys and query logs live in. */
export const GLOBAL_REGION = 'us-east-1';

/**
 * One spec to the whole AWS side of a global inference service: a GPU endpoint per region, a hosted zone, a
 * validated certificate per region, and regional DNS names (`<region>.<domain>`) that health checks and other
 * front doors use.
 */
export class GlobalInferenceService extends Construct {
  /** The validated spec, defaults filled in. */
  readonly spec: GlobalInferenceSpec;
  /** Endpoints by region code. */
  readonly endpoints: Readonly<Record<string, GpuInferenceEndpoint>>;
  readonly zone: IHostedZone;
  /** `https://<domain>` */
  readonly serviceUrl: string;
  /** Regional DNS names by region code (`<region>.<domain>`), each an alias of that region's ALB. */
  readonly regionalHostnames: Readonly<Record<string, string>>;
  private readonly providers = new Map<string, AwsProvider>();

  constructor(scope: Construct, id: string, props: GlobalInferenceServiceProps) {
    super(scope, id);
    const spec = parseSpec(props.spec, `spec of GlobalInferenceService '${this.node.path}'`);
    this.spec = spec;
    for (const [region, provider] of Object.entries(props.providers ?? {})) this.providers.set(region, provider);
    const dnsProvider = this.providerFor(GLOBAL_REGION);
    const domain = spec.service.domain;

    this.zone = spec.dns.hostedZoneId
      ? InferenceHostedZone.fromZoneId(spec.dns.hostedZoneId, domain)
      : new InferenceHostedZone(this, 'Zone', { zoneName: domain, provider: dnsProvider });

    // ACM validation records are per account and domain, not per region: one region (the first by code, so the
    // choice does not depend on list order) writes it, the others wait for it.
    const certificateWriter = [...spec.regions].filter((r) => !r.certificateArn).map((r) => r.region).sort()[0];
    const certificates = new Map<string, RegionalCertificate>();
    if (certificateWriter) {
      const writer = new RegionalCertificate(this, `Certificate-${certificateWriter}`, {
        provider: this.providerFor(certificateWriter),
        dnsProvider,
        domainName: domain,
        zone: this.zone,
      });
      certificates.set(certificateWriter, writer);
    }

    const endpoints: Record<string, GpuInferenceEndpoint> = {};
    const hostnames: Record<string, string> = {};
    for (const region of spec.regions) {
      const provider = this.providerFor(region.region);
      let certificateArn = region.certificateArn;
      if (!certificateArn) {
        const certificate =
          certificates.get(region.region) ??
          new RegionalCertificate(this, `Certificate-${region.region}`, {
            provider,
            dnsProvider,
            domainName: domain,
            zone: this.zone,
            writeValidationRecord: false,
            sharedValidationRecord: certificates.get(certificateWriter)?.validationRecord,
          });
        certificateArn = certificate.certificateArn;
      }
      const endpoint = new GpuInferenceEndpoint(this, `Endpoint-${region.region}`, {
        region: region.region,
        provider,
        serviceName: spec.service.name,
        models: spec.models.filter((m) => region.models.includes(m.name)),
        modelVersions: region.modelVersions,
        instanceType: region.instanceType,
        capacity: region.capacity,
        network: region.network.vpcId
          ? { vpcId: region.network.vpcId, privateSubnetIds: region.network.privateSubnetIds!, publicSubnetIds: region.network.publicSubnetIds! }
          : undefined,
        vpc: { cidr: region.network.cidr, availabilityZoneIds: region.network.availabilityZoneIds, natGateways: region.network.natGateways },
        certificateArn,
        health: spec.health,
        settings: { ...spec.endpoint, albIngressCidrs: region.albIngressCidrs ?? spec.endpoint.albIngressCidrs },
        jurisdiction: region.jurisdiction,
        tags: spec.tags,
      });
      endpoints[region.region] = endpoint;

      const hostname = `${region.region}.${domain}`;
      new Route53Record(this, `RegionalRecord-${region.region}`, {
        provider: dnsProvider,
        zoneId: this.zone.zoneId,
        name: hostname,
        type: 'A',
        alias: { name: endpoint.albDnsName, zoneId: endpoint.albZoneId, evaluateTargetHealth: true },
      });
      hostnames[region.region] = hostname;
    }
    this.endpoints = endpoints;
    this.regionalHostnames = hostnames;
    this.serviceUrl = `https://${domain}`;

    this.output('service_url', this.serviceUrl, 'URL clients use');
    this.output(
      'regional_endpoints',
      Object.fromEntries(Object.entries(endpoints).map(([region, e]) => [region, { hostname: hostnames[region], alb_dns_name: e.albDnsName, alb_zone_id: e.albZoneId }])),
      'Per region: the regional DNS name and the ALB behind it',
    );
    if (this.zone instanceof InferenceHostedZone) {
      this.output('name_servers', this.zone.nameServers, 'Delegate the service domain to these from the parent zone');
    }
  }

  /** The provider of a region: given in props, or created here (aliased by region code) on first use. */
  providerFor(region: string): AwsProvider {
    let provider = this.providers.get(region);
    if (!provider) {
      provider = new AwsProvider(this, `Aws-${region}`, {
        region,
        alias: region,
        defaultTags: [{ tags: { ...this.spec.tags, 'inference:service': this.spec.service.name, 'managed-by': 'cdktf-global-inference' } }],
      });
      this.providers.set(region, provider);
    }
    return provider;
  }

  /** An output named plainly (`service_url`), prefixed with the construct id when it is not `Service`. */
  private output(name: string, value: unknown, description: string): TerraformOutput {
    const output = new TerraformOutput(this, name, { value, description });
    output.overrideLogicalId(this.node.id === 'Service' ? name : `${this.node.id.replace(/[^A-Za-z0-9]+/g, '_').toLowerCase()}_${name}`);
    return output;
  }
}
