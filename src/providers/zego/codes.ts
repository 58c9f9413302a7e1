/**
 * ZEGO answer codes (the body's `Code`) and what the worker does with each. Data only: the rows
 * come from `providers/zego.md` (§ cited per row) and DESIGN.md's semantics table, which decides
 * where the two differ (138, the room-gone codes and 110209001 are "already done" here). The
 * user-ban rule rows (50123, 50124) follow zego.md §4.14 and §6: the contract's table predates them.
 */
import { codeLookup } from '../code-table';
import { Classification, type CodeRow } from '../types';

/** The ZEGO actions this client calls; the values are the `Action` parameter. */
export const ZegoOperation = {
  deleteStream: 'DeleteStream',
  stopMix: 'StopMix',
  kickoutUser: 'KickoutUser',
  describeSimpleStreamList: 'DescribeSimpleStreamList',
  setForbidUserRule: 'SetForbidUserRule',
  describeForbidUserRules: 'DescribeForbidUserRules',
  delForbidUserRule: 'DelForbidUserRule',
} as const;
export type ZegoOperation = (typeof ZegoOperation)[keyof typeof ZegoOperation];

const { retryable, rateLimited, alreadyDone, rejected } = Classification;
const { deleteStream, kickoutUser, describeSimpleStreamList, stopMix, setForbidUserRule, describeForbidUserRules, delForbidUserRule } =
  ZegoOperation;

/**
 * A room that no longer exists: its streams and users are gone, which is what DeleteStream and
 * KickoutUser were for, and a room with no streams for DescribeSimpleStreamList.
 */
const ROOM_GONE: readonly ZegoOperation[] = [deleteStream, kickoutUser, describeSimpleStreamList];

/** The user-ban rule APIs (zego.md §4.14), whose pages all list the rule quota code. */
const USER_RULES: readonly ZegoOperation[] = [setForbidUserRule, describeForbidUserRules, delForbidUserRule];

