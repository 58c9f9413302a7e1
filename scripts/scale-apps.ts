/**
 * What one worker process and the Temporal dev server hold per configured-but-idle provider app:
 * for each N, a fresh headless dev server and sandbox (the shared harness), one worker
 * (`src/worker.ts`, as the benchmark runs it) configured with N ZEGO apps, then its start time,
 * the pollers the configuration implies and those the worker and the server report, CPU and RSS of
 * both over an idle window, ResourceExhausted lines in the worker's output, and one takedown in the
 * last app.
 *
 *   npx tsx scripts/scale-apps.ts --apps 1,100,300,1000 [--seconds 20] [--layout per-app|shared] [--out FILE (default: scale-apps.json in the temp directory)]
 *
 * Every N gets a stack of its own, stopped before the next starts.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import type { WorkflowExecutionDescription } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { readTree, CpuMeter } from '../bench/procstat';
import { startHarnessStack, type HarnessStack } from '../harness/stack';
import { spawnWorker, WORKER_READY_MARKER, type SpawnedWorker } from '../harness/worker';
import { startTakedown } from '../src/client';
import { freePort } from '../src/devstack/dev-server';
import { sandboxWorkerEnv } from '../src/devstack/sandbox-env';
import { startSandbox, type Sandbox } from '../src/sandbox';
import { QUEUE_LAYOUTS, loadConfig, type QueueLayout } from '../src/takedown-worker/config';
import { TakedownOutcome } from '../src/workflows/search-attributes';
import { historyWaits, type HistoryWaits } from './scale-apps/history';
import { fleetApps, impliedPollers, writeFleetConfig, type FleetApp, type ImpliedPollers } from './scale-apps/fleet';
import { scrape, sumBy, type Sample } from './scale-apps/prometheus';

/** The worker's workflow task queue here, apart from the benchmark's and the default. */
const TASK_QUEUE = 'scale-takedown';
const { PendingActivityState, PendingWorkflowTaskState: WorkflowTaskState } = temporal.api.enums.v1;

/** How often the takedown's status is read; bounds the error of its time to result. */
const TAKEDOWN_POLL_MS = 50;
/** Lines that name the server refusing a request for lack of capacity (e.g. the namespace's poller limit). */
const EXHAUSTED = /ResourceExhausted|RESOURCE_EXHAUSTED|resource exhausted|poller limit/i;
/** Sample lines kept per N, so the report can quote the message. */
const KEPT_SAMPLES = 5;

interface Options {
  apps: number[];
  seconds: number;
  settleSeconds: number;
  readyTimeoutSeconds: number;
  /** A takedown not done by then counts as failed at that N. */
  takedownTimeoutSeconds: number;
  /** The worker's `TAKEDOWN_QUEUE_LAYOUT`. @default `per-app` */
  layout: QueueLayout;
  out: string;
}

function parseArgs(argv: string[]): Options {
  const values = new Map<string, string>();
  for (let i = 0; i < argv.length; i += 2) {
    const [name, value] = [argv[i]!, argv[i + 1]];
    if (!['--apps', '--seconds', '--settle-seconds', '--ready-timeout-seconds', '--takedown-timeout-seconds', '--layout', '--out'].includes(name) || value === undefined) {
      throw new Error(`usage: scale-apps.ts --apps 1,100,300,1000 [--seconds 20] [--settle-seconds 10] [--ready-timeout-seconds 300] [--takedown-timeout-seconds 120] [--layout per-app|shared] [--out file] (got "${name}")`);
    }
    values.set(name, value);
  }
  const positive = (name: string, fallback: number) => {
    const n = Number(values.get(name) ?? fallback);
    if (!(Number.isFinite(n) && n > 0)) throw new Error(`${name} takes a positive number`);
    return n;
  };
  const apps = (values.get('--apps') ?? '1,100,300,1000').split(',').map(Number);
  if (apps.some((n) => !Number.isInteger(n) || n < 1)) throw new Error('--apps takes a comma-separated list of positive integers');
  const layout = values.get('--layout') ?? 'per-app';
  if (!(QUEUE_LAYOUTS as readonly string[]).includes(layout)) throw new Error(`--layout takes one of ${QUEUE_LAYOUTS.join(', ')}`);
  return {
    layout: layout as QueueLayout,
    apps,
    seconds: positive('--seconds', 20),
    settleSeconds: positive('--settle-seconds', 10),
    readyTimeoutSeconds: positive('--ready-timeout-seconds', 300),
    takedownTimeoutSeconds: positive('--takedown-timeout-seconds', 120),
    out: values.get('--out') ?? path.join(os.tmpdir(), 'scale-apps.json'),
  };
}

