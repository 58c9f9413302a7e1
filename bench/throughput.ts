/**
 * Sustained throughput with every rate limit lifted: a closed loop keeps `concurrency` ZEGO
 * takedowns in flight; completions are counted over a fixed window after a short warm-up, while
 * the worker's and the dev server's CPU and the worker's memory are sampled.
 */
import { setMaxListeners } from 'node:events';
import { startTakedown } from '../src/client';
import { preciseNow } from '../src/sandbox/request-log';
import { withTimeout } from '../harness/retry';
import { BENCH_APPS, BENCH_TASK_QUEUE, type BenchStack } from './stack';
import { summarize, type Summary } from '../harness/stats';
import { seedTargets } from './targets';
import { CpuMeter, cpuMsPerTakedown, readTree, type CpuDelta, type CpuPerTakedown } from './procstat';

/** How long and how wide the throughput loop runs. */
export interface ThroughputSpec {
  concurrency: number;
  warmupSeconds: number;
  measureSeconds: number;
  /** Streams seeded up front; the loop stops early (and says so) if it runs out. */
  seeded: number;
}

/** Sustained rate and the resources it took. */
export interface ThroughputResult {
  concurrency: number;
  measureSeconds: number;
  /** Takedowns completed inside the measured window. */
  completed: number;
  takedownsPerSecond: number;
  /** Provider requests per second that arrived at the sandbox inside the window. */
  providerRequestsPerSecond: number;
  /** Start call → result, for takedowns completed inside the window. */
  toCompleted: Summary;
  cpu: Record<string, CpuDelta>;
  /** CPU ms of the worker's and the dev server's process trees over the window / `completed`. */
  cpuMsPerTakedown: CpuPerTakedown;
  /** Highest worker RSS sampled during the window (every 250 ms), MiB. */
  workerPeakRssMiB: number;
  /** The worker's lifetime peak (VmHWM) at the end, which includes bundling the workflow code at start, MiB. */
  workerLifetimePeakRssMiB: number;
  devServerPeakRssMiB: number;
  ranOutOfTargets: boolean;
}

/** Runs the closed loop for warm-up + window and reports completions inside the window. */
export async function runThroughput(stack: BenchStack, spec: ThroughputSpec): Promise<ThroughputResult> {
  const { control } = stack.sandbox;
  await control.reset();
  await control.configure({ latencyMs: 0 });
  const targets = await seedTargets(control, 'zego', spec.seeded, BENCH_APPS.open.appId);

  const start = preciseNow();
  const windowStart = start + spec.warmupSeconds * 1000;
  const windowEnd = windowStart + spec.measureSeconds * 1000;
  const meter = new CpuMeter(stack.pids);
  let metered = false;
  let workerPeak = 0;
  let devPeak = 0;
  const sampler = setInterval(() => {
    const now = preciseNow();
    if (!metered && now >= windowStart) {
      meter.begin();
      metered = true;
    }
    if (now >= windowStart && now <= windowEnd) {
      workerPeak = Math.max(workerPeak, readTree(stack.pids.worker).rssMiB);
      devPeak = Math.max(devPeak, readTree(stack.pids.devServer).rssMiB);
    }
  }, 250);

  // Takedowns still in flight when the window closes are abandoned: their result long-polls are
  // aborted so that nothing is left calling the server once the stack stops.
  const abandon = new AbortController();
  setMaxListeners(0, abandon.signal); // one listener per call in flight, on every lane
  let next = 0;
  let completed = 0;
  const latencies: number[] = [];
  let cpu: Record<string, CpuDelta> | undefined;
  const lane = async () => {
    while (preciseNow() < windowEnd && next < targets.length) {
      const target = targets[next++]!;
      const t0 = preciseNow();
      await stack.client.connection.withAbortSignal(abandon.signal, async () => {
        const handle = await startTakedown(stack.client, target.request, { taskQueue: BENCH_TASK_QUEUE });
        await handle.result();
      });
      const done = preciseNow();
      if (done >= windowStart && done < windowEnd) {
        completed++;
        latencies.push(done - t0);
      }
    }
  };
  const endMeter = setTimeout(() => {
    cpu = meter.end();
  }, windowEnd - preciseNow());
  const lanes = Promise.all(Array.from({ length: spec.concurrency }, lane));
  lanes.catch(() => undefined); // abandoned lanes reject with the abort; that is expected
  const windowClosed = new Promise<void>((resolve) => setTimeout(resolve, Math.max(0, windowEnd - preciseNow()) + 250));
  try {
    await withTimeout(Promise.race([lanes, windowClosed]), windowEnd - preciseNow() + 30_000, 'throughput phase');
  } finally {
    abandon.abort();
    clearInterval(sampler);
    clearTimeout(endMeter);
  }
  cpu ??= meter.end();
  const log = await control.requests({ provider: 'zego' });
  const inWindow = log.filter((r) => r.at >= windowStart && r.at < windowEnd).length;
  return {
    concurrency: spec.concurrency,
    measureSeconds: spec.measureSeconds,
    completed,
    takedownsPerSecond: completed / spec.measureSeconds,
    providerRequestsPerSecond: inWindow / spec.measureSeconds,
    toCompleted: summarize(latencies),
    cpu,
    cpuMsPerTakedown: cpuMsPerTakedown(cpu, completed),
    workerPeakRssMiB: workerPeak,
    workerLifetimePeakRssMiB: readTree(stack.pids.worker).peakRssMiB,
    devServerPeakRssMiB: devPeak,
    ranOutOfTargets: next >= targets.length,
  };
}
