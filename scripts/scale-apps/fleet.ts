/**
 * A fleet of N configured ZEGO apps for one worker process, and the task queues and pollers that
 * configuration implies, computed with the worker's own routing functions so the figures follow
 * any change to them.
 */
import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import type { WorkerConfig } from '../../src/takedown-worker/config';
import { MAIN_ACTIVITY_POLLERS, PACER_WORKFLOW_POLLERS, activityQueues, polledQueues } from '../../src/takedown-worker/routes';

/** One generated ZEGO app. */
export interface FleetApp {
  appId: number;
  serverSecret: string;
}

/** Far from the demo and benchmark AppIds, so a generated app never collides with them. */
const FIRST_APP_ID = 1_700_000_000;

/** `count` apps with distinct AppIds and distinct 32-character ServerSecrets. */
export function fleetApps(count: number): FleetApp[] {
  return Array.from({ length: count }, (_, i) => {
    const appId = FIRST_APP_ID + i;
    return { appId, serverSecret: createHash('md5').update(`scale-apps/${appId}`).digest('hex') };
  });
}

/**
 * Writes the worker's config file: every app at its documented limits (no overrides), as a fleet
 * would configure them, since the limits decide the pollers per queue.
 */
export function writeFleetConfig(dir: string, apps: readonly FleetApp[]): string {
  const file = path.join(dir, 'takedown-config.json');
  writeFileSync(file, JSON.stringify({ zego: apps }));
  return file;
}

/**
 * Poll requests per worker the SDK keeps open when none is configured (`min(10, slots)` in
 * `@temporalio/worker` 1.24 `worker-options`): the workflow worker's workflow and activity pollers
 * are left at it.
 */
export const SDK_DEFAULT_POLLS = 10;

/** What one worker process polls, by the configuration. */
export interface ImpliedPollers {
  /** Rate-limited activity task queues (one activity worker each). */
  activityQueues: number;
  /** Σ pollers over those queues (`polledQueues`): what the worker asks the SDK for. */
  activityQueuePollers: number;
  /** Workflow queue (workflow pollers at the SDK default, activity pollers) and pacer queue (workflow pollers). */
  fixedPollers: number;
  total: number;
}

/** Pollers the configuration asks for, per `routes.ts` and the SDK defaults for the rest. */
export function impliedPollers(config: WorkerConfig): ImpliedPollers {
  const queues = polledQueues(activityQueues(config));
  const activityQueuePollers = queues.reduce((sum, q) => sum + q.pollers, 0);
  const fixedPollers = SDK_DEFAULT_POLLS + MAIN_ACTIVITY_POLLERS + PACER_WORKFLOW_POLLERS;
  return { activityQueues: queues.length, activityQueuePollers, fixedPollers, total: activityQueuePollers + fixedPollers };
}
