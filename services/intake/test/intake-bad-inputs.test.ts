import { Kafka, logLevel } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testInfra } from '@kindred/testkit';
import { startHarness, type IntakeHarness } from './support/intake-harness.js';
import { noticeVersion, validNewcomer, validPeer } from './support/fixtures.js';

let h: IntakeHarness;
let firstIdempotentBody: Record<string, unknown>;

beforeAll(async () => {
  h = await startHarness({ name: 'intake_bad' });
  // The one accepted request of this file: the idempotency case below reuses its key with another body.
  firstIdempotentBody = validNewcomer({ firstName: 'First' });
  const res = await h.postJson('/v1/intakes', firstIdempotentBody, { 'idempotency-key': 'bad-inputs-key' });
  expect(res.status).toBe(201);
});
afterAll(async () => {
  await h.stop();
});

type Case = {
  readonly name: string;
  readonly path?: string;
  readonly body: unknown;
  /** Raw bytes or text sent as is instead of JSON.stringify(body). */
  readonly raw?: string | Uint8Array;
  readonly contentType?: string;
  readonly headers?: Record<string, string>;
  readonly status: number;
  readonly field: string;
  readonly code: string;
};

const consents = { contactByEmail: true, contactBySms: true, shareFirstName: true, shareTopics: true, noticeVersion };
const without = (key: string) => {
  const body = validNewcomer();
  delete body[key];
  return body;
};
const n = (overrides: Record<string, unknown>) => validNewcomer(overrides);

