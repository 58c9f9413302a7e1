/**
 * The real stack on this machine for the benchmark (the shared harness stack): a headless Temporal
 * dev server (child), the provider sandbox (in this process, so its arrival clock is the one the
 * load generator reads), and the worker as `src/worker.ts` in a child process of its own, so its
 * CPU and memory can be read. What is the benchmark's own: its apps, their limits, its settings.
 */
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Client } from '@temporalio/client';
import type { DevServer } from '../src/devstack/dev-server';
import { sandboxWorkerEnv } from '../src/devstack/sandbox-env';
import { TEMPORAL_CLI_VERSION } from '../src/devstack/temporal-cli';
import { startSandbox, type Sandbox } from '../src/sandbox';
import { DEMO_AGORA_ACCOUNT, DEMO_AGORA_APP_ID, DEMO_ZEGO_APP } from '../src/sandbox/demo-accounts';
import { startHarnessStack } from '../harness/stack';
import { spawnWorker } from '../harness/worker';

/** The worker's workflow task queue for the benchmark (its activity queues are named under it). */
export const BENCH_TASK_QUEUE = 'bench-takedown';

/**
 * ZEGO apps, one per rate-limit setting: the worker keeps separate task queues per app, so one
 * worker process serves the unthrottled latency phases and the rate-limit bursts alike.
 */
export const BENCH_APPS = {
  /** Latency and throughput: every worker-side limit lifted. */
  open: { appId: DEMO_ZEGO_APP.appId, serverSecret: DEMO_ZEGO_APP.serverSecret },
  /** DeleteStream configured at 20/s. */
  limit20: { appId: 1234500020, serverSecret: '20202020202020202020202020202020' },
  /** DeleteStream at the documented 10/s (no override). */
  limit10: { appId: 1234500010, serverSecret: '10101010101010101010101010101010' },
  /** Two more apps at the documented 10/s, for the raid cell that hits three apps at once (`bench/raid.ts`). */
  limit10b: { appId: 1234500011, serverSecret: '11111111111111111111111111111111' },
  limit10c: { appId: 1234500012, serverSecret: '12121212121212121212121212121212' },
} as const;

/** A bench ZEGO app by its name in {@link BENCH_APPS}. */
export type BenchAppName = keyof typeof BENCH_APPS;

/**
 * The ZEGO apps of the benchmark's worker. The raid cells' workers add the two extra limited apps;
 * this one keeps the three the other cells were measured with, so its queues and pollers stay as they were.
 */
export const DEFAULT_WORKER_APPS: readonly BenchAppName[] = ['open', 'limit20', 'limit10'];

/** The Agora App ID of the benchmark; its limits are lifted in the worker. */
export const BENCH_AGORA_APP_ID = DEMO_AGORA_APP_ID;

/** A worker-side limit high enough never to bind. */
const LIFTED = 1_000_000;

/** How to start the benchmark stack. */
export interface BenchStackOptions {
  /** Hard bound on the dev server's life (it stops itself even if this process dies). */
  lifetimeSeconds: number;
  /** Extra environment for the worker (tuning experiments). */
  workerEnv?: Record<string, string>;
}

/** What a cell runs against: a sandbox, a client of the Temporal server the worker polls, and the trees to measure. */
export interface CellStack {
  sandbox: Sandbox;
  client: Client;
  /**
   * Root pids to measure (whole trees are read): the worker's and the Temporal server's `timeout`
   * wrappers; `devServer` names the Temporal server whichever it is (the dev server, or the
   * cluster's server, which adds `postgres`).
   */
  pids: Record<string, number> & { worker: number; devServer: number };
}

/** The running stack; `stop()` shuts everything down (also used on failure and on SIGINT/SIGTERM; safe to call twice). */
export interface BenchStack extends CellStack {
  server: DevServer;
  worker: ChildProcess;
  versions: { temporalCli: string; node: string; sdk: string };
  settings: Record<string, string>;
  /**
   * Stops the stack's worker alone, for a phase that brings workers of its own (the raid): its idle
   * pollers would otherwise count against the server's limits too. Safe to call twice.
   */
  stopWorker(): Promise<void>;
  stop(): Promise<void>;
}

export function sdkVersion(): string {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return (require('@temporalio/worker/package.json') as { version: string }).version;
}

/** The worker's config entry of each bench app: its limits, the documented ones unless named here. */
function zegoAppConfig(name: BenchAppName) {
  if (name === 'open') return { ...BENCH_APPS.open, rateLimits: { DeleteStream: LIFTED, StopMix: LIFTED, KickoutUser: LIFTED } };
  if (name === 'limit20') return { ...BENCH_APPS.limit20, rateLimits: { DeleteStream: 20 } };
  return { ...BENCH_APPS[name] };
}

/** The worker's config file: the given bench apps with their limits, and the Agora account. */
function writeConfigFile(dir: string, apps: readonly BenchAppName[]): string {
  const file = path.join(dir, 'takedown-config.json');
  writeFileSync(
    file,
    JSON.stringify({
      zego: apps.map(zegoAppConfig),
      agora: [{ ...DEMO_AGORA_ACCOUNT, appIds: [BENCH_AGORA_APP_ID], rateLimits: { delete: LIFTED, query: LIFTED } }],
    }),
  );
  return file;
}

