/**
 * Shapes that cross the control API (`/_sandbox/...`): zod schemas for what it accepts, and the
 * types of what it answers. The typed client and the server both use them, so they cannot drift.
 */
import { z } from 'zod';
import {
  AGORA_APP_ID_PATTERN,
  AGORA_REGIONS,
  OPERATIONS_BY_PROVIDER,
  type AgoraRegion,
  type Provider,
} from './operations';
import { ruleCapsSchema, type KickingRuleState, type SimulatedClients, type ZegoForbidRuleState } from './ban-schemas';
import type { RuleCaps } from './rule-caps';

export * from './ban-schemas';

const nonEmpty = z.string().min(1);

const zegoStreamSeed = z.strictObject({
  streamId: nonEmpty,
  /** The publisher; must be one of the room's users. */
  userId: nonEmpty,
  /** Default: the user id. */
  userName: z.string().optional(),
});

const zegoRoomSeed = z.strictObject({
  roomId: nonEmpty,
  /** A ZEGO room only exists while it has users, so at least one. */
  users: z.array(nonEmpty).min(1),
  streams: z.array(zegoStreamSeed).default([]),
});

const mixTaskSeed = z.strictObject({
  taskId: nonEmpty,
  ownerUserId: nonEmpty,
  inputStreamIds: z.array(nonEmpty).default([]),
  /** The last `Sequence` the task has processed; StopMix with a Sequence not above it is ignored. Default: none. */
  lastSequence: z.number().int().optional(),
});

/** `seedZego` input: rooms (replacing any of the same id) and mix tasks of one configured app. */
export const seedZegoSchema = z.strictObject({
  appId: z.number().int().positive(),
  rooms: z.array(zegoRoomSeed).default([]),
  mixTasks: z.array(mixTaskSeed).default([]),
});
export type SeedZegoInput = z.input<typeof seedZegoSchema>;
export type SeedZego = z.output<typeof seedZegoSchema>;

const agoraRegion = z.enum(AGORA_REGIONS);
const agoraAppId = z.string().regex(AGORA_APP_ID_PATTERN, 'appId must be 1–64 word characters');

const streamKeySeed = z.strictObject({
  streamKey: nonEmpty,
  channel: nonEmpty,
  /** Agora uids are strings on the Media Gateway (numeric ones are sent as strings too). */
  uid: z.union([nonEmpty, z.number().int().nonnegative()]).transform(String),
  /** Default true: the encoder is connected now and has a session. */
  live: z.boolean().default(true),
  /** Default false: when true the session url carries `:1935`, as some real sessions do. */
  port: z.boolean().default(false),
});

/** `seedAgora` input: stream keys, each with an encoder, in one App ID and region. */
export const seedAgoraSchema = z.strictObject({
  appId: agoraAppId,
  region: agoraRegion,
  streamKeys: z.array(streamKeySeed).default([]),
});
export type SeedAgoraInput = z.input<typeof seedAgoraSchema>;
export type SeedAgora = z.output<typeof seedAgoraSchema>;

/** What `seedAgora` answers. */
export interface SeedAgoraResult {
  /** The session of each key seeded live. */
  sessions: { streamKey: string; sid: string }[];
}

/** Fault answers, applied after authentication passes. `afterEffect` lets the operation happen first (a lost answer). */
const afterEffect = z.boolean().optional();
/** What a fault answers instead of the provider: a ZEGO code, an HTTP status, a dropped socket, or a delay. */
export const faultAnswerSchema = z.union([
  z.strictObject({ zegoCode: z.number().int(), message: z.string().optional(), afterEffect }),
  z.strictObject({
    status: z.number().int().min(200).max(599),
    retryAfterSeconds: z.number().int().nonnegative().optional(),
    afterEffect,
  }),
  z.strictObject({ drop: z.literal(true), afterEffect }),
  z.strictObject({ latencyMs: z.number().nonnegative() }),
]);
export type FaultAnswer = z.infer<typeof faultAnswerSchema>;

