/*
 * The routing graph: the front doors of the synthesized stacks (Route53 names, Cloudflare load balancers, and
 * whatever further extractors add, such as the edge router's table) over the service's regions.
 */
import { edgeRouterTables } from '../edge-router/synthesized-table';
import { tableFrontDoor } from './table-front-door';
import { isKnownRegion } from '../spec/regions';
import { buildCloudflareModel, cloudflareFrontDoors, cloudflareProbes } from './cloudflare';
import { cloudflareDnsFrontDoors } from './cloudflare-dns';
import { loadStacks, normalizeDnsName, readIntent, type AnalysisSource } from './input';
import type { FrontDoor, FrontDoorExtractor, GraphContext, ProbeSource, ServiceIntent, StackInput } from './model';
import { buildRoute53Model, elbRegion, route53Entries, route53FrontDoor, route53Probes, type Route53Model } from './route53';

/**
 * Route53 front doors: the intent's routing domain in every zone that holds it, public and private (or, without
 * intent, every routed name nothing points to).
 */
export const route53Extractor: FrontDoorExtractor = (context) => {
  const model = buildRoute53Model(context.stacks);
  let publicIndex = 0;
  return route53Entries(model, context.intent).map((entry) => route53FrontDoor(model, context, entry, entry.private ? 0 : publicIndex++));
};

/** Cloudflare front doors: one per `cloudflare_load_balancer`. */
export const cloudflareExtractor: FrontDoorExtractor = (context) => cloudflareFrontDoors(context);

/**
 * The extractors used by default. The edge router's routing table is another extractor: pass it in `extractors`
 * (added to these) to `buildRoutingGraph` / `analyzeRouting`.
 */
/** The edge router's routing table, as written to KV in the synthesized stacks. */
const edgeRouterExtractor: FrontDoorExtractor = (context) => edgeRouterTables(context.stacks).map((table) => tableFrontDoor(context, table));

/** Plain Cloudflare DNS records at the service name (or a disabled load balancer's), where no enabled load balancer answers. */
export const cloudflareDnsExtractor: FrontDoorExtractor = (context) => cloudflareDnsFrontDoors(context);

export const DEFAULT_EXTRACTORS: readonly FrontDoorExtractor[] = [route53Extractor, cloudflareExtractor, cloudflareDnsExtractor, edgeRouterExtractor];

export interface RoutingGraph {
  readonly stacks: readonly StackInput[];
  readonly intent: ServiceIntent;
  readonly context: GraphContext;
  readonly frontDoors: readonly FrontDoor[];
  /** Every region the service runs in (intent regions and load-balancer regions), sorted. */
  readonly regions: readonly string[];
  /** Endpoints per region (load balancers), for the diagram. */
  readonly endpoints: readonly { readonly region: string; readonly address: string }[];
  /** Inconsistencies found while reading (a hostname whose record points to another region's ALB, ...). */
  readonly warnings: readonly string[];
  readonly route53: Route53Model;
  /**
   * Health probes of every Route53 endpoint check and Cloudflare pool monitor in the stacks, whether or not a front
   * door uses them (they probe all the same). Front doors add their own (e.g. the edge router's).
   */
  readonly probes: readonly ProbeSource[];
}

export interface GraphOptions {
  /** Extra front-door extractors (e.g. the edge router's), run after the default ones. */
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
  const hostRegions = hostnameRegions(route53, intent, warnings);
  const context: GraphContext = {
    stacks,
    intent,
    regionOfHost(hostname: string) {
      const name = normalizeDnsName(hostname);
      const known = hostRegions.get(name);
      if (known) return known;
      // A load balancer's own DNS name carries its region (`x.eu-west-1.elb.amazonaws.com`).
      const elb = elbRegion(name);
      if (elb) return elb;
      // Last resort for stacks without intent: a `<region>.<domain>` name.
      const first = name.split('.')[0];
      return Object.keys(intent.regions).length === 0 && isKnownRegion(first) ? first : undefined;
    },
    jurisdictionOf(region: string) {
      return intent.regions[region]?.jurisdiction ?? undefined;
    },
    declaredEndpoint(name: string) {
      const n = normalizeDnsName(name);
      return intent.externalEndpoints.find((e) => e.name === n);
    },
  };
  const extractors = [...(options.replaceDefaultExtractors ? [] : DEFAULT_EXTRACTORS), ...(options.extractors ?? [])];
  const frontDoors = extractors.flatMap((extract) => extract(context));
  const endpoints = [...route53.loadBalancers.values()].filter((lb) => lb.region).map((lb) => ({ region: lb.region!, address: lb.address }));
  const regions = [...new Set([...Object.keys(intent.regions), ...endpoints.map((e) => e.region)])].sort();
  warnings.push(...route53.skipped);
  const probes = [...route53Probes(route53, context, 'Route53 health checks'), ...cloudflareProbes(buildCloudflareModel(stacks, (h) => context.regionOfHost(h), (n) => context.declaredEndpoint(n)), 'Cloudflare monitors')];
  return { stacks, intent, context, frontDoors, regions, endpoints, warnings, route53, probes };
}

/**
 * Region of each public hostname: from the simple Route53 record aliasing a load balancer (what is deployed), else
 * from the intent. A disagreement between the two is reported: the synthesized record wins.
 */
function hostnameRegions(model: Route53Model, intent: ServiceIntent, warnings: string[]): Map<string, string> {
  const out = new Map<string, string>();
  for (const [code, r] of Object.entries(intent.regions)) if (r.hostname) out.set(normalizeDnsName(r.hostname), code);
  for (const list of model.sets.values()) {
    if (list.length !== 1 || list[0].policy.kind !== 'simple' || list[0].target.kind !== 'alb') continue;
    const record = list[0];
    const target = record.target as { kind: 'alb'; lb: string; region?: string };
    const region = target.region ?? model.loadBalancers.get(target.lb)?.region;
    if (!region) continue;
    const declared = out.get(record.name);
    if (declared && declared !== region) warnings.push(`${record.address}: ${record.name} is ${declared}'s hostname in the service intent but aliases ${target.lb} in ${region}; the analysis uses ${region}`);
    out.set(record.name, region);
  }
  return out;
}
