/**
 * Simulated Agora RTC users, one per (App ID, channel, uid): a `join_channel` kicking rule that
 * names one kicks it (agora.md §7.1), and it then tries to rejoin, refused while a rule holds. A
 * one-time kick (`time: 0`) removes it once and lets it straight back.
 */
import type { AgoraJoinAttempt, AgoraRtcUserState } from '../control-schemas';
import { preciseNow } from '../request-log';
import { keepRejoining, pushBounded, type RejoinPolicy } from '../rejoin';
import type { Timers } from '../timers';
import { kickingRuleWire, ruleMatches, type KickingRule, type KickingRules } from './kicking-rules';

/** What `addAgoraRtcUser` gives, validated. */
export interface RtcUserSpec {
  appId: string;
  channel: string;
  uid: number;
  ip?: string;
  rejoin: RejoinPolicy;
}

interface RtcUser extends RtcUserSpec {
  phase: AgoraRtcUserState['phase'];
  /** Bumped by each kick, so retries of an older kick stop. */
  cycle: number;
  kickedAt: number[];
  attempts: AgoraJoinAttempt[];
}

function userKey(appId: string, channel: string, uid: number): string {
  return `${appId}\u0000${channel}\u0000${uid}`;
}

/** Every simulated RTC user. RTC channels belong to an App ID, not to a REST region. */
export class RtcUsers {
  private users = new Map<string, RtcUser>();

  constructor(
    private readonly rules: KickingRules,
    private readonly timers: Timers,
    private readonly now: () => number,
  ) {}

  /** Adds a user that joins now, through the same check as a rejoin; replaces one of the same key. */
  add(spec: RtcUserSpec): AgoraRtcUserState {
    const user: RtcUser = { ...spec, phase: 'rejoining', cycle: 1, kickedAt: [], attempts: [] };
    this.users.set(userKey(spec.appId, spec.channel, spec.uid), user);
    if (!this.attempt(user, 'created')) this.retry(user);
    return state(user);
  }

  /** A `join_channel` rule was created or renewed: the users in channel it names are kicked and start coming back. */
  apply(rule: KickingRule): void {
    if (!rule.privileges.includes('join_channel')) return;
    for (const user of this.users.values()) {
      if (user.appId !== rule.appid || user.phase !== 'joined') continue;
      if (!ruleMatches(rule, { channel: user.channel, uid: String(user.uid), ...(user.ip === undefined ? {} : { ip: user.ip }) })) continue;
      pushBounded(user.kickedAt, preciseNow());
      user.phase = 'rejoining';
      user.cycle += 1;
      this.retry(user);
    }
  }

  dump(): AgoraRtcUserState[] {
    return [...this.users.values()].map(state);
  }

  clear(): void {
    this.users = new Map();
  }

  private retry(user: RtcUser): void {
    const cycle = user.cycle;
    keepRejoining(this.timers, user.rejoin, {
      attempt: () => this.attempt(user, 'rejoin'),
      giveUp: () => {
        user.phase = 'gave-up';
      },
      current: () => user.cycle === cycle && this.users.get(userKey(user.appId, user.channel, user.uid)) === user,
    });
  }

  private attempt(user: RtcUser, reason: AgoraJoinAttempt['reason']): boolean {
    const at = preciseNow();
    const target = { channel: user.channel, uid: String(user.uid), ...(user.ip === undefined ? {} : { ip: user.ip }) };
    const rule = this.rules.banning(user.appId, target, this.now());
    if (rule !== undefined) {
      pushBounded(user.attempts, { at, reason, outcome: 'refused', rule: kickingRuleWire(rule) });
      return false;
    }
    pushBounded(user.attempts, { at, reason, outcome: 'accepted' });
    user.phase = 'joined';
    return true;
  }
}

function state(user: RtcUser): AgoraRtcUserState {
  return {
    appId: user.appId,
    channel: user.channel,
    uid: user.uid,
    ...(user.ip === undefined ? {} : { ip: user.ip }),
    rejoin: { ...user.rejoin },
    phase: user.phase,
    inChannel: user.phase === 'joined',
    kickedAt: [...user.kickedAt],
    attempts: user.attempts.map((attempt) => ({ ...attempt })),
  };
}
