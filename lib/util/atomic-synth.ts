/*
 * Output directories written all or nothing.
 *
 * `<dir>/cdktf.out` is a symbolic link to one complete output, a *generation* kept in `<dir>/.cdktf.out.generations/`.
 * A synth writes a new generation there, beside the current one, then replaces the link with one rename(2), which
 * is atomic: whenever it is killed, `cdktf.out` is the old output or the new one, whole. The next run removes what an
 * interrupted one left (a half-written generation, a temporary link) before it writes anything.
 *
 * Files synth did not write are never deleted. Inside stack directories, Terraform's working files (`.terraform/`,
 * `.terraform.lock.hcl`, workspaces, plan files — anything not written by synth) are carried into each new
 * generation as hard links (no copy, on the same file system), before the switch, so both generations have them at
 * every instant. Anywhere else in the output directory, a file synth did not write makes it refuse, naming the file.
 * A directory that is not yet a link (a first synth, or output of cdktf or of an earlier version) is taken over only
 * when it is empty or is a cdktf output; anything else is refused.
 *
 * The store is recognised as the library's by the `.gitignore` it writes first (its exact text), and nothing else: a
 * directory at the store path without it (someone's own `.out.generations/`) is refused untouched. Inside the store,
 * only entries named as the library names them (generations `g-*`, `legacy-*`, the lock and its drafts) are ever
 * removed; beside the output, only temporary links named `.<out>.link-*` that point to a generation of the store.
 */
import {
  closeSync,
  copyFileSync,
  existsSync,
  fsyncSync,
  linkSync,
  lstatSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  renameSync,
  rmdirSync,
  rmSync,
  symlinkSync,
  writeFileSync,
  type Stats,
} from 'node:fs';
import { hostname } from 'node:os';
import { basename, dirname, join, relative, resolve, sep } from 'node:path';
import type { App } from './cdktf';
import { Refusal } from './refusal';

/** Synth was refused by a check (policy finding, routing proof, validation): a finding, not a crash. */
export class SynthRefusedError extends Refusal {}

/** The output directory cannot be written as it is (a file, someone else's files, another synth running). */
export class OutputRefusedError extends Refusal {}

/** Writing the new output failed (no space left, an I/O error); the previous output is intact. */
export class OutputWriteError extends Refusal {
  constructor(
    message: string,
    /**
     * The error the write failed with (a file-system error such as `ENOSPC` or `EIO`, with its `code`); undefined when
     * synth wrote nothing at all.
     */
    override readonly cause: unknown,
  ) {
    super(message);
  }
}

/** What a write left behind. */
export interface AtomicOutputResult {
  /** The output directory (the link), absolute. */
  readonly outdir: string;
  /** The generation directory it now points to, absolute. */
  readonly generation: string;
  /** Stack directories kept although no stack writes them any more, because they hold files synth did not write. */
  readonly retainedStacks: readonly string[];
}

/** The index of a generation: what synth wrote into it (everything else in it was carried over). */
const INDEX_FILE = '.cdktf-global-inference.json';
const STACKS = 'stacks';
const IO_ERRORS = new Set(['ENOSPC', 'EDQUOT', 'EIO', 'EROFS', 'EMFILE', 'ENFILE', 'EACCES', 'EPERM', 'EFBIG']);
const LOCK_FILE = 'lock';
const GITIGNORE = '.gitignore';
/** The store's .gitignore, and its mark: a directory at the store path without exactly this file is not ours. */
const GITIGNORE_TEXT = '# written by cdktf-global-inference: generations of the output directory beside this one\n*\n';
/** The names the library gives what it puts in a store. */
const GENERATION_NAME = /^g-[a-z0-9]+-\d+-[a-z0-9]+$/;
const LEGACY_NAME = /^legacy-[a-z0-9]+$/;
const LOCK_DRAFT_NAME = /^lock\.(\d+)$/;
const GITIGNORE_DRAFT_NAME = /^\.gitignore\.(\d+)$/;
/** What a lock (or a draft of one cut short by a kill) holds: `<pid> <host>`. */
const LOCK_TEXT = /^(?:\d+(?: \S*)?\n?)?$/;

