/**
 * Rate-limit fidelity: a burst of ZEGO takedowns for one app whose DeleteStream is limited, read
 * back from the arrival times the sandbox logged (the provider's end is what counts).
 */
import { startTakedown } from '../src/client';
import { maxArrivalsInAnyWindow, preciseNow } from '../src/sandbox/request-log';
import { runBounded } from '../harness/pool';
import { withTimeout } from '../harness/retry';
import type { BenchPlan } from './plan';
import { BENCH_APPS, BENCH_TASK_QUEUE, type CellStack } from './stack';
import { seedTargets } from './targets';
import { CpuMeter, cpuMsPerTakedown, type CpuDelta, type CpuPerTakedown } from './procstat';

/** One burst: which app, its limit, how many takedowns. */
export interface BurstSpec {
  label: string;
  appId: number;
  /** The provider's limit for DeleteStream, set in the sandbox; the worker is configured to match. */
  limit: number;
  /** Dispatch rate of the worker's task queue (limit × headroom), for the report. */
  dispatchRate: number;
  n: number;
  timeoutMs: number;
}

/** What the provider saw during one burst. */
export interface BurstResult {
  label: string;
  n: number;
  limitPerSecond: number;
  dispatchRatePerSecond: number;
  /** Most DeleteStream arrivals in any sliding 1 s window. */
  maxInAnySecond: number;
  /** Most in one clock-aligned 1 s window (the sandbox's own counting). */
  maxInFixedSecond: number;
  /** ZEGO throttling answers (codes 206, 207, 110200191) to any request of the burst. */
  rejections: number;
  /** Burst start (first start call) → last DeleteStream arrival, seconds. */
  drainSeconds: number;
  /** N / limit. */
  minimumSeconds: number;
  /** (N / drainSeconds) / limit: how much of the allowed rate was used. */
  utilisation: number;
  /** Burst start → the last workflow's result, seconds. */
  allCompletedSeconds: number;
  /** From the first start call until every takedown of the burst completed. */
  cpu: Record<string, CpuDelta>;
  /** CPU ms of the worker's and the dev server's process trees over the burst / N (all complete). */
  cpuMsPerTakedown: CpuPerTakedown;
}

/** ZEGO's throttling answers: 206 (app QPS), 207 (room QPS), 110200191 (StopMix overload). */
export const THROTTLED: ReadonlySet<number> = new Set([206, 207, 110200191]);

/** Starts `n` takedowns at once against the limited app and measures what arrived at the provider. */
export async function runBurst(stack: CellStack, spec: BurstSpec): Promise<BurstResult> {
  const { control } = stack.sandbox;
  await control.reset();
  // Documented limits for the other steps, so a burst that spilled over them would show too.
  await control.configure({ latencyMs: 0, rateLimits: { 'zego.DeleteStream': spec.limit, 'zego.StopMix': 100, 'zego.KickoutUser': 50 } });
  const targets = await seedTargets(control, 'zego', spec.n, spec.appId);
  const deadline = Date.now() + spec.timeoutMs;
  const meter = new CpuMeter(stack.pids);
  try {
    meter.begin();
    const t0 = preciseNow();
    const handles: Awaited<ReturnType<typeof startTakedown>>[] = [];
    // Start calls go out 50 at a time: a classifier backlog arriving at once.
    await runBounded(targets.length, { concurrency: 50, deadlineMs: deadline }, async (i) => {
      handles.push(await startTakedown(stack.client, targets[i]!.request, { taskQueue: BENCH_TASK_QUEUE }));
    });
    await withTimeout(Promise.all(handles.map((h) => h.result())), Math.max(1000, deadline - Date.now()), `burst ${spec.label}`);
    const allCompletedSeconds = (preciseNow() - t0) / 1000;
    const cpu = meter.end();

    const log = (await control.requests({ provider: 'zego' })).filter((r) => r.appId === String(spec.appId));
    const deletes = log.filter((r) => r.operation === 'DeleteStream').map((r) => r.at);
    const fixed = new Map<number, number>();
    for (const at of deletes) fixed.set(Math.floor(at / 1000), (fixed.get(Math.floor(at / 1000)) ?? 0) + 1);
    const drainSeconds = (Math.max(...deletes) - t0) / 1000;
    const minimumSeconds = spec.n / spec.limit;
    return {
      label: spec.label,
      n: spec.n,
      limitPerSecond: spec.limit,
      dispatchRatePerSecond: spec.dispatchRate,
      maxInAnySecond: maxArrivalsInAnyWindow(deletes, 1000),
      maxInFixedSecond: Math.max(...fixed.values()),
      rejections: log.filter((r) => r.code !== undefined && THROTTLED.has(r.code)).length,
      drainSeconds,
      minimumSeconds,
      utilisation: minimumSeconds / drainSeconds,
      allCompletedSeconds,
      cpu,
      cpuMsPerTakedown: cpuMsPerTakedown(cpu, spec.n),
    };
  } finally {
    await control.configure({ rateLimits: { 'zego.DeleteStream': Infinity, 'zego.StopMix': Infinity, 'zego.KickoutUser': Infinity } });
  }
}

/** One burst of the plan on its app, dispatched at its limit times the stack's headroom. */
export function runPlanBurst(stack: CellStack & { settings: Record<string, string | undefined> }, burst: BenchPlan['bursts'][number]): Promise<BurstResult> {
  const headroom = Number(stack.settings.TAKEDOWN_RATE_HEADROOM ?? '0.9');
  return runBurst(stack, {
    label: `DeleteStream ${burst.limit}/s${burst.app === 'limit10' ? ' (documented)' : ' (configured)'}`,
    appId: BENCH_APPS[burst.app].appId,
    limit: burst.limit,
    dispatchRate: burst.limit * headroom,
    n: burst.n,
    timeoutMs: 120_000,
  });
}
