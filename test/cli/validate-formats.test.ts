/*
 * `validate --format text|json|sarif` (issue 12 item 2): one report in three renderings, always on stdout, exit 1
 * when a check fails; the SARIF is checked by Microsoft's SARIF multitool with GitHub's ingestion rules, and each
 * result's location is checked against the file it names. The compiled bin is run as users run it.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { buildExampleApp } from '../../examples/example-app';
import { buildLeakyResidencyExample } from '../../examples/leaky-residency/main';
import { synthToTemp } from '../analysis/fixtures';
import { validateSarif } from '../support/sarif-validator';

const root = join(__dirname, '..', '..');
const cli = join(root, 'dist', 'bin', 'cli.js');
const cwd = mkdtempSync(join(tmpdir(), 'gi-formats-'));

function run(...args: string[]) {
  const result = spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8', cwd });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

interface SarifResult {
  ruleId: string;
  ruleIndex: number;
  level: string;
  message: { text: string };
  locations: {
    physicalLocation?: { artifactLocation: { uri: string }; region: { startLine: number } };
    logicalLocations?: { fullyQualifiedName: string }[];
  }[];
  suppressions?: { kind: string; justification: string }[];
  properties?: Record<string, unknown>;
}
interface SarifLog {
  version: string;
  runs: { tool: { driver: { name: string; version: string; rules: { id: string }[] } }; results: SarifResult[] }[];
}

/** A synthesized default example with two hand edits: a world-open model port, and one more with a suppression. */
function synthWithPolicyFindings(): { dir: string; open: string; suppressed: string } {
  const dir = synthToTemp((o) => buildExampleApp('default', o, { proofs: false, policy: false }));
  const file = join(dir, 'stacks', 'chat-aws', 'cdk.tf.json');
  const json = JSON.parse(readFileSync(file, 'utf8'));
  const rules = json.resource.aws_vpc_security_group_ingress_rule as Record<string, Record<string, unknown>>;
  const [open, suppressed] = Object.keys(rules).filter((name) => name.includes('InstancesFromAlb-8000'));
  for (const name of [open, suppressed]) {
    delete rules[name].referenced_security_group_id;
    rules[name].cidr_ipv4 = '0.0.0.0/0';
  }
  (rules[suppressed]['//'] as Record<string, unknown>).gi_suppressions = [
    { id: 'GI-AWS-007', reason: 'a load test from a fixed range, closed after the test' },
  ];
  writeFileSync(file, JSON.stringify(json, null, 2));
  return {
    dir,
    open: `aws_vpc_security_group_ingress_rule.${open}`,
    suppressed: `aws_vpc_security_group_ingress_rule.${suppressed}`,
  };
}

/** Every result points at a line that is there, in a file given relative to the working directory. */
function expectLocationsResolve(log: SarifLog): void {
  const { rules } = log.runs[0].tool.driver;
  for (const r of log.runs[0].results) {
    expect(rules[r.ruleIndex].id).toBe(r.ruleId);
    const physical = r.locations[0].physicalLocation!;
    expect(physical.artifactLocation.uri).not.toMatch(/^\/|\\/);
    const lines = readFileSync(join(cwd, physical.artifactLocation.uri), 'utf8').split('\n');
    expect(physical.region.startLine).toBeGreaterThanOrEqual(1);
    expect(physical.region.startLine).toBeLessThanOrEqual(lines.length);
    // A resource's result is on the line that opens the resource.
    const address = r.locations[0].logicalLocations?.[0]?.fullyQualifiedName;
    if (address && physical.artifactLocation.uri.endsWith('.tf.json'))
      expect(lines[physical.region.startLine - 1]).toContain(`"${address.split('.').slice(1).join('.')}": {`);
  }
}

/** The SARIF multitool finds nothing at error or warning level (GitHub ingestion rules included). */
function expectAcceptedByValidator(text: string): void {
  const findings = validateSarif(text).filter((f) => f.level === 'error' || f.level === 'warning');
  expect(findings).toEqual([]);
}

