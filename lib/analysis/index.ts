/*
 * Routing analysis on synthesized Terraform JSON: where every client group's traffic lands in every failure
 * scenario, and proofs of residency, availability, failover time and health-probe load.
 */
export * from './model';
export { loadStacks, readIntent, type AnalysisSource } from './input';
export { satisfy, type Formula, type HealthAtom, type Assignment, type SatResult, type SatOptions } from './health';
export { smallestWitness, witnessLabel, holdsWhenDown, type Witness } from './witness';
export { declareExternalEndpoint, type ExternalEndpointDeclaration } from './external-endpoints';
export {
  COUNTRY_CODES,
  countryInfo,
  continentOf,
  countriesOf,
  CLOUDFLARE_REGION_CENTROIDS,
  type CountryInfo,
} from './countries';
export { deriveClientGroups } from './clients';
export { failureScenarios, EXHAUSTIVE_REGION_LIMIT } from './scenarios';
export {
  buildRoutingGraph,
  DEFAULT_EXTRACTORS,
  route53Extractor,
  cloudflareExtractor,
  cloudflareDnsExtractor,
  type RoutingGraph,
  type GraphOptions,
} from './graph';
export {
  buildRoute53Model,
  Route53Evaluator,
  Route53Reach,
  Route53Lookup,
  route53Entries,
  ALB_ALIAS_TTL_SECONDS,
  ROUTE53_CHECKERS_PER_REGION,
  ROUTE53_DEFAULT_CHECKER_REGION_COUNT,
  ROUTE53_ALARM_POLL_SECONDS,
  QUERY_TYPES,
  TRAFFIC_RECORD_TYPES,
  type Route53Model,
  type R53Record,
  type R53HealthCheck,
  type R53Policy,
  type R53Target,
  type R53Zone,
  type QueryType,
} from './route53';
export {
  buildCloudflareModel,
  CloudflareEvaluator,
  CloudflareReach,
  CLOUDFLARE_PROBES_PER_REGION,
  type CloudflareModel,
  type CfLoadBalancer,
  type CfPool,
  type CfMonitor,
} from './cloudflare';
export {
  analyzeRouting,
  PROOFS,
  type AnalysisOptions,
  type ProofName,
  type ProofResult,
  type RoutingReport,
} from './analyze';
export {
  residencyViolations,
  availabilityViolations,
  failoverTimeViolations,
  probeLoad,
  probeLoadViolations,
  DEFAULT_MAX_PROBE_RPS,
  type OriginProbeLoad,
} from './proofs';
export { reachResidency, reachFailover, allowedFor, type ReachableSummary, type ReachProofInput } from './reach-proofs';
export { failoverRemedy } from './remedies';
export { explainRouting, type ExplainOptions } from './explain';
export { routingDiagram, type DiagramOptions } from './diagram';
export {
  diffRouting,
  diffSynth,
  planChanges,
  planReview,
  ROUTING_RESOURCE_TYPES,
  FORCE_NEW_ATTRIBUTES,
  REWRITE_ATTRIBUTES,
  type DiffOptions,
  type SynthDiff,
  type ResourceChange,
  type PlanJson,
  type PlanChange,
} from './diff';
export { assertRoutingProofs, addRoutingProofValidation, formatViolations, RoutingProofError } from './gate';
export { tableFrontDoor, type BackendTable, type TableBackend } from './table-front-door';
