export { startConsole, type RunningConsole } from './console.app.js';
export { consoleConfigSchema, type ConsoleConfig } from './config.js';
