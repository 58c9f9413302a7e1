/**
 * The intake end to end: signed verdicts in over HTTP, takedowns out through the real worker, and
 * the provider calls in the sandbox's request log.
 */
import { takedownWorkflowId } from '../../src/client';
import { DEMO_AGORA_APP_ID, DEMO_ZEGO_APP } from '../../src/sandbox/demo-accounts';
import type { TakedownRequest } from '../../src/workflows/request';
import type { TakedownResult } from '../../src/workflows/types';
import { eventually, uniqueName } from '../harness/temporal';
import { signedDecision, zegoCensorResult, zegoSignature } from '../unit/intake/senders';
import { type IntakeStack, TemporalRelay, startIntakeStack } from './intake-stack';

const zegoAppId = DEMO_ZEGO_APP.appId;
const policy = {
  rules: [
    { source: 'zego-censor', match: { riskLevel: 'REJECT', label: 'ad' }, action: 'takedown', shadow: true },
    { source: 'zego-censor', match: { riskLevel: 'REJECT' }, action: 'takedown' },
    { source: 'activefence', match: { category: 'violence' }, action: 'takedown', agoraAppId: DEMO_AGORA_APP_ID },
    { source: 'hive', match: { class: 'general_nsfw', minScore: 0.9 }, action: 'takedown', agoraAppId: DEMO_AGORA_APP_ID },
    { source: '*', action: 'ignore' },
  ],
};

let s: IntakeStack;
beforeAll(async () => {
  s = await startIntakeStack({ policy });
});
afterAll(async () => {
  await s?.teardown();
});

async function seedZegoRoom() {
  const roomId = uniqueName('room');
  const streamId = uniqueName('stream');
  await s.stack.sandbox.control.seedZego({ appId: zegoAppId, rooms: [{ roomId, users: ['host-1', 'viewer-1'], streams: [{ streamId, userId: 'host-1' }] }] });
  const request: TakedownRequest = { violationId: uniqueName('clf'), reason: 'violent content (score 0.97)', target: { provider: 'zego', appId: zegoAppId, roomId, streamId, userId: 'host-1' } };
  return { roomId, streamId, request };
}

async function zegoCallsFor(roomId: string) {
  return (await s.stack.sandbox.control.requests({ provider: 'zego' })).filter((r) => r.params.roomId === roomId);
}

function resultOf(workflowId: string, runId: string): Promise<TakedownResult> {
  return s.stack.client.workflow.getHandle(workflowId, runId).result();
}

async function exists(workflowId: string): Promise<boolean> {
  try {
    await s.stack.client.workflow.getHandle(workflowId).describe();
    return true;
  } catch (err) {
    if ((err as Error).name === 'WorkflowNotFoundError') return false;
    throw err;
  }
}

describe('POST /v1/decisions', () => {
  test('a signed decision on a ZEGO stream: 202, then DeleteStream and KickoutUser in that order', async () => {
    const { roomId, request } = await seedZegoRoom();
    const answer = await s.decision(request);
    expect(answer.status).toBe(202);
    expect(answer.body).toEqual({ workflowId: takedownWorkflowId(request.target), runId: expect.any(String), started: true });
    const result = await resultOf(answer.body.workflowId!, answer.body.runId!);
    expect(result.outcome).toBe('enforced');
    const calls = await zegoCallsFor(roomId);
    expect(calls.map((r) => r.operation)).toEqual(['DeleteStream', 'KickoutUser']);
    expect(calls[1]!.at).toBeGreaterThanOrEqual(calls[0]!.answeredAt);
  });

  test('a signed decision on an Agora Media Gateway key: the key is deleted, then its session disconnected', async () => {
    const streamKey = uniqueName('key');
    const channel = uniqueName('channel');
    const { sessions } = await s.stack.sandbox.control.seedAgora({ appId: DEMO_AGORA_APP_ID, region: 'na', streamKeys: [{ streamKey, channel, uid: '1001' }] });
    const request: TakedownRequest = { violationId: uniqueName('clf'), target: { provider: 'agora', appId: DEMO_AGORA_APP_ID, region: 'na', streamKey, channel } };
    const answer = await s.decision(request);
    expect([answer.status, answer.body.started, answer.body.workflowId]).toEqual([202, true, takedownWorkflowId(request.target)]);
    expect(answer.body.workflowId).not.toContain(streamKey);
    const result = await resultOf(answer.body.workflowId!, answer.body.runId!);
    expect(result.steps.map((st) => [st.action, st.outcome])).toEqual([['DeleteStreamKey', 'done'], ['ForceDisconnect', 'done']]);
    const writes = (await s.stack.sandbox.control.requests({ provider: 'agora' })).filter((r) => r.method === 'DELETE' && (r.params.streamKey === streamKey || r.params.sid === sessions[0]!.sid));
    expect(writes.map((r) => r.operation)).toEqual(['DeleteStreamKey', 'ForceDisconnect']);
  });

  test('an invalid takedown request is 400 with every problem, and starts nothing', async () => {
    const answer = await s.decision({ violationId: '', target: { provider: 'zego', appId: 'x', roomId: 'r', streamId: 's', userId: 'u' } });
    expect(answer.status).toBe(400);
    expect(answer.body).toEqual({ error: 'invalid takedown request', code: 'invalid-request', problems: ['violationId: must not be empty', 'target.appId: must be a number'] });
    expect(await exists('takedown/zego/x/r/s')).toBe(false);
  });
});

