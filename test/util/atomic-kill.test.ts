/*
 * Kills and injected write failures during synth, in child processes, each followed by a check that the output is the
 * old one or the new one, whole, with Terraform's files in it, and that the next run leaves no staging behind.
 *
 * Bounded here (GI_ATOMIC_KILLS random kills, default 50; every 12th file-system call for the deterministic kills,
 * every 24th for the faults; 2 kills of the real CLI); `npm run test:atomic` runs the long form (500 kills, every
 * call, 40 CLI kills).
 */
import { spawn } from 'node:child_process';
import {
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, TerraformOutput, TerraformStack } from '../../lib/util/cdktf';
import { synthAtomically } from '../../lib/util/atomic-synth';

/** Where the generations of an output live (the documented layout; written out here so the test stands on its own). */
const generationStoreOf = (outdir: string) => join(outdir, '..', '.out.generations');

const root = join(__dirname, '..', '..');
const child = join(__dirname, 'fixtures', 'atomic-child.js');
const preload = join(__dirname, 'fixtures', 'fs-faults.js');
const KILLS = Number(process.env.GI_ATOMIC_KILLS ?? 50);
/** Every n-th file-system call of a run is a kill point / fault point (1 = all of them). */
const EVERY = Number(process.env.GI_ATOMIC_EVERY ?? 12);
/** Random kills of the real CLI (`global-inference synth`, gated service synth). */
const CLI_KILLS = Number(process.env.GI_ATOMIC_CLI_KILLS ?? 2);

type Version = 'A' | 'B';
const STACKS: Record<Version, string[]> = { A: ['s1', 's2'], B: ['s1', 's2', 's3'] };

interface Run {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stderr: string;
  readonly started: number | undefined;
  readonly ended: number;
}

function runChild(
  outdir: string,
  version: Version,
  env: Record<string, string> = {},
  killAfterStartMs?: number,
): Promise<Run> {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, ['--require', preload, child, outdir, version], {
      env: { ...process.env, GI_DIST: join(root, 'dist'), CHECKPOINT_DISABLE: '1', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    let started: number | undefined;
    p.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    p.stdout.on('data', (d: Buffer) => {
      if (started === undefined && d.toString().includes('start')) {
        started = Date.now();
        if (killAfterStartMs !== undefined) setTimeout(() => p.kill('SIGKILL'), killAfterStartMs);
      }
    });
    p.on('error', reject);
    p.on('close', (code, signal) => resolve({ code, signal, stderr, started, ended: Date.now() }));
  });
}

/** The same app as the child's, synthesized in this process (the "next run"). */
function synthHere(outdir: string, version: Version): void {
  synthAtomically((dir) => {
    const app = new App({ outdir: dir });
    for (const name of STACKS[version]) {
      const stack = new TerraformStack(app, name);
      new TerraformOutput(stack, 'version', { value: version });
      new TerraformOutput(stack, 'payload', { value: `${version}:${name}:`.repeat(20000) });
    }
    return app;
  }, outdir);
}

const TERRAFORM_FILES: Record<string, string> = {
  '.terraform/providers/marker': 'provider binary stand-in',
  '.terraform.lock.hcl': 'lock file',
};

function plantTerraformFiles(outdir: string): void {
  for (const [path, content] of Object.entries(TERRAFORM_FILES)) {
    mkdirSync(join(outdir, 'stacks', 's1', path, '..'), { recursive: true });
    writeFileSync(join(outdir, 'stacks', 's1', path), content);
  }
}

/**
 * The oracle: the output is a link to a directory holding one version, whole — its manifest lists exactly that
 * version's stacks, each stack file is complete JSON of that version — and Terraform's files are in it.
 */
function wholeVersion(outdir: string): Version {
  const manifest = JSON.parse(readFileSync(join(outdir, 'manifest.json'), 'utf8')) as {
    stacks: Record<string, { synthesizedStackPath: string }>;
  };
  const names = Object.keys(manifest.stacks).sort();
  const versions = new Set<string>();
  for (const name of names) {
    const json = JSON.parse(readFileSync(join(outdir, manifest.stacks[name].synthesizedStackPath), 'utf8')) as {
      output: Record<string, { value: string }>;
    };
    versions.add(json.output.version.value);
    expect(json.output.payload.value).toBe(`${json.output.version.value}:${name}:`.repeat(20000));
  }
  expect(versions.size).toBe(1);
  const version = [...versions][0] as Version;
  expect(names).toEqual(STACKS[version]);
  expect(readdirSync(join(outdir, 'stacks')).sort()).toEqual(STACKS[version]);
  for (const [path, content] of Object.entries(TERRAFORM_FILES))
    expect(readFileSync(join(outdir, 'stacks', 's1', path), 'utf8')).toBe(content);
  return version;
}

