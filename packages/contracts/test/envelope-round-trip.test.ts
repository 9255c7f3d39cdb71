import { describe, expect, it } from 'vitest';
import { BinaryWriter } from '@bufbuild/protobuf/wire';
import {
  EVENT_ROUTES,
  EnvelopeDecodeError,
  decodeEnvelope,
  encodeEnvelope,
  envelopeFor,
  events,
  routeOf,
  type EventCase,
} from '@kindred/contracts';
import { sampleEnvelope, sampleEvents } from './fixtures/sample-events.fixture.js';

const cases = Object.keys(sampleEvents) as EventCase[];

/** Each payload message's codec, to get its all-defaults instance. */
const payloadCodecs: { readonly [C in EventCase]: { create(): object } } = {
  newcomerRegistered: events.NewcomerRegistered,
  peerProfileUpserted: events.PeerProfileUpserted,
  peerPaused: events.PeerPaused,
  peerResumed: events.PeerResumed,
  matchProposed: events.MatchProposed,
  matchApproved: events.MatchApproved,
  matchDeclined: events.MatchDeclined,
  matchTransitioned: events.MatchTransitioned,
  matchClosed: events.MatchClosed,
  introductionDelivered: events.IntroductionDelivered,
  introductionFailed: events.IntroductionFailed,
  subjectErased: events.SubjectErased,
};

function payloadBody(c: EventCase): Record<string, unknown> {
  return (sampleEvents[c] as unknown as Record<string, Record<string, unknown>>)[c]!;
}

describe('envelope round trip', () => {
  it('covers every case of the envelope oneof', () => {
    expect(cases.sort()).toEqual(Object.keys(EVENT_ROUTES).sort());
  });

  it.each(cases)('every field of the %s sample is populated, so the round trip tests it', (c) => {
    const defaults = payloadCodecs[c].create() as Record<string, unknown>;
    const body = payloadBody(c);
    const keys = new Set([...Object.keys(defaults), ...Object.keys(body)]);
    const unpopulated = [...keys].filter((key) => body[key] === undefined || JSON.stringify(body[key]) === JSON.stringify(defaults[key]));
    expect(unpopulated).toEqual([]);
  });

  it.each(cases)('an envelope carrying %s decodes to what was encoded', (c) => {
    const envelope = sampleEnvelope(sampleEvents[c]);

    const decoded = events.Envelope.decode(events.Envelope.encode(envelope).finish());

    expect(decoded).toEqual(envelope);
    expect(decoded.event?.$case).toBe(c);
  });

  it.each(cases)('encodeEnvelope/decodeEnvelope keep %s intact', (c) => {
    const envelope = envelopeFor(sampleEvents[c], {
      eventId: '01J9ZM00000000000000000001',
      occurredAt: new Date('2025-01-01T00:00:00.000Z'),
      producer: 'test',
      aggregateId: 'agg',
    });

    expect(decodeEnvelope(encodeEnvelope(envelope))).toEqual(envelope);
    expect(envelope.type).toBe(routeOf(sampleEvents[c]).type);
    expect(envelope.schemaVersion).toBe(1);
  });
});

describe('decodeEnvelope rejects what a consumer cannot use', () => {
  it('bytes that are not protobuf', () => {
    const garbage = Uint8Array.from([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]);
    expect(() => decodeEnvelope(garbage)).toThrow(EnvelopeDecodeError);
    expect(() => decodeEnvelope(garbage)).toThrow(/not a protobuf Envelope/);
  });

  it('an envelope without a payload', () => {
    const bytes = encodeEnvelope({ ...sampleEnvelope(sampleEvents.peerResumed), event: undefined });
    expect(() => decodeEnvelope(bytes)).toThrow(/has no payload this consumer knows/);
  });

  it('an envelope whose payload comes from a newer schema (an unknown oneof field)', () => {
    const known = encodeEnvelope({ ...sampleEnvelope(sampleEvents.peerResumed), event: undefined });
    const writer = new BinaryWriter();
    writer.raw(known);
    writer.uint32((99 << 3) | 2).bytes(Uint8Array.from([0x0a, 0x01, 0x78]));
    const bytes = writer.finish();

    expect(() => decodeEnvelope(bytes)).toThrow(EnvelopeDecodeError);
    expect(events.Envelope.decode(bytes).eventId).toBe(sampleEnvelope(sampleEvents.peerResumed).eventId);
  });

  it('an envelope without an event id', () => {
    const bytes = encodeEnvelope({ ...sampleEnvelope(sampleEvents.peerResumed), eventId: '' });
    let caught: unknown;
    try {
      decodeEnvelope(bytes);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(EnvelopeDecodeError);
    expect(caught).toMatchObject({ code: 'CONTRACTS.ENVELOPE_UNDECODABLE', retryable: false });
    expect((caught as Error).message).toMatch(/no event_id/);
  });
});
