/**
 * ZEGO user-ban rules (zego.md §4.14): the parameters of SetForbidUserRule, DescribeForbidUserRules
 * and DelForbidUserRule, and the rules DescribeForbidUserRules answers. Pure functions: the client
 * signs and sends.
 */
import { checkText, refuse, type ProviderOperation } from '../request-checks';
import type { QueryParam } from '../url';
import type { ZegoForbidUserRuleShape } from './answers';

/** `RuleType` values (zego.md §4.14): what a rule matches. */
export const ZegoForbidRuleType = {
  /** By IP address (at most 100 active rules). */
  ip: 1,
  /** By RoomId: nobody may log in to the room (at most 200). */
  room: 2,
  /** By UserId: the user, in every room of the app (at most 200). */
  user: 3,
  /** By RoomId and UserId: the user, in that room (at most 200). */
  roomUser: 4,
} as const;
export type ZegoForbidRuleType = (typeof ZegoForbidRuleType)[keyof typeof ZegoForbidRuleType];

/** `DisabledPrivilege[]` values (zego.md §4.14). */
export const ZegoDisabledPrivilege = { login: 1, publish: 2 } as const;
export type ZegoDisabledPrivilege = (typeof ZegoDisabledPrivilege)[keyof typeof ZegoDisabledPrivilege];

/**
 * What a ban takes away: login and publish, as the contract says. A rule does not evict a user
 * already in the room (KickoutUser does); with login banned, the kicked client cannot come back.
 */
export const ZEGO_BAN_PRIVILEGES: readonly ZegoDisabledPrivilege[] = [ZegoDisabledPrivilege.login, ZegoDisabledPrivilege.publish];

/** Shortest `EffectiveTime`, in seconds (zego.md §4.14). */
export const MIN_ZEGO_RULE_SECONDS = 1;

/** Longest `EffectiveTime`, in seconds: one day (zego.md §4.14). A longer ban renews its rule. */
export const MAX_ZEGO_RULE_SECONDS = 86_400;

/** Ban scopes of the contract: `room` is this room, `app` every room of the app. */
export const ZegoBanScope = { room: 'room', app: 'app' } as const;
export type ZegoBanScope = (typeof ZegoBanScope)[keyof typeof ZegoBanScope];

/** The `RuleType` each scope is sent as. */
export const ZEGO_RULE_TYPE_BY_SCOPE: Readonly<Record<ZegoBanScope, ZegoForbidRuleType>> = {
  room: ZegoForbidRuleType.roomUser,
  app: ZegoForbidRuleType.user,
};

/** Whom a user-ban rule is about: a user in one room, or a user in every room of the app. */
export type ZegoForbidUserTarget =
  | { scope: typeof ZegoBanScope.room; roomId: string; userId: string }
  | { scope: typeof ZegoBanScope.app; userId: string };

/** One rule of DescribeForbidUserRules. Empty `IP`/`RoomId`/`UserId` (the rule type has none) are left out. */
export interface ZegoForbidUserRule {
  /** As ZEGO sends it; see {@link ZegoForbidRuleType}. */
  ruleType: number;
  ip?: string;
  roomId?: string;
  userId?: string;
  /** As ZEGO sends them; see {@link ZegoDisabledPrivilege}. */
  disabledPrivileges: number[];
  /** Unix seconds. Expired rules are listed too, until ZEGO purges them. */
  expireTime: number;
}

/** The `RuleType` of a scope; anything else is refused (a typo must not turn into an IP or room-wide ban). */
export function ruleTypeOf(ctx: ProviderOperation, scope: unknown): ZegoForbidRuleType {
  if (scope !== ZegoBanScope.room && scope !== ZegoBanScope.app) {
    refuse(ctx, `scope must be ${ZegoBanScope.room} or ${ZegoBanScope.app}`);
  }
  return ZEGO_RULE_TYPE_BY_SCOPE[scope];
}

/** `RuleType` and the keys it requires, in the order the docs list them: `RoomId` (room scope), `UserId`. */
export function ruleKeyParams(ctx: ProviderOperation, target: ZegoForbidUserTarget): QueryParam[] {
  const ruleType = ruleTypeOf(ctx, target.scope);
  const params: QueryParam[] = [['RuleType', String(ruleType)]];
  if (target.scope === ZegoBanScope.room) params.push(['RoomId', checkText(ctx, 'RoomId', target.roomId)]);
  params.push(['UserId', checkText(ctx, 'UserId', target.userId)]);
  return params;
}

/** Throws unless `seconds` is an integer `EffectiveTime` ZEGO accepts. */
export function checkEffectiveTime(ctx: ProviderOperation, seconds: number): number {
  if (!Number.isInteger(seconds) || seconds < MIN_ZEGO_RULE_SECONDS || seconds > MAX_ZEGO_RULE_SECONDS) {
    refuse(ctx, `EffectiveTime must be an integer from ${MIN_ZEGO_RULE_SECONDS} to ${MAX_ZEGO_RULE_SECONDS} seconds (got ${String(seconds)})`);
  }
  return seconds;
}

/** A listed rule in the client's terms. */
export function toForbidUserRule(rule: ZegoForbidUserRuleShape): ZegoForbidUserRule {
  return {
    ruleType: rule.RuleType,
    ...(rule.IP == null || rule.IP === '' ? {} : { ip: rule.IP }),
    ...(rule.RoomId == null || rule.RoomId === '' ? {} : { roomId: rule.RoomId }),
    ...(rule.UserId == null || rule.UserId === '' ? {} : { userId: rule.UserId }),
    disabledPrivileges: rule.DisabledPrivilegeList,
    expireTime: rule.ExpireTime,
  };
}

/** Whether a listed rule is the one `target` would set: same rule type and the same keys. */
export function isForbidUserRuleFor(rule: ZegoForbidUserRule, target: ZegoForbidUserTarget): boolean {
  if (rule.userId !== target.userId || rule.ruleType !== ZEGO_RULE_TYPE_BY_SCOPE[target.scope]) return false;
  return target.scope === ZegoBanScope.room ? rule.roomId === target.roomId : true;
}
