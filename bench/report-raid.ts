/** The raid cells' part of the reports: method, the cells side by side, per-app bursts, the neighbour. */
import { fmt } from '../harness/stats';
import type { ArrivalAnalysis } from './raid-analysis';
import type { RaidCellFailure, RaidCellResult, RaidResult } from './raid';
import type { RaidBaseline } from './raid-baseline';
import type { TaskTimings, WorkflowTaskTrouble } from './raid-histories';
import { RAID_CELL_NAMES, type RaidCellName } from './raid-spec';

/** Seconds from ms, for the tables (the cells drain in tens of seconds). */
function seconds(ms: number): string {
  // A NaN read back from results JSON is null, which would divide to 0.
  return Number.isFinite(ms) ? fmt(ms / 1000, 2) : fmt(NaN);
}

/** `3 × 100` for a cell across apps, `300` for one. */
function takedowns(c: RaidCellResult): string {
  const sizes = c.apps.map((a) => a.n);
  const burst = sizes.length > 1 && sizes.every((n) => n === sizes[0]) ? `${sizes.length} × ${sizes[0]}` : sizes.join(' + ');
  return `${burst}${c.neighbour ? ' + 1' : ''}${c.overall.missing ? ` (${c.overall.missing} never cut)` : ''}`;
}

function arrivalCells(a: ArrivalAnalysis, limit: number): string {
  return (
    `${fmt(a.firstArrivalSeconds, 2)} | ${fmt(a.drainSeconds, 2)} | ${fmt(a.idealSeconds, 2)} | ${fmt(a.drainOverIdeal, 2)} | ` +
    `${seconds(a.timeToCutMs.p50)} / ${seconds(a.timeToCutMs.max)} | ${fmt(a.longestPauseMs, 0)} | ${a.maxArrivalsInAnyWindow} (${limit}) | ${a.rejections}`
  );
}

function trouble(t: WorkflowTaskTrouble | undefined): string {
  if (!t) return 'not read';
  const sticky = t.scheduleToStart === undefined ? '' : ` (${t.scheduleToStart} not picked up)`;
  return `${t.timedOut}${sticky} / ${t.failed} (${t.histories})`;
}

function taskTimingsSentence(w: TaskTimings): string {
  const list = (byType: Record<string, number>) => Object.entries(byType).map(([type, ms]) => `${type} ${ms}`).join(', ');
  return (
    `Its tasks waited for a poller (ms): workflow tasks ${w.workflowTaskWaitsMs.join(', ')}; activities ${list(w.activityWaitsMs)}. ` +
    `Their runs (ms): workflow tasks ${w.workflowTaskRunsMs.join(', ')}; activities ${list(w.activityRunsMs)}.`
  );
}

function warmUp(c: RaidCellResult): string {
  return c.warmUp ? `${c.warmUp.closed} / ${c.warmUp.takedowns} in ${fmt(c.warmUp.seconds)}` : '–';
}

function outcomes(c: RaidCellResult): string {
  return Object.entries(c.outcomes).map(([outcome, n]) => `${n} ${outcome}`).join(', ');
}

function ran(c: RaidCellResult | RaidCellFailure): c is RaidCellResult {
  return !('error' in c);
}

/** Text that cannot break the table it is put in. */
function cellText(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\s*\n\s*/g, ' ');
}

/** A failed cell's row: its name, its workers, and why, across the rest of the table. */
function failedRow(c: RaidCellFailure): string {
  return `| ${c.name} | ${c.workers} | **failed:** ${cellText(c.error)} |`;
}

/** The first matching worker log lines, as logged, when there were any. */
function samples(r: RaidResult): string[] {
  const lines = Object.entries(r.logSamples ?? {}).flatMap(([kind, found]) => found.map((line) => `${kind}: ${line}`));
  return lines.length ? ['', 'The first matching worker log lines of each kind:', '', '```', ...lines, '```'] : [];
}

/** One side of a comparison: a cell that ran, one that failed, or none of that name. */
type Side = RaidCellResult | RaidCellFailure | undefined;

/** One figure of both sides, `before → after`. */
function change(before: Side, after: Side, figure: (c: RaidCellResult) => string): string {
  const one = (c: Side) => (!c ? 'not run' : ran(c) ? figure(c) : 'failed');
  return `${one(before)} → ${one(after)}`;
}

/**
 * `Before and after`: one row per cell either run has, in the report's cell order, each figure as
 * the baseline's → this run's.
 */
