/**
 * The takedown plan: every kind of step a takedown can take, and the ordered steps for a target.
 * A step kind names the activity that runs it and the rate-limit bucket (activity task queue) it
 * runs on, so a plan is all the workflow needs to know to run a takedown. Pure code: it runs in
 * the workflow sandbox.
 */
import { log } from '@temporalio/workflow';
import type { TakedownActivities } from '../activities';
import type { ProviderName } from '../providers/types';
import type { BanSubject, Strike } from './ban-definitions';
import type { AgoraRtcTarget, AgoraTarget, ValidTakedownRequest, ZegoRoomTarget, ZegoTarget } from './request';
import type { StepRecord } from './types';

interface StepKindSpec {
  provider: ProviderName;
  /** The activity that runs the step. */
  activity: keyof TakedownActivities;
  /**
   * The rate-limit bucket: the step runs on that bucket's activity task queue of its app.
   * Absent for a step that makes no provider call of its own (joining a ban): it runs on the
   * workflow's task queue.
   */
  bucket?: string;
  /**
   * `write` steps change something at the provider: a dry run records them `planned` and sends
   * nothing. `read` steps find what the next steps act on; they run in a dry run too.
   */
  effect: 'write' | 'read';
  /** The contract's step action its record carries; absent for a read that leaves no record and for a ban's own rule steps. */
  action?: string;
  /** What the provider answers when the step's work is already done (outcome `already-done`). */
  alreadyDone: string;
}

/**
 * Every step kind: a takedown's steps, then the rule steps a `ban` workflow takes. A ban's rule
 * is placed, renewed and removed by the ban workflow alone; a takedown joins the ban
 * (`JoinZegoBan`, `JoinAgoraBan`) and waits until the rule is in force.
 */
export const STEP_KINDS = {
  DeleteStream: {
    provider: 'zego',
    activity: 'zegoDeleteStream',
    bucket: 'DeleteStream',
    effect: 'write',
    action: 'DeleteStream',
    alreadyDone: 'no such stream (Code 138), or the room is gone',
  },
  StopMix: {
    provider: 'zego',
    activity: 'zegoStopMix',
    bucket: 'StopMix',
    effect: 'write',
    action: 'StopMix',
    alreadyDone: 'no such mix task (Code 110209001): it was stopped, or ended when its inputs vanished',
  },
  KickoutUser: {
    provider: 'zego',
    activity: 'zegoKickoutUser',
    bucket: 'KickoutUser',
    effect: 'write',
    action: 'KickoutUser',
    alreadyDone: 'the room is gone (kicking a user who has left succeeds as done)',
  },
  /** A room-wide takedown lists the room's streams (DescribeSimpleStreamList); recorded, and run in a dry run too. */
  FindStreams: {
    provider: 'zego',
    activity: 'zegoFindStreams',
    bucket: 'DescribeSimpleStreamList',
    effect: 'read',
    action: 'FindStreams',
    alreadyDone: 'the room is gone: no streams',
  },
  JoinZegoBan: {
    provider: 'zego',
    activity: 'joinBan',
    effect: 'write',
    action: 'ForbidUser',
    alreadyDone: "the user was already banned and the ban's rule in force",
  },
  DeleteStreamKey: {
    provider: 'agora',
    activity: 'agoraDeleteStreamKey',
    bucket: 'delete',
    effect: 'write',
    action: 'DeleteStreamKey',
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
    action: 'ForceDisconnect',
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
  JoinAgoraBan: {
    provider: 'agora',
    activity: 'joinBan',
    effect: 'write',
    action: 'BanUser',
    alreadyDone: "the user was already banned and the ban's rule in force",
  },
  /** An RTC user without a ban is kicked out once: a kicking rule with `time_in_seconds: 0`. */
  KickOnce: {
    provider: 'agora',
    activity: 'agoraBanUser',
    bucket: 'kickingRule',
    effect: 'write',
    action: 'BanUser',
    alreadyDone: 'not applicable: every kick is a new rule',
  },

  PlaceZegoRule: {
    provider: 'zego',
    activity: 'zegoForbidUser',
    bucket: 'ForbidRule',
    effect: 'write',
    alreadyDone: 'not applicable: setting the rule again extends it',
  },
  RemoveZegoRule: {
    provider: 'zego',
    activity: 'zegoUnforbidUser',
    bucket: 'ForbidRule',
    effect: 'write',
    alreadyDone: 'no such rule (Code 50124): it lapsed or was removed',
  },
  PlaceAgoraRule: {
    provider: 'agora',
    activity: 'agoraBanUser',
    bucket: 'kickingRule',
    effect: 'write',
    alreadyDone: 'a rule made by an attempt whose answer was lost, found by listing the rules',
  },
  RenewAgoraRule: {
    provider: 'agora',
    activity: 'agoraRenewBan',
    bucket: 'kickingRule',
    effect: 'write',
    alreadyDone: 'not applicable: the rule is updated, or made again when it had lapsed',
  },
  RemoveAgoraRule: {
    provider: 'agora',
    activity: 'agoraLiftBan',
    bucket: 'kickingRule',
    effect: 'write',
    alreadyDone: 'no such rule (HTTP 404): it lapsed or was removed',
  },
} as const satisfies Record<string, StepKindSpec>;

export type StepKind = keyof typeof STEP_KINDS;
type Spec<K extends StepKind> = (typeof STEP_KINDS)[K];

/** Rate-limit buckets of one provider: each has its own activity task queue per app (Agora kicking rules: per account). */
export type Bucket<P extends ProviderName = ProviderName> = {
  [K in StepKind]: Spec<K> extends { provider: P; bucket: infer B } ? B : never;
}[StepKind];
export type ZegoBucket = Bucket<'zego'>;
export type AgoraBucket = Bucket<'agora'>;

type ReadKind = { [K in StepKind]: Spec<K>['effect'] extends 'read' ? K : never }[StepKind];
/** Step actions of the contract's result. */
export type StepAction = { [K in StepKind]: Spec<K> extends { action: infer A } ? A : never }[StepKind];

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
      /** What a `planned` or `skipped` record names: the session, the mix task, the user. */
      subject?: Pick<StepRecord, 'sid' | 'taskId' | 'streamId' | 'userId' | 'uid'>;
      /** Turned off by the request (`kick: false`) or impossible (a uid that is not a number): recorded `skipped`, never sent. */
      skip?: true;
    });

