/** Agora Media Gateway: auth, request ids, keys, sessions and the reconnecting encoder (agora.md §2–§4, §10), over HTTP. */
import { startSandbox, type Sandbox } from '../../../src/sandbox';
import { agora, basicAuth, eventually } from './helpers';

const APP_ID = 'a1b2c3d4e5f60718293a4b5c6d7e8f90';
const BASE = `/na/v1/projects/${APP_ID}/rtls/ingress`;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
let sandbox: Sandbox;

beforeAll(async () => {
  sandbox = await startSandbox({
    agoraAccounts: [{ customerId: 'cust-1', customerSecret: 's3cret' }],
    encoderReconnectDelayMs: 20,
  });
});
afterAll(() => sandbox.close());
beforeEach(() => sandbox.control.reset());

const auth = basicAuth('cust-1', 's3cret');
const call = (method: 'GET' | 'DELETE', path: string, headers: Record<string, string> = {}) =>
  agora(sandbox.url, method, path, { authorization: auth, headers });

async function seed(streamKeys: { streamKey: string; channel: string; uid: string; live?: boolean; port?: boolean }[], region: 'na' | 'eu' = 'na') {
  return sandbox.control.seedAgora({ appId: APP_ID, region, streamKeys });
}

async function sessionsOf(streamKey: string) {
  return (await sandbox.control.state()).agora.sessions.filter((session) => session.streamKey === streamKey);
}

describe('authentication', () => {
  test.each([
    ['no Authorization header', null],
    ['a wrong secret', basicAuth('cust-1', 'nope')],
    ['an unknown customer', basicAuth('someone', 's3cret')],
    ['another scheme', 'Bearer abc'],
  ])('%s gets 401 with the documented body and no X-Request-ID', async (_label, authorization) => {
    const answer = await agora(sandbox.url, 'GET', `${BASE}/online-streams`, { authorization, headers: { 'x-request-id': 'mine' } });
    expect(answer.status).toBe(401);
    expect(answer.body).toEqual({ message: 'Invalid authentication credentials.' });
    expect(answer.headers['x-request-id']).toBeUndefined();
  });

  test('the Basic scheme name is case-insensitive', async () => {
    const answer = await agora(sandbox.url, 'GET', `${BASE}/online-streams`, { authorization: basicAuth('cust-1', 's3cret', 'basic') });
    expect(answer.status).toBe(200);
  });

  test('refused requests are in the log', async () => {
    await agora(sandbox.url, 'DELETE', `${BASE}/streamkeys/k`, { authorization: null });
    const [entry] = await sandbox.control.requests({ provider: 'agora' });
    expect(entry).toMatchObject({ operation: 'DeleteStreamKey', status: 401, appId: APP_ID, region: 'na', params: { streamKey: 'k' } });
    expect(entry?.requestId).toBeUndefined();
  });
});

describe('X-Request-ID', () => {
  test('is echoed when sent', async () => {
    const answer = await call('GET', `${BASE}/online-streams`, { 'x-request-id': 'trace-123' });
    expect(answer.headers['x-request-id']).toBe('trace-123');
    const [entry] = await sandbox.control.requests();
    expect(entry?.requestId).toBe('trace-123');
  });

  test('is a fresh UUID when not sent, on errors too', async () => {
    const first = await call('DELETE', `${BASE}/streamkeys/absent`);
    const second = await call('DELETE', `${BASE}/streamkeys/absent`);
    expect(first.headers['x-request-id']).toMatch(UUID);
    expect(second.headers['x-request-id']).toMatch(UUID);
    expect(first.headers['x-request-id']).not.toBe(second.headers['x-request-id']);
  });
});