/** `injectFault` input; `count` defaults to 1. */
export const injectFaultSchema = z
  .strictObject({
    provider: z.enum(['zego', 'agora']),
    operation: nonEmpty,
    count: z.number().int().positive().default(1),
    answer: faultAnswerSchema,
  })
  .refine((fault) => OPERATIONS_BY_PROVIDER[fault.provider].includes(fault.operation), {
    message: 'operation is not one the provider serves',
    path: ['operation'],
  })
  .refine((fault) => fault.provider === 'zego' || !('zegoCode' in fault.answer), {
    message: 'a zegoCode answer only applies to ZEGO',
    path: ['answer'],
  });
export type InjectFaultInput = z.input<typeof injectFaultSchema>;
export type InjectFault = z.output<typeof injectFaultSchema>;

/** On the wire a limit of `null` means no limit, because JSON has no `Infinity`. */
export const configureSchema = z.strictObject({
  latencyMs: z.number().nonnegative().optional(),
  rateLimits: z.record(z.string(), z.number().nonnegative().nullable()).optional(),
  encoderReconnectDelayMs: z.number().nonnegative().optional(),
  ruleCaps: ruleCapsSchema.optional(),
});

/** `reconnectEncoder` input: which encoder. */
export const reconnectEncoderSchema = z.strictObject({
  appId: agoraAppId,
  region: agoraRegion,
  streamKey: nonEmpty,
});
export type ReconnectEncoderInput = z.input<typeof reconnectEncoderSchema>;

/** `requests` filter; both fields optional. */
export const requestFilterSchema = z.strictObject({
  provider: z.enum(['zego', 'agora']).optional(),
  operation: nonEmpty.optional(),
});
export type RequestFilter = z.output<typeof requestFilterSchema>;

/** Decoded business parameters of a logged request; which ones appear depends on the operation. */
export interface SandboxRequestParams {
  /** ZEGO: an Action the sandbox does not serve, as sent. */
  action?: string;
  /** ZEGO common parameters worth seeing: a retry must re-sign with a fresh nonce. */
  signatureNonce?: string;
  timestamp?: string;
  /** ZEGO: the request ran in the test environment. */
  isTest?: boolean;
  roomId?: string;
  streamId?: string;
  /** ZEGO: DeleteStream's operator, or StopMix's owner. */
  userId?: string;
  /** ZEGO KickoutUser, in the order sent, whatever the array spelling. */
  userIds?: string[];
  customReason?: string;
  taskId?: string;
  sequence?: number;
  streamKey?: string;
  sid?: string;
  channel?: string;
  /** Agora kicking-rule body fields, as sent. */
  id?: unknown;
  cname?: unknown;
  uid?: unknown;
  ip?: unknown;
  time?: unknown;
  time_in_seconds?: unknown;
  privileges?: unknown;
  /** ZEGO user-ban rule parameters, as sent (`ip` above carries ZEGO's `IP`). */
  ruleType?: string;
  disabledPrivileges?: string[];
  effectiveTime?: string;
}

/** One provider request as the sandbox saw it. */
export interface SandboxRequest {
  /** 1, 2, 3… in arrival order; restarts at 1 after a reset. */
  seq: number;
  /** Arrival, ms since the epoch with a sub-ms fraction (`performance.timeOrigin + performance.now()`). */
  at: number;
  /** When the answer was written or the socket dropped, same clock; 0 while the request is in flight. */
  answeredAt: number;
  provider: Provider;
  /** ZEGO Action, an Agora operation name, or `'unknown'`. */
  operation: string;
  method: string;
  /** Without the query string. */
  path: string;
  /** As sent: ZEGO `AppId` query parameter, Agora path or body app id. */
  appId?: string;
  region?: string;
  params: SandboxRequestParams;
  /** HTTP status written; 0 while in flight or when the socket was dropped. */
  status: number;
  /** ZEGO body `Code`. */
  code?: number;
  /** ZEGO `RequestId` or the Agora `X-Request-ID` answered. */
  requestId?: string;
  /** Which injected fault answered: `zegoCode`, `status`, `drop` or `latency`. */
  fault?: string;
}

