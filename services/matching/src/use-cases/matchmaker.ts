import { ulid } from 'ulid';
import {
  assignBatch,
  preparePeers,
  rankCandidates,
  type EngineConfig,
  type FactorContribution,
  type MatchContext,
  type NewcomerProfile,
  type PreparedPeers,
  type RankResult,
} from '@kindred/matching-engine';
import { activeTraceContext, extractTraceContext, inSpan, linkTo, type Logger } from '@kindred/platform';
import type { FactorRecord, MatchDocument, NewcomerDocument, PeerDocument } from '../data-access/documents.js';
import type { MatchRepository } from '../data-access/match.repository.js';
import type { NewcomerRepository } from '../data-access/newcomer.repository.js';
import type { PeerRepository } from '../data-access/peer.repository.js';
import { primaryLanguage, toNewcomerProfile, toPeerProfile } from '../domain/read-model.js';
import type { MatchEventFactory } from '../events/match-event.factory.js';

/** Engine factor names → the stable keys of the contract's ScoreFactor. */
export const FACTOR_KEYS: Readonly<Record<FactorContribution['factor'], string>> = {
  sharedExperience: 'shared_experience',
  recoveryGap: 'recovery_gap',
  availability: 'availability_overlap',
  timeZone: 'time_zone_distance',
  preferences: 'preferences',
  load: 'peer_load',
  waiting: 'waiting_time',
};

/** How many skipped candidates a proposal keeps with their reasons (the total is kept too). */
const SKIPPED_KEPT = 50;
const SYSTEM_ACTOR = 'system:matching';

export interface MatchmakerDeps {
  readonly peers: PeerRepository;
  readonly newcomers: NewcomerRepository;
  readonly matches: MatchRepository;
  readonly events: MatchEventFactory;
  readonly engineConfig: EngineConfig;
  /** Identifies this process's claims on newcomers. */
  readonly instanceId: string;
  readonly claimLeaseMs: number;
  readonly batchLimit: number;
  readonly clock: () => Date;
  readonly log: Logger;
  /** Called after writes that left outbox entries. */
  readonly onOutbox: () => void;
}

export interface RoundOutcome {
  readonly claimed: number;
  readonly proposed: number;
  /** Newcomers that lost a reservation race and should be tried again soon. */
  readonly contended: number;
}

interface Population {
  readonly docs: ReadonlyMap<string, PeerDocument>;
  readonly prepared: PreparedPeers;
}

const toFactors = (factors: readonly FactorContribution[]): FactorRecord[] =>
  factors.map((f) => ({ key: FACTOR_KEYS[f.factor], weight: f.weight, value: f.value, contribution: f.contribution, sentence: f.sentence }));

/**
 * Matching rounds: claim waiting newcomers, solve them together with the engine, reserve each chosen peer's slot
 * atomically and store the proposal with its explanation and its MatchProposed event.
 */
