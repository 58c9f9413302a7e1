/**
 * The review's input and decision schemas (zod). Kept apart from `review-definitions.ts` so that
 * the workflow bundle evaluates zod only when a review validates, not for every workflow.
 */
import { z } from 'zod';
import { DEADLINE_DECIDER, MAX_REVIEW_DEADLINE_MS, MIN_REVIEW_DEADLINE_MS, parseDurationMs } from './review-definitions';

/** A review deadline: `<n>s|m|h|d`, from 1 s to 365 d. */
export const reviewDeadlineSchema = z
  .string({ error: 'must be a duration such as 30s, 10m, 4h or 2d' })
  .refine((text) => parseDurationMs(text) !== undefined, 'must be a duration such as 30s, 10m, 4h or 2d')
  .refine((text) => {
    const ms = parseDurationMs(text);
    return ms === undefined || (ms >= MIN_REVIEW_DEADLINE_MS && ms <= MAX_REVIEW_DEADLINE_MS);
  }, 'must be from 1s to 365d');

const text = (max: number) => z.string().min(1, 'must not be empty').max(max, `must be at most ${max} characters`);

/** What the verdict said, as a reviewer reads it. Never a secret or a stream key. */
export const reviewVerdictSchema = z.strictObject({
  /** `zego-censor`, `activefence`, `hive`. */
  source: z.string().regex(/^[a-z][a-z0-9-]{0,31}$/, 'must be a source name such as zego-censor'),
  /** The source's de-duplication key (ZEGO ResultTaskId, ActiveFence contentId, Hive id). */
  sourceKey: text(256),
  /** One line: what was flagged and why. */
  summary: text(1024),
  /** Classifier labels and scores, e.g. `{ riskLevel: "REVIEW", label1: "porn" }`. */
  labels: z.record(text(64), z.string().max(256, 'values must be at most 256 characters'))
    .refine((labels) => Object.keys(labels).length <= 16, 'must have at most 16 entries').optional(),
  /** Where the reviewer sees the flagged content (the classifier's link; may expire). */
  evidenceUrl: z.string().max(2048, 'must be at most 2048 characters').optional(),
  /** When the intake received the verdict (ISO time). */
  receivedAt: z.string().max(64).optional(),
});
export type ReviewVerdict = z.output<typeof reviewVerdictSchema>;

export const reviewInputSchema = z.strictObject({
  verdict: reviewVerdictSchema,
  takedown: z.strictObject({
    /** The takedown an approval starts (validated as a takedown request). */
    request: z.unknown(),
    /** Its standard workflow id (the client helper's). */
    workflowId: text(1000),
    /** Static summary of the takedown for the Web UI. */
    summary: z.string().max(1024, 'must be at most 1024 characters').optional(),
  }),
  /** How long a person has to decide. */
  deadline: reviewDeadlineSchema,
  /** What the deadline decides. */
  onTimeout: z.enum(['approve', 'reject'], { error: 'must be "approve" or "reject"' }),
});

export const decideInputSchema = z.strictObject({
  decision: z.enum(['approve', 'reject'], { error: 'must be "approve" or "reject"' }),
  by: z.string().trim().min(1, 'must name who decides').max(128, 'must be at most 128 characters')
    .refine((by) => by !== DEADLINE_DECIDER, `"${DEADLINE_DECIDER}" is reserved for decisions the deadline makes`),
  note: z.string().max(1024, 'must be at most 1024 characters').optional(),
});

/** Problems of a zod error as `path: message` lines. */
export function problemLines(error: z.ZodError, prefix = ''): string[] {
  return error.issues.map((issue) => {
    const path = issue.path.map(String).join('.');
    const message = issue.code === 'unrecognized_keys'
      ? `unknown field${issue.keys.length === 1 ? '' : 's'} ${issue.keys.slice(0, 5).map((k) => JSON.stringify(k.slice(0, 40))).join(', ')}`
      : issue.code === 'invalid_type' && issue.message.startsWith('Invalid input')
        ? (issue.message.endsWith('received undefined') ? 'is required' : `must be ${issue.expected === 'object' || issue.expected === 'array' ? 'an' : 'a'} ${issue.expected}`)
        : issue.message;
    return `${prefix}${path || 'input'}: ${message}`;
  });
}
