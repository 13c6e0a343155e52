/*
 * Reading an input file of bounded size in bounded time, whatever the path names: a regular file, a directory, a
 * named pipe nobody writes to, a terminal, a device that never ends (/dev/zero), a slow process substitution.
 */
import { closeSync, constants, fstatSync, openSync, readlinkSync, readSync, type Stats } from 'node:fs';

export interface BoundedReadLimits {
  /** Most bytes accepted; one more is a refusal. */
  readonly maxBytes: number;
  /** How long a pipe, terminal or device may take to deliver everything, in milliseconds. */
  readonly timeoutMs: number;
}

/** Why a file could not be read; `reason` completes "cannot read <file>: ". */
export class BoundedReadError extends Error {
  constructor(
    readonly reason: string,
    readonly code: 'missing' | 'kind' | 'too-large' | 'timeout' | 'encoding' | 'io',
  ) {
    super(reason);
    this.name = 'BoundedReadError';
  }
}

/**
 * The bytes of `file`, refused with a {@link BoundedReadError} when it is not something a program can read to the
 * end (a directory, a socket), holds more than `maxBytes`, or does not finish within `timeoutMs` (a pipe or
 * terminal that stays open). Opened non-blocking, so a named pipe without a writer cannot stall the open itself.
 *
 * A named pipe (FIFO) is waited on until its first byte or `timeoutMs`: read non-blocking, it reports end of input
 * while nobody has opened it for writing, and a writer may come later (`mkfifo spec; (sleep 2; cp real spec) &`).
 * Once data came, end of input is the end. A named pipe that sends nothing within `timeoutMs` is refused as such,
 * not as empty. An anonymous pipe (a shell pipeline, `<(command)`) had its writer from the start: its end is the end.
 */
export function readBounded(file: string, limits: BoundedReadLimits): Buffer {
  let fd: number;
  try {
    fd = openSync(file, constants.O_RDONLY | constants.O_NONBLOCK | (constants.O_NOCTTY ?? 0));
  } catch (error) {
    throw openError(error as NodeJS.ErrnoException);
  }
  try {
    const stats = fstatSync(fd);
    const kind = kindOf(stats);
    if (kind === 'directory') throw new BoundedReadError('it is a directory, not a spec file', 'kind');
    if (kind === 'regular file' && stats.size > limits.maxBytes) throw tooLarge(stats.size, limits.maxBytes);
    return readAll(fd, kind, limits);
  } finally {
    closeSync(fd);
  }
}

function readAll(fd: number, kind: string, limits: BoundedReadLimits): Buffer {
  const awaitWriter = kind === 'pipe' && !isAnonymousPipe(fd);
  const chunks: Buffer[] = [];
  let total = 0;
  const deadline = Date.now() + limits.timeoutMs;
  // One byte past the limit proves the input is too large without reading the rest of it.
  const chunk = Buffer.allocUnsafe(Math.min(64 * 1024, limits.maxBytes + 1));
  for (;;) {
    let n: number;
    try {
      n = readSync(fd, chunk, 0, chunk.length, null);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code !== 'EAGAIN' && code !== 'EWOULDBLOCK')
        throw new BoundedReadError(`${(error as Error).message} (${kind})`, 'io');
      if (Date.now() >= deadline) throw unfinished(kind, total, limits);
      sleep(5);
      continue;
    }
    if (n === 0) {
      // Nobody has written yet: a named pipe's writer may still come, until the deadline.
      if (!awaitWriter || total > 0) break;
      if (Date.now() >= deadline) throw unfinished(kind, total, limits);
      sleep(10);
      continue;
    }
    total += n;
    if (total > limits.maxBytes) throw tooLarge(kind === 'regular file' ? total : undefined, limits.maxBytes, kind);
    chunks.push(Buffer.from(chunk.subarray(0, n)));
    if (kind !== 'regular file' && Date.now() >= deadline) throw unfinished(kind, total, limits);
  }
  return Buffer.concat(chunks, total);
}

/**
 * Everything a stream (standard input) delivers, refused with a {@link BoundedReadError} past `maxBytes` or when it
 * has not ended within `timeoutMs`; the stream is destroyed then, so a stalled writer cannot keep the process alive.
 * Asynchronous: standard input may be a socket or a terminal, which a synchronous read could only wait on forever.
 */
export function readStreamBounded(
  stream: NodeJS.ReadableStream & { destroy?: () => void },
  limits: BoundedReadLimits,
  kind = 'standard input',
): Promise<Buffer> {
  return new Promise((resolvePromise, reject) => {
    const chunks: Buffer[] = [];
    let total = 0;
    const finish = (error?: BoundedReadError): void => {
      clearTimeout(timer);
      stream.removeListener('data', onData);
      stream.removeListener('end', onEnd);
      stream.removeListener('error', onError);
      if (error) {
        stream.destroy?.();
        reject(error);
      } else {
        resolvePromise(Buffer.concat(chunks, total));
      }
    };
    const onData = (chunk: Buffer | string): void => {
      const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
      total += bytes.length;
      if (total > limits.maxBytes) finish(tooLarge(undefined, limits.maxBytes, kind));
      else chunks.push(bytes);
    };
    const onEnd = (): void => finish();
    const onError = (error: Error): void => finish(new BoundedReadError(error.message, 'io'));
    const timer = setTimeout(() => finish(unfinished(kind, total, limits)), limits.timeoutMs);
    stream.on('data', onData);
    stream.on('end', onEnd);
    stream.on('error', onError);
  });
}

