import { MAX_RESERVATIONS_PER_CALL, PacerError, ProviderCallPacer, maxSlotLatenessMs, type PacerWorkflows } from '../../src/takedown-worker/pacer';
import { CONTENTION_MEMORY_MS, LEASE_MS, SlotBook, type SlotRequest } from '../../src/workflows/pacer';

const QUEUE = 'takedown/zego/1/DeleteStream';
type SlotReserver = PacerWorkflows['reserve'];

/**
 * The pacer workflow's own rule (`SlotBook`), in memory. `contended`: another process asked a
 * moment ago, so no lease is granted.
 */
function inMemoryPacer({ contended = false } = {}) {
  const book = new SlotBook();
  if (contended) book.grant({ count: 1, intervalMs: 1 }, Date.now());
  const requests: SlotRequest[] = [];
  const reserve: SlotReserver = async (_queue, request) => {
    requests.push(request);
    return book.grant(request, Date.now());
  };
  return { reserve, requests };
}

function pacerWith(reserve: SlotReserver, intervalMs = 50, maxLatenessMs = 80, holdOff: PacerWorkflows['holdOff'] = async () => {}) {
  return new ProviderCallPacer({ workflows: { reserve, holdOff }, intervalsMs: new Map([[QUEUE, intervalMs]]), maxLatenessMs, holder: 'this-process' });
}

