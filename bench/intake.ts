/**
 * The classifier intake's answer latency: signed ZEGO censor REJECT results sent at a fixed rate
 * (open loop) over HTTP on 127.0.0.1 into the real intake (Fastify, in this process, as
 * `npm run intake` builds it), each for a stream of its own, timed from sending to the 2xx. In the
 * same run and at the same rate, two paths without HTTP are timed on the intake's Temporal
 * connection: the intake's Temporal calls alone (`startOnce`: the de-duplication lookup, then the
 * start) and its start call alone (`startTakedown` with the delivery's request id and conflict
 * policy FAIL), so the intake's cost over the start call can be read off, and split into the
 * lookup and the HTTP side. The paths take turns in short blocks within one step, so all three see
 * the same server, backlog and machine.
 *
 * The step search runs on a task queue no worker polls: the takedowns are accepted by Temporal
 * but not executed, because this machine's 2 cores cannot also run 100 takedowns/s (the
 * throughput cell sustains ~16/s) and would then measure the backlog, not the intake. One short
 * loaded step sends the takedowns to the worker instead and follows them to their DeleteStream.
 */
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { request } from 'undici';
import { startTakedown, takedownWorkflowId } from '../src/client';
import { deliveryRequestId, startOnce } from '../src/intake/dedup';
import { DEFAULT_TEMPORAL_BUDGET_MS, Intake } from '../src/intake/intake';
import { jsonLogger } from '../src/intake/logging';
import { createMetrics } from '../src/intake/metrics';
import { parsePolicy } from '../src/intake/policy';
import { createIntakeServer } from '../src/intake/server';
import { connectTemporal, type IntakeTemporal } from '../src/intake/temporal';
import { preciseNow } from '../src/sandbox/request-log';
import type { TakedownRequest } from '../src/workflows/request';
import { zegoCensorResult } from '../test/unit/intake/senders';
import { summarize, type Summary } from '../harness/stats';
import { CpuMeter, readTree, type CpuDelta } from './procstat';
import { BENCH_APPS, BENCH_TASK_QUEUE, type BenchStack } from './stack';

/** Sizes and bounds of the intake cell. */
export interface IntakeSpec {
  /** Rates of the step search, verdicts per second, ascending. */
  rates: number[];
  /** The rate whose figures are the headline; the search always runs up to it. */
  headlineRate: number;
  /** Measured seconds per path (intake, lookup + start, start call) in each step. */
  secondsPerPath: number;
  /** The paths alternate every this many seconds within a step. */
  blockSeconds: number;
  /** Seconds of both paths at the lowest rate before the search, not measured. */
  warmupSeconds: number;
  /** Past this the search starts no further step (and says so). */
  searchBudgetSeconds: number;
  /** The loaded step: into the worker's queue, each takedown followed to its DeleteStream. */
  loaded: { rate: number; secondsPerPath: number; waitSeconds: number };
}

/** What a step must show to "hold" its rate. */
export const INTAKE_HOLD = {
  /** Answer p99, ms. */
  p99Ms: 100,
  /** Share of the asked rate the sender reached (it shares this process with the intake). */
  minRateShare: 0.95,
} as const;

/** The goal for the intake's cost: answer p99 minus start-call p99 at the headline rate, ms. */
export const INTAKE_ADDED_P99_GOAL_MS = 5;

/**
 * The three ways a delivery's takedown is started, timed side by side: over HTTP through the
 * intake; the intake's Temporal calls alone (lookup + start); the start call alone.
 */
export const INTAKE_PATHS = ['intake', 'lookup', 'start'] as const;
export type IntakePath = (typeof INTAKE_PATHS)[number];

/** Which task queue a step's takedowns go to. */
export const INTAKE_QUEUE = { unpolled: 'unpolled', worker: 'worker' } as const;
export type IntakeQueue = (typeof INTAKE_QUEUE)[keyof typeof INTAKE_QUEUE];

