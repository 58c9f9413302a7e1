/**
 * `POST /v1/decisions`: a takedown request signed the Standard Webhooks way (standardwebhooks.com),
 * verified with the `standardwebhooks` package over the raw body before anything is parsed.
 */
import { Webhook, WebhookVerificationError } from 'standardwebhooks';
import { type TakedownRequest, validateTakedownRequest } from '../../workflows/request';
import { IntakeErrorCode, MalformedVerdictError, UnauthenticatedError } from '../errors';
import { readJsonObject } from './common';

/** The contract's replay window: the library's fixed tolerance, either way of the intake's clock. */
export const DECISION_TIMESTAMP_TOLERANCE_SECONDS = 300;

type Headers = Record<string, string | string[] | undefined>;

function header(headers: Headers, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value.join(' ') : value;
}

/** Verifies a decision; throws a 401 naming what failed. Returns the webhook id. */
export function verifyDecision(raw: Buffer, headers: Headers, webhook: Webhook): string {
  const id = header(headers, 'webhook-id');
  const timestamp = header(headers, 'webhook-timestamp');
  const signature = header(headers, 'webhook-signature');
  const missing = [['webhook-id', id], ['webhook-timestamp', timestamp], ['webhook-signature', signature]].filter(([, v]) => !v).map(([n]) => n);
  if (missing.length) throw new UnauthenticatedError(IntakeErrorCode.missingCredentials, `decision: missing ${missing.join(', ')} header${missing.length === 1 ? '' : 's'}`);
  if (id!.length > 256) throw new UnauthenticatedError(IntakeErrorCode.badCredentials, 'decision: webhook-id must be at most 256 characters');
  // The library reads the timestamp with parseInt, which would accept "123abc".
  if (!/^\d{1,12}$/.test(timestamp!)) throw new UnauthenticatedError(IntakeErrorCode.badCredentials, 'decision: webhook-timestamp must be Unix seconds');
  try {
    // Signs `${id}.${timestamp}.${body}` with the body read as UTF-8 (a body that is not valid UTF-8
    // cannot match what a JSON sender signed) and compares each v1 signature in constant time.
    webhook.verify(raw, { 'webhook-id': id!, 'webhook-timestamp': timestamp!, 'webhook-signature': signature! }, { jsonParse: false });
  } catch (err) {
    if (err instanceof WebhookVerificationError && /timestamp too (old|new)/.test(err.message)) {
      throw new UnauthenticatedError(IntakeErrorCode.staleSignature, `decision: webhook-timestamp is more than ${DECISION_TIMESTAMP_TOLERANCE_SECONDS} s from the intake's clock`);
    }
    throw new UnauthenticatedError(IntakeErrorCode.badCredentials, 'decision: no webhook-signature matches');
  }
  return id!;
}

/** The signed body as a takedown request, or a 400 listing every problem. */
export function readDecision(raw: Buffer): TakedownRequest {
  const body = readJsonObject(raw, 'decision');
  const validation = validateTakedownRequest(body);
  if (!validation.ok) throw new MalformedVerdictError('invalid takedown request', validation.problems, IntakeErrorCode.invalidRequest);
  return body as unknown as TakedownRequest;
}
