import { createHash } from 'node:crypto';
import type { MockAgent } from 'undici';
import {
  ProviderRequestError,
  ProviderResponseError,
  ProviderRetryableError,
  ProviderTransportError,
  ProviderUnknownAnswerError,
} from '../../../src/providers/errors';
import { MIX_SEQUENCE_EPOCH_MS, ZegoClient, type ZegoClientOptions } from '../../../src/providers/zego';
import { expectNoSecrets, mockAgent, providerErrorOf, queryOf, rejectionOf, sentHeader, ZEGO_ORIGIN, zegoAction, type Sent } from './mock';

const APP_ID = 1234567890;
const SECRET = '00112233445566778899aabbccddeeff';
const TEST_APP_ID = 42;
const TEST_SECRET = 'ffeeddccbbaa99887766554433221100';
const OPERATOR = 'Server-Administrator';
const START = Date.UTC(2026, 0, 2, 3, 4, 5, 678);
const OK = { Code: 0, Message: 'success', RequestId: '5885338326725063742' };

let agent: MockAgent;
let now: number;
let client: ZegoClient;

function newClient(options: Partial<ZegoClientOptions> = {}): ZegoClient {
  return new ZegoClient({
    apps: [
      { appId: APP_ID, serverSecret: SECRET },
      { appId: TEST_APP_ID, serverSecret: TEST_SECRET, isTest: true },
    ],
    operatorUserId: OPERATOR,
    dispatcher: agent,
    now: () => now,
    ...options,
  });
}

beforeEach(() => {
  agent = mockAgent();
  now = START;
  client = newClient();
});

afterEach(async () => {
  await client.close();
  await agent.close();
});

/** Answers `times` requests of `action` with `body` and records what was sent. */
function answer(action: string, body: unknown = OK, options: { method?: string; status?: number; times?: number } = {}): Sent[] {
  const sent: Sent[] = [];
  agent
    .get(ZEGO_ORIGIN)
    .intercept({ path: zegoAction(action), method: options.method ?? 'GET' })
    .reply((opts) => {
      sent.push(opts);
      return { statusCode: options.status ?? 200, data: typeof body === 'string' ? body : JSON.stringify(body) };
    })
    .times(options.times ?? 1);
  return sent;
}

/** The raw query string as it went on the wire. */
function rawQuery(sent: Sent): string {
  return sent.path.slice(sent.path.indexOf('?') + 1);
}

function md5(text: string): string {
  return createHash('md5').update(text, 'utf8').digest('hex');
}

