/**
 * Where a takedown's time went, from its history: how long each workflow task and activity waited
 * between being scheduled and a poller taking it (what starved pollers show up as), and how long
 * each activity then ran (which includes its wait for a provider call slot from the pacer).
 */
import { tsToMs } from '@temporalio/common/lib/time';
import { temporal } from '@temporalio/proto';

const { EventType } = temporal.api.enums.v1;

/** Schedule-to-start of a takedown's workflow tasks. */
export interface WorkflowTaskWaits {
  count: number;
  totalWaitMs: number;
  maxWaitMs: number;
}

/** One activity attempt that a poller took. */
export interface ActivityWait {
  type: string;
  taskQueue: string;
  /**
   * From first scheduled to the start of the last attempt: the server records an activity's start
   * only once that attempt ends, so with `attempt` above 1 this includes the earlier attempts and
   * their retry backoff.
   */
  waitMs: number;
  /** Started to completed, failed or timed out; undefined while it runs. */
  runMs?: number;
  attempt: number;
}

/** The waits in one history; activities still waiting for a poller are listed with `waitingMs` so far. */
export interface HistoryWaits {
  workflowTasks: WorkflowTaskWaits;
  activities: ActivityWait[];
  /** Activities scheduled and not started when the history was read. */
  notStarted: { type: string; taskQueue: string; waitingMs: number }[];
}

/** Reads the waits out of a history; `now` (ms since epoch) ages what has not started yet. */
export function historyWaits(history: temporal.api.history.v1.IHistory, now: number): HistoryWaits {
  const scheduled = new Map<string, { at: number; type: string; taskQueue: string; workflowTask: boolean }>();
  const started = new Map<string, ActivityWait & { at: number }>();
  const workflowTasks: WorkflowTaskWaits = { count: 0, totalWaitMs: 0, maxWaitMs: 0 };
  for (const event of history.events ?? []) {
    const at = tsToMs(event.eventTime);
    const id = String(event.eventId);
    switch (event.eventType) {
      case EventType.EVENT_TYPE_WORKFLOW_TASK_SCHEDULED:
        scheduled.set(id, { at, type: 'workflow task', taskQueue: event.workflowTaskScheduledEventAttributes?.taskQueue?.name ?? '', workflowTask: true });
        break;
      case EventType.EVENT_TYPE_WORKFLOW_TASK_STARTED: {
        const key = String(event.workflowTaskStartedEventAttributes?.scheduledEventId);
        const from = scheduled.get(key);
        scheduled.delete(key);
        if (!from) break;
        workflowTasks.count++;
        workflowTasks.totalWaitMs += at - from.at;
        workflowTasks.maxWaitMs = Math.max(workflowTasks.maxWaitMs, at - from.at);
        break;
      }
      case EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED: {
        const attrs = event.activityTaskScheduledEventAttributes;
        scheduled.set(id, { at, type: attrs?.activityType?.name ?? '', taskQueue: attrs?.taskQueue?.name ?? '', workflowTask: false });
        break;
      }
      case EventType.EVENT_TYPE_ACTIVITY_TASK_STARTED: {
        const attrs = event.activityTaskStartedEventAttributes;
        const key = String(attrs?.scheduledEventId);
        const from = scheduled.get(key);
        scheduled.delete(key);
        if (from) started.set(key, { type: from.type, taskQueue: from.taskQueue, waitMs: at - from.at, attempt: attrs?.attempt ?? 1, at });
        break;
      }
      case EventType.EVENT_TYPE_ACTIVITY_TASK_COMPLETED:
      case EventType.EVENT_TYPE_ACTIVITY_TASK_FAILED:
      case EventType.EVENT_TYPE_ACTIVITY_TASK_TIMED_OUT: {
        const attrs = event.activityTaskCompletedEventAttributes ?? event.activityTaskFailedEventAttributes ?? event.activityTaskTimedOutEventAttributes;
        const run = started.get(String(attrs?.scheduledEventId));
        if (run) run.runMs = at - run.at;
        break;
      }
    }
  }
  return {
    workflowTasks,
    activities: [...started.values()].map(({ at: _at, ...wait }) => wait),
    notStarted: [...scheduled.values()].map((s) => ({ type: s.type, taskQueue: s.taskQueue, waitingMs: now - s.at })),
  };
}
