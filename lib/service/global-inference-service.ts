import { Construct } from 'constructs';
import { Fn, TerraformOutput, TerraformStack, TerraformVariable } from '../util/cdktf';
import type { CloudflareProvider } from '@cdktf/provider-cloudflare/lib/provider';
import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { gateSynth, proofOptionsFor, type SynthChecks } from '../analysis/gate';
import { GlobalRoute53Routing } from '../aws/global-route53-routing';
import { GpuInferenceEndpoint, type OriginLock } from '../aws/gpu-inference-endpoint';
import type { CloudflareFrontDoor } from '../cloudflare/cloudflare-front-door';
import type { EdgeRouter } from '../edge-router/edge-router';
import { SpecValidationError } from '../spec/errors';
import { defaultLockOrigin } from '../spec/cloudflare-schema';
import { InferenceAliasRecord, RecordTarget } from '../aws/inference-alias-record';
import { InferenceHostedZone, type IHostedZone } from '../aws/inference-hosted-zone';
import { PrivateHostedZone } from '../aws/private-hosted-zone';
import { RegionalCertificate } from '../aws/regional-certificate';
import { RoutingPolicy } from '../aws/routing-policy';
import { parseSpec } from '../spec/load';
import { residencyOfRegion } from '../spec/residency';
import { routingDomainOf, type GlobalInferenceSpec, type GlobalInferenceSpecInput } from '../spec/schema';
import { protectLiterals } from '../util/terraform-literals';
import { PolicySuppressions } from '../policy/suppressions';
import { writeServiceIntent } from '../intent/service-intent';
import {
  certificateWriterRegion,
  type CloudflareWiring,
  cloudflareFrontDoorProps,
  edgeRouterProps,
  endpointProps,
  hostedZoneProps,
  route53RoutingProps,
  serviceIntent,
} from './construct-props';
import { DnsAutomationRole } from '../aws/dns-automation-role';

/** Props of {@link GlobalInferenceService}: the spec, and where its providers and Cloudflare resources come from. */
export interface GlobalInferenceServiceProps {
  /** The service spec: a TS object, or a spec already parsed by `parseSpec`/`loadSpecFile`. Validated here. */
  readonly spec: GlobalInferenceSpecInput | GlobalInferenceSpec;
  /**
   * AWS providers by region code. Missing ones are created in this construct, aliased by region code, with the
   * spec's tags as default tags. @default - one aliased `AwsProvider` per region (plus us-east-1 for Route53)
   */
  readonly providers?: Readonly<Record<string, AwsProvider>>;
  /**
   * The stack the Cloudflare front door goes into (required when `frontDoor` is cloudflare or both). It must hold
   * only Cloudflare resources: AWS stacks stay checkable offline, and there is no Cloudflare provider binary for
   * that. @default - none (an error when the spec asks for Cloudflare)
   */
  readonly cloudflareStack?: TerraformStack;
  /**
   * What `app.synth()` checks before it writes anything: the policy pack on this service's stacks and the routing
   * proofs the spec asks for, on the synthesized JSON of the whole app. All or nothing: a refusal reports every
   * finding (the report `global-inference synth` prints; uncaught, it is printed without a stack trace and the
   * process exits 1) and leaves the previous output untouched; a synth that passes switches the new output in by one
   * rename (see "Atomic output" in the README). `false` opts out of the checks and of the atomic write:
   * `app.synth()` is plain cdktf again.
   * @default - every policy rule (errors refuse synth) and the proofs the spec asks for
   */
  readonly synthChecks?: SynthChecks | false;
}

/** The region Route53, DNSSEC keys and query logs live in. */
export const GLOBAL_REGION = 'us-east-1';