interface GenerationIndex {
  readonly format: 1;
  /** Paths relative to the generation, `/`-separated, of every file synth wrote. */
  readonly files: readonly string[];
  /** Stack directory names this library manages (written now, or retained for Terraform's files). */
  readonly stacks: readonly string[];
}

/** Where the generations of `outdir` are kept: `.<name>.generations` beside it. */
export function generationStoreOf(outdir: string): string {
  const target = resolve(outdir);
  return join(dirname(target), `.${basename(target)}.generations`);
}

const staging = new Set<string>();

/** True while `dir` is a generation being written by {@link writeOutputAtomically} in this process. */
export function isStagingDir(dir: string): boolean {
  return staging.has(resolve(dir));
}

/**
 * Writes a new output for `outdir` all or nothing: `produce` writes it into a fresh directory (it must create
 * nothing outside it); when it returns, Terraform's files are carried over and the output is switched in by one
 * rename. When `produce` throws, or writing fails, the previous output is left as it was and the error is thrown
 * ({@link OutputWriteError} for a failed write); nothing of the attempt is left behind. Refuses
 * ({@link OutputRefusedError}) before writing anything when `outdir` is a file, holds files synth did not write outside
 * stack directories, or another synth is writing it.
 */
export function writeOutputAtomically(outdir: string, produce: (stagingDir: string) => void): AtomicOutputResult {
  const target = resolve(outdir);
  const store = generationStoreOf(target);
  const shown = relative(process.cwd(), target) || '.';
  const before = inspectTarget(target, store, shown);
  try {
    inspectStore(store, shown);
  } catch (error) {
    // Refused before writing anything: only the empty skeleton cdktf's App constructor may have made goes.
    if (before.kind === 'skeleton') removeSkeleton(target);
    throw error;
  }
  wrapWrite(shown, () => openStore(store));
  const releaseLock = acquireLock(store, shown);
  let generation: string | undefined;
  try {
    wrapWrite(shown, () => prepareStore(store, target, before));
    const current = inspectTarget(target, store, shown);
    generation = join(store, `g-${Date.now().toString(36)}-${process.pid}-${Math.random().toString(36).slice(2, 8)}`);
    staging.add(generation);
    try {
      produce(generation);
    } catch (error) {
      // A full disk or an I/O error while synth writes is not a bug of the app: say so, without a stack trace.
      if (!(error instanceof Refusal) && IO_ERRORS.has((error as NodeJS.ErrnoException).code ?? ''))
        throw writeError(shown, error);
      throw error;
    } finally {
      staging.delete(generation);
    }
    if (!existsSync(generation)) throw new OutputWriteError(`synth wrote nothing into ${shown}`, undefined);
    const switched = wrapWrite(shown, () => {
      const index = indexGeneration(generation!);
      const { retained, adopted } = carryOver(current, target, generation!, index, shown);
      const written: GenerationIndex = {
        format: 1,
        files: [...index.files, ...adopted].sort(),
        stacks: [...index.stacks, ...retained].sort(),
      };
      writeFileSync(join(generation!, INDEX_FILE), `${JSON.stringify(written, null, 2)}\n`);
      syncTree(generation!);
      return { retained, moved: commit(target, store, generation!, current) };
    });
    const committed = generation;
    generation = undefined;
    // The old output is no longer reachable (Terraform's files in it are linked into the new one); a failure to remove
    // it is cleaned up by the next run.
    removeQuietly(previousDirOf(current) ?? switched.moved);
    return { outdir: target, generation: committed, retainedStacks: switched.retained };
  } finally {
    if (generation) {
      removeQuietly(generation);
      leaveNothingBehind(target, store);
    }
    releaseLock();
  }
}

/**
 * Checks, before an App is created for it, that `outdir` can be written (cdktf's App constructor would otherwise fail
 * with ENOTDIR on a file, or make directories inside someone else's): throws the refusal
 * {@link writeOutputAtomically} would. A link of ours to a generation that no longer exists is removed (cdktf's
 * constructor cannot create a directory where a dangling link is).
 */
