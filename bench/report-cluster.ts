/** The cluster column's part of the reports: the same cells on the dev server and on the cluster, side by side. */
import { fmt } from '../harness/stats';
import type { ClusterColumn } from './cluster';
import type { LatencyCell } from './latency';
import type { BurstResult } from './rate-limit';
import { FLOW, TARGETS, floorOf, mark, overhead, pcts, perTakedown } from './report-format';

/** The dev server's cells the cluster's are set beside (same run). */
export interface DevServerCells {
  latency: LatencyCell[];
  bursts: BurstResult[];
}

/** The sequential Temporal cell of a flow (1 in flight, 0 ms provider latency) and its floor. */
function sequential(cells: readonly LatencyCell[], flow: LatencyCell['flow']): { cell: LatencyCell; floor: LatencyCell } | undefined {
  const cell = cells.find((c) => c.mode === 'temporal' && c.flow === flow && c.concurrency === 1 && c.providerLatencyMs === 0);
  const floor = cell && floorOf(cells, cell);
  return cell && floor ? { cell, floor } : undefined;
}

function latencyRows(dev: DevServerCells, cluster: ClusterColumn): string[] {
  const rows: string[] = [];
  for (const flow of ['zego', 'agora'] as const) {
    const figures: [string, (s: { cell: LatencyCell; floor: LatencyCell }) => string][] = [
      ['N (floor N)', ({ cell, floor }) => `${cell.n} (${floor.n})`],
      ['enforced p50 / p95 / p99 / max ms', ({ cell }) => pcts(cell.toEnforced)],
      ['overhead over the floor p50 / p95 / p99 ms', ({ cell, floor }) => {
        const o = overhead(cell, floor, 'toEnforced');
        return `${fmt(o.p50)} / ${fmt(o.p95)} / ${fmt(o.p99)}`;
      }],
      ['completed p50 / p95 / p99 / max ms', ({ cell }) => pcts(cell.toCompleted)],
      ['start call p50 / p99 ms', ({ cell }) => (cell.startCall ? `${fmt(cell.startCall.p50)} / ${fmt(cell.startCall.p99)}` : '–')],
      ['server time start → complete, mean ms', ({ cell }) => fmt(cell.breakdown?.totalMs ?? NaN)],
      ['… workflow task dispatch / activity dispatch, mean ms', ({ cell }) => `${fmt(cell.breakdown?.workflowTaskDispatchMs ?? NaN)} / ${fmt(cell.breakdown?.activityDispatchMs ?? NaN)}`],
      ['… workflow task run / activity run, mean ms', ({ cell }) => `${fmt(cell.breakdown?.workflowTaskRunMs ?? NaN)} / ${fmt(cell.breakdown?.activityRunMs ?? NaN)}`],
      ['worker / Temporal server / PostgreSQL cores', ({ cell }) => `${fmt(cell.cpu.worker?.cores ?? NaN, 2)} / ${fmt(cell.cpu.devServer?.cores ?? NaN, 2)} / ${cell.cpu.postgres ? fmt(cell.cpu.postgres.cores, 2) : '–'}`],
    ];
    const devCells = sequential(dev.latency, flow);
    const clusterCells = sequential(cluster.latency, flow);
    for (const [name, figure] of figures) {
      rows.push(`| ${FLOW[flow]}, 1 in flight, 0 ms: ${name} | ${devCells ? figure(devCells) : '–'} | ${clusterCells ? figure(clusterCells) : '–'} |`);
    }
  }
  return rows;
}

function burstRows(dev: DevServerCells, cluster: ClusterColumn): string[] {
  const clusterBurst = cluster.bursts[0];
  if (!clusterBurst) return [];
  const devBurst = dev.bursts.find((b) => b.label === clusterBurst.label && b.n === clusterBurst.n);
  const figures: [string, (b: BurstResult) => string][] = [
    ['N', (b) => String(b.n)],
    [`max in any sliding 1 s (limit ${clusterBurst.limitPerSecond})`, (b) => String(b.maxInAnySecond)],
    ['provider rejections', (b) => String(b.rejections)],
    ['drain s (minimum N / limit)', (b) => `${fmt(b.drainSeconds, 2)} (${fmt(b.minimumSeconds, 2)})`],
    ['utilisation', (b) => fmt(b.utilisation, 2)],
    ['all completed s', (b) => fmt(b.allCompletedSeconds, 2)],
    ['worker / Temporal server CPU ms per takedown', (b) => perTakedown(b.cpu, b.n)],
    ['PostgreSQL CPU ms per takedown', (b) => (b.cpu.postgres ? fmt((b.cpu.postgres.cpuSeconds * 1000) / b.n) : '–')],
  ];
  return figures.map(([name, figure]) => `| ${clusterBurst.label} burst: ${name} | ${devBurst ? figure(devBurst) : '–'} | ${figure(clusterBurst)} |`);
}

