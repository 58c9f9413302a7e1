/**
 * Takedown activities, one per provider operation, built over injected provider clients
 * (tests and the worker pass their own). Credentials live in the clients, never in arguments.
 */
import type { AgoraClient } from '../providers/agora';
import { isSessionOfKey } from '../providers/agora';
import type { ZegoClient } from '../providers/zego';
import { type AgoraRegion, type RequestValidation, validateTakedownRequest } from '../workflows/request';
import type { ProviderRoute, StepRecord } from '../workflows/types';
import { noCredentials, noCredentialsMessage } from './failures';
import { composeCall, failureMapping, heartbeats, metricsAndLogs, pacing, stepRecord, type CallPacer } from './steps';

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

/**
 * A takedown request checked by `prepareTakedown`: its problems, or the valid request with the
 * route its steps take (or why this worker cannot act for its app).
 */
export type PreparedTakedown =
  | (RequestValidation & { ok: false })
  | (RequestValidation & { ok: true } & ({ route: ProviderRoute } | { unroutable: string }));

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

  const providerCall = composeCall(heartbeats(), ...(deps.pacer ? [pacing(deps.pacer)] : []), failureMapping(), metricsAndLogs());
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
