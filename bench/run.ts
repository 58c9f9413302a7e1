/**
 * `npm run bench [-- --quick]`: the takedown benchmark on the real stack (Temporal dev server, the
 * worker in a child process, the sandbox over HTTP), then the cluster column: the sequential cells
 * and one burst again on Temporal server 1.32.0 on PostgreSQL with mTLS (the cluster suite's).
 * Writes bench/results.json (raw) and bench/RESULTS.md (tables); `--quick` writes
 * bench/results-quick.* instead, so a smoke run never overwrites the committed figures, and skips
 * the cluster unless `--cluster` is given. `--out <prefix>` names other files (experiments);
 * `--worker-env NAME=value` sets a worker variable for a before/after experiment; `--render` only
 * re-renders RESULTS.md from results.json; `--only bursts` runs the rate-limit bursts alone and writes
 * only `<out>.json` (a headroom experiment in a minute instead of twenty); `--only throughput` runs
 * the throughput cell alone, measured for `--measure-seconds N` (default the plan's), and writes
 * only `<out>.json` and `<out>.md` (default `results-throughput`): worker CPU per takedown before
 * and after a change in a couple of minutes; `--only intake` runs the classifier intake cell alone
 * (`results-intake.*`); `--only cluster` runs the comparison alone, dev server then cluster
 * (`results-cluster.*`); `--only raid [--raid raid-4,neighbour]` runs the raid cells (mass
 * takedowns on several worker processes) alone (`results-raid.*`). `--worker-root <checkout>`
 * runs the raid cells' workers from another checkout, to measure another version of the worker.
 * `--raid-baseline <results.json> [--raid-baseline-label <text>]` (a full run, `--only raid` or
 * `--render`) reports a raid run written earlier beside this one's cells, and stores it in the
 * results JSON so that a later `--render` draws the comparison again.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { isTemporalConnectionVariable } from '../src/connection';
import { provisionClusterTools } from '../src/devstack/cluster-tools';
import { TEMPORAL_SERVER_VERSION } from '../src/devstack/cluster-versions';
import { ONLY_OUT, parseArgs, type Args } from './args';
import { comparisonCells, runClusterColumn, type ClusterColumn } from './cluster';
import { runIntakeCell, untilIdle, type IntakeResult } from './intake';
import { runPlanBurst, type BurstResult } from './rate-limit';
import { runLatencyCell, type LatencyCell } from './latency';
import { intakeOnlyPlan, makePlan, raidOnlyPlan, runBoundSeconds, throughputOnlyPlan, type BenchPlan } from './plan';
import { profileHistory, type HistoryProfile } from './profile';
import { runRaid, type RaidResult } from './raid';
import { readRaidBaseline, type RaidBaseline } from './raid-baseline';
import {
  renderClusterReport,
  renderIntakeReport,
  renderRaidReport,
  renderReport,
  renderThroughputReport,
  type BenchResults,
  type ClusterOnlyResults,
  type IntakeOnlyResults,
  type RaidOnlyResults,
  type ThroughputOnlyResults,
} from './report';
import { BENCH_APPS, BENCH_TASK_QUEUE, startBenchStack, type BenchStack } from './stack';
import { runThroughput, type ThroughputResult } from './throughput';
import { fmt } from '../harness/stats';
import { startTakedown, takedownWorkflowId } from '../src/client';
import { seedTargets } from './targets';

function machine(): BenchResults['machine'] {
  const cpus = os.cpus();
  return {
    cpu: cpus[0]?.model ?? 'unknown',
    cores: cpus.length,
    memoryGiB: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    loadAverageAtStart: os.loadavg().map((l) => Math.round(l * 100) / 100),
  };
}

function log(line: string): void {
  process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${line}\n`);
}

/** One finished takedown per flow, for the history profile. */
async function profileOne(stack: BenchStack, flow: 'zego' | 'agora'): Promise<HistoryProfile> {
  const [target] = await seedTargets(stack.sandbox.control, flow, 1, BENCH_APPS.open.appId);
  const handle = await startTakedown(stack.client, target!.request, { taskQueue: BENCH_TASK_QUEUE });
  await handle.result();
  return profileHistory(stack.client, takedownWorkflowId(target!.request.target));
}

/**
 * `--render`: rewrites RESULTS.md from results.json (after editing bench/analysis.md), running
 * nothing. A baseline is stored in results.json first, so the next `--render` keeps it.
 */
