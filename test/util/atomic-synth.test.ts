import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, TerraformStack } from 'cdktf';
import { synthAtomically, SynthRefusedError } from '../../lib/util/atomic-synth';

function app(outdir: string, stackName: string, refuse = false): App {
  const a = new App({ outdir });
  const stack = new TerraformStack(a, stackName);
  if (refuse) stack.node.addValidation({ validate: () => ['the residency proof failed'] });
  return a;
}

describe('synthAtomically', () => {
  test('a refused synth leaves the previous output untouched and says why, without bypass hints', () => {
    const out = join(mkdtempSync(join(tmpdir(), 'gi-atomic-')), 'cdktf.out');
    synthAtomically((d) => app(d, 'first'), out);
    const manifest = readFileSync(join(out, 'manifest.json'), 'utf8');
    let error: unknown;
    try {
      synthAtomically((d) => app(d, 'second', true), out);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(SynthRefusedError);
    expect((error as Error).message).toContain('the residency proof failed');
    expect((error as Error).message).not.toContain('skipValidation');
    expect(readFileSync(join(out, 'manifest.json'), 'utf8')).toBe(manifest);
    expect(existsSync(join(out, 'stacks', 'second'))).toBe(false);
  });

  test('a successful synth replaces stale stacks but keeps terraform working directories of live ones', () => {
    const out = join(mkdtempSync(join(tmpdir(), 'gi-atomic-')), 'cdktf.out');
    synthAtomically((d) => { const a = app(d, 'kept'); new TerraformStack(a, 'gone'); return a; }, out);
    mkdirSync(join(out, 'stacks', 'kept', '.terraform'));
    writeFileSync(join(out, 'stacks', 'kept', '.terraform', 'marker'), 'providers live here');
    synthAtomically((d) => app(d, 'kept'), out);
    expect(existsSync(join(out, 'stacks', 'gone'))).toBe(false);
    expect(readFileSync(join(out, 'stacks', 'kept', '.terraform', 'marker'), 'utf8')).toBe('providers live here');
  });
});
