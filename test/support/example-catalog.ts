import type { App } from '../../lib/util/cdktf';
import { buildDefaultExample } from '../../examples/default/main';
import { buildExampleApp } from '../../examples/example-app';

export interface ExampleApp {
  readonly name: string;
  readonly build: (outdir: string) => App;
  /** Whether its AWS stacks must pass the offline `terraform plan` as well as `validate`. */
  readonly plan: boolean;
}

const example = (name: string, plan = false): ExampleApp => ({
  name,
  build: (outdir) => buildExampleApp(name, outdir),
  plan,
});

/** Every example app; the snapshot and real-terraform tests run over all of them. */
export const OFFLINE_EXAMPLES: readonly ExampleApp[] = [
  { name: 'default', build: buildDefaultExample, plan: true },
  example('eu-residency', true),
  example('failover'),
  example('canary'),
  example('geolocation'),
  example('weighted'),
  example('cloudflare-eu'),
  example('edge-router'),
];
