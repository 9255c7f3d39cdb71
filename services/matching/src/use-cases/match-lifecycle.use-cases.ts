import { AppError, type Logger } from '@kindred/platform';
import type { AuditRecord, DeliveryRecord, MatchDocument, OutboxEntry, PeerDocument } from '../data-access/documents.js';
import type { MatchChange, MatchRepository } from '../data-access/match.repository.js';
import type { NewcomerRepository } from '../data-access/newcomer.repository.js';
import type { PeerRepository } from '../data-access/peer.repository.js';
import { assertTransition, holdsCapacity, isMatchState, returnsNewcomerToMatching, stateAfterDelivery, type MatchState } from '../domain/match-lifecycle.js';
import type { MatchEventFactory } from '../events/match-event.factory.js';
import type { Matchmaker } from './matchmaker.js';

export interface Actor {
  /** Pseudonymous user id, or "system:<component>". */
  readonly id: string;
}

export interface DeliveryOutcome {
  readonly eventId: string;
  readonly matchId: string;
  readonly deliveryId: string;
  readonly recipientId: string;
  readonly role: string;
  readonly channel: string;
  readonly outcome: 'delivered' | 'failed_permanent' | 'failed_transient';
  readonly errorCode: string;
  readonly at: Date;
}

const notFound = (matchId: string) => new AppError('MATCH.NOT_FOUND', `MATCH.NOT_FOUND: no match ${matchId}`, { details: { field: 'match_id' } });
const stale = (matchId: string, expected: number, actual: number) =>
  new AppError('MATCH.STALE_VERSION', `MATCH.STALE_VERSION: match ${matchId} is at version ${actual}, not ${expected}`, { details: { expected, actual } });

const MAX_ATTEMPTS = 20;
/** The audit and event reason of introduced → active. */
export const FIRST_MEETING_CONFIRMED = 'first_meeting_confirmed';

