/**
 * The raid cells: what each one starts, on how many worker processes, in which apps. Sizes only;
 * the runner is `bench/raid.ts`.
 */
import type { BenchAppName } from './stack';

/** Every raid cell, in the order the report lists them. */
export const RAID_CELL_NAMES = ['raid-1', 'raid-4', 'raid-24', 'raid-4x3', 'neighbour'] as const;
export type RaidCellName = (typeof RAID_CELL_NAMES)[number];

/** The limited apps a raid bursts into: DeleteStream at the documented 10/s in the sandbox and the worker. */
export type RaidApp = Extract<BenchAppName, 'limit10' | 'limit10b' | 'limit10c'>;

/** ZEGO's documented DeleteStream limit per app, which every raid app has. */
export const RAID_LIMIT_PER_SECOND = 10;

/** One raid cell. */
export interface RaidCellSpec {
  name: RaidCellName;
  /** Worker processes polling the raid task queue during the cell. */
  workers: number;
  /** The burst: `n` takedowns in each app, every start call issued at once (50 in flight). */
  apps: { app: RaidApp; n: number }[];
  /** One takedown in another app, started `afterMs` after the burst's first start call. */
  neighbour?: { app: Exclude<BenchAppName, RaidApp>; afterMs: number };
}

/** When the neighbour's takedown starts: inside the burst, once every start call of 300 has gone out. */
const NEIGHBOUR_AFTER_MS = 3_000;

/** The raid cells of a full run, or of `--quick` (raid-4 and neighbour at N = 40). */
export function raidCells(quick: boolean): RaidCellSpec[] {
  const neighbour = { app: 'open', afterMs: NEIGHBOUR_AFTER_MS } as const;
  if (quick) {
    return [
      { name: 'raid-4', workers: 4, apps: [{ app: 'limit10', n: 40 }] },
      { name: 'neighbour', workers: 4, apps: [{ app: 'limit10', n: 40 }], neighbour },
    ];
  }
  return [
    { name: 'raid-1', workers: 1, apps: [{ app: 'limit10', n: 150 }] },
    { name: 'raid-4', workers: 4, apps: [{ app: 'limit10', n: 300 }] },
    { name: 'raid-24', workers: 24, apps: [{ app: 'limit10', n: 300 }] },
    {
      name: 'raid-4x3',
      workers: 4,
      apps: [
        { app: 'limit10', n: 100 },
        { app: 'limit10b', n: 100 },
        { app: 'limit10c', n: 100 },
      ],
    },
    { name: 'neighbour', workers: 4, apps: [{ app: 'limit10', n: 300 }], neighbour },
  ];
}

/** Takedowns of the cell's burst (the neighbour's one not included). */
export function burstSize(spec: RaidCellSpec): number {
  return spec.apps.reduce((sum, a) => sum + a.n, 0);
}

/** (n − 1) / limit of the cell's largest app: the apps drain side by side, each at its own limit. */
export function idealDrainSeconds(spec: RaidCellSpec): number {
  return Math.max(...spec.apps.map((a) => (a.n - 1) / RAID_LIMIT_PER_SECOND));
}

/**
 * Upper bound on one cell: starting the worker processes it adds (a worker takes ~10 s of a busy
 * core to poll) and their warm-up (90 s at most), seeding, three times its ideal drain, and
 * reading its histories back.
 */
export function raidCellSeconds(spec: RaidCellSpec): number {
  return 150 + 10 * spec.workers + 3 * idealDrainSeconds(spec);
}

/** The cells `--raid a,b` names, in the plan's order; throws on a name the plan does not have. */
export function pickRaidCells(cells: readonly RaidCellSpec[], names: readonly RaidCellName[] | undefined): RaidCellSpec[] {
  if (!names) return [...cells];
  const missing = names.filter((n) => !cells.some((c) => c.name === n));
  if (missing.length) throw new Error(`--raid: ${missing.join(', ')} not in this plan (it has ${cells.map((c) => c.name).join(', ')})`);
  return cells.filter((c) => names.includes(c.name));
}
