import { OFFLINE_EXAMPLES } from '../support/example-catalog';
import { synthExample } from '../support/examples';

/**
 * Every resource address of every example, as a reviewed list: a refactoring that changes none must leave it as it
 * is (a changed address is a destroy and create in Terraform unless a `moved` block carries it).
 */
describe.each(OFFLINE_EXAMPLES.map((e) => [e.name, e] as const))('example %s', (_name, example) => {
  test('resource addresses', () => {
    const { stacks } = synthExample(example.build);
    const addresses = stacks.flatMap((s) =>
      Object.entries(s.json.resource ?? {}).flatMap(([type, byName]) =>
        Object.keys(byName as object).map((name) => `${s.name}: ${type}.${name}`),
      ),
    );
    expect(addresses.length).toBeGreaterThan(0);
    expect(addresses.sort()).toMatchSnapshot();
  });
});
