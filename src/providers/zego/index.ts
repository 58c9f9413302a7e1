/** ZEGO Server API v2: client, signing and code table. */
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
export { MAX_MIX_SEQUENCE, MIX_SEQUENCE_EPOCH_MS, MixSequence } from './sequence';
export { newZegoNonce, signZego, ZEGO_SIGNATURE_VERSION } from './signature';
