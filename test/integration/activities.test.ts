/**
 * Every activity against the sandbox over HTTP, with the real provider clients, outside a workflow:
 * what each answer becomes (step record, already-done, retryable or rejected failure).
 */
import { MockActivityEnvironment } from '@temporalio/testing';
import { DefaultLogger } from '@temporalio/worker';
import { createActivities } from '../../src/activities';
import { AgoraClient } from '../../src/providers/agora';
import { ZegoClient } from '../../src/providers/zego';
import { startSandbox, type Sandbox } from '../../src/sandbox';
import { DEMO_AGORA_ACCOUNT, DEMO_AGORA_APP_ID, DEMO_ZEGO_APP } from '../../src/sandbox/demo-accounts';
import { uniqueName } from '../harness/temporal';

const zegoAppId = DEMO_ZEGO_APP.appId;
const agoraApp = { appId: DEMO_AGORA_APP_ID, region: 'eu' as const };
let sandbox: Sandbox;
let zego: ZegoClient;
let agora: AgoraClient;
let activities: ReturnType<typeof createActivities>;

beforeAll(async () => {
  sandbox = await startSandbox({ zegoApps: [DEMO_ZEGO_APP], agoraAccounts: [DEMO_AGORA_ACCOUNT], encoderReconnectDelayMs: 10_000 });
  zego = new ZegoClient({ baseUrl: sandbox.url, apps: [DEMO_ZEGO_APP], operatorUserId: 'takedown-operator' });
  agora = new AgoraClient({ baseUrl: sandbox.url, ...DEMO_AGORA_ACCOUNT });
  activities = createActivities({ zego, agoraFor: () => agora, routeFor: () => undefined });
});
afterAll(async () => {
  await Promise.all([zego?.close(), agora?.close()]);
  await sandbox?.close();
});

const run = <A extends unknown[], R>(fn: (...args: A) => Promise<R>, ...args: A): Promise<R> =>
  new MockActivityEnvironment({ attempt: 1 }, { logger: silent }).run(fn, ...args);
const silent = new DefaultLogger('ERROR');

async function liveRoom() {
  const roomId = uniqueName('room');
  const streamId = uniqueName('stream');
  const taskId = uniqueName('mix');
  await sandbox.control.seedZego({
    appId: zegoAppId,
    rooms: [{ roomId, users: ['host', 'viewer'], streams: [{ streamId, userId: 'host' }] }],
    mixTasks: [{ taskId, ownerUserId: 'owner', inputStreamIds: [streamId] }],
  });
  return { roomId, streamId, taskId };
}

async function liveKey() {
  const streamKey = uniqueName('key');
  const channel = uniqueName('channel');
  const { sessions } = await sandbox.control.seedAgora({ ...agoraApp, streamKeys: [{ streamKey, channel, uid: '4242' }] });
  return { streamKey, channel, sid: sessions[0]!.sid };
}

