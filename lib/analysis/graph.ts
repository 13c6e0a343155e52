/*
 * The routing graph: the front doors of the synthesized stacks (Route53 names, Cloudflare load balancers, and
 * whatever further extractors add, such as the edge router's table) over the service's regions.
 */
import { edgeRouterTables } from '../edge-router/synthesized-table';
import { tableFrontDoor } from './table-front-door';
import { buildCloudflareModel, cloudflareFrontDoors, cloudflareProbes } from './cloudflare';
import { cloudflareDnsFrontDoors } from './cloudflare-dns';
import {
  isExpression,
  loadStacks,
  normalizeDnsName,
  readIntent,
  resourcesOfType,
  str,
  type AnalysisSource,
} from './input';
import type { FrontDoor, FrontDoorExtractor, GraphContext, ProbeSource, ServiceIntent, StackInput } from './model';
import { hostPlacer, type HostPlacer } from './host-placement';
import { buildRoute53Model, route53Entries, route53FrontDoor, route53Probes, type Route53Model } from './route53';

/**
 * Route53 front doors: the intent's routing domain in every zone that holds it, public and private (or, without
 * intent, every routed name nothing points to).
 */
export const route53Extractor: FrontDoorExtractor = (context) => {
  const model = buildRoute53Model(context.stacks);
  let publicIndex = 0;
  return route53Entries(model, context.intent).map((entry) =>
    route53FrontDoor(model, context, entry, entry.private ? 0 : publicIndex++),
  );
};

/** Cloudflare front doors: one per `cloudflare_load_balancer`. */
export const cloudflareExtractor: FrontDoorExtractor = (context) => cloudflareFrontDoors(context);

/** The edge router's routing table, as written to KV in the synthesized stacks. */
const edgeRouterExtractor: FrontDoorExtractor = (context) =>
  edgeRouterTables(context.stacks).map((table) => tableFrontDoor(context, table));

/**
 * Plain Cloudflare DNS records at the service name (or a disabled load balancer's), where no enabled load balancer
 * answers.
 */
export const cloudflareDnsExtractor: FrontDoorExtractor = (context) => cloudflareDnsFrontDoors(context);

/**
 * The front-door extractors {@link buildRoutingGraph} and {@link analyzeRouting} run unless `replaceDefaultExtractors`
 * is set: Route53 names ({@link route53Extractor}), Cloudflare load balancers ({@link cloudflareExtractor}), plain
 * Cloudflare DNS records ({@link cloudflareDnsExtractor}) and the edge router's routing table as synthesized into KV.
 * The `extractors` option adds to them.
 */
export const DEFAULT_EXTRACTORS: readonly FrontDoorExtractor[] = [
  route53Extractor,
  cloudflareExtractor,
  cloudflareDnsExtractor,
  edgeRouterExtractor,
];

/**
 * What {@link buildRoutingGraph} reads from the synthesized stacks: the service intent, the front doors clients reach
 * the service through, the regions and endpoints they route to, the Route53 model and every health probe. What the
 * proofs run over (`RoutingReport.graph`).
 */
export interface RoutingGraph {
  /** The stacks read, each with its Terraform JSON. */
  readonly stacks: readonly StackInput[];
  /** The service intent of the stacks' `//` comment blocks (no regions or residency groups when there is none). */
  readonly intent: ServiceIntent;
  /** What the extractors were given: the stacks, the intent, and how hostnames are placed in regions. */
  readonly context: GraphContext;
  /** Every front door the extractors found, in extractor order. */
  readonly frontDoors: readonly FrontDoor[];
  /** Every region the service runs in (intent regions and load-balancer regions), sorted. */
  readonly regions: readonly string[];
  /** Endpoints per region (load balancers), for the diagram. */
  readonly endpoints: readonly { readonly region: string; readonly address: string }[];
  /** Inconsistencies found while reading (a hostname whose record points to another region's ALB, ...). */
  readonly warnings: readonly string[];
  /** The Route53 side of the stacks (zones, record sets, health checks): what the Route53 front doors answer from. */
  readonly route53: Route53Model;
  /**
   * Health probes of every Route53 endpoint check and Cloudflare pool monitor in the stacks, whether or not a front
   * door uses them (they probe all the same). Front doors add their own (e.g. the edge router's).
   */
  readonly probes: readonly ProbeSource[];
}

/** Options of {@link buildRoutingGraph} (and {@link analyzeRouting}): which front-door extractors run. */
export interface GraphOptions {
  /** Extra front-door extractors (e.g. one built on {@link tableFrontDoor}), run after the default ones. */
  readonly extractors?: readonly FrontDoorExtractor[];
  /** Replace the default extractors instead of adding to them. @default false */
  readonly replaceDefaultExtractors?: boolean;
}

