import { runServiceMain } from '@kindred/platform';
import { notifierConfigSchema } from './config.js';
import { startNotifier } from './notifier.app.js';

await runServiceMain({
  service: 'notifier',
  schema: notifierConfigSchema,
  logLevel: (config) => config.LOG_LEVEL,
  start: async ({ config, log, shutdown }) => {
    const app = await startNotifier({ config, log });
    shutdown.add({ name: 'notifier', run: () => app.stop() });
    log.info({ url: app.url }, 'notifier listening');
  },
});
