/** Media Gateway live sessions ("online streams", agora.md §4.6, §4.7) and matching them to a stream key. */
import { z } from 'zod';

/** One live push through the Media Gateway. */
export interface AgoraSession {
  /** Session id, new on every (re)connect of the encoder. */
  sid: string;
  channel: string;
  uid: string;
  /** `{domain}[:port]/live/{streamKey}`, no scheme. Carries the stream key: never log it. */
  url: string;
  /** `Started` (connected, waiting for media) or `Running`; other values are passed through. */
  status: string;
  /** As Agora sends it, e.g. `2024-01-01 01:01:01.001`. */
  beginAt?: string;
}

/** An online-stream element. `uid` is documented as a string and tolerated as a number. */
export const AgoraSessionShape = z
  .object({
    sid: z.string(),
    channel: z.string(),
    uid: z.union([z.string(), z.number().transform(String)]),
    url: z.string(),
    status: z.string(),
    beginAt: z.string().nullish(),
  })
  .transform(
    ({ beginAt, ...session }): AgoraSession => (beginAt == null ? session : { ...session, beginAt }),
  );

// The key is the last path segment after `/live/`; a query or fragment after it is not part of it.
const LIVE_KEY = /\/live\/([^/?#]+)(?:[?#].*)?$/;

/**
 * The stream key at the end of a session url (`host/live/<key>`, `host:1935/live/<key>`, with or
 * without a scheme), or `undefined` when the url does not end that way. The key is returned as
 * it appears (no percent-decoding).
 */
export function sessionStreamKey(url: string): string | undefined {
  return LIVE_KEY.exec(url)?.[1];
}

/** Whether `session` was pushed with `streamKey` (exact match; an empty key matches nothing). */
export function isSessionOfKey(session: Pick<AgoraSession, 'url'>, streamKey: string): boolean {
  return streamKey !== '' && sessionStreamKey(session.url) === streamKey;
}
