import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * The CLI as users run it: the compiled bin (built by `npm install`/`npm run build`, which `npm test` precedes).
 * Running the real process checks the exit code and that no stack trace reaches the terminal.
 */
const root = join(__dirname, '..', '..');
const cli = join(root, 'dist', 'bin', 'cli.js');
const dir = mkdtempSync(join(tmpdir(), 'gi-cli-'));

function run(...args: string[]) {
  const result = spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8', cwd: dir });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe('global-inference CLI', () => {
  test('synth writes the stacks and says where they went and what they hold', () => {
    const out = join(dir, 'out');
    const result = run('synth', join(root, 'examples', 'default', 'spec.yaml'), '--out', out);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('Synthesized 1 stack into out/');
    expect(result.stdout).toMatch(/chat-aws: out\/stacks\/chat-aws\/cdk\.tf\.json\n\s+\d+ resources, 0 data sources/);
    expect(JSON.parse(readFileSync(join(out, 'stacks', 'chat-aws', 'cdk.tf.json'), 'utf8')).resource.aws_lb).toBeDefined();
  });

  test('fails when the spec is invalid: every problem, exit code 1, no stack trace', () => {
    const spec = join(dir, 'bad.yaml');
    writeFileSync(spec, 'service: { name: chat, domain: inference.example.com }\nmodel: { id: a/b, version: "1" }\nregions:\n  - { region: us-east-1, instanceType: t3.micro, capacity: { min: 3, max: 1 } }\n');
    const result = run('validate', spec);
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain(`${spec} is invalid (2 problems):`);
    expect(result.stderr).toContain('regions[0].instanceType: must be an NVIDIA GPU instance type');
    expect(result.stderr).toContain('regions[0].capacity.min: must be ≤ capacity.max (1), got: 3 (');
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });

  test('validate accepts the default example', () => {
    const result = run('validate', join(root, 'examples', 'default', 'spec.yaml'));
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/spec\.yaml: valid \(3 regions, 1 model\)/);
  });

  test('fails on an unknown command or option with usage, exit code 1', () => {
    const unknown = run('deploy');
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain("unknown command 'deploy'");
    const badOption = run('synth', 'x.yaml', '--outt', 'y');
    expect(badOption.code).toBe(1);
    expect(badOption.stderr).toContain("Unknown option '--outt'");
    expect(badOption.stderr).not.toMatch(/\n\s+at /);
  });

  test('schema prints the committed JSON Schema', () => {
    const result = run('schema');
    expect(result.code).toBe(0);
    expect(result.stdout).toBe(readFileSync(join(root, 'schema', 'spec.schema.json'), 'utf8'));
  });
});
