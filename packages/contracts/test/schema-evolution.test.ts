// Messages written by an older version of the contracts must still decode, with the same values,
// in the current code: a producer and a consumer are never upgraded at the same instant, and
// topics keep old events. fixtures/wire-v1.json holds bytes from the first version; never edit it.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { events, health, intake, matching } from '@kindred/contracts';

interface WireFixture {
  readonly name: string;
  readonly type: string;
  readonly hex: string;
  readonly json: unknown;
}

interface Codec {
  decode(bytes: Uint8Array): unknown;
  fromJSON(json: unknown): unknown;
}

const codecs: Readonly<Record<string, Codec>> = {
  'kindred.events.v1.Envelope': events.Envelope,
  'kindred.intake.v1.GetContactResponse': intake.GetContactResponse,
  'kindred.matching.v1.MatchSummary': matching.MatchSummary,
  'grpc.health.v1.HealthCheckResponse': health.HealthCheckResponse,
};

const fixtures = (
  JSON.parse(readFileSync(new URL('./fixtures/wire-v1.json', import.meta.url), 'utf8')) as { messages: WireFixture[] }
).messages;

function decodeFixture(name: string): unknown {
  const fixture = fixtures.find((f) => f.name === name);
  if (fixture === undefined) throw new Error(`no fixture named ${name}`);
  return codecs[fixture.type]!.decode(Buffer.from(fixture.hex, 'hex'));
}

describe('v1 wire bytes decode with the current code', () => {
  it('the fixture holds messages of every kind it claims', () => {
    expect(fixtures.length).toBeGreaterThanOrEqual(13);
    expect(new Set(fixtures.map((f) => f.type))).toEqual(new Set(Object.keys(codecs)));
  });

  it.each(fixtures.map((f) => [f.name, f] as const))('%s keeps every value it was written with', (_name, fixture) => {
    const codec = codecs[fixture.type]!;
    expect(codec.decode(Buffer.from(fixture.hex, 'hex'))).toEqual(codec.fromJSON(fixture.json));
  });

  // Spelled out by hand too, so the check does not rest only on today's JSON mapping.
  it('a v1 NewcomerRegistered keeps its ids, topics, preferences and timestamps', () => {
    const envelope = decodeFixture('Envelope carrying newcomerRegistered') as events.Envelope;
    expect(envelope).toMatchObject({ eventId: '01J9ZM00000000000000000001', schemaVersion: 1, aggregateId: 'agg_1' });
    expect(envelope.occurredAt).toEqual(new Date('2025-03-05T16:00:01.000Z'));
    expect(envelope.event?.$case).toBe('newcomerRegistered');
    if (envelope.event?.$case !== 'newcomerRegistered') return;
    const newcomer = envelope.event.newcomerRegistered;
    expect(newcomer.newcomerId).toBe('nc_01J9ZK3V7Q8YB2M4N6P8R0T2V4');
    expect(newcomer.topics).toEqual([2, 8, 16]); // anxiety, grief, suicide loss
    expect(newcomer.languages).toEqual(['es-MX', 'en']);
    expect(newcomer.genderPreference).toEqual({ kind: 3, genders: [3, 1], mustHave: true });
    expect(newcomer.availability[1]).toEqual({ day: 5, startMinute: 570, endMinute: 720 });
    expect(newcomer.riskLevel).toBe(3);
    expect(newcomer.registeredAt).toEqual(new Date('2025-03-04T05:06:07.089Z'));
  });

  it('a v1 MatchProposed keeps its score and explained factors', () => {
    const envelope = decodeFixture('Envelope carrying matchProposed') as events.Envelope;
    expect(envelope.event?.$case).toBe('matchProposed');
    if (envelope.event?.$case !== 'matchProposed') return;
    const proposal = envelope.event.matchProposed;
    expect(proposal).toMatchObject({ matchId: 'mt_01J9ZK5', score: 0.8125, rank: 2, urgent: true, engineVersion: 'engine-1.2.0' });
    expect(proposal.factors[0]).toEqual({ key: 'shared_experience', weight: 0.4, value: 0.75, contribution: 0.3, sentence: 'Shares 2 of 3 topics' });
  });

  it('a v1 GetContactResponse keeps contact details and consents', () => {
    const contact = decodeFixture('GetContactResponse') as intake.GetContactResponse;
    expect(contact).toMatchObject({ subjectId: 'pr_1', kind: 2, phoneE164: '+15555550100', preferredChannel: 2 });
    expect(contact.consents).toEqual({
      email: true,
      sms: true,
      shareFirstName: true,
      shareTopics: false,
      noticeVersion: 'privacy-2025-01',
      consentedAt: new Date('2025-01-02T03:04:05.000Z'),
    });
  });
});
