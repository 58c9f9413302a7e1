import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { parseArgs } from '../../../bench/args';
import { makePlan, raidOnlyPlan } from '../../../bench/plan';
import { readTree } from '../../../bench/procstat';
import type { RaidCellResult, RaidResult } from '../../../bench/raid';
import { analyseBurst, analyseCell, firstArrival, longestGap, type LoggedRequest, type StartedTakedown } from '../../../bench/raid-analysis';
import { burstSize, pickRaidCells } from '../../../bench/raid-spec';
import type { RaidBaseline } from '../../../bench/raid-baseline';
import { taskTimings } from '../../../bench/raid-histories';
import { beforeAfter, raidSection } from '../../../bench/report-raid';
import { renderRaidReport, type RaidOnlyResults } from '../../../bench/report';
import { WorkerLogCounter } from '../../../bench/worker-logs';
import { summarize } from '../../../harness/stats';

function started(room: string, startedAt: number): StartedTakedown {
  return { roomId: room, streamId: `s-${room}`, startedAt };
}

function request(operation: string, room: string, at: number, code = 0): LoggedRequest {
  return { at, operation, params: { roomId: room, streamId: `s-${room}` }, code };
}

// Four takedowns started 1 ms apart from t = 1000; r1's first DeleteStream is throttled (206).
const starts = [started('r0', 1000), started('r1', 1001), started('r2', 1002), started('r3', 1003)];
const log: LoggedRequest[] = [
  request('DeleteStream', 'r0', 1100),
  request('KickoutUser', 'r0', 1120),
  request('DeleteStream', 'r1', 1150, 206),
  request('DeleteStream', 'other', 1200), // not a stream of the burst
  request('DeleteStream', 'r1', 1250),
  request('DeleteStream', 'r2', 1300),
  request('StopMix', 'r2', 1400, 110200191),
  request('DeleteStream', 'r3', 2200),
];

describe('raid arrival analysis', () => {
  test('first cut, drain and its ideal come from the cell’s first start call and the limit', () => {
    const a = analyseBurst(starts, log, 10);
    expect(a.firstArrivalSeconds).toBeCloseTo((1100 - 1000) / 1000, 9);
    expect(a.drainSeconds).toBeCloseTo((2200 - 1000) / 1000, 9);
    expect(a.idealSeconds).toBeCloseTo(3 / 10, 9);
    expect(a.drainOverIdeal).toBeCloseTo(1.2 / 0.3, 9);
  });

  test('time to cut matches each takedown’s own DeleteStream by room and stream, the throttled attempt skipped', () => {
    const a = analyseBurst(starts, log, 10);
    expect(a.timeToCutMs).toEqual(summarize([1100 - 1000, 1250 - 1001, 1300 - 1002, 2200 - 1003]));
    expect(a.missing).toBe(0);
  });

  test('a takedown whose only DeleteStream was throttled still has that arrival; one with none counts as missing', () => {
    const a = analyseBurst([...starts, started('r4', 1004), started('r5', 1005)], [...log, request('DeleteStream', 'r4', 2300, 206)], 10);
    expect(a.n).toBe(6);
    expect(a.missing).toBe(1);
    expect(a.timeToCutMs.max).toBe(2300 - 1004);
    expect(a.idealSeconds).toBeCloseTo(5 / 10, 9);
  });

  test('the longest pause is between consecutive cuts; the busiest second counts every attempt; rejections any request', () => {
    const a = analyseBurst(starts, log, 10);
    expect(a.longestPauseMs).toBe(2200 - 1300);
    // 1100, 1150 (refused), 1250 and 1300 fall within one second; the stream outside the burst does not count.
    expect(a.maxArrivalsInAnyWindow).toBe(4);
    expect(a.deleteRequests).toBe(5);
    expect(a.rejections).toBe(2);
  });

  test('longestGap sorts first and is 0 below two times', () => {
    expect(longestGap([30, 10, 20, 70])).toBe(40);
    expect(longestGap([5])).toBe(0);
    expect(longestGap([])).toBe(0);
  });

  test('a cell across apps: each app from the cell’s first start, the cell the worst app and every takedown', () => {
    const other = [started('b0', 1000.5), started('b1', 1001.5)];
    const otherLog = [request('DeleteStream', 'b0', 1050), request('DeleteStream', 'b1', 1160)];
    const { overall, apps } = analyseCell([{ starts, requests: log }, { starts: other, requests: otherLog }], 10);
    expect(apps[1]!.firstArrivalSeconds).toBeCloseTo(0.05, 9);
    expect(apps[1]!.drainSeconds).toBeCloseTo(0.16, 9);
    expect(overall.n).toBe(6);
    expect(overall.firstArrivalSeconds).toBeCloseTo(0.05, 9);
    expect(overall.drainSeconds).toBeCloseTo(1.2, 9);
    expect(overall.idealSeconds).toBeCloseTo(0.3, 9);
    expect(overall.timeToCutMs).toEqual(summarize([100, 249, 298, 1197, 49.5, 158.5]));
    expect(overall.longestPauseMs).toBe(900);
    expect(overall.maxArrivalsInAnyWindow).toBe(4);
    expect(overall.rejections).toBe(2);
  });

  test('a single-app cell is that app’s analysis', () => {
    const { overall, apps } = analyseCell([{ starts, requests: log }], 10);
    expect(overall).toEqual(analyseBurst(starts, log, 10));
    expect(apps).toEqual([overall]);
  });

  test('firstArrival finds the neighbour’s earliest request of one kind', () => {
    expect(firstArrival([request('KickoutUser', 'n', 900), request('KickoutUser', 'n', 800), request('KickoutUser', 'x', 700)], 'KickoutUser', 'n')).toBe(800);
    expect(firstArrival(log, 'KickoutUser', 'r3')).toBeUndefined();
  });
});

