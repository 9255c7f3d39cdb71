export { startNotifier, type RunningNotifier } from './notifier.app.js';
export { notifierConfigSchema, type NotifierConfig } from './config.js';
