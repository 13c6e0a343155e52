import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** One finding of Microsoft's SARIF validator about a SARIF log. */
export interface SarifValidatorResult {
  readonly ruleId: string;
  /** error, warning or note (a rule of the validator without a level is a warning). */
  readonly level: string;
  readonly message: string;
}

/**
 * Runs Microsoft's SARIF multitool (`validate`, the checker GitHub's documentation points to) on a SARIF log, with
 * the SARIF rules and GitHub's ingestion rules (`--rule-kind "Gh;Sarif"`), and returns what it found.
 */
export function validateSarif(log: string): SarifValidatorResult[] {
  const binary = require('@microsoft/sarif-multitool') as string;
  const dir = mkdtempSync(join(tmpdir(), 'gi-sarif-'));
  try {
    const input = join(dir, 'log.sarif');
    const output = join(dir, 'validation.sarif');
    writeFileSync(input, log);
    // No shell: the rule kinds hold a semicolon.
    const run = spawnSync(binary, ['validate', input, '--rule-kind', 'Gh;Sarif', '--output', output], {
      encoding: 'utf8',
      timeout: 120_000,
    });
    if (run.status !== 0) throw new Error(`the SARIF multitool failed (${run.status}): ${run.stdout}${run.stderr}`);
    const validation = JSON.parse(readFileSync(output, 'utf8')) as {
      runs: { results?: { ruleId: string; level?: string; message: { id?: string; arguments?: string[] } }[] }[];
    };
    return (validation.runs[0].results ?? []).map((r) => ({
      ruleId: r.ruleId,
      level: r.level ?? 'warning',
      message: [r.message.id, ...(r.message.arguments ?? [])].join(' '),
    }));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
