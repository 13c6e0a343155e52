/** `npm run synth`: synthesizes the default example into cdktf.out/ and prints what it contains. */
import { resolve } from 'node:path';
import { buildDefaultExample } from '../examples/default/main';
import { preflightOutput } from '../lib/util/atomic-synth';
import { runMain } from '../lib/util/cli';
import { describeSynthOutput } from '../lib/util/synth-output';

runMain(() => {
  const outdir = resolve(process.argv[2] ?? 'cdktf.out');
  const started = process.hrtime.bigint();
  preflightOutput(outdir);
  // Gated by the service: policy pack and proofs on the staged output, switched in by one rename.
  buildDefaultExample(outdir).synth();
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  process.stdout.write(
    `${describeSynthOutput(outdir)}\n\nDone in ${seconds.toFixed(2)} s. Next: terraform -chdir=<stack dir> ` +
      "init && plan, or 'npm run cdktf -- diff'.\n",
  );
});
