/** Example: see spec.yaml next to this file. Run: node dist/examples/weighted/main.js (writes cdktf.out/). */
import { buildExampleApp, runExample } from '../example-app';

if (require.main === module) runExample((outdir) => buildExampleApp('weighted', outdir));
