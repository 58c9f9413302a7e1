/**
 * Workflow-task trouble after a raid cell, read from event histories: WorkflowTaskTimedOut (a
 * task no worker completed in time) and WorkflowTaskFailed, in the cell's takedowns and in the
 * pacer workflows of the raid queue.
 */
import type { Client } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { PROVIDER_PACER_WORKFLOW_TYPE } from '../src/workflows/pacer';
import { mapBounded } from '../harness/pool';

const { EventType, TimeoutType } = temporal.api.enums.v1;

/** WorkflowTaskTimedOut / WorkflowTaskFailed events in a set of histories. */
export interface WorkflowTaskTrouble {
  /** Histories read. */
  histories: number;
  timedOut: number;
  /**
   * Of those, the ones no worker picked up in time (schedule-to-start): only a sticky queue has
   * that timeout, 2 s here. The rest ran longer than the 10 s start-to-close. Absent in results
   * written before it was counted.
   */
  scheduleToStart?: number;
  failed: number;
}

/** Histories read at once after a cell: the server has just served the cell, this must not load it again. */
const HISTORY_READS_IN_FLIGHT = 8;

/** Counts workflow-task timeouts and failures in each history, only events in [from, to] when given (epoch ms). */
export async function workflowTaskTrouble(client: Client, runs: { workflowId: string; runId?: string }[], window?: { from: number; to: number }): Promise<WorkflowTaskTrouble> {
  const counts = await mapBounded(runs, HISTORY_READS_IN_FLIGHT, async ({ workflowId, runId }) => {
    const history = await client.workflow.getHandle(workflowId, runId).fetchHistory();
    const events = (history.events ?? []).filter((e) => {
      if (!window) return true;
      const at = Number(e.eventTime?.seconds ?? 0) * 1000 + (e.eventTime?.nanos ?? 0) / 1e6;
      return at >= window.from && at <= window.to;
    });
    const timedOut = events.filter((e) => e.eventType === EventType.EVENT_TYPE_WORKFLOW_TASK_TIMED_OUT);
    return {
      timedOut: timedOut.length,
      scheduleToStart: timedOut.filter((e) => e.workflowTaskTimedOutEventAttributes?.timeoutType === TimeoutType.TIMEOUT_TYPE_SCHEDULE_TO_START).length,
      failed: events.filter((e) => e.eventType === EventType.EVENT_TYPE_WORKFLOW_TASK_FAILED).length,
    };
  });
  const sum = (key: 'timedOut' | 'scheduleToStart' | 'failed') => counts.reduce((s, c) => s + c[key], 0);
  return { histories: runs.length, timedOut: sum('timedOut'), scheduleToStart: sum('scheduleToStart'), failed: sum('failed') };
}

/** The pacer runs of a task queue open at any time since `since` (epoch ms), or undefined when visibility cannot say. */
export async function pacerRuns(client: Client, taskQueue: string, since: number): Promise<{ workflowId: string; runId: string }[] | undefined> {
  try {
    const query = `WorkflowType = '${PROVIDER_PACER_WORKFLOW_TYPE}' AND TaskQueue = '${taskQueue}' AND (ExecutionStatus = 'Running' OR CloseTime >= '${new Date(since).toISOString()}')`;
    const runs: { workflowId: string; runId: string }[] = [];
    for await (const w of client.workflow.list({ query })) runs.push({ workflowId: w.workflowId, runId: w.runId });
    return runs;
  } catch {
    return undefined;
  }
}

/**
 * Where one takedown's time went, task by task in history order (ms): each task's wait for a
 * poller (scheduled → started) and its run (started → completed, for an activity its last attempt).
 */
export interface TaskTimings {
  workflowTaskWaitsMs: number[];
  /** By activity type; an activity retried is counted at its last attempt. */
  activityWaitsMs: Record<string, number>;
  workflowTaskRunsMs: number[];
  activityRunsMs: Record<string, number>;
}

function eventMs(e: temporal.api.history.v1.IHistoryEvent): number {
  return Number(e.eventTime?.seconds ?? 0) * 1000 + (e.eventTime?.nanos ?? 0) / 1e6;
}

/** The waits and runs of a history's workflow and activity tasks. */
export function taskTimings(events: readonly temporal.api.history.v1.IHistoryEvent[]): TaskTimings {
  const byId = new Map(events.map((e) => [Number(e.eventId), e]));
  const between = (from: number | Long | null | undefined, to: temporal.api.history.v1.IHistoryEvent) => {
    const earlier = byId.get(Number(from));
    return earlier ? Math.round(eventMs(to) - eventMs(earlier)) : undefined;
  };
  const timings: TaskTimings = { workflowTaskWaitsMs: [], activityWaitsMs: {}, workflowTaskRunsMs: [], activityRunsMs: {} };
  const activityType = (scheduledId: number | Long | null | undefined) =>
    byId.get(Number(scheduledId))?.activityTaskScheduledEventAttributes?.activityType?.name ?? undefined;
  for (const e of events) {
    const wait = between(e.workflowTaskStartedEventAttributes?.scheduledEventId, e);
    if (e.workflowTaskStartedEventAttributes && wait !== undefined) timings.workflowTaskWaitsMs.push(wait);
    const run = between(e.workflowTaskCompletedEventAttributes?.startedEventId, e);
    if (e.workflowTaskCompletedEventAttributes && run !== undefined) timings.workflowTaskRunsMs.push(run);
    const started = e.activityTaskStartedEventAttributes;
    const startedType = activityType(started?.scheduledEventId);
    if (started && startedType) timings.activityWaitsMs[startedType] = between(started.scheduledEventId, e) ?? NaN;
    const completed = e.activityTaskCompletedEventAttributes;
    const completedType = activityType(completed?.scheduledEventId);
    if (completed && completedType) timings.activityRunsMs[completedType] = between(completed.startedEventId, e) ?? NaN;
  }
  return timings;
}