export function preflightOutput(outdir: string): void {
  const target = resolve(outdir);
  const shown = relative(process.cwd(), target) || '.';
  const state = inspectTarget(target, generationStoreOf(target), shown);
  inspectStore(generationStoreOf(target), shown);
  if (state.kind === 'dangling') rmSync(target, { force: true });
}

/**
 * After a refused or failed first synth: the empty `stacks/` cdktf's App constructor made, the output directory if
 * that leaves it empty, and a store holding no generation. Only empty directories and our own files are removed.
 */
function leaveNothingBehind(target: string, store: string): void {
  try {
    if (!lstatOrUndefined(target)?.isSymbolicLink()) {
      removeSkeleton(target);
      // Only a store holding nothing but our own small files goes, file by file; its mark last, so a kill in
      // between leaves a store that is still recognised as ours (or an empty directory).
      const left = readdirSync(store);
      if (left.every((name) => name === GITIGNORE || name === LOCK_FILE)) {
        rmSync(join(store, LOCK_FILE), { force: true });
        rmSync(join(store, GITIGNORE), { force: true });
        rmdirSync(store);
      }
    }
  } catch {
    // Nothing more to do: what is left is empty, or the next run's to clean.
  }
}

/** The empty `stacks/` cdktf's App constructor makes, and the output directory if that leaves it empty. */
function removeSkeleton(target: string): void {
  try {
    if (lstatOrUndefined(target)?.isSymbolicLink()) return;
    if (isEmptyDir(join(target, STACKS))) rmdirSync(join(target, STACKS));
    if (isEmptyDir(target)) rmdirSync(target);
  } catch {
    // What is left is empty.
  }
}

/**
 * Synthesizes into a fresh generation and switches it in only when synth and `check` succeed, so a refused synth
 * (policy finding, routing proof, validation) leaves the previous output untouched: nothing is half-written. See
 * {@link writeOutputAtomically}. An app holding a `GlobalInferenceService` is gated by itself (`app.synth()` writes
 * all or nothing and runs the service's checks); this is for other apps, and for checks of your own.
 */
export function synthAtomically(
  build: (outdir: string) => App,
  outdir: string,
  check?: (stagedOutdir: string) => void,
): AtomicOutputResult {
  return writeOutputAtomically(outdir, (dir) => {
    synthRefusingOnValidation(() => build(dir).synth());
    if (!check) return;
    try {
      // Checks on the written JSON cost one read, where in-synth checks re-resolve every token of every stack.
      check(dir);
    } catch (error) {
      if (error instanceof Refusal && !(error instanceof SynthRefusedError))
        throw new SynthRefusedError(`synth refused, nothing was written:\n${error.message.trim()}`);
      throw error;
    }
  });
}

const REFUSALS = [/^Validation failed with the following errors:/, /^Encountered Annotations with level "ERROR":/];

/**
 * Runs cdktf's synth, turning its validation and error-annotation failures (findings about the app) into a
 * {@link SynthRefusedError} without cdktf's advice to skip the checks; other errors are bugs and pass unchanged.
 */
export function synthRefusingOnValidation(synth: () => void): void {
  try {
    synth();
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    if (REFUSALS.some((re) => re.test(message)))
      throw new SynthRefusedError(`synth refused, nothing was written:\n${withoutBypassHints(message)}`);
    throw error;
  }
}

/** cdktf's error text ends with how to skip the checks; a refusal here should be fixed, not bypassed. */
function withoutBypassHints(message: string): string {
  return message
    .split('\n')
    .filter((line) => !/skipValidation|CDKTF_CONTINUE_SYNTH_ON_ERROR_ANNOTATIONS/.test(line))
    .join('\n')
    .trim();
}

// ------------------------------------------------------------------------------------------- what is there now

type TargetState =
  | { readonly kind: 'missing' }
  /** Our link, to a generation in the store. */
  | { readonly kind: 'link'; readonly generation: string; readonly index: GenerationIndex | undefined }
  /** Our link, to a generation that no longer exists. */
  | { readonly kind: 'dangling' }
  /** A real directory holding nothing (or the empty `stacks/` cdktf's App constructor makes). */
  | { readonly kind: 'skeleton' }
  /** A real directory holding a cdktf output (of cdktf itself, or of an earlier version of this library). */
  | { readonly kind: 'legacy'; readonly ours: ReadonlySet<string>; readonly stacks: readonly string[] };

