import type { Collection, Db, Filter, UpdateFilter } from 'mongodb';
import type { AuditRecord, MatchDocument, OutboxEntry } from './documents.js';

export interface MatchChange {
  readonly set: Partial<Omit<MatchDocument, '_id' | 'version' | 'audit' | 'outbox' | 'appliedEventIds'>>;
  readonly audit?: readonly AuditRecord[];
  readonly outbox?: readonly OutboxEntry[];
  readonly appliedEventId?: string;
  /** Extra guard, e.g. the event id not applied yet. */
  readonly filter?: Filter<MatchDocument>;
  readonly push?: UpdateFilter<MatchDocument>['$push'];
}

/** Matches with their explanation, audit trail, delivery status and outbox. */
export function createMatchRepository(db: Db) {
  const matches: Collection<MatchDocument> = db.collection<MatchDocument>('matches');

  return {
    collection: matches,
    async ensureIndexes(): Promise<void> {
      await matches.createIndex({ state: 1, urgent: -1, waitingSince: 1 }, { name: 'queue' });
      await matches.createIndex({ newcomerId: 1 }, { name: 'by_newcomer' });
      await matches.createIndex({ outboxPending: 1, outboxLeaseUntil: 1 }, { name: 'outbox' });
      await matches.createIndex({ settled: 1, state: 1 }, { name: 'unsettled' });
    },

    get: (matchId: string) => matches.findOne({ _id: matchId }),

    insert: async (doc: MatchDocument) => {
      await matches.insertOne(doc);
    },

    /**
     * One optimistic write: applies the change only if the document is still at `version`, bumps the version and
     * appends audit lines and outbox entries in the same update. Null when someone else changed it first.
     */
    async commit(matchId: string, version: number, change: MatchChange, now: Date): Promise<MatchDocument | null> {
      const push: Record<string, unknown> = { ...(change.push ?? {}) };
      if (change.audit !== undefined && change.audit.length > 0) push['audit'] = { $each: [...change.audit] };
      if (change.outbox !== undefined && change.outbox.length > 0) push['outbox'] = { $each: [...change.outbox] };
      if (change.appliedEventId !== undefined) push['appliedEventIds'] = change.appliedEventId;
      const set: Record<string, unknown> = { ...change.set, updatedAt: now };
      if (change.outbox !== undefined && change.outbox.length > 0) set['outboxPending'] = true;
      const update: UpdateFilter<MatchDocument> = { $set: set, $inc: { version: 1 } };
      if (Object.keys(push).length > 0) update.$push = push as NonNullable<UpdateFilter<MatchDocument>['$push']>;
      return matches.findOneAndUpdate({ ...(change.filter ?? {}), _id: matchId, version }, update, { returnDocument: 'after' });
    },

    /** A reservation that did not happen: the internal document is kept as `abandoned` for the record. */
    async abandon(matchId: string, now: Date): Promise<void> {
      await matches.updateOne({ _id: matchId, state: 'reserving' }, { $set: { state: 'abandoned', settled: true, updatedAt: now } });
    },

    /** Final-state matches whose follow-up (slot release, newcomer back to matching) may not have run yet. */
    unsettled: (limit: number) =>
      matches
        .find({ settled: false, state: { $in: ['declined', 'closed', 'rematch_requested'] } })
        .limit(limit)
        .toArray(),

    /** Reservations interrupted by a crash: older than the lease, still `reserving`. */
    staleReservations: (olderThan: Date, limit: number) => matches.find({ state: 'reserving', createdAt: { $lt: olderThan } }).limit(limit).toArray(),

    async markSettled(matchId: string, now: Date): Promise<void> {
      await matches.updateOne({ _id: matchId }, { $set: { settled: true, capacityHeld: false, updatedAt: now } });
    },

    async page(filter: Filter<MatchDocument>, skip: number, limit: number): Promise<{ items: MatchDocument[]; total: number }> {
      const [items, total] = await Promise.all([
        matches.find(filter).sort({ urgent: -1, waitingSince: 1, _id: 1 }).skip(skip).limit(limit).toArray(),
        matches.countDocuments(filter),
      ]);
      return { items, total };
    },

    find: (filter: Filter<MatchDocument>) => matches.find(filter).toArray(),

    /** Drops the explanation of every match of an erased subject: only ids, states, decisions and the audit remain. */
    async scrubSubject(subjectId: string, now: Date): Promise<void> {
      await matches.updateMany(
        { $or: [{ newcomerId: subjectId }, { peerId: subjectId }] },
        { $set: { sharedTopics: [], sharedLanguages: [], factors: [], others: [], skipped: [], riskLevel: 'unspecified', updatedAt: now } },
      );
    },
  };
}

export type MatchRepository = ReturnType<typeof createMatchRepository>;
