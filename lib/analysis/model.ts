/*
 * The data structures of the routing analysis: what it reads (stacks, service intent), who it routes (client
 * groups), under which failures (scenarios), and what it answers (landings with the path that led there).
 */
import type { ResidencyClients } from '../spec/residency';
import type { ContinentCode, CloudflareRegionCode } from '../spec/regions';
import type { TerraformJson } from '../util/synth-output';
import type { Formula } from './health';

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
  readonly residency: ResidencyClients;
  readonly health?: { readonly intervalSeconds?: number; readonly failureThreshold?: number };
  readonly cloudflarePlan?: string;
  readonly sloFailoverSeconds?: number;
  /**
   * false when the spec accepts a region failure as an outage (slo.survivesRegionFailure): availability is not proven.
   */
  readonly survivesRegionFailure?: boolean;
  /** Endpoints outside the stacks whose jurisdiction and failover behaviour the spec or a construct declares. */
  readonly externalEndpoints: readonly ExternalEndpoint[];
  /** Stacks the intent was read from. */
  readonly sources: readonly string[];
}

/**
 * An endpoint outside the stacks (a partner API, a CDN, an address), declared so the proofs can place it: the
 * jurisdiction it serves from and how fast it moves its own clients off a failure of its own.
 */
export interface ExternalEndpoint {
  /** DNS name or IP address, as records and origins name it. */
  readonly name: string;
  /** Jurisdiction the endpoint serves from; undefined: none (outside every jurisdiction). */
  readonly jurisdiction?: string;
  /** Worst-case seconds for the endpoint to move traffic off a failure of its own. */
  readonly failoverSeconds: number;
  /** Where it was declared (the spec, or the construct path of a declaration). */
  readonly declaredBy: string;
}

/** A population of clients that the routing can tell apart. */
export interface ClientGroup {
  /** Stable id, e.g. `eu:DE`, `loc:US@WNAM`, `rest:EU@WEU`. */
  readonly id: string;
  /** Human label, e.g. `eu: DE`, `US (WNAM)`, `rest of EU (WEU)`. */
  readonly label: string;
  readonly kind: 'residency' | 'location' | 'elsewhere' | 'vpc';
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
  /**
   * A VPC client of private zones (split horizon): its region, and the private zones associated with its VPC. It
   * resolves only through them (and public DNS for names they do not cover).
   */
  readonly vpc?: { readonly region: string; readonly zones: readonly string[]; readonly vpcs: readonly string[] };
}

/**
 * A failure scenario: the regions that are down (their health checks fail, their load balancers have no healthy
 * targets).
 */
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
  /**
   * Why this hop was taken when it is not the plain choice, e.g. `falls through: eu.inference.example.com is
   * unhealthy`.
   */
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
  /** Why the analysis cannot place the endpoint (no region, no declaration): a possible leak, an unknown time. */
  readonly unplaced?: string;
  /** The declaration placing an endpoint outside the stacks. */
  readonly declared?: ExternalEndpoint;
  /**
   * The remedy for an unplaced landing that a declaration cannot place (a resource whose settings the analysis
   * cannot read): what to change so the analysis can follow it.
   */
  readonly fix?: string;
  readonly path: readonly PathStep[];
}

/** How requests reach a place: the normal answer, or something else that can happen to a request. */
export type ReachKind = 'answer' | 'retry' | 'override' | 'pop';

/**
 * A way a client's requests can go, with the health states under which it is taken: a conjunction of formulas over
 * health atoms. A path is possible iff they are satisfiable; the reachability of a front door is every such path.
 */
export interface ReachPath {
  readonly landing: Omit<Landing, 'share' | 'up' | 'path' | 'possible'>;
  readonly path: readonly PathStep[];
  readonly conditions: readonly Formula[];
  readonly kind: ReachKind;
  /** For kinds other than `answer`: how (e.g. `adaptive routing (failover_across_pools)`). */
  readonly possible?: string;
  /**
   * The landing's own health where the front door steers to it only while healthy (an origin of a monitored
   * Cloudflare pool chosen as healthy). The failover checks add it to the conditions; residency does not (a
   * per-request retry may land on any origin).
   */
  readonly landingHealthy?: Formula;
}

/** Worst-case seconds for a path's clients to leave its endpoint once it fails, with the arithmetic. */
export interface Detection {
  readonly seconds: number;
  readonly breakdown: string;
  readonly resources: readonly string[];
  /** What makes the figure what it is, for remedies: a Route53 check, a Cloudflare monitor, a TTL, a declaration. */
  readonly causes?: readonly FailoverCause[];
}

/**
 * What makes a path's failover time what it is, for the remedy that brings it within the budget: a Route53 health
 * check (request interval × failure threshold, then the TTL), a Cloudflare monitor (interval × consecutive failures +
 * timeout × (retries + 1), then the TTL), the edge router's retries (attempt timeout × attempts), the declaration of an
 * endpoint outside the stacks, or nothing that detects the failure (`undetected`: why, and what would let a check see
 * it when something would).
 */