function renderOnly(baseline: RaidBaseline | undefined): void {
  const jsonFile = path.join(__dirname, 'results.json');
  const results = JSON.parse(readFileSync(jsonFile, 'utf8')) as BenchResults;
  if (baseline) {
    if (!results.raid) throw new Error(`--raid-baseline ${baseline.source}: bench/results.json has no raid cells to report it beside`);
    results.raidBaseline = baseline;
    writeJson(jsonFile, results);
    log(`stored the raid baseline ${baseline.source} in bench/results.json`);
  }
  writeFileSync(path.join(__dirname, 'RESULTS.md'), renderReport(results));
  log('rewrote bench/RESULTS.md from bench/results.json');
}

/** Every cell of the latency matrix, Temporal and floor. */
async function latencyMatrix(stack: BenchStack, plan: BenchPlan): Promise<LatencyCell[]> {
  const cells: LatencyCell[] = [];
  for (const latencyMs of plan.providerLatenciesMs) {
    for (const concurrency of plan.concurrencies) {
      for (const flow of plan.flows) {
        for (const mode of ['temporal', 'floor'] as const) {
          const n = mode === 'floor' ? plan.floorN(flow, concurrency, latencyMs) : plan.n(flow, concurrency, latencyMs);
          const cell = await runLatencyCell(stack, {
            flow,
            mode,
            concurrency,
            providerLatencyMs: latencyMs,
            n,
            warmup: plan.warmup(concurrency),
            timeoutMs: plan.cellBudgetSeconds * 1000 + 60_000,
            budgetMs: plan.cellBudgetSeconds * 1000,
            breakdownSample: plan.breakdownSample,
          });
          cells.push(cell);
          log(`${mode} ${flow} c=${concurrency} latency=${latencyMs}ms n=${n}: enforced p50 ${cell.toEnforced.p50.toFixed(1)} p99 ${cell.toEnforced.p99.toFixed(1)}, completed p50 ${cell.toCompleted.p50.toFixed(1)} ms (${cell.wallSeconds.toFixed(1)} s)`);
        }
      }
    }
  }
  return cells;
}

/** The rate-limit bursts of the plan, one after the other. */
async function burstCells(stack: BenchStack, plan: BenchPlan): Promise<BurstResult[]> {
  const bursts: BurstResult[] = [];
  for (const burst of plan.bursts) {
    const result = await runPlanBurst(stack, burst);
    bursts.push(result);
    log(
      `burst ${result.label} n=${result.n}: max/1s ${result.maxInAnySecond}, rejections ${result.rejections}, drain ${result.drainSeconds.toFixed(2)} s (min ${result.minimumSeconds} s), ` +
        `utilisation ${result.utilisation.toFixed(2)}, CPU per takedown worker ${fmt(result.cpuMsPerTakedown.worker)} ms / dev server ${fmt(result.cpuMsPerTakedown.devServer)} ms`,
    );
  }
  return bursts;
}

async function throughputCell(stack: BenchStack, plan: BenchPlan): Promise<ThroughputResult> {
  const t = await runThroughput(stack, plan.throughput);
  log(
    `throughput c=${t.concurrency} over ${t.measureSeconds} s: ${t.takedownsPerSecond.toFixed(1)} takedowns/s (${t.completed}); worker ${fmt(t.cpu.worker?.cores ?? NaN, 2)} cores, ` +
      `dev server ${fmt(t.cpu.devServer?.cores ?? NaN, 2)} cores, bench ${fmt(t.cpu.bench?.cores ?? NaN, 2)} cores; CPU per takedown worker ${fmt(t.cpuMsPerTakedown.worker)} ms / dev server ${fmt(t.cpuMsPerTakedown.devServer)} ms`,
  );
  return t;
}

function writeJson(file: string, value: unknown): void {
  writeFileSync(file, `${JSON.stringify(value, null, 2)}\n`);
}

/** Writes `<prefix>.json` and `<prefix>.md` of a single-phase run. */
function writeOnly(prefix: string, results: unknown, markdown: string): void {
  writeJson(`${prefix}.json`, results);
  writeFileSync(`${prefix}.md`, markdown);
  log(`wrote ${path.relative(process.cwd(), prefix)}.json and .md`);
}

async function intakeCell(stack: BenchStack, plan: BenchPlan): Promise<IntakeResult> {
  log(`intake: step search over ${plan.intake.rates.join(', ')} verdicts/s, ${plan.intake.secondsPerPath} s per path and step`);
  return runIntakeCell(stack, plan.intake, log);
}

