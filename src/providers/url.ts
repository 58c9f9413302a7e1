/**
 * URL building shared by the clients. Every key and value goes through `encodeURIComponent`:
 * reserved characters, spaces (`%20`, not `+`, so servers that decode with either form-decoding
 * or plain percent-decoding read the same text) and non-ASCII (UTF-8 bytes) are percent-encoded.
 * Callers check strings with `checkText` first: a lone surrogate makes `encodeURIComponent` throw.
 */

/** One query parameter. Repeat a key to send an array (`UserId[]=a&UserId[]=b`). */
export type QueryParam = readonly [key: string, value: string];

/**
 * Serialises parameters in the given order. Keys are encoded too, so an array key `UserId[]` goes
 * out as `UserId%5B%5D`, the strict RFC 3986 form (brackets are not allowed raw in a query).
 */
export function encodeQuery(params: readonly QueryParam[]): string {
  return params.map(([key, value]) => `${encodeURIComponent(key)}=${encodeURIComponent(value)}`).join('&');
}

/** Joins encoded path segments: `pathOf('na', 'v1')` → `/na/v1`. */
export function pathOf(...segments: readonly string[]): string {
  return segments.map((segment) => `/${encodeURIComponent(segment)}`).join('');
}
