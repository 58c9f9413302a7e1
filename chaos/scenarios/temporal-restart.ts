/**
 * Scenario 2: the Temporal dev server is stopped and started again (same port, same database
 * file) while takedowns are running and arriving. Every takedown must still complete.
 */
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import type { ChaosContext } from '../lib/context';
import { batchRows, completionChecks, expectEqual, type ScenarioResult } from '../lib/result';
import { finishBatch, seedBatch, startBatch } from '../lib/takedowns';

export async function temporalRestart(ctx: ChaosContext): Promise<ScenarioResult> {
  const began = performance.now();
  const { takedowns, downMs, latencyMs } = ctx.sizes.restart;
  const batch = await seedBatch(ctx, 'restart', takedowns);
  // Provider latency stretches each takedown, so the restart finds many of them mid-way.
  await ctx.sandbox.control.configure({ latencyMs });
  const crashesBefore = [...ctx.mainWorkers].flatMap((w) => w.crashes).length;
  const startPhaseMs = Math.max(4_000, takedowns * 60);
  const starting = startBatch(ctx, batch, ctx.mainQueue, startPhaseMs / takedowns);
  await sleep(startPhaseMs / 2);
  ctx.log(`stopping the dev server (${ctx.temporal.address}) for ${downMs} ms`);
  const { downtimeMs } = await ctx.temporal.restart(downMs);
  ctx.log(`dev server back after ${Math.round(downtimeMs)} ms`);
  const restartedAt = Date.now();
  await starting;
  const outcome = await finishBatch(ctx, batch, 180_000);
  await ctx.sandbox.control.configure({ latencyMs: 0 });
  const lastClose = Math.max(...outcome.records.map((r) => r.closeMs ?? 0));
  const crashes = [...ctx.mainWorkers].flatMap((w) => w.crashes).length - crashesBefore;
  const runningAtRestart = outcome.records.filter((r) => r.startMs < restartedAt - downtimeMs && (r.closeMs ?? Infinity) > restartedAt - downtimeMs).length;

  return {
    id: 'temporal-restart',
    title: '2. Temporal restart (dev server stopped and started on the same database file)',
    durationMs: performance.now() - began,
    rows: [
      ['takedowns started', String(takedowns)],
      ['takedowns running when the server stopped', String(runningAtRestart)],
      ['server down (stop → listening again)', `${Math.round(downtimeMs)} ms`],
      ['start calls that failed and were tried again by the suite (the client itself retries UNAVAILABLE)', String(batch.startRetries)],
      ['last takedown closed after the restart', `${Math.max(0, lastClose - restartedAt)} ms`],
      ['worker exits caused by the restart (supervisor restarted them)', String(crashes)],
      ...batchRows(outcome),
    ],
    figures: {
      takedowns,
      runningAtRestart,
      downtimeMs: Math.round(downtimeMs),
      startRetries: batch.startRetries,
      workerExits: crashes,
      completed: outcome.completed,
      failures: outcome.failures,
      latencyMs: outcome.latency,
      attempts: outcome.attempts,
      writes: outcome.analysis.writes,
      orderViolations: outcome.analysis.orderViolations.length,
      providerThrottles: outcome.analysis.providerThrottles,
    },
    checks: [...completionChecks(outcome, takedowns), expectEqual('takedowns running when the server stopped > 0', runningAtRestart > 0 ? 1 : 0, 1)],
  };
}
