import { events } from '@kindred/contracts';
import { preparePeers, rankCandidates, type MeetingMode } from '@kindred/matching-engine';
import { AppError } from '@kindred/platform';
import {
  isValidDay,
  neverMatchedAutomatically,
  toNewcomerProfile,
  toPeerProfile,
  type GenderPreferenceRecord,
  type NewcomerAttributes,
  type PeerAttributes,
  type StoredWindow,
} from '../domain/read-model.js';
import { ageBandCode, genderCode, meetingModeCode, riskLevelCode, topicCode } from './proto-codes.js';

/** A permanent error: the event breaks the contract, so the consumer dead-letters it instead of retrying. */
function invalid(field: string, problem: string): never {
  throw new AppError('MATCH.INVALID_EVENT', `${field} ${problem}`, { retriable: false, details: { field } });
}

function codes<E, C>(values: readonly E[], toCode: (v: E) => C | undefined, field: string): C[] {
  return [
    ...new Set(
      values.map((v, i) => {
        const code = toCode(v);
        if (code === undefined) invalid(`${field}[${i}]`, 'is unspecified or unknown');
        return code;
      }),
    ),
  ];
}

function windows(list: readonly events.WeeklyWindow[], field: string): StoredWindow[] {
  return list.map((w, i) => {
    if (w.day > 6) invalid(`${field}[${i}].day`, 'must be 0 (Monday) to 6 (Sunday)');
    if (w.endMinute > 1440 || w.startMinute >= w.endMinute) invalid(`${field}[${i}]`, 'must have 0 <= start_minute < end_minute <= 1440');
    return { day: w.day, startMinute: w.startMinute, endMinute: w.endMinute };
  });
}

function timeZone(zone: string, field: string): string {
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone });
  } catch {
    invalid(field, 'is not an IANA time zone');
  }
  if (zone === '') invalid(field, 'is empty');
  return zone;
}

function id(value: string, field: string): string {
  if (value.trim() === '' || value.length > 128) invalid(field, 'must be a non-empty id of at most 128 characters');
  return value;
}

function genderPreference(p: events.GenderPreference | undefined): GenderPreferenceRecord {
  switch (p?.kind) {
    case events.GenderPreference_Kind.KIND_SAME:
      return { kind: 'same', genders: [], mustHave: p.mustHave };
    case events.GenderPreference_Kind.KIND_SPECIFIC:
      return { kind: 'specific', genders: codes(p.genders, genderCode, 'gender_preference.genders'), mustHave: p.mustHave };
    case events.GenderPreference_Kind.KIND_NONE:
    case events.GenderPreference_Kind.KIND_UNSPECIFIED:
    case events.GenderPreference_Kind.UNRECOGNIZED:
    case undefined:
      return { kind: 'none', genders: [], mustHave: false };
  }
}

/** Runs the engine's own input checks on one profile, so that a bad profile is refused here and never breaks a batch. */
function engineCheck(run: () => unknown, field: string): void {
  try {
    run();
  } catch (error) {
    invalid(field, error instanceof Error ? `is not usable for matching: ${error.message}` : 'is not usable for matching');
  }
}

export function newcomerFromEvent(e: events.NewcomerRegistered): { id: string; attributes: NewcomerAttributes } {
  const newcomerId = id(e.newcomerId, 'newcomer_id');
  const risk = riskLevelCode(e.riskLevel) ?? 'unspecified';
  if (e.recoveryStartedOn !== '' && !isValidDay(e.recoveryStartedOn)) invalid('recovery_started_on', 'must be YYYY-MM-DD');
  const attributes: NewcomerAttributes = {
    topics: codes(e.topics, topicCode, 'topics'),
    languages: [...new Set(e.languages.map((l) => l.trim()).filter((l) => l !== ''))],
    ageBand: ageBandCode(e.ageBand) ?? null,
    gender: genderCode(e.gender) ?? null,
    genderPreference: genderPreference(e.genderPreference),
    timeZone: risk === 'imminent' && e.timeZone === '' ? 'UTC' : timeZone(e.timeZone, 'time_zone'),
    region: e.region.trim(),
    meetingModes: codes<events.MeetingMode, MeetingMode>(e.meetingModes, meetingModeCode, 'meeting_modes'),
    availability: windows(e.availability, 'availability'),
    riskLevel: risk,
    urgent: e.urgent || risk === 'imminent',
    consentShareTopics: e.consentShareTopics,
    registeredAt: e.registeredAt ?? new Date(0),
    locale: e.locale === 'es' ? 'es' : 'en',
    recoveryStartedOn: e.recoveryStartedOn,
  };
  if (e.registeredAt === undefined) invalid('registered_at', 'is missing');
  // Someone at imminent risk goes to a coordinator whatever else the form holds; only matchable newcomers must
  // satisfy the engine.
  if (!neverMatchedAutomatically(attributes)) {
    const profile = toNewcomerProfile(newcomerId, attributes, attributes.registeredAt);
    engineCheck(() => rankCandidates(profile, [], { now: attributes.registeredAt }), 'newcomer profile');
  }
  return { id: newcomerId, attributes };
}

export function peerFromEvent(e: events.PeerProfileUpserted): { id: string; attributes: PeerAttributes } {
  const peerId = id(e.peerId, 'peer_id');
  if (e.recoveryStartedOn !== '' && !isValidDay(e.recoveryStartedOn)) invalid('recovery_started_on', 'must be YYYY-MM-DD');
  if (e.capacity > 1000) invalid('capacity', 'must be at most 1000');
  const attributes: PeerAttributes = {
    topics: codes(e.topics, topicCode, 'topics'),
    languages: [...new Set(e.languages.map((l) => l.trim()).filter((l) => l !== ''))],
    ageBand: ageBandCode(e.ageBand) ?? null,
    gender: genderCode(e.gender) ?? null,
    timeZone: timeZone(e.timeZone, 'time_zone'),
    region: e.region.trim(),
    meetingModes: codes<events.MeetingMode, MeetingMode>(e.meetingModes, meetingModeCode, 'meeting_modes'),
    availability: windows(e.availability, 'availability'),
    recoveryStartedOn: e.recoveryStartedOn,
    locale: e.locale === 'es' ? 'es' : 'en',
    capacity: e.capacity,
    active: e.active,
    consented: e.consented,
    certified: e.certified,
    pausedUntil: e.pausedUntil ?? null,
  };
  const now = new Date();
  engineCheck(() => preparePeers([toPeerProfile(peerId, attributes, 0, now)], now), 'peer profile');
  return { id: peerId, attributes };
}
