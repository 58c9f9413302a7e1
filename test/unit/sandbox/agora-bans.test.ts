/**
 * Agora bans over HTTP: kicking-rule update (agora.md §7.3), simulated RTC users that rejoin after a
 * kick and are refused while a rule holds, the encoder under a uid ban, and the rule-length caps.
 */
import { DEFAULT_RULE_CAPS, SandboxControlError, startSandbox, type AgoraRtcUserState, type Sandbox } from '../../../src/sandbox';
import { agora, basicAuth, eventually } from './helpers';

const APP_ID = 'bans0app';
const OTHER_APP_ID = 'bans0other';
/** Rule decisions read the wall clock, attempt times the request-log clock; they may differ by a hair. */
const CLOCK_SLACK_MS = 25;
let sandbox: Sandbox;

beforeAll(async () => {
  sandbox = await startSandbox({
    agoraAccounts: [
      { customerId: 'cust-1', customerSecret: 'one' },
      { customerId: 'cust-2', customerSecret: 'two' },
    ],
    encoderReconnectDelayMs: 10,
    rateLimits: { 'agora.kicking-rule': Infinity },
  });
});
afterAll(() => sandbox.close());
beforeEach(async () => {
  await sandbox.control.reset();
  await sandbox.control.configure({ ruleCaps: DEFAULT_RULE_CAPS });
});

const auth1 = basicAuth('cust-1', 'one');
const auth2 = basicAuth('cust-2', 'two');
const json = { 'content-type': 'application/json' };
const send = (method: 'POST' | 'PUT' | 'DELETE', body: unknown, authorization = auth1) =>
  agora(sandbox.url, method, '/dev/v1/kicking-rule', { authorization, headers: json, body: JSON.stringify(body) });
const create = async (body: Record<string, unknown>, authorization = auth1): Promise<number> => {
  const answer = await send('POST', { appid: APP_ID, privileges: ['join_channel'], ...body }, authorization);
  expect(answer.status).toBe(200);
  return answer.body.id as number;
};
const listed = async (appid = APP_ID) =>
  (await agora(sandbox.url, 'GET', `/dev/v1/kicking-rule?appid=${appid}`, { authorization: auth1 })).body.rules as {
    id: number;
    ts: string;
    createAt: string;
    updateAt: string;
  }[];
const lengthSeconds = (rule: { ts: string; createAt: string }) => (Date.parse(rule.ts) - Date.parse(rule.createAt)) / 1000;
const fast = { delayMs: 20, intervalMs: 50, giveUpAfterMs: 10_000 };

async function user(channel: string, uid: number): Promise<AgoraRtcUserState> {
  const found = (await sandbox.control.clients()).agora.find((u) => u.channel === channel && u.uid === uid);
  if (found === undefined) throw new Error(`no RTC user ${channel}/${uid}`);
  return found;
}

const refusedNow = (channel: string, uid: number) =>
  eventually(async () => {
    const state = await user(channel, uid);
    expect(state).toMatchObject({ phase: 'rejoining', inChannel: false });
    expect(state.attempts.filter((a) => a.reason === 'rejoin' && a.outcome === 'refused').length).toBeGreaterThanOrEqual(1);
    return state;
  });

