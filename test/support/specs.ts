import type { GlobalInferenceSpecInput } from '../../lib/spec/schema';

/** A small valid spec; tests override parts of it. */
export function minimalSpec(overrides: Partial<GlobalInferenceSpecInput> = {}): GlobalInferenceSpecInput {
  return {
    service: { name: 'chat', domain: 'inference.example.com' },
    model: { id: 'meta-llama/Llama-3.1-8B-Instruct', version: '2026-11-01' },
    regions: [
      { region: 'us-east-1', instanceType: 'g6e.xlarge', capacity: { min: 2, max: 8 }, jurisdiction: 'us' },
      { region: 'eu-west-1', instanceType: 'g6e.xlarge', capacity: { min: 2, max: 8 }, jurisdiction: 'eu' },
    ],
    ...overrides,
  };
}
