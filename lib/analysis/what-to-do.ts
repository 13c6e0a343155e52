/*
 * "What to do": the changes that make failed checks pass, each once, with what it fixes. Synth's refusal, validate's
 * report (every format) and explain end with the same list, built here.
 */
import type { PolicyReport } from '../policy/types';
import { plural } from '../util/strings';
import type { Violation } from './model';

/** One change to make, and the failures it fixes. */
export interface Remedy {
  /** What to change, as the proof or rule says it. */
  readonly action: string;
  /** What it fixes: proof names with a count, or policy rule ids with the resource, e.g. `GI-AWS-007 aws_lb.X`. */
  readonly fixes: readonly string[];
}

/** What to do about failed checks; `unfixed` counts violations no single change fixes (their message says why). */
export interface WhatToDo {
  readonly remedies: readonly Remedy[];
  readonly unfixed: number;
}

/**
 * The remedies of violated proofs and of unsuppressed policy errors and warnings, in the order the checks report
 * them; one entry per distinct change, listing everything it fixes.
 */
export function whatToDo(violations: readonly Violation[], policy: readonly PolicyReport[] = []): WhatToDo {
  // Per action: the violations it fixes counted by proof, then the findings it fixes, in first-seen order.
  const actions = new Map<string, { proofs: Map<string, number>; findings: string[] }>();
  const entry = (action: string) => {
    let e = actions.get(action);
    if (!e) actions.set(action, (e = { proofs: new Map(), findings: [] }));
    return e;
  };
  const unfixed = violations.filter((v) => !v.remedy).length;
  for (const v of violations) {
    if (!v.remedy) continue;
    const { proofs } = entry(v.remedy);
    proofs.set(v.proof, (proofs.get(v.proof) ?? 0) + 1);
  }
  for (const report of policy)
    for (const stack of report.stacks)
      for (const f of stack.findings) {
        if (f.suppressed || f.severity === 'info') continue;
        const { findings } = entry(f.fix);
        const label = `${f.ruleId} ${f.resource?.address ?? stack.stack}`;
        if (!findings.includes(label)) findings.push(label);
      }
  const remedies = [...actions].map(([action, e]) => ({
    action,
    fixes: [...[...e.proofs].map(([proof, n]) => `${proof} (${plural(n, 'violation')})`), ...e.findings],
  }));
  return { remedies, unfixed };
}

/** The list as text (`What to do:` and numbered changes), or '' when there is nothing to do. */
export function formatWhatToDo(todo: WhatToDo, heading = 'What to do:'): string {
  if (todo.remedies.length === 0 && todo.unfixed === 0) return '';
  const lines = [heading];
  todo.remedies.forEach((r, i) => {
    lines.push(`  ${i + 1}. ${r.action}`, `     fixes: ${r.fixes.join(', ')}`);
  });
  if (todo.unfixed > 0)
    lines.push(
      `  ${todo.remedies.length + 1}. ${plural(todo.unfixed, 'violation')} ${todo.unfixed === 1 ? 'has' : 'have'} ` +
        'no single fix: read the path and resources in the message above',
    );
  return lines.join('\n');
}
