/**
 * Simulated ZEGO clients: after a KickoutUser the client logs in and republishes, refused while a
 * user-ban rule holds (zego.md §4.14), over HTTP.
 */
import { DEFAULT_REJOIN_POLICY, SandboxControlError, startSandbox, type Sandbox, type ZegoClientState } from '../../../src/sandbox';
import { eventually, form, preciseNow, zego } from './helpers';

const APP = { appId: 1618033988, serverSecret: 'feedfacefeedfacefeedfacefeedface' };
/** Rule decisions read the wall clock, attempt times the request-log clock; they may differ by a hair. */
const CLOCK_SLACK_MS = 25;
let sandbox: Sandbox;

beforeAll(async () => {
  sandbox = await startSandbox({
    zegoApps: [APP],
    rateLimits: { 'zego.DescribeSimpleStreamList.room': Infinity, 'zego.SetForbidUserRule': Infinity, 'zego.DelForbidUserRule': Infinity },
  });
});
afterAll(() => sandbox.close());
beforeEach(() => sandbox.control.reset());

type Fields = Record<string, string | string[]>;
const call = (action: string, fields: Fields) => zego(sandbox.url, { appId: APP.appId, secret: APP.serverSecret, action, query: form(fields) });
const kick = (roomId: string, userId: string) => call('KickoutUser', { RoomId: roomId, 'UserId[]': userId });
const forbid = (fields: Fields) => call('SetForbidUserRule', { DisabledPrivilege: ['1', '2'], ...fields });
const streamsIn = async (roomId: string) =>
  ((await call('DescribeSimpleStreamList', { RoomId: roomId })).body.Data as { StreamList: { StreamId: string; UserId: string }[] }).StreamList;
const fast = { delayMs: 20, intervalMs: 50, giveUpAfterMs: 10_000 };

async function client(roomId: string, userId: string): Promise<ZegoClientState> {
  const found = (await sandbox.control.clients()).zego.find((c) => c.roomId === roomId && c.userId === userId);
  if (found === undefined) throw new Error(`no client ${roomId}/${userId}`);
  return found;
}

async function backOnline(roomId: string, userId: string, timeoutMs = 5000): Promise<ZegoClientState> {
  return eventually(async () => {
    const state = await client(roomId, userId);
    expect(state).toMatchObject({ phase: 'online', inRoom: true, publishing: true });
    return state;
  }, timeoutMs);
}

describe('a client without a ban', () => {
  test('joins and publishes when added: the room exists and lists its stream', async () => {
    const added = await sandbox.control.addZegoClient({ appId: APP.appId, roomId: 'room-1', userId: 'host', streamId: 's-host', rejoin: fast });
    expect(added).toMatchObject({
      appId: APP.appId,
      roomId: 'room-1',
      userId: 'host',
      streamId: 's-host',
      phase: 'online',
      inRoom: true,
      publishing: true,
      rejoin: fast,
      kickedAt: [],
      attempts: [{ reason: 'created', outcome: 'accepted', at: expect.any(Number) }],
    });
    expect(await streamsIn('room-1')).toEqual([expect.objectContaining({ StreamId: 's-host', UserId: 'host' })]);
  });

  test('comes back after a kick, no sooner than its delay, publishing its stream again', async () => {
    await sandbox.control.addZegoClient({ appId: APP.appId, roomId: 'room-1', userId: 'host', streamId: 's-host', rejoin: { delayMs: 1_000 } });
    const kickedAt = preciseNow();
    expect((await kick('room-1', 'host')).body.Code).toBe(0);
    // The only user was kicked: the room is gone until the client logs in again.
    expect((await sandbox.control.state()).zego[String(APP.appId)]?.rooms['room-1']).toBeUndefined();

    const back = await backOnline('room-1', 'host');
    expect(back.kickedAt).toHaveLength(1);
    expect(back.kickedAt[0]).toBeGreaterThanOrEqual(kickedAt);
    const rejoin = back.attempts.at(-1)!;
    expect(rejoin).toMatchObject({ reason: 'rejoin', outcome: 'accepted' });
    expect(rejoin.at - back.kickedAt[0]!).toBeGreaterThanOrEqual(1_000);
    expect(await streamsIn('room-1')).toEqual([expect.objectContaining({ StreamId: 's-host', UserId: 'host' })]);
  });

  test('defaults to a 200 ms delay, then every 200 ms for 30 s', async () => {
    const added = await sandbox.control.addZegoClient({ appId: APP.appId, roomId: 'room-1', userId: 'host', streamId: 's' });
    expect(added.rejoin).toEqual({ delayMs: 200, intervalMs: 200, giveUpAfterMs: 30_000 });
    expect(DEFAULT_REJOIN_POLICY).toEqual(added.rejoin);
  });

  test('joins a seeded room beside its users; kicking another user leaves it alone', async () => {
    await sandbox.control.seedZego({ appId: APP.appId, rooms: [{ roomId: 'room-1', users: ['viewer'] }] });
    await sandbox.control.addZegoClient({ appId: APP.appId, roomId: 'room-1', userId: 'host', streamId: 's-host', rejoin: fast });
    expect((await sandbox.control.state()).zego[String(APP.appId)]?.rooms['room-1']?.users).toEqual(['viewer', 'host']);
    await kick('room-1', 'viewer');
    expect(await client('room-1', 'host')).toMatchObject({ phase: 'online', kickedAt: [] });
  });
});

