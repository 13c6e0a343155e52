import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

// Moving to CDK Terrain (docs/migrating-to-cdk-terrain.md) is one line because the library names cdktf in one
// module only: lib/util/cdktf.ts. Comments (an @example shows a user's own import) do not count.
const ROOT = join(__dirname, '..', '..');

test('lib, bin and stacks import cdktf only through lib/util/cdktf.ts', () => {
  const files = execFileSync(
    'git',
    ['ls-files', '--cached', '--others', '--exclude-standard', 'lib', 'bin', 'stacks'],
    {
      cwd: ROOT,
      encoding: 'utf8',
    },
  )
    .split('\n')
    .filter((f) => f.endsWith('.ts') && f !== 'lib/util/cdktf.ts');
  expect(files.length).toBeGreaterThan(50);
  const direct = files.filter((file) => {
    const code = readFileSync(join(ROOT, file), 'utf8')
      .split('\n')
      .filter((line) => !/^\s*(\*|\/\/|\/\*)/.test(line))
      .join('\n');
    return /from ['"]cdktf['"]|require\(['"]cdktf['"]\)|import\(['"]cdktf['"]\)/.test(code);
  });
  expect(direct).toEqual([]);
  expect(readFileSync(join(ROOT, 'lib', 'util', 'cdktf.ts'), 'utf8')).toMatch(/^export \* from 'cdktf';$/m);
});
