/** Renders bench/RESULTS.md from the raw results: tables first, then the analysis written beside it. */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { ClusterColumn } from './cluster';
import type { IntakeResult } from './intake';
import type { BurstResult } from './rate-limit';
import type { LatencyCell } from './latency';
import type { HistoryProfile } from './profile';
import { fmt } from '../harness/stats';
import type { ThroughputResult } from './throughput';
import { clusterSection, type DevServerCells } from './report-cluster';
import { FLOW, TARGETS, floorOf, mark, overhead, pcts, perTakedown, setupLines } from './report-format';
import { intakeSection, intakeTargetRows } from './report-intake';
import type { RaidResult } from './raid';
import type { RaidBaseline } from './raid-baseline';
import { raidSection } from './report-raid';

export { TARGETS, overhead } from './report-format';

/** Everything one run produced; written whole to results.json. */
export interface BenchResults {
  date: string;
  mode: 'full' | 'quick';
  wallSeconds: number;
  machine: { cpu: string; cores: number; memoryGiB: number; os: string; loadAverageAtStart: number[] };
  versions: { temporalCli: string; node: string; sdk: string };
  settings: Record<string, string>;
  plan: unknown;
  latency: LatencyCell[];
  profiles: HistoryProfile[];
  bursts: BurstResult[];
  throughput: ThroughputResult;
  /** Absent in results written before the intake cell existed. */
  intake?: IntakeResult;
  /** The raid cells; absent in results written before they existed. */
  raid?: RaidResult;
  /** Another run's raid figures, reported beside `raid` (`--raid-baseline`). */
  raidBaseline?: RaidBaseline;
  /** The cluster column; absent in a `--quick` run without `--cluster` (and in older results). */
  cluster?: ClusterColumn;
  /** Why the cluster column is missing from a run that was to have it. */
  clusterError?: string;
}


function latencySection(cells: LatencyCell[]): string[] {
  const lines = [
    '## 1–2. Takedown latency and the floor',
    '',
    'Milliseconds, p50 / p95 / p99 / max. *Enforced*: client start call → arrival at the sandbox of the request that cuts the stream',
    '(ZEGO KickoutUser, Agora ForceDisconnect). *Completed*: start call → the client has the workflow result (floor: the last',
    'answer has been read; for Agora that includes the recheck list). The floor makes the same requests in order with the same',
    'clients (`src/providers`), no Temporal, in the same run. Overhead = Temporal − floor at the same percentile; ratio = Temporal / floor.',
    '',
    'Every cell measures N takedowns after a warm-up (N = 500 in a full run, see `bench/plan.ts`). Raw per-takedown samples are in the JSON.',
    '',
    '| flow | in flight | provider latency | N | enforced: Temporal | enforced: floor | overhead p50 / p95 / p99 | ratio p50 / p99 | completed: Temporal | completed: floor | start call p50 / p99 |',
    '|---|---|---|---|---|---|---|---|---|---|---|',
  ];
  for (const cell of cells.filter((c) => c.mode === 'temporal')) {
    const floor = floorOf(cells, cell);
    if (!floor) continue;
    const o = overhead(cell, floor, 'toEnforced');
    lines.push(
      `| ${FLOW[cell.flow]} | ${cell.concurrency} | ${cell.providerLatencyMs} ms | ${cell.n} (floor ${floor.n}) | ${pcts(cell.toEnforced)} | ${pcts(floor.toEnforced)} | ` +
        `${fmt(o.p50)} / ${fmt(o.p95)} / ${fmt(o.p99)} | ${fmt(o.ratioP50, 2)} / ${fmt(o.ratioP99, 2)} | ${pcts(cell.toCompleted)} | ${pcts(floor.toCompleted)} | ` +
        `${cell.startCall ? `${fmt(cell.startCall.p50)} / ${fmt(cell.startCall.p99)}` : '–'} |`,
    );
  }
  lines.push('', 'CPU during each Temporal cell (cores busy = CPU seconds / wall seconds; the machine has 2):', '');
  lines.push('| flow | in flight | provider latency | wall s | takedowns/s | worker | dev server | bench (client + sandbox) |', '|---|---|---|---|---|---|---|---|');
  for (const cell of cells.filter((c) => c.mode === 'temporal')) {
    lines.push(
      `| ${FLOW[cell.flow]} | ${cell.concurrency} | ${cell.providerLatencyMs} ms | ${fmt(cell.wallSeconds)} | ${fmt(cell.n / cell.wallSeconds)} | ` +
        `${fmt(cell.cpu.worker?.cores ?? NaN, 2)} | ${fmt(cell.cpu.devServer?.cores ?? NaN, 2)} | ${fmt(cell.cpu.bench?.cores ?? NaN, 2)} |`,
    );
  }
  lines.push(
    '',
    'Where the server-side time of a takedown goes (mean ms per takedown over a sample of the histories of each cell, 30 in a full run; server clock):',
    '',
    '| flow | in flight | provider latency | start → complete | workflow task dispatch | workflow task run (worker) | activity dispatch | activity run (worker + provider) | other (persistence, transitions) |',
    '|---|---|---|---|---|---|---|---|---|',
  );
  for (const cell of cells.filter((c) => c.mode === 'temporal' && c.breakdown)) {
    const b = cell.breakdown!;
    lines.push(
      `| ${FLOW[cell.flow]} | ${cell.concurrency} | ${cell.providerLatencyMs} ms | ${fmt(b.totalMs)} | ${fmt(b.workflowTaskDispatchMs)} | ${fmt(b.workflowTaskRunMs)} | ${fmt(b.activityDispatchMs)} | ${fmt(b.activityRunMs)} | ${fmt(b.otherMs)} |`,
    );
  }
  return lines;
}

