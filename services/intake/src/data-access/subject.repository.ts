import { Binary, type Db, type Filter } from 'mongodb';
import type { OutboxFields } from './subject.documents.js';
import { isDuplicateKeyError } from '@kindred/platform';
import type { SubjectKind } from '../domain/subject.js';
import type { PendingEvent } from '../events/intake-event.factory.js';
import { collectionOf, type NewcomerDocument, type OutboxEntry, type PeerDocument, type SubjectDocument } from './subject.documents.js';

type AnyDocument = { _id: string } & Record<string, unknown>;
type DocOf<K extends SubjectKind> = K extends 'newcomer' ? NewcomerDocument : PeerDocument;
export type NewDocument<K extends SubjectKind> = Omit<DocOf<K>, keyof OutboxFields | 'version'>;

export function toOutboxEntries(events: readonly PendingEvent[], firstSeq: number): OutboxEntry[] {
  return events.map((event, index) => ({
    eventId: event.eventId,
    seq: firstSeq + index,
    type: event.type,
    topic: event.topic,
    key: event.key,
    value: new Binary(event.value),
    headers: { ...event.headers },
  }));
}

/** Newcomers and peers, each in its own collection, each document carrying its own outbox. */
export function createSubjectRepository(db: Db) {
  const collection = <K extends SubjectKind>(kind: K) => db.collection<DocOf<K>>(collectionOf[kind]);

  return {
    async ensureIndexes(): Promise<void> {
      for (const kind of ['newcomer', 'peer'] as const) {
        const c = db.collection(collectionOf[kind]);
        await c.createIndex({ idempotencyKey: 1 }, { unique: true, name: 'idempotency_key_unique' });
        await c.createIndex({ outboxPending: 1, leaseUntil: 1 }, { name: 'outbox_pending' });
        await c.createIndex({ phoneIndex: 1 }, { name: 'phone_blind_index' });
        await c.createIndex({ emailIndex: 1 }, { name: 'email_blind_index' });
      }
    },

    /** The subject and its first events in one insert. `duplicate` when the idempotency key is already used. */
    async insert<K extends SubjectKind>(kind: K, doc: NewDocument<K>, events: readonly PendingEvent[]): Promise<'inserted' | 'duplicate'> {
      const full = {
        ...doc,
        version: 1,
        outbox: toOutboxEntries(events, 1),
        outboxSeq: events.length,
        outboxSentSeq: 0,
        outboxPending: events.length > 0,
        leaseUntil: new Date(0),
      };
      try {
        await db.collection(collectionOf[kind]).insertOne(full as unknown as Record<string, unknown>);
        return 'inserted';
      } catch (error) {
        if (isDuplicateKeyError(error)) return 'duplicate';
        throw error;
      }
    },

    findById<K extends SubjectKind>(kind: K, id: string): Promise<DocOf<K> | null> {
      return collection(kind).findOne({ _id: id } as Filter<DocOf<K>>) as Promise<DocOf<K> | null>;
    },

    findByIdempotencyKey<K extends SubjectKind>(kind: K, key: string): Promise<DocOf<K> | null> {
      return collection(kind).findOne({ idempotencyKey: key } as Filter<DocOf<K>>) as Promise<DocOf<K> | null>;
    },

    async findSubject(id: string): Promise<SubjectDocument | null> {
      return (await this.findById('newcomer', id)) ?? (await this.findById('peer', id));
    },

    /**
     * Optimistic update: applies only if the document is still at `version`, and appends `events` to its outbox in
     * the same write. False when someone else changed it first (the caller reloads and retries).
     */
    async updateAtVersion<K extends SubjectKind>(
      kind: K,
      current: { _id: string; version: number; outboxSeq: number },
      change: { set?: Record<string, unknown>; unset?: readonly string[] },
      events: readonly PendingEvent[],
    ): Promise<boolean> {
      const update: Record<string, unknown> = {
        $set: { ...change.set, version: current.version + 1, updatedAt: new Date(), ...(events.length > 0 ? { outboxPending: true } : {}) },
        $inc: { outboxSeq: events.length },
      };
      if (change.unset && change.unset.length > 0) update['$unset'] = Object.fromEntries(change.unset.map((f) => [f, '']));
      if (events.length > 0) update['$push'] = { outbox: { $each: toOutboxEntries(events, current.outboxSeq + 1) } };
      const result = await db
        .collection<AnyDocument>(collectionOf[kind])
        .updateOne({ _id: current._id, version: current.version }, update);
      return result.matchedCount === 1;
    },

    /** Ids of the live subjects whose phone has this blind index. */
    async idsByPhoneIndex(index: string): Promise<{ kind: SubjectKind; id: string }[]> {
      const out: { kind: SubjectKind; id: string }[] = [];
      for (const kind of ['newcomer', 'peer'] as const) {
        const docs = await db
          .collection(collectionOf[kind])
          .find({ phoneIndex: index, erasedAt: { $exists: false } }, { projection: { _id: 1 } })
          .toArray();
        for (const d of docs) out.push({ kind, id: String(d['_id']) });
      }
      return out;
    },

    async setSmsConsent(kind: SubjectKind, id: string, consented: boolean, source: string, at: Date): Promise<void> {
      await db
        .collection<AnyDocument>(collectionOf[kind])
        .updateOne({ _id: id, erasedAt: { $exists: false } }, { $set: { 'consents.sms': consented, 'consents.smsChangedAt': at, 'consents.smsSource': source, updatedAt: at } });
    },
  };
}

export type SubjectRepository = ReturnType<typeof createSubjectRepository>;
