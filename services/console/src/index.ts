export { startConsole, consoleAccounts, type RunningConsole, type ConsoleDeps } from './console.app.js';
export { consoleConfigSchema, type ConsoleConfig } from './config.js';
