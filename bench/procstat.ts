/**
 * CPU time and memory of a process and its descendants from /proc (Linux), so the worker's and the
 * dev server's costs can be told apart from the benchmark's own. The dev server runs under
 * `timeout`, hence whole trees rather than single pids.
 */
import { readdirSync, readFileSync } from 'node:fs';

/** Kernel clock ticks per second for utime/stime; 100 on every Linux this runs on (`getconf CLK_TCK`). */
const CLOCK_TICKS = 100;

/** One reading of a process tree. */
export interface TreeReading {
  /** User + system CPU seconds of every live process in the tree since each started. */
  cpuSeconds: number;
  /** Sum of current resident set sizes, MiB. */
  rssMiB: number;
  /** Largest peak RSS (VmHWM) of any one process in the tree, MiB. */
  peakRssMiB: number;
  pids: number[];
}

function readStat(pid: number): { ppid: number; cpuTicks: number } | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name may hold spaces and parentheses: fields start after the last ')'.
    const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
    return { ppid: Number(fields[1]), cpuTicks: Number(fields[11]) + Number(fields[12]) };
  } catch {
    return undefined; // exited meanwhile
  }
}

function readStatusKiB(pid: number, field: 'VmRSS' | 'VmHWM'): number {
  try {
    const match = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) : 0;
  } catch {
    return 0;
  }
}

/** Each live process's children, from one scan of /proc. */
function childrenByParent(): Map<number, number[]> {
  const children = new Map<number, number[]>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const stat = readStat(Number(name));
    if (stat) children.set(stat.ppid, [...(children.get(stat.ppid) ?? []), Number(name)]);
  }
  return children;
}

/** The roots and all their live descendants, each once (a root inside another's tree is not counted twice). */
function descendants(roots: readonly number[], children: Map<number, number[]>): number[] {
  const tree = new Set<number>();
  const queue = [...roots];
  while (queue.length) {
    const pid = queue.shift()!;
    if (tree.has(pid)) continue;
    tree.add(pid);
    queue.push(...(children.get(pid) ?? []));
  }
  return [...tree];
}

/** The pid and all its live descendants. */
export function processTree(root: number): number[] {
  return descendants([root], childrenByParent());
}

/**
 * Reads CPU and memory of the tree rooted at `pid`, or of the trees rooted at every pid of an
 * array, summed (several worker processes counted as one), from one scan of /proc.
 */
export function readTree(pid: number | readonly number[]): TreeReading {
  const pids = descendants(typeof pid === 'number' ? [pid] : pid, childrenByParent());
  let ticks = 0;
  let rss = 0;
  let peak = 0;
  for (const p of pids) {
    ticks += readStat(p)?.cpuTicks ?? 0;
    rss += readStatusKiB(p, 'VmRSS');
    peak = Math.max(peak, readStatusKiB(p, 'VmHWM'));
  }
  return { cpuSeconds: ticks / CLOCK_TICKS, rssMiB: rss / 1024, peakRssMiB: peak / 1024, pids };
}

/** CPU used by each named tree between two readings, as cores busy over the wall time. */
export interface CpuDelta {
  cpuSeconds: number;
  /** cpuSeconds / wall seconds: 1.0 is one core fully busy. */
  cores: number;
}

/**
 * Measures named process trees (plus this process) across one phase. A name may stand for several
 * roots (every worker process of a cell): their trees are summed under it. The roots must live
 * from `begin` to `end`, or the CPU of one that exited would be missing from the second reading.
 */
export class CpuMeter {
  private startWall = 0;
  private start = new Map<string, number>();
  private selfStart = process.cpuUsage();

  constructor(private readonly trees: Record<string, number | readonly number[]>) {}

  begin(): void {
    this.startWall = performance.now();
    this.selfStart = process.cpuUsage();
    for (const [name, pid] of Object.entries(this.trees)) this.start.set(name, readTree(pid).cpuSeconds);
  }

  /** CPU per tree since `begin`, plus `bench` (this process: client and in-process sandbox). */
  end(): Record<string, CpuDelta> {
    const wall = (performance.now() - this.startWall) / 1000;
    const out: Record<string, CpuDelta> = {};
    for (const [name, pid] of Object.entries(this.trees)) {
      const cpu = readTree(pid).cpuSeconds - (this.start.get(name) ?? 0);
      out[name] = { cpuSeconds: cpu, cores: cpu / wall };
    }
    const self = process.cpuUsage(this.selfStart);
    const selfCpu = (self.user + self.system) / 1e6;
    out.bench = { cpuSeconds: selfCpu, cores: selfCpu / wall };
    return out;
  }
}

/** CPU milliseconds of the worker's and the dev server's process trees per takedown. */
export interface CpuPerTakedown {
  worker: number;
  devServer: number;
}

/**
 * CPU seconds of each tree over a measured window, divided by the takedowns completed in that
 * window, in ms; `NaN` when none completed (there is no cost per takedown of nothing).
 */
export function cpuMsPerTakedown(cpu: Record<string, CpuDelta>, takedowns: number): CpuPerTakedown {
  const per = (tree: CpuDelta | undefined) => (takedowns > 0 && tree ? (tree.cpuSeconds * 1000) / takedowns : NaN);
  return { worker: per(cpu.worker), devServer: per(cpu.devServer) };
}
