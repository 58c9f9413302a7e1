/**
 * Rate-limited activity task queues: one per provider app and rate-limit bucket, each dispatched by
 * the Temporal server at the provider's documented rate (times headroom) across every worker.
 */
import type { ProviderRoute } from '../workflows/types';
import { DOCUMENTED_RATE_LIMITS, type WorkerConfig } from './config';

export interface ActivityQueue {
  name: string;
  provider: 'zego' | 'agora';
  appId: string;
  bucket: string;
  /** Passed as `maxTaskQueueActivitiesPerSecond`. */
  ratePerSecond: number;
}

/** Agora accounts configured without App IDs serve any app through shared queues under this name. */
export const ANY_AGORA_APP = 'any';

export function activityQueueName(taskQueue: string, provider: 'zego' | 'agora', appId: string, bucket: string): string {
  return `${taskQueue}/${provider}/${appId}/${bucket}`;
}

/** Every rate-limited queue the configuration implies. */
export function activityQueues(config: WorkerConfig): ActivityQueue[] {
  const queues: ActivityQueue[] = [];
  const add = (provider: 'zego' | 'agora', appId: string, limits: Record<string, number>, overrides: Record<string, number>) => {
    for (const [bucket, documented] of Object.entries(limits)) {
      const limit = overrides[bucket] ?? documented;
      queues.push({ name: activityQueueName(config.taskQueue, provider, appId, bucket), provider, appId, bucket, ratePerSecond: limit * config.rateHeadroom });
    }
  };
  for (const app of config.zego.apps) {
    add('zego', String(app.appId), app.isTest ? DOCUMENTED_RATE_LIMITS.zegoTest : DOCUMENTED_RATE_LIMITS.zego, app.rateLimits);
  }
  for (const account of config.agora.accounts) {
    for (const appId of account.appIds.length ? account.appIds : [ANY_AGORA_APP]) {
      add('agora', appId, DOCUMENTED_RATE_LIMITS.agora, account.rateLimits);
    }
  }
  return queues;
}

/** The route for a target, or undefined when the configuration has no credentials for its app. */
export function routeFor(config: WorkerConfig, provider: 'zego' | 'agora', appId: string): ProviderRoute | undefined {
  let queueAppId: string | undefined;
  if (provider === 'zego') {
    queueAppId = config.zego.apps.some((a) => String(a.appId) === appId) ? appId : undefined;
  } else {
    const listed = config.agora.accounts.some((a) => a.appIds.includes(appId));
    queueAppId = listed ? appId : config.agora.accounts.some((a) => a.appIds.length === 0) ? ANY_AGORA_APP : undefined;
  }
  if (queueAppId === undefined) return undefined;
  const queues = Object.fromEntries(
    activityQueues(config)
      .filter((q) => q.provider === provider && q.appId === queueAppId)
      .map((q) => [q.bucket, q.name]),
  );
  return { queues, retry: config.retry };
}
