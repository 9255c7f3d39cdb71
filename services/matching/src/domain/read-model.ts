import type { AgeBand, MeetingMode, NewcomerProfile, PeerProfile, RiskLevel, WeeklyWindow } from '@kindred/matching-engine';

/**
 * The matching service's pseudonymous read model: ids and matching attributes only, as lower-case codes
 * (`grief`, `video`, `25-34`), never contact data or free text. Filled from intake's events.
 */
export interface StoredWindow {
  readonly day: number;
  readonly startMinute: number;
  readonly endMinute: number;
}

export interface GenderPreferenceRecord {
  readonly kind: 'none' | 'same' | 'specific';
  readonly genders: readonly string[];
  readonly mustHave: boolean;
}

interface PersonAttributes {
  readonly topics: readonly string[];
  /** BCP-47 tags as sent ("es-MX"). */
  readonly languages: readonly string[];
  readonly ageBand: AgeBand | null;
  readonly gender: string | null;
  readonly timeZone: string;
  readonly region: string;
  readonly meetingModes: readonly MeetingMode[];
  readonly availability: readonly StoredWindow[];
  /** YYYY-MM-DD or empty. */
  readonly recoveryStartedOn: string;
  readonly locale: string;
}

export interface NewcomerAttributes extends PersonAttributes {
  readonly genderPreference: GenderPreferenceRecord;
  readonly riskLevel: RiskLevel | 'unspecified';
  readonly urgent: boolean;
  readonly consentShareTopics: boolean;
  readonly registeredAt: Date;
}

export interface PeerAttributes extends PersonAttributes {
  readonly capacity: number;
  readonly active: boolean;
  readonly consented: boolean;
  readonly certified: boolean;
  readonly pausedUntil: Date | null;
}

/**
 * Where a newcomer stands in matching: `waiting` for a round, `claimed` by a round in progress (a lease), `proposed`
 * or `matched` with a current match, `urgent` (imminent risk: a coordinator's, never matched automatically),
 * `erased` (the subject's data was destroyed in intake; only the id and the inbox remain).
 */
export type NewcomerStatus = 'waiting' | 'claimed' | 'proposed' | 'matched' | 'urgent' | 'erased';

/** Imminent risk blocks automatic matching; `urgent` alone only puts the newcomer first in the queue. */
export function neverMatchedAutomatically(newcomer: Pick<NewcomerAttributes, 'riskLevel'>): boolean {
  return newcomer.riskLevel === 'imminent';
}

/** "es-MX" → "es": two people who speak Spanish share a language whatever their regional variant. */
export function primaryLanguage(tag: string): string {
  return tag.trim().toLowerCase().split(/[-_]/)[0] ?? '';
}

const SLOT = 15;

/** The engine counts in 15-minute slots; a window is narrowed to whole slots so that no overlap is invented. */
export function toEngineWindows(windows: readonly StoredWindow[]): WeeklyWindow[] {
  const out: WeeklyWindow[] = [];
  for (const w of windows) {
    const startMinute = Math.ceil(w.startMinute / SLOT) * SLOT;
    const endMinute = Math.floor(w.endMinute / SLOT) * SLOT;
    if (endMinute > startMinute) out.push({ day: w.day, startMinute, endMinute });
  }
  return out;
}

function parseDay(value: string): Date | undefined {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(value)) return undefined;
  const date = new Date(`${value}T00:00:00Z`);
  return Number.isNaN(date.getTime()) ? undefined : date;
}

export function isValidDay(value: string): boolean {
  return parseDay(value) !== undefined;
}

function uniquePrimaryLanguages(tags: readonly string[]): string[] {
  return [...new Set(tags.map(primaryLanguage).filter((l) => l !== ''))];
}

export function toNewcomerProfile(id: string, n: NewcomerAttributes, waitingSince: Date): NewcomerProfile {
  const pref = n.genderPreference;
  const wanted = pref.kind === 'same' ? (n.gender !== null && n.gender !== 'prefer_not_say' ? [n.gender] : []) : pref.kind === 'specific' ? [...pref.genders] : [];
  const recovery = parseDay(n.recoveryStartedOn);
  return {
    id,
    languages: uniquePrimaryLanguages(n.languages),
    topics: [...n.topics],
    meetingModes: [...n.meetingModes],
    region: n.region === '' ? undefined : n.region,
    timeZone: n.timeZone,
    availability: toEngineWindows(n.availability),
    gender: n.gender ?? undefined,
    ageBand: n.ageBand ?? undefined,
    recoveryStartedAt: recovery,
    // A "same gender" wish from someone whose own gender is not known cannot be honoured; it is dropped, not guessed.
    preferences: wanted.length > 0 ? { peerGender: { values: wanted, mustHave: pref.mustHave } } : undefined,
    riskLevel: n.riskLevel === 'unspecified' ? 'none' : n.riskLevel,
    waitingSince,
  };
}

/** `now` stands in for a missing recovery date, which makes the recovery-gap rule skip the peer rather than guess. */
export function toPeerProfile(id: string, p: PeerAttributes, load: number, now: Date): PeerProfile {
  return {
    id,
    languages: uniquePrimaryLanguages(p.languages),
    topics: [...p.topics],
    meetingModes: [...p.meetingModes],
    region: p.region === '' ? undefined : p.region,
    timeZone: p.timeZone,
    availability: toEngineWindows(p.availability),
    gender: p.gender ?? undefined,
    ageBand: p.ageBand ?? undefined,
    active: p.active,
    consented: p.consented,
    capacity: p.capacity,
    currentLoad: Math.max(0, load),
    pauses: p.pausedUntil !== null && p.pausedUntil.getTime() > now.getTime() ? [{ from: new Date(0), until: p.pausedUntil }] : undefined,
    recoveryStartedAt: parseDay(p.recoveryStartedOn) ?? now,
  };
}

/** A label for the console made from the id only ("Newcomer 7F3K"), never from anything the person wrote. */
export function displayLabel(kind: 'newcomer' | 'peer', id: string): string {
  let hash = 2166136261;
  for (let i = 0; i < id.length; i++) hash = Math.imul(hash ^ id.charCodeAt(i), 16777619) >>> 0;
  const alphabet = '23456789ABCDEFGHJKLMNPQRSTUVWXYZ';
  let code = '';
  for (let i = 0; i < 4; i++) {
    code += alphabet[hash % alphabet.length];
    hash = Math.floor(hash / alphabet.length);
  }
  return `${kind === 'newcomer' ? 'Newcomer' : 'Peer'} ${code}`;
}
