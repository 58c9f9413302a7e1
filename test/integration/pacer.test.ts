/**
 * The provider pacer against the real dev server: two worker sets sharing the queues keep a burst
 * of takedowns under the provider's limit at the provider's end, and the pacer workflow keeps its
 * slots contiguous across continue-as-new.
 */
import { WorkflowUpdateFailedError } from '@temporalio/client';
import { TakedownOutcome } from '../../src/workflows/types';
import { DEMO_ZEGO_APP, maxArrivalsInAnyWindow } from '../../src/sandbox';
import { temporalPacerWorkflows } from '../../src/takedown-worker/pacer';
import { pacerTaskQueueName } from '../../src/takedown-worker/routes';
import { createTakedownWorkers, type TakedownWorkers } from '../../src/takedown-worker/workers';
import { PROVIDER_PACER_WORKFLOW_TYPE, pacerWorkflowId, type SlotGrant } from '../../src/workflows/pacer';
import { startStack, workflowBundle, type Stack } from '../harness/stack';
import { connectTestNative, eventually, uniqueName } from '../harness/temporal';

let stack: Stack;

beforeAll(async () => {
  // The sandbox enforces ZEGO's documented limits (DeleteStream 10/s per app) and answers 206 above them.
  stack = await startStack();
});
afterAll(async () => {
  await stack?.teardown();
});

test('a burst of takedowns through two worker sets never reaches DeleteStream above 10 in any second', async () => {
  const connection = await connectTestNative();
  let second: TakedownWorkers | undefined;
  let running: Promise<void> | undefined;
  try {
    second = await createTakedownWorkers({
      connection,
      clientConnection: stack.env.connection,
      config: stack.config,
      workflowBundle: await workflowBundle(),
      workerOptions: { identity: 'second-worker-set' },
    });
    running = second.run();

    const rooms = Array.from({ length: 45 }, () => ({ roomId: uniqueName('burst-room'), streamId: uniqueName('burst-stream') }));
    await stack.sandbox.control.seedZego({
      appId: DEMO_ZEGO_APP.appId,
      rooms: rooms.map(({ roomId, streamId }) => ({ roomId, users: ['host-1'], streams: [{ streamId, userId: 'host-1' }] })),
    });
    const handles = await Promise.all(
      rooms.map(({ roomId, streamId }) =>
        stack.start({ violationId: uniqueName('burst'), reason: 'burst', target: { provider: 'zego', appId: DEMO_ZEGO_APP.appId, roomId, streamId, userId: 'host-1' } }),
      ),
    );
    const results = await Promise.all(handles.map((h) => h.result()));
    expect(results.map((r) => r.outcome)).toEqual(rooms.map(() => TakedownOutcome.enforced));

    const roomIds = new Set(rooms.map((r) => r.roomId));
    const deletes = (await stack.sandbox.control.requests({ provider: 'zego' })).filter((r) => r.operation === 'DeleteStream' && roomIds.has(r.params.roomId ?? ''));
    expect(deletes.filter((r) => r.code === 206)).toEqual([]);
    expect(deletes).toHaveLength(rooms.length);
    expect(maxArrivalsInAnyWindow(deletes.map((r) => r.at))).toBeLessThanOrEqual(10);

    // Both worker sets called the provider: the spacing held across processes' worth of workers.
    const identities = new Set<string>();
    for (const handle of handles) {
      for (const event of (await handle.fetchHistory()).events ?? []) {
        const identity = event.activityTaskStartedEventAttributes?.identity;
        if (identity) identities.add(identity === 'second-worker-set' ? identity : 'first');
      }
    }
    expect([...identities].sort()).toEqual(['first', 'second-worker-set']);
  } finally {
    second?.shutdown();
    await running;
    await connection.close();
  }
});

