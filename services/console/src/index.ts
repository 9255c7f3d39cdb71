export { startConsole, consoleAccounts, type RunningConsole, type ConsoleDeps } from './console.app.js';
export { consoleConfigSchema, type ConsoleConfig } from './config.js';
export type { Role } from './auth/roles.js';
export type { RouteSpec } from './web/guarded-router.js';
// Pure helpers, exported for their tests.
export { elapsed, recoveryGapYears, timeZoneDistanceHours, weeklyOverlapMinutes } from './domain/decision-facts.js';
export { labels, negotiateLocale } from './web/i18n.js';
export { escapeHtml, html } from './web/html.js';
export { safeNext } from './web/auth.pages.js';
