export { infraDown, infraStatus, infraUp, readInfraEndpoints, restartServer, startServer, stopServer } from './infra-launcher.js';
export type { InfraOptions, InfraUpOptions, ServerRestart, ServerState, ServerStatus, ServerStopOptions } from './infra-launcher.js';
export type { ServerName } from './server-definition.js';
export { cacheDirFrom, resolveInfraConfig } from './infra-config.js';
export type { InfraEndpoints } from './state-files.js';
export { InfraError, type InfraErrorCode } from './infra-error.js';
export { kafkaRoundTrip } from './health-probes.js';
