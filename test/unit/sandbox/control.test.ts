/** The control API and its typed client: seeding, the request log, reset, faults, latency, the encoder. */
import { request } from 'undici';
import { DEMO_AGORA_ACCOUNT, DEMO_ZEGO_APP, SandboxControlError, startSandbox, type Sandbox } from '../../../src/sandbox';
import { agora, form, preciseNow, zego, zegoPath } from './helpers';

const APP_ID = 'controlapp';
const BASE = `/ap/v1/projects/${APP_ID}/rtls/ingress`;
let sandbox: Sandbox;

beforeAll(async () => {
  sandbox = await startSandbox({ encoderReconnectDelayMs: 10, rateLimits: { 'zego.DeleteStream': Infinity, 'zego.DescribeSimpleStreamList.room': Infinity } });
});
afterAll(() => sandbox.close());
beforeEach(async () => {
  await sandbox.control.reset();
  await sandbox.control.configure({ latencyMs: 0 });
});

const zegoCall = (action: string, query: string, body?: string) =>
  zego(sandbox.url, { appId: DEMO_ZEGO_APP.appId, secret: DEMO_ZEGO_APP.serverSecret, action, query, body });
const deleteStream = (streamId = 's1') => zegoCall('DeleteStream', form({ RoomId: 'room-1', UserId: 'op', StreamId: streamId }));
const streamsOfRoom = async () => Object.keys((await sandbox.control.state()).zego[String(DEMO_ZEGO_APP.appId)]?.rooms['room-1']?.streams ?? {});

async function seedRoom(): Promise<void> {
  await sandbox.control.seedZego({
    appId: DEMO_ZEGO_APP.appId,
    rooms: [{ roomId: 'room-1', users: ['host'], streams: [{ streamId: 's1', userId: 'host' }, { streamId: 's2', userId: 'host' }] }],
  });
}

describe('seeding', () => {
  test('seedZego fills the state dump', async () => {
    await seedRoom();
    await sandbox.control.seedZego({ appId: DEMO_ZEGO_APP.appId, mixTasks: [{ taskId: 'mix-1', ownerUserId: 'owner', inputStreamIds: ['s1'] }] });
    const app = (await sandbox.control.state()).zego[String(DEMO_ZEGO_APP.appId)];
    expect(app?.rooms['room-1']).toMatchObject({ roomId: 'room-1', users: ['host'], streams: { s1: { userId: 'host' }, s2: { userId: 'host' } } });
    expect(app?.mixTasks).toEqual({ 'mix-1': { taskId: 'mix-1', ownerUserId: 'owner', inputStreamIds: ['s1'] } });
  });

  test('seedZego refuses an app the sandbox does not know, and a stream whose publisher is not in the room', async () => {
    await expect(sandbox.control.seedZego({ appId: 1, rooms: [] })).rejects.toBeInstanceOf(SandboxControlError);
    await expect(
      sandbox.control.seedZego({ appId: DEMO_ZEGO_APP.appId, rooms: [{ roomId: 'r', users: ['a'], streams: [{ streamId: 's', userId: 'b' }] }] }),
    ).rejects.toMatchObject({ status: 400 });
    expect((await sandbox.control.state()).zego[String(DEMO_ZEGO_APP.appId)]?.rooms).toEqual({});
  });

  test('seedAgora returns the session of each live key, and none for an idle one', async () => {
    const { sessions } = await sandbox.control.seedAgora({
      appId: APP_ID,
      region: 'ap',
      streamKeys: [
        { streamKey: 'live-key', channel: 'ch', uid: '1' },
        { streamKey: 'idle-key', channel: 'ch', uid: '2', live: false },
      ],
    });
    expect(sessions).toEqual([{ streamKey: 'live-key', sid: expect.stringMatching(/^[0-9a-f-]{36}$/) }]);
    const { agora: state } = await sandbox.control.state();
    expect(state.streamKeys.map((k) => k.streamKey)).toEqual(['live-key', 'idle-key']);
    expect(state.sessions).toEqual([expect.objectContaining({ sid: sessions[0]?.sid, streamKey: 'live-key', appId: APP_ID, region: 'ap' })]);
    expect(state.encoders).toEqual([
      { appId: APP_ID, region: 'ap', streamKey: 'live-key', sid: sessions[0]?.sid },
      { appId: APP_ID, region: 'ap', streamKey: 'idle-key' },
    ]);
  });

  test('a malformed seed is refused with the reason', async () => {
    await expect(sandbox.control.seedAgora({ appId: APP_ID, region: 'mars' as 'na', streamKeys: [] })).rejects.toThrow(/region/);
  });
});

