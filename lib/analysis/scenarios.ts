import type { Scenario } from './model';

/** Up to this many regions, every subset of failures is enumerated; above it, every single failure. */
export const EXHAUSTIVE_REGION_LIMIT = 8;

/**
 * The failure scenarios enumerated for the per-scenario answers (explain, availability, the diagram): normal
 * operation, then every subset (≤ `exhaustiveLimit` regions) or every single failure, always "every region down"
 * (what Route53 and Cloudflare do when nothing is healthy), and any `extra` failure sets (the witnesses the proofs
 * found). The residency and failover-time proofs do not depend on this list: they cover every health state.
 */
export function failureScenarios(
  regions: readonly string[],
  exhaustiveLimit = EXHAUSTIVE_REGION_LIMIT,
  extra: readonly (readonly string[])[] = [],
): Scenario[] {
  const sorted = [...new Set(regions)].sort();
  const out: Scenario[] = [scenario([], sorted.length)];
  if (sorted.length <= exhaustiveLimit) {
    const n = sorted.length;
    const subsets: string[][] = [];
    for (let mask = 1; mask < 1 << n; mask++) subsets.push(sorted.filter((_, i) => mask & (1 << i)));
    subsets.sort((a, b) => a.length - b.length || a.join('+').localeCompare(b.join('+')));
    for (const s of subsets) out.push(scenario(s, n));
  } else {
    for (const r of sorted) out.push(scenario([r], sorted.length));
    out.push(scenario(sorted, sorted.length));
  }
  const ids = new Set(out.map((s) => s.id));
  for (const failed of extra) {
    const s = scenario([...new Set(failed)].filter((r) => sorted.includes(r)).sort(), sorted.length);
    if (!ids.has(s.id)) {
      ids.add(s.id);
      out.push(s);
    }
  }
  return out;
}

function scenario(failed: string[], total: number): Scenario {
  if (failed.length === 0) return { id: 'normal', label: 'normal operation', kind: 'normal', failed };
  if (failed.length === total && total > 1) return { id: 'all', label: 'every region down', kind: 'all', failed };
  return {
    id: failed.join('+'),
    label: `${failed.join(' + ')} down`,
    kind: failed.length === 1 ? 'single' : 'multiple',
    failed,
  };
}
