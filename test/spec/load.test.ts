import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadSpecFile, parseSpecText } from '../../lib/spec/load';
import { errorOf } from '../support/synth';

const dir = mkdtempSync(join(tmpdir(), 'gi-spec-'));

const VALID_YAML = `service: { name: chat, domain: inference.example.com }
model: { id: meta-llama/Llama-3.1-8B-Instruct, version: "1" }
regions:
  - { region: us-east-1, instanceType: g6e.xlarge, capacity: { min: 1, max: 2 } }
`;

describe('spec files', () => {
  test('YAML and JSON files load to the same spec', () => {
    writeFileSync(join(dir, 'a.yaml'), VALID_YAML);
    const fromYaml = loadSpecFile(join(dir, 'a.yaml'));
    writeFileSync(join(dir, 'a.json'), JSON.stringify({ service: fromYaml.service, models: fromYaml.models, regions: [{ region: 'us-east-1', instanceType: 'g6e.xlarge', capacity: { min: 1, max: 2 } }] }));
    expect(loadSpecFile(join(dir, 'a.json'))).toEqual(fromYaml);
  });

  test('problems carry file:line:column of the offending value', () => {
    const message = errorOf(() => parseSpecText(VALID_YAML.replace('min: 1', 'min: 3'), 'spec.yaml'));
    expect(message).toContain('regions[0].capacity.min: must be ≤ capacity.max (2), got: 3 (spec.yaml:4:69)');
  });

  test('fails when the file is not valid YAML or JSON, with the position', () => {
    expect(errorOf(() => parseSpecText('service: [unclosed', 'bad.yaml'))).toMatch(/\(file\): not valid YAML: .* \(bad\.yaml:\d+:\d+\)/);
    expect(errorOf(() => parseSpecText('{"service": ', 'bad.json'))).toMatch(/\(file\): not valid JSON: .* \(bad\.json:1:\d+\)/);
  });

  test('fails when a key is repeated (YAML would otherwise silently keep one)', () => {
    expect(errorOf(() => parseSpecText(`${VALID_YAML}service: { name: other, domain: x.example.com }\n`, 'dup.yaml'))).toContain('Map keys must be unique');
  });

  test('fails when the file does not exist', () => {
    expect(errorOf(() => loadSpecFile(join(dir, 'missing.yaml')))).toContain(`cannot read ${join(dir, 'missing.yaml')}: no such file`);
  });
});