describe('validate --format json', () => {
  test('a passing spec: the report as data, exit 0, nothing on stderr', () => {
    const result = run('validate', join(root, 'examples', 'default', 'spec.yaml'), '--format', 'json');
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const report = JSON.parse(result.stdout);
    expect(report).toMatchObject({
      reportVersion: 1,
      tool: { name: 'global-inference' },
      target: { kind: 'spec' },
      passed: true,
      schemaProblems: [],
      violations: [],
      whatToDo: { remedies: [], unfixed: 0 },
      policy: { ok: true, errors: 0 },
    });
    expect(report.proofs.map((p: { name: string; passed: boolean }) => [p.name, p.passed])).toEqual([
      ['residency', true],
      ['availability', true],
      ['failover-time', true],
      ['probe-load', true],
    ]);
    expect(report.worstFailover).toMatchObject({ seconds: 90, budgetSeconds: 180 });
  });

  test('a failing spec: its violations with remedies, what to do, exit 1', () => {
    const result = run('validate', join(root, 'examples', 'slow-failover', 'spec.yaml'), '--format', 'json');
    expect(result.code).toBe(1);
    expect(result.stderr).toBe('');
    const report = JSON.parse(result.stdout);
    expect(report.passed).toBe(false);
    expect(report.violations.length).toBeGreaterThan(0);
    expect(report.violations).toAllSatisfy((v: { proof: string; remedy?: string }) => v.proof === 'failover-time');
    expect(report.whatToDo.remedies).toEqual([
      { action: report.violations[0].remedy, fixes: [`failover-time (${report.violations.length} violations)`] },
    ]);
  });

  test('a spec the schema refuses: its problems with their locations, nothing checked, exit 1', () => {
    const spec = join(cwd, 'bad.yaml');
    writeFileSync(spec, 'service: { name: chat, domain: inference.example.com }\nregions: 3\nnotAKey: 1\n');
    const result = run('validate', spec, '--format', 'json');
    expect(result.code).toBe(1);
    expect(result.stderr).toBe('');
    const report = JSON.parse(result.stdout);
    expect(report.passed).toBe(false);
    expect(report.proofs).toEqual([]);
    expect(report.policy).toBeUndefined();
    expect(report.schemaProblems).toContainEqual(
      expect.objectContaining({ path: 'notAKey', location: `${spec}:3:1`, about: 'key' }),
    );
    expect(report.schemaProblems).toContainEqual(
      expect.objectContaining({ path: 'regions', location: `${spec}:2:10` }),
    );
  });
});

