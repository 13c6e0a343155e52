import type { Scenario } from './model';

/** Up to this many regions, every subset of failures is analysed; above it, every single failure and every pair. */
export const EXHAUSTIVE_REGION_LIMIT = 8;

/**
 * The failure scenarios for a set of regions: normal operation, then every subset (≤ `exhaustiveLimit` regions) or
 * every single failure and every pair, and always "every region down" (what Route53 and Cloudflare do when nothing
 * is healthy).
 */
export function failureScenarios(regions: readonly string[], exhaustiveLimit = EXHAUSTIVE_REGION_LIMIT): Scenario[] {
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
    for (let i = 0; i < sorted.length; i++) for (let j = i + 1; j < sorted.length; j++) out.push(scenario([sorted[i], sorted[j]], sorted.length));
    out.push(scenario(sorted, sorted.length));
  }
  return out;
}

function scenario(failed: string[], total: number): Scenario {
  if (failed.length === 0) return { id: 'normal', label: 'normal operation', kind: 'normal', failed };
  if (failed.length === total && total > 1) return { id: 'all', label: 'every region down', kind: 'all', failed };
  return { id: failed.join('+'), label: `${failed.join(' + ')} down`, kind: failed.length === 1 ? 'single' : 'multiple', failed };
}
