// Public API: re-exports only.
export * from './spec/schema';
export * from './spec/errors';
export * from './spec/load';
export * from './spec/json-schema';
export * from './spec/regions';
export * from './spec/geo';
export * from './spec/cloudflare-schema';
export * from './spec/edge-router-schema';
export * from './aws/gpu-inference-endpoint';
// Named: the fleet's registry of props its endpoint already checked (CheckedFleet) is not public.
export {
  defaultRootVolumeGiB,
  type EndpointSettingsInput,
  type FleetCapacity,
  GPU_AMI_PARAMETERS,
  GpuFleet,
  type GpuFleetProps,
  type HealthInput,
  type ModelInput,
  parseS3Uri,
  targetGroupPrefix,
} from './aws/gpu-fleet';
export * from './aws/minimal-vpc';
export * from './aws/alb-access-logs-bucket';
export * from './aws/alb-web-acl';
export * from './aws/dns-automation-role';
export * from './aws/inference-endpoint-ref';
export * from './aws/inference-hosted-zone';
export * from './aws/private-hosted-zone';
export * from './aws/regional-certificate';
export * from './aws/region-health-check';
export * from './aws/routing-policy';
export * from './aws/inference-alias-record';
export * from './aws/global-route53-routing';
export * from './aws/user-data';
export * from './analysis';
export * from './cloudflare';
export * from './edge-router/edge-router';
export * from './edge-router/initial-table';
export * from './edge-router/routing-table';
export * from './edge-router/router-config';
export * from './edge-router/worker-script';
export * from './edge-router/synthesized-table';
export * from './intent/service-intent';
export * from './facts/failover';
export * from './policy';
export * from './service/global-inference-service';
export * from './service/state-backend';
export * from './terraform/offline-terraform';
export * from './util/synth-output';
export * from './util/atomic-synth';
export * from './util/refusal';
export {
  gateSynth,
  checkStagedOutput,
  SynthChecksFailedError,
  type SynthChecks,
  type SynthGateRegistration,
  type PolicyCheckOptions,
} from './analysis/gate';
export * from '../stacks/global-inference-stacks';