/** A target checked on each server: the figure and whether it is met. */
function targetRows(dev: DevServerCells, cluster: ClusterColumn): string[] {
  const rows: string[] = [];
  const both = (name: string, check: (cells: DevServerCells) => { figure: string; ok: boolean } | undefined) => {
    const on = (cells: DevServerCells) => {
      const result = check(cells);
      return result ? `${result.figure}: ${mark(result.ok)}` : '–';
    };
    rows.push(`| ${name} | ${on(dev)} | ${on(cluster)} |`);
  };
  for (const flow of ['zego', 'agora'] as const) {
    both(`${FLOW[flow]} overhead over the floor, p50 ≤ ${TARGETS.overheadP50Ms} ms (0 ms provider latency, sequential)`, (cells) => {
      const s = sequential(cells.latency, flow);
      if (!s) return undefined;
      const o = overhead(s.cell, s.floor, 'toEnforced');
      return { figure: `${fmt(o.p50)} ms`, ok: o.p50 <= TARGETS.overheadP50Ms };
    });
    both(`${FLOW[flow]} overhead over the floor, p99 ≤ ${TARGETS.overheadP99Ms} ms (same)`, (cells) => {
      const s = sequential(cells.latency, flow);
      if (!s) return undefined;
      const o = overhead(s.cell, s.floor, 'toEnforced');
      return { figure: `${fmt(o.p99)} ms`, ok: o.p99 <= TARGETS.overheadP99Ms };
    });
  }
  const label = cluster.bursts[0]?.label;
  const burstOf = (cells: DevServerCells) => cells.bursts.find((b) => b.label === label);
  both(`${label}: never above the limit in any 1 s window`, (cells) => {
    const b = burstOf(cells);
    return b && { figure: `max ${b.maxInAnySecond}`, ok: b.maxInAnySecond <= b.limitPerSecond };
  });
  both(`${label}: zero provider rate-limit rejections`, (cells) => {
    const b = burstOf(cells);
    return b && { figure: String(b.rejections), ok: b.rejections === 0 };
  });
  both(`${label}: utilisation ≥ ${TARGETS.utilisation}`, (cells) => {
    const b = burstOf(cells);
    return b && { figure: fmt(b.utilisation, 2), ok: b.utilisation >= TARGETS.utilisation };
  });
  both(`${label}: drain within 10% of N / limit`, (cells) => {
    const b = burstOf(cells);
    return b && { figure: `×${fmt(b.drainSeconds / b.minimumSeconds, 2)}`, ok: b.drainSeconds <= b.minimumSeconds * TARGETS.drainWithin };
  });
  return rows;
}

/** `## <n>. Dev server and cluster`: what ran, which targets hold on each, and the figures side by side. */
export function clusterSection(dev: DevServerCells, cluster: ClusterColumn, heading = '## 6. Dev server and cluster'): string[] {
  const s = cluster.setup;
  return [
    heading,
    '',
    'The sequential cells (1 in flight, 0 ms provider latency, with their floors) and one burst again, on a real server in the',
    `same run: Temporal server ${s.temporalServer} (built from \`go.temporal.io/server\`) on PostgreSQL ${s.postgres}, mTLS on the frontend and`,
    'between its services, 4 history shards, the dynamic config of `scripts/cluster/dynamicconfig.yaml` (what `npm run test:cluster`',
    'and `docker-compose.yml` run), all on 127.0.0.1 with `fsync` off (a throwaway database). The dev server\'s stack was stopped',
    `first; the cluster has its own worker (the same settings; it connected to ${s.connection}) and sandbox. Start-up took ${fmt(s.startupSeconds)} s.`,
    'Same N, warm-up and budget as the dev server\'s cells of this run.',
    '',
    '| target | dev server | cluster |',
    '|---|---|---|',
    ...targetRows(dev, cluster),
    '',
    '| figure | dev server | cluster |',
    '|---|---|---|',
    ...latencyRows(dev, cluster),
    ...burstRows(dev, cluster),
  ];
}