/** Every code the worker knows, with its classification. Codes in no row are unknown answers. */
export const ZEGO_CODES: readonly CodeRow[] = [
  // §3.1 gateway codes: any Action.
  { code: 100000000, meaning: 'wrong Host header', classification: rejected, source: 'zego.md §3.1' },
  { code: 100000001, meaning: 'AppId format error', classification: rejected, source: 'zego.md §3.1' },
  { code: 100000002, meaning: 'Timestamp empty', classification: rejected, source: 'zego.md §3.1' },
  { code: 100000003, meaning: 'Timestamp format error', classification: rejected, source: 'zego.md §3.1' },
  // A fresh timestamp is taken on every attempt, so a retry can pass unless the clock is skewed.
  { code: 100000004, meaning: 'signature expired', classification: retryable, source: 'zego.md §3.1, §2.2' },
  { code: 100000005, meaning: 'signature error', classification: rejected, source: 'zego.md §3.1, §2.2' },
  { code: 100000006, meaning: 'Action empty', classification: rejected, source: 'zego.md §3.1' },
  { code: 100000007, meaning: 'unsupported Action', classification: rejected, source: 'zego.md §3.1' },
  { code: 100000008, meaning: 'SignatureNonce empty', classification: rejected, source: 'zego.md §3.1' },
  { code: 100000009, meaning: 'Signature empty', classification: rejected, source: 'zego.md §3.1' },
  { code: 100000010, meaning: 'failed to get ServerSecret, check AppId', classification: rejected, source: 'zego.md §3.1' },
  { code: 100000011, meaning: 'failed to get App config, check AppId', classification: rejected, source: 'zego.md §3.1' },
  // "maybe" in the notes: a body the gateway could not read is a transport hiccup, worth a bounded retry.
  { code: 100000012, meaning: 'failed to read HTTP body', classification: retryable, source: 'zego.md §3.1' },
  { code: 100000013, meaning: 'SignatureVersion empty', classification: rejected, source: 'zego.md §3.1' },
  { code: 100000014, meaning: 'unsupported SignatureVersion', classification: rejected, source: 'zego.md §3.1' },
  { code: 100000015, meaning: 'gateway internal error', classification: retryable, source: 'zego.md §3.1' },
  { code: 100000016, meaning: 'App has no production environment, check IsTest', classification: rejected, source: 'zego.md §3.1' },
  { code: 100000017, meaning: 'App has not enabled this service', classification: rejected, source: 'zego.md §3.1' },
  { code: 7, meaning: 'requests per second exceeded the API rate limit', classification: rateLimited, source: 'zego.md §3.1 (OLD-EN 9811)' },

  // §3.2 room-signalling codes.
  { code: 1, meaning: 'request failed, server busy', classification: retryable, source: 'zego.md §3.2, §3.1, §4.14' },
  { code: 2, meaning: 'input parameter error', classification: rejected, source: 'zego.md §3.2, §4.14' },
  { code: 3, meaning: 'input parameter too long', classification: rejected, source: 'zego.md §3.2' },
  { code: 8, meaning: 'decode failed', classification: rejected, source: 'zego.md §3.2' },
  { code: 9, meaning: 'no permission for this API, feature not enabled', classification: rejected, source: 'zego.md §3.2, §4.13, §4.14' },
  { code: 104, meaning: 'room does not exist', classification: alreadyDone, operations: ROOM_GONE, source: 'zego.md §3.2, §6' },
  { code: 5024, meaning: 'room does not exist', classification: alreadyDone, operations: ROOM_GONE, source: 'zego.md §3.2, §6' },
  { code: 50001, meaning: 'room does not exist', classification: alreadyDone, operations: ROOM_GONE, source: 'zego.md §3.2, §4.1, §6' },
  // Kicking an absent user succeeds (§6, FAQ); a "user does not exist" code says the same thing.
  { code: 105, meaning: 'user does not exist', classification: alreadyDone, operations: [kickoutUser], source: 'zego.md §3.2, §6' },
  { code: 105, meaning: 'user does not exist', classification: rejected, source: 'zego.md §3.2' },
  { code: 50002, meaning: 'user does not exist', classification: alreadyDone, operations: [kickoutUser], source: 'zego.md §3.2, §6' },
  { code: 50002, meaning: 'user does not exist', classification: rejected, source: 'zego.md §3.2' },
  { code: 124, meaning: 'failed to delete stream info', classification: retryable, source: 'zego.md §3.2, §4.1' },
  // The page's "retry" is boilerplate: the stream is already gone (§6).
  { code: 138, meaning: 'stream info does not exist', classification: alreadyDone, operations: [deleteStream], source: 'zego.md §3.2, §4.1, §6' },
  { code: 154, meaning: 'failed to get list', classification: retryable, source: 'zego.md §3.2, §4.5' },
  { code: 206, meaning: 'App QPS too high, throttled', classification: rateLimited, source: 'zego.md §3.2, §3.5, §4.14' },
  { code: 207, meaning: 'room QPS too high, throttled', classification: rateLimited, source: 'zego.md §3.2, §3.5' },
  { code: 50011, meaning: 'user list too long', classification: rejected, source: 'zego.md §3.2, §4.2' },
  // A full quota stays full until rules expire or are deleted: a retry would only add load.
  {
    code: 50123,
    meaning: 'ban rule quota full: too many active rules of this rule type',
    classification: rejected,
    operations: USER_RULES,
    source: 'zego.md §3.2, §4.14',
  },
  // The rule expired (or was deleted) before us: what the delete was for (§6).
  {
    code: 50124,
    meaning: 'ban rule to delete does not exist',
    classification: alreadyDone,
    operations: [delForbidUserRule],
    source: 'zego.md §3.2, §4.14, §6',
  },

  // §3.3 stream-mixing codes (StopMix and its family).
  { code: 110200001, meaning: 'mix request failed, usually network', classification: retryable, source: 'zego.md §3.3, §4.10' },
  { code: 110200002, meaning: 'input parameter error', classification: rejected, source: 'zego.md §3.3, §4.10' },
  { code: 110200003, meaning: 'authentication failed', classification: rejected, source: 'zego.md §3.3, §4.10' },
  { code: 110200004, meaning: 'failed to parse input', classification: rejected, source: 'zego.md §3.3, §4.10' },
  { code: 110200005, meaning: 'distributed lock failed on start, same UserId too often', classification: retryable, source: 'zego.md §3.3' },
  { code: 110200006, meaning: 'distributed lock failed on stop, same UserId too often', classification: retryable, source: 'zego.md §3.3, §4.10' },
  { code: 110200007, meaning: 'failed to update mix request', classification: retryable, source: 'zego.md §3.3' },
  { code: 110200014, meaning: 'stop protocol conversion failed', classification: rejected, source: 'zego.md §3.3, §4.10' },
  { code: 110200015, meaning: 'stop request forwarding failed', classification: retryable, source: 'zego.md §3.3, §4.10' },
  { code: 110200160, meaning: 'non-owner tried to stop the mix task, wrong UserId', classification: rejected, source: 'zego.md §3.3, §4.10' },
  { code: 110200185, meaning: 'stop parameter parse failed', classification: rejected, source: 'zego.md §3.3, §4.10' },
  { code: 110200190, meaning: 'start mix request overload', classification: rateLimited, source: 'zego.md §3.3, §3.5' },
  { code: 110200191, meaning: 'stop mix request overload', classification: rateLimited, source: 'zego.md §3.3, §3.5' },
  { code: 110200194, meaning: 'mix request overload', classification: rateLimited, source: 'zego.md §3.3, §3.5' },
  // The task ended (by a stop, or 90 s after its inputs vanished): nothing left to stop (§6).
  { code: 110209001, meaning: 'mix task does not exist', classification: alreadyDone, operations: [stopMix], source: 'zego.md §3.3, §4.11, §6' },
];

const lookup = codeLookup(ZEGO_CODES);

/** The row for a ZEGO `Code` answered to `operation`, or `undefined` for a code the table does not know. */
export function classifyZego(operation: ZegoOperation, code: number): CodeRow | undefined {
  return lookup(operation, code);
}
