import { describe, expect, it } from 'vitest';
import { events } from '@kindred/contracts';
import { isAppError } from '@kindred/platform';
import { displayLabel, primaryLanguage, toEngineWindows, toNewcomerProfile } from '../../src/domain/read-model.js';
import { newcomerFromEvent, peerFromEvent } from '../../src/events/intake-event.mapping.js';
import { ageBandCode, ageBandEnum, matchStateCode, matchStateEnum, topicCode, topicEnum } from '../../src/events/proto-codes.js';
import { MATCH_STATES } from '../../src/domain/match-lifecycle.js';
import { LABELLED_TOPICS, topicLabel } from '@kindred/matching-engine';
import { newcomerRegistered, peerProfile } from '../support/matching-harness.js';

function newcomerEvent(overrides: Partial<events.NewcomerRegistered> = {}): events.NewcomerRegistered {
  const payload = newcomerRegistered('nc_1', overrides);
  if (payload.$case !== 'newcomerRegistered') throw new Error('unreachable');
  return payload.newcomerRegistered;
}

function errorOf(run: () => unknown): { code: string; message: string; field: unknown } {
  try {
    run();
  } catch (error) {
    if (isAppError(error)) return { code: error.code, message: error.message, field: error.details['field'] };
    throw error;
  }
  throw new Error('expected an error');
}

describe('intake events → read model', () => {
  it('maps a newcomer to lower-case codes the engine understands', () => {
    const { id, attributes } = newcomerFromEvent(
      newcomerEvent({
        topics: [events.Topic.TOPIC_TRAUMA_PTSD, events.Topic.TOPIC_GRIEF],
        ageBand: events.AgeBand.AGE_BAND_65_PLUS,
        genderPreference: { kind: events.GenderPreference_Kind.KIND_SPECIFIC, genders: [events.Gender.GENDER_NONBINARY], mustHave: true },
      }),
    );
    expect(id).toBe('nc_1');
    expect(attributes).toMatchObject({
      topics: ['trauma_ptsd', 'grief'],
      ageBand: '65+',
      gender: 'man',
      genderPreference: { kind: 'specific', genders: ['nonbinary'], mustHave: true },
      meetingModes: ['video'],
      riskLevel: 'low',
      urgent: false,
    });
  });

  it('marks imminent risk as urgent even when the flag was not set', () => {
    const { attributes } = newcomerFromEvent(newcomerEvent({ riskLevel: events.RiskLevel.RISK_LEVEL_IMMINENT, urgent: false }));
    expect(attributes.urgent).toBe(true);
  });

  it('refuses contract breaks with MATCH.INVALID_EVENT naming the field', () => {
    expect(errorOf(() => newcomerFromEvent(newcomerEvent({ timeZone: 'Nowhere/Else' })))).toMatchObject({ code: 'MATCH.INVALID_EVENT', field: 'time_zone' });
    expect(errorOf(() => newcomerFromEvent(newcomerEvent({ newcomerId: '' }))).field).toBe('newcomer_id');
    expect(errorOf(() => newcomerFromEvent(newcomerEvent({ topics: [events.Topic.TOPIC_UNSPECIFIED] }))).field).toBe('topics[0]');
    expect(errorOf(() => newcomerFromEvent(newcomerEvent({ availability: [{ day: 7, startMinute: 0, endMinute: 60 }] }))).field).toBe('availability[0].day');
    expect(errorOf(() => newcomerFromEvent(newcomerEvent({ recoveryStartedOn: '2020-13-45' }))).field).toBe('recovery_started_on');
    const noLanguage = errorOf(() => newcomerFromEvent(newcomerEvent({ languages: [] })));
    expect(noLanguage.field).toBe('newcomer profile');
    expect(noLanguage.message).toContain('languages');
  });

  it('keeps an imminent-risk newcomer even when the profile is too thin to match', () => {
    const { attributes } = newcomerFromEvent(newcomerEvent({ riskLevel: events.RiskLevel.RISK_LEVEL_IMMINENT, topics: [], languages: [], meetingModes: [] }));
    expect(attributes.riskLevel).toBe('imminent');
  });

  it('maps a peer and refuses an unusable one', () => {
    const payload = peerProfile('pr_1', { capacity: 4 });
    if (payload.$case !== 'peerProfileUpserted') throw new Error('unreachable');
    expect(peerFromEvent(payload.peerProfileUpserted).attributes).toMatchObject({ capacity: 4, topics: ['grief', 'anxiety'], meetingModes: ['video', 'phone'], pausedUntil: null });
    expect(errorOf(() => peerFromEvent({ ...payload.peerProfileUpserted, meetingModes: [] })).message).toContain('meetingModes');
  });
});

