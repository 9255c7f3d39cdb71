import type { Collection, Db, Filter } from 'mongodb';
import type { AuditRecord } from './documents.js';

export interface AuditQuery {
  readonly actor?: string;
  readonly matchId?: string;
  readonly subjectId?: string;
  /** Matches ids, actor, action and reason codes. */
  readonly text?: string;
  readonly since?: Date;
  readonly until?: Date;
}

function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** The audit trail, filled by the outbox relay from the audit lines written with each change. */
export function createAuditRepository(db: Db) {
  const audit: Collection<AuditRecord> = db.collection<AuditRecord>('audit');
  return {
    async ensureIndexes(): Promise<void> {
      await audit.createIndex({ at: -1 }, { name: 'by_time' });
      await audit.createIndex({ matchId: 1, at: -1 }, { name: 'by_match' });
    },
    /** Idempotent: the relay may copy the same line twice after a crash. */
    async put(entry: AuditRecord): Promise<void> {
      await audit.replaceOne({ _id: entry._id }, entry, { upsert: true });
    },
    async page(query: AuditQuery, skip: number, limit: number): Promise<AuditRecord[]> {
      const filter: Record<string, unknown> = {};
      if (query.actor !== undefined) filter['actor'] = query.actor;
      if (query.matchId !== undefined) filter['matchId'] = query.matchId;
      if (query.subjectId !== undefined) filter['subjectId'] = query.subjectId;
      if (query.since !== undefined || query.until !== undefined) {
        filter['at'] = { ...(query.since === undefined ? {} : { $gte: query.since }), ...(query.until === undefined ? {} : { $lt: query.until }) };
      }
      if (query.text !== undefined) {
        const pattern = new RegExp(escapeRegex(query.text), 'i');
        filter['$or'] = [{ _id: pattern }, { matchId: pattern }, { actor: pattern }, { action: pattern }, { reason: pattern }, { subjectId: pattern }];
      }
      return audit.find(filter as Filter<AuditRecord>).sort({ at: -1, _id: -1 }).skip(skip).limit(limit).toArray();
    },
  };
}

export type AuditRepository = ReturnType<typeof createAuditRepository>;
