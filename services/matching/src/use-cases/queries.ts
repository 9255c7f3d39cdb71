import type { Filter } from 'mongodb';
import type { AuditQuery, AuditRepository } from '../data-access/audit.repository.js';
import type { MatchDocument, NewcomerDocument, PeerDocument } from '../data-access/documents.js';
import type { MatchRepository } from '../data-access/match.repository.js';
import type { NewcomerRepository } from '../data-access/newcomer.repository.js';
import type { PeerRepository } from '../data-access/peer.repository.js';
import type { MatchState } from '../domain/match-lifecycle.js';
import { primaryLanguage } from '../domain/read-model.js';

export interface Page<T> {
  readonly items: T[];
  readonly total: number;
}

/** Matches a language tag by its primary subtag ("es" finds "es", "es-MX"). */
function languagePattern(tag: string): RegExp {
  return new RegExp(`^${primaryLanguage(tag).replace(/[^a-z]/g, '')}($|[-_])`, 'i');
}

export function percentiles(samples: number[]): { count: number; p50: number; p90: number; p95: number; p99: number; max: number } {
  if (samples.length === 0) return { count: 0, p50: 0, p90: 0, p95: 0, p99: 0, max: 0 };
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]!;
  return { count: sorted.length, p50: at(0.5), p90: at(0.9), p95: at(0.95), p99: at(0.99), max: sorted[sorted.length - 1]! };
}

/** What the console reads. Queries only: no state changes here. */
export function createMatchingQueries(deps: {
  matches: MatchRepository;
  newcomers: NewcomerRepository;
  peers: PeerRepository;
  audit: AuditRepository;
  clock: () => Date;
}) {
  const { matches, newcomers, peers, audit, clock } = deps;

  return {
    async listProposals(
      q: { states: readonly MatchState[]; urgentOnly: boolean; topic?: string; language?: string },
      skip: number,
      limit: number,
    ): Promise<Page<MatchDocument>> {
      const filter: Filter<MatchDocument> = { state: { $in: q.states.length === 0 ? ['proposed'] : [...q.states] } };
      if (q.urgentOnly) filter.urgent = true;
      if (q.topic !== undefined) filter.sharedTopics = q.topic;
      if (q.language !== undefined) filter.sharedLanguages = primaryLanguage(q.language);
      const { items, total } = await matches.page(filter, skip, limit);
      return { items, total };
    },

    async getMatch(matchId: string): Promise<{ match: MatchDocument; newcomer: NewcomerDocument | null; peer: PeerDocument | null } | null> {
      const match = await matches.get(matchId);
      if (match === null || match.state === 'reserving' || match.state === 'abandoned') return null;
      const [newcomer, peer] = await Promise.all([newcomers.get(match.newcomerId), peers.get(match.peerId)]);
      return { match, newcomer, peer };
    },

    async listPeers(q: { topic?: string; language?: string; availableOnly: boolean }, skip: number, limit: number): Promise<Page<PeerDocument>> {
      const filter: Filter<PeerDocument> = {
        profiled: true,
        ...(q.topic === undefined ? {} : { topics: q.topic }),
        ...(q.language === undefined ? {} : { languages: languagePattern(q.language) }),
      };
      if (q.availableOnly) {
        Object.assign(filter, { active: true, consented: true, freeSlots: { $gt: 0 }, $or: [{ pausedUntil: null }, { pausedUntil: { $lte: clock() } }] });
      }
      const [items, total] = await Promise.all([
        peers.collection.find(filter, { projection: { outbox: 0, appliedEventIds: 0 } }).sort({ _id: 1 }).skip(skip).limit(limit).toArray(),
        peers.collection.countDocuments(filter),
      ]);
      return { items, total };
    },

    /** Urgent newcomers still needing a coordinator's attention (not yet in an approved match), oldest first. */
    async listUrgentNewcomers(skip: number, limit: number): Promise<Page<NewcomerDocument>> {
      const filter: Filter<NewcomerDocument> = { urgent: true, status: { $ne: 'matched' } };
      const [items, total] = await Promise.all([
        newcomers.collection.find(filter, { projection: { appliedEventIds: 0 } }).sort({ registeredAt: 1, _id: 1 }).skip(skip).limit(limit).toArray(),
        newcomers.collection.countDocuments(filter),
      ]);
      return { items, total };
    },

    listAudit: (q: AuditQuery, skip: number, limit: number) => audit.page(q, skip, limit),

    /** Figures for the dashboard, computed from the stored matches, newcomers and peers. */
    async insights(q: { since: Date; until: Date; waitingThresholdMs: number }) {
      const now = clock();
      const inWindow = { $gte: q.since, $lt: q.until };
      const registered = await newcomers.collection
        .find({ registeredAt: inWindow }, { projection: { registeredAt: 1, firstProposedAt: 1, firstIntroducedAt: 1 } })
        .toArray();
      const decided = await matches.find({ decidedAt: inWindow });
      const approved = decided.filter((m) => m.state !== 'declined');
      const declined = decided.filter((m) => m.state === 'declined');
      const reasons = new Map<string, number>();
      for (const m of declined) reasons.set(m.declineReason ?? 'unspecified', (reasons.get(m.declineReason ?? 'unspecified') ?? 0) + 1);
      const allPeers = await peers.collection.find({ profiled: true }, { projection: { load: 1, capacity: 1, freeSlots: 1, pausedUntil: 1, active: 1 } }).toArray();
      const buckets = new Map<number, number>();
      for (const p of allPeers) buckets.set(p.load, (buckets.get(p.load) ?? 0) + 1);
      const threshold = new Date(now.getTime() - q.waitingThresholdMs);
      const waitingFilter: Filter<MatchDocument> = { state: 'proposed', proposedAt: { $lt: threshold } };
      const oldest = await matches.page(waitingFilter, 0, 10);
      const urgentWaiting = await newcomers.collection.countDocuments({ urgent: true, status: { $ne: 'matched' } });
      return {
        intakeToProposal: percentiles(registered.flatMap((n) => (n.firstProposedAt === null ? [] : [n.firstProposedAt.getTime() - n.registeredAt.getTime()]))),
        intakeToIntroduction: percentiles(registered.flatMap((n) => (n.firstIntroducedAt === null ? [] : [n.firstIntroducedAt.getTime() - n.registeredAt.getTime()]))),
        proposalsDecided: decided.length,
        approved: approved.length,
        declined: declined.length,
        declineReasons: [...reasons].sort((a, b) => b[1] - a[1]),
        peerLoad: [...buckets].sort((a, b) => a[0] - b[0]),
        peersAtCapacity: allPeers.filter((p) => p.active && p.freeSlots <= 0).length,
        peersPaused: allPeers.filter((p) => p.pausedUntil !== null && p.pausedUntil.getTime() > now.getTime()).length,
        matchesWaitingOverThreshold: oldest.total,
        oldestWaiting: oldest.items,
        urgentNewcomersWaiting: urgentWaiting,
      };
    },
  };
}

export type MatchingQueries = ReturnType<typeof createMatchingQueries>;
