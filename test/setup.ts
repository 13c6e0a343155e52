import { Testing } from '../lib/util/cdktf';

// cdktf's matchers: toHaveResource, toHaveResourceWithProperties, toBeValidTerraform, ...
Testing.setupJest();

/*
 * Assertions over every element of a list fail on an empty list: `list.every(p)` is true of nothing, so a filter
 * that matched nothing (a renamed resource, a changed type) would pass silently.
 */
expect.extend({
  toAllSatisfy(received: unknown, predicate: (item: never, index: number) => boolean) {
    if (!Array.isArray(received))
      return { pass: false, message: () => `expected an array, got ${this.utils.printReceived(received)}` };
    if (received.length === 0)
      return {
        pass: false,
        message: () => 'expected a non-empty list whose every element satisfies the predicate, got an empty list',
      };
    const failing = received.findIndex((item, i) => !predicate(item as never, i));
    return {
      pass: failing < 0,
      message: () =>
        failing < 0
          ? 'expected some element not to satisfy the predicate'
          : `element ${failing} does not satisfy the predicate: ${this.utils.printReceived(received[failing])}`,
    };
  },
  toNoneSatisfy(received: unknown, predicate: (item: never, index: number) => boolean) {
    if (!Array.isArray(received))
      return { pass: false, message: () => `expected an array, got ${this.utils.printReceived(received)}` };
    if (received.length === 0)
      return {
        pass: false,
        message: () => 'expected a non-empty list none of whose elements satisfies the predicate, got an empty list',
      };
    const matching = received.findIndex((item, i) => predicate(item as never, i));
    return {
      pass: matching < 0,
      message: () =>
        matching < 0
          ? 'expected some element to satisfy the predicate'
          : `element ${matching} satisfies the predicate: ${this.utils.printReceived(received[matching])}`,
    };
  },
});
