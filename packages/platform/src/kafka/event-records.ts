import { decodeEnvelope, encodeEnvelope, envelopeFor, routeOf, type DecodedEnvelope, type EventPayload } from '@kindred/contracts';
import { ulid } from 'ulid';
import { AppError } from '../errors.js';
import { activeTraceContext, type TraceContext } from '../tracing/spans.js';
import type { OutgoingRecord } from './publisher.js';

export const eventHeaders = {
  eventId: 'kindred-event-id',
  eventType: 'kindred-event-type',
  traceparent: 'traceparent',
  tracestate: 'tracestate',
  contentType: 'content-type',
} as const;

/**
 * Topic names with an optional namespace in front (`<namespace>.kindred.intake.newcomers.v1`), so that each test
 * file, or each environment sharing a cluster, has topics of its own.
 */
export function namespacedTopic(topic: string, namespace: string | undefined): string {
  return namespace ? `${namespace}.${topic}` : topic;
}

/** A new event: a fresh ULID, the time now, and the trace that caused it (by default the active span). */
export function newEvent(
  event: EventPayload,
  header: { readonly producer: string; readonly aggregateId: string; readonly causedBy?: TraceContext | undefined; readonly now?: Date },
): DecodedEnvelope {
  return envelopeFor(event, {
    eventId: ulid(),
    occurredAt: header.now ?? new Date(),
    producer: header.producer,
    aggregateId: header.aggregateId,
    trace: header.causedBy ?? activeTraceContext(),
  });
}

/** The Kafka record of an event: keyed by aggregate id; id, type and trace context also in headers. */
export function eventToRecord(envelope: DecodedEnvelope, topicNamespace?: string): OutgoingRecord {
  const headers: Record<string, string> = {
    [eventHeaders.eventId]: envelope.eventId,
    [eventHeaders.eventType]: envelope.type,
    [eventHeaders.contentType]: 'application/x-protobuf',
  };
  if (envelope.trace?.traceparent) headers[eventHeaders.traceparent] = envelope.trace.traceparent;
  if (envelope.trace?.tracestate) headers[eventHeaders.tracestate] = envelope.trace.tracestate;
  return {
    topic: namespacedTopic(routeOf(envelope.event).topic, topicNamespace),
    key: envelope.aggregateId,
    value: Buffer.from(encodeEnvelope(envelope)),
    headers,
  };
}

/** Decodes a record's value; anything unusable is a permanent error (the consumer runner dead-letters it). */
export function recordToEvent(value: Buffer): DecodedEnvelope {
  try {
    return decodeEnvelope(value);
  } catch (error) {
    throw new AppError('EVENT.UNDECODABLE', error instanceof Error ? error.message : 'undecodable event', { retriable: false, cause: error });
  }
}
