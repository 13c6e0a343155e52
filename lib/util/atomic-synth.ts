import { cpSync, existsSync, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import type { App } from 'cdktf';

/** Synth was refused by a check (policy finding, routing proof, validation): a finding, not a crash. */
export class SynthRefusedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SynthRefusedError';
  }
}

/** Errors a check throws to refuse the output (a finding, not a crash). */
const REFUSING_ERRORS = ['RoutingProofError', 'PolicyCheckError', 'SpecValidationError'];

const REFUSALS = [/^Validation failed with the following errors:/, /^Encountered Annotations with level "ERROR":/];

/**
 * Synthesizes into a sibling temp directory and copies the result into `outdir` only when synth succeeds, so a
 * refused synth (policy finding, routing proof) leaves the previous output untouched: nothing is half-written.
 * Files are copied over rather than the directory replaced, so Terraform's `.terraform` dirs in stack directories
 * survive; stacks that no longer exist are removed.
 */
export function synthAtomically(build: (outdir: string) => App, outdir: string, check?: (stagedOutdir: string) => void): void {
  const target = resolve(outdir);
  const staging = join(dirname(target), `.${basename(target)}.staging-${process.pid}`);
  rmSync(staging, { recursive: true, force: true });
  try {
    build(staging).synth();
  } catch (error) {
    rmSync(staging, { recursive: true, force: true });
    const message = error instanceof Error ? error.message : String(error);
    if (REFUSALS.some((re) => re.test(message))) throw new SynthRefusedError(`synth refused, nothing was written:\n${withoutBypassHints(message)}${remedies(message)}`);
    throw error;
  }
  if (check) {
    try {
      // Checks on the written JSON cost one read, where in-synth checks re-resolve every token of every stack.
      check(staging);
    } catch (error) {
      rmSync(staging, { recursive: true, force: true });
      if (error instanceof Error && REFUSING_ERRORS.includes(error.name)) {
        throw new SynthRefusedError(`synth refused, nothing was written:\n${error.message.trim()}${remedies(error.message)}`);
      }
      throw error;
    }
  }
  mkdirSync(target, { recursive: true });
  const stacksDir = join(target, 'stacks');
  const fresh = new Set(existsSync(join(staging, 'stacks')) ? readdirSync(join(staging, 'stacks')) : []);
  if (existsSync(stacksDir)) {
    for (const stack of readdirSync(stacksDir)) if (!fresh.has(stack)) rmSync(join(stacksDir, stack), { recursive: true, force: true });
  }
  cpSync(staging, target, { recursive: true, force: true, filter: (src) => !statSync(src).isSymbolicLink() });
  rmSync(staging, { recursive: true, force: true });
}

/** cdktf's error text ends with how to skip the checks; a refusal here should be fixed, not bypassed. */
function withoutBypassHints(message: string): string {
  return message
    .split('\n')
    .filter((line) => !/skipValidation|CDKTF_CONTINUE_SYNTH_ON_ERROR_ANNOTATIONS/.test(line))
    .join('\n')
    .trim();
}

/** What to do about the refusals that have one obvious remedy. */
function remedies(message: string): string {
  const hints: string[] = [];
  if (/(\] |^\s*- )availability: /m.test(message)) {
    hints.push('availability: add a region that can take over, or set slo.survivesRegionFailure: false to accept that a region failure is an outage');
  }
  if (/(\] |^\s*- )failover-time: /m.test(message)) {
    hints.push('failover-time: lower health.intervalSeconds × health.failureThreshold (or the Cloudflare monitor interval), or raise slo.failoverSeconds');
  }
  return hints.length > 0 ? `\n\nWhat to do:\n${hints.map((h) => `  - ${h}`).join('\n')}` : '';
}