describe('ZEGO activities', () => {
  test('DeleteStream: done, then already-done (138)', async () => {
    const { roomId, streamId } = await liveRoom();
    await expect(run(activities.zegoDeleteStream, { appId: zegoAppId, roomId, streamId })).resolves.toMatchObject({ action: 'DeleteStream', outcome: 'done', providerCode: 0 });
    await expect(run(activities.zegoDeleteStream, { appId: zegoAppId, roomId, streamId })).resolves.toMatchObject({ outcome: 'already-done', providerCode: 138 });
  });

  test('StopMix: done, wrong owner rejected (110200160), unknown task already-done', async () => {
    const { taskId } = await liveRoom();
    await expect(run(activities.zegoStopMix, { appId: zegoAppId, taskId, userId: 'intruder' })).rejects.toMatchObject({ type: 'ProviderRejected', nonRetryable: true });
    await expect(run(activities.zegoStopMix, { appId: zegoAppId, taskId, userId: 'owner' })).resolves.toMatchObject({ outcome: 'done', taskId });
    await expect(run(activities.zegoStopMix, { appId: zegoAppId, taskId, userId: 'owner' })).resolves.toMatchObject({ outcome: 'already-done', providerCode: 110209001 });
  });

  test('KickoutUser: done, with the reason; a transient code is a retryable failure', async () => {
    const { roomId } = await liveRoom();
    await sandbox.control.injectFault({ provider: 'zego', operation: 'KickoutUser', count: 1, answer: { zegoCode: 1 } });
    await expect(run(activities.zegoKickoutUser, { appId: zegoAppId, roomId, userIds: ['host'], customReason: 'policy: violence' })).rejects.toMatchObject({
      type: 'ProviderTransient',
      nonRetryable: false,
    });
    await expect(run(activities.zegoKickoutUser, { appId: zegoAppId, roomId, userIds: ['host'], customReason: 'policy: violence' })).resolves.toMatchObject({ outcome: 'done' });
    const kicks = await sandbox.control.requests({ provider: 'zego', operation: 'KickoutUser' });
    expect(kicks.at(-1)?.params).toMatchObject({ roomId, userIds: ['host'], customReason: 'policy: violence' });
  });

  test('DescribeSimpleStreamList: the room streams; a throttled answer retries after at least a second', async () => {
    const { roomId, streamId } = await liveRoom();
    await expect(run(activities.zegoFindStreams, { appId: zegoAppId, roomId })).resolves.toMatchObject({ streams: [{ streamId, userId: 'host' }], step: { action: 'FindStreams', outcome: 'done' } });
    await sandbox.control.injectFault({ provider: 'zego', operation: 'DescribeSimpleStreamList', count: 1, answer: { zegoCode: 206 } });
    const failure = await run(activities.zegoFindStreams, { appId: zegoAppId, roomId }).catch((e: unknown) => e);
    expect(failure).toMatchObject({ type: 'ProviderRateLimited', nonRetryable: false });
    expect((failure as { nextRetryDelay: number }).nextRetryDelay).toBeGreaterThanOrEqual(1000);
  });
});

describe('Agora activities', () => {
  test('DeleteStreamKey: done, then already-done (404); 429 carries Retry-After as the next retry delay', async () => {
    const { streamKey } = await liveKey();
    await sandbox.control.injectFault({ provider: 'agora', operation: 'DeleteStreamKey', count: 1, answer: { status: 429, retryAfterSeconds: 2 } });
    await expect(run(activities.agoraDeleteStreamKey, { ...agoraApp, streamKey })).rejects.toMatchObject({ type: 'ProviderRateLimited', nextRetryDelay: 2000 });
    await expect(run(activities.agoraDeleteStreamKey, { ...agoraApp, streamKey })).resolves.toMatchObject({ outcome: 'done', providerCode: 200 });
    await expect(run(activities.agoraDeleteStreamKey, { ...agoraApp, streamKey })).resolves.toMatchObject({ outcome: 'already-done', providerCode: 404 });
  });

  test('FindSessions sees the live session; ForceDisconnect ends it, then already-done', async () => {
    const { streamKey, channel, sid } = await liveKey();
    await expect(run(activities.agoraFindSessions, { ...agoraApp, streamKey, channel })).resolves.toEqual({ sids: [sid] });
    await expect(run(activities.agoraForceDisconnect, { ...agoraApp, sid })).resolves.toMatchObject({ outcome: 'done', sid });
    await expect(run(activities.agoraForceDisconnect, { ...agoraApp, sid })).resolves.toMatchObject({ outcome: 'already-done', providerCode: 404 });
  });

  test('a 401 from wrong credentials is rejected and names no secret', async () => {
    const wrong = new AgoraClient({ baseUrl: sandbox.url, customerId: DEMO_AGORA_ACCOUNT.customerId, customerSecret: 'wrong-secret-value' });
    const wrongActivities = createActivities({ agoraFor: () => wrong, routeFor: () => undefined });
    const { sid } = await liveKey();
    const failure = (await run(wrongActivities.agoraForceDisconnect, { ...agoraApp, sid }).catch((e: unknown) => e)) as Error & { type: string };
    expect(failure).toMatchObject({ type: 'ProviderRejected', nonRetryable: true });
    expect(failure.message).toContain('401');
    expect(failure.message).not.toContain('wrong-secret-value');
    await wrong.close();
  });

  test('BanUser creates a timed kicking rule the provider lists', async () => {
    const { channel } = await liveKey();
    const ban = await run(activities.agoraBanUser, { appId: DEMO_AGORA_APP_ID, cname: channel, uid: 4242, seconds: 600 });
    expect(ban).toMatchObject({ ruleId: expect.any(Number), attempts: 1 });
    const state = await sandbox.control.state();
    expect(state.agora.kickingRules).toEqual(expect.arrayContaining([expect.objectContaining({ id: ban.ruleId, cname: channel, uid: 4242 })]));
  });
});
