// The Cloudflare front door: re-exports only.
export * from './cloudflare-front-door';
export * from './cloudflare-ip-ranges';
export * from './cloudflare-regions';
export * from './edge-rate-limit';
export * from './fail-closed-pool';
export * from './health-monitor';
export * from './inference-load-balancer';
export * from './origin-auth';
export * from './region-pool';
export * from './routing-plan';
