/**
 * The one set of statistics the benchmark and the fault suite report with: nearest-rank
 * percentiles, a summary of a sample set, table rounding, and counting into buckets. Pure
 * functions, no I/O.
 */

/** Percentiles of one sample set, in the unit of the samples (ms in every report here). */
export interface Summary {
  /** How many samples. */
  n: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
  mean: number;
}

/**
 * Nearest-rank percentile: the smallest sample such that at least `p` % of the samples are at or
 * below it (the value at rank `ceil(p / 100 × n)`, counting from 1, and rank 1 for `p = 0`). Always
 * one of the samples, never an interpolation, so a p99 over 20 samples is the largest one.
 *
 * An empty set has no percentile: the answer is `NaN`, which no reader can take for a measurement
 * (0 could be). {@link fmt} prints it as `–`, and `JSON.stringify` writes it as `null`.
 *
 * @param sorted samples in ascending order (what {@link summarize} passes); not checked
 * @param p the percentile, 0 to 100
 * @throws RangeError when `p` is outside 0–100 or not a number
 */
export function percentile(sorted: readonly number[], p: number): number {
  if (!(p >= 0 && p <= 100)) throw new RangeError(`percentile must be between 0 and 100, got ${p}`);
  if (sorted.length === 0) return NaN;
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[Math.min(rank, sorted.length) - 1]!;
}

/** p50 / p95 / p99 / max / mean of the samples (in any order); every figure is `NaN` for no samples. */
export function summarize(samples: readonly number[]): Summary {
  const sorted = [...samples].sort((a, b) => a - b);
  const n = sorted.length;
  return {
    n,
    p50: percentile(sorted, 50),
    p95: percentile(sorted, 95),
    p99: percentile(sorted, 99),
    max: n === 0 ? NaN : sorted[n - 1]!,
    mean: n === 0 ? NaN : sorted.reduce((sum, v) => sum + v, 0) / n,
  };
}

/**
 * Rounds a figure for a table: `digits` decimals below 100, whole numbers from 100 up; `–` for a
 * figure that is not a finite number (no samples).
 *
 * @default digits 1
 */
export function fmt(value: number, digits = 1): string {
  if (!Number.isFinite(value)) return '–';
  return Math.abs(value) >= 100 ? value.toFixed(0) : value.toFixed(digits);
}

/**
 * Counts values into labelled buckets whose upper edges (inclusive) are `edges`, ascending, plus
 * one bucket above the last edge: edges `[1, 2, 5]` give `1`, `2`, `3–5` and `>5`. Every bucket is
 * present, empty ones with 0. Labels assume whole numbers (step attempts, counts).
 */
export function histogram(values: readonly number[], edges: readonly number[]): Record<string, number> {
  const labels = edges.map((edge, i) => bucketLabel(i === 0 ? -Infinity : edges[i - 1]!, edge));
  const above = `>${edges[edges.length - 1]}`;
  const out: Record<string, number> = Object.fromEntries([...labels, above].map((label) => [label, 0]));
  for (const value of values) {
    const i = edges.findIndex((edge) => value <= edge);
    bump(out, i < 0 ? above : labels[i]!);
  }
  return out;
}

function bucketLabel(lowExclusive: number, highInclusive: number): string {
  const low = lowExclusive === -Infinity ? highInclusive : lowExclusive + 1;
  return low === highInclusive ? String(highInclusive) : `${low}–${highInclusive}`;
}

/**
 * Adds `n` to `counts[key]`, starting from 0.
 *
 * @default n 1
 */
export function bump(counts: Record<string, number>, key: string, n = 1): void {
  counts[key] = (counts[key] ?? 0) + n;
}
