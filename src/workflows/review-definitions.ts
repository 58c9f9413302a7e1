/**
 * The `review` workflow's contract (DESIGN.md "Review"): its input, the `decide` Update, the
 * `status` query and the result. Pure code without a schema library (the schemas are in
 * `review-schemas.ts`, loaded only where a review is validated): the workflow, the intake and tests share it.
 */
import { defineQuery, defineUpdate } from '@temporalio/workflow';
import type { TakedownRequest } from './request';
import type { ReviewVerdict } from './review-schemas';

export type { ReviewVerdict } from './review-schemas';

/** Workflow type of the contract. */
export const REVIEW_WORKFLOW_TYPE = 'review';

/** `TakedownOutcome` of a review that waits for a person. */
export const AWAITING_REVIEW = 'awaiting-review';

export const ReviewDecisionKind = { approve: 'approve', reject: 'reject' } as const;
export type ReviewDecisionKind = (typeof ReviewDecisionKind)[keyof typeof ReviewDecisionKind];

export const ReviewOutcome = { approved: 'approved', rejected: 'rejected' } as const;
export type ReviewOutcome = (typeof ReviewOutcome)[keyof typeof ReviewOutcome];

/** `by` of a decision the deadline made; no person may decide under that name. */
export const DEADLINE_DECIDER = 'deadline';

/** `type` of the ApplicationFailure an Update validator or a bad input raises. */
export const ReviewFailureType = {
  InvalidRequest: 'InvalidRequest',
  InvalidDecision: 'InvalidDecision',
  AlreadyDecided: 'ReviewAlreadyDecided',
} as const;

/** Shortest and longest review deadline. */
export const MIN_REVIEW_DEADLINE_MS = 1_000;
export const MAX_REVIEW_DEADLINE_MS = 365 * 86_400_000;

const UNIT_MS = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;

/** Milliseconds of a `<n>s|m|h|d` duration, or undefined when the text is not one. */
export function parseDurationMs(text: string): number | undefined {
  const match = /^([1-9]\d{0,8})([smhd])$/.exec(text);
  if (!match) return undefined;
  return Number(match[1]) * UNIT_MS[match[2] as keyof typeof UNIT_MS];
}

/** The `review` workflow's argument. */
export interface ReviewInput {
  verdict: ReviewVerdict;
  takedown: { request: TakedownRequest; workflowId: string; summary?: string };
  deadline: string;
  onTimeout: ReviewDecisionKind;
}

/** The `decide` Update's argument. */
export interface DecideInput {
  decision: ReviewDecisionKind;
  by: string;
  note?: string;
}

export type ReviewResult =
  | { outcome: typeof ReviewOutcome.approved; by: string; decidedAt: string; takedownWorkflowId: string }
  | { outcome: typeof ReviewOutcome.rejected; by: string; decidedAt: string };

/** What the `status` query returns. */
export interface ReviewStatus {
  state: typeof AWAITING_REVIEW | ReviewOutcome;
  verdict: ReviewVerdict;
  /** The standard workflow id of the proposed takedown. */
  takedownWorkflowId: string;
  /** The proposed takedown's summary. */
  takedown?: string;
  dryRun: boolean;
  /** When the deadline decides (ISO time), and what. */
  deadlineAt: string;
  onTimeout: ReviewDecisionKind;
  decision?: DecideInput & { decidedAt: string };
  /** After an approval: false when a takedown of the same target was already running and covers it. */
  takedownStarted?: boolean;
}

/** `decide`: a person approves or rejects the proposed takedown; returns the review's result. */
export const decideUpdate = defineUpdate<ReviewResult, [DecideInput]>('decide');

/** `status`: the verdict, the proposal, the deadline and any decision. */
export const reviewStatusQuery = defineQuery<ReviewStatus>('status');