/** One step: both paths at one rate. */
export interface IntakeStep {
  rate: number;
  queue: IntakeQueue;
  secondsPerPath: number;
  /** Send → 2xx answer of the intake, first deliveries (ms; answers that were not 2xx are left out and counted in `statuses`). */
  intake: Summary;
  /** The intake's Temporal calls without HTTP: lookup, then start (ms; failures left out, counted in `failures`). */
  lookupAndStart: Summary;
  /** The bare start call (ms; failures left out, counted in `failures`). */
  startCall: Summary;
  /** The intake's HTTP answers by status code (`0`: no answer). */
  statuses: Record<string, number>;
  /** Calls of the paths without HTTP that threw. */
  failures: { lookup: number; start: number };
  /** Deliveries per second the sender reached over the step (both paths). */
  achievedRate: number;
  /** p99 of how late the sender was against the schedule, ms (this process's event loop). */
  senderLagP99Ms: number;
  cpu: Record<string, CpuDelta>;
  held: boolean;
  /** Loaded step: send → the takedown's DeleteStream at the sandbox, for each path (ms). */
  toProvider?: { intake: Summary; lookupAndStart: Summary; startCall: Summary; missing: number };
}

/** Everything the cell measured. */
export interface IntakeResult {
  spec: IntakeSpec;
  hold: typeof INTAKE_HOLD;
  addedP99GoalMs: number;
  /** The search steps, in the order they ran. */
  steps: IntakeStep[];
  /** Highest rate held with every lower step held too; null when the lowest did not hold. */
  highestHeld: number | null;
  /** Why the search ended: a step above the headline failed, the rates ran out, or the time bound. */
  searchEnded: 'failed' | 'rates' | 'time';
  loaded: IntakeStep;
}

/** The ZEGO callback secret the in-process intake verifies with. */
const SECRET = 'bench-zego-callback-secret';
/** Where the step search's takedowns go: no worker polls it, so they are accepted and never run. */
export const UNPOLLED_TASK_QUEUE = 'bench-intake-unpolled';

interface OpenIntake {
  url: string;
  close(): Promise<void>;
}

/** The intake as `npm run intake` builds it (INFO JSON logs, formatted and dropped), on a free port. */
async function openIntake(temporal: IntakeTemporal, taskQueue: string): Promise<OpenIntake> {
  const logger = jsonLogger('INFO', () => {});
  const metrics = createMetrics();
  const intake = new Intake({
    client: temporal.client,
    connection: temporal.connection,
    taskQueue,
    policy: parsePolicy({ rules: [{ source: 'zego-censor', match: { riskLevel: 'REJECT' }, action: 'takedown' }] }),
    logger,
    metrics,
  });
  const app = createIntakeServer({ config: { zegoCallbackSecret: SECRET }, intake, logger, metrics });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const { port } = app.server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, close: () => app.close() };
}

let batch = 0;

/** One delivery's stream. */
interface Slot {
  path: IntakePath;
  roomId: string;
  streamId: string;
  userId: string;
}

interface Sent {
  slot: Slot;
  sentAt: number;
  ms?: number;
  status?: number;
}

/** The intake's Temporal calls for a first delivery, made directly: the lookup and the start, or the start alone. */
async function withoutHttp(temporal: IntakeTemporal, slot: Slot, taskQueue: string, lookup: boolean): Promise<void> {
  const key = `bench-${slot.roomId}`;
  const request: TakedownRequest = {
    violationId: `zego-censor:${key}`,
    reason: 'ZEGO censor REJECT: porn, sexy, sexy',
    target: { provider: 'zego', appId: BENCH_APPS.open.appId, roomId: slot.roomId, streamId: slot.streamId, userId: slot.userId },
  };
  const workflowId = takedownWorkflowId(request.target);
  const requestId = deliveryRequestId('zego-censor', key);
  const start = (workflowIdConflictPolicy: 'FAIL' | 'USE_EXISTING') => startTakedown(temporal.client, request, { taskQueue, workflowId, requestId, workflowIdConflictPolicy });
  if (!lookup) {
    await start('FAIL');
    return;
  }
  // As the intake runs them: under its deadline for the Temporal calls of one delivery.
  await temporal.connection.withDeadline(Date.now() + DEFAULT_TEMPORAL_BUDGET_MS, () => startOnce(temporal.client, workflowId, requestId, start));
}

