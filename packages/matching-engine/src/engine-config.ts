import { EngineInputError } from './engine-error.js';

/** Version of the engine's code (rules, factor formulas, solver). Bumped by hand when behaviour changes. */
export const ENGINE_VERSION = '1.0.0';

export const FACTOR_NAMES = [
  'sharedExperience',
  'recoveryGap',
  'availability',
  'timeZone',
  'preferences',
  'load',
  'waiting',
] as const;
export type FactorName = (typeof FACTOR_NAMES)[number];

export type FactorWeights = Readonly<Record<FactorName, number>>;

/** Weights and thresholds. `version` is recorded in every result, so a decision can be traced to its weights. */
export interface EngineConfig {
  readonly version: string;
  /** Each factor's value is in [0, 1]; a pair's score is Σ weight × value. */
  readonly weights: FactorWeights;
  /** Weight of a lived-experience topic in the shared-experience overlap; topics not listed weigh 1. */
  readonly topicWeights: Readonly<Record<string, number>>;
  /** Hard rule: the peer started recovery at least this many months before the newcomer. */
  readonly minRecoveryGapMonths: number;
  /** The recovery-gap factor is 1 inside this range and falls off linearly outside it. */
  readonly idealRecoveryGapMonths: { readonly min: number; readonly max: number };
  readonly recoveryGapFalloffMonths: number;
  /** Weekly overlap (hours) that earns the full availability factor. */
  readonly availabilityTargetHours: number;
  /** Time-zone distance (hours) at which the time-zone factor reaches 0. */
  readonly timeZoneMaxHours: number;
  /** Days of waiting that earn the full waiting bonus. */
  readonly waitingFullBonusDays: number;
  /** Batch: candidates kept per newcomer in the first solve (top-K by score). */
  readonly candidateLimit: number;
  /** Batch: candidates kept in reserve per newcomer for rows whose optimality is not proven with top-K. */
  readonly candidateReserve: number;
  /** Batch mode `auto` switches to greedy above this many newcomers. */
  readonly greedyAboveNewcomers: number;
  /** rankCandidates: how many candidates are returned with full explanations. */
  readonly rankLimit: number;
}

export const DEFAULT_ENGINE_CONFIG: EngineConfig = Object.freeze({
  version: 'weights-2025.1',
  weights: Object.freeze({
    sharedExperience: 0.3,
    recoveryGap: 0.15,
    availability: 0.15,
    timeZone: 0.05,
    preferences: 0.1,
    load: 0.1,
    waiting: 0.15,
  }),
  topicWeights: Object.freeze({}),
  minRecoveryGapMonths: 12,
  idealRecoveryGapMonths: Object.freeze({ min: 24, max: 120 }),
  recoveryGapFalloffMonths: 60,
  availabilityTargetHours: 6,
  timeZoneMaxHours: 8,
  waitingFullBonusDays: 14,
  candidateLimit: 32,
  candidateReserve: 256,
  greedyAboveNewcomers: 5000,
  rankLimit: 20,
});

function fail(field: string, rule: string): never {
  throw new EngineInputError('MATCH.INVALID_CONFIG', `EngineConfig.${field} ${rule}`);
}

function finiteAtLeast(value: unknown, min: number, field: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min) fail(field, `must be a finite number ≥ ${min}`);
  return value;
}

function positiveInteger(value: unknown, field: string): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 1) fail(field, 'must be an integer ≥ 1');
  return value;
}

/** Checks every field; throws EngineInputError naming the first bad one. Returns the config unchanged. */
export function validateEngineConfig(config: EngineConfig): EngineConfig {
  if (typeof config !== 'object' || config === null) fail('', 'must be an object');
  if (typeof config.version !== 'string' || config.version.trim() === '') fail('version', 'must be a non-empty string');
  if (typeof config.weights !== 'object' || config.weights === null) fail('weights', 'must be an object');
  let total = 0;
  for (const name of FACTOR_NAMES) total += finiteAtLeast(config.weights[name], 0, `weights.${name}`);
  if (total <= 0) fail('weights', 'must have at least one positive weight');
  if (typeof config.topicWeights !== 'object' || config.topicWeights === null) fail('topicWeights', 'must be an object');
  for (const [topic, weight] of Object.entries(config.topicWeights)) {
    if (typeof weight !== 'number' || !Number.isFinite(weight) || weight <= 0) fail(`topicWeights.${topic}`, 'must be a finite number > 0');
  }
  finiteAtLeast(config.minRecoveryGapMonths, 0, 'minRecoveryGapMonths');
  if (typeof config.idealRecoveryGapMonths !== 'object' || config.idealRecoveryGapMonths === null) {
    fail('idealRecoveryGapMonths', 'must be an object');
  }
  const idealMin = finiteAtLeast(config.idealRecoveryGapMonths.min, 0, 'idealRecoveryGapMonths.min');
  const idealMax = finiteAtLeast(config.idealRecoveryGapMonths.max, 0, 'idealRecoveryGapMonths.max');
  if (idealMax < idealMin) fail('idealRecoveryGapMonths.max', 'must be ≥ idealRecoveryGapMonths.min');
  if (finiteAtLeast(config.recoveryGapFalloffMonths, 0, 'recoveryGapFalloffMonths') === 0) fail('recoveryGapFalloffMonths', 'must be > 0');
  if (finiteAtLeast(config.availabilityTargetHours, 0, 'availabilityTargetHours') === 0) fail('availabilityTargetHours', 'must be > 0');
  if (finiteAtLeast(config.timeZoneMaxHours, 0, 'timeZoneMaxHours') === 0) fail('timeZoneMaxHours', 'must be > 0');
  if (finiteAtLeast(config.waitingFullBonusDays, 0, 'waitingFullBonusDays') === 0) fail('waitingFullBonusDays', 'must be > 0');
  const limit = positiveInteger(config.candidateLimit, 'candidateLimit');
  if (positiveInteger(config.candidateReserve, 'candidateReserve') < limit) fail('candidateReserve', 'must be ≥ candidateLimit');
  positiveInteger(config.greedyAboveNewcomers, 'greedyAboveNewcomers');
  positiveInteger(config.rankLimit, 'rankLimit');
  return config;
}
