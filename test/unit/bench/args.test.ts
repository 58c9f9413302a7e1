import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from '../../../bench/args';
import { readRaidBaseline } from '../../../bench/raid-baseline';
import { highestHeld } from '../../../bench/intake';
import { intakeOnlyPlan, makePlan, runBoundSeconds, throughputOnlyPlan } from '../../../bench/plan';
import { cpuMsPerTakedown } from '../../../bench/procstat';

describe('bench command line', () => {
  test('no options: the full run with the cluster column, nothing else', () => {
    expect(parseArgs([])).toEqual({ quick: false, cluster: true, workerEnv: {} });
  });

  test('--only throughput with a window, an output prefix and worker settings', () => {
    expect(parseArgs(['--only', 'throughput', '--measure-seconds', '45', '--out', '/tmp/before', '--worker-env', 'A=1', '--worker-env', 'B=x=y'])).toEqual({
      quick: false,
      only: 'throughput',
      cluster: false,
      measureSeconds: 45,
      out: '/tmp/before',
      workerEnv: { A: '1', B: 'x=y' },
    });
  });

  test('--only bursts still works, with --quick', () => {
    expect(parseArgs(['--quick', '--only', 'bursts'])).toEqual({ quick: true, only: 'bursts', cluster: false, workerEnv: {} });
  });

  test('--only intake runs the intake cell without the cluster', () => {
    expect(parseArgs(['--only', 'intake', '--quick'])).toEqual({ quick: true, only: 'intake', cluster: false, workerEnv: {} });
  });

  test('the cluster column: always in a full run and with --only cluster, in --quick only with --cluster', () => {
    expect(parseArgs(['--quick'])).toEqual({ quick: true, cluster: false, workerEnv: {} });
    expect(parseArgs(['--quick', '--cluster'])).toEqual({ quick: true, cluster: true, workerEnv: {} });
    expect(parseArgs(['--only', 'cluster'])).toEqual({ quick: false, only: 'cluster', cluster: true, workerEnv: {} });
    expect(parseArgs(['--only', 'cluster', '--quick'])).toEqual({ quick: true, only: 'cluster', cluster: true, workerEnv: {} });
  });

  test('--cluster is refused where it would change nothing or make no sense', () => {
    expect(() => parseArgs(['--cluster'])).toThrow('--cluster goes with --quick: a full run always includes the cluster column');
    expect(() => parseArgs(['--quick', '--cluster', '--only', 'cluster'])).toThrow('--cluster does not go with --only cluster (--only cluster runs the cluster column alone)');
    expect(() => parseArgs(['--quick', '--cluster', '--only', 'intake'])).toThrow('--cluster does not go with --only intake (--only cluster runs the cluster column alone)');
  });

  test('an unknown --only phase is refused, naming the known ones and what was given', () => {
    expect(() => parseArgs(['--only', 'latency'])).toThrow('--only takes one of: bursts, throughput, intake, cluster, raid (got "latency")');
    expect(() => parseArgs(['--only'])).toThrow('--only takes one of: bursts, throughput, intake, cluster, raid (got "")');
  });

  test('an unknown option is refused, not ignored (a typo must not start a full run)', () => {
    expect(() => parseArgs(['--quik'])).toThrow('unknown option "--quik" (known: --quick, --cluster, --render, --only, --measure-seconds, --out, --worker-env, --raid, --worker-root, --raid-baseline, --raid-baseline-label)');
    expect(() => parseArgs(['--quick', 'intake'])).toThrow('unknown option "intake" (known: --quick, --cluster, --render, --only, --measure-seconds, --out, --worker-env, --raid, --worker-root, --raid-baseline, --raid-baseline-label)');
  });

  test('--worker-env needs NAME=value, --out a prefix', () => {
    for (const bad of ['A', '=1', '']) expect(() => parseArgs(['--worker-env', bad])).toThrow(`--worker-env takes NAME=value (got "${bad}")`);
    expect(() => parseArgs(['--out'])).toThrow('--out takes a file prefix (got "")');
  });

  test('--measure-seconds needs --only throughput and a positive number', () => {
    expect(() => parseArgs(['--measure-seconds', '30'])).toThrow('--measure-seconds goes with --only throughput');
    expect(() => parseArgs(['--only', 'bursts', '--measure-seconds', '30'])).toThrow('--measure-seconds goes with --only throughput');
    for (const bad of ['0', '-5', 'ten', '']) {
      expect(() => parseArgs(['--only', 'throughput', '--measure-seconds', bad])).toThrow(`--measure-seconds takes a positive number of seconds (got "${bad}")`);
    }
  });

  test('a single-phase or quick run may not write over the committed results', () => {
    expect(() => parseArgs(['--only', 'throughput', '--out', 'results'])).toThrow('--only throughput would overwrite the committed bench/results.*: name another --out');
    expect(() => parseArgs(['--only', 'bursts', '--out', 'results'])).toThrow('--only bursts would overwrite the committed bench/results.*: name another --out');
    expect(() => parseArgs(['--only', 'cluster', '--out', 'results'])).toThrow('--only cluster would overwrite the committed bench/results.*: name another --out');
    expect(() => parseArgs(['--quick', '--out', 'results'])).toThrow('--quick would overwrite the committed bench/results.*: name another --out');
    expect(parseArgs(['--out', 'results'])).toEqual({ quick: false, cluster: true, out: 'results', workerEnv: {} });
  });
});

