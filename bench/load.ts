/** Bounded load: a fixed number of jobs, at most `concurrency` at once, and a deadline that stops it. */

/** A load phase or an await ran past its time bound. */
export class DeadlineExceededError extends Error {
  override readonly name = 'DeadlineExceededError';
}

/**
 * Runs `job(i)` for i in [0, count) with at most `concurrency` in flight. Stops starting new jobs
 * at `deadlineMs` (wall clock) and then rejects, so no phase can run away; a failing job fails the
 * whole run at once (the benchmark measures the happy path, an error means the setup is wrong).
 */
export async function runBounded(
  count: number,
  concurrency: number,
  deadlineMs: number,
  job: (i: number) => Promise<void>,
  /** Past this time no new job starts, without error; the result says how many started. */
  softDeadlineMs = Infinity,
): Promise<number> {
  let next = 0;
  let failure: unknown;
  const lane = async () => {
    while (failure === undefined && next < count && Date.now() < softDeadlineMs) {
      if (Date.now() > deadlineMs) throw new DeadlineExceededError(`load phase passed its deadline with ${count - next} of ${count} jobs not started`);
      const i = next++;
      try {
        await job(i);
      } catch (err) {
        failure ??= err;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, lane));
  if (failure !== undefined) throw failure;
  return next;
}

/** Rejects after `ms` with the given message, for awaits that must not hang a phase. */
export function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout;
  return Promise.race([
    promise.finally(() => clearTimeout(timer)),
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new DeadlineExceededError(`${what} did not finish within ${ms} ms`)), ms);
    }),
  ]);
}
