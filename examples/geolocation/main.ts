/** Example: see spec.yaml next to this file. Run: node dist/examples/geolocation/main.js (writes cdktf.out/). */
import { runExample } from '../example-app';

if (require.main === module) runExample('geolocation');
