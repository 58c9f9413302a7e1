/**
 * The raid cells: a mass takedown as a trust-and-safety team sees it. Hundreds of ZEGO takedowns
 * started at once (50 start calls in flight) into apps whose DeleteStream is limited at the
 * documented 10/s, on 1 to 24 worker processes, read back from the sandbox's arrival clock: when
 * the first stream was cut, how long the last one waited, how long each takedown waited for its
 * own cut, where the cuts stalled; what the worker processes and the server spent; what the
 * workers logged about refused polls and lost workflow tasks. The neighbour cell adds one takedown
 * in another app in the middle of a burst: does a raid in one app hold up everyone else?
 */
import { execFileSync } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { WorkflowFailedError, type Client, type WorkflowHandle } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { startTakedown } from '../src/client';
import { TAKEDOWN_WORKFLOW_TYPE } from '../src/workflows/definitions';
import { preciseNow } from '../src/sandbox/request-log';
import { mapBounded, runBounded } from '../harness/pool';
import { withTimeout } from '../harness/retry';
import { PROJECT_ROOT } from '../harness/worker';
import { untilIdle } from './intake';
import { pacerRuns, taskTimings, workflowTaskTrouble, type TaskTimings, type WorkflowTaskTrouble } from './raid-histories';
import { CpuMeter, cpuMsPerTakedown, type CpuDelta, type CpuPerTakedown } from './procstat';
import { analyseCell, firstArrival, type ArrivalAnalysis, type LoggedRequest, type StartedTakedown } from './raid-analysis';
import { RAID_LIMIT_PER_SECOND, burstSize, idealDrainSeconds, type RaidApp, type RaidCellName, type RaidCellSpec } from './raid-spec';
import { RAID_TASK_QUEUE, RaidWorkerPool, buildRaidBundle } from './raid-workers';
import { BENCH_APPS, type BenchStack } from './stack';
import { seedTargets, type BenchTarget } from './targets';
import { WorkerLogCounter, type WorkerLogCounts } from './worker-logs';

/** One app's burst within a cell. */
export interface RaidAppResult extends ArrivalAnalysis {
  app: RaidApp;
  appId: number;
}

/** The one takedown in another app, started during the burst (ms from its own start call). */
export interface NeighbourResult {
  /** Its bench app (`BENCH_APPS`), not one of the raid's. */
  app: string;
  appId: number;
  /** Its start call, ms after the burst's first. */
  startedAfterMs: number;
  toDeleteStreamMs: number;
  /** KickoutUser, the request that cuts the media. */
  toKickoutMs: number;
  /** Until the client had the workflow's result. */
  toResultMs: number;
  outcome: string;
  /** Its tasks' waits for a poller and runs, from its history; absent in results written before they were read. */
  taskTimings?: TaskTimings;
}

/** The burst's first cut, read from its takedown's history. */
export interface FirstCut {
  /** Its start call, ms after the burst's first. */
  startedAfterMs: number;
  toDeleteStreamMs: number;
  taskTimings: TaskTimings;
}

/** One raid cell's figures. */
export interface RaidCellResult {
  name: RaidCellName;
  workers: number;
  limitPerSecond: number;
  /** The whole burst (every app of the cell); per app in `apps`. */
  overall: ArrivalAnalysis;
  apps: RaidAppResult[];
  neighbour?: NeighbourResult;
  /** The takedown whose DeleteStream arrived first: when it started and where its time went. Absent in older results. */
  firstCut?: FirstCut;
  /** First start call → the last start call answered, s. */
  startCallsSeconds: number;
  /**
   * First start call → every takedown closed (the neighbour's too), s: seen in visibility, read
   * every 200 ms, so up to that much late. NaN when some were still open at the cell's deadline.
   */
  allCompletedSeconds: number;
  /** The takedowns' outcomes (`enforced` expected for all). */
  outcomes: Record<string, number>;
  /** From the first start call until every takedown completed; `worker` sums every worker process. */
  cpu: Record<string, CpuDelta>;
  /** CPU ms of all worker processes and of the dev server over the cell / takedowns (the neighbour's included). */
  cpuMsPerTakedown: CpuPerTakedown;
  /** Matching lines the workers logged from the first start call until every takedown completed. */
  logs: WorkerLogCounts;
  /** In the burst's takedown histories. */
  takedownTasks: WorkflowTaskTrouble;
  /** In the raid pacer runs, events within the cell only; undefined when they could not be listed. */
  pacerTasks?: WorkflowTaskTrouble;
  /** Starting (or stopping) worker processes to reach `workers` before the cell, s. */
  workerStartSeconds: number;
  /** The warm-up of a cell that added workers. */
  warmUp?: RaidWarmUp;
}