/** The benchmark's sandbox: every bench app and the Agora account, limits lifted, encoders kept away. */
export function startBenchSandbox(): Promise<Sandbox> {
  return startSandbox({
    zegoApps: Object.values(BENCH_APPS),
    agoraAccounts: [DEMO_AGORA_ACCOUNT],
    // Phases set limits through the control API; this is only the starting point.
    rateLimits: { 'zego.DeleteStream': Infinity, 'zego.StopMix': Infinity, 'zego.KickoutUser': Infinity, 'agora.delete': Infinity, 'agora.query': Infinity },
    encoderReconnectDelayMs: 60_000, // encoders must not come back during a measurement
  });
}

/** The worker settings a run reports; `workerEnv` (experiments) on top. */
export function benchWorkerSettings(workerEnv: Record<string, string> = {}, apps: readonly BenchAppName[] = DEFAULT_WORKER_APPS): Record<string, string> {
  return {
    TAKEDOWN_TASK_QUEUE: BENCH_TASK_QUEUE,
    TAKEDOWN_CONFIG_FILE: `(generated: ${apps.length} ZEGO apps, 1 Agora account, see bench/stack.ts)`,
    TAKEDOWN_METRICS_ADDRESS: 'off',
    TAKEDOWN_LOG_LEVEL: 'INFO', // the default: each provider call is one JSON log line, as in production
    TAKEDOWN_RATE_HEADROOM: '0.9',
    ...workerEnv,
  };
}

/** A benchmark worker, polling once `stop` is returned. */
export interface BenchWorker {
  child: ChildProcess;
  settings: Record<string, string>;
  /** Stops the worker and removes its config file; safe to call twice. */
  stop(): Promise<void>;
}

/**
 * Starts the worker (`src/worker.ts` in a process of its own) with the bench apps' config file,
 * pointed at the sandbox and at the Temporal server `temporalEnv` names (`TEMPORAL_ADDRESS`, and
 * for a cluster its `TEMPORAL_TLS_*`), and waits until it polls; on failure it is stopped.
 */
export async function spawnBenchWorker(options: {
  sandboxUrl: string;
  temporalEnv: Record<string, string> & { TEMPORAL_ADDRESS: string };
  lifetimeSeconds: number;
  workerEnv?: Record<string, string>;
  /** The worker's log lines (stdout chunks). */
  onStdout?: (chunk: Buffer) => void;
  /** Its stderr chunks. */
  onStderr?: (chunk: Buffer) => void;
  /** The ZEGO apps of its config file; default {@link DEFAULT_WORKER_APPS}. */
  zegoApps?: readonly BenchAppName[];
  /** The checkout whose `src/worker.ts` runs (another version of the worker); default this one. */
  root?: string;
  /** How long it may take to poll; default spawnWorker's. */
  readyTimeoutMs?: number;
}): Promise<BenchWorker> {
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'takedown-bench-'));
  const apps = options.zegoApps ?? DEFAULT_WORKER_APPS;
  const settings = benchWorkerSettings(options.workerEnv, apps);
  try {
    const worker = spawnWorker(
      {
        // Accounts come from the config file only: the open app is the demo app, named once.
        env: { ...sandboxWorkerEnv(options.sandboxUrl, options.temporalEnv.TEMPORAL_ADDRESS, {}), ...options.temporalEnv, ...settings, TAKEDOWN_CONFIG_FILE: writeConfigFile(tmp, apps) },
        lifetimeSeconds: options.lifetimeSeconds,
        // BENCH_WORKER_NODE_ARGS (e.g. `--cpu-prof --cpu-prof-dir=/tmp/prof`) profiles the worker itself.
        nodeArgs: (process.env.BENCH_WORKER_NODE_ARGS ?? '').split(' ').filter(Boolean),
        ...(options.onStdout ? { onStdout: options.onStdout } : {}),
        ...(options.onStderr ? { onStderr: options.onStderr } : {}),
        ...(options.root ? { root: options.root } : {}),
      },
      options.readyTimeoutMs,
    );
    const stop = async () => {
      await worker.stop();
      rmSync(tmp, { recursive: true, force: true });
    };
    await worker.ready.catch(async (err: unknown) => {
      await stop();
      throw err;
    });
    return { child: worker.child, settings, stop };
  } catch (err) {
    rmSync(tmp, { recursive: true, force: true });
    throw err;
  }
}

/** Starts everything; on any failure stops what was already started. */
export async function startBenchStack(options: BenchStackOptions): Promise<BenchStack> {
  const stack = await startHarnessStack({
    lifetimeSeconds: options.lifetimeSeconds,
    // BENCH_DEV_SERVER_ARGS (e.g. `--dynamic-config-value K=V`) for experiments on the server side.
    extraArgs: (process.env.BENCH_DEV_SERVER_ARGS ?? '').split(' ').filter(Boolean),
    sandbox: startBenchSandbox,
  });
  try {
    const worker = await spawnBenchWorker({
      sandboxUrl: stack.sandbox.url,
      temporalEnv: { TEMPORAL_ADDRESS: stack.address },
      lifetimeSeconds: options.lifetimeSeconds,
      ...(options.workerEnv ? { workerEnv: options.workerEnv } : {}),
    });
    return {
      server: stack.server,
      sandbox: stack.sandbox,
      client: stack.client,
      worker: worker.child,
      pids: { worker: worker.child.pid!, devServer: stack.server.process.pid! },
      versions: { temporalCli: TEMPORAL_CLI_VERSION, node: process.version, sdk: sdkVersion() },
      settings: worker.settings,
      stopWorker: () => worker.stop(),
      async stop() {
        await worker.stop();
        await stack.stop();
      },
    };
  } catch (err) {
    await stack.stop();
    throw err;
  }
}
