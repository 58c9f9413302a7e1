/**
 * The takedown workflow: validate, resolve where the provider calls run, then run the provider's
 * steps strictly in order, keeping a status that the `status` query, search attributes and the
 * Web UI's current details show.
 */
import {
  ActivityFailure,
  ApplicationFailure,
  TimeoutFailure,
  log,
  metricMeter,
  proxyActivities,
  proxyLocalActivities,
  setCurrentDetails,
  setHandler,
  upsertSearchAttributes,
} from '@temporalio/workflow';
import type { TakedownActivities } from '../activities';
import { statusQuery } from './definitions';
import { type AgoraTarget, type ValidTakedownRequest, type ZegoTarget, validateTakedownRequest } from './request';
import { TakedownAppId, TakedownOutcome as OutcomeAttribute, TakedownProvider, TakedownViolationId } from './search-attributes';
import { renderDetails, targetSummary } from './status';
import {
  type ProviderRoute,
  type StepAction,
  type StepHeartbeat,
  type StepRecord,
  TakedownFailureType,
  TakedownOutcome,
  type TakedownResult,
  type TakedownStatus,
} from './types';

/** Rounds of "list the key's sessions again and disconnect newcomers" after the first disconnects. */
export const MAX_SESSION_RECHECKS = 3;

const { resolveRoute } = proxyLocalActivities<TakedownActivities>({
  startToCloseTimeout: '10s',
  retry: { maximumAttempts: 3, nonRetryableErrorTypes: [TakedownFailureType.InvalidRequest] },
});

class Takedown {
  readonly status: TakedownStatus = { phase: 'validating', steps: [] };
  private request?: ValidTakedownRequest;
  private route?: ProviderRoute;

  async run(input: unknown): Promise<TakedownResult> {
    const startedAt = new Date().toISOString();
    const validation = validateTakedownRequest(input);
    if (!validation.ok) {
      this.fail(TakedownFailureType.InvalidRequest, `invalid takedown request: ${validation.problems.join('; ')}`);
    }
    const request = (this.request = validation.request);
    const { target } = request;
    Object.assign(this.status, {
      phase: 'running',
      violationId: request.violationId,
      provider: target.provider,
      appId: String(target.appId),
      target: targetSummary(target),
      dryRun: request.dryRun,
    });
    upsertSearchAttributes([
      { key: TakedownProvider, value: target.provider },
      { key: TakedownAppId, value: String(target.appId) },
      { key: TakedownViolationId, value: request.violationId },
      { key: OutcomeAttribute, value: 'running' },
    ]);
    this.show();

    try {
      this.route = await resolveRoute(target.provider, String(target.appId));
    } catch (err) {
      this.failFrom(err, 'resolve route');
    }

    if (target.provider === 'zego') await this.zego(target);
    else await this.agora(target);

    const steps = this.status.steps;
    const outcome = request.dryRun
      ? TakedownOutcome.dryRun
      : steps.some((s) => s.outcome === 'done')
        ? TakedownOutcome.enforced
        : TakedownOutcome.alreadyEnforced;
    Object.assign(this.status, { phase: 'completed', outcome, current: undefined });
    upsertSearchAttributes([{ key: OutcomeAttribute, value: outcome }]);
    this.show();
    metricMeter.createCounter('takedown_takedowns', 'takedowns', 'Finished takedowns').add(1, { provider: target.provider, outcome });
    return { violationId: request.violationId, provider: target.provider, outcome, steps, startedAt, completedAt: new Date().toISOString() };
  }

  /** ZEGO: DeleteStream, then StopMix per mix task, then KickoutUser (the kick is what cuts the media). */
  private async zego(target: ZegoTarget): Promise<void> {
    const { appId, roomId, streamId } = target;
    await this.step('DeleteStream', 'DeleteStream', `DeleteStream ${roomId}/${streamId}`, (a) => a.zegoDeleteStream({ appId, roomId, streamId }));
    for (const task of target.mixTasks) {
      await this.step('StopMix', 'StopMix', `StopMix ${task.taskId}`, (a) => a.zegoStopMix({ appId, taskId: task.taskId, userId: task.userId }), { taskId: task.taskId });
    }
    if (!target.kick) {
      this.record({ action: 'KickoutUser', outcome: 'skipped', attempts: 0 });
      return;
    }
    const customReason = this.request?.reason;
    await this.step('KickoutUser', 'KickoutUser', `KickoutUser ${roomId}/${target.userId}`, (a) =>
      a.zegoKickoutUser({ appId, roomId, userIds: [target.userId], ...(customReason ? { customReason } : {}) }),
    );
  }

