import express from 'express';
import { Redis } from 'ioredis';
import { createMetricsRegistry, listen, mountOpsRoutes, type Logger } from '@kindred/platform';
import type { ConsoleConfig } from './config.js';

export interface RunningConsole {
  readonly url: string;
  stop(): Promise<void>;
}

/** Composition root: builds the adapters and the HTTP app; `stop` releases them in reverse order. */
export async function startConsole(deps: { config: ConsoleConfig; log: Logger }): Promise<RunningConsole> {
  const { config } = deps;
  const redis = new Redis(config.REDIS_URL, { maxRetriesPerRequest: 1, enableOfflineQueue: false, lazyConnect: true });
  await redis.connect();
  let stopping = false;

  const app = express();
  app.disable('x-powered-by');
  mountOpsRoutes(app, {
    registry: createMetricsRegistry('console'),
    readiness: { redis: async () => (await redis.ping()) === 'PONG' },
    isStopping: () => stopping,
  });
  const server = await listen(app, config.CONSOLE_HTTP_PORT);

  return {
    url: server.url,
    async stop() {
      stopping = true;
      await server.close();
      redis.disconnect();
    },
  };
}
