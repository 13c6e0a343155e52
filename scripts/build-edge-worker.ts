/**
 * `npm run build` step: bundles the edge router Worker (edge-worker/src) into one ES module next to the compiled
 * construct, dist/lib/edge-router/edge-worker.mjs, which `edgeWorkerScript()` reads at synth time.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { EDGE_WORKER_BUNDLE_FILE, bundleEdgeWorker } from '../lib/edge-router/worker-script';
import { packageRoot } from '../lib/util/project-root';

const root = packageRoot(__dirname);
const out = join(root, 'dist', 'lib', 'edge-router', EDGE_WORKER_BUNDLE_FILE);
mkdirSync(dirname(out), { recursive: true });
const bundle = bundleEdgeWorker();
writeFileSync(out, bundle);
process.stdout.write(
  `bundled the edge router Worker: ${relative(root, out)} (${(bundle.length / 1024).toFixed(1)} KiB)\n`,
);
