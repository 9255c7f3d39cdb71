import type { Db } from 'mongodb';

interface SubjectKeyDocument {
  _id: string;
  wrappedKey: string;
  createdAt: Date;
}

/**
 * The key ring: each subject's data key, wrapped by the master key. Kept apart from the subjects' documents so that
 * erasure is one delete here (crypto-shredding), whatever copies of the encrypted fields remain elsewhere.
 */
export function createSubjectKeyRepository(db: Db) {
  const keys = db.collection<SubjectKeyDocument>('subject_keys');
  return {
    async put(subjectId: string, wrappedKey: string): Promise<void> {
      await keys.insertOne({ _id: subjectId, wrappedKey, createdAt: new Date() });
    },
    async get(subjectId: string): Promise<string | undefined> {
      return (await keys.findOne({ _id: subjectId }))?.wrappedKey;
    },
    async destroy(subjectId: string): Promise<void> {
      await keys.deleteOne({ _id: subjectId });
    },
  };
}

export type SubjectKeyRepository = ReturnType<typeof createSubjectKeyRepository>;