/** Every coordinator and system move of a match: guarded by the lifecycle, one write for state + event + audit. */
export function createMatchLifecycle(deps: {
  peers: PeerRepository;
  newcomers: NewcomerRepository;
  matches: MatchRepository;
  events: MatchEventFactory;
  matchmaker: Matchmaker;
  clock: () => Date;
  log: Logger;
  onOutbox: () => void;
  /** A newcomer went back to matching. */
  onNewcomerWaiting: () => void;
}) {
  const { peers, newcomers, matches, events, matchmaker, clock } = deps;

  async function load(matchId: string): Promise<MatchDocument & { state: MatchState }> {
    const m = await matches.get(matchId);
    if (m === null || !isMatchState(m.state)) throw notFound(matchId);
    return m as MatchDocument & { state: MatchState };
  }

  /**
   * Optimistic loop: read, decide (`plan` may throw a lifecycle error), write if the version is unchanged. With an
   * expected version the caller saw, a concurrent change is reported instead of retried.
   */
  async function mutate(
    matchId: string,
    expectedVersion: number,
    plan: (m: MatchDocument & { state: MatchState }, now: Date) => MatchChange,
  ): Promise<MatchDocument> {
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      const m = await load(matchId);
      if (expectedVersion !== 0 && m.version !== expectedVersion) throw stale(matchId, expectedVersion, m.version);
      const now = clock();
      const committed = await matches.commit(m._id, m.version, plan(m, now), now);
      if (committed !== null) {
        deps.onOutbox();
        return committed;
      }
      if (expectedVersion !== 0) {
        const fresh = await load(matchId);
        throw stale(matchId, expectedVersion, fresh.version);
      }
    }
    throw new AppError('MATCH.CONTENDED', `match ${matchId} kept changing; try again`, { retriable: true });
  }

  function auditLine(m: MatchDocument, actor: string, action: string, from: MatchState | null, to: MatchState | null, reason: string, now: Date): AuditRecord {
    return events.audit({ at: now, actor, action, matchId: m._id, subjectId: m.newcomerId, fromState: from, toState: to, reason });
  }

  function transition(m: MatchDocument & { state: MatchState }, to: MatchState, actor: string, reason: string, now: Date, action = `match.${to}`) {
    assertTransition(m.state, to);
    const audit = auditLine(m, actor, action, m.state, to, reason, now);
    return { audit, entry: events.transitioned(m._id, m.state, to, actor, reason, audit, now) };
  }

  /**
   * The follow-up of a final state, idempotent and re-run by the sweeper until done: give the peer's slot back and,
   * after a decline or rematch, put the newcomer back into matching without that peer.
   */
  async function settle(m: MatchDocument): Promise<void> {
    if (m.settled || !isMatchState(m.state)) return;
    const now = clock();
    await peers.release(m.peerId, m._id, now);
    if (returnsNewcomerToMatching(m.state)) {
      await newcomers.returnToMatching(m.newcomerId, m._id, m.peerId, now);
      deps.onNewcomerWaiting();
    } else if (m.state === 'closed') {
      await newcomers.closeCurrent(m.newcomerId, m._id, now);
    }
    await matches.markSettled(m._id, now);
  }

  /** Finishes or undoes a proposal whose process stopped between reserving and publishing. */
  async function recoverReservation(m: MatchDocument): Promise<void> {
    const now = clock();
    const newcomer = await newcomers.get(m.newcomerId);
    const peer = await peers.get(m.peerId);
    if (newcomer?.currentMatchId === m._id && peer?.holds.includes(m._id) === true) {
      await matchmaker.publishProposal(m, 'system:matching', 'recovered_after_restart', now);
      return;
    }
    await peers.release(m.peerId, m._id, now);
    await matches.abandon(m._id, now);
    if (newcomer?.currentMatchId === m._id) {
      await newcomers.returnToMatching(m.newcomerId, m._id, null, now);
      deps.onNewcomerWaiting();
    }
  }

  return {
    async approve(matchId: string, actor: Actor, expectedVersion: number): Promise<MatchDocument> {
      const done = await mutate(matchId, expectedVersion, (m, now) => {
        assertTransition(m.state, 'approved');
        const audit = auditLine(m, actor.id, 'match.approved', m.state, 'approved', '', now);
        return { set: { state: 'approved', decidedAt: now }, audit: [audit], outbox: [events.approved(m, actor.id, audit, now)] };
      });
      await newcomers.followMatchState(done.newcomerId, done._id, 'approved', clock());
      return done;
    },

    async decline(matchId: string, actor: Actor, expectedVersion: number, reason: string): Promise<{ match: MatchDocument; next: MatchDocument | null }> {
      const done = await mutate(matchId, expectedVersion, (m, now) => {
        assertTransition(m.state, 'declined');
        const audit = auditLine(m, actor.id, 'match.declined', m.state, 'declined', reason, now);
        return {
          set: { state: 'declined', declineReason: reason, decidedAt: now, settled: false },
          audit: [audit],
          outbox: [events.declined(m, actor.id, reason, audit, now)],
        };
      });
      await peers.release(done.peerId, done._id, clock());
      const next = await matchmaker.proposeNextAfterDecline(done);
      await settle(done);
      return { match: done, next };
    },

    /** Replaces the proposed peer with the coordinator's choice, which must pass every hard rule and have a free slot. */
    async reassign(matchId: string, actor: Actor, expectedVersion: number, peerId: string, reason: string): Promise<{ previous: MatchDocument; match: MatchDocument }> {
      const current = await load(matchId);
      if (expectedVersion !== 0 && current.version !== expectedVersion) throw stale(matchId, expectedVersion, current.version);
      assertTransition(current.state, 'declined');
      if (peerId === current.peerId) {
        throw new AppError('MATCH.SAME_PEER', 'peer_id is already the proposed peer', { details: { field: 'peer_id' } });
      }
      const newcomer = await newcomers.get(current.newcomerId);
      if (newcomer === null) throw notFound(matchId);
      const { now, pop, ranking, candidate, skipped } = await matchmaker.evaluate(newcomer, peerId, [current.peerId]);
      const peer: PeerDocument | undefined = pop.docs.get(peerId);
      if (peer === undefined) throw new AppError('MATCH.PEER_NOT_FOUND', `MATCH.PEER_NOT_FOUND: no peer ${peerId}`, { details: { field: 'peer_id' } });
      if (candidate === undefined) {
        const codes = skipped?.reasons.map((r) => r.code).join(', ') ?? 'MATCH.NEWCOMER_URGENT';
        throw new AppError('MATCH.PEER_NOT_ELIGIBLE', `MATCH.PEER_NOT_ELIGIBLE: the chosen peer breaks hard rules (${codes})`, { details: { reasons: codes } });
      }
      const doc = matchmaker.proposalDocument(newcomer, peer, candidate.score, candidate.factors, ranking, pop, now);
      await matches.insert(doc);
      if (!(await peers.reserve(peerId, doc._id, now))) {
        await matches.abandon(doc._id, now);
        throw new AppError('MATCH.PEER_AT_CAPACITY', 'MATCH.PEER_AT_CAPACITY: the chosen peer has no free slot now');
      }
      let previous: MatchDocument;
      try {
        previous = await mutate(matchId, current.version, (m, at) => {
          assertTransition(m.state, 'declined');
          const audit = auditLine(m, actor.id, 'match.reassigned', m.state, 'declined', reason, at);
          return {
            set: { state: 'declined', declineReason: 'other', decidedAt: at, settled: false },
            audit: [audit],
            outbox: [events.declined(m, actor.id, 'other', audit, at)],
          };
        });
      } catch (error) {
        await peers.release(peerId, doc._id, now);
        await matches.abandon(doc._id, now);
        throw error;
      }
      await newcomers.replaceCurrent(previous.newcomerId, previous._id, doc._id, previous.peerId, now);
      await settle(previous);
      const published = await matchmaker.publishProposal(doc, actor.id, reason, now);
      return { previous, match: published ?? doc };
    },

    /** A coordinator confirmed the first meeting: introduced → active. */
    async markActive(matchId: string, actor: Actor, expectedVersion: number): Promise<MatchDocument> {
      const done = await mutate(matchId, expectedVersion, (m, now) => {
        const { audit, entry } = transition(m, 'active', actor.id, FIRST_MEETING_CONFIRMED, now);
        return { set: { state: 'active' }, audit: [audit], outbox: [entry] };
      });
      await newcomers.followMatchState(done.newcomerId, done._id, 'active', clock());
      return done;
    },

    async requestRematch(matchId: string, actor: Actor, expectedVersion: number, reason: string): Promise<MatchDocument> {
      const done = await mutate(matchId, expectedVersion, (m, now) => {
        const { audit, entry } = transition(m, 'rematch_requested', actor.id, reason, now);
        return { set: { state: 'rematch_requested', settled: false }, audit: [audit], outbox: [entry] };
      });
      await settle(done);
      return done;
    },

    async close(matchId: string, actor: Actor, expectedVersion: number, reason: string): Promise<MatchDocument> {
      const done = await mutate(matchId, expectedVersion, (m, now) => {
        assertTransition(m.state, 'closed');
        const audit = auditLine(m, actor.id, 'match.closed', m.state, 'closed', reason, now);
        return { set: { state: 'closed', closeReason: reason, settled: false }, audit: [audit], outbox: [events.closed(m._id, actor.id, reason, audit, now)] };
      });
      await settle(done);
      return done;
    },

    /** A delivery outcome from the notifier: per-delivery status, and the lifecycle move it causes (if any). */
    async applyDelivery(d: DeliveryOutcome): Promise<'applied' | 'duplicate'> {
      for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
        const m = await matches.get(d.matchId);
        if (m === null || !isMatchState(m.state)) {
          throw new AppError('MATCH.NOT_FOUND', `delivery event for unknown match ${d.matchId}`, { retriable: false });
        }
        if (m.appliedEventIds.includes(d.eventId)) return 'duplicate';
        const now = clock();
        const record: DeliveryRecord = {
          deliveryId: d.deliveryId,
          recipientId: d.recipientId,
          role: d.role,
          channel: d.channel,
          state: d.outcome === 'delivered' ? 'delivered' : d.outcome === 'failed_permanent' ? 'failed' : 'retrying',
          errorCode: d.errorCode,
          permanent: d.outcome === 'failed_permanent',
          updatedAt: d.at,
        };
        const existing = m.deliveries.find((x) => x.deliveryId === d.deliveryId);
        // A late retry notice never hides a delivered or permanently failed introduction.
        const keepOld = existing !== undefined && (existing.state === 'delivered' || existing.permanent) && record.state === 'retrying';
        const deliveries = existing === undefined ? [...m.deliveries, record] : m.deliveries.map((x) => (x.deliveryId === d.deliveryId && !keepOld ? record : x));
        const next = stateAfterDelivery(m.state, d.outcome);
        const outbox: OutboxEntry[] = [];
        const audit: AuditRecord[] = [];
        const set: MatchChange['set'] = { deliveries };
        if (next !== undefined) {
          const reasonCode = next === 'introduced' ? 'introduction_delivered' : 'introduction_failed_permanent';
          const moved = transition(m as MatchDocument & { state: MatchState }, next, 'system:notifier', reasonCode, now);
          outbox.push(moved.entry);
          audit.push(moved.audit);
          set.state = next;
          if (next === 'introduced') set.introducedAt = now;
        }
        const committed = await matches.commit(m._id, m.version, { set, audit, outbox, appliedEventId: d.eventId, filter: { appliedEventIds: { $ne: d.eventId } } }, now);
        if (committed === null) continue;
        if (outbox.length > 0) deps.onOutbox();
        if (next !== undefined) await newcomers.followMatchState(m.newcomerId, m._id, next, now);
        return 'applied';
      }
      throw new AppError('MATCH.CONTENDED', `match ${d.matchId} kept changing`, { retriable: true });
    },

    /** A coordinator's pause (until a time) or resume (`until` null) of a peer. */
    async setPeerPause(peerId: string, actor: Actor, until: Date | null, reason: string): Promise<PeerDocument> {
      const now = clock();
      const audit = events.audit({ at: now, actor: actor.id, action: until === null ? 'peer.resumed' : 'peer.paused', matchId: '', subjectId: peerId, fromState: null, toState: null, reason });
      const doc = await peers.setPause(peerId, until, until === null ? null : reason, events.auditOnly(audit, now), now);
      if (doc === null) throw new AppError('MATCH.PEER_NOT_FOUND', `MATCH.PEER_NOT_FOUND: no peer ${peerId}`, { details: { field: 'peer_id' } });
      deps.onOutbox();
      if (until === null) deps.onNewcomerWaiting();
      return doc;
    },

    /**
     * Intake destroyed a subject's data: forget their attributes, end their open matches (a proposal is declined, a
     * running match closed with reason `erased`) and drop the explanations that mention them. Idempotent.
     */
    async eraseSubject(subjectId: string, kind: 'newcomer' | 'peer', eventId: string): Promise<void> {
      const now = clock();
      // The tombstone first: from here on the subject can be neither claimed nor reserved.
      if (kind === 'newcomer') await newcomers.erase(subjectId, eventId, now);
      else await peers.erase(subjectId, eventId, now);
      const open = await matches.find({
        [kind === 'newcomer' ? 'newcomerId' : 'peerId']: subjectId,
        state: { $in: ['proposed', 'approved', 'introduced', 'active', 'needs_attention'] },
      });
      const actor = 'system:privacy';
      for (const { _id } of open) {
        let done: MatchDocument;
        try {
          done = await mutate(_id, 0, (m, at) => {
            if (m.state === 'proposed') {
              const audit = auditLine(m, actor, 'match.declined', m.state, 'declined', 'subject_erased', at);
              return { set: { state: 'declined', declineReason: 'other', decidedAt: at, settled: false }, audit: [audit], outbox: [events.declined(m, actor, 'other', audit, at)] };
            }
            if (!holdsCapacity(m.state)) assertTransition(m.state, 'closed');
            const audit = auditLine(m, actor, 'match.closed', m.state, 'closed', 'erased', at);
            return { set: { state: 'closed', closeReason: 'erased', settled: false }, audit: [audit], outbox: [events.closed(m._id, actor, 'erased', audit, at)] };
          });
        } catch (error) {
          // Ended meanwhile by someone else: nothing left to end.
          if (error instanceof AppError && error.code === 'MATCH.INVALID_TRANSITION') continue;
          throw error;
        }
        await settle(done);
      }
      await matches.scrubSubject(subjectId, now);
    },

    /** Repairs what a crash may have left half done. Safe to run any time, on any instance. */
    async sweep(): Promise<void> {
      for (const m of await matches.unsettled(100)) await settle(m);
      const olderThan = new Date(clock().getTime() - 60_000);
      for (const m of await matches.staleReservations(olderThan, 100)) await recoverReservation(m);
    },
  };
}

export type MatchLifecycle = ReturnType<typeof createMatchLifecycle>;
