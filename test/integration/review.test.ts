/**
 * Review end to end: a borderline ZEGO censor verdict starts a `review`; a person approves or
 * rejects it (Update `decide`), or its deadline decides; an approval starts the takedown.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { WorkflowUpdateFailedError } from '@temporalio/client';
import { DEMO_ZEGO_APP } from '../../src/sandbox/demo-accounts';
import { decideUpdate, type ReviewResult, reviewStatusQuery } from '../../src/workflows/review-definitions';
import { TakedownOutcome } from '../../src/workflows/search-attributes';
import type { TakedownResult } from '../../src/workflows/types';
import { eventually, uniqueName } from '../harness/temporal';
import { type IntakeStack, startIntakeStack } from './intake-stack';

const appId = DEMO_ZEGO_APP.appId;
const policy = {
  rules: [
    { source: 'zego-censor', match: { riskLevel: 'REVIEW', label: 'deadline-approves' }, action: 'review', deadline: '2s', onTimeout: 'approve' },
    { source: 'zego-censor', match: { riskLevel: 'REVIEW', label: 'deadline-rejects' }, action: 'review', deadline: '2s', onTimeout: 'reject' },
    { source: 'zego-censor', match: { riskLevel: 'REVIEW' }, action: 'review', deadline: '10m', onTimeout: 'reject' },
    { source: '*', action: 'ignore' },
  ],
};

let s: IntakeStack;
beforeAll(async () => {
  s = await startIntakeStack({ policy });
});
afterAll(async () => {
  await s?.teardown();
});

/** A live room and a REVIEW verdict on its stream, sent to the intake. */
async function reviewVerdict(labels: string[] = ['porn', 'sexy', 'sexy']) {
  const roomId = uniqueName('room');
  const streamId = uniqueName('stream');
  await s.stack.sandbox.control.seedZego({ appId, rooms: [{ roomId, users: ['host-1'], streams: [{ streamId, userId: 'host-1' }] }] });
  const resultTaskId = uniqueName('task_s_1');
  const answer = await s.zego({ roomId, streamId, userId: 'host-1', resultTaskId, riskLevel: 'REVIEW', labels });
  expect(answer.status).toBe(202);
  return { roomId, streamId, resultTaskId, answer, review: s.stack.client.workflow.getHandle(answer.body.workflowId!), takedownId: `takedown/zego/${appId}/${roomId}/${streamId}` };
}

async function zegoCallsFor(roomId: string) {
  return (await s.stack.sandbox.control.requests({ provider: 'zego' })).filter((r) => r.params.roomId === roomId);
}

async function exists(workflowId: string): Promise<boolean> {
  try {
    await s.stack.client.workflow.getHandle(workflowId).describe();
    return true;
  } catch (err) {
    if ((err as Error).name === 'WorkflowNotFoundError') return false;
    throw err;
  }
}

test('a REVIEW verdict waits for a person; approve starts the takedown under its standard id', async () => {
  const { roomId, resultTaskId, answer, review, takedownId } = await reviewVerdict();
  expect(answer.body).toMatchObject({ action: 'review', rule: 2, workflowId: `review/zego-censor/${resultTaskId}`, started: true });

  const status = await review.query(reviewStatusQuery);
  expect(status).toMatchObject({
    state: 'awaiting-review',
    verdict: { source: 'zego-censor', sourceKey: resultTaskId, labels: { riskLevel: 'REVIEW', label1: 'porn' } },
    takedownWorkflowId: takedownId,
    dryRun: false,
    onTimeout: 'reject',
  });
  expect(Date.parse(status.deadlineAt) - Date.now()).toBeGreaterThan(9 * 60_000);
  expect((await review.describe()).typedSearchAttributes.get(TakedownOutcome)).toBe('awaiting-review');
  // What a reviewer lists (README): pending reviews.
  await eventually(async () => {
    const pending: string[] = [];
    for await (const w of s.stack.client.workflow.list({ query: `WorkflowType = "review" AND TakedownOutcome = "awaiting-review" AND TaskQueue = "${s.stack.config.taskQueue}"` })) pending.push(w.workflowId);
    expect(pending).toContain(review.workflowId);
  });
  expect(await zegoCallsFor(roomId)).toEqual([]);

  const decided = await review.executeUpdate(decideUpdate, { args: [{ decision: 'approve', by: 'alice', note: 'nudity, clear' }] });
  expect(decided).toEqual({ outcome: 'approved', by: 'alice', decidedAt: expect.stringMatching(/^\d{4}-/), takedownWorkflowId: takedownId });
  expect(await review.result()).toEqual(decided);
  const takedown: TakedownResult = await s.stack.client.workflow.getHandle(takedownId).result();
  expect(takedown.outcome).toBe('enforced');
  expect((await zegoCallsFor(roomId)).map((r) => r.operation)).toEqual(['DeleteStream', 'KickoutUser']);
  expect((await review.describe()).typedSearchAttributes.get(TakedownOutcome)).toBe('approved');
  expect(await review.query(reviewStatusQuery)).toMatchObject({ state: 'approved', decision: { decision: 'approve', by: 'alice', note: 'nudity, clear' }, takedownStarted: true });
});

test('reject completes the review and starts nothing', async () => {
  const { roomId, review, takedownId } = await reviewVerdict();
  const decided = await review.executeUpdate(decideUpdate, { args: [{ decision: 'reject', by: 'bob' }] });
  expect(decided).toEqual({ outcome: 'rejected', by: 'bob', decidedAt: expect.any(String) });
  expect(await review.result()).toEqual(decided);
  expect((await review.describe()).typedSearchAttributes.get(TakedownOutcome)).toBe('rejected');
  expect(await exists(takedownId)).toBe(false);
  expect(await zegoCallsFor(roomId)).toEqual([]);
});

