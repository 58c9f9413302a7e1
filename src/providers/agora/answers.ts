/** Shapes of Agora answers (agora.md §3, §4.6, §4.7, §7.1–§7.3), validated with zod. Unknown fields are ignored. */
import { z } from 'zod';
import { AgoraSessionShape } from './session';

/**
 * Online-streams list: `data` is an array. `null` reads as "no sessions" (the usual serialisation
 * of an empty list); an absent `data` is not an answer we understand, since reading it as empty
 * would leave a live stream up.
 */
export const OnlineStreamList = z.object({
  data: z
    .array(AgoraSessionShape)
    .nullable()
    .transform((sessions) => sessions ?? []),
});

/**
 * One online stream: `data` is an object in the ZH schema and a one-element array in the EN
 * examples (agora.md §4.7, doc conflict); both are accepted.
 */
export const OnlineStream = z.object({
  data: z.preprocess((data) => (Array.isArray(data) && data.length === 1 ? data[0] : data), AgoraSessionShape),
});

/** Kicking rule created: `{"status":"success","id":1953}`. */
export const KickingRuleCreated = z.object({ id: z.number().int() });

/**
 * One listed kicking rule (agora.md §7.2): `id`, `uid` numbers, `ts` the expiry. The docs show a
 * rule with every key set; they are silent on how a rule without `cname`, `uid` or `ip` (or a
 * one-time kick's `ts`) is sent, so absent and `null` are tolerated there.
 */
const KickingRuleItem = z.object({
  id: z.number().int(),
  cname: z.string().nullish(),
  uid: z.number().int().nullish(),
  ip: z.string().nullish(),
  ts: z.string().nullish(),
  privileges: z.array(z.string()),
});
export type KickingRuleShape = z.output<typeof KickingRuleItem>;

/**
 * Kicking rules listed: `{"status":"success","rules":[...]}`. `null` reads as "no rules", the usual
 * serialisation of an empty list; an absent `rules` is not an answer we understand (reading it as
 * empty would create a duplicate rule, or report a rule gone that is still in force).
 */
export const KickingRuleList = z.object({
  rules: z
    .array(KickingRuleItem)
    .nullable()
    .transform((rules) => rules ?? []),
});

/** Kicking rule's time changed: `{"status":"success","result":{"id":1953,"ts":"2026-01-09T08:45:54.545Z"}}` (§7.3). */
export const KickingRuleUpdated = z.object({
  result: z.object({ id: z.number().int(), ts: z.string() }),
});

/** An error body's `message`, when there is one. */
export const ErrorBody = z.object({ message: z.string().min(1) });