/** A cell that could not run to its end (the run goes on with the next cell). */
export interface RaidCellFailure {
  name: RaidCellName;
  workers: number;
  error: string;
}

/** Every raid cell of a run. */
export interface RaidResult {
  taskQueue: string;
  /**
   * The commit of the checkout whose worker ran the cells, when not this one (`git rev-parse
   * --short HEAD` there); never its path, which only this machine knows.
   */
  workerCheckout?: string;
  /** The raid workers' settings (the stack's worker's, on the raid queue, with the bundle). */
  workerSettings: Record<string, string>;
  bundleBuildSeconds: number;
  cells: (RaidCellResult | RaidCellFailure)[];
  /** The first matching worker log lines of each kind over every cell, as logged. */
  logSamples: Record<keyof WorkerLogCounts, string[]>;
}

/** How the raid runs. */
export interface RaidOptions {
  workerEnv: Record<string, string>;
  /** The checkout whose `src/worker.ts` the workers run; default this one. */
  workerRoot?: string;
  /** Bound on the workers' lives, s. */
  lifetimeSeconds: number;
  log?: (line: string) => void;
}

/** The project root of this checkout. */
/** The short commit of a checkout, `+changes` when its tree differs from it; `not a git checkout` otherwise. */
function checkoutCommit(root: string): string {
  try {
    const git = (...args: string[]) => execFileSync('git', ['-C', root, ...args], { encoding: 'utf8' }).trim();
    return `${git('rev-parse', '--short', 'HEAD')}${git('status', '--porcelain', '--untracked-files=no') ? '+changes' : ''}`;
  } catch {
    return 'not a git checkout';
  }
}

/**
 * Takedowns run on the open app per worker process before a cell that added workers: a raid
 * reaches workers that have been serving, not ones that have yet to compile their first takedown.
 */
const WARMUP_PER_WORKER = 5;

/** Longest a warm-up may take: past it the cell runs on whatever the workers managed. */
const WARMUP_BOUND_MS = 90_000;

/** What the warm-up before a cell did. */
export interface RaidWarmUp {
  takedowns: number;
  /** Closed within the bound. */
  closed: number;
  /** First start call → all closed, or the bound. */
  seconds: number;
}

/**
 * Starts `WARMUP_PER_WORKER` takedowns per worker process on the open app (20 start calls in
 * flight) and waits for them to close, for at most {@link WARMUP_BOUND_MS}: a warm-up that
 * cannot finish is itself a figure, not a reason to skip the cell.
 */
async function warmUp(stack: BenchStack, workers: number): Promise<RaidWarmUp> {
  const targets = await seedTargets(stack.sandbox.control, 'zego', WARMUP_PER_WORKER * workers, BENCH_APPS.open.appId);
  const began = preciseNow();
  await runBounded(targets.length, { concurrency: 20 }, async (i) => {
    await startTakedown(stack.client, targets[i]!.request, { taskQueue: RAID_TASK_QUEUE });
  });
  const closed = await closedSince(stack.client, began, targets.length, Date.now() + WARMUP_BOUND_MS);
  return { takedowns: targets.length, closed, seconds: (preciseNow() - began) / 1000 };
}

/**
 * How many takedowns of the raid queue started since `since` (epoch ms) have closed, read from
 * visibility every 200 ms until there are `n` or the deadline has passed. Not one result long
 * poll per takedown: hundreds of those would take the server's concurrent-poll slots from the
 * workers, and no classifier starting takedowns holds them.
 */
async function closedSince(client: Client, since: number, n: number, deadline: number): Promise<number> {
  const query = `WorkflowType = '${TAKEDOWN_WORKFLOW_TYPE}' AND TaskQueue = '${RAID_TASK_QUEUE}' AND ExecutionStatus != 'Running' AND StartTime >= '${new Date(since).toISOString()}'`;
  for (;;) {
    const { count } = await client.workflow.count(query);
    if (count >= n || Date.now() > deadline) return count;
    await sleep(200);
  }
}

