/*
 * `validate --format sarif`: the validation report as SARIF 2.1.0 for GitHub code scanning (and any SARIF viewer).
 * Rules: the spec schema, the four routing proofs and every policy rule, each with a description and help; results:
 * schema problems at their line in the spec, proof violations and policy findings at their resource (its line in
 * the stack's cdk.tf.json for a synthesized directory, the spec file for a spec), the Terraform addresses as logical
 * locations, the remedy in the message. Checked in the tests by Microsoft's SARIF multitool with GitHub's rules.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { PROOF_DESCRIPTIONS, PROOFS, type ProofName } from '../analysis/analyze';
import { DEFAULT_POLICY_PACKS, POLICY_ENGINE_FINDINGS, rulesOf } from '../policy/packs';
import type { Finding, Severity } from '../policy/types';
import type { ValidationReport } from './validation-report';

/** The rule id of a schema problem. */
export const SCHEMA_RULE_ID = 'GI-SPEC-SCHEMA';
/** The rule id of a routing proof's violations, e.g. `GI-PROOF-RESIDENCY`. */
export function proofRuleId(proof: ProofName): string {
  return `GI-PROOF-${proof.toUpperCase()}`;
}

const SARIF_SCHEMA = 'https://json.schemastore.org/sarif-2.1.0.json';
const INFORMATION_URI = 'https://www.npmjs.com/package/cdktf-global-inference';

type Level = 'error' | 'warning' | 'note';

interface SarifRule {
  readonly id: string;
  readonly name: string;
  readonly shortDescription: { readonly text: string };
  readonly fullDescription: { readonly text: string };
  readonly help: { readonly text: string; readonly markdown: string };
  readonly defaultConfiguration: { readonly level: Level };
  readonly properties: { readonly tags: readonly string[] };
}

interface Location {
  readonly uri: string;
  readonly line: number;
  readonly column?: number;
}

/** `GI-AWS-007` and `residency` read as `GiAws007`, `Residency`: SARIF asks for a Pascal-case friendly name. */
function friendlyName(id: string): string {
  return id
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((part) => part[0].toUpperCase() + part.slice(1).toLowerCase())
    .join('');
}

function rule(id: string, title: string, description: string, help: string, level: Level, tags: string[]): SarifRule {
  return {
    id,
    name: friendlyName(id),
    shortDescription: { text: title },
    fullDescription: { text: description },
    help: { text: help, markdown: help },
    defaultConfiguration: { level },
    properties: { tags },
  };
}

function levelOf(severity: Severity): Level {
  return severity === 'error' ? 'error' : severity === 'warning' ? 'warning' : 'note';
}

/** Every rule a result can name: schema, proofs, the default packs' rules and the engine's own findings. */
function catalog(): SarifRule[] {
  const rules = [
    rule(
      SCHEMA_RULE_ID,
      'The spec is valid',
      'The spec file parses and every field has an allowed value (types, ranges, known keys, cross-field rules).',
      'Fix the field the message names; the message says what was received and what is allowed.',
      'error',
      ['spec'],
    ),
    ...PROOFS.map((proof) =>
      rule(
        proofRuleId(proof),
        PROOF_DESCRIPTIONS[proof].title,
        PROOF_DESCRIPTIONS[proof].description,
        'The message names the scenario, the client groups and the path; its "to fix" part (also under What to ' +
          'do) is the change that makes the proof pass.',
        'error',
        ['routing', 'proof'],
      ),
    ),
    ...rulesOf(DEFAULT_POLICY_PACKS).map((r) =>
      rule(
        r.id,
        r.title,
        r.rationale,
        [
          r.note,
          r.checkov?.length ? `checkov: ${r.checkov.join(', ')}` : '',
          r.cdkNag?.length ? `cdk-nag: ${r.cdkNag.join(', ')}` : '',
        ]
          .filter(Boolean)
          .join('\n\n') || r.rationale,
        levelOf(r.severity),
        ['policy', r.id.startsWith('GI-CF') ? 'cloudflare' : 'aws'],
      ),
    ),
    ...Object.values(POLICY_ENGINE_FINDINGS).map((f) =>
      rule(f.id, f.title, f.rationale, f.rationale, 'error', ['policy']),
    ),
  ];
  return rules;
}

/** `file:line:col` (a spec problem's location) as a location, when it is one. */
function parseLocation(location: string | undefined): Location | undefined {
  const m = location ? /^(.*):(\d+):(\d+)$/.exec(location) : null;
  return m ? { uri: m[1], line: Number(m[2]), column: Number(m[3]) } : undefined;
}

/**
 * Line of each resource in the stack files (`type.name` -> file and line), read from the pretty-printed JSON cdktf
 * writes: a resource's name is a key two levels under `"resource"`.
 */
