// Turns profiles into flat typed arrays once, so that the pair loop is bit operations on numbers.
import type { EngineConfig } from './engine-config.js';
import { EngineInputError } from './engine-error.js';
import {
  AGE_BANDS,
  MEETING_MODES,
  RISK_LEVELS,
  type AgeBand,
  type MeetingMode,
  type NewcomerProfile,
  type PauseWindow,
  type PeerProfile,
  type WeeklyWindow,
} from './profiles.types.js';
import { utcOffsetMinutes } from './time-zone.js';

export const SLOT_MINUTES = 15;
export const SLOTS_PER_WEEK = (7 * 24 * 60) / SLOT_MINUTES; // 672
export const AVAILABILITY_WORDS = SLOTS_PER_WEEK / 32; // 21
const MINUTES_PER_WEEK = 7 * 24 * 60;

export const MODE_BIT: Readonly<Record<MeetingMode, number>> = { video: 1, phone: 2, chat: 4, in_person: 8 };
export const REMOTE_MODES = MODE_BIT.video | MODE_BIT.phone | MODE_BIT.chat;

export const STATUS_INACTIVE = 1;
export const STATUS_NOT_CONSENTED = 2;
export const STATUS_AT_CAPACITY = 4;

/** Strings → small integers; a newcomer's value unknown to the peers gets no bit (it can match nobody). */
class Vocabulary {
  private readonly ids = new Map<string, number>();
  readonly names: string[] = [];
  add(value: string): number {
    let id = this.ids.get(value);
    if (id === undefined) {
      id = this.names.length;
      this.ids.set(value, id);
      this.names.push(value);
    }
    return id;
  }
  get(value: string): number {
    return this.ids.get(value) ?? -1;
  }
  get words(): number {
    return Math.max(1, Math.ceil(this.names.length / 32));
  }
}

/** Peers prepared for matching at one reference instant (time-zone offsets depend on it). Reusable across calls. */
export interface PreparedPeers {
  readonly kind: 'prepared-peers';
  readonly referenceInstantMs: number;
  readonly count: number;
  /** Sorted by id: every loop visits peers in id order, which makes ties deterministic. */
  readonly ids: readonly string[];
  readonly indexById: ReadonlyMap<string, number>;
  readonly topicNames: readonly string[];
  readonly languageWords: number;
  readonly topicWords: number;
  readonly languageMask: Uint32Array;
  readonly topicMask: Uint32Array;
  readonly modeMask: Uint8Array;
  readonly regionId: Int32Array;
  readonly genderId: Int32Array;
  readonly ageBand: Int8Array;
  readonly recoveryStartMs: Float64Array;
  readonly capacity: Int32Array;
  readonly load: Int32Array;
  readonly status: Uint8Array;
  /** Flat [from, until] pairs per peer (until = +Infinity when open-ended), indexed by pauseStart. */
  readonly pauseStart: Int32Array;
  readonly pauseBounds: Float64Array;
  readonly utcOffset: Int16Array;
  readonly availability: Uint32Array;
  readonly languages: Vocabulary;
  readonly topics: Vocabulary;
  readonly regions: Vocabulary;
  readonly genders: Vocabulary;
}

export interface EncodedNewcomer {
  readonly id: string;
  readonly urgent: boolean;
  readonly languageMask: Uint32Array;
  readonly topicMask: Uint32Array;
  /** Weight of each topic (by peer vocabulary id) for the weighted overlap; the total includes unknown topics. */
  readonly topicWeight: Float64Array;
  readonly topicWeightTotal: number;
  readonly modeMask: number;
  readonly regionId: number;
  readonly recoveryStartMs: number;
  readonly waitingSinceMs: number;
  readonly utcOffset: number;
  readonly availability: Uint32Array;
  readonly ageBand: number;
  /** Allowed peer genders / age bands as bitmasks; 0 = no preference stated. */
  readonly genderPreferenceMask: Uint32Array;
  readonly genderPreferenceMustHave: boolean;
  readonly genderPreferenceStated: boolean;
  readonly ageBandPreferenceMask: number;
  readonly ageBandPreferenceMustHave: boolean;
}

/** Array.isArray without narrowing a typed array to any[]. */
const isArray = (value: unknown): boolean => Array.isArray(value);

