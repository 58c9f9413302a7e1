/**
 * Verdict + policy rule → the takedown request it asks for, in the contract's JSON. Pure functions:
 * the request is validated where it is started (startTakedown, and the workflow itself).
 */
import { createHash } from 'node:crypto';
import { MAX_METADATA_ENTRIES, MAX_REASON_BYTES, utf8ByteLength } from '../workflows/request';
import type { PolicyRule } from './policy';
import type { AgoraRtcSubject, Verdict, ZegoRoomSubject } from './verdict';

/** The contract's ZEGO target for a room (every stream of it), or for the one stream a result names. */
export type ZegoVerdictTarget =
  | { provider: 'zego'; appId: number; roomId: string }
  | { provider: 'zego'; appId: number; roomId: string; streamId: string; userId: string };

/** The contract's Agora RTC user target. */
export interface AgoraRtcTarget {
  provider: 'agora';
  appId: string;
  channel: string;
  uid: number;
}

export interface ProposedBan {
  duration: string;
  scope?: 'room' | 'app' | 'channel';
}

/** A takedown request as the intake proposes it (the contract's shape, `ban` and the new targets included). */
export interface ProposedTakedown {
  violationId: string;
  reason: string;
  category?: string;
  dryRun: boolean;
  metadata: Record<string, string>;
  target: ZegoVerdictTarget | AgoraRtcTarget;
  ban?: ProposedBan;
}

/** Longest violation id of the contract. */
const MAX_VIOLATION_ID = 128;

/** `<source>:<key>`; a key too long for that is named by the first 32 hex of its sha256. */
export function violationIdFor(verdict: Pick<Verdict, 'source' | 'key'>): string {
  const plain = `${verdict.source}:${verdict.key}`;
  if (plain.length <= MAX_VIOLATION_ID) return plain;
  return `${verdict.source}:sha256:${createHash('sha256').update(verdict.key).digest('hex').slice(0, 32)}`;
}

/** Cuts text to at most `maxBytes` UTF-8 bytes, on a code point boundary. */
export function clipUtf8(text: string, maxBytes: number): string {
  if (utf8ByteLength(text) <= maxBytes) return text;
  let out = '';
  for (const char of text) {
    if (utf8ByteLength(out + char) > maxBytes - 3) return `${out}…`;
    out += char;
  }
  return out;
}

/**
 * A ZEGO censor verdict names a room. It becomes the room-wide target unless the result names both
 * the stream and its publisher: the contract's stream target needs both, and a stream without its
 * publisher cannot be kicked, so such a result falls back to the room (which lists its streams).
 */
export function zegoTargetFor(subject: ZegoRoomSubject): ZegoVerdictTarget {
  const { appId, roomId, streamId, userId } = subject;
  if (streamId && userId) return { provider: 'zego', appId, roomId, streamId, userId };
  return { provider: 'zego', appId, roomId };
}

/** An ActiveFence or Hive verdict on Agora names an RTC user; the App ID comes from the rule. */
export function agoraRtcTargetFor(subject: AgoraRtcSubject, agoraAppId: string): AgoraRtcTarget {
  return { provider: 'agora', appId: agoraAppId, channel: subject.channel, uid: subject.uid };
}

/** Rule has no App ID for an Agora verdict: the policy check prevents it, this names it if not. */
export class MissingAgoraAppIdError extends Error {
  override readonly name = 'MissingAgoraAppIdError';
  readonly code = 'TAKEDOWN_POLICY_NO_AGORA_APP_ID';
  constructor(readonly ruleIndex: number) {
    super(`policy rules[${ruleIndex}] has no agoraAppId for an Agora verdict`);
  }
}

/** The verdict's audit metadata: at most 16 string entries, keys first come first kept. */
function metadataFor(verdict: Verdict): Record<string, string> {
  const entries: [string, string][] = [
    ['source', verdict.source],
    ['sourceKey', verdict.key],
    ...Object.entries(verdict.details),
  ];
  return Object.fromEntries(entries.slice(0, MAX_METADATA_ENTRIES).map(([k, v]) => [k.slice(0, 64), v.slice(0, 1024)]));
}

/** The takedown a verdict asks for under a `takedown` or `review` rule. */
export function takedownRequestFor(verdict: Verdict, rule: PolicyRule, ruleIndex: number): ProposedTakedown {
  let target: ProposedTakedown['target'];
  if (verdict.subject.kind === 'zego-room') {
    target = zegoTargetFor(verdict.subject);
  } else {
    if (!rule.agoraAppId) throw new MissingAgoraAppIdError(ruleIndex);
    target = agoraRtcTargetFor(verdict.subject, rule.agoraAppId);
  }
  const category = verdict.categories[0] ?? verdict.labels[0] ?? Object.entries(verdict.scores).sort((a, b) => b[1] - a[1])[0]?.[0];
  return {
    violationId: violationIdFor(verdict),
    reason: clipUtf8(verdict.summary, MAX_REASON_BYTES),
    ...(category ? { category: category.slice(0, 64) } : {}),
    dryRun: rule.shadow === true,
    metadata: metadataFor(verdict),
    target,
    ...(rule.ban ? { ban: { duration: rule.ban.duration, ...(rule.ban.scope ? { scope: rule.ban.scope } : {}) } } : {}),
  };
}
