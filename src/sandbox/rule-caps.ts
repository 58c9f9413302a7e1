/**
 * The providers' bounds on one ban rule's length, which the control API may change so a test can
 * run a whole ban, renewals included, in seconds.
 */

/** Bounds on one rule's length, in seconds. */
export interface RuleCaps {
  /** Largest ZEGO `EffectiveTime`; a larger one is a parameter error (zego.md §4.14). @default 86400 */
  zegoMaxEffectiveTimeSeconds: number;
  /** Agora clamps a shorter `time_in_seconds` up to this (agora.md §7.1). @default 10 */
  agoraMinRuleSeconds: number;
  /** Agora clamps a longer `time_in_seconds`, or `time` in minutes, down to this (agora.md §7.1). @default 86430 */
  agoraMaxRuleSeconds: number;
}

/** The documented bounds. */
export const DEFAULT_RULE_CAPS = {
  zegoMaxEffectiveTimeSeconds: 86_400,
  agoraMinRuleSeconds: 10,
  agoraMaxRuleSeconds: 86_430,
} as const satisfies RuleCaps;

/** Applies a partial change; throws naming the problem, before changing anything. */
export function mergeRuleCaps(current: RuleCaps, change: Partial<RuleCaps>): RuleCaps {
  const next = { ...current };
  for (const [name, value] of Object.entries(change) as [keyof RuleCaps, number | undefined][]) {
    if (value === undefined) continue;
    if (!Object.hasOwn(DEFAULT_RULE_CAPS, name)) throw new Error(`unknown rule cap ${JSON.stringify(name)}; known: ${Object.keys(DEFAULT_RULE_CAPS).join(', ')}`);
    if (!Number.isInteger(value) || value < 1) throw new Error(`ruleCaps.${name} must be a whole number of seconds >= 1`);
    next[name] = value;
  }
  if (next.agoraMinRuleSeconds > next.agoraMaxRuleSeconds) {
    throw new Error(`ruleCaps.agoraMinRuleSeconds (${next.agoraMinRuleSeconds}) is above ruleCaps.agoraMaxRuleSeconds (${next.agoraMaxRuleSeconds})`);
  }
  return next;
}
