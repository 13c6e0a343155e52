import { TerraformStack, Testing } from '../../lib/util/cdktf';
import { configureStateBackend, resolveStateBackend } from '../../lib/service/state-backend';
import { errorOf, synthJson } from '../support/synth';

describe('state backend', () => {
  test('local by default: the cdktf local backend is kept', () => {
    expect(resolveStateBackend({ backend: 'local' }, {})).toEqual({ backend: 'local' });
  });

  test('s3 from the spec writes an encrypted, lock-file-locked backend keyed by stack name', () => {
    const app = Testing.app();
    const stack = new TerraformStack(app, 'chat-aws');
    configureStateBackend(
      stack,
      resolveStateBackend({ backend: 's3', bucket: 'tf-state', region: 'eu-west-1', keyPrefix: 'inference/' }, {}),
    );
    expect(synthJson(stack).terraform?.backend).toEqual({
      s3: {
        bucket: 'tf-state',
        key: 'inference/chat-aws.tfstate',
        region: 'eu-west-1',
        encrypt: true,
        use_lockfile: true,
      },
    });
  });

  test('environment variables select and complete the s3 backend without editing the spec', () => {
    const env = {
      GI_STATE_BACKEND: 's3',
      GI_STATE_BUCKET: 'team-state',
      GI_STATE_REGION: 'us-east-1',
      GI_STATE_KMS_KEY_ID: 'alias/tf',
    };
    expect(resolveStateBackend({ backend: 'local' }, env)).toEqual({
      backend: 's3',
      bucket: 'team-state',
      region: 'us-east-1',
      keyPrefix: '',
      kmsKeyId: 'alias/tf',
    });
    expect(
      resolveStateBackend(
        { backend: 's3', bucket: 'b', region: 'us-east-1', keyPrefix: '' },
        { GI_STATE_BACKEND: 'local' },
      ),
    ).toEqual({ backend: 'local' });
  });

  test('fails when s3 is selected without a bucket, naming the spec field and the variable', () => {
    const message = errorOf(() =>
      resolveStateBackend({ backend: 'local' }, { GI_STATE_BACKEND: 's3', GI_STATE_REGION: 'us-east-1' }),
    );
    expect(message).toContain('state.bucket (or GI_STATE_BUCKET): is required for the s3 backend');
  });

  test('fails when the backend name is unknown', () => {
    expect(errorOf(() => resolveStateBackend({ backend: 'local' }, { GI_STATE_BACKEND: 'gcs' }))).toContain(
      'must be { backend: local } or { backend: s3, bucket, region }',
    );
  });
});