describe('common parameters and signature', () => {
  it('sends Action, AppId, a 16-hex nonce, Unix-second Timestamp, SignatureVersion 2.0 and a Signature that verifies', async () => {
    const sent = answer('DeleteStream');
    await client.deleteStream(APP_ID, { roomId: 'room-1', streamId: 'stream-1' });
    const [request] = sent;
    expect(request?.path.startsWith('/?Action=DeleteStream&')).toBe(true);
    const q = queryOf(request!.path);
    expect(q.get('AppId')).toBe(String(APP_ID));
    expect(q.get('SignatureNonce')).toMatch(/^[0-9a-f]{16}$/);
    expect(q.get('Timestamp')).toBe(String(Math.floor(START / 1000)));
    expect(q.get('SignatureVersion')).toBe('2.0');
    expect(q.has('IsTest')).toBe(false);
    // Verified independently of signZego: md5(AppId + nonce + secret + timestamp).
    expect(q.get('Signature')).toBe(md5(`${APP_ID}${q.get('SignatureNonce')}${SECRET}${q.get('Timestamp')}`));
    expect(request!.path).not.toContain(SECRET);
  });

  it('signs every call afresh: new nonce, new timestamp, new signature', async () => {
    const sent = answer('DeleteStream', OK, { times: 2 });
    await client.deleteStream(APP_ID, { roomId: 'room-1', streamId: 'stream-1' });
    now += 2_000;
    await client.deleteStream(APP_ID, { roomId: 'room-1', streamId: 'stream-1' });
    const [a, b] = sent.map((s) => queryOf(s.path));
    expect(a?.get('SignatureNonce')).not.toBe(b?.get('SignatureNonce'));
    expect(Number(b?.get('Timestamp')) - Number(a?.get('Timestamp'))).toBe(2);
    expect(a?.get('Signature')).not.toBe(b?.get('Signature'));
  });

  it('sends IsTest when the app sets it, signed with that app’s secret', async () => {
    const sent = answer('DeleteStream');
    await client.deleteStream(TEST_APP_ID, { roomId: 'room-1', streamId: 'stream-1' });
    const q = queryOf(sent[0]!.path);
    expect(q.get('IsTest')).toBe('true');
    expect(q.get('Signature')).toBe(md5(`${TEST_APP_ID}${q.get('SignatureNonce')}${TEST_SECRET}${q.get('Timestamp')}`));
  });

  it('sends IsTest=false when the app says false', async () => {
    await client.close();
    client = newClient({ apps: [{ appId: APP_ID, serverSecret: SECRET, isTest: false }] });
    const sent = answer('DeleteStream');
    await client.deleteStream(APP_ID, { roomId: 'room-1', streamId: 'stream-1' });
    expect(queryOf(sent[0]!.path).get('IsTest')).toBe('false');
  });

  it('refuses an app it has no credentials for, before any request', async () => {
    const sent = answer('DeleteStream');
    expect(client.hasApp(APP_ID)).toBe(true);
    expect(client.hasApp(999)).toBe(false);
    const err = await providerErrorOf(client.deleteStream(999, { roomId: 'room-1', streamId: 'stream-1' }));
    expect(err).toBeInstanceOf(ProviderRequestError);
    expect(err.message).toBe('zego DeleteStream refused before sending: no credentials configured for ZEGO app 999');
    expect(sent).toHaveLength(0);
    expect(agent.pendingInterceptors()).toHaveLength(1);
  });

  it('rejects a configuration with a duplicate app or an empty operator', () => {
    const app = { appId: APP_ID, serverSecret: SECRET };
    expect(() => new ZegoClient({ apps: [app, app], operatorUserId: OPERATOR, dispatcher: agent })).toThrow(TypeError);
    expect(() => new ZegoClient({ apps: [app], operatorUserId: '', dispatcher: agent })).toThrow(TypeError);
  });
});

describe('DeleteStream', () => {
  it('is a GET with RoomId, StreamId and the operator as UserId, never the publisher', async () => {
    const sent = answer('DeleteStream');
    const result = await client.deleteStream(APP_ID, { roomId: 'room 1', streamId: 'stream-1' });
    expect(result).toEqual({ outcome: 'done', providerCode: 0, requestId: '5885338326725063742' });
    const request = sent[0]!;
    expect(request.method).toBe('GET');
    expect(request.body).toBeUndefined();
    const q = queryOf(request.path);
    expect(q.get('UserId')).toBe(OPERATOR);
    expect(q.get('RoomId')).toBe('room 1');
    expect(q.get('StreamId')).toBe('stream-1');
    expect(rawQuery(request)).toContain('RoomId=room%201');
  });

  it('accepts a numeric RequestId and keeps it as text', async () => {
    answer('DeleteStream', { Code: 0, Message: 'success', RequestId: 12345 });
    await expect(client.deleteStream(APP_ID, { roomId: 'r', streamId: 's' })).resolves.toMatchObject({ requestId: '12345' });
  });

  it('refuses an empty RoomId before sending', async () => {
    const err = await providerErrorOf(client.deleteStream(APP_ID, { roomId: '', streamId: 's' }));
    expect(err).toBeInstanceOf(ProviderRequestError);
    expect(err.message).toBe('zego DeleteStream refused before sending: RoomId must not be empty');
  });
});

