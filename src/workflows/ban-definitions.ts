/**
 * The `ban` workflow's contract (DESIGN.md "Bans"): whom a ban is about, its id, its updates,
 * query and results. Pure code, shared by the workflow, the activities and clients.
 */
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { ProviderName } from '../providers/types';
import type { StepRecord } from './types';

/** Workflow type of the contract. */
export const BAN_WORKFLOW_TYPE = 'ban';
/** Agora clamps a kicking rule to at least this (agora.md §7.1). */
export const AGORA_MIN_RULE_SECONDS = 10;

/** Whom a ban keeps out, and where. */
export type BanSubject =
  | { provider: 'zego'; appId: number; scope: 'room'; roomId: string; userId: string }
  | { provider: 'zego'; appId: number; scope: 'app'; userId: string }
  | { provider: 'agora'; appId: string; scope: 'channel'; channel: string; uid: number }
  | { provider: 'agora'; appId: string; scope: 'app'; uid: number };

/** `ban/zego/<appId>/<roomId>/<userId>`, `ban/zego/<appId>/<userId>`, `ban/agora/<appId>/<channel>/<uid>`, `ban/agora/<appId>/<uid>`. */
export function banWorkflowId(subject: BanSubject): string {
  switch (subject.provider) {
    case 'zego':
      return subject.scope === 'room' ? `ban/zego/${subject.appId}/${subject.roomId}/${subject.userId}` : `ban/zego/${subject.appId}/${subject.userId}`;
    case 'agora':
      return subject.scope === 'channel' ? `ban/agora/${subject.appId}/${subject.channel}/${subject.uid}` : `ban/agora/${subject.appId}/${subject.uid}`;
  }
}

/** The ZEGO `userId` or the Agora uid, as text. */
export function banSubjectName(subject: BanSubject): string {
  return subject.provider === 'zego' ? subject.userId : String(subject.uid);
}

/** One takedown's part in a ban. */
export interface Strike {
  violationId: string;
  /** The ban's length from this strike: `<n>s|m|h|d` or `permanent` (DESIGN.md "Bans"). */
  duration: string;
}

/** A provider rule the ban holds, as the `status` query shows it. */
export interface BanRule {
  action: 'ForbidUser' | 'BanUser';
  /** When the provider lets the rule lapse unless renewed (ISO time). */
  expiresAt: string;
  providerRequestId?: string;
  /** Agora's kicking-rule id; ZEGO rules are known by their keys. */
  ruleId?: number;
}

export const BanState = { active: 'active', lifted: 'lifted', expired: 'expired' } as const;
export type BanState = (typeof BanState)[keyof typeof BanState];

/** What the `status` query returns. */
export interface BanStatus {
  provider: ProviderName;
  appId: string;
  subject: string;
  scope: BanSubject['scope'];
  state: BanState;
  /** ISO time, `permanent`, or absent until the first rule is in force. */
  expiresAt?: string;
  strikes: { violationId: string; at: string }[];
  rules: BanRule[];
}

/** What a strike answers: the ban it joined and the step record of the takedown's ban step. */
export interface BanJoined {
  workflowId: string;
  /** The ban's expiry after this strike (ISO time or `permanent`). */
  expiresAt: string;
  step: StepRecord;
}

export interface LiftRequest {
  by: string;
  reason: string;
}

export type BanResult = { outcome: 'lifted'; by: string; reason: string; liftedAt: string } | { outcome: 'expired' };

/** Update `strike`: a takedown joins the ban (update-with-start); answers once the ban's rule is in force. */
export const strikeUpdate = defineUpdate<BanJoined, [Strike]>('strike');
/** Signal `strike`: the same, for callers that signal-with-start and need no answer. */
export const strikeSignal = defineSignal<[Strike]>('strike');
/** Update `lift`: removes every provider rule of the ban and completes it. */
export const liftUpdate = defineUpdate<BanResult, [LiftRequest]>('lift');
/** Query `status`. */
export const banStatusQuery = defineQuery<BanStatus>('status');
