/*
 * Failing synth on a violated proof: a function that throws (for a CLI or a test) and a construct validation that
 * makes `app.synth()` fail (cdktf runs node validations of each stack after its aspects).
 */
import { TerraformStack } from 'cdktf';
import type { IConstruct } from 'constructs';
import { analyzeRouting, type AnalysisOptions, type RoutingReport } from './analyze';
import type { AnalysisSource } from './input';
import type { Violation } from './model';

/** Thrown when a routing proof fails; carries the report. */
export class RoutingProofError extends Error {
  readonly report: RoutingReport;
  readonly violations: readonly Violation[];

  constructor(report: RoutingReport) {
    super(formatViolations(report.violations));
    this.name = 'RoutingProofError';
    this.report = report;
    this.violations = report.violations;
  }
}

/** `Routing proofs failed (2 violations):` and one line per violation (proof, scenario, client groups, resources). */
export function formatViolations(violations: readonly Violation[]): string {
  const byProof = new Map<string, number>();
  for (const v of violations) byProof.set(v.proof, (byProof.get(v.proof) ?? 0) + 1);
  const head = `Routing proofs failed (${violations.length} violation${violations.length === 1 ? '' : 's'}: ${[...byProof].map(([p, n]) => `${p} ${n}`).join(', ')}):`;
  return [head, ...violations.map((v) => `  - ${v.message}`)].join('\n');
}

/** Analyses the source and throws a {@link RoutingProofError} listing every violation; returns the report otherwise. */
export function assertRoutingProofs(source: AnalysisSource, options: AnalysisOptions = {}): RoutingReport {
  const report = analyzeRouting(source, options);
  if (report.violations.length > 0) throw new RoutingProofError(report);
  return report;
}

const MARK = Symbol.for('cdktf-global-inference.routing-proofs');

/**
 * Makes synth fail when a routing proof fails: adds a validation to every stack under `scope` (an app or a stack).
 * The analysis runs once, in the validation of the last of these stacks (cdktf synthesizes stacks in order and
 * runs each stack's aspects before its validations, so by then every stack is final), over all of them in memory;
 * each violation becomes one validation error (`[<stack path>] residency: ...`).
 */
export function addRoutingProofValidation(scope: IConstruct, options: AnalysisOptions = {}): void {
  const root = scope.node.root;
  const stacks = (TerraformStack.isStack(scope) ? [scope] : scope.node.findAll().filter((c): c is TerraformStack => TerraformStack.isStack(c))).filter(
    (s) => !(s as unknown as Record<symbol, boolean>)[MARK],
  );
  for (const stack of stacks) {
    (stack as unknown as Record<symbol, boolean>)[MARK] = true;
    stack.node.addValidation({
      validate: () => {
        const marked = root.node.findAll().filter((c): c is TerraformStack => TerraformStack.isStack(c) && (c as unknown as Record<symbol, boolean>)[MARK]);
        if (marked[marked.length - 1] !== stack) return [];
        const all = root.node.findAll().filter((c): c is TerraformStack => TerraformStack.isStack(c));
        return analyzeRouting(all.length > 0 ? root : stack, options).violations.map((v) => v.message);
      },
    });
  }
}
