/** Names of the provider operations the sandbox serves, as they appear in the request log and fault targets. */

/** Providers the sandbox imitates. */
export const Provider = { zego: 'zego', agora: 'agora' } as const;
export type Provider = (typeof Provider)[keyof typeof Provider];

/** ZEGO operations are the `Action` query parameter itself. */
export const ZEGO_OPERATIONS = [
  'DeleteStream',
  'KickoutUser',
  'StopMix',
  'DescribeSimpleStreamList',
  'SetForbidUserRule',
  'DescribeForbidUserRules',
  'DelForbidUserRule',
] as const;
export type ZegoOperation = (typeof ZEGO_OPERATIONS)[number];

/** Agora operations are named after the REST endpoints they stand for (agora.md §4, §7). */
export const AGORA_OPERATIONS = [
  'DeleteStreamKey',
  'ListOnlineStreams',
  'GetOnlineStream',
  'ForceDisconnect',
  'CreateKickingRule',
  'ListKickingRules',
  'UpdateKickingRule',
  'DeleteKickingRule',
] as const;
export type AgoraOperation = (typeof AGORA_OPERATIONS)[number];

/** Logged for requests that name no operation the sandbox knows (bad route, missing or unsupported Action). */
export const UNKNOWN_OPERATION = 'unknown';

/** What a fault may target, per provider. */
export const OPERATIONS_BY_PROVIDER: Readonly<Record<Provider, readonly string[]>> = {
  zego: ZEGO_OPERATIONS,
  agora: AGORA_OPERATIONS,
};

/** Whether an `Action` is one the sandbox serves. */
export function isZegoOperation(name: string): name is ZegoOperation {
  return (ZEGO_OPERATIONS as readonly string[]).includes(name);
}

/** Agora REST regions (agora.md §1): lowercase only; anything else is a 400. */
export const AGORA_REGIONS = ['na', 'eu', 'ap', 'cn'] as const;
export type AgoraRegion = (typeof AGORA_REGIONS)[number];

/** Whether a path's region is one Agora serves (case-sensitive). */
export function isAgoraRegion(value: string): value is AgoraRegion {
  return (AGORA_REGIONS as readonly string[]).includes(value);
}

/**
 * Agora App IDs are 32 hex characters in practice; the sandbox accepts any 1–64 word characters so
 * tests can use readable ids (inferred: the docs give no validation rule beyond "Invalid app ID.").
 */
export const AGORA_APP_ID_PATTERN = /^\w{1,64}$/;