export function beforeAfter(r: RaidResult, baseline: RaidBaseline): string[] {
  const { label } = baseline;
  const find = (cells: RaidResult['cells'], name: RaidCellName) => cells.find((c) => c.name === name);
  const names = RAID_CELL_NAMES.filter((n) => find(r.cells, n) || find(baseline.raid.cells, n));
  const row = (name: RaidCellName) => {
    const [b, a] = [find(baseline.raid.cells, name), find(r.cells, name)];
    const figure = (f: (c: RaidCellResult) => string) => change(b, a, f);
    // Only the neighbour cell starts a takedown in another app; elsewhere its columns have nothing to compare.
    const neighbour = (f: (n: NonNullable<RaidCellResult['neighbour']>) => number) =>
      name === 'neighbour' ? figure((c) => (c.neighbour ? fmt(f(c.neighbour)) : '–')) : '–';
    return (
      `| ${name} | ${figure(takedowns)} | ${figure((c) => fmt(c.overall.firstArrivalSeconds, 2))} | ${figure((c) => fmt(c.overall.drainOverIdeal, 2))} | ` +
      `${figure((c) => `${seconds(c.overall.timeToCutMs.p50)} / ${seconds(c.overall.timeToCutMs.max)}`)} | ${figure((c) => fmt(c.overall.longestPauseMs, 0))} | ` +
      `${figure((c) => `${c.overall.maxArrivalsInAnyWindow} (${c.limitPerSecond})`)} | ${figure((c) => `${fmt(c.cpuMsPerTakedown.worker)} / ${fmt(c.cpuMsPerTakedown.devServer)}`)} | ` +
      `${neighbour((n) => n.toDeleteStreamMs)} | ${neighbour((n) => n.toResultMs)} |`
    );
  };
  return [
    '**Before and after.**',
    '',
    `Each figure is *${label}* → *this run*. *${label}*: \`${baseline.source}\`, run on ${baseline.date}` +
      `${baseline.raid.workerCheckout ? ` with the workers of commit \`${baseline.raid.workerCheckout}\`` : ''}; *this run*: the cells above. ` +
      '*not run*: that side has no cell of the name; *failed*: the cell ran and did not finish.',
    '',
    `| cell: ${cellText(label)} → this run | takedowns | first cut s | drain / ideal (×) | time to cut p50 / max s | longest pause ms | max DeleteStream in any 1 s (limit) | CPU ms per takedown: all workers / dev server | neighbour: to DeleteStream ms | neighbour: to result ms |`,
    '|---|---|---|---|---|---|---|---|---|---|',
    ...names.map(row),
  ];
}

/**
 * `## <n>. Mass takedowns`: method, then one row per cell in two tables, the comparison with
 * `baseline` when given, then the per-app and neighbour figures.
 */
export function raidSection(r: RaidResult, heading = '## 7. Mass takedowns (raid)', baseline?: RaidBaseline): string[] {
  const done = r.cells.filter(ran);
  const multiApp = done.filter((c) => c.apps.length > 1);
  const neighbours = done.filter((c) => c.neighbour);
  return [
    heading,
    '',
    'A burst of ZEGO takedowns started at once (50 start calls in flight) into apps whose DeleteStream is limited at the',
    'documented 10/s in the sandbox and in the worker (StopMix and KickoutUser at their documented 100/s and 50/s), on 1 to 24',
    `worker processes: \`src/worker.ts\` children with the benchmark worker's settings on a task queue of their own (\`${r.taskQueue}\`),`,
    `all loading one workflow bundle built before the first${r.workerCheckout ? `, **from a checkout of commit \`${r.workerCheckout}\`**` : ''}. Times are on the sandbox's`,
    'arrival clock from the cell\'s first start call. *First cut*: first DeleteStream arrival. *Drain*: last takedown\'s DeleteStream',
    'arrival; *ideal* (N − 1) / limit (per app: the apps drain side by side). *Time to cut*: each takedown\'s DeleteStream arrival',
    '(matched by room and stream, the first one not refused for its rate) minus its own start call. *Longest pause*: the longest',
    'gap between consecutive cuts after the first. CPU is that of every worker process summed, and of the dev server, from',
    'the first start call until every takedown completed, per takedown. Log lines are counted over the same span in every',
    'worker\'s stdout and stderr; workflow-task timeouts and failures are read from the burst\'s histories and, for the pacer',
    'workflows of the raid queue, from their events within the cell. Before a cell that adds worker processes, 5 takedowns',
    'per process run on an unthrottled app: a raid meets workers that have been serving. The stack\'s own worker is stopped',
    'first, so only the cell\'s processes poll; *all completed* is when visibility counted every takedown closed (read every',
    '200 ms, not one result long poll per takedown, which would take the server\'s poll slots from the workers); a cell whose',
    'takedowns are not all closed 60 s + 3 × ideal after its first start call reports what arrived by then, and counts the rest',
    '*open at the deadline*.',
    '',
    `Raid worker settings: ${Object.entries(r.workerSettings).map(([k, v]) => `\`${k}=${v}\``).join(', ')}.`,
    '',
    '| cell | worker processes | takedowns | first cut s | drain s | ideal s | drain / ideal | time to cut p50 / max s | longest pause ms | max DeleteStream in any 1 s (limit) | rejections | all completed s | outcomes |',
    '|---|---|---|---|---|---|---|---|---|---|---|---|---|',
    ...r.cells.map((c) => (ran(c) ? `| ${c.name} | ${c.workers} | ${takedowns(c)} | ${arrivalCells(c.overall, c.limitPerSecond)} | ${fmt(c.allCompletedSeconds, 2)} | ${outcomes(c)} |` : failedRow(c))),
    '',
    '| cell | worker processes | CPU ms per takedown: all workers / dev server | cores: all workers / dev server | ResourceExhausted or poller-limit lines | "Workflow task not found" lines | workflow tasks timed out (of those, not picked up from a sticky queue in 2 s) / failed: takedowns (histories) | same: pacers (runs) | workers started in s | warm-up: closed / takedowns in s |',
    '|---|---|---|---|---|---|---|---|---|---|',
    ...r.cells.map((c) =>
      !ran(c)
        ? failedRow(c)
        : `| ${c.name} | ${c.workers} | ${fmt(c.cpuMsPerTakedown.worker)} / ${fmt(c.cpuMsPerTakedown.devServer)} | ${fmt(c.cpu.worker?.cores ?? NaN, 2)} / ${fmt(c.cpu.devServer?.cores ?? NaN, 2)} | ` +
          `${c.logs.resourceExhausted} | ${c.logs.workflowTaskNotFound} | ${trouble(c.takedownTasks)} | ${trouble(c.pacerTasks)} | ${fmt(c.workerStartSeconds)} | ${warmUp(c)} |`,
    ),
    ...(baseline ? ['', ...beforeAfter(r, baseline)] : []),
    ...(multiApp.length
      ? [
          '',
          'Per app, in the cells that burst into several apps at once:',
          '',
          '| cell | app | takedowns | first cut s | drain s | ideal s | drain / ideal | time to cut p50 / max s | longest pause ms | max DeleteStream in any 1 s (limit) | rejections |',
          '|---|---|---|---|---|---|---|---|---|---|---|',
          ...multiApp.flatMap((c) => c.apps.map((a) => `| ${c.name} | ${a.app} (${a.appId}) | ${a.n} | ${arrivalCells(a, c.limitPerSecond)} |`)),
        ]
      : []),
    ...neighbours.flatMap((c) => {
      const n = c.neighbour!;
      return [
        '',
        `In the ${c.name} cell, one takedown in the ${n.app} app (${n.appId}), started ${fmt(n.startedAfterMs / 1000, 2)} s after the burst's first start call: ` +
          `its DeleteStream arrived ${fmt(n.toDeleteStreamMs)} ms after its start call, its KickoutUser ${fmt(n.toKickoutMs)} ms, ` +
          `and the client had its result (${n.outcome}) after ${fmt(n.toResultMs)} ms.` +
          (n.taskTimings ? ` ${taskTimingsSentence(n.taskTimings)}` : ''),
      ];
    }),
    ...firstCuts(r.cells.filter(ran)),
    ...samples(r),
  ];
}

function firstCuts(cells: readonly RaidCellResult[]): string[] {
  const withFirstCut = cells.filter((c) => c.firstCut);
  if (!withFirstCut.length) return [];
  return [
    '',
    'The takedown of each cell\'s first cut, from its history:',
    '',
    ...withFirstCut.map((c) => {
      const f = c.firstCut!;
      return `- ${c.name}: started ${fmt(f.startedAfterMs, 0)} ms after the first start call, its DeleteStream arrived ${fmt(f.toDeleteStreamMs, 0)} ms after its own. ${taskTimingsSentence(f.taskTimings)}`;
    }),
  ];
}