/** CPU and memory of one process tree over the idle window. */
interface TreeIdle {
  cpuSeconds: number;
  /** cpuSeconds / wall seconds: 1.0 is one core busy. */
  cores: number;
  rssMiBMean: number;
  rssMiBMax: number;
}

/** Pollers as the worker's and the server's own metrics count them at the end of the idle window. */
interface ObservedPollers {
  /** sdk-core's `temporal_num_pollers`, by poller type; undefined when the endpoint did not answer. */
  worker?: Record<string, number>;
  /** Activity queues by how many activity pollers the worker metric shows on each (`{ "10": 6 }`: six queues at 10). */
  workerActivityPollersPerQueue?: Record<string, number>;
  /** Matching's `pending_polls` in namespace `default`, by task type, minus what was there before the worker. */
  serverPendingPolls?: Record<string, number>;
  /** Matching's `loaded_task_queue_partition_count` in namespace `default`, by task type. */
  serverLoadedPartitions?: Record<string, number>;
}

/** Everything measured at one N. */
interface CellResult {
  apps: number;
  implied: ImpliedPollers;
  /** 1-minute load average when the cell started: the machine is shared. */
  loadavgAtStart: number;
  /** Spawn to the worker's "takedown worker started" line. */
  workerReadyMs?: number;
  workerRssAtReadyMiB?: number;
  idle?: { seconds: number; worker: TreeIdle; devServer: TreeIdle };
  observed?: ObservedPollers;
  /**
   * The worker's output: `warnOrError` counts WARN and ERROR lines and any line that is not JSON;
   * `firstResourceExhaustedMs` is from spawn (sdk-core logs a poll only after several retries).
   */
  logs: { lines: number; warnOrError: number; resourceExhausted: number; resourceExhaustedDuringIdle?: number; firstResourceExhaustedMs?: number; samples: string[] };
  /** `ms`: from the start call to the first status read that shows it closed; `serverMs`: its start to close time as the server recorded them. */
  takedown?: ({ ok: true; outcome: string } | { ok: false; error: string }) & { ms: number; serverMs?: number; waits?: HistoryWaits };
  /** The first thing that went wrong, and in which phase. */
  failure?: { phase: string; message: string };
  wallSeconds: number;
}

/** Counts the worker's output lines as they come (stdout and stderr alike). */
class LogCounter {
  lines = 0;
  warnOrError = 0;
  resourceExhausted = 0;
  /** performance.now() of the first ResourceExhausted line. */
  firstResourceExhaustedAt?: number;
  samples: string[] = [];
  private readyResolve!: () => void;
  /** Resolves on the ready line, read here by whole lines: a line listing thousands of queues spans many chunks. */
  readonly ready = new Promise<void>((resolve) => (this.readyResolve = resolve));
  private pending = new Map<string, string>();

  feed(stream: 'stdout' | 'stderr', chunk: Buffer): void {
    const text = (this.pending.get(stream) ?? '') + chunk.toString('utf8');
    const lines = text.split('\n');
    this.pending.set(stream, lines.pop()!);
    for (const line of lines) this.line(line);
  }

  private line(line: string): void {
    if (!line.trim()) return;
    this.lines++;
    if (line.includes(WORKER_READY_MARKER)) this.readyResolve();
    if (/"level":"(WARN|ERROR)"/.test(line) || !line.startsWith('{')) this.warnOrError++;
    if (EXHAUSTED.test(line)) {
      this.resourceExhausted++;
      this.firstResourceExhaustedAt ??= performance.now();
      if (this.samples.length < KEPT_SAMPLES) this.samples.push(line.slice(0, 600));
    }
  }
}

function metricsPortOf(stack: HarnessStack<Sandbox>): number | undefined {
  const args = stack.server.process.spawnargs;
  const at = args.indexOf('--metrics-port');
  return at >= 0 ? Number(args[at + 1]) : undefined;
}

/** How many keys carry each value. */
function histogram(values: Record<string, number>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const v of Object.values(values)) out[String(v)] = (out[String(v)] ?? 0) + 1;
  return out;
}

function serverPolls(samples: Sample[] | undefined): Record<string, number> | undefined {
  return samples ? sumBy(samples, 'pending_polls', 'task_type', { namespace: 'default' }) : undefined;
}

