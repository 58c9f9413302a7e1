/**
 * Rate-limited activity task queues. Every provider app and rate-limit bucket has its rate (the
 * provider's documented limit times headroom) and its pacer; where its tasks wait depends on the
 * layout: a task queue of its own (`per-app`), or a queue per provider and bucket shared by every
 * app, the app's tasks under a fairness key of their own (`shared`).
 */
import { createHash } from 'node:crypto';
import type { PaceKeyFor } from '../activities/steps';
import type { ProviderName } from '../providers/types';
import type { Bucket } from '../workflows/plan';
import type { ProviderRoute } from '../workflows/types';
import { DOCUMENTED_RATE_LIMITS, type AgoraAccountSettings, type WorkerConfig } from './config';

/** One app's (or Agora account's) rate-limit bucket, and where its provider calls wait. */
export interface ActivityQueue {
  /** The task queue its activities are scheduled on. */
  name: string;
  provider: ProviderName;
  appId: string;
  bucket: Bucket;
  /** The bucket's rate: its pacer's, and on a queue of its own the queue's `maxTaskQueueActivitiesPerSecond`. */
  ratePerSecond: number;
  /**
   * Names the bucket's pacer, the same in both layouts, so that workers of either layout running
   * side by side while a fleet changes layout share one pacer per bucket.
   */
  paceKey: string;
  /** The app's fairness key on a shared queue (at most 64 bytes, a server limit); absent on a queue of its own. */
  fairnessKey?: string;
}

/** A task queue the workers poll, and the rate the worker sets on it (none on a shared queue: its apps have theirs). */
export interface PolledQueue {
  name: string;
  ratePerSecond?: number;
  pollers: number;
}

/** The app segment of the shared queues through which an Agora account configured without App IDs serves any app. */
export const UNLISTED_AGORA_APPS = 'any';

/**
 * The workflow task queue of the provider pacers: their own, so a grant never waits behind the
 * workflow tasks of hundreds of takedowns started at once.
 */
export function pacerTaskQueueName(taskQueue: string): string {
  return `${taskQueue}/pacer`;
}

/**
 * Workflow pollers on the pacers' queue: one workflow task serves a whole batch of reservations,
 * and two is the least the SDK allows with a workflow cache.
 */
export const PACER_WORKFLOW_POLLERS = 2;

/** Activity pollers on the workflow queue, where only the ban steps of takedowns are scheduled. */
export const MAIN_ACTIVITY_POLLERS = 2;

/**
 * Partitions of a task queue on the Temporal server (`matching.numTaskqueueReadPartitions`,
 * default 4), each rate-limited at its share of the queue's rate: with fewer pollers than
 * partitions one process drained a burst more slowly (bench/analysis.md, raids).
 */
const TASK_QUEUE_PARTITIONS = 4;

/**
 * Pollers on a paced activity queue: one per partition, more for a fast queue, at most 10. Every
 * poll of every queue of every process counts against the namespace's concurrent poller limit
 * (`frontend.namespaceCount`, 1,200 per frontend by default), which the SDK's default of 10 per
 * queue reaches with a handful of processes (bench/analysis.md, raids).
 */
export function activityPollersFor(ratePerSecond: number): number {
  return Math.min(10, Math.max(TASK_QUEUE_PARTITIONS, Math.ceil(ratePerSecond / 10)));
}

export function activityQueueName(taskQueue: string, provider: ProviderName, appId: string, bucket: Bucket): string {
  return `${taskQueue}/${provider}/${appId}/${bucket}`;
}

/** The queue of a provider's bucket that every app shares in the `shared` layout. */
export function sharedQueueName(taskQueue: string, provider: ProviderName, bucket: Bucket): string {
  return `${taskQueue}/${provider}/${bucket}`;
}

/**
 * Per-key rate set on every shared queue. A task's fairness weight scales it to the rate its app's
 * tasks are dispatched at (`SHARED_DISPATCH_MARGIN` × the app's rate).
 */
export const SHARED_QUEUE_KEY_RATE = 1;

/**
 * A shared queue dispatches an app's tasks this much faster than the app's rate; its pacer spaces
 * the calls. The server splits a key's rate over the queue's partitions, and a partition left with
 * more of a burst's tasks than its share then drained at its share alone (bench/analysis.md).
 */
export const SHARED_DISPATCH_MARGIN = 1.5;

