import { createCipheriv, createDecipheriv, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * Envelope encryption of PII fields. Each subject has its own random data key, stored only wrapped (AES-256-GCM)
 * under the master key; destroying the wrapped key makes every field of that subject unreadable (crypto-shredding).
 * Each field is AES-256-GCM with a fresh 96-bit IV and associated data binding the subject id and the field name,
 * so a ciphertext copied to another field or another subject fails authentication instead of decrypting.
 */
export interface FieldCipher {
  /** A new data key for `subjectId`, and its wrapped form to store. */
  newSubjectKey(subjectId: string): { readonly dataKey: Buffer; readonly wrappedKey: string };
  unwrapSubjectKey(subjectId: string, wrappedKey: string): Buffer;
  encrypt(dataKey: Buffer, subjectId: string, field: string, plaintext: string): string;
  decrypt(dataKey: Buffer, subjectId: string, field: string, sealed: string): string;
}

export class DecryptionError extends Error {
  constructor(what: string) {
    super(`cannot decrypt ${what}: wrong key, wrong subject or field, or tampered data`);
    this.name = 'DecryptionError';
  }
}

const version = 'v1';
const ivBytes = 12;
const tagBytes = 16;

function associatedData(kind: 'key' | 'field', subjectId: string, field: string): Buffer {
  // JSON keeps the parts unambiguous whatever characters an id or field name holds.
  return Buffer.from(JSON.stringify([`kindred/${kind}/${version}`, subjectId, field]), 'utf8');
}

function seal(key: Buffer, plaintext: Buffer, aad: Buffer): string {
  const iv = randomBytes(ivBytes);
  const cipher = createCipheriv('aes-256-gcm', key, iv, { authTagLength: tagBytes });
  cipher.setAAD(aad);
  const body = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return [version, iv.toString('base64url'), body.toString('base64url'), cipher.getAuthTag().toString('base64url')].join(':');
}

function open(key: Buffer, sealed: string, aad: Buffer, what: string): Buffer {
  const parts = sealed.split(':');
  if (parts.length !== 4 || parts[0] !== version) throw new DecryptionError(what);
  const iv = Buffer.from(parts[1] ?? '', 'base64url');
  const body = Buffer.from(parts[2] ?? '', 'base64url');
  const tag = Buffer.from(parts[3] ?? '', 'base64url');
  if (iv.length !== ivBytes || tag.length !== tagBytes) throw new DecryptionError(what);
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, iv, { authTagLength: tagBytes });
    decipher.setAAD(aad);
    decipher.setAuthTag(tag);
    return Buffer.concat([decipher.update(body), decipher.final()]);
  } catch {
    throw new DecryptionError(what);
  }
}

export function createFieldCipher(masterKey: Buffer): FieldCipher {
  if (masterKey.length !== 32) throw new Error('the master key must be 32 bytes');
  return {
    newSubjectKey(subjectId) {
      const dataKey = randomBytes(32);
      return { dataKey, wrappedKey: seal(masterKey, dataKey, associatedData('key', subjectId, '')) };
    },
    unwrapSubjectKey(subjectId, wrappedKey) {
      const key = open(masterKey, wrappedKey, associatedData('key', subjectId, ''), 'subject key');
      if (key.length !== 32) throw new DecryptionError('subject key');
      return key;
    },
    encrypt(dataKey, subjectId, field, plaintext) {
      return seal(dataKey, Buffer.from(plaintext, 'utf8'), associatedData('field', subjectId, field));
    },
    decrypt(dataKey, subjectId, field, sealed) {
      return open(dataKey, sealed, associatedData('field', subjectId, field), field).toString('utf8');
    },
  };
}

/**
 * Keyed hashes of normalised contact details, so a subject can be found by phone (an inbound STOP) or email
 * without storing either in clear. The key is separate from the master key: one leaking does not give the other.
 */
export interface BlindIndex {
  phone(e164: string): string;
  email(address: string): string;
  equals(a: string, b: string): boolean;
}

export function normalizeEmail(address: string): string {
  return address.trim().toLowerCase();
}

export function createBlindIndex(key: Buffer): BlindIndex {
  if (key.length < 32) throw new Error('the blind index key must be at least 32 bytes');
  const mac = (kind: string, value: string) => createHmac('sha256', key).update(`${kind}\u0000${value}`, 'utf8').digest('hex');
  return {
    phone: (e164) => mac('phone', e164),
    email: (address) => mac('email', normalizeEmail(address)),
    equals: (a, b) => a.length === b.length && timingSafeEqual(Buffer.from(a), Buffer.from(b)),
  };
}
