import { describe, expect, it } from 'vitest';
import type { ZodType } from 'zod';
import { newcomerIntakeSchema, peerEnrollmentSchema, peerUpdateSchema, toE164 } from '../../src/domain/intake.schemas.js';
import { validate } from '../../src/domain/validation.js';
import { parseSafeJson } from '../../src/domain/safe-json.js';
import { topics } from '../../src/domain/vocabulary.js';
import { noticeVersion, validNewcomer, validPeer } from '../support/fixtures.js';

const options = { noticeVersions: [noticeVersion], defaultPhoneCountry: 'US' as const };
const newcomer = newcomerIntakeSchema(options);

function fieldsOf(input: unknown, schema: ZodType = newcomer) {
  const result = validate(schema, input);
  return result.ok ? [] : result.errors.map((e) => `${e.field}:${e.code}`);
}

describe('newcomer intake schema', () => {
  it('accepts a complete intake', () => {
    expect(fieldsOf(validNewcomer())).toEqual([]);
  });

  it('accepts an intake with only an email and no optional fields', () => {
    const input = validNewcomer({ contact: { email: 'a@example.org' }, preferredChannel: 'email', meetingModes: ['phone'] });
    delete input['region'];
    delete input['hopes'];
    delete input['gender'];
    input['genderPreference'] = { kind: 'none', mustHave: false };
    expect(fieldsOf(input)).toEqual([]);
  });

  it('names each unknown field, nested ones too', () => {
    expect(fieldsOf(validNewcomer({ admin: true, contact: { email: 'a@example.org', fax: '1' } }))).toEqual(
      expect.arrayContaining(['admin:unknown_field', 'contact.fax:unknown_field']),
    );
  });

  it('requires an email or a phone', () => {
    expect(fieldsOf(validNewcomer({ contact: {} }))).toContain('contact:contact_required');
  });

  it('requires consent for the preferred channel', () => {
    const consents = { contactByEmail: true, contactBySms: false, shareFirstName: true, shareTopics: true, noticeVersion };
    expect(fieldsOf(validNewcomer({ consents }))).toEqual(['consents.contactBySms:consent_required']);
  });

  it('rejects an unknown notice version', () => {
    const consents = { contactByEmail: true, contactBySms: true, shareFirstName: true, shareTopics: true, noticeVersion: '1999-01' };
    expect(fieldsOf(validNewcomer({ consents }))).toEqual(['consents.noticeVersion:unknown_notice_version']);
  });

  it.each([
    ['timeZone', 'Mars/Olympus_Mons', 'timeZone:invalid_time_zone'],
    ['topics', ['anxiety', 'astrology'], 'topics.1:not_allowed'],
    ['topics', [], 'topics:too_short'],
    ['topics', ['grief', 'grief'], 'topics:duplicate'],
    ['languages', ['en', 'not a tag!'], 'languages.1:invalid_language'],
    ['ageBand', '12_17', 'ageBand:not_allowed'],
    ['firstName', 'x'.repeat(51), 'firstName:too_long'],
    ['firstName', '   ', 'firstName:too_short'],
    ['firstName', 'Ann\u0000', 'firstName:invalid_characters'],
    ['hopes', 'h'.repeat(1001), 'hopes:too_long'],
    ['region', 'Texas', 'region:invalid_format'],
    ['availability', [{ day: 7, start: '10:00', end: '11:00' }], 'availability.0.day:too_large'],
    ['availability', [{ day: 1, start: '25:00', end: '11:00' }], 'availability.0.start:invalid_format'],
    ['availability', [{ day: 1, start: '10:00', end: '10:00' }], 'availability.0:empty_window'],
    ['recoveryStartedOn', '2999-01-01', 'recoveryStartedOn:date_in_future'],
  ])('rejects a bad %s', (field, value, expected) => {
    expect(fieldsOf(validNewcomer({ [field]: value }))).toContain(expected);
  });

  it.each(['+1 555', '12345', '+999 123 456 7890', 'call me maybe'])('rejects the phone number %s', (phone) => {
    expect(fieldsOf(validNewcomer({ contact: { email: 'a@example.org', phone } }))).toContain('contact.phone:invalid_phone');
  });

  it('reads a phone number as E.164', () => {
    expect(toE164('+1 (201) 555-0123', 'US')).toBe('+12015550123');
    expect(toE164('201 555 0123', 'US')).toBe('+12015550123');
  });

  it('requires a region for in-person meetings', () => {
    const input = validNewcomer();
    delete input['region'];
    expect(fieldsOf(input)).toEqual(['region:required_for_in_person']);
  });

  it('asks for the own gender before a same-gender preference', () => {
    expect(fieldsOf(validNewcomer({ gender: 'prefer_not_say' }))).toEqual(['genderPreference.kind:needs_own_gender']);
  });

  it('rejects a wrong type with the field that has it', () => {
    expect(fieldsOf(validNewcomer({ firstName: 42, screener: { wishToBeDead: 'no', suicidalThoughts: false, suicidalBehavior: false } }))).toEqual([
      'firstName:invalid_type',
      'screener.wishToBeDead:invalid_type',
    ]);
  });

  it('rejects a missing screener answer as required', () => {
    expect(fieldsOf(validNewcomer({ screener: { wishToBeDead: false, suicidalBehavior: false } }))).toEqual(['screener.suicidalThoughts:required']);
  });

  it('offers every topic of the contracts', () => {
    expect(topics).toHaveLength(24);
  });
});