function inspectTarget(target: string, store: string, shown: string): TargetState {
  let stats: Stats;
  try {
    stats = lstatSync(target);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { kind: 'missing' };
    throw new OutputRefusedError(`cannot write ${shown}: ${(error as Error).message}`);
  }
  if (stats.isSymbolicLink()) {
    const link = readlinkSync(target);
    const name = ourGenerationName(link, target);
    if (!name)
      throw new OutputRefusedError(
        `cannot write ${shown}: it is a symbolic link (to ${link}) this library did not make; remove it or ` +
          'choose another output directory (nothing was written)',
      );
    const generation = join(store, name);
    if (!existsSync(generation)) return { kind: 'dangling' };
    const index = readIndex(generation);
    refuseForeign(
      shown,
      generation,
      index ? new Set([INDEX_FILE, ...index.files]) : new Set([INDEX_FILE]),
      index?.stacks ?? listStackDirs(generation),
    );
    return { kind: 'link', generation, index };
  }
  if (!stats.isDirectory()) {
    throw new OutputRefusedError(
      `cannot write ${shown}: it is ${describeKind(stats)}, not a directory; choose another output directory ` +
        '(nothing was written)',
    );
  }
  const entries = readdirSync(target);
  if (entries.length === 0 || (entries.length === 1 && entries[0] === STACKS && isEmptyDir(join(target, STACKS))))
    return { kind: 'skeleton' };
  const legacy = legacyOutput(target);
  if (!legacy) {
    const listed = entries.slice(0, 5).join(', ') + (entries.length > 5 ? `, and ${entries.length - 5} more` : '');
    throw new OutputRefusedError(
      `cannot write ${shown}: it is a directory that is not a cdktf output (it holds ${listed}), and synth ` +
        'never deletes files it did not write; choose another output directory, or empty this one (nothing was ' +
        'written)',
    );
  }
  refuseForeign(shown, target, legacy.ours, legacy.stacks);
  return { kind: 'legacy', ...legacy };
}

/** The generation a link names, if it is one of ours: `.<name>.generations/g-...` relative to the link. */
function ourGenerationName(link: string, target: string): string | undefined {
  const prefix = `.${basename(target)}.generations`;
  const parts = link.split(/[\\/]/);
  return parts.length === 2 && parts[0] === prefix && GENERATION_NAME.test(parts[1]) ? parts[1] : undefined;
}

/**
 * Refuses when the output holds a file synth did not write outside the stack directories it manages (at the top, or
 * directly in `stacks/`): those are someone's files, and replacing the output would hide or delete them.
 */
function refuseForeign(shown: string, dir: string, ours: ReadonlySet<string>, stacks: readonly string[]): void {
  const foreign: string[] = [];
  for (const entry of readdirSync(dir)) {
    if (entry === STACKS && lstatSync(join(dir, STACKS)).isDirectory()) {
      for (const stack of readdirSync(join(dir, STACKS))) {
        if (!stacks.includes(stack) || !lstatSync(join(dir, STACKS, stack)).isDirectory())
          foreign.push(`${STACKS}/${stack}`);
      }
    } else if (!ours.has(entry)) {
      foreign.push(entry);
    }
  }
  if (foreign.length === 0) return;
  const listed = foreign.slice(0, 5).join(', ') + (foreign.length > 5 ? `, and ${foreign.length - 5} more` : '');
  throw new OutputRefusedError(
    `cannot write ${shown}: it holds files synth did not write (${listed}), and synth never deletes those; ` +
      "move them out of the output directory (Terraform's own files inside stacks/<stack>/ are kept) (nothing " +
      'was written)',
  );
}

