import { performance } from 'node:perf_hooks';
import { DeadlineExceededError, pollUntil, retryUntil, withTimeout } from '../../../harness/retry';

describe('retryUntil', () => {
  test('resolves with the first attempt that does not throw, counting each retry', async () => {
    let calls = 0;
    const retries: unknown[] = [];
    const value = await retryUntil(
      () => {
        calls++;
        if (calls < 3) throw new Error(`not yet ${calls}`);
        return 'done';
      },
      { timeoutMs: 2_000, intervalMs: 1, onRetry: (err) => retries.push((err as Error).message) },
    );
    expect(value).toBe('done');
    expect(calls).toBe(3);
    expect(retries).toEqual(['not yet 1', 'not yet 2']);
  });

  test('past the deadline it throws the last attempt’s own error', async () => {
    let calls = 0;
    const began = performance.now();
    await expect(
      retryUntil(
        () => {
          calls++;
          throw new Error(`attempt ${calls} failed`);
        },
        { timeoutMs: 100, intervalMs: 10 },
      ),
    ).rejects.toThrow(/^attempt \d+ failed$/);
    const elapsed = performance.now() - began;
    expect(elapsed).toBeGreaterThanOrEqual(95);
    expect(elapsed).toBeLessThan(1_000);
    expect(calls).toBeGreaterThan(1);
  });

  test('runs at least once even with no time at all', async () => {
    await expect(retryUntil(() => 7, { timeoutMs: 0 })).resolves.toBe(7);
  });
});

describe('pollUntil', () => {
  test('true once the condition holds; a throwing condition counts as not yet', async () => {
    let calls = 0;
    const held = await pollUntil(
      () => {
        calls++;
        if (calls === 1) throw new Error('server away');
        return calls >= 3;
      },
      { timeoutMs: 2_000, intervalMs: 1 },
    );
    expect(held).toBe(true);
    expect(calls).toBe(3);
  });

  test('false when the deadline passes first', async () => {
    await expect(pollUntil(() => false, { timeoutMs: 50, intervalMs: 5 })).resolves.toBe(false);
  });
});

describe('withTimeout', () => {
  test('passes a promise that settles in time through', async () => {
    await expect(withTimeout(Promise.resolve(3), 1_000, 'quick thing')).resolves.toBe(3);
    await expect(withTimeout(Promise.reject(new Error('own failure')), 1_000, 'quick thing')).rejects.toThrow('own failure');
  });

  test('rejects with a DeadlineExceededError naming what did not finish', async () => {
    const never = new Promise<never>(() => undefined);
    const err = await withTimeout(never, 20, 'burst DeleteStream 10/s').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DeadlineExceededError);
    expect(err).toMatchObject({ code: 'DEADLINE_EXCEEDED', message: 'burst DeleteStream 10/s did not finish within 20 ms' });
  });
});
