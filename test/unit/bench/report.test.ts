import type { ClusterColumn } from '../../../bench/cluster';
import { INTAKE_HOLD, type IntakeResult, type IntakeStep } from '../../../bench/intake';
import type { LatencyCell } from '../../../bench/latency';
import { makePlan } from '../../../bench/plan';
import type { BurstResult } from '../../../bench/rate-limit';
import { clusterSection } from '../../../bench/report-cluster';
import { intakeSection, intakeTargetRows } from '../../../bench/report-intake';
import type { Summary } from '../../../harness/stats';

function summary(p50: number, p99: number, n = 100): Summary {
  return { n, p50, p95: p99, p99, max: p99, mean: p50 };
}

function step(rate: number, intakeP99: number, startP99: number, held = true): IntakeStep {
  return {
    rate,
    queue: 'unpolled',
    secondsPerPath: 8,
    intake: summary(5, intakeP99),
    lookupAndStart: summary(4, startP99 + 1),
    startCall: summary(3, startP99),
    statuses: { 202: 100 },
    failures: { lookup: 0, start: 0 },
    achievedRate: rate,
    senderLagP99Ms: 1,
    cpu: { bench: { cpuSeconds: 1, cores: 0.1 }, devServer: { cpuSeconds: 2, cores: 0.2 }, worker: { cpuSeconds: 0, cores: 0 } },
    held,
  };
}

function intakeResult(steps: IntakeStep[], highestHeld: number | null, searchEnded: IntakeResult['searchEnded']): IntakeResult {
  return {
    spec: makePlan(false).intake,
    hold: INTAKE_HOLD,
    addedP99GoalMs: 5,
    steps,
    highestHeld,
    searchEnded,
    loaded: { ...step(100, 150, 140, false), queue: 'worker', toProvider: { intake: summary(1400, 3300), lookupAndStart: summary(1500, 3200), startCall: summary(1600, 3100), missing: 2 } },
  };
}

describe('intake report', () => {
  test('the 5 ms goal is met when the answer p99 is within 5 ms of the start call p99 at the headline rate', () => {
    const rows = intakeTargetRows(intakeResult([step(25, 10, 8), step(100, 18, 14)], 100, 'rates'));
    expect(rows[0]).toBe('| intake holds 100 verdicts/s: every answer a 2xx, answer p99 ≤ 100 ms (takedowns accepted, not run) | p99 18.0 ms, all 2xx | met |');
    expect(rows[1]).toBe('| intake adds ≤ 5 ms at p99 over its start call (100/s) | 4.0 ms (18.0 − 14.0) | met |');
  });

  test('and missed when it adds more; a step that did not hold is named with its refusals', () => {
    const failed = { ...step(100, 130, 14, false), statuses: { 202: 97, 503: 3 } };
    const rows = intakeTargetRows(intakeResult([step(25, 10, 8), failed], 25, 'failed'));
    expect(rows[0]).toBe('| intake holds 100 verdicts/s: every answer a 2xx, answer p99 ≤ 100 ms (takedowns accepted, not run) | p99 130 ms, 3 × 503 | **missed** |');
    expect(rows[1]).toBe('| intake adds ≤ 5 ms at p99 over its start call (100/s) | 116 ms (130 − 14.0) | **missed** |');
  });

  test('the section gives the highest rate held, the steps and the loaded step’s takedowns', () => {
    const text = intakeSection(intakeResult([step(25, 10, 8), step(50, 12, 9), step(100, 18, 14), step(200, 140, 30, false)], 100, 'failed')).join('\n');
    expect(text).toContain('- Highest rate held with answer p99 ≤ 100 ms: 100 verdicts/s (the next step did not hold; steps 25, 50, 100, 200/s).');
    expect(text).toContain('The intake adds 4.0 ms at p99 (goal ≤ 5 ms: met) and 2.0 ms at p50.');
    expect(text).toContain('| 200 | accepted, not run |');
    expect(text).toContain('| 100 | run by the worker |');
    expect(text).toContain('| verdict sent → DeleteStream at the provider | 100 | 1400 / 3300 / 3300 / 3300 |');
    expect(text).toContain('2 had not arrived after 120 s');
  });

  test('a search that held every rate says the figure is a lower bound', () => {
    const text = intakeSection(intakeResult([step(25, 10, 8), step(100, 18, 14)], 100, 'rates')).join('\n');
    expect(text).toContain('≥ 100 verdicts/s (the highest rate tried; steps 25, 100/s)');
  });
});