const fail = (message: string): never => {
  throw new EngineInputError('MATCH.INVALID_INPUT', message);
};

function checkId(id: unknown, field: string): string {
  if (typeof id !== 'string' || id.length === 0) fail(`${field} must be a non-empty string`);
  return id as string;
}

function checkDate(value: unknown, field: string): number {
  if (!(value instanceof Date) || Number.isNaN(value.getTime())) fail(`${field} must be a valid Date`);
  return (value as Date).getTime();
}

function checkStrings(values: unknown, field: string, allowEmpty: boolean): string[] {
  if (!Array.isArray(values)) fail(`${field} must be an array of strings`);
  const list = values as unknown[];
  if (!allowEmpty && list.length === 0) fail(`${field} must not be empty`);
  return list.map((value, i) => {
    if (typeof value !== 'string' || value.trim() === '') fail(`${field}[${i}] must be a non-empty string`);
    return (value as string).trim().toLowerCase();
  });
}

function checkModes(values: unknown, field: string): number {
  if (!Array.isArray(values) || values.length === 0) fail(`${field} must be a non-empty array`);
  let mask = 0;
  for (const [i, mode] of (values as unknown[]).entries()) {
    if (!(MEETING_MODES as readonly unknown[]).includes(mode)) fail(`${field}[${i}] must be one of ${MEETING_MODES.join(', ')}`);
    mask |= MODE_BIT[mode as MeetingMode];
  }
  return mask;
}

function checkAgeBand(value: unknown, field: string): number {
  if (value === undefined) return -1;
  const index = (AGE_BANDS as readonly unknown[]).indexOf(value);
  if (index < 0) fail(`${field} must be one of ${AGE_BANDS.join(', ')}`);
  return index;
}

function optionalLower(value: unknown, field: string): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || value.trim() === '') fail(`${field} must be a non-empty string when given`);
  return (value as string).trim().toLowerCase();
}

function setBit(mask: Uint32Array, offset: number, bit: number): void {
  const word = offset + (bit >>> 5);
  mask[word] = (mask[word] ?? 0) | (1 << (bit & 31));
}

/** Writes the person's weekly windows, shifted to UTC, into a 672-slot bitmap. */
function encodeAvailability(windows: unknown, offset: number, target: Uint32Array, base: number, field: string): void {
  if (!Array.isArray(windows)) fail(`${field} must be an array`);
  for (const [i, raw] of (windows as unknown[]).entries()) {
    const w = raw as WeeklyWindow;
    const at = `${field}[${i}]`;
    if (typeof w !== 'object' || w === null) fail(`${at} must be an object`);
    if (!Number.isInteger(w.day) || w.day < 0 || w.day > 6) fail(`${at}.day must be an integer 0 (Monday) to 6 (Sunday)`);
    for (const key of ['startMinute', 'endMinute'] as const) {
      const m = w[key];
      if (!Number.isInteger(m) || m < 0 || m > 1440 || m % SLOT_MINUTES !== 0) {
        fail(`${at}.${key} must be a whole number of minutes 0–1440 in steps of ${SLOT_MINUTES}`);
      }
    }
    if (w.endMinute <= w.startMinute) fail(`${at}.endMinute must be after startMinute`);
    for (let m = w.startMinute; m < w.endMinute; m += SLOT_MINUTES) {
      const utc = (((w.day * 1440 + m - offset) % MINUTES_PER_WEEK) + MINUTES_PER_WEEK) % MINUTES_PER_WEEK;
      setBit(target, base, utc / SLOT_MINUTES);
    }
  }
}

function checkUniqueIds(ids: readonly string[], what: string): void {
  const seen = new Set<string>();
  for (const id of ids) {
    if (seen.has(id)) fail(`${what} id "${id}" appears more than once`);
    seen.add(id);
  }
}