describe('de-duplication by source key', () => {
  test('the same delivery twice starts one takedown; the second answers started: false with the same run', async () => {
    const { roomId, request } = await seedZegoRoom();
    const first = await s.decision(request, { id: 'msg-dup-1' });
    const second = await s.decision(request, { id: 'msg-dup-1' });
    expect([first.body.started, second.body.started]).toEqual([true, false]);
    expect(second.body.runId).toBe(first.body.runId);
    await resultOf(first.body.workflowId!, first.body.runId!);
    expect((await zegoCallsFor(roomId)).filter((r) => r.operation === 'DeleteStream')).toHaveLength(1);
  });

  test('twenty copies at once start one workflow, and a copy after it completed still starts nothing', async () => {
    const { roomId, request } = await seedZegoRoom();
    // A slow provider keeps the takedown running while the copies arrive.
    await s.stack.sandbox.control.injectFault({ provider: 'zego', operation: 'DeleteStream', count: 1, answer: { latencyMs: 300 } });
    const answers = await Promise.all(Array.from({ length: 20 }, () => s.decision(request)));
    expect(answers.map((a) => a.status)).toEqual(Array(20).fill(202));
    expect(new Set(answers.map((a) => a.body.runId)).size).toBe(1);
    const workflowId = takedownWorkflowId(request.target);
    await resultOf(workflowId, answers[0]!.body.runId!);

    const late = await s.decision(request);
    expect(late.body).toEqual({ workflowId, runId: answers[0]!.body.runId, started: false });
    await eventually(async () => expect(await s.runsOf(workflowId)).toBe(1));
    expect((await zegoCallsFor(roomId)).filter((r) => r.operation === 'DeleteStream')).toHaveLength(1);
  });

  test('by source key, not by target: another violation joins the running takedown, a new one after it ends starts again, and a late copy of the old one still starts nothing', async () => {
    const { request } = await seedZegoRoom();
    const workflowId = takedownWorkflowId(request.target);
    await s.stack.sandbox.control.injectFault({ provider: 'zego', operation: 'DeleteStream', count: 1, answer: { latencyMs: 300 } });
    const a = await s.decision(request);
    const b = await s.decision({ ...request, violationId: `${request.violationId}-b` });
    expect([a.body.started, b.body.started, b.body.runId]).toEqual([true, false, a.body.runId]);
    await resultOf(workflowId, a.body.runId!);

    // The joined violation, delivered again after the run completed, is still that run's.
    const bAgain = await s.decision({ ...request, violationId: `${request.violationId}-b` });
    expect([bAgain.body.started, bAgain.body.runId]).toEqual([false, a.body.runId]);

    const c = await s.decision({ ...request, violationId: `${request.violationId}-c` });
    expect(c.body.started).toBe(true);
    expect(c.body.runId).not.toBe(a.body.runId);
    await resultOf(workflowId, c.body.runId!);
    // A newer run holds the id now: the look-back finds the first one.
    await eventually(async () => expect(await s.runsOf(workflowId)).toBe(2));
    const aLate = await s.decision(request);
    expect([aLate.body.started, aLate.body.runId]).toEqual([false, a.body.runId]);
    const bLate = await s.decision({ ...request, violationId: `${request.violationId}-b` });
    expect([bLate.body.started, bLate.body.runId]).toEqual([false, a.body.runId]);
    expect(await s.runsOf(workflowId)).toBe(2);
  });

  test('ZEGO redelivers a result (same ResultTaskId): one takedown', async () => {
    const { roomId, streamId } = await seedZegoRoom();
    const key = uniqueName('task_s_1');
    const first = await s.zego({ roomId, streamId, userId: 'host-1', resultTaskId: key });
    const again = await s.zego({ roomId, streamId, userId: 'host-1', resultTaskId: key });
    expect([first.status, first.body.started, again.status, again.body.started]).toEqual([202, true, 202, false]);
    expect(again.body.runId).toBe(first.body.runId);
  });
});