/** The signed censor result for a slot, as ZEGO would send it (made before the clock starts). */
function censorBody(slot: Slot): string {
  return JSON.stringify(
    zegoCensorResult(SECRET, { appId: BENCH_APPS.open.appId, roomId: slot.roomId, streamId: slot.streamId, userId: slot.userId, resultTaskId: `bench-${slot.roomId}` }),
  );
}

async function sendToIntake(intake: OpenIntake, body: string): Promise<number> {
  const res = await request(`${intake.url}/zego/censor`, { method: 'POST', body, headers: { 'content-type': 'application/json' } });
  await res.body.dump();
  return res.statusCode;
}

/** How one step runs. */
interface StepRun {
  rate: number;
  secondsPerPath: number;
  blockSeconds: number;
  queue: IntakeQueue;
  /** Which path takes the first block (an index into {@link INTAKE_PATHS}); steps rotate it. */
  firstPath: number;
  /** Seeds the step's streams before anything is sent (the loaded step: its takedowns run). */
  seed?: (slots: Slot[]) => Promise<void>;
}

/** The two paths at one rate, alternating in blocks; every send on the sandbox's clock. */
async function runStep(stack: BenchStack, temporal: IntakeTemporal, intake: OpenIntake, run: StepRun): Promise<{ sent: Sent[]; lags: number[]; cpu: Record<string, CpuDelta>; seconds: number }> {
  const total = Math.round(run.rate * run.secondsPerPath * INTAKE_PATHS.length);
  const perBlock = Math.max(1, run.rate * run.blockSeconds);
  const prefix = `ik${++batch}`;
  const slots: Slot[] = Array.from({ length: total }, (_, i) => ({
    path: INTAKE_PATHS[(Math.floor(i / perBlock) + run.firstPath) % INTAKE_PATHS.length]!,
    roomId: `${prefix}n${i}`,
    streamId: `s-${prefix}n${i}`,
    userId: `host-${prefix}n${i}`,
  }));
  await run.seed?.(slots);
  const taskQueue = run.queue === INTAKE_QUEUE.worker ? BENCH_TASK_QUEUE : UNPOLLED_TASK_QUEUE;
  const sent: Sent[] = [];
  const lags: number[] = [];
  const inFlight: Promise<void>[] = [];
  const meter = new CpuMeter(stack.pids);
  meter.begin();
  const t0 = preciseNow() + 5;
  for (let i = 0; i < total; i++) {
    const due = t0 + (i * 1000) / run.rate;
    const wait = due - preciseNow();
    if (wait > 0) await sleep(wait);
    const slot = slots[i]!;
    const body = slot.path === 'intake' ? censorBody(slot) : '';
    const entry: Sent = { slot, sentAt: preciseNow() };
    lags.push(entry.sentAt - due);
    sent.push(entry);
    inFlight.push(
      (slot.path === 'intake' ? sendToIntake(intake, body) : withoutHttp(temporal, slot, taskQueue, slot.path === 'lookup').then(() => 200))
        .then((status) => {
          entry.ms = preciseNow() - entry.sentAt;
          entry.status = status;
        })
        .catch(() => {
          entry.status = 0;
        }),
    );
  }
  const lastSent = preciseNow();
  await Promise.all(inFlight);
  const cpu = meter.end();
  return { sent, lags, cpu, seconds: (lastSent - t0) / 1000 + 1 / run.rate };
}

