/**
 * ZEGO user-ban rules (zego.md §4.14): `SetForbidUserRule` stores one per (type, key), the quota
 * counts rules still in force, and a simulated client asks whom a rule keeps out.
 */
import type { ZegoForbidRuleState } from '../control-schemas';

/** `RuleType`: what a rule is keyed on. */
export const ForbidRuleType = { ip: 1, room: 2, user: 3, roomUser: 4 } as const;
export type ForbidRuleType = (typeof ForbidRuleType)[keyof typeof ForbidRuleType];

/** `DisabledPrivilege[]` values. */
export const ForbidPrivilege = { login: 1, publish: 2 } as const;
export type ForbidPrivilege = (typeof ForbidPrivilege)[keyof typeof ForbidPrivilege];

/** Which key parameters each type requires, and how many of its rules may be in force at once. */
export const FORBID_RULE_TYPES: Readonly<Record<ForbidRuleType, { keys: readonly ForbidKeyName[]; quota: number }>> = {
  1: { keys: ['IP'], quota: 100 },
  2: { keys: ['RoomId'], quota: 200 },
  3: { keys: ['UserId'], quota: 200 },
  4: { keys: ['RoomId', 'UserId'], quota: 200 },
};

export type ForbidKeyName = 'IP' | 'RoomId' | 'UserId';

/** A rule's identity: its type and the key parameters that type uses (others are ignored). */
export interface ForbidRuleKey {
  ruleType: ForbidRuleType;
  ip?: string;
  roomId?: string;
  userId?: string;
}

/** A stored rule. */
export interface ForbidRule extends ForbidRuleKey {
  privileges: ForbidPrivilege[];
  createdAtMs: number;
  /** Unix seconds, as answered in `Data.ExpireTime`; the rule is in force before this second. */
  expireTime: number;
}

/** Who tries to log in or publish. */
export interface ForbidSubject {
  roomId: string;
  userId: string;
  ip?: string;
}

/**
 * Expired rules stay listed "until ZEGO purges them" (zego.md §4.14); the sandbox purges them an
 * hour after they expired (inferred: the docs give no period).
 */
export const EXPIRED_RULE_RETENTION_MS = 3_600_000;

function keyText(key: ForbidRuleKey): string {
  return [key.ruleType, key.ip ?? '', key.roomId ?? '', key.userId ?? ''].join('\u0000');
}

function matches(rule: ForbidRule, subject: ForbidSubject): boolean {
  switch (rule.ruleType) {
    case ForbidRuleType.ip:
      return subject.ip !== undefined && rule.ip === subject.ip;
    case ForbidRuleType.room:
      return rule.roomId === subject.roomId;
    case ForbidRuleType.user:
      return rule.userId === subject.userId;
    case ForbidRuleType.roomUser:
      return rule.roomId === subject.roomId && rule.userId === subject.userId;
  }
}

/** Whether a rule is in force at `nowMs`. */
export function inForce(rule: ForbidRule, nowMs: number): boolean {
  return nowMs < rule.expireTime * 1000;
}

/** One app's user-ban rules. */
export class ForbidRules {
  private readonly rules = new Map<string, ForbidRule>();

  /**
   * Stores a rule, or answers that the type's quota of rules in force is full. Setting a rule whose
   * key already has one replaces it, privileges and expiry alike, and succeeds; it takes no second
   * place in the quota. The docs are silent on a repeated Set; "last one wins" is what they state
   * for the sibling stream-ban rules (zego.md §4.13), and a renewal needs exactly that (inferred).
   */
  set(key: ForbidRuleKey, privileges: ForbidPrivilege[], effectiveSeconds: number, nowMs: number): ForbidRule | 'quota-full' {
    this.purge(nowMs);
    const id = keyText(key);
    const inForceOfType = [...this.rules.entries()].filter(([other, rule]) => other !== id && rule.ruleType === key.ruleType && inForce(rule, nowMs));
    if (inForceOfType.length >= FORBID_RULE_TYPES[key.ruleType].quota) return 'quota-full';
    const rule: ForbidRule = {
      ...key,
      privileges: [...new Set(privileges)].sort((a, b) => a - b),
      createdAtMs: nowMs,
      // Whole seconds, as the answer reports it: a rule may last up to a second less than asked.
      expireTime: Math.floor(nowMs / 1000) + effectiveSeconds,
    };
    // Re-inserting moves a replaced rule to the end of the list, where the newest are.
    this.rules.delete(id);
    this.rules.set(id, rule);
    return rule;
  }

  /**
   * Removes the rule with this key; false when there is none (50124). An expired rule that is still
   * listed is still there to delete (inferred).
   */
  delete(key: ForbidRuleKey, nowMs: number): boolean {
    this.purge(nowMs);
    return this.rules.delete(keyText(key));
  }

  /** Rules of one type in the order set, expired ones included until purged. */
  list(ruleType: ForbidRuleType, nowMs: number): ForbidRule[] {
    this.purge(nowMs);
    return [...this.rules.values()].filter((rule) => rule.ruleType === ruleType);
  }

  /**
   * The first rule in force that refuses `subject` this privilege. A login ban also stops a user
   * who is in the room from publishing ("user1 is still in room1 but cannot publish", zego.md
   * §4.14 source), so publishing is refused by either privilege.
   */
  refusing(subject: ForbidSubject, privilege: ForbidPrivilege, nowMs: number): ForbidRule | undefined {
    return [...this.rules.values()].find(
      (rule) =>
        inForce(rule, nowMs) &&
        matches(rule, subject) &&
        (rule.privileges.includes(privilege) || (privilege === ForbidPrivilege.publish && rule.privileges.includes(ForbidPrivilege.login))),
    );
  }

  all(nowMs: number): ForbidRule[] {
    this.purge(nowMs);
    return [...this.rules.values()];
  }

  private purge(nowMs: number): void {
    for (const [id, rule] of this.rules) {
      if (rule.expireTime * 1000 + EXPIRED_RULE_RETENTION_MS <= nowMs) this.rules.delete(id);
    }
  }
}

/** A rule for the control API. */
export function forbidRuleState(appId: number, rule: ForbidRule, nowMs: number): ZegoForbidRuleState {
  return {
    appId,
    ruleType: rule.ruleType,
    ...(rule.ip === undefined ? {} : { ip: rule.ip }),
    ...(rule.roomId === undefined ? {} : { roomId: rule.roomId }),
    ...(rule.userId === undefined ? {} : { userId: rule.userId }),
    disabledPrivileges: [...rule.privileges],
    createdAt: new Date(rule.createdAtMs).toISOString(),
    expireTime: rule.expireTime,
    expiresAt: new Date(rule.expireTime * 1000).toISOString(),
    active: inForce(rule, nowMs),
  };
}

/** A rule as `DescribeForbidUserRules` lists it: the keys a type does not use are `""` (the docs' example). */
export function forbidRuleWire(rule: ForbidRule): Record<string, unknown> {
  return {
    RuleType: rule.ruleType,
    IP: rule.ip ?? '',
    RoomId: rule.roomId ?? '',
    UserId: rule.userId ?? '',
    DisabledPrivilegeList: [...rule.privileges],
    ExpireTime: rule.expireTime,
  };
}
