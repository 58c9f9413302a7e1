import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

/** Provider of the takedown: `zego` or `agora`. */
export const TakedownProvider = defineSearchAttributeKey('TakedownProvider', SearchAttributeType.KEYWORD);
/** Provider app id (ZEGO AppId, Agora App ID), as text. */
export const TakedownAppId = defineSearchAttributeKey('TakedownAppId', SearchAttributeType.KEYWORD);
/** The classifier's violation id. */
export const TakedownViolationId = defineSearchAttributeKey('TakedownViolationId', SearchAttributeType.KEYWORD);
/** `running`, then the result's outcome (`enforced`, `already-enforced`, `dry-run`) or the failure type. */
export const TakedownOutcome = defineSearchAttributeKey('TakedownOutcome', SearchAttributeType.KEYWORD);

/** Every search attribute the workflow writes; all Keyword. */
export const SEARCH_ATTRIBUTES = [TakedownProvider, TakedownAppId, TakedownViolationId, TakedownOutcome] as const;