function resourceLines(report: ValidationReport): Map<string, Location> {
  const out = new Map<string, Location>();
  for (const stack of report.stacks) {
    if (!stack.file) continue;
    let text: string;
    try {
      text = readFileSync(stack.file, 'utf8');
    } catch {
      continue;
    }
    const lines = text.split('\n');
    let inResources = false;
    let type: string | undefined;
    lines.forEach((line, i) => {
      const key = /^( *)"((?:[^"\\]|\\.)*)": \{/.exec(line);
      if (!key) return;
      const depth = key[1].length / 2;
      if (depth === 1) inResources = key[2] === 'resource';
      else if (inResources && depth === 2) type = key[2];
      else if (inResources && depth === 3 && type) out.set(`${type}.${key[2]}`, { uri: stack.file!, line: i + 1 });
    });
  }
  return out;
}

/** A URI GitHub resolves against the checkout: relative, with forward slashes. */
function uriOf(path: string): string {
  return path.replace(/\\/g, '/').replace(/^\.\//, '');
}

function fingerprint(...parts: string[]): string {
  return createHash('sha256').update(parts.join('\u0000')).digest('hex').slice(0, 32);
}

/** The report as a SARIF 2.1.0 log (one run). */
export function validationSarif(report: ValidationReport): object {
  const rules = catalog();
  const index = new Map(rules.map((r, i) => [r.id, i]));
  // A finding of a rule outside the default packs (a pack of the user's own) brings its rule along.
  for (const stack of report.policy?.stacks ?? [])
    for (const f of stack.findings)
      if (!index.has(f.ruleId)) {
        index.set(f.ruleId, rules.length);
        rules.push(rule(f.ruleId, f.ruleId, f.rationale, f.fix, levelOf(f.severity), ['policy']));
      }
  const lines = resourceLines(report);
  const specFile = report.target.kind === 'spec' && report.target.path !== '<stdin>' ? report.target.path : undefined;
  const fallback: Location | undefined = specFile
    ? { uri: specFile, line: 1 }
    : report.stacks[0]?.file
      ? { uri: report.stacks[0].file, line: 1 }
      : undefined;
  const at = (addresses: readonly string[]): Location | undefined =>
    addresses.map((a) => lines.get(a)).find((l) => l !== undefined) ?? fallback;

  const result = (
    ruleId: string,
    level: Level,
    text: string,
    location: Location | undefined,
    addresses: readonly string[],
    extra: Record<string, unknown> = {},
  ) => ({
    ruleId,
    ruleIndex: index.get(ruleId),
    level,
    message: { text },
    locations: [
      {
        ...(location
          ? {
              physicalLocation: {
                artifactLocation: { uri: uriOf(location.uri) },
                region: { startLine: location.line, ...(location.column ? { startColumn: location.column } : {}) },
              },
            }
          : {}),
        ...(addresses.length > 0
          ? { logicalLocations: addresses.map((a) => ({ fullyQualifiedName: a, kind: 'resource' })) }
          : {}),
      },
    ],
    partialFingerprints: { 'globalInference/v1': fingerprint(ruleId, ...addresses, text) },
    ...extra,
  });

  const results = [
    ...report.schemaProblems.map((p) =>
      result(
        SCHEMA_RULE_ID,
        'error',
        `${p.path}: ${p.message}${p.received === undefined ? '' : `, got: ${p.received}`}`,
        parseLocation(p.location) ?? fallback,
        [],
      ),
    ),
    ...report.violations.map((v) =>
      result(proofRuleId(v.proof), 'error', v.message, at(v.resources), v.resources, {
        properties: { ...(v.remedy ? { remedy: v.remedy } : {}), scenarios: v.scenarios, clientGroups: v.clientGroups },
      }),
    ),
    ...(report.policy?.stacks ?? []).flatMap((stack) =>
      stack.findings
        .filter((f) => f.severity !== 'info' || f.suppressed)
        .map((f: Finding) => {
          const addresses = f.resource ? [f.resource.address] : [];
          const location = (f.resource && lines.get(f.resource.address)) || fallback;
          return result(f.ruleId, levelOf(f.severity), `${f.message}. Fix: ${f.fix}`, location, addresses, {
            ...(f.suppressed ? { suppressions: [{ kind: 'inSource', justification: f.suppressed.reason }] } : {}),
            properties: { stack: f.stack, ...(f.resource?.path ? { constructPath: f.resource.path } : {}) },
          });
        }),
    ),
  ];
  // Rules that could not run (no service intent, say) are notices about this run, not results.
  const notices = (report.policy?.stacks ?? []).flatMap((stack) =>
    stack.findings
      .filter((f) => f.severity === 'info' && !f.suppressed)
      .map((f) => ({ level: 'note', message: { text: `${stack.stack}: ${f.ruleId} ${f.message}` } })),
  );
  return {
    $schema: SARIF_SCHEMA,
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: report.tool.name,
            version: report.tool.version,
            semanticVersion: report.tool.version,
            informationUri: INFORMATION_URI,
            rules,
          },
        },
        invocations: [{ executionSuccessful: true, toolExecutionNotifications: notices }],
        results,
      },
    ],
  };
}
