/**
 * Provider rate limits as data, and a fixed-window counter over them.
 *
 * The providers do not document their window (zego.md §4.15, agora.md §6); a fixed window aligned
 * to the clock is the simplest reading and makes the request log verifiable: every request with
 * `Math.floor(at / windowMs)` equal falls in one window.
 */

/** One bucket's limit over its fixed window. */
export interface BucketRule {
  /** Requests admitted per window. */
  limit: number;
  windowMs: number;
}

/** Documented limits. Keys are the bucket names `rateLimits` overrides. */
export const DEFAULT_RATE_LIMITS = {
  // zego.md §4.15: per AppID.
  'zego.DeleteStream': { limit: 10, windowMs: 1000 },
  /** DeleteStream in ZEGO's test environment (`IsTest=true`, or an app configured `isTest`). */
  'zego.test.DeleteStream': { limit: 1, windowMs: 1000 },
  'zego.KickoutUser': { limit: 50, windowMs: 1000 },
  'zego.StopMix': { limit: 100, windowMs: 1000 },
  'zego.DescribeSimpleStreamList': { limit: 50, windowMs: 1000 },
  /** "1 per 10 s per room": the one bucket with a 10 s window; an override sets requests per 10 s. */
  'zego.DescribeSimpleStreamList.room': { limit: 1, windowMs: 10_000 },
  // zego.md §4.14: 10/s per AppID, each Action on its own (the older CN snapshot's 1/s for Describe is not used).
  'zego.SetForbidUserRule': { limit: 10, windowMs: 1000 },
  'zego.DescribeForbidUserRules': { limit: 10, windowMs: 1000 },
  'zego.DelForbidUserRule': { limit: 10, windowMs: 1000 },
  // agora.md §6: per App ID; force disconnect counts as a delete (inferred), list/get as queries.
  'agora.delete': { limit: 50, windowMs: 1000 },
  'agora.query': { limit: 100, windowMs: 1000 },
  // agora.md §6: per Agora account (customer id), not per App ID.
  'agora.kicking-rule': { limit: 10, windowMs: 1000 },
} as const satisfies Record<string, BucketRule>;

/** A known bucket, e.g. `'zego.DeleteStream'`. */
export type BucketName = keyof typeof DEFAULT_RATE_LIMITS;

export function isBucketName(name: string): name is BucketName {
  return Object.hasOwn(DEFAULT_RATE_LIMITS, name);
}

/** Whether a request may pass; if not, when the window ends (whole seconds, at least 1). */
export type Admission = { admitted: true } | { admitted: false; retryAfterSeconds: number };

/** Windows older than this many windows are forgotten. */
const KEEP_WINDOWS = 2;

/**
 * Counts requests per (bucket, scope, window). The window is taken from each request's arrival
 * time, not from when it is processed, so a request that waited for its body still counts where it
 * arrived.
 */
export class RateLimiter {
  private readonly counts = new Map<string, number>();
  private readonly overrides = new Map<BucketName, number>();

  /** Sets limits (`Infinity` lifts one); unknown bucket names throw, because a typo would silently change nothing. */
  override(limits: Partial<Record<string, number>>): void {
    for (const [name, limit] of Object.entries(limits)) {
      if (limit === undefined) continue;
      if (!isBucketName(name)) {
        throw new Error(`unknown rate-limit bucket ${JSON.stringify(name)}; known: ${Object.keys(DEFAULT_RATE_LIMITS).join(', ')}`);
      }
      if (!(limit >= 0)) throw new Error(`rate limit for ${name} must be >= 0`);
      this.overrides.set(name, limit);
    }
  }

  rule(name: BucketName): BucketRule {
    return { ...DEFAULT_RATE_LIMITS[name], limit: this.overrides.get(name) ?? DEFAULT_RATE_LIMITS[name].limit };
  }

  /** Counts one request of `scope` (an app id, a room, an account) arriving at `atMs`. */
  admit(name: BucketName, scope: string, atMs: number): Admission {
    const { limit, windowMs } = this.rule(name);
    if (limit === Infinity) return { admitted: true };
    const window = Math.floor(atMs / windowMs);
    const key = `${name}\u0000${scope}\u0000${window}`;
    const count = this.counts.get(key) ?? 0;
    if (count >= limit) {
      const untilNextWindow = (window + 1) * windowMs - atMs;
      return { admitted: false, retryAfterSeconds: Math.max(1, Math.ceil(untilNextWindow / 1000)) };
    }
    this.counts.set(key, count + 1);
    this.forgetOldWindows(atMs);
    return { admitted: true };
  }

  /** Forgets counts, keeps overrides (a reset keeps configuration). */
  clear(): void {
    this.counts.clear();
  }

  /** Bounds memory under a long benchmark: drops windows well in the past. */
  private forgetOldWindows(atMs: number): void {
    if (this.counts.size < 10_000) return;
    for (const key of this.counts.keys()) {
      const [bucket = '', , window = '0'] = key.split('\u0000');
      const windowMs = isBucketName(bucket) ? DEFAULT_RATE_LIMITS[bucket].windowMs : 1000;
      if ((Number(window) + KEEP_WINDOWS) * windowMs < atMs) this.counts.delete(key);
    }
  }
}
