/*
 * The report of `global-inference validate`, as data: the spec's schema problems, the routing proofs and their
 * violations, the worst failover, the policy pack's findings and what to do. Text, JSON and SARIF are renderings
 * of this one value, so the three formats cannot disagree.
 */
import { relative } from 'node:path';
import type { ProofResult, RoutingReport } from '../analysis/analyze';
import type { Violation } from '../analysis/model';
import { formatWhatToDo, whatToDo, type WhatToDo } from '../analysis/what-to-do';
import { formatPolicyReport } from '../policy/report';
import type { PolicyReport } from '../policy/types';
import { problemsText, type SpecProblem } from '../spec/errors';

/** Version of the JSON shape below; raised on any change a reader of the JSON would notice. */
export const VALIDATION_REPORT_VERSION = 1;

/** What was validated: a spec file (synthesized in a scratch directory) or a synthesized directory. */
export interface ValidationTarget {
  readonly kind: 'spec' | 'synth-output';
  /** As given on the command line (`<stdin>` for `-`). */
  readonly path: string;
}

/** The worst failover time of any routed path, and the budget it is held against. */
export interface WorstFailover {
  /** Seconds; null when nothing ever moves the clients off the failed region. */
  readonly seconds: number | null;
  readonly frontDoor: string;
  readonly region: string;
  readonly breakdown: string;
  /** `slo.failoverSeconds`; null when not set. */
  readonly budgetSeconds: number | null;
}

export interface ValidationReport {
  readonly reportVersion: typeof VALIDATION_REPORT_VERSION;
  readonly tool: { readonly name: string; readonly version: string };
  readonly target: ValidationTarget;
  /** No schema problem, no violated proof, no unsuppressed policy error. */
  readonly passed: boolean;
  /** One line on what was validated, e.g. `spec.yaml: schema valid (3 regions, ...); synthesized`. */
  readonly headline: string;
  /** Schema problems of a spec target (empty when valid, or for a synth-output target). */
  readonly schemaProblems: readonly SpecProblem[];
  /** Stacks checked, with their cdk.tf.json relative to the working directory (synth-output targets only). */
  readonly stacks: readonly { readonly name: string; readonly file?: string }[];
  readonly proofs: readonly Pick<ProofResult, 'name' | 'passed' | 'summary'>[];
  readonly violations: readonly Violation[];
  /** Absent when the checks did not run (an invalid spec) or no path is routed. */
  readonly worstFailover?: WorstFailover;
  readonly busiestOrigin?: { readonly origin: string; readonly requestsPerSecond: number };
  /** Absent when the checks did not run. Stack files relative to the working directory. */
  readonly policy?: PolicyReport;
  readonly whatToDo: WhatToDo;
}

export interface ChecksInput {
  readonly tool: ValidationReport['tool'];
  readonly target: ValidationTarget;
  readonly headline: string;
  readonly routing: RoutingReport;
  readonly policy: PolicyReport;
  /** Where stack files are shown relative to; files outside it (a scratch synth) are left out. @default cwd */
  readonly cwd?: string;
  /** Whether the stack files are worth naming (false for a spec synthesized in a scratch directory). */
  readonly showStackFiles: boolean;
}

/** The report of checks that ran: the proofs over the synthesized stacks and the policy pack. */
export function checksReport(input: ChecksInput): ValidationReport {
  const { routing, policy } = input;
  const cwd = input.cwd ?? process.cwd();
  const file = (f: string | undefined) => (f && input.showStackFiles ? relative(cwd, f) || f : undefined);
  const worst = [...routing.failoverPaths].sort((a, b) => b.seconds - a.seconds)[0];
  const probe = [...routing.probeLoad].sort((a, b) => b.requestsPerSecond - a.requestsPerSecond)[0];
  return {
    reportVersion: VALIDATION_REPORT_VERSION,
    tool: input.tool,
    target: input.target,
    passed: routing.violations.length === 0 && policy.ok,
    headline: input.headline,
    schemaProblems: [],
    stacks: policy.stacks.map((s) => ({ name: s.stack, ...(file(s.file) ? { file: file(s.file) } : {}) })),
    proofs: routing.proofs.map(({ name, passed, summary }) => ({ name, passed, summary })),
    violations: routing.violations,
    ...(worst
      ? {
          worstFailover: {
            seconds: Number.isFinite(worst.seconds) ? worst.seconds : null,
            frontDoor: worst.frontDoor,
            region: worst.region,
            breakdown: worst.breakdown,
            budgetSeconds: routing.sloFailoverSeconds ?? null,
          },
        }
      : {}),
    ...(probe ? { busiestOrigin: { origin: probe.origin, requestsPerSecond: probe.requestsPerSecond } } : {}),
    policy: { ...policy, stacks: policy.stacks.map(({ file: f, ...s }) => ({ ...s, file: file(f) })) },
    whatToDo: whatToDo(routing.violations, [policy]),
  };
}

/** The report of a spec the schema refused: its problems, and nothing checked after them. */
export function schemaReport(
  tool: ValidationReport['tool'],
  target: ValidationTarget,
  problems: readonly SpecProblem[],
): ValidationReport {
  return {
    reportVersion: VALIDATION_REPORT_VERSION,
    tool,
    target,
    passed: false,
    headline: problemsText(problems, target.path).split('\n')[0],
    schemaProblems: problems,
    stacks: [],
    proofs: [],
    violations: [],
    whatToDo: { remedies: [], unfixed: 0 },
  };
}

/** The report as text for a terminal or a CI log (Markdown-like headings). */
export function formatValidationText(report: ValidationReport): string {
  // A refused spec reads as synth prints it: one line for a file that is not a spec, else every problem.
  const out = [
    report.schemaProblems.length > 0 ? problemsText(report.schemaProblems, report.target.path) : report.headline,
  ];
  if (report.policy) {
    out.push(
      '',
      '## Routing proofs',
      ...report.proofs.map((p) => `- ${p.passed ? 'PASS' : 'FAIL'} ${p.name}: ${p.summary}`),
      ...report.violations.map((v) => `\n${v.message}`),
      '',
      worstFailoverText(report),
      '',
      '## Policy pack',
      formatPolicyReport(report.policy, { cwd: '.' }),
    );
  }
  const todo = formatWhatToDo(report.whatToDo, '## What to do\n');
  if (todo) out.push('', todo);
  out.push('', report.passed ? 'Result: passed' : 'Result: FAILED');
  return out.join('\n');
}

function worstFailoverText(report: ValidationReport): string {
  const w = report.worstFailover;
  const lines = [
    w
      ? `Worst failover: ${w.seconds === null ? 'never (nothing moves its clients)' : `${w.seconds} s`} ` +
        `(${w.frontDoor}, ${w.region}: ${w.breakdown}); budget ${w.budgetSeconds ?? 'not set'} s`
      : 'Worst failover: no routed path',
  ];
  const o = report.busiestOrigin;
  if (o) lines.push(`Busiest origin under health probes: ${o.origin} at ${o.requestsPerSecond.toFixed(2)} requests/s`);
  return lines.join('\n');
}
