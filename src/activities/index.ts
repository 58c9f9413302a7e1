/**
 * Takedown activities, one per provider operation, built over injected provider clients
 * (tests and the worker pass their own). Credentials live in the clients, never in arguments.
 */
import { isSessionOfKey, type AgoraClient } from '../providers/agora';
import type { ZegoClient } from '../providers/zego';
import { type AgoraRegion, type RequestValidation, validateTakedownRequest } from '../workflows/request';
import type { ProviderRoute, StepRecord } from '../workflows/types';
import { noCredentials, noCredentialsMessage } from './failures';
import { banActivities, type BanStarter } from './bans';

export type { BanStarter, PlacedRule } from './bans';
import { providerCalls } from './provider-calls';
import { stepRecord, type CallPacer, type PaceKeyFor } from './steps';

export interface ActivityDependencies {
  /** One client holding every configured ZEGO app. */
  zego?: ZegoClient;
  /** The Agora client (account) for an App ID, if the worker serves that app. */
  agoraFor(appId: string): AgoraClient | undefined;
  /** Task queues and retry budget for a target, or undefined when this worker has no credentials for it. */
  routeFor(provider: 'zego' | 'agora', appId: string): ProviderRoute | undefined;
  /** Spaces provider calls across every worker; without it calls go out as soon as dispatched. */
  pacer?: CallPacer;
  /** Which pacer a call's task queue and fairness key belong to. Default: the pacer named by the task queue. */
  paceKeyFor?: PaceKeyFor;
  /** Starts or joins ban workflows; without it a takedown with a ban fails its ban step. */
  bans?: BanStarter;
}

export interface AgoraTargetRef {
  appId: string;
  region: AgoraRegion;
}

/**
 * A takedown request checked by `prepareTakedown`: its problems, or the valid request with the
 * route its steps take (or why this worker cannot act for its app).
 */
export type PreparedTakedown =
  | (RequestValidation & { ok: false })
  | (RequestValidation & { ok: true } & ({ route: ProviderRoute } | { unroutable: string }));

export function createActivities(deps: ActivityDependencies) {
  return { ...takedownActivities(deps), ...banActivities(deps) };
}

function takedownActivities(deps: ActivityDependencies) {
  const { zego, agora, providerCall } = providerCalls(deps);
  const resolveRoute = (provider: 'zego' | 'agora', appId: string): ProviderRoute => {
    const route = deps.routeFor(provider, appId);
    if (!route) throw noCredentials(provider, appId);
    return route;
  };

  return {
    /**
     * Validates a takedown request and resolves where its steps run, as a local activity: the
     * request schema is built once per worker process here, where inside the workflow sandbox it
     * would be built again for every workflow. Fails `InvalidRequest` for an app the worker has
     * no credentials for.
     */
    async prepareTakedown(input: unknown): Promise<PreparedTakedown> {
      const validation = validateTakedownRequest(input);
      if (!validation.ok) return validation;
      const { target } = validation.request;
      const route = deps.routeFor(target.provider, String(target.appId));
      return route ? { ...validation, route } : { ...validation, unroutable: noCredentialsMessage(target.provider, target.appId) };
    },

    /** Where this target's steps run; what takedowns started before `prepareTakedown` existed call. */
    async resolveRoute(provider: 'zego' | 'agora', appId: string): Promise<ProviderRoute> {
      return resolveRoute(provider, appId);
    },

    async zegoDeleteStream(input: { appId: number; roomId: string; streamId: string }): Promise<StepRecord> {
      const client = zego(input.appId);
      const result = await providerCall('zego', 'DeleteStream', (o) => client.deleteStream(input.appId, input, o));
      return stepRecord('DeleteStream', result);
    },

    async zegoStopMix(input: { appId: number; taskId: string; userId: string }): Promise<StepRecord> {
      const client = zego(input.appId);
      const result = await providerCall('zego', 'StopMix', (o) => client.stopMix(input.appId, input, o));
      return stepRecord('StopMix', result, { taskId: input.taskId });
    },

    async zegoKickoutUser(input: { appId: number; roomId: string; userIds: string[]; customReason?: string }): Promise<StepRecord> {
      const client = zego(input.appId);
      const result = await providerCall('zego', 'KickoutUser', (o) => client.kickoutUser(input.appId, input, o));
      return stepRecord('KickoutUser', result);
    },

    async agoraDeleteStreamKey(input: AgoraTargetRef & { streamKey: string }): Promise<StepRecord> {
      const client = agora(input.appId);
      const result = await providerCall('agora', 'DeleteStreamKey', (o) => client.deleteStreamKey(input, o));
      return stepRecord('DeleteStreamKey', result);
    },

    /** The room's streams and their publishers (DescribeSimpleStreamList), with the FindStreams step record. */
    async zegoFindStreams(input: { appId: number; roomId: string }): Promise<{ step: StepRecord; streams: { streamId: string; userId: string }[] }> {
      const client = zego(input.appId);
      const result = await providerCall('zego', 'FindStreams', (o) => client.describeSimpleStreamList(input.appId, input, o));
      return { step: stepRecord('FindStreams', result), streams: result.streams.map(({ streamId, userId }) => ({ streamId, userId })) };
    },

    /**
     * Live sessions pushed with this key (optionally within one channel). A read: no step record.
     * With `withUsers`, also each session's channel and uid, which bans act on.
     */
    async agoraFindSessions(
      input: AgoraTargetRef & { streamKey: string; channel?: string; withUsers?: boolean },
    ): Promise<{ sids: string[]; users?: { sid: string; uid: string; channel: string }[] }> {
      const client = agora(input.appId);
      const { withUsers, ...query } = input;
      const result = await providerCall('agora', 'FindSessions', (o) => client.listOnlineStreams(query, o));
      const sessions = result.sessions.filter((s) => isSessionOfKey(s, input.streamKey));
      const sids = sessions.map((s) => s.sid);
      return withUsers ? { sids, users: sessions.map(({ sid, uid, channel }) => ({ sid, uid, channel })) } : { sids };
    },

    async agoraForceDisconnect(input: AgoraTargetRef & { sid: string }): Promise<StepRecord> {
      const client = agora(input.appId);
      const result = await providerCall('agora', 'ForceDisconnect', (o) => client.forceDisconnect(input, o));
      return stepRecord('ForceDisconnect', result, { sid: input.sid });
    },

  };
}

export type TakedownActivities = ReturnType<typeof createActivities>;
