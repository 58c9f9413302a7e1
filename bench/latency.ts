/**
 * Takedown latency through the whole stack, and the floor: the same provider requests made
 * directly, in order, with the same clients and no Temporal. Both are timed on the sandbox's clock
 * (this process), from just before the start call to the arrival of the enforcing request and to
 * completion.
 */
import { startTakedown } from '../src/client';
import { AgoraClient } from '../src/providers/agora';
import { ZegoClient } from '../src/providers/zego';
import { DEMO_AGORA_ACCOUNT } from '../src/sandbox/demo-accounts';
import { preciseNow } from '../src/sandbox/request-log';
import { runBounded } from '../harness/pool';
import { BENCH_APPS, BENCH_TASK_QUEUE, type CellStack } from './stack';
import { summarize, type Summary } from '../harness/stats';
import type { ProviderName } from '../src/providers/types';
import { arrivalsByToken, seedTargets, type BenchTarget } from './targets';
import { CpuMeter, type CpuDelta } from './procstat';
import { breakdownHistories, type HistoryBreakdown } from './profile';
import { takedownWorkflowId } from '../src/client';

/** One cell of the latency matrix. */
export interface LatencyCell {
  flow: ProviderName;
  mode: 'temporal' | 'floor';
  concurrency: number;
  providerLatencyMs: number;
  n: number;
  wallSeconds: number;
  /** Start call → arrival of the enforcing request (ZEGO KickoutUser, Agora ForceDisconnect). */
  toEnforced: Summary;
  /** Start call → the client sees the workflow's result (floor: the last answer is read). */
  toCompleted: Summary;
  /** Temporal only: how long `client.workflow.start` took. */
  startCall?: Summary;
  /** Provider requests per takedown seen at the sandbox (mean). */
  requestsPerTakedown: number;
  cpu: Record<string, CpuDelta>;
  /** Every measured takedown, in start order: ms to enforced and to completed (0.1 ms resolution). */
  samples: { toEnforced: number[]; toCompleted: number[] };
  /** Temporal only: where the server-side time went, averaged over a sample of the cell's histories. */
  breakdown?: HistoryBreakdown;
}

const tenth = (ms: number) => Math.round(ms * 10) / 10;

interface Sample {
  t0: number;
  done: number;
  started?: number;
}

/** A fresh provider pair per floor cell, like a worker's, pointed at the sandbox. */
function floorClients(url: string) {
  return {
    zego: new ZegoClient({ baseUrl: url, operatorUserId: 'takedown-operator', apps: [BENCH_APPS.open] }),
    agora: new AgoraClient({ baseUrl: url, ...DEMO_AGORA_ACCOUNT }),
  };
}

/** The provider requests of one takedown, made directly in the workflow's order. */
async function directTakedown(clients: ReturnType<typeof floorClients>, target: BenchTarget): Promise<void> {
  const t = target.request.target;
  const outcomes: string[] = [];
  if (t.provider === 'zego') {
    outcomes.push((await clients.zego.deleteStream(t.appId, { roomId: t.roomId, streamId: t.streamId })).outcome);
    for (const task of t.mixTasks ?? []) outcomes.push((await clients.zego.stopMix(t.appId, task)).outcome);
    outcomes.push((await clients.zego.kickoutUser(t.appId, { roomId: t.roomId, userIds: [t.userId], customReason: target.request.reason })).outcome);
  } else {
    const ref = { appId: t.appId, region: t.region };
    outcomes.push((await clients.agora.deleteStreamKey({ ...ref, streamKey: t.streamKey })).outcome);
    outcomes.push((await clients.agora.forceDisconnect({ ...ref, sid: target.sid! })).outcome);
    // The workflow looks once more for a session that reconnected before the key deletion landed.
    await clients.agora.listOnlineStreams({ ...ref, channel: t.channel });
  }
  if (outcomes.some((o) => o !== 'done')) throw new Error(`floor takedown ${target.token}: unexpected outcomes ${outcomes.join(',')}`);
}

