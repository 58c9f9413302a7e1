/**
 * A previous design's raid figures, read from a results file written earlier (`--only raid`, or a
 * full run), to be reported beside this run's cells.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { PROJECT_ROOT } from '../harness/worker';
import type { RaidResult } from './raid';
import { RAID_CELL_NAMES } from './raid-spec';

/** The label of the baseline's side of the table when `--raid-baseline-label` is not given. */
export const DEFAULT_BASELINE_LABEL = 'previous design';

/**
 * The raid figures another run measured, as stored in the results JSON of the run that compares
 * with them, so that `--render` can draw the comparison again without the baseline's file.
 */
export interface RaidBaseline {
  /** What the report calls the baseline's side. */
  label: string;
  /** When the baseline's run began (its results' `date`). */
  date: string;
  /** The file it was read from: relative to the project when inside it, else its name alone. */
  source: string;
  raid: RaidResult;
}

/**
 * Reads and checks `--raid-baseline <file>` (relative to the working directory); throws naming the
 * file and what is wrong with it, so that a bad baseline fails the run before anything is measured.
 */
export function readRaidBaseline(file: string, label: string = DEFAULT_BASELINE_LABEL): RaidBaseline {
  const where = `--raid-baseline ${file}`;
  let text: string;
  try {
    text = readFileSync(path.resolve(file), 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new Error(`${where}: ${code === 'ENOENT' ? `no such file (looked for ${path.resolve(file)})` : `cannot be read (${(err as Error).message})`}`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    throw new Error(`${where}: not JSON (${(err as Error).message})`);
  }
  const fromProject = path.relative(PROJECT_ROOT, path.resolve(file));
  const source = fromProject.startsWith('..') || path.isAbsolute(fromProject) ? path.basename(file) : fromProject;
  return { label, source, ...checkRaidResults(parsed, where) };
}

/** The `date` and `raid` of a parsed results file; throws, prefixed with `where`, on what a comparison cannot use. */
function checkRaidResults(parsed: unknown, where: string): Pick<RaidBaseline, 'date' | 'raid'> {
  const hint = 'write one with `npm run bench -- --only raid --out <prefix>`';
  const r = (typeof parsed === 'object' && parsed !== null ? parsed : {}) as { date?: unknown; raid?: { cells?: unknown } };
  if (!Array.isArray(r.raid?.cells)) throw new Error(`${where}: no raid.cells, so no raid figures to compare with (${hint})`);
  const cells = r.raid.cells as unknown[];
  if (cells.length === 0) throw new Error(`${where}: raid.cells is empty, so no raid figures to compare with`);
  const unnamed = cells.findIndex((c) => !(RAID_CELL_NAMES as readonly unknown[]).includes((c as { name?: unknown } | null)?.name));
  if (unnamed >= 0) throw new Error(`${where}: raid.cells[${unnamed}] is not one of ${RAID_CELL_NAMES.join(', ')}`);
  if (typeof r.date !== 'string') throw new Error(`${where}: no date, so not a benchmark results file (${hint})`);
  return { date: r.date, raid: r.raid as RaidResult };
}
