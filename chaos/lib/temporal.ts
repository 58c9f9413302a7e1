/**
 * The chaos run's Temporal side, on the shared harness stack (a dev server with a database file,
 * so it can be stopped and started again on the same port without losing a workflow): restarts,
 * waiting for a scenario's takedowns to close, and reading how each one ended.
 */
import { ApplicationFailure, WorkflowFailedError, type Client, type WorkflowExecutionInfo } from '@temporalio/client';
import type { TakedownResult } from '../../src/workflows/types';
import { mapBounded } from '../../harness/pool';
import { pollUntil, retryUntil, type RetryOptions } from '../../harness/retry';
import type { HarnessStack } from '../../harness/stack';
import type { ChaosSandbox } from './sandbox';

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

/** Retries of a call to the server while it may be away (a restart): a minute, every 250 ms. */
const WHILE_SERVER_AWAY = { timeoutMs: 60_000, intervalMs: 250 } as const satisfies RetryOptions;

/** Visibility queries and result reads go this many at a time. */
const COLLECT_CONCURRENCY = 16;

export class ChaosTemporal {
  constructor(private readonly stack: HarnessStack<ChaosSandbox>) {}

  get address(): string {
    return this.stack.address;
  }

  get client(): Client {
    return this.stack.client;
  }

  /**
   * Stops the server (SIGTERM, as an operator would), keeps it down for `downMs`, then starts it
   * on the same port with the same database file. Returns how long the frontend was unreachable.
   */
  restart(downMs: number): Promise<{ downtimeMs: number }> {
    return this.stack.restartServer(downMs);
  }

  /**
   * Waits until `expected` workflows match `query` and none of them runs any more. Survives a
   * server restart in the middle. Returns false on timeout.
   */
  waitUntilClosed(query: string, expected: number, timeoutMs: number): Promise<boolean> {
    return pollUntil(
      async () => {
        const [all, running] = await Promise.all([
          this.client.workflow.count(query),
          this.client.workflow.count(`(${query}) AND ExecutionStatus = "Running"`),
        ]);
        return all.count >= expected && running.count === 0;
      },
      { timeoutMs, intervalMs: 500 },
    );
  }

  /** Every workflow matching `query`, with its result or failure. */
  async collect(query: string): Promise<TakedownRecord[]> {
    const infos: WorkflowExecutionInfo[] = [];
    for await (const info of this.client.workflow.list({ query })) infos.push(info);
    return mapBounded(infos, COLLECT_CONCURRENCY, async (info) => {
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
      return record;
    });
  }

  /** Retries `call` while the server may be away (a minute, every 250 ms, unless `options` say otherwise). */
  retry<T>(call: () => Promise<T>, options: RetryOptions = {}): Promise<T> {
    return retryUntil(call, { ...WHILE_SERVER_AWAY, ...options });
  }
}

/** A visibility query for one scenario's takedowns, by the violation id prefix it gave them. */
export function violationQuery(prefix: string): string {
  return `TakedownViolationId STARTS_WITH "${prefix}"`;
}
