/**
 * The raid cells' worker processes: `src/worker.ts` children like the benchmark's own worker, with
 * its settings, on a task queue of their own (so the stack's worker takes no part and a cell runs
 * on exactly its count of processes), all loading one workflow bundle built before the first.
 * The pool grows and shrinks between cells; its processes stop with it.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { mapBounded } from '../harness/pool';
import { benchWorkerSettings, spawnBenchWorker, type BenchAppName, type BenchWorker } from './stack';
import type { WorkerLogCounter } from './worker-logs';

/** The raid workers' workflow task queue; their activity queues and pacers are named under it. */
export const RAID_TASK_QUEUE = 'bench-raid';

/** Every bench ZEGO app: the raid bursts into three limited ones, its neighbour into the open one. */
const RAID_WORKER_APPS: readonly BenchAppName[] = ['open', 'limit20', 'limit10', 'limit10b', 'limit10c'];

/** Workers started at once: each needs most of a core for a few seconds to load and connect. */
const SPAWN_CONCURRENCY = 4;

/** A worker loading its bundle on a machine busy starting others takes far longer than the usual 90 s. */
const READY_TIMEOUT_MS = 240_000;

const run = promisify(execFile);

/** The workflow bundle the workers load, built by the checkout's own `src/bundle-workflows.ts`. */
export interface RaidBundle {
  /** Undefined when the checkout has no bundler: each worker then bundles at its start. */
  file?: string;
  buildSeconds: number;
  /** Removes the bundle's directory. */
  remove(): void;
}

/**
 * Builds the bundle with the checkout's own bundler (its own workflow code and SDK), as a
 * deployment does, so that every worker of a cell loads the same code and polls within seconds.
 */
export async function buildRaidBundle(root: string): Promise<RaidBundle> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'takedown-bench-raid-'));
  const remove = () => rmSync(dir, { recursive: true, force: true });
  if (!existsSync(path.join(root, 'src/bundle-workflows.ts'))) return { buildSeconds: 0, remove };
  const file = path.join(dir, 'workflow-bundle.js');
  const began = performance.now();
  try {
    await run(process.execPath, ['--import', 'tsx', 'src/bundle-workflows.ts', file], { cwd: root, timeout: 180_000 });
  } catch (err) {
    remove();
    throw new Error(`bundling the workflows of ${root} failed: ${(err as Error).message}`);
  }
  return { file, buildSeconds: (performance.now() - began) / 1000, remove };
}

/** How the pool starts its workers. */
export interface RaidPoolOptions {
  sandboxUrl: string;
  temporalAddress: string;
  lifetimeSeconds: number;
  /** The run's `--worker-env` settings, as the stack's worker has them. */
  workerEnv: Record<string, string>;
  bundle: RaidBundle;
  /** The checkout whose worker runs; default this one. */
  root?: string;
  /** Every worker's stdout and stderr lines are counted here. */
  logs: WorkerLogCounter;
}

/** The raid's running workers. */
export class RaidWorkerPool {
  private readonly workers: BenchWorker[] = [];
  /** The settings of the workers, as a report shows them (the bundle named, not its temporary path). */
  readonly settings: Record<string, string>;

  constructor(private readonly options: RaidPoolOptions) {
    this.settings = { ...benchWorkerSettings(this.workerEnv(), RAID_WORKER_APPS), TAKEDOWN_WORKFLOW_BUNDLE: options.bundle.file ? '(pre-built once for every raid worker)' : '(none: each worker bundles at its start)' };
  }

  private workerEnv(): Record<string, string> {
    const { file } = this.options.bundle;
    return { ...this.options.workerEnv, TAKEDOWN_TASK_QUEUE: RAID_TASK_QUEUE, ...(file ? { TAKEDOWN_WORKFLOW_BUNDLE: file } : {}) };
  }

  /** The root pid of every running worker (its `timeout` wrapper). */
  get pids(): number[] {
    return this.workers.map((w) => w.child.pid!);
  }

  get size(): number {
    return this.workers.length;
  }

  /** Starts or stops workers until `count` poll; returns how long that took, s. */
  async resize(count: number): Promise<number> {
    const began = performance.now();
    // The newest go first: the ones left have served the most and are the warmest.
    while (this.workers.length > count) await this.workers.pop()!.stop();
    const missing = count - this.workers.length;
    if (missing > 0) {
      const started = await mapBounded(Array.from({ length: missing }), SPAWN_CONCURRENCY, () => this.spawnOne().catch((err: unknown) => err as Error));
      this.workers.push(...started.filter((w): w is BenchWorker => !(w instanceof Error)));
      const failed = started.find((w): w is Error => w instanceof Error);
      if (failed) throw failed;
    }
    return (performance.now() - began) / 1000;
  }

  private spawnOne(): Promise<BenchWorker> {
    const { options } = this;
    return spawnBenchWorker({
      sandboxUrl: options.sandboxUrl,
      temporalEnv: { TEMPORAL_ADDRESS: options.temporalAddress },
      lifetimeSeconds: options.lifetimeSeconds,
      workerEnv: this.workerEnv(),
      zegoApps: RAID_WORKER_APPS,
      onStdout: options.logs.stream(),
      onStderr: options.logs.stream(),
      readyTimeoutMs: READY_TIMEOUT_MS,
      ...(options.root ? { root: options.root } : {}),
    });
  }

  /** Stops every worker; safe to call twice. */
  async stop(): Promise<void> {
    await Promise.all(this.workers.splice(0).map((w) => w.stop()));
  }
}
