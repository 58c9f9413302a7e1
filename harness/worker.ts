/**
 * The takedown worker as a child process of its own (`node --import tsx src/worker.ts`, what
 * `tsx src/worker.ts` runs, in one process), so that it can be measured, SIGKILLed and started
 * again like a deployed worker. Readiness is the worker's own log line once every queue polls.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';

/** The checkout this code runs from. */
export const PROJECT_ROOT = path.resolve(__dirname, '..');

/** The JSON log line fragment the worker writes once every one of its queues is polled. */
export const WORKER_READY_MARKER = '"message":"takedown worker started"';

/** How to start one worker process. */
export interface SpawnWorkerOptions {
  /** Worker environment on top of this process's (TEMPORAL_ADDRESS, provider URLs, secrets…). */
  env: Record<string, string>;
  /**
   * Run under `timeout --signal=KILL <seconds>` in a process group of its own: the worker then
   * stops by itself even when the process that started it dies without cleaning up, and one
   * signal to the group reaches both.
   */
  lifetimeSeconds: number;
  /** Extra `node` flags, e.g. `--cpu-prof --cpu-prof-dir=/tmp/prof`. */
  nodeArgs?: readonly string[];
  /** Every stdout chunk (the worker's log lines); without it stdout is read and dropped. */
  onStdout?: (chunk: Buffer) => void;
  /** Every stderr chunk. */
  onStderr?: (chunk: Buffer) => void;
  /**
   * The script to run, relative to {@link SpawnWorkerOptions.root}.
   * @default 'src/worker.ts'
   */
  script?: string;
  /**
   * The checkout the worker runs from: its working directory, where `tsx` and the script are
   * resolved, so a benchmark can measure another version of the worker beside this one.
   * @default this project's root
   */
  root?: string;
}

/** A started worker process. */
export interface SpawnedWorker {
  /** The `timeout` wrapper; the worker is its child. Its pid roots the process tree to measure. */
  child: ChildProcess;
  /**
   * Resolves once the worker logged that it polls; rejects if it exits first or takes longer than
   * the timeout given to {@link spawnWorker} (the process is then left running: stop it).
   */
  ready: Promise<void>;
  /** True once the process exited. */
  readonly exited: boolean;
  /** Sends `signal` to the whole process group (no-op once it is gone). */
  signal(signal: NodeJS.Signals): void;
  /** SIGTERM (the worker drains), SIGKILL after `graceMs`; resolves once it exited. */
  stop(graceMs?: number): Promise<void>;
}

/** The worker is stopped with SIGKILL when it has not drained by then. @default 10000 */
const DEFAULT_GRACE_MS = 10_000;

/**
 * Starts a worker process. Its logs are pinned to JSON (`TAKEDOWN_LOG_FORMAT=json`, unless `env`
 * says otherwise): readiness and every reader of the logs depend on that format.
 *
 * @param readyTimeoutMs how long `ready` waits for the worker to poll
 * @default readyTimeoutMs 90000
 */
export function spawnWorker(options: SpawnWorkerOptions, readyTimeoutMs = 90_000): SpawnedWorker {
  const script = options.script ?? 'src/worker.ts';
  const child = spawn(
    'timeout',
    ['--signal=KILL', String(options.lifetimeSeconds), process.execPath, ...(options.nodeArgs ?? []), '--import', 'tsx', script],
    { cwd: options.root ?? PROJECT_ROOT, env: { ...process.env, TAKEDOWN_LOG_FORMAT: 'json', ...options.env }, stdio: ['ignore', 'pipe', 'pipe'], detached: true },
  );
  let stderrTail = '';
  child.stderr!.on('data', (chunk: Buffer) => {
    stderrTail = (stderrTail + chunk.toString('utf8')).slice(-4_000);
    options.onStderr?.(chunk);
  });
  const exit = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const ready = new Promise<void>((resolve, reject) => {
    let pending = '';
    let isReady = false;
    const timer = setTimeout(() => reject(new Error(`worker did not poll within ${readyTimeoutMs} ms: ${stderrTail.trim()}`)), readyTimeoutMs);
    timer.unref();
    // stdout is always read, so that the pipe never fills and blocks the worker.
    child.stdout!.on('data', (chunk: Buffer) => {
      options.onStdout?.(chunk);
      if (isReady) return;
      // The marker may straddle two chunks: keep a tail longer than it.
      pending = (pending + chunk.toString('utf8')).slice(-65_536);
      if (pending.includes(WORKER_READY_MARKER)) {
        isReady = true;
        pending = '';
        clearTimeout(timer);
        resolve();
      }
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      if (!isReady) reject(new Error(`worker exited (code ${code}, signal ${signal}) before it polled: ${stderrTail.trim()}`));
    });
  });
  ready.catch(() => undefined); // callers that never await it must not see an unhandled rejection
  const signal = (sig: NodeJS.Signals) => {
    if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
    try {
      process.kill(-child.pid, sig);
    } catch {
      // already gone
    }
  };
  return {
    child,
    ready,
    get exited() {
      return child.exitCode !== null || child.signalCode !== null;
    },
    signal,
    async stop(graceMs = DEFAULT_GRACE_MS) {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const kill = setTimeout(() => signal('SIGKILL'), graceMs);
      signal('SIGTERM');
      await exit;
      clearTimeout(kill);
    },
  };
}