describe('ProviderCallPacer', () => {
  it('releases concurrent calls a slot interval apart, the first at once and the rest from one reservation', async () => {
    const { reserve, requests } = inMemoryPacer({ contended: true });
    const pacer = pacerWith(reserve, 50);
    const calls = await Promise.all(Array.from({ length: 5 }, () => pacer.awaitSlot(QUEUE).then((call) => ({ ...call, releasedMs: Date.now() }))));
    expect(requests).toEqual([{ count: 1, intervalMs: 50, holder: 'this-process' }, { count: 4, intervalMs: 50, holder: 'this-process' }]);
    const slots = calls.map((c) => c.slotMs!).sort((a, b) => a - b);
    expect(slots.slice(1).map((slot, i) => slot - slots[i]!)).toEqual([50, 50, 50, 50]);
    // No call goes before its slot (a busy process may release it later, never sooner).
    for (const call of calls) expect(call.releasedMs).toBeGreaterThanOrEqual(call.slotMs!);
  });

  it('batches the calls that arrive while a reservation is on its way', async () => {
    const { reserve, requests } = inMemoryPacer({ contended: true });
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    const slow: SlotReserver = async (queue, request) => {
      if (requests.length === 0) await held;
      return reserve(queue, request);
    };
    const pacer = pacerWith(slow, 1);
    const first = pacer.awaitSlot(QUEUE);
    const later = [pacer.awaitSlot(QUEUE), pacer.awaitSlot(QUEUE), pacer.awaitSlot(QUEUE)];
    release();
    await Promise.all([first, ...later]);
    expect(requests.map((r) => r.count)).toEqual([1, 3]);
  });

  it('does not pace a queue it has no interval for', async () => {
    const { reserve, requests } = inMemoryPacer();
    const result = await pacerWith(reserve).awaitSlot('takedown/other/queue');
    expect(result).toEqual({ waitedMs: 0, reservations: 0 });
    expect(requests).toEqual([]);
  });

  it('reserves again when a slot had passed by more than the lateness it may absorb', async () => {
    let calls = 0;
    const reserve: SlotReserver = async (_queue, { intervalMs }) => {
      calls += 1;
      return { firstSlotMs: calls === 1 ? Date.now() - 500 : Date.now() + 20, intervalMs };
    };
    const result = await pacerWith(reserve, 50, 80).awaitSlot(QUEUE);
    expect(result.reservations).toBe(2);
    expect(result.waitedMs).toBeGreaterThanOrEqual(15);
  });

  it('learns how long grants take to arrive and asks for slots that far ahead', async () => {
    // A busy server: the grant reaches the worker 150 ms after the pacer read its clock.
    let nextSlotMs = 0;
    const requests: SlotRequest[] = [];
    const slowReturn: SlotReserver = async (_queue, request) => {
      requests.push(request);
      const firstSlotMs = Math.max(Date.now() + (request.leadMs ?? 0), nextSlotMs);
      nextSlotMs = firstSlotMs + request.count * request.intervalMs;
      await new Promise((resolve) => setTimeout(resolve, 150));
      return { firstSlotMs, intervalMs: request.intervalMs };
    };
    const pacer = pacerWith(slowReturn, 10, 80);
    expect((await pacer.awaitSlot(QUEUE)).reservations).toBe(2);
    expect(requests[0]?.leadMs).toBeUndefined();
    expect(requests[1]?.leadMs).toBeGreaterThanOrEqual(150);
    // The next call asks with the learned lead at once, and its slot is still ahead when it arrives.
    expect((await pacer.awaitSlot(QUEUE)).reservations).toBe(1);
    expect(requests).toHaveLength(3);
  });

  it('uses a slot that passed by less than the lateness it may absorb', async () => {
    const reserve: SlotReserver = async (_queue, { intervalMs }) => ({ firstSlotMs: Date.now() - 30, intervalMs });
    expect((await pacerWith(reserve, 50, 80).awaitSlot(QUEUE)).reservations).toBe(1);
  });

  it('gives up after a run of late slots, naming the queue and sending nothing', async () => {
    const requests: SlotRequest[] = [];
    const reserve: SlotReserver = async (_queue, request) => {
      requests.push(request);
      return { firstSlotMs: Date.now() - 1_000, intervalMs: request.intervalMs };
    };
    const err = await pacerWith(reserve).awaitSlot(QUEUE).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PacerError);
    expect((err as PacerError).code).toBe('TAKEDOWN_PACER_UNAVAILABLE');
    expect((err as Error).message).toBe(
      `no provider call slot on ${QUEUE}: ${MAX_RESERVATIONS_PER_CALL} slots in a row had passed by more than 80 ms when granted`,
    );
    expect(requests).toHaveLength(MAX_RESERVATIONS_PER_CALL);
  });

  it('fails every waiting call when the reservation fails, and recovers on the next call', async () => {
    let fail = true;
    const { reserve } = inMemoryPacer();
    const flaky: SlotReserver = async (queue, request) => {
      if (fail) throw new Error('connection refused');
      return reserve(queue, request);
    };
    const pacer = pacerWith(flaky, 1);
    const results = await Promise.allSettled([pacer.awaitSlot(QUEUE), pacer.awaitSlot(QUEUE)]);
    for (const r of results) {
      expect(r.status).toBe('rejected');
      const reason = (r as PromiseRejectedResult).reason as PacerError;
      expect(reason).toBeInstanceOf(PacerError);
      expect(reason.message).toBe(`could not reserve a provider call slot on ${QUEUE}: connection refused`);
    }
    fail = false;
    await expect(pacer.awaitSlot(QUEUE)).resolves.toMatchObject({ reservations: 1 });
  });

  it('stops waiting when the call is cancelled', async () => {
    const reserve: SlotReserver = async (_queue, { intervalMs }) => ({ firstSlotMs: Date.now() + 60_000, intervalMs });
    const controller = new AbortController();
    const waiting = pacerWith(reserve).awaitSlot(QUEUE, controller.signal);
    setTimeout(() => controller.abort(new Error('activity cancelled')), 20);
    await expect(waiting).rejects.toThrow('activity cancelled');
  });

  it('stops waiting for a reservation when the call is cancelled', async () => {
    const reserve: SlotReserver = () => new Promise(() => {});
    const controller = new AbortController();
    const waiting = pacerWith(reserve).awaitSlot(QUEUE, controller.signal);
    controller.abort(new Error('activity cancelled'));
    await expect(waiting).rejects.toThrow('activity cancelled');
  });
});

describe('leases', () => {
  it('lets a lone process take its later calls from its lease, an interval apart, without asking again', async () => {
    const { reserve, requests } = inMemoryPacer();
    const pacer = pacerWith(reserve, 50);
    const slots: number[] = [];
    for (let i = 0; i < 4; i++) slots.push((await pacer.awaitSlot(QUEUE)).slotMs!);
    slots.push(...(await Promise.all(Array.from({ length: 3 }, () => pacer.awaitSlot(QUEUE)))).map((c) => c.slotMs!));
    expect(requests).toHaveLength(1);
    const sorted = [...slots].sort((a, b) => a - b);
    for (const gap of sorted.slice(1).map((slot, i) => slot - sorted[i]!)) expect(gap).toBeGreaterThanOrEqual(50);
  });

  it('uses every slot of the lease: a call arriving after the previous one takes the very next slot', async () => {
    const { reserve } = inMemoryPacer();
    const pacer = pacerWith(reserve, 40);
    const slots: number[] = [];
    for (let i = 0; i < 5; i++) slots.push((await pacer.awaitSlot(QUEUE)).slotMs!);
    expect(slots.slice(1).map((slot, i) => slot - slots[i]!)).toEqual([40, 40, 40, 40]);
  });

  it('reserves again once the lease has no slot left', async () => {
    const requests: SlotRequest[] = [];
    // A lease of three slots: the fourth call must ask.
    const reserve: SlotReserver = async (_queue, request) => {
      requests.push(request);
      const firstSlotMs = Date.now();
      return { firstSlotMs, intervalMs: request.intervalMs, leaseUntilMs: firstSlotMs + 3 * request.intervalMs };
    };
    const pacer = pacerWith(reserve, 20);
    for (let i = 0; i < 4; i++) await pacer.awaitSlot(QUEUE);
    expect(requests).toHaveLength(2);
  });

  it('drops the lease when the queue is held off after a throttling answer', async () => {
    const { reserve, requests } = inMemoryPacer();
    const pacer = pacerWith(reserve, 10);
    await pacer.awaitSlot(QUEUE);
    await pacer.holdOff(QUEUE, Date.now());
    await pacer.awaitSlot(QUEUE);
    expect(requests).toHaveLength(2);
  });
});

