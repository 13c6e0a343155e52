/*
 * The data structures of the routing analysis: what it reads (stacks, service intent), who it routes (client
 * groups), under which failures (scenarios), and what it answers (landings with the path that led there).
 */
import type { ContinentCode, CloudflareRegionCode } from '../spec/regions';
import type { TerraformJson } from '../util/synth-output';

/** One synthesized stack: its name and Terraform JSON (with the top-level `//` comment block). */
export interface StackInput {
  readonly name: string;
  readonly json: TerraformJson;
}

/** A region as the service intent describes it. */
export interface IntentRegion {
  /** Jurisdiction the region belongs to, if any. */
  readonly jurisdiction?: string;
  /** The region's own public name, `<region>.<routing domain>`. */
  readonly hostname?: string;
}

/**
 * The service intent GlobalInferenceService writes into the stack's `"//": { "global_inference": ... }` comment:
 * what the synthesized resources cannot say themselves (jurisdictions, residency clients, the SLO).
 */
export interface ServiceIntent {
  readonly service?: string;
  readonly domain?: string;
  readonly routingDomain?: string;
  readonly frontDoor?: string;
  readonly routingMode?: string;
  readonly regions: Readonly<Record<string, IntentRegion>>;
  /** Clients bound to a jurisdiction, by jurisdiction key. */
  readonly residency: Readonly<Record<string, { readonly countries: readonly string[]; readonly continents: readonly string[] }>>;
  readonly health?: { readonly intervalSeconds?: number; readonly failureThreshold?: number };
  readonly cloudflarePlan?: string;
  readonly sloFailoverSeconds?: number;
  /** Stacks the intent was read from. */
  readonly sources: readonly string[];
}

/** A population of clients that the routing can tell apart. */
export interface ClientGroup {
  /** Stable id, e.g. `eu:DE`, `loc:US@WNAM`, `rest:EU@WEU`. */
  readonly id: string;
  /** Human label, e.g. `eu: DE`, `US (WNAM)`, `rest of EU (WEU)`. */
  readonly label: string;
  readonly kind: 'residency' | 'location' | 'elsewhere';
  /** Jurisdiction whose regions alone may serve these clients. */
  readonly jurisdiction?: string;
  /** Country (ISO alpha-2); absent for "rest of continent" groups, which match no country-level mapping. */
  readonly country?: string;
  /** Route53 geolocation subdivision (with `country`), when a record distinguishes one. */
  readonly subdivision?: string;
  readonly continent: ContinentCode;
  /** Cloudflare region of the data center serving these clients. */
  readonly cloudflareRegion: CloudflareRegionCode;
  readonly latitude: number;
  readonly longitude: number;
}

/** A failure scenario: the regions that are down (their health checks fail, their load balancers have no healthy targets). */
export interface Scenario {
  /** `normal`, `eu-west-1`, `eu-west-1+us-east-1`, `all` */
  readonly id: string;
  /** `normal operation`, `eu-west-1 down`, `every region down` */
  readonly label: string;
  readonly kind: 'normal' | 'single' | 'multiple' | 'all';
  readonly failed: readonly string[];
}

/** One hop of the way a request takes: a record, a pool, a rule... named by its Terraform address. */
export interface PathStep {
  /** Terraform address (`aws_route53_record.Service_...`), or a name when no resource stands for the hop. */
  readonly address: string;
  /** What the hop is, e.g. `inference.example.com geolocation country=DE`. */
  readonly label: string;
  /** Why this hop was taken when it is not the plain choice, e.g. `falls through: eu.inference.example.com is unhealthy`. */
  readonly note?: string;
  /**
   * The hop is the client's own location mapping (a country/continent geolocation record, a country_pools entry):
   * other client groups take the same path through their own mapping. Used to group violations.
   */
  readonly clientSpecific?: boolean;
}

/** Where (part of) a client group's traffic ends up. */
export interface Landing {
  /** AWS region of the endpoint, or undefined when the endpoint is not one of the service's regions. */
  readonly region?: string;
  /** The endpoint: a load balancer address, a hostname, or `fail-closed`. */
  readonly endpoint: string;
  /** Share of the group's new requests (0 for a possible-only landing). */
  readonly share: number;
  /** Whether the endpoint's region is up in the scenario (false for fail-closed and unknown-down endpoints). */
  readonly up: boolean;
  /**
   * A place requests can reach without being the normal answer: an adaptive-routing retry on another pool, a rule
   * override, a PoP mapping. Counts for residency, not for availability.
   */
  readonly possible?: string;
  /** The endpoint refuses by design (a fail-closed pool): no service, but no residency leak either. */
  readonly failClosed?: boolean;
  readonly path: readonly PathStep[];
}

/** What one front door does with one client group in one scenario. */
export interface Answer {
  readonly frontDoor: string;
  readonly client: ClientGroup;
  readonly scenario: Scenario;
  readonly landings: readonly Landing[];
  /** Why there is no answer at all (e.g. no geolocation record matches and there is no default). */
  readonly noAnswer?: string;
  /** Notes on the outcome as a whole, e.g. `every record unhealthy: Route53 answers anyway`. */
  readonly notes: readonly string[];
}

