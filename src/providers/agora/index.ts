/** Agora REST: Media Gateway ingress and kicking-rule client, status table, session matching. */
export { AgoraClient, DEFAULT_AGORA_BASE_URL, type AgoraClientOptions, type AgoraProjectRef } from './client';
export { AGORA_CODES, AgoraOperation, classifyAgora } from './codes';
export {
  isKickingRuleFor,
  MAX_AGORA_RULE_SECONDS,
  MAX_AGORA_UID,
  MIN_AGORA_RULE_SECONDS,
  type AgoraBanSubject,
  type AgoraKickingRule,
  type AgoraKickingRuleInfo,
} from './kicking-rules';
export { AGORA_PRIVILEGES, AGORA_REGIONS, isAgoraPrivilege, isAgoraRegion, type AgoraPrivilege, type Region } from './regions';
export { isSessionOfKey, sessionStreamKey, type AgoraSession } from './session';
