import { SpecValidationError } from '../spec/errors';

/** Errors that report a finding about the input, printed without a stack trace. */
const KNOWN_FAILURES = ['UsageError', 'SynthRefusedError', 'RoutingProofError'];

/**
 * Runs a command-line entry point: a known failure (an invalid spec or props) prints its report and exits 1,
 * without a stack trace; anything else is a bug and keeps its stack.
 */
export function runMain(main: () => void | Promise<void>): void {
  Promise.resolve()
    .then(main)
    .catch((error: unknown) => {
      if (error instanceof SpecValidationError || (error instanceof Error && KNOWN_FAILURES.includes(error.name))) {
        process.stderr.write(`${error.message}\n`);
      } else {
        process.stderr.write(`unexpected error (please report it): ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
      }
      process.exitCode = 1;
    });
}

/** An error in how a command was called; printed without a stack trace. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}