/** RSS sampled once a second over `seconds`, with the CPU used in that window. */
async function idleWindow(pids: { worker: number; devServer: number }, seconds: number): Promise<{ worker: TreeIdle; devServer: TreeIdle }> {
  const meter = new CpuMeter(pids);
  const rss = { worker: [] as number[], devServer: [] as number[] };
  meter.begin();
  const end = performance.now() + seconds * 1000;
  while (performance.now() < end) {
    rss.worker.push(readTree(pids.worker).rssMiB);
    rss.devServer.push(readTree(pids.devServer).rssMiB);
    await sleep(Math.min(1000, Math.max(0, end - performance.now())));
  }
  const cpu = meter.end();
  const tree = (name: 'worker' | 'devServer'): TreeIdle => ({
    cpuSeconds: cpu[name]!.cpuSeconds,
    cores: cpu[name]!.cores,
    rssMiBMean: rss[name].reduce((a, b) => a + b, 0) / rss[name].length,
    rssMiBMax: Math.max(...rss[name]),
  });
  return { worker: tree('worker'), devServer: tree('devServer') };
}

/** What a running takedown waits for: its pending workflow task and activities, as the server describes them. */
function whereItWaits(description: WorkflowExecutionDescription): string {
  const { pendingWorkflowTask, pendingActivities } = description.raw;
  const task = pendingWorkflowTask ? `workflow task ${WorkflowTaskState[pendingWorkflowTask.state ?? 0]}, attempt ${pendingWorkflowTask.attempt}` : 'no workflow task';
  const activities = (pendingActivities ?? []).map(
    (a) => `${a.activityType?.name} ${PendingActivityState[a.state ?? 0]} attempt ${a.attempt}${a.lastFailure?.message ? ` (last failure: ${a.lastFailure.message})` : ''}`,
  );
  return `${description.historyLength} events; ${task}; pending activities: ${activities.join(', ') || 'none'}`;
}

/** Seeds a room with one published stream and a mix task in `app`, takes it down, and times it. */
async function oneTakedown(stack: HarnessStack<Sandbox>, app: FleetApp, timeoutMs: number): Promise<NonNullable<CellResult['takedown']>> {
  const id = `scale-${app.appId}`;
  await stack.sandbox.control.seedZego({
    appId: app.appId,
    rooms: [{ roomId: id, users: [`host-${id}`], streams: [{ streamId: `s-${id}`, userId: `host-${id}` }] }],
    mixTasks: [{ taskId: id, ownerUserId: 'mix-owner', inputStreamIds: [`s-${id}`] }],
  });
  const started = performance.now();
  try {
    const handle = await startTakedown(
      stack.client,
      {
        violationId: id,
        reason: 'scale-apps',
        target: { provider: 'zego', appId: app.appId, roomId: id, streamId: `s-${id}`, userId: `host-${id}`, mixTasks: [{ taskId: id, userId: 'mix-owner' }] },
      },
      { taskQueue: TASK_QUEUE },
    );
    // Polled with DescribeWorkflowExecution rather than awaited with handle.result(): the result's
    // history long poll counts against the namespace's concurrent poller limit like a worker's
    // poll, so it measures whether this client gets a poll in, not when the takedown ended; and
    // its retries would outlive the connection once the stack stops.
    const waits = () => handle.fetchHistory().then((history) => historyWaits(history, Date.now()), () => undefined);
    for (;;) {
      const description = await handle.describe();
      const ms = performance.now() - started;
      if (description.status.name !== 'RUNNING') {
        const outcome = description.typedSearchAttributes.get(TakedownOutcome);
        const serverMs = description.closeTime ? description.closeTime.getTime() - description.startTime.getTime() : undefined;
        return description.status.name === 'COMPLETED'
          ? { ok: true, ms, serverMs, outcome: outcome ?? '(no outcome attribute)', waits: await waits() }
          : { ok: false, ms, serverMs, error: `workflow ${description.status.name}, outcome ${outcome}`, waits: await waits() };
      }
      if (ms > timeoutMs) return { ok: false, ms, error: `still running after ${timeoutMs} ms: ${whereItWaits(description)}`, waits: await waits() };
      await sleep(TAKEDOWN_POLL_MS);
    }
  } catch (err) {
    return { ok: false, ms: performance.now() - started, error: String((err as Error).message ?? err) };
  }
}

