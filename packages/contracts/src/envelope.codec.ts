import { Envelope } from './gen/index.kindred.events.v1.js';
import { EVENT_ROUTES, type EventCase, type EventPayload } from './event-routes.js';

/** Current payload schema version; bumped when a payload's meaning changes (not for added fields). */
export const SCHEMA_VERSION = 1;

/** An envelope whose payload is set. */
export type DecodedEnvelope = Envelope & { event: EventPayload };

/**
 * Bytes that are not a usable envelope. Consumers send such a message to their dead-letter topic;
 * `code` is stable across processes, unlike `instanceof`.
 */
export class EnvelopeDecodeError extends Error {
  readonly code = 'CONTRACTS.ENVELOPE_UNDECODABLE';
  readonly retryable = false;

  constructor(message: string, options?: { cause: unknown }) {
    super(message, options);
    this.name = 'EnvelopeDecodeError';
  }
}

export function encodeEnvelope(envelope: Envelope): Uint8Array {
  return Envelope.encode(envelope).finish();
}

/**
 * Decodes and checks the header: an event id, and a payload this code knows. A payload from a newer
 * producer (an unknown oneof field) leaves `event` unset and is reported as such.
 */
export function decodeEnvelope(bytes: Uint8Array): DecodedEnvelope {
  let envelope: Envelope;
  try {
    envelope = Envelope.decode(bytes);
  } catch (error) {
    throw new EnvelopeDecodeError(`not a protobuf Envelope (${bytes.length} bytes)`, { cause: error });
  }
  const { event } = envelope;
  if (event === undefined) {
    throw new EnvelopeDecodeError(`envelope ${envelope.eventId || '(no id)'} of type "${envelope.type}" has no payload this consumer knows`);
  }
  if (envelope.eventId === '') {
    throw new EnvelopeDecodeError(`envelope of type "${envelope.type}" has no event_id`);
  }
  return { ...envelope, event };
}

/** Builds the envelope for a payload, filling `type` from the payload's case. */
export function envelopeFor(
  event: EventPayload,
  header: Omit<Envelope, 'event' | 'type' | 'schemaVersion'> & { schemaVersion?: number },
): DecodedEnvelope {
  const caseName: EventCase = event.$case;
  return { ...header, schemaVersion: header.schemaVersion ?? SCHEMA_VERSION, type: EVENT_ROUTES[caseName].type, event };
}
