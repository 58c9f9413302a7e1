import { performance } from 'node:perf_hooks';
import type { Provider } from './operations';
import type { RequestFilter, SandboxRequest } from './control-schemas';

/**
 * The sandbox's clock for arrivals, answers and encoder events: ms since the epoch with a sub-ms
 * fraction and monotonic within the process, so an in-process test can bracket it with its own reads.
 */
export function preciseNow(): number {
  return performance.timeOrigin + performance.now();
}

/**
 * The most arrivals (the log's `at` times) in any sliding window `[t, t + windowMs)`, found with
 * two pointers over the sorted times. A fixed window aligned to the clock can hide a burst that
 * straddles a boundary; a sliding one cannot.
 */
export function maxArrivalsInAnyWindow(times: readonly number[], windowMs = 1000): number {
  const sorted = [...times].sort((a, b) => a - b);
  let best = 0;
  let start = 0;
  for (let end = 0; end < sorted.length; end++) {
    while (sorted[end]! - sorted[start]! >= windowMs) start++;
    best = Math.max(best, end - start + 1);
  }
  return best;
}

/** Default cap on kept entries: a long benchmark must not grow the process without bound. */
export const DEFAULT_LOG_CAPACITY = 100_000;

/** Every provider request, recorded on arrival and completed when answered. */
export class RequestLog {
  private entries: SandboxRequest[] = [];
  private nextSeq = 1;

  /** @param capacity entries kept; the oldest are dropped first (default {@link DEFAULT_LOG_CAPACITY}). */
  constructor(private readonly capacity = DEFAULT_LOG_CAPACITY) {}

  /** Records an arrival; the returned entry is completed in place as the request is handled. */
  open(init: { at: number; provider: Provider; method: string; path: string }): SandboxRequest {
    const entry: SandboxRequest = { seq: this.nextSeq++, ...init, operation: 'unknown', params: {}, status: 0, answeredAt: 0 };
    this.entries.push(entry);
    if (this.entries.length > this.capacity) this.entries.splice(0, this.entries.length - this.capacity);
    return entry;
  }

  list(filter: RequestFilter = {}): SandboxRequest[] {
    return this.entries.filter(
      (entry) =>
        (filter.provider === undefined || entry.provider === filter.provider) &&
        (filter.operation === undefined || entry.operation === filter.operation),
    );
  }

  clear(): void {
    this.entries = [];
    this.nextSeq = 1;
  }
}