/**
 * Nothing of any run left: beside the output only its generations directory (and the test's call counter), which
 * holds the current generation and its .gitignore only — no lock, no staging, no temporary link.
 */
function expectClean(outdir: string): void {
  const store = generationStoreOf(outdir);
  const beside = readdirSync(join(outdir, '..')).filter(
    (n) => n !== 'out' && n !== 'calls' && join(outdir, '..', n) !== store,
  );
  expect(beside).toEqual([]);
  expect(lstatSync(outdir).isSymbolicLink()).toBe(true);
  expect(readdirSync(store).sort()).toEqual(['.gitignore', readlinkSync(outdir).split('/')[1]].sort());
}

function freshOutput(): string {
  const outdir = join(mkdtempSync(join(tmpdir(), 'gi-kill-')), 'out');
  synthHere(outdir, 'A');
  plantTerraformFiles(outdir);
  return outdir;
}

/** How many file-system calls a whole child run makes, for the deterministic kill and fault points. */
async function callsOfARun(outdir: string, version: Version): Promise<number> {
  const countFile = join(outdir, '..', 'calls');
  const run = await runChild(outdir, version, { GI_FS_COUNT: countFile });
  expect(run.code).toBe(0);
  return Number(readFileSync(countFile, 'utf8').trim().split('\n').at(-1));
}

const timeout = Math.max(120_000, KILLS * 6_000);

