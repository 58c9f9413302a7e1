/** Delayed work of the simulated encoders and clients, cancelled all at once by a reset or close. */
import { preciseNow } from './request-log';

/** Pending timers on the {@link preciseNow} clock; none keeps the process alive. */
export class Timers {
  private readonly pending = new Set<NodeJS.Timeout>();

  /**
   * Runs `run` once `delayMs` has passed. Node timers may fire a fraction of a millisecond early,
   * so it waits again until the delay has really passed: a simulated client is never early.
   */
  after(delayMs: number, run: () => void): void {
    const due = preciseNow() + delayMs;
    const wait = (): void => {
      const timer = setTimeout(
        () => {
          this.pending.delete(timer);
          if (preciseNow() < due) wait();
          else run();
        },
        Math.max(0, Math.ceil(due - preciseNow())),
      );
      timer.unref();
      this.pending.add(timer);
    };
    wait();
  }

  /** Cancels everything pending. */
  clear(): void {
    for (const timer of this.pending) clearTimeout(timer);
    this.pending.clear();
  }
}
