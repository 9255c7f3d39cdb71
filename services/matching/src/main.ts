import { runServiceMain } from '@kindred/platform';
import { matchingConfigSchema } from './config.js';
import { startMatching } from './matching.app.js';

await runServiceMain({
  service: 'matching',
  schema: matchingConfigSchema,
  logLevel: (config) => config.LOG_LEVEL,
  start: async ({ config, log, shutdown }) => {
    const app = await startMatching({ config, log });
    shutdown.add({ name: 'matching', run: () => app.stop() });
    log.info({ url: app.url, grpc: app.grpcAddress }, 'matching listening');
  },
});