const cases: Case[] = [
  { name: 'first name is a number', body: n({ firstName: 42 }), status: 422, field: 'firstName', code: 'invalid_type' },
  { name: 'first name missing', body: without('firstName'), status: 422, field: 'firstName', code: 'required' },
  { name: 'first name too long', body: n({ firstName: 'A'.repeat(51) }), status: 422, field: 'firstName', code: 'too_long' },
  { name: 'first name with a control character', body: n({ firstName: 'Ann\u0007' }), status: 422, field: 'firstName', code: 'invalid_characters' },
  { name: 'first name with a lone surrogate', body: {}, raw: JSON.stringify(n({ firstName: 'x' })).replace('"firstName":"x"', '"firstName":"\\ud83d"'), status: 422, field: 'firstName', code: 'invalid_unicode' },
  { name: 'topics is a string', body: n({ topics: 'anxiety' }), status: 422, field: 'topics', code: 'invalid_type' },
  { name: 'unknown topic', body: n({ topics: ['anxiety', 'astrology'] }), status: 422, field: 'topics.1', code: 'not_allowed' },
  { name: 'no topic', body: n({ topics: [] }), status: 422, field: 'topics', code: 'too_short' },
  { name: 'bad time zone', body: n({ timeZone: 'Mars/Olympus_Mons' }), status: 422, field: 'timeZone', code: 'invalid_time_zone' },
  { name: 'time zone is a number', body: n({ timeZone: -5 }), status: 422, field: 'timeZone', code: 'invalid_type' },
  { name: 'bad phone number', body: n({ contact: { phone: '+1 555' } }), status: 422, field: 'contact.phone', code: 'invalid_phone' },
  { name: 'phone number with letters', body: n({ contact: { phone: 'call me' } }), status: 422, field: 'contact.phone', code: 'invalid_phone' },
  { name: 'bad email', body: n({ contact: { email: 'not-an-email' }, preferredChannel: 'email' }), status: 422, field: 'contact.email', code: 'invalid_format' },
  { name: 'neither email nor phone', body: n({ contact: {} }), status: 422, field: 'contact', code: 'contact_required' },
  { name: 'SMS chosen without a phone', body: n({ contact: { email: 'a@example.org' } }), status: 422, field: 'contact.phone', code: 'required_for_channel' },
  { name: 'missing consent for the chosen channel', body: n({ consents: { ...consents, contactBySms: false } }), status: 422, field: 'consents.contactBySms', code: 'consent_required' },
  { name: 'consents missing', body: without('consents'), status: 422, field: 'consents', code: 'required' },
  { name: 'consent given as a string', body: n({ consents: { ...consents, shareTopics: 'yes' } }), status: 422, field: 'consents.shareTopics', code: 'invalid_type' },
  { name: 'unknown privacy notice', body: n({ consents: { ...consents, noticeVersion: '1999-01' } }), status: 422, field: 'consents.noticeVersion', code: 'unknown_notice_version' },
  { name: 'hopes too long', body: n({ hopes: 'h'.repeat(1001) }), status: 422, field: 'hopes', code: 'too_long' },
  { name: 'age band not in the list', body: n({ ageBand: '12_17' }), status: 422, field: 'ageBand', code: 'not_allowed' },
  { name: 'gender not in the list', body: n({ gender: 'robot' }), status: 422, field: 'gender', code: 'not_allowed' },
  { name: 'specific gender preference without genders', body: n({ genderPreference: { kind: 'specific', mustHave: true } }), status: 422, field: 'genderPreference.genders', code: 'required_for_specific' },
  { name: 'in person without a region', body: without('region'), status: 422, field: 'region', code: 'required_for_in_person' },
  { name: 'region in lower case', body: n({ region: 'us-tx' }), status: 422, field: 'region', code: 'invalid_format' },
  { name: 'availability day 9', body: n({ availability: [{ day: 9, start: '10:00', end: '11:00' }] }), status: 422, field: 'availability.0.day', code: 'too_large' },
  { name: 'availability time malformed', body: n({ availability: [{ day: 1, start: '7pm', end: '21:00' }] }), status: 422, field: 'availability.0.start', code: 'invalid_format' },
  { name: 'no availability', body: n({ availability: [] }), status: 422, field: 'availability', code: 'too_short' },
  { name: 'bad language tag', body: n({ languages: ['en', 'english please'] }), status: 422, field: 'languages.1', code: 'invalid_language' },
  { name: 'screener missing', body: without('screener'), status: 422, field: 'screener', code: 'required' },
  { name: 'screener answer as text', body: n({ screener: { wishToBeDead: 'no', suicidalThoughts: false, suicidalBehavior: false } }), status: 422, field: 'screener.wishToBeDead', code: 'invalid_type' },
  { name: 'unknown top-level field', body: n({ isAdmin: true }), status: 422, field: 'isAdmin', code: 'unknown_field' },
  { name: 'unknown nested field', body: n({ contact: { email: 'a@example.org', phone: '+12015550123', fax: '1' } }), status: 422, field: 'contact.fax', code: 'unknown_field' },
  { name: 'operator injection in a string field', body: n({ firstName: { $gt: '' } }), status: 422, field: 'firstName', code: 'operator_not_allowed' },
  { name: 'operator injection in a nested field', body: n({ contact: { email: { $ne: null }, phone: '+12015550123' } }), status: 422, field: 'contact.email', code: 'operator_not_allowed' },
  { name: 'operator as a top-level key', body: n({ $where: 'sleep(1000)' }), status: 422, field: '$where', code: 'operator_not_allowed' },
  { name: '__proto__ key', body: {}, raw: JSON.stringify(n({})).replace(/^\{/, '{"__proto__":{"isAdmin":true},'), status: 422, field: '__proto__', code: 'forbidden_key' },
  { name: 'constructor.prototype key nested', body: n({ contact: { email: 'a@example.org', constructor: { prototype: { polluted: true } } } }), status: 422, field: 'contact.constructor', code: 'forbidden_key' },
  { name: '__proto__ inside the screener', body: {}, raw: JSON.stringify(n({})).replace('"screener":{', '"screener":{"__proto__":{"x":1},'), status: 422, field: 'screener.__proto__', code: 'forbidden_key' },
  { name: 'nesting too deep', body: n({ hopes: [[[[[[[[[['deep']]]]]]]]]] }), status: 422, field: 'hopes.0.0.0.0.0.0.0.0', code: 'too_deep' },
  { name: 'invalid UTF-8', body: {}, raw: Buffer.concat([Buffer.from('{"firstName":"Ana'), Buffer.from([0xc3, 0x28]), Buffer.from('"}')]), status: 400, field: '', code: 'invalid_utf8' },
  { name: 'malformed JSON', body: {}, raw: '{"firstName": "Ana",', status: 400, field: '', code: 'invalid_json' },
  { name: 'a list instead of an object', body: [validNewcomer()], status: 422, field: '', code: 'invalid_type' },
  { name: 'oversized body', body: {}, raw: JSON.stringify(n({ hopes: 'x'.repeat(40_000) })), status: 413, field: '', code: 'too_large' },
  { name: 'not JSON content type', body: {}, raw: 'firstName=Ana', contentType: 'text/plain', status: 415, field: 'Content-Type', code: 'unsupported' },
  { name: 'malformed Idempotency-Key', body: n({}), headers: { 'idempotency-key': 'has spaces and {braces}' }, status: 400, field: 'Idempotency-Key', code: 'invalid_format' },
  { name: 'Idempotency-Key reused with a different body', body: n({ firstName: 'Second' }), headers: { 'idempotency-key': 'bad-inputs-key' }, status: 422, field: 'Idempotency-Key', code: 'reused_with_different_body' },
  { name: 'peer capacity zero', path: '/v1/peers', body: validPeer({ capacity: 0 }), status: 422, field: 'capacity', code: 'too_small' },
  { name: 'peer recovery date in the future', path: '/v1/peers', body: validPeer({ recoveryStartedOn: '2999-01-01' }), status: 422, field: 'recoveryStartedOn', code: 'date_in_future' },
  { name: 'peer capacity as text', path: '/v1/peers', body: validPeer({ capacity: 'three' }), status: 422, field: 'capacity', code: 'invalid_type' },
  { name: 'peer certified as text', path: '/v1/peers', body: validPeer({ certified: 'true' }), status: 422, field: 'certified', code: 'invalid_type' },
  { name: 'peer operator injection', path: '/v1/peers', body: validPeer({ timeZone: { $regex: '.*' } }), status: 422, field: 'timeZone', code: 'operator_not_allowed' },
];

describe('bad inputs: each answered 4xx with a field-level message; nothing stored, nothing published', () => {
  it('has at least 40 cases', () => {
    expect(cases.length).toBeGreaterThanOrEqual(40);
  });

  it.each(cases)('$name → $status $field $code', async (c) => {
    const before = {
      newcomers: await h.db.collection('newcomers').countDocuments(),
      peers: await h.db.collection('peers').countDocuments(),
      keys: await h.db.collection('subject_keys').countDocuments(),
    };
    const path = c.path ?? '/v1/intakes';
    const res =
      c.raw === undefined && c.contentType === undefined
        ? await h.postJson(path, c.body, c.headers)
        : await h.postRaw(path, c.raw ?? JSON.stringify(c.body), c.contentType ?? 'application/json', c.headers);
    expect(res.status).toBe(c.status);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
    const problem = (await res.json()) as { status: number; title: string; errors: { field: string; code: string; message: string }[] };
    expect(problem.status).toBe(c.status);
    expect(problem.errors).toContainEqual({ field: c.field, code: c.code, message: expect.stringMatching(/\w{3,}/) as unknown });
    expect({
      newcomers: await h.db.collection('newcomers').countDocuments(),
      peers: await h.db.collection('peers').countDocuments(),
      keys: await h.db.collection('subject_keys').countDocuments(),
    }).toEqual(before);
  });

  it('published only the one accepted intake', async () => {
    await h.app.relay.drain();
    const kafka = new Kafka({ clientId: 'bad-inputs-check', brokers: [...testInfra().kafkaBrokers], logLevel: logLevel.NOTHING });
    const admin = kafka.admin();
    await admin.connect();
    try {
      const count = async (topic: string) => (await admin.fetchTopicOffsets(topic)).reduce((sum, p) => sum + Number(p.high) - Number(p.low), 0);
      expect(await count(h.topics.newcomers)).toBe(1);
      expect(await count(h.topics.peers)).toBe(0);
    } finally {
      await admin.disconnect();
    }
    expect(await h.db.collection('newcomers').countDocuments()).toBe(1);
    expect(await h.db.collection('peers').countDocuments()).toBe(0);
  });
});
