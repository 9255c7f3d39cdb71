import express from 'express';
import { Redis } from 'ioredis';
import {
  connectMongo,
  createKafka,
  createMetricsRegistry,
  listen,
  mountOpsRoutes,
  pingMongo,
  type Logger,
} from '@kindred/platform';
import type { NotifierConfig } from './config.js';

export interface RunningNotifier {
  readonly url: string;
  stop(): Promise<void>;
}

/** Composition root: builds the adapters and the HTTP app; `stop` releases them in reverse order. */
export async function startNotifier(deps: { config: NotifierConfig; log: Logger }): Promise<RunningNotifier> {
  const { config, log } = deps;
  const db = await connectMongo({ url: config.MONGO_URL, dbName: config.NOTIFIER_DB_NAME, log });
  const kafka = createKafka({ brokers: config.KAFKA_BROKERS, clientId: 'kindred-notifier', log });
  const admin = kafka.admin();
  await admin.connect();
  const redis = new Redis(config.REDIS_URL, { maxRetriesPerRequest: 1, enableOfflineQueue: false, lazyConnect: true });
  await redis.connect();
  let stopping = false;

  const app = express();
  app.disable('x-powered-by');
  mountOpsRoutes(app, {
    registry: createMetricsRegistry('notifier'),
    readiness: {
      mongo: () => pingMongo(db),
      kafka: async () => (await admin.describeCluster()).brokers.length > 0,
      redis: async () => (await redis.ping()) === 'PONG',
    },
    isStopping: () => stopping,
  });
  const server = await listen(app, config.NOTIFIER_HTTP_PORT);

  return {
    url: server.url,
    async stop() {
      stopping = true;
      await server.close();
      redis.disconnect();
      await admin.disconnect();
      await db.close();
    },
  };
}
