/*
 * Failing synth on a violated proof or policy finding:
 * - the synth gate (`gateSynth`): `app.synth()` of an app holding a GlobalInferenceService writes its output all or
 *   nothing, after the policy pack and the routing proofs pass on the staged JSON (the path users take);
 * - a function that throws (`assertRoutingProofs`, for a CLI or a test);
 * - a construct validation (`addRoutingProofValidation`) for apps that want cdktf's own validation path.
 */
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { AnnotationMetadataEntryType, App, Manifest, TerraformStack } from '../util/cdktf';
import type { IConstruct } from 'constructs';
import { checkStack, summarize } from '../policy/engine';
import { DEFAULT_POLICY_PACKS, rulesOf } from '../policy/packs';
import { formatPolicyReport } from '../policy/report';
import type { PolicyOptions, PolicyReport } from '../policy/types';
import type { GlobalInferenceSpec } from '../spec/schema';
import {
  isStagingDir,
  synthRefusingOnValidation,
  SynthRefusedError,
  writeOutputAtomically,
} from '../util/atomic-synth';
import { Refusal } from '../util/refusal';
import { readSynthOutput } from '../util/synth-output';
import { analyzeRouting, type AnalysisOptions, type RoutingReport } from './analyze';
import type { AnalysisSource } from './input';
import type { Violation } from './model';
import { plural } from '../util/strings';
import { formatWhatToDo, whatToDo } from './what-to-do';

/** Thrown when a routing proof fails; carries the report. */
export class RoutingProofError extends Refusal {
  /** The analysis whose proofs failed: every answer, path and proof result, for a caller that reports them itself. */
  readonly report: RoutingReport;
  /** Every violation of `report` (`report.violations`), as the message lists them. */
  readonly violations: readonly Violation[];

  constructor(report: RoutingReport) {
    super(`${formatViolations(report.violations)}\n\n${formatWhatToDo(whatToDo(report.violations))}`);
    this.report = report;
    this.violations = report.violations;
  }
}

/** `Routing proofs failed (2 violations):` and one line per violation (proof, scenario, client groups, resources). */
export function formatViolations(violations: readonly Violation[]): string {
  const byProof = new Map<string, number>();
  for (const v of violations) byProof.set(v.proof, (byProof.get(v.proof) ?? 0) + 1);
  const head =
    `Routing proofs failed (${plural(violations.length, 'violation')}: ` +
    `${[...byProof].map(([p, n]) => `${p} ${n}`).join(', ')}):`;
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
  const stacks = (
    TerraformStack.isStack(scope)
      ? [scope]
      : scope.node.findAll().filter((c): c is TerraformStack => TerraformStack.isStack(c))
  ).filter((s) => !(s as unknown as Record<symbol, boolean>)[MARK]);
  for (const stack of stacks) {
    (stack as unknown as Record<symbol, boolean>)[MARK] = true;
    stack.node.addValidation({
      validate: () => {
        const marked = root.node
          .findAll()
          .filter(
            (c): c is TerraformStack => TerraformStack.isStack(c) && (c as unknown as Record<symbol, boolean>)[MARK],
          );
        if (marked[marked.length - 1] !== stack) return [];
        const all = root.node.findAll().filter((c): c is TerraformStack => TerraformStack.isStack(c));
        return analyzeRouting(all.length > 0 ? root : stack, options).violations.map((v) => v.message);
      },
    });
  }
}

// ------------------------------------------------------------------------------------------------ the synth gate

/** Options of the policy pack as the gate runs it. */
export interface PolicyCheckOptions extends PolicyOptions {
  /** Refuse synth on unsuppressed `error` findings; with false they are reported and synth goes on. @default true */
  readonly failOnError?: boolean;
}

/** What `app.synth()` checks before it writes an app holding a GlobalInferenceService. */
export interface SynthChecks {
  /**
   * The policy pack (lib/policy/RULES.md) on the service's stacks: unsuppressed errors refuse synth, listing every
   * finding. `false` skips it.
   * @default - every rule of the default packs
   */
  readonly policy?: PolicyCheckOptions | false;
  /**
   * The routing proofs on the whole synthesized app (residency, availability, failover time, probe load): a violation
   * refuses synth, naming the scenario, client groups and resources. `false` skips them.
   * @default - the proofs the spec asks for (availability only when `slo.survivesRegionFailure`)
   */
  readonly proofs?: AnalysisOptions | false;
}

/** One service's claim on the gate: its stacks and its checks. */
export interface SynthGateRegistration {
  /** Names of the stacks the policy pack checks (the service's, and its Cloudflare stack). */
  readonly stacks: readonly string[];
  readonly policy: PolicyCheckOptions | false;
  readonly proofs: AnalysisOptions | false;
}

/** The checks refused synth; nothing was written. Carries the reports. */
export class SynthChecksFailedError extends SynthRefusedError {
  constructor(
    message: string,
    /** Policy reports that failed (one per service). */
    readonly policy: readonly PolicyReport[],
    /** Routing reports with violations. */
    readonly routing: readonly RoutingReport[],
  ) {
    super(message);
  }
}

/** The proofs a spec asks for: all of them, minus availability when the spec accepts a region failure as an outage. */
export function proofOptionsFor(spec: GlobalInferenceSpec, options: AnalysisOptions = {}): AnalysisOptions {
  const accepted = spec.slo.survivesRegionFailure ? undefined : (['residency', 'failover-time', 'probe-load'] as const);
  return { ...options, proofs: options.proofs ?? accepted };
}

const GATE = Symbol.for('cdktf-global-inference.synth-gate');

interface GateState {
  readonly registrations: SynthGateRegistration[];
}