/**
 * One spec to the whole AWS side of a global inference service: a GPU endpoint per region, a hosted zone
 * (DNSSEC-signed, query-logged, protected), a validated certificate per region, regional names
 * (`<region>.<routing domain>`) and the Route53 routing of the spec's mode, with readiness + capacity health checks
 * and residency by nesting.
 *
 * The routing domain is `service.domain` when Route53 is the front door; with a Cloudflare front door the service
 * name lives in Cloudflare and the AWS side answers under `dns.originDomain` (default `origin.<domain>`).
 *
 * It gates `app.synth()` of its app (unless `synthChecks: false`): the output is staged, the policy pack and the
 * routing proofs run on the written JSON, and the output is switched in only when they pass.
 *
 * Stack outputs it writes, in the stack holding it (named as below when the construct id is `Service`; otherwise
 * `<id>_<name>`, the id lower-cased with each run of characters other than letters and digits as `_`, e.g.
 * `eu_service_url` for id `EU`):
 *
 * - `service_url`: the URL clients use, `https://<service.domain>`.
 * - `regional_endpoints`: per region code, `{ hostname, alb_dns_name, alb_zone_id }`: the region's own name
 *   (`<region>.<routing domain>`) and the ALB behind it.
 * - `name_servers`: the four name servers of the hosted zone the library created; delegate the routing domain to them
 *   from the parent zone. Absent when the spec names an existing zone (`dns.hostedZoneId`).
 * - `dnssec_ds_record`: the DS record to publish at the parent zone to complete the DNSSEC chain. Only for a created
 *   zone with DNSSEC on (`dns.dnssec`, the default).
 * - `dns_automation_role_arn`: the role that may change only the records under the routing domain, for CI or
 *   operators. Only with `dns.automationRole`.
 *
 * @example
 * ```ts
 * import { App, TerraformStack } from 'cdktf';
 * import { GlobalInferenceService } from 'cdktf-global-inference';
 *
 * const app = new App();
 * const stack = new TerraformStack(app, 'chat-aws');
 * // Providers (one aliased AwsProvider per region), zone, certificates, endpoints, health checks and routing.
 * const service = new GlobalInferenceService(stack, 'Service', {
 *   spec: {
 *     service: { name: 'chat', domain: 'inference.example.com' },
 *     model: { id: 'meta-llama/Llama-3.1-8B-Instruct', version: '2026-11-01' },
 *     regions: [
 *       { region: 'us-east-1', instanceType: 'g6e.xlarge', capacity: { min: 2, max: 8 }, jurisdiction: 'us' },
 *       { region: 'eu-west-1', instanceType: 'g6e.xlarge', capacity: { min: 2, max: 8 }, jurisdiction: 'eu' },
 *     ],
 *     routing: { mode: 'latency' },
 *   },
 * });
 * // service.serviceUrl === 'https://inference.example.com'; app.synth() runs the policy pack and the proofs first.
 * ```
 */
export class GlobalInferenceService extends Construct {
  /** The validated spec, defaults filled in. */
  readonly spec: GlobalInferenceSpec;
  /** Endpoints by region code. */
  readonly endpoints: Readonly<Record<string, GpuInferenceEndpoint>>;
  /** The public hosted zone of the routing domain: created ({@link InferenceHostedZone}) or `dns.hostedZoneId`'s. */
  readonly zone: IHostedZone;
  /** The domain the Route53 side answers for. */
  readonly routingDomain: string;
  /** The role that may change only the service's records, when the spec asks for one (`dns.automationRole`). */
  readonly dnsAutomationRole?: DnsAutomationRole;
  /** `https://<service.domain>` */
  readonly serviceUrl: string;
  /** Regional DNS names by region code (`<region>.<routing domain>`), each an alias of that region's ALB only. */
  readonly regionalHostnames: Readonly<Record<string, string>>;
  /** The Route53 routing (absent when Cloudflare alone is the front door). */
  readonly route53Routing?: GlobalRoute53Routing;
  /** The split-horizon private zone in the created VPCs, when the spec asks for one (`dns.privateZone`). */
  readonly privateZone?: PrivateHostedZone;
  /** The Cloudflare front door (in `cloudflareStack`), when the spec asks for one. */
  readonly cloudflareFrontDoor?: CloudflareFrontDoor;
  /** The programmable edge router (in `cloudflareStack`), when the spec has an `edgeRouter`. */
  readonly edgeRouter?: EdgeRouter;
  /** Whether the ALBs only serve requests carrying the front door's secret header. */
  readonly lockedOrigins: boolean;
  private readonly providers = new Map<string, AwsProvider>();
  private cloudflareProvider?: CloudflareProvider;

