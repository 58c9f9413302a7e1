import { Webhook } from 'standardwebhooks';
import { IntakeErrorCode, UnauthenticatedError } from '../../../src/intake/errors';
import { verifyDecision } from '../../../src/intake/sources/decision';
import { SignatureReplayGuard, verifyZegoCallback, zegoCallbackSignature } from '../../../src/intake/sources/zego-censor';
import { newWebhookSecret, signedDecision, zegoSignature } from './senders';

function refusal(fn: () => unknown): UnauthenticatedError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(UnauthenticatedError);
    return err as UnauthenticatedError;
  }
  throw new Error('expected a 401 refusal');
}

describe('ZEGO callback signature', () => {
  // providers/classifiers.md §1: nonce 123412, timestamp 1470820198, secret "secret".
  const vector = { Signature: '5bd59fd62953a8059fb7eaba95720f66d19e4517', Timestamp: 1470820198, Nonce: '123412' };
  const atVectorTime = 1470820198_000;

  test("ZEGO's documented test vector", () => {
    expect(zegoSignature('secret', '1470820198', '123412')).toBe(vector.Signature);
    expect(zegoCallbackSignature('secret', '1470820198', '123412')).toBe(vector.Signature);
    expect(verifyZegoCallback({ ...vector }, { secret: 'secret', nowMs: atVectorTime })).toEqual({ signature: vector.Signature, timestampMs: atVectorTime });
  });

  test('lowercase keys (ZEGO sample code) and uppercase hex are read too', () => {
    expect(() => verifyZegoCallback({ signature: vector.Signature.toUpperCase(), timestamp: '1470820198', nonce: 123412 }, { secret: 'secret', nowMs: atVectorTime })).not.toThrow();
  });

  test.each([
    ['a wrong secret', { ...vector }, 'other', atVectorTime, IntakeErrorCode.badCredentials, 'ZEGO callback: the signature does not match'],
    ['a tampered nonce', { ...vector, Nonce: '123413' }, 'secret', atVectorTime, IntakeErrorCode.badCredentials, 'ZEGO callback: the signature does not match'],
    ['a stale timestamp', { ...vector }, 'secret', atVectorTime + 301_000, IntakeErrorCode.staleSignature, "ZEGO callback: Timestamp is more than 300 s from the intake's clock"],
    ['a timestamp from the future', { ...vector }, 'secret', atVectorTime - 301_000, IntakeErrorCode.staleSignature, "ZEGO callback: Timestamp is more than 300 s from the intake's clock"],
    ['no signature', { Timestamp: 1470820198, Nonce: '123412' }, 'secret', atVectorTime, IntakeErrorCode.missingCredentials, 'ZEGO callback: Signature, Timestamp and Nonce are required'],
    ['a non-numeric timestamp', { ...vector, Timestamp: '1470820198x' }, 'secret', atVectorTime, IntakeErrorCode.badCredentials, 'ZEGO callback: Timestamp must be Unix seconds'],
    ['a signature that is not SHA-1 hex', { ...vector, Signature: 'zz' }, 'secret', atVectorTime, IntakeErrorCode.badCredentials, 'ZEGO callback: Signature must be 40 hex digits (SHA-1)'],
  ])('%s is refused', (_name, body, secret, nowMs, code, message) => {
    const err = refusal(() => verifyZegoCallback(body as Record<string, unknown>, { secret, nowMs }));
    expect([err.status, err.code, err.message]).toEqual([401, code, message]);
    expect(err.message).not.toContain(secret === 'secret' ? 'secret"' : secret);
  });

  test('a signature reused with another ResultTaskId is refused; the same one again (a retry) is not', () => {
    const guard = new SignatureReplayGuard();
    expect(guard.admit('sig', 'result-1', 1_000_000, 1_000_000)).toBe(true);
    expect(guard.admit('sig', 'result-1', 1_000_000, 1_010_000)).toBe(true);
    expect(guard.admit('sig', 'result-2', 1_000_000, 1_020_000)).toBe(false);
    // Past the window the timestamp check refuses it anyway; the guard forgets it.
    expect(guard.admit('sig', 'result-2', 1_000_000, 1_000_000 + 301_000)).toBe(true);
  });
});

describe('Standard Webhooks decision signature', () => {
  const secret = newWebhookSecret();
  const webhook = new Webhook(secret);
  const request = { violationId: 'clf-1', target: { provider: 'zego', appId: 1, roomId: 'r', streamId: 's', userId: 'u' } };

  test('a body signed by hand from the spec verifies and its webhook-id is returned', () => {
    const { body, headers } = signedDecision(secret, request, { id: 'msg_1' });
    expect(verifyDecision(Buffer.from(body), headers, webhook)).toBe('msg_1');
  });

  test('one matching signature among several (key rotation) is enough; other versions are ignored', () => {
    const { body, headers } = signedDecision(secret, request);
    const other = signedDecision(newWebhookSecret(), request, { id: headers['webhook-id'], timestampSeconds: Number(headers['webhook-timestamp']) });
    headers['webhook-signature'] = `v2,abc ${other.headers['webhook-signature']} ${headers['webhook-signature']}`;
    expect(() => verifyDecision(Buffer.from(body), headers, webhook)).not.toThrow();
  });

  const now = () => Math.floor(Date.now() / 1000);
  test.each([
    ['a tampered body', () => { const d = signedDecision(secret, request); return { ...d, body: d.body.replace('clf-1', 'clf-2') }; }, IntakeErrorCode.badCredentials, 'decision: no webhook-signature matches'],
    ['a wrong key', () => signedDecision(newWebhookSecret(), request), IntakeErrorCode.badCredentials, 'decision: no webhook-signature matches'],
    ['a signature over another webhook-id', () => { const d = signedDecision(secret, request); d.headers['webhook-id'] = 'msg_other'; return d; }, IntakeErrorCode.badCredentials, 'decision: no webhook-signature matches'],
    ['a stale timestamp (6 minutes old)', () => signedDecision(secret, request, { timestampSeconds: now() - 360 }), IntakeErrorCode.staleSignature, "decision: webhook-timestamp is more than 300 s from the intake's clock"],
    ['a timestamp 6 minutes ahead', () => signedDecision(secret, request, { timestampSeconds: now() + 360 }), IntakeErrorCode.staleSignature, "decision: webhook-timestamp is more than 300 s from the intake's clock"],
    ['a missing webhook-signature header', () => { const d = signedDecision(secret, request); delete d.headers['webhook-signature']; return d; }, IntakeErrorCode.missingCredentials, 'decision: missing webhook-signature header'],
    ['missing headers', () => ({ body: JSON.stringify(request), headers: {} as Record<string, string> }), IntakeErrorCode.missingCredentials, 'decision: missing webhook-id, webhook-timestamp, webhook-signature headers'],
    ['a timestamp that is not Unix seconds', () => { const d = signedDecision(secret, request); d.headers['webhook-timestamp'] += 'abc'; return d; }, IntakeErrorCode.badCredentials, 'decision: webhook-timestamp must be Unix seconds'],
  ])('%s is refused', (_name, make, code, message) => {
    const { body, headers } = make();
    const err = refusal(() => verifyDecision(Buffer.from(body), headers, webhook));
    expect([err.status, err.code, err.message]).toEqual([401, code, message]);
    expect(err.message).not.toContain(secret.slice(6, 20));
  });
});
