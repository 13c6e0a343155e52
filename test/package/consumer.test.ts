/*
 * The package as a user gets it (issue 12 item 5): `npm pack`, installed with the README's install line into a fresh
 * cdktf app (tarballs from the npm cache; `--prefer-offline`), the README's own-stack snippet compiled against the
 * installed types and run, and the CLI run from the installed bin. A provider import in the user's code resolves
 * because the provider packages are peer dependencies installed at the app's top level, not through hoisting.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const root = join(__dirname, '..', '..');
const readme = readFileSync(join(root, 'README.md'), 'utf8');
const app = mkdtempSync(join(tmpdir(), 'gi-consumer-'));
let tarball = '';

function sh(command: string, args: string[], cwd = app) {
  const result = spawnSync(command, args, { cwd, encoding: 'utf8', timeout: 240_000 });
  return { code: result.status, out: `${result.stdout}${result.stderr}` };
}

/** The README's install line for a consumer project, with the package replaced by the packed tarball. */
function installLine(): string[] {
  const line = /^npm install cdktf-global-inference .*$/m.exec(readme)?.[0];
  if (!line) throw new Error('README.md has no `npm install cdktf-global-inference ...` line');
  return line
    .split(/\s+/)
    .slice(2)
    .map((arg) => (arg === 'cdktf-global-inference' ? tarball : arg));
}

beforeAll(() => {
  // dist/ is built by npm test's first step; packing skips the prepare script.
  const pack = sh('npm', ['pack', '--ignore-scripts', '--pack-destination', app, '--json'], root);
  expect(pack.code).toBe(0);
  tarball = join(app, (JSON.parse(pack.out.slice(pack.out.indexOf('['))) as { filename: string }[])[0].filename);
  writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'my-inference-app', private: true }));
  const install = sh('npm', [
    'install',
    ...installLine(),
    '--prefer-offline',
    '--no-audit',
    '--no-fund',
    '--ignore-scripts',
  ]);
  if (install.code !== 0) throw new Error(`npm install failed:\n${install.out}`);
}, 300_000);

test('the peer providers are installed at the app’s top level, at the versions the library is tested with', () => {
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
  for (const name of ['@cdktf/provider-aws', '@cdktf/provider-cloudflare', 'cdktf', 'constructs']) {
    expect(pkg.peerDependencies[name]).toBeDefined();
    const installed = JSON.parse(readFileSync(join(app, 'node_modules', name, 'package.json'), 'utf8'));
    expect(installed.version).toBe(pkg.devDependencies[name]);
    // Not a second copy under the library: the user's objects and the library's are the same classes.
    expect(existsSync(join(app, 'node_modules', 'cdktf-global-inference', 'node_modules', name))).toBe(false);
  }
});

test('the README snippet compiles against the installed types and synthesizes', () => {
  const snippet = /## Use it in your own stack[\s\S]*?```ts\n([\s\S]*?)```/.exec(readme)?.[1];
  expect(snippet).toContain("from 'cdktf-global-inference'");
  writeFileSync(join(app, 'main.ts'), snippet!);
  copyFileSync(join(root, 'examples', 'default', 'spec.yaml'), join(app, 'service.yaml'));
  const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');
  const compile = sh(process.execPath, [
    tsc,
    '--strict',
    '--module',
    'commonjs',
    '--moduleResolution',
    'node10',
    '--target',
    'es2022',
    '--types',
    'node',
    '--typeRoots',
    join(root, 'node_modules', '@types'),
    '--skipLibCheck',
    'main.ts',
  ]);
  expect(compile.out).toBe('');
  expect(compile.code).toBe(0);
  const run = sh(process.execPath, ['main.js']);
  expect(run.out).toBe('');
  expect(run.code).toBe(0);
  const stacks = readdirSync(join(app, 'cdktf.out', 'stacks')).sort();
  expect(stacks).toEqual(['chat-aws', 'one-region']);
  const json = JSON.parse(readFileSync(join(app, 'cdktf.out', 'stacks', 'one-region', 'cdk.tf.json'), 'utf8'));
  expect(Object.keys(json.resource.aws_autoscaling_group)).toHaveLength(1);
}, 120_000);

test('the CLI runs from the installed package, under both of its names', () => {
  const version = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).version;
  for (const bin of ['global-inference', 'cdktf-global-inference'])
    expect(sh('npx', ['--no-install', bin, '--version'])).toEqual({ code: 0, out: `${version}\n` });
  copyFileSync(join(root, 'examples', 'default', 'spec.yaml'), join(app, 'service.yaml'));
  const validate = sh('npx', ['--no-install', 'global-inference', 'validate', 'service.yaml', '--format', 'json']);
  expect(validate.code).toBe(0);
  expect(JSON.parse(validate.out)).toMatchObject({ passed: true, tool: { version } });
}, 120_000);

test('every source map in the package carries its sources (no map points at a file that is not shipped)', () => {
  const dir = join(app, 'node_modules', 'cdktf-global-inference');
  const maps: string[] = [];
  const walk = (d: string) => {
    for (const entry of readdirSync(d)) {
      const path = join(d, entry);
      if (statSync(path).isDirectory()) walk(path);
      else if (entry.endsWith('.map')) maps.push(path);
    }
  };
  walk(join(dir, 'dist'));
  expect(maps.length).toBeGreaterThan(50);
  const incomplete = maps.filter((file) => {
    const map = JSON.parse(readFileSync(file, 'utf8')) as { sources: string[]; sourcesContent?: (string | null)[] };
    return map.sources.some((_s, i) => typeof map.sourcesContent?.[i] !== 'string');
  });
  expect(incomplete).toEqual([]);
});
