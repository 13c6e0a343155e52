import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { RULES_DOC } from '../../lib/policy/suppressions';

const root = join(__dirname, '..', '..');

/** What `npm pack` puts in the tarball (scripts skipped: the build is `npm test`'s own first step). */
function packedFiles(): Set<string> {
  const result = spawnSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: root, encoding: 'utf8' });
  expect(result.status).toBe(0);
  const [pack] = JSON.parse(result.stdout) as { files: { path: string }[] }[];
  return new Set(pack.files.map((f) => f.path));
}

function jsFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((entry) => {
    const path = join(dir, entry);
    return statSync(path).isDirectory() ? jsFiles(path) : path.endsWith('.js') ? [path] : [];
  });
}

describe('packed contents', () => {
  const packed = packedFiles();

  test(
    'the documents the README links to and messages cite are in the package (messages never cite a file users ' +
      "don't have)",
    () => {
      // Red team: PolicySuppressions' messages cited lib/policy/RULES.md, and the package shipped only README.md.
      for (const doc of ['lib/policy/RULES.md', 'lib/cloudflare/PROVIDER-NOTES.md', 'lib/edge-router/README.md'])
        expect(packed).toContain(doc);
      expect(RULES_DOC.startsWith('node_modules/cdktf-global-inference/')).toBe(true);
      expect(packed).toContain(RULES_DOC.slice('node_modules/cdktf-global-inference/'.length));
      const linked = [...readFileSync(join(root, 'README.md'), 'utf8').matchAll(/\]\(((?:lib|docs)\/[^)#\s]+)\)/g)].map(
        (m) => m[1],
      );
      expect(linked.length).toBeGreaterThan(0);
      for (const file of linked) expect(packed).toContain(file);
    },
  );

  test('the license package.json names is shipped as its text', () => {
    const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { license: string };
    expect(pkg.license).toBe('Apache-2.0');
    expect(packed).toContain('LICENSE');
    expect(readFileSync(join(root, 'LICENSE'), 'utf8')).toMatch(/^Apache License\s+Version 2\.0, January 2004/);
  });

  test('every .md file a compiled message names is shipped', () => {
    const cited = new Set<string>();
    for (const file of jsFiles(join(root, 'dist', 'lib'))) {
      // String literals only (comments are stripped from the compiled files' messages by reading quotes).
      for (const m of readFileSync(file, 'utf8').matchAll(/[`'"][^`'"\n]*?\b(lib\/[\w/-]+\.md)\b[^`'"\n]*[`'"]/g))
        cited.add(m[1]);
    }
    expect([...cited].filter((f) => !packed.has(f))).toEqual([]);
  });
});