describe('worker log counter', () => {
  test('counts whole lines per stream, a line split across chunks once', () => {
    const counter = new WorkerLogCounter();
    const out = counter.stream();
    const err = counter.stream();
    out('{"level":"WARN","message":"Error polling: status: ResourceExh');
    err('{"message":"Workflow task not found"}\n{"message":"fine"}\n');
    out('austed, message: too many pollers"}\n{"message":"ok"}\n');
    expect(counter.snapshot()).toEqual({ resourceExhausted: 1, workflowTaskNotFound: 1 });
  });

  test('keeps the first few matching lines of each kind, cut to 400 characters', () => {
    const counter = new WorkerLogCounter();
    const feed = counter.stream();
    for (let i = 0; i < 5; i++) feed(`ResourceExhausted ${i} ${'x'.repeat(500)}\n`);
    const { resourceExhausted, workflowTaskNotFound } = counter.samples();
    expect(resourceExhausted.map((l) => l.slice(0, 19))).toEqual(['ResourceExhausted 0', 'ResourceExhausted 1', 'ResourceExhausted 2']);
    expect(resourceExhausted.every((l) => l.length === 400)).toBe(true);
    expect(workflowTaskNotFound).toEqual([]);
  });

  test('since() gives one cell’s lines only', () => {
    const counter = new WorkerLogCounter();
    const feed = counter.stream();
    feed('RESOURCE_EXHAUSTED\n');
    const before = counter.snapshot();
    feed('poller count limit exceeded\nWorkflow Task Not Found\nnothing\n');
    expect(counter.since(before)).toEqual({ resourceExhausted: 1, workflowTaskNotFound: 1 });
  });
});

describe('CPU of several worker processes', () => {
  let children: ChildProcess[] = [];
  afterEach(() => {
    for (const c of children) c.kill('SIGKILL');
    children = [];
  });

  test('readTree over several roots reads every tree, each process once', () => {
    children = [spawn('sleep', ['30']), spawn('sleep', ['30'])];
    const pids = children.map((c) => c.pid!);
    const both = readTree(pids);
    expect(both.pids.sort()).toEqual([...pids].sort());
    // A root inside another root's tree is not counted twice.
    const withParent = readTree([process.pid, ...pids]);
    expect(withParent.pids.filter((p) => pids.includes(p))).toHaveLength(2);
    expect(new Set(withParent.pids).size).toBe(withParent.pids.length);
  });
});

