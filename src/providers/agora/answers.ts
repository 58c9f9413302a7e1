/** Shapes of Agora answers (agora.md §3, §4.6, §4.7, §7.1), validated with zod. Unknown fields are ignored. */
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

/** An error body's `message`, when there is one. */
export const ErrorBody = z.object({ message: z.string().min(1) });
