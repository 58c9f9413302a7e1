/**
 * Test senders, written from the senders' docs with node:crypto, never with the intake's own
 * verifiers: a bug shared by a verifier and its test sender would pass every test.
 */
import { createHash, createHmac, randomBytes, randomUUID } from 'node:crypto';

/** A Standard Webhooks key as `TAKEDOWN_INTAKE_SECRET` takes it. */
export function newWebhookSecret(): string {
  return `whsec_${randomBytes(32).toString('base64')}`;
}

/**
 * standardwebhooks.com: `v1,` + base64(HMAC-SHA256(key, "<id>.<timestamp>.<body>")), where the key
 * is the base64 after `whsec_`.
 */
export function standardWebhookSignature(secret: string, id: string, timestampSeconds: number, body: string | Buffer): string {
  const key = Buffer.from(secret.replace(/^whsec_/, ''), 'base64');
  return `v1,${createHmac('sha256', key).update(`${id}.${timestampSeconds}.`).update(body).digest('base64')}`;
}

export interface SignedDecision {
  body: string;
  headers: Record<string, string>;
}

/** A decision body and its three headers. */
export function signedDecision(secret: string, request: unknown, options: { id?: string; timestampSeconds?: number; body?: string } = {}): SignedDecision {
  const body = options.body ?? JSON.stringify(request);
  const id = options.id ?? `msg_${randomUUID()}`;
  const timestamp = options.timestampSeconds ?? Math.floor(Date.now() / 1000);
  return {
    body,
    headers: {
      'content-type': 'application/json',
      'webhook-id': id,
      'webhook-timestamp': String(timestamp),
      'webhook-signature': standardWebhookSignature(secret, id, timestamp, body),
    },
  };
}

/** ZEGO: sort [CallbackSecret, Timestamp, Nonce] as strings, concatenate, SHA-1, lowercase hex. */
export function zegoSignature(secret: string, timestamp: string, nonce: string): string {
  const parts = [secret, timestamp, nonce];
  parts.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  return createHash('sha1').update(parts.join('')).digest('hex');
}

/** A ZEGO censor v2 image result, as in ZEGO's example, signed; fields override. */
export function zegoCensorResult(secret: string, fields: { roomId: string; resultTaskId: string; riskLevel?: string; labels?: string[]; streamId?: string; userId?: string; appId?: number; timestampSeconds?: number; nonce?: string }): Record<string, unknown> {
  const timestamp = fields.timestampSeconds ?? Math.floor(Date.now() / 1000);
  const nonce = fields.nonce ?? String(randomBytes(8).readBigUInt64BE());
  const [l1, l2, l3] = fields.labels ?? ['porn', 'sexy', 'sexy'];
  return {
    Event: 'censor_video_v2_img_result',
    AppId: fields.appId ?? 1234567890,
    Timestamp: timestamp,
    Nonce: nonce,
    Signature: zegoSignature(secret, String(timestamp), nonce),
    Code: 0,
    Message: 'success',
    TaskId: 'f5312a47e068e934c05bab75d917e48e',
    ResultTaskId: fields.resultTaskId,
    Detail: {
      RiskLevel: fields.riskLevel ?? 'REJECT',
      ImgUrl: 'https://oss.example/POST_VIDEOSTREAM_IMG/frame.jpg?Expires=1720336842&Signature=abc',
      RiskDescription: 'porn:sexy:sexy',
      RiskLabel1: l1,
      RiskLabel2: l2,
      RiskLabel3: l3,
      RiskInfoList: [{ RiskLevel: fields.riskLevel ?? 'REJECT', Probability: 0.8550949, RiskLabel1: l1 }],
    },
    AuxInfo: {
      RoomId: fields.roomId,
      ImgTime: '2026-01-01 12:00:00',
      ...(fields.streamId ? { StreamId: fields.streamId } : {}),
      ...(fields.userId ? { UserId: fields.userId } : {}),
    },
  };
}

/** An ActiveFence action webhook in Agora's template. */
export function activeFenceWebhook(fields: { contentId: string; reason: string | string[]; cname: string; uid: number | string }): Record<string, unknown> {
  return {
    contentUrl: 'https://cdn.example/frame.jpg',
    status: 'violation',
    userId: String(fields.uid),
    addedAt: '2026-01-01T12:00:00Z',
    contentId: fields.contentId,
    reason: fields.reason,
    metaData: JSON.stringify({ cname: fields.cname, requestId: 'req-1', sid: 'sid-1', source: 'agora', timestamp: 1767268800, uid: fields.uid }),
  };
}

/** A Hive callback as Agora's Hive page shows it. */
export function hiveCallback(fields: { id: string; cname: string; uid: number; classes: Record<string, number>[] }): Record<string, unknown> {
  return {
    id: fields.id,
    project_id: 12345,
    from_cache: false,
    metadata: JSON.stringify({ cname: fields.cname, uid: fields.uid, requestId: 'req-1', sid: 'sid-1', source: 'agora', timestamp: 1767268800 }),
    status: [
      {
        status: { code: '0', message: 'SUCCESS' },
        response: {
          input: { media: { filename: 'frame.jpg' } },
          output: fields.classes.map((frame, time) => ({ time, classes: Object.entries(frame).map(([c, score]) => ({ class: c, score })) })),
        },
      },
    ],
  };
}
