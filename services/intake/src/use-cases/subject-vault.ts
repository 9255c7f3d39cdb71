import type { FieldCipher } from '../domain/field-crypto.js';
import type { PiiField } from '../domain/subject.js';
import type { SealedPii } from '../data-access/subject.documents.js';
import type { SubjectKeyRepository } from '../data-access/subject-key.repository.js';

export interface SubjectSealer {
  seal(fields: Partial<Record<PiiField, string | undefined>>): SealedPii;
  open(field: PiiField, sealed: string): string;
}

/** Seals and opens a subject's PII with their own data key, fetched (unwrapped) from the key ring. */
export function createSubjectVault(deps: { cipher: FieldCipher; keys: SubjectKeyRepository }) {
  const sealerFor = (subjectId: string, dataKey: Buffer): SubjectSealer => ({
    seal(fields) {
      const out: SealedPii = {};
      for (const [field, value] of Object.entries(fields) as [PiiField, string | undefined][]) {
        if (value !== undefined) out[field] = deps.cipher.encrypt(dataKey, subjectId, field, value);
      }
      return out;
    },
    open: (field, sealed) => deps.cipher.decrypt(dataKey, subjectId, field, sealed),
  });
  return {
    /** A new key for a new subject, stored wrapped before any field is sealed with it. */
    async create(subjectId: string): Promise<SubjectSealer> {
      const { dataKey, wrappedKey } = deps.cipher.newSubjectKey(subjectId);
      await deps.keys.put(subjectId, wrappedKey);
      return sealerFor(subjectId, dataKey);
    },
    /** Undefined once the subject's key is destroyed (erased). */
    async open(subjectId: string): Promise<SubjectSealer | undefined> {
      const wrapped = await deps.keys.get(subjectId);
      return wrapped === undefined ? undefined : sealerFor(subjectId, deps.cipher.unwrapSubjectKey(subjectId, wrapped));
    },
    destroy: (subjectId: string) => deps.keys.destroy(subjectId),
  };
}

export type SubjectVault = ReturnType<typeof createSubjectVault>;