function targetSection(r: BenchResults): string[] {
  const zego = r.latency.find((c) => c.mode === 'temporal' && c.flow === 'zego' && c.concurrency === 1 && c.providerLatencyMs === 0);
  const zegoFloor = r.latency.find((c) => c.mode === 'floor' && c.flow === 'zego' && c.concurrency === 1 && c.providerLatencyMs === 0);
  const lines = ['## Targets', '', '| target | figure | |', '|---|---|---|'];
  if (zego && zegoFloor) {
    const o = overhead(zego, zegoFloor, 'toEnforced');
    lines.push(`| ZEGO overhead over the floor, p50 ≤ ${TARGETS.overheadP50Ms} ms (0 ms provider latency, sequential) | ${fmt(o.p50)} ms | ${mark(o.p50 <= TARGETS.overheadP50Ms)} |`);
    lines.push(`| ZEGO overhead over the floor, p99 ≤ ${TARGETS.overheadP99Ms} ms (same) | ${fmt(o.p99)} ms | ${mark(o.p99 <= TARGETS.overheadP99Ms)} |`);
  }
  for (const b of r.bursts) {
    lines.push(`| ${b.label}: never above the limit in any 1 s window | max ${b.maxInAnySecond} in a sliding second (limit ${b.limitPerSecond}) | ${mark(b.maxInAnySecond <= b.limitPerSecond)} |`);
    lines.push(`| ${b.label}: zero provider rate-limit rejections | ${b.rejections} | ${mark(b.rejections === 0)} |`);
    lines.push(`| ${b.label}: utilisation ≥ ${TARGETS.utilisation} | ${fmt(b.utilisation, 2)} | ${mark(b.utilisation >= TARGETS.utilisation)} |`);
    lines.push(`| ${b.label}: drain within 10% of N / limit | ${fmt(b.drainSeconds, 2)} s vs ${fmt(b.minimumSeconds, 2)} s (×${fmt(b.drainSeconds / b.minimumSeconds, 2)}) | ${mark(b.drainSeconds <= b.minimumSeconds * TARGETS.drainWithin)} |`);
  }
  const t = r.throughput;
  lines.push(`| throughput ≥ ${TARGETS.throughputPerSecond} takedowns/s (limits lifted, ${t.measureSeconds} s) | ${fmt(t.takedownsPerSecond)} /s | ${mark(t.takedownsPerSecond >= TARGETS.throughputPerSecond)} |`);
  if (r.intake) lines.push(...intakeTargetRows(r.intake));
  if (r.cluster) lines.push('', 'The same targets on the cluster: section 6.');
  return lines;
}


