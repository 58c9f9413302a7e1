/** Agora REST: Media Gateway ingress and kicking-rule client, status table, session matching. */
export {
  AgoraClient,
  DEFAULT_AGORA_BASE_URL,
  type AgoraClientOptions,
  type AgoraKickingRule,
  type AgoraProjectRef,
} from './client';
export { AGORA_CODES, AgoraOperation, classifyAgora } from './codes';
export { AGORA_PRIVILEGES, AGORA_REGIONS, isAgoraPrivilege, isAgoraRegion, type AgoraPrivilege, type Region } from './regions';
export { isSessionOfKey, sessionStreamKey, type AgoraSession } from './session';
