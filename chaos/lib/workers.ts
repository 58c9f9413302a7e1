/**
 * Takedown workers as separate child processes (`node --import tsx src/worker.ts`, which is what
 * `tsx src/worker.ts` runs), so they can be SIGKILLed at any moment and started again. Each
 * generation's stdout and stderr go to its own file, which the secrets grep reads afterwards.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, type WriteStream } from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { track } from './processes';

const PROJECT_ROOT = path.resolve(__dirname, '..', '..');
/** Marker line the worker logs once every queue is polled. */
const READY_MARKER = '"message":"takedown worker started"';

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
  private child?: ChildProcess;
  private ready = false;
  private readyWaiters: { resolve: () => void; reject: (err: Error) => void }[] = [];
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
    return this.child !== undefined && this.child.exitCode === null && this.child.signalCode === null;
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
    // `timeout` bounds the life of the process even if the runner dies without cleaning up; the
    // process group (detached) lets one signal reach both it and the node process.
    const child = spawn(
      'timeout',
      ['--signal=KILL', String(this.options.lifetimeSeconds), process.execPath, '--import', 'tsx', 'src/worker.ts'],
      { cwd: PROJECT_ROOT, env: { ...process.env, ...this.options.env }, stdio: ['ignore', 'pipe', 'pipe'], detached: true },
    );
    this.child = child;
    this.watchOutput(child, out, err);
    child.once('exit', (code, signal) => {
      const expected = this.expectingExit || this.stopped;
      this.exits.push({ generation, at: performance.now(), code, signal, expected });
      this.ready = false;
      this.flushWaiters(new Error(`worker ${this.name} exited (code ${code}, signal ${signal}) before it polled`));
      if (!expected && this.options.restartOnCrash && !this.stopped) {
        console.error(`[chaos] worker ${this.name} exited unexpectedly (code ${code}, signal ${signal}); restarting it`);
        this.start(timeoutMs).catch(() => undefined);
      }
    });
    return this.waitReady(timeoutMs);
  }

  /** Resolves when the current generation polls. */
  waitReady(timeoutMs = 90_000): Promise<void> {
    if (this.isReady) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`worker ${this.name} did not poll within ${timeoutMs} ms`)), timeoutMs);
      timer.unref();
      this.readyWaiters.push({
        resolve: () => { clearTimeout(timer); resolve(); },
        reject: (e) => { clearTimeout(timer); reject(e); },
      });
    });
  }

  /** SIGKILL to the whole process group; resolves when the process is gone. */
  async kill(): Promise<void> {
    if (!this.alive) return;
    this.expectingExit = true;
    await this.signalAndWait('SIGKILL');
  }

  /** Graceful stop (SIGTERM, the worker drains), SIGKILL after `graceMs`. Safe to call twice. */
  async stop(graceMs = 5_000): Promise<void> {
    this.stopped = true;
    this.untrack();
    if (!this.alive) return;
    const timer = setTimeout(() => this.signalGroup('SIGKILL'), graceMs);
    await this.signalAndWait('SIGTERM');
    clearTimeout(timer);
  }

  private async signalAndWait(signal: NodeJS.Signals): Promise<void> {
    const child = this.child!;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    this.signalGroup(signal);
    await exited;
  }

  private signalGroup(signal: NodeJS.Signals): void {
    const pid = this.child?.pid;
    if (pid === undefined) return;
    try {
      process.kill(-pid, signal);
    } catch {
      // already gone
    }
  }

  private watchOutput(child: ChildProcess, out: WriteStream, err: WriteStream): void {
    let pending = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      out.write(chunk);
      if (this.ready) return;
      pending = (pending + chunk.toString('utf8')).slice(-65_536);
      if (pending.includes(READY_MARKER)) {
        this.ready = true;
        pending = '';
        this.flushWaiters();
      }
    });
    child.stderr!.on('data', (chunk: Buffer) => err.write(chunk));
    child.once('close', () => {
      out.end();
      err.end();
    });
  }

  private flushWaiters(error?: Error): void {
    const waiters = this.readyWaiters;
    this.readyWaiters = [];
    for (const waiter of waiters) {
      if (error) waiter.reject(error);
      else waiter.resolve();
    }
  }
}