describe('SlotBook', () => {
  const now = 1_000_000;
  it('leases a lone holder the queue for a lease, and starts the next holder one interval after its last slot', () => {
    const book = new SlotBook();
    expect(book.grant({ count: 2, intervalMs: 100, holder: 'a' }, now)).toEqual({ firstSlotMs: now, intervalMs: 100, leaseUntilMs: now + LEASE_MS });
    expect(book.grant({ count: 3, intervalMs: 100, holder: 'b' }, now + 10)).toEqual({ firstSlotMs: now + LEASE_MS, intervalMs: 100 });
  });

  it('makes a lease long enough for every slot asked for', () => {
    expect(new SlotBook().grant({ count: 30, intervalMs: 100, holder: 'a' }, now).leaseUntilMs).toBe(now + 3_100);
  });

  it('grants no lease while another holder, or a caller without one, asked within the contention memory', () => {
    const book = new SlotBook();
    book.grant({ count: 1, intervalMs: 100 }, now);
    expect(book.grant({ count: 1, intervalMs: 100, holder: 'a' }, now + CONTENTION_MEMORY_MS).leaseUntilMs).toBeUndefined();
    expect(book.grant({ count: 1, intervalMs: 100, holder: 'a' }, now + CONTENTION_MEMORY_MS + 1).leaseUntilMs).toBeDefined();
  });

  it('grants no slot before a hold-off ends', () => {
    const book = new SlotBook();
    book.holdOff({ untilMs: now + 5_000 });
    expect(book.grant({ count: 1, intervalMs: 100 }, now).firstSlotMs).toBe(now + 5_000);
  });
});

describe('ProviderCallPacer.holdOff', () => {
  it("passes a throttled queue's hold-off to its pacer, and ignores queues it does not pace", async () => {
    const holdOffs: [string, number][] = [];
    const pacer = pacerWith(inMemoryPacer().reserve, 50, 80, async (queue, { untilMs }) => void holdOffs.push([queue, untilMs]));
    await pacer.holdOff(QUEUE, 1_234);
    await pacer.holdOff('takedown/other/queue', 5_678);
    expect(holdOffs).toEqual([[QUEUE, 1_234]]);
  });
});

describe('maxSlotLatenessMs', () => {
  it('leaves room for late slots in proportion to the headroom, keeping a fifth for the network', () => {
    expect(maxSlotLatenessMs(0.9)).toBeCloseTo(88.9, 1);
    expect(maxSlotLatenessMs(0.5)).toBeCloseTo(800, 5);
    expect(maxSlotLatenessMs(0.95)).toBeCloseTo(42.1, 1);
  });

  it('keeps calls within the limit in any second when each is late by up to that much', () => {
    // Slots 1000 / (limit × headroom) apart; every call late by a different amount up to the bound.
    for (const [limit, headroom] of [[10, 0.9], [1, 0.9], [50, 0.95], [100, 0.9]] as const) {
      const interval = 1000 / (limit * headroom);
      const late = maxSlotLatenessMs(headroom);
      const calls = Array.from({ length: limit * 5 }, (_, i) => i * interval + (i % 2 === 0 ? late : 0));
      calls.sort((a, b) => a - b);
      let most = 0;
      for (let start = 0, end = 0; end < calls.length; end++) {
        while (calls[end]! - calls[start]! >= 1000) start++;
        most = Math.max(most, end - start + 1);
      }
      expect(most).toBeLessThanOrEqual(limit);
    }
  });
});