  constructor(scope: Construct, id: string, props: GlobalInferenceServiceProps) {
    super(scope, id);
    const spec = parseSpec(props.spec, `spec of GlobalInferenceService '${this.node.path}'`);
    this.spec = spec;
    for (const [region, provider] of Object.entries(props.providers ?? {})) this.providers.set(region, provider);
    const dnsProvider = this.providerFor(GLOBAL_REGION);
    const domain = routingDomainOf(spec)!;
    this.routingDomain = domain;
    const usesCloudflare = spec.frontDoor !== 'route53';
    const cloudflareStack = this.cloudflareStackFor(props.cloudflareStack, usesCloudflare);
    this.lockedOrigins = usesCloudflare && (spec.cloudflare!.lockOrigin ?? defaultLockOrigin(spec.frontDoor));
    const originLock = this.lockedOrigins ? this.originLock() : undefined;

    this.zone = spec.dns.hostedZoneId
      ? InferenceHostedZone.fromZoneId(spec.dns.hostedZoneId, domain)
      : new InferenceHostedZone(this, 'Zone', hostedZoneProps(spec, domain, dnsProvider));
    const regions = this.buildRegions(dnsProvider, originLock);
    this.endpoints = regions.endpoints;
    this.regionalHostnames = regions.hostnames;
    this.serviceUrl = `https://${spec.service.domain}`;

    if (spec.frontDoor !== 'cloudflare') {
      this.route53Routing = new GlobalRoute53Routing(
        this,
        'Route53Routing',
        route53RoutingProps(spec, {
          zone: this.zone,
          routingDomain: domain,
          regions: spec.regions.map((r) => ({
            endpoint: this.endpoints[r.region],
            hostname: this.regionalHostnames[r.region],
            provider: this.providerFor(r.region),
          })),
          provider: dnsProvider,
        }),
      );
    }
    if (spec.dns.privateZone) this.privateZone = this.buildPrivateZone(domain, dnsProvider);
    if (spec.dns.automationRole)
      this.dnsAutomationRole = new DnsAutomationRole(this, 'DnsAutomationRole', {
        provider: dnsProvider,
        zone: this.zone,
        domainNames: [domain],
        ...spec.dns.automationRole,
        tags: spec.tags,
      });
    if (cloudflareStack) {
      const cloudflare = this.buildCloudflareSide(cloudflareStack, usesCloudflare);
      this.cloudflareFrontDoor = cloudflare.frontDoor;
      this.edgeRouter = cloudflare.edgeRouter;
    }

    this.writeOutputs();
    this.writeIntent(cloudflareStack);
    if (props.synthChecks !== false) {
      const checks = props.synthChecks ?? {};
      gateSynth(this, {
        stacks: [TerraformStack.of(this).node.id, ...(cloudflareStack ? [cloudflareStack.node.id] : [])],
        policy: checks.policy ?? {},
        proofs: checks.proofs === false ? false : proofOptionsFor(spec, checks.proofs),
      });
    }
    protectLiterals(this);
  }

  /** The Cloudflare stack, required when the spec asks for a Cloudflare front door or an edge router. */
  private cloudflareStackFor(stack: TerraformStack | undefined, usesCloudflare: boolean): TerraformStack | undefined {
    if (!usesCloudflare && !this.spec.edgeRouter) return undefined;
    if (stack) return stack;
    const why = usesCloudflare ? `frontDoor is ${this.spec.frontDoor}` : 'the spec has an edgeRouter';
    throw new SpecValidationError(
      [
        {
          path: 'cloudflareStack',
          message:
            `is required when ${why}: pass a TerraformStack that holds only Cloudflare resources ` +
            '(addGlobalInferenceStacks does)',
        },
      ],
      `GlobalInferenceService '${this.node.path}'`,
    );
  }

  /** Per region: its certificate, its endpoint, and its own name (`<region>.<routing domain>`). */
  private buildRegions(
    dnsProvider: AwsProvider,
    originLock: OriginLock | undefined,
  ): { endpoints: Record<string, GpuInferenceEndpoint>; hostnames: Record<string, string> } {
    const spec = this.spec;
    const domain = this.routingDomain;
    const certificateWriter = certificateWriterRegion(spec);
    const writer = certificateWriter
      ? new RegionalCertificate(this, `Certificate-${certificateWriter}`, {
          provider: this.providerFor(certificateWriter),
          dnsProvider,
          domainName: domain,
          zone: this.zone,
        })
      : undefined;

    const endpoints: Record<string, GpuInferenceEndpoint> = {};
    const hostnames: Record<string, string> = {};
    for (const region of spec.regions) {
      const provider = this.providerFor(region.region);
      const certificateArn =
        region.certificateArn ??
        (region.region === certificateWriter
          ? writer!.certificateArn
          : new RegionalCertificate(this, `Certificate-${region.region}`, {
              provider,
              dnsProvider,
              domainName: domain,
              zone: this.zone,
              writeValidationRecord: false,
              sharedValidationRecord: writer?.validationRecord,
            }).certificateArn);
      const endpoint = new GpuInferenceEndpoint(
        this,
        `Endpoint-${region.region}`,
        endpointProps(spec, region, { provider, certificateArn, originLock }),
      );
      endpoints[region.region] = endpoint;
      recordSpecDeviations(endpoint, spec);

      // The region's own name: health checks probe it, other front doors use it as origin.
      const hostname = `${region.region}.${domain}`;
      new InferenceAliasRecord(this, `RegionalRecord-${region.region}`, {
        zone: this.zone,
        name: hostname,
        target: RecordTarget.loadBalancer(endpoint),
        provider: dnsProvider,
      });
      hostnames[region.region] = hostname;
    }
    return { endpoints, hostnames };
  }

