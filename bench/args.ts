/** The benchmark's command line: which phases run, how long the throughput window is, where results go. */
import path from 'node:path';
import { DEFAULT_BASELINE_LABEL } from './raid-baseline';
import { RAID_CELL_NAMES, type RaidCellName } from './raid-spec';

/** The phases `--only` can run alone. */
export const ONLY = ['bursts', 'throughput', 'intake', 'cluster', 'raid'] as const;
export type Only = (typeof ONLY)[number];

/** Output prefix of each `--only` phase when `--out` is not given. */
export const ONLY_OUT: Record<Only, string> = {
  bursts: 'results-bursts',
  throughput: 'results-throughput',
  intake: 'results-intake',
  cluster: 'results-cluster',
  raid: 'results-raid',
};

/** What one run is asked to do. */
export interface Args {
  /** `--quick`: the smoke plan (reduced N, same shape). */
  quick: boolean;
  /** `--only bursts|throughput|intake|cluster|raid`: that phase alone. */
  only?: Only;
  /**
   * Whether the cluster column runs: always in a full run and with `--only cluster`, in a
   * `--quick` run only with `--cluster` (a quick run must not need Go or PostgreSQL), never with
   * another `--only`.
   */
  cluster: boolean;
  /** `--measure-seconds N`: the throughput window of `--only throughput`; default the plan's. */
  measureSeconds?: number;
  /** `--out <prefix>`: result files, relative to bench/ or absolute. */
  out?: string;
  /** `--worker-env NAME=value` (repeatable): worker settings for a before/after experiment. */
  workerEnv: Record<string, string>;
  /** `--raid a,b` (with `--only raid`): those raid cells of the plan only. */
  raid?: RaidCellName[];
  /**
   * `--worker-root <dir>`: the raid cells' worker processes run `src/worker.ts` of that checkout
   * (another version of the worker, measured beside this one); absolute.
   */
  workerRoot?: string;
  /** `--render`: rewrite RESULTS.md from results.json, running nothing. */
  render?: true;
  /**
   * `--raid-baseline <file.json> [--raid-baseline-label <text>]`: another run's raid figures,
   * reported beside this run's (`file` as given, read by the caller).
   */
  raidBaseline?: { file: string; label: string };
}

/** Options that stand alone. */
const FLAGS = ['--quick', '--cluster', '--render'] as const;
/** Options followed by a value. */
const VALUED = ['--only', '--measure-seconds', '--out', '--worker-env', '--raid', '--worker-root', '--raid-baseline', '--raid-baseline-label'] as const;

