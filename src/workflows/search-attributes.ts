import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

/** Provider of the takedown: `zego` or `agora`. */
export const TakedownProvider = defineSearchAttributeKey('TakedownProvider', SearchAttributeType.KEYWORD);
/** Provider app id (ZEGO AppId, Agora App ID), as text. */
export const TakedownAppId = defineSearchAttributeKey('TakedownAppId', SearchAttributeType.KEYWORD);
/** The classifier's violation id. */
export const TakedownViolationId = defineSearchAttributeKey('TakedownViolationId', SearchAttributeType.KEYWORD);
/** `running`, then the result's outcome (`enforced`, `already-enforced`, `dry-run`) or the failure type; bans: `banned`, then `lifted` or `expired`. */
export const TakedownOutcome = defineSearchAttributeKey('TakedownOutcome', SearchAttributeType.KEYWORD);

/** When a ban ends (unset for a permanent one). */
export const TakedownBanExpiresAt = defineSearchAttributeKey('TakedownBanExpiresAt', SearchAttributeType.DATETIME);

/** Every search attribute the workflows write. */
export const SEARCH_ATTRIBUTES = [TakedownProvider, TakedownAppId, TakedownViolationId, TakedownOutcome, TakedownBanExpiresAt] as const;
