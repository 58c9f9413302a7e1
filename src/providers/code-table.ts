/** Lookup over a provider's code table. The tables are data (`CodeRow[]`); this is the only logic. */
import type { CodeRow } from './types';

/** Finds the row for an operation's answer code, or `undefined` when the code is in no row. */
export type CodeLookup = (operation: string, code: number) => CodeRow | undefined;

/**
 * Indexes `rows` by code. A row naming the operation wins over a row without `operations` (which
 * applies to every operation), so one code can be "already done" for one operation and
 * "rejected" for the others. Throws at load time when two rows claim the same code for the same
 * operation: the table would be ambiguous.
 */
export function codeLookup(rows: readonly CodeRow[]): CodeLookup {
  const byCode = new Map<number, CodeRow[]>();
  for (const row of rows) {
    const same = byCode.get(row.code) ?? [];
    const clash = same.find((other) => overlaps(other, row));
    if (clash !== undefined) {
      throw new Error(`code table has two rows for code ${row.code} (${clash.meaning} / ${row.meaning})`);
    }
    same.push(row);
    byCode.set(row.code, same);
  }
  return (operation, code) => {
    const candidates = byCode.get(code);
    if (candidates === undefined) return undefined;
    return (
      candidates.find((row) => row.operations?.includes(operation) === true) ??
      candidates.find((row) => row.operations === undefined)
    );
  };
}

function overlaps(a: CodeRow, b: CodeRow): boolean {
  if (a.operations === undefined || b.operations === undefined) {
    return a.operations === undefined && b.operations === undefined;
  }
  return a.operations.some((op) => b.operations?.includes(op) === true);
}