function stepResult(run: StepRun, out: Awaited<ReturnType<typeof runStep>>): IntakeStep {
  const ok = (path: Slot['path']) => out.sent.filter((s) => s.slot.path === path && s.status !== undefined && s.status >= 200 && s.status < 300).map((s) => s.ms!);
  const statuses: Record<string, number> = {};
  for (const s of out.sent) if (s.slot.path === 'intake') statuses[String(s.status)] = (statuses[String(s.status)] ?? 0) + 1;
  const failures = { lookup: 0, start: 0 };
  for (const s of out.sent) if (s.slot.path !== 'intake' && s.status === 0) failures[s.slot.path]++;
  const intake = summarize(ok('intake'));
  const achievedRate = out.sent.length / out.seconds;
  const allAnswered = Object.keys(statuses).every((code) => code.startsWith('2'));
  return {
    rate: run.rate,
    queue: run.queue,
    secondsPerPath: run.secondsPerPath,
    intake,
    lookupAndStart: summarize(ok('lookup')),
    startCall: summarize(ok('start')),
    statuses,
    failures,
    achievedRate,
    senderLagP99Ms: summarize(out.lags).p99,
    cpu: out.cpu,
    held: allAnswered && failures.lookup + failures.start === 0 && intake.p99 <= INTAKE_HOLD.p99Ms && achievedRate >= run.rate * INTAKE_HOLD.minRateShare,
  };
}

/** The highest rate held with every lower rate held too. */
export function highestHeld(steps: readonly Pick<IntakeStep, 'rate' | 'held'>[]): number | null {
  let best: number | null = null;
  for (const step of [...steps].sort((a, b) => a.rate - b.rate)) {
    if (!step.held) break;
    best = step.rate;
  }
  return best;
}

/** Seeds the loaded step's streams, so that each takedown finds its stream live. */
function seedRooms(stack: BenchStack) {
  return async (slots: Slot[]) => {
    for (let i = 0; i < slots.length; i += 500) {
      await stack.sandbox.control.seedZego({
        appId: BENCH_APPS.open.appId,
        rooms: slots.slice(i, i + 500).map((s) => ({ roomId: s.roomId, users: [s.userId], streams: [{ streamId: s.streamId, userId: s.userId }] })),
      });
    }
  };
}

/** Waits until every slot's DeleteStream reached the sandbox, or `waitSeconds`; returns send → arrival per path. */
async function followToProvider(stack: BenchStack, sent: Sent[], waitSeconds: number): Promise<NonNullable<IntakeStep['toProvider']>> {
  const wanted = new Set(sent.map((s) => s.slot.roomId));
  const deadline = Date.now() + waitSeconds * 1000;
  let arrivals = new Map<string, number>();
  for (;;) {
    const deletes = await stack.sandbox.control.requests({ provider: 'zego', operation: 'DeleteStream' });
    arrivals = new Map();
    for (const d of deletes) if (d.params.roomId && wanted.has(d.params.roomId) && !arrivals.has(d.params.roomId)) arrivals.set(d.params.roomId, d.at);
    if (arrivals.size >= wanted.size || Date.now() > deadline) break;
    await sleep(1000);
  }
  const toProvider = (path: Slot['path']) => sent.filter((s) => s.slot.path === path && arrivals.has(s.slot.roomId)).map((s) => arrivals.get(s.slot.roomId)! - s.sentAt);
  return { intake: summarize(toProvider('intake')), lookupAndStart: summarize(toProvider('lookup')), startCall: summarize(toProvider('start')), missing: wanted.size - arrivals.size };
}

/** Below this share of a core over a second the Temporal server counts as idle. */
const IDLE_SERVER_CORES = 0.25;

/**
 * Waits, for at most `timeoutMs`, until the stack is idle: no provider request and the Temporal
 * server under {@link IDLE_SERVER_CORES} for a second. Takedowns an earlier cell abandoned (the
 * throughput loop's) run on for seconds, and a step past the server's capacity leaves it busy.
 */
