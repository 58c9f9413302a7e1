/**
 * ZEGO content moderation (censor v2) callbacks (providers/classifiers.md §1): the signature check
 * and the verdict a result callback carries.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import { UnauthenticatedError, IntakeErrorCode, MalformedVerdictError } from '../errors';
import type { Verdict } from '../verdict';
import { clip, idText, readJsonObject, readWith, sourceKeySchema } from './common';

/** Result events: each carries one verdict. */
export const ZEGO_RESULT_EVENTS = ['censor_audio_v2_result', 'censor_video_v2_audio_result', 'censor_video_v2_img_result'] as const;
/** Status events (task ended): acknowledged, nothing to enforce. */
export const ZEGO_STATUS_EVENTS = ['censor_audio_v2_status', 'censor_video_v2_audio_status', 'censor_video_v2_img_status'] as const;

/**
 * ZEGO documents no freshness window for callback timestamps. Its retries end 62 s after the first
 * attempt (2+4+8+16+32 s), so five minutes either way keeps every retry and bounds a replay.
 * @default 300
 */
export const ZEGO_SIGNATURE_WINDOW_SECONDS = 300;

/** `sha1(sort([secret, timestamp, nonce]).join(''))` in lowercase hex: ZEGO's callback signature. */
export function zegoCallbackSignature(secret: string, timestamp: string, nonce: string): string {
  // Array.prototype.sort with no comparator is the documented "string sort".
  return createHash('sha1').update([secret, timestamp, nonce].sort().join('')).digest('hex');
}

/**
 * Remembers which result each signature came with, so a captured signature cannot be reused on a
 * forged body: ZEGO signs only the secret, the timestamp and the nonce, never the body. A signature
 * may come again with the same ResultTaskId (ZEGO's own retry). Per process, bounded in size, and
 * only as long as the signature's timestamp is inside the window.
 */
export class SignatureReplayGuard {
  private readonly seen = new Map<string, { key: string; expiresAtMs: number }>();
  constructor(private readonly capacity = 50_000) {}

  /** True when the signature is fresh or came before with the same key. */
  admit(signature: string, key: string, timestampMs: number, nowMs: number): boolean {
    const previous = this.seen.get(signature);
    if (previous && previous.expiresAtMs > nowMs) return previous.key === key;
    this.seen.set(signature, { key, expiresAtMs: timestampMs + ZEGO_SIGNATURE_WINDOW_SECONDS * 1000 });
    if (this.seen.size > this.capacity) {
      for (const [sig, entry] of this.seen) {
        if (entry.expiresAtMs <= nowMs || this.seen.size > this.capacity) this.seen.delete(sig);
        if (this.seen.size <= this.capacity * 0.9) break;
      }
    }
    return true;
  }
}

/** ZEGO's sample code reads lowercase keys; the censor bodies use capitalised ones: read both. */
function field(body: Record<string, unknown>, name: string): unknown {
  return body[name] ?? body[name.toLowerCase()];
}

/**
 * The body as JSON. ZEGO's docs say to URL-decode the callback data, without saying when it is
 * encoded: a body that is not JSON as sent is tried again URL-decoded.
 */
export function readZegoBody(raw: Buffer): Record<string, unknown> {
  const text = raw.toString('utf8').trimStart();
  if (text.startsWith('%7B') || text.startsWith('%7b')) {
    try {
      return readJsonObject(Buffer.from(decodeURIComponent(text.replace(/\+/g, ' ')), 'utf8'), 'ZEGO callback');
    } catch (err) {
      if (err instanceof MalformedVerdictError) throw err;
      throw new MalformedVerdictError('ZEGO callback: the body is neither JSON nor URL-encoded JSON', ['body: must be a JSON object']);
    }
  }
  return readJsonObject(raw, 'ZEGO callback');
}

export interface ZegoVerifyOptions {
  secret: string;
  nowMs: number;
  guard?: SignatureReplayGuard;
}

/** Checks the body's signature fields; throws a 401 naming what failed (never the secret). */
export function verifyZegoCallback(body: Record<string, unknown>, options: ZegoVerifyOptions): { signature: string; timestampMs: number } {
  const signature = field(body, 'Signature');
  const timestamp = field(body, 'Timestamp');
  const nonce = field(body, 'Nonce');
  if (signature === undefined || timestamp === undefined || nonce === undefined) {
    throw new UnauthenticatedError(IntakeErrorCode.missingCredentials, 'ZEGO callback: Signature, Timestamp and Nonce are required');
  }
  const timestampText = typeof timestamp === 'number' ? String(timestamp) : timestamp;
  if (typeof timestampText !== 'string' || !/^\d{1,12}$/.test(timestampText)) {
    throw new UnauthenticatedError(IntakeErrorCode.badCredentials, 'ZEGO callback: Timestamp must be Unix seconds');
  }
  const nonceText = typeof nonce === 'number' ? String(nonce) : nonce;
  if (typeof nonceText !== 'string' || nonceText.length === 0 || nonceText.length > 128) {
    throw new UnauthenticatedError(IntakeErrorCode.badCredentials, 'ZEGO callback: Nonce must be a string of 1 to 128 characters');
  }
  if (typeof signature !== 'string' || !/^[0-9a-fA-F]{40}$/.test(signature)) {
    throw new UnauthenticatedError(IntakeErrorCode.badCredentials, 'ZEGO callback: Signature must be 40 hex digits (SHA-1)');
  }
  const expected = Buffer.from(zegoCallbackSignature(options.secret, timestampText, nonceText), 'hex');
  if (!timingSafeEqual(expected, Buffer.from(signature, 'hex'))) {
    throw new UnauthenticatedError(IntakeErrorCode.badCredentials, 'ZEGO callback: the signature does not match');
  }
  const timestampMs = Number(timestampText) * 1000;
  if (Math.abs(options.nowMs - timestampMs) > ZEGO_SIGNATURE_WINDOW_SECONDS * 1000) {
    throw new UnauthenticatedError(IntakeErrorCode.staleSignature, `ZEGO callback: Timestamp is more than ${ZEGO_SIGNATURE_WINDOW_SECONDS} s from the intake's clock`);
  }
  return { signature: signature.toLowerCase(), timestampMs };
}

