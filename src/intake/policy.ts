/**
 * The policy file (`TAKEDOWN_POLICY_FILE`, DESIGN.md "Classifier intake"): rules that map verdicts
 * to a takedown, a review or nothing. The first matching rule wins; no match means `ignore`.
 */
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { parseDurationMs } from '../workflows/review-definitions';
import { reviewDeadlineSchema } from '../workflows/review-schemas';
import type { Verdict, VerdictSource } from './verdict';

export const POLICY_SOURCES = ['zego-censor', 'activefence', 'hive', '*'] as const;
export type PolicySource = (typeof POLICY_SOURCES)[number];

export const PolicyAction = { takedown: 'takedown', review: 'review', ignore: 'ignore' } as const;
export type PolicyAction = (typeof PolicyAction)[keyof typeof PolicyAction];

/** ZEGO censor `Detail.RiskLevel` values. */
export const ZEGO_RISK_LEVELS = ['PASS', 'REVIEW', 'REJECT'] as const;

/** Ban limits of the contract ("Bans"): `<n>s|m|h|d` from 10 s to 365 d, or `permanent`. */
const MIN_BAN_MS = 10_000;
const MAX_BAN_MS = 365 * 86_400_000;
/** Most rules a policy may hold: a longer list is a generated file gone wrong. */
export const MAX_RULES = 1000;

/** Which match keys and ban scopes make sense for which source. */
const MATCH_KEYS_BY_SOURCE: Record<Exclude<PolicySource, '*'>, readonly string[]> = {
  'zego-censor': ['riskLevel', 'label'],
  activefence: ['category'],
  hive: ['class', 'minScore'],
};
const BAN_SCOPES_BY_SOURCE: Record<Exclude<PolicySource, '*'>, readonly string[]> = {
  'zego-censor': ['room', 'app'],
  activefence: ['channel', 'app'],
  hive: ['channel', 'app'],
};
/** Sources whose verdicts name an Agora RTC user, whose App ID only the rule can give. */
const AGORA_SOURCES: readonly PolicySource[] = ['activefence', 'hive', '*'];

const label = (max: number) => z.string().min(1, 'must not be empty').max(max, `must be at most ${max} characters`);

const matchSchema = z.strictObject({
  riskLevel: z.enum(ZEGO_RISK_LEVELS, { error: `must be one of ${ZEGO_RISK_LEVELS.join(', ')}` }).optional(),
  label: label(64).optional(),
  category: label(64).optional(),
  class: label(128).optional(),
  minScore: z.number({ error: 'must be a number from 0 to 1' }).min(0, 'must be from 0 to 1').max(1, 'must be from 0 to 1').optional(),
});

const banSchema = z.strictObject({
  duration: z.string({ error: 'must be a duration such as 24h or 7d, or "permanent"' }).refine((d) => {
    if (d === 'permanent') return true;
    const ms = parseDurationMs(d);
    return ms !== undefined && ms >= MIN_BAN_MS && ms <= MAX_BAN_MS;
  }, 'must be a duration from 10s to 365d (such as 24h or 7d), or "permanent"'),
  scope: z.enum(['room', 'app', 'channel'], { error: 'must be room, app or channel' }).optional(),
});

const ruleSchema = z
  .strictObject({
    source: z.enum(POLICY_SOURCES, { error: `must be one of ${POLICY_SOURCES.join(', ')}` }),
    match: matchSchema.optional(),
    action: z.enum(['takedown', 'review', 'ignore'], { error: 'must be takedown, review or ignore' }),
    ban: banSchema.optional(),
    agoraAppId: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'must be an Agora App ID (1 to 64 letters, digits, _ or -)').optional(),
    shadow: z.boolean({ error: 'must be true or false' }).optional(),
    deadline: reviewDeadlineSchema.optional(),
    onTimeout: z.enum(['approve', 'reject'], { error: 'must be "approve" or "reject"' }).optional(),
  })
  .superRefine((rule, ctx) => {
    const problem = (path: string[], message: string) => ctx.addIssue({ code: 'custom', path, message });
    const match = rule.match ?? {};
    if (match.minScore !== undefined && match.class === undefined) problem(['match', 'minScore'], 'needs class (the Hive class that must score at least minScore)');
    if (match.class !== undefined && match.minScore === undefined) problem(['match', 'minScore'], 'is required with class');
    if (rule.source !== '*') {
      const allowed = MATCH_KEYS_BY_SOURCE[rule.source];
      for (const key of Object.keys(match)) {
        if (!allowed.includes(key)) problem(['match', key], `does not apply to ${rule.source} verdicts (they match on ${allowed.join(', ')})`);
      }
      if (rule.ban?.scope && !BAN_SCOPES_BY_SOURCE[rule.source].includes(rule.ban.scope)) {
        problem(['ban', 'scope'], `must be ${BAN_SCOPES_BY_SOURCE[rule.source].join(' or ')} for ${rule.source} verdicts`);
      }
    }
    if (rule.action === 'ignore') {
      for (const key of ['ban', 'agoraAppId', 'shadow', 'deadline', 'onTimeout'] as const) {
        if (rule[key] !== undefined) problem([key], 'does not apply to an ignore rule');
      }
      return;
    }
    if (rule.action === 'review') {
      if (rule.deadline === undefined) problem(['deadline'], 'is required for a review rule (a duration such as 10m)');
      if (rule.onTimeout === undefined) problem(['onTimeout'], 'is required for a review rule ("approve" or "reject")');
    } else {
      for (const key of ['deadline', 'onTimeout'] as const) if (rule[key] !== undefined) problem([key], 'applies to review rules only');
    }
    if (AGORA_SOURCES.includes(rule.source) && rule.agoraAppId === undefined) {
      problem(['agoraAppId'], `is required for ${rule.source === '*' ? 'a rule that can match ActiveFence and Hive' : rule.source} verdicts (the Agora App ID their users are in)`);
    }
  });

