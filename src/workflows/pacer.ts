/**
 * The provider pacer: one workflow per rate-limited activity queue that hands out call slots, so
 * provider calls from every worker process arrive evenly spaced.
 *
 * Temporal's task-queue rate limit is a token bucket that starts full: after a quiet spell it
 * dispatches up to a second's worth of tasks at once, and the provider sees up to twice its limit
 * inside one second. The queue limit still keeps the backlog in Temporal; the pacer removes the
 * burst. Workflow time is the server's time of the workflow task, so slots from every worker share
 * one clock.
 */
import {
  allHandlersFinished,
  condition,
  continueAsNew,
  defineUpdate,
  setCurrentDetails,
  setHandler,
  workflowInfo,
} from '@temporalio/workflow';

/** Workflow type of the pacer. */
export const PROVIDER_PACER_WORKFLOW_TYPE = 'providerPacer';

const PACER_ID_PREFIX = 'provider-pacer:';

/** What a worker asks for: `count` slots spaced `intervalMs` apart. */
export interface SlotRequest {
  count: number;
  intervalMs: number;
  /**
   * No slot earlier than this long after the pacer's clock: the time a grant takes to reach the
   * worker, so that the worker is not handed a slot that has already passed. Default 0.
   */
  leadMs?: number;
}

/** Slots granted: `firstSlotMs + i × intervalMs` (epoch ms) for `i` below the requested count. */
export interface SlotGrant {
  firstSlotMs: number;
  intervalMs: number;
}

/** A provider throttling answer: no slot before `untilMs` (epoch ms), for any worker. */
export interface HoldOff {
  untilMs: number;
}

/** Carried across continue-as-new. */
export interface PacerState {
  /** The earliest time the next slot may be granted (epoch ms). */
  nextSlotMs?: number;
  /**
   * Grants per run before continuing as new, keeping each run's history short.
   * @default {@link GRANTS_PER_RUN}
   */
  grantsPerRun?: number;
}

/** `reserveSlots`: the update every provider call goes through before it is sent. */
export const reserveSlotsUpdate = defineUpdate<SlotGrant, [SlotRequest]>('reserveSlots');
/** `holdOff`: sent after the provider answered "too many requests", so every worker waits, not only the one throttled. */
export const holdOffUpdate = defineUpdate<void, [HoldOff]>('holdOff');

/**
 * Default grants per run. A grant adds at most five events, so a run stays far below Temporal's
 * history limits; each continue-as-new holds reservations back for up to ~2 s on the dev server,
 * so runs should not be much shorter either.
 */
export const GRANTS_PER_RUN = 1_000;
/** A pacer with no request for this long completes; the next request starts a new run. */
export const PACER_IDLE_TIMEOUT = '5 minutes';
/** Upper bounds on one request, so a bad caller cannot push every other caller's slots out of reach. */
export const MAX_SLOTS_PER_REQUEST = 1_000;
export const MAX_SLOT_INTERVAL_MS = 60_000;
export const MAX_HOLD_OFF_MS = 60_000;
export const MAX_LEAD_MS = 10_000;

export function validateSlotRequest(request: SlotRequest): void {
  const { count, intervalMs } = request ?? {};
  if (!Number.isInteger(count) || count < 1 || count > MAX_SLOTS_PER_REQUEST) {
    throw new RangeError(`count must be an integer from 1 to ${MAX_SLOTS_PER_REQUEST}, got ${JSON.stringify(count)}`);
  }
  if (typeof intervalMs !== 'number' || !(intervalMs > 0) || intervalMs > MAX_SLOT_INTERVAL_MS) {
    throw new RangeError(`intervalMs must be above 0 and at most ${MAX_SLOT_INTERVAL_MS}, got ${JSON.stringify(intervalMs)}`);
  }
  const { leadMs } = request;
  if (leadMs !== undefined && (typeof leadMs !== 'number' || !(leadMs >= 0) || leadMs > MAX_LEAD_MS)) {
    throw new RangeError(`leadMs must be from 0 to ${MAX_LEAD_MS}, got ${JSON.stringify(leadMs)}`);
  }
}

export function validateHoldOff(holdOff: HoldOff): void {
  const { untilMs } = holdOff ?? {};
  if (typeof untilMs !== 'number' || !Number.isFinite(untilMs) || untilMs > Date.now() + MAX_HOLD_OFF_MS) {
    throw new RangeError(`untilMs must be a time at most ${MAX_HOLD_OFF_MS} ms from now, got ${JSON.stringify(untilMs)}`);
  }
}

export async function providerPacer(state: PacerState = {}): Promise<void> {
  let nextSlotMs = state.nextSlotMs ?? 0;
  const grantsPerRun = state.grantsPerRun ?? GRANTS_PER_RUN;
  let grants = 0;

  setHandler(
    reserveSlotsUpdate,
    ({ count, intervalMs, leadMs = 0 }) => {
      const firstSlotMs = Math.max(Date.now() + leadMs, nextSlotMs);
      nextSlotMs = firstSlotMs + count * intervalMs;
      grants += 1;
      return { firstSlotMs, intervalMs };
    },
    { validator: validateSlotRequest },
  );
  setHandler(
    holdOffUpdate,
    ({ untilMs }) => {
      nextSlotMs = Math.max(nextSlotMs, untilMs);
    },
    { validator: validateHoldOff },
  );
  setCurrentDetails(`Hands out provider call slots for task queue \`${workflowInfo().workflowId.slice(PACER_ID_PREFIX.length)}\`.`);

  for (;;) {
    const grantsBefore = grants;
    const full = await condition(() => grants >= grantsPerRun || workflowInfo().continueAsNewSuggested, PACER_IDLE_TIMEOUT);
    if (full) {
      await condition(allHandlersFinished);
      await continueAsNew<typeof providerPacer>({ nextSlotMs, grantsPerRun });
    }
    if (grants === grantsBefore) return;
  }
}

/** One pacer per rate-limited activity queue; the queue name holds no credentials. */
export function pacerWorkflowId(activityQueue: string): string {
  return `${PACER_ID_PREFIX}${activityQueue}`;
}