describe('validate --format sarif', () => {
  test('the validator refuses what GitHub would not ingest: a rule without help, a result without a place', () => {
    const log = {
      version: '2.1.0',
      runs: [
        {
          tool: { driver: { name: 'x', rules: [{ id: 'R1', shortDescription: { text: 'r' } }] } },
          results: [{ ruleId: 'R1', level: 'error', message: { text: 'bad' } }],
        },
      ],
    };
    const errors = validateSarif(JSON.stringify(log)).filter((f) => f.level === 'error');
    expect(errors.map((e) => e.ruleId)).toEqual(expect.arrayContaining(['GH2012', 'GH1017']));
  });

  test('proof violations at their records in the synthesized JSON, accepted by the SARIF validator', () => {
    const dir = synthToTemp((o) => buildLeakyResidencyExample(o, { proofs: false, policy: false }));
    const result = run('validate', relative(cwd, dir), '--format', 'sarif');
    expect(result.code).toBe(1);
    expect(result.stderr).toBe('');
    const log = JSON.parse(result.stdout) as SarifLog;
    expect(log.version).toBe('2.1.0');
    const residency = log.runs[0].results.filter((r) => r.ruleId === 'GI-PROOF-RESIDENCY');
    expect(residency.length).toBeGreaterThan(0);
    expect(residency).toAllSatisfy(
      (r) =>
        r.level === 'error' &&
        r.message.text.startsWith('residency: ') &&
        r.locations[0].physicalLocation!.artifactLocation.uri.endsWith('stacks/chat-leaky-aws/cdk.tf.json') &&
        (r.locations[0].logicalLocations ?? []).length > 0 &&
        typeof r.properties?.remedy === 'string',
    );
    expectLocationsResolve(log);
    expectAcceptedByValidator(result.stdout);
  });

  test('policy findings at their resource, a suppressed one with its justification', () => {
    const { dir, open, suppressed } = synthWithPolicyFindings();
    const result = run('validate', relative(cwd, dir), '--format', 'sarif');
    expect(result.code).toBe(1);
    const log = JSON.parse(result.stdout) as SarifLog;
    const at = (address: string) =>
      log.runs[0].results.filter(
        (r) => r.ruleId === 'GI-AWS-007' && r.locations[0].logicalLocations?.[0]?.fullyQualifiedName === address,
      );
    expect(at(open)).toHaveLength(1);
    expect(at(open)[0]).toMatchObject({ level: 'error', properties: { stack: 'chat-aws' } });
    expect(at(open)[0].message.text).toMatch(/0\.0\.0\.0\/0.*Fix: /);
    expect(at(open)[0].suppressions).toBeUndefined();
    expect(at(suppressed)).toHaveLength(1);
    expect(at(suppressed)[0].suppressions).toEqual([
      { kind: 'inSource', justification: 'a load test from a fixed range, closed after the test' },
    ]);
    expectLocationsResolve(log);
    expectAcceptedByValidator(result.stdout);
  });

  test('schema problems at their line in the spec; a passing spec gives a log without results', () => {
    const spec = 'bad.yaml';
    writeFileSync(join(cwd, spec), 'service: { name: chat, domain: inference.example.com }\nregions: 3\nnotAKey: 1\n');
    const refused = run('validate', spec, '--format', 'sarif');
    expect(refused.code).toBe(1);
    const log = JSON.parse(refused.stdout) as SarifLog;
    const unknown = log.runs[0].results.find((r) => r.message.text.startsWith('notAKey: is not a known key'));
    expect(unknown).toMatchObject({
      ruleId: 'GI-SPEC-SCHEMA',
      locations: [{ physicalLocation: { artifactLocation: { uri: 'bad.yaml' }, region: { startLine: 3 } } }],
    });
    expectLocationsResolve(log);
    expectAcceptedByValidator(refused.stdout);

    const passing = run('validate', join(root, 'examples', 'default', 'spec.yaml'), '--format', 'sarif');
    expect(passing.code).toBe(0);
    const clean = JSON.parse(passing.stdout) as SarifLog;
    expect(clean.runs[0].results).toEqual([]);
    // Every rule a result could name is described, so a code-scanning view can explain it.
    const ids = clean.runs[0].tool.driver.rules.map((r) => r.id);
    expect(ids).toEqual(expect.arrayContaining(['GI-SPEC-SCHEMA', 'GI-PROOF-RESIDENCY', 'GI-AWS-007']));
    expectAcceptedByValidator(passing.stdout);
  });
});

describe('one convention for output', () => {
  test('an unknown format, or --format elsewhere, is a usage error on stderr with nothing on stdout', () => {
    const spec = join(root, 'examples', 'default', 'spec.yaml');
    expect(run('validate', spec, '--format', 'xml')).toEqual({
      code: 1,
      stdout: '',
      stderr: "--format: got 'xml'; allowed: text, json, sarif\n",
    });
    expect(run('explain', cwd, '--format', 'json')).toMatchObject({ code: 1, stdout: '' });
  });

  test('What to do: the same list after a refused synth, in validate and in explain', () => {
    const spec = join(root, 'examples', 'slow-failover', 'spec.yaml');
    const todo = (text: string) => text.slice(text.indexOf('1. the budget cannot be met')).split('\n')[0];
    const synth = run('synth', spec, '--out', join(cwd, 'refused'));
    expect(synth.stderr).toContain('\nWhat to do:\n  1. the budget cannot be met by Route53 DNS failover');
    const validate = run('validate', spec);
    expect(validate.stdout).toContain('\n## What to do\n');
    expect(todo(validate.stdout)).toBe(todo(synth.stderr));
    const dir = synthToTemp((o) => buildExampleApp('slow-failover', o, { proofs: false, policy: false }));
    const explain = run('explain', dir);
    expect(explain.code).toBe(1);
    expect(todo(explain.stdout)).toBe(todo(synth.stderr));
  });
});