/** A live ZEGO room with one stream, and the takedown request for it. */
async function seedRoom() {
  const roomId = uniqueName('room');
  const streamId = uniqueName('stream');
  await stack.sandbox.control.seedZego({ appId: DEMO_ZEGO_APP.appId, rooms: [{ roomId, users: ['host-1'], streams: [{ streamId, userId: 'host-1' }] }] });
  return { roomId, request: { violationId: uniqueName('clf'), reason: 'r', target: { provider: 'zego' as const, appId: DEMO_ZEGO_APP.appId, roomId, streamId, userId: 'host-1' } } };
}

test("a throttling answer holds off every takedown's next call on that queue, not only the throttled one", async () => {
  const first = await seedRoom();
  const second = await seedRoom();
  await stack.sandbox.control.injectFault({ provider: 'zego', operation: 'DeleteStream', count: 1, answer: { zegoCode: 206 } });
  const throttled = await stack.start(first.request);
  // The attempt fails only once its hold-off is in place, so the next takedown starts after that.
  await eventually(async () => {
    const [pending] = (await throttled.describe()).raw.pendingActivities ?? [];
    expect(pending?.lastFailure?.applicationFailureInfo?.type).toBe('ProviderRateLimited');
  });
  const next = await stack.start(second.request);
  await Promise.all([throttled.result(), next.result()]);

  const deletes = (await stack.sandbox.control.requests({ provider: 'zego', operation: 'DeleteStream' })).filter((r) => [first.roomId, second.roomId].includes(r.params.roomId ?? ''));
  const throttle = deletes.find((r) => r.code === 206)!;
  const nextArrival = deletes.find((r) => r.params.roomId === second.roomId)!;
  expect(throttle.params.roomId).toBe(first.roomId);
  // ZEGO's 206 names no wait; the retry backoff is at least 1 s, and the other takedown waited it out too.
  expect(nextArrival.at - throttle.answeredAt).toBeGreaterThanOrEqual(990);
});

test('the pacer hands out contiguous slots across continue-as-new', async () => {
  const activityQueue = uniqueName('paced-queue');
  const handle = await stack.client.workflow.start(PROVIDER_PACER_WORKFLOW_TYPE, {
    workflowId: pacerWorkflowId(activityQueue),
    taskQueue: pacerTaskQueueName(stack.config.taskQueue),
    args: [{ grantsPerRun: 3 }],
  });
  const { reserve } = temporalPacerWorkflows(stack.client, pacerTaskQueueName(stack.config.taskQueue));
  const grants: SlotGrant[] = [];
  for (let i = 0; i < 8; i++) grants.push(await reserve(activityQueue, { count: 2, intervalMs: 500 }));

  // Each grant follows on from the last (8 grants × 1 s of slots stay ahead of the clock).
  expect(grants.map((g) => g.firstSlotMs - grants[0]!.firstSlotMs)).toEqual([0, 1000, 2000, 3000, 4000, 5000, 6000, 7000]);
  const latest = await stack.client.workflow.getHandle(handle.workflowId).describe();
  expect(latest.runId).not.toBe(handle.firstExecutionRunId);
  expect(latest.status.name).toBe('RUNNING');
  await stack.client.workflow.getHandle(handle.workflowId).terminate('test done');
});

test('the pacer refuses a malformed reservation with a message naming the field', async () => {
  const { reserve } = temporalPacerWorkflows(stack.client, pacerTaskQueueName(stack.config.taskQueue));
  const err = await reserve(uniqueName('paced-queue'), { count: 0, intervalMs: 100 }).catch((e: unknown) => e);
  expect(err).toBeInstanceOf(WorkflowUpdateFailedError);
  expect((err as WorkflowUpdateFailedError).cause?.message).toBe('count must be an integer from 1 to 1000, got 0');
  const lead = await reserve(uniqueName('paced-queue'), { count: 1, intervalMs: 100, leadMs: -5 }).catch((e: unknown) => e);
  expect((lead as WorkflowUpdateFailedError).cause?.message).toBe('leadMs must be from 0 to 10000, got -5');
});
