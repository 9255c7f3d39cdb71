import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createBlindIndex, createFieldCipher, DecryptionError } from '../../src/domain/field-crypto.js';

describe('field encryption', () => {
  const cipher = createFieldCipher(randomBytes(32));
  const { dataKey, wrappedKey } = cipher.newSubjectKey('subject-a');

  it('round-trips a field through the wrapped subject key', () => {
    const sealed = cipher.encrypt(dataKey, 'subject-a', 'email', 'ana@example.org');
    expect(sealed).not.toContain('ana');
    const unwrapped = cipher.unwrapSubjectKey('subject-a', wrappedKey);
    expect(cipher.decrypt(unwrapped, 'subject-a', 'email', sealed)).toBe('ana@example.org');
  });

  it('uses a fresh IV: the same plaintext never gives the same ciphertext', () => {
    expect(cipher.encrypt(dataKey, 'subject-a', 'email', 'x')).not.toBe(cipher.encrypt(dataKey, 'subject-a', 'email', 'x'));
  });

  it('refuses a ciphertext moved to another field', () => {
    const sealed = cipher.encrypt(dataKey, 'subject-a', 'email', 'ana@example.org');
    expect(() => cipher.decrypt(dataKey, 'subject-a', 'phone', sealed)).toThrow(DecryptionError);
  });

  it('refuses a ciphertext moved to another subject, even under the same data key', () => {
    const sealed = cipher.encrypt(dataKey, 'subject-a', 'email', 'ana@example.org');
    expect(() => cipher.decrypt(dataKey, 'subject-b', 'email', sealed)).toThrow(DecryptionError);
  });

  it('refuses a wrapped key moved to another subject, or unwrapped under another master key', () => {
    expect(() => cipher.unwrapSubjectKey('subject-b', wrappedKey)).toThrow(DecryptionError);
    expect(() => createFieldCipher(randomBytes(32)).unwrapSubjectKey('subject-a', wrappedKey)).toThrow(DecryptionError);
  });

  it('detects a flipped bit', () => {
    const sealed = cipher.encrypt(dataKey, 'subject-a', 'email', 'ana@example.org');
    const parts = sealed.split(':');
    const body = Buffer.from(parts[2]!, 'base64url');
    body[0] = body[0]! ^ 1;
    parts[2] = body.toString('base64url');
    expect(() => cipher.decrypt(dataKey, 'subject-a', 'email', parts.join(':'))).toThrow(DecryptionError);
  });

  it('rejects a master key of the wrong size', () => {
    expect(() => createFieldCipher(randomBytes(16))).toThrow(/32 bytes/);
  });
});

describe('blind index', () => {
  const index = createBlindIndex(randomBytes(32));

  it('is stable and normalises email case', () => {
    expect(index.email(' Ana@Example.org ')).toBe(index.email('ana@example.org'));
    expect(index.phone('+12015550123')).toBe(index.phone('+12015550123'));
  });

  it('separates kinds and keys and shows no plaintext', () => {
    expect(index.phone('+12015550123')).not.toBe(index.email('+12015550123'));
    expect(index.phone('+12015550123')).not.toBe(createBlindIndex(randomBytes(32)).phone('+12015550123'));
    expect(index.phone('+12015550123')).toMatch(/^[0-9a-f]{64}$/);
  });
});