describe('--raid-baseline on the command line', () => {
  test('with --only raid, a full run and --render; the label defaults to "previous design"', () => {
    expect(parseArgs(['--only', 'raid', '--raid-baseline', 'bench/old.json'])).toEqual({
      quick: false,
      only: 'raid',
      cluster: false,
      workerEnv: {},
      raidBaseline: { file: 'bench/old.json', label: 'previous design' },
    });
    expect(parseArgs(['--raid-baseline', '/tmp/old.json', '--raid-baseline-label', 'one lease per slot'])).toEqual({
      quick: false,
      cluster: true,
      workerEnv: {},
      raidBaseline: { file: '/tmp/old.json', label: 'one lease per slot' },
    });
    expect(parseArgs(['--render', '--raid-baseline', 'old.json'])).toMatchObject({ render: true, raidBaseline: { file: 'old.json', label: 'previous design' } });
    expect(parseArgs(['--render'])).toMatchObject({ render: true });
    expect(parseArgs(['--render']).raidBaseline).toBeUndefined();
  });

  test('refused without a file, with an empty label, with a label alone, or where no raid cell is reported', () => {
    expect(() => parseArgs(['--raid-baseline'])).toThrow('--raid-baseline takes a results file (got "")');
    expect(() => parseArgs(['--raid-baseline', 'old.json', '--raid-baseline-label', ''])).toThrow('--raid-baseline-label takes a label (got "")');
    expect(() => parseArgs(['--raid-baseline-label', 'old'])).toThrow('--raid-baseline-label goes with --raid-baseline');
    expect(() => parseArgs(['--only', 'intake', '--raid-baseline', 'old.json'])).toThrow(
      '--raid-baseline goes with the raid cells (a full run, --only raid or --render): not with --only intake',
    );
  });

  test('--render takes no option but the baseline’s, since it would ignore them', () => {
    expect(() => parseArgs(['--render', '--quick', '--out', 'x', '--raid-baseline', 'old.json'])).toThrow(
      '--render goes alone or with --raid-baseline and --raid-baseline-label (got --quick, --out)',
    );
  });
});

describe('readRaidBaseline', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'raid-baseline-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  function file(name: string, content: unknown): string {
    const f = path.join(dir, name);
    writeFileSync(f, typeof content === 'string' ? content : JSON.stringify(content));
    return f;
  }

  const raid = { taskQueue: 'bench-raid', workerCheckout: '0eca2e7', workerSettings: {}, bundleBuildSeconds: 9, cells: [{ name: 'raid-4', workers: 4, error: 'x' }], logSamples: {} };

  test('a --only raid results file: its date and raid figures, with the label; outside the project the file is named alone', () => {
    const f = file('old.json', { only: 'raid', date: '2026-12-01T19:46:19.858Z', mode: 'full', raid });
    expect(readRaidBaseline(f, 'old pacer')).toEqual({ label: 'old pacer', date: '2026-12-01T19:46:19.858Z', source: 'old.json', raid });
    expect(readRaidBaseline(f).label).toBe('previous design');
  });

  test('a baseline inside the project is named by its path from the project root', () => {
    const inside = mkdtempSync(path.join(__dirname, 'baseline-'));
    try {
      const f = path.join(inside, 'old.json');
      writeFileSync(f, JSON.stringify({ only: 'raid', date: '2026-12-01T19:46:19.858Z', raid }));
      expect(readRaidBaseline(f).source).toBe(`test/unit/bench/${path.basename(inside)}/old.json`);
    } finally {
      rmSync(inside, { recursive: true, force: true });
    }
  });

  test('a file that is missing, not JSON, or without raid cells is refused, naming it and what is wrong', () => {
    const missing = path.join(dir, 'nope.json');
    expect(() => readRaidBaseline(missing)).toThrow(`--raid-baseline ${missing}: no such file (looked for ${missing})`);
    const notJson = file('bad.json', '{"date":');
    expect(() => readRaidBaseline(notJson)).toThrow(`--raid-baseline ${notJson}: not JSON (`);
    const throughput = file('t.json', { only: 'throughput', date: 'd', throughput: {} });
    expect(() => readRaidBaseline(throughput)).toThrow(
      `--raid-baseline ${throughput}: no raid.cells, so no raid figures to compare with (write one with \`npm run bench -- --only raid --out <prefix>\`)`,
    );
    expect(() => readRaidBaseline(file('array.json', []))).toThrow(': no raid.cells, so no raid figures to compare with');
    const empty = file('empty.json', { date: 'd', raid: { ...raid, cells: [] } });
    expect(() => readRaidBaseline(empty)).toThrow(`--raid-baseline ${empty}: raid.cells is empty, so no raid figures to compare with`);
    const unnamed = file('unnamed.json', { date: 'd', raid: { ...raid, cells: [raid.cells[0], { name: 'raid-5' }] } });
    expect(() => readRaidBaseline(unnamed)).toThrow(`--raid-baseline ${unnamed}: raid.cells[1] is not one of raid-1, raid-4, raid-24, raid-4x3, neighbour`);
    const undated = file('undated.json', { raid });
    expect(() => readRaidBaseline(undated)).toThrow(`--raid-baseline ${undated}: no date, so not a benchmark results file`);
  });
});