export async function untilIdle(stack: BenchStack, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let requests = (await stack.sandbox.control.requests()).length;
  while (Date.now() < deadline) {
    const before = readTree(stack.pids.devServer).cpuSeconds;
    await sleep(1000);
    const cores = readTree(stack.pids.devServer).cpuSeconds - before;
    const now = (await stack.sandbox.control.requests()).length;
    if (now === requests && cores < IDLE_SERVER_CORES) return;
    requests = now;
  }
}

/** Runs the warm-up, the step search on the unpolled queue, and the loaded step. */
export async function runIntakeCell(stack: BenchStack, spec: IntakeSpec, log: (line: string) => void = () => {}): Promise<IntakeResult> {
  await stack.sandbox.control.reset();
  await stack.sandbox.control.configure({ latencyMs: 0 });
  await untilIdle(stack, 60_000);
  const temporal = connectTemporal({ temporal: { address: stack.server.address, namespace: 'default' } });
  const unpolled = await openIntake(temporal, UNPOLLED_TASK_QUEUE);
  const loadedIntake = await openIntake(temporal, BENCH_TASK_QUEUE);
  const describe = (s: IntakeStep) =>
    `intake ${s.rate}/s (${s.queue}): answer p50 ${s.intake.p50.toFixed(1)} p99 ${s.intake.p99.toFixed(1)} ms, start call p50 ${s.startCall.p50.toFixed(1)} p99 ${s.startCall.p99.toFixed(1)} ms, ` +
    `sent ${s.achievedRate.toFixed(0)}/s, ${s.held ? 'held' : 'not held'}`;
  try {
    const base = { blockSeconds: spec.blockSeconds, queue: INTAKE_QUEUE.unpolled, firstPath: 0 };
    // Warm-up: connection, JIT, the server's caches for the queue.
    await runStep(stack, temporal, unpolled, { ...base, rate: spec.rates[0]!, secondsPerPath: spec.warmupSeconds / INTAKE_PATHS.length });
    await runStep(stack, temporal, loadedIntake, { ...base, rate: spec.rates[0]!, secondsPerPath: 0.2 });

    const steps: IntakeStep[] = [];
    const searchDeadline = Date.now() + spec.searchBudgetSeconds * 1000;
    let searchEnded: IntakeResult['searchEnded'] = 'rates';
    for (const [index, rate] of spec.rates.entries()) {
      if (Date.now() + spec.secondsPerPath * INTAKE_PATHS.length * 1000 > searchDeadline) {
        searchEnded = 'time';
        break;
      }
      const run = { ...base, rate, secondsPerPath: spec.secondsPerPath, firstPath: index % INTAKE_PATHS.length };
      const step = stepResult(run, await runStep(stack, temporal, unpolled, run));
      steps.push(step);
      log(describe(step));
      if (!step.held && rate >= spec.headlineRate) {
        searchEnded = 'failed';
        break;
      }
    }

    await untilIdle(stack, 60_000);
    const loadedRun = { ...base, queue: INTAKE_QUEUE.worker, rate: spec.loaded.rate, secondsPerPath: spec.loaded.secondsPerPath, seed: seedRooms(stack) };
    const loadedOut = await runStep(stack, temporal, loadedIntake, loadedRun);
    const loaded = { ...stepResult(loadedRun, loadedOut), toProvider: await followToProvider(stack, loadedOut.sent, spec.loaded.waitSeconds) };
    log(`${describe(loaded)}; verdict → DeleteStream p50 ${loaded.toProvider.intake.p50.toFixed(0)} ms (${loaded.toProvider.missing} not arrived)`);
    return { spec, hold: INTAKE_HOLD, addedP99GoalMs: INTAKE_ADDED_P99_GOAL_MS, steps, highestHeld: highestHeld(steps), searchEnded, loaded };
  } finally {
    await unpolled.close();
    await loadedIntake.close();
    await temporal.close();
  }
}
