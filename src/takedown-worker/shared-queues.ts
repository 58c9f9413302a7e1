/**
 * Sets the per-key rate on the shared activity queues (`TAKEDOWN_QUEUE_LAYOUT=shared`) before the
 * workers poll them. The rate is task queue configuration on the server, not a worker option:
 * every worker sets the same value, so the last one to start changes nothing.
 */
import type { Client } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { SHARED_QUEUE_KEY_RATE, type ActivityQueue } from './routes';

/** Why the shared queues could not be configured; the worker does not start. */
export class SharedQueueConfigError extends Error {
  readonly code = 'TAKEDOWN_SHARED_QUEUE_CONFIG';
  override name = 'SharedQueueConfigError';
}

export async function configureSharedQueues(client: Client, queues: readonly ActivityQueue[]): Promise<void> {
  const names = [...new Set(queues.filter((q) => q.fairnessKey !== undefined).map((q) => q.name))];
  for (const taskQueue of names) {
    try {
      await client.workflowService.updateTaskQueueConfig({
        namespace: client.options.namespace,
        identity: client.options.identity,
        taskQueue,
        taskQueueType: temporal.api.enums.v1.TaskQueueType.TASK_QUEUE_TYPE_ACTIVITY,
        updateFairnessKeyRateLimitDefault: {
          rateLimit: { requestsPerSecond: SHARED_QUEUE_KEY_RATE },
          reason: 'takedown: each app is dispatched at its provider rate (its tasks carry that rate as their fairness weight)',
        },
      });
    } catch (err) {
      throw new SharedQueueConfigError(
        `could not set the per-app rate on shared queue ${taskQueue} (TAKEDOWN_QUEUE_LAYOUT=shared needs a server with task queue fairness, matching.enableFairness): ${(err as Error)?.message ?? String(err)}`,
        { cause: err },
      );
    }
  }
}
