/** Reading and authenticating deliveries: helpers every source shares. */
import { createHash, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import { problemLines } from '../../workflows/review-schemas';
import { MalformedVerdictError } from '../errors';
import { MAX_AGORA_UID } from '../verdict';

/**
 * Compares a presented secret with the configured one in constant time. Both are hashed first so
 * that neither their contents nor their lengths show in the timing.
 */
export function secretsEqual(presented: string, expected: string): boolean {
  const a = createHash('sha256').update(presented, 'utf8').digest();
  const b = createHash('sha256').update(expected, 'utf8').digest();
  return timingSafeEqual(a, b);
}

/** The body as a JSON object, or a 400 naming what is wrong with it. */
export function readJsonObject(raw: Buffer, what: string): Record<string, unknown> {
  if (raw.length === 0) throw new MalformedVerdictError(`${what}: the body is empty`, ['body: must be a JSON object']);
  let value: unknown;
  try {
    value = JSON.parse(raw.toString('utf8'));
  } catch (err) {
    throw new MalformedVerdictError(`${what}: the body is not JSON`, [`body: ${(err as Error).message.slice(0, 200)}`]);
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new MalformedVerdictError(`${what}: the body is not a JSON object`, ['body: must be a JSON object']);
  }
  return value as Record<string, unknown>;
}

/** The value a zod schema reads from a verdict, or a 400 listing every problem. */
export function readWith<T extends z.ZodType>(schema: T, value: unknown, what: string): z.output<T> {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const problems = problemLines(parsed.error);
  throw new MalformedVerdictError(`${what} is malformed: ${problems.slice(0, 5).join('; ')}${problems.length > 5 ? ` and ${problems.length - 5} more` : ''}`, problems.slice(0, 20));
}

/** No control characters (they end up in workflow ids, logs and the Web UI). */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const PRINTABLE = /^[^\u0000-\u001f\u007f]*$/;

/** A source key: 1 to 256 printable characters; numbers are read as their decimal text. */
export const sourceKeySchema = z
  .union([z.string(), z.number().int().nonnegative()], { error: (issue) => (issue.input === undefined ? 'is required' : 'must be a string') })
  .transform(String)
  .pipe(z.string().min(1, 'must not be empty').max(256, 'must be at most 256 characters').regex(PRINTABLE, 'must not contain control characters'));

/** An id-like string field (room, channel…): 1 to `max` printable characters. */
export const idText = (max: number) =>
  z.string({ error: (issue) => (issue.input === undefined ? 'is required' : 'must be a string') }).min(1, 'must not be empty').max(max, `must be at most ${max} characters`).regex(PRINTABLE, 'must not contain control characters');

/**
 * The Agora RTC user a verdict's metadata names. The metadata is a JSON string (Agora's templates
 * for ActiveFence and Hive); an object is read too, since the docs only show the template.
 */
const agoraUserSchema = z.object({
  cname: idText(64),
  // Agora's reference receiver reads a number; a numeric string is tolerated.
  uid: z
    .union([z.number(), z.string().regex(/^\d{1,10}$/, 'must be a numeric Agora uid')], { error: 'must be a numeric Agora uid' })
    .transform(Number)
    .pipe(z.number().int('must be an integer').min(1, `must be an Agora uid (1 to ${MAX_AGORA_UID})`).max(MAX_AGORA_UID, `must be an Agora uid (1 to ${MAX_AGORA_UID})`)),
  sid: z.string().max(128).optional().catch(undefined),
  requestId: z.string().max(128).optional().catch(undefined),
});
export type AgoraUser = z.output<typeof agoraUserSchema>;

export function readAgoraUser(metadata: unknown, field: string, what: string): AgoraUser {
  let value = metadata;
  if (typeof metadata === 'string') {
    try {
      value = JSON.parse(metadata);
    } catch {
      throw new MalformedVerdictError(`${what}: ${field} is not a JSON string`, [`${field}: must be a JSON string with cname and uid`]);
    }
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new MalformedVerdictError(`${what}: ${field} does not name an Agora user`, [`${field}: must be a JSON string with cname and uid`]);
  }
  const parsed = agoraUserSchema.safeParse(value);
  if (parsed.success) return parsed.data;
  const problems = problemLines(parsed.error, `${field}.`);
  throw new MalformedVerdictError(`${what}: ${field} does not name an Agora user: ${problems.join('; ')}`, problems);
}

/** Cuts a text to at most `max` characters for a summary. */
export function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}
