/**
 * The worker's side of the provider pacer (`src/workflows/pacer.ts`): before a provider call, wait
 * for a slot from the queue's pacer workflow. Concurrent waits on one queue in this process share
 * one reservation, so the pacer sees one update per round trip, not one per call; while this
 * process holds a lease on the queue, its calls take slots without asking.
 */
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { WithStartWorkflowOperation, type Client } from '@temporalio/client';
import {
  MAX_LEAD_MS,
  MAX_SLOTS_PER_REQUEST,
  PROVIDER_PACER_WORKFLOW_TYPE,
  holdOffUpdate,
  pacerWorkflowId,
  reserveSlotsUpdate,
  type HoldOff,
  type SlotGrant,
  type SlotRequest,
} from '../workflows/pacer';

/** The pacer workflows' two updates, addressed by pace key (a bucket of one app, `routes.ts`). */
export interface PacerWorkflows {
  reserve(paceKey: string, request: SlotRequest): Promise<SlotGrant>;
  holdOff(paceKey: string, holdOff: HoldOff): Promise<void>;
}

/** Reservations one call may make before giving up, when every slot it got had already passed. */
export const MAX_RESERVATIONS_PER_CALL = 5;

/** Why a call could not get a slot; no provider request was sent. */
export class PacerError extends Error {
  readonly code = 'TAKEDOWN_PACER_UNAVAILABLE';
  override name = 'PacerError';
}

export interface ProviderCallPacerOptions {
  workflows: PacerWorkflows;
  /** Slot spacing for each pace key; calls under other keys are not paced. */
  intervalsMs: ReadonlyMap<string, number>;
  /**
   * A slot reached later than this is not used: a late call would bunch up with the calls in the
   * next slots. Derived from the rate headroom (see `maxSlotLatenessMs`).
   */
  maxLatenessMs: number;
  /**
   * This process's id at the pacers; not secret, shows in their update arguments.
   * @default a random UUID
   */
  holder?: string;
}

/** A lease this process holds on a queue: its own calls, `intervalMs` apart, up to `lastSlotMs`. */
interface Lease {
  lastSlotMs: number;
  /** The latest slot handed to a call of this process. */
  previousSlotMs: number;
}

/** How long a wait took and how many reservations it needed. */
export interface PacedCall {
  waitedMs: number;
  reservations: number;
  /** The slot the call was sent in (epoch ms); absent for a queue that is not paced. */
  slotMs?: number;
}

interface Waiter {
  resolve(slotMs: number): void;
  reject(err: unknown): void;
}

/**
 * The lateness a paced queue can absorb. Slots `1000 / (limit × headroom)` ms apart put at most
 * `limit` calls in any second even when each call is up to `1000 × (1 / headroom − 1)` ms late;
 * a fifth of that is left for the network between worker and provider.
 */
export function maxSlotLatenessMs(headroom: number): number {
  return 800 * (1 / headroom - 1);
}

export class ProviderCallPacer {
  private readonly waiting = new Map<string, Waiter[]>();
  private readonly reserving = new Set<string>();
  /** Per queue: how far ahead of its clock the pacer should grant, learned from late grants. */
  private readonly leadsMs = new Map<string, number>();
  private readonly leases = new Map<string, Lease>();
  private readonly holder: string;

  constructor(private readonly options: ProviderCallPacerOptions) {
    this.holder = options.holder ?? randomUUID();
  }

  /** Resolves when this call may be sent; rejects with `PacerError`, or the signal's reason when aborted. */
  async awaitSlot(paceKey: string, signal?: AbortSignal): Promise<PacedCall> {
    const intervalMs = this.options.intervalsMs.get(paceKey);
    const started = Date.now();
    if (intervalMs === undefined) return { waitedMs: 0, reservations: 0 };
    for (let reservations = 1; reservations <= MAX_RESERVATIONS_PER_CALL; reservations++) {
      const slotMs = await this.nextSlot(paceKey, intervalMs, signal);
      // A timer may fire a millisecond before the wall clock reaches the slot: sleep until it has.
      for (let untilSlot = slotMs - Date.now(); untilSlot > 0; untilSlot = slotMs - Date.now()) {
        await sleep(untilSlot, undefined, { signal }).catch((err: unknown) => Promise.reject(signal?.aborted ? signal.reason : err));
      }
      // Checked after the sleep: a timer that fires late on a busy process makes the slot late too.
      if (Date.now() - slotMs <= this.options.maxLatenessMs) return { waitedMs: Date.now() - started, reservations, slotMs };
    }
    throw new PacerError(`no provider call slot on ${paceKey}: ${MAX_RESERVATIONS_PER_CALL} slots in a row had passed by more than ${Math.round(this.options.maxLatenessMs)} ms when granted`);
  }

