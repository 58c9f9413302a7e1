/**
 * Scenario 4: both providers answer every request with 503. A short outage (within the step
 * budget): takedowns wait and complete once it ends. A long one (past the budget): every takedown
 * fails `ProviderUnavailable`, visible through the TakedownOutcome search attribute and the
 * worker's `takedown_takedowns` metric, and its message names provider, action and code.
 */
import { request } from 'undici';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import type { ChaosContext } from '../lib/context';
import { outagePolicy } from '../lib/faults';
import { batchRows, completionChecks, expectAtLeast, expectEqual, orderChecks, type Check, type ScenarioResult } from '../lib/result';
import { fmt } from '../../harness/stats';
import { finishBatch, seedBatch, startBatch } from '../lib/takedowns';

/** Sum of `takedown_takedowns{outcome="ProviderUnavailable"}` over the outage workers' endpoints. */
async function unavailableMetric(endpoints: readonly string[]): Promise<{ total: number; lines: string[] }> {
  let total = 0;
  const lines: string[] = [];
  for (const endpoint of endpoints) {
    const text = await (await request(`http://${endpoint}/metrics`)).body.text();
    for (const line of text.split('\n')) {
      if (!line.startsWith('takedown_takedowns') || !line.includes('outcome="ProviderUnavailable"')) continue;
      lines.push(line);
      total += Number(line.trim().split(/\s+/).pop());
    }
  }
  return { total, lines };
}

