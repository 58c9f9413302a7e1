/** Starting a scenario's takedowns, waiting for them, and reading how each ended. */
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { startTakedown } from '../../src/client';
import type { ChaosContext } from './context';
import { analyseLog, type LogAnalysis } from './log-analysis';
import { histogram, summarize, type Summary } from '../../harness/stats';
import { seedTargets, type SeededTarget } from './targets';
import { violationQuery, type TakedownRecord } from './temporal';

export interface Batch {
  prefix: string;
  seeded: SeededTarget[];
  /** Start calls that failed and were tried again (server away). */
  startRetries: number;
  /** Sandbox log entries after this sequence number belong to this batch (scenarios run one at a time). */
  logAfterSeq: number;
}

/** Seeds `count` targets under `prefix`. */
export async function seedBatch(ctx: ChaosContext, scenario: string, count: number): Promise<Batch> {
  const prefix = `chaos-${ctx.runId}-${scenario}-`;
  const seeded = await seedTargets({ sandbox: ctx.sandbox, rng: ctx.rng, prefix, count, zegoAppId: ctx.zegoAppId, agoraAppIds: ctx.agoraAppIds });
  const log = await ctx.sandbox.control.requests();
  return { prefix, seeded, startRetries: 0, logAfterSeq: log[log.length - 1]?.seq ?? 0 };
}

/**
 * Starts the batch's takedowns one by one, `intervalMs` apart (a classifier's pace), on
 * `taskQueue`. A start that fails (server restarting) is tried again; `USE_EXISTING` makes a
 * repeated start of one that did reach the server join it instead of starting a second.
 */
export async function startBatch(ctx: ChaosContext, batch: Batch, taskQueue: string, intervalMs: number, abort?: AbortSignal): Promise<void> {
  const began = performance.now();
  for (let i = 0; i < batch.seeded.length; i++) {
    if (abort?.aborted) throw new Error('start loop aborted');
    const due = began + i * intervalMs;
    const wait = due - performance.now();
    if (wait > 0) await sleep(wait);
    const { request } = batch.seeded[i]!;
    await ctx.temporal.retry(() => startTakedown(ctx.temporal.client, request, { taskQueue }), { timeoutMs: 120_000, onRetry: () => batch.startRetries++ });
  }
}

export interface BatchOutcome {
  records: TakedownRecord[];
  analysis: LogAnalysis;
  /** Closed within the time allowed. */
  allClosed: boolean;
  /** Takedowns that completed with `enforced` or `already-enforced`. */
  completed: number;
  /** Failure types of the rest, e.g. `{ ProviderUnavailable: 20 }`. */
  failures: Record<string, number>;
  /** End-to-end time of each takedown (ms), start to close. */
  latency: Summary;
  /** Provider requests per step (activity attempts), as the results report them. */
  attempts: Record<string, number>;
  maxAttempts: number;
}

/** Waits until every takedown of the batch closed, then reads results and the sandbox log. */
export async function finishBatch(ctx: ChaosContext, batch: Batch, timeoutMs: number): Promise<BatchOutcome> {
  const query = violationQuery(batch.prefix);
  const allClosed = await ctx.temporal.waitUntilClosed(query, batch.seeded.length, timeoutMs);
  const records = await ctx.temporal.retry(() => ctx.temporal.collect(query));
  const completedKeys = new Set<string>();
  const byViolation = new Map(batch.seeded.map((s) => [s.request.violationId, s.target]));
  const failures: Record<string, number> = {};
  let completed = 0;
  const stepAttempts: number[] = [];
  for (const record of records) {
    const outcome = record.result?.outcome;
    if (record.status === 'COMPLETED' && (outcome === 'enforced' || outcome === 'already-enforced')) {
      completed++;
      const target = byViolation.get(record.result!.violationId);
      if (target) completedKeys.add(target.key);
      for (const step of record.result!.steps) if (step.attempts > 0) stepAttempts.push(step.attempts);
    } else {
      const type = record.failure?.type ?? record.status;
      failures[type] = (failures[type] ?? 0) + 1;
    }
  }
  const missing = batch.seeded.length - records.length;
  if (missing > 0) failures.missing = missing;
  const [log, state] = await Promise.all([ctx.sandbox.control.requests(), ctx.sandbox.control.state()]);
  const analysis = analyseLog(batch.seeded.map((s) => s.target), log.filter((e) => e.seq > batch.logAfterSeq), state, completedKeys);
  return {
    records,
    analysis,
    allClosed,
    completed,
    failures,
    latency: summarize(records.filter((r) => r.closeMs !== undefined).map((r) => r.closeMs! - r.startMs)),
    attempts: histogram(stepAttempts, [1, 2, 3, 5, 10]),
    maxAttempts: Math.max(0, ...stepAttempts),
  };
}
