/** Agora HTTP Basic authentication (agora.md §2.1). HMAC auth is not simulated. */
import { timingSafeEqual } from 'node:crypto';

/** An Agora RESTful API credential. */
export interface AgoraAccount {
  customerId: string;
  customerSecret: string;
}

/**
 * The customer id a request authenticates as, or undefined. The scheme name is matched
 * case-insensitively: Agora's own Python sample sends `basic` (agora.md §2.1).
 */
export function authenticate(authorization: string | undefined, accounts: ReadonlyMap<string, string>): string | undefined {
  const match = /^basic\s+([A-Za-z0-9+/=_-]+)\s*$/i.exec(authorization ?? '');
  if (match?.[1] === undefined) return undefined;
  const decoded = Buffer.from(match[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon === -1) return undefined;
  const customerId = decoded.slice(0, colon);
  const expected = accounts.get(customerId);
  if (expected === undefined) return undefined;
  const given = Buffer.from(decoded.slice(colon + 1), 'utf8');
  const wanted = Buffer.from(expected, 'utf8');
  return given.length === wanted.length && timingSafeEqual(given, wanted) ? customerId : undefined;
}
