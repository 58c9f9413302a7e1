/**
 * `npm run bench [-- --quick]`: the takedown benchmark on the real stack (Temporal dev server, the
 * worker in a child process, the sandbox over HTTP). Writes bench/results.json (raw) and
 * bench/RESULTS.md (tables); `--quick` writes bench/results-quick.* instead, so a smoke run never
 * overwrites the committed figures. `--out <prefix>` names other files (experiments);
 * `--worker-env NAME=value` sets a worker variable for a before/after experiment; `--render` only
 * re-renders RESULTS.md from results.json; `--only bursts` runs the rate-limit bursts alone and writes
 * only `<out>.json` (a headroom experiment in a minute instead of twenty); `--only throughput` runs
 * the throughput cell alone, measured for `--measure-seconds N` (default the plan's), and writes
 * only `<out>.json` and `<out>.md` (default `results-throughput`): worker CPU per takedown before
 * and after a change in a couple of minutes.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ONLY_OUT, parseArgs } from './args';
import { runBurst, type BurstResult } from './rate-limit';
import { runLatencyCell, type LatencyCell } from './latency';
import { makePlan, throughputOnlyPlan, type BenchPlan } from './plan';
import { profileHistory, type HistoryProfile } from './profile';
import { renderReport, renderThroughputReport, type BenchResults, type ThroughputOnlyResults } from './report';
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

/** `--render`: rewrites RESULTS.md from results.json (after editing bench/analysis.md), running nothing. */
function renderOnly(): void {
  const results = JSON.parse(readFileSync(path.join(__dirname, 'results.json'), 'utf8')) as BenchResults;
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
  const headroom = Number(stack.settings.TAKEDOWN_RATE_HEADROOM ?? '0.9');
  for (const burst of plan.bursts) {
    const result = await runBurst(stack, {
      label: `DeleteStream ${burst.limit}/s${burst.app === 'limit10' ? ' (documented)' : ' (configured)'}`,
      appId: BENCH_APPS[burst.app].appId,
      limit: burst.limit,
      dispatchRate: burst.limit * headroom,
      n: burst.n,
      timeoutMs: 120_000,
    });
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

async function main(): Promise<void> {
  if (process.argv.includes('--render')) return renderOnly();
  const args = parseArgs(process.argv.slice(2));
  const full = makePlan(args.quick);
  const plan = args.only === 'throughput' ? throughputOnlyPlan(full, args.measureSeconds) : full;
  const began = Date.now();
  const hardStop = setTimeout(() => {
    log(`run passed its ${plan.lifetimeSeconds} s bound; exiting`);
    process.exit(3);
  }, plan.lifetimeSeconds * 1000);
  hardStop.unref();

  log(`starting the stack (${plan.mode}${args.only ? `, ${args.only} only` : ''})`);
  const stack = await startBenchStack({ lifetimeSeconds: plan.lifetimeSeconds + 30, workerEnv: args.workerEnv });
  const stop = () => void stack.stop().finally(() => process.exit(130));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  try {
    log(`stack up in ${((Date.now() - began) / 1000).toFixed(1)} s: dev server ${stack.server.address}, sandbox ${stack.sandbox.url}, worker pid ${stack.pids.worker}`);
    const date = new Date(began).toISOString();
    if (args.only === 'throughput') {
      const throughput = await throughputCell(stack, plan);
      const prefix = path.resolve(__dirname, args.out ?? ONLY_OUT.throughput);
      const results: ThroughputOnlyResults = { only: 'throughput', date, mode: plan.mode, wallSeconds: (Date.now() - began) / 1000, machine: machine(), versions: stack.versions, settings: stack.settings, throughput };
      writeJson(`${prefix}.json`, results);
      writeFileSync(`${prefix}.md`, renderThroughputReport(results, `${path.basename(prefix)}.json`));
      log(`wrote ${path.relative(process.cwd(), prefix)}.json and .md`);
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

    const results: BenchResults = {
      date,
      mode: plan.mode,
      wallSeconds: (Date.now() - began) / 1000,
      machine: machine(),
      versions: stack.versions,
      settings: { ...stack.settings, sandbox: 'in the benchmark process, over HTTP on 127.0.0.1; encoder reconnect 60 s; limits lifted except in bursts' },
      plan: { cellBudgetSeconds: plan.cellBudgetSeconds, concurrencies: plan.concurrencies, providerLatenciesMs: plan.providerLatenciesMs, bursts: plan.bursts, throughput: plan.throughput },
      latency: cells,
      profiles,
      bursts,
      throughput,
    };
    const prefix = args.out ?? (plan.mode === 'quick' ? 'results-quick' : 'results');
    const jsonFile = path.resolve(__dirname, `${prefix}.json`);
    writeJson(jsonFile, results);
    const mdFile = path.resolve(__dirname, prefix === 'results' ? 'RESULTS.md' : `${prefix}.md`);
    writeFileSync(mdFile, renderReport(results));
    log(`wrote ${path.relative(process.cwd(), jsonFile)} and ${path.relative(process.cwd(), mdFile)} in ${((Date.now() - began) / 1000).toFixed(1)} s`);
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
