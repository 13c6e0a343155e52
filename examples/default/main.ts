/**
 * The default example: a three-region chat service, latency-routed active-active (examples/default/spec.yaml),
 * synthesized into cdktf.out/. `npm run synth` runs it and summarises the output; `cdktf synth` runs it through
 * cdktf.json.
 */
import type { App } from '../../lib/util/cdktf';
import type { GlobalInferenceStacksOptions } from '../../stacks/global-inference-stacks';
import { buildExampleApp, exampleSpecFile, runExample } from '../example-app';

export const DEFAULT_SPEC_FILE = exampleSpecFile('default');

/** Builds the example app; tests call this with their own outdir. */
export function buildDefaultExample(outdir?: string, options?: GlobalInferenceStacksOptions): App {
  return buildExampleApp('default', outdir, options);
}

if (require.main === module) runExample('default');
