/*
 * The proofs through the CLI (issue 17 item 7): `explain` exits non-zero when a proof fails, `validate <synth dir>`
 * checks a synthesized directory. The compiled bin is run as users run it (npm test builds it first).
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { buildExampleApp } from '../../examples/example-app';
import { buildLeakyResidencyExample } from '../../examples/leaky-residency/main';
import { synthToTemp } from './fixtures';
import { regex } from '../support/regex';

const cli = join(__dirname, '..', '..', 'dist', 'bin', 'cli.js');
const leaky = synthToTemp((o) => buildLeakyResidencyExample(o, { proofs: false, policy: false }));
const passing = synthToTemp((o) => buildExampleApp('eu-residency', o, { proofs: false, policy: false }));

function run(...args: string[]) {
  const result = spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8' });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe('explain', () => {
  it('prints the table and exits 1 when a proof fails', () => {
    const result = run('explain', leaky);
    expect(result.code).toBe(1);
    expect(result.stdout).toContain('# Where traffic lands');
    expect(result.stdout).toContain('**FAIL** residency');
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });

  it('exits 0 when every proof passes', () => {
    const result = run('explain', passing);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('PASS residency');
  });
});

describe('validate <synth dir>', () => {
  it('checks the directory: proofs and policy, exit 1 with each violation and its client groups per scenario', () => {
    const result = run('validate', leaky);
    expect(result.code).toBe(1);
    expect(result.stderr).toBe('');
    expect(result.stdout).toMatch(/: synthesized stacks chat-leaky-aws \(4 regions, 1 front door\)/);
    expect(result.stdout).toContain('- FAIL residency');
    expect(result.stdout).toMatch(
      regex(
        /residency: Route53 inference.example.com sends client groups "eu: AT, .*" \(jurisdiction eu\) to /,
        /us-east-1 \(jurisdiction us\) in scenario "eu-central-1 \+ eu-west-1 down"/,
      ),
    );
    expect(result.stdout).toContain('## Policy pack');
    expect(result.stdout).toMatch(/Result: FAILED\n$/);
  });

  it('passes a directory whose proofs and policy pass', () => {
    const result = run('validate', passing);
    expect(result.stderr).toBe('');
    expect(result.stdout).toContain('- PASS residency: jurisdictions eu: every health state (reachability)');
    expect(result.stdout).toMatch(/Result: passed\n$/);
    expect(result.code).toBe(0);
  });
});
