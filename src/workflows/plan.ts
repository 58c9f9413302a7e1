/**
 * The takedown plan: every kind of step a takedown can take, and the ordered steps for a target.
 * A step kind names the activity that runs it and the rate-limit bucket (activity task queue) it
 * runs on, so a plan is all the workflow needs to know to run a takedown. Pure code: it runs in
 * the workflow sandbox.
 */
import { log } from '@temporalio/workflow';
import type { TakedownActivities } from '../activities';
import type { ProviderName } from '../providers/types';
import type { AgoraTarget, ValidTakedownRequest, ZegoTarget } from './request';
import type { StepRecord } from './types';

interface StepKindSpec {
  provider: ProviderName;
  /** The activity that runs the step. */
  activity: keyof TakedownActivities;
  /** The rate-limit bucket: the step runs on that bucket's activity task queue of its app. */
  bucket: string;
  /**
   * `write` steps change something at the provider: a dry run records them `planned` and sends
   * nothing. `read` steps find what the next steps act on; they run in a dry run too.
   */
  effect: 'write' | 'read';
  /** What the provider answers when the step's work is already done (outcome `already-done`). */
  alreadyDone: string;
}

/** Every step kind. The keys that leave a record in the result are the contract's step actions. */
export const STEP_KINDS = {
  DeleteStream: {
    provider: 'zego',
    activity: 'zegoDeleteStream',
    bucket: 'DeleteStream',
    effect: 'write',
    alreadyDone: 'no such stream (Code 138), or the room is gone',
  },
  StopMix: {
    provider: 'zego',
    activity: 'zegoStopMix',
    bucket: 'StopMix',
    effect: 'write',
    alreadyDone: 'no such mix task (Code 110209001): it was stopped, or ended when its inputs vanished',
  },
  KickoutUser: {
    provider: 'zego',
    activity: 'zegoKickoutUser',
    bucket: 'KickoutUser',
    effect: 'write',
    alreadyDone: 'the room is gone (kicking a user who has left succeeds as done)',
  },
  DeleteStreamKey: {
    provider: 'agora',
    activity: 'agoraDeleteStreamKey',
    bucket: 'delete',
    effect: 'write',
    alreadyDone: 'no such key (HTTP 404)',
  },
  FindSessions: {
    provider: 'agora',
    activity: 'agoraFindSessions',
    bucket: 'query',
    effect: 'read',
    alreadyDone: 'not applicable: a read',
  },
  ForceDisconnect: {
    provider: 'agora',
    activity: 'agoraForceDisconnect',
    bucket: 'delete',
    effect: 'write',
    alreadyDone: 'the session has ended (HTTP 404)',
  },
  /**
   * Lists the key's sessions again after disconnecting: an encoder that reconnected before the
   * key deletion landed shows up under a new session id. Bounded by {@link MAX_SESSION_RECHECKS}.
   */
  SessionRecheck: {
    provider: 'agora',
    activity: 'agoraFindSessions',
    bucket: 'query',
    effect: 'read',
    alreadyDone: 'not applicable: a read',
  },
} as const satisfies Record<string, StepKindSpec>;

export type StepKind = keyof typeof STEP_KINDS;
type Spec<K extends StepKind> = (typeof STEP_KINDS)[K];

/** Rate-limit buckets of one provider: each has its own activity task queue per app. */
export type Bucket<P extends ProviderName = ProviderName> = { [K in StepKind]: Spec<K>['provider'] extends P ? Spec<K>['bucket'] : never }[StepKind];
export type ZegoBucket = Bucket<'zego'>;
export type AgoraBucket = Bucket<'agora'>;

type ReadKind = { [K in StepKind]: Spec<K>['effect'] extends 'read' ? K : never }[StepKind];
/** Step actions of the contract's result: the step kinds that leave a record. */
export type StepAction = Exclude<StepKind, ReadKind>;

