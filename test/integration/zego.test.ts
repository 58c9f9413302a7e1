import { DEMO_ZEGO_APP } from '../../src/sandbox/demo-accounts';
import type { TakedownRequest } from '../../src/workflows/request';
import { TakedownOutcome } from '../../src/workflows/search-attributes';
import { failureOf, startStack, type Stack } from '../harness/stack';
import { uniqueName } from '../harness/temporal';

const appId = DEMO_ZEGO_APP.appId;
let stack: Stack;

beforeAll(async () => {
  stack = await startStack();
});
afterAll(async () => {
  await stack?.teardown();
});

/** A room with the violating host streaming, a viewer, and one mix task fed by the stream. */
async function seedLiveRoom() {
  const roomId = uniqueName('room');
  const streamId = uniqueName('stream');
  await stack.sandbox.control.seedZego({
    appId,
    rooms: [{ roomId, users: ['host-42', 'viewer-1'], streams: [{ streamId, userId: 'host-42' }] }],
    mixTasks: [{ taskId: `${roomId}-mix`, ownerUserId: 'mix-owner', inputStreamIds: [streamId] }],
  });
  const request: TakedownRequest = {
    violationId: uniqueName('clf'),
    reason: 'violent content (score 0.97) — é',
    target: { provider: 'zego', appId, roomId, streamId, userId: 'host-42', mixTasks: [{ taskId: `${roomId}-mix`, userId: 'mix-owner' }] },
  };
  return { roomId, streamId, request };
}

async function requestsFor(roomId: string, taskId = `${roomId}-mix`) {
  const log = await stack.sandbox.control.requests({ provider: 'zego' });
  return log.filter((r) => r.params.roomId === roomId || r.params.taskId === taskId);
}

test('deletes the stream, stops its mix, then kicks the publisher, in that order', async () => {
  const { roomId, streamId, request } = await seedLiveRoom();
  const result = await (await stack.start(request)).result();

  expect(result.outcome).toBe('enforced');
  expect(result.steps.map((s) => [s.action, s.outcome, s.attempts])).toEqual([
    ['DeleteStream', 'done', 1],
    ['StopMix', 'done', 1],
    ['KickoutUser', 'done', 1],
  ]);
  expect(result.steps[0]?.providerRequestId).toEqual(expect.any(String));

  const log = await requestsFor(roomId);
  expect(log.map((r) => r.operation)).toEqual(['DeleteStream', 'StopMix', 'KickoutUser']);
  expect(log.every((r, i) => i === 0 || r.at >= log[i - 1]!.answeredAt)).toBe(true);
  expect(log[0]?.params).toMatchObject({ roomId, streamId, userId: 'takedown-operator' });
  expect(log[2]?.params).toMatchObject({ roomId, userIds: ['host-42'] });

  const state = await stack.sandbox.control.state();
  const room = state.zego[String(appId)]?.rooms[roomId];
  expect(room?.users).toEqual(['viewer-1']);
  expect(room?.streams ?? {}).toEqual({});
});

test('a stream that is already gone counts as already done (138)', async () => {
  const { roomId, request } = await seedLiveRoom();
  const first = await (await stack.start(request)).result();
  expect(first.outcome).toBe('enforced');

  const again = await (await stack.start({ ...request, violationId: uniqueName('clf') })).result();
  expect(again.steps.map((s) => [s.action, s.outcome, s.providerCode])).toEqual([
    ['DeleteStream', 'already-done', 138],
    ['StopMix', 'already-done', 110209001],
    ['KickoutUser', 'done', 0],
  ]);
  expect((await requestsFor(roomId)).filter((r) => r.operation === 'DeleteStream')).toHaveLength(2);
});

test('transient provider codes are retried with a fresh signature until they succeed', async () => {
  const { roomId, request } = await seedLiveRoom();
  await stack.sandbox.control.injectFault({ provider: 'zego', operation: 'DeleteStream', count: 2, answer: { zegoCode: 1 } });
  await stack.sandbox.control.injectFault({ provider: 'zego', operation: 'KickoutUser', count: 1, answer: { zegoCode: 206 } });

  const result = await (await stack.start(request)).result();
  expect(result.steps.map((s) => [s.action, s.outcome, s.attempts])).toEqual([
    ['DeleteStream', 'done', 3],
    ['StopMix', 'done', 1],
    ['KickoutUser', 'done', 2],
  ]);
  const deletes = (await requestsFor(roomId)).filter((r) => r.operation === 'DeleteStream');
  expect(deletes.map((r) => r.code)).toEqual([1, 1, 0]);
  const nonces = new Set(deletes.map((r) => r.params.signatureNonce));
  expect(nonces.size).toBe(3);
});

test('a dropped connection is retried', async () => {
  const { roomId, request } = await seedLiveRoom();
  await stack.sandbox.control.injectFault({ provider: 'zego', operation: 'StopMix', count: 1, answer: { drop: true } });
  const result = await (await stack.start(request)).result();
  expect(result.steps[1]).toMatchObject({ action: 'StopMix', outcome: 'done', attempts: 2 });
  expect((await requestsFor(roomId)).map((r) => r.operation)).toEqual(['DeleteStream', 'StopMix', 'StopMix', 'KickoutUser']);
});

test('a rejected step fails the takedown at once and no later step runs', async () => {
  const { roomId, request } = await seedLiveRoom();
  const target = { ...request.target, mixTasks: [{ taskId: `${roomId}-mix`, userId: 'not-the-owner' }] } as TakedownRequest['target'];
  const handle = await stack.start({ ...request, target });
  const failure = await failureOf(handle.result());

  expect(failure.type).toBe('ProviderRejected');
  expect(failure.message).toContain('zego StopMix');
  expect(failure.message).toContain('110200160');
  const log = await requestsFor(roomId);
  expect(log.map((r) => r.operation)).toEqual(['DeleteStream', 'StopMix']);
  const description = await handle.describe();
  expect(description.typedSearchAttributes.get(TakedownOutcome)).toBe('ProviderRejected');
});

test('kick: false stops after the mix and records the kick as skipped', async () => {
  const { roomId, request } = await seedLiveRoom();
  const result = await (await stack.start({ ...request, target: { ...request.target, kick: false } as TakedownRequest['target'] })).result();
  expect(result.steps.map((s) => [s.action, s.outcome])).toEqual([
    ['DeleteStream', 'done'],
    ['StopMix', 'done'],
    ['KickoutUser', 'skipped'],
  ]);
  expect((await requestsFor(roomId)).map((r) => r.operation)).toEqual(['DeleteStream', 'StopMix']);
});

test('dry run plans every step and sends no request', async () => {
  const { roomId, request } = await seedLiveRoom();
  const result = await (await stack.start({ ...request, dryRun: true })).result();
  expect(result.outcome).toBe('dry-run');
  expect(result.steps.map((s) => [s.action, s.outcome, s.attempts])).toEqual([
    ['DeleteStream', 'planned', 0],
    ['StopMix', 'planned', 0],
    ['KickoutUser', 'planned', 0],
  ]);
  expect(await requestsFor(roomId)).toEqual([]);
});