async function raidCells(stack: BenchStack, plan: BenchPlan, args: Args): Promise<RaidResult> {
  log(`raid: ${plan.raid.map((c) => `${c.name} (${c.workers} workers)`).join(', ')}${args.workerRoot ? `, workers from ${args.workerRoot}` : ''}`);
  // The raid's workers live as long as the stack may.
  return runRaid(stack, plan.raid, { workerEnv: args.workerEnv, lifetimeSeconds: plan.lifetimeSeconds + 30, log, ...(args.workerRoot ? { workerRoot: args.workerRoot } : {}) });
}

/** The command that reproduces a `--only raid` run, for its report. */
function raidCommand(args: Args): string {
  const b = args.raidBaseline;
  const extra = [
    args.quick ? '--quick' : '',
    args.raid ? `--raid ${args.raid.join(',')}` : '',
    args.workerRoot ? `--worker-root ${args.workerRoot}` : '',
    b ? `--raid-baseline ${b.file} --raid-baseline-label ${JSON.stringify(b.label)}` : '',
  ].filter(Boolean);
  return ['npm run bench -- --only raid', ...extra].join(' ');
}

function planFor(args: Args): BenchPlan {
  const full = makePlan(args.quick);
  if (args.only === 'throughput') return throughputOnlyPlan(full, args.measureSeconds);
  if (args.only === 'intake') return intakeOnlyPlan(full);
  if (args.only === 'raid') return raidOnlyPlan(full, args.raid);
  return full;
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  // Read before anything runs: a bad baseline must not cost a run of tens of minutes.
  const raidBaseline = args.raidBaseline ? readRaidBaseline(args.raidBaseline.file, args.raidBaseline.label) : undefined;
  const withBaseline = raidBaseline ? { raidBaseline } : {};
  if (args.render) return renderOnly(raidBaseline);
  if (args.workerRoot && !existsSync(path.join(args.workerRoot, 'src/worker.ts'))) throw new Error(`--worker-root ${args.workerRoot}: no src/worker.ts there`);
  const plan = planFor(args);
  const began = Date.now();
  // Read now: the load average is the machine's before the run, not the run's own.
  const host = machine();
  const bound = runBoundSeconds(plan, args.cluster);
  const hardStop = setTimeout(() => {
    log(`run passed its ${bound} s bound; exiting`);
    process.exit(3);
  }, bound * 1000);
  hardStop.unref();
  // The workers reach only the servers this run starts, whatever the caller's own Temporal settings.
  for (const name of Object.keys(process.env)) if (isTemporalConnectionVariable(name)) delete process.env[name];
  // Found (or built, once) before anything is measured, so that a missing tool fails the run at once.
  const tools = args.cluster ? provisionClusterTools(log) : undefined;
  if (tools) log(`cluster tools: Temporal server ${TEMPORAL_SERVER_VERSION} ${tools.built ? 'built' : 'found'} in ${path.dirname(tools.server)}, PostgreSQL in ${tools.postgresBin}`);

  log(`starting the stack (${plan.mode}${args.only ? `, ${args.only} only` : ''}${args.cluster ? ', then the cluster' : ''})`);
  const stack = await startBenchStack({ lifetimeSeconds: plan.lifetimeSeconds + 30, workerEnv: args.workerEnv });
  let stopCluster: (() => Promise<void>) | undefined;
  const stop = () => void Promise.all([stack.stop(), stopCluster?.()]).finally(() => process.exit(130));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  const clusterColumn = async (): Promise<ClusterColumn | undefined> => {
    if (!tools) return undefined;
    // The dev server's stack goes first: the cluster has the machine to itself, as the dev server had.
    await stack.stop();
    return runClusterColumn(tools, plan, { workerEnv: args.workerEnv, log, onStop: (s) => (stopCluster = s) });
  };
  try {
    log(`stack up in ${((Date.now() - began) / 1000).toFixed(1)} s: dev server ${stack.server.address}, sandbox ${stack.sandbox.url}, worker pid ${stack.pids.worker}`);
    const date = new Date(began).toISOString();
    const setup = () => ({ date, mode: plan.mode, wallSeconds: (Date.now() - began) / 1000, machine: host, versions: stack.versions, settings: stack.settings });
    const onlyPrefix = (only: keyof typeof ONLY_OUT) => path.resolve(__dirname, args.out ?? ONLY_OUT[only]);
    if (args.only === 'throughput') {
      const throughput = await throughputCell(stack, plan);
      const results: ThroughputOnlyResults = { only: 'throughput', ...setup(), throughput };
      const prefix = onlyPrefix('throughput');
      writeOnly(prefix, results, renderThroughputReport(results, `${path.basename(prefix)}.json`));
      return;
    }
    if (args.only === 'intake') {
      const intake = await intakeCell(stack, plan);
      const results: IntakeOnlyResults = { only: 'intake', ...setup(), intake };
      const prefix = onlyPrefix('intake');
      writeOnly(prefix, results, renderIntakeReport(results, `${path.basename(prefix)}.json`));
      return;
    }
    if (args.only === 'raid') {
      const raid = await raidCells(stack, plan, args);
      const results: RaidOnlyResults = { only: 'raid', ...setup(), raid, ...withBaseline };
      const prefix = onlyPrefix('raid');
      writeOnly(prefix, results, renderRaidReport(results, `${path.basename(prefix)}.json`, raidCommand(args)));
      return;
    }
    if (args.only === 'cluster') {
      const devServer = await comparisonCells(stack, plan, log, 'dev server');
      const cluster = (await clusterColumn())!;
      const results: ClusterOnlyResults = { only: 'cluster', ...setup(), devServer, cluster };
      const prefix = onlyPrefix('cluster');
      writeOnly(prefix, results, renderClusterReport(results, `${path.basename(prefix)}.json`));
      return;
    }
    const cells = args.only === 'bursts' ? [] : await latencyMatrix(stack, plan);
    const profiles = args.only === 'bursts' ? [] : [await profileOne(stack, 'zego'), await profileOne(stack, 'agora')];
    const bursts = await burstCells(stack, plan);
    if (args.only === 'bursts') {
      const jsonFile = path.resolve(__dirname, `${args.out ?? ONLY_OUT.bursts}.json`);
      writeJson(jsonFile, { date, mode: plan.mode, settings: stack.settings, bursts });
      log(`wrote ${path.relative(process.cwd(), jsonFile)}`);
      return;
    }
    const throughput = await throughputCell(stack, plan);
    // Last on the dev server: its loaded step leaves the worker a backlog, and its unpolled takedowns stay open.
    const intake = await intakeCell(stack, plan);
    // After every other dev-server cell, so none of them shares the machine with the raid's extra
    // worker processes; the intake's loaded step leaves the stack's worker a backlog to finish first.
    await untilIdle(stack, 120_000);
    const raid = await raidCells(stack, plan, args);
    // A cluster that fails to start or run must not cost the dev server's figures: they are written, then the run fails.
    let clusterError: string | undefined;
    const cluster = await clusterColumn().catch((err: unknown) => {
      clusterError = err instanceof Error ? err.message : String(err);
      log(`cluster column failed: ${clusterError}`);
      return undefined;
    });

    const results: BenchResults = {
      ...setup(),
      settings: { ...stack.settings, sandbox: 'in the benchmark process, over HTTP on 127.0.0.1; encoder reconnect 60 s; limits lifted except in bursts' },
      plan: { cellBudgetSeconds: plan.cellBudgetSeconds, concurrencies: plan.concurrencies, providerLatenciesMs: plan.providerLatenciesMs, bursts: plan.bursts, throughput: plan.throughput, intake: plan.intake, raid: plan.raid },
      latency: cells,
      profiles,
      bursts,
      throughput,
      intake,
      raid,
      ...withBaseline,
      ...(cluster ? { cluster } : {}),
      ...(clusterError ? { clusterError } : {}),
    };
    const prefix = args.out ?? (plan.mode === 'quick' ? 'results-quick' : 'results');
    const jsonFile = path.resolve(__dirname, `${prefix}.json`);
    writeJson(jsonFile, results);
    const mdFile = path.resolve(__dirname, prefix === 'results' ? 'RESULTS.md' : `${prefix}.md`);
    writeFileSync(mdFile, renderReport(results));
    log(`wrote ${path.relative(process.cwd(), jsonFile)} and ${path.relative(process.cwd(), mdFile)} in ${((Date.now() - began) / 1000).toFixed(1)} s`);
    if (clusterError) throw new Error(`the cluster column failed (the dev server's figures are written): ${clusterError}`);
  } finally {
    await stack.stop();
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