async function runCell(n: number, options: Options): Promise<CellResult> {
  const cellStart = performance.now();
  const apps = fleetApps(n);
  const lifetimeSeconds = Math.ceil(options.readyTimeoutSeconds + options.settleSeconds + options.seconds + options.takedownTimeoutSeconds + 120);
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'takedown-scale-apps-'));
  const logs = new LogCounter();
  const result: CellResult = {
    apps: n,
    implied: { activityQueues: 0, activityQueuePollers: 0, fixedPollers: 0, total: 0 },
    loadavgAtStart: os.loadavg()[0]!,
    logs,
    wallSeconds: 0,
  };
  let phase = 'stack';
  let spawnedAt: number | undefined;
  let stack: HarnessStack<Sandbox> | undefined;
  let worker: SpawnedWorker | undefined;
  try {
    stack = await startHarnessStack({
      lifetimeSeconds,
      sandbox: () => startSandbox({ zegoApps: apps, encoderReconnectDelayMs: 60_000 }),
    });
    const serverMetrics = `http://127.0.0.1:${metricsPortOf(stack)}/metrics`;
    const baselinePolls = serverPolls(await scrape(serverMetrics)) ?? {};
    const workerMetricsAddress = `127.0.0.1:${await freePort()}`;
    const env = {
      ...sandboxWorkerEnv(stack.sandbox.url, stack.address, {}),
      TAKEDOWN_TASK_QUEUE: TASK_QUEUE,
      TAKEDOWN_CONFIG_FILE: writeFleetConfig(tmp, apps),
      TAKEDOWN_METRICS_ADDRESS: workerMetricsAddress,
      TAKEDOWN_LOG_LEVEL: 'INFO',
      TAKEDOWN_QUEUE_LAYOUT: options.layout,
    };
    result.implied = impliedPollers(loadConfig({ ...process.env, ...env }));

    phase = 'worker start';
    spawnedAt = performance.now();
    worker = spawnWorker(
      {
        env,
        lifetimeSeconds,
        onStdout: (chunk) => logs.feed('stdout', chunk),
        onStderr: (chunk) => logs.feed('stderr', chunk),
      },
      options.readyTimeoutSeconds * 1000,
    );
    await Promise.race([logs.ready, worker.ready]);
    result.workerReadyMs = performance.now() - spawnedAt;
    const pids = { worker: worker.child.pid!, devServer: stack.server.process.pid! };
    result.workerRssAtReadyMiB = readTree(pids.worker).rssMiB;

    phase = 'idle window';
    await sleep(options.settleSeconds * 1000);
    const exhaustedBeforeIdle = logs.resourceExhausted;
    result.idle = { seconds: options.seconds, ...(await idleWindow(pids, options.seconds)) };
    result.logs.resourceExhaustedDuringIdle = logs.resourceExhausted - exhaustedBeforeIdle;
    const [workerSamples, serverSamples] = await Promise.all([scrape(`http://${workerMetricsAddress}/metrics`), scrape(serverMetrics)]);
    const polls = serverPolls(serverSamples);
    result.observed = {
      worker: workerSamples ? sumBy(workerSamples, 'temporal_num_pollers', 'poller_type') : undefined,
      workerActivityPollersPerQueue: workerSamples ? histogram(sumBy(workerSamples, 'temporal_num_pollers', 'task_queue', { poller_type: 'activity_task' })) : undefined,
      serverPendingPolls: polls && Object.fromEntries(Object.entries(polls).map(([type, v]) => [type, v - (baselinePolls[type] ?? 0)])),
      serverLoadedPartitions: serverSamples ? sumBy(serverSamples, 'loaded_task_queue_partition_count', 'task_type', { namespace: 'default' }) : undefined,
    };
    if (worker.exited) throw new Error('worker exited during the idle window');

    phase = 'takedown';
    result.takedown = await oneTakedown(stack, apps.at(-1)!, options.takedownTimeoutSeconds * 1000);
    if (!result.takedown.ok) result.failure = { phase, message: result.takedown.error };
  } catch (err) {
    result.failure = { phase, message: String((err as Error).message ?? err).slice(0, 2000) };
  } finally {
    await worker?.stop();
    await stack?.stop();
    rmSync(tmp, { recursive: true, force: true });
  }
  result.logs = {
    lines: logs.lines,
    warnOrError: logs.warnOrError,
    resourceExhausted: logs.resourceExhausted,
    resourceExhaustedDuringIdle: result.logs.resourceExhaustedDuringIdle,
    firstResourceExhaustedMs: logs.firstResourceExhaustedAt !== undefined && spawnedAt !== undefined ? logs.firstResourceExhaustedAt - spawnedAt : undefined,
    samples: logs.samples,
  };
  result.wallSeconds = (performance.now() - cellStart) / 1000;
  return result;
}

