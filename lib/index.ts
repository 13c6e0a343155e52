// Public API: re-exports only.
export * from './spec/schema';
export * from './spec/errors';
export * from './spec/load';
export * from './spec/json-schema';
export * from './spec/regions';
export * from './aws/gpu-inference-endpoint';
export * from './aws/gpu-fleet';
export * from './aws/minimal-vpc';
export * from './aws/inference-endpoint-ref';
export * from './aws/inference-hosted-zone';
export * from './aws/regional-certificate';
export * from './aws/user-data';
export * from './service/global-inference-service';
export * from './service/state-backend';
export * from './terraform/offline-terraform';
export * from './util/synth-output';