describe('the request log', () => {
  test('records every provider request in arrival order, with times the test can bracket', async () => {
    await seedRoom();
    const before = preciseNow();
    await deleteStream();
    const between = preciseNow();
    await agora(sandbox.url, 'GET', `${BASE}/online-streams`, { authorization: null });
    await agora(sandbox.url, 'GET', `${BASE}/online-streams`);
    const after = preciseNow();

    const log = await sandbox.control.requests();
    expect(log.map((r) => [r.seq, r.provider, r.operation, r.status])).toEqual([
      [1, 'zego', 'DeleteStream', 200],
      [2, 'agora', 'ListOnlineStreams', 401],
      [3, 'agora', 'ListOnlineStreams', 200],
    ]);
    expect(log[0]!.at).toBeGreaterThanOrEqual(before);
    expect(log[0]!.answeredAt).toBeLessThanOrEqual(between);
    for (const [i, entry] of log.entries()) {
      expect(entry.answeredAt).toBeGreaterThanOrEqual(entry.at);
      if (i > 0) expect(entry.at).toBeGreaterThanOrEqual(log[i - 1]!.answeredAt);
    }
    expect(log[2]!.answeredAt).toBeLessThanOrEqual(after);
    expect(log[0]).toMatchObject({ method: 'GET', path: '/', appId: String(DEMO_ZEGO_APP.appId), code: 0, requestId: expect.stringMatching(/^\d+$/) });
    expect(log[2]).toMatchObject({ method: 'GET', path: `${BASE}/online-streams`, appId: APP_ID, region: 'ap' });
    // A sub-millisecond clock, not whole milliseconds.
    expect(log.some((r) => !Number.isInteger(r.at))).toBe(true);
  });

  test('filters by provider and operation; control calls are not logged', async () => {
    await deleteStream();
    await agora(sandbox.url, 'DELETE', `${BASE}/streamkeys/k`);
    await sandbox.control.state();
    expect((await sandbox.control.requests({ provider: 'agora' })).map((r) => r.operation)).toEqual(['DeleteStreamKey']);
    expect((await sandbox.control.requests({ operation: 'DeleteStream' })).map((r) => r.provider)).toEqual(['zego']);
    expect(await sandbox.control.requests()).toHaveLength(2);
  });
});

describe('reset', () => {
  test('clears state, log and faults, and keeps the configuration', async () => {
    await seedRoom();
    await sandbox.control.seedAgora({ appId: APP_ID, region: 'ap', streamKeys: [{ streamKey: 'k', channel: 'c', uid: '1' }] });
    await sandbox.control.configure({ latencyMs: 5, rateLimits: { 'agora.query': 7 } });
    await sandbox.control.injectFault({ provider: 'zego', operation: 'DeleteStream', count: 1, answer: { zegoCode: 1 } });
    await deleteStream('s2');

    await sandbox.control.reset();
    const state = await sandbox.control.state();
    expect(state.zego[String(DEMO_ZEGO_APP.appId)]?.rooms).toEqual({});
    expect(state.agora).toEqual({ streamKeys: [], sessions: [], encoders: [], kickingRules: [] });
    expect(state.encoderEvents).toEqual([]);
    expect(await sandbox.control.requests()).toEqual([]);

    const config = await sandbox.control.config();
    expect(config.latencyMs).toBe(5);
    expect(config.rateLimits['agora.query']?.limit).toBe(7);

    // The fault was consumed before the reset; inject one, reset, and it is gone.
    await sandbox.control.injectFault({ provider: 'zego', operation: 'DeleteStream', count: 1, answer: { zegoCode: 1 } });
    await sandbox.control.reset();
    await seedRoom();
    expect((await deleteStream()).body.Code).toBe(0);
    expect((await sandbox.control.requests())[0]?.seq).toBe(1);
    await sandbox.control.configure({ rateLimits: { 'agora.query': 100 } });
  });
});

