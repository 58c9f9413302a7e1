/**
 * Where a takedown's time goes inside Temporal: the event history of one finished takedown per
 * flow, reduced to the round trips it implies (workflow tasks and activity tasks) and the
 * server-side time between consecutive events.
 */
import type { Client } from '@temporalio/client';
import { temporal } from '@temporalio/proto';

const EventType = temporal.api.enums.v1.EventType;

export interface HistoryProfile {
  workflowId: string;
  events: number;
  workflowTasks: number;
  activityTasks: number;
  localActivityMarkers: number;
  /** Server time from WorkflowExecutionStarted to WorkflowExecutionCompleted, ms. */
  serverMs: number;
  /** Each event with its offset from the start, ms (the shape of one takedown). */
  timeline: { event: string; atMs: number }[];
}

function millis(ts: temporal.api.history.v1.IHistoryEvent['eventTime']): number {
  return Number(ts?.seconds ?? 0) * 1000 + (ts?.nanos ?? 0) / 1e6;
}

/** Reads one workflow's history and counts its tasks. */
export async function profileHistory(client: Client, workflowId: string): Promise<HistoryProfile> {
  const history = await client.workflow.getHandle(workflowId).fetchHistory();
  const events = history.events ?? [];
  const t0 = millis(events[0]?.eventTime);
  const type = (e: (typeof events)[number]) => EventType[e.eventType ?? 0] ?? String(e.eventType);
  const count = (name: string) => events.filter((e) => type(e) === name).length;
  return {
    workflowId,
    events: events.length,
    workflowTasks: count('EVENT_TYPE_WORKFLOW_TASK_COMPLETED'),
    activityTasks: count('EVENT_TYPE_ACTIVITY_TASK_SCHEDULED'),
    localActivityMarkers: count('EVENT_TYPE_MARKER_RECORDED'),
    serverMs: millis(events[events.length - 1]?.eventTime) - t0,
    timeline: events.map((e) => ({ event: type(e).replace('EVENT_TYPE_', ''), atMs: Math.round((millis(e.eventTime) - t0) * 10) / 10 })),
  };
}

/** Mean time per takedown spent in each kind of wait, from many histories (ms). */
export interface HistoryBreakdown {
  takedowns: number;
  /** WorkflowExecutionStarted → WorkflowExecutionCompleted (server clock). */
  totalMs: number;
  /** Workflow tasks: scheduled → started (matching hands the task to a poller). */
  workflowTaskDispatchMs: number;
  /** Workflow tasks: started → completed (the worker runs workflow code, incl. the local activity). */
  workflowTaskRunMs: number;
  /** Activity tasks: scheduled → started. */
  activityDispatchMs: number;
  /** Activity tasks: started → completed (the worker runs the activity, incl. the provider call). */
  activityRunMs: number;
  /** Everything else: completed → next scheduled, persistence between tasks. */
  otherMs: number;
}

/** Averages where the server-side time of each takedown went. */
export async function breakdownHistories(client: Client, workflowIds: readonly string[]): Promise<HistoryBreakdown> {
  const sums = { totalMs: 0, workflowTaskDispatchMs: 0, workflowTaskRunMs: 0, activityDispatchMs: 0, activityRunMs: 0 };
  for (const id of workflowIds) {
    const events = (await client.workflow.getHandle(id).fetchHistory()).events ?? [];
    const at = (i: number) => millis(events[i]?.eventTime);
    const byId = new Map(events.map((e, i) => [Number(e.eventId), i]));
    sums.totalMs += at(events.length - 1) - at(0);
    events.forEach((e, i) => {
      const type = EventType[e.eventType ?? 0];
      const from = (eventId: unknown) => at(byId.get(Number(eventId)) ?? i);
      if (type === 'EVENT_TYPE_WORKFLOW_TASK_STARTED') sums.workflowTaskDispatchMs += at(i) - from(e.workflowTaskStartedEventAttributes?.scheduledEventId);
      if (type === 'EVENT_TYPE_WORKFLOW_TASK_COMPLETED') sums.workflowTaskRunMs += at(i) - from(e.workflowTaskCompletedEventAttributes?.startedEventId);
      if (type === 'EVENT_TYPE_ACTIVITY_TASK_STARTED') sums.activityDispatchMs += at(i) - from(e.activityTaskStartedEventAttributes?.scheduledEventId);
      if (type === 'EVENT_TYPE_ACTIVITY_TASK_COMPLETED') sums.activityRunMs += at(i) - from(e.activityTaskCompletedEventAttributes?.startedEventId);
    });
  }
  const n = workflowIds.length || 1;
  const mean = Object.fromEntries(Object.entries(sums).map(([k, v]) => [k, v / n])) as typeof sums;
  const accounted = mean.workflowTaskDispatchMs + mean.workflowTaskRunMs + mean.activityDispatchMs + mean.activityRunMs;
  return { takedowns: workflowIds.length, ...mean, otherMs: mean.totalMs - accounted };
}
