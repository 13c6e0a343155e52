/* The solver behind the reachability proofs, held against brute force on random formulas. */
import fc from 'fast-check';
import {
  and,
  atLeast,
  atom,
  evaluate,
  FALSE,
  not,
  or,
  satisfy,
  TRUE,
  type Formula,
  type HealthAtom,
} from '../../lib/analysis/health';

const ATOMS: HealthAtom[] = ['a', 'b', 'c', 'd', 'e', 'f'].map((id) => ({
  id: `test:${id}`,
  label: id,
  resource: id,
  region: id === 'a' || id === 'b' ? 'r1' : undefined,
}));

const formula: fc.Arbitrary<Formula> = fc.letrec<{ f: Formula }>((tie) => ({
  f: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.constantFrom(...ATOMS).map(atom),
    fc.constantFrom(TRUE, FALSE),
    tie('f').map(not),
    fc.array(tie('f'), { minLength: 1, maxLength: 4 }).map((fs) => and(...fs)),
    fc.array(tie('f'), { minLength: 1, maxLength: 4 }).map((fs) => or(...fs)),
    fc
      .tuple(fc.integer({ min: 0, max: 4 }), fc.array(tie('f'), { minLength: 1, maxLength: 4 }))
      .map(([k, fs]) => atLeast(k, fs)),
  ),
})).f;

function* assignments(fixed?: (a: HealthAtom) => boolean | undefined): Generator<(a: HealthAtom) => boolean> {
  for (let mask = 0; mask < 1 << ATOMS.length; mask++) {
    const value = (a: HealthAtom) => (mask & (1 << ATOMS.indexOf(a))) !== 0;
    if (fixed && ATOMS.some((a) => fixed(a) !== undefined && fixed(a) !== value(a))) continue;
    yield value;
  }
}

describe('satisfy', () => {
  it(
    'is sat exactly when some assignment makes every formula true, and its assignment does so whatever the free ' +
      'atoms are',
    () => {
      fc.assert(
        fc.property(fc.array(formula, { minLength: 1, maxLength: 3 }), fc.boolean(), (fs, pinRegion) => {
          // Pinning r1 up (its atoms healthy), as the failover-time proof does for a path's own region.
          const fixed = pinRegion ? (a: HealthAtom) => (a.region === 'r1' ? true : undefined) : undefined;
          const brute = [...assignments(fixed)].some((v) => fs.every((f) => evaluate(f, v)));
          const r = satisfy(fs, { fixed });
          expect(r.status).toBe(brute ? 'sat' : 'unsat');
          if (r.status === 'sat') {
            for (const fill of [true, false]) {
              const v = (a: HealthAtom) => r.assignment.get(a.id)?.healthy ?? fixed?.(a) ?? fill;
              expect(fs).toAllSatisfy((f) => evaluate(f, v));
            }
          }
        }),
        { numRuns: 2000 },
      );
    },
  );

  it('decides long conjunctions over many atoms without enumerating them (the "every record unhealthy" case)', () => {
    const many = Array.from({ length: 60 }, (_, i) => ({ id: `test:m${i}`, label: `m${i}`, resource: `m${i}` }));
    const healthy = many.map((a, i) => and(atom(a), atom(many[(i + 1) % many.length])));
    const allDown = healthy.map(not);
    expect(satisfy([...allDown, or(...healthy)], { budget: 20_000 }).status).toBe('unsat');
    expect(satisfy([...allDown.slice(1), healthy[0]], { budget: 20_000 }).status).toBe('sat');
  });
});
