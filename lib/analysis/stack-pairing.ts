/*
 * Which stack of one synth output holds the same part of the service as which stack of another. A stack is a
 * Terraform state of its own: a stack whose name changed (a new `service.name`, the canary example beside the
 * default) is a new, empty state, and every resource in it would be created again unless its state is moved.
 * `diff` pairs stacks by name, then the rest by role (the providers they configure), and says what a rename means.
 */
import { isRecord } from '../util/terraform-json';
import type { StackInput } from './model';

/** A stack before and after; one side is absent for a stack added or removed. */
export interface StackPairing {
  readonly before?: string;
  readonly after?: string;
  /** What the stack holds, from the providers it configures: `aws`, `cloudflare`, `aws+cloudflare`. */
  readonly role: string;
}

/** The providers a stack configures, as its role. */
export function stackRole(stack: StackInput): string {
  const providers = isRecord(stack.json.provider) ? Object.keys(stack.json.provider).sort() : [];
  return providers.length > 0 ? providers.join('+') : 'no provider';
}

/**
 * Stacks of the same name are the same state. Of the others, a stack that is the only unpaired one of its role on
 * each side is the same part of the service under a new name; the rest are added or removed.
 */
export function pairStacks(before: readonly StackInput[], after: readonly StackInput[]): StackPairing[] {
  const afterNames = new Set(after.map((s) => s.name));
  const beforeNames = new Set(before.map((s) => s.name));
  const pairs: StackPairing[] = before
    .filter((s) => afterNames.has(s.name))
    .map((s) => ({ before: s.name, after: s.name, role: stackRole(s) }));
  const gone = before.filter((s) => !afterNames.has(s.name));
  const fresh = after.filter((s) => !beforeNames.has(s.name));
  const roles = [...new Set([...gone, ...fresh].map(stackRole))];
  for (const role of roles) {
    const was = gone.filter((s) => stackRole(s) === role);
    const is = fresh.filter((s) => stackRole(s) === role);
    if (was.length === 1 && is.length === 1) pairs.push({ before: was[0].name, after: is[0].name, role });
    else {
      for (const s of was) pairs.push({ before: s.name, role });
      for (const s of is) pairs.push({ after: s.name, role });
    }
  }
  return pairs;
}

/** Whether a pairing is one state under two names. */
export function isRename(pair: StackPairing): boolean {
  return pair.before !== undefined && pair.after !== undefined && pair.before !== pair.after;
}

/** Where a stack keeps its state, from its backend block, for the steps that move it. */
function stateLocation(stack: StackInput): string | undefined {
  const terraform = isRecord(stack.json.terraform) ? stack.json.terraform : {};
  const backend = isRecord(terraform.backend) ? terraform.backend : {};
  const local = isRecord(backend.local) ? backend.local : undefined;
  if (local && typeof local.path === 'string') return `the local state file ${local.path}`;
  const s3 = isRecord(backend.s3) ? backend.s3 : undefined;
  if (s3 && typeof s3.bucket === 'string' && typeof s3.key === 'string') return `s3://${s3.bucket}/${s3.key}`;
  return undefined;
}

/**
 * What a rename means and how to keep the live resources: Markdown lines. `resources` is how many resources the
 * new stack holds (all created again if the state stays behind).
 */
export function renameNotes(pair: StackPairing, before: StackInput, after: StackInput, resources: number): string[] {
  const from = stateLocation(before);
  const to = stateLocation(after);
  return [
    `**Stack \`${pair.before}\` is now \`${pair.after}\` (${pair.role}): a new Terraform state.** Applied as it is, ` +
      `\`${pair.after}\` creates all ${resources} of its resources again beside the live ones, which ` +
      `\`${pair.before}\`'s state keeps until that stack is destroyed; names that must be unique (load balancers, ` +
      "the zone's records) " +
      'collide. To carry the live resources over, move the state before the first apply of the new stack:',
    '',
    ...(from && to ? [`- move ${from} to ${to.replace(/^the local state file /, '')}, or`] : []),
    `- in the old stack's directory (\`stacks/${pair.before}\` of the earlier synth): \`terraform init && ` +
      `terraform state pull > ${pair.before}.tfstate\`; in the new one (\`stacks/${pair.after}\`): ` +
      `\`terraform init && terraform state push ${pair.before}.tfstate\`.`,
    '',
    `The changes below compare \`${pair.before}\` with \`${pair.after}\` resource by resource: they are what an ` +
      'apply does once the state is moved.',
  ];
}
