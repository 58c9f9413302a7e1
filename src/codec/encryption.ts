/**
 * Payload encryption for Temporal: AES-256-GCM over each whole payload, with the key id in the
 * metadata so keys can rotate (old payloads keep decrypting with their own key). Agora stream keys
 * travel in workflow inputs; with this codec on, histories store them only encrypted.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type { Payload, PayloadCodec } from '@temporalio/common';
import { temporal } from '@temporalio/proto';

export const ENCRYPTED_ENCODING = 'binary/encrypted';
export const KEY_ID_METADATA = 'encryption-key-id';
const IV_BYTES = 12;
const TAG_BYTES = 16;

const utf8 = (text: string) => new TextEncoder().encode(text);
const text = (bytes: Uint8Array | null | undefined) => (bytes ? new TextDecoder().decode(bytes) : undefined);

export class PayloadDecryptionError extends Error {
  override readonly name = 'PayloadDecryptionError';
}

/** Parses `id:base64key,id2:base64key2` (each key 32 bytes); throws naming the entry, never the key. */
export function parsePayloadKeys(spec: string): Map<string, Buffer> {
  const keys = new Map<string, Buffer>();
  spec.split(',').map((s) => s.trim()).filter(Boolean).forEach((entry, index) => {
    const separator = entry.indexOf(':');
    const id = entry.slice(0, separator);
    const key = Buffer.from(entry.slice(separator + 1), 'base64');
    if (separator < 1 || !/^[\w.-]{1,64}$/.test(id)) throw new Error(`entry ${index + 1} must be <key id>:<base64 key>`);
    if (key.length !== 32) throw new Error(`key ${id} must be 32 bytes of base64 (AES-256)`);
    if (keys.has(id)) throw new Error(`key ${id} is listed twice`);
    keys.set(id, key);
  });
  if (keys.size === 0) throw new Error('lists no key');
  return keys;
}

export class EncryptionCodec implements PayloadCodec {
  /**
   * @param keys every key that may have encrypted a stored payload, by id
   * @param currentKeyId the key new payloads are encrypted with
   */
  constructor(
    private readonly keys: ReadonlyMap<string, Buffer>,
    private readonly currentKeyId: string,
  ) {
    if (!keys.has(currentKeyId)) throw new Error(`current payload key ${currentKeyId} is not among the keys`);
  }

  async encode(payloads: Payload[]): Promise<Payload[]> {
    const key = this.keys.get(this.currentKeyId)!;
    return payloads.map((payload) => {
      const iv = randomBytes(IV_BYTES);
      const cipher = createCipheriv('aes-256-gcm', key, iv);
      const plain = temporal.api.common.v1.Payload.encode(payload).finish();
      const data = Buffer.concat([iv, cipher.update(plain), cipher.final(), cipher.getAuthTag()]);
      return { metadata: { encoding: utf8(ENCRYPTED_ENCODING), [KEY_ID_METADATA]: utf8(this.currentKeyId) }, data };
    });
  }

  async decode(payloads: Payload[]): Promise<Payload[]> {
    return payloads.map((payload) => {
      // Payloads written before encryption was turned on stay readable.
      if (text(payload.metadata?.encoding) !== ENCRYPTED_ENCODING) return payload;
      const keyId = text(payload.metadata?.[KEY_ID_METADATA]) ?? '';
      const key = this.keys.get(keyId);
      if (!key) throw new PayloadDecryptionError(`no payload key with id ${JSON.stringify(keyId)}: add it to TAKEDOWN_PAYLOAD_KEYS`);
      const data = Buffer.from(payload.data ?? []);
      if (data.length < IV_BYTES + TAG_BYTES) throw new PayloadDecryptionError('encrypted payload is truncated');
      const decipher = createDecipheriv('aes-256-gcm', key, data.subarray(0, IV_BYTES));
      decipher.setAuthTag(data.subarray(data.length - TAG_BYTES));
      let plain: Buffer;
      try {
        plain = Buffer.concat([decipher.update(data.subarray(IV_BYTES, data.length - TAG_BYTES)), decipher.final()]);
      } catch {
        throw new PayloadDecryptionError(`payload encrypted with key ${keyId} failed authentication (wrong key or tampered data)`);
      }
      return temporal.api.common.v1.Payload.decode(plain) as Payload;
    });
  }
}
