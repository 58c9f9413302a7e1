import type { MockAgent } from 'undici';
import { AgoraClient, type AgoraClientOptions, type Region } from '../../../src/providers/agora';
import {
  ProviderRateLimitedError,
  ProviderRejectedError,
  ProviderRequestError,
  ProviderResponseError,
  ProviderTransportError,
} from '../../../src/providers/errors';
import { AGORA_ORIGIN, expectNoSecrets, mockAgent, providerErrorOf, rejectionOf, sentHeader, type Sent } from './mock';

const CUSTOMER_ID = 'customer-1';
const SECRET = 'agora-customer-secret-0123456789';
const APP_ID = 'app0123456789abcdef';
const STREAM_KEY = '2dfMTRsecretStreamKeyfys';
const NOW = Date.UTC(2026, 0, 2, 3, 4, 5);
const INGRESS = `/na/v1/projects/${APP_ID}/rtls/ingress`;
const SUCCESS = JSON.stringify({ status: 'success' });
const SESSION = {
  sid: 'eba0c189-15ab-b852-b51d-67050000000ce',
  channel: 'channel-1',
  uid: '1001',
  url: `rtls-ingress-prod-na.agoramdn.com:1935/live/${STREAM_KEY}`,
  status: 'Running',
  beginAt: '2024-01-01 01:01:01.001',
  bitrate: 2500,
  video: { width: 1280, height: 720, fps: 30 },
};
const EXPECTED_SESSION = {
  sid: SESSION.sid,
  channel: SESSION.channel,
  uid: SESSION.uid,
  url: SESSION.url,
  status: SESSION.status,
  beginAt: SESSION.beginAt,
};
const REF = { appId: APP_ID, region: 'na' as Region };

let agent: MockAgent;
let client: AgoraClient;

function newClient(options: Partial<AgoraClientOptions> = {}): AgoraClient {
  return new AgoraClient({ customerId: CUSTOMER_ID, customerSecret: SECRET, dispatcher: agent, now: () => NOW, ...options });
}

beforeEach(() => {
  agent = mockAgent();
  client = newClient();
});

afterEach(async () => {
  await client.close();
  await agent.close();
});

interface Reply {
  status?: number;
  body?: string;
  headers?: Record<string, string>;
}

/** Answers one request at `method path` and records what was sent. */
function answer(method: string, path: string, reply: Reply = {}): Sent[] {
  const sent: Sent[] = [];
  agent
    .get(AGORA_ORIGIN)
    .intercept({ method, path })
    .reply((opts) => {
      sent.push(opts);
      return { statusCode: reply.status ?? 200, data: reply.body ?? SUCCESS, responseOptions: { headers: reply.headers ?? {} } };
    });
  return sent;
}

