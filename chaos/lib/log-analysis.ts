/**
 * Reads the sandbox's request log (arrival and answer times on one clock) per target: order
 * violations, requests racing each other, repeated writes, provider throttling, arrival rates,
 * and whether the provider's final state shows each stream removed.
 */
import type { SandboxRequest, SandboxState } from '../../src/sandbox/control-schemas';
import { maxArrivalsInAnyWindow } from '../../src/sandbox/request-log';
import { bump } from '../../harness/stats';
import type { Target } from './targets';

/** Answers that mean "done" or "already done" (DESIGN.md, provider semantics). */
const ZEGO_OK: Record<string, readonly number[]> = {
  DeleteStream: [0, 138, 50001, 104, 5024],
  KickoutUser: [0, 50001, 104, 5024],
  StopMix: [0, 110209001],
};
const AGORA_OK: readonly number[] = [200, 404];

/** Provider writes a takedown makes; all are idempotent (already done counts as success). */
export const WRITE_OPERATIONS = ['DeleteStream', 'StopMix', 'KickoutUser', 'DeleteStreamKey', 'ForceDisconnect'] as const;
/** Writes the providers answer idempotently; a repeat of anything else would be a defect. */
const IDEMPOTENT_WRITES = new Set<string>(WRITE_OPERATIONS);

/** Provider throttling answers: ZEGO codes and Agora's 429. */
const ZEGO_THROTTLE_CODES = new Set([206, 207, 110200190, 110200191, 110200194]);

/** Documented per-app limits by operation (requests per second), as the sandbox enforces them. */
const BUCKETS: Record<string, { bucket: string; limit: number }> = {
  'zego:DeleteStream': { bucket: 'zego.DeleteStream', limit: 10 },
  'zego:KickoutUser': { bucket: 'zego.KickoutUser', limit: 50 },
  'zego:StopMix': { bucket: 'zego.StopMix', limit: 100 },
  'agora:DeleteStreamKey': { bucket: 'agora.delete', limit: 50 },
  'agora:ForceDisconnect': { bucket: 'agora.delete', limit: 50 },
  'agora:ListOnlineStreams': { bucket: 'agora.query', limit: 100 },
};

/** The answer reached the worker and said done or already done (a delayed answer still counts). */
export function answeredOk(entry: SandboxRequest): boolean {
  if (entry.fault !== undefined && entry.fault !== 'latency') return false;
  if (entry.provider === 'zego') return entry.status === 200 && (ZEGO_OK[entry.operation] ?? [0]).includes(entry.code ?? -1);
  return AGORA_OK.includes(entry.status);
}

/** A throttling answer the sandbox itself gave (not an injected one): the worker went past a limit. */
export function isProviderThrottle(entry: SandboxRequest): boolean {
  if (entry.fault !== undefined && entry.fault !== 'latency') return false;
  return entry.provider === 'zego' ? ZEGO_THROTTLE_CODES.has(entry.code ?? -1) : entry.status === 429;
}

/** Any throttling answer, injected or not (an injected ZEGO code is logged as fault `zegoCode`). */
function isThrottle(entry: SandboxRequest): boolean {
  if (entry.provider === 'agora') return entry.status === 429;
  return entry.fault === 'zegoCode' || isProviderThrottle(entry);
}

export interface OrderViolation {
  target: string;
  what: string;
}

export interface LogAnalysis {
  /** Provider requests of the batch (its targets' writes and the session lists). */
  requests: number;
  /** Requests the sandbox answered itself, without an injected fault (a delay does not count as one). */
  unfaulted: number;
  orderViolations: OrderViolation[];
  /** A request for a target arriving while another for the same target was unanswered. */
  racingRequests: number;
  /** Per operation: requests, repeats (beyond the first per target and subject), repeats after a success answer. */
  writes: Record<string, { requests: number; repeats: number; repeatsAfterSuccess: number; targetsWithRepeats: number }>;
  /** Repeats of an operation that is not idempotent, or a repeat after success answered with an error. */
  nonIdempotentRepeats: number;
  /** Targets with at least one repeated write, and the most repeats any one target had. */
  targetsWithRepeats: number;
  maxRepeatsPerTarget: number;
  /** After a throttling answer: ms until the same request came again (shortest first). */
  throttleRetryGapsMs: number[];
  /** Throttling answers by the sandbox's own limiter (the worker outran a limit), not injected ones. */
  providerThrottles: number;
  /** Most arrivals in any sliding 1 s window, per bucket and app, against the documented limit. */
  peakArrivals: Record<string, { peak: number; limit: number }>;
  /** Injected faults seen, by kind (`status`, `drop`, `zegoCode`, `latency`). */
  faults: Record<string, number>;
  /** Targets whose provider state still shows the stream (only checked for `expectRemoved`). */
  notRemoved: string[];
}

