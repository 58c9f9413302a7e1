/** Shapes shared by the provider clients and the activities over them. */

/** How the worker reacts to a provider answer. */
export const Classification = {
  /** Transient: try again with backoff (a fresh signed request). */
  retryable: 'retryable',
  /** The provider throttled us: try again after its delay or a backoff. */
  rateLimited: 'rate-limited',
  /** The work was already done (the stream, key, session or task is gone): a success. */
  alreadyDone: 'already-done',
  /** The request can never succeed as sent: stop and fail the takedown. */
  rejected: 'rejected',
} as const;
export type Classification = (typeof Classification)[keyof typeof Classification];

export type ProviderName = 'zego' | 'agora';

/** One row of a provider's code table: data, not logic. */
export interface CodeRow {
  /** ZEGO body `Code`, or Agora HTTP status. */
  code: number;
  meaning: string;
  classification: Classification;
  /** Operations this row applies to; every operation when absent. */
  operations?: readonly string[];
  /** Section of `providers/zego.md` / `providers/agora.md` the row comes from. */
  source: string;
}

/** A provider call that changed something (`done`) or found its work already done. */
export interface ProviderResult {
  outcome: 'done' | 'already-done';
  /** ZEGO `Code` or Agora HTTP status of the answer. */
  providerCode: number;
  /** ZEGO `RequestId` or Agora `X-Request-ID`. */
  requestId?: string;
}

/** Per-call options. */
export interface CallOptions {
  /** Aborts the HTTP request (the activity's cancellation signal). */
  signal?: AbortSignal;
  /** Agora `X-Request-ID` to send; generated when absent. */
  requestId?: string;
}

/** undici timeouts around every provider call. */
export interface HttpTimeouts {
  /**
   * @default 5000 ms
   */
  connectMs: number;
  /**
   * Time to response headers.
   * @default 10000 ms
   */
  headersMs: number;
  /**
   * Time between body chunks.
   * @default 10000 ms
   */
  bodyMs: number;
}

export const DEFAULT_HTTP_TIMEOUTS: HttpTimeouts = { connectMs: 5_000, headersMs: 10_000, bodyMs: 10_000 };
