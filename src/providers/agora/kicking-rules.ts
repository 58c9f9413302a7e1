/**
 * Agora kicking rules ("banning user privileges", agora.md §7): request bodies, checked before
 * sending, and the rules the list answers. Pure functions: the client authenticates and sends.
 */
import { checkText, refuse, type ProviderOperation } from '../request-checks';
import type { KickingRuleShape } from './answers';
import { AGORA_PRIVILEGES, isAgoraPrivilege, type AgoraPrivilege } from './regions';

/** Largest kicking-rule `uid`: Agora integer UIDs are uint32 and must not be 0 (agora.md §7.1). */
export const MAX_AGORA_UID = 0xffffffff;

/** Shortest timed rule, in seconds (agora.md §7.1 `time_in_seconds`). `0` is a one-time kick instead. */
export const MIN_AGORA_RULE_SECONDS = 10;

/** Longest rule, in seconds (agora.md §7.1). A longer ban renews its rule. */
export const MAX_AGORA_RULE_SECONDS = 86_430;

/** A kicking rule to create (agora.md §7.1). At least one of `cname`, `uid`, `ip` is required. */
export interface AgoraKickingRule {
  appId: string;
  /** Channel name; a rule with only `cname` bans everyone from the channel. */
  cname?: string;
  /** Integer UID, 1 to 4294967295. */
  uid?: number;
  ip?: string;
  /**
   * `0` kicks once; otherwise 10 to 86,430 s. Agora would clamp other values silently, which would
   * make a ban's expiry wrong, so they are refused. @default Agora's own, 3600 s, when absent.
   */
  timeInSeconds?: number;
  /** At least one. */
  privileges: readonly AgoraPrivilege[];
}

/**
 * A rule as the list answers it (agora.md §7.2). Empty or absent `cname`/`ip` and a `uid` of 0 or
 * absent mean the rule does not match on that key, and are left out.
 */
export interface AgoraKickingRuleInfo {
  /** As Agora sends it: a number. */
  id: number;
  cname?: string;
  uid?: number;
  ip?: string;
  /** The rule's expiry (`ts`) as Agora sends it, UTC, e.g. `2026-01-09T07:23:06.000Z`; absent when Agora sends none. */
  expiresAt?: string;
  /** As Agora sends them (unknown values are passed through). */
  privileges: string[];
}

/** Who a ban keeps out: a uid in one channel, or (without `cname`) in every channel of the app. */
export interface AgoraBanSubject {
  uid: number;
  cname?: string;
}

/** The POST body: `appid`, `cname`, `uid`, `ip`, `time_in_seconds`, `privileges`, absent fields omitted. */
export function createRuleBody(ctx: ProviderOperation, rule: AgoraKickingRule): Record<string, unknown> {
  const body: Record<string, unknown> = { appid: checkText(ctx, 'appid', rule.appId) };
  if (rule.cname !== undefined) body.cname = checkText(ctx, 'cname', rule.cname);
  if (rule.uid !== undefined) body.uid = checkUid(ctx, rule.uid);
  if (rule.ip !== undefined) body.ip = checkText(ctx, 'ip', rule.ip);
  if (body.cname === undefined && body.uid === undefined && body.ip === undefined) {
    // A rule with none of them has no documented meaning; it must not risk banning a whole app.
    refuse(ctx, 'a kicking rule needs cname, uid or ip');
  }
  if (rule.timeInSeconds !== undefined) body.time_in_seconds = checkRuleSeconds(ctx, rule.timeInSeconds, true);
  const privileges = rule.privileges;
  if (!Array.isArray(privileges) || privileges.length === 0 || !privileges.every(isAgoraPrivilege)) {
    refuse(ctx, `privileges must be a non-empty list of ${AGORA_PRIVILEGES.join(', ')}`);
  }
  body.privileges = [...privileges];
  return body;
}

/** The PUT body (agora.md §7.3): `appid`, `id`, `time_in_seconds`; a one-time kick is not an update. */
export function updateRuleBody(ctx: ProviderOperation, update: { appId: string; ruleId: number; timeInSeconds: number }): Record<string, unknown> {
  return {
    appid: checkText(ctx, 'appid', update.appId),
    id: checkRuleId(ctx, update.ruleId),
    time_in_seconds: checkRuleSeconds(ctx, update.timeInSeconds, false),
  };
}

/** The DELETE body (agora.md §7.4): `appid`, `id`. */
export function deleteRuleBody(ctx: ProviderOperation, rule: { appId: string; ruleId: number }): Record<string, unknown> {
  return { appid: checkText(ctx, 'appid', rule.appId), id: checkRuleId(ctx, rule.ruleId) };
}

/** A listed rule in the client's terms. */
export function toKickingRuleInfo(rule: KickingRuleShape): AgoraKickingRuleInfo {
  return {
    id: rule.id,
    ...(rule.cname == null || rule.cname === '' ? {} : { cname: rule.cname }),
    ...(rule.uid == null || rule.uid === 0 ? {} : { uid: rule.uid }),
    ...(rule.ip == null || rule.ip === '' ? {} : { ip: rule.ip }),
    ...(rule.ts == null ? {} : { expiresAt: rule.ts }),
    privileges: rule.privileges,
  };
}

/**
 * Whether a listed rule is a `join_channel` ban of exactly this subject: the same uid, the same
 * channel (none for an app-wide ban) and no IP. A rule of a wider or narrower match is another rule.
 */
export function isKickingRuleFor(rule: AgoraKickingRuleInfo, subject: AgoraBanSubject): boolean {
  const cname = subject.cname === '' ? undefined : subject.cname;
  return rule.uid === subject.uid && rule.cname === cname && rule.ip === undefined && rule.privileges.includes('join_channel');
}

function checkUid(ctx: ProviderOperation, uid: number): number {
  if (!Number.isInteger(uid) || uid < 1 || uid > MAX_AGORA_UID) refuse(ctx, `uid must be an integer from 1 to ${MAX_AGORA_UID}`);
  return uid;
}

function checkRuleId(ctx: ProviderOperation, id: number): number {
  if (!Number.isSafeInteger(id) || id < 1) refuse(ctx, 'id must be a positive integer (the id Agora gave the rule)');
  return id;
}

function checkRuleSeconds(ctx: ProviderOperation, seconds: number, allowKickOnce: boolean): number {
  if (allowKickOnce && seconds === 0) return seconds;
  if (!Number.isInteger(seconds) || seconds < MIN_AGORA_RULE_SECONDS || seconds > MAX_AGORA_RULE_SECONDS) {
    const range = `an integer from ${MIN_AGORA_RULE_SECONDS} to ${MAX_AGORA_RULE_SECONDS}`;
    refuse(ctx, `time_in_seconds must be ${allowKickOnce ? `0 (kick once) or ${range}` : range} (got ${String(seconds)})`);
  }
  return seconds;
}
