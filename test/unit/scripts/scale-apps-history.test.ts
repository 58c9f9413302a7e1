import { temporal } from '@temporalio/proto';
import { historyWaits } from '../../../scripts/scale-apps/history';

const { EventType } = temporal.api.enums.v1;
type Event = Record<string, unknown>;

/** An event as plain JSON; `History.fromObject` turns ids and times into the protobuf's own types. */
const at = (eventId: number, ms: number, event: Event): Event => ({ eventId, eventTime: { seconds: Math.floor(ms / 1000), nanos: (ms % 1000) * 1e6 }, ...event });

describe('scale-apps history waits', () => {
  test('schedule-to-start of workflow tasks and activities, run time of finished activities, and what still waits', () => {
    const queue = { name: 'q/zego/1/DeleteStream' };
    const events: Event[] = [
      at(1, 1000, { eventType: EventType.EVENT_TYPE_WORKFLOW_TASK_SCHEDULED, workflowTaskScheduledEventAttributes: { taskQueue: { name: 'q' } } }),
      at(2, 1300, { eventType: EventType.EVENT_TYPE_WORKFLOW_TASK_STARTED, workflowTaskStartedEventAttributes: { scheduledEventId: 1 } }),
      at(3, 1400, { eventType: EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED, activityTaskScheduledEventAttributes: { activityType: { name: 'zegoDeleteStream' }, taskQueue: queue } }),
      at(4, 6400, { eventType: EventType.EVENT_TYPE_ACTIVITY_TASK_STARTED, activityTaskStartedEventAttributes: { scheduledEventId: 3, attempt: 2 } }),
      at(5, 6500, { eventType: EventType.EVENT_TYPE_ACTIVITY_TASK_COMPLETED, activityTaskCompletedEventAttributes: { scheduledEventId: 3 } }),
      at(6, 6600, { eventType: EventType.EVENT_TYPE_WORKFLOW_TASK_SCHEDULED, workflowTaskScheduledEventAttributes: { taskQueue: { name: 'q' } } }),
      at(7, 6700, { eventType: EventType.EVENT_TYPE_WORKFLOW_TASK_STARTED, workflowTaskStartedEventAttributes: { scheduledEventId: 6 } }),
      at(8, 6800, { eventType: EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED, activityTaskScheduledEventAttributes: { activityType: { name: 'zegoKickoutUser' }, taskQueue: { name: 'q/k' } } }),
    ];
    expect(historyWaits(temporal.api.history.v1.History.fromObject({ events }), 9800)).toEqual({
      workflowTasks: { count: 2, totalWaitMs: 400, maxWaitMs: 300 },
      activities: [{ type: 'zegoDeleteStream', taskQueue: queue.name, waitMs: 5000, runMs: 100, attempt: 2 }],
      notStarted: [{ type: 'zegoKickoutUser', taskQueue: 'q/k', waitingMs: 3000 }],
    });
  });
});