/** Reads the benchmark's command line (everything after `npm run bench --`); throws on a bad option, naming it. */
export function parseArgs(argv: string[]): Args {
  const flags = new Set<string>();
  const values: Partial<Record<(typeof VALUED)[number], string>> = {};
  const workerEnv: Record<string, string> = {};
  // The options in the order given, without their values.
  const given: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if ((FLAGS as readonly string[]).includes(arg)) {
      flags.add(arg);
      given.push(arg);
      continue;
    }
    if (!(VALUED as readonly string[]).includes(arg)) {
      throw new Error(`unknown option "${arg}" (known: ${[...FLAGS, ...VALUED].join(', ')})`);
    }
    given.push(arg);
    // The word after the option, '' when it is last.
    const value = argv[++i] ?? '';
    if (arg === '--worker-env') {
      const at = value.indexOf('=');
      if (at < 1) throw new Error(`--worker-env takes NAME=value (got "${value}")`);
      workerEnv[value.slice(0, at)] = value.slice(at + 1);
    } else {
      values[arg as Exclude<(typeof VALUED)[number], '--worker-env'>] = value;
    }
  }

  const render = flags.has('--render');
  if (render) {
    // --render reads nothing but results.json: any other option would be silently ignored.
    const others = [...new Set(given)].filter((a) => !['--render', '--raid-baseline', '--raid-baseline-label'].includes(a));
    if (others.length) throw new Error(`--render goes alone or with --raid-baseline and --raid-baseline-label (got ${others.join(', ')})`);
  }
  const quick = flags.has('--quick');
  const only = values['--only'];
  if (only !== undefined && !(ONLY as readonly string[]).includes(only)) throw new Error(`--only takes one of: ${ONLY.join(', ')} (got "${only}")`);
  const measure = values['--measure-seconds'];
  if (measure !== undefined && only !== 'throughput') throw new Error('--measure-seconds goes with --only throughput');
  const measureSeconds = measure === undefined ? undefined : Number(measure);
  if (measureSeconds !== undefined && !(Number.isFinite(measureSeconds) && measureSeconds > 0)) {
    throw new Error(`--measure-seconds takes a positive number of seconds (got "${measure}")`);
  }
  if (flags.has('--cluster')) {
    if (only !== undefined) throw new Error(`--cluster does not go with --only ${only} (--only cluster runs the cluster column alone)`);
    if (!quick) throw new Error('--cluster goes with --quick: a full run always includes the cluster column');
  }
  const cluster = only === 'cluster' || (only === undefined && (!quick || flags.has('--cluster')));
  const out = values['--out'];
  if (out === '') throw new Error('--out takes a file prefix (got "")');
  // The committed figures come from a full run only: no partial run may overwrite them.
  if ((only !== undefined || quick) && out !== undefined && path.resolve(__dirname, out) === path.resolve(__dirname, 'results')) {
    throw new Error(`${only !== undefined ? `--only ${only}` : '--quick'} would overwrite the committed bench/results.*: name another --out`);
  }
  const raid = raidNames(values['--raid'], only);
  const root = values['--worker-root'];
  if (root !== undefined) {
    if (root === '') throw new Error('--worker-root takes a directory (got "")');
    if (only !== undefined && only !== 'raid') throw new Error(`--worker-root goes with the raid cells: not with --only ${only}`);
  }
  const raidBaseline = baseline(values['--raid-baseline'], values['--raid-baseline-label'], only);
  return {
    quick,
    ...(only ? { only: only as Only } : {}),
    cluster,
    ...(measureSeconds ? { measureSeconds } : {}),
    ...(out ? { out } : {}),
    workerEnv,
    ...(raid ? { raid } : {}),
    ...(root ? { workerRoot: path.resolve(root) } : {}),
    ...(render ? { render: true as const } : {}),
    ...(raidBaseline ? { raidBaseline } : {}),
  };
}

/** `--raid-baseline` and its label; only where raid cells are reported (a full run, `--only raid`, `--render`). */
function baseline(file: string | undefined, label: string | undefined, only: string | undefined): Args['raidBaseline'] {
  if (file === undefined) {
    if (label !== undefined) throw new Error('--raid-baseline-label goes with --raid-baseline');
    return undefined;
  }
  if (file === '') throw new Error('--raid-baseline takes a results file (got "")');
  if (label === '') throw new Error('--raid-baseline-label takes a label (got "")');
  if (only !== undefined && only !== 'raid') throw new Error(`--raid-baseline goes with the raid cells (a full run, --only raid or --render): not with --only ${only}`);
  return { file, label: label ?? DEFAULT_BASELINE_LABEL };
}

/** The cells of `--raid a,b`, checked against the known names; only with `--only raid`. */
function raidNames(value: string | undefined, only: string | undefined): RaidCellName[] | undefined {
  if (value === undefined) return undefined;
  if (only !== 'raid') throw new Error('--raid goes with --only raid');
  const names = value.split(',').map((n) => n.trim()).filter(Boolean);
  const unknown = names.filter((n) => !(RAID_CELL_NAMES as readonly string[]).includes(n));
  if (names.length === 0 || unknown.length) throw new Error(`--raid takes a comma-separated list of: ${RAID_CELL_NAMES.join(', ')} (got "${value}")`);
  return [...new Set(names)] as RaidCellName[];
}
