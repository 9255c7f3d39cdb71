import type { Collection, Db, Filter } from 'mongodb';
import { AppError, isDuplicateKeyError } from '@kindred/platform';
import type { PeerAttributes } from '../domain/read-model.js';
import type { OutboxEntry, PeerDocument } from './documents.js';

export type ApplyResult = 'applied' | 'duplicate';

/** The peers read model, with each peer's capacity counter. */
export function createPeerRepository(db: Db) {
  const peers: Collection<PeerDocument> = db.collection<PeerDocument>('peers');
  const EPOCH = new Date(0);

  return {
    collection: peers,
    async ensureIndexes(): Promise<void> {
      await peers.createIndex({ outboxPending: 1, outboxLeaseUntil: 1 }, { name: 'outbox' });
    },

    get: (peerId: string) => peers.findOne({ _id: peerId }),

    /** Every peer with a profile; the engine explains why the unavailable ones are skipped. */
    all: () => peers.find({ profiled: true }).sort({ _id: 1 }).toArray(),

    /**
     * Applies a full profile. Capacity changes move `freeSlots` by the difference, guarded on the capacity read, so
     * the counter stays capacity − load while reservations run concurrently. Idempotent by event id.
     */
    async upsertProfile(peerId: string, attributes: PeerAttributes, eventId: string, now: Date): Promise<ApplyResult> {
      for (let attempt = 0; attempt < 20; attempt++) {
        const current = await peers.findOne({ _id: peerId }, { projection: { capacity: 1, appliedEventIds: 1 } });
        if (current === null) {
          try {
            await peers.insertOne({
              _id: peerId,
              profiled: true,
              ...attributes,
              load: 0,
              freeSlots: attributes.capacity,
              holds: [],
              pauseReason: null,
              appliedEventIds: [eventId],
              outbox: [],
              outboxPending: false,
              outboxLeaseUntil: EPOCH,
              createdAt: now,
              updatedAt: now,
            });
            return 'applied';
          } catch (error) {
            if (isDuplicateKeyError(error)) continue;
            throw error;
          }
        }
        if (current.appliedEventIds.includes(eventId)) return 'duplicate';
        const result = await peers.updateOne(
          { _id: peerId, capacity: current.capacity, appliedEventIds: { $ne: eventId } },
          {
            $set: { ...attributes, profiled: true, updatedAt: now },
            $inc: { freeSlots: attributes.capacity - current.capacity },
            $push: { appliedEventIds: eventId },
          },
        );
        if (result.matchedCount === 1) return 'applied';
      }
      throw new AppError('MATCH.PEER_UPDATE_CONTENDED', `peer ${peerId} kept changing while its profile was applied`, { retriable: true });
    },

    /**
     * Pause or resume from intake's events; idempotent by event id. A pause that arrives before the peer's first
     * profile leaves a placeholder (never matched), so that the outcome is the same on every replay.
     */
    async applyPause(peerId: string, pausedUntil: Date | null, reason: string | null, eventId: string, now: Date): Promise<ApplyResult> {
      try {
        const result = await peers.updateOne(
          { _id: peerId, appliedEventIds: { $ne: eventId } },
          {
            $set: { pausedUntil, pauseReason: reason, updatedAt: now },
            $push: { appliedEventIds: eventId },
            $setOnInsert: {
              profiled: false,
              topics: [],
              languages: [],
              ageBand: null,
              gender: null,
              timeZone: 'UTC',
              region: '',
              meetingModes: [],
              availability: [],
              recoveryStartedOn: '',
              locale: 'en',
              capacity: 0,
              active: false,
              consented: false,
              certified: false,
              load: 0,
              freeSlots: 0,
              holds: [],
              outbox: [],
              outboxPending: false,
              outboxLeaseUntil: EPOCH,
              createdAt: now,
            },
          },
          { upsert: true },
        );
        return result.matchedCount === 1 || result.upsertedCount === 1 ? 'applied' : 'duplicate';
      } catch (error) {
        if (isDuplicateKeyError(error)) return 'duplicate';
        throw error;
      }
    },

    /** A coordinator's pause/resume: the change and its audit line in one write. */
    async setPause(peerId: string, pausedUntil: Date | null, reason: string | null, audit: OutboxEntry, now: Date): Promise<PeerDocument | null> {
      return peers.findOneAndUpdate(
        { _id: peerId, profiled: true },
        { $set: { pausedUntil, pauseReason: reason, updatedAt: now, outboxPending: true }, $push: { outbox: audit } },
        { returnDocument: 'after' },
      );
    },

    /** Keeps only the id, the inbox and the slots still held (released as their matches close); never matched again. */
    async erase(peerId: string, eventId: string, now: Date): Promise<void> {
      await peers.updateOne(
        { _id: peerId },
        {
          $set: {
            profiled: false,
            active: false,
            consented: false,
            certified: false,
            topics: [],
            languages: [],
            ageBand: null,
            gender: null,
            timeZone: 'UTC',
            region: '',
            meetingModes: [],
            availability: [],
            recoveryStartedOn: '',
            pausedUntil: null,
            pauseReason: null,
            updatedAt: now,
          },
          $addToSet: { appliedEventIds: eventId },
          $setOnInsert: { locale: 'en', capacity: 0, load: 0, freeSlots: 0, holds: [], outbox: [], outboxPending: false, outboxLeaseUntil: EPOCH, createdAt: now },
        },
        { upsert: true },
      );
    },

    /**
     * Takes one of the peer's slots for a match, atomically: only while the peer is active, consented, not paused
     * and has a free slot. Two instances racing for the last slot cannot both win.
     */
    async reserve(peerId: string, matchId: string, now: Date): Promise<boolean> {
      const filter: Filter<PeerDocument> = {
        _id: peerId,
        active: true,
        consented: true,
        freeSlots: { $gt: 0 },
        holds: { $ne: matchId },
        $or: [{ pausedUntil: null }, { pausedUntil: { $lte: now } }],
      };
      const result = await peers.updateOne(filter, { $inc: { freeSlots: -1, load: 1 }, $push: { holds: matchId }, $set: { updatedAt: now } });
      if (result.modifiedCount === 1) return true;
      return (await peers.countDocuments({ _id: peerId, holds: matchId }, { limit: 1 })) === 1;
    },

    /** Gives the slot back; a second release of the same match changes nothing. */
    async release(peerId: string, matchId: string, now: Date): Promise<void> {
      await peers.updateOne({ _id: peerId, holds: matchId }, { $inc: { freeSlots: 1, load: -1 }, $pull: { holds: matchId }, $set: { updatedAt: now } });
    },
  };
}

export type PeerRepository = ReturnType<typeof createPeerRepository>;
