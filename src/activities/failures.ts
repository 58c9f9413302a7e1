/**
 * The one place where a failure inside an activity becomes Temporal retry behaviour and, in the
 * end, the contract's failure type. Every failure an activity can meet has a stable `code`; the
 * table below says what each means. Nothing else decides whether a failure is retried.
 */
import { ApplicationFailure } from '@temporalio/common';
import { ProviderError, ProviderRateLimitedError } from '../providers/errors';
import { TakedownFailureType } from '../workflows/types';

/** The `type` of the ApplicationFailures activities throw. Non-retryable ones carry the contract's type. */
export const StepFailureType = {
  ProviderRejected: TakedownFailureType.ProviderRejected,
  InvalidRequest: TakedownFailureType.InvalidRequest,
  ProviderRateLimited: 'ProviderRateLimited',
  ProviderTransient: 'ProviderTransient',
  /** No call slot could be reserved (Temporal unreachable, or every slot late); nothing was sent. */
  PacerUnavailable: 'PacerUnavailable',
} as const;
export type StepFailureType = (typeof StepFailureType)[keyof typeof StepFailureType];

/**
 * How a failure is retried: `never` fails the takedown with the failure's type at once; `backoff`
 * follows the step's retry policy; `after-delay` waits the provider's delay (or a throttling
 * backoff) first. A retried failure that outlives the step's budget fails the takedown
 * `ProviderUnavailable`.
 */
export type Retry = 'never' | 'backoff' | 'after-delay';

/** A failure that is not a provider answer: the worker serves no such app. */
export class NoCredentialsError extends Error {
  override readonly name = 'NoCredentialsError';
  readonly code = 'TAKEDOWN_NO_CREDENTIALS';
}

/** Every failure code an activity can meet, with its step failure type and retry. */
export const STEP_FAILURES = {
  TAKEDOWN_PROVIDER_REJECTED: { type: StepFailureType.ProviderRejected, retry: 'never' },
  TAKEDOWN_PROVIDER_BAD_REQUEST: { type: StepFailureType.ProviderRejected, retry: 'never' },
  TAKEDOWN_PROVIDER_RATE_LIMITED: { type: StepFailureType.ProviderRateLimited, retry: 'after-delay' },
  TAKEDOWN_PROVIDER_RETRYABLE: { type: StepFailureType.ProviderTransient, retry: 'backoff' },
  TAKEDOWN_PROVIDER_UNKNOWN_ANSWER: { type: StepFailureType.ProviderTransient, retry: 'backoff' },
  TAKEDOWN_PROVIDER_TRANSPORT: { type: StepFailureType.ProviderTransient, retry: 'backoff' },
  TAKEDOWN_PROVIDER_BAD_RESPONSE: { type: StepFailureType.ProviderTransient, retry: 'backoff' },
  TAKEDOWN_PACER_UNAVAILABLE: { type: StepFailureType.PacerUnavailable, retry: 'backoff' },
  TAKEDOWN_NO_CREDENTIALS: { type: StepFailureType.InvalidRequest, retry: 'never' },
} as const satisfies Record<ProviderError['code'] | 'TAKEDOWN_PACER_UNAVAILABLE' | NoCredentialsError['code'], { type: StepFailureType; retry: Retry }>;
export type StepFailureCode = keyof typeof STEP_FAILURES;

/** Delay before the next attempt after a throttling answer that named none (ZEGO 206/207/1102001xx). */
export function rateLimitBackoffMs(attempt: number, random: () => number = Math.random): number {
  // ZEGO limits count per 1-second window: waiting at least a window, plus jitter so that a burst
  // of throttled takedowns does not come back in the same window together.
  return Math.min(1_000 * 2 ** Math.max(0, attempt - 1), 10_000) + Math.floor(random() * 500);
}

function failureCode(err: unknown): StepFailureCode | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && Object.hasOwn(STEP_FAILURES, code) ? (code as StepFailureCode) : undefined;
}

/**
 * Turns a failure with a known code into the ApplicationFailure that tells Temporal what to do
 * next; anything else (cancellation, bugs) keeps its own identity.
 */
export function toStepFailure(err: unknown, attempt: number): unknown {
  const code = failureCode(err);
  if (code === undefined) return err;
  const { type, retry } = STEP_FAILURES[code];
  const message = (err as Error).message;
  const details =
    err instanceof ProviderError
      ? [{ code, provider: err.provider, operation: err.operation, providerCode: err.providerCode, requestId: err.requestId }]
      : [{ code }];
  const nextRetryDelay = retry === 'after-delay' ? ((err as ProviderRateLimitedError).retryAfterMs ?? rateLimitBackoffMs(attempt)) : undefined;
  return ApplicationFailure.create({ type, message, nonRetryable: retry === 'never', details, ...(nextRetryDelay === undefined ? {} : { nextRetryDelay }) });
}

export function noCredentialsMessage(provider: 'zego' | 'agora', appId: number | string): string {
  return `no credentials configured for ${provider === 'zego' ? 'ZEGO' : 'Agora'} app ${appId}`;
}

/** The failure of an activity whose target this worker has no credentials for: a bad request, not a provider failure. */
export function noCredentials(provider: 'zego' | 'agora', appId: number | string): unknown {
  return toStepFailure(new NoCredentialsError(noCredentialsMessage(provider, appId)), 1);
}
