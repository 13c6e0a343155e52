import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/**
 * The root of this package, found by walking up from `start` to the package.json named cdktf-global-inference.
 * Works the same from TypeScript sources (tests) and compiled JS in dist/.
 */
export function packageRoot(start: string = __dirname): string {
  let dir = start;
  for (;;) {
    const manifest = join(dir, 'package.json');
    if (
      existsSync(manifest) &&
      (JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string }).name === 'cdktf-global-inference'
    )
      return dir;
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`cannot find the cdktf-global-inference package above ${start}`);
    dir = parent;
  }
}
