import type { WeeklyWindow } from './availability.js';
import type { AgeBand, Channel, Gender, GenderPreferenceKind, Locale, MeetingMode, PauseReason, RiskLevel, Topic } from './vocabulary.js';

/** What intake keeps about a person besides their encrypted PII: the attributes matching needs, no identifiers. */
export interface MatchingProfile {
  readonly preferredChannel: Channel;
  readonly locale: Locale;
  readonly timeZone: string;
  readonly languages: readonly string[];
  readonly ageBand: AgeBand;
  readonly gender?: Gender;
  readonly topics: readonly Topic[];
  readonly meetingModes: readonly MeetingMode[];
  readonly region?: string;
  readonly availability: readonly WeeklyWindow[];
  readonly recoveryStartedOn?: string;
}

export interface GenderPreferenceRecord {
  readonly kind: GenderPreferenceKind;
  readonly genders: readonly Gender[];
  readonly mustHave: boolean;
}

export interface NewcomerProfile extends MatchingProfile {
  readonly genderPreference: GenderPreferenceRecord;
}

export interface PeerProfile extends MatchingProfile {
  readonly gender: Gender;
  readonly recoveryStartedOn: string;
  readonly capacity: number;
  readonly certified: boolean;
  readonly active: boolean;
  /** YYYY-MM-DD; absent when not paused. */
  readonly pausedUntil?: string;
  readonly pauseReason?: PauseReason;
}

/** Consent as given: each purpose separately, with the notice shown and the time. */
export interface ConsentRecord {
  readonly email: boolean;
  readonly sms: boolean;
  readonly shareFirstName: boolean;
  readonly shareTopics: boolean;
  readonly noticeVersion: string;
  readonly consentedAt: Date;
}

export interface ScreeningRecord {
  readonly riskLevel: RiskLevel;
  readonly urgent: boolean;
}

export type SubjectKind = 'newcomer' | 'peer';

/** PII fields, each stored sealed under the subject's key with its name as associated data. */
export const piiFields = ['firstName', 'email', 'phone', 'hopes', 'bio', 'screener'] as const;
export type PiiField = (typeof piiFields)[number];
