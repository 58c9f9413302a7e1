/**
 * Takedown activities, one per provider operation, built over injected provider clients
 * (tests and the worker pass their own). Credentials live in the clients, never in arguments.
 */
import { ApplicationFailure } from '@temporalio/common';
import type { AgoraClient } from '../providers/agora';
import { isSessionOfKey } from '../providers/agora';
import type { ZegoClient } from '../providers/zego';
import type { AgoraRegion } from '../workflows/request';
import { TakedownFailureType, type ProviderRoute, type StepRecord } from '../workflows/types';
import { runProviderCall, stepRecord, type CallPacer } from './steps';

export interface ActivityDependencies {
  /** One client holding every configured ZEGO app. */
  zego?: ZegoClient;
  /** The Agora client (account) for an App ID, if the worker serves that app. */
  agoraFor(appId: string): AgoraClient | undefined;
  /** Task queues and retry budget for a target, or undefined when this worker has no credentials for it. */
  routeFor(provider: 'zego' | 'agora', appId: string): ProviderRoute | undefined;
  /** Spaces provider calls across every worker; without it calls go out as soon as dispatched. */
  pacer?: CallPacer;
}

export interface AgoraTargetRef {
  appId: string;
  region: AgoraRegion;
}

/** A target this worker cannot act for is a bad request, not a provider failure. */
function noCredentials(provider: 'zego' | 'agora', appId: number | string): ApplicationFailure {
  return ApplicationFailure.nonRetryable(`no credentials configured for ${provider === 'zego' ? 'ZEGO' : 'Agora'} app ${appId}`, TakedownFailureType.InvalidRequest);
}

export function createActivities(deps: ActivityDependencies) {
  const zego = (appId: number): ZegoClient => {
    if (!deps.zego?.hasApp(appId)) throw noCredentials('zego', appId);
    return deps.zego;
  };
  const agora = (appId: string): AgoraClient => {
    const client = deps.agoraFor(appId);
    if (!client) throw noCredentials('agora', appId);
    return client;
  };

  const providerCall: typeof runProviderCall = (provider, action, call) => runProviderCall(provider, action, call, deps.pacer);

  return {
    /** Where this target's steps run; fails `InvalidRequest` for an app the worker has no credentials for. */
    async resolveRoute(provider: 'zego' | 'agora', appId: string): Promise<ProviderRoute> {
      const route = deps.routeFor(provider, appId);
      if (!route) throw noCredentials(provider, appId);
      return route;
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

    /** The room's streams (DescribeSimpleStreamList). A read: no step record. */
    async zegoListStreams(input: { appId: number; roomId: string }): Promise<{ streams: { streamId: string; userId: string }[] }> {
      const client = zego(input.appId);
      const result = await providerCall('zego', 'ListStreams', (o) => client.describeSimpleStreamList(input.appId, input, o));
      return { streams: result.streams.map(({ streamId, userId }) => ({ streamId, userId })) };
    },

    /** Live sessions pushed with this key (optionally within one channel). A read: no step record. */
    async agoraFindSessions(input: AgoraTargetRef & { streamKey: string; channel?: string }): Promise<{ sids: string[] }> {
      const client = agora(input.appId);
      const result = await providerCall('agora', 'FindSessions', (o) => client.listOnlineStreams(input, o));
      return { sids: result.sessions.filter((s) => isSessionOfKey(s, input.streamKey)).map((s) => s.sid) };
    },

    async agoraForceDisconnect(input: AgoraTargetRef & { sid: string }): Promise<StepRecord> {
      const client = agora(input.appId);
      const result = await providerCall('agora', 'ForceDisconnect', (o) => client.forceDisconnect(input, o));
      return stepRecord('ForceDisconnect', result, { sid: input.sid });
    },

    /** One session, or undefined once it has ended (404). A read: no step record. */
    async agoraGetSession(input: AgoraTargetRef & { sid: string }): Promise<{ live: boolean; channel?: string; uid?: string }> {
      const client = agora(input.appId);
      const result = await providerCall('agora', 'GetSession', (o) => client.getOnlineStream(input, o));
      return result.session ? { live: true, channel: result.session.channel, uid: result.session.uid } : { live: false };
    },

    /**
     * A timed ban (kicking rule) on a channel user, for takedowns that must keep a publisher out.
     * Not idempotent at the provider: a retry after a lost answer may create a second rule.
     */
    async agoraBanUser(input: {
      appId: string;
      cname: string;
      uid: number;
      seconds: number;
    }): Promise<{ ruleId: number; attempts: number; providerRequestId?: string }> {
      const client = agora(input.appId);
      const result = await providerCall('agora', 'BanUser', (o) =>
        client.createKickingRule({ appId: input.appId, cname: input.cname, uid: input.uid, timeInSeconds: input.seconds, privileges: ['join_channel'] }, o),
      );
      return { ruleId: result.ruleId, attempts: result.attempts, ...(result.requestId ? { providerRequestId: result.requestId } : {}) };
    },
  };
}

export type TakedownActivities = ReturnType<typeof createActivities>;
