/** The benchmark's command line: which phases run, how long the throughput window is, where results go. */
import path from 'node:path';

/** The phases `--only` can run alone. */
export const ONLY = ['bursts', 'throughput'] as const;
export type Only = (typeof ONLY)[number];

/** Output prefix of each `--only` phase when `--out` is not given. */
export const ONLY_OUT: Record<Only, string> = { bursts: 'results-bursts', throughput: 'results-throughput' };

/** What one run is asked to do. */
export interface Args {
  /** `--quick`: the smoke plan (reduced N, same shape). */
  quick: boolean;
  /** `--only bursts|throughput`: that phase alone. */
  only?: Only;
  /** `--measure-seconds N`: the throughput window of `--only throughput`; default the plan's. */
  measureSeconds?: number;
  /** `--out <prefix>`: result files, relative to bench/ or absolute. */
  out?: string;
  /** `--worker-env NAME=value` (repeatable): worker settings for a before/after experiment. */
  workerEnv: Record<string, string>;
}

/** The word after `flag`, `''` when it is last, undefined when it is absent. */
function valueOf(argv: string[], flag: string): string | undefined {
  const at = argv.indexOf(flag);
  return at >= 0 ? (argv[at + 1] ?? '') : undefined;
}

/** Reads the benchmark's command line (everything after `npm run bench --`); throws on a bad option, naming it. */
export function parseArgs(argv: string[]): Args {
  const quick = argv.includes('--quick');
  const only = valueOf(argv, '--only');
  if (only !== undefined && !(ONLY as readonly string[]).includes(only)) throw new Error(`--only takes one of: ${ONLY.join(', ')} (got "${only}")`);
  const measure = valueOf(argv, '--measure-seconds');
  if (measure !== undefined && only !== 'throughput') throw new Error('--measure-seconds goes with --only throughput');
  const measureSeconds = measure === undefined ? undefined : Number(measure);
  if (measureSeconds !== undefined && !(Number.isFinite(measureSeconds) && measureSeconds > 0)) {
    throw new Error(`--measure-seconds takes a positive number of seconds (got "${measure}")`);
  }
  const out = valueOf(argv, '--out');
  // The committed figures come from a full run only: no partial run may overwrite them.
  if (only !== undefined && out !== undefined && path.resolve(__dirname, out) === path.resolve(__dirname, 'results')) {
    throw new Error(`--only ${only} would overwrite the committed bench/results.*: name another --out`);
  }
  const workerEnv: Record<string, string> = {};
  // `--worker-env NAME=value` (repeatable): worker settings for before/after experiments.
  argv.forEach((arg, i) => {
    if (arg === '--worker-env' && argv[i + 1]?.includes('=')) {
      const [name, ...value] = argv[i + 1]!.split('=');
      workerEnv[name!] = value.join('=');
    }
  });
  return { quick, ...(only ? { only: only as Only } : {}), ...(measureSeconds ? { measureSeconds } : {}), ...(out ? { out } : {}), workerEnv };
}
