import { takedownWorkflowId } from '../../src/client';
import { DEMO_ZEGO_APP } from '../../src/sandbox/demo-accounts';
import { statusQuery } from '../../src/workflows/definitions';
import type { TakedownRequest } from '../../src/workflows/request';
import { TakedownAppId, TakedownOutcome, TakedownProvider, TakedownViolationId } from '../../src/workflows/search-attributes';
import { failureOf, startStack, type Stack } from '../harness/stack';
import { eventually, uniqueName } from '../harness/temporal';

const appId = DEMO_ZEGO_APP.appId;
let stack: Stack;

beforeAll(async () => {
  stack = await startStack();
});
afterAll(async () => {
  await stack?.teardown();
});

async function seed(): Promise<TakedownRequest> {
  const roomId = uniqueName('room');
  const streamId = uniqueName('stream');
  await stack.sandbox.control.seedZego({ appId, rooms: [{ roomId, users: ['host'], streams: [{ streamId, userId: 'host' }] }] });
  return { violationId: uniqueName('clf'), target: { provider: 'zego', appId, roomId, streamId, userId: 'host' } };
}

/** Starts the workflow with a raw client call, as the Temporal CLI would: no client-side validation. */
function startRaw(input: unknown) {
  return stack.env.client.workflow.start('takedown', { taskQueue: stack.config.taskQueue, workflowId: uniqueName('takedown/raw'), args: [input] });
}

test('smoke: a takedown started on the dev server returns the contract result', async () => {
  const request = await seed();
  const handle = await stack.start(request);
  expect(handle.workflowId).toBe(takedownWorkflowId(request.target));
  const result = await handle.result();
  expect(result).toEqual({
    violationId: request.violationId,
    provider: 'zego',
    outcome: 'enforced',
    steps: [
      { action: 'DeleteStream', outcome: 'done', attempts: 1, providerRequestId: expect.any(String), providerCode: 0 },
      { action: 'KickoutUser', outcome: 'done', attempts: 1, providerRequestId: expect.any(String), providerCode: 0 },
    ],
    startedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
    completedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
  });
});

test('invalid input fails as InvalidRequest listing every problem, with no provider request', async () => {
  const before = (await stack.sandbox.control.requests()).length;
  const failure = await failureOf(
    (await startRaw({ violationId: '', reason: 'x'.repeat(300), target: { provider: 'zego', appId: 'abc', roomId: 'r', streamId: 's', userId: 'u', ban: true } })).result(),
  );
  expect(failure.type).toBe('InvalidRequest');
  expect(failure.message).toBe(
    'invalid takedown request: violationId: must not be empty; reason: must be at most 256 UTF-8 bytes; target.appId: must be a number; target: Unrecognized key: "ban"',
  );
  expect(failure.nonRetryable).toBe(true);
  expect((await stack.sandbox.control.requests()).length).toBe(before);
});

test('an app the worker has no credentials for fails as InvalidRequest before any provider call', async () => {
  const before = (await stack.sandbox.control.requests()).length;
  const request = await seed();
  const failure = await failureOf((await startRaw({ ...request, target: { ...request.target, appId: 99 } })).result());
  expect(failure.type).toBe('InvalidRequest');
  expect(failure.message).toContain('no credentials configured for ZEGO app 99');
  expect((await stack.sandbox.control.requests()).length).toBe(before);
});

test('duplicate triggers for one stream join a single execution', async () => {
  const request = await seed();
  await stack.sandbox.control.injectFault({ provider: 'zego', operation: 'DeleteStream', count: 1, answer: { latencyMs: 500 } });
  const handles = await Promise.all([1, 2, 3].map((n) => stack.start({ ...request, violationId: `${request.violationId}-${n}` })));
  expect(new Set(handles.map((h) => h.firstExecutionRunId)).size).toBe(1);
  await handles[0]!.result();
  const deletes = (await stack.sandbox.control.requests({ provider: 'zego', operation: 'DeleteStream' })).filter(
    (r) => r.params.roomId === (request.target as { roomId: string }).roomId,
  );
  expect(deletes).toHaveLength(1);
});

