/**
 * ActiveFence action webhooks in Agora's template (providers/classifiers.md §2.2): authenticated
 * by the API key in `X-Api-Key`; the verdict names an Agora RTC user.
 */
import { z } from 'zod';
import { IntakeErrorCode, MalformedVerdictError, UnauthenticatedError } from '../errors';
import type { Verdict } from '../verdict';
import { clip, readAgoraUser, readWith, secretsEqual, sourceKeySchema } from './common';

/** ActiveFence documents no header name for its webhook key; the contract names this one. */
export const ACTIVEFENCE_KEY_HEADER = 'x-api-key';

/** Throws a 401 unless the request carries the configured key. */
export function verifyActiveFenceKey(presented: string | string[] | undefined, apiKey: string): void {
  if (presented === undefined || presented === '') {
    throw new UnauthenticatedError(IntakeErrorCode.missingCredentials, 'ActiveFence webhook: the X-Api-Key header is required');
  }
  if (Array.isArray(presented) || !secretsEqual(presented, apiKey)) {
    throw new UnauthenticatedError(IntakeErrorCode.badCredentials, 'ActiveFence webhook: the X-Api-Key header does not match');
  }
}

const categoryText = z.string().max(64, 'categories must be at most 64 characters');
const webhookSchema = z.object({
  contentId: sourceKeySchema,
  // `$violationsCategories`: a string (comma-separated when several) or an array of strings.
  reason: z.union([z.string().max(2048), z.array(categoryText).max(32, 'must list at most 32 categories')], { error: 'must be a string or an array of strings' }).optional(),
  userId: z.string().max(128).optional().catch(undefined),
  status: z.string().max(64).optional().catch(undefined),
  contentUrl: z.string().max(2048).optional().catch(undefined),
  addedAt: z.string().max(64).optional().catch(undefined),
});

export function readActiveFenceWebhook(body: Record<string, unknown>): Verdict {
  const w = readWith(webhookSchema, body, 'ActiveFence webhook');
  const reason = w.reason ?? [];
  const categories = (typeof reason === 'string' ? reason.split(',') : reason).map((c) => c.trim()).filter(Boolean);
  if (categories.some((c) => c.length > 64)) throw new MalformedVerdictError('ActiveFence webhook is malformed: reason', ['reason: categories must be at most 64 characters']);
  // Agora's template spells it `metaData`; its reference receiver reads `metadata`.
  const metadataField = body.metaData !== undefined ? 'metaData' : 'metadata';
  if (body[metadataField] === undefined) {
    throw new MalformedVerdictError('ActiveFence webhook: metaData is missing', ['metaData: is required (a JSON string with cname and uid)']);
  }
  const user = readAgoraUser(body[metadataField], metadataField, 'ActiveFence webhook');
  return {
    source: 'activefence',
    key: w.contentId,
    summary: clip(`ActiveFence ${categories.length ? categories.join(', ') : 'violation'}${w.status ? ` (${w.status})` : ''}: uid ${user.uid} in channel ${user.cname}`, 1024),
    subject: { kind: 'agora-rtc', channel: user.cname, uid: user.uid },
    labels: [],
    categories,
    scores: {},
    ...(w.contentUrl ? { evidenceUrl: w.contentUrl } : {}),
    details: {
      ...(categories.length ? { categories: clip(categories.join(','), 1024) } : {}),
      ...(w.status ? { status: w.status } : {}),
      ...(w.userId ? { userId: w.userId } : {}),
      ...(user.sid ? { sid: user.sid } : {}),
      ...(user.requestId ? { requestId: user.requestId } : {}),
    },
  };
}