/** One step of a plan. */
export type Step = { [K in StepKind]: StepOf<K> }[StepKind];
export type ReadStep = Extract<Step, { kind: ReadKind }>;
export type WriteStep = Exclude<Step, ReadStep>;

export function isRead(step: Step): step is ReadStep {
  return STEP_KINDS[step.kind].effect === 'read';
}

/** The step action a step's record carries. */
export function actionOf(kind: StepKind): StepAction | undefined {
  const spec: StepKindSpec = STEP_KINDS[kind];
  return spec.action as StepAction | undefined;
}

/** Rounds of "list the key's sessions again and disconnect newcomers" after the first disconnects. */
export const MAX_SESSION_RECHECKS = 3;

type PlanRequest = Partial<Pick<ValidTakedownRequest, 'violationId' | 'reason' | 'dryRun' | 'ban'>>;

function strikeOf(request: PlanRequest): Strike | undefined {
  return request.ban ? { violationId: request.violationId ?? '', duration: request.ban.duration } : undefined;
}

/**
 * ZEGO: DeleteStream, then StopMix per mix task, then the ban's rule when there is one, then
 * KickoutUser (the kick is what cuts the media; with the rule in place first, the kicked client
 * cannot log in again). A room-wide target first finds the room's streams, deletes every one,
 * then bans and kicks each publisher.
 */
export function planZego(target: ZegoTarget | ZegoRoomTarget, request: PlanRequest): Step[] {
  const { appId, roomId } = target;
  const stopMixes = target.mixTasks.map(({ taskId, userId }): Step => ({ kind: 'StopMix', input: { appId, taskId, userId }, summary: `StopMix ${taskId}`, subject: { taskId } }));
  const strike = strikeOf(request);
  const removePublisher = (userId: string, subject: Pick<StepRecord, 'userId'> = {}): Step[] => [
    ...(strike
      ? [{ kind: 'JoinZegoBan' as const, input: { subject: zegoBanSubject(target, userId, request), strike }, summary: `Ban ${userId} (${request.ban?.duration})`, subject }]
      : []),
    {
      kind: 'KickoutUser',
      input: { appId, roomId, userIds: [userId], ...(request.reason ? { customReason: request.reason } : {}) },
      summary: `KickoutUser ${roomId}/${userId}`,
      subject,
      ...(target.kick ? {} : { skip: true as const }),
    },
  ];
  if (target.streamId !== undefined) {
    const { streamId } = target;
    return [{ kind: 'DeleteStream', input: { appId, roomId, streamId }, summary: `DeleteStream ${roomId}/${streamId}` }, ...stopMixes, ...removePublisher(target.userId)];
  }
  return [
    {
      kind: 'FindStreams',
      input: { appId, roomId },
      summary: `FindStreams ${roomId}`,
      then: ({ streams }) => [
        ...streams.map(({ streamId }): Step => ({ kind: 'DeleteStream', input: { appId, roomId, streamId }, summary: `DeleteStream ${roomId}/${streamId}`, subject: { streamId } })),
        ...stopMixes,
        ...[...new Set(streams.map((s) => s.userId))].flatMap((userId) => removePublisher(userId, { userId })),
      ],
    },
  ];
}