describe('read model → engine', () => {
  it('compares languages by their primary subtag', () => {
    expect(primaryLanguage('es-MX')).toBe('es');
    expect(primaryLanguage('EN_us')).toBe('en');
    const profile = toNewcomerProfile('nc', newcomerFromEvent(newcomerEvent({ languages: ['es-MX', 'es', 'en-GB'] })).attributes, new Date());
    expect(profile.languages).toEqual(['es', 'en']);
  });

  it('narrows availability to whole 15-minute slots, never inventing overlap', () => {
    expect(toEngineWindows([{ day: 1, startMinute: 10, endMinute: 70 }, { day: 2, startMinute: 5, endMinute: 14 }])).toEqual([{ day: 1, startMinute: 15, endMinute: 60 }]);
  });

  it('drops a "same gender" wish when the newcomer did not give their own gender', () => {
    const attributes = newcomerFromEvent(
      newcomerEvent({ gender: events.Gender.GENDER_UNSPECIFIED, genderPreference: { kind: events.GenderPreference_Kind.KIND_SAME, genders: [], mustHave: true } }),
    ).attributes;
    expect(toNewcomerProfile('nc', attributes, new Date()).preferences).toBeUndefined();
    const withGender = newcomerFromEvent(newcomerEvent({ genderPreference: { kind: events.GenderPreference_Kind.KIND_SAME, genders: [], mustHave: true } })).attributes;
    expect(toNewcomerProfile('nc', withGender, new Date()).preferences).toEqual({ peerGender: { values: ['man'], mustHave: true } });
  });

  it('labels people from their id only, stably', () => {
    expect(displayLabel('newcomer', 'nc_1')).toMatch(/^Newcomer [2-9A-HJ-NP-Z]{4}$/);
    expect(displayLabel('newcomer', 'nc_1')).toBe(displayLabel('newcomer', 'nc_1'));
    expect(displayLabel('newcomer', 'nc_1')).not.toBe(displayLabel('newcomer', 'nc_2'));
  });
});

describe('protobuf enums ↔ codes', () => {
  it('round-trips every topic, age band and match state', () => {
    for (const value of Array.from({ length: 24 }, (_, i) => (i + 1) as events.Topic)) {
      expect(topicEnum(topicCode(value)!)).toBe(value);
    }
    for (const value of [1, 2, 3, 4, 5, 6] as events.AgeBand[]) expect(ageBandEnum(ageBandCode(value)!)).toBe(value);
    for (const state of MATCH_STATES) expect(matchStateCode(matchStateEnum(state))).toBe(state);
    expect(topicCode(events.Topic.TOPIC_UNSPECIFIED)).toBeUndefined();
  });
});

describe('topic words in explanations', () => {
  it('has English and Spanish words for every topic of the intake vocabulary', () => {
    const topics = Object.values(events.Topic).filter((t): t is events.Topic => typeof t === 'number' && t !== events.Topic.TOPIC_UNSPECIFIED && t !== events.Topic.UNRECOGNIZED);
    const missing = topics.map((t) => topicCode(t) ?? String(t)).filter((code) => !LABELLED_TOPICS.includes(code));
    expect(missing).toEqual([]);
    expect(topicLabel('trauma_ptsd', 'es')).toBe('trauma y estrés postraumático');
  });
});
