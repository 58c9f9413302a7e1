/**
 * Turns a classified provider answer into the result or the error the activities act on. Shared
 * by both clients so that the message format and the error fields are the same everywhere:
 * `<provider> <operation> answered <Code 138 | HTTP 403> (<meaning>)[: "<provider message>"]`.
 */
import {
  ProviderRateLimitedError,
  ProviderRejectedError,
  ProviderRetryableError,
  ProviderUnknownAnswerError,
} from './errors';
import { Classification, type CodeRow, type ProviderName, type ProviderResult } from './types';

/** A provider answer that is not a plain success, as the client read it. */
export interface ProviderAnswer {
  provider: ProviderName;
  operation: string;
  /** How the code is named in messages: `Code` (ZEGO body) or `HTTP` (Agora status). */
  codeLabel: 'Code' | 'HTTP';
  code: number;
  requestId?: string;
  /** The provider's own message, already redacted and quoted (see `quoteProviderText`). */
  quotedMessage?: string;
  /** The answer body, already redacted and truncated (see `rawAnswer`), for unknown codes. */
  raw: string;
  /** From `Retry-After`, for rate-limited answers. */
  retryAfterMs?: number;
}

/**
 * Returns an `already-done` result for a row saying so, and throws the error matching the row's
 * classification otherwise; a code in no row ({@link ProviderUnknownAnswerError}) keeps the raw answer.
 */
export function answerOutcome(row: CodeRow | undefined, answer: ProviderAnswer): ProviderResult {
  const fields = {
    provider: answer.provider,
    operation: answer.operation,
    providerCode: answer.code,
    requestId: answer.requestId,
  };
  const detail = answer.quotedMessage === undefined ? '' : `: ${answer.quotedMessage}`;
  const head = `${answer.provider} ${answer.operation} answered ${answer.codeLabel} ${answer.code}`;
  if (row === undefined) {
    throw new ProviderUnknownAnswerError(`${head} (not in the ${answer.provider} code table)${detail}`, {
      ...fields,
      raw: answer.raw,
    });
  }
  const message = `${head} (${row.meaning})${detail}`;
  switch (row.classification) {
    case Classification.alreadyDone:
      return { outcome: 'already-done', providerCode: answer.code, requestId: answer.requestId };
    case Classification.retryable:
      throw new ProviderRetryableError(message, fields);
    case Classification.rateLimited:
      throw new ProviderRateLimitedError(message, { ...fields, retryAfterMs: answer.retryAfterMs });
    case Classification.rejected:
      throw new ProviderRejectedError(message, fields);
  }
}
