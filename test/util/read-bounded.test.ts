import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BoundedReadError, readBounded } from '../../lib/util/read-bounded';

/**
 * Named pipes read with the real kernel: mkfifo, and a writer in a child process (readBounded blocks this thread, so
 * the writer must run elsewhere).
 */
const dir = mkdtempSync(join(tmpdir(), 'gi-read-'));
const hasMkfifo = spawnSync('mkfifo', [join(dir, 'probe')]).status === 0;
const fifoTest = hasMkfifo ? test : test.skip;
const LIMITS = { maxBytes: 1024 * 1024, timeoutMs: 10_000 };
const SPEC = 'service: { name: chat, domain: inference.example.com }\n';

function fifo(name: string): string {
  const path = join(dir, name);
  expect(spawnSync('mkfifo', [path]).status).toBe(0);
  return path;
}

/** A writer that opens the pipe only after `delay` seconds, then writes `file` whole and closes. */
function lateWriter(path: string, delay: number, file: string): ChildProcess {
  // Killed after 10 s whatever happens: a writer blocked on a pipe nobody reads must not outlive the test.
  const child = spawn('sh', ['-c', `sleep ${delay}; exec cat "${file}" > "${path}"`], {
    stdio: 'ignore',
    timeout: 10_000,
  });
  writers.push(child);
  return child;
}

const writers: ChildProcess[] = [];
afterEach(() => {
  for (const child of writers.splice(0))
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
});

function exited(child: ChildProcess): Promise<number | null> {
  return child.exitCode !== null
    ? Promise.resolve(child.exitCode)
    : new Promise((resolve) => child.on('exit', resolve));
}

function errorOf(fn: () => unknown): BoundedReadError {
  try {
    fn();
  } catch (error) {
    return error as BoundedReadError;
  }
  throw new Error('expected an error');
}

describe('readBounded on named pipes', () => {
  fifoTest('a writer that opens the pipe 2 s late is waited for, and its whole input is read', async () => {
    // Red team: read non-blocking, a FIFO without a writer yet gave end of input at once ("it is empty").
    const path = fifo('late.fifo');
    const source = join(dir, 'late-source.yaml');
    writeFileSync(source, SPEC.repeat(200)); // more than one pipe buffer
    const writer = lateWriter(path, 2, source);
    const started = Date.now();
    const bytes = readBounded(path, LIMITS);
    const elapsed = Date.now() - started;
    expect(bytes.toString('utf8')).toBe(SPEC.repeat(200));
    expect(elapsed).toBeGreaterThanOrEqual(1500);
    expect(elapsed).toBeLessThan(9000);
    expect(await exited(writer)).toBe(0);
  });

  fifoTest('a pipe nobody writes to is given up after the time limit with "no data within", not "empty"', () => {
    const path = fifo('never.fifo');
    const started = Date.now();
    const error = errorOf(() => readBounded(path, { ...LIMITS, timeoutMs: 600 }));
    const elapsed = Date.now() - started;
    expect(error).toBeInstanceOf(BoundedReadError);
    expect(error.code).toBe('timeout');
    expect(error.reason).toBe(
      'it is a pipe that sent no data within 0.6 s: nobody opened it for writing, or the writer sent nothing ' +
        '(GI_SPEC_READ_TIMEOUT_SECONDS raises the limit)',
    );
    expect(elapsed).toBeGreaterThanOrEqual(550);
    expect(elapsed).toBeLessThan(3000);
  });

  fifoTest('a late writer that sends more than the size limit is refused as too large', async () => {
    const path = fifo('big.fifo');
    const source = join(dir, 'big-source.yaml');
    writeFileSync(source, '#'.repeat(5000));
    const writer = lateWriter(path, 0.5, source);
    const error = errorOf(() => readBounded(path, { maxBytes: 1000, timeoutMs: 5000 }));
    expect(error.code).toBe('too-large');
    void writer; // killed after the test: it is blocked on the pipe nobody reads any more
  });

  fifoTest('once data came, the writer closing the pipe is the end of input', async () => {
    const path = fifo('prompt.fifo');
    const source = join(dir, 'prompt-source.yaml');
    writeFileSync(source, SPEC);
    const writer = lateWriter(path, 0, source);
    const started = Date.now();
    expect(readBounded(path, LIMITS).toString('utf8')).toBe(SPEC);
    expect(Date.now() - started).toBeLessThan(5000);
    expect(await exited(writer)).toBe(0);
  });
});