describe('updating a kicking rule (PUT)', () => {
  test('sets the expiry from now and answers {status, result: {id, ts}}', async () => {
    const id = await create({ uid: 7, time_in_seconds: 600 });
    const [before] = await listed();
    const answer = await send('PUT', { appid: APP_ID, id, time_in_seconds: 60 });
    expect(answer).toMatchObject({ status: 200, body: { status: 'success', result: { id, ts: expect.any(String) } } });
    const ts = Date.parse((answer.body.result as { ts: string }).ts);
    expect(ts - Date.now()).toBeGreaterThan(58_000);
    expect(ts - Date.now()).toBeLessThanOrEqual(60_000);
    const [after] = await listed();
    expect(after).toMatchObject({ id, ts: new Date(ts).toISOString(), createAt: before!.createAt });
    expect(Date.parse(after!.updateAt)).toBeGreaterThanOrEqual(Date.parse(before!.updateAt));
  });

  test('`time` in minutes is clamped as for a create; no time at all means an hour', async () => {
    const id = await create({ uid: 7, time: 1 });
    await send('PUT', { appid: APP_ID, id, time: 5000 });
    expect(Math.round((Date.parse((await listed())[0]!.ts) - Date.now()) / 1000)).toBe(1440 * 60);
    await send('PUT', { appid: APP_ID, id });
    expect(Math.round((Date.parse((await listed())[0]!.ts) - Date.now()) / 1000)).toBe(3600);
  });

  test.each([
    ['an id no rule has', (id: number) => ({ appid: APP_ID, id: id + 100, time: 1 }), auth1, 404, 'Resource not found.'],
    ['another account rule', (id: number) => ({ appid: APP_ID, id, time: 1 }), auth2, 404, 'Resource not found.'],
    ['another App ID', (id: number) => ({ appid: OTHER_APP_ID, id, time: 1 }), auth1, 404, 'Resource not found.'],
    ['no appid', (id: number) => ({ id, time: 1 }), auth1, 400, 'invalid appid'],
    ['a string id', (id: number) => ({ appid: APP_ID, id: String(id), time: 1 }), auth1, 400, 'invalid id'],
    ['a negative time', (id: number) => ({ appid: APP_ID, id, time_in_seconds: -1 }), auth1, 400, 'invalid time'],
  ])('with %s is refused', async (_label, body, authorization, status, message) => {
    const id = await create({ uid: 7, time: 10 });
    const before = await listed();
    expect(await send('PUT', body(id), authorization)).toMatchObject({ status, body: { status: 'error', message } });
    expect(await listed()).toEqual(before);
  });

  test('is logged as UpdateKickingRule and counts against the kicking-rule bucket', async () => {
    const id = await create({ uid: 7 });
    await sandbox.control.configure({ rateLimits: { 'agora.kicking-rule': 0 } });
    try {
      expect((await send('PUT', { appid: APP_ID, id, time: 1 })).status).toBe(429);
    } finally {
      await sandbox.control.configure({ rateLimits: { 'agora.kicking-rule': Infinity } });
    }
    const [entry] = await sandbox.control.requests({ operation: 'UpdateKickingRule' });
    expect(entry).toMatchObject({ method: 'PUT', appId: APP_ID, params: { id, time: 1 }, status: 429 });
  });
});

