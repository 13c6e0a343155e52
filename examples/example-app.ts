import { join } from 'node:path';
import { App } from '../lib/util/cdktf';
import { loadSpecFile } from '../lib/spec/load';
import { packageRoot } from '../lib/util/project-root';
import { preflightOutput } from '../lib/util/atomic-synth';
import { runMain } from '../lib/util/cli';
import { addGlobalInferenceStacks, type GlobalInferenceStacksOptions } from '../stacks/global-inference-stacks';

/** The spec file of an example: examples/<name>/spec.yaml in the package. */
export function exampleSpecFile(name: string): string {
  return join(packageRoot(__dirname), 'examples', name, 'spec.yaml');
}

/**
 * An example app: the reference stacks of examples/<name>/spec.yaml (options: e.g. turn the proof gate off to analyse a
 * failing example).
 */
export function buildExampleApp(name: string, outdir?: string, options: GlobalInferenceStacksOptions = {}): App {
  const app = new App(outdir ? { outdir } : {});
  addGlobalInferenceStacks(app, loadSpecFile(exampleSpecFile(name)), options);
  return app;
}

/**
 * Runs an example as a program: synthesizes into CDKTF_OUTDIR (set by the cdktf CLI) or cdktf.out, all or nothing
 * (the service gates `app.synth()`: the policy pack and the routing proofs run on the staged output).
 */
export function runExample(
  name: string,
  build: (outdir: string, options: GlobalInferenceStacksOptions) => App = (outdir, options) =>
    buildExampleApp(name, outdir, options),
): void {
  runMain(() => {
    const outdir = process.env.CDKTF_OUTDIR ?? 'cdktf.out';
    preflightOutput(outdir);
    build(outdir, {}).synth();
  });
}