/**
 * Text of UTF-8 bytes without a leading byte order mark; bytes that are not UTF-8 are refused with their position
 * rather than silently turned into U+FFFD.
 */
export function decodeUtf8(bytes: Buffer): string {
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(bytes);
  } catch {
    const offset = firstInvalidUtf8(bytes);
    const before = bytes.subarray(0, offset).toString('utf8');
    const line = before.split('\n').length;
    const column = before.length - before.lastIndexOf('\n');
    throw new BoundedReadError(
      `it is not UTF-8 text (byte 0x${bytes[offset].toString(16).padStart(2, '0')} at line ${line}, column ${column})`,
      'encoding',
    );
  }
}

/** Offset of the first byte that does not start a valid UTF-8 sequence (only called once decoding failed). */
function firstInvalidUtf8(bytes: Buffer): number {
  const fatal = new TextDecoder('utf-8', { fatal: true });
  let i = 0;
  while (i < bytes.length) {
    const b = bytes[i];
    const length =
      b < 0x80 ? 1 : b >= 0xc2 && b <= 0xdf ? 2 : b >= 0xe0 && b <= 0xef ? 3 : b >= 0xf0 && b <= 0xf4 ? 4 : 0;
    if (length === 0 || i + length > bytes.length) return i;
    if (length > 1) {
      try {
        fatal.decode(bytes.subarray(i, i + length));
      } catch {
        return i;
      }
    }
    i += length;
  }
  return bytes.length - 1;
}

function kindOf(stats: Stats): string {
  if (stats.isFile()) return 'regular file';
  if (stats.isDirectory()) return 'directory';
  if (stats.isFIFO()) return 'pipe';
  if (stats.isCharacterDevice()) return 'character device or terminal';
  if (stats.isBlockDevice()) return 'block device';
  if (stats.isSocket()) return 'socket';
  return 'special file';
}

function unfinished(kind: string, total: number, limits: BoundedReadLimits): BoundedReadError {
  const seconds = limits.timeoutMs / 1000;
  if (total === 0) {
    const who = kind === 'pipe' ? ': nobody opened it for writing, or the writer sent nothing' : '';
    return new BoundedReadError(
      `it is a ${kind} that sent no data within ${seconds} s${who} (GI_SPEC_READ_TIMEOUT_SECONDS raises the limit)`,
      'timeout',
    );
  }
  return new BoundedReadError(
    `it is a ${kind} that had sent ${total} bytes and not finished after ${seconds} s ` +
      '(GI_SPEC_READ_TIMEOUT_SECONDS raises the limit)',
    'timeout',
  );
}

/**
 * True for a pipe without a name (a shell pipeline, process substitution), whose writer existed when it was made;
 * Linux names it `pipe:[inode]` in /proc. Elsewhere (no /proc) every pipe is waited on like a named one.
 */
function isAnonymousPipe(fd: number): boolean {
  try {
    return readlinkSync(`/proc/self/fd/${fd}`).startsWith('pipe:');
  } catch {
    return false;
  }
}

function tooLarge(size: number | undefined, max: number, kind = 'regular file'): BoundedReadError {
  const what = size === undefined ? `it is a ${kind} that sent more than ${max} bytes` : `it is ${size} bytes`;
  return new BoundedReadError(
    `${what}; a spec is limited to ${max} bytes (maxBytes, or GI_SPEC_MAX_BYTES, raises the limit)`,
    'too-large',
  );
}

function openError(error: NodeJS.ErrnoException): BoundedReadError {
  switch (error.code) {
    case 'ENOENT':
      return new BoundedReadError('no such file', 'missing');
    case 'EACCES':
    case 'EPERM':
      return new BoundedReadError('permission denied', 'io');
    case 'ENXIO':
      return new BoundedReadError('it is a socket or a device that is not there, not a spec file', 'kind');
    case 'ELOOP':
      return new BoundedReadError('too many levels of symbolic links', 'io');
    case 'ENOTDIR':
      return new BoundedReadError('a part of the path is not a directory', 'missing');
    default:
      return new BoundedReadError(error.message, 'io');
  }
}

const SLEEPER = new Int32Array(new SharedArrayBuffer(4));

/** Blocks the thread for `ms` (a synchronous read has nothing else to do while a pipe is silent). */
function sleep(ms: number): void {
  Atomics.wait(SLEEPER, 0, 0, ms);
}
