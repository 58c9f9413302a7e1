/** A classifier verdict as the intake reads it, whichever source sent it. */

export const VERDICT_SOURCES = ['zego-censor', 'activefence', 'hive'] as const;
export type VerdictSource = (typeof VERDICT_SOURCES)[number];

/** A ZEGO room, and the stream and publisher when the result names them. */
export interface ZegoRoomSubject {
  kind: 'zego-room';
  appId: number;
  roomId: string;
  streamId?: string;
  userId?: string;
}

/** An Agora RTC user: channel name and numeric uid (the App ID comes from the policy rule). */
export interface AgoraRtcSubject {
  kind: 'agora-rtc';
  channel: string;
  uid: number;
}

export interface Verdict {
  source: VerdictSource;
  /** The source's de-duplication key: ZEGO ResultTaskId, ActiveFence contentId, Hive id. */
  key: string;
  /** One line for people: what was flagged and why. */
  summary: string;
  subject: ZegoRoomSubject | AgoraRtcSubject;
  /** ZEGO `Detail.RiskLevel`. */
  riskLevel?: string;
  /** ZEGO `RiskLabel1/2/3`. */
  labels: string[];
  /** ActiveFence `reason` categories. */
  categories: string[];
  /** Hive: the highest score of each class over the callback's frames. */
  scores: Record<string, number>;
  /** The classifier's link to the flagged content (signed, may expire): for reviewers, never logged. */
  evidenceUrl?: string;
  /** Audit details kept in the takedown's metadata (string values, no secrets). */
  details: Record<string, string>;
}

/** Agora uids are unsigned 32-bit integers. */
export const MAX_AGORA_UID = 4294967295;