export async function providerOutage(ctx: ChaosContext): Promise<ScenarioResult> {
  const began = performance.now();
  const { shortTakedowns, shortOutageMs, longTakedowns, stepBudgetMs } = ctx.sizes.outage;

  // Short outage: takedowns arrive during it and must wait it out.
  const short = await seedBatch(ctx, 'outage-short', shortTakedowns);
  const shortOutage = outagePolicy();
  ctx.sandbox.setPolicy(shortOutage.policy);
  const shortStarted = performance.now();
  await startBatch(ctx, short, ctx.outageQueue, Math.min(100, shortOutageMs / 2 / shortTakedowns));
  await sleep(Math.max(0, shortOutageMs - (performance.now() - shortStarted)));
  ctx.sandbox.setPolicy(undefined);
  const shortEnded = Date.now();
  ctx.log(`short outage over after ${Math.round(performance.now() - shortStarted)} ms (${shortOutage.counts.answered503} answers 503)`);
  const shortOutcome = await finishBatch(ctx, short, 120_000);
  const recoveredAfter = Math.max(0, ...shortOutcome.records.map((r) => (r.closeMs ?? 0) - shortEnded));

  // Long outage: longer than the step budget, so every takedown must fail loudly.
  const long = await seedBatch(ctx, 'outage-long', longTakedowns);
  const longOutage = outagePolicy();
  ctx.sandbox.setPolicy(longOutage.policy);
  const longStarted = performance.now();
  let longOutcome;
  try {
    await startBatch(ctx, long, ctx.outageQueue, 50);
    longOutcome = await finishBatch(ctx, long, stepBudgetMs + 60_000);
  } finally {
    ctx.sandbox.setPolicy(undefined);
  }
  const longMs = performance.now() - longStarted;
  ctx.log(`long outage over after ${Math.round(longMs)} ms (${longOutage.counts.answered503} answers 503)`);

  const failed = longOutcome.records.filter((r) => r.failure?.type === 'ProviderUnavailable');
  const loud = failed.filter((r) => /(ZEGO|zego|Agora|agora)/.test(r.failure!.message) && /(DeleteStream|DeleteStreamKey|FindSessions|KickoutUser|StopMix|ForceDisconnect)/.test(r.failure!.message) && /503/.test(r.failure!.message));
  const attribute = failed.filter((r) => r.searchAttributes.TakedownOutcome === 'ProviderUnavailable').length;
  const visible = await ctx.temporal.retry(() => ctx.temporal.client.workflow.count(`TakedownViolationId STARTS_WITH "${long.prefix}" AND TakedownOutcome = "ProviderUnavailable"`));
  const metric = await unavailableMetric(ctx.outageMetrics);
  const example = failed[0]?.failure?.message ?? '(none)';

  const checks: Check[] = [
    ...completionChecks(shortOutcome, shortTakedowns).map((c) => ({ ...c, name: `short outage: ${c.name}` })),
    { name: 'long outage: all takedowns closed in time', ok: longOutcome.allClosed, detail: String(longOutcome.allClosed) },
    expectEqual('long outage: takedowns failed ProviderUnavailable', failed.length, longTakedowns),
    expectEqual('long outage: failure messages naming provider, action and code 503', loud.length, longTakedowns),
    expectEqual('long outage: TakedownOutcome = "ProviderUnavailable" (visibility query)', visible.count, longTakedowns),
    expectEqual('long outage: TakedownOutcome search attribute on each failed run', attribute, longTakedowns),
    expectAtLeast('long outage: takedown_takedowns{outcome="ProviderUnavailable"} on the workers\' /metrics', metric.total, longTakedowns),
    ...orderChecks(longOutcome).map((c) => ({ ...c, name: `long outage: ${c.name}` })),
    expectEqual('long outage: provider requests answered without the injected 503', longOutcome.analysis.unfaulted, 0),
  ];
  return {
    id: 'provider-outage',
    title: '4. Provider outage (every answer 503, then healthy; and longer than the retry budget)',
    durationMs: performance.now() - began,
    rows: [
      ['step budget (TAKEDOWN_STEP_BUDGET) of the outage workers', `${stepBudgetMs} ms`],
      ['short outage: length, takedowns, answers 503', `${shortOutageMs} ms, ${shortTakedowns}, ${shortOutage.counts.answered503}`],
      ['short outage: completed', `${shortOutcome.completed} of ${shortTakedowns}`],
      ['short outage: last takedown closed after the outage ended', `${recoveredAfter} ms`],
      ['short outage: step attempts (distribution)', Object.entries(shortOutcome.attempts).map(([k, v]) => `${k}: ${v}`).join(', ')],
      ['long outage: length, takedowns, answers 503', `${Math.round(longMs)} ms, ${longTakedowns}, ${longOutage.counts.answered503}`],
      ['long outage: failed ProviderUnavailable', `${failed.length} of ${longTakedowns}`],
      ['long outage: start → failure p50 / max', `${fmt(longOutcome.latency.p50, 0)} / ${fmt(longOutcome.latency.max, 0)} ms`],
      ['long outage: visible as TakedownOutcome = "ProviderUnavailable"', `${visible.count} (visibility query), ${attribute} (per run)`],
      ['long outage: takedown_takedowns{outcome="ProviderUnavailable"}', `${metric.total} (sum over ${ctx.outageMetrics.length} worker endpoint(s))`],
      ['long outage: example failure message', example],
      ...batchRows(shortOutcome).map(([k, v]): [string, string] => [`short outage: ${k}`, v]),
    ],
    figures: {
      stepBudgetMs,
      short: { takedowns: shortTakedowns, outageMs: shortOutageMs, answered503: shortOutage.counts.answered503, completed: shortOutcome.completed, recoveredAfterMs: recoveredAfter, attempts: shortOutcome.attempts, failures: shortOutcome.failures },
      long: {
        takedowns: longTakedowns,
        outageMs: Math.round(longMs),
        answered503: longOutage.counts.answered503,
        providerUnavailable: failed.length,
        loudMessages: loud.length,
        searchAttributeCount: visible.count,
        metricProviderUnavailable: metric.total,
        metricLines: metric.lines,
        exampleMessage: example,
        failures: longOutcome.failures,
        timeToFailMs: longOutcome.latency,
      },
    },
    checks,
  };
}
