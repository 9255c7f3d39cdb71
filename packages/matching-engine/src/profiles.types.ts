// The engine's own input types. The matching service maps events to these; nothing here knows protobuf.

export const MEETING_MODES = ['video', 'phone', 'chat', 'in_person'] as const;
export type MeetingMode = (typeof MEETING_MODES)[number];

export const RISK_LEVELS = ['none', 'low', 'moderate', 'high', 'imminent'] as const;
/** `imminent` is the urgent flag: such a newcomer goes to a coordinator and is never matched. */
export type RiskLevel = (typeof RISK_LEVELS)[number];

/** Ordinal: closeness is measured by distance in this list. */
export const AGE_BANDS = ['18-24', '25-34', '35-44', '45-54', '55-64', '65+'] as const;
export type AgeBand = (typeof AGE_BANDS)[number];

/**
 * A recurring weekly window in the person's own time zone. `day` 0 = Monday … 6 = Sunday.
 * Minutes since local midnight, multiples of 15 (every real UTC offset is a multiple of 15 minutes,
 * so 15-minute slots convert to UTC exactly). A window across midnight is given as two windows.
 */
export interface WeeklyWindow {
  readonly day: number;
  readonly startMinute: number;
  readonly endMinute: number;
}

export interface Preference<T> {
  readonly values: readonly T[];
  /** true: a hard rule (never broken); false: a nice-to-have that only adds to the score. */
  readonly mustHave: boolean;
}

export interface NewcomerPreferences {
  readonly peerGender?: Preference<string> | undefined;
  readonly peerAgeBand?: Preference<AgeBand> | undefined;
}

interface PersonProfile {
  readonly id: string;
  readonly languages: readonly string[];
  /** Lived-experience topics, lower-case codes such as `grief`, `anxiety`. */
  readonly topics: readonly string[];
  readonly meetingModes: readonly MeetingMode[];
  /** Needed for in-person meetings; compared case-insensitively. */
  readonly region?: string | undefined;
  /** IANA name, e.g. `Europe/Madrid`. */
  readonly timeZone: string;
  readonly availability: readonly WeeklyWindow[];
  readonly gender?: string | undefined;
  readonly ageBand?: AgeBand | undefined;
}

export interface NewcomerProfile extends PersonProfile {
  /** Unknown is treated as `now` (the newcomer is just starting). */
  readonly recoveryStartedAt?: Date | undefined;
  readonly preferences?: NewcomerPreferences | undefined;
  readonly riskLevel: RiskLevel;
  /** When the newcomer started waiting for a match (drives the waiting-time bonus). */
  readonly waitingSince: Date;
}

export interface PauseWindow {
  readonly from: Date;
  /** Open-ended when absent. */
  readonly until?: Date | undefined;
}

export interface PeerProfile extends PersonProfile {
  readonly active: boolean;
  readonly consented: boolean;
  /** How many newcomers the peer offered to support at once. */
  readonly capacity: number;
  /** How many they support now. */
  readonly currentLoad: number;
  readonly pauses?: readonly PauseWindow[] | undefined;
  readonly recoveryStartedAt: Date;
}

export interface DeclinedPair {
  readonly newcomerId: string;
  readonly peerId: string;
}

export type Locale = 'en' | 'es';
