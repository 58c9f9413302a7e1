/**
 * Ban activities: joining a ban from a takedown, and the provider rules a `ban` workflow places,
 * renews and removes (ZEGO user-ban rules, Agora kicking rules).
 */
import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import { isKickingRuleFor, type AgoraClient } from '../providers/agora';
import type { ZegoForbidUserTarget } from '../providers/zego';
import { AGORA_MIN_RULE_SECONDS, type BanJoined, type BanSubject, type Strike } from '../workflows/ban-definitions';
import type { StepRecord } from '../workflows/types';
import type { ActivityDependencies } from './index';
import { StepFailureType } from './failures';
import { providerCalls } from './provider-calls';
import { stepRecord } from './steps';

/** Starts or joins ban workflows (`src/takedown-worker/bans.ts`). */
export interface BanStarter {
  /**
   * Starts the subject's ban workflow unless one is open, and adds the strike; answers once the
   * ban's rule is in force. `updateId` makes a retried join the same strike.
   */
  join(subject: BanSubject, strike: Strike, updateId: string): Promise<BanJoined>;
}

/** A rule in force: its step record, with when the provider lets it lapse. */
export type PlacedRule = StepRecord & { expiresAt: string; ruleId?: number };

const AGORA_BAN_PRIVILEGES = ['join_channel'] as const;
/** How often `joinBan` heartbeats while the ban places its rule. */
const JOIN_BAN_HEARTBEAT_MS = 1_000;

/** A rule's length, and optionally the latest time it may end (epoch ms). */
interface RuleLength {
  seconds: number;
  /**
   * Set on a renewal: an attempt sent late (retries under a provider storm) asks for fewer seconds,
   * so the rule still ends with the ban instead of its length after the retry.
   */
  untilMs?: number;
}

/** The seconds to ask for at this moment: `seconds`, cut to what is left before `untilMs`, at least `minSeconds`. */
export function ruleSecondsNow({ seconds, untilMs }: RuleLength, minSeconds: number, nowMs = Date.now()): number {
  if (untilMs === undefined) return seconds;
  return Math.max(minSeconds, Math.min(seconds, Math.ceil((untilMs - nowMs) / 1000)));
}