  /** After a throttling answer: no worker gets a slot on the queue before `untilMs`. */
  async holdOff(paceKey: string, untilMs: number): Promise<void> {
    if (!this.options.intervalsMs.has(paceKey)) return;
    this.leases.delete(paceKey);
    await this.options.workflows.holdOff(paceKey, { untilMs });
  }

  private nextSlot(paceKey: string, intervalMs: number, signal?: AbortSignal): Promise<number> {
    signal?.throwIfAborted();
    return new Promise<number>((resolve, reject) => {
      const onAbort = () => reject(signal?.reason);
      signal?.addEventListener('abort', onAbort, { once: true });
      const settled = () => signal?.removeEventListener('abort', onAbort);
      const queue = this.waiting.get(paceKey) ?? [];
      queue.push({
        resolve: (slotMs) => (settled(), resolve(slotMs)),
        reject: (err) => (settled(), reject(err)),
      });
      this.waiting.set(paceKey, queue);
      this.pump(paceKey, intervalMs);
    });
  }

  /**
   * Serves the queue's waiters from this process's lease while it lasts, then sends one
   * reservation for everyone still waiting, unless one is already on its way.
   */
  private pump(paceKey: string, intervalMs: number): void {
    const queue = this.waiting.get(paceKey);
    if (!queue) return;
    while (queue.length) {
      const slotMs = this.leasedSlot(paceKey, intervalMs);
      if (slotMs === undefined) break;
      queue.shift()!.resolve(slotMs);
    }
    if (!queue.length || this.reserving.has(paceKey)) return;
    const batch = queue.splice(0, MAX_SLOTS_PER_REQUEST);
    this.reserving.add(paceKey);
    const leadMs = this.leadsMs.get(paceKey) ?? 0;
    void this.options.workflows
      .reserve(paceKey, { count: batch.length, intervalMs, holder: this.holder, ...(leadMs > 0 ? { leadMs: Math.round(leadMs) } : {}) })
      .then(
        (grant) => {
          this.learnLead(paceKey, leadMs, Date.now() - grant.firstSlotMs);
          batch.forEach((w, i) => w.resolve(grant.firstSlotMs + i * grant.intervalMs));
          if (grant.leaseUntilMs !== undefined) {
            this.leases.set(paceKey, { lastSlotMs: grant.leaseUntilMs - grant.intervalMs, previousSlotMs: grant.firstSlotMs + (batch.length - 1) * grant.intervalMs });
          }
        },
        (err: unknown) => {
          const reason = new PacerError(`could not reserve a provider call slot on ${paceKey}: ${(err as Error)?.message ?? String(err)}`, { cause: err });
          for (const w of batch) w.reject(reason);
        },
      )
      .finally(() => {
        this.reserving.delete(paceKey);
        this.pump(paceKey, intervalMs);
      });
  }

  /** The next slot of this process's lease on the queue: `intervalMs` after the previous one, never in the past. */
  private leasedSlot(paceKey: string, intervalMs: number): number | undefined {
    const lease = this.leases.get(paceKey);
    if (!lease) return undefined;
    const slotMs = Math.max(Date.now(), lease.previousSlotMs + intervalMs);
    if (slotMs > lease.lastSlotMs) {
      this.leases.delete(paceKey);
      return undefined;
    }
    lease.previousSlotMs = slotMs;
    return slotMs;
  }

  /**
   * A grant reaches the worker some time after the pacer's clock read it (the update's way back,
   * longer on a busy server). When the first slot arrives more than half the tolerated lateness
   * after it passed, later requests ask for slots that much further ahead (plus a fifth); otherwise
   * the lead shrinks, so an idle pacer adds no wait.
   */
  private learnLead(paceKey: string, leadMs: number, latenessMs: number): void {
    const next = latenessMs > this.options.maxLatenessMs / 2 ? Math.min(MAX_LEAD_MS, (leadMs + latenessMs) * 1.2) : leadMs * 0.9;
    if (next < 1) this.leadsMs.delete(paceKey);
    else this.leadsMs.set(paceKey, next);
  }
}

/** The pacer workflows over a Temporal client; an update starts the queue's pacer on `taskQueue` if no run is open. */
export function temporalPacerWorkflows(client: Client, taskQueue: string): PacerWorkflows {
  const withStart = (paceKey: string) =>
    new WithStartWorkflowOperation(PROVIDER_PACER_WORKFLOW_TYPE, {
      workflowId: pacerWorkflowId(paceKey),
      taskQueue,
      workflowIdConflictPolicy: 'USE_EXISTING',
      args: [{}],
      staticSummary: `Paces provider calls on ${paceKey}`,
    });
  return {
    reserve: (paceKey, request) =>
      client.workflow.executeUpdateWithStart(reserveSlotsUpdate, { args: [request], startWorkflowOperation: withStart(paceKey) }),
    holdOff: (paceKey, holdOff) =>
      client.workflow.executeUpdateWithStart(holdOffUpdate, { args: [holdOff], startWorkflowOperation: withStart(paceKey) }),
  };
}
