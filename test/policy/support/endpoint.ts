import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, Aspects, TerraformStack } from '../../../lib/util/cdktf';
import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { GpuInferenceEndpoint } from '../../../lib/aws/gpu-inference-endpoint';
import { PolicyAspect, type PolicyAspectOptions } from '../../../lib/policy/aspect';

export const CERT = 'arn:aws:acm:us-east-1:123456789012:certificate/11111111-2222-3333-4444-555555555555';

/** A real App (synth writes to a temp dir) with one stack holding a GpuInferenceEndpoint and the PolicyAspect. */
export function endpointApp(options: PolicyAspectOptions = {}) {
  const outdir = mkdtempSync(join(tmpdir(), 'gi-policy-'));
  const app = new App({ outdir });
  const stack = new TerraformStack(app, 'policy-test');
  new AwsProvider(stack, 'aws', { region: 'us-east-1' });
  const endpoint = new GpuInferenceEndpoint(stack, 'Endpoint', {
    region: 'us-east-1',
    serviceName: 'chat',
    models: [{ name: 'llama', id: 'meta-llama/Llama-3.1-8B-Instruct', version: '2026-11-01', weightsGiB: 16 }],
    instanceType: 'g6e.xlarge',
    capacity: { min: 2, max: 8 },
    certificateArn: CERT,
  });
  const aspect = new PolicyAspect(options);
  return { app, stack, endpoint, aspect, outdir, apply: () => Aspects.of(stack).add(aspect) };
}

/** The message `app.synth()` throws (fails the test when it does not throw). */
export function synthError(app: App): string {
  try {
    app.synth();
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error('expected synth to fail, it succeeded');
}