describe('simulated RTC users', () => {
  test('joins when added', async () => {
    const added = await sandbox.control.addAgoraRtcUser({ appId: APP_ID, channel: 'ch', uid: 42, rejoin: fast });
    expect(added).toEqual({
      appId: APP_ID,
      channel: 'ch',
      uid: 42,
      rejoin: fast,
      phase: 'joined',
      inChannel: true,
      kickedAt: [],
      attempts: [{ at: expect.any(Number), reason: 'created', outcome: 'accepted' }],
    });
  });

  test('a channel+uid rule kicks the user, refuses its rejoins while it holds, and lets it back after', async () => {
    await sandbox.control.configure({ ruleCaps: { agoraMinRuleSeconds: 1 } });
    await sandbox.control.addAgoraRtcUser({ appId: APP_ID, channel: 'ch', uid: 42, rejoin: fast });
    await sandbox.control.addAgoraRtcUser({ appId: APP_ID, channel: 'ch', uid: 43, rejoin: fast });
    const id = await create({ cname: 'ch', uid: 42, time_in_seconds: 1 });
    const expiresAt = Date.parse((await listed())[0]!.ts);

    const back = await eventually(async () => {
      const state = await user('ch', 42);
      expect(state).toMatchObject({ phase: 'joined', inChannel: true });
      expect(state.kickedAt).toHaveLength(1);
      return state;
    }, 4000);
    const rejoins = back.attempts.filter((a) => a.reason === 'rejoin');
    const refused = rejoins.filter((a) => a.outcome === 'refused');
    expect(refused.length).toBeGreaterThan(0);
    for (const attempt of refused) {
      expect(attempt.rule).toMatchObject({ id, cname: 'ch', uid: 42, privileges: ['join_channel'] });
      expect(attempt.at).toBeLessThan(expiresAt + CLOCK_SLACK_MS);
    }
    const accepted = rejoins.filter((a) => a.outcome === 'accepted');
    expect(accepted).toHaveLength(1);
    expect(accepted[0]!.at).toBeGreaterThanOrEqual(expiresAt - CLOCK_SLACK_MS);
    expect(accepted[0]!.at).toBeLessThan(expiresAt + fast.intervalMs + 100);
    // The other uid was never touched.
    expect(await user('ch', 43)).toMatchObject({ phase: 'joined', kickedAt: [] });
  });

  test('a one-time kick (time 0) removes the user once and lets it straight back', async () => {
    await sandbox.control.addAgoraRtcUser({ appId: APP_ID, channel: 'ch', uid: 42, rejoin: { delayMs: 50 } });
    await create({ cname: 'ch', uid: 42, time: 0 });
    expect(await user('ch', 42)).toMatchObject({ phase: 'rejoining', inChannel: false });
    const back = await eventually(async () => {
      const state = await user('ch', 42);
      expect(state.phase).toBe('joined');
      return state;
    });
    expect(back.kickedAt).toHaveLength(1);
    expect(back.attempts.map((a) => [a.reason, a.outcome])).toEqual([
      ['created', 'accepted'],
      ['rejoin', 'accepted'],
    ]);
    expect(back.attempts[1]!.at - back.kickedAt[0]!).toBeGreaterThanOrEqual(50);
    expect((await sandbox.control.rules()).agora).toEqual([expect.objectContaining({ uid: 42, active: false, customerId: 'cust-1' })]);
  });

  test('a uid-only rule (app scope) keeps the uid out of every channel; a channel rule only out of its channel', async () => {
    for (const channel of ['a', 'b']) await sandbox.control.addAgoraRtcUser({ appId: APP_ID, channel, uid: 42, rejoin: fast });
    await sandbox.control.addAgoraRtcUser({ appId: APP_ID, channel: 'c', uid: 42, rejoin: fast });
    await create({ cname: 'c', uid: 42, time: 10 });
    await create({ uid: 42, time: 10 });
    for (const channel of ['a', 'b']) {
      const state = await refusedNow(channel, 42);
      expect(state.attempts.at(-1)?.rule).not.toHaveProperty('cname');
    }
    // Channel c's user is refused by whichever rule it meets first; both name it.
    await refusedNow('c', 42);
  });

  test('a channel+uid rule leaves the same uid in another channel alone', async () => {
    await sandbox.control.addAgoraRtcUser({ appId: APP_ID, channel: 'other', uid: 42, rejoin: fast });
    await create({ cname: 'ch', uid: 42, time: 10 });
    expect(await user('other', 42)).toMatchObject({ phase: 'joined', kickedAt: [] });
  });

  test('a channel-only rule kicks everyone in it; an IP rule only the user with that IP', async () => {
    await sandbox.control.addAgoraRtcUser({ appId: APP_ID, channel: 'ch', uid: 1, rejoin: fast });
    await sandbox.control.addAgoraRtcUser({ appId: APP_ID, channel: 'ch', uid: 2, rejoin: fast });
    await sandbox.control.addAgoraRtcUser({ appId: APP_ID, channel: 'elsewhere', uid: 3, ip: '198.51.100.4', rejoin: fast });
    await sandbox.control.addAgoraRtcUser({ appId: APP_ID, channel: 'elsewhere', uid: 4, rejoin: fast });
    await create({ cname: 'ch', time: 10 });
    await create({ ip: '198.51.100.4', time: 10 });
    await refusedNow('ch', 1);
    await refusedNow('ch', 2);
    await refusedNow('elsewhere', 3);
    expect(await user('elsewhere', 4)).toMatchObject({ phase: 'joined', kickedAt: [] });
  });

  test('publish rules and rules of another App ID do not kick', async () => {
    await sandbox.control.addAgoraRtcUser({ appId: APP_ID, channel: 'ch', uid: 42, rejoin: fast });
    await create({ cname: 'ch', uid: 42, time: 10, privileges: ['publish_audio', 'publish_video'] });
    await create({ appid: OTHER_APP_ID, cname: 'ch', uid: 42, time: 10 });
    expect(await user('ch', 42)).toMatchObject({ phase: 'joined', kickedAt: [] });
  });

  test('deleting the rule lets the user back at its next try', async () => {
    await sandbox.control.addAgoraRtcUser({ appId: APP_ID, channel: 'ch', uid: 42, rejoin: fast });
    const id = await create({ cname: 'ch', uid: 42, time: 10 });
    await refusedNow('ch', 42);
    expect((await send('DELETE', { appid: APP_ID, id })).status).toBe(200);
    await eventually(async () => expect((await user('ch', 42)).phase).toBe('joined'));
  });

  test('renewing a rule that lapsed kicks the user who came back', async () => {
    await sandbox.control.configure({ ruleCaps: { agoraMinRuleSeconds: 1 } });
    await sandbox.control.addAgoraRtcUser({ appId: APP_ID, channel: 'ch', uid: 42, rejoin: fast });
    const id = await create({ cname: 'ch', uid: 42, time_in_seconds: 1 });
    await eventually(async () => expect((await user('ch', 42)).phase).toBe('joined'), 3000);
    await send('PUT', { appid: APP_ID, id, time_in_seconds: 60 });
    const state = await refusedNow('ch', 42);
    expect(state.kickedAt).toHaveLength(2);
  });

  test('a user added while a rule holds is refused at once and keeps trying', async () => {
    await create({ uid: 42, time: 10 });
    const added = await sandbox.control.addAgoraRtcUser({ appId: APP_ID, channel: 'ch', uid: 42, rejoin: fast });
    expect(added).toMatchObject({ phase: 'rejoining', inChannel: false, attempts: [{ reason: 'created', outcome: 'refused' }] });
    await eventually(async () => expect((await user('ch', 42)).attempts.length).toBeGreaterThanOrEqual(3));
  });

  test('gives up when its time runs out', async () => {
    await sandbox.control.addAgoraRtcUser({ appId: APP_ID, channel: 'ch', uid: 42, rejoin: { delayMs: 10, intervalMs: 30, giveUpAfterMs: 200 } });
    await create({ uid: 42, time: 10 });
    const state = await eventually(async () => {
      const found = await user('ch', 42);
      expect(found.phase).toBe('gave-up');
      return found;
    });
    for (const attempt of state.attempts.slice(1)) expect(attempt.at - state.kickedAt[0]!).toBeLessThanOrEqual(200 + CLOCK_SLACK_MS);
  });

  test('a reset removes the users', async () => {
    await sandbox.control.addAgoraRtcUser({ appId: APP_ID, channel: 'ch', uid: 42 });
    await sandbox.control.reset();
    expect((await sandbox.control.clients()).agora).toEqual([]);
    expect((await sandbox.control.state()).clients).toEqual({ zego: [], agora: [] });
  });

  test.each([
    [{ appId: APP_ID, channel: 'ch', uid: 0 }, 'uid: uid must be 1 to 4294967295'],
    [{ appId: APP_ID, channel: 'ch', uid: 2 ** 32 }, 'uid: uid must be 1 to 4294967295'],
    [{ appId: APP_ID, channel: 'ch', uid: 1.5 }, 'uid: uid must be a whole number'],
    [{ appId: APP_ID, channel: 'ch', uid: '42' }, 'uid'],
    [{ appId: 'not an id!', channel: 'ch', uid: 1 }, 'appId: appId must be 1–64 word characters'],
    [{ appId: APP_ID, channel: '', uid: 1 }, 'channel'],
    [{ appId: APP_ID, channel: 'ch', uid: 1, rejoin: { intervalMs: 0 } }, 'rejoin.intervalMs: intervalMs must be at least 10'],
  ])('addAgoraRtcUser(%j) is refused with 400 naming %s', async (input, message) => {
    const error = (await sandbox.control.addAgoraRtcUser(input as never).catch((e: unknown) => e)) as SandboxControlError;
    expect(error).toBeInstanceOf(SandboxControlError);
    expect(error.status).toBe(400);
    expect(error.message).toContain(message);
  });
});

