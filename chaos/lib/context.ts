/** What every scenario gets: the running stack, the run's identity, sizes and secrets. */
import type { Rng } from './rng';
import type { ChaosSandbox } from './sandbox';
import type { ChaosTemporal } from './temporal';
import type { WorkerProcess } from './workers';

/** Scenario sizes; full mode follows the issue, quick mode is the same at a smaller scale. */
export interface Sizes {
  crash: { takedowns: number; kills: number; killEveryMs: readonly [number, number] };
  restart: { takedowns: number; downMs: number; latencyMs: number };
  storm: { takedowns: number };
  outage: { shortTakedowns: number; shortOutageMs: number; longTakedowns: number; stepBudgetMs: number };
  hostile: { inputs: number; workflows: number };
  /**
   * Bans beside the crash and storm takedowns. ZEGO rules are capped at `zegoRuleCapSeconds`
   * (sandbox and workers), so each ban is a chain of renewed rules; the renewal margin (half the
   * cap) must outlast a renewal lost to several kills in a row (each costs a 5 s heartbeat timeout).
   */
  bans: { count: number; durationSeconds: number; zegoRuleCapSeconds: number };
}

export const FULL_SIZES: Sizes = {
  crash: { takedowns: 300, kills: 30, killEveryMs: [2_500, 5_500] },
  restart: { takedowns: 100, downMs: 3_000, latencyMs: 150 },
  storm: { takedowns: 120 },
  outage: { shortTakedowns: 30, shortOutageMs: 6_000, longTakedowns: 20, stepBudgetMs: 12_000 },
  hostile: { inputs: 10_000, workflows: 200 },
  bans: { count: 20, durationSeconds: 150, zegoRuleCapSeconds: 60 },
};

export const QUICK_SIZES: Sizes = {
  crash: { takedowns: 30, kills: 5, killEveryMs: [1_500, 3_000] },
  restart: { takedowns: 20, downMs: 1_500, latencyMs: 100 },
  storm: { takedowns: 24 },
  outage: { shortTakedowns: 8, shortOutageMs: 3_000, longTakedowns: 6, stepBudgetMs: 5_000 },
  hostile: { inputs: 1_000, workflows: 20 },
  bans: { count: 6, durationSeconds: 40, zegoRuleCapSeconds: 20 },
};

/** Credentials the run gives its workers; none may show up anywhere the suite can read. */
export interface RunSecrets {
  zegoServerSecret: string;
  agoraCustomerId: string;
  agoraCustomerSecret: string;
}

export interface ChaosContext {
  quick: boolean;
  sizes: Sizes;
  /** Short and unique: prefixes every violation id, room, channel and task queue of the run. */
  runId: string;
  seed: number;
  rng: Rng;
  temporal: ChaosTemporal;
  sandbox: ChaosSandbox;
  /** Two workers sharing the main task queue (crash, restart, storm, hostile scenarios). */
  mainWorkers: WorkerProcess[];
  mainQueue: string;
  /** Workers with a short step budget, for the outage scenario. */
  outageWorkers: WorkerProcess[];
  outageQueue: string;
  /** Metrics endpoint of each outage worker. */
  outageMetrics: string[];
  secrets: RunSecrets;
  zegoAppId: number;
  agoraAppIds: readonly string[];
  logDir: string;
  log(line: string): void;
}