/** Maps each log entry to the target it acts on. */
function indexTargets(targets: readonly Target[], state: SandboxState) {
  const byRoom = new Map<string, Target>();
  const byTask = new Map<string, Target>();
  const byStreamKey = new Map<string, Target>();
  const bySid = new Map<string, Target>();
  for (const t of targets) {
    if (t.provider === 'zego') {
      byRoom.set(t.roomId, t);
      for (const task of t.mixTaskIds) byTask.set(task, t);
    } else {
      byStreamKey.set(t.streamKey, t);
      for (const sid of t.sids) bySid.set(sid, t);
    }
  }
  for (const event of state.encoderEvents) {
    const t = byStreamKey.get(event.streamKey);
    if (t && event.sid && t.provider === 'agora') {
      t.sids.add(event.sid);
      bySid.set(event.sid, t);
    }
  }
  return (entry: SandboxRequest): { target: Target; subject: string } | undefined => {
    const p = entry.params;
    if (entry.provider === 'zego') {
      if (entry.operation === 'StopMix') return p.taskId && byTask.has(p.taskId) ? { target: byTask.get(p.taskId)!, subject: p.taskId } : undefined;
      return p.roomId && byRoom.has(p.roomId) ? { target: byRoom.get(p.roomId)!, subject: '' } : undefined;
    }
    if (entry.operation === 'DeleteStreamKey') return p.streamKey && byStreamKey.has(p.streamKey) ? { target: byStreamKey.get(p.streamKey)!, subject: '' } : undefined;
    if (entry.operation === 'ForceDisconnect') return p.sid && bySid.has(p.sid) ? { target: bySid.get(p.sid)!, subject: p.sid } : undefined;
    return undefined;
  };
}

function firstOkAnswer(entries: readonly SandboxRequest[], operation: string, subject?: (e: SandboxRequest) => boolean): number | undefined {
  let first: number | undefined;
  for (const e of entries) {
    if (e.operation !== operation || !answeredOk(e) || (subject && !subject(e))) continue;
    if (first === undefined || e.answeredAt < first) first = e.answeredAt;
  }
  return first;
}

function orderViolations(target: Target, entries: readonly SandboxRequest[], state: SandboxState): OrderViolation[] {
  const out: OrderViolation[] = [];
  const flag = (what: string) => out.push({ target: target.key, what });
  if (target.provider === 'zego') {
    const deleted = firstOkAnswer(entries, 'DeleteStream');
    const mixStopped = target.mixTaskIds.map((task) => firstOkAnswer(entries, 'StopMix', (e) => e.params.taskId === task));
    for (const e of entries) {
      if (e.operation === 'StopMix' && (deleted === undefined || e.at < deleted)) flag(`StopMix #${e.seq} before DeleteStream was done`);
      if (e.operation !== 'KickoutUser') continue;
      if (deleted === undefined || e.at < deleted) flag(`KickoutUser #${e.seq} before DeleteStream was done`);
      if (mixStopped.some((at) => at === undefined || e.at < at)) flag(`KickoutUser #${e.seq} before StopMix was done`);
    }
  } else {
    const deleted = firstOkAnswer(entries, 'DeleteStreamKey');
    for (const e of entries) {
      if (e.operation === 'ForceDisconnect' && (deleted === undefined || e.at < deleted)) flag(`ForceDisconnect #${e.seq} before DeleteStreamKey was done`);
    }
    // A disconnect before the key deletion shows as the encoder coming straight back.
    const back = state.encoderEvents.filter((ev) => ev.streamKey === target.streamKey && ev.event === 'connected' && ev.reason !== 'seeded');
    for (const ev of back) flag(`encoder reconnected as ${ev.sid} (${ev.reason})`);
  }
  return out;
}

function removed(target: Target, state: SandboxState): boolean {
  if (target.provider === 'zego') {
    const app = state.zego[String(target.appId)];
    const room = app?.rooms[target.roomId];
    const streamGone = !room || !(target.streamId in room.streams);
    const userGone = !room || !room.users.includes(target.userId);
    const mixGone = target.mixTaskIds.every((task) => !app?.mixTasks[task]);
    return streamGone && userGone && mixGone;
  }
  const keyGone = !state.agora.streamKeys.some((k) => k.streamKey === target.streamKey);
  const offAir = !state.agora.sessions.some((s) => s.streamKey === target.streamKey);
  return keyGone && offAir;
}

/**
 * Analyses the log of one batch (entries since it began; scenarios run one at a time) for its
 * `targets`; `expectRemoved` names the targets whose takedown completed.
 */
