import { DEMO_AGORA_APP_ID } from '../../src/sandbox/demo-accounts';
import type { TakedownRequest } from '../../src/workflows/request';
import { startStack, type Stack } from '../harness/stack';
import { eventually, uniqueName } from '../harness/temporal';

const appId = DEMO_AGORA_APP_ID;
const region = 'na';
let stack: Stack;

beforeAll(async () => {
  stack = await startStack();
});
afterAll(async () => {
  await stack?.teardown();
});

async function seedLiveKey(options: { live?: boolean } = {}) {
  const streamKey = uniqueName('key');
  const channel = uniqueName('channel');
  const { sessions } = await stack.sandbox.control.seedAgora({
    appId,
    region,
    streamKeys: [{ streamKey, channel, uid: '1001', live: options.live ?? true, port: true }],
  });
  const request: TakedownRequest = { violationId: uniqueName('clf'), target: { provider: 'agora', appId, region, streamKey, channel } };
  return { streamKey, channel, sids: sessions.map((s) => s.sid), request };
}

/** Requests about this key: by key, by channel, or by any session the key's encoder ever had. */
async function requestsFor(streamKey: string, channel: string) {
  const log = await stack.sandbox.control.requests({ provider: 'agora' });
  const { encoderEvents } = await stack.sandbox.control.state();
  const sids = new Set(encoderEvents.filter((e) => e.streamKey === streamKey).map((e) => e.sid));
  return log.filter((r) => r.params.streamKey === streamKey || r.params.channel === channel || (r.params.sid && sids.has(r.params.sid)));
}

async function liveSessionsOf(streamKey: string) {
  const state = await stack.sandbox.control.state();
  return state.agora.sessions.filter((s: { streamKey: string }) => s.streamKey === streamKey);
}

test('deletes the stream key, then disconnects the live session; the encoder cannot come back', async () => {
  const { streamKey, channel, sids, request } = await seedLiveKey();
  const result = await (await stack.start(request)).result();

  expect(result.outcome).toBe('enforced');
  expect(result.steps.map((s) => [s.action, s.outcome, s.attempts, s.sid])).toEqual([
    ['DeleteStreamKey', 'done', 1, undefined],
    ['ForceDisconnect', 'done', 1, sids[0]],
  ]);
  const writes = (await requestsFor(streamKey, channel)).filter((r) => r.method === 'DELETE');
  expect(writes.map((r) => r.operation)).toEqual(['DeleteStreamKey', 'ForceDisconnect']);
  expect(writes[1]!.at).toBeGreaterThanOrEqual(writes[0]!.answeredAt);

  // The encoder tried to reconnect after the disconnect and was refused: the key is gone.
  await eventually(async () => {
    const { encoderEvents } = await stack.sandbox.control.state();
    expect(encoderEvents.filter((e: { streamKey: string }) => e.streamKey === streamKey).map((e: { event: string }) => e.event)).toContain('reconnect-refused');
  });
  expect(await liveSessionsOf(streamKey)).toEqual([]);
  expect(result.steps.every((s) => !JSON.stringify(s).includes(streamKey))).toBe(true);
});

test('a key and session already gone end as already-enforced (404)', async () => {
  const { request } = await seedLiveKey({ live: false });
  const result = await (await stack.start({ ...request, target: { ...request.target, sid: 'gone-session' } as TakedownRequest['target'] })).result();
  expect(result.steps.map((s) => [s.action, s.outcome, s.providerCode])).toEqual([
    ['DeleteStreamKey', 'done', 200],
    ['ForceDisconnect', 'already-done', 404],
  ]);
  const again = await (await stack.start({ ...request, violationId: uniqueName('clf'), target: { ...request.target, sid: 'gone-session' } as TakedownRequest['target'] })).result();
  expect(again.outcome).toBe('already-enforced');
  expect(again.steps.map((s) => [s.action, s.outcome])).toEqual([
    ['DeleteStreamKey', 'already-done'],
    ['ForceDisconnect', 'already-done'],
  ]);
});

test('a session that reconnected under a new sid before the key deletion is found and disconnected', async () => {
  const { streamKey, sids, request } = await seedLiveKey();
  await stack.sandbox.control.reconnectEncoder({ appId, region, streamKey });
  const newSession = (await liveSessionsOf(streamKey))[0]!;
  expect(newSession.sid).not.toBe(sids[0]);

  const result = await (await stack.start({ ...request, target: { ...request.target, sid: sids[0] } as TakedownRequest['target'] })).result();
  expect(result.steps.map((s) => [s.action, s.outcome, s.sid])).toEqual([
    ['DeleteStreamKey', 'done', undefined],
    ['ForceDisconnect', 'already-done', sids[0]],
    ['ForceDisconnect', 'done', newSession.sid],
  ]);
  expect(await liveSessionsOf(streamKey)).toEqual([]);
});

test('429 with Retry-After and 503 are retried; the order still holds', async () => {
  const { streamKey, channel, request } = await seedLiveKey();
  await stack.sandbox.control.injectFault({ provider: 'agora', operation: 'DeleteStreamKey', count: 1, answer: { status: 429, retryAfterSeconds: 1 } });
  await stack.sandbox.control.injectFault({ provider: 'agora', operation: 'ForceDisconnect', count: 2, answer: { status: 503 } });
  const result = await (await stack.start(request)).result();
  expect(result.steps.map((s) => [s.action, s.outcome, s.attempts])).toEqual([
    ['DeleteStreamKey', 'done', 2],
    ['ForceDisconnect', 'done', 3],
  ]);
  const writes = (await requestsFor(streamKey, channel)).filter((r) => r.method === 'DELETE');
  expect(writes.map((r) => [r.operation, r.status])).toEqual([
    ['DeleteStreamKey', 429],
    ['DeleteStreamKey', 200],
    ['ForceDisconnect', 503],
    ['ForceDisconnect', 503],
    ['ForceDisconnect', 200],
  ]);
  // Retry-After: 1 means the second key deletion waited about a second after the first answer.
  expect(writes[1]!.at - writes[0]!.answeredAt).toBeGreaterThanOrEqual(900);
});

test('a 403 fails the takedown as ProviderRejected without disconnecting', async () => {
  const { streamKey, channel, request } = await seedLiveKey();
  await stack.sandbox.control.injectFault({ provider: 'agora', operation: 'DeleteStreamKey', count: 1, answer: { status: 403 } });
  const handle = await stack.start(request);
  await expect(handle.result()).rejects.toMatchObject({ cause: { type: 'ProviderRejected' } });
  const err = (await handle.result().catch((e: { cause: Error }) => e.cause)) as Error;
  expect(err.message).toContain('agora DeleteStreamKey');
  expect(err.message).toContain('403');
  expect(err.message).not.toContain(streamKey);
  expect((await requestsFor(streamKey, channel)).map((r) => r.operation)).toEqual(['DeleteStreamKey']);
});

test('dry run lists the sessions it would end and writes nothing', async () => {
  const { streamKey, channel, sids, request } = await seedLiveKey();
  const result = await (await stack.start({ ...request, dryRun: true })).result();
  expect(result.outcome).toBe('dry-run');
  expect(result.steps.map((s) => [s.action, s.outcome, s.sid])).toEqual([
    ['DeleteStreamKey', 'planned', undefined],
    ['ForceDisconnect', 'planned', sids[0]],
  ]);
  expect((await requestsFor(streamKey, channel)).filter((r) => r.method !== 'GET')).toEqual([]);
  expect(await liveSessionsOf(streamKey)).toHaveLength(1);
});
