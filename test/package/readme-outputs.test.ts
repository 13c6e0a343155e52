import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { outputBlocks, README_RUNS, staleOutputs } from '../../scripts/readme-outputs';

// Every command output README.md quotes is regenerated from a real run of the compiled CLI (npm test builds it) and
// compared: a change in behaviour fails here until `npm run readme` writes the new output into the README.
const README = readFileSync(join(__dirname, '..', '..', 'README.md'), 'utf8');

test('README.md quotes only outputs a run produces, and each run is quoted', () => {
  const names = outputBlocks(README).map((b) => b.name);
  expect(names.length).toBeGreaterThanOrEqual(8);
  expect([...new Set(names)].sort()).toEqual(Object.keys(README_RUNS).sort());
});

test('every output README.md quotes is what the command prints today (else: npm run readme)', () => {
  expect(staleOutputs(README)).toEqual([]);
});

test('an output that is not what the command prints is found stale', () => {
  const block = /<!-- output: help-validate -->\n[\s\S]*?<!-- \/output -->/.exec(README)![0];
  expect(staleOutputs(block)).toEqual([]);
  expect(staleOutputs(block.replace('--format text|json|sarif', '--format text|json'))).toEqual(['help-validate']);
});
