/**
 * The takedown request of the contract (DESIGN.md "Starting a takedown") and its validation.
 * Runs inside the workflow sandbox: pure code only.
 */
import { z } from 'zod';
import { BAN_DURATION_PROBLEM, isBanDuration } from './durations';

export const AGORA_REGIONS = ['na', 'eu', 'ap', 'cn'] as const;
export type AgoraRegion = (typeof AGORA_REGIONS)[number];

/** ZEGO's CustomReason limit, which the contract applies to `reason`. */
export const MAX_REASON_BYTES = 256;
/** Metadata: at most this many entries. */
export const MAX_METADATA_ENTRIES = 16;
/** More mix tasks than this in one takedown is treated as a malformed request. */
export const MAX_MIX_TASKS = 50;

/** UTF-8 length without TextEncoder, which the workflow sandbox does not promise. */
export function utf8ByteLength(text: string): number {
  let bytes = 0;
  for (const char of text) {
    const cp = char.codePointAt(0)!;
    bytes += cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
  }
  return bytes;
}

/** Keys that would reach an object's prototype when copied naively. */
const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

const id = (max: number) => z.string().min(1, 'must not be empty').max(max, `must be at most ${max} characters`);

const mixTask = z.strictObject({
  taskId: id(256),
  /** The task's owner, sent as StopMix's UserId. */
  userId: id(256),
});

/**
 * A ZEGO target names one stream and its publisher, or, with neither `streamId` nor `userId`,
 * every stream of the room (found with DescribeSimpleStreamList).
 */
export const zegoTarget = z
  .strictObject({
    provider: z.literal('zego'),
    appId: z.number().int('must be an integer').min(1, 'must be a ZEGO AppId (1 to 4294967295)').max(4294967295, 'must be a ZEGO AppId (1 to 4294967295)'),
    roomId: id(128),
    streamId: id(256).optional(),
    userId: id(256).optional(),
    /**
     * Kick the publisher after the stream is deleted.
     * @default true
     */
    kick: z.boolean().default(true),
    mixTasks: z.array(mixTask).max(MAX_MIX_TASKS, `must list at most ${MAX_MIX_TASKS} tasks`).default([]),
  })
  .superRefine((target, ctx) => {
    if (target.streamId !== undefined && target.userId === undefined) ctx.addIssue({ code: 'custom', path: ['userId'], message: 'is required with streamId (give neither for the whole room)' });
    if (target.userId !== undefined && target.streamId === undefined) ctx.addIssue({ code: 'custom', path: ['streamId'], message: 'is required with userId (give neither for the whole room)' });
  });

/** Agora integer UIDs: 1 to 4294967295 (a kicking rule refuses 0). */
const agoraUid = z.number().int('must be an integer').min(1, 'must be an Agora uid (1 to 4294967295)').max(4294967295, 'must be an Agora uid (1 to 4294967295)');

/**
 * An Agora target is a Media Gateway stream (`region` + `streamKey`, optionally the `uid` its
 * bans use), or an RTC user (`channel` + `uid`, no key): what ActiveFence and Hive verdicts name.
 */
export const agoraTarget = z
  .strictObject({
    provider: z.literal('agora'),
    appId: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'must be an Agora App ID (1 to 64 letters, digits, _ or -)'),
    region: z.enum(AGORA_REGIONS, { error: `must be one of ${AGORA_REGIONS.join(', ')}` }).optional(),
    streamKey: id(512).optional(),
    sid: id(128).optional(),
    channel: id(64).optional(),
    uid: agoraUid.optional(),
  })
  .superRefine((target, ctx) => {
    if (target.streamKey !== undefined) {
      if (target.region === undefined) ctx.addIssue({ code: 'custom', path: ['region'], message: 'is required' });
      return;
    }
    if (target.uid === undefined || target.channel === undefined) {
      // Neither form: the stream key is what most callers forgot.
      if (target.uid === undefined && target.channel === undefined) ctx.addIssue({ code: 'custom', path: ['streamKey'], message: 'is required (or channel and uid for an RTC user)' });
      else ctx.addIssue({ code: 'custom', path: [target.uid === undefined ? 'uid' : 'channel'], message: 'is required for an RTC user (channel and uid)' });
    }
    for (const field of ['region', 'sid'] as const) {
      if (target[field] !== undefined) ctx.addIssue({ code: 'custom', path: [field], message: 'belongs to a Media Gateway target (with streamKey)' });
    }
  });

