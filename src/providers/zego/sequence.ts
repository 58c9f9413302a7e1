/** StopMix `Sequence` values (zego.md §4.9, §4.10). */

/** The time origin of sequences: 2025-01-01T00:00:00Z. */
export const MIX_SEQUENCE_EPOCH_MS = Date.UTC(2025, 0, 1);

/** `Sequence` is an int32. */
export const MAX_MIX_SEQUENCE = 2 ** 31 - 1;

/**
 * Issues StopMix sequences that increase across calls and across worker restarts: each is
 * `max(last + 1, tenths of a second since 2025-01-01)`. The mixer ignores a request whose
 * sequence is below one it already handled for the same initiator, so a restarted worker (which
 * forgets `last`) must start above anything it sent before; the clock does that. Tenths of a
 * second keep the value within int32 until October 2031; past that `next()` throws.
 */
export class MixSequence {
  #last = 0;

  /** @param now current time in ms since the Unix epoch; default `Date.now`. */
  constructor(private readonly now: () => number = Date.now) {}

  /** The next sequence. @throws RangeError once the clock-based value no longer fits an int32. */
  next(): number {
    const fromClock = Math.floor((this.now() - MIX_SEQUENCE_EPOCH_MS) / 100);
    const value = Math.max(this.#last + 1, fromClock);
    if (value > MAX_MIX_SEQUENCE) throw new RangeError('StopMix Sequence no longer fits an int32');
    this.#last = value;
    return value;
  }
}
