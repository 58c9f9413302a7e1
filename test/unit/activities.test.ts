import { MockActivityEnvironment } from '@temporalio/testing';
import { ApplicationFailure } from '@temporalio/common';
import { createActivities, type ActivityDependencies } from '../../src/activities';
import { ruleSecondsNow } from '../../src/activities/bans';
import { rateLimitBackoffMs, toStepFailure } from '../../src/activities/failures';
import { providerRequestId } from '../../src/activities/steps';
import {
  ProviderRateLimitedError,
  ProviderRejectedError,
  ProviderRequestError,
  ProviderRetryableError,
  ProviderTransportError,
  ProviderUnknownAnswerError,
} from '../../src/providers/errors';
import type { CallOptions } from '../../src/providers/types';
import { PacerError } from '../../src/takedown-worker/pacer';

const fields = { provider: 'zego' as const, operation: 'DeleteStream', providerCode: 7, requestId: 'r-1' };

describe('toStepFailure', () => {
  it('makes rejections non-retryable ProviderRejected failures', () => {
    for (const err of [new ProviderRejectedError('zego DeleteStream answered Code 2', fields), new ProviderRequestError('too many users', fields)]) {
      const failure = toStepFailure(err, 1) as ApplicationFailure;
      expect(failure).toBeInstanceOf(ApplicationFailure);
      expect([failure.type, failure.nonRetryable, failure.message]).toEqual(['ProviderRejected', true, err.message]);
      expect(failure.details?.[0]).toMatchObject({ providerCode: 7, requestId: 'r-1', code: err.code });
    }
  });

  it('retries throttling after Retry-After, or a backoff of at least a second', () => {
    const told = toStepFailure(new ProviderRateLimitedError('agora answered 429', { ...fields, retryAfterMs: 3000 }), 1) as ApplicationFailure;
    expect([told.type, told.nonRetryable, told.nextRetryDelay]).toEqual(['ProviderRateLimited', false, 3000]);
    const untold = toStepFailure(new ProviderRateLimitedError('zego answered 206', fields), 1) as ApplicationFailure;
    expect(untold.nextRetryDelay).toBeGreaterThanOrEqual(1000);
    expect(rateLimitBackoffMs(1, () => 0)).toBe(1000);
    expect(rateLimitBackoffMs(3, () => 0)).toBe(4000);
    expect(rateLimitBackoffMs(20, () => 0.999)).toBe(10_499);
  });

  it('retries transient, unknown and transport failures with plain backoff', () => {
    for (const err of [
      new ProviderRetryableError('busy', fields),
      new ProviderTransportError('socket closed', fields),
      new ProviderUnknownAnswerError('odd code', { ...fields, raw: '{"Code":7}' }),
    ]) {
      const failure = toStepFailure(err, 2) as ApplicationFailure;
      expect([failure.type, failure.nonRetryable, failure.nextRetryDelay]).toEqual(['ProviderTransient', false, undefined]);
    }
  });

  it('leaves errors that are not provider errors alone (cancellation, bugs)', () => {
    const abort = new DOMException('aborted', 'AbortError');
    expect(toStepFailure(abort, 1)).toBe(abort);
  });
});

describe('ruleSecondsNow', () => {
  const now = Date.parse('2026-12-01T12:00:00Z');
  it('asks for the full length when the rule has no end to keep', () => {
    expect(ruleSecondsNow({ seconds: 20 }, 1, now)).toBe(20);
  });
  it('cuts a late attempt to the seconds left before the ban ends, rounded up', () => {
    expect(ruleSecondsNow({ seconds: 20, untilMs: now + 12_300 }, 1, now)).toBe(13);
  });
  it('keeps the cap when the ban ends after it, and the provider minimum when the end has passed', () => {
    expect(ruleSecondsNow({ seconds: 20, untilMs: now + 90_000 }, 1, now)).toBe(20);
    expect(ruleSecondsNow({ seconds: 20, untilMs: now - 5_000 }, 10, now)).toBe(10);
  });
});

