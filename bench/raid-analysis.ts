/**
 * What a mass takedown looked like at the provider, from the sandbox's request log and the start
 * call times, all on the sandbox's arrival clock: when the first stream was cut, how long the
 * burst took against the limit's ideal, how long each takedown waited for its cut, and where the
 * flow of cuts stalled. Pure functions, no I/O.
 */
import { maxArrivalsInAnyWindow } from '../src/sandbox/request-log';
import { summarize, type Summary } from '../harness/stats';
import { THROTTLED } from './rate-limit';

/** The parts of a sandbox log entry the analysis reads. */
export interface LoggedRequest {
  at: number;
  operation: string;
  params: { roomId?: string; streamId?: string };
  code?: number;
}

/** One takedown of a burst: the stream it removes and when its start call was issued. */
export interface StartedTakedown {
  roomId: string;
  streamId: string;
  startedAt: number;
}

/** One burst (one app) as the provider saw it; times from the cell's first start call. */
export interface ArrivalAnalysis {
  n: number;
  /** Takedowns with no DeleteStream in the log: their figures are missing from every other field. */
  missing: number;
  /** First start call → first DeleteStream of the burst, s. */
  firstArrivalSeconds: number;
  /** First start call → last DeleteStream of the burst (one per takedown), s. */
  drainSeconds: number;
  /** (N − 1) / limit: the last of N cuts spaced at the limit, the first sent at once. */
  idealSeconds: number;
  /** drainSeconds / idealSeconds (1 is ideal). */
  drainOverIdeal: number;
  /** Per takedown: its DeleteStream arrival − its own start call, ms. */
  timeToCutMs: Summary;
  /** Longest gap between consecutive cuts after the first one, ms. */
  longestPauseMs: number;
  /** Most DeleteStream requests (every attempt, refused ones too) in any sliding 1 s. */
  maxArrivalsInAnyWindow: number;
  /** DeleteStream requests for the burst's streams, retries included. */
  deleteRequests: number;
  /** ZEGO throttling answers to any request among those given. */
  rejections: number;
}

/** The key that ties a DeleteStream request to its takedown. */
function streamKey(roomId: string | undefined, streamId: string | undefined): string {
  return `${roomId ?? ''}\u0000${streamId ?? ''}`;
}

function isThrottled(r: LoggedRequest): boolean {
  return r.code !== undefined && THROTTLED.has(r.code);
}

/** Keeps the earliest time per key. */
function keepEarliest(times: Map<string, number>, key: string, at: number): void {
  const kept = times.get(key);
  if (kept === undefined || at < kept) times.set(key, at);
}

/**
 * Each takedown's DeleteStream arrival, matched by room and stream: the first request the provider
 * did not refuse for its rate (that is the one that removed the stream), else the first request.
 */
export function deleteArrivals(starts: readonly StartedTakedown[], requests: readonly LoggedRequest[]): Map<string, number> {
  const wanted = new Set(starts.map((s) => streamKey(s.roomId, s.streamId)));
  const accepted = new Map<string, number>();
  const any = new Map<string, number>();
  for (const r of requests) {
    if (r.operation !== 'DeleteStream') continue;
    const key = streamKey(r.params.roomId, r.params.streamId);
    if (!wanted.has(key)) continue;
    keepEarliest(any, key, r.at);
    if (!isThrottled(r)) keepEarliest(accepted, key, r.at);
  }
  for (const [key, at] of any) if (!accepted.has(key)) accepted.set(key, at);
  return accepted;
}

/** Each takedown's cut minus its own start call, ms; takedowns without a cut are left out. */
function timesToCut(starts: readonly StartedTakedown[], arrivals: ReadonlyMap<string, number>): number[] {
  return starts.flatMap((s) => {
    const at = arrivals.get(streamKey(s.roomId, s.streamId));
    return at === undefined ? [] : [at - s.startedAt];
  });
}

/** The longest gap between consecutive times (in any order); 0 for fewer than two. */
export function longestGap(times: readonly number[]): number {
  const sorted = [...times].sort((a, b) => a - b);
  let gap = 0;
  for (let i = 1; i < sorted.length; i++) gap = Math.max(gap, sorted[i]! - sorted[i - 1]!);
  return gap;
}

