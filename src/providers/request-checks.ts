/**
 * Checks made before a request is sent. A failure throws {@link ProviderRequestError}, which is
 * never retried: the same request would fail the same way. Messages name the parameter, never
 * its value (a value may be a stream key).
 */
import { ProviderRequestError } from './errors';
import { isWellFormed } from './text';
import type { ProviderName } from './types';

/** Which provider operation a check, an error or a parsed answer belongs to, and what is known of its answer. */
export interface ProviderOperation {
  provider: ProviderName;
  operation: string;
  /** ZEGO `Code` or Agora HTTP status, once the provider answered. */
  providerCode?: number;
  requestId?: string;
}

/** Throws {@link ProviderRequestError} `<provider> <operation> refused before sending: <reason>`. */
export function refuse(ctx: ProviderOperation, reason: string): never {
  throw new ProviderRequestError(`${ctx.provider} ${ctx.operation} refused before sending: ${reason}`, ctx);
}

/**
 * A string parameter must be well-formed Unicode (a lone surrogate cannot be URL-encoded) and,
 * unless `allowEmpty`, non-empty: an empty required parameter changes what the provider does
 * (an empty Agora stream key turns `/streamkeys/{key}` into `/streamkeys/`).
 */
export function checkText(ctx: ProviderOperation, name: string, value: string, allowEmpty = false): string {
  if (typeof value !== 'string') refuse(ctx, `${name} must be a string`);
  if (!allowEmpty && value === '') refuse(ctx, `${name} must not be empty`);
  if (!isWellFormed(value)) refuse(ctx, `${name} is not well-formed Unicode`);
  return value;
}

/**
 * A path segment must also not be `.` or `..`: URL-encoding leaves dots alone, and a server that
 * normalises paths would turn `/streamkeys/..` into a different resource.
 */
export function checkPathSegment(ctx: ProviderOperation, name: string, value: string): string {
  checkText(ctx, name, value);
  if (value === '.' || value === '..') refuse(ctx, `${name} must not be a dot segment`);
  return value;
}
