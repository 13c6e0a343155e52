/*
 * `diff` across stack renames (issue 12 item 3): stacks are paired by name, then by role; a rename is reported as
 * the new state it is, and a `moved` block is suggested only within one state.
 */
import { diffRouting, diffSynth } from '../../lib/analysis/diff';
import { pairStacks } from '../../lib/analysis/stack-pairing';
import type { StackInput } from '../../lib/analysis/model';
import { buildExampleApp } from '../../examples/example-app';
import { editableStacks, resourcesLike, synthToTemp } from './fixtures';

const defaults = synthToTemp((o) => buildExampleApp('default', o, { proofs: false, policy: false }));
const canary = synthToTemp((o) => buildExampleApp('canary', o, { proofs: false, policy: false }));
const cloudflare = synthToTemp((o) => buildExampleApp('cloudflare-eu', o, { proofs: false, policy: false }));

const renamed = (stacks: StackInput[], from: string, to: string): StackInput[] =>
  stacks.map((s) => (s.name === from ? { ...s, name: to } : s));
const unrelated = (name: string): StackInput => ({ name, json: { provider: { aws: [{ region: 'us-east-1' }] } } });

describe('stack pairing', () => {
  test('same name, then the one unpaired stack of a role on each side; ambiguity pairs nothing', () => {
    const before = editableStacks(cloudflare);
    const [aws, cf] = before.map((s) => s.name);
    expect(pairStacks(before, renamed(before, aws, 'x-aws'))).toEqual([
      { before: cf, after: cf, role: 'cloudflare' },
      { before: aws, after: 'x-aws', role: 'aws' },
    ]);
    // Two AWS stacks appear where one went: which is which cannot be known, so neither is taken for the old one.
    const after = [...renamed(before, aws, 'x-aws'), unrelated('other-aws')];
    expect(pairStacks(before, after)).toEqual([
      { before: cf, after: cf, role: 'cloudflare' },
      { before: aws, role: 'aws' },
      { after: 'x-aws', role: 'aws' },
      { after: 'other-aws', role: 'aws' },
    ]);
  });
});

describe('diff across a stack rename', () => {
  test('default -> canary: one state renamed, no move row whose addresses are the same, stacks named', () => {
    const diff = diffSynth(defaults, canary);
    expect(diff.stacks).toEqual([{ before: 'chat-aws', after: 'chat-canary-aws', role: 'aws' }]);
    const moves = diff.changes.filter((c) => c.movedTo !== undefined);
    expect(moves.every((c) => c.movedTo !== c.address)).toBe(true);
    // The records the canary spec changes are the only record rows: the rest of the state is the same resources.
    const records = diff.changes.filter((c) => c.type === 'aws_route53_record');
    expect(records.length).toBeGreaterThan(0);
    expect(records.length).toBeLessThan(12);
    const text = diffRouting(defaults, canary);
    expect(text).toContain('### Stacks');
    expect(text).toContain('**Stack `chat-aws` is now `chat-canary-aws` (aws): a new Terraform state.**');
    expect(text).toMatch(/creates all \d+ of its resources again beside the live ones/);
    expect(text).toContain('terraform state pull > chat-aws.tfstate');
    expect(text).toMatch(/move the local state file \S*terraform\.chat-aws\.tfstate to \S*terraform\.chat-canary-aws/);
  });

  test('the same stacks under a new name only: no resource change at all, only the state to move', () => {
    const before = editableStacks(defaults);
    const after = renamed(editableStacks(defaults), 'chat-aws', 'chat2-aws');
    const diff = diffSynth(before, after);
    expect(diff.changes).toEqual([]);
    expect(diffRouting(before, after)).toContain('No live DNS record, health check or pool is replaced or removed.');
  });

  test('a construct id change inside one state is a move with its moved block', () => {
    const before = editableStacks(defaults);
    const after = renamed(editableStacks(defaults), 'chat-aws', 'chat2-aws');
    const records = after[0].json.resource!.aws_route53_record as Record<string, unknown>;
    const [[name]] = resourcesLike(after[0], 'aws_route53_record', 'Latency-root-us-east-1');
    records[`${name}_NEW`] = records[name];
    delete records[name];
    const move = diffSynth(before, after).changes.find((c) => c.address === `aws_route53_record.${name}`);
    expect(move).toMatchObject({ action: 'delete', movedTo: `aws_route53_record.${name}_NEW` });
    expect(move?.danger).toContain(`moveFromId('aws_route53_record.${name}')`);
  });

  test('a stack added and one removed: nothing pairs them across roles; the removed one is not a deletion', () => {
    const before = editableStacks(cloudflare);
    const cf = before.find((s) => s.name.endsWith('cloudflare'))!;
    const after = [...editableStacks(cloudflare).filter((s) => s.name !== cf.name), unrelated('new-aws')];
    const diff = diffSynth(before, after);
    expect(diff.stacks).toContainEqual({ before: cf.name, role: 'cloudflare' });
    expect(diff.stacks).toContainEqual({ after: 'new-aws', role: 'aws' });
    const gone = diff.changes.filter((c) => c.stack === cf.name);
    expect(gone.length).toBeGreaterThan(0);
    expect(gone).toAllSatisfy((c) => c.action === 'delete' && c.stackRemoved === true && !c.danger);
    const text = diffRouting(before, after);
    expect(text).toContain(`- \`${cf.name}\` (cloudflare) is no longer synthesized: nothing deletes its resources`);
    expect(text).toContain('- `new-aws` (aws) is a new stack: everything in it is created.');
    expect(text).not.toMatch(/\*\*\d+ changes? replaces? or removes? live/);
    // With several stacks, each row names its stack.
    expect(text).toMatch(new RegExp(`\\| \`cloudflare_load_balancer\\.[^\`]+\` \\(${cf.name}\\) \\| delete \\|`));
  });
});
