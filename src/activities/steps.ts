/**
 * Runs one provider call as a takedown step. The call is wrapped, outermost first, by small
 * wrappers that each own one concern, composed the way undici composes interceptors:
 * heartbeats → pacing → failure mapping → metrics and logs → the provider client's call.
 */
import { createHash } from 'node:crypto';
import { Context, log } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import { ProviderRateLimitedError, ProviderUnknownAnswerError } from '../providers/errors';
import type { CallOptions, ProviderName, ProviderResult } from '../providers/types';
import type { StepAction } from '../workflows/plan';
import type { StepHeartbeat, StepRecord } from '../workflows/types';
import { StepFailureType, toStepFailure } from './failures';

/** Spaces provider calls across workers (`src/takedown-worker/pacer.ts`); keyed by a bucket's pace key (`routes.ts`). */
export interface CallPacer {
  awaitSlot(paceKey: string, signal?: AbortSignal): Promise<{ waitedMs: number; reservations: number }>;
  holdOff(paceKey: string, untilMs: number): Promise<void>;
}

/** The pace key of a call whose activity task came from this queue, under this fairness key. */
export type PaceKeyFor = (taskQueue: string, fairnessKey: string | undefined) => string;

/** A provider client's call, given the attempt's cancellation signal and request id. */
export type ProviderCall<R> = (options: CallOptions) => Promise<R>;

/** What a wrapper knows of the call it wraps. */
export interface StepCall {
  provider: ProviderName;
  /** The step's action, or the read it makes. */
  action: string;
  context: Context;
}

/** Wraps a provider call in one concern. */
export type CallWrapper = <R extends ProviderResult>(next: ProviderCall<R>, call: StepCall) => ProviderCall<R>;

/**
 * A request id in UUID form derived from the workflow run, the activity and the attempt, so an id
 * a provider's support quotes can be traced back to one attempt (every attempt is logged with it).
 */
