import type { ServiceIntentDocument } from '../intent/service-intent';
import type { ResourceView, StackView } from './stack-view';

export type { PolicySuppression } from './stack-view';

/**
 * How bad a finding is. `error` fails synth (PolicyAspect) and the CLI; `warning` is reported and annotated;
 * `info` explains what was not checked or why.
 */
export type Severity = 'error' | 'warning' | 'info';

/** What a rule says about one resource: what is wrong and how to fix it. */
export interface RuleViolation {
  /** What is wrong, naming the attribute and the value found, e.g. `metadata_options.http_tokens is "optional"`. */
  readonly message: string;
  /** How to fix it, in construct terms where the library made the resource. */
  readonly fix: string;
  /**
   * Overrides the rule's severity for this violation (e.g. a heuristic match is only a warning). @default - the rule's
   * severity
   */
  readonly severity?: Severity;
}

/**
 * A policy rule: a small pure function over one synthesized Terraform resource (plus read-only lookups into the
 * rest of its stack and the service intent), in the style of cdk-nag. It returns the violations it found, or
 * nothing when the resource complies.
 */
export interface PolicyRule {
  /** Stable id, e.g. `GI-AWS-001`. Suppressions name it; never reuse an id for a different check. */
  readonly id: string;
  /** Short name for tables. */
  readonly title: string;
  /** One line: why the rule exists. */
  readonly rationale: string;
  /** Severity of the rule's violations. */
  readonly severity: Severity;
  /** Terraform resource types the rule looks at. */
  readonly resourceTypes: readonly string[];
  /** checkov policy ids the rule corresponds to (possibly narrower or broader). */
  readonly checkov?: readonly string[];
  /** cdk-nag rule ids the rule corresponds to, as `<pack>-<rule>`. */
  readonly cdkNag?: readonly string[];
  /**
   * What a reader of a finding should know: how the rule decides, and how it differs from the checkov / cdk-nag checks.
   */
  readonly note?: string;
  /**
   * The rule needs the service intent ({@link ServiceIntentDocument}); without it, it is not evaluated and one `info`
   * finding per stack says so. @default false
   */
  readonly needsContext?: boolean;
  readonly check: (
    resource: ResourceView,
    stack: StackView,
    context: ServiceIntentDocument | undefined,
  ) => readonly RuleViolation[];
}

/** A named collection of rules, applied together. */
export interface PolicyPack {
  readonly name: string;
  readonly rules: readonly PolicyRule[];
}

/** The resource a finding is about. */
export interface FindingResource {
  /** Terraform address, `type.name`. */
  readonly address: string;
  readonly type: string;
  /** Construct path (from the resource's `//` metadata), when known. */
  readonly path?: string;
}

/** One result of a rule on one resource (or on a stack, for `info` findings about the stack itself). */
export interface Finding {
  readonly ruleId: string;
  readonly severity: Severity;
  /** Name of the stack. */
  readonly stack: string;
  /** The resource; absent for findings about the stack as a whole. */
  readonly resource?: FindingResource;
  readonly message: string;
  readonly fix: string;
  /** Why the rule exists. */
  readonly rationale: string;
  /** Set when a suppression with a reason silences the finding; it then counts toward nothing but stays visible. */
  readonly suppressed?: { readonly reason: string };
}

/** Findings of one stack. */
export interface StackPolicyReport {
  readonly stack: string;
  /** Path of the stack's cdk.tf.json, when read from a synth output. */
  readonly file?: string;
  /** Whether the stack carried the `//.global_inference` intent block. */
  readonly context: 'present' | 'absent' | 'invalid' | 'given';
  readonly resourcesChecked: number;
  readonly findings: readonly Finding[];
}

/** Findings of every stack checked, with counts of what is not suppressed. */
export interface PolicyReport {
  readonly stacks: readonly StackPolicyReport[];
  /** Ids of the rules evaluated. */
  readonly rules: readonly string[];
  readonly errors: number;
  readonly warnings: number;
  readonly infos: number;
  readonly suppressed: number;
  /** No unsuppressed error. */
  readonly ok: boolean;
}

/** Options shared by the aspect and the synth-output runner. */
export interface PolicyOptions {
  /** Packs to apply. @default DEFAULT_POLICY_PACKS (AWS and Cloudflare) */
  readonly packs?: readonly PolicyPack[];
  /**
   * Service intent for rules that need it. @default - read from each stack's `//.global_inference` block
   */
  readonly context?: ServiceIntentDocument;
  /** Change a rule's severity, or turn it `off`, e.g. `{ 'GI-AWS-010': 'warning' }`. @default - none */
  readonly severityOverrides?: Readonly<Record<string, Severity | 'off'>>;
}
