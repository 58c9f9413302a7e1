/**
 * ZEGO rate limits (zego.md §4.15, §3.5) over HTTP. Assertions read the request log, whose arrival
 * times decide the windows, so they hold however the requests happen to be spread in time.
 */
import { startSandbox, SandboxControlError, type Sandbox } from '../../../src/sandbox';
import { burstUntilThrottled, expectWindowsRespected, form, zego } from './helpers';

const APP = { appId: 2468013579, serverSecret: 'fedcba9876543210fedcba9876543210' };
const TEST_APP = { appId: 1122334455, serverSecret: '11112222333344445555666677778888', isTest: true };
let sandbox: Sandbox;

beforeAll(async () => {
  sandbox = await startSandbox({ zegoApps: [APP, TEST_APP] });
});
afterAll(() => sandbox.close());
beforeEach(() => sandbox.control.reset());

const call = (action: string, query: string, body?: string, app: { appId: number; serverSecret: string } = APP) =>
  zego(sandbox.url, { appId: app.appId, secret: app.serverSecret, action, query, body });

async function expectLimited(operation: string, limit: number, throttledCode: number, send: () => Promise<number>): Promise<void> {
  await burstUntilThrottled(limit * 2 + 1, async () => (await send()) === throttledCode);
  const log = await sandbox.control.requests({ provider: 'zego', operation });
  expect(log.every((entry) => entry.status === 200)).toBe(true);
  expectWindowsRespected(
    log.map((entry) => ({ at: entry.at, throttled: entry.code === throttledCode })),
    limit,
  );
}

test.each([
  ['DeleteStream', 'zego.DeleteStream', 206, () => call('DeleteStream', form({ RoomId: 'r', UserId: 'op', StreamId: 's' }))],
  ['KickoutUser', 'zego.KickoutUser', 206, () => call('KickoutUser', 'RoomId=r&UserId[]=u')],
  ['StopMix', 'zego.StopMix', 110200191, () => call('StopMix', '', JSON.stringify({ TaskId: 't' }))],
  ['DescribeSimpleStreamList', 'zego.DescribeSimpleStreamList', 206, () => call('DescribeSimpleStreamList', `RoomId=r-${Math.random()}`)],
])('%s is limited per app (bucket %s) and answers %i past the limit', async (operation, bucket, code, send) => {
  await sandbox.control.configure({ rateLimits: { [bucket]: 2, 'zego.DescribeSimpleStreamList.room': Infinity } });
  await expectLimited(operation, 2, code, async () => (await send()).body.Code);
});

test('DescribeSimpleStreamList is also limited per room, with 207, over a 10 s window', async () => {
  await sandbox.control.configure({ rateLimits: { 'zego.DescribeSimpleStreamList': Infinity, 'zego.DescribeSimpleStreamList.room': 1 } });
  await burstUntilThrottled(3, async () => (await call('DescribeSimpleStreamList', 'RoomId=busy')).body.Code === 207);
  const log = await sandbox.control.requests({ operation: 'DescribeSimpleStreamList' });
  expectWindowsRespected(
    log.map((entry) => ({ at: entry.at, throttled: entry.code === 207 })),
    1,
    10_000,
  );
  // Another room has its own budget.
  const other = await call('DescribeSimpleStreamList', 'RoomId=quiet');
  expect(other.body.Code).toBe(0);
});

test('the documented limits are the defaults', async () => {
  // A sandbox of its own: configuration outlives the resets between tests.
  const fresh = await startSandbox();
  const { rateLimits } = await fresh.control.config().finally(() => fresh.close());
  expect(rateLimits).toMatchObject({
    'zego.DeleteStream': { limit: 10, windowMs: 1000 },
    'zego.test.DeleteStream': { limit: 1, windowMs: 1000 },
    'zego.KickoutUser': { limit: 50, windowMs: 1000 },
    'zego.StopMix': { limit: 100, windowMs: 1000 },
    'zego.DescribeSimpleStreamList': { limit: 50, windowMs: 1000 },
    'zego.DescribeSimpleStreamList.room': { limit: 1, windowMs: 10_000 },
  });
});

test('a test-environment app gets the test limit for DeleteStream (1/s by default)', async () => {
  const query = form({ RoomId: 'r', UserId: 'op', StreamId: 's' });
  await burstUntilThrottled(3, async () => (await call('DeleteStream', query, undefined, TEST_APP)).body.Code === 206);
  const log = await sandbox.control.requests({ operation: 'DeleteStream' });
  expectWindowsRespected(
    log.map((entry) => ({ at: entry.at, throttled: entry.code === 206 })),
    1,
  );
});

test('Infinity lifts a limit', async () => {
  await sandbox.control.configure({ rateLimits: { 'zego.DeleteStream': Infinity } });
  const query = form({ RoomId: 'r', UserId: 'op', StreamId: 's' });
  const codes = await Promise.all(Array.from({ length: 30 }, async () => (await call('DeleteStream', query)).body.Code));
  expect(codes.every((code) => code === 50001)).toBe(true);
  expect((await sandbox.control.config()).rateLimits['zego.DeleteStream']?.limit).toBeNull();
});

test('an unknown bucket name is refused rather than silently ignored', async () => {
  await expect(sandbox.control.configure({ rateLimits: { 'zego.DeleteStreams': 5 } })).rejects.toBeInstanceOf(SandboxControlError);
  await expect(startSandbox({ rateLimits: { 'agora.deletes': 5 } })).rejects.toThrow(/unknown rate-limit bucket/);
});