test('the status query and search attributes show the takedown while it runs and after', async () => {
  const request = await seed();
  await stack.sandbox.control.injectFault({ provider: 'zego', operation: 'DeleteStream', count: 1, answer: { latencyMs: 1500 } });
  const handle = await stack.start(request);
  const running = await eventually(async () => {
    const status = await handle.query(statusQuery);
    expect(status.current).toBe('DeleteStream');
    return status;
  });
  expect(running).toMatchObject({ phase: 'running', provider: 'zego', appId: String(appId), violationId: request.violationId, steps: [] });

  await handle.result();
  const done = await handle.query(statusQuery);
  expect(done).toMatchObject({ phase: 'completed', outcome: 'enforced' });
  expect(done.steps.map((s) => s.action)).toEqual(['DeleteStream', 'KickoutUser']);

  const description = await handle.describe();
  expect(description.typedSearchAttributes.get(TakedownProvider)).toBe('zego');
  expect(description.typedSearchAttributes.get(TakedownAppId)).toBe(String(appId));
  expect(description.typedSearchAttributes.get(TakedownViolationId)).toBe(request.violationId);
  expect(description.typedSearchAttributes.get(TakedownOutcome)).toBe('enforced');
  expect(await description.staticSummary()).toContain(request.violationId);
});

describe.each([
  ['attempts run out', { TAKEDOWN_STEP_BUDGET: '1 minute', TAKEDOWN_RETRY_MAXIMUM_ATTEMPTS: '4' }, /^zego DeleteStream did not succeed within the retry budget: zego DeleteStream answered Code 100000015/, [4, 4]],
  // Temporal times the step out, or, when the next backoff would pass the deadline, fails it with the last attempt's error.
  ['time runs out', { TAKEDOWN_STEP_BUDGET: '3s' }, /^zego DeleteStream did not succeed within the retry budget: (timed out \(SCHEDULE_TO_CLOSE\); last answer: )?zego DeleteStream answered Code 100000015/, [1, 10]],
])('when the retry budget runs out (%s)', (_name, env, message, attempts) => {
  let short: Stack;
  beforeAll(async () => {
    short = await startStack({ env });
  });
  afterAll(async () => {
    await short?.teardown();
  });

  test('a provider that stays down ends in ProviderUnavailable naming provider, action and code', async () => {
    const roomId = uniqueName('room');
    const streamId = uniqueName('stream');
    await short.sandbox.control.seedZego({ appId, rooms: [{ roomId, users: ['host'], streams: [{ streamId, userId: 'host' }] }] });
    await short.sandbox.control.injectFault({ provider: 'zego', operation: 'DeleteStream', count: 100, answer: { zegoCode: 100000015 } });
    const handle = await short.start({ violationId: uniqueName('clf'), target: { provider: 'zego', appId, roomId, streamId, userId: 'host' } });
    const failure = await failureOf(handle.result());
    expect(failure.type).toBe('ProviderUnavailable');
    expect(failure.message).toMatch(message);
    const deletes = await short.sandbox.control.requests({ provider: 'zego', operation: 'DeleteStream' });
    expect(deletes.length).toBeGreaterThanOrEqual(attempts[0]!);
    expect(deletes.length).toBeLessThanOrEqual(attempts[1]!);
    expect(await short.sandbox.control.requests({ provider: 'zego', operation: 'KickoutUser' })).toEqual([]);
    expect((await handle.describe()).typedSearchAttributes.get(TakedownOutcome)).toBe('ProviderUnavailable');
  });
});

describe('with a wrong ZEGO server secret', () => {
  let wrong: Stack;
  beforeAll(async () => {
    wrong = await startStack({ env: { ZEGO_SERVER_SECRET: 'ffffffffffffffffffffffffffffffff' } });
  });
  afterAll(async () => {
    await wrong?.teardown();
  });

  test('the signature is refused (100000005): ProviderRejected at the first attempt, secret never shown', async () => {
    const roomId = uniqueName('room');
    await wrong.sandbox.control.seedZego({ appId, rooms: [{ roomId, users: ['host'], streams: [{ streamId: 's', userId: 'host' }] }] });
    const handle = await wrong.start({ violationId: uniqueName('clf'), target: { provider: 'zego', appId, roomId, streamId: 's', userId: 'host' } });
    const failure = await failureOf(handle.result());
    expect(failure.type).toBe('ProviderRejected');
    expect(failure.message).toMatch(/^zego DeleteStream answered Code 100000005/);
    expect(JSON.stringify(await handle.fetchHistory())).not.toContain('ffffffffffffffffffffffffffffffff');
    expect(await wrong.sandbox.control.requests({ provider: 'zego' })).toHaveLength(1);
  });
});
