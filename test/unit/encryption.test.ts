import { randomBytes } from 'node:crypto';
import { defaultPayloadConverter } from '@temporalio/common';
import { EncryptionCodec, parsePayloadKeys } from '../../src/codec/encryption';
import { ConfigError, loadPayloadCodec } from '../../src/takedown-worker/config';

const keyA = randomBytes(32);
const keyB = randomBytes(32);
const payload = defaultPayloadConverter.toPayload({ streamKey: 'live_secret_key', n: 1 });

describe('EncryptionCodec', () => {
  it('round-trips a payload and hides its content', async () => {
    const codec = new EncryptionCodec(new Map([['a', keyA]]), 'a');
    const [encrypted] = await codec.encode([payload]);
    expect(Buffer.from(encrypted!.data!).toString('utf8')).not.toContain('live_secret_key');
    expect(Buffer.from(encrypted!.metadata!['encryption-key-id']!).toString()).toBe('a');
    const [decoded] = await codec.decode([encrypted!]);
    expect(defaultPayloadConverter.fromPayload(decoded!)).toEqual({ streamKey: 'live_secret_key', n: 1 });
  });

  it('decodes payloads of a rotated-out key and passes unencrypted ones through', async () => {
    const [old] = await new EncryptionCodec(new Map([['a', keyA]]), 'a').encode([payload]);
    const rotated = new EncryptionCodec(new Map([['a', keyA], ['b', keyB]]), 'b');
    const [fresh] = await rotated.encode([payload]);
    expect(Buffer.from(fresh!.metadata!['encryption-key-id']!).toString()).toBe('b');
    const decoded = await rotated.decode([old!, fresh!, payload]);
    expect(decoded.map((p) => defaultPayloadConverter.fromPayload(p))).toEqual([1, 2, 3].map(() => ({ streamKey: 'live_secret_key', n: 1 })));
  });

  it('refuses an unknown key id and tampered data with a clear error', async () => {
    const [encrypted] = await new EncryptionCodec(new Map([['a', keyA]]), 'a').encode([payload]);
    await expect(new EncryptionCodec(new Map([['b', keyB]]), 'b').decode([encrypted!])).rejects.toThrow(
      'no payload key with id "a": add it to TAKEDOWN_PAYLOAD_KEYS',
    );
    const tampered = { ...encrypted!, data: Buffer.from(encrypted!.data!).map((b, i) => (i === 20 ? b ^ 1 : b)) };
    await expect(new EncryptionCodec(new Map([['a', keyA]]), 'a').decode([tampered])).rejects.toThrow('failed authentication');
  });
});

describe('payload key configuration', () => {
  it('parses ids and keys, and picks the current key', () => {
    expect([...parsePayloadKeys(`a:${keyA.toString('base64')}, b:${keyB.toString('base64')}`).keys()]).toEqual(['a', 'b']);
    expect(loadPayloadCodec({})).toBeUndefined();
    expect(loadPayloadCodec({ TAKEDOWN_PAYLOAD_KEYS: `a:${keyA.toString('base64')}` })).toBeInstanceOf(EncryptionCodec);
  });

  it('names the problem without showing key material', () => {
    const short = randomBytes(16).toString('base64');
    const problems = (env: NodeJS.ProcessEnv) => {
      try {
        loadPayloadCodec(env);
      } catch (err) {
        return (err as ConfigError).problems;
      }
      return [];
    };
    expect(problems({ TAKEDOWN_PAYLOAD_KEYS: `a:${short}` })).toEqual(['TAKEDOWN_PAYLOAD_KEYS: key a must be 32 bytes of base64 (AES-256)']);
    expect(problems({ TAKEDOWN_PAYLOAD_KEYS: 'nonsense' })).toEqual(['TAKEDOWN_PAYLOAD_KEYS: entry 1 must be <key id>:<base64 key>']);
    expect(problems({ TAKEDOWN_PAYLOAD_KEYS: `a:${keyA.toString('base64')}`, TAKEDOWN_PAYLOAD_KEY_ID: 'z' })).toEqual([
      'TAKEDOWN_PAYLOAD_KEY_ID: z is not a key id in TAKEDOWN_PAYLOAD_KEYS',
    ]);
  });
});
