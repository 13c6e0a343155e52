/*
 * Refusals: errors that report a finding about the input (an invalid spec, a file that cannot be a spec, a synth the
 * checks refused, a wrong command line) rather than a bug. Every layer's refusal extends {@link Refusal}, so the
 * command line, the synth gate and an uncaught throw in a user's own program recognise them with
 * `error instanceof Refusal`, not by a list of class names or message prefixes.
 */
import { inspect } from 'node:util';

/** Set on every refusal; a symbol from the global registry, so two copies of the package still agree. */
const REFUSAL = Symbol.for('cdktf-global-inference.refusal');

/**
 * A finding about the input: its message is the whole report (what is wrong, where, what is allowed), printed
 * without a stack trace.
 *
 * Creating one arms a reporter for the current turn of the event loop: if it is thrown and nothing catches it (a
 * user's `main.ts` calling `app.synth()` or `loadSpecFile` at top level), the process prints the message and exits 1
 * instead of printing Node's crash report. Caught refusals are unaffected. `GI_STACK_TRACES=1` turns the reporter
 * off (Node's own report, with the trace, for debugging this library).
 */
export class Refusal extends Error {
  constructor(message: string) {
    super(message);
    Object.defineProperty(this, REFUSAL, { value: true });
    this.name = new.target.name;
    armUncaughtReporter();
  }

  /**
   * `x instanceof Refusal` is true for a refusal of any copy of this package (an app may load two: its own and
   * the one a dependency brings), recognised by a marker from the global symbol registry. Subclasses keep the
   * ordinary prototype test, so `instanceof SynthRefusedError` still means that class.
   */
  static override [Symbol.hasInstance](value: unknown): boolean {
    // A subclass keeps its own check: `this` is the class instanceof was asked about.
    // biome-ignore lint/complexity/noThisInStatic: `this` is the class instanceof was asked about.
    if (this !== Refusal) return Function.prototype[Symbol.hasInstance].call(this, value);
    return value instanceof Error && (value as unknown as Record<symbol, unknown>)[REFUSAL] === true;
  }
}

let armed = false;

/**
 * Listens for an uncaught exception until the next turn of the event loop. A refusal is printed as its message with
 * exit code 1; anything else is handed back to Node's default handling (printed with its stack, exit code 1).
 * Armed only while a refusal is young, so a program's own crash handling is left alone the rest of the time.
 */
function armUncaughtReporter(): void {
  if (armed || process.env.GI_STACK_TRACES === '1' || typeof process.on !== 'function') return;
  // A program that handles uncaught exceptions itself decides what they print.
  if (process.listenerCount('uncaughtException') > 0) return;
  armed = true;
  const handler = (error: unknown): void => {
    disarm();
    if (error instanceof Refusal) {
      process.stderr.write(`${error.message}\n`);
      process.exit(1);
    }
    // Not ours: what Node would have printed, and its exit code.
    process.stderr.write(
      `${error instanceof Error ? (error.stack ?? inspect(error)) : `Uncaught ${inspect(error)}`}\n`,
    );
    process.exit(1);
  };
  const disarm = (): void => {
    process.removeListener('uncaughtException', handler);
    armed = false;
  };
  process.on('uncaughtException', handler);
  // Unhandled rejections are raised as uncaught exceptions after the microtask queue drains, before this runs.
  setImmediate(disarm).unref();
}
