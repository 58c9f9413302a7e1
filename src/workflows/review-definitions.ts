/**
 * The `review` workflow's contract (DESIGN.md "Review"): its input, the `decide` Update, the
 * `status` query and the result. Pure code: the workflow, the intake and tests share it.
 */
import { defineQuery, defineUpdate } from '@temporalio/workflow';
import { z } from 'zod';
import type { TakedownRequest } from './request';

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

/** A review deadline: `<n>s|m|h|d`, from 1 s to 365 d. */
export const reviewDeadlineSchema = z
  .string({ error: 'must be a duration such as 30s, 10m, 4h or 2d' })
  .refine((text) => parseDurationMs(text) !== undefined, 'must be a duration such as 30s, 10m, 4h or 2d')
  .refine((text) => {
    const ms = parseDurationMs(text);
    return ms === undefined || (ms >= MIN_REVIEW_DEADLINE_MS && ms <= MAX_REVIEW_DEADLINE_MS);
  }, 'must be from 1s to 365d');

const text = (max: number) => z.string().min(1, 'must not be empty').max(max, `must be at most ${max} characters`);

/** What the verdict said, as a reviewer reads it. Never a secret or a stream key. */
export const reviewVerdictSchema = z.strictObject({
  /** `zego-censor`, `activefence`, `hive`. */
  source: z.string().regex(/^[a-z][a-z0-9-]{0,31}$/, 'must be a source name such as zego-censor'),
  /** The source's de-duplication key (ZEGO ResultTaskId, ActiveFence contentId, Hive id). */
  sourceKey: text(256),
  /** One line: what was flagged and why. */
  summary: text(1024),
  /** Classifier labels and scores, e.g. `{ riskLevel: "REVIEW", label1: "porn" }`. */
  labels: z.record(text(64), z.string().max(256, 'values must be at most 256 characters'))
    .refine((labels) => Object.keys(labels).length <= 16, 'must have at most 16 entries').optional(),
  /** Where the reviewer sees the flagged content (the classifier's link; may expire). */
  evidenceUrl: z.string().max(2048, 'must be at most 2048 characters').optional(),
  /** When the intake received the verdict (ISO time). */
  receivedAt: z.string().max(64).optional(),
});
export type ReviewVerdict = z.output<typeof reviewVerdictSchema>;

export const reviewInputSchema = z.strictObject({
  verdict: reviewVerdictSchema,
  takedown: z.strictObject({
    /** The takedown an approval starts (validated as a takedown request). */
    request: z.unknown(),
    /** Its standard workflow id (the client helper's). */
    workflowId: text(1000),
    /** Static summary of the takedown for the Web UI. */
    summary: z.string().max(1024, 'must be at most 1024 characters').optional(),
  }),
  /** How long a person has to decide. */
  deadline: reviewDeadlineSchema,
  /** What the deadline decides. */
  onTimeout: z.enum(['approve', 'reject'], { error: 'must be "approve" or "reject"' }),
});

/** The `review` workflow's argument. */
export interface ReviewInput {
  verdict: ReviewVerdict;
  takedown: { request: TakedownRequest; workflowId: string; summary?: string };
  deadline: string;
  onTimeout: ReviewDecisionKind;
}

export const decideInputSchema = z.strictObject({
  decision: z.enum(['approve', 'reject'], { error: 'must be "approve" or "reject"' }),
  by: z.string().trim().min(1, 'must name who decides').max(128, 'must be at most 128 characters')
    .refine((by) => by !== DEADLINE_DECIDER, `"${DEADLINE_DECIDER}" is reserved for decisions the deadline makes`),
  note: z.string().max(1024, 'must be at most 1024 characters').optional(),
});

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

/** Problems of a zod error as `path: message` lines. */
export function problemLines(error: z.ZodError, prefix = ''): string[] {
  return error.issues.map((issue) => {
    const path = issue.path.map(String).join('.');
    const message = issue.code === 'unrecognized_keys'
      ? `unknown field${issue.keys.length === 1 ? '' : 's'} ${issue.keys.slice(0, 5).map((k) => JSON.stringify(k.slice(0, 40))).join(', ')}`
      : issue.code === 'invalid_type' && issue.message.startsWith('Invalid input')
        ? (issue.message.endsWith('received undefined') ? 'is required' : `must be ${issue.expected === 'object' || issue.expected === 'array' ? 'an' : 'a'} ${issue.expected}`)
        : issue.message;
    return `${prefix}${path || 'input'}: ${message}`;
  });
}
