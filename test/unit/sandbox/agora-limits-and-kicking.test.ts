/** Agora rate limits (agora.md §6) and the kicking-rule API (agora.md §7), over HTTP. */
import { DEFAULT_RATE_LIMITS, startSandbox, type Sandbox } from '../../../src/sandbox';
import { agora, basicAuth, burstUntilThrottled, eventually, expectWindowsRespected } from './helpers';

const APP_ID = 'kick0test0app';
const BASE = `/eu/v1/projects/${APP_ID}/rtls/ingress`;
let sandbox: Sandbox;

beforeAll(async () => {
  sandbox = await startSandbox({
    agoraAccounts: [
      { customerId: 'cust-1', customerSecret: 'one' },
      { customerId: 'cust-2', customerSecret: 'two' },
    ],
    encoderReconnectDelayMs: 10,
  });
});
afterAll(() => sandbox.close());
beforeEach(() => sandbox.control.reset());

const auth1 = basicAuth('cust-1', 'one');
const auth2 = basicAuth('cust-2', 'two');
const json = { 'content-type': 'application/json' };

describe('rate limits', () => {
  // Configuration outlives resets: put the documented limits back for the next test.
  afterEach(() =>
    sandbox.control.configure({
      rateLimits: Object.fromEntries(Object.entries(DEFAULT_RATE_LIMITS).map(([name, rule]) => [name, rule.limit])),
    }),
  );

  test.each([
    ['agora.delete', 'DeleteStreamKey', 'DELETE', `${BASE}/streamkeys/absent`],
    ['agora.delete', 'ForceDisconnect', 'DELETE', `${BASE}/online-streams/absent`],
    ['agora.query', 'ListOnlineStreams', 'GET', `${BASE}/online-streams`],
    ['agora.query', 'GetOnlineStream', 'GET', `${BASE}/online-streams/absent`],
  ] as const)('bucket %s limits %s per App ID: 429 with Retry-After', async (bucket, operation, method, path) => {
    await sandbox.control.configure({ rateLimits: { 'agora.delete': Infinity, 'agora.query': Infinity, [bucket]: 2 } });
    const answers: { status: number; retryAfter: unknown; body: unknown }[] = [];
    await burstUntilThrottled(5, async () => {
      const answer = await agora(sandbox.url, method, path, { authorization: auth1 });
      answers.push({ status: answer.status, retryAfter: answer.headers['retry-after'], body: answer.body });
      return answer.status === 429;
    });
    const throttled = answers.filter((a) => a.status === 429);
    for (const answer of throttled) {
      expect(answer.body).toEqual({ status: 'error', message: 'Request rate limit exceeded.' });
      expect(String(answer.retryAfter)).toMatch(/^[1-9]\d*$/);
    }
    const log = await sandbox.control.requests({ operation });
    expectWindowsRespected(
      log.map((entry) => ({ at: entry.at, throttled: entry.status === 429 })),
      2,
    );
  });

  test('deletes and disconnects share one bucket', async () => {
    await sandbox.control.configure({ rateLimits: { 'agora.delete': 1 } });
    await burstUntilThrottled(2, async () => {
      const [key, session] = await Promise.all([
        agora(sandbox.url, 'DELETE', `${BASE}/streamkeys/absent`, { authorization: auth1 }),
        agora(sandbox.url, 'DELETE', `${BASE}/online-streams/absent`, { authorization: auth1 }),
      ]);
      return key.status === 429 || session.status === 429;
    });
    const log = await sandbox.control.requests({ provider: 'agora' });
    expectWindowsRespected(
      log.map((entry) => ({ at: entry.at, throttled: entry.status === 429 })),
      1,
    );
  });

  test('the kicking-rule API is limited per account, not per App ID', async () => {
    await sandbox.control.configure({ rateLimits: { 'agora.kicking-rule': 1 } });
    await burstUntilThrottled(3, async () => (await agora(sandbox.url, 'GET', `/dev/v1/kicking-rule?appid=${APP_ID}`, { authorization: auth1 })).status === 429);
    const log = await sandbox.control.requests({ operation: 'ListKickingRules' });
    expectWindowsRespected(
      log.map((entry) => ({ at: entry.at, throttled: entry.status === 429 })),
      1,
    );
  });
});