/** The region health a front door evaluates against. */
export interface HealthState {
  readonly scenario: Scenario;
  readonly failed: ReadonlySet<string>;
  /** Scratch space for per-scenario memoisation by front doors. */
  readonly memo: Map<unknown, unknown>;
}

/** One way a front door moves traffic off a failed region, and how long that takes at worst. */
export interface FailoverPath {
  readonly frontDoor: string;
  /** Region whose failure is detected. */
  readonly region: string;
  /** Worst-case seconds from failure to clients using another region (Infinity: nothing detects it). */
  readonly seconds: number;
  /** How the figure is made up, naming the resources, e.g. `aws_route53_health_check.X: 10 s × 3 = 30 s + TTL 60 s`. */
  readonly breakdown: string;
  /** Resources that decide the figure. */
  readonly resources: readonly string[];
  /** Client groups whose traffic takes this path. */
  readonly clients: readonly string[];
}

/** A source of health-probe requests to an origin. */
export interface ProbeSource {
  /** Origin hostname (or IP) probed. */
  readonly origin: string;
  /** Region of the origin, when known. */
  readonly region?: string;
  readonly frontDoor: string;
  /** Resource that causes the probes. */
  readonly resource: string;
  readonly requestsPerSecond: number;
  /** How the rate is derived, e.g. `3 checker regions × 2 checkers / 10 s`. */
  readonly derivation: string;
}

/** Mermaid fragments a front door contributes to the diagram (ids are made unique by the diagram writer). */
export interface DiagramPart {
  /** Nodes: id -> label (and optional shape). */
  readonly nodes: readonly { readonly id: string; readonly label: string; readonly shape?: 'box' | 'round' | 'stadium' | 'hexagon' }[];
  readonly edges: readonly { readonly from: string; readonly to: string; readonly label?: string; readonly dotted?: boolean }[];
  /** The node client groups connect to. */
  readonly entry: string;
  /** Node ids of regions: `region:<code>` is reserved for the shared region nodes. */
}

/**
 * A front door: something clients resolve or connect to that routes them to regions. Route53 names and Cloudflare
 * load balancers are built in; the edge router's table plugs in the same way (see {@link FrontDoorExtractor}).
 */
export interface FrontDoor {
  /** `route53`, `cloudflare`, `edge-router`, ... */
  readonly kind: string;
  /** Unique id, e.g. `route53:inference.example.com`. */
  readonly id: string;
  /** Human label, e.g. `Route53 inference.example.com`. */
  readonly label: string;
  /** Terraform addresses of the resources the front door is made of (for messages and the diff). */
  readonly resources: readonly string[];
  /** Where the client group's traffic lands when the scenario's regions are down. */
  resolve(client: ClientGroup, health: HealthState): Omit<Answer, 'frontDoor' | 'client' | 'scenario'>;
  /** Worst-case failover time per path (needs the normal-operation answers to know which paths are in use). */
  failoverPaths(normal: readonly Answer[]): FailoverPath[];
  /** Health probes the front door sends to origins. */
  probes(): ProbeSource[];
  /** Topology for the diagram. */
  diagram(): DiagramPart;
  /** Locations (countries, continents, subdivisions, Cloudflare regions) the front door routes differently. */
  locations(): LocationKeys;
}

/** Locations a front door distinguishes; client groups are derived from them. */
export interface LocationKeys {
  readonly countries: readonly string[];
  readonly continents: readonly string[];
  /** `US-CA` style: country and subdivision. */
  readonly subdivisions: readonly { readonly country: string; readonly subdivision: string }[];
  readonly cloudflareRegions: readonly string[];
}

/** What an extractor gets: every stack, the intent, and helpers shared by all front doors. */
export interface GraphContext {
  readonly stacks: readonly StackInput[];
  readonly intent: ServiceIntent;
  /** Region of a public hostname (from the Route53 record it aliases, else the intent), or undefined. */
  regionOfHost(hostname: string): string | undefined;
  /** Jurisdiction of a region (from the intent). */
  jurisdictionOf(region: string): string | undefined;
}

/**
 * Reads front doors of one kind from the synthesized stacks. The edge router's routing table is added by
 * passing another extractor to `buildRoutingGraph` / `analyzeRouting` (`extractors` option).
 */
export type FrontDoorExtractor = (context: GraphContext) => FrontDoor[];

/** A violated proof. */
export interface Violation {
  readonly proof: 'residency' | 'availability' | 'failover-time' | 'probe-load';
  /** One line: names the scenario(s), client group(s) and resources. */
  readonly message: string;
  readonly frontDoor?: string;
  readonly scenarios: readonly string[];
  readonly clientGroups: readonly string[];
  /** Terraform addresses involved. */
  readonly resources: readonly string[];
}
