/**
 * The takedown request of the contract (DESIGN.md "Starting a takedown") and its validation.
 * Runs inside the workflow sandbox: pure code only.
 */
import { z } from 'zod';

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

export const zegoTarget = z.strictObject({
  provider: z.literal('zego'),
  appId: z.number().int('must be an integer').min(1, 'must be a ZEGO AppId (1 to 4294967295)').max(4294967295, 'must be a ZEGO AppId (1 to 4294967295)'),
  roomId: id(128),
  streamId: id(256),
  userId: id(256),
  /** Kick the publisher after the stream is deleted. Default true. */
  kick: z.boolean().default(true),
  mixTasks: z.array(mixTask).max(MAX_MIX_TASKS, `must list at most ${MAX_MIX_TASKS} tasks`).default([]),
});

export const agoraTarget = z.strictObject({
  provider: z.literal('agora'),
  appId: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'must be an Agora App ID (1 to 64 letters, digits, _ or -)'),
  region: z.enum(AGORA_REGIONS, { error: `must be one of ${AGORA_REGIONS.join(', ')}` }),
  streamKey: id(512),
  sid: id(128).optional(),
  channel: id(64).optional(),
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
  /** Run the plan without provider writes. Default false. */
  dryRun: z.boolean().default(false),
  metadata: metadata.optional(),
  target: z.discriminatedUnion('provider', [zegoTarget, agoraTarget], {
    error: (issue) => (issue.input === undefined ? 'is required' : 'must have provider "zego" or "agora"'),
  }),
});

/** What callers send (defaults not yet applied). */
export type TakedownRequest = z.input<typeof takedownRequestSchema>;
/** The request after validation, defaults applied. */
export type ValidTakedownRequest = z.output<typeof takedownRequestSchema>;
export type ZegoTarget = z.output<typeof zegoTarget>;
export type AgoraTarget = z.output<typeof agoraTarget>;
export type TakedownTarget = ZegoTarget | AgoraTarget;

export type RequestValidation = { ok: true; request: ValidTakedownRequest } | { ok: false; problems: string[] };

function describePath(path: readonly PropertyKey[]): string {
  return path.length === 0 ? 'request' : path.map((p) => (typeof p === 'number' ? `[${p}]` : String(p))).join('.').replace(/\.\[/g, '[');
}

function describeIssue(issue: z.core.$ZodIssue): string {
  if (issue.code === 'invalid_key') return issue.issues.map((inner) => inner.message).join(', ');
  if (issue.code !== 'invalid_type' || !issue.message.startsWith('Invalid input')) return issue.message;
  return issue.message.endsWith('received undefined') ? 'is required' : `must be ${issue.expected === 'array' || issue.expected === 'object' ? 'an' : 'a'} ${issue.expected}`;
}

/** Validates a request; on failure lists every problem as `path: message`. */
export function validateTakedownRequest(input: unknown): RequestValidation {
  if (input === null || typeof input !== 'object' || Array.isArray(input)) {
    return { ok: false, problems: ['request: must be a JSON object'] };
  }
  const parsed = takedownRequestSchema.safeParse(input);
  if (parsed.success) return { ok: true, request: parsed.data };
  return { ok: false, problems: parsed.error.issues.map((issue) => `${describePath(issue.path)}: ${describeIssue(issue)}`) };
}