const sum = (record: Record<string, number> | undefined) => (record ? Object.values(record).reduce((a, b) => a + b, 0) : undefined);
const fmt = (value: number | undefined, digits = 0) => (value === undefined || Number.isNaN(value) ? '–' : value.toFixed(digits));

/** The longest a workflow task or activity of the takedown waited for a poller, and which. */
function longestWait(waits: HistoryWaits | undefined): string {
  if (!waits) return '–';
  const candidates = [
    { what: 'workflow task', ms: waits.workflowTasks.maxWaitMs },
    ...waits.activities.map((a) => ({ what: a.type, ms: a.waitMs })),
    ...waits.notStarted.map((a) => ({ what: `${a.type} (not started)`, ms: a.waitingMs })),
  ];
  const longest = candidates.reduce((a, b) => (b.ms > a.ms ? b : a));
  return `${fmt(longest.ms)} ms (${longest.what})`;
}

function table(results: readonly CellResult[]): string {
  const header = [
    'apps', 'activity queues', 'pollers implied', 'pollers (worker metric)', 'polls held (server)', 'ready ms',
    'worker RSS MiB', 'worker CPU %core', 'server RSS MiB', 'server CPU %core', 'ResourceExhausted lines (idle)', 'takedown in last app', 'its longest schedule-to-start',
  ];
  const rows = results.map((r) => [
    String(r.apps),
    String(r.implied.activityQueues),
    String(r.implied.total),
    fmt(sum(r.observed?.worker)),
    fmt(sum(r.observed?.serverPendingPolls)),
    fmt(r.workerReadyMs),
    fmt(r.idle?.worker.rssMiBMean, 1),
    fmt(r.idle && r.idle.worker.cores * 100, 1),
    fmt(r.idle?.devServer.rssMiBMean, 1),
    fmt(r.idle && r.idle.devServer.cores * 100, 1),
    `${r.logs.resourceExhausted} (${fmt(r.logs.resourceExhaustedDuringIdle)})`,
    !r.takedown ? `not run (${r.failure?.phase ?? '?'})` : r.takedown.ok ? `${r.takedown.outcome} in ${fmt(r.takedown.ms)} ms` : `failed after ${fmt(r.takedown.ms)} ms`,
    longestWait(r.takedown?.waits),
  ]);
  return [header, header.map(() => '---'), ...rows].map((cells) => `| ${cells.join(' | ')} |`).join('\n');
}

/** Cost of one more idle app between the smallest and each larger N that measured it. */
function perApp(results: readonly CellResult[]): string[] {
  const base = results.find((r) => r.idle);
  if (!base) return [];
  return results
    .filter((r) => r.idle && r.apps > base.apps)
    .map((r) => {
      const d = r.apps - base.apps;
      const per = (a: number, b: number) => (a - b) / d;
      return (
        `${base.apps}→${r.apps} apps, per added app: worker ${per(r.idle!.worker.rssMiBMean, base.idle!.worker.rssMiBMean).toFixed(3)} MiB, ` +
        `server ${per(r.idle!.devServer.rssMiBMean, base.idle!.devServer.rssMiBMean).toFixed(3)} MiB, ` +
        `worker CPU ${(per(r.idle!.worker.cores, base.idle!.worker.cores) * 100).toFixed(3)} %core, ` +
        `server CPU ${(per(r.idle!.devServer.cores, base.idle!.devServer.cores) * 100).toFixed(3)} %core, ` +
        `pollers implied ${per(r.implied.total, base.implied.total).toFixed(1)}, ` +
        `pollers in the worker metric ${fmt(per(sum(r.observed?.worker) ?? NaN, sum(base.observed?.worker) ?? NaN), 1)}`
      );
    });
}

async function main(): Promise<void> {
  const options = parseArgs(process.argv.slice(2));
  const results: CellResult[] = [];
  const write = () =>
    writeFileSync(options.out, JSON.stringify({ command: process.argv.slice(1).join(' '), options, node: process.version, cpus: os.cpus().length, results }, null, 2));
  for (const n of options.apps) {
    console.error(`scale-apps: ${n} apps…`);
    const result = await runCell(n, options);
    results.push(result);
    write(); // each N as it finishes: a later N that hangs must not lose the earlier ones
    console.error(
      `scale-apps: ${n} apps done in ${result.wallSeconds.toFixed(0)} s` +
        (result.failure ? `; failed at ${result.failure.phase}: ${result.failure.message.slice(0, 300)}` : ''),
    );
  }
  console.log(table(results));
  for (const line of perApp(results)) console.log(`- ${line}`);
  console.log(`\nJSON: ${options.out}`);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
