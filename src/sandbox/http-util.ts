import type { IncomingMessage } from 'node:http';

/** Largest request body read; providers' bodies are small JSON objects. */
export const MAX_BODY_BYTES = 1024 * 1024;

/** A request body over {@link MAX_BODY_BYTES}; answered with 413. */
export class BodyTooLargeError extends Error {
  readonly code = 'SANDBOX_BODY_TOO_LARGE';
}

/** Reads a whole request body, up to `limit` bytes (default {@link MAX_BODY_BYTES}). */
export async function readBody(req: IncomingMessage, limit = MAX_BODY_BYTES): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buffer = chunk as Buffer;
    size += buffer.length;
    if (size > limit) throw new BodyTooLargeError(`request body over ${limit} bytes`);
    chunks.push(buffer);
  }
  return Buffer.concat(chunks);
}

/** Splits `req.url` into path and raw (still encoded) query. */
export function splitUrl(url: string): { path: string; rawQuery: string } {
  const mark = url.indexOf('?');
  return mark === -1 ? { path: url, rawQuery: '' } : { path: url.slice(0, mark), rawQuery: url.slice(mark + 1) };
}

/**
 * Decodes an `application/x-www-form-urlencoded` query into every value of every name, keys
 * included, so `UserId%5B%5D` and `UserId[]` arrive as the same name. `+` is a space, as Go's
 * `url.ParseQuery` (and so, presumably, ZEGO's gateway) reads it. A malformed escape is kept as
 * written rather than failing the request (inferred tolerance).
 */
export function parseQuery(rawQuery: string): Map<string, string[]> {
  const values = new Map<string, string[]>();
  for (const pair of rawQuery.split('&')) {
    if (pair === '') continue;
    const eq = pair.indexOf('=');
    const name = decodeFormComponent(eq === -1 ? pair : pair.slice(0, eq));
    const value = eq === -1 ? '' : decodeFormComponent(pair.slice(eq + 1));
    const list = values.get(name) ?? [];
    list.push(value);
    values.set(name, list);
  }
  return values;
}

function decodeFormComponent(text: string): string {
  const spaced = text.replace(/\+/g, ' ');
  try {
    return decodeURIComponent(spaced);
  } catch {
    return spaced;
  }
}

/** Decodes one path segment; a malformed escape is kept as written. */
export function decodePathSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

/** Parses a JSON body; an empty body reads as `undefined`. Throws `SyntaxError` on bad JSON. */
export function parseJsonBody(body: Buffer): unknown {
  const text = body.toString('utf8');
  return text.trim() === '' ? undefined : (JSON.parse(text) as unknown);
}

/** The first value of a header that may repeat. */
export function headerValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}
