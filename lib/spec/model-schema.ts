import { z } from 'zod';
import {
  freeText,
  GP3_MAX_GIB,
  MAX_WEIGHTS_GIB_FOR_DEFAULT_VOLUME,
  s3BucketNameProblem,
  secretsManagerSecretArn,
  slug,
} from './fields';
/*
 * A model the fleet serves: engine, image, command, weights, version (the spec's `model`/`models`).
 */

/** A model version label (launch template description and tags carry it). */
export const versionLabel = z
  .string()
  .min(1, 'must not be empty')
  .max(64, 'must be at most 64 characters')
  .regex(/^[A-Za-z0-9._-]+$/, "must be a version label (letters, digits, '.', '_', '-')");

/** A model server's port: unprivileged, 1024 to 65535. */
export const port = z
  .number()
  .int('must be a whole number')
  .min(1024, 'must be ≥ 1024 (unprivileged)')
  .max(65535, 'must be ≤ 65535');

// ---------------------------------------------------------------------------------------------------------
// Model

/** Model servers the library can start; `custom` brings its own image and command. */
export const ENGINES = ['vllm', 'sglang', 'tgi', 'custom'] as const;

/** One argument of the server command; the whole boot script must fit EC2's 16 KB user data (checked per model). */
const commandArgument = freeText(4096, 'per argument');

/** One model of the spec (`model`, or an entry of `models`): id, version, engine, weights, server settings. */
export const ModelSchema = z
  .strictObject({
    name: slug('model key (used in resource ids and the x-inference-model header)', 40)
      .optional()
      .meta({ description: 'Stable key of the model. Defaults to a slug of the last segment of `id`.' }),
    id: z
      .string()
      .min(1, 'must not be empty')
      .max(
        128,
        'must be at most 128 characters (an ALB header condition value, how clients pick a model, is limited to 128)',
      )
      .regex(
        /^[A-Za-z0-9._\-/:]+$/,
        "must be a model id such as meta-llama/Llama-3.1-8B-Instruct (letters, digits, '.', '_', '-', '/', ':')",
      )
      .meta({
        description: 'Model id the server loads and clients send in `model`, e.g. meta-llama/Llama-3.1-8B-Instruct.',
      }),
    version: versionLabel.meta({
      description:
        'The version of the model the fleet serves (a release label); regions may run another during a rollout.',
    }),
    promotedVersion: versionLabel.optional().meta({
      description: 'A new version declared validated: regions may move to it without keeping two regions on `version`.',
    }),
    revision: z
      .string()
      .max(255, 'must be at most 255 characters')
      .regex(/^[A-Za-z0-9._\-/]+$/, 'must be a Hugging Face revision (branch, tag or commit)')
      .optional()
      .meta({
        description: 'Hugging Face revision to load (branch, tag or commit). Default: the repository default branch.',
      }),
    engine: z
      .enum(ENGINES)
      .default('vllm')
      .meta({ description: 'Serving engine. `custom` requires `image` and `command`.' }),
    image: z
      .string()
      .max(512, 'must be at most 512 characters')
      .regex(/^[a-z0-9][a-z0-9._\-/:@]*$/, 'must be a container image reference such as vllm/vllm-openai:v0.11.0')
      .optional()
      .meta({ description: 'Container image. Default: a pinned image of the engine.' }),
    command: z
      .array(commandArgument)
      .optional()
      .meta({ description: 'Container command (entrypoint arguments) replacing the engine default.' }),
    args: z.array(commandArgument).default([]).meta({ description: 'Extra arguments appended to the engine command.' }),
    port: port.default(8000).meta({ description: 'Port the server listens on inside the instance.' }),
    weightsGiB: z
      .number()
      .positive('must be > 0')
      .max(GP3_MAX_GIB, `must be ≤ ${GP3_MAX_GIB} (the largest gp3 volume)`)
      .optional()
      .meta({
        description:
          'Approximate size of the weights; sizes the root volume when `endpoint.rootVolumeGiB` is not set ' +
          `(then at most ${MAX_WEIGHTS_GIB_FOR_DEFAULT_VOLUME}, so the default volume fits gp3).`,
      }),
    weightsS3Uri: z
      .string()
      .regex(
        /^s3:\/\/[^/]+(?:\/[A-Za-z0-9._\-/=+@]*)?$/,
        'must be an s3:// URI such as s3://my-models/llama-3.1-8b/ (key prefix: letters, digits and . _ - / = ' +
          '+ @; no wildcards or ${...}, which IAM would interpret)',
      )
      .superRefine((uri, ctx) => {
        const problem = s3BucketNameProblem(uri.slice('s3://'.length).split('/')[0]);
        if (problem) ctx.addIssue({ code: 'custom', input: uri, message: `bucket ${problem}` });
      })
      .optional()
      .meta({
        description:
          'Load weights from this S3 prefix (instances get read access to it only) instead of the Hugging Face Hub.',
      }),
    huggingFaceTokenSecretArn: secretsManagerSecretArn.optional().meta({
      description:
        'Secrets Manager secret holding a Hugging Face token; read at boot by the instance role, never placed ' +
        'in user data.',
    }),
    maxModelLength: z
      .number()
      .int()
      .positive()
      .optional()
      .meta({ description: 'Maximum context length passed to the engine.' }),
  })
  .meta({ description: 'A model served by the fleet.' });

/** The key of a model: its `name`, or a slug of the last segment of its id (undefined for malformed input). */
export function modelKey(model: { name?: unknown; id?: unknown }): string | undefined {
  if (typeof model.name === 'string') return model.name;
  return typeof model.id === 'string' ? modelKeyFromId(model.id) : undefined;
}

/** A model key derived from a model id: `meta-llama/Llama-3.1-8B-Instruct` -> `llama-3-1-8b-instruct`. */
export function modelKeyFromId(id: string): string {
  const last = id.split('/').pop() ?? id;
  const slugged = last
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^[^a-z]+/, '')
    .slice(0, 40)
    .replace(/-+$/, '');
  return slugged || 'model';
}
