import { relative } from 'node:path';
import type { Finding, PolicyReport } from './types';
import { plural } from '../util/strings';

/** Options of {@link formatPolicyReport}. */
export interface FormatPolicyReportOptions {
  /** Directory file paths are shown relative to. @default process.cwd() */
  readonly cwd?: string;
  /** Include `info` findings (rules not evaluated and why). @default true */
  readonly showInfo?: boolean;
}

/**
 * The policy report as text for a terminal or CI log: a verdict line with counts, then per stack each finding
 * with its rule id, severity, resource (address and construct path), what is wrong and how to fix it.
 * Suppressed findings are listed with their reason.
 */
export function formatPolicyReport(report: PolicyReport, options: FormatPolicyReportOptions = {}): string {
  const cwd = options.cwd ?? process.cwd();
  const showInfo = options.showInfo ?? true;
  const verdict = report.ok ? 'Policy check passed' : 'Policy check FAILED';
  const lines = [
    `${verdict}: ${plural(report.errors, 'error')}, ${plural(report.warnings, 'warning')}, ` +
      `${report.suppressed} suppressed (${plural(report.rules.length, 'rule')} on ` +
      `${plural(report.stacks.length, 'stack')})`,
  ];
  for (const stack of report.stacks) {
    const file = stack.file ? ` ${relative(cwd, stack.file) || stack.file}` : '';
    lines.push(
      '',
      `${stack.stack}${file}: ${plural(stack.resourcesChecked, 'resource')} checked, service intent ${stack.context}`,
    );
    const shown = stack.findings.filter((f) => showInfo || f.severity !== 'info' || f.suppressed);
    if (shown.length === 0) lines.push('  no findings');
    for (const finding of shown) lines.push(...formatEntry(finding));
  }
  return lines.join('\n');
}

function formatEntry(finding: Finding): string[] {
  const label = finding.suppressed ? `suppressed ${finding.severity}` : finding.severity;
  const resource = finding.resource ? finding.resource.address : '(stack)';
  const out = [`  ${label.toUpperCase().padEnd(8)} ${finding.ruleId}  ${resource}`];
  const indent = '           ';
  if (finding.resource?.path) out.push(`${indent}at ${finding.resource.path}`);
  out.push(`${indent}${finding.message}`);
  if (finding.suppressed) out.push(`${indent}reason: ${finding.suppressed.reason}`);
  else if (finding.severity !== 'info') out.push(`${indent}fix: ${finding.fix}`);
  return out;
}
