/** A bounded concurrency pool: a fixed number of jobs, at most `concurrency` at once, under a deadline. */
import { DeadlineExceededError } from './retry';

/** How wide the pool runs and when it stops. */
export interface PoolOptions {
  /** Jobs in flight at most. Must be a whole number of at least 1. */
  concurrency: number;
  /**
   * Wall clock (`Date.now()`) past which starting another job is an error: the pool then rejects
   * with a {@link DeadlineExceededError}, so no phase can run away.
   * @default Infinity
   */
  deadlineMs?: number;
  /**
   * Wall clock past which no new job starts, without error; the result says how many started.
   * @default Infinity
   */
  softDeadlineMs?: number;
}

/**
 * Runs `job(i)` for i in [0, count) with at most `concurrency` in flight, in order of i. The first
 * job that fails stops new jobs from starting; once the running ones settle, the pool rejects with
 * that job's error. Resolves with how many jobs started (fewer than `count` only after the soft
 * deadline).
 *
 * @throws RangeError when `concurrency` is not a whole number of at least 1
 */
export async function runBounded(count: number, options: PoolOptions, job: (i: number) => Promise<void>): Promise<number> {
  const { concurrency, deadlineMs = Infinity, softDeadlineMs = Infinity } = options;
  if (!Number.isInteger(concurrency) || concurrency < 1) throw new RangeError(`concurrency must be a whole number of at least 1, got ${concurrency}`);
  let next = 0;
  let failed = false;
  let failure: unknown;
  const lane = async () => {
    while (!failed && next < count && Date.now() < softDeadlineMs) {
      if (Date.now() > deadlineMs) {
        failed = true;
        failure = new DeadlineExceededError(`load phase passed its deadline with ${count - next} of ${count} jobs not started`);
        return;
      }
      const i = next++;
      try {
        await job(i);
      } catch (err) {
        if (!failed) failure = err;
        failed = true;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, lane));
  if (failed) throw failure;
  return next;
}

/** `fn` over every item with at most `concurrency` calls in flight; results in the order of `items`. */
export async function mapBounded<T, R>(items: readonly T[], concurrency: number, fn: (item: T, i: number) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  await runBounded(items.length, { concurrency }, async (i) => {
    results[i] = await fn(items[i]!, i);
  });
  return results;
}
