import { renderUserData, shq } from '../../lib/aws/user-data';
import type { ModelSpec } from '../../lib/spec/schema';

const base: ModelSpec = { name: 'qwen', id: 'Qwen/Qwen3-8B', version: '2026-10', engine: 'vllm', args: [], port: 8000 };

describe('user data', () => {
  test('sglang and TGI get their own launch commands on the declared port', () => {
    const sglang = renderUserData({ model: { ...base, engine: 'sglang', port: 30000 }, serviceName: 'chat' });
    expect(sglang).toContain(
      'lmsysorg/sglang:v0.5.3-cu126 python3 -m sglang.launch_server --model-path Qwen/Qwen3-8B ' +
        '--served-model-name Qwen/Qwen3-8B --host 0.0.0.0 --port 30000',
    );
    const tgi = renderUserData({ model: { ...base, engine: 'tgi', maxModelLength: 8192 }, serviceName: 'chat' });
    expect(tgi).toContain(
      'text-generation-inference:3.3.6 --model-id Qwen/Qwen3-8B --hostname 0.0.0.0 --port 8000 --max-total-tokens 8192',
    );
  });

  test('a custom engine runs exactly the given image and command, plus extra args', () => {
    const script = renderUserData({
      model: {
        ...base,
        engine: 'custom',
        image: 'ghcr.io/acme/server:1.2',
        command: ['serve', '--port', '8000'],
        args: ['--log-level', 'debug'],
      },
      serviceName: 'chat',
    });
    expect(script).toContain('ghcr.io/acme/server:1.2 serve --port 8000 --log-level debug');
  });

  test('revision and version are passed through and labelled', () => {
    const script = renderUserData({ model: { ...base, revision: 'abc123' }, serviceName: 'chat' });
    expect(script).toContain('--revision abc123');
    expect(script).toContain('--label inference.version=2026-10');
  });

  test('arguments are shell-quoted, so a hostile value cannot run commands', () => {
    const script = renderUserData({
      model: { ...base, args: ['--chat-template', "x'; rm -rf / #"] },
      serviceName: 'chat',
    });
    expect(script).toContain(`'x'\\''; rm -rf / #'`);
    expect(shq('plain-value_1.2')).toBe('plain-value_1.2');
    expect(shq('a b')).toBe("'a b'");
  });

  test('starts with a shebang, fails fast, and writes no secret values', () => {
    const script = renderUserData({
      model: { ...base, huggingFaceTokenSecretArn: 'arn:aws:secretsmanager:us-east-1:1:secret:t' },
      serviceName: 'chat',
    });
    expect(script.startsWith('#!/bin/bash\n')).toBe(true);
    expect(script).toContain('set -euo pipefail');
    expect(script).toMatch(/HF_TOKEN=\$\(aws secretsmanager get-secret-value/);
    expect(script).toContain('unset HF_TOKEN');
  });
});