/** What one latency cell runs. */
export interface CellSpec {
  flow: ProviderName;
  mode: 'temporal' | 'floor';
  concurrency: number;
  providerLatencyMs: number;
  n: number;
  warmup: number;
  /** Hard wall-clock bound for the whole cell. */
  timeoutMs: number;
  /** Soft budget for the measured part: past it no new takedown starts. */
  budgetMs: number;
  /** Histories to read for the time breakdown (Temporal cells). */
  breakdownSample: number;
}

/** Runs one cell: seed, warm up, measure, then read the arrivals from the sandbox log. */
export async function runLatencyCell(stack: CellStack, spec: CellSpec): Promise<LatencyCell> {
  const { control } = stack.sandbox;
  await control.reset();
  await control.configure({ latencyMs: spec.providerLatencyMs });
  const targets = await seedTargets(control, spec.flow, spec.warmup + spec.n, BENCH_APPS.open.appId);
  const warm = targets.slice(0, spec.warmup);
  let measured = targets.slice(spec.warmup);
  const deadline = Date.now() + spec.timeoutMs;
  const clients = spec.mode === 'floor' ? floorClients(stack.sandbox.url) : undefined;

  const one = async (target: BenchTarget): Promise<Sample> => {
    const t0 = preciseNow();
    if (clients) {
      await directTakedown(clients, target);
      return { t0, done: preciseNow() };
    }
    const handle = await startTakedown(stack.client, target.request, { taskQueue: BENCH_TASK_QUEUE });
    const started = preciseNow();
    const result = await handle.result();
    const done = preciseNow();
    if (result.outcome !== 'enforced') throw new Error(`takedown ${target.token} ended ${result.outcome}`);
    return { t0, done, started };
  };

  try {
    await runBounded(warm.length, { concurrency: spec.concurrency, deadlineMs: deadline }, async (i) => void (await one(warm[i]!)));
    const samples = new Map<string, Sample>();
    const meter = new CpuMeter(stack.pids);
    meter.begin();
    const wallStart = performance.now();
    const soft = Date.now() + spec.budgetMs;
    const started = await runBounded(measured.length, { concurrency: spec.concurrency, deadlineMs: deadline, softDeadlineMs: soft }, async (i) => {
      const target = measured[i]!;
      samples.set(target.token, await one(target));
    });
    measured = measured.slice(0, started);
    const wallSeconds = (performance.now() - wallStart) / 1000;
    const cpu = meter.end();

    const arrivals = arrivalsByToken(await control.requests(), measured);
    const toEnforced: number[] = [];
    const toCompleted: number[] = [];
    const startCall: number[] = [];
    let requests = 0;
    for (const target of measured) {
      const sample = samples.get(target.token)!;
      const arrival = arrivals.get(target.token);
      if (!arrival || arrival.enforced === 0) throw new Error(`no enforcing request logged for ${target.token}`);
      toEnforced.push(arrival.enforced - sample.t0);
      toCompleted.push(sample.done - sample.t0);
      if (sample.started !== undefined) startCall.push(sample.started - sample.t0);
      requests += arrival.requests;
    }
    return {
      flow: spec.flow,
      mode: spec.mode,
      concurrency: spec.concurrency,
      providerLatencyMs: spec.providerLatencyMs,
      n: measured.length,
      wallSeconds,
      toEnforced: summarize(toEnforced),
      toCompleted: summarize(toCompleted),
      ...(startCall.length ? { startCall: summarize(startCall) } : {}),
      requestsPerTakedown: requests / measured.length,
      cpu,
      samples: { toEnforced: toEnforced.map(tenth), toCompleted: toCompleted.map(tenth) },
      ...(spec.mode === 'temporal'
        ? {
            breakdown: await breakdownHistories(
              stack.client,
              measured
                .filter((_, i) => i % Math.max(1, Math.floor(measured.length / spec.breakdownSample)) === 0)
                .slice(0, spec.breakdownSample)
                .map((t) => takedownWorkflowId(t.request.target)),
            ),
          }
        : {}),
    };
  } finally {
    await Promise.all([clients?.zego.close(), clients?.agora.close()]);
  }
}
