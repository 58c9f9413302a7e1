/**
 * Bounded waits: try something again until it works or a deadline passes, poll a condition, and
 * put a time bound on a promise. Every wait here ends by itself; none is a blind sleep.
 */
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';

/** A wait, a load phase or an await ran past its time bound. */
export class DeadlineExceededError extends Error {
  override readonly name = 'DeadlineExceededError';
  readonly code = 'DEADLINE_EXCEEDED';
}

/** How long to keep trying, and how often. */
export interface RetryOptions {
  /**
   * Give up once this much time has passed since the first attempt.
   * @default 5000
   */
  timeoutMs?: number;
  /**
   * Pause between attempts.
   * @default 50
   */
  intervalMs?: number;
  /** Called after each failed attempt that will be tried again (e.g. to count retries). */
  onRetry?: (error: unknown) => void;
}

/**
 * Calls `attempt` until it returns without throwing and resolves with what it returned. Past the
 * deadline the last attempt's error is thrown as it was, so an assertion keeps its own message.
 * The attempt that crosses the deadline is the last one: it always runs at least once.
 */
export async function retryUntil<T>(attempt: () => Promise<T> | T, options: RetryOptions = {}): Promise<T> {
  const { timeoutMs = 5_000, intervalMs = 50, onRetry } = options;
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    try {
      return await attempt();
    } catch (err) {
      if (performance.now() >= deadline) throw err;
      onRetry?.(err);
      await sleep(intervalMs);
    }
  }
}

/**
 * Polls `condition` until it is true (resolves `true`) or the deadline passes (resolves `false`).
 * A condition that throws counts as not yet true (a server that is restarting).
 */
export async function pollUntil(condition: () => Promise<boolean> | boolean, options: Omit<RetryOptions, 'onRetry'> = {}): Promise<boolean> {
  try {
    return await retryUntil(async () => {
      if (!(await condition())) throw new DeadlineExceededError('condition still false');
      return true;
    }, options);
  } catch {
    return false;
  }
}

/** Rejects with a {@link DeadlineExceededError} naming `what` after `ms`, for awaits that must not hang a phase. */
export function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout;
  return Promise.race([
    promise.finally(() => clearTimeout(timer)),
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new DeadlineExceededError(`${what} did not finish within ${Math.round(ms)} ms`)), ms);
    }),
  ]);
}
