/** `npm run synth`: synthesizes the default example into cdktf.out/ and prints what it contains. */
import { resolve } from 'node:path';
import { buildDefaultExample, DEFAULT_SPEC_FILE } from '../examples/default/main';
import { loadSpecFile } from '../lib/spec/load';
import { checkSynthesizedService } from '../stacks/global-inference-stacks';
import { synthAtomically } from '../lib/util/atomic-synth';
import { runMain } from '../lib/util/cli';
import { describeSynthOutput } from '../lib/util/synth-output';

runMain(() => {
  const outdir = resolve(process.argv[2] ?? 'cdktf.out');
  const started = process.hrtime.bigint();
  synthAtomically((dir) => buildDefaultExample(dir, { policy: false, proofs: false }), outdir, (staged) => checkSynthesizedService(staged, loadSpecFile(DEFAULT_SPEC_FILE)));
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  process.stdout.write(`${describeSynthOutput(outdir)}\n\nDone in ${seconds.toFixed(2)} s. Next: terraform -chdir=<stack dir> init && plan, or 'npm run cdktf -- diff'.\n`);
});
