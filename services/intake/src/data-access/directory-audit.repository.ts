import { ulid } from 'ulid';
import type { Db } from 'mongodb';

/** Who read or changed contact data through the directory, when, why. Ids and codes only: never PII. */
export interface DirectoryAuditEntry {
  readonly action: 'get_contact' | 'set_sms_consent' | 'erase_subject';
  readonly caller: string;
  readonly subjectIds: readonly string[];
  readonly outcome: 'ok' | 'not_found' | 'unauthenticated' | 'invalid_argument';
  readonly purpose?: string;
  readonly referenceId?: string;
  readonly source?: string;
}

export function createDirectoryAuditRepository(db: Db) {
  const entries = db.collection<DirectoryAuditEntry & { _id: string; at: Date }>('directory_audit');
  return {
    async ensureIndexes(): Promise<void> {
      await entries.createIndex({ subjectIds: 1, at: 1 }, { name: 'by_subject' });
    },
    async record(entry: DirectoryAuditEntry): Promise<void> {
      await entries.insertOne({ _id: ulid(), at: new Date(), ...entry, subjectIds: [...entry.subjectIds] });
    },
  };
}

export type DirectoryAuditRepository = ReturnType<typeof createDirectoryAuditRepository>;