describe('StopMix', () => {
  it('POSTs {TaskId, Sequence, UserId} as JSON, common parameters in the query', async () => {
    const sent = answer('StopMix', OK, { method: 'POST' });
    await expect(client.stopMix(APP_ID, { taskId: 'mix-7', userId: 'mix-owner' })).resolves.toMatchObject({ outcome: 'done' });
    const request = sent[0]!;
    expect(request.method).toBe('POST');
    expect(sentHeader(request, 'content-type')).toBe('application/json');
    const q = queryOf(request.path);
    expect(q.get('Action')).toBe('StopMix');
    expect(q.get('Signature')).toBe(md5(`${APP_ID}${q.get('SignatureNonce')}${SECRET}${q.get('Timestamp')}`));
    expect(q.has('TaskId')).toBe(false);
    expect(JSON.parse(String(request.body))).toEqual({
      TaskId: 'mix-7',
      Sequence: Math.floor((START - MIX_SEQUENCE_EPOCH_MS) / 100),
      UserId: 'mix-owner',
    });
  });

  it('sends an increasing Sequence on every call, also within the same tenth of a second', async () => {
    const sent = answer('StopMix', OK, { method: 'POST', times: 3 });
    for (let i = 0; i < 3; i++) await client.stopMix(APP_ID, { taskId: 'mix-7', userId: 'mix-owner' });
    const sequences = sent.map((s) => (JSON.parse(String(s.body)) as { Sequence: number }).Sequence);
    expect(sequences[1]).toBe(sequences[0]! + 1);
    expect(sequences[2]).toBe(sequences[1]! + 1);
    expect(sequences.every((s) => Number.isInteger(s) && s <= 2 ** 31 - 1)).toBe(true);
  });
});

describe('KickoutUser', () => {
  it('sends the users as repeated, percent-encoded UserId[] in order', async () => {
    const sent = answer('KickoutUser');
    await client.kickoutUser(APP_ID, { roomId: 'room-1', userIds: ['host-42', 'co host&1', 'użytkownik'] });
    const raw = rawQuery(sent[0]!);
    expect(raw).toContain('&UserId%5B%5D=host-42&UserId%5B%5D=co%20host%261&UserId%5B%5D=u%C5%BCytkownik');
    expect(raw).not.toMatch(/(^|&)UserId=/);
    expect(queryOf(sent[0]!.path).getAll('UserId[]')).toEqual(['host-42', 'co host&1', 'użytkownik']);
  });

  it('URL-encodes CustomReason: reserved characters, spaces as %20, non-ASCII as UTF-8', async () => {
    const reason = 'violence: score=0.97 & more/less? #1+2 暴力 🚫';
    const sent = answer('KickoutUser');
    await client.kickoutUser(APP_ID, { roomId: 'room-1', userIds: ['host-42'], customReason: reason });
    const raw = rawQuery(sent[0]!);
    expect(raw).toContain(`CustomReason=${encodeURIComponent(reason)}`);
    expect(raw).toContain('violence%3A%20score%3D0.97%20%26%20more%2Fless%3F%20%231%2B2%20%E6%9A%B4%E5%8A%9B%20%F0%9F%9A%AB');
    expect(queryOf(sent[0]!.path).get('CustomReason')).toBe(reason);
  });

  it.each([
    ['256 ASCII bytes', 'a'.repeat(256)],
    ['255 bytes of 3-byte characters', '暴'.repeat(85)],
  ])('accepts a CustomReason of %s', async (_label, reason) => {
    const sent = answer('KickoutUser');
    await client.kickoutUser(APP_ID, { roomId: 'room-1', userIds: ['host-42'], customReason: reason });
    expect(queryOf(sent[0]!.path).get('CustomReason')).toBe(reason);
  });

  it.each([
    ['257 ASCII bytes', 'a'.repeat(257), 257],
    ['86 characters of 3 bytes (258 bytes)', '暴'.repeat(86), 258],
  ])('refuses a CustomReason of %s before sending', async (_label, reason, bytes) => {
    const sent = answer('KickoutUser');
    const err = await providerErrorOf(client.kickoutUser(APP_ID, { roomId: 'room-1', userIds: ['host-42'], customReason: reason }));
    expect(err).toBeInstanceOf(ProviderRequestError);
    expect(err.message).toBe(`zego KickoutUser refused before sending: CustomReason is ${bytes} UTF-8 bytes; at most 256 are allowed`);
    expect(sent).toHaveLength(0);
  });

  it('omits an empty CustomReason', async () => {
    const sent = answer('KickoutUser');
    await client.kickoutUser(APP_ID, { roomId: 'room-1', userIds: ['host-42'], customReason: '' });
    expect(queryOf(sent[0]!.path).has('CustomReason')).toBe(false);
  });

  it.each([
    [0, []],
    [6, ['a', 'b', 'c', 'd', 'e', 'f']],
  ])('refuses %d users before sending', async (count, userIds) => {
    const sent = answer('KickoutUser');
    const err = await providerErrorOf(client.kickoutUser(APP_ID, { roomId: 'room-1', userIds }));
    expect(err).toBeInstanceOf(ProviderRequestError);
    expect(err.message).toBe(`zego KickoutUser refused before sending: UserId[] must name 1 to 5 users (got ${count})`);
    expect(sent).toHaveLength(0);
    expect(agent.pendingInterceptors()).toHaveLength(1);
  });

  it('accepts exactly 5 users', async () => {
    const sent = answer('KickoutUser');
    await client.kickoutUser(APP_ID, { roomId: 'room-1', userIds: ['1', '2', '3', '4', '5'] });
    expect(queryOf(sent[0]!.path).getAll('UserId[]')).toHaveLength(5);
  });

  it('refuses text that cannot be URL-encoded (a lone surrogate) instead of crashing', async () => {
    const err = await providerErrorOf(client.kickoutUser(APP_ID, { roomId: 'room-1', userIds: ['ok', 'bad\uD800'] }));
    expect(err).toBeInstanceOf(ProviderRequestError);
    expect(err.message).toBe('zego KickoutUser refused before sending: UserId[1] is not well-formed Unicode');
  });
});

