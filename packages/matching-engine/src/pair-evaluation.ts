// The inner loop: hard rules as bit tests, the score as plain arithmetic. Nothing here allocates.
import type { EngineConfig } from './engine-config.js';
import {
  AVAILABILITY_WORDS,
  MODE_BIT,
  REMOTE_MODES,
  SLOT_MINUTES,
  STATUS_AT_CAPACITY,
  STATUS_INACTIVE,
  STATUS_NOT_CONSENTED,
  type EncodedNewcomer,
  type PreparedPeers,
} from './population.js';
import type { ReasonCode } from './reasons.js';

export const MS_PER_DAY = 86_400_000;
/** Average Gregorian month. */
export const MS_PER_MONTH = 30.436875 * MS_PER_DAY;
const AGE_BAND_SPAN = 5;

/** One bit per pair rule; a pair is feasible when no bit is set. Order = the order reasons are reported. */
export const PAIR_RULES: readonly ReasonCode[] = [
  'MATCH.PEER_INACTIVE',
  'MATCH.PEER_NOT_CONSENTED',
  'MATCH.PEER_PAUSED',
  'MATCH.PEER_AT_CAPACITY',
  'MATCH.NO_SHARED_LANGUAGE',
  'MATCH.GENDER_PREFERENCE_NOT_MET',
  'MATCH.AGE_BAND_PREFERENCE_NOT_MET',
  'MATCH.NO_SHARED_MEETING_MODE',
  'MATCH.IN_PERSON_REGION_MISMATCH',
  'MATCH.RECOVERY_GAP_TOO_SMALL',
  'MATCH.NO_SHARED_TOPIC',
  'MATCH.PREVIOUSLY_DECLINED',
];
const RULE_PAUSED = 1 << 2;
const RULE_LANGUAGE = 1 << 4;
const RULE_GENDER = 1 << 5;
const RULE_AGE = 1 << 6;
const RULE_MODE = 1 << 7;
const RULE_REGION = 1 << 8;
const RULE_RECOVERY = 1 << 9;
const RULE_TOPIC = 1 << 10;
const RULE_DECLINED = 1 << 11;

export function popcount32(x: number): number {
  x -= (x >>> 1) & 0x55555555;
  x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
  x = (x + (x >>> 4)) & 0x0f0f0f0f;
  return Math.imul(x, 0x01010101) >>> 24;
}

function pausedAt(peers: PreparedPeers, p: number, nowMs: number): boolean {
  const end = peers.pauseStart[p + 1]!;
  for (let k = peers.pauseStart[p]!; k < end; k += 2) {
    if (peers.pauseBounds[k]! <= nowMs && nowMs < peers.pauseBounds[k + 1]!) return true;
  }
  return false;
}

/** Bitmask over PAIR_RULES of every rule the pair breaks; 0 = feasible. */
export function pairRuleFailures(
  n: EncodedNewcomer,
  peers: PreparedPeers,
  p: number,
  nowMs: number,
  minGapMs: number,
  declined: ReadonlySet<number> | undefined,
): number {
  const status = peers.status[p]!;
  let failures =
    (status & STATUS_INACTIVE ? 1 : 0) | (status & STATUS_NOT_CONSENTED ? 2 : 0) | (status & STATUS_AT_CAPACITY ? 8 : 0);
  if (peers.pauseStart[p + 1]! > peers.pauseStart[p]! && pausedAt(peers, p, nowMs)) failures |= RULE_PAUSED;

  let shared = 0;
  const lw = peers.languageWords;
  for (let w = 0; w < lw; w++) shared |= n.languageMask[w]! & peers.languageMask[p * lw + w]!;
  if (shared === 0) failures |= RULE_LANGUAGE;

  if (n.genderPreferenceMustHave) {
    const g = peers.genderId[p]!;
    if (g < 0 || (n.genderPreferenceMask[g >>> 5]! & (1 << (g & 31))) === 0) failures |= RULE_GENDER;
  }
  if (n.ageBandPreferenceMustHave) {
    const band = peers.ageBand[p]!;
    if (band < 0 || (n.ageBandPreferenceMask & (1 << band)) === 0) failures |= RULE_AGE;
  }

  const modes = n.modeMask & peers.modeMask[p]!;
  if ((modes & REMOTE_MODES) === 0) {
    if ((modes & MODE_BIT.in_person) === 0) failures |= RULE_MODE;
    else if (n.regionId < 0 || n.regionId !== peers.regionId[p]) failures |= RULE_REGION;
  }

  if (n.recoveryStartMs - peers.recoveryStartMs[p]! < minGapMs) failures |= RULE_RECOVERY;

  shared = 0;
  const tw = peers.topicWords;
  for (let w = 0; w < tw; w++) shared |= n.topicMask[w]! & peers.topicMask[p * tw + w]!;
  if (shared === 0) failures |= RULE_TOPIC;

  if (declined !== undefined && declined.has(p)) failures |= RULE_DECLINED;
  return failures;
}

export const FACTOR_COUNT = 7;
// Indices into a factor-value array, in FACTOR_NAMES order.
const F_SHARED = 0;
const F_RECOVERY = 1;
const F_AVAILABILITY = 2;
const F_TIME_ZONE = 3;
const F_PREFERENCES = 4;
const F_LOAD = 5;
const F_WAITING = 6;

