import { Refusal } from './refusal';

/**
 * Runs a command-line entry point: a refusal (an invalid spec or file, a refused synth, a usage error) prints its
 * report and exits 1, without a stack trace; anything else is a bug and keeps its stack.
 */
export function runMain(main: () => void | Promise<void>): void {
  Promise.resolve()
    .then(main)
    .catch((error: unknown) => {
      if (error instanceof Refusal) {
        process.stderr.write(`${error.message}\n`);
      } else {
        process.stderr.write(
          'unexpected error (please report it): ' +
            `${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
        );
      }
      process.exitCode = 1;
    });
}

/** An error in how a command was called; printed without a stack trace. */
export class UsageError extends Refusal {}
