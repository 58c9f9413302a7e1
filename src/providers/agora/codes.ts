/**
 * Agora answers are HTTP statuses; this is what the worker does with each non-2xx one (2xx is
 * success and never looked up). Data only: rows from `providers/agora.md` (§ cited per row) and
 * DESIGN.md's semantics table, which decides the Media Gateway 404 rows (agora.md §10 infers them).
 */
import { codeLookup } from '../code-table';
import { Classification, type CodeRow } from '../types';

/** The Agora operations this client calls; the values name them in messages and step records. */
export const AgoraOperation = {
  deleteStreamKey: 'DeleteStreamKey',
  listOnlineStreams: 'ListOnlineStreams',
  getOnlineStream: 'GetOnlineStream',
  forceDisconnect: 'ForceDisconnect',
  createKickingRule: 'CreateKickingRule',
  listKickingRules: 'ListKickingRules',
  updateKickingRule: 'UpdateKickingRule',
  deleteKickingRule: 'DeleteKickingRule',
} as const;
export type AgoraOperation = (typeof AgoraOperation)[keyof typeof AgoraOperation];

const { retryable, rateLimited, alreadyDone, rejected } = Classification;
const {
  deleteStreamKey,
  listOnlineStreams,
  getOnlineStream,
  forceDisconnect,
  createKickingRule,
  listKickingRules,
  updateKickingRule,
  deleteKickingRule,
} = AgoraOperation;

/** Media Gateway "streaming key" family (agora.md §5.1). */
const KEY_OPS: readonly AgoraOperation[] = [deleteStreamKey];
/** Media Gateway "information query" family (agora.md §5.2). */
const SESSION_OPS: readonly AgoraOperation[] = [listOnlineStreams, getOnlineStream, forceDisconnect];
/** Channel Management API (agora.md §5.3). */
const CHANNEL_OPS: readonly AgoraOperation[] = [createKickingRule, listKickingRules, updateKickingRule, deleteKickingRule];

/** Every status the worker knows, with its classification. Statuses in no row are unknown answers. */
export const AGORA_CODES: readonly CodeRow[] = [
  { code: 400, meaning: 'bad parameters', classification: rejected, source: 'agora.md §5.1, §5.2, §5.3' },
  { code: 401, meaning: 'invalid authentication credentials', classification: rejected, source: 'agora.md §2.3, §5.1, §5.3' },
  { code: 403, meaning: 'Media Gateway not enabled or key of another App ID', classification: rejected, operations: KEY_OPS, source: 'agora.md §5.1' },
  { code: 403, meaning: 'Media Gateway not enabled for this project', classification: rejected, operations: SESSION_OPS, source: 'agora.md §5.2' },
  { code: 403, meaning: 'forbidden', classification: rejected, operations: CHANNEL_OPS, source: 'agora.md §5.3' },
  // Deleting a key that is gone, or ending a session that ended, finds its work done (§10).
  { code: 404, meaning: 'stream key does not exist, already deleted', classification: alreadyDone, operations: KEY_OPS, source: 'agora.md §5.1, §10' },
  {
    code: 404,
    meaning: 'session does not exist, already ended',
    classification: alreadyDone,
    operations: [getOnlineStream, forceDisconnect],
    source: 'agora.md §5.2, §10',
  },
  // agora.md §7.4 is silent on a missing rule id; §5.3 gives 404 "resource not found" for the
  // Channel Management API. A rule that expired or was deleted before is what the delete was for.
  {
    code: 404,
    meaning: 'kicking rule does not exist, expired or already deleted',
    classification: alreadyDone,
    operations: [deleteKickingRule],
    source: 'agora.md §5.3, §7.4',
  },
  // The same answer to a time change cannot succeed when re-sent: the rule must be created anew.
  {
    code: 404,
    meaning: 'kicking rule does not exist, expired or deleted',
    classification: rejected,
    operations: [updateKickingRule],
    source: 'agora.md §5.3, §7.3',
  },
  { code: 409, meaning: 'too many concurrent requests', classification: retryable, source: 'agora.md §5.1' },
  { code: 415, meaning: 'unsupported media type', classification: rejected, operations: CHANNEL_OPS, source: 'agora.md §5.3' },
  { code: 429, meaning: 'request rate limit exceeded', classification: rateLimited, source: 'agora.md §5.1, §5.3, §6' },
  // A kicking-rule POST that failed with 5xx may still have created the rule (§7.5); a retry can add a duplicate.
  { code: 500, meaning: 'internal error', classification: retryable, source: 'agora.md §5.1, §5.2, §5.3' },
  { code: 502, meaning: 'bad gateway', classification: retryable, source: 'agora.md §5.2' },
  { code: 503, meaning: 'service overloaded or unavailable', classification: retryable, source: 'agora.md §5.1, §5.2' },
  { code: 504, meaning: 'gateway timeout', classification: retryable, source: 'agora.md §5.1, §5.2, §7.5' },
];

const lookup = codeLookup(AGORA_CODES);

/** The row for an HTTP status answered to `operation`, or `undefined` for a status the table does not know. */
export function classifyAgora(operation: AgoraOperation, status: number): CodeRow | undefined {
  return lookup(operation, status);
}