/** The outcome counted for a takedown still running when its cell's deadline passed. */
export const OPEN_AT_DEADLINE = 'open at the deadline';

/** The bursts' targets in start order: one app after another in turn, so every app's burst begins at once. */
function interleave(groups: readonly BenchTarget[][]): BenchTarget[] {
  const longest = Math.max(...groups.map((g) => g.length));
  return Array.from({ length: longest }, (_, i) => groups.flatMap((g) => (i < g.length ? [g[i]!] : []))).flat();
}

function startedTakedown(target: BenchTarget, startedAt: number): StartedTakedown {
  const t = target.request.target as { roomId: string; streamId: string };
  return { roomId: t.roomId, streamId: t.streamId, startedAt };
}

/** A failed takedown's outcome for the count: `failed: <failure type>`, so a failure is a figure, not the end of the cell. */
function failureOutcome(err: unknown): string {
  const cause = err instanceof WorkflowFailedError ? err.cause : err;
  const type = cause instanceof ApplicationFailure ? cause.type : undefined;
  return `failed: ${type ?? (cause instanceof Error ? cause.name : 'unknown')}`;
}

/** Runs one cell on the pool as it is (resized by the caller). */
async function runRaidCell(stack: BenchStack, pool: RaidWorkerPool, logs: WorkerLogCounter, spec: RaidCellSpec, before: { workerStartSeconds: number; warmUp?: RaidWarmUp }): Promise<RaidCellResult> {
  const { control } = stack.sandbox;
  await control.reset();
  // The documented limits of the steps after DeleteStream, so a burst that spilled over them would show too.
  await control.configure({ latencyMs: 0, rateLimits: { 'zego.DeleteStream': RAID_LIMIT_PER_SECOND, 'zego.StopMix': 100, 'zego.KickoutUser': 50 } });
  try {
    const groups: BenchTarget[][] = [];
    for (const { app, n } of spec.apps) groups.push(await seedTargets(control, 'zego', n, BENCH_APPS[app].appId));
    const neighbourTarget = spec.neighbour ? (await seedTargets(control, 'zego', 1, BENCH_APPS[spec.neighbour.app].appId))[0]! : undefined;
    const targets = interleave(groups);
    const deadline = Date.now() + (60 + 3 * idealDrainSeconds(spec)) * 1000;
    const start = (target: BenchTarget) => startTakedown(stack.client, target.request, { taskQueue: RAID_TASK_QUEUE });

    const logsBefore = logs.snapshot();
    const meter = new CpuMeter({ worker: pool.pids, devServer: stack.pids.devServer });
    meter.begin();
    const t0 = preciseNow();
    const neighbourRun = neighbourTarget
      ? (async () => {
          await sleep(Math.max(0, t0 + spec.neighbour!.afterMs - preciseNow()));
          const startedAt = preciseNow();
          const handle = await start(neighbourTarget);
          const result = await handle.result();
          const completedAt = preciseNow();
          const { events } = await handle.fetchHistory();
          return { startedAt, completedAt, outcome: result.outcome, taskTimings: taskTimings(events ?? []) };
        })()
      : undefined;
    // Awaited with the burst's results below; a failure before then must not count as unhandled.
    neighbourRun?.catch(() => undefined);
    const startedAt: number[] = new Array(targets.length);
    const handles: Awaited<ReturnType<typeof start>>[] = new Array(targets.length);
    // Start calls go out 50 at a time: a classifier backlog arriving at once.
    await runBounded(targets.length, { concurrency: 50, deadlineMs: deadline }, async (i) => {
      startedAt[i] = preciseNow();
      handles[i] = await start(targets[i]!);
    });
    const startCallsSeconds = (preciseNow() - t0) / 1000;
    const total = targets.length + (neighbourTarget ? 1 : 0);
    const closed = await closedSince(stack.client, t0, total, deadline);
    const allCompletedSeconds = closed >= total ? (preciseNow() - t0) / 1000 : NaN;
    const cpu = meter.end();
    const logged = logs.since(logsBefore);
    const cellEnd = Date.now();
    const neighbour = await withTimeout(Promise.resolve(neighbourRun), 30_000, `the ${spec.name} cell's neighbour`);
    // Closed takedowns answer their result at once; past the deadline the open ones are only counted.
    const results = await mapBounded(handles, 20, async (h) => {
      if (closed < total && (await h.describe()).status.name === 'RUNNING') return { outcome: OPEN_AT_DEADLINE };
      return h.result().catch((err: unknown) => ({ outcome: failureOutcome(err) }));
    });

    const requests: (LoggedRequest & { appId?: string })[] = await control.requests({ provider: 'zego' });
    const startOf = new Map(targets.map((t, i) => [t.token, startedAt[i]!]));
    const bursts = spec.apps.map(({ app }, k) => ({
      starts: groups[k]!.map((t) => startedTakedown(t, startOf.get(t.token)!)),
      requests: requests.filter((r) => r.appId === String(BENCH_APPS[app].appId)),
    }));
    const { overall, apps } = analyseCell(bursts, RAID_LIMIT_PER_SECOND);
    const firstCut = await firstCutOf(targets, handles, startedAt, requests, t0);
    const outcomes: Record<string, number> = {};
    for (const r of results) outcomes[r.outcome] = (outcomes[r.outcome] ?? 0) + 1;
    const takedowns = results.length + (neighbour ? 1 : 0);
    const pacers = await pacerRuns(stack.client, RAID_TASK_QUEUE, t0);
    return {
      name: spec.name,
      workers: pool.size,
      limitPerSecond: RAID_LIMIT_PER_SECOND,
      overall,
      apps: apps.map((a, k) => ({ ...a, app: spec.apps[k]!.app, appId: BENCH_APPS[spec.apps[k]!.app].appId })),
      ...(firstCut ? { firstCut } : {}),
      ...(neighbour && neighbourTarget ? { neighbour: { app: spec.neighbour!.app, ...neighbourFigures(neighbourTarget, neighbour, requests, t0) } } : {}),
      startCallsSeconds,
      allCompletedSeconds,
      outcomes,
      cpu,
      cpuMsPerTakedown: cpuMsPerTakedown(cpu, takedowns),
      logs: logged,
      takedownTasks: await workflowTaskTrouble(stack.client, handles.map((h) => ({ workflowId: h.workflowId, runId: h.firstExecutionRunId }))),
      ...(pacers ? { pacerTasks: await workflowTaskTrouble(stack.client, pacers, { from: t0, to: cellEnd }) } : {}),
      ...before,
    };
  } finally {
    await control.configure({ rateLimits: { 'zego.DeleteStream': Infinity, 'zego.StopMix': Infinity, 'zego.KickoutUser': Infinity } });
  }
}

