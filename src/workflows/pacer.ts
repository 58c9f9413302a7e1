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
  /**
   * The asking process's id, the same for all its requests. A holder that is alone on the queue
   * (no other holder asked within {@link CONTENTION_MEMORY_MS}) is granted a lease. Default: none,
   * never leased.
   */
  holder?: string;
}

/**
 * Slots granted: `firstSlotMs + i × intervalMs` (epoch ms) for `i` below the requested count.
 * With `leaseUntilMs`, the holder alone may also send further calls, each `intervalMs` after its
 * previous one, until `leaseUntilMs − intervalMs`; no other slot is granted before `leaseUntilMs`.
 */
export interface SlotGrant {
  firstSlotMs: number;
  intervalMs: number;
  leaseUntilMs?: number;
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
/**
 * The length of a lease: a lone holder's calls need no reservation for this long, and a process that
 * starts calling on a leased queue waits at most this long for its first slot.
 */
export const LEASE_MS = 1_000;
/**
 * A holder is alone when no other one asked for this long. Several busy processes then share the
 * queue by reservations, instead of handing leases back and forth (each hand-over makes the other
 * process wait up to a lease).
 */
export const CONTENTION_MEMORY_MS = 10_000;
/** A pacer with no request for this long completes; the next request starts a new run. */
export const PACER_IDLE_TIMEOUT = '5 minutes';
/** Upper bounds on one request, so a bad caller cannot push every other caller's slots out of reach. */
export const MAX_SLOTS_PER_REQUEST = 1_000;
export const MAX_SLOT_INTERVAL_MS = 60_000;
export const MAX_HOLD_OFF_MS = 60_000;
export const MAX_LEAD_MS = 10_000;
export const MAX_HOLDER_LENGTH = 100;

export function validateSlotRequest(request: SlotRequest): void {
  const { count, intervalMs } = request ?? {};
  if (!Number.isInteger(count) || count < 1 || count > MAX_SLOTS_PER_REQUEST) {
    throw new RangeError(`count must be an integer from 1 to ${MAX_SLOTS_PER_REQUEST}, got ${JSON.stringify(count)}`);
  }
  if (typeof intervalMs !== 'number' || !(intervalMs > 0) || intervalMs > MAX_SLOT_INTERVAL_MS) {
    throw new RangeError(`intervalMs must be above 0 and at most ${MAX_SLOT_INTERVAL_MS}, got ${JSON.stringify(intervalMs)}`);
  }
  const { leadMs, holder } = request;
  if (holder !== undefined && (typeof holder !== 'string' || holder.length < 1 || holder.length > MAX_HOLDER_LENGTH)) {
    throw new RangeError(`holder must be a string of 1 to ${MAX_HOLDER_LENGTH} characters, got ${JSON.stringify(holder)}`);
  }
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

/**
 * The pacer's book: the next free slot, and who asked lately. Plain code, so the worker's unit
 * tests run the workflow's own rule.
 */
export class SlotBook {
  /** When each holder last asked; requests without a holder count as one more holder. */
  private readonly lastAskedMs = new Map<string, number>();

  constructor(public nextSlotMs = 0) {}

  /** Slots from the next free one (not before `nowMs + leadMs`); a lease when the holder is alone. */
  grant({ count, intervalMs, leadMs = 0, holder }: SlotRequest, nowMs: number): SlotGrant {
    for (const [other, at] of this.lastAskedMs) if (nowMs - at > CONTENTION_MEMORY_MS) this.lastAskedMs.delete(other);
    const alone = holder !== undefined && [...this.lastAskedMs.keys()].every((other) => other === holder);
    this.lastAskedMs.set(holder ?? '', nowMs);
    const firstSlotMs = Math.max(nowMs + leadMs, this.nextSlotMs);
    if (alone) {
      // The lease ends one interval after its last slot, so the next holder's first slot keeps the spacing.
      this.nextSlotMs = firstSlotMs + Math.max(LEASE_MS, (count + 1) * intervalMs);
      return { firstSlotMs, intervalMs, leaseUntilMs: this.nextSlotMs };
    }
    this.nextSlotMs = firstSlotMs + count * intervalMs;
    return { firstSlotMs, intervalMs };
  }

  holdOff({ untilMs }: HoldOff): void {
    this.nextSlotMs = Math.max(this.nextSlotMs, untilMs);
  }
}

export async function providerPacer(state: PacerState = {}): Promise<void> {
  const book = new SlotBook(state.nextSlotMs);
  const grantsPerRun = state.grantsPerRun ?? GRANTS_PER_RUN;
  let grants = 0;

  setHandler(
    reserveSlotsUpdate,
    (request) => {
      grants += 1;
      return book.grant(request, Date.now());
    },
    { validator: validateSlotRequest },
  );
  setHandler(holdOffUpdate, (holdOff) => book.holdOff(holdOff), { validator: validateHoldOff });
  setCurrentDetails(`Hands out provider call slots for task queue \`${workflowInfo().workflowId.slice(PACER_ID_PREFIX.length)}\`.`);

  for (;;) {
    const grantsBefore = grants;
    const full = await condition(() => grants >= grantsPerRun || workflowInfo().continueAsNewSuggested, PACER_IDLE_TIMEOUT);
    if (full) {
      await condition(allHandlersFinished);
      await continueAsNew<typeof providerPacer>({ nextSlotMs: book.nextSlotMs, grantsPerRun });
    }
    if (grants === grantsBefore) return;
  }
}

/** One pacer per pace key (an app's rate-limit bucket, `routes.ts`); the key holds no credentials. */
export function pacerWorkflowId(paceKey: string): string {
  return `${PACER_ID_PREFIX}${paceKey}`;
}