describe('signatures: what cannot be verified is 401 and starts nothing', () => {
  let request: TakedownRequest;
  let roomId: string;
  beforeAll(async () => {
    ({ request, roomId } = await seedZegoRoom());
  });

  test.each([
    ['a tampered body', () => ({ tamper: true }), 'bad-credentials'],
    ['a stale timestamp', () => ({ timestampSeconds: Math.floor(Date.now() / 1000) - 600 }), 'stale-signature'],
    ['a wrong key', () => ({ secret: `whsec_${Buffer.alloc(32, 9).toString('base64')}` }), 'bad-credentials'],
  ])('decision with %s', async (_name, make, code) => {
    const o = make() as { tamper?: boolean; timestampSeconds?: number; secret?: string };
    let answer;
    if (o.tamper) {
      const signed = signedDecision(s.secrets.decisionsSecret, request);
      answer = await s.post('/v1/decisions', signed.body.replace(request.violationId, `${request.violationId}x`), signed.headers);
    } else {
      answer = await s.decision(request, o);
    }
    expect([answer.status, answer.body.code]).toEqual([401, code]);
  });

  test('decision with a missing header', async () => {
    const answer = await s.post('/v1/decisions', JSON.stringify(request), { 'webhook-id': 'msg-1', 'webhook-timestamp': String(Math.floor(Date.now() / 1000)) });
    expect(answer.body).toEqual({ error: 'decision: missing webhook-signature header', code: 'missing-credentials' });
    expect(answer.status).toBe(401);
  });

  test("ZEGO: the documented test vector (another secret, a 2016 timestamp), a wrong secret, a stale timestamp and no signature", async () => {
    const t = request.target as { roomId: string; streamId: string };
    const body = { ...zegoCensorResult('secret', { roomId: t.roomId, streamId: t.streamId, userId: 'host-1', resultTaskId: 'vector' }), Nonce: '123412', Timestamp: 1470820198, Signature: zegoSignature('secret', '1470820198', '123412') };
    expect(body.Signature).toBe('5bd59fd62953a8059fb7eaba95720f66d19e4517');
    const vector = await s.post('/zego/censor', JSON.stringify(body));
    expect([vector.status, vector.body.code]).toEqual([401, 'bad-credentials']);
    const wrong = await s.zego({ roomId: t.roomId, streamId: t.streamId, userId: 'host-1', resultTaskId: 'wrong' }, { secret: 'not-the-secret' });
    expect([wrong.status, wrong.body.code]).toEqual([401, 'bad-credentials']);
    const stale = await s.zego({ roomId: t.roomId, streamId: t.streamId, userId: 'host-1', resultTaskId: 'stale', timestampSeconds: Math.floor(Date.now() / 1000) - 600 });
    expect([stale.status, stale.body.code]).toEqual([401, 'stale-signature']);
    const missing = await s.post('/zego/censor', JSON.stringify({ ...body, Signature: undefined }));
    expect([missing.status, missing.body.code]).toEqual([401, 'missing-credentials']);
  });

  test('ActiveFence without or with a wrong key, Hive with a wrong token', async () => {
    const fields = { contentId: uniqueName('c'), reason: 'violence', cname: 'ch', uid: 5 };
    expect((await s.post('/activefence', JSON.stringify(fields))).body.code).toBe('missing-credentials');
    expect((await s.activefence(fields, { apiKey: 'wrong' })).status).toBe(401);
    expect((await s.hive({ id: uniqueName('h'), cname: 'ch', uid: 5, classes: [{ general_nsfw: 0.99 }] }, { token: 'wrong-token-0123456789' })).status).toBe(401);
  });

  test('none of them started a workflow or reached the provider', async () => {
    expect(await exists(takedownWorkflowId(request.target))).toBe(false);
    expect(await zegoCallsFor(roomId)).toEqual([]);
  });
});