/** A cdktf output in a real directory: manifest.json and stack directories, and which of its files cdktf wrote. */
function legacyOutput(dir: string): { ours: Set<string>; stacks: string[] } | undefined {
  let manifest: {
    stacks?: Record<string, { workingDirectory?: string; synthesizedStackPath?: string; stackMetadataPath?: string }>;
  };
  try {
    manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as typeof manifest;
  } catch {
    return undefined;
  }
  if (
    typeof manifest !== 'object' ||
    manifest === null ||
    typeof manifest.stacks !== 'object' ||
    manifest.stacks === null
  )
    return undefined;
  const ours = new Set(['manifest.json']);
  const stacks = new Set<string>();
  for (const stack of Object.values(manifest.stacks)) {
    for (const file of [stack.synthesizedStackPath, stack.stackMetadataPath])
      if (typeof file === 'string') ours.add(file.split(sep).join('/'));
    if (typeof stack.workingDirectory === 'string') stacks.add(basename(stack.workingDirectory));
  }
  // Directories of stacks an earlier synth wrote and the manifest no longer lists (plain cdktf leaves them).
  for (const name of listStackDirs(dir)) {
    if (['cdk.tf.json', 'cdk.tf'].some((f) => existsSync(join(dir, STACKS, name, f)))) {
      stacks.add(name);
      for (const f of ['cdk.tf.json', 'cdk.tf', 'metadata.json']) ours.add(`${STACKS}/${name}/${f}`);
    }
  }
  return { ours, stacks: [...stacks] };
}

function listStackDirs(dir: string): string[] {
  try {
    return readdirSync(join(dir, STACKS)).filter((name) => lstatSync(join(dir, STACKS, name)).isDirectory());
  } catch {
    return [];
  }
}

function readIndex(generation: string): GenerationIndex | undefined {
  try {
    const index = JSON.parse(readFileSync(join(generation, INDEX_FILE), 'utf8')) as GenerationIndex;
    return index.format === 1 && Array.isArray(index.files) && Array.isArray(index.stacks) ? index : undefined;
  } catch {
    return undefined;
  }
}

// ---------------------------------------------------------------------------------- recovery and cleaning up

/**
 * Puts back what an interrupted run moved (a cdktf output directory taken over halfway) and removes what it left
 * (generations nothing points to, temporary links). Runs under the lock, so no other synth is writing.
 */
function prepareStore(store: string, target: string, before: TargetState): void {
  const legacy = readdirSync(store).filter((name) => LEGACY_NAME.test(name));
  if (before.kind === 'missing' && legacy.length > 0) renameSync(join(store, legacy.sort().at(-1)!), target);
  if (before.kind === 'dangling') rmSync(target, { force: true });
  const now = lstatOrUndefined(target);
  const current = now?.isSymbolicLink() ? ourGenerationName(readlinkSync(target), target) : undefined;
  for (const name of readdirSync(store)) {
    if (name === current) continue;
    // Only what the library names so; anything else in the store is someone's, and stays.
    const draft = LOCK_DRAFT_NAME.exec(name) ?? GITIGNORE_DRAFT_NAME.exec(name);
    const leftover =
      GENERATION_NAME.test(name) || LEGACY_NAME.test(name) || (draft !== null && !isAlive(Number(draft[1])));
    if (leftover) rmSync(join(store, name), { recursive: true, force: true });
  }
  const parent = dirname(target);
  const prefix = `.${basename(target)}.link-`;
  for (const name of readdirSync(parent)) {
    // A temporary link of ours: our name, and a symbolic link to a generation of this store.
    if (!name.startsWith(prefix) || !/^\d+-[a-z0-9]+$/.test(name.slice(prefix.length))) continue;
    const path = join(parent, name);
    if (lstatOrUndefined(path)?.isSymbolicLink() && ourGenerationName(readlinkSync(path), target))
      rmSync(path, { force: true });
  }
}

/**
 * Refuses, before anything is written, when something that is not this library's store is at the store path: a
 * file, a symbolic link, or a directory without the store's `.gitignore` (someone's own directory that happens to
 * be named `.<out>.generations`). An empty directory, or one holding only what a run killed while creating the store
 * leaves (drafts of the `.gitignore`, a lock), is a store being created.
 */
