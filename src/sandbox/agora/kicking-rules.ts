/** Agora's "banning user privileges" rules (agora.md §7): validation, storage and whom a rule bans. */
import type { KickingRuleState } from '../control-schemas';
import type { RuleCaps } from '../rule-caps';
import { AgoraMessage } from './messages';

/** Privileges a rule may ban (agora.md §7.1). */
export const KICKING_PRIVILEGES = ['join_channel', 'publish_audio', 'publish_video'] as const;

/** Clamp range of `time` (minutes) and the ban length when neither field is given (agora.md §7.1). */
export const KICKING_TIME_LIMITS = {
  minutes: { min: 1, max: 1440 },
  defaultSeconds: 3600,
} as const;

/** A stored rule. */
export interface KickingRule {
  id: number;
  /** The Agora account that made it: rules are listed and deleted per account. */
  customerId: string;
  appid: string;
  cname?: string;
  uid?: number;
  ip?: string;
  privileges: string[];
  /** 0 for a one-time kick: it expires as it is made. */
  durationSeconds: number;
  createdAtMs: number;
  updatedAtMs: number;
  expiresAtMs: number;
}

/** A create body, validated and with its ban length resolved. */
export type RuleRequest = Omit<KickingRule, 'id' | 'customerId' | 'createdAtMs' | 'updatedAtMs' | 'expiresAtMs'>;

/** Who a rule may name: a Media Gateway host (no IP) or a simulated RTC user. */
export interface KickTarget {
  channel: string;
  /** Sessions carry string uids; a rule's numeric uid matches its decimal spelling. */
  uid: string;
  ip?: string;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function clamp(value: number, range: { min: number; max: number }): number {
  return Math.min(range.max, Math.max(range.min, value));
}

/**
 * Ban length from `time` (minutes) or `time_in_seconds` (wins when both are given); 0 = one-time
 * kick. Either is clamped (agora.md §7.1): minutes to [1, 1440], and the length in seconds to the
 * caps, [10, 86430] unless a test changed them. Neither given: an hour (then capped too).
 */
export function durationSeconds(time: unknown, timeInSeconds: unknown, caps: RuleCaps): number | undefined {
  const valid = (value: unknown): value is number | undefined => value === undefined || (typeof value === 'number' && value >= 0);
  if (!valid(time) || !valid(timeInSeconds)) return undefined;
  const capped = (seconds: number): number => clamp(seconds, { min: caps.agoraMinRuleSeconds, max: caps.agoraMaxRuleSeconds });
  if (timeInSeconds !== undefined) return timeInSeconds === 0 ? 0 : capped(timeInSeconds);
  if (time !== undefined) return time === 0 ? 0 : capped(clamp(time, KICKING_TIME_LIMITS.minutes) * 60);
  return capped(KICKING_TIME_LIMITS.defaultSeconds);
}

/** Reads a create body; an error is the 400 message. */
export function readRuleRequest(body: unknown, caps: RuleCaps): { rule: RuleRequest } | { error: string } {
  if (!isObject(body)) return { error: AgoraMessage.invalidBody };
  const { appid, cname, uid, ip, time, time_in_seconds: timeInSeconds, privileges } = body;
  if (typeof appid !== 'string' || appid === '') return { error: AgoraMessage.invalidKickingAppId };
  const known = KICKING_PRIVILEGES as readonly unknown[];
  if (!Array.isArray(privileges) || privileges.length === 0 || !privileges.every((p) => known.includes(p))) {
    return { error: AgoraMessage.invalidPrivileges };
  }
  if (uid !== undefined && (typeof uid !== 'number' || !Number.isInteger(uid) || uid <= 0)) return { error: AgoraMessage.invalidUid };
  if ((cname !== undefined && typeof cname !== 'string') || (ip !== undefined && typeof ip !== 'string')) {
    return { error: AgoraMessage.invalidBody };
  }
  const seconds = durationSeconds(time, timeInSeconds, caps);
  if (seconds === undefined) return { error: AgoraMessage.invalidTime };
  return {
    rule: {
      appid,
      // The docs' own example sends `"ip": ""`: an empty value means "not set".
      ...(cname ? { cname } : {}),
      ...(uid === undefined ? {} : { uid }),
      ...(ip ? { ip } : {}),
      privileges: privileges as string[],
      durationSeconds: seconds,
    },
  };
}

/**
 * Whether a rule names this target (agora.md §7.1's matrix): every field the rule sets must match,
 * and a rule setting none names nobody. Sessions have no IP, so IP rules never match them; a rule's
 * numeric uid matches the session's uid string (inferred, agora.md §7.6).
 */
export function ruleMatches(rule: KickingRule, target: KickTarget): boolean {
  if (rule.cname === undefined && rule.uid === undefined && rule.ip === undefined) return false;
  return (
    (rule.cname === undefined || rule.cname === target.channel) &&
    (rule.uid === undefined || String(rule.uid) === target.uid) &&
    (rule.ip === undefined || rule.ip === target.ip)
  );
}

/** Whether a rule is in force; a one-time kick (length 0) never is. */
export function ruleInForce(rule: KickingRule, nowMs: number): boolean {
  return rule.expiresAtMs > nowMs;
}

/** Every rule of every account; ids count up from 1 and restart at a reset. */
export class KickingRules {
  private readonly rules = new Map<number, KickingRule>();
  private nextId = 1;

