/*
 * Cloudflare load balancing in the analysis, one job per file: cloudflare-model.ts reads the stacks and the
 * steering rules, cloudflare-resolve.ts answers one health state, cloudflare-reach.ts covers every health state,
 * cloudflare-timing.ts times failover and counts probes, cloudflare-front-door.ts assembles the front doors.
 */
export * from './cloudflare-model';
export { CloudflareEvaluator } from './cloudflare-resolve';
export { CloudflareReach } from './cloudflare-reach';
export * from './cloudflare-timing';
export { cloudflareFrontDoors, cloudflareRegionCentroid } from './cloudflare-front-door';