export function sharedTopicWeight(n: EncodedNewcomer, peers: PreparedPeers, p: number): number {
  let sum = 0;
  const tw = peers.topicWords;
  for (let w = 0; w < tw; w++) {
    let x = n.topicMask[w]! & peers.topicMask[p * tw + w]!;
    while (x !== 0) {
      const low = x & -x;
      sum += n.topicWeight[w * 32 + 31 - Math.clz32(low)]!;
      x ^= low;
    }
  }
  return sum;
}

export function overlapMinutes(n: EncodedNewcomer, peers: PreparedPeers, p: number): number {
  let slots = 0;
  const base = p * AVAILABILITY_WORDS;
  for (let w = 0; w < AVAILABILITY_WORDS; w++) slots += popcount32(n.availability[w]! & peers.availability[base + w]!);
  return slots * SLOT_MINUTES;
}

/** Circular distance between two UTC offsets, in hours (UTC+12 and UTC-11 are one hour apart on the clock). */
export function timeZoneDistanceHours(a: number, b: number): number {
  const d = Math.abs(a - b) % 1440;
  return Math.min(d, 1440 - d) / 60;
}

export function recoveryGapValue(gapMonths: number, config: EngineConfig): number {
  const { min, max } = config.idealRecoveryGapMonths;
  if (gapMonths < min) return Math.max(0, 1 - (min - gapMonths) / config.recoveryGapFalloffMonths);
  if (gapMonths > max) return Math.max(0, 1 - (gapMonths - max) / config.recoveryGapFalloffMonths);
  return 1;
}

/** -1 when it does not apply (no preference, or the newcomer's gender preference is a must-have and so already met). */
export function genderPreferenceValue(n: EncodedNewcomer, peers: PreparedPeers, p: number): number {
  if (!n.genderPreferenceStated) return -1;
  if (n.genderPreferenceMustHave) return 1;
  const g = peers.genderId[p]!;
  return g >= 0 && (n.genderPreferenceMask[g >>> 5]! & (1 << (g & 31))) !== 0 ? 1 : 0;
}

/** Closeness to the preferred age bands, or without a preference to the newcomer's own band; 0.5 when unknown. */
export function ageClosenessValue(n: EncodedNewcomer, peers: PreparedPeers, p: number): number {
  const band = peers.ageBand[p]!;
  if (band < 0) return 0.5;
  if (n.ageBandPreferenceMask !== 0) {
    let best = AGE_BAND_SPAN;
    for (let b = 0; b <= AGE_BAND_SPAN; b++) {
      if (n.ageBandPreferenceMask & (1 << b)) best = Math.min(best, Math.abs(b - band));
    }
    return 1 - best / AGE_BAND_SPAN;
  }
  if (n.ageBand < 0) return 0.5;
  return 1 - Math.abs(n.ageBand - band) / AGE_BAND_SPAN;
}

/** Writes each factor's value (0–1) into `out` and returns Σ weight × value. Call only for feasible pairs. */
export function scorePair(
  n: EncodedNewcomer,
  peers: PreparedPeers,
  p: number,
  nowMs: number,
  config: EngineConfig,
  out: Float64Array,
): number {
  const weights = config.weights;
  out[F_SHARED] = n.topicWeightTotal > 0 ? sharedTopicWeight(n, peers, p) / n.topicWeightTotal : 0;
  out[F_RECOVERY] = recoveryGapValue((n.recoveryStartMs - peers.recoveryStartMs[p]!) / MS_PER_MONTH, config);
  out[F_AVAILABILITY] = Math.min(1, overlapMinutes(n, peers, p) / 60 / config.availabilityTargetHours);
  out[F_TIME_ZONE] = Math.max(0, 1 - timeZoneDistanceHours(n.utcOffset, peers.utcOffset[p]!) / config.timeZoneMaxHours);
  const gender = genderPreferenceValue(n, peers, p);
  const age = ageClosenessValue(n, peers, p);
  out[F_PREFERENCES] = gender < 0 ? age : (gender + age) / 2;
  const capacity = peers.capacity[p]!;
  out[F_LOAD] = capacity > 0 ? Math.max(0, 1 - peers.load[p]! / capacity) : 0;
  out[F_WAITING] = Math.min(1, Math.max(0, nowMs - n.waitingSinceMs) / MS_PER_DAY / config.waitingFullBonusDays);
  return (
    weights.sharedExperience * out[F_SHARED] +
    weights.recoveryGap * out[F_RECOVERY] +
    weights.availability * out[F_AVAILABILITY] +
    weights.timeZone * out[F_TIME_ZONE] +
    weights.preferences * out[F_PREFERENCES] +
    weights.load * out[F_LOAD] +
    weights.waiting * out[F_WAITING]
  );
}

/**
 * Scores are compared as whole micro-points: exact integer arithmetic in the solver (no float drift in
 * potentials), exact ties broken by id, and the same optimum whichever solver adds them up.
 */
export function toMicros(score: number): number {
  return Math.round(score * 1e6);
}
