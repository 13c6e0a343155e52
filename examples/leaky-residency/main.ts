/**
 * Example: a residency leak through an escape hatch (see spec.yaml next to this file). Run:
 * node dist/examples/leaky-residency/main.js: synth is refused (nothing is written) because the residency proof fails;
 * the message names the records and the path through the geolocation default.
 */
import { App } from '../../lib/util/cdktf';
import { InferenceAliasRecord } from '../../lib/aws/inference-alias-record';
import { loadSpecFile } from '../../lib/spec/load';
import { addGlobalInferenceStacks, type GlobalInferenceStacksOptions } from '../../stacks/global-inference-stacks';
import { exampleSpecFile, runExample } from '../example-app';

/** Builds the leaky app: the eu-residency deployment with evaluate_target_health forced on the EU residency records. */
export function buildLeakyResidencyExample(outdir?: string, options: GlobalInferenceStacksOptions = {}): App {
  const app = new App(outdir ? { outdir } : {});
  const { service } = addGlobalInferenceStacks(app, loadSpecFile(exampleSpecFile('leaky-residency')), options);
  const routing = service.route53Routing!;
  for (const child of routing.node.children) {
    // The escape hatch someone adds "so EU users fail over when Europe is down": it makes Route53 fall through to
    // the geolocation default, i.e. to regions outside the EU.
    if (child instanceof InferenceAliasRecord && child.node.id.startsWith('Residency-eu-'))
      child.resource.addOverride('alias.evaluate_target_health', true);
  }
  return app;
}

if (require.main === module) runExample('leaky-residency', buildLeakyResidencyExample);