describe('DescribeSimpleStreamList', () => {
  it('returns the streams', async () => {
    answer('DescribeSimpleStreamList', {
      ...OK,
      Data: {
        StreamList: [
          { StreamId: 's1', UserId: 'u1', UserName: 'Host', CreateTime: 1642045110123, StreamNumberId: 7 },
          { StreamId: 's2', UserId: 'u2' },
        ],
      },
    });
    const result = await client.describeSimpleStreamList(APP_ID, { roomId: 'room-1' });
    expect(result).toEqual({
      outcome: 'done',
      providerCode: 0,
      requestId: OK.RequestId,
      streams: [
        { streamId: 's1', userId: 'u1', userName: 'Host', createTime: 1642045110123 },
        { streamId: 's2', userId: 'u2' },
      ],
    });
  });

  it('reads a null list as no streams', async () => {
    answer('DescribeSimpleStreamList', { ...OK, Data: { StreamList: null } });
    await expect(client.describeSimpleStreamList(APP_ID, { roomId: 'room-1' })).resolves.toMatchObject({ streams: [] });
  });

  it('answers a room that is gone with no streams', async () => {
    answer('DescribeSimpleStreamList', { Code: 50001, Message: 'room not exist', RequestId: 'r' });
    await expect(client.describeSimpleStreamList(APP_ID, { roomId: 'room-1' })).resolves.toEqual({
      outcome: 'already-done',
      providerCode: 50001,
      requestId: 'r',
      streams: [],
    });
  });

  it('names the field of a malformed stream', async () => {
    answer('DescribeSimpleStreamList', { ...OK, Data: { StreamList: [{ StreamId: 7, UserId: 'u1' }] } });
    const err = await providerErrorOf(client.describeSimpleStreamList(APP_ID, { roomId: 'room-1' }));
    expect(err).toBeInstanceOf(ProviderResponseError);
    expect(err.message).toBe('zego DescribeSimpleStreamList answered an unexpected shape: Data.StreamList[0].StreamId: expected string');
  });

  it('does not read a missing Data as an empty room', async () => {
    answer('DescribeSimpleStreamList', OK);
    const err = await providerErrorOf(client.describeSimpleStreamList(APP_ID, { roomId: 'room-1' }));
    expect(err).toBeInstanceOf(ProviderResponseError);
    expect(err.message).toBe('zego DescribeSimpleStreamList answered an unexpected shape: Data: expected object');
  });
});

