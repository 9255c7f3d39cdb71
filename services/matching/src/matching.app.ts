import express from 'express';
import {
  connectMongo,
  createKafka,
  createMetricsRegistry,
  listen,
  mountOpsRoutes,
  pingMongo,
  type Logger,
} from '@kindred/platform';
import type { MatchingConfig } from './config.js';

export interface RunningMatching {
  readonly url: string;
  stop(): Promise<void>;
}

/** Composition root: builds the adapters and the HTTP app; `stop` releases them in reverse order. */
export async function startMatching(deps: { config: MatchingConfig; log: Logger }): Promise<RunningMatching> {
  const { config, log } = deps;
  const db = await connectMongo({ url: config.MONGO_URL, dbName: config.MATCHING_DB_NAME, log });
  const kafka = createKafka({ brokers: config.KAFKA_BROKERS, clientId: 'kindred-matching', log });
  const admin = kafka.admin();
  await admin.connect();
  let stopping = false;

  const app = express();
  app.disable('x-powered-by');
  mountOpsRoutes(app, {
    registry: createMetricsRegistry('matching'),
    readiness: {
      mongo: () => pingMongo(db),
      kafka: async () => (await admin.describeCluster()).brokers.length > 0,
    },
    isStopping: () => stopping,
  });
  const server = await listen(app, config.MATCHING_HTTP_PORT);

  return {
    url: server.url,
    async stop() {
      stopping = true;
      await server.close();
      await admin.disconnect();
      await db.close();
    },
  };
}