function burstSection(bursts: BurstResult[]): string[] {
  return [
    '## 3. Rate-limit fidelity',
    '',
    'A burst of ZEGO takedowns for one app, started 50 start calls at a time; DeleteStream is the limited step (the sandbox',
    'enforces the same limit in clock-aligned 1 s windows, StopMix and KickoutUser at their documented 100/s and 50/s). Arrival',
    'times come from the sandbox log. Drain = first start call → last DeleteStream arrival; utilisation = (N / limit) / drain.',
    'CPU is measured from the first start call until every takedown completed, so CPU per takedown (CPU ms of the process',
    'tree / N) includes what the worker and the server spend while the queue waits for its limit.',
    '',
    '| burst | N | limit / task-queue dispatch rate | max in any sliding 1 s | max in a clock 1 s | rejections | drain s (minimum N/limit) | utilisation | all completed s | worker / dev server cores | worker / dev server CPU ms per takedown |',
    '|---|---|---|---|---|---|---|---|---|---|---|',
    ...bursts.map(
      (b) =>
        `| ${b.label} | ${b.n} | ${b.limitPerSecond} / ${fmt(b.dispatchRatePerSecond)} per s | ${b.maxInAnySecond} | ${b.maxInFixedSecond} | ${b.rejections} | ` +
        `${fmt(b.drainSeconds, 2)} (${fmt(b.minimumSeconds, 2)}) | ${fmt(b.utilisation, 2)} | ${fmt(b.allCompletedSeconds, 2)} | ${fmt(b.cpu.worker?.cores ?? NaN, 2)} / ${fmt(b.cpu.devServer?.cores ?? NaN, 2)} | ` +
        `${perTakedown(b.cpu, b.n)} |`,
    ),
  ];
}

function throughputSection(t: ThroughputResult, heading = '## 4. Throughput, rate limits lifted'): string[] {
  return [
    heading,
    '',
    `ZEGO takedowns (3 provider requests each), ${t.concurrency} kept in flight by a closed loop, counted over ${t.measureSeconds} s after a warm-up.`,
    'CPU per takedown: CPU ms of the process tree over the window / takedowns completed in it.',
    '',
    '| takedowns/s | provider requests/s | completed p50 / p95 / p99 / max ms | worker CPU (cores) | dev server CPU | bench CPU (client + sandbox) | worker / dev server CPU ms per takedown | worker peak RSS under load | worker lifetime peak RSS | dev server peak RSS |',
    '|---|---|---|---|---|---|---|---|---|---|',
    `| ${fmt(t.takedownsPerSecond)} | ${fmt(t.providerRequestsPerSecond)} | ${pcts(t.toCompleted)} | ${fmt(t.cpu.worker?.cores ?? NaN, 2)} | ${fmt(t.cpu.devServer?.cores ?? NaN, 2)} | ` +
      `${fmt(t.cpu.bench?.cores ?? NaN, 2)} | ${perTakedown(t.cpu, t.completed)} | ${fmt(t.workerPeakRssMiB)} MiB | ${fmt(t.workerLifetimePeakRssMiB)} MiB | ${fmt(t.devServerPeakRssMiB)} MiB |`,
    ...(t.ranOutOfTargets ? ['', '*The loop ran out of seeded streams before the window ended: the figure is a lower bound.*'] : []),
  ];
}

function profileSection(profiles: HistoryProfile[]): string[] {
  return [
    '## Round trips per takedown',
    '',
    'From the history of one takedown of each flow (0 ms provider latency, idle stack).',
    '',
    '| workflow | events | workflow tasks | activity tasks | local activities | server time start → complete |',
    '|---|---|---|---|---|---|',
    ...profiles.map((p) => `| \`${p.workflowId.replace(/\/[^/]+$/, '/…')}\` | ${p.events} | ${p.workflowTasks} | ${p.activityTasks} | ${p.localActivityMarkers} | ${fmt(p.serverMs)} ms |`),
  ];
}


/** What `--only intake` writes: the intake cell alone. */
export interface IntakeOnlyResults extends Pick<BenchResults, 'date' | 'mode' | 'wallSeconds' | 'machine' | 'versions' | 'settings'> {
  only: 'intake';
  intake: IntakeResult;
}

/** The `<out>.md` of `--only intake`: the run's setup, the intake's targets and its table. */
export function renderIntakeReport(r: IntakeOnlyResults, jsonName: string): string {
  return [
    `# Takedown benchmark: classifier intake only (${r.mode} plan)`,
    '',
    `Generated by \`npm run bench -- --only intake${r.mode === 'quick' ? ' --quick' : ''}\` on ${r.date} in ${fmt(r.wallSeconds)} s. Raw figures: \`${jsonName}\`.`,
    '',
    ...setupLines(r),
    '',
    '| target | figure | |',
    '|---|---|---|',
    ...intakeTargetRows(r.intake),
    '',
    ...intakeSection(r.intake, '## Classifier intake'),
    '',
  ].join('\n');
}

