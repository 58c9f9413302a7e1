/**
 * The cluster column: the same cells on a real Temporal server beside the dev server. The
 * cluster is the cluster suite's (`src/devstack/cluster-stack.ts`): Temporal server 1.32.0 on
 * PostgreSQL 15 with mTLS on the frontend and between its services, on 127.0.0.1. The worker is
 * the benchmark's, reaching it over mTLS through `TEMPORAL_ADDRESS` and `TEMPORAL_TLS_*` as a
 * deployed worker does; the sandbox is a fresh one in this process.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client, type Connection } from '@temporalio/client';
import { connectClient, loadTemporalConnection } from '../src/connection';
import { startClusterStack, waitForSearchAttributes, type ClusterStack } from '../src/devstack/cluster-stack';
import type { ClusterTools } from '../src/devstack/cluster-tools';
import { TEMPORAL_SERVER_VERSION } from '../src/devstack/cluster-versions';
import type { Sandbox } from '../src/sandbox';
import type { ProviderName } from '../src/providers/types';
import { runLatencyCell, type LatencyCell } from './latency';
import type { BenchPlan } from './plan';
import { runPlanBurst, type BurstResult } from './rate-limit';
import { spawnBenchWorker, startBenchSandbox, type BenchWorker, type CellStack } from './stack';

/** What ran as "the cluster". */
export interface ClusterSetup {
  temporalServer: string;
  postgres: string;
  /** How the worker connected (its `takedown worker started` line's `connection`). */
  connection: string;
  /** Provisioning excluded: certificates, PostgreSQL, schema, server, worker, search attributes. */
  startupSeconds: number;
}

/** The cluster's cells, run the way the dev server's were. */
export interface ClusterColumn {
  setup: ClusterSetup;
  latency: LatencyCell[];
  bursts: BurstResult[];
}

/** The sequential cells of the comparison: every flow, 1 in flight, 0 ms provider latency, Temporal and floor. */
export function sequentialSpecs(plan: BenchPlan) {
  return plan.flows.flatMap((flow: ProviderName) =>
    (['temporal', 'floor'] as const).map((mode) => ({
      flow,
      mode,
      concurrency: 1,
      providerLatencyMs: 0,
      n: mode === 'floor' ? plan.floorN(flow, 1, 0) : plan.n(flow, 1, 0),
      warmup: plan.warmup(1),
      timeoutMs: plan.cellBudgetSeconds * 1000 + 60_000,
      budgetMs: plan.cellBudgetSeconds * 1000,
      breakdownSample: plan.breakdownSample,
    })),
  );
}

/** The one burst of the comparison: the plan's first (DeleteStream at the configured 20/s). */
export function comparisonBurst(plan: BenchPlan) {
  return plan.bursts[0]!;
}

/** Runs the comparison's cells on a stack: the sequential cells, then the burst. */
export async function comparisonCells(
  stack: CellStack & { settings: Record<string, string> },
  plan: BenchPlan,
  log: (line: string) => void,
  where: string,
): Promise<{ latency: LatencyCell[]; bursts: BurstResult[] }> {
  const latency: LatencyCell[] = [];
  for (const spec of sequentialSpecs(plan)) {
    const cell = await runLatencyCell(stack, spec);
    latency.push(cell);
    log(`${where}: ${spec.mode} ${spec.flow} c=1 latency=0ms n=${cell.n}: enforced p50 ${cell.toEnforced.p50.toFixed(1)} p99 ${cell.toEnforced.p99.toFixed(1)} ms (${cell.wallSeconds.toFixed(1)} s)`);
  }
  const result = await runPlanBurst(stack, comparisonBurst(plan));
  log(`${where}: burst ${result.label} n=${result.n}: max/1s ${result.maxInAnySecond}, rejections ${result.rejections}, drain ${result.drainSeconds.toFixed(2)} s, utilisation ${result.utilisation.toFixed(2)}`);
  return { latency, bursts: [result] };
}

