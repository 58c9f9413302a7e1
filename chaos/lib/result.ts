/** What a scenario hands back: figures for RESULTS.md and results.json, and the invariants it checked. */
import { fmt, type Summary } from '../../harness/stats';
import type { BatchOutcome } from './takedowns';

export interface Check {
  name: string;
  ok: boolean;
  detail: string;
  /** False for an observation that is reported (⚠) but does not fail the run. Default true. */
  gating?: boolean;
}

/** A check that fails the run when it does not hold. */
export const isFailure = (check: Check): boolean => !check.ok && check.gating !== false;

export interface ScenarioResult {
  id: string;
  title: string;
  durationMs: number;
  /** Rows of the scenario's table in RESULTS.md. */
  rows: [string, string][];
  /** Machine-readable figures (results.json). */
  figures: Record<string, unknown>;
  checks: Check[];
}

/** A check that `actual` equals `expected`. */
export function expectEqual(name: string, actual: number, expected: number): Check {
  return { name, ok: actual === expected, detail: `${actual} (expected ${expected})` };
}

/** A check that `actual` is at least `min`. */
export function expectAtLeast(name: string, actual: number, min: number): Check {
  return { name, ok: actual >= min, detail: `${actual} (expected ≥ ${min})` };
}

/** The invariants every batch of takedowns that should complete must keep. */
export function completionChecks(outcome: BatchOutcome, expected: number): Check[] {
  const { analysis } = outcome;
  return [
    { name: 'all takedowns closed in time', ok: outcome.allClosed, detail: String(outcome.allClosed) },
    expectEqual('takedowns completed (enforced / already-enforced)', outcome.completed, expected),
    ...orderChecks(outcome),
    expectEqual('completed takedowns whose stream is still up at the provider', analysis.notRemoved.length, 0),
    ...rateChecks(outcome),
  ];
}

/** Never past a provider's limit: no throttling answer of its own, no 1 s window over the limit, and a wait after every throttling answer. */
export function rateChecks(outcome: BatchOutcome): Check[] {
  const { analysis } = outcome;
  const over = Object.entries(analysis.peakArrivals).filter(([, p]) => p.peak > p.limit);
  const quickest = analysis.throttleRetryGapsMs[0];
  return [
    expectEqual('throttling answers from the provider itself (a limit was outrun)', analysis.providerThrottles, 0),
    {
      name: 'no 1 s window with more arrivals than the documented limit',
      ok: over.length === 0,
      detail: over.length ? over.map(([b, p]) => `${b} ${p.peak}/${p.limit}`).join('; ') : 'none',
    },
    { name: 'retry after a throttling answer waits at least 1 s', ok: quickest === undefined || quickest >= 990, detail: quickest === undefined ? 'no throttling answer' : `shortest wait ${Math.round(quickest)} ms over ${analysis.throttleRetryGapsMs.length} retries` },
  ];
}

/** Order, racing and idempotency invariants from the request log. */
export function orderChecks(outcome: BatchOutcome): Check[] {
  const { analysis } = outcome;
  const first = analysis.orderViolations.slice(0, 3).map((v) => `${v.target}: ${v.what}`).join('; ');
  return [
    { name: 'order violations', ok: analysis.orderViolations.length === 0, detail: `${analysis.orderViolations.length}${first ? ` (${first})` : ''}` },
    expectEqual('requests racing another for the same target', analysis.racingRequests, 0),
    expectEqual('repeated writes that were not idempotent', analysis.nonIdempotentRepeats, 0),
  ];
}

/** `p50 / p95 / max ms` in whole milliseconds (`–` where there were no samples). */
export function p50p95max(s: Summary): string {
  return `${fmt(s.p50, 0)} / ${fmt(s.p95, 0)} / ${fmt(s.max, 0)} ms`;
}

/** Table rows shared by the takedown scenarios. */
export function batchRows(outcome: BatchOutcome): [string, string][] {
  const { analysis } = outcome;
  const failures = Object.entries(outcome.failures).map(([k, v]) => `${k} ${v}`).join(', ') || 'none';
  const repeats = Object.entries(analysis.writes)
    .map(([op, w]) => `${op} ${w.repeats}/${w.requests} (${w.repeatsAfterSuccess} after a success answer, ${w.targetsWithRepeats} targets)`)
    .join('; ');
  const peaks = Object.entries(analysis.peakArrivals)
    .map(([bucket, p]) => `${bucket} ${p.peak}/${p.limit}`)
    .join('; ');
  return [
    ['takedowns completed', `${outcome.completed} of ${outcome.records.length}`],
    ['failed', failures],
    ['end-to-end time p50 / p95 / max', p50p95max(outcome.latency)],
    ['step attempts (distribution)', Object.entries(outcome.attempts).map(([k, v]) => `${k}: ${v}`).join(', ')],
    ['provider requests', String(analysis.requests)],
    ['repeated provider writes (repeats/requests per operation)', repeats || 'none'],
    ['targets with a repeated write / most repeats on one target', `${analysis.targetsWithRepeats} / ${analysis.maxRepeatsPerTarget}`],
    ['order violations', String(analysis.orderViolations.length)],
    ['requests racing for one target', String(analysis.racingRequests)],
    ['provider throttling answers (not injected)', String(analysis.providerThrottles)],
    ['retry after a throttling answer: shortest wait', analysis.throttleRetryGapsMs.length ? `${Math.round(analysis.throttleRetryGapsMs[0]!)} ms (${analysis.throttleRetryGapsMs.length} retries)` : 'no throttling answer'],
    ['peak arrivals in any sliding 1 s window / limit', peaks],
  ];
}
