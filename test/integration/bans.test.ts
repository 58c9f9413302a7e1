/**
 * Bans end to end on the dev server and the sandbox: the violator's simulated client tries to
 * come back after the kick, and is refused exactly while the ban holds.
 */
import { WorkflowUpdateFailedError } from '@temporalio/client';
import { DEMO_AGORA_APP_ID, DEMO_ZEGO_APP } from '../../src/sandbox/demo-accounts';
import type { ZegoClientState } from '../../src/sandbox';
import { banStatusQuery, liftUpdate, type BanResult } from '../../src/workflows/ban-definitions';
import type { TakedownRequest } from '../../src/workflows/request';
import { failureOf, startStack, type Stack } from '../harness/stack';
import { uniqueName } from '../harness/temporal';

const appId = DEMO_ZEGO_APP.appId;
/** Rules capped at 3 s at the sandbox and in the worker, so a 10 s ban is a chain of renewed rules. */
const RULE_CAP_SECONDS = 3;
const fastRejoin = { delayMs: 20, intervalMs: 50, giveUpAfterMs: 60_000 };
let stack: Stack;

beforeAll(async () => {
  stack = await startStack({
    env: { ZEGO_MAX_RULE_SECONDS: String(RULE_CAP_SECONDS) },
    sandbox: { rateLimits: { 'zego.DescribeSimpleStreamList.room': Infinity } },
  });
  await stack.sandbox.control.configure({ ruleCaps: { zegoMaxEffectiveTimeSeconds: RULE_CAP_SECONDS } });
});
afterAll(async () => {
  await stack?.teardown();
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function zegoViolator(ban?: TakedownRequest['ban']) {
  const roomId = uniqueName('room');
  const streamId = uniqueName('stream');
  const userId = uniqueName('host');
  await stack.sandbox.control.addZegoClient({ appId, roomId, userId, streamId, rejoin: fastRejoin });
  const request: TakedownRequest = { violationId: uniqueName('clf'), target: { provider: 'zego', appId, roomId, streamId, userId }, ...(ban ? { ban } : {}) };
  return { roomId, streamId, userId, request };
}

async function zegoClient(roomId: string, userId: string): Promise<ZegoClientState> {
  const found = (await stack.sandbox.control.clients()).zego.find((c) => c.roomId === roomId && c.userId === userId);
  if (!found) throw new Error(`no simulated client ${roomId}/${userId}`);
  return found;
}

/** Polls until `check` passes or the time is up. */
async function eventually<T>(check: () => Promise<T>, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await check();
    } catch (err) {
      if (Date.now() > deadline) throw err;
      await sleep(100);
    }
  }
}