describe('providerRequestId', () => {
  const info = { workflowExecution: { workflowId: 'wf', runId: 'run' }, activityId: '3', attempt: 1 };
  it('is a UUID-shaped id, stable for one attempt and different for the next', () => {
    const id = providerRequestId(info);
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-8[0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(providerRequestId(info)).toBe(id);
    expect(providerRequestId({ ...info, attempt: 2 })).not.toBe(id);
  });
});

describe('activities', () => {
  const route = { queues: { DeleteStream: 'q', StopMix: 'q2', KickoutUser: 'q3', DescribeSimpleStreamList: 'q4', ForbidRule: 'q5' }, retry: { initialInterval: '1s', maximumInterval: '2s', maximumAttempts: 2, budget: '1m' } } as const;
  function deps(overrides: Partial<ActivityDependencies> = {}): ActivityDependencies {
    return { agoraFor: () => undefined, routeFor: () => undefined, ...overrides };
  }

  it('returns a step record with the attempt number and the provider request id', async () => {
    const calls: CallOptions[] = [];
    const zego = {
      hasApp: (appId: number) => appId === 5,
      deleteStream: async (_appId: number, _input: unknown, options: CallOptions) => {
        calls.push(options);
        return { outcome: 'already-done' as const, providerCode: 138, requestId: 'zego-req' };
      },
    };
    const activities = createActivities(deps({ zego: zego as never }));
    const env = new MockActivityEnvironment({ attempt: 3 });
    const step = await env.run(activities.zegoDeleteStream, { appId: 5, roomId: 'r', streamId: 's' });
    expect(step).toEqual({ action: 'DeleteStream', outcome: 'already-done', attempts: 3, providerRequestId: 'zego-req', providerCode: 138 });
    expect(calls[0]?.signal).toBeInstanceOf(AbortSignal);
    expect(calls[0]?.requestId).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('fails InvalidRequest for an app without credentials, before any call', async () => {
    const activities = createActivities(deps({ zego: { hasApp: () => false } as never }));
    const env = new MockActivityEnvironment();
    await expect(env.run(activities.zegoKickoutUser, { appId: 9, roomId: 'r', userIds: ['u'] })).rejects.toMatchObject({
      type: 'InvalidRequest',
      message: 'no credentials configured for ZEGO app 9',
      nonRetryable: true,
    });
    await expect(env.run(activities.resolveRoute, 'agora' as const, 'x')).rejects.toMatchObject({ type: 'InvalidRequest', message: 'no credentials configured for Agora app x' });
  });

  it('resolves the route from the worker configuration', async () => {
    const activities = createActivities(deps({ routeFor: (provider, appId) => (provider === 'zego' && appId === '5' ? route : undefined) }));
    await expect(new MockActivityEnvironment().run(activities.resolveRoute, 'zego' as const, '5')).resolves.toEqual(route);
  });

  it('heartbeats while a ban places its rule, so a dead worker\'s attempt is retried after the heartbeat timeout', async () => {
    const joined = { workflowId: 'ban/zego/5/r/u', expiresAt: '2026-12-01T13:00:00.000Z', step: { action: 'ForbidUser' as const, outcome: 'done' as const, attempts: 1 } };
    const bans = { join: async () => (await new Promise((resolve) => setTimeout(resolve, 2_300)), joined) };
    const env = new MockActivityEnvironment();
    let beats = 0;
    env.on('heartbeat', () => beats++);
    const subject = { provider: 'zego' as const, appId: 5, scope: 'room' as const, roomId: 'r', userId: 'u' };
    await expect(env.run(createActivities(deps({ bans })).joinBan, { subject, strike: { violationId: 'v', duration: '1h' } } as never)).resolves.toEqual(joined);
    expect(beats).toBe(2);
  });

  it('keeps only the sessions of the stream key', async () => {
    const agora = {
      listOnlineStreams: async () => ({
        outcome: 'done' as const,
        providerCode: 200,
        sessions: [
          { sid: 'a', url: 'host:1935/live/the-key' },
          { sid: 'b', url: 'host/live/other-key' },
          { sid: 'c', url: 'host/live/the-key' },
        ],
      }),
    };
    const activities = createActivities(deps({ agoraFor: () => agora as never }));
    const found = await new MockActivityEnvironment().run(activities.agoraFindSessions, { appId: 'a', region: 'na' as const, streamKey: 'the-key' });
    expect(found).toEqual({ sids: ['a', 'c'] });
  });

  it('waits for the call slot of its task queue before calling the provider', async () => {
    const events: string[] = [];
    const zego = {
      hasApp: () => true,
      deleteStream: async () => {
        events.push('call');
        return { outcome: 'done' as const, providerCode: 0 };
      },
    };
    const pacer = {
      awaitSlot: async (queue: string) => {
        events.push(`slot on ${queue}`);
        return { waitedMs: 5, reservations: 1 };
      },
      holdOff: async () => {},
    };
    const activities = createActivities(deps({ zego: zego as never, pacer }));
    await new MockActivityEnvironment({ taskQueue: 'takedown/zego/5/DeleteStream' }).run(activities.zegoDeleteStream, { appId: 5, roomId: 'r', streamId: 's' });
    expect(events).toEqual(['slot on takedown/zego/5/DeleteStream', 'call']);
  });

  it("waits for its app's pacer on a shared queue, found from the task's fairness key", async () => {
    const slots: string[] = [];
    const zego = { hasApp: () => true, deleteStream: async () => ({ outcome: 'done' as const, providerCode: 0 }) };
    const pacer = {
      awaitSlot: async (paceKey: string) => {
        slots.push(paceKey);
        return { waitedMs: 0, reservations: 1 };
      },
      holdOff: async () => {},
    };
    const paceKeyFor = (taskQueue: string, fairnessKey: string | undefined) => `${taskQueue} under ${fairnessKey}`;
    const activities = createActivities(deps({ zego: zego as never, pacer, paceKeyFor }));
    await new MockActivityEnvironment({ taskQueue: 'takedown/zego/DeleteStream', priority: { fairnessKey: '5' } }).run(activities.zegoDeleteStream, { appId: 5, roomId: 'r', streamId: 's' });
    expect(slots).toEqual(['takedown/zego/DeleteStream under 5']);
  });

  it('fails the attempt retryably, sending nothing, when no call slot can be had', async () => {
    let called = false;
    const zego = { hasApp: () => true, deleteStream: async () => ((called = true), { outcome: 'done' as const, providerCode: 0 }) };
    const pacer = {
      awaitSlot: async () => {
        throw new PacerError('could not reserve a provider call slot on q: connection refused');
      },
      holdOff: async () => {},
    };
    const activities = createActivities(deps({ zego: zego as never, pacer }));
    await expect(new MockActivityEnvironment().run(activities.zegoDeleteStream, { appId: 5, roomId: 'r', streamId: 's' })).rejects.toMatchObject({
      type: 'PacerUnavailable',
      nonRetryable: false,
      message: 'could not reserve a provider call slot on q: connection refused',
    });
    expect(called).toBe(false);
  });

  it('holds off every worker on the queue for as long as a throttled attempt waits to retry', async () => {
    const holdOffs: [string, number][] = [];
    const agora = {
      deleteStreamKey: async () => {
        throw new ProviderRateLimitedError('agora DeleteStreamKey answered HTTP 429', { provider: 'agora', operation: 'DeleteStreamKey', providerCode: 429, retryAfterMs: 3_000 });
      },
    };
    const pacer = { awaitSlot: async () => ({ waitedMs: 0, reservations: 1 }), holdOff: async (queue: string, untilMs: number) => void holdOffs.push([queue, untilMs]) };
    const activities = createActivities(deps({ agoraFor: () => agora as never, pacer }));
    const before = Date.now();
    await expect(
      new MockActivityEnvironment({ taskQueue: 'takedown/agora/a/delete' }).run(activities.agoraDeleteStreamKey, { appId: 'a', region: 'na' as const, streamKey: 'k' }),
    ).rejects.toMatchObject({ type: 'ProviderRateLimited', nextRetryDelay: 3_000 });
    expect(holdOffs).toHaveLength(1);
    expect(holdOffs[0]![0]).toBe('takedown/agora/a/delete');
    expect(holdOffs[0]![1] - before).toBeGreaterThanOrEqual(3_000);
    expect(holdOffs[0]![1] - Date.now()).toBeLessThanOrEqual(3_000);
  });

  it("heartbeats through a long call, carrying the previous attempt's last answer", async () => {
    const zego = {
      hasApp: () => true,
      deleteStream: async () => {
        // Keep-alive ticks at 1 s and 2 s; half a second either side of the answer.
        await new Promise((resolve) => setTimeout(resolve, 2_500));
        return { outcome: 'done' as const, providerCode: 0 };
      },
    };
    const env = new MockActivityEnvironment({ attempt: 2, heartbeatDetails: { lastAnswer: 'zego DeleteStream answered Code 1' } });
    const beats: unknown[] = [];
    env.on('heartbeat', (details: unknown) => beats.push(details));
    await env.run(createActivities(deps({ zego: zego as never })).zegoDeleteStream, { appId: 5, roomId: 'r', streamId: 's' });
    expect(beats).toEqual([{ lastAnswer: 'zego DeleteStream answered Code 1' }, { lastAnswer: 'zego DeleteStream answered Code 1' }]);
  });

  it('sends no heartbeat for a call answered within a second', async () => {
    const zego = { hasApp: () => true, deleteStream: async () => ({ outcome: 'done' as const, providerCode: 0 }) };
    const env = new MockActivityEnvironment();
    const beats: unknown[] = [];
    env.on('heartbeat', (details: unknown) => beats.push(details));
    await env.run(createActivities(deps({ zego: zego as never })).zegoDeleteStream, { appId: 5, roomId: 'r', streamId: 's' });
    expect(beats).toEqual([]);
  });

  it('turns a provider rejection into a non-retryable ProviderRejected failure', async () => {
    const agora = {
      forceDisconnect: async () => {
        throw new ProviderRejectedError('agora ForceDisconnect answered HTTP 403', { provider: 'agora', operation: 'ForceDisconnect', providerCode: 403 });
      },
    };
    const activities = createActivities(deps({ agoraFor: () => agora as never }));
    await expect(new MockActivityEnvironment().run(activities.agoraForceDisconnect, { appId: 'a', region: 'na' as const, sid: 's' })).rejects.toMatchObject({
      type: 'ProviderRejected',
      nonRetryable: true,
      message: 'agora ForceDisconnect answered HTTP 403',
    });
  });
});
