import { z } from 'zod';
import { closestMatch, editDistance } from '../util/strings';
/*
 * The GPU instance types the library can run: the one list the spec schema and the constructs check against.
 */

/**
 * The sizes of each GPU instance family with NVIDIA GPUs that the Deep Learning Base GPU AMI supports: the one list
 * the spec schema and the constructs (GpuFleet, GpuInferenceEndpoint) check instance types against. Only sizes in the
 * EC2 catalogue; a type that is not listed is refused (EC2 would refuse it at launch, after the rest was applied).
 *
 * Checked against the EC2 instance type pages as of 2026-11. Where a size is recent or the catalogue was unclear, a
 * comment says so; add sizes here when AWS publishes them.
 */
export const GPU_INSTANCE_SIZES = {
  g4dn: ['xlarge', '2xlarge', '4xlarge', '8xlarge', '12xlarge', '16xlarge', 'metal'],
  g5: ['xlarge', '2xlarge', '4xlarge', '8xlarge', '12xlarge', '16xlarge', '24xlarge', '48xlarge'],
  // Graviton + T4G (arm64).
  g5g: ['xlarge', '2xlarge', '4xlarge', '8xlarge', '16xlarge', 'metal'],
  g6: ['xlarge', '2xlarge', '4xlarge', '8xlarge', '12xlarge', '16xlarge', '24xlarge', '48xlarge'],
  g6e: ['xlarge', '2xlarge', '4xlarge', '8xlarge', '12xlarge', '16xlarge', '24xlarge', '48xlarge'],
  // Fractional L4 GPUs (2025); these four sizes are the ones announced.
  g6f: ['large', 'xlarge', '2xlarge', '4xlarge'],
  gr6: ['4xlarge', '8xlarge'],
  // Only one size announced (2025).
  gr6f: ['4xlarge'],
  // RTX PRO 6000 Blackwell (announced 2026-01): sizes as announced; verify against the catalogue of your region.
  g7e: ['2xlarge', '4xlarge', '8xlarge', '12xlarge', '24xlarge', '48xlarge'],
  p4d: ['24xlarge'],
  p4de: ['24xlarge'],
  // p5.4xlarge (one H100) since 2025.
  p5: ['4xlarge', '48xlarge'],
  p5e: ['48xlarge'],
  p5en: ['48xlarge'],
  'p6-b200': ['48xlarge'],
  'p6-b300': ['48xlarge'],
} as const satisfies Record<string, readonly string[]>;
// A plain `g7` family (listed by an earlier version of this file) is not in the EC2 catalogue as far as we know: left
// out rather than guessed. g7e is listed above.

/** GPU instance families with NVIDIA GPUs that the Deep Learning Base GPU AMI supports. */
export const GPU_INSTANCE_FAMILIES = Object.keys(GPU_INSTANCE_SIZES) as (keyof typeof GPU_INSTANCE_SIZES)[];

/** Every GPU instance type the library accepts, family by family, smallest size first. */
export const GPU_INSTANCE_TYPES: readonly string[] = GPU_INSTANCE_FAMILIES.flatMap((family) =>
  GPU_INSTANCE_SIZES[family].map((size) => `${family}.${size}`),
);

/**
 * What is wrong with an instance type, or undefined when it is one of {@link GPU_INSTANCE_TYPES}: an unknown family,
 * or a size its family does not come in, with the closest valid type.
 */
export function gpuInstanceTypeProblem(type: string): string | undefined {
  if (GPU_INSTANCE_TYPES.includes(type)) return undefined;
  const dot = type.indexOf('.');
  const family = dot > 0 ? type.slice(0, dot) : type;
  const sizes = (GPU_INSTANCE_SIZES as Record<string, readonly string[]>)[family];
  if (sizes) {
    const size = type.slice(dot + 1);
    const nearest = sizes.reduce((best, s) => (editDistance(size, s) < editDistance(size, best) ? s : best));
    return (
      `must be an instance type EC2 offers: ${family} comes in ${sizes.join(', ')} (did you mean ` +
      `'${family}.${nearest}'?)`
    );
  }
  const close = closestMatch(type, GPU_INSTANCE_TYPES);
  return (
    'must be an NVIDIA GPU instance type of a family the Deep Learning GPU AMI supports ' +
    `(${GPU_INSTANCE_FAMILIES.join(', ')}), such as g6e.xlarge${close ? ` (did you mean '${close}'?)` : ''}`
  );
}

/** A GPU instance type the library can run (NVIDIA families the Deep Learning GPU AMI supports), e.g. `g6e.xlarge`. */
export const gpuInstanceType = z.enum(GPU_INSTANCE_TYPES as [string, ...string[]], {
  error: (issue) =>
    typeof issue.input === 'string'
      ? gpuInstanceTypeProblem(issue.input)
      : issue.input === undefined
        ? 'is required (a GPU instance type such as g6e.xlarge)'
        : 'must be an instance type as text, such as g6e.xlarge',
});
