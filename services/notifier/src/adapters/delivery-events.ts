import { encodeEnvelope, envelopeFor, events } from '@kindred/contracts';
import { activeTraceContext } from '@kindred/platform';
import { ulid } from 'ulid';
import type { OutboxEntry } from '../data-access/delivery-ledger.repository.js';
import type { Channel, RecipientRole, TopicKey } from '../domain/delivery.types.js';
import type { ProviderFailure } from '../domain/provider-errors.js';

/** Enough of a delivery to describe it in an event: ids only. */
export interface DeliveryRef {
  readonly _id: string;
  readonly matchId: string;
  readonly recipientId: string;
  readonly role: RecipientRole;
  readonly channel: Channel;
  readonly traceparent: string;
}

const CHANNEL: Readonly<Record<Channel, events.Channel>> = { email: events.Channel.CHANNEL_EMAIL, sms: events.Channel.CHANNEL_SMS };
const ROLE: Readonly<Record<RecipientRole, events.RecipientRole>> = {
  peer: events.RecipientRole.RECIPIENT_ROLE_PEER,
  newcomer: events.RecipientRole.RECIPIENT_ROLE_NEWCOMER,
};

/** TOPIC_TRAUMA_PTSD → trauma_ptsd; unknown values are dropped. */
export function topicKeysOf(topics: readonly events.Topic[]): TopicKey[] {
  return topics
    .filter((topic) => topic !== events.Topic.TOPIC_UNSPECIFIED)
    .map((topic) => events.topicToJSON(topic))
    .filter((name) => name.startsWith('TOPIC_'))
    .map((name) => name.slice('TOPIC_'.length).toLowerCase());
}

function entry(delivery: DeliveryRef, topic: string, now: Date, event: Parameters<typeof envelopeFor>[0]): OutboxEntry {
  const eventId = ulid(now.getTime());
  // The journey's trace stored with the delivery wins over the active span (a Twilio status callback is a request of its own).
  const trace = delivery.traceparent ? { traceparent: delivery.traceparent, tracestate: '' } : activeTraceContext();
  const envelope = envelopeFor(event, { eventId, occurredAt: now, producer: 'notifier', aggregateId: delivery.matchId, trace });
  return {
    eventId,
    topic,
    key: delivery.matchId,
    value: Buffer.from(encodeEnvelope(envelope)).toString('base64'),
    headers: { 'kindred-event-id': eventId, 'kindred-event-type': envelope.type, ...(trace.traceparent ? { traceparent: trace.traceparent } : {}) },
  };
}

export function introductionDelivered(delivery: DeliveryRef, providerMessageId: string, now: Date, topic: string): OutboxEntry {
  return entry(delivery, topic, now, {
    $case: 'introductionDelivered',
    introductionDelivered: {
      deliveryId: delivery._id,
      matchId: delivery.matchId,
      recipientId: delivery.recipientId,
      role: ROLE[delivery.role],
      channel: CHANNEL[delivery.channel],
      providerMessageId,
      deliveredAt: now,
    },
  });
}

export function introductionFailed(delivery: DeliveryRef, failure: ProviderFailure, now: Date, topic: string): OutboxEntry {
  return entry(delivery, topic, now, {
    $case: 'introductionFailed',
    introductionFailed: {
      deliveryId: delivery._id,
      matchId: delivery.matchId,
      recipientId: delivery.recipientId,
      role: ROLE[delivery.role],
      channel: CHANNEL[delivery.channel],
      errorCode: failure.code,
      permanent: failure.permanent,
      reason: failure.reason,
    },
  });
}
