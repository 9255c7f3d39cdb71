import type { Db } from 'mongodb';
import { collectionOf, type OutboxEntry, type OutboxFields } from '../data-access/subject.documents.js';

/** A document the relay holds the lease on, with its pending events in stream order. */
export interface OutboxClaim {
  readonly collection: string;
  readonly aggregateId: string;
  readonly events: readonly OutboxEntry[];
}

/** What the relay needs from storage; a test wraps it to inject a crash between publish and mark. */
/** A document known to have new events (the writer said so): claimed by id, no search needed. */
export interface OutboxHint {
  readonly collection: string;
  readonly aggregateId: string;
}

export interface OutboxStore {
  /** Leases one document with pending events whose lease is free or expired. */
  claimNext(owner: string, leaseMs: number): Promise<OutboxClaim | undefined>;
  /** Leases the hinted document if it still has pending events and a free lease. */
  claimHinted(hint: OutboxHint, owner: string, leaseMs: number): Promise<OutboxClaim | undefined>;
  /** Records that every event up to `lastSeq` is published, and frees the lease. */
  markSent(claim: OutboxClaim, lastSeq: number): Promise<void>;
  /** Frees the lease without marking anything (publish failed). */
  release(claim: OutboxClaim): Promise<void>;
}

type OutboxDoc = OutboxFields & { _id: string };

export function createMongoOutboxStore(db: Db): OutboxStore {
  const collections = Object.values(collectionOf);
  let next = 0; // alternate collections so one busy kind cannot starve the other
  const claim = async (name: string, filter: Record<string, unknown>, owner: string, leaseMs: number): Promise<OutboxClaim | undefined> => {
    const now = new Date();
    const doc = await db.collection<OutboxDoc>(name).findOneAndUpdate(
      { ...filter, outboxPending: true, leaseUntil: { $lte: now } },
      { $set: { leaseUntil: new Date(now.getTime() + leaseMs), leaseOwner: owner } },
      { returnDocument: 'after', projection: { outbox: 1, outboxSentSeq: 1, outboxSeq: 1 } },
    );
    if (!doc) return undefined;
    const sentSeq = doc.outboxSentSeq;
    const events = [...(doc.outbox ?? [])].filter((e) => e.seq > sentSeq).sort((a, b) => a.seq - b.seq);
    return { collection: name, aggregateId: doc._id, events };
  };
  return {
    async claimNext(owner, leaseMs) {
      for (let i = 0; i < collections.length; i += 1) {
        const name = collections[(next + i) % collections.length] ?? 'newcomers';
        const claimed = await claim(name, {}, owner, leaseMs);
        if (claimed) {
          next = (next + i + 1) % collections.length;
          return claimed;
        }
      }
      return undefined;
    },

    claimHinted(hint, owner, leaseMs) {
      if (!collections.includes(hint.collection)) return Promise.resolve(undefined);
      return claim(hint.collection, { _id: hint.aggregateId }, owner, leaseMs);
    },

    async markSent(claim, lastSeq) {
      const c = db.collection<OutboxDoc>(claim.collection);
      // Everything published and nothing new appended meanwhile: clear the outbox in the same write.
      const cleared = await c.updateOne(
        { _id: claim.aggregateId, outboxSeq: lastSeq },
        { $set: { outbox: [], outboxSentSeq: lastSeq, outboxPending: false, leaseUntil: new Date(0) }, $unset: { leaseOwner: '' } },
      );
      if (cleared.matchedCount === 1) return;
      // New events arrived while publishing: keep them pending, move the high-water mark forward only.
      await c.updateOne(
        { _id: claim.aggregateId, outboxSentSeq: { $lt: lastSeq } },
        { $set: { outboxSentSeq: lastSeq, leaseUntil: new Date(0) }, $unset: { leaseOwner: '' } },
      );
      await c.updateOne({ _id: claim.aggregateId }, { $set: { leaseUntil: new Date(0) } });
    },

    async release(claim) {
      await db.collection<OutboxDoc>(claim.collection).updateOne({ _id: claim.aggregateId }, { $set: { leaseUntil: new Date(0) }, $unset: { leaseOwner: '' } });
    },
  };
}