describe('intake and cluster plans', () => {
  test('the quick intake cell is small: its search fits its bound and it measures the headline rate', () => {
    const { intake } = makePlan(true);
    expect(intake.rates).toContain(intake.headlineRate);
    // 3 paths per step, every rate of the search within the search's bound
    expect(intake.rates.length * intake.secondsPerPath * 3).toBeLessThanOrEqual(intake.searchBudgetSeconds);
    expect(intake.loaded.rate * intake.loaded.secondsPerPath * 3).toBeLessThanOrEqual(300);
  });

  test('the full intake cell searches 25/50/100/200/s and more, at 100/s as its headline', () => {
    const { intake } = makePlan(false);
    expect(intake.rates.slice(0, 4)).toEqual([25, 50, 100, 200]);
    expect(intake.headlineRate).toBe(100);
  });

  test('--only intake is bounded by its own cell, far below the full run', () => {
    const full = makePlan(false);
    const plan = intakeOnlyPlan(full);
    const i = full.intake;
    expect(plan.lifetimeSeconds).toBe(120 + i.warmupSeconds + i.searchBudgetSeconds + i.secondsPerPath * 3 + i.loaded.secondsPerPath * 3 + i.loaded.waitSeconds);
    expect(plan.lifetimeSeconds).toBeLessThan(full.lifetimeSeconds);
  });

  test('the run bound adds the cluster column only when it runs', () => {
    const quick = makePlan(true);
    expect(runBoundSeconds(quick, false)).toBe(quick.lifetimeSeconds);
    expect(runBoundSeconds(quick, true)).toBe(quick.lifetimeSeconds + quick.cluster.seconds);
  });
});

describe('highestHeld', () => {
  test('the highest rate held with every lower rate held too', () => {
    expect(highestHeld([{ rate: 25, held: true }, { rate: 50, held: true }, { rate: 100, held: false }, { rate: 200, held: true }])).toBe(50);
    expect(highestHeld([{ rate: 100, held: true }, { rate: 25, held: true }])).toBe(100);
  });

  test('none when the lowest rate did not hold', () => {
    expect(highestHeld([{ rate: 25, held: false }, { rate: 50, held: true }])).toBeNull();
    expect(highestHeld([])).toBeNull();
  });
});

describe('throughputOnlyPlan', () => {
  test('keeps the plan’s throughput cell by default and bounds the run by that cell', () => {
    const full = makePlan(false);
    const plan = throughputOnlyPlan(full);
    expect(plan.throughput).toEqual(full.throughput);
    expect(plan.lifetimeSeconds).toBe(180 + full.throughput.warmupSeconds + full.throughput.measureSeconds);
    expect(plan.lifetimeSeconds).toBeLessThan(full.lifetimeSeconds);
  });

  test('a longer window seeds proportionally more streams and allows proportionally more time', () => {
    const full = makePlan(false); // 10 s warm-up + 30 s window, 6000 streams
    const plan = throughputOnlyPlan(full, 110);
    expect(plan.throughput).toEqual({ ...full.throughput, measureSeconds: 110, seeded: 18_000 });
    expect(plan.lifetimeSeconds).toBe(300);
  });

  test('a shorter window never seeds fewer streams than the plan', () => {
    const quick = makePlan(true);
    expect(throughputOnlyPlan(quick, 1).throughput.seeded).toBe(quick.throughput.seeded);
  });
});

describe('cpuMsPerTakedown', () => {
  test('CPU seconds of each tree over the window, in ms per completed takedown', () => {
    const cpu = { worker: { cpuSeconds: 12.3, cores: 0.41 }, devServer: { cpuSeconds: 19.2, cores: 0.64 }, bench: { cpuSeconds: 3, cores: 0.1 } };
    const per = cpuMsPerTakedown(cpu, 300);
    expect(per.worker).toBeCloseTo(41, 9);
    expect(per.devServer).toBeCloseTo(64, 9);
  });

  test('no completed takedown, or a tree that was not measured: NaN, not a cost of zero', () => {
    expect(cpuMsPerTakedown({ worker: { cpuSeconds: 1, cores: 1 }, devServer: { cpuSeconds: 1, cores: 1 } }, 0)).toEqual({ worker: NaN, devServer: NaN });
    expect(cpuMsPerTakedown({ worker: { cpuSeconds: 1, cores: 1 } }, 10)).toEqual({ worker: 100, devServer: NaN });
  });
});
