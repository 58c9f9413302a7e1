/**
 * The shared queue layout (`TAKEDOWN_QUEUE_LAYOUT=shared`) against the dev server with task queue
 * fairness on: two ZEGO apps share one DeleteStream queue, each task under its app's fairness key
 * and weight, and a burst in one app stays under ZEGO's 10/s.
 *
 * How soon a neighbour's takedown gets through during a burst is measured by the benchmark's
 * neighbour cell, not asserted here: the server's fairness orders tasks within each of a queue's
 * partitions, and which partition the next poll reaches is random, so the neighbour's wait varies
 * from run to run (bench/analysis.md, "The shared queue layout").
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { temporal } from '@temporalio/proto';
import { DEMO_ZEGO_APP, maxArrivalsInAnyWindow } from '../../src/sandbox';
import { TakedownOutcome } from '../../src/workflows/types';
import { SHARED_DISPATCH_MARGIN, sharedQueueName } from '../../src/takedown-worker/routes';
import { startStack, type Stack } from '../harness/stack';
import { uniqueName } from '../harness/temporal';

const NEIGHBOUR_APP = { appId: 1234567891, serverSecret: '0123456789abcdef0123456789abcdef' };
let stack: Stack;

beforeAll(async () => {
  const file = path.join(mkdtempSync(path.join(tmpdir(), 'takedown-shared-')), 'apps.json');
  writeFileSync(file, JSON.stringify({ zego: [NEIGHBOUR_APP] }));
  stack = await startStack({
    env: { TAKEDOWN_QUEUE_LAYOUT: 'shared', TAKEDOWN_CONFIG_FILE: file },
    sandbox: { zegoApps: [DEMO_ZEGO_APP, NEIGHBOUR_APP] },
    // Few activities waiting at once in this process, which also hosts the sandbox. With the
    // SDK's 100 slots and 80 takedowns, its event loop fell 54–119 ms behind between a call's
    // slot check and the sandbox logging it: 11 calls in one second, from slots 111 ms apart.
    workerOptions: { maxConcurrentActivityTaskExecutions: 4 },
  });
});
afterAll(async () => {
  await stack?.teardown();
});

function seededRequests(appId: number, count: number, label: string) {
  return Array.from({ length: count }, () => {
    const roomId = uniqueName(`${label}-room`);
    const streamId = uniqueName(`${label}-stream`);
    return {
      room: { roomId, users: ['host-1'], streams: [{ streamId, userId: 'host-1' }] },
      request: { violationId: uniqueName(label), reason: 'raid', target: { provider: 'zego' as const, appId, roomId, streamId, userId: 'host-1' } },
    };
  });
}

test('the workers poll one queue per bucket and set its per-app rate on the server', async () => {
  const queue = sharedQueueName(stack.config.taskQueue, 'zego', 'DeleteStream');
  expect(stack.workers.queues.filter((q) => q.bucket === 'DeleteStream').map((q) => [q.name, q.fairnessKey])).toEqual([
    [queue, String(DEMO_ZEGO_APP.appId)],
    [queue, String(NEIGHBOUR_APP.appId)],
  ]);
  const described = await stack.client.workflowService.describeTaskQueue({
    namespace: stack.client.options.namespace,
    taskQueue: { name: queue },
    taskQueueType: temporal.api.enums.v1.TaskQueueType.TASK_QUEUE_TYPE_ACTIVITY,
    reportConfig: true,
  });
  expect(described.config?.fairnessKeysRateLimitDefault?.rateLimit?.requestsPerSecond).toBe(1);
});

/** The priority each takedown's DeleteStream task was scheduled with. */
async function deleteStreamPriority(handle: Awaited<ReturnType<Stack['start']>>) {
  const { events } = await handle.fetchHistory();
  const scheduled = events?.find((e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'zegoDeleteStream');
  const { fairnessKey, fairnessWeight } = scheduled?.activityTaskScheduledEventAttributes?.priority ?? {};
  return { fairnessKey, fairnessWeight };
}

test("a burst in one app and a takedown in another go out under their apps' fairness keys, the burst under ZEGO's limit", async () => {
  const burst = seededRequests(DEMO_ZEGO_APP.appId, 40, 'burst');
  const [neighbour] = seededRequests(NEIGHBOUR_APP.appId, 1, 'neighbour');
  await stack.sandbox.control.seedZego({ appId: DEMO_ZEGO_APP.appId, rooms: burst.map((b) => b.room) });
  await stack.sandbox.control.seedZego({ appId: NEIGHBOUR_APP.appId, rooms: [neighbour!.room] });

  const burstHandles = await Promise.all(burst.map((b) => stack.start(b.request)));
  const neighbourHandle = await stack.start(neighbour!.request);
  const results = await Promise.all([...burstHandles, neighbourHandle].map((h) => h.result()));
  expect(results.map((r) => r.outcome)).toEqual([...burst, neighbour].map(() => TakedownOutcome.enforced));

  // Its workflow tasks, too, wait under its app's key, not behind the burst's.
  const [started] = (await neighbourHandle.fetchHistory()).events ?? [];
  expect(started?.workflowExecutionStartedEventAttributes?.priority?.fairnessKey).toBe(`zego/${NEIGHBOUR_APP.appId}`);
  // Weight × the queue's per-key rate of 1/s: each app's tasks are dispatched at 1.5 × its paced
  // rate (10/s × the default headroom 0.9), whatever the other app has waiting.
  const weight = SHARED_DISPATCH_MARGIN * 9;
  const burstPriorities = await Promise.all(burstHandles.map(deleteStreamPriority));
  expect(burstPriorities).toEqual(burst.map(() => ({ fairnessKey: String(DEMO_ZEGO_APP.appId), fairnessWeight: weight })));
  expect(await deleteStreamPriority(neighbourHandle)).toEqual({ fairnessKey: String(NEIGHBOUR_APP.appId), fairnessWeight: weight });

  const deletes = await stack.sandbox.control.requests({ provider: 'zego', operation: 'DeleteStream' });
  const burstRooms = new Set(burst.map((b) => b.room.roomId));
  const burstDeletes = deletes.filter((r) => burstRooms.has(r.params.roomId ?? ''));
  expect(burstDeletes.filter((r) => r.code !== 0)).toEqual([]);
  expect(burstDeletes).toHaveLength(burst.length);
  expect(maxArrivalsInAnyWindow(burstDeletes.map((r) => r.at))).toBeLessThanOrEqual(10);
  expect(deletes.find((r) => r.params.roomId === neighbour!.room.roomId)?.code).toBe(0);
});
