import type { TerraformJson } from '../util/synth-output';
import {
  block,
  blocks,
  bool,
  isExpression,
  isRecord,
  literalStrings,
  num,
  resourceBodies,
  str,
} from '../util/terraform-json';

export { block, blocks, bool, isExpression, isRecord, literalStrings, num, str };

/** A suppression: a rule that does not apply to a resource, and why. */
export interface PolicySuppression {
  readonly id: string;
  readonly reason: string;
}

/** Property of a resource's `//` comment block holding its policy suppressions. */
export const SUPPRESSIONS_KEY = 'gi_suppressions';

/** One synthesized resource, as rules see it. */
export interface ResourceView {
  readonly type: string;
  /** Logical name in the Terraform JSON. */
  readonly name: string;
  /** Terraform address, `type.name`. */
  readonly address: string;
  /** The resource's arguments (its `//` comment block removed). */
  readonly config: Readonly<Record<string, unknown>>;
  /** Construct path, from `//.metadata.path`, when cdktf wrote one. */
  readonly path?: string;
  /** Well-formed suppressions from `//.gi_suppressions`. */
  readonly suppressions: readonly PolicySuppression[];
  /** Malformed suppression entries (missing id or reason), described. */
  readonly suppressionProblems: readonly string[];
}

/** Builds the view of one resource from its Terraform JSON body. */
export function resourceView(type: string, name: string, body: Readonly<Record<string, unknown>>): ResourceView {
  const { '//': comment, ...config } = body;
  const meta = isRecord(comment) ? comment : {};
  const metadata = isRecord(meta.metadata) ? meta.metadata : {};
  const { suppressions, problems } = parseSuppressions(meta[SUPPRESSIONS_KEY]);
  return {
    type,
    name,
    address: `${type}.${name}`,
    config,
    path: typeof metadata.path === 'string' ? metadata.path : undefined,
    suppressions,
    suppressionProblems: problems,
  };
}

/**
 * Every resource of one synthesized stack, indexed for the lookups rules make: by type, by address, and by
 * the `${type.name.attribute}` references between them.
 */
export class StackView {
  /** Builds the view of a stack's Terraform JSON. */
  static fromJson(name: string, json: TerraformJson): StackView {
    const resources: ResourceView[] = [];
    for (const { type, name, body } of resourceBodies(json)) resources.push(resourceView(type, name, body));
    return new StackView(name, resources);
  }

  /** Name of the stack. */
  readonly name: string;
  /** Every resource of the stack, as the rules see it. */
  readonly resources: readonly ResourceView[];
  private readonly byAddress = new Map<string, ResourceView>();
  private readonly byType = new Map<string, ResourceView[]>();
  private reverse?: Map<string, ResourceView[]>;

  constructor(name: string, resources: readonly ResourceView[]) {
    this.name = name;
    this.resources = resources;
    for (const r of resources) {
      this.byAddress.set(r.address, r);
      const list = this.byType.get(r.type) ?? [];
      list.push(r);
      this.byType.set(r.type, list);
    }
  }

  /** Resources of the given types, in JSON order. */
  ofType(...types: string[]): ResourceView[] {
    return types.flatMap((t) => this.byType.get(t) ?? []);
  }

  /** The resource at a Terraform address (`type.name`). */
  get(address: string): ResourceView | undefined {
    return this.byAddress.get(address);
  }

  /** The resources of this stack that a value refers to through `${type.name...}` interpolations. */
  referencedBy(value: unknown): ResourceView[] {
    const out: ResourceView[] = [];
    for (const address of referencedAddresses(value)) {
      const r = this.byAddress.get(address);
      if (r && !out.includes(r)) out.push(r);
    }
    return out;
  }

  /** Every resource whose arguments refer to `target` (computed once per stack). */
  referrers(target: ResourceView): readonly ResourceView[] {
    if (!this.reverse) {
      this.reverse = new Map();
      for (const r of this.resources) {
        for (const address of referencedAddresses(r.config)) {
          const list = this.reverse.get(address) ?? [];
          list.push(r);
          this.reverse.set(address, list);
        }
      }
    }
    return this.reverse.get(target.address) ?? [];
  }

  /** Resources of the given types whose `attribute` refers to `target`. */
  referencing(target: ResourceView, types: readonly string[], attribute: string): ResourceView[] {
    return this.referrers(target).filter(
      (r) => types.includes(r.type) && referencedAddresses(r.config[attribute]).includes(target.address),
    );
  }
}

/**
 * Terraform addresses (`type.name`) referenced from `${...}` interpolations anywhere in a value. Data sources
 * (`data.type.name`) are returned with their `data.` prefix.
 */
export function referencedAddresses(value: unknown): string[] {
  const out = new Set<string>();
  visitStrings(value, (text) => {
    for (const interpolation of text.matchAll(/\$\{([^}]*)\}/g)) {
      for (const m of interpolation[1].matchAll(/(?<![\w.-])(data\.)?([a-z][a-z0-9_]*)\.([A-Za-z_][A-Za-z0-9_-]*)/g)) {
        out.add(`${m[1] ?? ''}${m[2]}.${m[3]}`);
      }
    }
  });
  return [...out];
}

/** Calls `fn` on every string inside a JSON value. */
export function visitStrings(value: unknown, fn: (text: string) => void, depth = 0): void {
  if (depth > 32) return;
  if (typeof value === 'string') fn(value);
  else if (Array.isArray(value)) for (const v of value) visitStrings(v, fn, depth + 1);
  else if (isRecord(value)) for (const v of Object.values(value)) visitStrings(v, fn, depth + 1);
}

// Value helpers. Terraform JSON writes nested blocks as an object or a list of objects, numbers and booleans
// sometimes as strings ("true", "443"); rules read through these so both spellings mean the same.

function parseSuppressions(raw: unknown): { suppressions: PolicySuppression[]; problems: string[] } {
  const suppressions: PolicySuppression[] = [];
  const problems: string[] = [];
  if (raw === undefined || raw === null) return { suppressions, problems };
  if (!Array.isArray(raw)) {
    problems.push(`//.${SUPPRESSIONS_KEY} must be a list of { id, reason }, got: ${JSON.stringify(raw)}`);
    return { suppressions, problems };
  }
  raw.forEach((entry, i) => {
    const id = isRecord(entry) && typeof entry.id === 'string' ? entry.id.trim() : '';
    const reason = isRecord(entry) && typeof entry.reason === 'string' ? entry.reason.trim() : '';
    if (!id) problems.push(`//.${SUPPRESSIONS_KEY}[${i}] has no rule id: ${JSON.stringify(entry)}`);
    else if (!reason)
      problems.push(`//.${SUPPRESSIONS_KEY}[${i}] suppresses ${id} without a reason; a suppression needs one`);
    else suppressions.push({ id, reason });
  });
  return { suppressions, problems };
}
