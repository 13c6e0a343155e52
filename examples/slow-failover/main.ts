/** Example: see spec.yaml next to this file. Run: node dist/examples/slow-failover/main.js (writes cdktf.out/). */
import { runMain } from '../../lib/util/cli';
import { buildExampleApp } from '../example-app';

if (require.main === module) runMain(() => buildExampleApp('slow-failover').synth());
