/**
 * The real stack on this machine for the benchmark: a headless Temporal dev server (child), the
 * provider sandbox (in this process, so its arrival clock is the one the load generator reads), and
 * the worker as `src/worker.ts` in a child process of its own, so its CPU and memory can be read.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { startDevServer, type DevServer } from '../src/devstack/dev-server';
import { provisionTemporalCli, TEMPORAL_CLI_VERSION } from '../src/devstack/temporal-cli';
import { startSandbox, type Sandbox } from '../src/sandbox';
import { DEMO_AGORA_ACCOUNT, DEMO_AGORA_APP_ID, DEMO_ZEGO_APP } from '../src/sandbox/demo-accounts';

const ROOT = path.resolve(__dirname, '..');

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
} as const;

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

/** The running stack; `stop()` shuts everything down (also used on failure and on SIGINT/SIGTERM). */
export interface BenchStack {
  server: DevServer;
  sandbox: Sandbox;
  client: Client;
  worker: ChildProcess;
  /** Root pids to measure: the worker, and the dev server's `timeout` wrapper. */
  pids: { worker: number; devServer: number };
  versions: { temporalCli: string; node: string; sdk: string };
  settings: Record<string, string>;
  stop(): Promise<void>;
}

function sdkVersion(): string {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return (require('@temporalio/worker/package.json') as { version: string }).version;
}

/** Starts the worker child and resolves once it logs that it polls (or rejects if it exits first). */
function startWorker(env: Record<string, string>, timeoutMs: number): Promise<ChildProcess> {
  // `node --import tsx` rather than the tsx CLI: one process, whose /proc entry is the worker itself.
  // BENCH_WORKER_NODE_ARGS (e.g. `--cpu-prof --cpu-prof-dir=/tmp/prof`) profiles the worker itself.
  const nodeArgs = (process.env.BENCH_WORKER_NODE_ARGS ?? '').split(' ').filter(Boolean);
  const child = spawn(process.execPath, [...nodeArgs, '--import', 'tsx', 'src/worker.ts'], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4000);
  });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`worker did not start within ${timeoutMs} ms: ${stderr}`));
    }, timeoutMs);
    let buffered = '';
    const onData = (chunk: Buffer) => {
      buffered += chunk.toString();
      if (buffered.includes('takedown worker started')) {
        clearTimeout(timer);
        // Keep draining stdout (JSON logs) so the pipe never fills and blocks the worker.
        resolve(child);
      }
      buffered = buffered.slice(-2000);
    };
    child.stdout?.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`worker exited with code ${code} before starting: ${stderr}`));
    });
  });
}

function stopChild(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
    setTimeout(() => child.kill('SIGKILL'), 10_000).unref();
  });
}

/** Starts everything; on any failure stops what was already started. */
export async function startBenchStack(options: BenchStackOptions): Promise<BenchStack> {
  const cleanups: (() => Promise<void>)[] = [];
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'takedown-bench-'));
  cleanups.push(async () => rmSync(tmp, { recursive: true, force: true }));
  const stopAll = async () => {
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
  };
  try {
    const cli = provisionTemporalCli();
    // BENCH_DEV_SERVER_ARGS (e.g. `--dynamic-config-value K=V`) for experiments on the server side.
    const extraArgs = (process.env.BENCH_DEV_SERVER_ARGS ?? '').split(' ').filter(Boolean);
    const server = await startDevServer({ cli, lifetimeSeconds: options.lifetimeSeconds, extraArgs });
    cleanups.push(() => server.stop());

    const sandbox = await startSandbox({
      zegoApps: Object.values(BENCH_APPS),
      agoraAccounts: [DEMO_AGORA_ACCOUNT],
      // Phases set limits through the control API; this is only the starting point.
      rateLimits: { 'zego.DeleteStream': Infinity, 'zego.StopMix': Infinity, 'zego.KickoutUser': Infinity, 'agora.delete': Infinity, 'agora.query': Infinity },
      encoderReconnectDelayMs: 60_000, // encoders must not come back during a measurement
    });
    cleanups.push(() => sandbox.close());

    const configFile = path.join(tmp, 'takedown-config.json');
    const lifted = { DeleteStream: LIFTED, StopMix: LIFTED, KickoutUser: LIFTED };
    writeFileSync(
      configFile,
      JSON.stringify({
        zego: [
          { ...BENCH_APPS.open, rateLimits: lifted },
          { ...BENCH_APPS.limit20, rateLimits: { DeleteStream: 20 } },
          { ...BENCH_APPS.limit10 },
        ],
        agora: [{ ...DEMO_AGORA_ACCOUNT, appIds: [BENCH_AGORA_APP_ID], rateLimits: { delete: LIFTED, query: LIFTED } }],
      }),
    );
    const settings: Record<string, string> = {
      TAKEDOWN_TASK_QUEUE: BENCH_TASK_QUEUE,
      TAKEDOWN_CONFIG_FILE: '(generated: 3 ZEGO apps, 1 Agora account, see bench/stack.ts)',
      TAKEDOWN_METRICS_ADDRESS: 'off',
      TAKEDOWN_LOG_LEVEL: 'INFO', // the default: each provider call is one JSON log line, as in production
      TAKEDOWN_RATE_HEADROOM: '0.9',
      ...options.workerEnv,
    };
    const worker = await startWorker(
      {
        TEMPORAL_ADDRESS: server.address,
        ZEGO_API_URL: sandbox.url,
        AGORA_API_URL: sandbox.url,
        ...settings,
        TAKEDOWN_CONFIG_FILE: configFile,
      },
      90_000,
    );
    cleanups.push(() => stopChild(worker));

    const connection = await Connection.connect({ address: server.address });
    cleanups.push(() => connection.close());
    const client = new Client({ connection });

    return {
      server,
      sandbox,
      client,
      worker,
      pids: { worker: worker.pid!, devServer: server.process.pid! },
      versions: { temporalCli: TEMPORAL_CLI_VERSION, node: process.version, sdk: sdkVersion() },
      settings,
      stop: stopAll,
    };
  } catch (err) {
    await stopAll();
    throw err;
  }
}
