/** ZEGO common parameters and signature (zego.md §1.3, §2, §3.1), over HTTP. */
import { request } from 'undici';
import { startSandbox, type Sandbox } from '../../../src/sandbox';
import { form, md5Hex, zego, zegoPath, type ZegoCall } from './helpers';

/** The documented test vector (zego.md §2.1). */
const VECTOR = {
  appId: 12345,
  nonce: '4fd24687296dd9f3',
  secret: '9193cc662a4c0ec135ec71fb57194b38',
  timestamp: 1615186943,
  signature: '43e5cfcca828314675f91b001390566a',
};
const TEST_APP = { appId: 4242, serverSecret: 'aaaabbbbccccddddeeeeffff00001111', isTest: true };

let sandbox: Sandbox;
// The sandbox's clock is the vector's moment, so the documented timestamp is fresh.
const nowMs = VECTOR.timestamp * 1000;

beforeAll(async () => {
  sandbox = await startSandbox({
    zegoApps: [{ appId: VECTOR.appId, serverSecret: VECTOR.secret }, TEST_APP],
    now: () => nowMs,
    rateLimits: { 'zego.DescribeSimpleStreamList.room': Infinity },
  });
  await sandbox.control.seedZego({ appId: VECTOR.appId, rooms: [{ roomId: 'room-1', users: ['host'], streams: [{ streamId: 's1', userId: 'host' }] }] });
});
afterAll(() => sandbox.close());

const signed = (extra: Partial<ZegoCall> = {}): ZegoCall => ({
  appId: VECTOR.appId,
  secret: VECTOR.secret,
  timestamp: VECTOR.timestamp,
  query: 'RoomId=room-1',
  ...extra,
});

test('the test helper reproduces the documented signature', () => {
  expect(md5Hex(`${VECTOR.appId}${VECTOR.nonce}${VECTOR.secret}${VECTOR.timestamp}`)).toBe(VECTOR.signature);
});

test('the documented test vector, sent literally, is accepted', async () => {
  const query = form({
    Action: 'DescribeSimpleStreamList',
    AppId: String(VECTOR.appId),
    SignatureNonce: VECTOR.nonce,
    Timestamp: String(VECTOR.timestamp),
    Signature: VECTOR.signature,
    SignatureVersion: '2.0',
    RoomId: 'room-1',
  });
  const response = await request(`${sandbox.url}/?${query}`);
  expect(response.statusCode).toBe(200);
  expect(response.headers['content-type']).toMatch(/^application\/json/);
  const body = (await response.body.json()) as Record<string, unknown>;
  expect(body).toMatchObject({ Code: 0, Message: 'success', Data: { StreamList: [expect.objectContaining({ StreamId: 's1' })] } });
  expect(body.RequestId).toEqual(expect.stringMatching(/^\d{19}$/));
});

test('a signature made with the wrong secret is refused with 100000005', async () => {
  const { status, body } = await zego(sandbox.url, signed({ secret: '00000000000000000000000000000000' }));
  expect(status).toBe(200);
  expect(body.Code).toBe(100000005);
});

test('the signature is compared as lowercase hex: uppercase is wrong', async () => {
  const upper = md5Hex(`${VECTOR.appId}abc${VECTOR.secret}${VECTOR.timestamp}`).toUpperCase();
  const { body } = await zego(sandbox.url, signed({ nonce: 'abc', override: { Signature: upper } }));
  expect(body.Code).toBe(100000005);
});

test.each([
  ['stale', -601],
  ['future', +601],
])('a %s timestamp beyond 600 s is refused with 100000004, even when correctly signed', async (_label, offset) => {
  const { body } = await zego(sandbox.url, signed({ timestamp: VECTOR.timestamp + offset }));
  expect(body.Code).toBe(100000004);
});

test.each([-600, 600])('a timestamp exactly %i s off is still inside the window', async (offset) => {
  const { body } = await zego(sandbox.url, signed({ timestamp: VECTOR.timestamp + offset }));
  expect(body.Code).toBe(0);
});

test.each([
  ['AppId', 100000001],
  ['Timestamp', 100000002],
  ['SignatureNonce', 100000008],
  ['Signature', 100000009],
  ['SignatureVersion', 100000013],
  ['Action', 100000006],
])('missing %s is answered with %i', async (name, code) => {
  const { status, body } = await zego(sandbox.url, signed({ omit: [name] }));
  expect(status).toBe(200);
  expect(body.Code).toBe(code);
  expect(typeof body.RequestId).toBe('string');
});

test.each([
  ['AppId', 'abc', 100000001],
  ['AppId', '4294967296', 100000001],
  ['Timestamp', '1615186943.5', 100000003],
  ['SignatureVersion', '1.0', 100000014],
  ['Action', 'NoSuchAction', 100000007],
])('%s=%s is answered with %i', async (name, value, code) => {
  const { body } = await zego(sandbox.url, signed({ override: { [name]: value } }));
  expect(body.Code).toBe(code);
});

test('an AppId the sandbox does not know is refused with 100000010', async () => {
  const { body } = await zego(sandbox.url, signed({ appId: 99999 }));
  expect(body.Code).toBe(100000010);
});

test('any non-empty nonce is accepted, not only 16 hex characters', async () => {
  const { body } = await zego(sandbox.url, signed({ nonce: 'k3x9z-base36' }));
  expect(body.Code).toBe(0);
});

test('gateway refusals are logged with their code, and an unsupported Action as operation unknown', async () => {
  await sandbox.control.reset();
  await sandbox.control.seedZego({ appId: VECTOR.appId, rooms: [{ roomId: 'room-1', users: ['host'] }] });
  await zego(sandbox.url, signed({ secret: 'wrong' }));
  await zego(sandbox.url, signed({ action: 'Frobnicate' }));
  const log = await sandbox.control.requests({ provider: 'zego' });
  expect(log.map((r) => [r.operation, r.code, r.status, r.appId])).toEqual([
    ['DescribeSimpleStreamList', 100000005, 200, String(VECTOR.appId)],
    ['unknown', 100000007, 200, String(VECTOR.appId)],
  ]);
  expect(log[1]?.params.action).toBe('Frobnicate');
});

describe('IsTest', () => {
  const testApp = (isTest?: string): ZegoCall => ({
    appId: TEST_APP.appId,
    secret: TEST_APP.serverSecret,
    timestamp: VECTOR.timestamp,
    query: 'RoomId=r',
    ...(isTest === undefined ? {} : { override: { IsTest: isTest } }),
  });

  test('a test-environment app refuses IsTest=false with 100000016', async () => {
    expect((await zego(sandbox.url, testApp('false'))).body.Code).toBe(100000016);
  });

  test.each(['true', 'TRUE', undefined])('a test-environment app accepts IsTest=%s', async (value) => {
    expect((await zego(sandbox.url, testApp(value))).body.Code).toBe(0);
  });

  test('IsTest is logged when a request runs in the test environment', async () => {
    await sandbox.control.reset();
    await zego(sandbox.url, testApp('true'));
    const [entry] = await sandbox.control.requests();
    expect(entry?.params.isTest).toBe(true);
  });
});

test('the request path is the signed path: a POST with the same query is checked the same way', async () => {
  const path = zegoPath(signed({ secret: 'not-the-secret' }));
  const response = await request(`${sandbox.url}${path}`, { method: 'POST', body: '{}', headers: { 'content-type': 'application/json' } });
  expect(((await response.body.json()) as { Code: number }).Code).toBe(100000005);
});
