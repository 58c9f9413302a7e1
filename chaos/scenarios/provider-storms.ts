/**
 * Scenario 3: a provider storm. 30 % of requests answer 5xx and 10 % lose their connection (half of
 * each after the operation took effect), periodic bursts answer every request with a throttling
 * code, and some answers come seconds late. Every takedown must complete, in order.
 */
import { performance } from 'node:perf_hooks';
import type { ChaosContext } from '../lib/context';
import { stormPolicy } from '../lib/faults';
import { batchRows, completionChecks, expectAtLeast, type ScenarioResult } from '../lib/result';
import { runBans } from '../lib/bans';
import { finishBatch, seedBatch, startBatch } from '../lib/takedowns';

export async function providerStorms(ctx: ChaosContext): Promise<ScenarioResult> {
  const began = performance.now();
  const { takedowns } = ctx.sizes.storm;
  const batch = await seedBatch(ctx, 'storm', takedowns);
  const storm = stormPolicy({
    rng: ctx.rng,
    serverErrorRate: 0.3,
    dropRate: 0.1,
    latencySpikeRate: 0.05,
    latencySpikeMs: [1_000, 3_000],
    // Quick mode sees fewer bursts: each one pushes ZEGO retries out by seconds (backoff ≥ 1 s, doubling).
    burstEveryMs: ctx.quick ? 8_000 : 5_000,
    burstMs: ctx.quick ? 600 : 800,
  });
  ctx.sandbox.setPolicy(storm.policy);
  try {
    const bans = runBans(ctx, 'storm', ctx.mainQueue);
    await startBatch(ctx, batch, ctx.mainQueue, ctx.quick ? 100 : 60);
    const outcome = await finishBatch(ctx, batch, 300_000);
    const banned = await bans;
    const c = storm.counts;
    const answered = Object.values(c).reduce((a, b) => a + b, 0);
    const pct = (n: number) => `${n} (${answered ? ((100 * n) / answered).toFixed(1) : '0'} %)`;
    return {
      id: 'provider-storms',
      title: '3. Provider storms (30 % 5xx, 10 % dropped connections, throttling bursts, latency spikes)',
      durationMs: performance.now() - began,
      rows: [
        ['takedowns started', String(takedowns)],
        ['provider requests under the storm', String(answered)],
        ['5xx answers (of which after the operation took effect)', `${pct(c.serverError + c.serverErrorAfterEffect)} (${c.serverErrorAfterEffect})`],
        ['dropped connections (of which after the operation took effect)', `${pct(c.drop + c.dropAfterEffect)} (${c.dropAfterEffect})`],
        ['throttled in bursts (ZEGO 206 / 110200191, Agora 429)', pct(c.throttleBurst)],
        ['latency spikes (1–3 s)', pct(c.latencySpike)],
        ['step attempts max', String(outcome.maxAttempts)],
        ...batchRows(outcome),
        ...banned.rows,
      ],
      figures: {
        takedowns,
        injected: c,
        completed: outcome.completed,
        failures: outcome.failures,
        latencyMs: outcome.latency,
        attempts: outcome.attempts,
        maxAttempts: outcome.maxAttempts,
        writes: outcome.analysis.writes,
        orderViolations: outcome.analysis.orderViolations.length,
        racingRequests: outcome.analysis.racingRequests,
        providerThrottles: outcome.analysis.providerThrottles,
        bans: banned.figures,
      },
      checks: [
        ...banned.checks,
        ...completionChecks(outcome, takedowns),
        expectAtLeast('5xx answers injected', c.serverError + c.serverErrorAfterEffect, 1),
        expectAtLeast('dropped connections injected', c.drop + c.dropAfterEffect, 1),
        expectAtLeast('throttling answers injected', c.throttleBurst, 1),
      ],
    };
  } finally {
    ctx.sandbox.setPolicy(undefined);
  }
}