const policySchema = z.strictObject({
  rules: z.array(ruleSchema, { error: 'must be an array of rules' }).max(MAX_RULES, `must hold at most ${MAX_RULES} rules`),
});

export type PolicyRule = z.output<typeof ruleSchema>;
export type Policy = z.output<typeof policySchema>;

/** A policy that cannot be used; one line per problem, naming the rule index and field. */
export class PolicyError extends Error {
  override readonly name = 'PolicyError';
  readonly code = 'TAKEDOWN_INVALID_POLICY';
  constructor(readonly problems: string[]) {
    super(`invalid policy:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  }
}

function pathText(path: readonly PropertyKey[]): string {
  return path.map((p, i) => (typeof p === 'number' ? `[${p}]` : `${i === 0 ? '' : '.'}${String(p)}`)).join('');
}

/** Checks a parsed policy document; throws {@link PolicyError} listing every problem. */
export function parsePolicy(document: unknown, origin = 'policy'): Policy {
  const parsed = policySchema.safeParse(document);
  if (parsed.success) return parsed.data;
  throw new PolicyError(
    parsed.error.issues.map((issue) => {
      const where = pathText(issue.path) || 'policy';
      const message =
        issue.code === 'unrecognized_keys'
          ? `unknown field${issue.keys.length === 1 ? '' : 's'} ${issue.keys.slice(0, 5).map((k) => JSON.stringify(k.slice(0, 40))).join(', ')}`
          : issue.code === 'invalid_type' && issue.message.startsWith('Invalid input')
            ? issue.message.endsWith('received undefined') ? 'is required' : `must be ${issue.expected === 'object' || issue.expected === 'array' ? 'an' : 'a'} ${issue.expected}`
            : issue.message;
      return `${origin} ${where}: ${message}`;
    }),
  );
}

/** Reads and checks the policy file. */
export function loadPolicy(file: string): Policy {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new PolicyError([`TAKEDOWN_POLICY_FILE: cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`]);
  }
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch (err) {
    throw new PolicyError([`TAKEDOWN_POLICY_FILE ${file}: not JSON: ${(err as Error).message}`]);
  }
  return parsePolicy(document, `TAKEDOWN_POLICY_FILE ${file}`);
}

/** Does every key of the rule's `match` hold for the verdict? (No `match` matches everything.) */
function matches(rule: PolicyRule, verdict: Verdict): boolean {
  const match = rule.match ?? {};
  if (match.riskLevel !== undefined && verdict.riskLevel !== match.riskLevel) return false;
  if (match.label !== undefined && !verdict.labels.includes(match.label)) return false;
  // ActiveFence's category names are not documented as case-stable: compare without case.
  if (match.category !== undefined && !verdict.categories.some((c) => c.toLowerCase() === match.category!.toLowerCase())) return false;
  if (match.class !== undefined && !((verdict.scores[match.class] ?? -1) >= (match.minScore ?? 0))) return false;
  return true;
}

/** The verdict's rule: the first that matches, with its index; undefined means ignore. */
export function ruleFor(policy: Policy, verdict: Verdict): { rule: PolicyRule; index: number } | undefined {
  const source: VerdictSource = verdict.source;
  const index = policy.rules.findIndex((rule) => (rule.source === '*' || rule.source === source) && matches(rule, verdict));
  return index === -1 ? undefined : { rule: policy.rules[index]!, index };
}
