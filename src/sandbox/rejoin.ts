/**
 * How a simulated client that was kicked comes back: it tries again after a short delay, then at a
 * steady rhythm, for a bounded time. Tests set the rhythm to watch the moment a ban ends.
 */
import { preciseNow } from './request-log';
import type { Timers } from './timers';

/** When a kicked client tries to come back. */
export interface RejoinPolicy {
  /** From the kick (or a refused first join) to the first try. @default 200 */
  delayMs: number;
  /** Between tries while refused. @default 200 */
  intervalMs: number;
  /** No try starts later than this after the kick; the first try always happens. @default 30000 */
  giveUpAfterMs: number;
}

export const DEFAULT_REJOIN_POLICY = { delayMs: 200, intervalMs: 200, giveUpAfterMs: 30_000 } as const satisfies RejoinPolicy;

/** Join attempts kept per client; the oldest go first, so a long-running client stays bounded. */
export const MAX_ATTEMPTS_KEPT = 10_000;

/** What one cycle of retries drives. */
export interface RejoinCycle {
  /** One try; true when the client is back. */
  attempt(): boolean;
  /** The bounded time ran out while still refused. */
  giveUp(): void;
  /** False once the cycle is stale (a newer kick started another, or the client is gone). */
  current(): boolean;
}

/** Starts one cycle of retries on `timers`. */
export function keepRejoining(timers: Timers, policy: RejoinPolicy, cycle: RejoinCycle): void {
  const start = preciseNow();
  const outOfTime = (at: number): boolean => at - start > policy.giveUpAfterMs;
  const tick = (first: boolean): void => {
    if (!cycle.current()) return;
    // A timer that fired late must not start a try past the bound.
    if (!first && outOfTime(preciseNow())) return cycle.giveUp();
    if (cycle.attempt()) return;
    if (outOfTime(preciseNow() + policy.intervalMs)) cycle.giveUp();
    else timers.after(policy.intervalMs, () => tick(false));
  };
  timers.after(policy.delayMs, () => tick(true));
}

/** Appends to a bounded attempt list. */
export function pushBounded<T>(list: T[], item: T): void {
  if (list.length >= MAX_ATTEMPTS_KEPT) list.shift();
  list.push(item);
}
