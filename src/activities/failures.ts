/** The one place where a provider client's error becomes Temporal retry behaviour. */
import { ApplicationFailure } from '@temporalio/common';
import {
  ProviderError,
  ProviderRateLimitedError,
  ProviderRejectedError,
  ProviderRequestError,
} from '../providers/errors';
import { TakedownFailureType } from '../workflows/types';

/** `type` of the ApplicationFailures a provider step throws; a rejection keeps the contract's failure type. */
export const StepFailureType = {
  ProviderRejected: TakedownFailureType.ProviderRejected,
  ProviderRateLimited: 'ProviderRateLimited',
  ProviderTransient: 'ProviderTransient',
  /** No call slot could be reserved (Temporal unreachable, or every slot late); nothing was sent. */
  PacerUnavailable: 'PacerUnavailable',
} as const;

/** Delay before the next attempt after a throttling answer that named none (ZEGO 206/207/1102001xx). */
export function rateLimitBackoffMs(attempt: number, random: () => number = Math.random): number {
  // ZEGO limits count per 1-second window: waiting at least a window, plus jitter so that a burst
  // of throttled takedowns does not come back in the same window together.
  return Math.min(1_000 * 2 ** Math.max(0, attempt - 1), 10_000) + Math.floor(random() * 500);
}

/** Turns a provider client error into the ApplicationFailure that tells Temporal what to do next. */
export function toStepFailure(err: unknown, attempt: number): unknown {
  if (!(err instanceof ProviderError)) return err; // cancellation and bugs keep their own identity
  const details = [{ code: err.code, provider: err.provider, operation: err.operation, providerCode: err.providerCode, requestId: err.requestId }];
  if (err instanceof ProviderRejectedError || err instanceof ProviderRequestError) {
    return ApplicationFailure.create({ type: StepFailureType.ProviderRejected, message: err.message, nonRetryable: true, details });
  }
  if (err instanceof ProviderRateLimitedError) {
    const delayMs = err.retryAfterMs ?? rateLimitBackoffMs(attempt);
    return ApplicationFailure.create({ type: StepFailureType.ProviderRateLimited, message: err.message, nextRetryDelay: delayMs, details });
  }
  return ApplicationFailure.create({ type: StepFailureType.ProviderTransient, message: err.message, details });
}