/** Builds the routing graph of a cdktf output directory, an app, or stack JSON. */
export function buildRoutingGraph(source: AnalysisSource, options: GraphOptions = {}): RoutingGraph {
  const stacks = loadStacks(source);
  const intent = readIntent(stacks);
  const route53 = buildRoute53Model(stacks);
  const warnings: string[] = [];
  const declaredEndpoint = (name: string) => {
    const n = normalizeDnsName(name);
    return intent.externalEndpoints.find((e) => e.name === n);
  };
  const cloudflareNames = ['cloudflare_dns_record', 'cloudflare_record'].flatMap((type) =>
    resourcesOfType(stacks, type).flatMap((r) => {
      const name = str(r.config.name);
      const recordType = (str(r.config.type) ?? '').toUpperCase();
      const typeKnown = !isExpression(r.config.type);
      // NS records delegate (to Route53, followed there); other types carry no traffic.
      if (typeKnown && !['A', 'AAAA', 'CNAME', 'HTTPS', 'SVCB'].includes(recordType)) return [];
      // A name unknown at synth could be any name (fail closed); the apex is no origin name.
      if (!name || isExpression(r.config.name))
        return [{ address: r.address, name: '*', type: recordType || 'unknown type', relative: true }];
      if (name === '@') return [];
      return [{ address: r.address, name: normalizeDnsName(name), type: recordType, relative: true }];
    }),
  );
  const placer = hostPlacer(route53, intent, declaredEndpoint, cloudflareNames);
  warnings.push(...intentHostnameWarnings(route53, intent, placer));
  const context: GraphContext = {
    stacks,
    intent,
    regionOfHost: (hostname: string) => placer.place(hostname).region,
    placeHost: (hostname: string) => placer.place(hostname),
    jurisdictionOf(region: string) {
      return intent.regions[region]?.jurisdiction ?? undefined;
    },
    declaredEndpoint,
  };
  const extractors = [...(options.replaceDefaultExtractors ? [] : DEFAULT_EXTRACTORS), ...(options.extractors ?? [])];
  const frontDoors = extractors.flatMap((extract) => extract(context));
  const endpoints = [...route53.loadBalancers.values()]
    .filter((lb) => lb.region)
    .map((lb) => ({ region: lb.region!, address: lb.address }));
  const regions = [...new Set([...Object.keys(intent.regions), ...endpoints.map((e) => e.region)])].sort();
  warnings.push(...route53.skipped);
  const probes = [
    ...route53Probes(route53, context, 'Route53 health checks'),
    ...cloudflareProbes(
      buildCloudflareModel(
        stacks,
        (h) => context.regionOfHost(h),
        (n) => context.declaredEndpoint(n),
      ),
      'Cloudflare monitors',
    ),
  ];
  return { stacks, intent, context, frontDoors, regions, endpoints, warnings, route53, probes };
}

/**
 * A regional hostname of the intent that the stacks' records send elsewhere (another region, or more than one place):
 * reported, and the records win.
 */
function intentHostnameWarnings(model: Route53Model, intent: ServiceIntent, placer: HostPlacer): string[] {
  const out: string[] = [];
  for (const [code, r] of Object.entries(intent.regions)) {
    if (!r.hostname) continue;
    const name = normalizeDnsName(r.hostname);
    const placed = placer.place(name);
    if (!placed.inZone || placed.region === code) continue;
    const list = ['A', 'AAAA', 'CNAME']
      .flatMap((t) => [...model.sets.entries()].filter(([key]) => key.endsWith(`|${name}|${t}`)).map(([, v]) => v))
      .flat();
    const only =
      list.length === 1 && list[0].policy.kind === 'simple' && list[0].target.kind === 'alb' ? list[0] : undefined;
    if (only && placed.region && only.target.kind === 'alb')
      out.push(
        `${only.address}: ${name} is ${code}'s hostname in the service intent but aliases ${only.target.lb} in ` +
          `${placed.region}; the analysis uses ${placed.region}`,
      );
    else if (placed.region)
      out.push(
        `${placed.records.join(', ')}: ${name} is ${code}'s hostname in the service intent but resolves to ` +
          `${placed.region} only; the analysis uses ${placed.region}`,
      );
    else
      out.push(
        `${placed.records.join(', ') || name}: ${name} is ${code}'s hostname in the service intent, but the ` +
          `analysis cannot place it in one region (${placed.unplaced}); origins and backends naming it are ` +
          'unplaced',
      );
  }
  return out;
}