/** A stream as the state dump shows it. */
export interface ZegoStreamState {
  streamId: string;
  userId: string;
  userName: string;
  createTime: number;
  streamNumberId: number;
}

/** A room as the state dump shows it. */
export interface ZegoRoomState {
  roomId: string;
  users: string[];
  /** By stream id. */
  streams: Record<string, ZegoStreamState>;
}

/** A mix task as the state dump shows it. */
export interface MixTaskState {
  taskId: string;
  ownerUserId: string;
  lastSequence?: number;
  inputStreamIds: string[];
}

/** One ZEGO app in the state dump. */
export interface ZegoAppState {
  appId: number;
  isTest: boolean;
  /** By room id; a destroyed room is absent. */
  rooms: Record<string, ZegoRoomState>;
  /** By task id; a stopped task is absent. */
  mixTasks: Record<string, MixTaskState>;
  /** User-ban rules, expired ones included until purged. */
  forbidUserRules: ZegoForbidRuleState[];
}

/** Where an Agora record lives: keys, sessions and encoders are per App ID and region. */
export interface AgoraScope {
  appId: string;
  region: AgoraRegion;
}

/** A stream key in the state dump. */
export interface AgoraStreamKeyState extends AgoraScope {
  streamKey: string;
  channel: string;
  uid: string;
  /** Unix seconds. */
  createdAt: number;
}

/** A live session in the state dump. */
export interface AgoraSessionState extends AgoraScope {
  sid: string;
  /** The key whose encoder opened this session. */
  streamKey: string;
  channel: string;
  uid: string;
  url: string;
  status: 'Started' | 'Running';
  beginAt: string;
}

/** A simulated encoder, connected (`sid`) or not; it outlives its key's deletion, as a real one does. */
export interface AgoraEncoderState extends AgoraScope {
  streamKey: string;
  sid?: string;
}

export type EncoderEventKind = 'connected' | 'disconnected' | 'reconnect-refused';

/** Something an encoder did, for tests to wait on. */
export interface EncoderEvent extends AgoraScope {
  /** Same clock as `SandboxRequest.at`. */
  at: number;
  streamKey: string;
  event: EncoderEventKind;
  /** The new session (`connected`), the ended one (`disconnected`), or the one that could not come back (`reconnect-refused`). */
  sid?: string;
  /** Why: `seeded`, `force-disconnect`, `reconnect`, `control`, `kicking-rule`, `key-deleted`, `banned`. */
  reason: string;
  /** For `banned`: the kicking rule that refused the reconnect. */
  ruleId?: number;
}

/** What `state()` answers. */
export interface SandboxState {
  /** By ZEGO AppId (as a decimal string). */
  zego: Record<string, ZegoAppState>;
  agora: {
    streamKeys: AgoraStreamKeyState[];
    sessions: AgoraSessionState[];
    encoders: AgoraEncoderState[];
    kickingRules: KickingRuleState[];
  };
  /** Every encoder connect, disconnect and refused reconnect, in order. */
  encoderEvents: EncoderEvent[];
  /** The simulated ZEGO clients and Agora RTC users, with their join attempts. */
  clients: SimulatedClients;
}

/** What `config()` and `configure()` answer. */
export interface SandboxConfigState {
  latencyMs: number;
  encoderReconnectDelayMs: number;
  /** Effective limit per bucket; `null` = no limit. */
  rateLimits: Record<string, { limit: number | null; windowMs: number }>;
  /** Bounds on one ban rule's length, in seconds. */
  ruleCaps: RuleCaps;
}
