import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { regex } from '../support/regex';

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

/** What validate prints for a spec it cannot read or the schema refuses: the refusal, then the result line. */
const refusedReport = (text: string) => `${text}\n\nResult: FAILED\n`;

/** A stack frame as Node prints it. */
const TRACE = /\n\s+at .*:\d+:\d+\)?\n/;

describe('global-inference CLI', () => {
  test('synth writes the stacks and says where they went and what they hold', () => {
    const out = join(dir, 'out');
    const result = run('synth', join(root, 'examples', 'default', 'spec.yaml'), '--out', out);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('Synthesized 1 stack into out/');
    expect(result.stdout).toMatch(/chat-aws: out\/stacks\/chat-aws\/cdk\.tf\.json\n\s+\d+ resources, 0 data sources/);
    expect(
      JSON.parse(readFileSync(join(out, 'stacks', 'chat-aws', 'cdk.tf.json'), 'utf8')).resource.aws_lb,
    ).toBeDefined();
  });

  test('validate reports an invalid spec on stdout: every problem, exit code 1, nothing on stderr', () => {
    const spec = join(dir, 'bad.yaml');
    writeFileSync(
      spec,
      'service: { name: chat, domain: inference.example.com }\nmodel: { id: a/b, version: "1" }\nregions:\n  - ' +
        '{ region: us-east-1, instanceType: t3.micro, capacity: { min: 3, max: 1 } }\n',
    );
    const result = run('validate', spec);
    expect(result.code).toBe(1);
    expect(result.stderr).toBe('');
    expect(result.stdout).toMatch(
      new RegExp(`^${spec.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} is invalid \\(2 problems\\):\n`),
    );
    expect(result.stdout).toContain('regions[0].instanceType: must be an NVIDIA GPU instance type');
    expect(result.stdout).toContain('regions[0].capacity.min: must be ≤ capacity.max (1), got: 3 (');
    expect(result.stdout).toMatch(/\n\nResult: FAILED\n$/);
    // synth refuses the same spec with the same lines, on stderr: it produced nothing.
    const synth = run('synth', spec, '--out', join(dir, 'bad-out'));
    expect(synth.code).toBe(1);
    expect(synth.stdout).toBe('');
    expect(`${synth.stderr}\nResult: FAILED\n`).toBe(result.stdout);
    expect(synth.stderr).not.toMatch(TRACE);
  });

  test('validate accepts the default example: schema, proofs and policy in one report', () => {
    const result = run('validate', join(root, 'examples', 'default', 'spec.yaml'));
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(
      /spec\.yaml: schema valid \(3 regions, 1 model, front door route53, routing latency\); synthesized/,
    );
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

  test(
    'a single-region service is refused with the remedy, and synthesizes once the outage risk is accepted in the ' +
      'spec',
    () => {
      const spec = join(dir, 'solo.yaml');
      const base =
        'service: { name: solo, domain: inference.example.com }\nmodel: { id: a/b, version: "1" }\nregions:\n  - ' +
        '{ region: us-east-1, instanceType: g6e.xlarge, capacity: { min: 1, max: 2 } }\n';
      writeFileSync(spec, base);
      const refused = run('synth', spec, '--out', join(dir, 'solo-out'));
      expect(refused.code).toBe(1);
      expect(refused.stderr).toContain('availability: in scenario "us-east-1 down"');
      expect(refused.stderr).toContain(
        'set slo.survivesRegionFailure: false to accept that a region failure is an outage',
      );
      writeFileSync(spec, `${base}slo: { survivesRegionFailure: false }\n`);
      expect(run('synth', spec, '--out', join(dir, 'solo-out')).code).toBe(0);
    },
  );

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

  test('--version, -v and version print the package version, exit code 0', () => {
    const { version } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string };
    expect(version).toMatch(/^\d+\.\d+\.\d+/);
    for (const args of [['--version'], ['-v'], ['version']])
      expect(run(...args)).toEqual({ code: 0, stdout: `${version}\n`, stderr: '' });
  });

  test(
    "<command> --help and help <command> print that command's lines, exit 0; help for an unknown one names the " +
      'commands',
    () => {
      for (const args of [
        ['validate', '--help'],
        ['help', 'validate'],
      ]) {
        const r = run(...args);
        expect(r.code).toBe(0);
        expect(r.stdout).toContain('validate <spec.yaml|json|->');
        expect(r.stdout).toContain('validate <synth dir>');
        expect(r.stdout).not.toContain('diagram [dir]');
      }
      expect(run('help', 'diff').stdout).toContain('diff <before> <after>');
      const all = run('help');
      expect(all.code).toBe(0);
      expect(all.stdout).toContain('diagram [dir]');
      const unknown = run('help', 'deploy');
      expect(unknown.code).toBe(1);
      expect(unknown.stderr).toContain(
        "no help for 'deploy': the commands are validate, synth, explain, diagram, diff, schema, version, help",
      );
      expect(unknown.stderr).not.toMatch(TRACE);
    },
  );

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

  test('fails when --out names a regular file: one message, exit 1, nothing left behind', () => {
    const file = join(dir, 'out-file.json');
    writeFileSync(file, 'precious');
    const before = readdirSync(dir).sort();
    const result = run('synth', join(root, 'examples', 'default', 'spec.yaml'), '--out', file);
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(
      'cannot write out-file.json: it is a file, not a directory; choose another output directory (nothing was ' +
        'written)\n',
    );
    expect(readFileSync(file, 'utf8')).toBe('precious');
    expect(readdirSync(dir).sort()).toEqual(before);
  });

  test("fails when --out holds the user's own files (in stacks/): refused, exit 1, every file kept", () => {
    const out = join(dir, 'mine');
    mkdirSync(join(out, 'stacks', 'notes'), { recursive: true });
    writeFileSync(join(out, 'stacks', 'notes', 'plan.md'), 'my plan');
    writeFileSync(join(out, 'stacks', 'todo.txt'), 'my todo');
    const result = run('synth', join(root, 'examples', 'default', 'spec.yaml'), '--out', out);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(
      'cannot write mine: it is a directory that is not a cdktf output (it holds stacks), and synth never ' +
        'deletes files it did not write',
    );
    expect(result.stderr).not.toMatch(TRACE);
    expect(readFileSync(join(out, 'stacks', 'notes', 'plan.md'), 'utf8')).toBe('my plan');
    expect(readFileSync(join(out, 'stacks', 'todo.txt'), 'utf8')).toBe('my todo');
    expect(readdirSync(out)).toEqual(['stacks']);
  });

  test(
    "a directory named like the output's generation store but not the library's is refused, exit 1, every file " +
      'kept',
    () => {
      // Red team: the first synth into `out` emptied the user's own `.out.generations/` (the spec in it included).
      const work = mkdtempSync(join(dir, 'gens-'));
      const store = join(work, '.out.generations');
      mkdirSync(store);
      writeFileSync(join(store, 'spec.yaml'), readFileSync(join(root, 'examples', 'default', 'spec.yaml'), 'utf8'));
      writeFileSync(join(store, 'notes.txt'), 'keep');
      const result = spawnSync(process.execPath, [cli, 'synth', join(store, 'spec.yaml'), '--out', 'out'], {
        encoding: 'utf8',
        cwd: work,
      });
      expect(result.status).toBe(1);
      expect(result.stderr).toBe(
        'cannot write out: .out.generations is a directory this library did not make (it holds notes.txt, ' +
          'spec.yaml, and not the .gitignore synth writes there); synth keeps the generations of out in that ' +
          'directory and never deletes files it did not write; move or rename it, or choose another output ' +
          'directory (nothing was written)\n',
      );
      expect(readdirSync(store).sort()).toEqual(['notes.txt', 'spec.yaml']);
      expect(readdirSync(work)).toEqual(['.out.generations']);
    },
  );

  test('files that cannot be a spec get one line and exit 1: empty, a directory, strict JSON', () => {
    writeFileSync(join(dir, 'empty.yaml'), '');
    expect(run('validate', join(dir, 'empty.yaml'))).toEqual({
      code: 1,
      stdout: refusedReport(
        `${join(dir, 'empty.yaml')}: the file holds no spec: it is empty, only comments, only \`---\`, or \`null\``,
      ),
      stderr: '',
    });
    expect(run('validate', dir).stdout).toBe(
      refusedReport(`${dir}: cannot read ${dir}: it is a directory, not a spec file`),
    );
    writeFileSync(join(dir, 'trailing.json'), '{"service": {"name": "chat",}}');
    expect(run('validate', join(dir, 'trailing.json')).stdout).toMatch(
      /^\S*trailing\.json:1:28: not valid JSON: a trailing comma before '\}'/,
    );
  });

  test(
    'a named pipe whose writer comes 2 s late is read whole; one ' + 'nobody writes to ends with "no data within"',
    async () => {
      // Red team: `mkfifo spec.yaml; (sleep 2; cp real spec.yaml) & validate spec.yaml` said at once "it is empty".
      const fifo = join(dir, 'late.yaml');
      if (spawnSync('mkfifo', [fifo]).status !== 0) return; // no mkfifo: nothing to test here
      const spec = join(root, 'examples', 'default', 'spec.yaml');
      const writer = spawn('sh', ['-c', `sleep 2; exec cp "${spec}" "${fifo}"`], { stdio: 'ignore', timeout: 20_000 });
      const child = spawn(process.execPath, [cli, 'validate', fifo], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
      writer.kill('SIGKILL');
      expect(stderr).toBe('');
      expect(code).toBe(0);
      expect(stdout).toContain('late.yaml: schema valid (3 regions');

      const never = join(dir, 'never.yaml');
      expect(spawnSync('mkfifo', [never]).status).toBe(0);
      const started = Date.now();
      const result = spawnSync(process.execPath, [cli, 'validate', never], {
        encoding: 'utf8',
        cwd: dir,
        env: { ...process.env, GI_SPEC_READ_TIMEOUT_SECONDS: '1' },
      });
      expect(result.status).toBe(1);
      expect(result.stdout).toBe(
        refusedReport(
          `${never}: cannot read ${never}: it is a pipe that sent no data within 1 s: nobody opened it for ` +
            'writing, or the writer sent nothing (GI_SPEC_READ_TIMEOUT_SECONDS raises the limit)',
        ),
      );
      expect(Date.now() - started).toBeLessThan(10_000);
    },
  );

  test('an anonymous pipe that closes without data is empty at once (its writer was there from the start)', () => {
    const started = Date.now();
    // A shell pipeline (spawnSync's own input is a socket, not a pipe).
    const result = spawnSync('sh', ['-c', `printf '' | "${process.execPath}" "${cli}" validate /dev/stdin`], {
      encoding: 'utf8',
      cwd: dir,
    });
    expect(result.status).toBe(1);
    expect(result.stdout).toBe(
      refusedReport('/dev/stdin: the file holds no spec: it is empty, only comments, only `---`, or `null`'),
    );
    expect(Date.now() - started).toBeLessThan(5000);
  });

  test('validate - reads the spec from standard input', () => {
    const result = spawnSync(process.execPath, [cli, 'validate', '-'], {
      encoding: 'utf8',
      cwd: dir,
      input: readFileSync(join(root, 'examples', 'default', 'spec.yaml'), 'utf8'),
    });
    expect(result.stderr).toBe('');
    expect(result.stdout).toContain('<stdin>: schema valid (3 regions');
  });

  test('a standard input that never ends is given up after GI_SPEC_READ_TIMEOUT_SECONDS, with a message', async () => {
    const child = spawn(process.execPath, [cli, 'validate', '-'], {
      cwd: dir,
      env: { ...process.env, GI_SPEC_READ_TIMEOUT_SECONDS: '1' },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    // A writer that trickles comments and never closes.
    const trickle = setInterval(() => child.stdin.write('# still typing\n'), 100);
    const started = Date.now();
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    clearInterval(trickle);
    expect(code).toBe(1);
    expect(stdout).toMatch(
      regex(
        /^<stdin>: cannot read <stdin>: it is a standard input that had sent \d+ bytes and not finished after /,
        /1 s \(GI_SPEC_READ_TIMEOUT_SECONDS raises the limit\)\n\nResult: FAILED\n$/,
      ),
    );
    expect(Date.now() - started).toBeLessThan(15_000);
  });
});