/**
 * Analyses one burst into one app.
 *
 * @param starts the burst's takedowns
 * @param requests the log entries of that app during the cell (any operation)
 * @param limitPerSecond the app's DeleteStream limit
 * @param t0 the cell's first start call (default the first of `starts`): other bursts of the cell count from it too
 */
export function analyseBurst(starts: readonly StartedTakedown[], requests: readonly LoggedRequest[], limitPerSecond: number, t0 = Math.min(...starts.map((s) => s.startedAt))): ArrivalAnalysis {
  const arrivals = deleteArrivals(starts, requests);
  const cuts = [...arrivals.values()];
  const keys = new Set(starts.map((s) => streamKey(s.roomId, s.streamId)));
  const deletes = requests.filter((r) => r.operation === 'DeleteStream' && keys.has(streamKey(r.params.roomId, r.params.streamId)));
  const idealSeconds = (starts.length - 1) / limitPerSecond;
  const drainSeconds = cuts.length ? (Math.max(...cuts) - t0) / 1000 : NaN;
  return {
    n: starts.length,
    missing: starts.length - arrivals.size,
    firstArrivalSeconds: cuts.length ? (Math.min(...cuts) - t0) / 1000 : NaN,
    drainSeconds,
    idealSeconds,
    drainOverIdeal: drainSeconds / idealSeconds,
    timeToCutMs: summarize(timesToCut(starts, arrivals)),
    longestPauseMs: longestGap(cuts),
    maxArrivalsInAnyWindow: maxArrivalsInAnyWindow(deletes.map((r) => r.at), 1000),
    deleteRequests: deletes.length,
    rejections: requests.filter(isThrottled).length,
  };
}

/** One app's share of a cell: its burst, and the log entries of that app. */
export interface AppBurst {
  starts: readonly StartedTakedown[];
  requests: readonly LoggedRequest[];
}

/**
 * A cell whose bursts went to several apps at once: each app analysed on its own, from the
 * cell's first start call, and the whole cell. The apps drain side by side, so the cell's ideal is
 * the largest app's; its pauses and its busiest second are each app's worst (the limit is per app).
 */
export function analyseCell(apps: readonly AppBurst[], limitPerSecond: number): { overall: ArrivalAnalysis; apps: ArrivalAnalysis[] } {
  const t0 = Math.min(...apps.flatMap((a) => a.starts.map((s) => s.startedAt)));
  const each = apps.map((a) => analyseBurst(a.starts, a.requests, limitPerSecond, t0));
  if (each.length === 1) return { overall: each[0]!, apps: each };
  const toCut = apps.flatMap((a) => timesToCut(a.starts, deleteArrivals(a.starts, a.requests)));
  const max = (pick: (a: ArrivalAnalysis) => number) => Math.max(...each.map(pick));
  const sum = (pick: (a: ArrivalAnalysis) => number) => each.reduce((total, a) => total + pick(a), 0);
  const drainSeconds = max((a) => a.drainSeconds);
  const idealSeconds = max((a) => a.idealSeconds);
  return {
    overall: {
      n: sum((a) => a.n),
      missing: sum((a) => a.missing),
      firstArrivalSeconds: Math.min(...each.map((a) => a.firstArrivalSeconds)),
      drainSeconds,
      idealSeconds,
      drainOverIdeal: drainSeconds / idealSeconds,
      timeToCutMs: summarize(toCut),
      longestPauseMs: max((a) => a.longestPauseMs),
      maxArrivalsInAnyWindow: max((a) => a.maxArrivalsInAnyWindow),
      deleteRequests: sum((a) => a.deleteRequests),
      rejections: sum((a) => a.rejections),
    },
    apps: each,
  };
}

/** The first arrival of `operation` for a room, or undefined. */
export function firstArrival(requests: readonly LoggedRequest[], operation: string, roomId: string): number | undefined {
  const first = new Map<string, number>();
  for (const r of requests) if (r.operation === operation && r.params.roomId === roomId) keepEarliest(first, roomId, r.at);
  return first.get(roomId);
}