export function analyseLog(
  targets: readonly Target[],
  log: readonly SandboxRequest[],
  state: SandboxState,
  expectRemoved: ReadonlySet<string>,
): LogAnalysis {
  const attribute = indexTargets(targets, state);
  const perTarget = new Map<string, SandboxRequest[]>();
  const faults: Record<string, number> = {};
  const arrivals = new Map<string, number[]>();
  let providerThrottles = 0;
  let requests = 0;
  let unfaulted = 0;

  for (const entry of log) {
    const owner = attribute(entry);
    if (!owner && entry.operation !== 'ListOnlineStreams') continue;
    requests++;
    if (entry.fault === undefined || entry.fault === 'latency') unfaulted++;
    if (owner) {
      const list = perTarget.get(owner.target.key) ?? [];
      list.push(entry);
      perTarget.set(owner.target.key, list);
    }
    if (entry.fault) bump(faults, entry.fault);
    if (isProviderThrottle(entry)) providerThrottles++;
    const bucket = BUCKETS[`${entry.provider}:${entry.operation}`];
    if (bucket) {
      const key = `${bucket.bucket} ${(entry.appId ?? '?').slice(0, 8)}`;
      const list = arrivals.get(key) ?? [];
      list.push(entry.at);
      arrivals.set(key, list);
    }
  }

  const peakArrivals: LogAnalysis['peakArrivals'] = {};
  for (const [name, times] of arrivals) {
    const limit = Object.values(BUCKETS).find((b) => name.startsWith(`${b.bucket} `))!.limit;
    peakArrivals[name] = { peak: maxArrivalsInAnyWindow(times, 1000), limit };
  }

  const orderList: OrderViolation[] = [];
  const writes: LogAnalysis['writes'] = {};
  let racingRequests = 0;
  let nonIdempotentRepeats = 0;
  let targetsWithRepeats = 0;
  let maxRepeatsPerTarget = 0;
  const throttleRetryGapsMs: number[] = [];
  for (const target of targets) {
    const entries = (perTarget.get(target.key) ?? []).sort((a, b) => a.at - b.at);
    orderList.push(...orderViolations(target, entries, state));

    let busyUntil = -Infinity;
    for (const e of entries) {
      if (e.at < busyUntil) racingRequests++;
      busyUntil = Math.max(busyUntil, e.answeredAt === 0 ? Infinity : e.answeredAt);
    }

    const bySubject = new Map<string, SandboxRequest[]>();
    for (const e of entries) {
      const key = `${e.operation}|${e.params.sid ?? e.params.taskId ?? ''}`;
      bySubject.set(key, [...(bySubject.get(key) ?? []), e]);
    }
    const repeatedOps = new Set<string>();
    let targetRepeats = 0;
    for (const list of bySubject.values()) {
      targetRepeats += list.length - 1;
      for (let i = 1; i < list.length; i++) {
        if (isThrottle(list[i - 1]!)) throttleRetryGapsMs.push(list[i]!.at - list[i - 1]!.answeredAt);
      }
      const op = list[0]!.operation;
      const figures = (writes[op] ??= { requests: 0, repeats: 0, repeatsAfterSuccess: 0, targetsWithRepeats: 0 });
      figures.requests += list.length;
      figures.repeats += list.length - 1;
      if (list.length > 1) repeatedOps.add(op);
      if (list.length > 1 && !IDEMPOTENT_WRITES.has(op)) nonIdempotentRepeats += list.length - 1;
      for (let i = 1; i < list.length; i++) {
        if (!list.slice(0, i).some(answeredOk)) continue;
        figures.repeatsAfterSuccess++;
        const e = list[i]!;
        const answered = e.fault === undefined || e.fault === 'latency';
        if (answered && !answeredOk(e) && !isProviderThrottle(e)) nonIdempotentRepeats++;
      }
    }
    for (const op of repeatedOps) writes[op]!.targetsWithRepeats++;
    if (targetRepeats > 0) targetsWithRepeats++;
    maxRepeatsPerTarget = Math.max(maxRepeatsPerTarget, targetRepeats);
  }
  throttleRetryGapsMs.sort((a, b) => a - b);

  const notRemoved = targets.filter((t) => expectRemoved.has(t.key) && !removed(t, state)).map((t) => t.key);
  return {
    requests,
    unfaulted,
    orderViolations: orderList,
    racingRequests,
    writes,
    nonIdempotentRepeats,
    targetsWithRepeats,
    maxRepeatsPerTarget,
    throttleRetryGapsMs,
    providerThrottles,
    peakArrivals,
    faults,
    notRemoved,
  };
}