/** The cluster with the benchmark's worker and sandbox, ready for cells. */
interface ClusterBenchStack extends CellStack {
  settings: Record<string, string>;
  setup: ClusterSetup;
  stop(): Promise<void>;
}

function postgresVersion(tools: ClusterTools): string {
  const line = execFileSync(path.join(tools.postgresBin, 'postgres'), ['--version'], { encoding: 'utf8' }).trim();
  return /\(PostgreSQL\) (\S+)/.exec(line)?.[1] ?? line;
}

/** The `connection` of the worker's start line (never a secret), with the run's temporary directory left out. */
function connectionOf(logLines: string, workDir: string): string {
  const line = logLines.split('\n').find((l) => l.includes('"takedown worker started"'));
  try {
    const connection = line ? String((JSON.parse(line) as { connection?: unknown }).connection ?? 'unknown') : 'unknown';
    return connection.split(`${workDir}${path.sep}`).join('');
  } catch {
    return 'unknown';
  }
}

async function startClusterBench(tools: ClusterTools, lifetimeSeconds: number, workerEnv: Record<string, string>, log: (line: string) => void): Promise<ClusterBenchStack> {
  const began = Date.now();
  const workDir = mkdtempSync(path.join(os.tmpdir(), 'takedown-bench-cluster-'));
  const cleanups: (() => Promise<void>)[] = [async () => rmSync(workDir, { recursive: true, force: true })];
  const stop = async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => undefined);
  };
  try {
    const cluster: ClusterStack = await startClusterStack({ tools, workDir, lifetimeSeconds, rogue: false, log });
    cleanups.push(() => cluster.stop());
    const sandbox: Sandbox = await startBenchSandbox();
    cleanups.push(() => sandbox.close());
    // An empty API key overrides one in the caller's config file: the cluster takes certificates only.
    const temporalEnv = { ...cluster.server.workerEnv, TEMPORAL_ADDRESS: cluster.server.address, TEMPORAL_API_KEY: '' };
    let stdout = '';
    const worker: BenchWorker = await spawnBenchWorker({
      sandboxUrl: sandbox.url,
      temporalEnv,
      lifetimeSeconds,
      workerEnv,
      onStdout: (chunk) => {
        if (stdout.length < 65_536) stdout += chunk.toString('utf8');
      },
    });
    cleanups.push(() => worker.stop());
    // The worker registered the search attributes at its start; the services take up to a minute to see them.
    await waitForSearchAttributes(cluster.server);
    const settings = loadTemporalConnection(cluster.server.workerEnv);
    const connection: Connection = await connectClient(settings);
    cleanups.push(() => connection.close());
    const setup: ClusterSetup = {
      temporalServer: TEMPORAL_SERVER_VERSION,
      postgres: postgresVersion(tools),
      connection: connectionOf(stdout, workDir),
      startupSeconds: (Date.now() - began) / 1000,
    };
    return {
      sandbox,
      client: new Client({ connection, namespace: settings.namespace }),
      pids: { worker: worker.child.pid!, devServer: cluster.server.process.pid!, postgres: cluster.postgres.process.pid! },
      settings: worker.settings,
      setup,
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}

/** Starts the cluster, runs the comparison's cells on it, and stops it. */
export async function runClusterColumn(
  tools: ClusterTools,
  plan: BenchPlan,
  options: { workerEnv: Record<string, string>; log: (line: string) => void; onStop?: (stop: () => Promise<void>) => void },
): Promise<ClusterColumn> {
  const { log } = options;
  log('starting the cluster (PostgreSQL, Temporal server with mTLS, worker)');
  const stack = await startClusterBench(tools, plan.cluster.seconds + 60, options.workerEnv, log);
  options.onStop?.(stack.stop);
  try {
    log(`cluster up in ${stack.setup.startupSeconds.toFixed(1)} s: Temporal ${stack.setup.temporalServer} on PostgreSQL ${stack.setup.postgres}; worker ${stack.setup.connection}`);
    const cells = await comparisonCells(stack, plan, log, 'cluster');
    return { setup: stack.setup, ...cells };
  } finally {
    await stack.stop();
  }
}