describe('authentication and request ids', () => {
  it('sends HTTP Basic auth on every call', async () => {
    const sent = answer('DELETE', `${INGRESS}/streamkeys/${STREAM_KEY}`);
    await client.deleteStreamKey({ ...REF, streamKey: STREAM_KEY });
    expect(sentHeader(sent[0]!, 'authorization')).toBe(`Basic ${Buffer.from(`${CUSTOMER_ID}:${SECRET}`).toString('base64')}`);
    expect(sentHeader(sent[0]!, 'accept')).toBe('application/json');
  });

  it('sends the given X-Request-ID and returns the one Agora answers with', async () => {
    const sent = answer('DELETE', `${INGRESS}/online-streams/sid-1`, { headers: { 'x-request-id': 'agora-echo-1' } });
    const result = await client.forceDisconnect({ ...REF, sid: 'sid-1' }, { requestId: 'mine-1' });
    expect(sentHeader(sent[0]!, 'x-request-id')).toBe('mine-1');
    expect(result).toEqual({ outcome: 'done', providerCode: 200, requestId: 'agora-echo-1' });
  });

  it('generates a UUID X-Request-ID and falls back to it when the answer has none (as on 401)', async () => {
    const sent = answer('DELETE', `${INGRESS}/online-streams/sid-1`);
    const result = await client.forceDisconnect({ ...REF, sid: 'sid-1' });
    const sentId = sentHeader(sent[0]!, 'x-request-id');
    expect(sentId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(result.requestId).toBe(sentId);
  });

  it('uses a new request id per call', async () => {
    const a = answer('DELETE', `${INGRESS}/online-streams/sid-1`);
    const b = answer('DELETE', `${INGRESS}/online-streams/sid-1`);
    await client.forceDisconnect({ ...REF, sid: 'sid-1' });
    await client.forceDisconnect({ ...REF, sid: 'sid-1' });
    expect(sentHeader(a[0]!, 'x-request-id')).not.toBe(sentHeader(b[0]!, 'x-request-id'));
  });

  it('rejects 401 with the documented message and a fallback request id', async () => {
    answer('DELETE', `${INGRESS}/streamkeys/${STREAM_KEY}`, {
      status: 401,
      body: '{"message":"Invalid authentication credentials"}',
    });
    const err = await providerErrorOf(client.deleteStreamKey({ ...REF, streamKey: STREAM_KEY }, { requestId: 'mine-2' }));
    expect(err).toBeInstanceOf(ProviderRejectedError);
    expect(err.message).toBe(
      'agora DeleteStreamKey answered HTTP 401 (invalid authentication credentials): "Invalid authentication credentials"',
    );
    expect(err.requestId).toBe('mine-2');
    expectNoSecrets(err, [SECRET, STREAM_KEY]);
  });
});

describe('paths', () => {
  it.each(['na', 'eu', 'ap', 'cn'] as Region[])('scopes stream keys to region %s and URL-encodes the key', async (region) => {
    const key = 'a/b+c=d?e#f g';
    const sent = answer('DELETE', `/${region}/v1/projects/${APP_ID}/rtls/ingress/streamkeys/a%2Fb%2Bc%3Dd%3Fe%23f%20g`);
    await expect(client.deleteStreamKey({ appId: APP_ID, region, streamKey: key })).resolves.toMatchObject({ outcome: 'done' });
    expect(sent).toHaveLength(1);
  });

  it('URL-encodes the app id and the sid', async () => {
    const sent = answer('DELETE', '/eu/v1/projects/app%2F1/rtls/ingress/online-streams/sid%3F1');
    await client.forceDisconnect({ appId: 'app/1', region: 'eu', sid: 'sid?1' });
    expect(sent).toHaveLength(1);
  });

  it.each([
    ['an empty stream key', { ...REF, streamKey: '' }, 'streamKey must not be empty'],
    ['a dot-dot stream key', { ...REF, streamKey: '..' }, 'streamKey must not be a dot segment'],
    ['an unknown region', { ...REF, region: 'us' as Region, streamKey: STREAM_KEY }, 'region must be one of na, eu, ap, cn'],
    ['an empty app id', { ...REF, appId: '', streamKey: STREAM_KEY }, 'appId must not be empty'],
  ])('refuses %s before sending', async (_label, target, reason) => {
    const err = await providerErrorOf(client.deleteStreamKey(target));
    expect(err).toBeInstanceOf(ProviderRequestError);
    expect(err.message).toBe(`agora DeleteStreamKey refused before sending: ${reason}`);
    expectNoSecrets(err, [SECRET, STREAM_KEY]);
  });
});

describe('DeleteStreamKey and ForceDisconnect', () => {
  it('deletes the key with DELETE and no body', async () => {
    const sent = answer('DELETE', `${INGRESS}/streamkeys/${STREAM_KEY}`, { headers: { 'x-request-id': 'r1' } });
    await expect(client.deleteStreamKey({ ...REF, streamKey: STREAM_KEY })).resolves.toEqual({
      outcome: 'done',
      providerCode: 200,
      requestId: 'r1',
    });
    expect(sent[0]!.body).toBeUndefined();
  });

  it('is already done on 404 for the key', async () => {
    answer('DELETE', `${INGRESS}/streamkeys/${STREAM_KEY}`, {
      status: 404,
      body: '{"message":"Resource not found and destroyed."}',
      headers: { 'x-request-id': 'r2' },
    });
    await expect(client.deleteStreamKey({ ...REF, streamKey: STREAM_KEY })).resolves.toEqual({
      outcome: 'already-done',
      providerCode: 404,
      requestId: 'r2',
    });
  });

  it('is already done on 404 for the session', async () => {
    answer('DELETE', `${INGRESS}/online-streams/sid-1`, { status: 404, body: '{"message":"/"}' });
    await expect(client.forceDisconnect({ ...REF, sid: 'sid-1' })).resolves.toMatchObject({ outcome: 'already-done', providerCode: 404 });
  });

  it('accepts a 2xx with any body on a delete (the status is the answer)', async () => {
    answer('DELETE', `${INGRESS}/online-streams/sid-1`, { status: 204, body: '' });
    await expect(client.forceDisconnect({ ...REF, sid: 'sid-1' })).resolves.toMatchObject({ outcome: 'done', providerCode: 204 });
  });

  it('never names the stream key, even when Agora echoes it', async () => {
    answer('DELETE', `${INGRESS}/streamkeys/${STREAM_KEY}`, {
      status: 403,
      body: JSON.stringify({ message: `Stream ${STREAM_KEY} does not belong to this app ID.` }),
    });
    const err = await providerErrorOf(client.deleteStreamKey({ ...REF, streamKey: STREAM_KEY }));
    expect(err.message).toBe(
      'agora DeleteStreamKey answered HTTP 403 (Media Gateway not enabled or key of another App ID): "Stream <redacted> does not belong to this app ID."',
    );
    expectNoSecrets(err, [SECRET, STREAM_KEY]);
  });

  it('never names the stream key in an unknown answer’s raw body', async () => {
    answer('DELETE', `${INGRESS}/streamkeys/${STREAM_KEY}`, { status: 418, body: `teapot at /streamkeys/${STREAM_KEY}` });
    const err = await providerErrorOf(client.deleteStreamKey({ ...REF, streamKey: STREAM_KEY }));
    expect((err as { raw?: string }).raw).toBe('teapot at /streamkeys/<redacted>');
    expectNoSecrets(err, [SECRET, STREAM_KEY]);
  });
});

describe('Retry-After on 429', () => {
  async function rateLimited(retryAfter?: string): Promise<ProviderRateLimitedError> {
    answer('DELETE', `${INGRESS}/streamkeys/${STREAM_KEY}`, {
      status: 429,
      body: '{"message":"Request rate limit exceeded."}',
      headers: retryAfter === undefined ? {} : { 'retry-after': retryAfter },
    });
    const err = await providerErrorOf(client.deleteStreamKey({ ...REF, streamKey: STREAM_KEY }));
    expect(err).toBeInstanceOf(ProviderRateLimitedError);
    expect(err.message).toBe('agora DeleteStreamKey answered HTTP 429 (request rate limit exceeded): "Request rate limit exceeded."');
    return err as ProviderRateLimitedError;
  }

  it('reads delay-seconds', async () => {
    expect((await rateLimited('3')).retryAfterMs).toBe(3_000);
  });

  it('reads an HTTP date', async () => {
    expect((await rateLimited(new Date(NOW + 5_000).toUTCString())).retryAfterMs).toBe(5_000);
  });

  it('reads a past HTTP date as no wait', async () => {
    expect((await rateLimited(new Date(NOW - 5_000).toUTCString())).retryAfterMs).toBe(0);
  });

  it.each([undefined, 'soon', '-1', '1.5', '2026-01-02'])('leaves retryAfterMs undefined for %j', async (value) => {
    expect((await rateLimited(value)).retryAfterMs).toBeUndefined();
  });
});

describe('ListOnlineStreams', () => {
  it('lists sessions, dropping undocumented fields', async () => {
    answer('GET', `${INGRESS}/online-streams`, { body: JSON.stringify({ status: 'success', data: [SESSION] }), headers: { 'x-request-id': 'l1' } });
    await expect(client.listOnlineStreams(REF)).resolves.toEqual({
      outcome: 'done',
      providerCode: 200,
      requestId: 'l1',
      sessions: [EXPECTED_SESSION],
    });
  });

  it('filters by channel, URL-encoded', async () => {
    const sent = answer('GET', `${INGRESS}/online-streams?channel=room%201%2F%26%C3%A9%2B`, {
      body: JSON.stringify({ status: 'success', data: [] }),
    });
    await expect(client.listOnlineStreams({ ...REF, channel: 'room 1/&é+' })).resolves.toMatchObject({ sessions: [] });
    expect(sent[0]!.path).toBe(`${INGRESS}/online-streams?channel=room%201%2F%26%C3%A9%2B`);
  });

  it('treats an empty channel as no filter', async () => {
    const sent = answer('GET', `${INGRESS}/online-streams`, { body: JSON.stringify({ status: 'success', data: [] }) });
    await client.listOnlineStreams({ ...REF, channel: '' });
    expect(sent[0]!.path).toBe(`${INGRESS}/online-streams`);
  });

  it('reads data: null as no sessions and a numeric uid as text', async () => {
    answer('GET', `${INGRESS}/online-streams`, { body: JSON.stringify({ status: 'success', data: null }) });
    await expect(client.listOnlineStreams(REF)).resolves.toMatchObject({ sessions: [] });
    answer('GET', `${INGRESS}/online-streams`, { body: JSON.stringify({ status: 'success', data: [{ ...SESSION, uid: 1001 }] }) });
    await expect(client.listOnlineStreams(REF)).resolves.toMatchObject({ sessions: [{ uid: '1001' }] });
  });

  it('names the field of a malformed session', async () => {
    const { sid: _sid, ...noSid } = SESSION;
    answer('GET', `${INGRESS}/online-streams`, { body: JSON.stringify({ status: 'success', data: [SESSION, noSid] }) });
    const err = await providerErrorOf(client.listOnlineStreams(REF));
    expect(err).toBeInstanceOf(ProviderResponseError);
    expect(err.message).toBe('agora ListOnlineStreams answered an unexpected shape: data[1].sid: expected string');
    expectNoSecrets(err, [SECRET, STREAM_KEY]);
  });

  it('does not read a missing data as "nothing live"', async () => {
    answer('GET', `${INGRESS}/online-streams`, { body: SUCCESS });
    const err = await providerErrorOf(client.listOnlineStreams(REF));
    expect(err).toBeInstanceOf(ProviderResponseError);
    expect(err.message).toBe('agora ListOnlineStreams answered an unexpected shape: data: expected array');
  });

  it('turns a non-JSON 200 into ProviderResponseError', async () => {
    answer('GET', `${INGRESS}/online-streams`, { body: '<html></html>' });
    const err = await providerErrorOf(client.listOnlineStreams(REF));
    expect(err).toBeInstanceOf(ProviderResponseError);
    expect(err.message).toBe('agora ListOnlineStreams answered a body that is not JSON (HTTP 200)');
  });
});

describe('GetOnlineStream', () => {
  it.each([
    ['an object', SESSION],
    ['a one-element array', [SESSION]],
  ])('accepts data as %s', async (_label, data) => {
    answer('GET', `${INGRESS}/online-streams/sid-1`, { body: JSON.stringify({ status: 'success', data }) });
    await expect(client.getOnlineStream({ ...REF, sid: 'sid-1' })).resolves.toMatchObject({ outcome: 'done', session: EXPECTED_SESSION });
  });

  it('is already done with no session on 404', async () => {
    answer('GET', `${INGRESS}/online-streams/sid-1`, { status: 404, body: '{"message":"/"}', headers: { 'x-request-id': 'g1' } });
    const result = await client.getOnlineStream({ ...REF, sid: 'sid-1' });
    expect(result).toEqual({ outcome: 'already-done', providerCode: 404, requestId: 'g1' });
    expect(result.session).toBeUndefined();
  });

  it('refuses an empty array as a session', async () => {
    answer('GET', `${INGRESS}/online-streams/sid-1`, { body: JSON.stringify({ status: 'success', data: [] }) });
    const err = await providerErrorOf(client.getOnlineStream({ ...REF, sid: 'sid-1' }));
    expect(err).toBeInstanceOf(ProviderResponseError);
    expect(err.message).toBe('agora GetOnlineStream answered an unexpected shape: data: expected object');
  });
});

describe('CreateKickingRule', () => {
  it('POSTs the rule as JSON to /dev/v1/kicking-rule and returns its id', async () => {
    const sent = answer('POST', '/dev/v1/kicking-rule', { body: '{"status":"success","id":1953}', headers: { 'x-request-id': 'k1' } });
    const result = await client.createKickingRule({
      appId: APP_ID,
      cname: 'channel-1',
      uid: 589517928,
      ip: '192.0.2.1',
      timeInSeconds: 0,
      privileges: ['join_channel', 'publish_video'],
    });
    expect(result).toEqual({ outcome: 'done', providerCode: 200, requestId: 'k1', ruleId: 1953 });
    expect(sentHeader(sent[0]!, 'content-type')).toBe('application/json');
    expect(sentHeader(sent[0]!, 'authorization')).toMatch(/^Basic /);
    expect(JSON.parse(String(sent[0]!.body))).toEqual({
      appid: APP_ID,
      cname: 'channel-1',
      uid: 589517928,
      ip: '192.0.2.1',
      time_in_seconds: 0,
      privileges: ['join_channel', 'publish_video'],
    });
  });

  it('omits absent fields', async () => {
    const sent = answer('POST', '/dev/v1/kicking-rule', { body: '{"status":"success","id":7}' });
    await client.createKickingRule({ appId: APP_ID, uid: 42, privileges: ['join_channel'] });
    expect(JSON.parse(String(sent[0]!.body))).toEqual({ appid: APP_ID, uid: 42, privileges: ['join_channel'] });
  });

  it.each([
    ['no target', { appId: APP_ID, privileges: ['join_channel'] }, 'a kicking rule needs cname, uid or ip'],
    ['uid 0', { appId: APP_ID, uid: 0, privileges: ['join_channel'] }, 'uid must be an integer from 1 to 4294967295'],
    ['no privileges', { appId: APP_ID, uid: 1, privileges: [] }, 'privileges must be a non-empty list of join_channel, publish_audio, publish_video'],
    ['an unknown privilege', { appId: APP_ID, uid: 1, privileges: ['mute'] }, 'privileges must be a non-empty list of join_channel, publish_audio, publish_video'],
    [
      'a negative time',
      { appId: APP_ID, uid: 1, timeInSeconds: -1, privileges: ['join_channel'] },
      'time_in_seconds must be 0 (kick once) or an integer from 10 to 86430 (got -1)',
    ],
  ])('refuses %s before sending', async (_label, rule, reason) => {
    const err = await providerErrorOf(client.createKickingRule(rule as Parameters<AgoraClient['createKickingRule']>[0]));
    expect(err).toBeInstanceOf(ProviderRequestError);
    expect(err.message).toBe(`agora CreateKickingRule refused before sending: ${reason}`);
  });

  it('names the field when the id is missing', async () => {
    answer('POST', '/dev/v1/kicking-rule', { body: '{"status":"success"}' });
    const err = await providerErrorOf(client.createKickingRule({ appId: APP_ID, uid: 42, privileges: ['join_channel'] }));
    expect(err).toBeInstanceOf(ProviderResponseError);
    expect(err.message).toBe('agora CreateKickingRule answered an unexpected shape: id: expected number');
  });
});

describe('transport', () => {
  it('turns a headers timeout into ProviderTransportError without naming the key', async () => {
    await client.close();
    client = newClient({ timeouts: { connectMs: 20, headersMs: 30 } });
    agent.get(AGORA_ORIGIN).intercept({ method: 'DELETE', path: `${INGRESS}/streamkeys/${STREAM_KEY}` }).reply(200, SUCCESS).delay(2_000);
    const err = await providerErrorOf(client.deleteStreamKey({ ...REF, streamKey: STREAM_KEY }));
    expect(err).toBeInstanceOf(ProviderTransportError);
    expect(err.message).toBe('agora DeleteStreamKey failed in transport: headers timeout (UND_ERR_HEADERS_TIMEOUT)');
    expectNoSecrets(err, [SECRET, STREAM_KEY]);
  });

  it('turns a socket error into ProviderTransportError', async () => {
    const reset = Object.assign(new Error('other side closed'), { code: 'UND_ERR_SOCKET' });
    agent.get(AGORA_ORIGIN).intercept({ method: 'DELETE', path: `${INGRESS}/streamkeys/${STREAM_KEY}` }).replyWithError(reset);
    const err = await providerErrorOf(client.deleteStreamKey({ ...REF, streamKey: STREAM_KEY }));
    expect(err).toBeInstanceOf(ProviderTransportError);
    expect(err.message).toBe('agora DeleteStreamKey failed in transport: socket error (UND_ERR_SOCKET)');
    expectNoSecrets(err, [SECRET, STREAM_KEY]);
  });

  it('rethrows a cancellation reason unchanged', async () => {
    agent.get(AGORA_ORIGIN).intercept({ method: 'DELETE', path: `${INGRESS}/online-streams/sid-1` }).reply(200, SUCCESS).delay(2_000);
    const controller = new AbortController();
    const reason = new Error('activity cancelled');
    setTimeout(() => controller.abort(reason), 20);
    const err = await rejectionOf(client.forceDisconnect({ ...REF, sid: 'sid-1' }, { signal: controller.signal }));
    expect(err).toBe(reason);
  });

  it('does not send a request whose signal is already aborted', async () => {
    const sent = answer('DELETE', `${INGRESS}/online-streams/sid-1`);
    const controller = new AbortController();
    controller.abort();
    const err = await rejectionOf(client.forceDisconnect({ ...REF, sid: 'sid-1' }, { signal: controller.signal }));
    expect(err).toBe(controller.signal.reason);
    expect(sent).toHaveLength(0);
  });

  it('refuses a request id that is not a valid header value', async () => {
    answer('DELETE', `${INGRESS}/online-streams/sid-1`);
    const err = await providerErrorOf(client.forceDisconnect({ ...REF, sid: 'sid-1' }, { requestId: 'a\r\nx-evil: 1' }));
    expect(err).toBeInstanceOf(ProviderRequestError);
    expect(err.message).toBe('agora ForceDisconnect refused before sending: requestId must be 1 to 128 visible ASCII characters');
  });
});
