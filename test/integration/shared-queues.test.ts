/**
 * The shared queue layout (`TAKEDOWN_QUEUE_LAYOUT=shared`) against the dev server with task queue
 * fairness on: two ZEGO apps share one DeleteStream queue, each under its own fairness key. A
 * burst in one app stays under ZEGO's 10/s and does not hold back a takedown in the other.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { temporal } from '@temporalio/proto';
import { DEMO_ZEGO_APP, maxArrivalsInAnyWindow } from '../../src/sandbox';
import { TakedownOutcome } from '../../src/workflows/types';
import { sharedQueueName } from '../../src/takedown-worker/routes';
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
    // Few slots, as on a fleet under a raid: tasks dispatched faster than their pacer releases
    // them would hold every slot, and the neighbour's task would wait for one.
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

test("a burst in one app stays under ZEGO's limit and a takedown in another app is not queued behind it", async () => {
  const burst = seededRequests(DEMO_ZEGO_APP.appId, 80, 'burst');
  const [neighbour] = seededRequests(NEIGHBOUR_APP.appId, 1, 'neighbour');
  await stack.sandbox.control.seedZego({ appId: DEMO_ZEGO_APP.appId, rooms: burst.map((b) => b.room) });
  await stack.sandbox.control.seedZego({ appId: NEIGHBOUR_APP.appId, rooms: [neighbour!.room] });

  const burstHandles = await Promise.all(burst.map((b) => stack.start(b.request)));
  const neighbourStartedAt = Date.now();
  const neighbourHandle = await stack.start(neighbour!.request);
  // Its workflow tasks, too, wait under its app's key, not behind the burst's.
  const [started] = (await neighbourHandle.fetchHistory()).events ?? [];
  expect(started?.workflowExecutionStartedEventAttributes?.priority?.fairnessKey).toBe(`zego/${NEIGHBOUR_APP.appId}`);
  const results = await Promise.all([...burstHandles, neighbourHandle].map((h) => h.result()));
  expect(results.map((r) => r.outcome)).toEqual([...burst, neighbour].map(() => TakedownOutcome.enforced));

  const deletes = await stack.sandbox.control.requests({ provider: 'zego', operation: 'DeleteStream' });
  const burstRooms = new Set(burst.map((b) => b.room.roomId));
  const burstDeletes = deletes.filter((r) => burstRooms.has(r.params.roomId ?? ''));
  expect(burstDeletes.filter((r) => r.code !== 0)).toEqual([]);
  expect(burstDeletes).toHaveLength(burst.length);
  expect(maxArrivalsInAnyWindow(burstDeletes.map((r) => r.at))).toBeLessThanOrEqual(10);
  // 80 deletes at 9/s take about 9 s. The neighbour's, started after all of them, arrives before
  // most of those still waiting when it started: the server dispatches its app's key beside the
  // burst's. (On a server without fairness it came after all but about 10: FIFO behind the burst.)
  const neighbourDelete = deletes.find((r) => r.params.roomId === neighbour!.room.roomId)!;
  expect(neighbourDelete.code).toBe(0);
  const waitingAtItsStart = burstDeletes.filter((r) => r.at > neighbourStartedAt).length;
  const burstAfterNeighbour = burstDeletes.filter((r) => r.at > neighbourDelete.at).length;
  expect(burstAfterNeighbour).toBeGreaterThan(waitingAtItsStart / 2);
});
