export { ENGINE_VERSION, DEFAULT_ENGINE_CONFIG, FACTOR_NAMES, validateEngineConfig } from './engine-config.js';
export type { EngineConfig, FactorName, FactorWeights } from './engine-config.js';
export { EngineInputError } from './engine-error.js';
export { AGE_BANDS, MEETING_MODES, RISK_LEVELS } from './profiles.types.js';
export type {
  AgeBand,
  DeclinedPair,
  Locale,
  MeetingMode,
  NewcomerPreferences,
  NewcomerProfile,
  PauseWindow,
  PeerProfile,
  Preference,
  RiskLevel,
  WeeklyWindow,
} from './profiles.types.js';
export { REASON_CODES } from './reasons.js';
export type { Reason, ReasonCode } from './reasons.js';
export type { FactorContribution } from './explanation.js';
export { LABELLED_TOPICS, topicLabel } from './explanation.js';
export type { EngineStamp, MatchContext } from './match-context.js';
export { preparePeers } from './population.js';
export type { PreparedPeers } from './population.js';
export { rankCandidates } from './rank-candidates.js';
export type { RankOptions, RankResult, RankedCandidate, SkippedCandidate } from './rank-candidates.js';
export { assignBatch } from './assign-batch.js';
export type { BatchAssignment, BatchMode, BatchOptions, BatchResult, UnassignedNewcomer } from './assign-batch.js';
export { solveGreedy, solveOptimal } from './assignment-solver.js';
export type { AssignmentGraph, AssignmentSolution } from './assignment-solver.js';
export { scoreMatrix } from './score-matrix.js';
export type { ScoreMatrix } from './score-matrix.js';