export function createMatchmaker(deps: MatchmakerDeps) {
  const { peers, newcomers, matches, events, engineConfig, instanceId, log } = deps;

  async function population(now: Date): Promise<Population> {
    const docs = await peers.all();
    return { docs: new Map(docs.map((d) => [d._id, d])), prepared: preparePeers(docs.map((d) => toPeerProfile(d._id, d, d.load, now)), now) };
  }

  function contextFor(list: readonly NewcomerDocument[], now: Date): MatchContext {
    return { now, config: engineConfig, declinedPairs: list.flatMap((n) => n.declinedPeerIds.map((peerId) => ({ newcomerId: n._id, peerId }))) };
  }

  function profileOf(n: NewcomerDocument): NewcomerProfile {
    return toNewcomerProfile(n._id, n, n.waitingSince);
  }

  /** Builds the stored explanation of proposing `peerId` for `n`, from the newcomer's full ranking. */
  function proposalDocument(n: NewcomerDocument, peer: PeerDocument, score: number, factors: readonly FactorContribution[], ranking: RankResult, pop: Population, now: Date): MatchDocument {
    const at = ranking.candidates.findIndex((c) => c.peerId === peer._id);
    const newcomerLanguages = new Set(n.languages.map(primaryLanguage));
    const journeyTrace = activeTraceContext();
    return {
      _id: `mt_${ulid()}`,
      ...(journeyTrace.traceparent === '' ? {} : { journeyTrace }),
      state: 'reserving',
      version: 0,
      newcomerId: n._id,
      peerId: peer._id,
      score,
      rank: at >= 0 ? at + 1 : ranking.feasibleCount,
      urgent: n.urgent,
      riskLevel: n.riskLevel,
      sharedTopics: n.topics.filter((t) => peer.topics.includes(t)),
      sharedLanguages: [...new Set(peer.languages.map(primaryLanguage).filter((l) => newcomerLanguages.has(l)))],
      shareTopicsConsented: n.consentShareTopics,
      factors: toFactors(factors),
      weights: Object.fromEntries(Object.entries(engineConfig.weights).map(([k, w]) => [FACTOR_KEYS[k as FactorContribution['factor']], w])),
      engineVersion: ranking.engineVersion,
      weightsVersion: ranking.configVersion,
      skipped: ranking.skipped.slice(0, SKIPPED_KEPT).map((s) => ({ peerId: s.peerId, reasons: s.reasons.map((r) => ({ code: r.code, sentence: r.sentence })) })),
      skippedTotal: ranking.skipped.length,
      others: ranking.candidates.flatMap((c, i) => {
        if (c.peerId === peer._id) return [];
        const doc = pop.docs.get(c.peerId);
        return [{ peerId: c.peerId, score: c.score, rank: i + 1, factors: toFactors(c.factors), freeCapacity: Math.max(0, doc?.freeSlots ?? 0) }];
      }),
      waitingSince: n.waitingSince,
      proposedAt: now,
      updatedAt: now,
      decidedAt: null,
      introducedAt: null,
      declineReason: null,
      closeReason: null,
      capacityHeld: false,
      settled: true,
      audit: [],
      deliveries: [],
      appliedEventIds: [],
      outbox: [],
      outboxPending: false,
      outboxLeaseUntil: new Date(0),
      createdAt: now,
    };
  }

  /** The proposal becomes visible: state, audit line and MatchProposed in one write. */
  async function publishProposal(doc: MatchDocument, actor: string, reason: string, now: Date): Promise<MatchDocument | null> {
    const proposedDoc: MatchDocument = { ...doc, state: 'proposed', capacityHeld: true };
    const audit = events.audit({ at: now, actor, action: 'match.proposed', matchId: doc._id, subjectId: doc.newcomerId, fromState: null, toState: 'proposed', reason });
    const committed = await matches.commit(
      doc._id,
      doc.version,
      { set: { state: 'proposed', capacityHeld: true }, audit: [audit], outbox: [events.proposed(proposedDoc, audit, now)], filter: { state: 'reserving' } },
      now,
    );
    deps.onOutbox();
    return committed;
  }

  /**
   * Reserve, then link the newcomer, then publish. Each step is guarded, and the `reserving` document makes an
   * interrupted sequence visible to the sweeper, which finishes or undoes it.
   * A round serves many newcomers, so each proposal is a span of its own newcomer's journey (linked to the work
   * that ran the round); the match keeps that span's context for the console's decision.
   */
  function propose(
    n: NewcomerDocument,
    peer: PeerDocument,
    score: number,
    factors: readonly FactorContribution[],
    ranking: RankResult,
    pop: Population,
    now: Date,
  ): Promise<MatchDocument | null> {
    const journey = n.journeyTrace?.traceparent ? extractTraceContext(n.journeyTrace) : undefined;
    return inSpan(
      'matching propose',
      { ...(journey ? { parent: journey, links: linkTo() } : {}), attributes: { 'kindred.newcomer.id': n._id, 'kindred.peer.id': peer._id, 'kindred.match.rank': ranking.candidates.findIndex((c) => c.peerId === peer._id) + 1 } },
      async (span) => {
        const made = await reserveAndPublish(n, proposalDocument(n, peer, score, factors, ranking, pop, now), peer, now);
        span.setAttribute('kindred.proposal.outcome', made === null ? 'contended' : 'proposed');
        if (made !== null) span.setAttribute('kindred.match.id', made._id);
        return made;
      },
    );
  }

  async function reserveAndPublish(n: NewcomerDocument, doc: MatchDocument, peer: PeerDocument, now: Date): Promise<MatchDocument | null> {
    await matches.insert(doc);
    if (!(await peers.reserve(peer._id, doc._id, now))) {
      await matches.abandon(doc._id, now);
      return null;
    }
    if (!(await newcomers.markProposed(n._id, instanceId, doc._id, now))) {
      // Our claim expired and another round owns the newcomer now: give the slot back.
      await peers.release(peer._id, doc._id, now);
      await matches.abandon(doc._id, now);
      return null;
    }
    return publishProposal(doc, SYSTEM_ACTOR, 'engine_batch', now);
  }

  function rank(n: NewcomerDocument, pop: Population, context: MatchContext): RankResult {
    return rankCandidates(profileOf(n), pop.prepared, context, { limit: engineConfig.rankLimit });
  }

  /** Solves claimed newcomers together (maximum total score with capacities). */
  async function solveBatch(claimed: readonly NewcomerDocument[], now: Date): Promise<RoundOutcome> {
    const pop = await population(now);
    const context = contextFor(claimed, now);
    const byId = new Map(claimed.map((n) => [n._id, n]));
    const result = assignBatch(claimed.map(profileOf), pop.prepared, context, { mode: 'auto' });
    let proposed = 0;
    let contended = 0;
    for (const a of result.assignments) {
      const n = byId.get(a.newcomerId)!;
      const peer = pop.docs.get(a.peerId)!;
      const made = await propose(n, peer, a.score, a.factors, rank(n, pop, context), pop, now);
      if (made === null) {
        contended++;
        await newcomers.unclaim(n._id, instanceId, 'MATCH.PEER_AT_CAPACITY', now);
      } else proposed++;
    }
    for (const u of result.unassigned) {
      if (u.reason.code === 'MATCH.PEERS_TAKEN_IN_BATCH') contended++;
      await newcomers.unclaim(u.newcomerId, instanceId, u.reason.code, now);
    }
    log.info({ claimed: claimed.length, proposed, unassigned: result.unassigned.length, mode: result.mode, exact: result.optimality.exact }, 'matching round');
    return { claimed: claimed.length, proposed, contended };
  }

  return {
    /** One round over every waiting newcomer (up to the batch limit). */
    async runRound(): Promise<RoundOutcome> {
      const now = deps.clock();
      const claimed = await newcomers.claimWaiting(instanceId, deps.batchLimit, deps.claimLeaseMs, now);
      if (claimed.length === 0) return { claimed: 0, proposed: 0, contended: 0 };
      try {
        return await solveBatch(claimed, now);
      } catch (error) {
        for (const n of claimed) await newcomers.unclaim(n._id, instanceId, null, now);
        throw error;
      }
    },

    /**
     * After a decline: the declined proposal's newcomer goes straight to a claim by this instance, then gets the best
     * available candidate by rankCandidates (declined pairs excluded), trying down the list if a slot was just taken.
     */
    async proposeNextAfterDecline(declined: MatchDocument): Promise<MatchDocument | null> {
      const now = deps.clock();
      const n = await newcomers.claimAfterDecline(declined.newcomerId, declined._id, declined.peerId, instanceId, deps.claimLeaseMs, now);
      if (n === null) return null;
      try {
        const pop = await population(now);
        const ranking = rank(n, pop, contextFor([n], now));
        for (const c of ranking.candidates) {
          const made = await propose(n, pop.docs.get(c.peerId)!, c.score, c.factors, ranking, pop, now);
          if (made !== null) return made;
        }
        await newcomers.unclaim(n._id, instanceId, ranking.blocked?.code ?? 'MATCH.NO_FEASIBLE_PEER', now);
        return null;
      } catch (error) {
        await newcomers.unclaim(n._id, instanceId, null, now);
        throw error;
      }
    },

    /** Whether `peerId` passes every hard rule for the newcomer now, and the reasons when it does not. */
    async evaluate(n: NewcomerDocument, peerId: string, extraDeclined: readonly string[]) {
      const now = deps.clock();
      const pop = await population(now);
      const context = contextFor([{ ...n, declinedPeerIds: [...n.declinedPeerIds, ...extraDeclined] }], now);
      const ranking = rankCandidates(profileOf(n), pop.prepared, context, { limit: pop.prepared.count });
      const candidate = ranking.candidates.find((c) => c.peerId === peerId);
      const skipped = ranking.skipped.find((s) => s.peerId === peerId);
      return { now, pop, ranking, candidate, skipped };
    },

    proposalDocument,
    publishProposal,
  };
}

export type Matchmaker = ReturnType<typeof createMatchmaker>;