/**
 * Gates `app.synth()` of the app holding `scope`: synth writes into a staging generation beside the output
 * (lib/util/atomic-synth), the policy pack and the routing proofs of every registered service run on the written
 * JSON, and only when all pass is the output switched in, by one rename. A refusal throws a
 * {@link SynthChecksFailedError} with the report `global-inference synth` prints (left uncaught in a program, it is
 * printed without a stack trace and the process exits 1); the previous output is untouched. Installed once per app;
 * each call adds a registration. A scope without an App (none above it) is left alone.
 *
 * Why on `app.synth` and not in cdktf's validations: cdktf 0.21 synthesizes stack by stack (aspects, validations,
 * write), so a validation of the first stack cannot see the last one, a failure throws from inside cdktf with its
 * trace after earlier stacks were written, and under `cdktf synth` error annotations do not stop the write at all.
 */
export function gateSynth(scope: IConstruct, registration: SynthGateRegistration): void {
  let app: App;
  try {
    app = App.of(scope);
  } catch {
    return;
  }
  const holder = app as unknown as Record<symbol, GateState | undefined>;
  let state = holder[GATE];
  if (!state) {
    const gate: GateState = { registrations: [] };
    state = gate;
    Object.defineProperty(app, GATE, { value: gate });
    const synth = app.synth.bind(app);
    app.synth = () => gatedSynth(app, synth, gate);
  }
  state.registrations.push(registration);
}

function gatedSynth(app: App, synth: () => void, gate: GateState): void {
  const produce = (dir: string): void => {
    synthInto(app, dir, synth);
    refuseOnErrorAnnotations(dir);
    checkStagedOutput(dir, gate.registrations);
  };
  // Already inside an all-or-nothing write (synthAtomically around this app): write and check in place.
  if (isStagingDir(app.outdir)) produce(app.outdir);
  else writeOutputAtomically(app.outdir, produce);
}

/** cdktf's synth with the app's output directory pointed at `dir` for its duration. */
function synthInto(app: App, dir: string, synth: () => void): void {
  const mutable = app as unknown as { outdir: string; manifest: Manifest };
  const saved = { outdir: mutable.outdir, manifest: mutable.manifest };
  if (dir !== saved.outdir) {
    mkdirSync(dir, { recursive: true });
    mutable.outdir = dir;
    mutable.manifest = new Manifest(saved.manifest.version, dir, saved.manifest.hclOutput);
  }
  try {
    synthRefusingOnValidation(synth);
  } finally {
    mutable.outdir = saved.outdir;
    mutable.manifest = saved.manifest;
  }
}

/**
 * Under `cdktf synth` (CDKTF_CONTINUE_SYNTH_ON_ERROR_ANNOTATIONS) error annotations do not stop cdktf writing; the
 * CLI fails afterwards, on an output already replaced. Here they refuse before anything is switched in.
 */
function refuseOnErrorAnnotations(dir: string): void {
  let manifest: {
    stacks?: Record<string, { annotations?: { constructPath: string; level: string; message: string }[] }>;
  };
  try {
    manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as typeof manifest;
  } catch {
    return;
  }
  const errors = Object.values(manifest.stacks ?? {}).flatMap((s) =>
    (s.annotations ?? []).filter((a) => a.level === AnnotationMetadataEntryType.ERROR),
  );
  if (errors.length > 0) {
    throw new SynthRefusedError(
      'synth refused, nothing was written:\nEncountered Annotations with level ' +
        `"ERROR":\n${errors.map((a) => `[${a.constructPath}] ${a.message}`).join('\n')}`,
    );
  }
}

/**
 * The policy pack of each registration on its stacks, then the routing proofs (once per distinct option set) on the
 * whole output; every failure in one report. Throws {@link SynthChecksFailedError}.
 */
export function checkStagedOutput(dir: string, registrations: readonly SynthGateRegistration[]): void {
  const stacks = readSynthOutput(dir);
  const failedPolicy: PolicyReport[] = [];
  for (const registration of registrations) {
    if (registration.policy === false) continue;
    const { failOnError, ...options } = registration.policy;
    const mine = stacks.filter((s) => registration.stacks.includes(s.name));
    if (mine.length === 0) continue;
    const report = summarize(
      mine.map((s) => checkStack({ name: s.name, json: s.json, file: s.file }, options)),
      rulesOf(options.packs ?? DEFAULT_POLICY_PACKS),
    );
    if (!report.ok && failOnError !== false) failedPolicy.push(report);
  }
  const failedRouting: RoutingReport[] = [];
  const seen = new Set<string>();
  const optionSets = new Map<string, AnalysisOptions>();
  for (const registration of registrations)
    if (registration.proofs !== false) optionSets.set(JSON.stringify(registration.proofs), registration.proofs);
  for (const options of optionSets.values()) {
    const report = analyzeRouting(dir, options);
    const fresh = report.violations.filter((v) => !seen.has(v.message));
    for (const v of fresh) seen.add(v.message);
    if (fresh.length > 0) failedRouting.push({ ...report, violations: fresh });
  }
  if (failedPolicy.length === 0 && failedRouting.length === 0) return;
  const violations = failedRouting.flatMap((r) => r.violations);
  const sections = [
    ...failedPolicy.map((report) => formatPolicyReport(report, { cwd: dir, showInfo: false })),
    ...(violations.length > 0 ? [formatViolations(violations)] : []),
    formatWhatToDo(whatToDo(violations, failedPolicy)),
  ];
  const text = sections.join('\n\n');
  throw new SynthChecksFailedError(`synth refused, nothing was written:\n${text}`, failedPolicy, failedRouting);
}