  create(customerId: string, request: RuleRequest, nowMs: number): KickingRule {
    const rule: KickingRule = {
      ...request,
      id: this.nextId++,
      customerId,
      createdAtMs: nowMs,
      updatedAtMs: nowMs,
      expiresAtMs: nowMs + request.durationSeconds * 1000,
    };
    this.rules.set(rule.id, rule);
    return rule;
  }

  /**
   * Sets a rule's expiry to `seconds` from now (agora.md §7.3; counting from now rather than from
   * creation is inferred). 0 ends the ban now. Undefined when the account has no such rule.
   */
  update(customerId: string, appid: string, id: number, seconds: number, nowMs: number): KickingRule | undefined {
    const rule = this.rules.get(id);
    if (rule === undefined || rule.customerId !== customerId || rule.appid !== appid) return undefined;
    rule.durationSeconds = seconds;
    rule.updatedAtMs = nowMs;
    rule.expiresAtMs = nowMs + seconds * 1000;
    return rule;
  }

  list(customerId: string, appid: string): KickingRule[] {
    return [...this.rules.values()].filter((rule) => rule.customerId === customerId && rule.appid === appid);
  }

  delete(customerId: string, appid: string, id: number): boolean {
    const rule = this.rules.get(id);
    if (rule === undefined || rule.customerId !== customerId || rule.appid !== appid) return false;
    return this.rules.delete(id);
  }

  /** The first rule in force, of any account, that keeps this target out of its channel (`join_channel`). */
  banning(appid: string, target: KickTarget, nowMs: number): KickingRule | undefined {
    return [...this.rules.values()].find(
      (rule) => rule.appid === appid && ruleInForce(rule, nowMs) && rule.privileges.includes('join_channel') && ruleMatches(rule, target),
    );
  }

  all(): KickingRule[] {
    return [...this.rules.values()];
  }

  clear(): void {
    this.rules.clear();
    this.nextId = 1;
  }
}

/** A rule as Agora lists it (agora.md §7.2); `opid` is an operator id the sandbox fixes at 1. */
export function kickingRuleWire(rule: KickingRule): KickingRuleState {
  const iso = (ms: number): string => new Date(ms).toISOString();
  return {
    id: rule.id,
    appid: rule.appid,
    ...(rule.cname === undefined ? {} : { cname: rule.cname }),
    ...(rule.uid === undefined ? {} : { uid: rule.uid }),
    ...(rule.ip === undefined ? {} : { ip: rule.ip }),
    privileges: [...rule.privileges],
    ts: iso(rule.expiresAtMs),
    createAt: iso(rule.createdAtMs),
    updateAt: iso(rule.updatedAtMs),
    opid: 1,
  };
}
