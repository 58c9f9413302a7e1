/** Small summaries of measured figures for RESULTS.md. */

/** p50/p95/max (and count) of a list of numbers, rounded to whole units. */
export interface Summary {
  count: number;
  p50: number;
  p95: number;
  max: number;
}

/** Nearest-rank percentile of an already sorted list. */
function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return 0;
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank]!;
}

export function summarize(values: readonly number[]): Summary {
  const sorted = [...values].sort((a, b) => a - b);
  return {
    count: sorted.length,
    p50: Math.round(percentile(sorted, 50)),
    p95: Math.round(percentile(sorted, 95)),
    max: Math.round(sorted[sorted.length - 1] ?? 0),
  };
}

/** Counts values into labelled buckets, e.g. attempts 1, 2, 3, 4–5, 6–10, >10. */
export function histogram(values: readonly number[], edges: readonly number[]): Record<string, number> {
  const out: Record<string, number> = {};
  let low = -Infinity;
  for (const edge of edges) {
    out[labelFor(low, edge)] = 0;
    low = edge;
  }
  out[`>${edges[edges.length - 1]}`] = 0;
  for (const value of values) {
    let lower = -Infinity;
    let label = `>${edges[edges.length - 1]}`;
    for (const edge of edges) {
      if (value <= edge) {
        label = labelFor(lower, edge);
        break;
      }
      lower = edge;
    }
    out[label] = (out[label] ?? 0) + 1;
  }
  return out;
}

function labelFor(lowExclusive: number, highInclusive: number): string {
  const low = lowExclusive === -Infinity ? highInclusive : lowExclusive + 1;
  return low === highInclusive ? String(highInclusive) : `${low}–${highInclusive}`;
}

/** Adds `n` to `counts[key]`. */
export function bump(counts: Record<string, number>, key: string, n = 1): void {
  counts[key] = (counts[key] ?? 0) + n;
}