describe('the Media Gateway encoder under a uid ban', () => {
  test('a uid-only rule disconnects the host in its channel and refuses the reconnect, naming the rule', async () => {
    const { sessions } = await sandbox.control.seedAgora({ appId: APP_ID, region: 'na', streamKeys: [{ streamKey: 'key-1', channel: 'live', uid: '4242' }] });
    const id = await create({ uid: 4242, time: 10 });
    const refused = await eventually(async () => {
      const event = (await sandbox.control.state()).encoderEvents.find((e) => e.event === 'reconnect-refused');
      expect(event).toBeDefined();
      return event;
    });
    expect(refused).toMatchObject({ streamKey: 'key-1', sid: sessions[0]?.sid, reason: 'banned', ruleId: id });
    expect((await sandbox.control.state()).agora.sessions).toEqual([]);
  });
});

describe('rule-length caps', () => {
  test('the documented bounds are the defaults and show in the configuration', async () => {
    expect(DEFAULT_RULE_CAPS).toEqual({ zegoMaxEffectiveTimeSeconds: 86_400, agoraMinRuleSeconds: 10, agoraMaxRuleSeconds: 86_430 });
    expect((await sandbox.control.config()).ruleCaps).toEqual(DEFAULT_RULE_CAPS);
    await create({ uid: 1, time_in_seconds: 100_000 });
    await create({ uid: 2, time_in_seconds: 2 });
    expect((await listed()).map(lengthSeconds)).toEqual([86_430, 10]);
  });

  test('a max cap clamps time_in_seconds, time in minutes and the default alike', async () => {
    const config = await sandbox.control.configure({ ruleCaps: { agoraMinRuleSeconds: 1, agoraMaxRuleSeconds: 3 } });
    expect(config.ruleCaps).toEqual({ zegoMaxEffectiveTimeSeconds: 86_400, agoraMinRuleSeconds: 1, agoraMaxRuleSeconds: 3 });
    await create({ uid: 1, time_in_seconds: 100 });
    await create({ uid: 2, time: 5 });
    await create({ uid: 3 });
    await create({ uid: 4, time_in_seconds: 2 });
    await create({ uid: 5, time: 0 });
    expect((await listed()).map(lengthSeconds)).toEqual([3, 3, 3, 2, 0]);
    const id = (await listed())[0]!.id;
    const renewed = await send('PUT', { appid: APP_ID, id, time_in_seconds: 60 });
    expect(Date.parse((renewed.body.result as { ts: string }).ts) - Date.now()).toBeLessThanOrEqual(3000);
  });

  test('caps outlive a reset, like the rest of the configuration', async () => {
    await sandbox.control.configure({ ruleCaps: { zegoMaxEffectiveTimeSeconds: 5 } });
    await sandbox.control.reset();
    expect((await sandbox.control.config()).ruleCaps.zegoMaxEffectiveTimeSeconds).toBe(5);
  });

  test('a sandbox can start with caps', async () => {
    const capped = await startSandbox({ ruleCaps: { agoraMinRuleSeconds: 1, agoraMaxRuleSeconds: 4 } });
    try {
      expect((await capped.control.config()).ruleCaps).toEqual({ ...DEFAULT_RULE_CAPS, agoraMinRuleSeconds: 1, agoraMaxRuleSeconds: 4 });
    } finally {
      await capped.close();
    }
    await expect(startSandbox({ ruleCaps: { agoraMaxRuleSeconds: 4, agoraMinRuleSeconds: 5 } })).rejects.toThrow(
      'ruleCaps.agoraMinRuleSeconds (5) is above ruleCaps.agoraMaxRuleSeconds (4)',
    );
  });

  test.each([
    [{ agoraMaxRuleSeconds: 3 }, 'ruleCaps.agoraMinRuleSeconds (10) is above ruleCaps.agoraMaxRuleSeconds (3)'],
    [{ agoraMinRuleSeconds: 0 }, 'ruleCaps.agoraMinRuleSeconds: agoraMinRuleSeconds must be at least 1'],
    [{ zegoMaxEffectiveTimeSeconds: 2.5 }, 'ruleCaps.zegoMaxEffectiveTimeSeconds: zegoMaxEffectiveTimeSeconds must be a whole number of seconds'],
    [{ agoraMaximum: 3 }, 'agoraMaximum'],
  ])('configure({ruleCaps: %j}) is refused with 400 and changes nothing', async (ruleCaps, message) => {
    const error = (await sandbox.control.configure({ ruleCaps: ruleCaps as never }).catch((e: unknown) => e)) as SandboxControlError;
    expect(error).toBeInstanceOf(SandboxControlError);
    expect(error.status).toBe(400);
    expect(error.message).toContain(message);
    expect((await sandbox.control.config()).ruleCaps).toEqual(DEFAULT_RULE_CAPS);
  });
});
