/**
 * One error class per way a provider call can fail, each with a stable `code`. The activities map
 * these classes to Temporal behaviour in one place (see `activities/failures.ts`).
 */
import type { ProviderName } from './types';

interface ProviderErrorFields {
  provider: ProviderName;
  operation: string;
  /** ZEGO `Code` or Agora HTTP status, when the provider answered. */
  providerCode?: number;
  requestId?: string;
  cause?: unknown;
}

export abstract class ProviderError extends Error {
  abstract readonly code: string;
  readonly provider: ProviderName;
  readonly operation: string;
  readonly providerCode?: number;
  readonly requestId?: string;

  constructor(message: string, fields: ProviderErrorFields) {
    super(message, fields.cause === undefined ? undefined : { cause: fields.cause });
    this.provider = fields.provider;
    this.operation = fields.operation;
    this.providerCode = fields.providerCode;
    this.requestId = fields.requestId;
  }
}

/** A non-retryable answer (bad parameters, auth, permissions, wrong owner). */
export class ProviderRejectedError extends ProviderError {
  override readonly name = 'ProviderRejectedError';
  readonly code = 'TAKEDOWN_PROVIDER_REJECTED';
}

/** The provider throttled the call. `retryAfterMs` is set when it said how long to wait. */
export class ProviderRateLimitedError extends ProviderError {
  override readonly name = 'ProviderRateLimitedError';
  readonly code = 'TAKEDOWN_PROVIDER_RATE_LIMITED';
  readonly retryAfterMs?: number;
  constructor(message: string, fields: ProviderErrorFields & { retryAfterMs?: number }) {
    super(message, fields);
    this.retryAfterMs = fields.retryAfterMs;
  }
}

/** A documented transient answer (busy, internal error, 5xx). */
export class ProviderRetryableError extends ProviderError {
  override readonly name = 'ProviderRetryableError';
  readonly code = 'TAKEDOWN_PROVIDER_RETRYABLE';
}

/** An answer code that is in no table: retried with a bounded budget, and logged with `raw`. */
export class ProviderUnknownAnswerError extends ProviderError {
  override readonly name = 'ProviderUnknownAnswerError';
  readonly code = 'TAKEDOWN_PROVIDER_UNKNOWN_ANSWER';
  /** The answer body as received, truncated; provider answers carry no credentials. */
  readonly raw: string;
  constructor(message: string, fields: ProviderErrorFields & { raw: string }) {
    super(message, fields);
    this.raw = fields.raw;
  }
}

/** No usable answer: connection refused or dropped, DNS, or a connect/headers/body timeout. */
export class ProviderTransportError extends ProviderError {
  override readonly name = 'ProviderTransportError';
  readonly code = 'TAKEDOWN_PROVIDER_TRANSPORT';
}

/** The provider answered a shape we do not understand; the message names the field. */
export class ProviderResponseError extends ProviderError {
  override readonly name = 'ProviderResponseError';
  readonly code = 'TAKEDOWN_PROVIDER_BAD_RESPONSE';
}

/** The call was refused before it was sent (over 5 users, reason too long, no credentials for the app). */
export class ProviderRequestError extends ProviderError {
  override readonly name = 'ProviderRequestError';
  readonly code = 'TAKEDOWN_PROVIDER_BAD_REQUEST';
}
