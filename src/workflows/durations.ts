/** Durations of the contract's bans and review deadlines (`<n>s|m|h|d`). Plain code: no schema library, so any workflow may import it cheaply. */

/** Ban durations: from 10 s to 365 d, or `permanent`. */
export const MIN_BAN_SECONDS = 10;
export const MAX_BAN_SECONDS = 365 * 86_400;

const UNIT_SECONDS = { s: 1, m: 60, h: 3_600, d: 86_400 } as const;

/** Seconds of `<n>s|m|h|d`, or undefined when the text is not one. */
export function durationSeconds(duration: string): number | undefined {
  const match = /^([1-9]\d{0,8})([smhd])$/.exec(duration);
  return match ? Number(match[1]) * UNIT_SECONDS[match[2] as keyof typeof UNIT_SECONDS] : undefined;
}

/** Seconds of a ban duration, `'permanent'`, or undefined when it is not one (range not checked). */
export function banSeconds(duration: string): number | 'permanent' | undefined {
  return duration === 'permanent' ? 'permanent' : durationSeconds(duration);
}

/** Whether `duration` is a ban duration the contract accepts. */
export function isBanDuration(duration: unknown): duration is string {
  if (typeof duration !== 'string') return false;
  const seconds = banSeconds(duration);
  return seconds === 'permanent' || (seconds !== undefined && seconds >= MIN_BAN_SECONDS && seconds <= MAX_BAN_SECONDS);
}

export const BAN_DURATION_PROBLEM = 'must be <n>s, <n>m, <n>h or <n>d from 10s to 365d, or "permanent"';