describe('POST /zego/censor', () => {
  test('a REJECT result that names its stream: 202, and the stream is taken down in the ZEGO order', async () => {
    const { roomId, streamId } = await seedZegoRoom();
    const answer = await s.zego({ roomId, streamId, userId: 'host-1', resultTaskId: uniqueName('task_s_1') });
    expect(answer.status).toBe(202);
    expect(answer.body).toMatchObject({ action: 'takedown', rule: 1, dryRun: false, started: true, workflowId: `takedown/zego/${zegoAppId}/${roomId}/${streamId}` });
    const result = await resultOf(answer.body.workflowId!, answer.body.runId!);
    expect(result.outcome).toBe('enforced');
    expect(result.violationId).toMatch(/^zego-censor:task_s_1-/);
    expect((await zegoCallsFor(roomId)).map((r) => r.operation)).toEqual(['DeleteStream', 'KickoutUser']);
  });

  test('a shadow rule makes a dry run: the plan is recorded and nothing is written', async () => {
    const { roomId, streamId } = await seedZegoRoom();
    const answer = await s.zego({ roomId, streamId, userId: 'host-1', resultTaskId: uniqueName('task_s_1'), labels: ['ad', 'contact', 'qq'] });
    expect(answer.body).toMatchObject({ action: 'takedown', rule: 0, dryRun: true, started: true });
    const result = await resultOf(answer.body.workflowId!, answer.body.runId!);
    expect(result.outcome).toBe('dry-run');
    expect(result.steps.map((st) => st.outcome)).toEqual(['planned', 'planned']);
    expect(await zegoCallsFor(roomId)).toEqual([]);
  });

  test('a PASS result matches the ignore rule: 200 and nothing started', async () => {
    const { roomId, streamId, request } = await seedZegoRoom();
    const answer = await s.zego({ roomId, streamId, userId: 'host-1', resultTaskId: uniqueName('task'), riskLevel: 'PASS', labels: ['normal'] });
    expect([answer.status, answer.body]).toEqual([200, { action: 'ignore', rule: 4 }]);
    expect(await exists(takedownWorkflowId(request.target))).toBe(false);
  });

  test('an authentic but malformed result is 400 and starts nothing', async () => {
    const signed = zegoCensorResult(s.secrets.zegoCallbackSecret, { roomId: 'r', resultTaskId: 'k' });
    const answer = await s.post('/zego/censor', JSON.stringify({ ...signed, AuxInfo: { RoomId: '' } }));
    expect(answer.status).toBe(400);
    expect(answer.body.problems).toEqual(['AuxInfo.RoomId: must not be empty']);
  });
});