export function preparePeers(peers: readonly PeerProfile[], referenceInstant: Date): PreparedPeers {
  if (!Array.isArray(peers)) fail('peers must be an array');
  const referenceInstantMs = checkDate(referenceInstant, 'referenceInstant');
  const sorted = [...peers].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  sorted.forEach((p, i) => checkId(p?.id, `peers[${i}].id`));
  checkUniqueIds(sorted.map((p) => p.id), 'peer');

  const languages = new Vocabulary();
  const topics = new Vocabulary();
  const regions = new Vocabulary();
  const genders = new Vocabulary();
  const parsed = sorted.map((p) => {
    const at = `peer ${p.id}`;
    const langs = checkStrings(p.languages, `${at} languages`, false).map((l) => languages.add(l));
    const tops = checkStrings(p.topics, `${at} topics`, false).map((t) => topics.add(t));
    const region = optionalLower(p.region, `${at} region`);
    const gender = optionalLower(p.gender, `${at} gender`);
    return { langs, tops, region: region === undefined ? -1 : regions.add(region), gender: gender === undefined ? -1 : genders.add(gender) };
  });

  const count = sorted.length;
  const languageWords = languages.words;
  const topicWords = topics.words;
  const prepared: PreparedPeers = {
    kind: 'prepared-peers',
    referenceInstantMs,
    count,
    ids: sorted.map((p) => p.id),
    indexById: new Map(sorted.map((p, i) => [p.id, i])),
    topicNames: topics.names,
    languageWords,
    topicWords,
    languageMask: new Uint32Array(count * languageWords),
    topicMask: new Uint32Array(count * topicWords),
    modeMask: new Uint8Array(count),
    regionId: new Int32Array(count),
    genderId: new Int32Array(count),
    ageBand: new Int8Array(count),
    recoveryStartMs: new Float64Array(count),
    capacity: new Int32Array(count),
    load: new Int32Array(count),
    status: new Uint8Array(count),
    pauseStart: new Int32Array(count + 1),
    pauseBounds: new Float64Array(2 * sorted.reduce((n, p) => n + (Array.isArray(p.pauses) ? p.pauses.length : 0), 0)),
    utcOffset: new Int16Array(count),
    availability: new Uint32Array(count * AVAILABILITY_WORDS),
    languages,
    topics,
    regions,
    genders,
  };
  let pauseAt = 0;
  for (let i = 0; i < count; i++) {
    const p = sorted[i]!;
    const enc = parsed[i]!;
    const at = `peer ${p.id}`;
    for (const l of enc.langs) setBit(prepared.languageMask, i * languageWords, l);
    for (const t of enc.tops) setBit(prepared.topicMask, i * topicWords, t);
    prepared.modeMask[i] = checkModes(p.meetingModes, `${at} meetingModes`);
    prepared.regionId[i] = enc.region;
    prepared.genderId[i] = enc.gender;
    prepared.ageBand[i] = checkAgeBand(p.ageBand, `${at} ageBand`);
    prepared.recoveryStartMs[i] = checkDate(p.recoveryStartedAt, `${at} recoveryStartedAt`);
    if (typeof p.active !== 'boolean') fail(`${at} active must be a boolean`);
    if (typeof p.consented !== 'boolean') fail(`${at} consented must be a boolean`);
    if (!Number.isSafeInteger(p.capacity) || p.capacity < 0) fail(`${at} capacity must be an integer ≥ 0`);
    if (!Number.isSafeInteger(p.currentLoad) || p.currentLoad < 0) fail(`${at} currentLoad must be an integer ≥ 0`);
    prepared.capacity[i] = p.capacity;
    prepared.load[i] = p.currentLoad;
    prepared.status[i] =
      (p.active ? 0 : STATUS_INACTIVE) | (p.consented ? 0 : STATUS_NOT_CONSENTED) | (p.currentLoad >= p.capacity ? STATUS_AT_CAPACITY : 0);
    prepared.pauseStart[i] = pauseAt;
    const pauses: readonly PauseWindow[] | undefined = p.pauses;
    if (pauses !== undefined) {
      if (!isArray(pauses)) fail(`${at} pauses must be an array`);
      for (const [k, pause] of pauses.entries()) {
        const from = checkDate(pause?.from, `${at} pauses[${k}].from`);
        const until = pause.until === undefined ? Number.POSITIVE_INFINITY : checkDate(pause.until, `${at} pauses[${k}].until`);
        if (until <= from) fail(`${at} pauses[${k}].until must be after from`);
        prepared.pauseBounds[pauseAt++] = from;
        prepared.pauseBounds[pauseAt++] = until;
      }
    }
    const offset = utcOffsetMinutes(p.timeZone, referenceInstant, `${at} timeZone`);
    prepared.utcOffset[i] = offset;
    encodeAvailability(p.availability, offset, prepared.availability, i * AVAILABILITY_WORDS, `${at} availability`);
  }
  prepared.pauseStart[count] = pauseAt;
  return prepared;
}

