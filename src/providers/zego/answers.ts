/** Shapes of ZEGO answers (zego.md §1.4, §4.5, §4.14), validated with zod. Unknown fields are ignored. */
import { z } from 'zod';

/** A number where a string is documented is accepted and kept as its decimal text. */
const stringOrNumber = z.union([z.string(), z.number().transform(String)]);

/** `{ Code, Message, RequestId, Data? }`, returned on HTTP 200 whether the call succeeded or not. */
export const ZegoEnvelope = z.object({
  Code: z.number().int(),
  Message: z.string().nullish(),
  // Documented as a string; tolerated as a number. Only used for tracing, so absence is fine.
  RequestId: stringOrNumber.nullish(),
  Data: z.unknown().optional(),
});

const ZegoStream = z.object({
  StreamId: z.string(),
  UserId: z.string(),
  UserName: z.string().nullish(),
  CreateTime: z.number().nullish(),
});

/**
 * A successful DescribeSimpleStreamList answer, validated whole so that errors name the full path
 * (`Data.StreamList[0].StreamId`). `null` (for `Data` or `StreamList`) reads as "no streams", the
 * usual serialisation of an empty list; an absent one is not an answer we understand.
 */
export const ZegoStreamListAnswer = z.object({
  Data: z
    .object({ StreamList: z.array(ZegoStream).nullable() })
    .nullable()
    .transform((data) => data?.StreamList ?? []),
});

/** A successful SetForbidUserRule answer: `Data.ExpireTime`, the rule's expiry in Unix seconds (zego.md §4.14). */
export const ZegoForbidUserRuleSet = z.object({
  Data: z.object({ ExpireTime: z.number().int() }),
});

/**
 * One DescribeForbidUserRules rule (zego.md §4.14). The docs' example sends `""` for the keys a
 * rule type does not use; absent or `null` ones are tolerated the same way.
 */
const ZegoForbidUserRuleItem = z.object({
  RuleType: z.number().int(),
  IP: z.string().nullish(),
  RoomId: z.string().nullish(),
  UserId: z.string().nullish(),
  DisabledPrivilegeList: z.array(z.number().int()),
  ExpireTime: z.number().int(),
});
export type ZegoForbidUserRuleShape = z.output<typeof ZegoForbidUserRuleItem>;

/**
 * A successful DescribeForbidUserRules answer, validated whole so that errors name the full path
 * (`Data.RuleList[0].ExpireTime`). `null` (for `Data` or `RuleList`) reads as "no rules", as for
 * the stream list; an absent one is not an answer we understand.
 */
export const ZegoForbidUserRuleList = z.object({
  Data: z
    .object({ RuleList: z.array(ZegoForbidUserRuleItem).nullable() })
    .nullable()
    .transform((data) => data?.RuleList ?? []),
});
