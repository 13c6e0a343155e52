import { S3Backend, type TerraformStack } from '../util/cdktf';
import { SpecValidationError, type SpecProblem } from '../spec/errors';
import { StateSchema, type StateSpec } from '../spec/schema';
import { stripUndefined } from '../util/objects';
import { protectLiterals } from '../util/terraform-literals';

/**
 * Environment variables that select the state backend without editing the spec (CI and per-team setups):
 *
 * - `GI_STATE_BACKEND`: `local` or `s3`
 * - `GI_STATE_BUCKET`, `GI_STATE_REGION`: required for `s3` unless the spec gives them
 * - `GI_STATE_KEY_PREFIX`: prefix of state keys (`<prefix><stack>.tfstate`)
 * - `GI_STATE_KMS_KEY_ID`: KMS key for state encryption
 */
export const STATE_ENV = {
  backend: 'GI_STATE_BACKEND',
  bucket: 'GI_STATE_BUCKET',
  region: 'GI_STATE_REGION',
  keyPrefix: 'GI_STATE_KEY_PREFIX',
  kmsKeyId: 'GI_STATE_KMS_KEY_ID',
} as const;

/** The backend the spec asks for, overridden field by field by the `GI_STATE_*` environment variables. */
export function resolveStateBackend(spec: StateSpec, env: NodeJS.ProcessEnv = process.env): StateSpec {
  const backend = env[STATE_ENV.backend] ?? spec.backend;
  if (backend === 'local') return { backend: 'local' };
  const fromSpec = spec.backend === 's3' ? spec : undefined;
  const candidate = {
    backend,
    bucket: env[STATE_ENV.bucket] ?? fromSpec?.bucket,
    region: env[STATE_ENV.region] ?? fromSpec?.region,
    keyPrefix: env[STATE_ENV.keyPrefix] ?? fromSpec?.keyPrefix,
    kmsKeyId: env[STATE_ENV.kmsKeyId] ?? fromSpec?.kmsKeyId,
  };
  const result = StateSchema.safeParse(stripUndefined(candidate), { reportInput: true });
  if (result.success) return result.data;
  const problems: SpecProblem[] = result.error.issues.map((issue) => {
    const key = String(issue.path[0] ?? 'backend') as keyof typeof STATE_ENV;
    const input = (issue as { input?: unknown }).input;
    return {
      path: `state.${key} (or ${STATE_ENV[key] ?? STATE_ENV.backend})`,
      message: input === undefined ? 'is required for the s3 backend' : issue.message,
      received: input === undefined ? undefined : JSON.stringify(input),
    };
  });
  throw new SpecValidationError(problems, 'state backend settings');
}

/**
 * Configures a stack's backend. `local` keeps the cdktf default (a state file per stack next to the project);
 * `s3` stores `<keyPrefix><stack>.tfstate` encrypted, with S3-native locking (`use_lockfile`, Terraform ≥ 1.10),
 * so no DynamoDB table is needed.
 */
export function configureStateBackend(stack: TerraformStack, state: StateSpec): void {
  if (state.backend !== 's3') return;
  const backend = new S3Backend(stack, {
    bucket: state.bucket,
    key: `${state.keyPrefix}${stack.node.id}.tfstate`,
    region: state.region,
    encrypt: true,
    kmsKeyId: state.kmsKeyId,
  });
  // cdktf 0.21 predates use_lockfile; the override writes it into the backend block.
  backend.addOverride('use_lockfile', true);
  // Created in the stack, outside library constructs: its values are literal text too.
  protectLiterals(backend);
}
