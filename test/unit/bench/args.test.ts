import { parseArgs } from '../../../bench/args';
import { makePlan, throughputOnlyPlan } from '../../../bench/plan';
import { cpuMsPerTakedown } from '../../../bench/procstat';

describe('bench command line', () => {
  test('no options: the full run, nothing else', () => {
    expect(parseArgs([])).toEqual({ quick: false, workerEnv: {} });
  });

  test('--only throughput with a window, an output prefix and worker settings', () => {
    expect(parseArgs(['--only', 'throughput', '--measure-seconds', '45', '--out', '/tmp/before', '--worker-env', 'A=1', '--worker-env', 'B=x=y'])).toEqual({
      quick: false,
      only: 'throughput',
      measureSeconds: 45,
      out: '/tmp/before',
      workerEnv: { A: '1', B: 'x=y' },
    });
  });

  test('--only bursts still works, with --quick', () => {
    expect(parseArgs(['--quick', '--only', 'bursts'])).toEqual({ quick: true, only: 'bursts', workerEnv: {} });
  });

  test('an unknown --only phase is refused, naming the known ones and what was given', () => {
    expect(() => parseArgs(['--only', 'latency'])).toThrow('--only takes one of: bursts, throughput (got "latency")');
    expect(() => parseArgs(['--only'])).toThrow('--only takes one of: bursts, throughput (got "")');
  });

  test('--measure-seconds needs --only throughput and a positive number', () => {
    expect(() => parseArgs(['--measure-seconds', '30'])).toThrow('--measure-seconds goes with --only throughput');
    expect(() => parseArgs(['--only', 'bursts', '--measure-seconds', '30'])).toThrow('--measure-seconds goes with --only throughput');
    for (const bad of ['0', '-5', 'ten', '']) {
      expect(() => parseArgs(['--only', 'throughput', '--measure-seconds', bad])).toThrow(`--measure-seconds takes a positive number of seconds (got "${bad}")`);
    }
  });

  test('a single-phase run may not write over the committed results', () => {
    expect(() => parseArgs(['--only', 'throughput', '--out', 'results'])).toThrow('--only throughput would overwrite the committed bench/results.*: name another --out');
    expect(() => parseArgs(['--only', 'bursts', '--out', 'results'])).toThrow('--only bursts would overwrite the committed bench/results.*: name another --out');
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