async function firstCutOf(
  targets: readonly BenchTarget[],
  handles: readonly WorkflowHandle[],
  startedAt: readonly number[],
  requests: readonly LoggedRequest[],
  t0: number,
): Promise<FirstCut | undefined> {
  const roomOf = (t: BenchTarget) => (t.request.target as { roomId: string }).roomId;
  const index = new Map(targets.map((t, i) => [roomOf(t), i]));
  const first = requests.filter((r) => r.operation === 'DeleteStream' && index.has(r.params.roomId ?? '')).sort((a, b) => a.at - b.at)[0];
  if (!first) return undefined;
  const i = index.get(first.params.roomId!)!;
  const { events } = await handles[i]!.fetchHistory();
  return { startedAfterMs: startedAt[i]! - t0, toDeleteStreamMs: first.at - startedAt[i]!, taskTimings: taskTimings(events ?? []) };
}

function neighbourFigures(target: BenchTarget, run: { startedAt: number; completedAt: number; outcome: string; taskTimings: TaskTimings }, requests: readonly LoggedRequest[], t0: number): Omit<NeighbourResult, 'app'> {
  const { roomId, appId } = target.request.target as { roomId: string; appId: number };
  const after = (operation: string) => (firstArrival(requests, operation, roomId) ?? NaN) - run.startedAt;
  return {
    appId,
    startedAfterMs: run.startedAt - t0,
    toDeleteStreamMs: after('DeleteStream'),
    toKickoutMs: after('KickoutUser'),
    toResultMs: run.completedAt - run.startedAt,
    outcome: run.outcome,
    taskTimings: run.taskTimings,
  };
}

