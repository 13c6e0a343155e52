import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
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

  test('validate accepts the default example: schema, proofs and policy in one report', () => {
    const result = run('validate', join(root, 'examples', 'default', 'spec.yaml'));
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/spec\.yaml: schema valid \(3 regions, 1 model, front door route53, routing latency\); synthesized/);
    expect(result.stdout).toContain('- PASS residency');
    expect(result.stdout).toContain('- PASS availability');
    expect(result.stdout).toMatch(/Worst failover: 90 s .* budget 180 s/);
    expect(result.stdout).toContain('Policy check passed: 0 errors');
    expect(result.stdout).toMatch(/Result: passed\n$/);
  });

  test('validate fails a spec whose failover is slower than its SLO, naming the budget', () => {
    const result = run('validate', join(root, 'examples', 'slow-failover', 'spec.yaml'));
    expect(result.code).toBe(1);
    expect(result.stdout).toContain('- FAIL failover-time');
    expect(result.stdout).toContain('request_interval 30 s × failure_threshold 10 = 300 s');
    expect(result.stdout).toContain('over the budget slo.failoverSeconds = 60 s');
    expect(result.stdout).toMatch(/Result: FAILED\n$/);
  });

  test('synth of a spec that breaks a proof is refused and writes nothing', () => {
    const out = join(dir, 'refused');
    const result = run('synth', join(root, 'examples', 'slow-failover', 'spec.yaml'), '--out', out);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('synth refused, nothing was written');
    expect(result.stderr).toContain('failover-time:');
    expect(result.stderr).not.toContain('skipValidation');
    expect(existsSync(out)).toBe(false);
  });

  test('a single-region service is refused with the remedy, and synthesizes once the outage risk is accepted in the spec', () => {
    const spec = join(dir, 'solo.yaml');
    const base = 'service: { name: solo, domain: inference.example.com }\nmodel: { id: a/b, version: "1" }\nregions:\n  - { region: us-east-1, instanceType: g6e.xlarge, capacity: { min: 1, max: 2 } }\n';
    writeFileSync(spec, base);
    const refused = run('synth', spec, '--out', join(dir, 'solo-out'));
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('availability: in scenario "us-east-1 down"');
    expect(refused.stderr).toContain('set slo.survivesRegionFailure: false to accept that a region failure is an outage');
    writeFileSync(spec, `${base}slo: { survivesRegionFailure: false }\n`);
    expect(run('synth', spec, '--out', join(dir, 'solo-out')).code).toBe(0);
  });

  test('explain, diagram and diff read synth outputs', () => {
    const before = join(dir, 'before');
    const after = join(dir, 'after');
    expect(run('synth', join(root, 'examples', 'default', 'spec.yaml'), '--out', before).code).toBe(0);
    expect(run('synth', join(root, 'examples', 'eu-residency', 'spec.yaml'), '--out', after).code).toBe(0);
    const explain = run('explain', before);
    expect(explain.code).toBe(0);
    expect(explain.stdout).toContain('us-east-1');
    const diagram = run('diagram', after);
    expect(diagram.stdout).toMatch(/^```mermaid\n(flowchart|graph) /);
    const diff = run('diff', before, after);
    expect(diff.code).toBe(0);
    expect(diff.stdout).toContain('## Routing review');
    const missing = run('explain', join(dir, 'nothing-here'));
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('holds no cdktf output (no manifest.json)');
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
