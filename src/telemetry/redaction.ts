/**
 * What a provider request's span may say about its URL. Agora puts the stream key (a credential)
 * in the path of the key deletion; ZEGO signs every request with a `Signature` query parameter.
 * Both would otherwise land in `url.full`, `url.path` and `url.query`, and from there in every
 * trace backend the spans are exported to.
 */

/** Written in place of a path segment or query value that is a credential. */
export const REDACTED = 'REDACTED';

/**
 * Path segments after which the next segment is a credential, with the name it is shown as.
 * Agora Media Gateway: `/{region}/v1/projects/{appId}/rtls/ingress/streamkeys/{streamKey}`.
 */
const SECRET_AFTER_SEGMENT: Readonly<Record<string, string>> = {
  streamkeys: '{streamKey}',
};

/**
 * Query parameters whose values are credentials or prove one (ZEGO `Signature`): names ending in
 * one of these words, matched on the decoded name, case-insensitively. Broader than what the
 * providers send today, so a credential added to a query later is hidden without anyone
 * remembering this list; `SignatureNonce` and `SignatureVersion` stay readable.
 */
const SECRET_QUERY_NAME = /(signature|secret|token|password|passwd|key|auth|authorization|credentials?)$/i;

/** The span attributes `url.full`, `url.path` and `url.query`, with credentials replaced. */
export interface RedactedUrl {
  'url.full': string;
  'url.path': string;
  'url.query': string;
}

/** Redacts a request's path (which may carry a query) for span attributes; `origin` is kept as is. */
export function redactRequestUrl(origin: string, pathAndQuery: string): RedactedUrl {
  const queryAt = pathAndQuery.indexOf('?');
  const path = queryAt === -1 ? pathAndQuery : pathAndQuery.slice(0, queryAt);
  const query = queryAt === -1 ? '' : pathAndQuery.slice(queryAt + 1);
  const redactedPath = redactPath(path);
  const redactedQuery = query === '' ? '' : `?${redactQuery(query)}`;
  return {
    'url.full': `${origin.replace(/\/+$/, '')}${redactedPath}${redactedQuery}`,
    'url.path': redactedPath,
    'url.query': redactedQuery,
  };
}

function redactPath(path: string): string {
  const segments = path.split('/');
  return segments
    .map((segment, index) => {
      const previous = index > 0 ? segments[index - 1] : undefined;
      const name = previous === undefined ? undefined : SECRET_AFTER_SEGMENT[safeDecode(previous).toLowerCase()];
      return name !== undefined && segment !== '' ? name : segment;
    })
    .join('/');
}

function redactQuery(query: string): string {
  return query
    .split('&')
    .map((pair) => {
      const eq = pair.indexOf('=');
      const name = eq === -1 ? pair : pair.slice(0, eq);
      return SECRET_QUERY_NAME.test(safeDecode(name)) ? `${name}=${REDACTED}` : pair;
    })
    .join('&');
}

/** Percent-decodes for matching only; a malformed escape is matched as written. */
function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text.replace(/\+/g, ' '));
  } catch {
    return text;
  }
}