function inspectStore(store: string, shown: string): void {
  const where = relative(process.cwd(), store) || store;
  const refuse = (what: string): never => {
    throw new OutputRefusedError(
      `cannot write ${shown}: ${where} ${what}; synth keeps the generations of ${shown} in that directory and ` +
        'never deletes files it did not write; move or rename it, or choose another output directory (nothing ' +
        'was written)',
    );
  };
  let stats: Stats;
  try {
    stats = lstatSync(store);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw new OutputRefusedError(`cannot write ${shown}: ${where}: ${(error as Error).message}`);
  }
  if (stats.isSymbolicLink())
    refuse(`is a symbolic link (to ${readlinkSync(store)}), not a directory this library made`);
  if (!stats.isDirectory()) refuse(`is ${describeKind(stats)}, not a directory this library made`);
  if (isOurStore(store)) return;
  const entries = readdirSync(store);
  const listed = entries.slice(0, 5).join(', ') + (entries.length > 5 ? `, and ${entries.length - 5} more` : '');
  refuse(`is a directory this library did not make (it holds ${listed}, and not the .gitignore synth writes there)`);
}

function isOurStore(store: string): boolean {
  if (fileHolds(join(store, GITIGNORE), (text) => text === GITIGNORE_TEXT)) return true;
  // A store a kill interrupted while it was being created or removed: nothing but our own small files.
  return readdirSync(store).every((name) => {
    if (name === LOCK_FILE || LOCK_DRAFT_NAME.test(name))
      return fileHolds(join(store, name), (text) => LOCK_TEXT.test(text));
    if (GITIGNORE_DRAFT_NAME.test(name)) return fileHolds(join(store, name), (text) => GITIGNORE_TEXT.startsWith(text));
    return false;
  });
}

/** True when `file` is a small regular file whose text passes `test`. */
function fileHolds(file: string, test: (text: string) => boolean): boolean {
  const stats = lstatOrUndefined(file);
  if (!stats?.isFile() || stats.size > 4096) return false;
  try {
    return test(readFileSync(file, 'utf8'));
  } catch {
    return false;
  }
}

/**
 * Makes the store (checked by {@link inspectStore}) and marks it ours: its `.gitignore`, which also keeps it out of
 * git without asking users to edit theirs, written whole under a draft name and renamed into place.
 */
function openStore(store: string): void {
  mkdirSync(store, { recursive: true });
  const gitignore = join(store, GITIGNORE);
  if (fileHolds(gitignore, (text) => text === GITIGNORE_TEXT)) return;
  const draft = join(store, `${GITIGNORE}.${process.pid}`);
  writeFileSync(draft, GITIGNORE_TEXT);
  renameSync(draft, gitignore);
}

/**
 * One synth at a time per output directory: a lock file naming its process. A lock whose process is gone (killed)
 * is taken over.
 */
