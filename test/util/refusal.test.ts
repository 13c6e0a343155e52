import { Refusal } from '../../lib/util/refusal';
import { SpecValidationError } from '../../lib/spec/errors';
import { RoutingProofError } from '../../lib/analysis/gate';
import { SynthRefusedError } from '../../lib/util/atomic-synth';

describe('Refusal: one type, recognised with instanceof', () => {
  test('every layer’s refusal is a Refusal; an ordinary error is not', () => {
    expect(new SpecValidationError([{ path: 'x', message: 'bad' }], 'spec')).toBeInstanceOf(Refusal);
    expect(new SynthRefusedError('no')).toBeInstanceOf(Refusal);
    expect(new Error('bug')).not.toBeInstanceOf(Refusal);
    expect('a string' as unknown).not.toBeInstanceOf(Refusal);
    expect(Object.create(Refusal.prototype) as unknown).not.toBeInstanceOf(Refusal);
  });

  test('a subclass keeps its own instanceof (a refusal of another layer is not a SynthRefusedError)', () => {
    expect(new SpecValidationError([{ path: 'x', message: 'bad' }], 'spec')).not.toBeInstanceOf(SynthRefusedError);
    expect(new SynthRefusedError('no')).toBeInstanceOf(SynthRefusedError);
    expect(RoutingProofError.prototype).toBeInstanceOf(Error);
  });

  test('a refusal made by a second copy of the package is a Refusal of this one', () => {
    let Other: typeof Refusal | undefined;
    jest.isolateModules(() => {
      Other = (require('../../lib/util/refusal') as typeof import('../../lib/util/refusal')).Refusal;
    });
    expect(Other).toBeDefined();
    expect(Other).not.toBe(Refusal);
    const foreign = new Other!('from the other copy');
    expect(foreign).toBeInstanceOf(Refusal);
    expect(new Refusal('ours')).toBeInstanceOf(Other!);
  });
});