const resultSchema = z.object({
  AppId: z.number({ error: 'must be a ZEGO AppId (a number)' }).int('must be an integer').min(1, 'must be a ZEGO AppId (1 to 4294967295)').max(4294967295, 'must be a ZEGO AppId (1 to 4294967295)'),
  ResultTaskId: sourceKeySchema,
  TaskId: z.string().max(256).optional().catch(undefined),
  Detail: z.object(
    {
      RiskLevel: idText(32),
      RiskLabel1: z.string().max(64).optional().catch(undefined),
      RiskLabel2: z.string().max(64).optional().catch(undefined),
      RiskLabel3: z.string().max(64).optional().catch(undefined),
      ImgUrl: z.string().max(2048).optional().catch(undefined),
      AudioUrl: z.string().max(2048).optional().catch(undefined),
      RiskInfoList: z.array(z.object({ Probability: z.number().optional().catch(undefined) })).optional().catch(undefined),
    },
    { error: 'must be an object' },
  ),
  AuxInfo: z.object(
    {
      RoomId: idText(128),
      // Not in ZEGO's documented fields: a result that names its stream and publisher is taken at its word.
      StreamId: idText(256).optional().catch(undefined),
      UserId: idText(256).optional().catch(undefined),
    },
    { error: 'must be an object with RoomId' },
  ),
  StreamId: idText(256).optional().catch(undefined),
  UserId: idText(256).optional().catch(undefined),
});

/** What an authentic callback means: a verdict, or nothing to do (status event, failed moderation). */
export function readZegoCallback(body: Record<string, unknown>): { kind: 'verdict'; verdict: Verdict } | { kind: 'acknowledged'; reason: string } {
  const event = field(body, 'Event');
  if (typeof event !== 'string') throw new MalformedVerdictError('ZEGO callback: Event is missing', ['Event: is required']);
  if ((ZEGO_STATUS_EVENTS as readonly string[]).includes(event)) return { kind: 'acknowledged', reason: `status event ${event}` };
  if (!(ZEGO_RESULT_EVENTS as readonly string[]).includes(event)) return { kind: 'acknowledged', reason: 'an event the intake does not act on' };
  const code = body.Code;
  if (code !== undefined && code !== 0) return { kind: 'acknowledged', reason: `moderation failed (Code ${typeof code === 'number' ? code : 'not a number'})` };

  const r = readWith(resultSchema, body, 'ZEGO censor result');
  const labels = [r.Detail.RiskLabel1, r.Detail.RiskLabel2, r.Detail.RiskLabel3].filter((l): l is string => Boolean(l));
  const streamId = r.AuxInfo.StreamId ?? r.StreamId;
  const userId = r.AuxInfo.UserId ?? r.UserId;
  const probabilities = (r.Detail.RiskInfoList ?? []).map((i) => i.Probability).filter((p): p is number => typeof p === 'number');
  const probability = probabilities.length ? Math.max(...probabilities) : undefined;
  const where = streamId ? `stream ${streamId} in room ${r.AuxInfo.RoomId}` : `room ${r.AuxInfo.RoomId}`;
  return {
    kind: 'verdict',
    verdict: {
      source: 'zego-censor',
      key: r.ResultTaskId,
      summary: clip(`ZEGO censor ${r.Detail.RiskLevel}${labels.length ? ` (${labels.join('/')})` : ''}${probability !== undefined ? ` score ${probability}` : ''} in ${where}`, 1024),
      subject: { kind: 'zego-room', appId: r.AppId, roomId: r.AuxInfo.RoomId, ...(streamId ? { streamId } : {}), ...(userId ? { userId } : {}) },
      riskLevel: r.Detail.RiskLevel,
      labels,
      categories: [],
      scores: {},
      ...(r.Detail.ImgUrl || r.Detail.AudioUrl ? { evidenceUrl: r.Detail.ImgUrl ?? r.Detail.AudioUrl } : {}),
      details: {
        event,
        ...(r.TaskId ? { taskId: r.TaskId } : {}),
        riskLevel: r.Detail.RiskLevel,
        ...(labels.length ? { labels: labels.join('/') } : {}),
        ...(probability !== undefined ? { score: String(probability) } : {}),
      },
    },
  };
}