/** Every rate-limited queue the configuration implies. */
export function activityQueues(config: WorkerConfig): ActivityQueue[] {
  const queues: ActivityQueue[] = [];
  const add = (provider: ProviderName, appId: string, limits: Partial<Record<Bucket, number>>, overrides: Partial<Record<Bucket, number>>) => {
    for (const bucket of Object.keys(limits) as Bucket[]) {
      const limit = overrides[bucket] ?? limits[bucket]!;
      const paceKey = activityQueueName(config.taskQueue, provider, appId, bucket);
      const ratePerSecond = limit * config.rateHeadroom;
      queues.push(
        config.queueLayout === 'shared'
          ? { name: sharedQueueName(config.taskQueue, provider, bucket), provider, appId, bucket, ratePerSecond, paceKey, fairnessKey: appId }
          : { name: paceKey, provider, appId, bucket, ratePerSecond, paceKey },
      );
    }
  };
  for (const app of config.zego.apps) {
    add('zego', String(app.appId), app.isTest ? DOCUMENTED_RATE_LIMITS.zegoTest : DOCUMENTED_RATE_LIMITS.zego, app.rateLimits);
  }
  const { kickingRule, ...perApp } = DOCUMENTED_RATE_LIMITS.agora;
  for (const account of config.agora.accounts) {
    for (const appId of account.appIds.length ? account.appIds : [UNLISTED_AGORA_APPS]) {
      add('agora', appId, perApp, account.rateLimits);
    }
    add('agora', accountSegment(account), { kickingRule }, account.rateLimits);
  }
  return queues;
}

/** The queues to poll, each once. */
export function polledQueues(queues: readonly ActivityQueue[]): PolledQueue[] {
  const byName = new Map<string, { rate: number; shared: boolean }>();
  for (const q of queues) {
    const seen = byName.get(q.name);
    byName.set(q.name, { rate: (seen?.rate ?? 0) + q.ratePerSecond, shared: q.fairnessKey !== undefined });
  }
  // A shared queue's pollers stay at one per partition however many apps it serves: every process
  // polls every shared queue, and 24 processes at more than that passed the namespace's poller limit.
  return [...byName].map(([name, { rate, shared }]) => (shared ? { name, pollers: TASK_QUEUE_PARTITIONS } : { name, ratePerSecond: rate, pollers: activityPollersFor(rate) }));
}

/** Finds a call's pacer from where its activity task came from: its queue and fairness key. */
export function paceKeyResolver(queues: readonly ActivityQueue[]): PaceKeyFor {
  const keys = new Map(queues.map((q) => [`${q.name}\n${q.fairnessKey ?? ''}`, q.paceKey]));
  return (taskQueue, fairnessKey) => keys.get(`${taskQueue}\n${fairnessKey ?? ''}`) ?? taskQueue;
}

/**
 * Names an Agora account in its kicking-rule queue without its customer ID: a fingerprint, as
 * for stream keys (queue names show in the Web UI).
 */
export function accountSegment(account: AgoraAccountSettings): string {
  return `account-${createHash('sha256').update(account.customerId).digest('hex').slice(0, 12)}`;
}

/** The account serving an Agora app: the one listing it, else the one serving any app. */
function agoraAccountFor(config: WorkerConfig, appId: string): { account: AgoraAccountSettings; queueAppId: string } | undefined {
  const listed = config.agora.accounts.find((a) => a.appIds.includes(appId));
  if (listed) return { account: listed, queueAppId: appId };
  const any = config.agora.accounts.find((a) => a.appIds.length === 0);
  return any ? { account: any, queueAppId: UNLISTED_AGORA_APPS } : undefined;
}

/** The route for a target, or undefined when the configuration has no credentials for its app. */
export function routeFor(config: WorkerConfig, provider: ProviderName, appId: string): ProviderRoute | undefined {
  const segments = new Set<string>();
  let maxRuleSeconds: number;
  if (provider === 'zego') {
    if (!config.zego.apps.some((a) => String(a.appId) === appId)) return undefined;
    segments.add(appId);
    maxRuleSeconds = config.zego.maxRuleSeconds;
  } else {
    const served = agoraAccountFor(config, appId);
    if (!served) return undefined;
    segments.add(served.queueAppId).add(accountSegment(served.account));
    maxRuleSeconds = config.agora.maxRuleSeconds;
  }
  // Every bucket of the provider has a queue per app or account (activityQueues), so the record is complete.
  const served = activityQueues(config).filter((q) => q.provider === provider && segments.has(q.appId));
  const queues = Object.fromEntries(served.map((q) => [q.bucket, q.name])) as ProviderRoute['queues'];
  const fairness = Object.fromEntries(
    served.filter((q) => q.fairnessKey !== undefined).map((q) => [q.bucket, { key: q.fairnessKey!, weight: (q.ratePerSecond * SHARED_DISPATCH_MARGIN) / SHARED_QUEUE_KEY_RATE }]),
  );
  return { queues, ...(Object.keys(fairness).length ? { fairness } : {}), retry: config.retry, maxRuleSeconds } as ProviderRoute;
}
