/** What a run measures and how much: the full run, or `--quick` (under a minute, same shape, smaller N). */
import type { ProviderName } from '../src/providers/types';

/** Sizes and bounds of every phase of one run. */
export interface BenchPlan {
  mode: 'full' | 'quick';
  flows: ProviderName[];
  concurrencies: number[];
  providerLatenciesMs: number[];
  /** Measured takedowns per Temporal cell. */
  n(flow: ProviderName, concurrency: number, latencyMs: number): number;
  /** Takedowns per floor cell: the floor is nearly deterministic, so it needs fewer where it is slow. */
  floorN(flow: ProviderName, concurrency: number, latencyMs: number): number;
  warmup(concurrency: number): number;
  /** Histories read per Temporal cell for the time breakdown. */
  breakdownSample: number;
  /** Soft wall-clock budget per cell: past it no new takedown starts and the cell reports the N it reached. */
  cellBudgetSeconds: number;
  bursts: { app: 'limit20' | 'limit10'; limit: number; n: number }[];
  throughput: { concurrency: number; warmupSeconds: number; measureSeconds: number; seeded: number };
  /** Upper bound on the dev server's life and on the whole run. */
  lifetimeSeconds: number;
}

/**
 * Every cell of the full matrix at N = 500. Sequential cells take ~300–400 ms per takedown on this
 * machine (see RESULTS.md), so a full run takes about 20 minutes; `--quick` is the short one.
 */
const FULL_N = 500;

/** The plan for a full run or for `--quick`. */
export function makePlan(quick: boolean): BenchPlan {
  const shape = { flows: ['zego', 'agora'] as ProviderName[], concurrencies: [1, 20], providerLatenciesMs: [0, 50] };
  if (quick) {
    return {
      mode: 'quick',
      ...shape,
      n: (_f, c) => (c === 1 ? 8 : 20),
      floorN: (_f, c, l) => (c === 1 && l > 0 ? 5 : 20),
      warmup: (c) => (c === 1 ? 2 : 5),
      breakdownSample: 5,
      cellBudgetSeconds: 8,
      bursts: [
        { app: 'limit20', limit: 20, n: 30 },
        { app: 'limit10', limit: 10, n: 15 },
      ],
      // 30 in flight: with 100 the first completions would land after the short window has begun.
      throughput: { concurrency: 30, warmupSeconds: 2, measureSeconds: 4, seeded: 2000 },
      lifetimeSeconds: 150,
    };
  }
  return {
    mode: 'full',
    ...shape,
    n: () => FULL_N,
    floorN: () => FULL_N,
    warmup: (c) => (c === 1 ? 10 : 40),
    breakdownSample: 30,
    cellBudgetSeconds: 300,
    bursts: [
      { app: 'limit20', limit: 20, n: 300 },
      { app: 'limit10', limit: 10, n: 150 },
    ],
    // The warm-up covers the ramp: 100 in flight take ~7 s to complete their first round.
    throughput: { concurrency: 100, warmupSeconds: 10, measureSeconds: 30, seeded: 6000 },
    lifetimeSeconds: 2400,
  };
}

/** Start-up (CLI, dev server, worker bundling), seeding and stopping, on top of a throughput cell's own time. */
const THROUGHPUT_ONLY_OVERHEAD_SECONDS = 180;

/**
 * The plan of `--only throughput`: the throughput cell of `plan` alone, measured for
 * `measureSeconds` (default the plan's), with the streams seeded and the run's bound scaled to it.
 */
export function throughputOnlyPlan(plan: BenchPlan, measureSeconds = plan.throughput.measureSeconds): BenchPlan {
  const { throughput } = plan;
  const scale = (throughput.warmupSeconds + measureSeconds) / (throughput.warmupSeconds + throughput.measureSeconds);
  return {
    ...plan,
    throughput: { ...throughput, measureSeconds, seeded: Math.max(throughput.seeded, Math.ceil(throughput.seeded * scale)) },
    lifetimeSeconds: THROUGHPUT_ONLY_OVERHEAD_SECONDS + throughput.warmupSeconds + measureSeconds,
  };
}