export function providerRequestId(info: { workflowExecution?: { workflowId: string; runId: string }; activityId: string; attempt: number }): string {
  const { workflowId, runId } = info.workflowExecution ?? { workflowId: '', runId: '' };
  const hex = createHash('sha256').update(`${workflowId}\n${runId}\n${info.activityId}\n${info.attempt}`).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-8${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

/** Runs provider calls through `wrappers`, the first outermost. */
export function composeCall(...wrappers: CallWrapper[]) {
  return async <R extends ProviderResult>(provider: ProviderName, action: string, call: ProviderCall<R>): Promise<R & { attempts: number }> => {
    const context = Context.current();
    const step = { provider, action, context };
    const wrapped = wrappers.reduceRight<ProviderCall<R>>((next, wrap) => wrap(next, step), call);
    const result = await wrapped({ signal: context.cancellationSignal, requestId: providerRequestId(context.info) });
    return { ...result, attempts: context.info.attempt };
  };
}

export interface HeartbeatOptions {
  /** How long a call runs before the first heartbeat, and between heartbeats. @default 1000 */
  intervalMs?: number;
}

/**
 * Heartbeats once a call has run a while, so that a worker dying mid-call is noticed within the
 * step's heartbeat timeout rather than its start-to-close timeout. It re-sends the previous
 * attempt's last answer; a failed provider answer is heartbeated as the new last answer, which
 * the workflow's budget-exhausted message reads (Temporal's timeout failure carries the last
 * heartbeat, not the last attempt's error).
 */
export function heartbeats({ intervalMs = 1_000 }: HeartbeatOptions = {}): CallWrapper {
  return (next, { context }) =>
    async (options) => {
      const details = context.info.heartbeatDetails as StepHeartbeat | undefined;
      const timer = setInterval(() => context.heartbeat(details), intervalMs);
      try {
        return await next(options);
      } catch (err) {
        if (isProviderAnswer(err)) context.heartbeat({ lastAnswer: err.message } satisfies StepHeartbeat);
        throw err;
      } finally {
        clearInterval(timer);
      }
    };
}

function isProviderAnswer(err: unknown): err is ApplicationFailure {
  return err instanceof ApplicationFailure && (err.details?.[0] as { provider?: unknown } | undefined)?.provider !== undefined;
}

/**
 * Waits for the call's slot on its activity queue before sending; a pacer that cannot grant one
 * fails the attempt (retryably) before anything is sent. A throttling answer holds off every
 * worker's next call on the queue for as long as this attempt waits to retry.
 */
export function pacing(pacer: CallPacer, paceKeyFor: PaceKeyFor = (taskQueue) => taskQueue): CallWrapper {
  return (next, { provider, action, context }) =>
    async (options) => {
      const tags = { provider, action };
      const paceKey = paceKeyFor(context.info.taskQueue, context.info.priority?.fairnessKey);
      try {
        const { waitedMs, reservations } = await pacer.awaitSlot(paceKey, context.cancellationSignal);
        context.metricMeter.createHistogram('takedown_pacer_wait', 'int', 'ms', 'Wait for a provider call slot').record(Math.round(waitedMs), tags);
        if (reservations > 1) log.info('provider call slot reserved again after a late grant', { ...tags, reservations, waitedMs });
      } catch (err) {
        if (context.cancellationSignal.aborted) throw err;
        log.warn('no provider call slot', { ...tags, error: (err as Error)?.message });
        throw toStepFailure(err, context.info.attempt);
      }
      try {
        return await next(options);
      } catch (err) {
        if (err instanceof ApplicationFailure && err.type === StepFailureType.ProviderRateLimited) {
          const delayMs = typeof err.nextRetryDelay === 'number' ? err.nextRetryDelay : 1_000;
          await pacer.holdOff(paceKey, Date.now() + delayMs).catch((holdOffErr: unknown) => {
            // The retry itself still waits; only the other workers may call once more before they see a throttle too.
            log.warn('could not hold off the provider pacer', { ...tags, error: (holdOffErr as Error)?.message });
          });
        }
        throw err;
      }
    };
}

/** Turns the provider client's errors into the step failures of `failures.ts`. */
export function failureMapping(): CallWrapper {
  return (next, { context }) =>
    async (options) => {
      try {
        return await next(options);
      } catch (err) {
        throw toStepFailure(err, context.info.attempt);
      }
    };
}

/** Counts and times each provider call and logs its answer; an answer no code table knows is logged whole. */
export function metricsAndLogs(): CallWrapper {
  return (next, { provider, action, context }) =>
    async (options) => {
      const tags = { provider, action };
      const attempt = context.info.attempt;
      const calls = context.metricMeter.createCounter('takedown_provider_calls', 'calls', 'Provider calls by outcome');
      const started = performance.now();
      try {
        const result = await next(options);
        const latencyMs = performance.now() - started;
        calls.add(1, { ...tags, outcome: result.outcome });
        context.metricMeter.createHistogram('takedown_step_latency', 'float', 'ms', 'Provider call latency').record(latencyMs, { ...tags, outcome: result.outcome });
        log.info('provider call succeeded', { ...tags, outcome: result.outcome, attempt, providerCode: result.providerCode, requestId: result.requestId, latencyMs: Math.round(latencyMs) });
        return result;
      } catch (err) {
        calls.add(1, { ...tags, outcome: 'failed' });
        // Throttling is one kind of `failed` call; counted apart so that it can be alerted on.
        if (err instanceof ProviderRateLimitedError) context.metricMeter.createCounter('takedown_provider_throttled', 'calls', 'Provider calls answered with a rate limit').add(1, tags);
        // Provider answers carry no credentials; the clients redact what they quote.
        const raw = err instanceof ProviderUnknownAnswerError ? { raw: err.raw } : {};
        log.warn('provider call failed', { ...tags, attempt, error: (err as Error)?.message, requestId: options.requestId, ...raw });
        throw err;
      }
    };
}

/** The contract's step record for a successful call. */
export function stepRecord(action: StepAction, result: ProviderResult & { attempts: number }, extra: Partial<StepRecord> = {}): StepRecord {
  return {
    action,
    outcome: result.outcome,
    attempts: result.attempts,
    ...(result.requestId ? { providerRequestId: result.requestId } : {}),
    providerCode: result.providerCode,
    ...extra,
  };
}
