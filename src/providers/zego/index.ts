/** ZEGO Server API v2: client, signing, code table and user-ban rules. */
export {
  DEFAULT_ZEGO_BASE_URL,
  MAX_CUSTOM_REASON_BYTES,
  MAX_KICKOUT_USERS,
  ZegoClient,
  type ZegoAppConfig,
  type ZegoClientOptions,
  type ZegoStreamInfo,
} from './client';
export { classifyZego, ZEGO_CODES, ZegoOperation } from './codes';
export {
  isForbidUserRuleFor,
  MAX_ZEGO_RULE_SECONDS,
  MIN_ZEGO_RULE_SECONDS,
  ZEGO_BAN_PRIVILEGES,
  ZEGO_RULE_TYPE_BY_SCOPE,
  ZegoBanScope,
  ZegoDisabledPrivilege,
  ZegoForbidRuleType,
  type ZegoForbidUserRule,
  type ZegoForbidUserTarget,
} from './forbid-user-rules';
export { MAX_MIX_SEQUENCE, MIX_SEQUENCE_EPOCH_MS, MixSequence } from './sequence';
export { newZegoNonce, signZego, ZEGO_SIGNATURE_VERSION } from './signature';
