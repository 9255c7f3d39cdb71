// Kindred's contracts: code generated from proto/ (regenerate with `pnpm proto:gen`), one namespace per
// proto package, plus the Kafka topic names and envelope helpers.
export * as events from './gen/index.kindred.events.v1.js';
export * as matching from './gen/index.kindred.matching.v1.js';
export * as intake from './gen/index.kindred.intake.v1.js';
export * as health from './gen/index.grpc.health.v1.js';
export * from './topics.js';
export * from './event-routes.js';
export * from './envelope.codec.js';