describe('path checks', () => {
  test.each(['xx', 'NA', 'us'])('region %s is refused with 400', async (region) => {
    const answer = await call('GET', `/${region}/v1/projects/${APP_ID}/rtls/ingress/online-streams`);
    expect(answer.status).toBe(400);
    expect(answer.body).toEqual({ status: 'error', message: expect.any(String) });
    expect(answer.headers['x-request-id']).toMatch(UUID);
  });

  test('an app id that is not 1–64 word characters is refused with 400', async () => {
    const answer = await call('GET', `/na/v1/projects/${'a'.repeat(65)}/rtls/ingress/online-streams`);
    expect(answer).toMatchObject({ status: 400, body: { status: 'error', message: 'Invalid app ID.' } });
  });

  test('a disconnect without a sid is refused with 400 SID is missing.', async () => {
    expect(await call('DELETE', `${BASE}/online-streams/`)).toMatchObject({ status: 400, body: { message: 'SID is missing.' } });
  });

  test('a path no API has is 404', async () => {
    expect((await call('GET', `${BASE}/nothing-here`)).status).toBe(404);
    expect((await call('GET', '/elsewhere')).status).toBe(404);
  });
});

describe('stream keys', () => {
  test('delete answers 200, then 404 Resource not found and destroyed.', async () => {
    await seed([{ streamKey: 'key-1', channel: 'ch', uid: '1', live: false }]);
    expect(await call('DELETE', `${BASE}/streamkeys/key-1`)).toMatchObject({ status: 200, body: { status: 'success' } });
    expect((await sandbox.control.state()).agora.streamKeys).toEqual([]);
    expect(await call('DELETE', `${BASE}/streamkeys/key-1`)).toMatchObject({
      status: 404,
      body: { status: 'error', message: 'Resource not found and destroyed.' },
    });
  });

  test('keys are per region', async () => {
    await seed([{ streamKey: 'key-na', channel: 'ch', uid: '1', live: false }]);
    expect((await call('DELETE', `/eu/v1/projects/${APP_ID}/rtls/ingress/streamkeys/key-na`)).status).toBe(404);
    expect((await call('DELETE', `${BASE}/streamkeys/key-na`)).status).toBe(200);
  });

  test('deleting a key does not end the push in progress', async () => {
    await seed([{ streamKey: 'key-1', channel: 'ch', uid: '1' }]);
    await call('DELETE', `${BASE}/streamkeys/key-1`);
    expect(await sessionsOf('key-1')).toHaveLength(1);
  });
});

