import type { Binary } from 'mongodb';
import type { TraceContext } from '@kindred/platform';
import type { MatchState } from '../domain/match-lifecycle.js';
import type { NewcomerAttributes, NewcomerStatus, PeerAttributes } from '../domain/read-model.js';

/** One audit line: who did what, when and why. Ids and codes only. */
export interface AuditRecord {
  readonly _id: string;
  readonly at: Date;
  /** Pseudonymous user id, or "system:<component>". */
  readonly actor: string;
  /** "match.proposed", "match.approved", "peer.paused", … */
  readonly action: string;
  readonly matchId: string;
  readonly subjectId: string;
  readonly fromState: MatchState | null;
  readonly toState: MatchState | null;
  readonly reason: string;
}

export interface StoredRecord {
  readonly eventId: string;
  readonly topic: string;
  readonly key: string;
  readonly value: Binary;
  readonly headers: Record<string, string>;
}

/**
 * Work that must follow a state change: an event to publish and/or an audit line to copy into the audit collection.
 * It is written in the same document update as the change (no transactions needed); the relay does it and removes it.
 */
export interface OutboxEntry {
  readonly id: string;
  readonly record?: StoredRecord;
  readonly audit?: AuditRecord;
}

export interface OutboxFields {
  outbox: OutboxEntry[];
  outboxPending: boolean;
  /** The relay that holds the lease works on the document; a dead relay's lease simply expires. */
  outboxLeaseUntil: Date;
}

export interface NewcomerDocument extends NewcomerAttributes {
  _id: string;
  status: NewcomerStatus;
  /** The trace of the registration that brought the newcomer in: matching rounds continue it. Absent on old documents. */
  journeyTrace?: TraceContext;
  /** Registration time: waiting time (queue order, the waiting bonus) counts from here. */
  waitingSince: Date;
  currentMatchId: string | null;
  currentMatchState: MatchState | null;
  /** Peers a coordinator declined for this newcomer (or left through a rematch): never proposed again. */
  declinedPeerIds: string[];
  claimedBy: string | null;
  claimUntil: Date | null;
  /** Why the last round found nobody (an engine reason code). */
  unmatchedReason: string | null;
  lastAttemptAt: Date | null;
  firstProposedAt: Date | null;
  firstIntroducedAt: Date | null;
  /** Inbox: ids of the intake events applied to this document. */
  appliedEventIds: string[];
  createdAt: Date;
  updatedAt: Date;
}

export interface PeerDocument extends PeerAttributes, OutboxFields {
  _id: string;
  /** False for a placeholder made by a pause that arrived before the peer's first profile. */
  profiled: boolean;
  /** Slots held now: one per match in `holds`. */
  load: number;
  /** capacity − load, kept as a counter so that a reservation is one conditional update (no `$expr`). */
  freeSlots: number;
  /** The match ids holding a slot: makes reserve and release idempotent. */
  holds: string[];
  pauseReason: string | null;
  appliedEventIds: string[];
  createdAt: Date;
  updatedAt: Date;
}

export interface FactorRecord {
  readonly key: string;
  readonly weight: number;
  readonly value: number;
  readonly contribution: number;
  readonly sentence: string;
}

export interface SkippedRecord {
  readonly peerId: string;
  readonly reasons: { readonly code: string; readonly sentence: string }[];
}

export interface CandidateRecord {
  readonly peerId: string;
  readonly score: number;
  readonly rank: number;
  readonly factors: FactorRecord[];
  readonly freeCapacity: number;
}

export interface DeliveryRecord {
  readonly deliveryId: string;
  readonly recipientId: string;
  readonly role: string;
  readonly channel: string;
  readonly state: 'delivered' | 'retrying' | 'failed';
  readonly errorCode: string;
  readonly permanent: boolean;
  readonly updatedAt: Date;
}

/**
 * `reserving` is internal: the document exists before the peer's slot is taken, so that a crash between the two
 * leaves a trace the sweeper can undo. It is never shown to the console.
 */
export type StoredMatchState = MatchState | 'reserving' | 'abandoned';

export interface MatchDocument extends OutboxFields {
  _id: string;
  state: StoredMatchState;
  /** The proposal's span in the newcomer's journey trace, served to the console (see MatchSummary.journey_trace). */
  journeyTrace?: TraceContext;
  version: number;
  newcomerId: string;
  peerId: string;
  score: number;
  rank: number;
  urgent: boolean;
  riskLevel: string;
  sharedTopics: string[];
  sharedLanguages: string[];
  shareTopicsConsented: boolean;
  factors: FactorRecord[];
  weights: Record<string, number>;
  engineVersion: string;
  weightsVersion: string;
  skipped: SkippedRecord[];
  skippedTotal: number;
  others: CandidateRecord[];
  waitingSince: Date;
  proposedAt: Date;
  updatedAt: Date;
  decidedAt: Date | null;
  introducedAt: Date | null;
  declineReason: string | null;
  closeReason: string | null;
  /** True while the peer's slot for this match is held; settled to false once released. */
  capacityHeld: boolean;
  /** False until the follow-up of a final state (release the slot, return the newcomer to matching) is done. */
  settled: boolean;
  audit: AuditRecord[];
  deliveries: DeliveryRecord[];
  /** Inbox for the notifier's delivery events. */
  appliedEventIds: string[];
  createdAt: Date;
}
