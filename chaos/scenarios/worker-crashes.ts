/**
 * Scenario 1: two workers share the queues while takedowns arrive; one of them is SIGKILLed at a
 * random moment every few seconds and started again. Nothing may be lost, run out of order, or
 * repeated where the provider is not idempotent.
 */
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import type { ChaosContext } from '../lib/context';
import { batchRows, completionChecks, expectAtLeast, expectEqual, p50p95max, type ScenarioResult } from '../lib/result';
import { pollUntil } from '../../harness/retry';
import { summarize } from '../../harness/stats';
import { runBans } from '../lib/bans';
import { finishBatch, seedBatch, startBatch, type BatchOutcome } from '../lib/takedowns';
import type { KillRecord, WorkerProcess } from '../lib/workers';

/** Wall clock with sub-ms precision: the sandbox log's clock (same process). */
const now = () => performance.timeOrigin + performance.now();

/** Kills a random polling worker every `killEveryMs` and starts it again, until `kills` are done. */
async function killLoop(ctx: ChaosContext, workers: WorkerProcess[], kills: number, stop: AbortSignal): Promise<{ records: KillRecord[]; restarts: Promise<unknown>[] }> {
  const records: KillRecord[] = [];
  const restarts: Promise<unknown>[] = [];
  while (records.length < kills && !stop.aborted) {
    await sleep(ctx.rng.between(...ctx.sizes.crash.killEveryMs));
    // A worker still booting holds no tasks: wait for one that polls, so each kill can lose work.
    await pollUntil(() => workers.some((w) => w.isReady), { timeoutMs: 60_000, intervalMs: 100 });
    const ready = workers.filter((w) => w.isReady);
    if (ready.length === 0) throw new Error('no worker came back within 60 s');
    const victim = ctx.rng.pick(ready);
    const record: KillRecord = { worker: victim.name, at: now() };
    records.push(record);
    await victim.kill();
    ctx.log(`kill ${records.length}/${kills}: ${victim.name} (generation ${victim.generation})`);
    const restarted = performance.now();
    restarts.push(
      victim.start().then(
        () => { record.restartMs = Math.round(performance.now() - restarted); },
        (err: Error) => ctx.log(`restart of ${victim.name} failed: ${err.message}`),
      ),
    );
  }
  return { records, restarts };
}

/** For each kill: how long until every takedown in flight at that moment made progress again. */
function recoveryAfterKills(outcome: BatchOutcome, kills: readonly KillRecord[], progress: Map<string, number[]>): number[] {
  return kills.map((kill) => {
    let worst = 0;
    for (const record of outcome.records) {
      if (record.startMs > kill.at || record.closeMs === undefined || record.closeMs <= kill.at) continue;
      const events = progress.get(record.workflowId) ?? [];
      const next = Math.min(record.closeMs, ...events.filter((t) => t > kill.at));
      worst = Math.max(worst, next - kill.at);
    }
    return worst;
  });
}

export async function workerCrashes(ctx: ChaosContext): Promise<ScenarioResult> {
  const began = performance.now();
  const { takedowns, kills } = ctx.sizes.crash;
  const batch = await seedBatch(ctx, 'crash', takedowns);
  const meanKillMs = (ctx.sizes.crash.killEveryMs[0] + ctx.sizes.crash.killEveryMs[1]) / 2;
  // Spread the arrivals over the kill phase, so kills land while takedowns are in every state.
  const intervalMs = Math.max(20, (kills * meanKillMs * 1.2) / takedowns);
  const stop = new AbortController();
  const bans = runBans(ctx, 'crash', ctx.mainQueue);
  const [, { records: killRecords, restarts }] = await Promise.all([
    startBatch(ctx, batch, ctx.mainQueue, intervalMs).catch((err: unknown) => {
      stop.abort();
      throw err;
    }),
    killLoop(ctx, ctx.mainWorkers, kills, stop.signal),
  ]);
  await Promise.all(restarts);
  const outcome = await finishBatch(ctx, batch, 180_000);
  const banned = await bans;

  // Progress of each takedown: its provider requests' arrivals, by workflow id.
  const log = await ctx.sandbox.control.requests();
  const workflowOf = new Map<string, string>();
  for (const record of outcome.records) {
    const seeded = batch.seeded.find((s) => s.request.violationId === record.result?.violationId);
    if (seeded) workflowOf.set(seeded.target.key, record.workflowId);
  }
  const progress = new Map<string, number[]>();
  const keyOf = (e: (typeof log)[number]) =>
    e.provider === 'zego' ? `zego:${e.params.roomId}` : e.params.streamKey ? `agora:${e.params.streamKey}` : undefined;
  const sidOwner = new Map<string, string>();
  for (const s of batch.seeded) if (s.target.provider === 'agora') for (const sid of s.target.sids) sidOwner.set(sid, s.target.key);
  for (const e of log) {
    const key = e.params.sid ? sidOwner.get(e.params.sid) : keyOf(e);
    const wf = key ? workflowOf.get(key) : undefined;
    if (wf) progress.set(wf, [...(progress.get(wf) ?? []), e.at]);
  }
  const recovery = summarize(recoveryAfterKills(outcome, killRecords, progress));
  const restart = summarize(killRecords.flatMap((k) => (k.restartMs === undefined ? [] : [k.restartMs])));
  const crashes = ctx.mainWorkers.flatMap((w) => w.crashes).length;

  return {
    id: 'worker-crashes',
    title: '1. Worker crashes (SIGKILL, two workers sharing the queues)',
    durationMs: performance.now() - began,
    rows: [
      ['takedowns started', String(takedowns)],
      ['SIGKILLs (each followed by a restart)', `${killRecords.length} (${ctx.mainWorkers.map((w) => `${w.name}: ${killRecords.filter((k) => k.worker === w.name).length}`).join(', ')})`],
      ['worker restart, kill → polling again, p50 / p95 / max', p50p95max(restart)],
      ['recovery: kill → every takedown in flight progresses again, p50 / p95 / max', p50p95max(recovery)],
      ['worker exits not caused by the suite', String(crashes)],
      ...batchRows(outcome),
      ...banned.rows,
    ],
    figures: {
      takedowns,
      kills: killRecords.length,
      restartMs: restart,
      recoveryMs: recovery,
      unexpectedWorkerExits: crashes,
      completed: outcome.completed,
      failures: outcome.failures,
      latencyMs: outcome.latency,
      attempts: outcome.attempts,
      writes: outcome.analysis.writes,
      orderViolations: outcome.analysis.orderViolations.length,
      racingRequests: outcome.analysis.racingRequests,
      providerThrottles: outcome.analysis.providerThrottles,
      peakArrivals: outcome.analysis.peakArrivals,
      bans: banned.figures,
    },
    checks: [
      expectAtLeast('worker SIGKILLs', killRecords.length, kills),
      ...completionChecks(outcome, takedowns),
      expectEqual('worker exits not caused by the suite', crashes, 0),
      ...banned.checks,
    ],
  };
}
