import type { Client } from '@temporalio/client';
import { SharedQueueConfigError, configureSharedQueues } from '../../src/takedown-worker/shared-queues';
import type { ActivityQueue } from '../../src/takedown-worker/routes';

const queue = (name: string, fairnessKey?: string): ActivityQueue => ({
  name, provider: 'zego', appId: fairnessKey ?? '1', bucket: 'DeleteStream', ratePerSecond: 9, paceKey: `${name}/${fairnessKey}`, ...(fairnessKey ? { fairnessKey } : {}),
});

function fakeClient(updateTaskQueueConfig: (request: unknown) => Promise<unknown>): Client {
  return { options: { namespace: 'ns', identity: 'me' }, workflowService: { updateTaskQueueConfig } } as unknown as Client;
}

test('sets the per-key rate once on each shared queue, and on no queue of its own', async () => {
  const requests: { taskQueue: string; updateFairnessKeyRateLimitDefault: { rateLimit: { requestsPerSecond: number } } }[] = [];
  await configureSharedQueues(fakeClient(async (r) => void requests.push(r as never)), [queue('tq/zego/DeleteStream', '1'), queue('tq/zego/DeleteStream', '2'), queue('tq/zego/1/StopMix')]);
  expect(requests.map((r) => [r.taskQueue, r.updateFairnessKeyRateLimitDefault.rateLimit.requestsPerSecond])).toEqual([['tq/zego/DeleteStream', 1]]);
});

test('stops the worker with an error naming the queue and what the layout needs', async () => {
  const err = await configureSharedQueues(fakeClient(async () => Promise.reject(new Error('permission denied'))), [queue('tq/zego/DeleteStream', '1')]).catch((e: unknown) => e);
  expect(err).toBeInstanceOf(SharedQueueConfigError);
  expect((err as Error).message).toBe(
    'could not set the per-app rate on shared queue tq/zego/DeleteStream (TAKEDOWN_QUEUE_LAYOUT=shared needs a server with task queue fairness, matching.enableFairness): permission denied',
  );
});