describe('a client under a ban', () => {
  test('a room+user rule refuses its login until the rule expires; then it is back', async () => {
    await sandbox.control.addZegoClient({ appId: APP.appId, roomId: 'room-1', userId: 'violator', streamId: 's-v', rejoin: fast });
    const set = await forbid({ RuleType: '4', RoomId: 'room-1', UserId: 'violator', EffectiveTime: '2' });
    const { ExpireTime } = set.body.Data as { ExpireTime: number };
    // A rule does not evict a user already in the room.
    expect(await client('room-1', 'violator')).toMatchObject({ phase: 'online', publishing: true });
    await kick('room-1', 'violator');

    const back = await backOnline('room-1', 'violator', 5000);
    const rejoins = back.attempts.filter((a) => a.reason === 'rejoin');
    const refused = rejoins.filter((a) => a.outcome === 'refused');
    const accepted = rejoins.filter((a) => a.outcome === 'accepted');
    expect(refused.length).toBeGreaterThan(0);
    expect(accepted).toHaveLength(1);
    for (const attempt of refused) {
      expect(attempt).toMatchObject({ refused: 'login', rule: { ruleType: 4, roomId: 'room-1', userId: 'violator', expireTime: ExpireTime, active: true } });
      expect(attempt.at).toBeLessThan(ExpireTime * 1000 + CLOCK_SLACK_MS);
    }
    // Accepted at the first try after the expiry: within one interval of it.
    expect(accepted[0]!.at).toBeGreaterThanOrEqual(ExpireTime * 1000 - CLOCK_SLACK_MS);
    expect(accepted[0]!.at).toBeLessThan(ExpireTime * 1000 + fast.intervalMs + 100);
    expect(await streamsIn('room-1')).toEqual([expect.objectContaining({ StreamId: 's-v' })]);
  });

  test('a room+user rule does not keep the user out of another room', async () => {
    await sandbox.control.addZegoClient({ appId: APP.appId, roomId: 'room-2', userId: 'violator', streamId: 's-v2', rejoin: fast });
    await forbid({ RuleType: '4', RoomId: 'room-1', UserId: 'violator', EffectiveTime: '600' });
    await kick('room-2', 'violator');
    const back = await backOnline('room-2', 'violator');
    expect(back.attempts.map((a) => a.outcome)).toEqual(['accepted', 'accepted']);
  });

  test('a user rule (app-wide) keeps the user out of every room while it holds; deleting it lets them back', async () => {
    await sandbox.control.addZegoClient({ appId: APP.appId, roomId: 'room-1', userId: 'violator', streamId: 's-1', rejoin: fast });
    await sandbox.control.addZegoClient({ appId: APP.appId, roomId: 'room-2', userId: 'violator', streamId: 's-2', rejoin: fast });
    await forbid({ RuleType: '3', UserId: 'violator', EffectiveTime: '600' });
    await kick('room-1', 'violator');
    await kick('room-2', 'violator');
    await eventually(async () => {
      const { zego: clients } = await sandbox.control.clients();
      for (const c of clients) expect(c.attempts.filter((a) => a.outcome === 'refused').length).toBeGreaterThanOrEqual(2);
    });
    const { zego: clients } = await sandbox.control.clients();
    for (const c of clients) {
      expect(c).toMatchObject({ phase: 'rejoining', inRoom: false, publishing: false });
      expect(c.attempts.at(-1)).toMatchObject({ outcome: 'refused', refused: 'login', rule: { ruleType: 3, userId: 'violator' } });
    }
    expect(await streamsIn('room-1')).toEqual([]);

    expect((await call('DelForbidUserRule', { RuleType: '3', UserId: 'violator' })).body.Code).toBe(0);
    await backOnline('room-1', 'violator');
    await backOnline('room-2', 'violator');
  });

  test('a room rule keeps everyone out of that room', async () => {
    await sandbox.control.addZegoClient({ appId: APP.appId, roomId: 'room-1', userId: 'anyone', streamId: 's', rejoin: fast });
    await forbid({ RuleType: '2', RoomId: 'room-1', DisabledPrivilege: '1', EffectiveTime: '600' });
    await kick('room-1', 'anyone');
    await eventually(async () => expect((await client('room-1', 'anyone')).attempts.at(-1)).toMatchObject({ refused: 'login', rule: { ruleType: 2 } }));
  });

  test('an IP rule matches only a client with that IP', async () => {
    await sandbox.control.addZegoClient({ appId: APP.appId, roomId: 'room-1', userId: 'a', streamId: 's-a', ip: '203.0.113.9', rejoin: fast });
    await sandbox.control.addZegoClient({ appId: APP.appId, roomId: 'room-1', userId: 'b', streamId: 's-b', rejoin: fast });
    await forbid({ RuleType: '1', IP: '203.0.113.9', EffectiveTime: '600' });
    await kick('room-1', 'a');
    await kick('room-1', 'b');
    await backOnline('room-1', 'b');
    await eventually(async () => expect((await client('room-1', 'a')).attempts.at(-1)).toMatchObject({ refused: 'login', rule: { ruleType: 1, ip: '203.0.113.9' } }));
  });

  test('a publish-only rule lets the user log in but not publish; it publishes once the rule is gone', async () => {
    await sandbox.control.addZegoClient({ appId: APP.appId, roomId: 'room-1', userId: 'violator', streamId: 's-v', rejoin: fast });
    await forbid({ RuleType: '4', RoomId: 'room-1', UserId: 'violator', DisabledPrivilege: '2', EffectiveTime: '600' });
    await kick('room-1', 'violator');
    const refused = await eventually(async () => {
      const state = await client('room-1', 'violator');
      expect(state.attempts.at(-1)).toMatchObject({ outcome: 'refused', refused: 'publish', rule: { disabledPrivileges: [2] } });
      return state;
    });
    expect(refused).toMatchObject({ phase: 'rejoining', inRoom: true, publishing: false });
    expect(await streamsIn('room-1')).toEqual([]);

    await call('DelForbidUserRule', { RuleType: '4', RoomId: 'room-1', UserId: 'violator' });
    await backOnline('room-1', 'violator');
  });

  test('a client added while a rule holds is refused at once and keeps trying', async () => {
    await forbid({ RuleType: '3', UserId: 'violator', EffectiveTime: '600' });
    const added = await sandbox.control.addZegoClient({ appId: APP.appId, roomId: 'room-1', userId: 'violator', streamId: 's', rejoin: fast });
    expect(added).toMatchObject({ phase: 'rejoining', inRoom: false, attempts: [{ reason: 'created', outcome: 'refused', refused: 'login' }] });
    await eventually(async () => expect((await client('room-1', 'violator')).attempts.length).toBeGreaterThanOrEqual(3));
  });

  test('gives up when its time runs out, trying at its rhythm until then', async () => {
    await sandbox.control.addZegoClient({
      appId: APP.appId,
      roomId: 'room-1',
      userId: 'violator',
      streamId: 's',
      rejoin: { delayMs: 10, intervalMs: 40, giveUpAfterMs: 300 },
    });
    await forbid({ RuleType: '3', UserId: 'violator', EffectiveTime: '600' });
    await kick('room-1', 'violator');
    const gaveUp = await eventually(async () => {
      const state = await client('room-1', 'violator');
      expect(state.phase).toBe('gave-up');
      return state;
    });
    const tries = gaveUp.attempts.filter((a) => a.reason === 'rejoin');
    // 10 ms, then every 40 ms while within 300 ms of the kick: 8 tries at most, fewer if timers ran late.
    expect(tries.length).toBeGreaterThanOrEqual(3);
    expect(tries.length).toBeLessThanOrEqual(8);
    for (const [i, attempt] of tries.entries()) {
      expect(attempt.at - gaveUp.kickedAt[0]!).toBeLessThanOrEqual(300 + CLOCK_SLACK_MS);
      if (i > 0) expect(attempt.at - tries[i - 1]!.at).toBeGreaterThanOrEqual(40);
    }
    const count = gaveUp.attempts.length;
    await new Promise((resolve) => setTimeout(resolve, 150));
    expect((await client('room-1', 'violator')).attempts).toHaveLength(count);
  });

  test('a reset stops every client', async () => {
    await sandbox.control.addZegoClient({ appId: APP.appId, roomId: 'room-1', userId: 'host', streamId: 's', rejoin: { delayMs: 50 } });
    await kick('room-1', 'host');
    await sandbox.control.reset();
    await new Promise((resolve) => setTimeout(resolve, 120));
    expect((await sandbox.control.clients()).zego).toEqual([]);
    expect((await sandbox.control.state()).zego[String(APP.appId)]?.rooms).toEqual({});
  });
});