function acquireLock(store: string, shown: string): () => void {
  const file = join(store, LOCK_FILE);
  const mine = `${process.pid} ${hostname()}\n`;
  // Written whole under a private name, then linked into place: link(2) fails if a lock exists, and a lock is never
  // seen half-written. A private file left by a kill is removed by the next run's cleaning.
  const draft = join(store, `${LOCK_FILE}.${process.pid}`);
  wrapWrite(shown, () => writeFileSync(draft, mine));
  try {
    for (let attempt = 0; attempt < 3; attempt++) {
      try {
        linkSync(draft, file);
        return () => {
          try {
            rmSync(file, { force: true });
          } catch {
            // A lock of a process that is gone is taken over by the next run.
          }
        };
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw writeError(shown, error);
      }
      let owner: number | undefined;
      let host: string | undefined;
      try {
        const [pid, name] = readFileSync(file, 'utf8').trim().split(' ');
        owner = Number(pid);
        host = name;
      } catch {
        continue; // removed meanwhile: try again
      }
      const live =
        owner === process.pid ||
        (host !== undefined && host !== hostname()) ||
        (Number.isInteger(owner) && owner > 0 && isAlive(owner));
      if (live) {
        const where = host && host !== hostname() ? ` on ${host}` : '';
        throw new OutputRefusedError(
          `cannot write ${shown}: another synth (process ${owner}${where}) is writing it; wait for it to ` +
            `finish, or remove ${file} if it is no longer running`,
        );
      }
      wrapWrite(shown, () => rmSync(file, { force: true }));
    }
    throw new OutputRefusedError(`cannot write ${shown}: could not take the lock ${file}`);
  } finally {
    try {
      rmSync(draft, { force: true });
    } catch {
      // Cleaned by the next run.
    }
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

// ----------------------------------------------------------------------------------------- the new generation

/** Every file synth wrote into the generation, and its stack directories. */
function indexGeneration(generation: string): GenerationIndex {
  const files: string[] = [];
  const walk = (dir: string, prefix: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = prefix ? `${prefix}/${entry.name}` : entry.name;
      if (entry.isDirectory()) walk(join(dir, entry.name), path);
      else files.push(path);
    }
  };
  walk(generation, '');
  return { format: 1, files: files.sort(), stacks: listStackDirs(generation).sort() };
}

/**
 * Hard-links into the new generation every file of the current output that synth did not write, inside the stack
 * directories it manages (Terraform's working files). Returns the stack directories kept only for such files, and
 * the files of ours kept with them.
 *
 * Under the cdktf CLI (`cdktf synth`, `deploy`), a stack no longer in the app keeps its whole directory, as plain cdktf
 * leaves it: the CLI deletes the directories of such stacks itself after synth, and fails (ENOENT) on one that is gone.
 */
function carryOver(
  current: TargetState,
  target: string,
  generation: string,
  index: GenerationIndex,
  shown: string,
): { retained: string[]; adopted: string[] } {
  if (current.kind !== 'link' && current.kind !== 'legacy') return { retained: [], adopted: [] };
  // A cdktf output being taken over is still the output path itself: it becomes a link only at the switch.
  const from = current.kind === 'link' ? current.generation : target;
  const ours = current.kind === 'link' ? new Set(current.index?.files ?? []) : current.ours;
  const stacks = current.kind === 'link' ? (current.index?.stacks ?? listStackDirs(from)) : current.stacks;
  const written = new Set(index.files);
  const underCdktfCli = process.env.CDKTF_CONTINUE_SYNTH_ON_ERROR_ANNOTATIONS !== undefined;
  const retained: string[] = [];
  const adopted: string[] = [];
  for (const stack of stacks) {
    const stackDir = join(from, STACKS, stack);
    if (!existsSync(stackDir)) continue;
    const removed = !index.stacks.includes(stack);
    const keepWhole = removed && underCdktfCli;
    const carried = linkTree(
      stackDir,
      join(generation, STACKS, stack),
      `${STACKS}/${stack}`,
      keepWhole ? new Set() : ours,
      written,
      shown,
    );
    if (carried && removed) retained.push(stack);
    if (keepWhole) adopted.push(...[...ours].filter((f) => f.startsWith(`${STACKS}/${stack}/`)));
  }
  return { retained, adopted };
}

/** Links the files of `from` not in `ours` to the same places under `to`; true when anything was carried. */
function linkTree(
  from: string,
  to: string,
  prefix: string,
  ours: ReadonlySet<string>,
  written: ReadonlySet<string>,
  shown: string,
): boolean {
  let carried = false;
  for (const entry of readdirSync(from, { withFileTypes: true })) {
    const path = `${prefix}/${entry.name}`;
    const source = join(from, entry.name);
    const destination = join(to, entry.name);
    if (entry.isDirectory()) {
      if (linkTree(source, destination, path, ours, written, shown)) carried = true;
      continue;
    }
    if (ours.has(path)) continue;
    if (written.has(path)) {
      throw new OutputRefusedError(
        `cannot write ${shown}: ${path} is a file synth did not write, and synth now writes a file there; move ` +
          'it away (nothing was written)',
      );
    }
    mkdirSync(to, { recursive: true });
    if (entry.isSymbolicLink()) symlinkSync(readlinkSync(source), destination);
    else linkOrCopy(source, destination);
    carried = true;
  }
  // An empty directory of Terraform's (say, .terraform/modules before the first module) is kept too.
  if (!carried && readdirSync(from).length === 0 && !existsSync(to)) {
    mkdirSync(to, { recursive: true });
    carried = true;
  }
  return carried;
}

function linkOrCopy(source: string, destination: string): void {
  try {
    linkSync(source, destination);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    // File systems without hard links, or a file at its link limit: a copy keeps it just as well.
    if (code !== 'EPERM' && code !== 'EXDEV' && code !== 'EMLINK' && code !== 'ENOTSUP' && code !== 'EOPNOTSUPP')
      throw error;
    copyFileSync(source, destination);
  }
}

/** Flushes what synth wrote, so a crash of the machine after the switch does not leave empty files behind it. */
function syncTree(dir: string): void {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) syncTree(path);
    else if (entry.isFile()) syncPath(path, 'r');
  }
  syncPath(dir, 'r');
}