describe('kicking rules', () => {
  const create = (body: unknown, authorization = auth1, headers: Record<string, string> = json) =>
    agora(sandbox.url, 'POST', '/dev/v1/kicking-rule', { authorization, headers, body: typeof body === 'string' ? body : JSON.stringify(body) });
  const list = (appid: string, authorization = auth1) => agora(sandbox.url, 'GET', `/dev/v1/kicking-rule?appid=${appid}`, { authorization });
  const remove = (body: unknown, authorization = auth1) =>
    agora(sandbox.url, 'DELETE', '/dev/v1/kicking-rule', { authorization, headers: json, body: JSON.stringify(body) });

  test('create, list and delete a rule', async () => {
    const created = await create({ appid: APP_ID, cname: 'channel1', uid: 589517928, ip: '', time: 60, privileges: ['join_channel'] });
    expect(created.status).toBe(200);
    expect(created.body).toEqual({ status: 'success', id: expect.any(Number) });
    const id = created.body.id as number;

    const listed = await list(APP_ID);
    expect(listed.body).toEqual({
      status: 'success',
      rules: [
        {
          id,
          appid: APP_ID,
          cname: 'channel1',
          uid: 589517928,
          privileges: ['join_channel'],
          ts: expect.any(String),
          createAt: expect.any(String),
          updateAt: expect.any(String),
          opid: expect.any(Number),
        },
      ],
    });
    const rule = (listed.body.rules as { ts: string; createAt: string }[])[0];
    expect(Date.parse(rule!.ts) - Date.parse(rule!.createAt)).toBe(60 * 60_000);

    expect(await remove({ appid: APP_ID, id })).toMatchObject({ status: 200, body: { status: 'success', id } });
    expect((await list(APP_ID)).body.rules).toEqual([]);
    expect((await remove({ appid: APP_ID, id })).status).toBe(404);
  });

  test('time_in_seconds wins over time and is clamped; no time means an hour', async () => {
    await create({ appid: APP_ID, uid: 1, time: 5, time_in_seconds: 1, privileges: ['publish_audio'] });
    await create({ appid: APP_ID, uid: 2, privileges: ['publish_video'] });
    const rules = (await list(APP_ID)).body.rules as { ts: string; createAt: string }[];
    expect(rules.map((r) => (Date.parse(r.ts) - Date.parse(r.createAt)) / 1000)).toEqual([10, 3600]);
  });

  test.each([
    ['without privileges', { appid: APP_ID, uid: 1 }, 'invalid privileges'],
    ['with an unknown privilege', { appid: APP_ID, uid: 1, privileges: ['fly'] }, 'invalid privileges'],
    ['without appid', { uid: 1, privileges: ['join_channel'] }, 'invalid appid'],
    ['with uid 0', { appid: APP_ID, uid: 0, privileges: ['join_channel'] }, 'invalid uid'],
  ])('create %s is refused with 400', async (_label, body, message) => {
    expect(await create(body)).toMatchObject({ status: 400, body: { status: 'error', message } });
  });

  test('a body that is not JSON is 400; a non-JSON content type is 415', async () => {
    expect((await create('{"appid": ')).status).toBe(400);
    expect((await create({ appid: APP_ID, uid: 1, privileges: ['join_channel'] }, auth1, { 'content-type': 'text/plain' })).status).toBe(415);
  });

  test('listing needs an appid, and shows only the account own rules', async () => {
    expect((await list('')).status).toBe(400);
    await create({ appid: APP_ID, uid: 1, privileges: ['join_channel'] }, auth2);
    expect((await list(APP_ID, auth1)).body.rules).toEqual([]);
    expect((await list(APP_ID, auth2)).body.rules).toHaveLength(1);
  });

  test('needs Basic auth: 401 without X-Request-ID', async () => {
    const answer = await agora(sandbox.url, 'GET', `/dev/v1/kicking-rule?appid=${APP_ID}`, { authorization: null });
    expect(answer).toMatchObject({ status: 401, body: { message: 'Invalid authentication credentials.' } });
    expect(answer.headers['x-request-id']).toBeUndefined();
  });

  test('a timed join_channel rule kicks the matching host, whose encoder is then refused', async () => {
    const { sessions } = await sandbox.control.seedAgora({
      appId: APP_ID,
      region: 'eu',
      streamKeys: [
        { streamKey: 'key-banned', channel: 'ch', uid: '42' },
        { streamKey: 'key-other', channel: 'ch', uid: '43' },
      ],
    });
    await create({ appid: APP_ID, cname: 'ch', uid: 42, time: 10, privileges: ['join_channel'] });
    const refused = await eventually(async () => {
      const event = (await sandbox.control.state()).encoderEvents.find((e) => e.event === 'reconnect-refused');
      expect(event).toBeDefined();
      return event;
    });
    expect(refused).toMatchObject({ streamKey: 'key-banned', sid: sessions[0]?.sid, reason: 'banned' });
    const live = (await agora(sandbox.url, 'GET', `${BASE}/online-streams`, { authorization: auth1 })).body.data as { uid: string }[];
    expect(live.map((s) => s.uid)).toEqual(['43']);
  });

  test('a one-time kick (time 0) lets the encoder come back under a new sid', async () => {
    const { sessions } = await sandbox.control.seedAgora({ appId: APP_ID, region: 'eu', streamKeys: [{ streamKey: 'key-1', channel: 'ch', uid: '42' }] });
    await create({ appid: APP_ID, cname: 'ch', uid: 42, time: 0, privileges: ['join_channel'] });
    const [back] = await eventually(async () => {
      const now = (await sandbox.control.state()).agora.sessions;
      expect(now).toHaveLength(1);
      return now;
    });
    expect(back?.sid).not.toBe(sessions[0]?.sid);
  });
});
