/** ZEGO Server API v2 request signing (zego.md §2). */
import { createHash, randomBytes } from 'node:crypto';

/** The only signature version ZEGO accepts (zego.md §1.3). */
export const ZEGO_SIGNATURE_VERSION = '2.0';

/**
 * `md5(AppId + SignatureNonce + ServerSecret + Timestamp)` over the UTF-8 concatenation of the
 * decimal AppId, the nonce as sent, the secret and the decimal Unix-seconds timestamp; lowercase
 * hex. Only these four values are signed: not the Action, the other parameters or the body.
 */
export function signZego(appId: number, nonce: string, serverSecret: string, timestamp: number): string {
  return createHash('md5').update(`${appId}${nonce}${serverSecret}${timestamp}`, 'utf8').digest('hex');
}

/** A fresh `SignatureNonce`: 16 lowercase hex characters from 8 random bytes, as the docs describe. */
export function newZegoNonce(): string {
  return randomBytes(8).toString('hex');
}