function syncPath(path: string, flags: string): void {
  const fd = openSync(path, flags);
  try {
    fsyncSync(fd);
  } catch (error) {
    // Some file systems cannot sync a directory; the rename that follows is still atomic.
    if ((error as NodeJS.ErrnoException).code !== 'EINVAL' && (error as NodeJS.ErrnoException).code !== 'EISDIR')
      throw error;
  } finally {
    closeSync(fd);
  }
}

/**
 * The switch. A link replaces the old link in one rename. A real directory cannot be replaced by a link in one step:
 * it is first moved into the store as `legacy-*` (put back by the next run if this one is killed in between), and
 * removed once the link is in place.
 */
function commit(target: string, store: string, generation: string, current: TargetState): string | undefined {
  const temporary = join(
    dirname(target),
    `.${basename(target)}.link-${process.pid}-${Math.random().toString(36).slice(2, 8)}`,
  );
  symlinkSync(relative(dirname(target), generation), temporary);
  let moved: string | undefined;
  try {
    if (current.kind === 'skeleton') {
      if (existsSync(join(target, STACKS))) rmdirSync(join(target, STACKS));
      rmdirSync(target);
    } else if (current.kind === 'legacy') {
      moved = join(store, `legacy-${Date.now().toString(36)}`);
      renameSync(target, moved);
    }
    renameSync(temporary, target);
  } catch (error) {
    rmSync(temporary, { force: true });
    // Put the output back at once; if even that fails, the next run does (prepareStore).
    if (moved && !lstatOrUndefined(target)) {
      try {
        renameSync(moved, target);
      } catch {
        // left for the next run
      }
    }
    throw error;
  }
  syncPath(dirname(target), 'r');
  return moved;
}

/**
 * The directory the old output lived in, to remove once the new one is in place (a legacy one is cleaned by
 * prepareStore).
 */
function previousDirOf(current: TargetState): string | undefined {
  return current.kind === 'link' ? current.generation : undefined;
}

function removeQuietly(dir: string | undefined): void {
  if (!dir) return;
  try {
    rmSync(dir, { recursive: true, force: true });
  } catch {
    // Left for the next run's cleaning.
  }
}

/** Runs a write step, turning I/O failures (no space, I/O error, read-only) into a readable refusal. */
function wrapWrite<T>(shown: string, step: () => T): T {
  try {
    return step();
  } catch (error) {
    if (error instanceof Refusal) throw error;
    throw writeError(shown, error);
  }
}

function writeError(shown: string, error: unknown): OutputWriteError {
  const code = (error as NodeJS.ErrnoException).code;
  const reason = code ? `${code}: ${(error as Error).message.replace(/^[A-Z]+: /, '')}` : String(error);
  return new OutputWriteError(
    `could not write ${shown}: ${reason}; the previous output is unchanged and nothing of this attempt was kept`,
    error,
  );
}

function lstatOrUndefined(path: string): Stats | undefined {
  try {
    return lstatSync(path);
  } catch {
    return undefined;
  }
}

function isEmptyDir(dir: string): boolean {
  try {
    return lstatSync(dir).isDirectory() && readdirSync(dir).length === 0;
  } catch {
    return false;
  }
}

function describeKind(stats: Stats): string {
  if (stats.isFile()) return 'a file';
  if (stats.isFIFO()) return 'a named pipe';
  if (stats.isSocket()) return 'a socket';
  if (stats.isCharacterDevice() || stats.isBlockDevice()) return 'a device';
  return 'not a directory';
}
