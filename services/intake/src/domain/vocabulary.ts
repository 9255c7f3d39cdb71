/**
 * Controlled vocabularies of the intake forms. The values are the lower_snake names of the contracts' enums
 * (`TOPIC_TRAUMA_PTSD` ↔ `trauma_ptsd`), so the event mapper converts them mechanically and a test proves the
 * two lists agree.
 */
export const topics = [
  'depression',
  'anxiety',
  'bipolar',
  'psychosis',
  'trauma_ptsd',
  'eating_disorder',
  'substance_use',
  'grief',
  'self_harm',
  'postpartum',
  'identity_stress',
  'ocd',
  'adhd',
  'autism',
  'chronic_illness',
  'suicide_loss',
  'caregiver_stress',
  'loneliness',
  'suicidal_thoughts',
  'gambling',
  'personality_disorder',
  'pregnancy_loss',
  'domestic_abuse',
  'military_service',
] as const;
export type Topic = (typeof topics)[number];

export const meetingModes = ['phone', 'video', 'in_person'] as const;
export type MeetingMode = (typeof meetingModes)[number];

export const ageBands = ['18_24', '25_34', '35_44', '45_54', '55_64', '65_plus'] as const;
export type AgeBand = (typeof ageBands)[number];

export const genders = ['woman', 'man', 'nonbinary', 'another', 'prefer_not_say'] as const;
export type Gender = (typeof genders)[number];

export const genderPreferenceKinds = ['none', 'same', 'specific'] as const;
export type GenderPreferenceKind = (typeof genderPreferenceKinds)[number];

export const channels = ['email', 'sms'] as const;
export type Channel = (typeof channels)[number];

export const locales = ['en', 'es'] as const;
export type Locale = (typeof locales)[number];

export const pauseReasons = ['vacation', 'self_requested', 'coordinator_hold', 'health', 'other'] as const;
export type PauseReason = (typeof pauseReasons)[number];

export const riskLevels = ['none', 'low', 'moderate', 'imminent'] as const;
export type RiskLevel = (typeof riskLevels)[number];

export const weekdays = [0, 1, 2, 3, 4, 5, 6] as const;