function cell(name: RaidCellResult['name'], extra: Partial<RaidCellResult> = {}): RaidCellResult {
  const overall = analyseBurst(starts, log, 10);
  return {
    name,
    workers: 4,
    limitPerSecond: 10,
    overall,
    apps: [{ ...overall, app: 'limit10', appId: 1234500010 }],
    startCallsSeconds: 0.8,
    allCompletedSeconds: 1.5,
    outcomes: { enforced: 4 },
    cpu: { worker: { cpuSeconds: 0.4, cores: 0.27 }, devServer: { cpuSeconds: 0.6, cores: 0.4 } },
    cpuMsPerTakedown: { worker: 100, devServer: 150 },
    logs: { resourceExhausted: 3, workflowTaskNotFound: 2 },
    takedownTasks: { histories: 4, timedOut: 3, scheduleToStart: 2, failed: 0 },
    workerStartSeconds: 12.3,
    warmUp: { takedowns: 20, closed: 20, seconds: 4.5 },
    ...extra,
  };
}

function raid(cells: RaidResult['cells']): RaidResult {
  return { taskQueue: 'bench-raid', workerSettings: { TAKEDOWN_TASK_QUEUE: 'bench-raid' }, bundleBuildSeconds: 9, cells, logSamples: { resourceExhausted: [], workflowTaskNotFound: [] } };
}

