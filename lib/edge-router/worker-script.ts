import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type * as Esbuild from 'esbuild';
import { packageRoot } from '../util/project-root';

/** File name of the prebuilt bundle, next to this module's compiled JS (`dist/lib/edge-router/`). */
export const EDGE_WORKER_BUNDLE_FILE = 'edge-worker.mjs';
/** Entry point of the Worker source, relative to the package root. */
export const EDGE_WORKER_ENTRY = 'edge-worker/src/index.ts';
/** Name of the module in the Worker upload (`main_module`). */
export const EDGE_WORKER_MAIN_MODULE = 'worker.js';

let cached: string | undefined;

/**
 * The edge router Worker as one ES module. Compiled code reads the bundle `npm run build` wrote next to it
 * (fast, no bundler needed by users of the package); code run from TypeScript sources (tests, ts-node) has no
 * bundle beside it and bundles the source with esbuild once per process (~50 ms).
 */
export function edgeWorkerScript(): string {
  if (cached === undefined) {
    const prebuilt = join(__dirname, EDGE_WORKER_BUNDLE_FILE);
    cached = existsSync(prebuilt) ? readFileSync(prebuilt, 'utf8') : bundleEdgeWorker();
  }
  return cached;
}

/** Bundles `edge-worker/src` (and the table/config modules it imports from lib) into one ES module with esbuild. */
export function bundleEdgeWorker(): string {
  const root = packageRoot(__dirname);
  const entry = join(root, EDGE_WORKER_ENTRY);
  if (!existsSync(entry)) {
    throw new Error(
      `The edge router Worker bundle (${EDGE_WORKER_BUNDLE_FILE}) is missing next to ${__filename} and its ` +
        `source ${EDGE_WORKER_ENTRY} is not in the package; reinstall the package or run 'npm run build'`,
    );
  }
  let esbuild: typeof Esbuild;
  try {
    // esbuild is an optional dev dependency: required only when the bundle is built.
    esbuild = require('esbuild') as typeof Esbuild;
  } catch {
    throw new Error(
      `The edge router Worker bundle (${EDGE_WORKER_BUNDLE_FILE}) is missing and esbuild is not installed to ` +
        `build it; run 'npm run build' in ${root}`,
    );
  }
  const result = esbuild.buildSync({
    // Paths in the bundle's comments are relative to the package: the output is the same on every machine.
    absWorkingDir: root,
    entryPoints: [EDGE_WORKER_ENTRY],
    bundle: true,
    format: 'esm',
    platform: 'neutral',
    target: 'es2022',
    write: false,
    minify: false, // readable in plan diffs; ~30 KB
    legalComments: 'none',
    charset: 'utf8',
    logLevel: 'silent',
    external: ['cloudflare:*'], // runtime modules workerd provides (the Durable Object base class)
    banner: {
      js: `// Edge router Worker, bundled by esbuild from ${EDGE_WORKER_ENTRY} (cdktf-global-inference). Do not edit.`,
    },
  });
  return result.outputFiles[0].text;
}