function latency(flow: LatencyCell['flow'], mode: LatencyCell['mode'], enforcedP50: number, extra: Partial<LatencyCell> = {}): LatencyCell {
  return {
    flow,
    mode,
    concurrency: 1,
    providerLatencyMs: 0,
    n: 500,
    wallSeconds: 100,
    toEnforced: summary(enforcedP50, enforcedP50 * 1.2),
    toCompleted: summary(enforcedP50 + 10, enforcedP50 * 1.3),
    requestsPerTakedown: 3,
    cpu: { worker: { cpuSeconds: 20, cores: 0.2 }, devServer: { cpuSeconds: 30, cores: 0.3 } },
    samples: { toEnforced: [], toCompleted: [] },
    ...extra,
  };
}

function burst(maxInAnySecond: number, utilisation: number): BurstResult {
  return {
    label: 'DeleteStream 20/s (configured)',
    n: 300,
    limitPerSecond: 20,
    dispatchRatePerSecond: 18,
    maxInAnySecond,
    maxInFixedSecond: maxInAnySecond,
    rejections: 0,
    drainSeconds: 15 / utilisation,
    minimumSeconds: 15,
    utilisation,
    allCompletedSeconds: 16 / utilisation,
    cpu: { worker: { cpuSeconds: 9, cores: 0.5 }, devServer: { cpuSeconds: 12, cores: 0.7 }, postgres: { cpuSeconds: 3, cores: 0.2 } },
    cpuMsPerTakedown: { worker: 30, devServer: 40 },
  };
}

describe('cluster report', () => {
  const dev = { latency: ['zego', 'agora'].flatMap((f) => [latency(f as 'zego', 'temporal', 300), latency(f as 'zego', 'floor', 2)]), bursts: [burst(19, 0.75)] };
  const cluster: ClusterColumn = {
    setup: { temporalServer: '1.32.0', postgres: '15.18', connection: '127.0.0.1:20001, namespace default, mTLS (client certificate CN=takedown-worker)', startupSeconds: 12 },
    latency: ['zego', 'agora'].flatMap((f) => [
      latency(f as 'zego', 'temporal', 30, { cpu: { worker: { cpuSeconds: 1, cores: 0.3 }, devServer: { cpuSeconds: 1, cores: 0.4 }, postgres: { cpuSeconds: 1, cores: 0.15 } } }),
      latency(f as 'zego', 'floor', 2),
    ]),
    bursts: [burst(21, 0.95)],
  };

  test('each target gets a column per server, so the figures that hold off the dev server can be read off', () => {
    const text = clusterSection(dev, cluster).join('\n');
    expect(text).toContain('| target | dev server | cluster |');
    expect(text).toContain('| ZEGO (3 steps) overhead over the floor, p50 ≤ 30 ms (0 ms provider latency, sequential) | 298 ms: **missed** | 28.0 ms: met |');
    expect(text).toContain('| DeleteStream 20/s (configured): never above the limit in any 1 s window | max 19: met | max 21: **missed** |');
    expect(text).toContain('| DeleteStream 20/s (configured): utilisation ≥ 0.9 | 0.75: **missed** | 0.95: met |');
  });

  test('the figures side by side, the cluster with PostgreSQL’s CPU as well', () => {
    const text = clusterSection(dev, cluster).join('\n');
    expect(text).toContain('| ZEGO (3 steps), 1 in flight, 0 ms: enforced p50 / p95 / p99 / max ms | 300 / 360 / 360 / 360 | 30.0 / 36.0 / 36.0 / 36.0 |');
    expect(text).toContain('| Agora (2 steps + recheck), 1 in flight, 0 ms: worker / Temporal server / PostgreSQL cores | 0.20 / 0.30 / – | 0.30 / 0.40 / 0.15 |');
    expect(text).toContain('| DeleteStream 20/s (configured) burst: PostgreSQL CPU ms per takedown | 10.0 | 10.0 |');
    expect(text).toContain('Temporal server 1.32.0 (built from `go.temporal.io/server`) on PostgreSQL 15.18');
  });
});
