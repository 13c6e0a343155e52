/*
 * Route53 in the analysis, one job per file: route53-model.ts reads the stacks, route53-health.ts says when a
 * record is healthy, route53-resolve.ts answers one health state, route53-reach.ts covers every health state,
 * route53-timing.ts times failover and counts probes, route53-front-door.ts assembles the front doors.
 */
export { greatCircleKm as greatCircle } from '../util/geo';
export * from './route53-model';
export { Route53Lookup, MAX_DEPTH, geolocationCandidates, type FoundSet, type Lookup } from './route53-health';
export {
  Route53Evaluator,
  MULTIVALUE_MAX,
  describeRecord,
  describePolicy,
  describeTarget,
  scenarioValue,
  type Resolution,
} from './route53-resolve';
export { Route53Reach } from './route53-reach';
export * from './route53-timing';
export {
  route53Entries,
  route53FrontDoor,
  reachableSets,
  vpcClients,
  vpcClientGroups,
  answeringPrivateZones,
  UNKNOWN_JURISDICTION,
  type Route53Entry,
} from './route53-front-door';