describe('atomic output under SIGKILL and write failures (child processes)', () => {
  test(
    `${KILLS} kills at random instants during synth: the old output or the new, whole; the next run cleans up`,
    async () => {
      const outdir = freshOutput();
      // How long writing takes, from the child's "start" to its exit.
      const calibration: number[] = [];
      for (const version of ['B', 'A'] as const) {
        const run = await runChild(outdir, version);
        expect(run.code).toBe(0);
        calibration.push(run.ended - run.started!);
      }
      let window = Math.max(...calibration);
      let landed = 0;
      let attempts = 0;
      const seen = { old: 0, new: 0 };
      while (landed < KILLS && attempts < KILLS * 4) {
        attempts++;
        const before = wholeVersion(outdir);
        const next: Version = before === 'A' ? 'B' : 'A';
        const run = await runChild(outdir, next, {}, Math.random() * window);
        if (run.signal === 'SIGKILL') landed++;
        else {
          expect(run.code).toBe(0);
          // Finished before the kill: runs are faster now than when calibrated; move the aim towards this one's length.
          window = (window + (run.ended - run.started!)) / 2;
        }
        const after = wholeVersion(outdir);
        seen[after === before ? 'old' : 'new']++;
        if (attempts % 2 === 0) {
          // The next run finishes: whole, and nothing of the killed one is left.
          synthHere(outdir, after === 'A' ? 'B' : 'A');
          wholeVersion(outdir);
          expectClean(outdir);
        }
      }
      synthHere(outdir, 'A');
      expectClean(outdir);
      expect(landed).toBeGreaterThanOrEqual(KILLS);
      // Kills landed on both sides of the switch.
      expect(seen.old).toBeGreaterThan(0);
      expect(seen.new).toBeGreaterThan(0);
      process.stdout.write(
        `atomic output: ${landed} kills landed in ${attempts} runs (window ${Math.round(window)} ms): ` +
          `${seen.old} left the old output, ${seen.new} the new\n`,
      );
    },
    timeout,
  );

  test(
    'a kill at each file-system call of a synth (every GI_ATOMIC_EVERY-th): old or new, whole',
    async () => {
      const outdir = freshOutput();
      const calls = await callsOfARun(outdir, 'B');
      await callsOfARun(outdir, 'A');
      const chosen = new Set<number>();
      for (let k = 1; k <= calls; k += EVERY) chosen.add(k);
      chosen.add(calls - 1).add(calls); // the last calls: the switch and the removal of the old generation
      const points = [...chosen];
      const outcomes = { old: 0, new: 0 };
      for (const k of points) {
        const before = wholeVersion(outdir);
        const next: Version = before === 'A' ? 'B' : 'A';
        const run = await runChild(outdir, next, { GI_FS_AT: String(k), GI_FS_FAULT: 'kill' });
        expect(run.signal === 'SIGKILL' || run.code === 0).toBe(true);
        outcomes[wholeVersion(outdir) === before ? 'old' : 'new']++;
        synthHere(outdir, wholeVersion(outdir) === 'A' ? 'B' : 'A');
        expectClean(outdir);
      }
      expect(outcomes.old).toBeGreaterThan(0);
      expect(outcomes.new).toBeGreaterThan(0);
      process.stdout.write(
        `atomic output: killed at ${points.length} of ${calls} file-system calls: ${outcomes.old} old, ` +
          `${outcomes.new} new\n`,
      );
    },
    timeout,
  );

  test.each(['ENOSPC', 'EIO'])(
    '%s injected at file-system calls of a synth: one clear message, exit 1, old or new whole, clean after the ' +
      'next run',
    async (fault) => {
      const outdir = freshOutput();
      const calls = await callsOfARun(outdir, 'B');
      const outcomes = { refused: 0, passed: 0 };
      for (let k = 1; k <= calls; k += EVERY * 2) {
        const before = wholeVersion(outdir);
        const next: Version = before === 'A' ? 'B' : 'A';
        const run = await runChild(outdir, next, { GI_FS_AT: String(k), GI_FS_FAULT: fault });
        if (run.code === 0) {
          // The failing call was one whose failure is harmless (removing the old generation): the new output is in.
          outcomes.passed++;
          expect(wholeVersion(outdir)).toBe(next);
        } else {
          outcomes.refused++;
          expect(run.code).toBe(1);
          expect(run.stderr).toMatch(
            new RegExp(
              `^could not write .*out: ${fault}: injected by the test, \\w+; the previous output is unchanged ` +
                'and nothing of this attempt was kept\\n$',
            ),
          );
          expect(run.stderr).not.toMatch(/\n\s+at /);
          expect(wholeVersion(outdir)).toBe(before);
        }
        synthHere(outdir, wholeVersion(outdir) === 'A' ? 'B' : 'A');
        expectClean(outdir);
      }
      expect(outcomes.refused).toBeGreaterThan(0);
      expect(existsSync(outdir)).toBe(true);
    },
    timeout,
  );

  test(
    `${CLI_KILLS} kills at random instants of \`global-inference synth\` (the gated service synth): old or new, whole`,
    async () => {
      const dir = mkdtempSync(join(tmpdir(), 'gi-kill-cli-'));
      const specs = {
        A: join(root, 'examples', 'default', 'spec.yaml'),
        B: join(mkdtempSync(join(tmpdir(), 'gi-kill-spec-')), 'variant.yaml'),
      };
      writeFileSync(
        specs.B,
        readFileSync(specs.A, 'utf8').replace(/^service: \{ name: chat,/m, 'service: { name: chat2,'),
      );
      const cli = (version: Version, killAfterMs?: number) =>
        new Promise<Run>((resolve, reject) => {
          const started = Date.now();
          const p = spawn(
            process.execPath,
            [join(root, 'dist', 'bin', 'cli.js'), 'synth', specs[version], '--out', 'out'],
            { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] },
          );
          let stderr = '';
          p.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
          if (killAfterMs !== undefined) setTimeout(() => p.kill('SIGKILL'), killAfterMs);
          p.on('error', reject);
          p.on('close', (code, signal) => resolve({ code, signal, stderr, started, ended: Date.now() }));
        });
      const outdir = join(dir, 'out');
      const reference: Record<string, Version> = {};
      let duration = 0;
      for (const version of ['B', 'A'] as const) {
        const run = await cli(version);
        expect(run.stderr).toBe('');
        duration = Math.max(duration, run.ended - run.started!);
        reference[snapshot(outdir)] = version;
      }
      const whole = (): Version => {
        const version = reference[snapshot(outdir)];
        if (!version)
          throw new Error(
            `the output is neither version: ${readlinkSync(outdir)} holds ` +
              `${readdirSync(join(outdir, 'stacks')).join(', ')}`,
          );
        return version;
      };
      let landed = 0;
      for (let attempt = 0; landed < CLI_KILLS && attempt < CLI_KILLS * 10; attempt++) {
        const before = whole();
        // Most of a run is loading and building; the write is at the end. A run that finished first tells how long
        // runs take now (the machine's load changes), and the next kill aims inside it.
        const run = await cli(before === 'A' ? 'B' : 'A', duration * (0.3 + Math.random() * 0.7));
        if (run.signal === 'SIGKILL') landed++;
        else if (run.code !== 0) throw new Error(`synth failed: ${run.stderr}`);
        else duration = run.ended - run.started!;
        whole();
      }
      expect(landed).toBe(CLI_KILLS);
      await cli('A');
      expectClean(outdir);
    },
    timeout,
  );
});

/** Every file of an output (manifest and stack files), as one string: equal outputs, equal strings. */
function snapshot(outdir: string): string {
  const manifest = readFileSync(join(outdir, 'manifest.json'), 'utf8');
  const stacks = (JSON.parse(manifest) as { stacks: Record<string, { synthesizedStackPath: string }> }).stacks;
  return [
    manifest,
    ...Object.values(stacks).map((s) => readFileSync(join(outdir, s.synthesizedStackPath), 'utf8')),
  ].join('\n');
}
