import type { App } from 'cdktf';
import { buildDefaultExample } from '../../examples/default/main';

export interface ExampleApp {
  readonly name: string;
  readonly build: (outdir: string) => App;
  /** Whether its AWS stacks must pass the offline `terraform plan` as well as `validate`. */
  readonly plan: boolean;
}

/** Every example app; the real-terraform tests run over all of them. */
export const OFFLINE_EXAMPLES: readonly ExampleApp[] = [{ name: 'default', build: buildDefaultExample, plan: true }];
