/**
 * Reads gauges from a Prometheus text endpoint (the worker's `TAKEDOWN_METRICS_ADDRESS` and the dev
 * server's `--metrics-port`), summed over the label values that matter here, so that pollers can be
 * counted where they are held rather than only inferred from the configuration.
 */

/** One sample line: its metric name, labels and value. */
export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

const LINE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)/;
const LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g;

/** Parses the Prometheus text format; comment lines and malformed lines are skipped. */
export function parsePrometheus(text: string): Sample[] {
  const samples: Sample[] = [];
  for (const line of text.split('\n')) {
    if (line.startsWith('#')) continue;
    const match = LINE.exec(line);
    const value = Number(match?.[3]);
    // A gauge may legitimately read NaN; any other text where the value belongs is not a sample.
    if (!match || (Number.isNaN(value) && match[3] !== 'NaN')) continue;
    const labels: Record<string, string> = {};
    for (const [, key, value] of (match[2] ?? '').matchAll(LABEL)) labels[key!] = value!;
    samples.push({ name: match[1]!, labels, value });
  }
  return samples;
}

/**
 * Sums the samples of `name` that carry every label in `where`, grouped by the value of label `by`
 * (one group `total` without it).
 */
export function sumBy(samples: readonly Sample[], name: string, by?: string, where: Record<string, string> = {}): Record<string, number> {
  const out: Record<string, number> = {};
  for (const s of samples) {
    if (s.name !== name || !Object.entries(where).every(([k, v]) => s.labels[k] === v)) continue;
    const key = by ? (s.labels[by] ?? '') : 'total';
    out[key] = (out[key] ?? 0) + s.value;
  }
  return out;
}

/** Fetches and parses one endpoint; undefined when it does not answer within `timeoutMs`. */
export async function scrape(url: string, timeoutMs = 10_000): Promise<Sample[] | undefined> {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
    return response.ok ? parsePrometheus(await response.text()) : undefined;
  } catch {
    return undefined;
  }
}
