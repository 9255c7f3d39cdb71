import { randomBytes } from 'node:crypto';
import { decodeEnvelope, encodeEnvelope, envelopeFor, type DecodedEnvelope, type events } from '@kindred/contracts';
import { createKafka, createRecordPublisher, type Logger, type RecordPublisher } from '@kindred/platform';
import { uniqueName } from '@kindred/testkit';
import type { ReadRecord } from '@kindred/testkit';

export interface MatchFixture {
  matchId: string;
  newcomerId: string;
  peerId: string;
  sharedTopics?: events.Topic[];
  shareTopicsConsented?: boolean;
}

/** A MatchApproved envelope as matching publishes it; `eventId` fixed lets a test send the very same event again. */
export function matchApprovedRecord(topic: string, match: MatchFixture, eventId = uniqueName('evt')) {
  const envelope = envelopeFor(
    {
      $case: 'matchApproved',
      matchApproved: {
        matchId: match.matchId,
        newcomerId: match.newcomerId,
        peerId: match.peerId,
        actor: 'coordinator-1',
        sharedTopics: match.sharedTopics ?? [],
        shareTopicsConsented: match.shareTopicsConsented ?? false,
      },
    },
    { eventId, occurredAt: new Date(), producer: 'matching', aggregateId: match.matchId, trace: { traceparent: `00-${randomBytes(16).toString('hex')}-${randomBytes(8).toString('hex')}-01`, tracestate: '' } },
  );
  return {
    topic,
    key: match.matchId,
    value: Buffer.from(encodeEnvelope(envelope)),
    headers: { 'kindred-event-id': eventId, 'kindred-event-type': envelope.type },
  };
}

export async function testPublisher(brokers: readonly string[], log: Logger): Promise<RecordPublisher> {
  return createRecordPublisher(createKafka({ brokers, clientId: 'notifier-test', log }));
}

export function decodeAll(records: readonly ReadRecord[]): DecodedEnvelope[] {
  return records.map((record) => decodeEnvelope(record.value));
}

/** The delivery outcomes of one match, deduplicated by event id as every consumer does (the outbox is at-least-once). */
export function deliveryEventsFor(records: readonly ReadRecord[], matchId: string) {
  const seen = new Set<string>();
  const decoded = decodeAll(records).filter((envelope) => !seen.has(envelope.eventId) && seen.add(envelope.eventId));
  return {
    delivered: decoded.flatMap((e) => (e.event.$case === 'introductionDelivered' && e.event.introductionDelivered.matchId === matchId ? [e.event.introductionDelivered] : [])),
    failed: decoded.flatMap((e) => (e.event.$case === 'introductionFailed' && e.event.introductionFailed.matchId === matchId ? [e.event.introductionFailed] : [])),
  };
}