/** What `--only cluster` writes: the comparison's cells on the dev server, then on the cluster. */
export interface ClusterOnlyResults extends Pick<BenchResults, 'date' | 'mode' | 'wallSeconds' | 'machine' | 'versions' | 'settings'> {
  only: 'cluster';
  devServer: DevServerCells;
  cluster: ClusterColumn;
}

/** The `<out>.md` of `--only cluster`: the run's setup and the side-by-side tables. */
export function renderClusterReport(r: ClusterOnlyResults, jsonName: string): string {
  return [
    `# Takedown benchmark: dev server and cluster only (${r.mode} plan)`,
    '',
    `Generated by \`npm run bench -- --only cluster${r.mode === 'quick' ? ' --quick' : ''}\` on ${r.date} in ${fmt(r.wallSeconds)} s. Raw figures: \`${jsonName}\`.`,
    '',
    ...setupLines(r),
    '',
    ...clusterSection(r.devServer, r.cluster, '## Dev server and cluster'),
    '',
  ].join('\n');
}

/** What `--only raid` writes: the raid cells alone. */
export interface RaidOnlyResults extends Pick<BenchResults, 'date' | 'mode' | 'wallSeconds' | 'machine' | 'versions' | 'settings'> {
  only: 'raid';
  raid: RaidResult;
  /** Another run's raid figures, reported beside `raid` (`--raid-baseline`). */
  raidBaseline?: RaidBaseline;
}

/** The `<out>.md` of `--only raid`: the run's setup and the raid tables. */
export function renderRaidReport(r: RaidOnlyResults, jsonName: string, command: string): string {
  return [
    `# Takedown benchmark: raid cells only (${r.mode} plan)`,
    '',
    `Generated by \`${command}\` on ${r.date} in ${fmt(r.wallSeconds)} s. Raw figures: \`${jsonName}\`.`,
    '',
    ...setupLines(r),
    '',
    ...raidSection(r.raid, '## Mass takedowns (raid)', r.raidBaseline),
    '',
  ].join('\n');
}

/** What `--only throughput` writes: the throughput cell alone. */
export interface ThroughputOnlyResults extends Pick<BenchResults, 'date' | 'mode' | 'wallSeconds' | 'machine' | 'versions' | 'settings' | 'throughput'> {
  only: 'throughput';
}

/** The `<out>.md` of `--only throughput`: the run's setup and the throughput table. */
export function renderThroughputReport(r: ThroughputOnlyResults, jsonName: string): string {
  return [
    `# Takedown benchmark: throughput cell only (${r.mode} plan, ${r.throughput.measureSeconds} s measured)`,
    '',
    `Generated by \`npm run bench -- --only throughput\` on ${r.date} in ${fmt(r.wallSeconds)} s. Raw figures: \`${jsonName}\`.`,
    '',
    ...setupLines(r),
    '',
    ...throughputSection(r.throughput, '## Throughput, rate limits lifted'),
    '',
  ].join('\n');
}

/** The whole RESULTS.md text for one run. */
export function renderReport(r: BenchResults): string {
  const analysisFile = path.join(__dirname, 'analysis.md');
  const analysis = r.mode === 'full' && existsSync(analysisFile) ? readFileSync(analysisFile, 'utf8').trim().split('\n') : [];
  return [
    `# Takedown benchmark${r.mode === 'quick' ? ' (quick run: reduced N, not the reference figures)' : ''}`,
    '',
    `Generated by \`npm run bench${r.mode === 'quick' ? ` -- --quick${r.cluster ? ' --cluster' : ''}` : ''}\` on ${r.date} in ${fmt(r.wallSeconds)} s. Raw figures: \`bench/${r.mode === 'quick' ? 'results-quick' : 'results'}.json\`.`,
    '',
    ...setupLines(r),
    '',
    ...targetSection(r),
    '',
    ...latencySection(r.latency),
    '',
    ...burstSection(r.bursts),
    '',
    ...throughputSection(r.throughput),
    '',
    ...(r.intake ? [...intakeSection(r.intake), ''] : []),
    ...(r.cluster ? [...clusterSection(r, r.cluster), ''] : []),
    ...(r.clusterError ? ['## 6. Dev server and cluster', '', `**The cluster column failed:** ${r.clusterError}`, ''] : []),
    ...(r.raid ? [...raidSection(r.raid, undefined, r.raidBaseline), ''] : []),
    ...profileSection(r.profiles),
    '',
    ...analysis,
    '',
  ].join('\n');
}