  /** The Cloudflare front door and the edge router (each when the spec asks for it), in the Cloudflare stack. */
  private buildCloudflareSide(
    stack: TerraformStack,
    usesCloudflare: boolean,
  ): { frontDoor?: CloudflareFrontDoor; edgeRouter?: EdgeRouter } {
    const spec = this.spec;
    const secret = this.lockedOrigins ? originSecretVariable(stack, spec.cloudflare!.originSecretVariable) : undefined;
    const wiring: CloudflareWiring = {
      endpoints: spec.regions.map((r) => this.endpoints[r.region]),
      routingDomain: this.routingDomain,
      regionalHostnames: this.regionalHostnames,
      provider: this.cloudflareProviderIn(stack),
      lockedOrigins: this.lockedOrigins,
      secretVariable: secret,
    };
    const frontDoor = usesCloudflare ? this.buildCloudflareFrontDoor(stack, wiring) : undefined;
    if (!spec.edgeRouter) return { frontDoor };
    const { EdgeRouter, ORIGIN_AUTH_HEADER } = cloudflareModules();
    const originAuth = secret ? { headerName: ORIGIN_AUTH_HEADER, secret } : undefined;
    const edgeRouter = new EdgeRouter(stack, 'EdgeRouter', edgeRouterProps(spec, { ...wiring, originAuth }));
    return { frontDoor, edgeRouter };
  }

  /**
   * `service_url`, `regional_endpoints`, `dns_automation_role_arn` (with dns.automationRole), and for a zone the
   * library created `name_servers` and `dnssec_ds_record`.
   */
  private writeOutputs(): void {
    const domain = this.routingDomain;
    this.output('service_url', this.serviceUrl, 'URL clients use');
    this.output(
      'regional_endpoints',
      Object.fromEntries(
        Object.entries(this.endpoints).map(([region, e]) => [
          region,
          { hostname: this.regionalHostnames[region], alb_dns_name: e.albDnsName, alb_zone_id: e.albZoneId },
        ]),
      ),
      'Per region: the regional DNS name and the ALB behind it',
    );
    if (this.dnsAutomationRole)
      this.output(
        'dns_automation_role_arn',
        this.dnsAutomationRole.roleArn,
        `Role that may change only the records under ${domain} (dns.automationRole)`,
      );
    if (this.zone instanceof InferenceHostedZone) {
      this.output('name_servers', this.zone.nameServers, `Delegate ${domain} to these from the parent zone`);
      if (this.zone.dsRecord)
        this.output(
          'dnssec_ds_record',
          this.zone.dsRecord,
          `Publish this DS record for ${domain} at the parent zone to complete the DNSSEC chain`,
        );
    }
  }

  /** The provider of a region: given in props, or created here (aliased by region code) on first use. */
  providerFor(region: string): AwsProvider {
    let provider = this.providers.get(region);
    if (!provider) {
      provider = new AwsProvider(this, `Aws-${region}`, {
        region,
        alias: region,
        // Refuse to touch any other account when the spec names one.
        allowedAccountIds: this.spec.aws.accountId ? [this.spec.aws.accountId] : undefined,
        defaultTags: [
          {
            tags: {
              ...this.spec.tags,
              'inference:service': this.spec.service.name,
              'managed-by': 'cdktf-global-inference',
            },
          },
        ],
      });
      this.providers.set(region, provider);
    }
    return provider;
  }