describe('Temporal unreachable', () => {
  test('503 with Retry-After and nothing lost: the retried delivery starts its takedown once Temporal is back', async () => {
    const [host, port] = process.env.TAKEDOWN_TEST_TEMPORAL_ADDRESS!.split(':');
    const relay = new TemporalRelay({ host: host!, port: Number(port) });
    await relay.up();
    await relay.down();
    const cut = await startIntakeStack({ policy, temporalAddress: relay.address, temporalBudgetMs: 1_000 });
    try {
      const room = uniqueName('room');
      const stream = uniqueName('stream');
      await cut.stack.sandbox.control.seedZego({ appId: zegoAppId, rooms: [{ roomId: room, users: ['host-1'], streams: [{ streamId: stream, userId: 'host-1' }] }] });
      const request: TakedownRequest = { violationId: uniqueName('clf'), target: { provider: 'zego', appId: zegoAppId, roomId: room, streamId: stream, userId: 'host-1' } };

      const refused = await cut.decision(request, { id: 'msg-outage' });
      expect(refused.status).toBe(503);
      expect(refused.headers['retry-after']).toBe('5');
      expect(refused.body).toEqual({ error: 'Temporal is not reachable; nothing was started, retry in 5 s', code: 'temporal-unavailable' });
      const zegoBody = await cut.zego({ roomId: room, streamId: stream, userId: 'host-1', resultTaskId: uniqueName('task') });
      expect(zegoBody.status).toBe(503);
      expect(await cut.stack.sandbox.control.requests()).toEqual([]);

      await relay.up();
      // The sender retries (same webhook-id, fresh signature) until it is accepted.
      const accepted = await eventually(async () => {
        const retry = await cut.decision(request, { id: 'msg-outage' });
        expect(retry.status).toBe(202);
        return retry;
      }, 15_000);
      expect(accepted.body.started).toBe(true);
      const result = await cut.stack.client.workflow.getHandle(accepted.body.workflowId!, accepted.body.runId!).result();
      expect(result.outcome).toBe('enforced');
    } finally {
      await cut.teardown();
      await relay.down();
    }
  });
});

describe('the Agora RTC and room-wide ZEGO targets', () => {
  test('an ActiveFence verdict on Agora: one BanUser step (kicking-rule join_channel for cname + uid)', async () => {
    const channel = uniqueName('channel');
    const answer = await s.activefence({ contentId: uniqueName('content'), reason: 'violence', cname: channel, uid: 1001 });
    expect(answer.status).toBe(202);
    expect(answer.body.workflowId).toBe(`takedown/agora/${DEMO_AGORA_APP_ID}/rtc/${channel}/1001`);
    const result = await resultOf(answer.body.workflowId!, answer.body.runId!);
    expect(result.steps.map((st) => st.action)).toEqual(['BanUser']);
    const rules = (await s.stack.sandbox.control.requests({ provider: 'agora' })).filter((r) => r.params.cname === channel);
    expect(rules.map((r) => [r.method, r.params.uid, r.params.privileges, r.params.time_in_seconds])).toEqual([['POST', 1001, ['join_channel'], 0]]);
  });

  test('a Hive verdict on Agora above minScore: the same RTC takedown; below it: ignored', async () => {
    const channel = uniqueName('channel');
    const below = await s.hive({ id: uniqueName('hive'), cname: channel, uid: 7, classes: [{ general_nsfw: 0.5 }] });
    expect([below.status, below.body.action]).toEqual([200, 'ignore']);
    const above = await s.hive({ id: uniqueName('hive'), cname: channel, uid: 7, classes: [{ general_nsfw: 0.95 }] });
    expect(above.body.workflowId).toBe(`takedown/agora/${DEMO_AGORA_APP_ID}/rtc/${channel}/7`);
    const result = await resultOf(above.body.workflowId!, above.body.runId!);
    expect(result.steps.map((st) => st.action)).toEqual(['BanUser']);
  });

  test('a ZEGO result that names only its room takes down every stream of the room', async () => {
    const { roomId, streamId } = await seedZegoRoom();
    const answer = await s.zego({ roomId, resultTaskId: uniqueName('task') });
    expect(answer.body.workflowId).toBe(`takedown/zego/${zegoAppId}/${roomId}`);
    const result = await resultOf(answer.body.workflowId!, answer.body.runId!);
    expect(result.steps.map((st) => st.action)).toEqual(['FindStreams', 'DeleteStream', 'KickoutUser']);
    expect((await zegoCallsFor(roomId)).map((r) => [r.operation, r.params.streamId])).toEqual([
      ['DescribeSimpleStreamList', undefined],
      ['DeleteStream', streamId],
      ['KickoutUser', undefined],
    ]);
  });
});
