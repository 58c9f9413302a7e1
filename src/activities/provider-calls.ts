/** What every provider activity starts from: the client for its app, and the composed call runner. */
import type { AgoraClient } from '../providers/agora';
import type { ZegoClient } from '../providers/zego';
import type { ActivityDependencies } from './index';
import { noCredentials } from './failures';
import { composeCall, failureMapping, heartbeats, metricsAndLogs, pacing } from './steps';

export function providerCalls(deps: ActivityDependencies) {
  const zego = (appId: number): ZegoClient => {
    if (!deps.zego?.hasApp(appId)) throw noCredentials('zego', appId);
    return deps.zego;
  };
  const agora = (appId: string): AgoraClient => {
    const client = deps.agoraFor(appId);
    if (!client) throw noCredentials('agora', appId);
    return client;
  };
  const providerCall = composeCall(heartbeats(), ...(deps.pacer ? [pacing(deps.pacer, deps.paceKeyFor)] : []), failureMapping(), metricsAndLogs());
  return { zego, agora, providerCall };
}