test.each([
  ['approve', ['x', 'deadline-approves'], 'approved'],
  ['reject', ['x', 'deadline-rejects'], 'rejected'],
] as const)('the deadline decides with onTimeout %s, by "deadline"', async (_kind, labels, outcome) => {
  const { roomId, review, takedownId } = await reviewVerdict([...labels]);
  const result: ReviewResult = await review.result();
  expect(result).toMatchObject({ outcome, by: 'deadline' });
  if (outcome === 'approved') {
    expect(result).toMatchObject({ takedownWorkflowId: takedownId });
    expect((await s.stack.client.workflow.getHandle(takedownId).result()).outcome).toBe('enforced');
    expect((await zegoCallsFor(roomId)).map((r) => r.operation)).toEqual(['DeleteStream', 'KickoutUser']);
  } else {
    expect(await exists(takedownId)).toBe(false);
    expect(await zegoCallsFor(roomId)).toEqual([]);
  }
  const { startTime, closeTime } = await review.describe();
  expect(closeTime!.getTime() - startTime.getTime()).toBeGreaterThanOrEqual(2_000);
});

test('an invalid decision is refused with a clear message and the review keeps waiting', async () => {
  const { review } = await reviewVerdict();
  const refused = async (input: unknown) => {
    const err = await review.executeUpdate(decideUpdate, { args: [input as never] }).then(() => undefined, (e: unknown) => e);
    expect(err).toBeInstanceOf(WorkflowUpdateFailedError);
    return ((err as WorkflowUpdateFailedError).cause as Error).message;
  };
  expect(await refused({ decision: 'maybe', by: 'carol' })).toBe('invalid decision: decision: must be "approve" or "reject"');
  expect(await refused({ decision: 'approve', by: '  ' })).toBe('invalid decision: by: must name who decides');
  expect(await refused({ decision: 'approve', by: 'deadline' })).toBe('invalid decision: by: "deadline" is reserved for decisions the deadline makes');
  expect(await refused({ decision: 'approve', by: 'carol', extra: 1 })).toBe('invalid decision: input: unknown field "extra"');
  expect((await review.query(reviewStatusQuery)).state).toBe('awaiting-review');
  await review.executeUpdate(decideUpdate, { args: [{ decision: 'reject', by: 'carol' }] });
});

test('a second decision is refused with a clear message, while the review closes and after', async () => {
  const { review } = await reviewVerdict();
  const both = await Promise.allSettled([
    review.executeUpdate(decideUpdate, { args: [{ decision: 'approve', by: 'dave' }] }),
    review.executeUpdate(decideUpdate, { args: [{ decision: 'reject', by: 'erin' }] }),
  ]);
  const won = both.filter((r) => r.status === 'fulfilled');
  const lost = both.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
  expect([won.length, lost.length]).toEqual([1, 1]);
  const winner = (won[0] as PromiseFulfilledResult<ReviewResult>).value;
  expect(lost[0]!.reason).toBeInstanceOf(WorkflowUpdateFailedError);
  expect((lost[0]!.reason as WorkflowUpdateFailedError).cause?.message).toBe(
    `review ${review.workflowId} is already decided: ${winner.outcome} by ${winner.by} at ${winner.decidedAt}`,
  );
  expect(await review.result()).toEqual(winner);

  // Closed, the workflow refuses Updates by itself.
  const late = await review.executeUpdate(decideUpdate, { args: [{ decision: 'approve', by: 'frank' }] }).then(() => undefined, (e: unknown) => e as Error);
  expect([late?.name, late?.message]).toEqual(['WorkflowNotFoundError', 'workflow execution already completed']);
});

test('a redelivered REVIEW verdict joins its review, also after the review completed', async () => {
  const { roomId, streamId, resultTaskId, answer, review } = await reviewVerdict();
  const again = await s.zego({ roomId, streamId, userId: 'host-1', resultTaskId, riskLevel: 'REVIEW' });
  expect([again.body.started, again.body.runId, again.body.workflowId]).toEqual([false, answer.body.runId, answer.body.workflowId]);
  await review.executeUpdate(decideUpdate, { args: [{ decision: 'reject', by: 'frank' }] });
  await review.result();
  const late = await s.zego({ roomId, streamId, userId: 'host-1', resultTaskId, riskLevel: 'REVIEW' });
  expect([late.status, late.body.started, late.body.runId]).toEqual([202, false, answer.body.runId]);
  expect(await s.runsOf(review.workflowId)).toBe(1);
});

test("the README's reviewer commands: list pending reviews and decide one with the Temporal CLI", async () => {
  const { review } = await reviewVerdict();
  const cli = process.env.TEMPORAL_CLI_PATH!;
  const address = process.env.TAKEDOWN_TEST_TEMPORAL_ADDRESS!;
  const run = promisify(execFile);
  await eventually(async () => {
    const { stdout } = await run(cli, ['workflow', 'list', '--address', address, '--query', `WorkflowType="review" AND TakedownOutcome="awaiting-review"`, '--output', 'json']);
    expect(stdout).toContain(review.workflowId);
  });
  const { stdout } = await run(cli, ['workflow', 'update', 'execute', '--address', address, '--workflow-id', review.workflowId, '--name', 'decide', '--input', '{"decision":"reject","by":"grace","note":"satire"}']);
  expect(stdout).toContain('rejected');
  expect(await review.result()).toMatchObject({ outcome: 'rejected', by: 'grace' });
});
