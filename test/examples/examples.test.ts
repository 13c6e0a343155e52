import { buildDefaultExample } from '../../examples/default/main';
import { OFFLINE_EXAMPLES } from '../support/example-catalog';
import { snapshotView, synthExample } from '../support/examples';
import { distinctiveView, placeholdersOf } from '../support/regional-shape';

const defaults = synthExample(buildDefaultExample).stacks;
const defaultAws = snapshotView(defaults[0].json);
const defaultPlaceholders = placeholdersOf(defaults);

/**
 * Each example app's synthesized stacks, as reviewed snapshots of what distinguishes them: the routing resources
 * and the resources of types the default example does not have in full, every other resource as the attributes
 * in which it differs from the default example's resource of the same shape (test/support/regional-shape.ts).
 * The default example's full snapshot (default.test.ts) covers the rest; addresses.test.ts lists every address.
 */
describe.each(OFFLINE_EXAMPLES.filter((e) => e.name !== 'default').map((e) => [e.name, e] as const))(
  'example %s',
  (_name, example) => {
    const { stacks } = synthExample(example.build);
    const placeholders = placeholdersOf(stacks);

    test('synthesizes AWS stacks without data sources', () => {
      expect(stacks.length).toBeGreaterThan(0);
      expect(stacks.filter((s) => s.name.endsWith('-aws'))).toAllSatisfy((stack) => stack.json.data === undefined);
    });

    test('matches the reviewed snapshot of what distinguishes it from the default example', () => {
      for (const stack of stacks)
        expect(
          distinctiveView(snapshotView(stack.json), placeholders, defaultAws, defaultPlaceholders).view,
        ).toMatchSnapshot(stack.name);
    });

    test('every resource is in the snapshot or equal to a resource of the default example', () => {
      for (const stack of stacks) {
        const { sameShape, view } = distinctiveView(
          snapshotView(stack.json),
          placeholders,
          defaultAws,
          defaultPlaceholders,
        );
        const full = Object.values(view.resource as Record<string, object>).reduce(
          (n, byName) => n + Object.keys(byName).length,
          0,
        );
        const differs = Object.keys(view['differs from the default example (placeholder values)'] as object).length;
        const total = Object.values(stack.json.resource ?? {}).reduce(
          (n, byName) => n + Object.keys(byName as object).length,
          0,
        );
        expect(total).toBeGreaterThan(0);
        expect(sameShape.length + full + differs).toBe(total);
      }
    });
  },
);