describe('peer schemas', () => {
  it('accepts an enrollment', () => {
    expect(fieldsOf(validPeer(), peerEnrollmentSchema(options))).toEqual([]);
  });

  it('rejects a capacity of zero and a missing recovery date', () => {
    const input = validPeer({ capacity: 0 });
    delete input['recoveryStartedOn'];
    expect(fieldsOf(input, peerEnrollmentSchema(options))).toEqual(['recoveryStartedOn:required', 'capacity:too_small']);
  });

  it('accepts a pause with a future return date and rejects a past one', () => {
    const update = peerUpdateSchema(options);
    expect(fieldsOf({ pause: { until: '2999-01-01', reason: 'vacation' } }, update)).toEqual([]);
    expect(fieldsOf({ pause: { until: '2001-01-01', reason: 'vacation' } }, update)).toEqual(['pause.until:date_not_in_future']);
  });

  it('rejects an empty update and pause with resume', () => {
    const update = peerUpdateSchema(options);
    expect(fieldsOf({}, update)).toEqual([':empty_update']);
    expect(fieldsOf({ pause: { until: '2999-01-01', reason: 'vacation' }, resume: true }, update)).toEqual(['resume:conflicting_fields']);
  });
});

describe('safe JSON body', () => {
  const parse = (text: string | Buffer) => parseSafeJson(typeof text === 'string' ? Buffer.from(text, 'utf8') : text);

  it('rejects invalid UTF-8', () => {
    expect(parse(Buffer.from([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xc3, 0x28, 0x22, 0x7d]))).toEqual({
      ok: false,
      errors: [{ field: '', code: 'invalid_utf8', message: 'The body is not valid UTF-8' }],
    });
  });

  it('rejects prototype pollution keys where they are', () => {
    const result = parse('{"contact":{"__proto__":{"admin":true}},"constructor":{"prototype":{}}}');
    expect(result.ok ? [] : result.errors.map((e) => `${e.field}:${e.code}`)).toEqual(['contact.__proto__:forbidden_key', 'constructor:forbidden_key']);
  });

  it('rejects query operators as values', () => {
    const result = parse('{"firstName":{"$gt":""}}');
    expect(result.ok ? [] : result.errors.map((e) => `${e.field}:${e.code}`)).toEqual(['firstName:operator_not_allowed']);
  });

  it('rejects lone surrogates and malformed JSON', () => {
    const lone = parse('{"firstName":"\\ud800"}');
    expect(lone.ok ? [] : lone.errors.map((e) => e.code)).toEqual(['invalid_unicode']);
    const broken = parse('{"firstName":');
    expect(broken.ok ? [] : broken.errors.map((e) => e.code)).toEqual(['invalid_json']);
  });

  it('accepts ordinary JSON', () => {
    expect(parse('{"firstName":"Zoë 🌱"}')).toEqual({ ok: true, value: { firstName: 'Zoë 🌱' } });
  });
});
