/** What a run measures and how much: the full run, or `--quick` (about a minute, same shape, smaller N). */
import type { ProviderName } from '../src/providers/types';
import { INTAKE_PATHS, type IntakeSpec } from './intake';
import { pickRaidCells, raidCellSeconds, raidCells, type RaidCellName, type RaidCellSpec } from './raid-spec';

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
  /** The classifier intake's answer latency (`bench/intake.ts`). */
  intake: IntakeSpec;
  /** Mass takedowns on several worker processes (`bench/raid.ts`), after the intake cell. */
  raid: RaidCellSpec[];
  /**
   * The cluster column: the sequential cells (every flow, 1 in flight, 0 ms provider latency, with
   * their floors) and the first burst, on the mTLS cluster; `seconds` bounds its start, cells and stop.
   */
  cluster: { seconds: number };
  /** Upper bound on the dev server's life and on the whole run without the cluster column. */
  lifetimeSeconds: number;
}

/**
 * Every cell of the full matrix at N = 500. Sequential cells take ~300–400 ms per takedown on this
 * machine (see RESULTS.md), so the dev server's part of a full run takes about 20 minutes; the
 * intake cell and the cluster column add about 10. `--quick` is the short one.
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
      intake: {
        rates: [25, 100],
        headlineRate: 100,
        secondsPerPath: 2,
        blockSeconds: 0.2,
        warmupSeconds: 2,
        searchBudgetSeconds: 20,
        loaded: { rate: 100, secondsPerPath: 1, waitSeconds: 20 },
      },
      raid: raidCells(true),
      cluster: { seconds: 240 },
      lifetimeSeconds: 200 + raidSeconds(raidCells(true)),
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
    // 8 s per path and step (3 paths): 200 answers per path at 25/s, 800 at 100/s; 24 s per step.
    intake: {
      rates: [25, 50, 100, 200, 400],
      headlineRate: 100,
      secondsPerPath: 8,
      blockSeconds: 0.2,
      warmupSeconds: 6,
      searchBudgetSeconds: 150,
      // 600 takedowns: about 40 s of work for the worker on this machine.
      loaded: { rate: 100, secondsPerPath: 2, waitSeconds: 120 },
    },
    // Start-up ~1 min, two sequential cells of 500 (~3 min each), floors, one burst.
    raid: raidCells(false),
    cluster: { seconds: 900 },
    lifetimeSeconds: 2700 + raidSeconds(raidCells(false)),
  };
}

/** Bound on a run's raid cells, with the workflow bundle they share built first. */
function raidSeconds(cells: readonly RaidCellSpec[]): number {
  return 60 + cells.reduce((sum, c) => sum + raidCellSeconds(c), 0);
}

/** Start-up (CLI, dev server, the stack's own worker) and stopping, on top of the raid cells. */
const RAID_ONLY_OVERHEAD_SECONDS = 120;

/** The plan of `--only raid [--raid a,b]`: those raid cells of `plan` alone, the run bounded by them. */
export function raidOnlyPlan(plan: BenchPlan, names?: readonly RaidCellName[]): BenchPlan {
  const raid = pickRaidCells(plan.raid, names);
  return { ...plan, raid, lifetimeSeconds: RAID_ONLY_OVERHEAD_SECONDS + raidSeconds(raid) };
}

/** Start-up (CLI, dev server, worker bundling), seeding and stopping, on top of a throughput cell's own time. */
const THROUGHPUT_ONLY_OVERHEAD_SECONDS = 180;
/** The same for the intake cell alone. */
const INTAKE_ONLY_OVERHEAD_SECONDS = 120;

/**
 * The plan of `--only intake`: the intake cell of `plan` alone, the run bounded by its search, its
 * loaded step and the wait for that step's takedowns.
 */
export function intakeOnlyPlan(plan: BenchPlan): BenchPlan {
  const { intake } = plan;
  const paths = INTAKE_PATHS.length;
  const loaded = intake.loaded.secondsPerPath * paths + intake.loaded.waitSeconds;
  // A step may start just before the search's bound.
  return { ...plan, lifetimeSeconds: INTAKE_ONLY_OVERHEAD_SECONDS + intake.warmupSeconds + intake.searchBudgetSeconds + intake.secondsPerPath * paths + loaded };
}

/** Longest the whole run may take: the dev server's part, plus the cluster column when it runs. */
export function runBoundSeconds(plan: BenchPlan, cluster: boolean): number {
  return plan.lifetimeSeconds + (cluster ? plan.cluster.seconds : 0);
}

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
