import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const root = join(__dirname, '..', '..');

/** A consumer project next door, resolving this package through node_modules like an installed dependency. */
describe('package', () => {
  const consumer = mkdtempSync(join(tmpdir(), 'gi-consumer-'));
  mkdirSync(join(consumer, 'node_modules'));
  symlinkSync(root, join(consumer, 'node_modules', 'cdktf-global-inference'), 'dir');
  for (const peer of ['cdktf', 'constructs', '@types']) {
    const target = join(root, 'node_modules', peer);
    const link = join(consumer, 'node_modules', peer);
    symlinkSync(target, link, 'dir');
  }
  writeFileSync(
    join(consumer, 'main.ts'),
    [
      "import { App, TerraformStack } from 'cdktf';",
      "import { GpuInferenceEndpoint, parseSpec, type GlobalInferenceSpecInput } from 'cdktf-global-inference';",
      "const spec: GlobalInferenceSpecInput = { service: { name: 'x', domain: 'x.example.com' }, model: { id: " +
        "'a/b', version: '1' }, regions: [] };",
      'void spec; void parseSpec;',
      'const app = new App();',
      "new GpuInferenceEndpoint(new TerraformStack(app, 's'), 'E', { region: 'us-east-1', serviceName: 'x', " +
        "models: [{ id: 'a/b', version: '1' }], instanceType: 'g6e.xlarge', capacity: { min: 1, max: 2 }, " +
        "certificateArn: 'arn:aws:acm:us-east-1:1:certificate/x' });",
      "console.log('ok');",
    ].join('\n'),
  );

  test('types resolve through the exports map (tsc, node16 resolution)', () => {
    const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');
    const result = spawnSync(
      process.execPath,
      [
        tsc,
        '--noEmit',
        '--strict',
        '--module',
        'node16',
        '--moduleResolution',
        'node16',
        '--types',
        'node',
        '--skipLibCheck',
        'main.ts',
      ],
      { cwd: consumer, encoding: 'utf8' },
    );
    expect(result.stdout + result.stderr).toBe('');
    expect(result.status).toBe(0);
  });

  test('the compiled package loads from its root export, and internal paths are not exported', () => {
    const ok = spawnSync(
      process.execPath,
      [
        '-e',
        "const l = require('cdktf-global-inference'); console.log(typeof l.GpuInferenceEndpoint, typeof " +
          'l.GlobalInferenceService)',
      ],
      { cwd: consumer, encoding: 'utf8' },
    );
    expect(ok.stdout.trim()).toBe('function function');
    const internal = spawnSync(process.execPath, ['-e', "require('cdktf-global-inference/dist/lib/aws/gpu-fleet')"], {
      cwd: consumer,
      encoding: 'utf8',
    });
    expect(internal.stderr).toContain('ERR_PACKAGE_PATH_NOT_EXPORTED');
  });

  test('no source imports a provider package from its root (seconds and hundreds of MB at synth)', () => {
    const offenders: string[] = [];
    const walk = (dir: string) => {
      for (const entry of readdirSync(dir)) {
        const path = join(dir, entry);
        if (statSync(path).isDirectory()) walk(path);
        else if (
          path.endsWith('.ts') &&
          /from ['"]@cdktf\/provider-(aws|cloudflare)['"]|require\(['"]@cdktf\/provider-(aws|cloudflare)['"]\)/.test(
            readFileSync(path, 'utf8'),
          )
        )
          offenders.push(path);
      }
    };
    for (const dir of ['lib', 'stacks', 'examples', 'bin']) walk(join(root, dir));
    expect(offenders).toEqual([]);
  });
});