export type FailoverCause =
  | {
      readonly kind: 'route53-check';
      readonly address: string;
      readonly requestInterval: number;
      readonly failureThreshold: number;
      /** The TTL on the path (the largest). */
      readonly ttl: number;
      /** The part of the TTL no record setting changes (60 s for an alias to an ALB). */
      readonly fixedTtl?: number;
      /** Records on the path with their own TTL. */
      readonly ttlRecords?: readonly { readonly address: string; readonly ttl: number }[];
      /** Other checks that must fail too (children of a CALCULATED check that needs several to fail). */
      readonly alsoChecks?: readonly string[];
    }
  | {
      readonly kind: 'cloudflare-monitor';
      readonly address: string;
      readonly interval: number;
      readonly consecutiveDown: number;
      readonly timeout: number;
      readonly retries: number;
      readonly ttl: number;
    }
  | {
      readonly kind: 'edge-router';
      readonly address: string;
      readonly attemptTimeoutMs: number;
      readonly maxAttempts: number;
    }
  | { readonly kind: 'declared'; readonly endpoint: ExternalEndpoint }
  | {
      readonly kind: 'undetected';
      readonly why: string;
      /** The deepest record on the path whose set can send its clients elsewhere (where a health check would count). */
      readonly chooser?: string;
      readonly region?: string;
      readonly ttl?: number;
      /** evaluate_target_health on these aliases would let a health check below reach the chooser, with that figure. */
      readonly enable?: { readonly records: readonly string[]; readonly seconds: number; readonly breakdown: string };
      /** No set on the path can give its clients another record: nothing to fail over to (a one-region service). */
      readonly nowhere?: boolean;
      /** The remedy the landing itself names (e.g. a resolver rule to remove), when there is one. */
      readonly fix?: string;
    };

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
  /** The smallest failure set in which clients take the path (`normal operation`, `us-east-1 down`, ...). */
  readonly scenario?: string;
  /** Hops of the path (an example when several clients share it). */
  readonly path?: readonly PathStep[];
  readonly causes?: readonly FailoverCause[];
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
  readonly nodes: readonly {
    readonly id: string;
    readonly label: string;
    readonly shape?: 'box' | 'round' | 'stadium' | 'hexagon';
  }[];
  readonly edges: readonly {
    readonly from: string;
    readonly to: string;
    readonly label?: string;
    readonly dotted?: boolean;
  }[];
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
  /**
   * Every way a client's requests can go, under any combination of health states. Front doors without it are
   * checked on the enumerated failure scenarios only (and the residency summary says so).
   */
  reach?(client: ClientGroup): readonly ReachPath[];
  /**
   * `reach` as if a perfect detector saw `region` fail (every record aliasing its load balancers unhealthy): where
   * clients could go were the failure seen everywhere. Tells "no healthy region to go to" from "records that bring
   * clients back".
   */
  reachWithIdealDetector?(client: ClientGroup, region: string): readonly ReachPath[];
  /** Worst-case time for a reach path's clients to leave its endpoint once it fails. */
  pathFailover?(path: ReachPath): Detection;
  /**
   * A key equal for paths whose failover time is the same (e.g. the records that detect and the TTL); @default the
   * taken hops
   */
  failoverKey?(path: ReachPath): string;
  /**
   * Whether the front door answers this client group (a private zone answers only its VPCs). @default every group but
   * VPC clients
   */
  serves?(client: ClientGroup): boolean;
  /** Client groups only this front door has (the VPCs of a private zone). */
  clients?(): readonly ClientGroup[];
}

/** Locations a front door distinguishes; client groups are derived from them. */
export interface LocationKeys {
  readonly countries: readonly string[];
  readonly continents: readonly string[];
  /** `US-CA` style: country and subdivision. */
  readonly subdivisions: readonly { readonly country: string; readonly subdivision: string }[];
  readonly cloudflareRegions: readonly string[];
}

/**
 * Where a hostname takes requests. A name in a public Route53 zone of the stacks (`inZone`) is resolved through the
 * Route53 model over every health state and location: `region` when all it can reach is that one region, else
 * `unplaced` naming what it reaches and through which records. Any other name is placed by the intent (its region's
 * hostname, a load balancer's DNS name), else neither.
 */
export interface HostPlacement {
  readonly region?: string;
  readonly unplaced?: string;
  readonly inZone: boolean;
  /** Terraform addresses of the records the name resolves through. */
  readonly records: readonly string[];
}

/** What an extractor gets: every stack, the intent, and helpers shared by all front doors. */
export interface GraphContext {
  readonly stacks: readonly StackInput[];
  readonly intent: ServiceIntent;
  /**
   * Region of a hostname front doors connect to, or undefined: a name in a public Route53 zone of the stacks is in a
   * region only when every landing it can reach (any health state, any location) is that region; other names are
   * placed by the intent (see {@link HostPlacement}).
   */
  regionOfHost(hostname: string): string | undefined;
  /** How a hostname is placed, with the reason when it is not (what `regionOfHost` is derived from). */
  placeHost?(hostname: string): HostPlacement;
  /** Jurisdiction of a region (from the intent). */
  jurisdictionOf(region: string): string | undefined;
  /** The declaration of an endpoint outside the stacks, by DNS name or address. */
  declaredEndpoint(name: string): ExternalEndpoint | undefined;
}

/**
 * Reads front doors of one kind from the synthesized stacks. The edge router's routing table is one of the default
 * extractors; a router of one's own is added by passing another extractor to `buildRoutingGraph` / `analyzeRouting`
 * (`extractors` option).
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
  /** Exactly which client groups are affected in which scenario (each scenario a smallest witness). */
  readonly cases?: readonly {
    readonly scenario: string;
    readonly clientGroups: readonly string[];
    /** The regions down in the scenario, when a region-failure set witnesses it. */
    readonly failed?: readonly string[];
  }[];
  /** What to change so the violation goes away (also the end of `message`); absent when there is no single fix. */
  readonly remedy?: string;
}