/**
 * Runs the raid cells: builds the workflow bundle, starts the worker processes each cell needs
 * (fewest first, so the pool only grows), runs the cell, and stops every worker at the end.
 * Returns the cells in the plan's order.
 */
export async function runRaid(stack: BenchStack, cells: readonly RaidCellSpec[], options: RaidOptions): Promise<RaidResult> {
  const log = options.log ?? (() => {});
  const root = options.workerRoot ?? PROJECT_ROOT;
  const bundle = await buildRaidBundle(root);
  log(bundle.file ? `raid: workflow bundle built from ${root} in ${bundle.buildSeconds.toFixed(1)} s` : `raid: ${root} has no src/bundle-workflows.ts; each worker bundles at its start`);
  const logs = new WorkerLogCounter();
  const pool = new RaidWorkerPool({
    sandboxUrl: stack.sandbox.url,
    temporalAddress: stack.server.address,
    lifetimeSeconds: options.lifetimeSeconds,
    workerEnv: options.workerEnv,
    bundle,
    logs,
    ...(options.workerRoot ? { root: options.workerRoot } : {}),
  });
  const results = new Map<RaidCellName, RaidCellResult | RaidCellFailure>();
  // Only the raid's workers poll from here on (the stack's worker is not needed again on this server).
  await stack.stopWorker();
  try {
    for (const spec of [...cells].sort((a, b) => a.workers - b.workers)) {
      try {
        const size = pool.size;
        const workerStartSeconds = await pool.resize(spec.workers);
        const warm = pool.size > size ? await warmUp(stack, pool.size) : undefined;
        if (warm) log(`raid ${spec.name}: warm-up ${warm.closed} of ${warm.takedowns} takedowns closed in ${warm.seconds.toFixed(1)} s`);
        // The new workers' start-up and warm-up must not run into this cell's clock.
        await untilIdle(stack, 20_000);
        log(`raid ${spec.name}: ${burstSize(spec)} takedowns on ${spec.workers} worker processes (${workerStartSeconds.toFixed(1)} s to start them)`);
        const cell = await runRaidCell(stack, pool, logs, spec, { workerStartSeconds, ...(warm ? { warmUp: warm } : {}) });
        results.set(spec.name, cell);
        log(describeCell(cell));
      } catch (err) {
        // One cell past what the stack can take must not cost the others their figures.
        const error = err instanceof Error ? err.message : String(err);
        results.set(spec.name, { name: spec.name, workers: spec.workers, error });
        log(`raid ${spec.name} failed: ${error}`);
      }
    }
  } finally {
    await pool.stop();
    bundle.remove();
  }
  return {
    taskQueue: RAID_TASK_QUEUE,
    ...(options.workerRoot ? { workerCheckout: checkoutCommit(options.workerRoot) } : {}),
    workerSettings: pool.settings,
    bundleBuildSeconds: bundle.buildSeconds,
    cells: cells.map((c) => results.get(c.name)!),
    logSamples: logs.samples(),
  };
}

function describeCell(c: RaidCellResult): string {
  const o = c.overall;
  const n = c.neighbour;
  return (
    `raid ${c.name}: first DeleteStream ${o.firstArrivalSeconds.toFixed(2)} s, drain ${o.drainSeconds.toFixed(2)} s (ideal ${o.idealSeconds.toFixed(1)}, ×${o.drainOverIdeal.toFixed(2)}), ` +
    `cut p50 ${(o.timeToCutMs.p50 / 1000).toFixed(2)} max ${(o.timeToCutMs.max / 1000).toFixed(2)} s, longest pause ${o.longestPauseMs.toFixed(0)} ms, max/1s ${o.maxArrivalsInAnyWindow}, ` +
    `rejections ${o.rejections}, CPU per takedown workers ${c.cpuMsPerTakedown.worker.toFixed(1)} / dev server ${c.cpuMsPerTakedown.devServer.toFixed(1)} ms, ` +
    `ResourceExhausted ${c.logs.resourceExhausted}, task not found ${c.logs.workflowTaskNotFound}, WFT timed out ${c.takedownTasks.timedOut} (${c.takedownTasks.scheduleToStart} not picked up)` +
    (n ? `; neighbour → DeleteStream ${n.toDeleteStreamMs.toFixed(0)} ms, → result ${n.toResultMs.toFixed(0)} ms` : '')
  );
}
