import fc from 'fast-check';
import { bump, fmt, histogram, percentile, summarize } from '../../../harness/stats';

describe('percentile (nearest rank)', () => {
  test('is the sample at rank ceil(p/100 × n), counting from 1', () => {
    const sorted = [10, 20, 30, 40, 50, 60, 70, 80, 90, 100];
    expect(percentile(sorted, 50)).toBe(50);
    expect(percentile(sorted, 51)).toBe(60);
    expect(percentile(sorted, 95)).toBe(100);
    expect(percentile(sorted, 99)).toBe(100);
    expect(percentile(sorted, 100)).toBe(100);
  });

  test('p0 is the smallest sample, not an index before it', () => {
    expect(percentile([3, 7, 9], 0)).toBe(3);
  });

  test('the median of an even count is the lower middle sample (no interpolation)', () => {
    expect(percentile([1, 2, 3, 4], 50)).toBe(2);
  });

  test('one sample is every percentile', () => {
    for (const p of [0, 1, 50, 99, 100]) expect(percentile([42], p)).toBe(42);
  });

  test('an empty set has no percentile: NaN', () => {
    expect(percentile([], 50)).toBeNaN();
    expect(percentile([], 0)).toBeNaN();
  });

  test('a percentile outside 0–100 is refused with its value named', () => {
    expect(() => percentile([1], 101)).toThrow(new RangeError('percentile must be between 0 and 100, got 101'));
    expect(() => percentile([1], -1)).toThrow(new RangeError('percentile must be between 0 and 100, got -1'));
    expect(() => percentile([1], NaN)).toThrow(new RangeError('percentile must be between 0 and 100, got NaN'));
  });

  test('always one of the samples, with at least p % of them at or below it, and fewer than p % strictly below', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: -1000, max: 1000 }), { minLength: 1, maxLength: 200 }), fc.integer({ min: 1, max: 100 }), (values, p) => {
        const sorted = [...values].sort((a, b) => a - b);
        const value = percentile(sorted, p);
        expect(sorted).toContain(value);
        expect(sorted.filter((v) => v <= value).length / sorted.length).toBeGreaterThanOrEqual(p / 100);
        expect(sorted.filter((v) => v < value).length / sorted.length).toBeLessThan(p / 100);
      }),
    );
  });
});

describe('summarize', () => {
  test('sorts its input and reports n, p50, p95, p99, max and mean', () => {
    const samples = Array.from({ length: 100 }, (_, i) => 100 - i); // 100 … 1, unsorted
    expect(summarize(samples)).toEqual({ n: 100, p50: 50, p95: 95, p99: 99, max: 100, mean: 50.5 });
  });

  test('does not reorder the caller’s array', () => {
    const samples = [3, 1, 2];
    summarize(samples);
    expect(samples).toEqual([3, 1, 2]);
  });

  test('no samples: n 0 and every figure NaN, written as null in JSON', () => {
    const empty = summarize([]);
    expect(empty.n).toBe(0);
    for (const key of ['p50', 'p95', 'p99', 'max', 'mean'] as const) expect(empty[key]).toBeNaN();
    expect(JSON.parse(JSON.stringify(empty))).toEqual({ n: 0, p50: null, p95: null, p99: null, max: null, mean: null });
  });
});

describe('fmt', () => {
  test('keeps decimals below 100 and rounds to whole numbers from 100 up', () => {
    expect(fmt(12.345)).toBe('12.3');
    expect(fmt(12.345, 2)).toBe('12.35');
    expect(fmt(99.96)).toBe('100.0');
    expect(fmt(100.4)).toBe('100');
    expect(fmt(-250.6)).toBe('-251');
    expect(fmt(7, 0)).toBe('7');
  });

  test('a figure from no samples prints as a dash', () => {
    expect(fmt(NaN)).toBe('–');
    expect(fmt(Infinity)).toBe('–');
  });
});

describe('histogram and bump', () => {
  test('counts into inclusive upper edges plus one bucket above the last, empty buckets included', () => {
    expect(histogram([1, 1, 2, 4, 5, 7, 11, 40], [1, 2, 3, 5, 10])).toEqual({ '1': 2, '2': 1, '3': 0, '4–5': 2, '6–10': 1, '>10': 2 });
  });

  test('a value below the first edge counts in the first bucket', () => {
    expect(histogram([0], [1, 2])).toEqual({ '1': 1, '2': 0, '>2': 0 });
  });

  test('bump starts a missing key at 0', () => {
    const counts: Record<string, number> = {};
    bump(counts, 'a');
    bump(counts, 'a', 2);
    expect(counts).toEqual({ a: 3 });
  });
});
