import { renderUserData } from '../../lib/aws/user-data';
import { decodeUserData, findSecrets, shannonEntropy } from '../../lib/policy/secrets';
import { b64, gzb64 } from './support/fixtures';

const base = {
  name: 'llama',
  id: 'meta-llama/Llama-3.1-8B-Instruct',
  version: '2026-11-01',
  port: 8000,
  args: [] as string[],
};

describe('the library boot scripts hold no secrets', () => {
  const variants = {
    vllm: { ...base, engine: 'vllm' as const },
    'vllm with a Hugging Face token secret': {
      ...base,
      engine: 'vllm' as const,
      huggingFaceTokenSecretArn: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:hf-token-AbCdEf',
    },
    'sglang with S3 weights': {
      ...base,
      engine: 'sglang' as const,
      weightsS3Uri: 's3://my-models/llama/2026-11-01/',
      revision: '0e9e39f249a16976918f6564b8830bc894c89659',
    },
    'tgi with a max length': { ...base, engine: 'tgi' as const, maxModelLength: 8192 },
  };
  for (const [name, model] of Object.entries(variants)) {
    test(name, () => {
      expect(findSecrets(renderUserData({ serviceName: 'chat', model }))).toEqual([]);
    });
  }
});

describe('findSecrets', () => {
  test('finds credential formats and redacts them', () => {
    const found = findSecrets(
      'AWS_ACCESS_KEY_ID=AKIAIOSFODNN7EXAMPLE\naws_secret_access_key = ' +
        'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\ntoken hf_AbCdEfGhIjKlMnOpQrStUvWxYz0123456789\n',
    );
    expect(found.map((m) => m.kind)).toEqual(
      expect.arrayContaining(['AWS access key id', 'AWS secret access key', 'Hugging Face token']),
    );
    for (const m of found) {
      expect(m.redacted).toMatch(/… \(\d+ chars\)$/);
      expect(m.redacted).not.toContain('EXAMPLEKEY');
    }
  });

  test('finds literal values of secret-named variables and flags, not values fetched at boot', () => {
    const kinds = (text: string) => findSecrets(text).map((m) => m.kind);
    expect(kinds('export OPENAI_API_KEY="not-a-real-key-but-literal"')).toEqual(['literal value of OPENAI_API_KEY']);
    expect(kinds('vllm serve --api-key literal-api-key-1234')).toEqual(['literal value of --api-key']);
    expect(kinds('password: hunter2hunter2')).toEqual(['literal value of password']);
    expect(kinds('HF_TOKEN=$(aws secretsmanager get-secret-value --secret-id x)')).toEqual([]);
    expect(kinds('TOKEN=${HF_TOKEN}')).toEqual([]);
    expect(kinds('curl -H "X-aws-ec2-metadata-token: $IMDS_TOKEN" http://169.254.169.254/')).toEqual([]);
  });

  test('flags long random-looking literals as a heuristic, not paths, image names or hex digests', () => {
    expect(findSecrets('key Zq8xT2mWv9LpR4sKd7YhN3cBf6GjU1eA')).toEqual([
      { kind: 'high-entropy literal', redacted: 'Zq8x… (32 chars)', confidence: 'entropy' },
    ]);
    const benign = [
      '/aws/service/deeplearning/ami/x86_64/base-oss-nvidia-driver-gpu-amazon-linux-2023/latest/ami-id',
      'ghcr.io/huggingface/text-generation-inference:3.3.6',
      'sha256:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08',
      'Service_Endpoint-ap-northeast-1_Fleet-llama-3-1-8b_LaunchTemplate_DE6D8A6A',
    ];
    for (const text of benign) expect(findSecrets(text)).toEqual([]);
  });

  test('entropy of random base62 is high, of words low', () => {
    expect(shannonEntropy('Zq8xT2mWv9LpR4sKd7YhN3cBf6GjU1eA')).toBeGreaterThan(4.5);
    expect(shannonEntropy('aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa')).toBe(0);
  });
});

describe('decodeUserData', () => {
  const script = '#!/bin/bash\necho hello\n';
  test('decodes base64 and gzip+base64; leaves plain text alone', () => {
    expect(decodeUserData(b64(script))).toBe(script);
    expect(decodeUserData(gzb64(script))).toBe(script);
    expect(decodeUserData(script)).toBe(script);
  });

  test('a random string that happens to be valid base64 is scanned as it is', () => {
    const token = 'Zq8xT2mWv9LpR4sKd7YhN3cBf6GjU1eA';
    expect(decodeUserData(token)).toBe(token);
  });
});
