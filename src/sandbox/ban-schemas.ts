/**
 * Control API shapes for bans: the simulated clients that try to come back after a kick, their
 * join attempts, the provider rules as the sandbox holds them, and the caps on a rule's length.
 * Re-exported by `control-schemas.ts`.
 */
import { z } from 'zod';
import { AGORA_APP_ID_PATTERN } from './operations';
import { DEFAULT_REJOIN_POLICY } from './rejoin';

const nonEmpty = z.string().min(1);
const wholeMs = (name: string, min: number): z.ZodNumber =>
  z.number({ error: `${name} must be a number of milliseconds` }).int(`${name} must be a whole number of milliseconds`).min(min, `${name} must be at least ${min}`);

/** When a kicked client tries to come back; every field has a default. */
export const rejoinPolicySchema = z
  .strictObject({
    delayMs: wholeMs('delayMs', 0).default(DEFAULT_REJOIN_POLICY.delayMs),
    intervalMs: wholeMs('intervalMs', 10).default(DEFAULT_REJOIN_POLICY.intervalMs),
    giveUpAfterMs: wholeMs('giveUpAfterMs', 0).max(3_600_000, 'giveUpAfterMs must be at most 3600000 (an hour)').default(DEFAULT_REJOIN_POLICY.giveUpAfterMs),
  })
  .prefault({});
export type RejoinPolicyInput = z.input<typeof rejoinPolicySchema>;

/** `addZegoClient` input: a publisher whose client logs in again after a KickoutUser. */
export const addZegoClientSchema = z.strictObject({
  appId: z.number().int().positive(),
  roomId: nonEmpty,
  userId: nonEmpty,
  /** Default: the user id. */
  userName: z.string().optional(),
  /** The stream it publishes, now and each time it is back. */
  streamId: nonEmpty,
  /** Only IP rules (RuleType 1) look at it; without one they never match this client. */
  ip: nonEmpty.optional(),
  rejoin: rejoinPolicySchema,
});
export type AddZegoClientInput = z.input<typeof addZegoClientSchema>;

/** `addAgoraRtcUser` input: an RTC user that rejoins its channel after a kicking rule kicks it. */
export const addAgoraRtcUserSchema = z.strictObject({
  appId: z.string().regex(AGORA_APP_ID_PATTERN, 'appId must be 1–64 word characters'),
  channel: nonEmpty,
  /** Kicking rules take numeric uids only (agora.md §7.1). */
  uid: z.number().int('uid must be a whole number').min(1, 'uid must be 1 to 4294967295').max(4_294_967_295, 'uid must be 1 to 4294967295'),
  /** Only rules with an `ip` look at it. */
  ip: nonEmpty.optional(),
  rejoin: rejoinPolicySchema,
});
export type AddAgoraRtcUserInput = z.input<typeof addAgoraRtcUserSchema>;

const capSeconds = (name: string): z.ZodOptional<z.ZodNumber> =>
  z.number().int(`${name} must be a whole number of seconds`).min(1, `${name} must be at least 1`).optional();

/** `configure({ ruleCaps })`: any field left out keeps its value. */
export const ruleCapsSchema = z.strictObject({
  zegoMaxEffectiveTimeSeconds: capSeconds('zegoMaxEffectiveTimeSeconds'),
  agoraMinRuleSeconds: capSeconds('agoraMinRuleSeconds'),
  agoraMaxRuleSeconds: capSeconds('agoraMaxRuleSeconds'),
});

/** A kicking rule as Agora lists it (agora.md §7.2). */
export interface KickingRuleState {
  id: number;
  appid: string;
  cname?: string;
  uid?: number;
  ip?: string;
  privileges: string[];
  /** Expiry, ISO 8601 UTC. */
  ts: string;
  createAt: string;
  updateAt: string;
  opid: number;
}

/** A ZEGO user-ban rule as the sandbox holds it (`rules()`, `state()`, a refused attempt). */
export interface ZegoForbidRuleState {
  appId: number;
  /** 1 IP, 2 RoomId, 3 UserId, 4 RoomId+UserId. */
  ruleType: 1 | 2 | 3 | 4;
  ip?: string;
  roomId?: string;
  userId?: string;
  /** 1 login, 2 publish. */
  disabledPrivileges: number[];
  /** ISO 8601, when it was (last) set. */
  createdAt: string;
  /** Unix seconds, as `SetForbidUserRule` answered it; in force before this second. */
  expireTime: number;
  /** The same moment, ISO 8601. */
  expiresAt: string;
  /** In force now. */
  active: boolean;
}

/** An Agora kicking rule as the sandbox holds it. */
export interface AgoraKickingRuleControlState extends KickingRuleState {
  /** The account that made it; rules are listed per account. */
  customerId: string;
  /** In force now; a one-time kick never is. */
  active: boolean;
}

/** One try of a simulated client to (re)join. `at` is on the request log's clock. */
interface JoinAttemptBase {
  at: number;
  /** `created`: its first join, when the control API added it; `rejoin`: after a kick or a refusal. */
  reason: 'created' | 'rejoin';
  outcome: 'accepted' | 'refused';
}

export interface ZegoJoinAttempt extends JoinAttemptBase {
  /** What was refused: the login, or (logged in) the publish. */
  refused?: 'login' | 'publish';
  /** The rule that refused it. */
  rule?: ZegoForbidRuleState;
}

export interface AgoraJoinAttempt extends JoinAttemptBase {
  /** The rule that refused it. */
  rule?: KickingRuleState;
}

/** The retry rhythm in effect, defaults filled in. */
export interface RejoinPolicyState {
  delayMs: number;
  intervalMs: number;
  giveUpAfterMs: number;
}

/** A simulated ZEGO client. */
export interface ZegoClientState {
  appId: number;
  roomId: string;
  userId: string;
  streamId: string;
  ip?: string;
  rejoin: RejoinPolicyState;
  /** `online` after an accepted join; `rejoining` after a kick or while refused; `gave-up` when its time ran out. */
  phase: 'online' | 'rejoining' | 'gave-up';
  /** The user is in the room's user list now. */
  inRoom: boolean;
  /** Its stream is in the room's stream list now. */
  publishing: boolean;
  /** When KickoutUser removed it, request-log clock. */
  kickedAt: number[];
  attempts: ZegoJoinAttempt[];
}

/** A simulated Agora RTC user. */
export interface AgoraRtcUserState {
  appId: string;
  channel: string;
  uid: number;
  ip?: string;
  rejoin: RejoinPolicyState;
  /** `joined` after an accepted join; `rejoining` after a kick or while refused; `gave-up` when its time ran out. */
  phase: 'joined' | 'rejoining' | 'gave-up';
  inChannel: boolean;
  /** When a kicking rule kicked it, request-log clock. */
  kickedAt: number[];
  attempts: AgoraJoinAttempt[];
}

/** What `clients()` answers. */
export interface SimulatedClients {
  zego: ZegoClientState[];
  agora: AgoraRtcUserState[];
}

/** What `rules()` answers: every stored rule, in force or not, oldest first. */
export interface ProviderRules {
  zego: ZegoForbidRuleState[];
  agora: AgoraKickingRuleControlState[];
}
