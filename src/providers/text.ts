/**
 * Helpers for provider-supplied text that ends up in error messages or `raw` fields. Provider
 * answers are not trusted to be free of credentials (an echoed stream key, a proxy page quoting a
 * header), so everything quoted from an answer is redacted first and bounded in size.
 */

/** What replaces a redacted secret. */
export const REDACTED = '<redacted>';

/** Largest `raw` answer kept on a {@link ProviderUnknownAnswerError}: 2 KiB of UTF-8. */
export const MAX_RAW_BYTES = 2048;

/** Largest provider message quoted inside an error message: 256 bytes of UTF-8. */
export const MAX_QUOTED_BYTES = 256;

const ELLIPSIS = '…';

/**
 * Replaces every occurrence of each secret, as sent and percent-encoded, with {@link REDACTED}.
 * Empty secrets are ignored. Longer secrets go first so that a secret containing another is
 * removed whole.
 */
export function redact(text: string, secrets: readonly string[]): string {
  const forms = new Set<string>();
  for (const secret of secrets) {
    if (secret === '') continue;
    forms.add(secret);
    forms.add(encodeURIComponentOrSelf(secret));
  }
  let out = text;
  for (const form of [...forms].sort((a, b) => b.length - a.length)) {
    out = out.split(form).join(REDACTED);
  }
  return out;
}

/**
 * Cuts `text` to at most `maxBytes` UTF-8 bytes, marking a cut with `…` (counted in the limit)
 * and never leaving half a character behind.
 */
export function truncateUtf8(text: string, maxBytes: number): string {
  const bytes = Buffer.from(text, 'utf8');
  if (bytes.length <= maxBytes) return text;
  const room = Math.max(0, maxBytes - Buffer.byteLength(ELLIPSIS, 'utf8'));
  let end = room;
  // Step back over UTF-8 continuation bytes (10xxxxxx) so no character is split.
  while (end > 0 && ((bytes[end] ?? 0) & 0xc0) === 0x80) end--;
  return bytes.subarray(0, end).toString('utf8') + ELLIPSIS;
}

/** Redacts, bounds and JSON-quotes provider text for an error message (quotes escape control characters). */
export function quoteProviderText(text: string, secrets: readonly string[]): string {
  return JSON.stringify(truncateUtf8(redact(text, secrets), MAX_QUOTED_BYTES));
}

/** Redacts then bounds an answer body for a `raw` field. Redaction first: a cut could split a secret. */
export function rawAnswer(text: string, secrets: readonly string[]): string {
  return truncateUtf8(redact(text, secrets), MAX_RAW_BYTES);
}

/** True when `value` contains no lone UTF-16 surrogate, i.e. it can be encoded as UTF-8 and URL-encoded. */
export function isWellFormed(value: string): boolean {
  return !/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/.test(value);
}

function encodeURIComponentOrSelf(value: string): string {
  return isWellFormed(value) ? encodeURIComponent(value) : value;
}
