import { runServiceMain } from '@kindred/platform';
import { consoleConfigSchema } from './config.js';
import { startConsole } from './console.app.js';

await runServiceMain({
  service: 'console',
  schema: consoleConfigSchema,
  logLevel: (config) => config.LOG_LEVEL,
  start: async ({ config, log, shutdown }) => {
    const app = await startConsole({ config, log });
    shutdown.add({ name: 'console', run: () => app.stop() });
    log.info({ url: app.url }, 'console listening');
  },
});