describe('raid report', () => {
  test('one row per cell with the arrival figures, then one with cost and worker trouble', () => {
    const text = raidSection(raid([cell('raid-4')])).join('\n');
    expect(text).toContain('| raid-4 | 4 | 4 | 0.10 | 1.20 | 0.30 | 4.00 | 0.25 / 1.20 | 900 | 4 (10) | 2 | 1.50 | 4 enforced |');
    expect(text).toContain('| raid-4 | 4 | 100 / 150 | 0.27 / 0.40 | 3 | 2 | 3 (2 not picked up) / 0 (4) | not read | 12.3 | 20 / 20 in 4.5 |');
    expect(text).toContain('`TAKEDOWN_TASK_QUEUE=bench-raid`');
  });

  test('a cell across apps gets per-app rows; the neighbour its sentence; another checkout is named', () => {
    const overall = analyseBurst(starts, log, 10);
    const multi = cell('raid-4x3', {
      apps: (['limit10', 'limit10b', 'limit10c'] as const).map((app, k) => ({ ...overall, app, appId: 1234500010 + k })),
      overall: { ...overall, n: 12 },
    });
    const neighbour = cell('neighbour', {
      neighbour: {
        app: 'open', appId: 1234567890, startedAfterMs: 3001, toDeleteStreamMs: 420, toKickoutMs: 505, toResultMs: 730, outcome: 'enforced',
        taskTimings: { workflowTaskWaitsMs: [12, 2300], activityWaitsMs: { zegoDeleteStream: 40, zegoKickoutUser: 9 }, workflowTaskRunsMs: [30, 25], activityRunsMs: { zegoDeleteStream: 700, zegoKickoutUser: 60 } },
      },
      pacerTasks: { histories: 3, timedOut: 0, failed: 1 },
    });
    const text = raidSection({ ...raid([multi, neighbour]), workerCheckout: '0eca2e7' }).join('\n');
    expect(text).toContain('| raid-4x3 | 4 | 3 × 4 |');
    expect(text).toContain('| raid-4x3 | limit10b (1234500011) | 4 | 0.10 | 1.20 |');
    expect(text).toContain('| neighbour | 4 | 4 + 1 |');
    expect(text).toContain('0 / 1 (3)');
    expect(text).toContain(
      'In the neighbour cell, one takedown in the open app (1234567890), started 3.00 s after the burst\'s first start call: its DeleteStream arrived 420 ms after its start call, its KickoutUser 505 ms, and the client had its result (enforced) after 730 ms. ' +
        'Its tasks waited for a poller (ms): workflow tasks 12, 2300; activities zegoDeleteStream 40, zegoKickoutUser 9. ' +
        'Their runs (ms): workflow tasks 30, 25; activities zegoDeleteStream 700, zegoKickoutUser 60.',
    );
    expect(text).toContain('**from a checkout of commit `0eca2e7`**');
  });

  test("each cell's first cut is told from its takedown's history", () => {
    const firstCut = { startedAfterMs: 12, toDeleteStreamMs: 640, taskTimings: { workflowTaskWaitsMs: [300], activityWaitsMs: { zegoDeleteStream: 20 }, workflowTaskRunsMs: [90], activityRunsMs: { zegoDeleteStream: 210 } } };
    const text = raidSection(raid([cell('raid-4', { firstCut }), cell('raid-1')])).join('\n');
    expect(text).toContain(
      '- raid-4: started 12 ms after the first start call, its DeleteStream arrived 640 ms after its own. ' +
        'Its tasks waited for a poller (ms): workflow tasks 300; activities zegoDeleteStream 20. Their runs (ms): workflow tasks 90; activities zegoDeleteStream 210.',
    );
    expect(text).not.toContain('- raid-1: started');
  });

  test('a cell that failed keeps its row with the reason, the other cells their figures; sample log lines follow', () => {
    const r = { ...raid([{ name: 'raid-24', workers: 24, error: '12 of 300 takedowns closed by the cell\'s deadline' }, cell('raid-4')]), logSamples: { resourceExhausted: ['{"message":"namespace count limit exceeded"}'], workflowTaskNotFound: [] } };
    const text = raidSection(r).join('\n');
    expect(text.match(/\| raid-24 \| 24 \| \*\*failed:\*\* 12 of 300 takedowns closed by the cell's deadline \|/g)).toHaveLength(2);
    expect(text).toContain('| raid-4 | 4 | 4 | 0.10 |');
    expect(text).toContain('```\nresourceExhausted: {"message":"namespace count limit exceeded"}\n```');
  });

  test('takedowns that were never cut are said so in the cell’s row', () => {
    const overall = { ...analyseBurst(starts, log, 10), missing: 2 };
    expect(raidSection(raid([cell('raid-1', { overall })])).join('\n')).toContain('| raid-1 | 4 | 4 (2 never cut) |');
  });

  test('a cell past its deadline has no completion time and counts its open takedowns; a cell without warm-up says so', () => {
    const late = cell('raid-24', { allCompletedSeconds: NaN, outcomes: { enforced: 3, 'open at the deadline': 1 }, warmUp: undefined });
    const text = raidSection(raid([late])).join('\n');
    expect(text).toContain('| 2 | – | 3 enforced, 1 open at the deadline |');
    expect(text).toMatch(/\| 12\.3 \| – \|$/m);
  });
});

describe('raid before and after', () => {
  // The previous design: slower first cut and a neighbour held up behind the burst; no raid-24.
  const slower = { ...analyseBurst(starts, log, 10), firstArrivalSeconds: 2.5, drainOverIdeal: 1.26, longestPauseMs: 151.6, maxArrivalsInAnyWindow: 11 };
  const neighbourFigures = { app: 'open', appId: 1234567890, startedAfterMs: 3000, toKickoutMs: 1580, outcome: 'enforced' };
  const baseline: RaidBaseline = {
    label: 'old pacer',
    date: '2026-12-01T19:46:19.858Z',
    source: 'bench/results-raid-old.json',
    raid: {
      ...raid([
        cell('raid-1'),
        cell('raid-4', { overall: { ...slower, timeToCutMs: { ...slower.timeToCutMs, p50: 10_300, max: 18_480 } }, cpuMsPerTakedown: { worker: 38.13, devServer: 52 } }),
        cell('neighbour', { neighbour: { ...neighbourFigures, toDeleteStreamMs: 3144.3, toResultMs: 4885.8 } }),
      ]),
      workerCheckout: '0eca2e7',
    },
  };
  const run = raid([
    cell('raid-4'),
    { name: 'raid-24', workers: 24, error: 'workers did not start' },
    cell('neighbour', { neighbour: { ...neighbourFigures, toDeleteStreamMs: 1314.1, toResultMs: 1637.4 } }),
  ]);

  test('one row per cell, each figure as the baseline’s → this run’s, under the baseline’s label', () => {
    const text = beforeAfter(run, baseline).join('\n');
    expect(text).toContain('| cell: old pacer → this run | takedowns | first cut s | drain / ideal (×) | time to cut p50 / max s |');
    expect(text).toContain('| raid-4 | 4 → 4 | 2.50 → 0.10 | 1.26 → 4.00 | 10.30 / 18.48 → 0.25 / 1.20 | 152 → 900 | 11 (10) → 4 (10) | 38.1 / 52.0 → 100 / 150 | – | – |');
    expect(text).toContain('| neighbour | 4 + 1 → 4 + 1 | 0.10 → 0.10 | 4.00 → 4.00 | 0.25 / 1.20 → 0.25 / 1.20 | 900 → 900 | 4 (10) → 4 (10) | 100 / 150 → 100 / 150 | 3144 → 1314 | 4886 → 1637 |');
    expect(text).toContain('*old pacer*: `bench/results-raid-old.json`, run on 2026-12-01T19:46:19.858Z with the workers of commit `0eca2e7`');
  });

  test('a cell only one side has is "not run" on the other; a failed cell is "failed"; rows keep the report’s cell order', () => {
    const rows = beforeAfter(run, baseline).filter((l) => /^\| (raid|neighbour)/.test(l));
    expect(rows.map((l) => l.split(' | ')[0])).toEqual(['| raid-1', '| raid-4', '| raid-24', '| neighbour']);
    expect(rows[0]).toBe('| raid-1 | 4 → not run | 0.10 → not run | 4.00 → not run | 0.25 / 1.20 → not run | 900 → not run | 4 (10) → not run | 100 / 150 → not run | – | – |');
    expect(rows[2]).toBe('| raid-24 | not run → failed | not run → failed | not run → failed | not run → failed | not run → failed | not run → failed | not run → failed | – | – |');
  });

  test('a baseline read back from JSON shows a time to cut it had no samples for as –, not 0', () => {
    const none = { ...baseline.raid.cells[0]!, overall: { ...slower, timeToCutMs: summarize([]) } } as RaidCellResult;
    const readBack = JSON.parse(JSON.stringify({ ...baseline, raid: raid([none]) })) as RaidBaseline;
    expect(beforeAfter(raid([]), readBack).find((l) => l.startsWith('| raid-1 '))).toContain('| – / – → not run |');
  });

  test('the section puts the table after the cells’ tables only with a baseline; the --only raid report carries it too', () => {
    const withBaseline = raidSection(run, '## Mass takedowns (raid)', baseline).join('\n');
    expect(withBaseline.indexOf('**Before and after.**')).toBeGreaterThan(withBaseline.indexOf('| cell | worker processes | CPU ms per takedown'));
    expect(withBaseline.indexOf('**Before and after.**')).toBeLessThan(withBaseline.indexOf('In the neighbour cell'));
    expect(raidSection(run).join('\n')).not.toContain('Before and after');
    const only = {
      only: 'raid',
      date: '2026-12-02T10:00:00.000Z',
      mode: 'full',
      wallSeconds: 300,
      machine: { cpu: 'x', cores: 2, memoryGiB: 4, os: 'Linux', loadAverageAtStart: [1] },
      versions: { temporalCli: '1', node: '22', sdk: '1.24.0' },
      settings: {},
      raid: run,
      raidBaseline: baseline,
    } satisfies RaidOnlyResults;
    expect(renderRaidReport(only, 'results-raid.json', 'npm run bench -- --only raid')).toContain('| raid-24 | not run → failed |');
  });
});

describe('raid plan and command line', () => {
  test('--quick runs raid-4 and neighbour small; the full run has all five cells', () => {
    const quick = makePlan(true).raid;
    expect(quick.map((c) => [c.name, c.workers, burstSize(c)])).toEqual([
      ['raid-4', 4, 40],
      ['neighbour', 4, 40],
    ]);
    expect(makePlan(false).raid.map((c) => [c.name, c.workers, burstSize(c)])).toEqual([
      ['raid-1', 1, 150],
      ['raid-4', 4, 300],
      ['raid-24', 24, 300],
      ['raid-4x3', 4, 300],
      ['neighbour', 4, 300],
    ]);
  });

  test('--only raid --raid picks cells in the plan’s order and bounds the run by them', () => {
    const full = makePlan(false);
    const two = raidOnlyPlan(full, ['neighbour', 'raid-4']);
    expect(two.raid.map((c) => c.name)).toEqual(['raid-4', 'neighbour']);
    expect(two.lifetimeSeconds).toBeLessThan(raidOnlyPlan(full).lifetimeSeconds);
    expect(raidOnlyPlan(full).lifetimeSeconds).toBeLessThan(full.lifetimeSeconds);
    expect(() => pickRaidCells(makePlan(true).raid, ['raid-24'])).toThrow('--raid: raid-24 not in this plan (it has raid-4, neighbour)');
  });

  test('--only raid with --raid and --worker-root (made absolute)', () => {
    expect(parseArgs(['--only', 'raid', '--quick', '--raid', 'raid-4,neighbour', '--worker-root', 'other'])).toEqual({
      quick: true,
      only: 'raid',
      cluster: false,
      workerEnv: {},
      raid: ['raid-4', 'neighbour'],
      workerRoot: path.resolve('other'),
    });
    expect(parseArgs(['--worker-root', '/x'])).toEqual({ quick: false, cluster: true, workerEnv: {}, workerRoot: '/x' });
  });

  test('--raid and --worker-root are refused where no raid cell runs, or with a bad value', () => {
    expect(() => parseArgs(['--raid', 'raid-4'])).toThrow('--raid goes with --only raid');
    expect(() => parseArgs(['--only', 'raid', '--raid', 'raid-5'])).toThrow('--raid takes a comma-separated list of: raid-1, raid-4, raid-24, raid-4x3, neighbour (got "raid-5")');
    expect(() => parseArgs(['--only', 'raid', '--raid', ''])).toThrow('--raid takes a comma-separated list of');
    expect(() => parseArgs(['--only', 'intake', '--worker-root', '/x'])).toThrow('--worker-root goes with the raid cells: not with --only intake');
    expect(() => parseArgs(['--worker-root'])).toThrow('--worker-root takes a directory (got "")');
    expect(() => parseArgs(['--only', 'raid', '--out', 'results'])).toThrow('--only raid would overwrite the committed bench/results.*: name another --out');
  });
});

describe('task queue waits from a history', () => {
  const at = (ms: number) => ({ seconds: Math.floor(ms / 1000), nanos: (ms % 1000) * 1e6 });
  test('each workflow task and the last attempt of each activity, scheduled to started', () => {
    const events = [
      { eventId: 2, eventTime: at(1_000), workflowTaskScheduledEventAttributes: {} },
      { eventId: 3, eventTime: at(1_015), workflowTaskStartedEventAttributes: { scheduledEventId: 2 } },
      { eventId: 5, eventTime: at(1_100), activityTaskScheduledEventAttributes: { activityType: { name: 'zegoDeleteStream' } } },
      { eventId: 4, eventTime: at(1_100), workflowTaskCompletedEventAttributes: { scheduledEventId: 2, startedEventId: 3 } },
      { eventId: 5, eventTime: at(1_100), activityTaskScheduledEventAttributes: { activityType: { name: 'zegoDeleteStream' } } },
      { eventId: 6, eventTime: at(1_850), activityTaskStartedEventAttributes: { scheduledEventId: 5 } },
      { eventId: 7, eventTime: at(1_990), activityTaskCompletedEventAttributes: { scheduledEventId: 5, startedEventId: 6 } },
      { eventId: 8, eventTime: at(2_000), workflowTaskScheduledEventAttributes: {} },
      { eventId: 9, eventTime: at(4_500), workflowTaskStartedEventAttributes: { scheduledEventId: 8 } },
    ];
    expect(taskTimings(events as never)).toEqual({
      workflowTaskWaitsMs: [15, 2500],
      activityWaitsMs: { zegoDeleteStream: 750 },
      workflowTaskRunsMs: [85],
      activityRunsMs: { zegoDeleteStream: 140 },
    });
  });
});
