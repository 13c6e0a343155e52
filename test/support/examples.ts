import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { App } from '../../lib/util/cdktf';
import { readSynthOutput, type SynthesizedStack, type TerraformJson } from '../../lib/util/synth-output';

/** Synthesizes an example app into a fresh temp dir and reads back every stack. */
export function synthExample(build: (outdir: string) => App): { outdir: string; stacks: SynthesizedStack[] } {
  const outdir = mkdtempSync(join(tmpdir(), 'gi-example-'));
  build(outdir).synth();
  return { outdir, stacks: readSynthOutput(outdir) };
}

/**
 * A stack's JSON for a snapshot: the cdktf metadata block and the machine-specific local state path are
 * replaced, so the snapshot only changes when the Terraform does.
 */
export function snapshotView(json: TerraformJson): TerraformJson {
  const { ['//' as keyof TerraformJson]: _meta, ...rest } = json as TerraformJson & Record<string, unknown>;
  const terraform = { ...(rest.terraform ?? {}) } as Record<string, unknown>;
  const backend = terraform.backend as Record<string, Record<string, unknown>> | undefined;
  if (backend?.local)
    terraform.backend = { local: { path: '<cdktf default: terraform.<stack>.tfstate in the project directory>' } };
  // Cross-stack references read the other stack's local state by absolute path.
  const data = rest.data
    ? (JSON.parse(
        JSON.stringify(rest.data).replace(
          /"path":"[^"]*\/terraform\.([^"/]+)\.tfstate"/g,
          '"path":"<project>/terraform.$1.tfstate"',
        ),
      ) as TerraformJson['data'])
    : undefined;
  // The Worker bundle is reviewed as source (edge-worker/), not as minified text in every snapshot.
  const resources = (rest as TerraformJson).resource;
  const scripts = resources?.cloudflare_workers_script;
  const resource = scripts
    ? {
        ...resources,
        cloudflare_workers_script: Object.fromEntries(
          Object.entries(scripts).map(([name, script]) => [
            name,
            { ...script, content: `<edge-worker bundle, ${String(script.content).length} characters>` },
          ]),
        ),
      }
    : resources;
  return { ...rest, ...(resource ? { resource } : {}), ...(data ? { data } : {}), terraform } as TerraformJson;
}