describe('answers that are not ZEGO answers', () => {
  it('names the field when the envelope has the wrong shape', async () => {
    answer('DeleteStream', { Code: '0', Message: 'success', RequestId: 'r' });
    const err = await providerErrorOf(client.deleteStream(APP_ID, { roomId: 'r', streamId: 's' }));
    expect(err).toBeInstanceOf(ProviderResponseError);
    expect(err.message).toBe('zego DeleteStream answered an unexpected shape: Code: expected number');
  });

  it('turns a non-JSON body on HTTP 200 into ProviderResponseError', async () => {
    answer('DeleteStream', '<html>gateway</html>');
    const err = await providerErrorOf(client.deleteStream(APP_ID, { roomId: 'r', streamId: 's' }));
    expect(err).toBeInstanceOf(ProviderResponseError);
    expect(err.message).toBe('zego DeleteStream answered a body that is not JSON (HTTP 200)');
  });

  it.each([500, 502, 503, 504])('retries HTTP %d', async (status) => {
    answer('DeleteStream', '<html>down</html>', { status });
    const err = await providerErrorOf(client.deleteStream(APP_ID, { roomId: 'r', streamId: 's' }));
    expect(err).toBeInstanceOf(ProviderRetryableError);
    expect(err.message).toBe(`zego DeleteStream answered HTTP ${status}`);
  });

  it.each([404, 429, 403, 302])('treats HTTP %d as an unknown answer, keeping the body', async (status) => {
    answer('DeleteStream', 'nope', { status });
    const err = await providerErrorOf(client.deleteStream(APP_ID, { roomId: 'r', streamId: 's' }));
    expect(err).toBeInstanceOf(ProviderUnknownAnswerError);
    expect(err.message).toBe(`zego DeleteStream answered HTTP ${status} (not a ZEGO answer)`);
    expect((err as ProviderUnknownAnswerError).raw).toBe('nope');
  });
});

describe('transport', () => {
  it('turns a headers timeout into ProviderTransportError', async () => {
    await client.close();
    client = newClient({ timeouts: { connectMs: 20, headersMs: 30 } });
    agent.get(ZEGO_ORIGIN).intercept({ path: zegoAction('DeleteStream') }).reply(200, JSON.stringify(OK)).delay(2_000);
    const err = await providerErrorOf(client.deleteStream(APP_ID, { roomId: 'r', streamId: 's' }));
    expect(err).toBeInstanceOf(ProviderTransportError);
    expect(err.message).toBe('zego DeleteStream failed in transport: headers timeout (UND_ERR_HEADERS_TIMEOUT)');
    expectNoSecrets(err, [SECRET]);
  });

  it('turns a connection error into ProviderTransportError', async () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED 203.0.113.1:443'), { code: 'ECONNREFUSED' });
    agent.get(ZEGO_ORIGIN).intercept({ path: zegoAction('KickoutUser') }).replyWithError(refused);
    const err = await providerErrorOf(client.kickoutUser(APP_ID, { roomId: 'r', userIds: ['u'] }));
    expect(err).toBeInstanceOf(ProviderTransportError);
    expect(err.message).toBe('zego KickoutUser failed in transport: connection refused (ECONNREFUSED)');
    expect(err.cause).toBe(refused);
  });

  it('rethrows the abort reason unchanged when the call is cancelled mid-request', async () => {
    agent.get(ZEGO_ORIGIN).intercept({ path: zegoAction('DeleteStream') }).reply(200, JSON.stringify(OK)).delay(2_000);
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 20);
    const err = await rejectionOf(client.deleteStream(APP_ID, { roomId: 'r', streamId: 's' }, { signal: controller.signal }));
    expect(err).toBe(controller.signal.reason);
    expect((err as Error).name).toBe('AbortError');
    expect(err).not.toBeInstanceOf(ProviderTransportError);
  });
});
