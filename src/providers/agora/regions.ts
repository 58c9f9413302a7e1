/** Agora Media Gateway regions and kicking-rule privileges (agora.md §1, §7.1). */

/** Media Gateway regions: North America, Europe, Asia outside mainland China, mainland China. Lowercase. */
export const AGORA_REGIONS = ['na', 'eu', 'ap', 'cn'] as const;
export type Region = (typeof AGORA_REGIONS)[number];

/** Whether `value` is one of {@link AGORA_REGIONS}. */
export function isAgoraRegion(value: unknown): value is Region {
  return (AGORA_REGIONS as readonly unknown[]).includes(value);
}

/** What a kicking rule takes away. */
export const AGORA_PRIVILEGES = ['join_channel', 'publish_audio', 'publish_video'] as const;
export type AgoraPrivilege = (typeof AGORA_PRIVILEGES)[number];

/** Whether `value` is one of {@link AGORA_PRIVILEGES}. */
export function isAgoraPrivilege(value: unknown): value is AgoraPrivilege {
  return (AGORA_PRIVILEGES as readonly unknown[]).includes(value);
}
