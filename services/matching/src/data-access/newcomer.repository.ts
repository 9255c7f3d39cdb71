import type { Collection, Db } from 'mongodb';
import { isDuplicateKeyError, type TraceContext } from '@kindred/platform';
import type { MatchState } from '../domain/match-lifecycle.js';
import { neverMatchedAutomatically, type NewcomerAttributes } from '../domain/read-model.js';
import type { NewcomerDocument } from './documents.js';
import type { ApplyResult } from './peer.repository.js';

/** The newcomers read model and each newcomer's place in matching. */
export function createNewcomerRepository(db: Db) {
  const newcomers: Collection<NewcomerDocument> = db.collection<NewcomerDocument>('newcomers');

  return {
    collection: newcomers,
    async ensureIndexes(): Promise<void> {
      await newcomers.createIndex({ status: 1, waitingSince: 1 }, { name: 'by_status' });
      await newcomers.createIndex({ urgent: 1, registeredAt: 1 }, { name: 'urgent' });
    },

    get: (newcomerId: string) => newcomers.findOne({ _id: newcomerId }),

    /**
     * Records a registration once: an upsert guarded by the event id, so a replayed event finds its id already
     * applied (the filter misses, the upsert's insert hits the unique _id, and nothing changes). A second
     * registration event for a known newcomer is recorded as applied and otherwise ignored.
     */
    async record(newcomerId: string, attributes: NewcomerAttributes, eventId: string, now: Date, journeyTrace?: TraceContext): Promise<ApplyResult> {
      try {
        const result = await newcomers.updateOne(
          { _id: newcomerId, appliedEventIds: { $ne: eventId } },
          {
            $setOnInsert: {
              ...attributes,
              ...(journeyTrace !== undefined && journeyTrace.traceparent !== '' ? { journeyTrace } : {}),
              status: neverMatchedAutomatically(attributes) ? 'urgent' : 'waiting',
              waitingSince: attributes.registeredAt,
              currentMatchId: null,
              currentMatchState: null,
              declinedPeerIds: [],
              claimedBy: null,
              claimUntil: null,
              unmatchedReason: null,
              lastAttemptAt: null,
              firstProposedAt: null,
              firstIntroducedAt: null,
              createdAt: now,
              updatedAt: now,
            },
            $push: { appliedEventIds: eventId },
          },
          { upsert: true },
        );
        return result.upsertedCount === 1 ? 'applied' : 'duplicate';
      } catch (error) {
        if (isDuplicateKeyError(error)) return 'duplicate';
        throw error;
      }
    },

    /** Takes newcomers that wait (or whose last claim expired) for one matching round; each is claimed atomically. */
    async claimWaiting(owner: string, limit: number, leaseMs: number, now: Date, onlyId?: string): Promise<NewcomerDocument[]> {
      const claimable = { $or: [{ status: 'waiting' as const }, { status: 'claimed' as const, claimUntil: { $lt: now } }] };
      const candidates = await newcomers
        .find(onlyId === undefined ? claimable : { _id: onlyId, ...claimable }, { projection: { _id: 1 } })
        .sort({ urgent: -1, waitingSince: 1 })
        .limit(limit)
        .toArray();
      const claimed: NewcomerDocument[] = [];
      for (const { _id } of candidates) {
        const doc = await newcomers.findOneAndUpdate(
          { _id, ...claimable },
          { $set: { status: 'claimed', claimedBy: owner, claimUntil: new Date(now.getTime() + leaseMs), updatedAt: now } },
          { returnDocument: 'after' },
        );
        if (doc !== null) claimed.push(doc);
      }
      return claimed;
    },

    async markProposed(newcomerId: string, owner: string, matchId: string, now: Date): Promise<boolean> {
      const result = await newcomers.updateOne(
        { _id: newcomerId, status: 'claimed', claimedBy: owner },
        {
          $set: { status: 'proposed', currentMatchId: matchId, currentMatchState: 'proposed', claimedBy: null, claimUntil: null, unmatchedReason: null, lastAttemptAt: now, updatedAt: now },
        },
      );
      // A figure for insights only, so a separate write is enough ($min would keep the stored null).
      if (result.modifiedCount === 1) await newcomers.updateOne({ _id: newcomerId, firstProposedAt: null }, { $set: { firstProposedAt: now } });
      return result.modifiedCount === 1;
    },

    /** The round found nobody (or lost the race for a slot): the newcomer waits for the next round. */
    async unclaim(newcomerId: string, owner: string, reason: string | null, now: Date): Promise<void> {
      await newcomers.updateOne(
        { _id: newcomerId, status: 'claimed', claimedBy: owner },
        { $set: { status: 'waiting', claimedBy: null, claimUntil: null, unmatchedReason: reason, lastAttemptAt: now, updatedAt: now } },
      );
    },

    async followMatchState(newcomerId: string, matchId: string, state: MatchState, now: Date): Promise<void> {
      await newcomers.updateOne(
        { _id: newcomerId, currentMatchId: matchId, status: { $ne: 'erased' } },
        { $set: { currentMatchState: state, status: 'matched', updatedAt: now } },
      );
      if (state === 'introduced') await newcomers.updateOne({ _id: newcomerId, firstIntroducedAt: null }, { $set: { firstIntroducedAt: now } });
    },

    /** After a decline or rematch: back to waiting, never to be offered that peer again. Idempotent. */
    async returnToMatching(newcomerId: string, matchId: string, excludedPeerId: string | null, now: Date): Promise<void> {
      const set = { status: 'waiting' as const, currentMatchId: null, currentMatchState: null, updatedAt: now };
      await newcomers.updateOne(
        { _id: newcomerId, currentMatchId: matchId, status: { $ne: 'erased' } },
        excludedPeerId === null ? { $set: set } : { $set: set, $addToSet: { declinedPeerIds: excludedPeerId } },
      );
    },

    /**
     * After a decline: straight from the declined proposal to a claim by this instance, so that the next-best
     * proposal is made here, at once, and no concurrent round takes the newcomer in between. A crash leaves an
     * expiring claim, which ordinary rounds pick up.
     */
    async claimAfterDecline(newcomerId: string, matchId: string, excludedPeerId: string, owner: string, leaseMs: number, now: Date): Promise<NewcomerDocument | null> {
      return newcomers.findOneAndUpdate(
        { _id: newcomerId, currentMatchId: matchId, status: { $ne: 'erased' } },
        {
          $set: { status: 'claimed', claimedBy: owner, claimUntil: new Date(now.getTime() + leaseMs), currentMatchId: null, currentMatchState: null, updatedAt: now },
          $addToSet: { declinedPeerIds: excludedPeerId },
        },
        { returnDocument: 'after' },
      );
    },

    /** A coordinator's reassignment: the newcomer moves from one proposal straight to the next, never waiting in between. */
    async replaceCurrent(newcomerId: string, oldMatchId: string, newMatchId: string, excludedPeerId: string, now: Date): Promise<void> {
      await newcomers.updateOne(
        { _id: newcomerId, currentMatchId: oldMatchId, status: { $ne: 'erased' } },
        {
          $set: { status: 'proposed', currentMatchId: newMatchId, currentMatchState: 'proposed', updatedAt: now },
          $addToSet: { declinedPeerIds: excludedPeerId },
        },
      );
    },

    /**
     * Keeps only the id and the inbox (so that a replayed registration stays a duplicate); every attribute goes.
     * Creates the tombstone when the registration was never seen, for the same reason.
     */
    async erase(newcomerId: string, eventId: string, now: Date): Promise<void> {
      await newcomers.updateOne(
        { _id: newcomerId },
        {
          $set: {
            status: 'erased',
            topics: [],
            languages: [],
            ageBand: null,
            gender: null,
            genderPreference: { kind: 'none', genders: [], mustHave: false },
            timeZone: 'UTC',
            region: '',
            meetingModes: [],
            availability: [],
            recoveryStartedOn: '',
            riskLevel: 'unspecified',
            urgent: false,
            consentShareTopics: false,
            declinedPeerIds: [],
            claimedBy: null,
            claimUntil: null,
            unmatchedReason: null,
            updatedAt: now,
          },
          $addToSet: { appliedEventIds: eventId },
          $setOnInsert: {
            registeredAt: now,
            waitingSince: now,
            locale: 'en',
            currentMatchId: null,
            currentMatchState: null,
            lastAttemptAt: null,
            firstProposedAt: null,
            firstIntroducedAt: null,
            createdAt: now,
          },
        },
        { upsert: true },
      );
    },

    async closeCurrent(newcomerId: string, matchId: string, now: Date): Promise<void> {
      await newcomers.updateOne(
        { _id: newcomerId, currentMatchId: matchId, status: { $ne: 'erased' } },
        { $set: { currentMatchState: 'closed', status: 'matched', updatedAt: now } },
      );
    },
  };
}

export type NewcomerRepository = ReturnType<typeof createNewcomerRepository>;
