/**
 * The review workflow: a borderline verdict waits for a person (Update `decide`) or for its
 * deadline, and an approval starts the proposed takedown under its standard workflow id.
 *
 * The takedown is started as a child workflow with `parentClosePolicy: ABANDON` rather than from
 * an activity with the client: the start is then a command in this workflow's history, made once
 * however often the review's task is replayed, it needs no new activity in the worker, and ABANDON
 * lets the takedown outlive the review, which completes as soon as the child has started. Child
 * starts have no conflict policy: when a takedown with that id is already running (another verdict
 * on the same target started it), the start fails with WorkflowExecutionAlreadyStartedError and
 * the review records that the running takedown covers it. A closed takedown with that id is no
 * obstacle (reuse policy ALLOW_DUPLICATE): the target is taken down again.
 */
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import {
  ApplicationFailure,
  ParentClosePolicy,
  allHandlersFinished,
  condition,
  setCurrentDetails,
  setHandler,
  startChild,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import { TAKEDOWN_WORKFLOW_TYPE } from './definitions';
import type { ValidTakedownRequest } from './request';
import {
  AWAITING_REVIEW,
  DEADLINE_DECIDER,
  type DecideInput,
  type ReviewDecisionKind,
  ReviewFailureType,
  ReviewOutcome,
  type ReviewResult,
  type ReviewStatus,
  decideUpdate,
  parseDurationMs,
  reviewStatusQuery,
} from './review-definitions';
import { TakedownAppId, TakedownOutcome, TakedownProvider, TakedownViolationId } from './search-attributes';
import type { takedown } from './takedown';

interface ValidReview {
  status: ReviewStatus;
  request: ValidTakedownRequest;
  summary?: string;
  deadlineMs: number;
}

function invalid(message: string): never {
  upsertSearchAttributes([{ key: TakedownOutcome, value: ReviewFailureType.InvalidRequest }]);
  throw ApplicationFailure.create({ type: ReviewFailureType.InvalidRequest, message, nonRetryable: true });
}

/**
 * The schemas, loaded when a review validates: a module the bundle imports is evaluated for every
 * workflow, and zod's schemas cost milliseconds of CPU each time.
 */
function schemas() {
  /* eslint-disable @typescript-eslint/no-require-imports -- loaded on use, see above */
  return {
    ...(require('./review-schemas') as typeof import('./review-schemas')),
    validateTakedownRequest: (require('./request') as typeof import('./request')).validateTakedownRequest,
  };
  /* eslint-enable @typescript-eslint/no-require-imports */
}

function validate(input: unknown): ValidReview {
  const { reviewInputSchema, problemLines, validateTakedownRequest } = schemas();
  const parsed = reviewInputSchema.safeParse(input);
  if (!parsed.success) invalid(`invalid review: ${problemLines(parsed.error).join('; ')}`);
  const { verdict, takedown: proposal, deadline, onTimeout } = parsed.data;
  const request = validateTakedownRequest(proposal.request);
  if (!request.ok) invalid(`invalid review: the proposed takedown is invalid: ${request.problems.join('; ')}`);
  const deadlineMs = parseDurationMs(deadline)!;
  const deadlineAt = new Date(workflowInfo().startTime.getTime() + deadlineMs).toISOString();
  return {
    request: request.request,
    summary: proposal.summary,
    deadlineMs,
    status: {
      state: AWAITING_REVIEW,
      verdict,
      takedownWorkflowId: proposal.workflowId,
      ...(proposal.summary ? { takedown: proposal.summary } : {}),
      dryRun: request.request.dryRun,
      deadlineAt,
      onTimeout,
    },
  };
}

function show(status: ReviewStatus): void {
  const lines = [
    status.state === AWAITING_REVIEW
      ? `**awaiting review** until ${status.deadlineAt} (then: ${status.onTimeout})`
      : `**${status.state}** by ${status.decision?.by} at ${status.decision?.decidedAt}`,
    `${status.verdict.source} ${status.verdict.sourceKey}: ${status.verdict.summary}`,
    `proposed${status.dryRun ? ' (dry run)' : ''}: ${status.takedown ?? status.takedownWorkflowId}`,
  ];
  if (status.decision?.note) lines.push(`note: ${status.decision.note}`);
  if (status.takedownStarted !== undefined) {
    lines.push(status.takedownStarted ? `started ${status.takedownWorkflowId}` : `${status.takedownWorkflowId} was already running`);
  }
  setCurrentDetails(lines.join('\n'));
}

function alreadyDecided(status: ReviewStatus): never {
  const { decision, by, decidedAt } = status.decision!;
  throw ApplicationFailure.create({
    type: ReviewFailureType.AlreadyDecided,
    message: `review ${workflowInfo().workflowId} is already decided: ${decision === 'approve' ? 'approved' : 'rejected'} by ${by} at ${decidedAt}`,
    nonRetryable: true,
  });
}

/** Starts the approved takedown; false when one with that id is already running. */
async function startTakedown(review: ValidReview): Promise<boolean> {
  const { request } = review;
  try {
    await startChild<typeof takedown>(TAKEDOWN_WORKFLOW_TYPE, {
      workflowId: review.status.takedownWorkflowId,
      args: [request],
      parentClosePolicy: ParentClosePolicy.ABANDON,
      workflowIdReusePolicy: 'ALLOW_DUPLICATE',
      ...(review.summary ? { staticSummary: review.summary } : {}),
      typedSearchAttributes: [
        { key: TakedownProvider, value: request.target.provider },
        { key: TakedownAppId, value: String(request.target.appId) },
        { key: TakedownViolationId, value: request.violationId },
        { key: TakedownOutcome, value: 'running' },
      ],
    });
    return true;
  } catch (err) {
    if (err instanceof WorkflowExecutionAlreadyStartedError) return false;
    throw err;
  }
}

/** Workflow type `review`: a person (or the deadline) approves or rejects a proposed takedown. */
export async function review(input: unknown): Promise<ReviewResult> {
  const valid = validate(input);
  const { status, request } = valid;
  let result: ReviewResult | undefined;

  setHandler(reviewStatusQuery, () => status);
  setHandler(
    decideUpdate,
    async (input: DecideInput) => {
      // Two Updates validated in the same workflow task both pass the validator: the first wins.
      if (status.decision) alreadyDecided(status);
      const decision = schemas().decideInputSchema.parse(input);
      status.decision = { ...decision, decidedAt: new Date().toISOString() };
      await condition(() => result !== undefined);
      return result!;
    },
    {
      validator: (decision: DecideInput) => {
        if (status.decision) alreadyDecided(status);
        const { decideInputSchema, problemLines } = schemas();
        const parsed = decideInputSchema.safeParse(decision);
        if (!parsed.success) {
          throw ApplicationFailure.create({
            type: ReviewFailureType.InvalidDecision,
            message: `invalid decision: ${problemLines(parsed.error, '').join('; ')}`,
            nonRetryable: true,
          });
        }
      },
      description: 'Approve or reject the proposed takedown: { decision: "approve" | "reject", by, note? }',
    },
  );

  upsertSearchAttributes([
    { key: TakedownProvider, value: request.target.provider },
    { key: TakedownAppId, value: String(request.target.appId) },
    { key: TakedownViolationId, value: request.violationId },
    { key: TakedownOutcome, value: AWAITING_REVIEW },
  ]);
  show(status);

  // The deadline counts from the review's start, not from when a worker first ran it.
  const remainingMs = workflowInfo().startTime.getTime() + valid.deadlineMs - Date.now();
  const decidedInTime = await condition(() => status.decision !== undefined, Math.max(remainingMs, 1));
  if (!decidedInTime && !status.decision) {
    status.decision = { decision: status.onTimeout, by: DEADLINE_DECIDER, decidedAt: new Date().toISOString() };
  }
  const decision = status.decision!;
  const kind: ReviewDecisionKind = decision.decision;

  if (kind === 'approve') {
    status.takedownStarted = await startTakedown(valid);
    status.state = ReviewOutcome.approved;
    result = { outcome: ReviewOutcome.approved, by: decision.by, decidedAt: decision.decidedAt, takedownWorkflowId: status.takedownWorkflowId };
  } else {
    status.state = ReviewOutcome.rejected;
    result = { outcome: ReviewOutcome.rejected, by: decision.by, decidedAt: decision.decidedAt };
  }
  upsertSearchAttributes([{ key: TakedownOutcome, value: status.state }]);
  show(status);
  await condition(allHandlersFinished);
  return result;
}
