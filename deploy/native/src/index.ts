export { infraDown, infraStatus, infraUp, readInfraEndpoints } from './infra-launcher.js';
export type { InfraOptions, InfraUpOptions, ServerState, ServerStatus } from './infra-launcher.js';
export type { InfraEndpoints } from './state-files.js';
export { InfraError, type InfraErrorCode } from './infra-error.js';
export { kafkaRoundTrip } from './health-probes.js';