function zegoBanSubject(target: { appId: number; roomId: string }, userId: string, request: PlanRequest): BanSubject {
  return request.ban?.scope === 'app' ? { provider: 'zego', appId: target.appId, scope: 'app', userId } : { provider: 'zego', appId: target.appId, scope: 'room', roomId: target.roomId, userId };
}

/**
 * Agora Media Gateway: delete the key first, so the encoder cannot come back; then ban each
 * user when there is a ban; only then disconnect the key's sessions (the one named, or those
 * found), and look again for a session that reconnected before the deletion landed. A dry run
 * looks once and plans the rest. An RTC user (no key) is one BanUser step: the ban's rule, or
 * a one-time kick.
 */
export function planAgora(target: AgoraTarget | AgoraRtcTarget, request: PlanRequest): Step[] {
  const { appId, channel } = target;
  const strike = strikeOf(request);
  const banStep = (uid: string, userChannel: string | undefined): Step => {
    const numeric = /^[1-9]\d{0,9}$/.test(uid) && Number(uid) <= 0xffffffff ? Number(uid) : undefined;
    const subject = agoraBanSubject(appId, numeric, userChannel, request);
    // Agora's kicking rule takes numeric uids only; the deleted key keeps such an encoder out.
    if (!strike || subject === undefined) return { kind: 'JoinAgoraBan', input: { subject: subject!, strike: strike! }, summary: `Ban uid ${uid}`, subject: { uid }, skip: true };
    return { kind: 'JoinAgoraBan', input: { subject, strike }, summary: `Ban uid ${uid} (${strike.duration})`, subject: { uid } };
  };

  if (target.streamKey === undefined) {
    const { uid } = target;
    if (strike) return [banStep(String(uid), target.channel)];
    return [{ kind: 'KickOnce', input: { appId, cname: target.channel, uid, seconds: 0 }, summary: `Kick uid ${uid} from ${target.channel}`, subject: { uid: String(uid) } }];
  }

  const { region, streamKey } = target;
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
  const deleteKey: Step = { kind: 'DeleteStreamKey', input: { ...ref, streamKey }, summary: `DeleteStreamKey ${region}/${appId}` };

  if (!strike) {
    return [deleteKey, ...(target.sid ? disconnect([target.sid], 0) : [{ kind: 'FindSessions' as const, ...find, then: (found: { sids: string[] }) => disconnect(found.sids, 0) }])];
  }
  if (target.uid !== undefined && (target.channel !== undefined || request.ban?.scope === 'app')) {
    const bans = [banStep(String(target.uid), target.channel)];
    return [deleteKey, ...bans, ...(target.sid ? disconnect([target.sid], 0) : [{ kind: 'FindSessions' as const, ...find, then: (found: { sids: string[] }) => disconnect(found.sids, 0) }])];
  }
  // The bans need the sessions' uids and channels, so the sessions are looked up even when one is named.
  return [
    deleteKey,
    {
      kind: 'FindSessions',
      input: { ...find.input, withUsers: true },
      summary: find.summary,
      then: (found) => {
        const users = new Map<string, string | undefined>();
        for (const user of found.users ?? []) if (target.uid === undefined || user.uid === String(target.uid)) users.set(user.uid, users.get(user.uid) ?? user.channel);
        if (target.uid !== undefined && !users.has(String(target.uid))) users.set(String(target.uid), undefined);
        return [...[...users].map(([uid, userChannel]) => banStep(uid, target.channel ?? userChannel)), ...disconnect(target.sid ? [target.sid, ...found.sids] : found.sids, 0)];
      },
    },
  ];
}

function agoraBanSubject(appId: string, uid: number | undefined, channel: string | undefined, request: PlanRequest): BanSubject | undefined {
  if (uid === undefined) return undefined;
  if (request.ban?.scope === 'app') return { provider: 'agora', appId, scope: 'app', uid };
  return channel === undefined ? undefined : { provider: 'agora', appId, scope: 'channel', channel, uid };
}
