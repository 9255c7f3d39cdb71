export { startNotifier, type NotifierOverrides, type RunningNotifier } from './notifier.app.js';
export { notifierConfigSchema, type NotifierConfig } from './config.js';
export { introduceMatch, type IntroduceMatchDeps } from './use-cases/introduce-match.js';
export { deliveryIdFor } from './domain/plan-introduction.js';
export { queueNameOf, redisConnectionOptions } from './queues/delivery-queues.js';
export type { DeliveryDocument, DeliveryLedger } from './data-access/delivery-ledger.repository.js';
