/**
 * Takedown workers as supervised child processes (the harness's `spawnWorker`), so they can be
 * SIGKILLed at any moment and started again. Each generation's stdout and stderr go to its own
 * file, which the secrets grep reads afterwards.
 */
import { createWriteStream } from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { spawnWorker, type SpawnedWorker } from '../../harness/worker';
import { track } from './processes';

/** One exit of a worker process. */
export interface WorkerExit {
  generation: number;
  at: number;
  code: number | null;
  signal: NodeJS.Signals | null;
  /** True when the chaos run killed or stopped it; false is a crash. */
  expected: boolean;
}

/** One SIGKILL and how long the replacement took to poll again. */
export interface KillRecord {
  worker: string;
  at: number;
  /** ms from the kill until the replacement logged that it polls, if it got there. */
  restartMs?: number;
}

export interface WorkerOptions {
  name: string;
  /** Worker environment on top of the runner's (TEMPORAL_ADDRESS, provider URLs, secrets…). */
  env: Record<string, string>;
  logDir: string;
  /** Hard cap on each process's life, so a worker outlives a crashed runner by at most this. */
  lifetimeSeconds: number;
  /** Start again by itself when it exits without being told to, as a supervisor would. */
  restartOnCrash?: boolean;
}

/** A worker slot: at most one live process at a time, restartable. */
export class WorkerProcess {
  readonly exits: WorkerExit[] = [];
  readonly logFiles: string[] = [];
  generation = 0;
  private current?: SpawnedWorker;
  private ready = false;
  private expectingExit = false;
  private stopped = false;
  private readonly untrack: () => void;

  constructor(readonly options: WorkerOptions) {
    this.untrack = track({ name: `worker ${options.name}`, stop: () => this.stop() });
  }

  get name(): string {
    return this.options.name;
  }

  /** Alive: started and not exited (booting or polling). */
  get alive(): boolean {
    return this.current !== undefined && !this.current.exited;
  }

  get isReady(): boolean {
    return this.alive && this.ready;
  }

  /** Exits the chaos run did not cause. */
  get crashes(): WorkerExit[] {
    return this.exits.filter((e) => !e.expected);
  }

  /** Spawns a new generation; resolves once it polls (or rejects if it exits first or takes too long). */
  start(timeoutMs = 90_000): Promise<void> {
    if (this.alive) throw new Error(`worker ${this.name} is already running`);
    this.stopped = false;
    this.expectingExit = false;
    this.ready = false;
    const generation = ++this.generation;
    const base = path.join(this.options.logDir, `${this.name}.${generation}`);
    const out = createWriteStream(`${base}.out.log`);
    const err = createWriteStream(`${base}.err.log`);
    this.logFiles.push(`${base}.out.log`, `${base}.err.log`);
    const worker = spawnWorker(
      { env: this.options.env, lifetimeSeconds: this.options.lifetimeSeconds, onStdout: (chunk) => out.write(chunk), onStderr: (chunk) => err.write(chunk) },
      timeoutMs,
    );
    this.current = worker;
    worker.child.once('close', () => {
      out.end();
      err.end();
    });
    worker.child.once('exit', (code, signal) => {
      const expected = this.expectingExit || this.stopped;
      this.exits.push({ generation, at: performance.now(), code, signal, expected });
      this.ready = false;
      if (!expected && this.options.restartOnCrash && !this.stopped) {
        console.error(`[chaos] worker ${this.name} exited unexpectedly (code ${code}, signal ${signal}); restarting it`);
        this.start(timeoutMs).catch(() => undefined);
      }
    });
    return worker.ready.then(() => {
      // Only the current generation counts (an older one cannot be polling: it has exited).
      if (this.current === worker) this.ready = true;
    }, (cause: Error) => {
      throw new Error(`worker ${this.name}: ${cause.message}`);
    });
  }

  /** SIGKILL to the whole process group; resolves when the process is gone. */
  async kill(): Promise<void> {
    if (!this.alive) return;
    this.expectingExit = true;
    const worker = this.current!;
    const exited = new Promise<void>((resolve) => worker.child.once('exit', () => resolve()));
    worker.signal('SIGKILL');
    await exited;
  }

  /** Graceful stop (SIGTERM, the worker drains), SIGKILL after `graceMs`. Safe to call twice. */
  async stop(graceMs = 5_000): Promise<void> {
    this.stopped = true;
    this.untrack();
    if (!this.alive) return;
    await this.current!.stop(graceMs);
  }
}