describe('faults', () => {
  test('zegoCode answers the next `count` requests, with the code message or the one given, and leaves state alone', async () => {
    await seedRoom();
    await sandbox.control.injectFault({ provider: 'zego', operation: 'DeleteStream', count: 2, answer: { zegoCode: 206 } });
    await sandbox.control.injectFault({ provider: 'zego', operation: 'DeleteStream', count: 1, answer: { zegoCode: 999, message: 'custom' } });
    const answers = [await deleteStream(), await deleteStream(), await deleteStream(), await deleteStream()];
    expect(answers.map((a) => [a.status, a.body.Code, a.body.Message])).toEqual([
      [200, 206, expect.stringContaining('throttled')],
      [200, 206, expect.stringContaining('throttled')],
      [200, 999, 'custom'],
      [200, 0, 'success'],
    ]);
    const log = await sandbox.control.requests();
    expect(log.map((r) => [r.fault, r.code])).toEqual([
      ['zegoCode', 206],
      ['zegoCode', 206],
      ['zegoCode', 999],
      [undefined, 0],
    ]);
  });

  test('faults apply only once authentication passed', async () => {
    await seedRoom();
    await sandbox.control.injectFault({ provider: 'zego', operation: 'DeleteStream', count: 1, answer: { zegoCode: 1 } });
    const unsigned = await zego(sandbox.url, { appId: DEMO_ZEGO_APP.appId, secret: 'wrong', action: 'DeleteStream', query: 'RoomId=room-1&UserId=op&StreamId=s1' });
    expect(unsigned.body.Code).toBe(100000005);
    expect((await deleteStream()).body.Code).toBe(1);
  });

  test('status on ZEGO answers that HTTP status without a ZEGO body', async () => {
    await seedRoom();
    await sandbox.control.injectFault({ provider: 'zego', operation: 'DeleteStream', count: 1, answer: { status: 502 } });
    const response = await request(
      `${sandbox.url}/?${form({ Action: 'DeleteStream', AppId: '1', SignatureNonce: 'n', Timestamp: '1', Signature: 'x', SignatureVersion: '2.0' })}`,
    );
    await response.body.dump();
    expect(response.statusCode).toBe(200); // refused at the gateway: the fault is still pending
    const path = zegoPath({ appId: DEMO_ZEGO_APP.appId, secret: DEMO_ZEGO_APP.serverSecret, action: 'DeleteStream', query: 'RoomId=room-1&UserId=op&StreamId=s1' });
    const answer = await request(`${sandbox.url}${path}`);
    expect(answer.statusCode).toBe(502);
    expect(await answer.body.text()).toBe('502 Bad Gateway');
    expect(await streamsOfRoom()).toEqual(['s1', 's2']);
  });

  test('status on Agora answers the status with an Agora body, X-Request-ID and Retry-After when given', async () => {
    await sandbox.control.seedAgora({ appId: APP_ID, region: 'ap', streamKeys: [{ streamKey: 'k', channel: 'c', uid: '1' }] });
    await sandbox.control.injectFault({ provider: 'agora', operation: 'DeleteStreamKey', count: 1, answer: { status: 429, retryAfterSeconds: 3 } });
    await sandbox.control.injectFault({ provider: 'agora', operation: 'DeleteStreamKey', count: 1, answer: { status: 503 } });
    const first = await agora(sandbox.url, 'DELETE', `${BASE}/streamkeys/k`, { headers: { 'x-request-id': 'r-1' } });
    expect(first).toMatchObject({ status: 429, body: { status: 'error', message: 'Request rate limit exceeded.' } });
    expect(first.headers['retry-after']).toBe('3');
    expect(first.headers['x-request-id']).toBe('r-1');
    const second = await agora(sandbox.url, 'DELETE', `${BASE}/streamkeys/k`);
    expect(second.status).toBe(503);
    expect(second.headers['retry-after']).toBeUndefined();
    expect((await sandbox.control.state()).agora.streamKeys).toHaveLength(1);
    expect((await agora(sandbox.url, 'DELETE', `${BASE}/streamkeys/k`)).status).toBe(200);
    expect((await sandbox.control.requests()).map((r) => [r.status, r.fault])).toEqual([
      [429, 'status'],
      [503, 'status'],
      [200, undefined],
    ]);
  });

  test('drop destroys the socket without answering and without doing the work', async () => {
    await seedRoom();
    await sandbox.control.injectFault({ provider: 'zego', operation: 'DeleteStream', count: 1, answer: { drop: true } });
    await expect(deleteStream()).rejects.toThrow();
    expect(await streamsOfRoom()).toEqual(['s1', 's2']);
    const [entry] = await sandbox.control.requests();
    expect(entry).toMatchObject({ fault: 'drop', status: 0 });
    expect(entry?.answeredAt).toBeGreaterThanOrEqual(entry!.at);
    expect((await deleteStream()).body.Code).toBe(0);
  });

  test('drop with afterEffect does the work and loses the answer: the retry finds it done', async () => {
    await seedRoom();
    await sandbox.control.injectFault({ provider: 'zego', operation: 'DeleteStream', count: 1, answer: { drop: true, afterEffect: true } });
    await expect(deleteStream()).rejects.toThrow();
    expect(await streamsOfRoom()).toEqual(['s2']);
    expect((await deleteStream()).body.Code).toBe(138);
  });

  test('latencyMs delays the answer, which is otherwise normal', async () => {
    await seedRoom();
    await sandbox.control.injectFault({ provider: 'zego', operation: 'DeleteStream', count: 1, answer: { latencyMs: 150 } });
    const sent = preciseNow();
    const { body } = await deleteStream();
    const received = preciseNow();
    expect(body.Code).toBe(0);
    const [entry] = await sandbox.control.requests();
    expect(entry?.fault).toBe('latency');
    expect(entry!.answeredAt - entry!.at).toBeGreaterThanOrEqual(150);
    expect(received - sent).toBeGreaterThanOrEqual(150);
  });

  test('refuses a zegoCode fault for Agora and an operation the provider does not serve', async () => {
    await expect(sandbox.control.injectFault({ provider: 'agora', operation: 'DeleteStreamKey', count: 1, answer: { zegoCode: 1 } })).rejects.toMatchObject({
      status: 400,
    });
    await expect(sandbox.control.injectFault({ provider: 'zego', operation: 'CloseRoom', count: 1, answer: { zegoCode: 1 } })).rejects.toThrow(/operation/);
  });
});

