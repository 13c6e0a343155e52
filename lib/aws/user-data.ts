import { arnRegion } from '../spec/fields';
import type { ModelSpec } from '../spec/schema';

/** Pinned default images per engine: a fleet never changes engine version behind the operator's back. */
export const ENGINE_IMAGES = {
  vllm: 'vllm/vllm-openai:v0.11.0',
  sglang: 'lmsysorg/sglang:v0.5.3-cu126',
  tgi: 'ghcr.io/huggingface/text-generation-inference:3.3.6',
} as const;

/** What the boot script needs to start one model server. */
export interface ServerLaunch {
  /** The model (as in the spec); `version` is the one this region runs. */
  readonly model: Pick<
    ModelSpec,
    | 'name'
    | 'id'
    | 'version'
    | 'engine'
    | 'image'
    | 'command'
    | 'args'
    | 'port'
    | 'revision'
    | 'weightsS3Uri'
    | 'huggingFaceTokenSecretArn'
    | 'maxModelLength'
  >;
  /** Service name, for container labels and log lines. */
  readonly serviceName: string;
}

/**
 * Renders the instance boot script (cloud-init user data) that starts an OpenAI-compatible server for one model.
 *
 * It holds no secrets: a Hugging Face token is read at boot from Secrets Manager with the instance role and
 * handed to the container through a root-only env file on tmpfs; S3 weights are synced with the role as well.
 * The container restarts with the instance (warm pools stop and start instances).
 */
export function renderUserData(launch: ServerLaunch): string {
  const { model } = launch;
  const image = model.image ?? defaultImage(model.engine);
  const localWeights = model.weightsS3Uri !== undefined;
  const modelRef = localWeights ? `/models/${model.name}` : model.id;
  const command = model.command ?? engineCommand(model.engine, modelRef, launch);
  const args = [...command, ...model.args];
  const envFile = `/run/inference/${model.name}.env`;

  const lines = [
    '#!/bin/bash',
    '# Rendered by cdktf-global-inference. No secrets here: they are fetched at boot with the instance role.',
    'set -euo pipefail',
    'exec > >(tee -a /var/log/inference-bootstrap.log) 2>&1',
    'IMDS=http://169.254.169.254/latest',
    'IMDS_TOKEN=$(curl -sf -X PUT "$IMDS/api/token" -H "X-aws-ec2-metadata-token-ttl-seconds: 300")',
    'REGION=$(curl -sf -H "X-aws-ec2-metadata-token: $IMDS_TOKEN" "$IMDS/meta-data/placement/region")',
    'systemctl enable --now docker',
    'install -d -m 0755 /opt/models /opt/hf-cache',
    'install -d -m 0700 /run/inference',
    `install -m 0600 /dev/null ${shq(envFile)}`,
  ];
  if (model.weightsS3Uri !== undefined) {
    lines.push(
      `aws s3 sync --only-show-errors --region "$REGION" ${shq(model.weightsS3Uri)} ` +
        `${shq(`/opt/models/${model.name}`)}`,
    );
  }
  if (model.huggingFaceTokenSecretArn !== undefined) {
    lines.push(
      // The secret's own region: one secret can serve fleets in every region.
      'HF_TOKEN=$(aws secretsmanager get-secret-value --region ' +
        `${secretRegion(model.huggingFaceTokenSecretArn)} --secret-id ${shq(model.huggingFaceTokenSecretArn)} ` +
        '--query SecretString --output text)',
      `printf 'HF_TOKEN=%s\\n' "$HF_TOKEN" > ${shq(envFile)}`,
      'unset HF_TOKEN',
    );
  }
  lines.push(
    `docker pull ${shq(image)}`,
    [
      'docker run -d',
      `--name ${shq(model.name)}`,
      '--restart unless-stopped',
      '--gpus all',
      '--ipc host',
      `-p ${model.port}:${model.port}`,
      '-v /opt/models:/models:ro',
      '-v /opt/hf-cache:/root/.cache/huggingface',
      `--env-file ${shq(envFile)}`,
      `--label ${shq(`inference.service=${launch.serviceName}`)}`,
      `--label ${shq(`inference.model=${model.id}`)}`,
      `--label ${shq(`inference.version=${model.version}`)}`,
      [shq(image), ...args.map(shq)].join(' '),
    ].join(' \\\n  '),
    `echo "started ${model.name} (${model.id} ${model.version}) on port ${model.port}"`,
  );
  return `${lines.join('\n')}\n`;
}

/** The region to read a secret from: the ARN's own, else the instance's. */
function secretRegion(arn: string): string {
  const region = arnRegion(arn);
  return region ? shq(region) : '"$REGION"';
}

/** Size of the boot script in bytes (EC2 limits user data to 16 KB before base64). */
export function userDataBytes(launch: ServerLaunch): number {
  return new TextEncoder().encode(renderUserData(launch)).length;
}

/** The container image the library runs for a built-in engine (pinned); throws for `custom`, which names its own. */
export function defaultImage(engine: ModelSpec['engine']): string {
  if (engine === 'custom') throw new Error('a custom engine needs an explicit image');
  return ENGINE_IMAGES[engine];
}

/** The container arguments that start each engine's OpenAI-compatible server on all interfaces. */
function engineCommand(engine: ModelSpec['engine'], modelRef: string, launch: ServerLaunch): string[] {
  const { model } = launch;
  const port = String(model.port);
  // Clients may name the model by its id or by its short key.
  const servedNames = model.name === model.id ? [model.id] : [model.id, model.name];
  const revision = model.revision !== undefined ? ['--revision', model.revision] : [];
  switch (engine) {
    case 'vllm':
      return [
        '--model',
        modelRef,
        '--served-model-name',
        ...servedNames,
        '--host',
        '0.0.0.0',
        '--port',
        port,
        ...revision,
        ...(model.maxModelLength ? ['--max-model-len', String(model.maxModelLength)] : []),
      ];
    case 'sglang':
      return [
        'python3',
        '-m',
        'sglang.launch_server',
        '--model-path',
        modelRef,
        '--served-model-name',
        model.id,
        '--host',
        '0.0.0.0',
        '--port',
        port,
        ...revision,
        ...(model.maxModelLength ? ['--context-length', String(model.maxModelLength)] : []),
      ];
    case 'tgi':
      return [
        '--model-id',
        modelRef,
        '--hostname',
        '0.0.0.0',
        '--port',
        port,
        ...revision,
        ...(model.maxModelLength ? ['--max-total-tokens', String(model.maxModelLength)] : []),
      ];
    case 'custom':
      throw new Error('a custom engine needs an explicit command');
  }
}

/** Quotes a value for bash: single quotes, with embedded single quotes escaped. */
export function shq(value: string): string {
  return /^[A-Za-z0-9_./:=@+-]+$/.test(value) ? value : `'${value.replace(/'/g, `'\\''`)}'`;
}