describe('addZegoClient validation', () => {
  test.each([
    [{ appId: 1, roomId: 'r', userId: 'u', streamId: 's' }, 'ZEGO app 1 is not configured in this sandbox'],
    [{ appId: APP.appId, roomId: '', userId: 'u', streamId: 's' }, 'roomId'],
    [{ appId: APP.appId, roomId: 'r', userId: 'u', streamId: 's', rejoin: { intervalMs: 5 } }, 'rejoin.intervalMs: intervalMs must be at least 10'],
    [{ appId: APP.appId, roomId: 'r', userId: 'u', streamId: 's', rejoin: { delayMs: 1.5 } }, 'rejoin.delayMs: delayMs must be a whole number of milliseconds'],
    [{ appId: APP.appId, roomId: 'r', userId: 'u', streamId: 's', rejoin: { giveUpAfterMs: 7_200_000 } }, 'rejoin.giveUpAfterMs: giveUpAfterMs must be at most 3600000 (an hour)'],
    [{ appId: APP.appId, roomId: 'r', userId: 'u', streamId: 's', colour: 'red' }, 'colour'],
  ])('%j is refused with 400: %s', async (input, message) => {
    const error = (await sandbox.control.addZegoClient(input as never).catch((e: unknown) => e)) as SandboxControlError;
    expect(error).toBeInstanceOf(SandboxControlError);
    expect(error.status).toBe(400);
    expect(error.message).toContain(message);
  });

  test('a stream id another user of the room publishes is refused', async () => {
    await sandbox.control.seedZego({ appId: APP.appId, rooms: [{ roomId: 'room-1', users: ['other'], streams: [{ streamId: 's', userId: 'other' }] }] });
    await expect(sandbox.control.addZegoClient({ appId: APP.appId, roomId: 'room-1', userId: 'host', streamId: 's' })).rejects.toThrow(
      'stream s is already published by other in room room-1',
    );
  });
});
