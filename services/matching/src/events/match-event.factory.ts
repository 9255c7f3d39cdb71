import { Binary } from 'mongodb';
import { ulid } from 'ulid';
import type { events, EventPayload } from '@kindred/contracts';
import { eventToRecord, newEvent } from '@kindred/platform';
import type { AuditRecord, FactorRecord, MatchDocument, OutboxEntry } from '../data-access/documents.js';
import type { MatchState } from '../domain/match-lifecycle.js';
import { closeReasonEnum, declineReasonEnum, matchStateEnum, topicEnum } from './proto-codes.js';

export const PRODUCER = 'matching';

/** Builds outbox entries: the Kafka record of a match event (keyed by match id), with the audit line that goes with it. */
export function createMatchEventFactory(topicNamespace: string | undefined) {
  function entry(payload: EventPayload | undefined, aggregateId: string, audit: AuditRecord | undefined, now: Date): OutboxEntry {
    if (payload === undefined) return { id: ulid(), ...(audit === undefined ? {} : { audit }) };
    const envelope = newEvent(payload, { producer: PRODUCER, aggregateId, now });
    const record = eventToRecord(envelope, topicNamespace);
    return {
      id: envelope.eventId,
      record: { eventId: envelope.eventId, topic: record.topic, key: record.key, value: new Binary(record.value), headers: { ...record.headers } },
      ...(audit === undefined ? {} : { audit }),
    };
  }

  const factors = (list: readonly FactorRecord[]): events.ScoreFactor[] => list.map((f) => ({ ...f }));

  return {
    audit(fields: Omit<AuditRecord, '_id'>): AuditRecord {
      return { _id: ulid(), ...fields };
    },
    auditOnly: (audit: AuditRecord, now: Date): OutboxEntry => entry(undefined, audit.matchId, audit, now),

    proposed(m: MatchDocument, audit: AuditRecord, now: Date): OutboxEntry {
      return entry(
        {
          $case: 'matchProposed',
          matchProposed: {
            matchId: m._id,
            newcomerId: m.newcomerId,
            peerId: m.peerId,
            score: m.score,
            factors: factors(m.factors),
            engineVersion: m.engineVersion,
            weightsVersion: m.weightsVersion,
            rank: m.rank,
            urgent: m.urgent,
          },
        },
        m._id,
        audit,
        now,
      );
    },

    approved(m: MatchDocument, actor: string, audit: AuditRecord, now: Date): OutboxEntry {
      return entry(
        {
          $case: 'matchApproved',
          matchApproved: {
            matchId: m._id,
            newcomerId: m.newcomerId,
            peerId: m.peerId,
            actor,
            sharedTopics: m.sharedTopics.map(topicEnum),
            shareTopicsConsented: m.shareTopicsConsented,
          },
        },
        m._id,
        audit,
        now,
      );
    },

    declined(m: MatchDocument, actor: string, reason: string, audit: AuditRecord, now: Date): OutboxEntry {
      return entry(
        { $case: 'matchDeclined', matchDeclined: { matchId: m._id, newcomerId: m.newcomerId, peerId: m.peerId, actor, reason: declineReasonEnum(reason) } },
        m._id,
        audit,
        now,
      );
    },

    transitioned(matchId: string, from: MatchState, to: MatchState, actor: string, reason: string, audit: AuditRecord, now: Date): OutboxEntry {
      return entry(
        { $case: 'matchTransitioned', matchTransitioned: { matchId, from: matchStateEnum(from), to: matchStateEnum(to), actor, reason } },
        matchId,
        audit,
        now,
      );
    },

    closed(matchId: string, actor: string, reason: string, audit: AuditRecord, now: Date): OutboxEntry {
      return entry({ $case: 'matchClosed', matchClosed: { matchId, actor, reason: closeReasonEnum(reason) } }, matchId, audit, now);
    },
  };
}

export type MatchEventFactory = ReturnType<typeof createMatchEventFactory>;
