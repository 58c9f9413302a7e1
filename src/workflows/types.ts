import type { Duration } from '@temporalio/common';
import type { ProviderName } from '../providers/types';
import type { Bucket, StepAction } from './plan';

/** Shapes of the contract (DESIGN.md "What it returns") and of the status the workflow keeps. */

export type { StepAction } from './plan';

export const StepOutcome = {
  done: 'done',
  alreadyDone: 'already-done',
  skipped: 'skipped',
  planned: 'planned',
} as const;
export type StepOutcome = (typeof StepOutcome)[keyof typeof StepOutcome];

/** One provider operation of a takedown. */
export interface StepRecord {
  action: StepAction;
  outcome: StepOutcome;
  /** Provider requests (activity attempts) the step took; 0 when no request was made. */
  attempts: number;
  /** ZEGO RequestId or Agora X-Request-ID of the last answer. */
  providerRequestId?: string;
  /** ZEGO `Code` or Agora HTTP status of the last answer. */
  providerCode?: number;
  /** The session a ForceDisconnect step ended. */
  sid?: string;
  /** The mix task a StopMix step stopped. */
  taskId?: string;
  /** The stream a DeleteStream step of a room-wide takedown deleted. */
  streamId?: string;
  /** The ZEGO user a KickoutUser or ForbidUser step of a room-wide takedown acted on. */
  userId?: string;
  /** The Agora uid a BanUser step acted on (as text: a session's uid may not be a number). */
  uid?: string;
  /** Ban steps: when the ban ends (ISO time, or `permanent`). */
  expiresAt?: string;
}

export const TakedownOutcome = {
  enforced: 'enforced',
  alreadyEnforced: 'already-enforced',
  dryRun: 'dry-run',
} as const;
export type TakedownOutcome = (typeof TakedownOutcome)[keyof typeof TakedownOutcome];

export interface TakedownResult {
  violationId: string;
  provider: ProviderName;
  outcome: TakedownOutcome;
  steps: StepRecord[];
  /** The ban this takedown placed or joined (the first, when it banned several users); absent without a ban and in a dry run. */
  ban?: BanReference;
  /** Every ban, when the takedown banned more than one user (Agora sessions of several uids, a room of several publishers). */
  bans?: BanReference[];
  startedAt: string;
  completedAt: string;
}

export interface BanReference {
  workflowId: string;
  /** The ban workflow's expiry, which a joined ban may have extended (ISO time or `permanent`). */
  expiresAt: string;
}

/** `type` of the ApplicationFailure that fails a takedown workflow. */
export const TakedownFailureType = {
  InvalidRequest: 'InvalidRequest',
  ProviderRejected: 'ProviderRejected',
  ProviderUnavailable: 'ProviderUnavailable',
} as const;
export type TakedownFailureType = (typeof TakedownFailureType)[keyof typeof TakedownFailureType];

/** What the `status` query returns. Never contains a stream key. */
export interface TakedownStatus {
  phase: 'validating' | 'running' | 'completed' | 'failed';
  violationId?: string;
  provider?: ProviderName;
  appId?: string;
  /** Human summary of the target, e.g. `room room-1 / stream stream-1` or `na stream key sha256:…`. */
  target?: string;
  dryRun?: boolean;
  steps: StepRecord[];
  /** The step running now. */
  current?: StepAction;
  outcome?: TakedownOutcome;
  failure?: { type: TakedownFailureType; message: string };
}

/**
 * How the worker wants a target's steps run: which task queue each rate-limit bucket of the
 * target's provider uses, and the retry budget. Returned by the `prepareTakedown` local activity
 * so routing follows worker config.
 */
export type ProviderRoute<P extends ProviderName = ProviderName> = P extends ProviderName
  ? {
      /** Task queue per bucket, e.g. `{ DeleteStream: 'takedown/zego/123/DeleteStream', … }`. */
      queues: { [B in Bucket<P>]: string };
      /**
       * Fairness key and weight per bucket on shared queues (`TAKEDOWN_QUEUE_LAYOUT=shared`): the
       * weight scales the queue's per-key rate to the app's. Absent on queues of their own.
       */
      fairness?: { [B in Bucket<P>]?: { key: string; weight: number } };
      retry: StepRetry;
      /**
       * Longest rule the provider keeps (`ZEGO_MAX_RULE_SECONDS`, `AGORA_MAX_RULE_SECONDS`); a
       * longer ban renews its rule. Absent in routes resolved before bans existed.
       */
      maxRuleSeconds?: number;
    }
  : never;

export interface StepRetry {
  /** First retry delay, e.g. `'200ms'`. */
  initialInterval: Duration;
  maximumInterval: Duration;
  maximumAttempts: number;
  /** Budget for all attempts of one step, e.g. `'5 minutes'`. */
  budget: Duration;
}

/** What a provider step heartbeats when an attempt fails. */
export interface StepHeartbeat {
  /** The failed attempt's message: provider, operation and code. */
  lastAnswer: string;
}
