import { setTimeout as sleep } from 'node:timers/promises';
import { mapBounded, runBounded } from '../../../harness/pool';
import { DeadlineExceededError } from '../../../harness/retry';

describe('runBounded', () => {
  test('runs every job once, never more than `concurrency` at a time', async () => {
    let inFlight = 0;
    let most = 0;
    const ran: number[] = [];
    const started = await runBounded(20, { concurrency: 4 }, async (i) => {
      inFlight++;
      most = Math.max(most, inFlight);
      await sleep(2);
      ran.push(i);
      inFlight--;
    });
    expect(started).toBe(20);
    expect(most).toBe(4);
    expect([...ran].sort((a, b) => a - b)).toEqual(Array.from({ length: 20 }, (_, i) => i));
  });

  test('the first failure stops new jobs and is what the pool rejects with, once running jobs settle', async () => {
    const started: number[] = [];
    let settled = 0;
    const result = runBounded(50, { concurrency: 3 }, async (i) => {
      started.push(i);
      await sleep(i === 1 ? 1 : 5);
      settled++;
      if (i === 1) throw new Error('job 1 failed');
    });
    await expect(result).rejects.toThrow('job 1 failed');
    expect(started.length).toBeLessThan(50);
    expect(settled).toBe(started.length);
  });

  test('past the hard deadline it rejects with a DeadlineExceededError counting the jobs not started', async () => {
    const err = await runBounded(10, { concurrency: 1, deadlineMs: Date.now() + 15 }, () => sleep(10)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DeadlineExceededError);
    expect((err as Error).message).toMatch(/^load phase passed its deadline with \d+ of 10 jobs not started$/);
  });

  test('past the soft deadline it stops starting jobs without error and says how many started', async () => {
    const started = await runBounded(100, { concurrency: 2, softDeadlineMs: Date.now() + 20 }, () => sleep(5));
    expect(started).toBeGreaterThan(0);
    expect(started).toBeLessThan(100);
  });

  test('no jobs: resolves 0 without calling the job', async () => {
    const job = jest.fn(async () => undefined);
    await expect(runBounded(0, { concurrency: 5 }, job)).resolves.toBe(0);
    expect(job).not.toHaveBeenCalled();
  });

  test('a concurrency that is not a whole number of at least 1 is refused', async () => {
    await expect(runBounded(1, { concurrency: 0 }, async () => undefined)).rejects.toThrow(new RangeError('concurrency must be a whole number of at least 1, got 0'));
    await expect(runBounded(1, { concurrency: 1.5 }, async () => undefined)).rejects.toThrow(new RangeError('concurrency must be a whole number of at least 1, got 1.5'));
  });
});

describe('mapBounded', () => {
  test('results come back in the order of the items, whatever order the calls finish in', async () => {
    const results = await mapBounded([30, 5, 20, 1], 4, async (ms, i) => {
      await sleep(ms);
      return `${i}:${ms}`;
    });
    expect(results).toEqual(['0:30', '1:5', '2:20', '3:1']);
  });
});