  /**
   * Agora: delete the key first, so the encoder cannot come back; only then disconnect its sessions,
   * and look again for a session that reconnected before the deletion landed.
   */
  private async agora(target: AgoraTarget): Promise<void> {
    const { appId, region, streamKey, channel } = target;
    const ref = { appId, region };
    await this.step('DeleteStreamKey', 'delete', `DeleteStreamKey ${region}/${appId}`, (a) => a.agoraDeleteStreamKey({ ...ref, streamKey }));

    const findSessions = async (): Promise<string[]> => {
      try {
        const acts = this.activities('query', `Find sessions ${region}/${appId}${channel ? ` in ${channel}` : ''}`);
        return (await acts.agoraFindSessions({ ...ref, streamKey, ...(channel ? { channel } : {}) })).sids;
      } catch (err) {
        this.failFrom(err, 'FindSessions');
      }
    };

    const handled = new Set<string>();
    let sids = target.sid ? [target.sid] : await findSessions();
    for (let round = 0; ; round++) {
      const fresh = sids.filter((sid) => !handled.has(sid));
      if (fresh.length === 0 || round > MAX_SESSION_RECHECKS) break;
      for (const sid of fresh) {
        handled.add(sid);
        await this.step('ForceDisconnect', 'delete', `ForceDisconnect ${sid}`, (a) => a.agoraForceDisconnect({ ...ref, sid }), { sid });
      }
      if (this.request?.dryRun) break;
      sids = await findSessions();
    }
    if (handled.size > 0 && sids.some((sid) => !handled.has(sid))) {
      log.warn('sessions of the key still appear after the last recheck', { remaining: sids.filter((s) => !handled.has(s)).length });
    }
  }

  private activities(bucket: string, summary: string) {
    const route = this.route!;
    const queue = route.queues[bucket];
    if (!queue) throw ApplicationFailure.nonRetryable(`worker route has no task queue for ${bucket}`, TakedownFailureType.ProviderUnavailable);
    return proxyActivities<TakedownActivities>({
      taskQueue: queue,
      summary,
      // Rate limits live on these task queues; an eager activity would skip them.
      allowEagerDispatch: false,
      startToCloseTimeout: '30s',
      // A call that runs past a second heartbeats (activities/steps.ts), so the attempt of a worker
      // that died is retried after this, not after the start-to-close timeout (fault suite, worker
      // kills: takedown p50 14 s with 10 s here, 9 s with 5 s).
      heartbeatTimeout: '5s',
      scheduleToCloseTimeout: route.retry.budget,
      retry: {
        initialInterval: route.retry.initialInterval,
        maximumInterval: route.retry.maximumInterval,
        backoffCoefficient: 2,
        maximumAttempts: route.retry.maximumAttempts,
        nonRetryableErrorTypes: [TakedownFailureType.ProviderRejected, TakedownFailureType.InvalidRequest],
      },
    });
  }

  private async step(
    action: StepAction,
    bucket: string,
    summary: string,
    call: (activities: TakedownActivities) => Promise<StepRecord>,
    planned: Partial<StepRecord> = {},
  ): Promise<void> {
    if (this.request?.dryRun) {
      this.record({ action, outcome: 'planned', attempts: 0, ...planned });
      return;
    }
    this.status.current = action;
    this.show();
    try {
      this.record(await call(this.activities(bucket, summary)));
    } catch (err) {
      this.failFrom(err, action);
    }
  }

  private record(step: StepRecord): void {
    this.status.steps.push(step);
    this.status.current = undefined;
    this.show();
  }

  private show(): void {
    setCurrentDetails(renderDetails(this.status));
  }

  /** Fails the workflow with the contract's failure type for an activity's failure. */
  private failFrom(err: unknown, action: string): never {
    if (!(err instanceof ActivityFailure)) throw err;
    const provider = this.request?.target.provider ?? 'provider';
    const cause = err.cause;
    if (cause instanceof ApplicationFailure && (cause.type === TakedownFailureType.ProviderRejected || cause.type === TakedownFailureType.InvalidRequest)) {
      this.fail(cause.type, cause.message ?? `${provider} ${action} was rejected`, err);
    }
    // When the budget runs out the cause is a timeout; the last answer comes from the step's heartbeat.
    const lastAnswer = (cause instanceof TimeoutFailure ? (cause.lastHeartbeatDetails as StepHeartbeat | undefined) : undefined)?.lastAnswer;
    const last =
      cause instanceof TimeoutFailure
        ? `timed out (${cause.timeoutType})${lastAnswer ? `; last answer: ${lastAnswer}` : ''}`
        : (cause?.message ?? 'unknown failure');
    this.fail(TakedownFailureType.ProviderUnavailable, `${provider} ${action} did not succeed within the retry budget: ${last}`, err);
  }

  private fail(type: TakedownFailureType, message: string, cause?: Error): never {
    Object.assign(this.status, { phase: 'failed', failure: { type, message }, current: undefined });
    upsertSearchAttributes([{ key: OutcomeAttribute, value: type }]);
    this.show();
    metricMeter.createCounter('takedown_takedowns', 'takedowns', 'Finished takedowns').add(1, { provider: this.status.provider ?? 'unknown', outcome: type });
    throw ApplicationFailure.create({ type, message, nonRetryable: true, cause });
  }
}

/** Workflow type `takedown`: enforces one moderation decision on one live stream. */
export async function takedown(request: unknown): Promise<TakedownResult> {
  const run = new Takedown();
  setHandler(statusQuery, () => run.status);
  return run.run(request);
}