describe('ZEGO', () => {
  test('without a ban, the kicked client is straight back', async () => {
    const { roomId, userId, request } = await zegoViolator();
    const result = await (await stack.start(request)).result();
    expect(result.steps.map((s) => s.action)).toEqual(['DeleteStream', 'KickoutUser']);
    expect(result.ban).toBeUndefined();
    const back = await eventually(async () => {
      const client = await zegoClient(roomId, userId);
      expect(client).toMatchObject({ inRoom: true, publishing: true });
      return client;
    }, 5_000);
    expect(back.attempts.filter((a) => a.reason === 'rejoin' && a.outcome === 'refused')).toEqual([]);
  });

  test('a ban places its rule before the kick and keeps the client out, renewing past the cap with no gap, until it expires', async () => {
    const { roomId, userId, request } = await zegoViolator({ duration: '10s' });
    const handle = await stack.start(request);
    const result = await handle.result();
    const banId = `ban/zego/${appId}/${roomId}/${userId}`;
    expect(result.steps.map((s) => [s.action, s.outcome])).toEqual([
      ['DeleteStream', 'done'],
      ['ForbidUser', 'done'],
      ['KickoutUser', 'done'],
    ]);
    expect(result.ban).toEqual({ workflowId: banId, expiresAt: expect.stringMatching(/^\d{4}-/) });
    expect(result.steps[1]?.expiresAt).toBe(result.ban?.expiresAt);

    const log = (await stack.sandbox.control.requests({ provider: 'zego' })).filter((r) => r.params.roomId === roomId || r.params.userId === userId);
    const order = log.map((r) => r.operation).filter((op) => op !== 'DescribeSimpleStreamList');
    expect(order.slice(0, 3)).toEqual(['DeleteStream', 'SetForbidUserRule', 'KickoutUser']);

    const ban = stack.client.workflow.getHandle(banId);
    const status = await ban.query(banStatusQuery);
    expect(status).toMatchObject({ provider: 'zego', appId: String(appId), subject: userId, scope: 'room', state: 'active', expiresAt: result.ban?.expiresAt });
    expect(status.strikes).toEqual([{ violationId: request.violationId, at: expect.any(String) }]);

    expect(await ban.result()).toEqual({ outcome: 'expired' });
    const expiresAtMs = Date.parse(result.ban!.expiresAt);
    const back = await eventually(async () => {
      const client = await zegoClient(roomId, userId);
      expect(client).toMatchObject({ inRoom: true, publishing: true });
      return client;
    }, 5_000);
    const kickedAt = back.kickedAt[0]!;
    const rejoins = back.attempts.filter((a) => a.reason === 'rejoin');
    const accepted = rejoins.filter((a) => a.outcome === 'accepted');
    // Every try between the kick and the ban's end was refused: no instant when the user could log in.
    expect(rejoins.filter((a) => a.at < expiresAtMs).every((a) => a.outcome === 'refused')).toBe(true);
    expect(rejoins.filter((a) => a.at < expiresAtMs).length).toBeGreaterThan(50);
    expect(accepted).toHaveLength(1);
    // ExpireTime is whole seconds: the last rule may end up to a second before the ban's end; the workflow removes it at the end.
    expect(accepted[0]!.at).toBeGreaterThan(expiresAtMs - 1_000);
    expect(accepted[0]!.at - expiresAtMs).toBeLessThan(2_000);
    // The kick came right after the rule (the ban counts from the rule, in whole seconds at ZEGO).
    expect(kickedAt).toBeLessThan(expiresAtMs - 8_000);
    // Several caps long: the rule was renewed, and nothing is left behind.
    const sets = (await stack.sandbox.control.requests({ provider: 'zego', operation: 'SetForbidUserRule' })).filter((r) => r.params.userId === userId);
    expect(sets.length).toBeGreaterThanOrEqual(3);
    expect((await stack.sandbox.control.rules()).zego.filter((r) => r.userId === userId && r.active)).toEqual([]);
  }, 60_000);

  test('lift removes the rule at once and the client is back; lifting twice is refused', async () => {
    const { roomId, userId, request } = await zegoViolator({ duration: '1h', scope: 'app' });
    const result = await (await stack.start(request)).result();
    expect(result.ban?.workflowId).toBe(`ban/zego/${appId}/${userId}`);
    await sleep(300);
    expect(await zegoClient(roomId, userId)).toMatchObject({ inRoom: false });

    const ban = stack.client.workflow.getHandle(result.ban!.workflowId);
    const lifted = await ban.executeUpdate(liftUpdate, { args: [{ by: 'appeals@example', reason: 'appeal upheld' }] });
    expect(lifted).toEqual({ outcome: 'lifted', by: 'appeals@example', reason: 'appeal upheld', liftedAt: expect.any(String) });
    expect(await ban.result()).toEqual(lifted);
    expect((await stack.sandbox.control.rules()).zego.filter((r) => r.userId === userId && r.active)).toEqual([]);
    await eventually(async () => expect(await zegoClient(roomId, userId)).toMatchObject({ inRoom: true, publishing: true }), 5_000);

    await expect(ban.executeUpdate(liftUpdate, { args: [{ by: 'appeals@example', reason: 'again' }] })).rejects.toThrow();
  });

  test('a second takedown of a banned user extends the ban and adds a strike; two at once make one ban', async () => {
    const { roomId, streamId, userId, request } = await zegoViolator({ duration: '30s' });
    const second: TakedownRequest = { ...request, violationId: uniqueName('clf'), ban: { duration: '2m' } };
    const [a, b] = await Promise.all([stack.start(request), stack.start({ ...second, target: { ...second.target, streamId: `${streamId}-b` } as TakedownRequest['target'] })]);
    const [first, other] = await Promise.all([a.result(), b.result()]);
    expect(first.ban?.workflowId).toBe(other.ban?.workflowId);
    const ban = stack.client.workflow.getHandle(first.ban!.workflowId);
    const status = await ban.query(banStatusQuery);
    expect(status.strikes.map((s) => s.violationId).sort()).toEqual([request.violationId, second.violationId].sort());
    const expiry = Date.parse(status.expiresAt!);
    expect(expiry - Date.now()).toBeGreaterThan(100_000);
    const runs = [];
    for await (const run of stack.client.workflow.list({ query: `WorkflowId = "${first.ban!.workflowId}"` })) runs.push(run);
    expect(runs).toHaveLength(1);
    const sets = (await stack.sandbox.control.requests({ provider: 'zego', operation: 'SetForbidUserRule' })).filter((r) => r.params.userId === userId && r.params.roomId === roomId);
    expect(sets).toHaveLength(1);
    await ban.executeUpdate(liftUpdate, { args: [{ by: 'test', reason: 'cleanup' }] });
  });

  test("a rule ZEGO refuses (quota full) fails the takedown ProviderRejected, after the kick still cut the media", async () => {
    const { roomId, userId, request } = await zegoViolator({ duration: '1h' });
    await stack.sandbox.control.injectFault({ provider: 'zego', operation: 'SetForbidUserRule', count: 1, answer: { zegoCode: 50123 } });
    const failure = await failureOf((await stack.start(request)).result());
    expect(failure.type).toBe('ProviderRejected');
    expect(failure.message).toMatch(/^zego SetForbidUserRule answered Code 50123 \(ban rule quota full/);
    const ops = (await stack.sandbox.control.requests({ provider: 'zego' })).filter((r) => r.params.roomId === roomId).map((r) => r.operation);
    expect(ops).toEqual(['DeleteStream', 'SetForbidUserRule', 'KickoutUser']);
    expect(await zegoClient(roomId, userId)).toMatchObject({ kickedAt: [expect.any(Number)] });
  });

  test('a dry run plans the ban step and writes nothing', async () => {
    const { userId, request } = await zegoViolator({ duration: '1d' });
    const result = await (await stack.start({ ...request, dryRun: true })).result();
    expect(result.outcome).toBe('dry-run');
    expect(result.steps.map((s) => [s.action, s.outcome])).toEqual([
      ['DeleteStream', 'planned'],
      ['ForbidUser', 'planned'],
      ['KickoutUser', 'planned'],
    ]);
    expect(result.ban).toBeUndefined();
    expect((await stack.sandbox.control.requests({ provider: 'zego', operation: 'SetForbidUserRule' })).filter((r) => r.params.userId === userId)).toEqual([]);
  });

  test.each([
    [{ duration: '5s' }, 'ban.duration: must be <n>s, <n>m, <n>h or <n>d from 10s to 365d, or "permanent"'],
    [{ duration: '366d' }, 'ban.duration: must be <n>s, <n>m, <n>h or <n>d from 10s to 365d, or "permanent"'],
    [{ duration: '1h', scope: 'channel' }, 'ban.scope: must be room or app for a ZEGO target'],
    [{ duration: '1h', scope: 'world' }, 'ban.scope: must be room or app (ZEGO), channel or app (Agora)'],
  ])('invalid ban %j fails InvalidRequest with nothing sent', async (ban, problem) => {
    const { request } = await zegoViolator();
    const before = (await stack.sandbox.control.requests()).length;
    const raw = { ...request, ban } as unknown as TakedownRequest;
    const handle = await stack.client.workflow.start('takedown', { taskQueue: stack.config.taskQueue, workflowId: uniqueName('invalid-ban'), args: [raw] });
    const failure = await failureOf(handle.result());
    expect(failure.type).toBe('InvalidRequest');
    expect(failure.message).toBe(`invalid takedown request: ${problem}`);
    expect((await stack.sandbox.control.requests()).length).toBe(before);
  });
});

describe('Agora', () => {
  const agoraApp = DEMO_AGORA_APP_ID;

  test('RTC user without a ban: kicked once, and can come straight back', async () => {
    const channel = uniqueName('ch');
    await stack.sandbox.control.addAgoraRtcUser({ appId: agoraApp, channel, uid: 7001, rejoin: fastRejoin });
    const result = await (await stack.start({ violationId: uniqueName('clf'), target: { provider: 'agora', appId: agoraApp, channel, uid: 7001 } })).result();
    expect(result.steps.map((s) => [s.action, s.outcome, s.uid])).toEqual([['BanUser', 'done', '7001']]);
    const user = await eventually(async () => {
      const found = (await stack.sandbox.control.clients()).agora.find((u) => u.channel === channel && u.uid === 7001)!;
      expect(found).toMatchObject({ inChannel: true });
      return found;
    }, 5_000);
    expect(user.kickedAt).toHaveLength(1);
    expect(user.attempts.filter((a) => a.outcome === 'refused')).toEqual([]);
  });

  test('RTC user with a ban: refused until the ban ends, then back', async () => {
    const channel = uniqueName('ch');
    await stack.sandbox.control.addAgoraRtcUser({ appId: agoraApp, channel, uid: 7002, rejoin: fastRejoin });
    const result = await (await stack.start({ violationId: uniqueName('clf'), target: { provider: 'agora', appId: agoraApp, channel, uid: 7002 }, ban: { duration: '10s' } })).result();
    expect(result.steps.map((s) => [s.action, s.outcome])).toEqual([['BanUser', 'done']]);
    expect(result.ban?.workflowId).toBe(`ban/agora/${agoraApp}/${channel}/7002`);
    const ban = stack.client.workflow.getHandle(result.ban!.workflowId);
    expect((await ban.query(banStatusQuery)).rules).toEqual([{ action: 'BanUser', expiresAt: expect.any(String), providerRequestId: expect.any(String), ruleId: expect.any(Number) }]);
    expect(await ban.result()).toEqual<BanResult>({ outcome: 'expired' });
    const expiresAtMs = Date.parse(result.ban!.expiresAt);
    const user = await eventually(async () => {
      const found = (await stack.sandbox.control.clients()).agora.find((u) => u.channel === channel && u.uid === 7002)!;
      expect(found).toMatchObject({ inChannel: true });
      return found;
    }, 5_000);
    const rejoins = user.attempts.filter((a) => a.reason === 'rejoin');
    expect(rejoins.filter((a) => a.at < expiresAtMs - 1_000).every((a) => a.outcome === 'refused')).toBe(true);
    expect(rejoins.filter((a) => a.outcome === 'refused').length).toBeGreaterThan(50);
    expect((await stack.sandbox.control.rules()).agora.filter((r) => r.uid === 7002 && r.active)).toEqual([]);
  }, 60_000);

  test('Media Gateway with a ban: the rule is made once even when its first answer is lost after it was made', async () => {
    const channel = uniqueName('ch');
    const streamKey = uniqueName('key');
    await stack.sandbox.control.seedAgora({ appId: agoraApp, region: 'na', streamKeys: [{ streamKey, channel, uid: '8101' }] });
    await stack.sandbox.control.injectFault({ provider: 'agora', operation: 'CreateKickingRule', count: 1, answer: { drop: true, afterEffect: true } });
    const result = await (await stack.start({ violationId: uniqueName('clf'), target: { provider: 'agora', appId: agoraApp, region: 'na', streamKey }, ban: { duration: '1h' } })).result();
    expect(result.steps.map((s) => s.action)).toEqual(['DeleteStreamKey', 'BanUser', 'ForceDisconnect']);
    // The second attempt listed the rules and found the one the first attempt made.
    expect(result.steps[1]).toMatchObject({ uid: '8101', outcome: 'already-done', attempts: 2 });
    const rules = (await stack.sandbox.control.rules()).agora.filter((r) => r.uid === 8101 && r.cname === channel && r.active);
    expect(rules).toHaveLength(1);
    const creates = (await stack.sandbox.control.requests({ provider: 'agora', operation: 'CreateKickingRule' })).filter((r) => (r.params as { uid?: number }).uid === 8101);
    expect(creates).toHaveLength(1);
    const ban = stack.client.workflow.getHandle(result.ban!.workflowId);
    expect((await ban.query(banStatusQuery)).rules.map((r) => r.ruleId)).toEqual([rules[0]!.id]);
    await ban.executeUpdate(liftUpdate, { args: [{ by: 'test', reason: 'cleanup' }] });
    expect((await stack.sandbox.control.rules()).agora.filter((r) => r.uid === 8101 && r.active)).toEqual([]);
  });

  test('lift is refused once the ban has ended', async () => {
    const channel = uniqueName('ch');
    await stack.sandbox.control.addAgoraRtcUser({ appId: agoraApp, channel, uid: 7003 });
    const result = await (await stack.start({ violationId: uniqueName('clf'), target: { provider: 'agora', appId: agoraApp, channel, uid: 7003 }, ban: { duration: '10s' } })).result();
    const ban = stack.client.workflow.getHandle(result.ban!.workflowId);
    await ban.result();
    const err = await ban.executeUpdate(liftUpdate, { args: [{ by: 'late', reason: 'too late' }] }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Error);
    expect(err).not.toBeInstanceOf(WorkflowUpdateFailedError);
  }, 30_000);
});
