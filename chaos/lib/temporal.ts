/**
 * The chaos run's own Temporal dev server (with a database file, so it can be stopped and started
 * again on the same port without losing a workflow) and the client the runner drives it with.
 */
import { ApplicationFailure, Client, Connection, WorkflowFailedError, type WorkflowExecutionInfo } from '@temporalio/client';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { freePort, startDevServer, type DevServer } from '../../src/devstack/dev-server';
import type { TemporalCli } from '../../src/devstack/temporal-cli';
import type { TakedownResult } from '../../src/workflows/types';
import { track } from './processes';

export interface ChaosTemporalOptions {
  cli: TemporalCli;
  dbFilename: string;
  /** The server stops by itself after this, even if the runner dies without cleaning up. */
  lifetimeSeconds: number;
}

/** How one takedown ended, as Temporal and its result tell. */
export interface TakedownRecord {
  workflowId: string;
  status: string;
  startMs: number;
  closeMs?: number;
  result?: TakedownResult;
  failure?: { type?: string; message: string };
  searchAttributes: Record<string, unknown>;
  memo?: Record<string, unknown>;
}

/** Retries a call while the server is away (restart), up to `timeoutMs`. */
export async function retrying<T>(call: () => Promise<T>, timeoutMs = 60_000, onRetry?: () => void): Promise<T> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    try {
      return await call();
    } catch (err) {
      if (performance.now() > deadline) throw err;
      onRetry?.();
      await sleep(250);
    }
  }
}

/**
 * Starts a dev server, trying again a few times: its extra ports (HTTP, metrics) are picked free a
 * moment before it binds them, and another process on the machine can take one in between.
 */
async function startWithRetries(options: ChaosTemporalOptions, port?: number): Promise<DevServer> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await startDevServer({ cli: options.cli, port: port ?? (await freePort()), dbFilename: options.dbFilename, lifetimeSeconds: options.lifetimeSeconds });
    } catch (err) {
      if (attempt >= 3) throw err;
      await sleep(500);
    }
  }
}

export class ChaosTemporal {
  private constructor(
    private server: DevServer,
    readonly connection: Connection,
    readonly client: Client,
    private readonly options: ChaosTemporalOptions,
  ) {}

  static async start(options: ChaosTemporalOptions): Promise<ChaosTemporal> {
    const server = await startWithRetries(options);
    const connection = await Connection.connect({ address: server.address });
    const temporal = new ChaosTemporal(server, connection, new Client({ connection }), options);
    track({ name: 'temporal dev server', stop: () => temporal.stop() });
    return temporal;
  }

  get address(): string {
    return this.server.address;
  }

  /**
   * Stops the server (SIGTERM, as an operator would), keeps it down for `downMs`, then starts it
   * on the same port with the same database file. Returns how long the frontend was unreachable.
   */
  async restart(downMs: number): Promise<{ downtimeMs: number }> {
    const stoppedAt = performance.now();
    await this.server.stop();
    await sleep(downMs);
    this.server = await startWithRetries(this.options, this.server.port);
    return { downtimeMs: performance.now() - stoppedAt };
  }

  private stopped = false;
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    await this.connection.close().catch(() => undefined);
    await this.server.stop();
  }

  /**
   * Waits until `expected` workflows match `query` and none of them runs any more. Survives a
   * server restart in the middle. Returns false on timeout.
   */
  async waitUntilClosed(query: string, expected: number, timeoutMs: number): Promise<boolean> {
    const deadline = performance.now() + timeoutMs;
    while (performance.now() < deadline) {
      try {
        const [all, running] = await Promise.all([
          this.client.workflow.count(query),
          this.client.workflow.count(`(${query}) AND ExecutionStatus = "Running"`),
        ]);
        if (all.count >= expected && running.count === 0) return true;
      } catch {
        // server restarting: ask again
      }
      await sleep(500);
    }
    return false;
  }

  /** Every workflow matching `query`, with its result or failure (`concurrency` results at a time). */
  async collect(query: string, concurrency = 16): Promise<TakedownRecord[]> {
    const infos: WorkflowExecutionInfo[] = [];
    for await (const info of this.client.workflow.list({ query })) infos.push(info);
    const records: TakedownRecord[] = new Array(infos.length);
    let next = 0;
    const work = async () => {
      for (let i = next++; i < infos.length; i = next++) {
        const info = infos[i]!;
        const record: TakedownRecord = {
          workflowId: info.workflowId,
          status: info.status.name,
          startMs: info.startTime.getTime(),
          closeMs: info.closeTime?.getTime(),
          searchAttributes: Object.fromEntries(info.typedSearchAttributes.getAll().map((pair) => [pair.key.name, pair.value])),
          memo: info.memo,
        };
        try {
          record.result = (await this.client.workflow.getHandle(info.workflowId, info.runId).result()) as TakedownResult;
        } catch (err) {
          const cause = err instanceof WorkflowFailedError ? err.cause : undefined;
          record.failure =
            cause instanceof ApplicationFailure
              ? { type: cause.type ?? undefined, message: cause.message }
              : { message: (cause ?? (err as Error)).message ?? String(err) };
        }
        records[i] = record;
      }
    };
    await Promise.all(Array.from({ length: concurrency }, work));
    return records;
  }
}

/** A visibility query for one scenario's takedowns, by the violation id prefix it gave them. */
export function violationQuery(prefix: string): string {
  return `TakedownViolationId STARTS_WITH "${prefix}"`;
}