  /**
   * The AWS half of the origin lock: a sensitive variable with the same name the Cloudflare stack uses (one
   * `TF_VAR_<name>` feeds both), and Cloudflare's published ranges.
   */
  private originLock(): OriginLock {
    const secret = originSecretVariable(TerraformStack.of(this), this.spec.cloudflare!.originSecretVariable);
    const { cloudflareIpRanges, ORIGIN_AUTH_HEADER } = cloudflareModules();
    const ranges = cloudflareIpRanges();
    return {
      headerName: ORIGIN_AUTH_HEADER,
      headerValue: secret.stringValue,
      allowedCidrs: [...ranges.ipv4, ...ranges.ipv6],
      source: `Cloudflare ${ranges.takenOn}`,
    };
  }

  /**
   * Monitors, pools and the load balancer in the Cloudflare stack. Origins are the regional names, plain strings
   * known at synth. The only cross-stack reference is the delegation of the routing domain to Route53, from the
   * AWS stack's name servers (when the library created the zone).
   */
  private buildCloudflareFrontDoor(stack: TerraformStack, wiring: CloudflareWiring): CloudflareFrontDoor {
    const spec = this.spec;
    const provider = wiring.provider;
    const { CloudflareFrontDoor, DnsRecord } = cloudflareModules();
    const frontDoor = new CloudflareFrontDoor(stack, 'FrontDoor', cloudflareFrontDoorProps(spec, wiring));
    recordCloudflareDeviations(frontDoor, spec);
    if (this.zone instanceof InferenceHostedZone) {
      const nameServers = this.zone.nameServers;
      // Route53 gives every zone four name servers.
      for (const i of [0, 1, 2, 3]) {
        const delegation = new DnsRecord(stack, `OriginDelegation-${i}`, {
          provider,
          zoneId: spec.cloudflare!.zoneId,
          name: this.routingDomain,
          type: 'NS',
          content: Fn.element(nameServers, i),
          ttl: 3600,
          comment: 'Delegates the AWS routing domain to Route53 (managed by cdktf-global-inference)',
        });
        // Created in the Cloudflare stack, outside this construct: protected on its own.
        protectLiterals(delegation);
      }
    }
    return frontDoor;
  }

  private cloudflareProviderIn(stack: TerraformStack): CloudflareProvider {
    this.cloudflareProvider ??= new (cloudflareModules().CloudflareProvider)(stack, 'cloudflare', {});
    return this.cloudflareProvider;
  }

  /**
   * Split horizon: the same name, privately, in every VPC the library created, latency-routed to the regions. A VPC
   * whose region binds its clients to a jurisdiction (residencyOfRegion) gets, as its own region's record, an alias
   * of `<jurisdiction>.<domain>` in the private zone: always healthy (no health check, evaluate_target_health off), so
   * Route53 always answers it with its own region's record, and that nested latency set holds only the
   * jurisdiction's regions, answering inside it even when all of them are unhealthy; as the public zone does.
   */
  private buildPrivateZone(domain: string, dnsProvider: AwsProvider): PrivateHostedZone {
    const vpcs = Object.values(this.endpoints).map((e) => ({ vpcId: e.network.vpcId, region: e.region }));
    const zone = new PrivateHostedZone(this, 'PrivateZone', { zoneName: domain, vpcs, provider: dnsProvider });
    const health = this.route53Routing?.healthChecks;
    const regionsOf = (j: string) => this.spec.regions.filter((r) => r.jurisdiction === j).map((r) => r.region);
    const bound = new Set<string>();
    for (const [region, endpoint] of Object.entries(this.endpoints)) {
      const j = residencyOfRegion(region, endpoint.jurisdiction, this.spec.residency);
      const own = j && regionsOf(j).length > 0 ? j : undefined;
      if (own) bound.add(own);
      new InferenceAliasRecord(this, `PrivateRecord-${region}`, {
        zone,
        name: domain,
        target: own ? RecordTarget.record(`${own}.${domain}`, zone) : RecordTarget.loadBalancer(endpoint),
        policy: RoutingPolicy.latency(region),
        setIdentifier: region,
        healthCheck: own ? undefined : health?.[region],
        evaluateTargetHealth: !own,
        provider: dnsProvider,
      });
    }
    for (const j of [...bound].sort()) {
      for (const region of regionsOf(j)) {
        new InferenceAliasRecord(this, `PrivateResidency-${j}-${region}`, {
          zone,
          name: `${j}.${domain}`,
          target: RecordTarget.loadBalancer(this.endpoints[region]),
          policy: RoutingPolicy.latency(region),
          setIdentifier: region,
          healthCheck: health?.[region],
          provider: dnsProvider,
        });
      }
    }
    return zone;
  }

