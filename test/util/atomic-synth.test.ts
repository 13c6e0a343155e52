import {
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, TerraformOutput, TerraformStack } from '../../lib/util/cdktf';
import {
  generationStoreOf,
  OutputRefusedError,
  preflightOutput,
  synthAtomically,
  SynthRefusedError,
  writeOutputAtomically,
} from '../../lib/util/atomic-synth';
import { regex } from '../support/regex';

function app(outdir: string, stacks: readonly string[], options: { refuse?: boolean; value?: string } = {}): App {
  const a = new App({ outdir });
  for (const name of stacks) {
    const stack = new TerraformStack(a, name);
    new TerraformOutput(stack, 'value', { value: options.value ?? 'v1' });
    if (options.refuse) stack.node.addValidation({ validate: () => ['the residency proof failed'] });
  }
  return a;
}

function freshOut(): string {
  return join(mkdtempSync(join(tmpdir(), 'gi-atomic-')), 'cdktf.out');
}

function errorOf(fn: () => unknown): Error {
  try {
    fn();
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected an error');
}

/** The value output of a stack as written. */
function outputValue(out: string, stack: string): unknown {
  return (
    JSON.parse(readFileSync(join(out, 'stacks', stack, 'cdk.tf.json'), 'utf8')) as {
      output: { value: { value: unknown } };
    }
  ).output.value.value;
}

/** What the directory around the output holds, apart from the output itself: nothing of a run may linger. */
function leftovers(out: string): string[] {
  const store = generationStoreOf(out);
  const current = lstatSync(out).isSymbolicLink() ? readlinkSync(out).split('/')[1] : undefined;
  const inStore = existsSync(store) ? readdirSync(store).filter((n) => n !== '.gitignore' && n !== current) : [];
  const beside = readdirSync(join(out, '..')).filter((n) => n.includes('.link-'));
  return [...inStore, ...beside];
}

describe('synthAtomically', () => {
  test('a refused synth leaves the previous output untouched and says why, without bypass hints', () => {
    const out = freshOut();
    synthAtomically((d) => app(d, ['first']), out);
    const manifest = readFileSync(join(out, 'manifest.json'), 'utf8');
    const error = errorOf(() => synthAtomically((d) => app(d, ['second'], { refuse: true }), out));
    expect(error).toBeInstanceOf(SynthRefusedError);
    expect(error.message).toContain('the residency proof failed');
    expect(error.message).not.toContain('skipValidation');
    expect(readFileSync(join(out, 'manifest.json'), 'utf8')).toBe(manifest);
    expect(existsSync(join(out, 'stacks', 'second'))).toBe(false);
    expect(leftovers(out)).toEqual([]);
  });

  test('the output is a link to a complete generation, switched by a rename; the old generation is removed', () => {
    const out = freshOut();
    synthAtomically((d) => app(d, ['s1']), out);
    const first = readlinkSync(out);
    expect(first).toMatch(/^\.cdktf\.out\.generations\/g-/);
    synthAtomically((d) => app(d, ['s1'], { value: 'v2' }), out);
    expect(readlinkSync(out)).not.toBe(first);
    expect(outputValue(out, 's1')).toBe('v2');
    expect(existsSync(join(out, '..', first))).toBe(false);
    expect(leftovers(out)).toEqual([]);
    // The store keeps itself out of git.
    expect(readFileSync(join(generationStoreOf(out), '.gitignore'), 'utf8')).toMatch(/^\*$/m);
  });

  test(
    'Terraform working files in stack directories survive every synth (hard links, same inode), and stale stacks ' +
      'go',
    () => {
      const out = freshOut();
      synthAtomically((d) => app(d, ['kept', 'gone']), out);
      mkdirSync(join(out, 'stacks', 'kept', '.terraform', 'providers'), { recursive: true });
      writeFileSync(join(out, 'stacks', 'kept', '.terraform', 'providers', 'terraform-provider-aws'), 'a big binary');
      writeFileSync(join(out, 'stacks', 'kept', '.terraform.lock.hcl'), 'provider "aws" { version = "5.100.0" }');
      symlinkSync('/nowhere/cache', join(out, 'stacks', 'kept', '.terraform', 'plugin-cache-link'));
      const inode = statSync(join(out, 'stacks', 'kept', '.terraform', 'providers', 'terraform-provider-aws')).ino;
      synthAtomically((d) => app(d, ['kept'], { value: 'v2' }), out);
      synthAtomically((d) => app(d, ['kept'], { value: 'v3' }), out);
      expect(outputValue(out, 'kept')).toBe('v3');
      expect(existsSync(join(out, 'stacks', 'gone'))).toBe(false);
      expect(readFileSync(join(out, 'stacks', 'kept', '.terraform.lock.hcl'), 'utf8')).toContain('5.100.0');
      expect(statSync(join(out, 'stacks', 'kept', '.terraform', 'providers', 'terraform-provider-aws')).ino).toBe(
        inode,
      );
      expect(readlinkSync(join(out, 'stacks', 'kept', '.terraform', 'plugin-cache-link'))).toBe('/nowhere/cache');
    },
  );

  test('a stack no longer in the app keeps its directory while it holds files synth did not write', () => {
    const out = freshOut();
    synthAtomically((d) => app(d, ['a', 'b']), out);
    mkdirSync(join(out, 'stacks', 'b', 'terraform.tfstate.d', 'staging'), { recursive: true });
    writeFileSync(join(out, 'stacks', 'b', 'terraform.tfstate.d', 'staging', 'terraform.tfstate'), '{"serial": 7}');
    const result = synthAtomically((d) => app(d, ['a']), out);
    expect(result.retainedStacks).toEqual(['b']);
    expect(existsSync(join(out, 'stacks', 'b', 'cdk.tf.json'))).toBe(false); // synth's own file goes
    expect(readFileSync(join(out, 'stacks', 'b', 'terraform.tfstate.d', 'staging', 'terraform.tfstate'), 'utf8')).toBe(
      '{"serial": 7}',
    );
    // And the next synth does not mistake it for someone else's directory.
    synthAtomically((d) => app(d, ['a'], { value: 'v2' }), out);
    expect(existsSync(join(out, 'stacks', 'b', 'terraform.tfstate.d', 'staging', 'terraform.tfstate'))).toBe(true);
  });

  test('fails when the output directory holds files synth did not write: refused, nothing deleted or written', () => {
    // The reported case: a directory whose stacks/ holds the user's own files.
    const out = freshOut();
    mkdirSync(join(out, 'stacks', 'mine'), { recursive: true });
    writeFileSync(join(out, 'stacks', 'mine', 'notes.md'), 'my notes');
    writeFileSync(join(out, 'stacks', 'README'), 'mine too');
    const error = errorOf(() => synthAtomically((d) => app(d, ['s1']), out));
    expect(error).toBeInstanceOf(OutputRefusedError);
    expect(error.message).toMatch(
      regex(
        /cannot write .*cdktf\.out: it is a directory that is not a cdktf output \(it holds stacks\), and /,
        /synth never deletes files it did not write/,
      ),
    );
    expect(readFileSync(join(out, 'stacks', 'mine', 'notes.md'), 'utf8')).toBe('my notes');
    expect(readFileSync(join(out, 'stacks', 'README'), 'utf8')).toBe('mine too');
    expect(existsSync(generationStoreOf(out))).toBe(false);

    // A file dropped into an output this library manages is refused too, by name, and kept.
    const managed = freshOut();
    synthAtomically((d) => app(d, ['s1']), managed);
    writeFileSync(join(managed, 'stacks', 'scratch.txt'), 'keep me');
    writeFileSync(join(managed, 'todo.md'), 'keep me too');
    const refused = errorOf(() => synthAtomically((d) => app(d, ['s1'], { value: 'v2' }), managed));
    expect(refused.message).toContain(
      'it holds files synth did not write (stacks/scratch.txt, todo.md), and synth never deletes those',
    );
    expect(outputValue(managed, 's1')).toBe('v1');
    expect(readFileSync(join(managed, 'todo.md'), 'utf8')).toBe('keep me too');
  });

  test('fails when the output path is a regular file, or a link this library did not make: nothing left behind', () => {
    const base = mkdtempSync(join(tmpdir(), 'gi-atomic-'));
    const file = join(base, 'out.json');
    writeFileSync(file, 'precious');
    const error = errorOf(() => synthAtomically((d) => app(d, ['s1']), file));
    expect(error).toBeInstanceOf(OutputRefusedError);
    expect(error.message).toMatch(
      regex(
        /cannot write .*out\.json: it is a file, not a directory; choose another output directory \(nothing /,
        /was written\)/,
      ),
    );
    expect(readFileSync(file, 'utf8')).toBe('precious');
    expect(readdirSync(base)).toEqual(['out.json']);

    mkdirSync(join(base, 'elsewhere'));
    symlinkSync(join(base, 'elsewhere'), join(base, 'linked'));
    expect(errorOf(() => synthAtomically((d) => app(d, ['s1']), join(base, 'linked'))).message).toContain(
      'it is a symbolic link (to ',
    );
    expect(readdirSync(join(base, 'elsewhere'))).toEqual([]);
  });

  test(
    'takes over a cdktf output written in place (plain cdktf, ' + 'earlier versions), keeping its Terraform files',
    () => {
      const out = freshOut();
      app(out, ['s1', 'old']).synth(); // plain cdktf: a real directory
      mkdirSync(join(out, 'stacks', 's1', '.terraform'));
      writeFileSync(join(out, 'stacks', 's1', '.terraform', 'marker'), 'providers');
      synthAtomically((d) => app(d, ['s1'], { value: 'v2' }), out);
      expect(lstatSync(out).isSymbolicLink()).toBe(true);
      expect(outputValue(out, 's1')).toBe('v2');
      expect(readFileSync(join(out, 'stacks', 's1', '.terraform', 'marker'), 'utf8')).toBe('providers');
      expect(existsSync(join(out, 'stacks', 'old'))).toBe(false);
      expect(leftovers(out)).toEqual([]);
    },
  );

  test(
    "an empty directory, or the empty stacks/ cdktf's App constructor makes, is taken over; a refused first " +
      'synth leaves nothing',
    () => {
      const out = freshOut();
      const refused = new App({ outdir: out }); // makes cdktf.out/stacks/
      new TerraformStack(refused, 's1').node.addValidation({ validate: () => ['no'] });
      expect(existsSync(join(out, 'stacks'))).toBe(true);
      expect(errorOf(() => synthAtomically(() => refused, out))).toBeInstanceOf(SynthRefusedError);
      expect(existsSync(out)).toBe(false);
      expect(existsSync(generationStoreOf(out))).toBe(false);
      mkdirSync(out);
      synthAtomically((d) => app(d, ['s1']), out);
      expect(outputValue(out, 's1')).toBe('v1');
    },
  );

  test(
    'leftovers of an interrupted run are removed by the next one: half-written generations, temporary links, a ' +
      'dead lock',
    () => {
      const out = freshOut();
      synthAtomically((d) => app(d, ['s1']), out);
      const store = generationStoreOf(out);
      mkdirSync(join(store, 'g-zzzz-99999-abcdef', 'stacks', 's1'), { recursive: true });
      writeFileSync(join(store, 'g-zzzz-99999-abcdef', 'manifest.json'), '{"half": ');
      symlinkSync('.cdktf.out.generations/g-zzzz-99999-abcdef', join(out, '..', '.cdktf.out.link-99999-abcdef'));
      writeFileSync(join(store, 'lock'), `2147483646 ${require('node:os').hostname()}\n`); // a pid that is not running
      writeFileSync(join(store, 'lock.2147483646'), 'a draft');
      synthAtomically((d) => app(d, ['s1'], { value: 'v2' }), out);
      expect(outputValue(out, 's1')).toBe('v2');
      expect(leftovers(out)).toEqual([]);
    },
  );

  test('a cdktf output moved aside by a run killed between its two renames is put back by the next run', () => {
    const out = freshOut();
    app(out, ['s1']).synth(); // a real directory
    writeFileSync(join(out, 'stacks', 's1', '.terraform.lock.hcl'), 'lock');
    const store = generationStoreOf(out);
    mkdirSync(store);
    // The store as a run makes it first (its .gitignore marks it as the library's).
    writeFileSync(
      join(store, '.gitignore'),
      '# written by cdktf-global-inference: generations of the output directory beside this one\n*\n',
    );
    // What the kill left: the old output moved into the store, the new link not yet in place.
    require('node:fs').renameSync(out, join(store, 'legacy-abc'));
    synthAtomically((d) => app(d, ['s1'], { value: 'v2' }), out);
    expect(outputValue(out, 's1')).toBe('v2');
    expect(readFileSync(join(out, 'stacks', 's1', '.terraform.lock.hcl'), 'utf8')).toBe('lock');
    expect(leftovers(out)).toEqual([]);
  });

  test('fails when another synth is writing the same output', () => {
    const out = freshOut();
    synthAtomically((d) => app(d, ['s1']), out);
    // The parent of this test process is alive for sure.
    writeFileSync(join(generationStoreOf(out), 'lock'), `${process.ppid} ${require('node:os').hostname()}\n`);
    const error = errorOf(() => synthAtomically((d) => app(d, ['s1'], { value: 'v2' }), out));
    expect(error).toBeInstanceOf(OutputRefusedError);
    expect(error.message).toContain(`another synth (process ${process.ppid}) is writing it`);
    expect(outputValue(out, 's1')).toBe('v1');
  });

  test('a produce step that writes nothing, or throws, switches nothing in', () => {
    const out = freshOut();
    synthAtomically((d) => app(d, ['s1']), out);
    expect(errorOf(() => writeOutputAtomically(out, () => undefined)).message).toContain('synth wrote nothing into');
    expect(
      errorOf(() =>
        writeOutputAtomically(out, (d) => {
          app(d, ['s1'], { value: 'v2' }).synth();
          throw new Error('a bug after writing');
        }),
      ).message,
    ).toBe('a bug after writing');
    expect(outputValue(out, 's1')).toBe('v1');
    expect(leftovers(out)).toEqual([]);
  });

  test(
    'under the cdktf CLI, a removed stack keeps its directory for the CLI to delete (it fails on one already ' +
      'gone)',
    () => {
      const out = freshOut();
      synthAtomically((d) => app(d, ['a', 'b']), out);
      const saved = process.env.CDKTF_CONTINUE_SYNTH_ON_ERROR_ANNOTATIONS;
      process.env.CDKTF_CONTINUE_SYNTH_ON_ERROR_ANNOTATIONS = 'true';
      try {
        synthAtomically((d) => app(d, ['a'], { value: 'v2' }), out);
      } finally {
        if (saved === undefined) delete process.env.CDKTF_CONTINUE_SYNTH_ON_ERROR_ANNOTATIONS;
        else process.env.CDKTF_CONTINUE_SYNTH_ON_ERROR_ANNOTATIONS = saved;
      }
      expect(Object.keys(JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8')).stacks)).toEqual(['a']);
      expect(outputValue(out, 'b')).toBe('v1'); // left as plain cdktf leaves it
      // Outside the CLI, the next synth drops it (it holds only synth's own files).
      synthAtomically((d) => app(d, ['a'], { value: 'v3' }), out);
      expect(existsSync(join(out, 'stacks', 'b'))).toBe(false);
    },
  );
  test("a directory at the store path that is not the library's is refused untouched, whatever holds it", () => {
    // Red team: `.out.generations/` holding the user's spec and notes was emptied by the first synth into `out`.
    const out = freshOut();
    const store = generationStoreOf(out);
    mkdirSync(join(store, 'sub'), { recursive: true });
    writeFileSync(join(store, 'spec.yaml'), 'service: {}\n');
    writeFileSync(join(store, 'notes.txt'), 'keep\n');
    writeFileSync(join(store, 'lock'), 'not a lock\n');
    writeFileSync(join(store, '.gitignore'), 'node_modules\n'); // a .gitignore, but not the one synth writes
    const snapshot = () =>
      readdirSync(store)
        .sort()
        .map((n) => [n, lstatSync(join(store, n)).isFile() ? readFileSync(join(store, n), 'utf8') : 'dir']);
    const before = snapshot();
    const skeleton = () => mkdirSync(join(out, 'stacks'), { recursive: true }); // what cdktf's App constructor makes
    for (const attempt of [
      () => synthAtomically((d) => app(d, ['s1']), out),
      () => preflightOutput(out),
      () => (skeleton(), writeOutputAtomically(out, (d) => app(d, ['s1']).synth())),
    ]) {
      const error = errorOf(attempt);
      expect(error).toBeInstanceOf(OutputRefusedError);
      expect(error.message.split('\n')).toHaveLength(1);
      expect(error.message).toMatch(
        regex(
          /^cannot write .*cdktf\.out: .*\.cdktf\.out\.generations is a directory this library did not make /,
          /\(it holds .*notes\.txt.*\).*move or rename it, or choose another output directory \(nothing was /,
          /written\)$/,
        ),
      );
      expect(snapshot()).toEqual(before);
      // Not even the skeleton of cdktf.out.
      expect(readdirSync(join(out, '..')).sort()).toEqual(['.cdktf.out.generations']);
    }
  });

  test('a file or a symbolic link at the store path is refused, nothing written', () => {
    const out = freshOut();
    const store = generationStoreOf(out);
    writeFileSync(store, 'mine');
    expect(errorOf(() => synthAtomically((d) => app(d, ['s1']), out)).message).toContain(
      '.cdktf.out.generations is a file, not a directory this library made',
    );
    expect(readFileSync(store, 'utf8')).toBe('mine');
    require('node:fs').rmSync(store);
    const elsewhere = mkdtempSync(join(tmpdir(), 'gi-elsewhere-'));
    writeFileSync(join(elsewhere, 'notes.txt'), 'keep');
    symlinkSync(elsewhere, store);
    expect(errorOf(() => synthAtomically((d) => app(d, ['s1']), out)).message).toContain(
      '.cdktf.out.generations is a symbolic link',
    );
    expect(readdirSync(elsewhere)).toEqual(['notes.txt']);
    expect(existsSync(out)).toBe(false);
  });

  test(
    "inside the library's store, and beside the output, only " + "entries of the library's own naming are removed",
    () => {
      const out = freshOut();
      synthAtomically((d) => app(d, ['s1']), out);
      const store = generationStoreOf(out);
      const parent = join(out, '..');
      writeFileSync(join(store, 'notes.txt'), 'keep');
      mkdirSync(join(store, 'g-mine'));
      writeFileSync(join(store, 'lock.draft'), 'keep');
      writeFileSync(join(parent, '.cdktf.out.link-notes'), 'keep'); // our prefix, not our name
      writeFileSync(join(parent, '.cdktf.out.link-12-abc'), 'keep'); // our name, but a file, not a link of ours
      symlinkSync('/etc', join(parent, '.cdktf.out.link-13-abc')); // our name, a link, but not to a generation
      symlinkSync('.cdktf.out.generations/g-zzzz-99999-abcdef', join(parent, '.cdktf.out.link-99999-abcdef')); // ours
      synthAtomically((d) => app(d, ['s1'], { value: 'v2' }), out);
      expect(outputValue(out, 's1')).toBe('v2');
      expect(
        readdirSync(store)
          .filter((n) => !n.startsWith('g-') || n === 'g-mine')
          .sort(),
      ).toEqual(['.gitignore', 'g-mine', 'lock.draft', 'notes.txt']);
      expect(readdirSync(parent).sort()).toEqual([
        '.cdktf.out.generations',
        '.cdktf.out.link-12-abc',
        '.cdktf.out.link-13-abc',
        '.cdktf.out.link-notes',
        'cdktf.out',
      ]);
    },
  );

  test('a store a kill left while it was being created (empty, or a draft of its .gitignore) is taken over', () => {
    for (const leave of [
      (store: string) => mkdirSync(store),
      (store: string) => (mkdirSync(store), writeFileSync(join(store, '.gitignore.2147483646'), '# written by cdktf')),
    ]) {
      const out = freshOut();
      leave(generationStoreOf(out));
      synthAtomically((d) => app(d, ['s1']), out);
      expect(outputValue(out, 's1')).toBe('v1');
      expect(leftovers(out)).toEqual([]);
    }
  });
});
