/**
 * The default example: a three-region chat service from `spec.yaml`, synthesized into cdktf.out/.
 * `npm run synth` runs it and summarises the output; `cdktf synth` runs it through cdktf.json.
 */
import { join } from 'node:path';
import { App } from 'cdktf';
import { loadSpecFile } from '../../lib/spec/load';
import { packageRoot } from '../../lib/util/project-root';
import { runMain } from '../../lib/util/cli';
import { addGlobalInferenceStacks } from '../../stacks/global-inference-stacks';

export const DEFAULT_SPEC_FILE = join(packageRoot(__dirname), 'examples', 'default', 'spec.yaml');

/** Builds the example app; tests call this with their own outdir. */
export function buildDefaultExample(outdir?: string): App {
  const app = new App(outdir ? { outdir } : {});
  addGlobalInferenceStacks(app, loadSpecFile(DEFAULT_SPEC_FILE));
  return app;
}

if (require.main === module) {
  runMain(() => buildDefaultExample().synth());
}