test('configured latency is added to every provider answer, refusals included', async () => {
  await sandbox.control.configure({ latencyMs: 80 });
  await agora(sandbox.url, 'GET', `${BASE}/online-streams`, { authorization: null });
  await deleteStream();
  const log = await sandbox.control.requests();
  expect(log).toHaveLength(2);
  for (const entry of log) expect(entry.answeredAt - entry.at).toBeGreaterThanOrEqual(80);
});

test('a sandbox can start with latency, and its configuration is readable', async () => {
  const slow = await startSandbox({ latencyMs: 30, agoraAccounts: [DEMO_AGORA_ACCOUNT] });
  try {
    expect((await slow.control.config()).latencyMs).toBe(30);
    await agora(slow.url, 'GET', '/na/v1/projects/x/rtls/ingress/online-streams');
    const [entry] = await slow.control.requests();
    expect(entry!.answeredAt - entry!.at).toBeGreaterThanOrEqual(30);
  } finally {
    await slow.close();
  }
});

describe('reconnectEncoder', () => {
  test('the encoder comes back at once under a new sid while its key exists', async () => {
    const { sessions } = await sandbox.control.seedAgora({ appId: APP_ID, region: 'ap', streamKeys: [{ streamKey: 'k', channel: 'c', uid: '1' }] });
    await sandbox.control.reconnectEncoder({ appId: APP_ID, region: 'ap', streamKey: 'k' });
    const { agora: state, encoderEvents } = await sandbox.control.state();
    expect(state.sessions).toHaveLength(1);
    expect(state.sessions[0]?.sid).not.toBe(sessions[0]?.sid);
    expect(encoderEvents.map((e) => [e.event, e.reason])).toEqual([
      ['connected', 'seeded'],
      ['disconnected', 'control'],
      ['connected', 'control'],
    ]);
    expect((await agora(sandbox.url, 'GET', `${BASE}/online-streams/${sessions[0]?.sid}`)).status).toBe(404);
  });

  test('an idle encoder connects; one whose key was deleted is refused', async () => {
    await sandbox.control.seedAgora({ appId: APP_ID, region: 'ap', streamKeys: [{ streamKey: 'idle', channel: 'c', uid: '1', live: false }] });
    await sandbox.control.reconnectEncoder({ appId: APP_ID, region: 'ap', streamKey: 'idle' });
    expect((await sandbox.control.state()).agora.sessions).toHaveLength(1);

    await agora(sandbox.url, 'DELETE', `${BASE}/streamkeys/idle`);
    await sandbox.control.reconnectEncoder({ appId: APP_ID, region: 'ap', streamKey: 'idle' });
    const { agora: state, encoderEvents } = await sandbox.control.state();
    expect(state.sessions).toEqual([]);
    expect(encoderEvents.at(-1)).toMatchObject({ event: 'reconnect-refused', reason: 'key-deleted' });
  });

  test('an encoder that was never seeded is a 404', async () => {
    await expect(sandbox.control.reconnectEncoder({ appId: APP_ID, region: 'ap', streamKey: 'nope' })).rejects.toMatchObject({ status: 404 });
  });
});

test('configure changes the encoder reconnect delay and refuses negative values', async () => {
  expect((await sandbox.control.configure({ encoderReconnectDelayMs: 15 })).encoderReconnectDelayMs).toBe(15);
  await expect(sandbox.control.configure({ latencyMs: -1 })).rejects.toBeInstanceOf(SandboxControlError);
  await sandbox.control.configure({ encoderReconnectDelayMs: 10 });
});
