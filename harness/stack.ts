/**
 * The stack the benchmark and the fault suite run on: the Temporal CLI (found or installed), a
 * dev server that stops by itself, a client connected to it, and a provider sandbox in this
 * process (so that it outlives every worker kill and server restart, and its request log runs on
 * this process's clock). Workers are started separately ({@link spawnWorker} in `./worker`).
 */
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { Client, Connection } from '@temporalio/client';
import { freePort, startDevServer, type DevServer, type DevServerOptions } from '../src/devstack/dev-server';
import { provisionTemporalCli, type TemporalCli } from '../src/devstack/temporal-cli';

/** Anything the stack stops at the end. */
export interface Closable {
  close(): Promise<void>;
}

/** How to start the stack. */
export interface StackOptions<S extends Closable> {
  /** Hard bound on the dev server's life: it stops itself even if this process dies. */
  lifetimeSeconds: number;
  /** Persist the server's state to this SQLite file (needed to restart it). Default: in memory. */
  dbFilename?: string;
  /** Extra `temporal server start-dev` arguments (experiments on the server side). */
  extraArgs?: string[];
  /** Progress lines (e.g. installing the CLI). */
  log?: (line: string) => void;
  /** Starts the provider sandbox once the server is up. */
  sandbox: () => Promise<S>;
}

/** The running stack. */
export interface HarnessStack<S extends Closable> {
  cli: TemporalCli;
  /** The current dev server (a new one after {@link HarnessStack.restartServer}). */
  readonly server: DevServer;
  /** `127.0.0.1:<port>`; the same across restarts. */
  readonly address: string;
  connection: Connection;
  client: Client;
  sandbox: S;
  /**
   * Stops the server (SIGTERM, as an operator would), keeps it down for `downMs`, and starts it
   * again on the same port and database file. Returns how long it was down.
   */
  restartServer(downMs: number): Promise<{ downtimeMs: number }>;
  /** Stops everything, newest first; safe to call twice; never throws. */
  stop(): Promise<void>;
}

/** Attempts at starting a dev server before giving up. */
const SERVER_START_ATTEMPTS = 3;

/**
 * Starts a dev server, trying again a few times: its extra ports (HTTP, metrics) are picked free a
 * moment before it binds them, and another process on the machine can take one in between.
 */
export async function startDevServerWithRetries(options: Omit<DevServerOptions, 'port'> & { port?: number }): Promise<DevServer> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await startDevServer({ ...options, port: options.port ?? (await freePort()) });
    } catch (err) {
      if (attempt >= SERVER_START_ATTEMPTS) throw err;
      await sleep(500);
    }
  }
}

/** Starts the stack; on any failure stops what was already started and rethrows. */
export async function startHarnessStack<S extends Closable>(options: StackOptions<S>): Promise<HarnessStack<S>> {
  const cleanups: (() => Promise<void>)[] = [];
  let stopped: Promise<void> | undefined;
  const stop = () => {
    stopped ??= (async () => {
      for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
    })();
    return stopped;
  };
  try {
    const cli = provisionTemporalCli(options.log);
    const serverOptions = { cli, lifetimeSeconds: options.lifetimeSeconds, dbFilename: options.dbFilename, extraArgs: options.extraArgs };
    let server = await startDevServerWithRetries(serverOptions);
    cleanups.push(() => server.stop());
    const sandbox = await options.sandbox();
    cleanups.push(() => sandbox.close());
    const connection = await Connection.connect({ address: server.address });
    cleanups.push(() => connection.close());
    return {
      cli,
      get server() {
        return server;
      },
      address: server.address,
      connection,
      client: new Client({ connection }),
      sandbox,
      async restartServer(downMs) {
        if (!options.dbFilename) throw new Error('restartServer needs a dbFilename: an in-memory server would come back empty');
        const stoppedAt = performance.now();
        await server.stop();
        await sleep(downMs);
        server = await startDevServerWithRetries({ ...serverOptions, port: server.port });
        return { downtimeMs: performance.now() - stoppedAt };
      },
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}
