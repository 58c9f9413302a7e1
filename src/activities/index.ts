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
import { runProviderCall, stepRecord } from './steps';

export interface ActivityDependencies {
  /** One client holding every configured ZEGO app. */
  zego?: ZegoClient;
  /** The Agora client (account) for an App ID, if the worker serves that app. */
  agoraFor(appId: string): AgoraClient | undefined;
  /** Task queues and retry budget for a target, or undefined when this worker has no credentials for it. */
  routeFor(provider: 'zego' | 'agora', appId: string): ProviderRoute | undefined;
}

export interface AgoraTargetRef {
  appId: string;
  region: AgoraRegion;
}

export function createActivities(deps: ActivityDependencies) {
  const zego = (appId: number): ZegoClient => {
    if (!deps.zego?.hasApp(appId)) {
      throw ApplicationFailure.nonRetryable(`no credentials configured for ZEGO app ${appId}`, TakedownFailureType.InvalidRequest);
    }
    return deps.zego;
  };
  const agora = (appId: string): AgoraClient => {
    const client = deps.agoraFor(appId);
    if (!client) throw ApplicationFailure.nonRetryable(`no credentials configured for Agora app ${appId}`, TakedownFailureType.InvalidRequest);
    return client;
  };

  return {
    /** Where this target's steps run; fails `InvalidRequest` for an app the worker has no credentials for. */
    async resolveRoute(provider: 'zego' | 'agora', appId: string): Promise<ProviderRoute> {
      const route = deps.routeFor(provider, appId);
      if (!route) throw ApplicationFailure.nonRetryable(`no credentials configured for ${provider === 'zego' ? 'ZEGO' : 'Agora'} app ${appId}`, TakedownFailureType.InvalidRequest);
      return route;
    },

    async zegoDeleteStream(input: { appId: number; roomId: string; streamId: string }): Promise<StepRecord> {
      const client = zego(input.appId);
      const result = await runProviderCall('zego', 'DeleteStream', (o) => client.deleteStream(input.appId, input, o));
      return stepRecord('DeleteStream', result);
    },

    async zegoStopMix(input: { appId: number; taskId: string; userId: string }): Promise<StepRecord> {
      const client = zego(input.appId);
      const result = await runProviderCall('zego', 'StopMix', (o) => client.stopMix(input.appId, input, o));
      return stepRecord('StopMix', result, { taskId: input.taskId });
    },

    async zegoKickoutUser(input: { appId: number; roomId: string; userIds: string[]; customReason?: string }): Promise<StepRecord> {
      const client = zego(input.appId);
      const result = await runProviderCall('zego', 'KickoutUser', (o) => client.kickoutUser(input.appId, input, o));
      return stepRecord('KickoutUser', result);
    },

    async agoraDeleteStreamKey(input: AgoraTargetRef & { streamKey: string }): Promise<StepRecord> {
      const client = agora(input.appId);
      const result = await runProviderCall('agora', 'DeleteStreamKey', (o) => client.deleteStreamKey(input, o));
      return stepRecord('DeleteStreamKey', result);
    },

    /** Live sessions pushed with this key (optionally within one channel). A read: no step record. */
    async agoraFindSessions(input: AgoraTargetRef & { streamKey: string; channel?: string }): Promise<{ sids: string[] }> {
      const client = agora(input.appId);
      const result = await runProviderCall('agora', 'FindSessions', (o) => client.listOnlineStreams(input, o));
      return { sids: result.sessions.filter((s) => isSessionOfKey(s, input.streamKey)).map((s) => s.sid) };
    },

    async agoraForceDisconnect(input: AgoraTargetRef & { sid: string }): Promise<StepRecord> {
      const client = agora(input.appId);
      const result = await runProviderCall('agora', 'ForceDisconnect', (o) => client.forceDisconnect(input, o));
      return stepRecord('ForceDisconnect', result, { sid: input.sid });
    },
  };
}

export type TakedownActivities = ReturnType<typeof createActivities>;