  /**
   * Intent the synthesized resources cannot carry (which region belongs to which jurisdiction, the residency
   * groups, the SLO), written as a JSON comment of the stack for the analysis and policy checks.
   */
  private writeIntent(cloudflareStack?: TerraformStack): void {
    const intent = serviceIntent(this.spec, this.routingDomain, this.regionalHostnames);
    // Both stacks carry it: each is checked on its own (policy rules, analysis of one stack).
    for (const stack of [TerraformStack.of(this), cloudflareStack]) if (stack) writeServiceIntent(stack, intent);
  }

  /** An output named plainly (`service_url`), prefixed with the construct id when it is not `Service`. */
  private output(name: string, value: unknown, description: string): TerraformOutput {
    const output = new TerraformOutput(this, name, { value, description });
    output.overrideLogicalId(
      this.node.id === 'Service' ? name : `${this.node.id.replace(/[^A-Za-z0-9]+/g, '_').toLowerCase()}_${name}`,
    );
    return output;
  }
}

/**
 * The sensitive variable holding the origin secret, declared the same way in every stack that needs it (one
 * `TF_VAR_<name>` feeds them all); 32-128 letters and digits, because ALB header matching treats * and ? as
 * wildcards.
 */
export function originSecretVariable(stack: TerraformStack, name: string): TerraformVariable {
  const existing = stack.node.tryFindChild(name);
  if (existing instanceof TerraformVariable) return existing;
  return new TerraformVariable(stack, name, {
    type: 'string',
    sensitive: true,
    nullable: false,
    description:
      'Secret header value the front door adds to origin requests; the ALBs answer 403 without it. Set ' +
      `TF_VAR_${name} for every stack.`,
    validation: [
      {
        condition: `\${can(regex("^[A-Za-z0-9]{32,128}$", var.${name}))}`,
        errorMessage:
          'The origin secret must be 32 to 128 letters and digits (ALB header matching treats * and ? as wildcards).',
      },
    ],
  });
}

/**
 * What the spec turns off on purpose is a suppression with its reason, on the load balancer it concerns: the policy
 * report lists it as suppressed (visible in every review), instead of refusing the synth the spec asked for.
 */
function recordSpecDeviations(endpoint: GpuInferenceEndpoint, spec: GlobalInferenceSpec): void {
  if (spec.endpoint.accessLogs === false)
    PolicySuppressions.add(endpoint.resource, 'GI-AWS-013', 'endpoint.accessLogs: false in the spec');
  if (spec.endpoint.waf === false)
    PolicySuppressions.add(endpoint.resource, 'GI-AWS-014', 'endpoint.waf: false in the spec');
}

/** {@link recordSpecDeviations} for the Cloudflare front door: an edge rate limit turned off, on its load balancer. */
function recordCloudflareDeviations(frontDoor: CloudflareFrontDoor, spec: GlobalInferenceSpec): void {
  if (spec.cloudflare?.rateLimit === false)
    PolicySuppressions.add(frontDoor.resource, 'GI-CF-003', 'cloudflare.rateLimit: false in the spec');
}

/**
 * The Cloudflare-side modules, loaded on first use: an AWS-only service does not pay their load time at every synth
 * (the provider classes are large; see the benchmark).
 */
type CloudflareDnsRecordModule = typeof import('@cdktf/provider-cloudflare/lib/dns-record');
type CloudflareProviderModule = typeof import('@cdktf/provider-cloudflare/lib/provider');

function cloudflareModules() {
  return {
    ...(require('../cloudflare/cloudflare-front-door') as typeof import('../cloudflare/cloudflare-front-door')),
    ...(require('../cloudflare/cloudflare-ip-ranges') as typeof import('../cloudflare/cloudflare-ip-ranges')),
    ...(require('../cloudflare/origin-auth') as typeof import('../cloudflare/origin-auth')),
    ...(require('../edge-router/edge-router') as typeof import('../edge-router/edge-router')),
    ...(require('@cdktf/provider-cloudflare/lib/dns-record') as CloudflareDnsRecordModule),
    ...(require('@cdktf/provider-cloudflare/lib/provider') as CloudflareProviderModule),
  };
}
