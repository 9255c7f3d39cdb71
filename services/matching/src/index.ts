export { startMatching, type RunningMatching } from './matching.app.js';
export { matchingConfigSchema, type MatchingConfig } from './config.js';
