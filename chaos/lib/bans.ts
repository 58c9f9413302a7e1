/**
 * Bans beside a scenario's takedowns: violators whose simulated clients keep trying to come back,
 * banned by their takedowns, some lifted early. The oracles read the clients' join attempts and
 * the provider's rules: no ban lapses early, none outlives its end by more than the provider's
 * rounding, and no rule is left behind.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { startTakedown } from '../../src/client';
import { liftUpdate, type BanResult } from '../../src/workflows/ban-definitions';
import type { TakedownRequest } from '../../src/workflows/request';
import type { TakedownResult } from '../../src/workflows/types';
import type { ChaosContext } from './context';
import { expectEqual, type Check } from './result';

/** ZEGO `ExpireTime` is whole seconds: a rule may end up to a second either side of the ban's end. */
const ROUNDING_MS = 1_000;
/** How often a simulated client tries again. */
const REJOIN_INTERVAL_MS = 100;
/**
 * How precisely the first return after a ban's end is seen: the client's cadence and the timer lag
 * of this process (which runs the sandbox), up to ~0.6 s under the storm.
 */
const OBSERVATION_SLACK_MS = 1_000;

interface BanCase {
  provider: 'zego' | 'agora';
  request: TakedownRequest;
  /** Where its client is: room and user, or channel and uid. */
  place: string;
  who: string;
  lift: boolean;
}

interface CaseOutcome {
  takedown?: TakedownResult;
  ban?: BanResult;
  /** When the ban was to stop holding: its expiry, or when its lift was asked for. */
  endMs?: number;
  /** When it stopped holding at the latest: its expiry, or when the lift answered. */
  doneMs?: number;
  error?: string;
}

/** Runs the sizes' banned violators (alternating providers), lifting about a third early. */
export async function runBans(ctx: ChaosContext, scenario: string, taskQueue: string): Promise<{ rows: [string, string][]; figures: Record<string, unknown>; checks: Check[] }> {
  const { count, durationSeconds, zegoRuleCapSeconds } = ctx.sizes.bans;
  // Not under the scenario's takedown prefix: its batch counts takedowns by violation id prefix.
  const prefix = `chaos-${ctx.runId}-bans-${scenario}-`;
  const rejoin = { delayMs: 20, intervalMs: REJOIN_INTERVAL_MS, giveUpAfterMs: (durationSeconds + 120) * 1000 };
  const cases: BanCase[] = [];
  for (let n = 0; n < count; n++) {
    const violationId = `${prefix}${String(n).padStart(3, '0')}`;
    const lift = ctx.rng.chance(0.35);
    const ban = { duration: `${durationSeconds}s` };
    if (n % 2 === 0) {
      const roomId = `${prefix}room-${n}`;
      const userId = `banned-${n}`;
      await ctx.sandbox.control.addZegoClient({ appId: ctx.zegoAppId, roomId, userId, streamId: `stream-${n}`, rejoin });
      cases.push({ provider: 'zego', place: roomId, who: userId, lift, request: { violationId, ban, target: { provider: 'zego', appId: ctx.zegoAppId, roomId, streamId: `stream-${n}`, userId } } });
    } else {
      const appId = ctx.agoraAppIds[0]!;
      const channel = `${prefix}ch-${n}`;
      const uid = 50_000 + n;
      await ctx.sandbox.control.addAgoraRtcUser({ appId, channel, uid, rejoin });
      cases.push({ provider: 'agora', place: channel, who: String(uid), lift, request: { violationId, ban, target: { provider: 'agora', appId, channel, uid } } });
    }
  }

  const outcomes = await Promise.all(cases.map((c) => runCase(ctx, c, taskQueue, durationSeconds)));
  // The last ban to end may have ended a moment ago: give its client the time to come back that the oracle allows.
  await sleep(ROUNDING_MS + OBSERVATION_SLACK_MS);
  const [clients, rules] = await Promise.all([ctx.sandbox.control.clients(), ctx.sandbox.control.rules()]);

  let early = 0;
  let late = 0;
  let neverBack = 0;
  const offenders: string[] = [];
  const overrunsMs: number[] = [];
  for (const [i, c] of cases.entries()) {
    const { endMs, doneMs } = outcomes[i]!;
    if (endMs === undefined || doneMs === undefined) continue;
    const client =
      c.provider === 'zego'
        ? clients.zego.find((z) => z.roomId === c.place && z.userId === c.who)
        : clients.agora.find((a) => a.channel === c.place && String(a.uid) === c.who);
    const kickedAt = client?.kickedAt[0];
    if (!client || kickedAt === undefined) continue;
    const tries = client.attempts.filter((a) => a.reason === 'rejoin' && a.at > kickedAt);
    const tooSoon = tries.filter((a) => a.outcome === 'accepted' && a.at < endMs - ROUNDING_MS);
    const back = tries.find((a) => a.outcome === 'accepted' && a.at >= endMs - ROUNDING_MS);
    early += tooSoon.length;
    if (tooSoon.length) offenders.push(`${c.request.violationId} back ${Math.round(endMs - tooSoon[0]!.at)} ms before its end`);
    if (tooSoon.length === 0 && !back) {
      neverBack++;
      offenders.push(`${c.request.violationId} never back`);
    }
    if (back) {
      overrunsMs.push(Math.round(back.at - doneMs));
      if (back.at - doneMs > ROUNDING_MS + OBSERVATION_SLACK_MS) {
        late++;
        offenders.push(`${c.request.violationId} back ${Math.round(back.at - doneMs)} ms after its end`);
      }
    }
  }
  const subjects = new Set(cases.map((c) => `${c.place}/${c.who}`));
  const leftBehind =
    rules.zego.filter((r) => r.active && subjects.has(`${r.roomId}/${r.userId}`)).length +
    rules.agora.filter((r) => r.active && subjects.has(`${r.cname}/${r.uid}`)).length;
  const failed = outcomes.filter((o) => o.error);
  const lifted = outcomes.filter((o) => o.ban?.outcome === 'lifted').length;
  const expired = outcomes.filter((o) => o.ban?.outcome === 'expired').length;
  const expectedLifts = cases.filter((c) => c.lift).length;
  const worstOverrun = Math.max(0, ...overrunsMs);

  return {
    rows: [
      ['bans (ZEGO room users, Agora RTC users), length', `${count} of ${durationSeconds} s, ZEGO rules capped at ${zegoRuleCapSeconds} s`],
      ['bans lifted early / expired', `${lifted} / ${expired}`],
      ['returns accepted before a ban ended (beyond the 1 s rounding)', String(early)],
      ['worst return after a ban ended (its expiry, or its lift answered)', `${worstOverrun} ms`],
      ['rules left behind at the provider', String(leftBehind)],
    ],
    figures: { bans: count, durationSeconds, lifted, expired, early, late, neverBack, overrunsMs, leftBehind, offenders, failed: failed.map((o) => o.error) },
    checks: [
      expectEqual('ban takedowns and ban workflows that failed', failed.length, 0),
      expectEqual('bans lifted as asked', lifted, expectedLifts),
      expectEqual("returns accepted while a ban held (no ban lapsed early)", early, 0),
      expectEqual("bans that outlived their end by more than the provider's rounding", late, 0),
      expectEqual('banned clients never let back after their ban', neverBack, 0),
      expectEqual('rules left behind after a lift or an expiry', leftBehind, 0),
    ].map((check) => (check.ok || offenders.length === 0 ? check : { ...check, detail: `${check.detail}: ${offenders.join('; ')}` })),
  };
}