export function banActivities(deps: ActivityDependencies) {
  const { zego, agora, providerCall } = providerCalls(deps);

  /** Agora create has no idempotency key: after an attempt whose answer may be lost, look for the rule it made. */
  const findAgoraRule = async (client: AgoraClient, input: { appId: string; cname?: string; uid: number }) => {
    const { rules } = await providerCall('agora', 'ListKickingRules', (o) => client.listKickingRules({ appId: input.appId }, o));
    const now = Date.now();
    return rules.find((rule) => isKickingRuleFor(rule, input) && (rule.expiresAt === undefined || Date.parse(rule.expiresAt) > now));
  };

  const createAgoraRule = async (input: { appId: string; cname?: string; uid: number } & RuleLength): Promise<PlacedRule & { ruleId: number }> => {
    const client = agora(input.appId);
    const seconds = input.seconds === 0 ? 0 : ruleSecondsNow(input, AGORA_MIN_RULE_SECONDS);
    if (input.seconds > 0 && Context.current().info.attempt > 1) {
      const found = await findAgoraRule(client, input);
      if (found) {
        return { action: 'BanUser', outcome: 'already-done', attempts: Context.current().info.attempt, ruleId: found.id, uid: String(input.uid), expiresAt: found.expiresAt ?? new Date(Date.now() + seconds * 1000).toISOString() };
      }
    }
    const rule = { appId: input.appId, uid: input.uid, timeInSeconds: seconds, privileges: AGORA_BAN_PRIVILEGES, ...(input.cname ? { cname: input.cname } : {}) };
    // Agora answers the rule id only. Its expiry counts from when Agora made the rule, somewhere
    // between sending and the answer: counting from the send keeps the ban's end no later than the rule's.
    const sentAtMs = Date.now();
    const result = await providerCall('agora', 'BanUser', (o) => client.createKickingRule(rule, o));
    return { ...stepRecord('BanUser', result, { uid: String(input.uid) }), ruleId: result.ruleId, expiresAt: new Date(sentAtMs + seconds * 1000).toISOString() };
  };

  return {
    /**
     * The takedown's ban step: starts or joins the subject's ban workflow and waits until its
     * rule is in force. The ban's own failure (a rejected rule) fails the step the same way.
     */
    async joinBan(input: { subject: BanSubject; strike: Strike }): Promise<BanJoined> {
      const context = Context.current();
      const { info } = context;
      const run = info.workflowExecution ?? { workflowId: '', runId: '' };
      if (!deps.bans) throw ApplicationFailure.create({ type: StepFailureType.InvalidRequest, message: 'this worker cannot start bans', nonRetryable: true });
      const updateId = `${run.workflowId}/${run.runId}/${info.activityId}`;
      // The wait lasts as long as the ban's rule step: heartbeats let the attempt of a worker that
      // died be retried after the heartbeat timeout, not the whole step budget.
      const beat = setInterval(() => context.heartbeat(), JOIN_BAN_HEARTBEAT_MS);
      try {
        return await deps.bans.join(input.subject, input.strike, updateId);
      } catch (err) {
        // A failed update carries the ban workflow's own failure as its cause.
        const cause = (err as { cause?: unknown }).cause;
        if (cause instanceof ApplicationFailure) throw ApplicationFailure.create({ type: cause.type ?? undefined, message: cause.message, nonRetryable: cause.nonRetryable === true });
        throw err;
      } finally {
        clearInterval(beat);
      }
    },

    /** SetForbidUserRule (login and publish) for `seconds`; setting it again for the same user extends it. */
    async zegoForbidUser(input: { appId: number; target: ZegoForbidUserTarget } & RuleLength): Promise<PlacedRule> {
      const client = zego(input.appId);
      const effectiveTime = ruleSecondsNow(input, 1);
      const result = await providerCall('zego', 'ForbidUser', (o) => client.setForbidUserRule(input.appId, { ...input.target, effectiveTime }, o));
      return { ...stepRecord('ForbidUser', result), expiresAt: new Date(result.expireTime * 1000).toISOString() };
    },

    /** DelForbidUserRule; a rule already gone (50124) is `already-done`. */
    async zegoUnforbidUser(input: { appId: number; target: ZegoForbidUserTarget }): Promise<StepRecord> {
      const client = zego(input.appId);
      const result = await providerCall('zego', 'UnforbidUser', (o) => client.delForbidUserRule(input.appId, input.target, o));
      return stepRecord('ForbidUser', result);
    },

    /**
     * A kicking rule (`join_channel`) on a uid, in one channel or (without `cname`) every channel
     * of the app; `seconds: 0` kicks the user out once. A retry first lists the rules, so a rule
     * whose create answer was lost is not made twice.
     */
    agoraBanUser: createAgoraRule,

    /**
     * Extends a kicking rule to `seconds` from now; a rule that lapsed or was removed meanwhile
     * (404) is made again.
     */
    async agoraRenewBan(input: { appId: string; ruleId: number; cname?: string; uid: number } & RuleLength): Promise<PlacedRule & { ruleId: number }> {
      const client = agora(input.appId);
      try {
        const timeInSeconds = ruleSecondsNow(input, AGORA_MIN_RULE_SECONDS);
        const result = await providerCall('agora', 'RenewBan', (o) => client.updateKickingRule({ appId: input.appId, ruleId: input.ruleId, timeInSeconds }, o));
        return { ...stepRecord('BanUser', result, { uid: String(input.uid) }), ruleId: result.ruleId, expiresAt: result.expiresAt };
      } catch (err) {
        const gone = err instanceof ApplicationFailure && (err.details?.[0] as { providerCode?: number } | undefined)?.providerCode === 404;
        if (!gone) throw err;
        return createAgoraRule(input);
      }
    },

    /** Deletes a kicking rule; one already gone (404) is `already-done`. */
    async agoraLiftBan(input: { appId: string; ruleId: number }): Promise<StepRecord> {
      const client = agora(input.appId);
      const result = await providerCall('agora', 'LiftBan', (o) => client.deleteKickingRule(input, o));
      return stepRecord('BanUser', result);
    },
  };
}
