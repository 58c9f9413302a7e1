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
  /**
   * Kick the publisher after the stream is deleted.
   * @default true
   */
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
  /**
   * Run the plan without provider writes.
   * @default false
   */
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