export const BAN_SCOPES = { zego: ['room', 'app'], agora: ['channel', 'app'] } as const;

const ban = z.strictObject({
  duration: z.string().refine(isBanDuration, BAN_DURATION_PROBLEM),
  /** ZEGO `room` (default) or `app`; Agora `channel` (default) or `app`. */
  scope: z.enum(['room', 'app', 'channel'], { error: 'must be room or app (ZEGO), channel or app (Agora)' }).optional(),
});

const metadata = z
  .record(
    z.string().min(1, 'keys must not be empty').max(64, 'keys must be at most 64 characters')
      .refine((key) => !FORBIDDEN_KEYS.has(key), 'key is not allowed'),
    z.string().max(1024, 'values must be at most 1024 characters'),
  )
  .refine((m) => Object.keys(m).length <= MAX_METADATA_ENTRIES, `must have at most ${MAX_METADATA_ENTRIES} entries`);

export const takedownRequestSchema = z.strictObject({
  violationId: id(128),
  reason: z.string().refine((r) => utf8ByteLength(r) <= MAX_REASON_BYTES, `must be at most ${MAX_REASON_BYTES} UTF-8 bytes`).optional(),
  category: id(64).optional(),
  /**
   * Run the plan without provider writes.
   * @default false
   */
  dryRun: z.boolean().default(false),
  metadata: metadata.optional(),
  /** Keep the violator out after the takedown (DESIGN.md "Bans"). */
  ban: ban.optional(),
  target: z
    .discriminatedUnion('provider', [zegoTarget, agoraTarget], {
      error: (issue) => (issue.input === undefined ? 'is required' : 'must have provider "zego" or "agora"'),
    })
    // The refinements above make these the only forms that pass.
    .transform((target) => target as TakedownTarget),
}).superRefine((request, ctx) => {
  const scope = request.ban?.scope;
  const allowed: readonly string[] = BAN_SCOPES[request.target.provider];
  if (scope !== undefined && !allowed.includes(scope)) {
    ctx.addIssue({ code: 'custom', path: ['ban', 'scope'], message: `must be ${allowed.join(' or ')} for a ${request.target.provider === 'zego' ? 'ZEGO' : 'Agora'} target` });
  }
});

type ZegoInput = z.input<typeof zegoTarget>;
type AgoraInput = z.input<typeof agoraTarget>;
/** The target forms callers send (defaults not yet applied), one per target kind. */
export type ZegoTargetInput = ZegoInput & { streamId: string; userId: string };
export type ZegoRoomTargetInput = ZegoInput & { streamId?: undefined; userId?: undefined };
export type AgoraTargetInput = AgoraInput & { streamKey: string; region: AgoraRegion };
export type AgoraRtcTargetInput = AgoraInput & { channel: string; uid: number; streamKey?: undefined; region?: undefined; sid?: undefined };
/** What callers send (defaults not yet applied). */
export type TakedownRequest = Omit<z.input<typeof takedownRequestSchema>, 'target'> & {
  target: ZegoTargetInput | ZegoRoomTargetInput | AgoraTargetInput | AgoraRtcTargetInput;
};
/** The request after validation, defaults applied. */
export type ValidTakedownRequest = z.output<typeof takedownRequestSchema>;
type ZegoFields = z.output<typeof zegoTarget>;
type AgoraFields = z.output<typeof agoraTarget>;
/** A ZEGO target naming one stream and its publisher. */
export type ZegoTarget = ZegoFields & { streamId: string; userId: string };
/** A ZEGO target naming a whole room: every stream in it and each stream's publisher. */
export type ZegoRoomTarget = ZegoFields & { streamId?: undefined; userId?: undefined };
/** An Agora Media Gateway target: a stream key in a region. */
export type AgoraTarget = AgoraFields & { streamKey: string; region: AgoraRegion };
/** An Agora RTC user: a uid in a channel, without a stream key. */
export type AgoraRtcTarget = AgoraFields & { channel: string; uid: number; streamKey?: undefined; region?: undefined; sid?: undefined };
export type TakedownTarget = ZegoTarget | ZegoRoomTarget | AgoraTarget | AgoraRtcTarget;

