import { OFFLINE_EXAMPLES } from '../support/example-catalog';
import { snapshotView, synthExample } from '../support/examples';

/** Each example app's synthesized stacks, as reviewed snapshots. */
describe.each(OFFLINE_EXAMPLES.filter((e) => e.name !== 'default').map((e) => [e.name, e] as const))('example %s', (_name, example) => {
  const { stacks } = synthExample(example.build);

  test('synthesizes AWS stacks without data sources', () => {
    expect(stacks.length).toBeGreaterThan(0);
    expect(stacks.filter((s) => s.name.endsWith('-aws'))).toAllSatisfy((stack) => stack.json.data === undefined);
  });

  test('matches the reviewed snapshot', () => {
    for (const stack of stacks) expect(snapshotView(stack.json)).toMatchSnapshot(stack.name);
  });
});