/** One banned violator: its takedown, an optional lift a few seconds in, and the ban's end. */
async function runCase(ctx: ChaosContext, c: BanCase, taskQueue: string, durationSeconds: number): Promise<CaseOutcome> {
  try {
    const handle = await ctx.temporal.retry(() => startTakedown(ctx.temporal.client, c.request, { taskQueue }), { timeoutMs: 120_000 });
    const takedown = await ctx.temporal.retry(() => handle.result(), { timeoutMs: 180_000 });
    if (!takedown.ban) return { takedown, error: `${c.request.violationId}: no ban in the result` };
    const ban = ctx.temporal.client.workflow.getHandle(takedown.ban.workflowId);
    if (c.lift) {
      await sleep(ctx.rng.between(2_000, Math.max(2_500, (durationSeconds * 1000) / 2)));
      const askedMs = Date.now();
      const lifted = await ctx.temporal.retry(() => ban.executeUpdate(liftUpdate, { args: [{ by: 'chaos', reason: 'appeal' }] }), { timeoutMs: 120_000 });
      if (lifted.outcome !== 'lifted') return { takedown, error: `${c.request.violationId}: lift answered ${JSON.stringify(lifted)}` };
      return { takedown, ban: lifted, endMs: askedMs, doneMs: Date.parse(lifted.liftedAt) };
    }
    const result = await ctx.temporal.retry(() => ban.result(), { timeoutMs: (durationSeconds + 180) * 1000 });
    const expiresAtMs = Date.parse(takedown.ban.expiresAt);
    return { takedown, ban: result, endMs: expiresAtMs, doneMs: expiresAtMs };
  } catch (err) {
    return { error: `${c.request.violationId}: ${(err as Error).message}` };
  }
}