export function isZegoRoomTarget(target: TakedownTarget): target is ZegoRoomTarget {
  return target.provider === 'zego' && target.streamId === undefined;
}
export function isAgoraRtcTarget(target: TakedownTarget): target is AgoraRtcTarget {
  return target.provider === 'agora' && target.streamKey === undefined;
}

export type RequestValidation = { ok: true; request: ValidTakedownRequest } | { ok: false; problems: string[] };

/** Longest piece of the caller's input (a key) a problem quotes: hostile keys can be megabytes long. */
const MAX_QUOTED_KEY = 40;
/** Problems listed in full; the rest are counted, so a hostile request cannot make a huge failure message. */
export const MAX_LISTED_PROBLEMS = 20;
/** Keys keep their plain spelling in a path only when they cannot be mistaken for its punctuation. */
const PLAIN_KEY = /^[A-Za-z0-9_$-]{1,40}$/;

/** A key as a problem quotes it: JSON-quoted (escaping newlines and controls) and cut short. */
function quoteKey(key: string): string {
  return JSON.stringify(key.length > MAX_QUOTED_KEY ? `${key.slice(0, MAX_QUOTED_KEY)}…` : key);
}

function describePath(path: readonly PropertyKey[]): string {
  if (path.length === 0) return 'request';
  const segments = path.map((p) => (typeof p === 'number' ? `[${p}]` : PLAIN_KEY.test(String(p)) ? String(p) : `[${quoteKey(String(p))}]`));
  return segments.join('.').replace(/\.\[/g, '[');
}

function describeIssue(issue: z.core.$ZodIssue): string {
  if (issue.code === 'invalid_key') return issue.issues.map((inner) => inner.message).join(', ');
  if (issue.code === 'unrecognized_keys') {
    const shown = issue.keys.slice(0, 5).map(quoteKey).join(', ');
    return `Unrecognized key${issue.keys.length === 1 ? '' : 's'}: ${shown}${issue.keys.length > 5 ? ` and ${issue.keys.length - 5} more` : ''}`;
  }
  if (issue.code !== 'invalid_type' || !issue.message.startsWith('Invalid input')) return issue.message;
  return issue.message.endsWith('received undefined') ? 'is required' : `must be ${issue.expected === 'array' || issue.expected === 'object' ? 'an' : 'a'} ${issue.expected}`;
}

/**
 * zod's record drops an own `__proto__` key (as JSON.parse makes one) before the key check of
 * `metadata` sees it, which would accept such a request silently: it is refused here instead.
 */
function forbiddenMetadataKeys(input: object): string[] {
  const metadata = (input as { metadata?: unknown }).metadata;
  const hostile = metadata !== null && typeof metadata === 'object' && Object.hasOwn(metadata, '__proto__');
  return hostile ? ['metadata.__proto__: key is not allowed'] : [];
}

/**
 * Validates a request; on failure lists every problem as `path: message` (at most
 * {@link MAX_LISTED_PROBLEMS}, then a count), quoting no more than a short prefix of any key.
 */
export function validateTakedownRequest(input: unknown): RequestValidation {
  if (input === null || typeof input !== 'object' || Array.isArray(input)) {
    return { ok: false, problems: ['request: must be a JSON object'] };
  }
  const parsed = takedownRequestSchema.safeParse(input);
  const forbidden = forbiddenMetadataKeys(input);
  if (parsed.success && forbidden.length === 0) return { ok: true, request: parsed.data };
  const problems = [...(parsed.success ? [] : parsed.error.issues.map((issue) => `${describePath(issue.path)}: ${describeIssue(issue)}`)), ...forbidden];
  if (problems.length <= MAX_LISTED_PROBLEMS) return { ok: false, problems };
  return { ok: false, problems: [...problems.slice(0, MAX_LISTED_PROBLEMS), `request: and ${problems.length - MAX_LISTED_PROBLEMS} more problems`] };
}