type Activity<K extends StepKind> = TakedownActivities[Spec<K>['activity']];
export type StepInput<K extends StepKind> = Parameters<Activity<K>>[0];
export type StepOutput<K extends StepKind> = Awaited<ReturnType<Activity<K>>>;

type StepOf<K extends StepKind> = {
  kind: K;
  input: StepInput<K>;
  /** The activity's summary in the Web UI, e.g. `DeleteStream room-1/stream-1`. */
  summary: string;
} & (K extends ReadKind
  ? {
      /** The steps that follow from what the read found. */
      then(found: StepOutput<K>): Step[];
    }
  : {
      /** What a `planned` or `skipped` record names: the session or the mix task. */
      subject?: Pick<StepRecord, 'sid' | 'taskId'>;
      /** Turned off by the request (`kick: false`): recorded `skipped`, never sent. */
      skip?: true;
    });

/** One step of a plan. */
export type Step = { [K in StepKind]: StepOf<K> }[StepKind];
export type ReadStep = Extract<Step, { kind: ReadKind }>;
export type WriteStep = Exclude<Step, ReadStep>;

export function isRead(step: Step): step is ReadStep {
  return STEP_KINDS[step.kind].effect === 'read';
}

/** Rounds of "list the key's sessions again and disconnect newcomers" after the first disconnects. */
export const MAX_SESSION_RECHECKS = 3;

/** ZEGO: DeleteStream, then StopMix per mix task, then KickoutUser (the kick is what cuts the media). */
export function planZego(target: ZegoTarget, request: Pick<ValidTakedownRequest, 'reason'>): Step[] {
  const { appId, roomId, streamId } = target;
  const reason = request.reason ? { customReason: request.reason } : {};
  return [
    { kind: 'DeleteStream', input: { appId, roomId, streamId }, summary: `DeleteStream ${roomId}/${streamId}` },
    ...target.mixTasks.map(({ taskId, userId }): Step => ({
      kind: 'StopMix',
      input: { appId, taskId, userId },
      summary: `StopMix ${taskId}`,
      subject: { taskId },
    })),
    {
      kind: 'KickoutUser',
      input: { appId, roomId, userIds: [target.userId], ...reason },
      summary: `KickoutUser ${roomId}/${target.userId}`,
      ...(target.kick ? {} : { skip: true as const }),
    },
  ];
}

/**
 * Agora: delete the key first, so the encoder cannot come back; only then disconnect its sessions
 * (the one named, or those found), and look again for a session that reconnected before the
 * deletion landed. A dry run looks once and plans the disconnects.
 */
export function planAgora(target: AgoraTarget, request: Pick<ValidTakedownRequest, 'dryRun'>): Step[] {
  const { appId, region, streamKey, channel } = target;
  const ref = { appId, region };
  const handled = new Set<string>();
  const find = { input: { ...ref, streamKey, ...(channel ? { channel } : {}) }, summary: `Find sessions ${region}/${appId}${channel ? ` in ${channel}` : ''}` };

  const disconnect = (sids: readonly string[], round: number): Step[] => {
    const fresh = sids.filter((sid) => !handled.has(sid));
    if (fresh.length === 0) return [];
    if (round > MAX_SESSION_RECHECKS) {
      log.warn('sessions of the key still appear after the last recheck', { remaining: fresh.length });
      return [];
    }
    for (const sid of fresh) handled.add(sid);
    const steps: Step[] = fresh.map((sid) => ({ kind: 'ForceDisconnect', input: { ...ref, sid }, summary: `ForceDisconnect ${sid}`, subject: { sid } }));
    if (request.dryRun) return steps;
    return [...steps, { kind: 'SessionRecheck', ...find, then: (found) => disconnect(found.sids, round + 1) }];
  };

  return [
    { kind: 'DeleteStreamKey', input: { ...ref, streamKey }, summary: `DeleteStreamKey ${region}/${appId}` },
    ...(target.sid ? disconnect([target.sid], 0) : [{ kind: 'FindSessions' as const, ...find, then: (found: { sids: string[] }) => disconnect(found.sids, 0) }]),
  ];
}