export function checkNewcomers(newcomers: readonly NewcomerProfile[]): NewcomerProfile[] {
  if (!Array.isArray(newcomers)) fail('newcomers must be an array');
  const sorted = [...newcomers].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  sorted.forEach((n, i) => checkId(n?.id, `newcomers[${i}].id`));
  checkUniqueIds(sorted.map((n) => n.id), 'newcomer');
  return sorted;
}

export function encodeNewcomer(n: NewcomerProfile, peers: PreparedPeers, config: EngineConfig, nowMs: number): EncodedNewcomer {
  const at = `newcomer ${checkId(n?.id, 'newcomer.id')}`;
  if (!(RISK_LEVELS as readonly unknown[]).includes(n.riskLevel)) fail(`${at} riskLevel must be one of ${RISK_LEVELS.join(', ')}`);
  const languageMask = new Uint32Array(peers.languageWords);
  for (const l of checkStrings(n.languages, `${at} languages`, false)) {
    const id = peers.languages.get(l);
    if (id >= 0) setBit(languageMask, 0, id);
  }
  const topicMask = new Uint32Array(peers.topicWords);
  const topicWeight = new Float64Array(peers.topicWords * 32);
  let topicWeightTotal = 0;
  for (const t of new Set(checkStrings(n.topics, `${at} topics`, false))) {
    const weight = config.topicWeights[t] ?? 1;
    topicWeightTotal += weight;
    const id = peers.topics.get(t);
    if (id >= 0) {
      setBit(topicMask, 0, id);
      topicWeight[id] = weight;
    }
  }
  const region = optionalLower(n.region, `${at} region`);
  const offset = utcOffsetMinutes(n.timeZone, new Date(peers.referenceInstantMs), `${at} timeZone`);
  const availability = new Uint32Array(AVAILABILITY_WORDS);
  encodeAvailability(n.availability, offset, availability, 0, `${at} availability`);

  const genderPreference = n.preferences?.peerGender;
  const genderPreferenceMask = new Uint32Array(Math.max(1, peers.genders.words));
  if (genderPreference !== undefined) {
    for (const g of checkStrings(genderPreference.values, `${at} preferences.peerGender.values`, false)) {
      const id = peers.genders.get(g);
      if (id >= 0) setBit(genderPreferenceMask, 0, id);
    }
    if (typeof genderPreference.mustHave !== 'boolean') fail(`${at} preferences.peerGender.mustHave must be a boolean`);
  }
  const agePreference = n.preferences?.peerAgeBand;
  let ageBandPreferenceMask = 0;
  if (agePreference !== undefined) {
    if (!Array.isArray(agePreference.values) || agePreference.values.length === 0) fail(`${at} preferences.peerAgeBand.values must not be empty`);
    for (const [i, band] of agePreference.values.entries()) {
      ageBandPreferenceMask |= 1 << checkAgeBand(band, `${at} preferences.peerAgeBand.values[${i}]`);
    }
    if (typeof agePreference.mustHave !== 'boolean') fail(`${at} preferences.peerAgeBand.mustHave must be a boolean`);
  }
  return {
    id: n.id,
    urgent: n.riskLevel === 'imminent',
    languageMask,
    topicMask,
    topicWeight,
    topicWeightTotal,
    modeMask: checkModes(n.meetingModes, `${at} meetingModes`),
    regionId: region === undefined ? -1 : peers.regions.get(region),
    recoveryStartMs: n.recoveryStartedAt === undefined ? nowMs : checkDate(n.recoveryStartedAt, `${at} recoveryStartedAt`),
    waitingSinceMs: checkDate(n.waitingSince, `${at} waitingSince`),
    utcOffset: offset,
    availability,
    ageBand: checkAgeBand(n.ageBand, `${at} ageBand`),
    genderPreferenceMask,
    genderPreferenceMustHave: genderPreference?.mustHave ?? false,
    genderPreferenceStated: genderPreference !== undefined,
    ageBandPreferenceMask,
    ageBandPreferenceMustHave: agePreference?.mustHave ?? false,
  };
}

export function ageBandName(index: number): AgeBand | undefined {
  return AGE_BANDS[index];
}
