import { runServiceMain } from '@kindred/platform';
import { intakeConfigSchema } from './config.js';
import { startIntake } from './intake.app.js';

await runServiceMain({
  service: 'intake',
  schema: intakeConfigSchema,
  logLevel: (config) => config.LOG_LEVEL,
  start: async ({ config, log, shutdown }) => {
    const app = await startIntake({ config, log });
    shutdown.add({ name: 'intake', run: () => app.stop() });
    log.info({ url: app.url, grpc: app.grpcAddress }, 'intake listening');
  },
});