describe('online streams', () => {
  test('list, with and without a channel filter, in the documented shape', async () => {
    const { sessions } = await seed([
      { streamKey: 'key-a', channel: 'ch 1', uid: '1001' },
      { streamKey: 'key-b', channel: 'ch 1', uid: '1002', port: true },
      { streamKey: 'key-c', channel: 'ch-2', uid: '1003' },
      { streamKey: 'key-d', channel: 'ch-2', uid: '1004', live: false },
    ]);
    expect(sessions.map((s) => s.streamKey)).toEqual(['key-a', 'key-b', 'key-c']);

    const all = await call('GET', `${BASE}/online-streams`);
    expect(all.status).toBe(200);
    expect(all.body.status).toBe('success');
    const data = all.body.data as Record<string, unknown>[];
    expect(data.map((s) => s.sid).sort()).toEqual(sessions.map((s) => s.sid).sort());

    const filtered = await call('GET', `${BASE}/online-streams?channel=${encodeURIComponent('ch 1')}`);
    const streams = filtered.body.data as Record<string, unknown>[];
    expect(streams.map((s) => s.uid)).toEqual(['1001', '1002']);
    expect(streams[0]).toEqual({
      sid: sessions[0]?.sid,
      channel: 'ch 1',
      uid: '1001',
      url: 'rtls-ingress-prod-na.agoramdn.com/live/key-a',
      status: 'Running',
      beginAt: expect.stringMatching(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}\.\d{3}$/),
      bitrate: expect.any(Number),
      video: { width: expect.any(Number), height: expect.any(Number), fps: expect.any(Number) },
      audio: { channels: expect.any(Number), sampleRate: expect.any(Number) },
    });
    // Some sessions carry the RTMP port: clients must match on the `/live/<key>` end.
    expect(streams[1]?.url).toBe('rtls-ingress-prod-na.agoramdn.com:1935/live/key-b');
    expect(String(streams[1]?.url).endsWith('/live/key-b')).toBe(true);

    const empty = await call('GET', `${BASE}/online-streams?channel=nobody`);
    expect(empty.body).toEqual({ status: 'success', data: [] });
  });

  test('get and force-disconnect a session: 200, then 404', async () => {
    const { sessions } = await seed([{ streamKey: 'key-1', channel: 'ch', uid: '7' }]);
    const sid = sessions[0]?.sid ?? '';
    const got = await call('GET', `${BASE}/online-streams/${sid}`);
    expect(got.status).toBe(200);
    expect(got.body.data).toMatchObject({ sid, channel: 'ch', uid: '7' });

    expect(await call('DELETE', `${BASE}/online-streams/${sid}`)).toMatchObject({ status: 200, body: { status: 'success' } });
    expect((await call('DELETE', `${BASE}/online-streams/${sid}`)).status).toBe(404);
    expect(await call('GET', `${BASE}/online-streams/${sid}`)).toMatchObject({ status: 404, body: { status: 'error' } });
  });

  test('the log names each operation with its sid, key or channel', async () => {
    await call('GET', `${BASE}/online-streams?channel=c`);
    await call('GET', `${BASE}/online-streams/s-1`);
    await call('DELETE', `${BASE}/online-streams/s-1`);
    await call('DELETE', `${BASE}/streamkeys/k-1`);
    const log = await sandbox.control.requests({ provider: 'agora' });
    expect(log.map((r) => [r.operation, r.params])).toEqual([
      ['ListOnlineStreams', { channel: 'c' }],
      ['GetOnlineStream', { sid: 's-1' }],
      ['ForceDisconnect', { sid: 's-1' }],
      ['DeleteStreamKey', { streamKey: 'k-1' }],
    ]);
  });
});

describe('the encoder', () => {
  test('reconnects under a new sid after a forced disconnect while its key exists', async () => {
    const { sessions } = await seed([{ streamKey: 'key-1', channel: 'ch', uid: '7' }]);
    const oldSid = sessions[0]?.sid;
    await call('DELETE', `${BASE}/online-streams/${oldSid}`);

    const [comeback] = await eventually(async () => {
      const now = await sessionsOf('key-1');
      expect(now).toHaveLength(1);
      return now;
    });
    expect(comeback?.sid).not.toBe(oldSid);
    expect(comeback?.status).toBe('Started');
    const listed = await call('GET', `${BASE}/online-streams?channel=ch`);
    expect((listed.body.data as { sid: string }[]).map((s) => s.sid)).toEqual([comeback?.sid]);

    const events = (await sandbox.control.state()).encoderEvents.filter((e) => e.streamKey === 'key-1');
    expect(events.map((e) => [e.event, e.sid])).toEqual([
      ['connected', oldSid],
      ['disconnected', oldSid],
      ['connected', comeback?.sid],
    ]);
    // The sandbox never lets the encoder back before its delay (20 ms here).
    expect(events[2]!.at - events[1]!.at).toBeGreaterThanOrEqual(20);
  });

  test('does not come back when the key was deleted first, and logs the refusal', async () => {
    const { sessions } = await seed([{ streamKey: 'key-1', channel: 'ch', uid: '7' }]);
    const sid = sessions[0]?.sid;
    await call('DELETE', `${BASE}/streamkeys/key-1`);
    await call('DELETE', `${BASE}/online-streams/${sid}`);

    const refusal = await eventually(async () => {
      const event = (await sandbox.control.state()).encoderEvents.find((e) => e.event === 'reconnect-refused');
      expect(event).toBeDefined();
      return event;
    });
    expect(refusal).toMatchObject({ streamKey: 'key-1', sid, reason: 'key-deleted', appId: APP_ID, region: 'na' });
    expect(await sessionsOf('key-1')).toEqual([]);
    expect((await call('GET', `${BASE}/online-streams`)).body.data).toEqual([]);
  });
});
