/** What every part of the benchmark's reports shares: the targets, names, cell formatting and the setup lines. */
import { cpuMsPerTakedown, type CpuDelta } from './procstat';
import type { LatencyCell } from './latency';
import { fmt, type Summary } from '../harness/stats';

/** Targets from the issues, checked in the report (never in tests). */
export const TARGETS = { overheadP50Ms: 30, overheadP99Ms: 100, utilisation: 0.9, drainWithin: 1.1, throughputPerSecond: 100 } as const;

export const FLOW = { zego: 'ZEGO (3 steps)', agora: 'Agora (2 steps + recheck)' } as const;

/** `p50 / p95 / p99 / max`. */
export function pcts(s: Summary): string {
  return `${fmt(s.p50)} / ${fmt(s.p95)} / ${fmt(s.p99)} / ${fmt(s.max)}`;
}

export function mark(ok: boolean): string {
  return ok ? 'met' : '**missed**';
}

/** Overhead of a Temporal cell over its floor cell at each percentile. */
export function overhead(cell: LatencyCell, floor: LatencyCell, which: 'toEnforced' | 'toCompleted') {
  const t = cell[which];
  const f = floor[which];
  return {
    p50: t.p50 - f.p50,
    p95: t.p95 - f.p95,
    p99: t.p99 - f.p99,
    ratioP50: t.p50 / f.p50,
    ratioP99: t.p99 / f.p99,
  };
}

/** The floor cell measured beside a Temporal cell (same flow, concurrency and provider latency). */
export function floorOf(cells: readonly LatencyCell[], cell: LatencyCell): LatencyCell | undefined {
  return cells.find((c) => c.mode === 'floor' && c.flow === cell.flow && c.concurrency === cell.concurrency && c.providerLatencyMs === cell.providerLatencyMs);
}

/** `worker / server` CPU ms per takedown (computed from the CPU and the count, so older results render too). */
export function perTakedown(cpu: Record<string, CpuDelta>, takedowns: number): string {
  const ms = cpuMsPerTakedown(cpu, takedowns);
  return `${fmt(ms.worker)} / ${fmt(ms.devServer)}`;
}

/** The machine, versions and worker settings of a run. */
export interface RunSetup {
  machine: { cpu: string; cores: number; memoryGiB: number; os: string; loadAverageAtStart: number[] };
  versions: { temporalCli: string; node: string; sdk: string };
  settings: Record<string, string>;
}

/** The machine, versions, stack and settings of a run: the lines under every report's title. */
export function setupLines(r: RunSetup): string[] {
  return [
    `- Machine: ${r.machine.cpu}, ${r.machine.cores} cores, ${r.machine.memoryGiB} GiB, ${r.machine.os}; load average at start ${r.machine.loadAverageAtStart.join(' ')}.`,
    `- Versions: Node ${r.versions.node}, Temporal TypeScript SDK ${r.versions.sdk}, Temporal CLI (dev server) ${r.versions.temporalCli}.`,
    '- Stack: `temporal server start-dev` (headless, in-memory SQLite), the worker as `src/worker.ts` in its own process, the',
    '  provider sandbox in the benchmark process (its arrival clock is the clock the load generator reads), all on 127.0.0.1.',
    `- Worker settings: ${Object.entries(r.settings).filter(([k]) => k !== 'sandbox').map(([k, v]) => `\`${k}=${v}\``).join(', ')}.`,
    ...(r.settings.sandbox ? [`- Sandbox: ${r.settings.sandbox}.`] : []),
  ];
}
