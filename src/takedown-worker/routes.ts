/**
 * Rate-limited activity task queues: one per provider app and rate-limit bucket, each dispatched by
 * the Temporal server at the provider's documented rate (times headroom) across every worker.
 */
import type { ProviderName } from '../providers/types';
import type { Bucket } from '../workflows/plan';
import type { ProviderRoute } from '../workflows/types';
import { DOCUMENTED_RATE_LIMITS, type WorkerConfig } from './config';

export interface ActivityQueue {
  name: string;
  provider: ProviderName;
  appId: string;
  bucket: Bucket;
  /** Passed as `maxTaskQueueActivitiesPerSecond`. */
  ratePerSecond: number;
}

/** The app segment of the shared queues through which an Agora account configured without App IDs serves any app. */
export const UNLISTED_AGORA_APPS = 'any';

export function activityQueueName(taskQueue: string, provider: ProviderName, appId: string, bucket: Bucket): string {
  return `${taskQueue}/${provider}/${appId}/${bucket}`;
}

/** Every rate-limited queue the configuration implies. */
export function activityQueues(config: WorkerConfig): ActivityQueue[] {
  const queues: ActivityQueue[] = [];
  const add = <B extends Bucket>(provider: ProviderName, appId: string, limits: Record<B, number>, overrides: Partial<Record<B, number>>) => {
    for (const bucket of Object.keys(limits) as B[]) {
      const limit = overrides[bucket] ?? limits[bucket];
      queues.push({ name: activityQueueName(config.taskQueue, provider, appId, bucket), provider, appId, bucket, ratePerSecond: limit * config.rateHeadroom });
    }
  };
  for (const app of config.zego.apps) {
    add('zego', String(app.appId), app.isTest ? DOCUMENTED_RATE_LIMITS.zegoTest : DOCUMENTED_RATE_LIMITS.zego, app.rateLimits);
  }
  for (const account of config.agora.accounts) {
    for (const appId of account.appIds.length ? account.appIds : [UNLISTED_AGORA_APPS]) {
      add('agora', appId, DOCUMENTED_RATE_LIMITS.agora, account.rateLimits);
    }
  }
  return queues;
}

/** The route for a target, or undefined when the configuration has no credentials for its app. */
export function routeFor(config: WorkerConfig, provider: ProviderName, appId: string): ProviderRoute | undefined {
  let queueAppId: string | undefined;
  if (provider === 'zego') {
    queueAppId = config.zego.apps.some((a) => String(a.appId) === appId) ? appId : undefined;
  } else {
    const listed = config.agora.accounts.some((a) => a.appIds.includes(appId));
    queueAppId = listed ? appId : config.agora.accounts.some((a) => a.appIds.length === 0) ? UNLISTED_AGORA_APPS : undefined;
  }
  if (queueAppId === undefined) return undefined;
  // Every bucket of the provider has a queue per app (activityQueues), so the record is complete.
  const queues = Object.fromEntries(
    activityQueues(config)
      .filter((q) => q.provider === provider && q.appId === queueAppId)
      .map((q) => [q.bucket, q.name]),
  ) as ProviderRoute['queues'];
  return { queues, retry: config.retry } as ProviderRoute;
}
