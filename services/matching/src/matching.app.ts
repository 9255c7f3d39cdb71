import express from 'express';
import type { Db } from 'mongodb';
import { DELIVERIES_TOPIC, ERASURES_TOPIC, NEWCOMERS_TOPIC, PEERS_TOPIC } from '@kindred/contracts';
import { DEFAULT_ENGINE_CONFIG, type EngineConfig } from '@kindred/matching-engine';
import {
  connectMongo,
  createKafka,
  createMetricsRegistry,
  createRecordPublisher,
  listen,
  mountOpsRoutes,
  namespacedTopic,
  pingMongo,
  recordToEvent,
  runConsumer,
  type Logger,
} from '@kindred/platform';
import type { MatchingConfig } from './config.js';
import { createAuditRepository } from './data-access/audit.repository.js';
import { createMatchRepository } from './data-access/match.repository.js';
import { createNewcomerRepository } from './data-access/newcomer.repository.js';
import { createPeerRepository } from './data-access/peer.repository.js';
import { createIncomingEventsHandler } from './events/incoming-events.handler.js';
import { createMatchEventFactory } from './events/match-event.factory.js';
import { tokenMap } from './grpc/grpc-auth.js';
import { createMatchingHandlers } from './grpc/matching.handlers.js';
import { startGrpcServer } from './grpc/matching.grpc-server.js';
import { startOutboxRelay } from './outbox/outbox.relay.js';
import { startMatchBatcher } from './use-cases/match-batcher.js';
import { createMatchLifecycle } from './use-cases/match-lifecycle.use-cases.js';
import { createMatchmaker } from './use-cases/matchmaker.js';
import { createMatchingQueries } from './use-cases/queries.js';
import { createMatchingMetrics } from './matching.metrics.js';

export interface RunningMatching {
  readonly url: string;
  /** host:port of the gRPC server. */
  readonly grpcAddress: string;
  /** Runs matching rounds and the outbox relay until nothing is pending (tests, shutdown). */
  settle(): Promise<void>;
  stop(): Promise<void>;
}

/** Composition root: builds the adapters, use cases and edges; `stop` releases them in reverse order. */
export async function startMatching(deps: {
  config: MatchingConfig;
  log: Logger;
  engineConfig?: EngineConfig;
  clock?: () => Date;
}): Promise<RunningMatching> {
  const { config, log } = deps;
  const clock = deps.clock ?? (() => new Date());
  const connection = await connectMongo({ url: config.MONGO_URL, dbName: config.MATCHING_DB_NAME, log });
  const db = connection.db as unknown as Db;
  const kafka = createKafka({ brokers: config.KAFKA_BROKERS, clientId: 'kindred-matching', log });
  const admin = kafka.admin();
  await admin.connect();
  const publisher = await createRecordPublisher(kafka);
  const metrics = createMetricsRegistry('matching');
  const counters = createMatchingMetrics(metrics);
  let stopping = false;

  const peers = createPeerRepository(db);
  const newcomers = createNewcomerRepository(db);
  const matches = createMatchRepository(db);
  const audit = createAuditRepository(db);
  for (const repo of [peers, newcomers, matches, audit]) await repo.ensureIndexes();

  const relay = startOutboxRelay({
    collections: [matches.collection, peers.collection] as never,
    audit,
    publisher,
    log: log.child({ component: 'outbox' }),
    intervalMs: config.MATCHING_OUTBOX_INTERVAL_MS,
  });
  const events = createMatchEventFactory(config.MATCHING_TOPIC_NAMESPACE || undefined);
  // The batcher calls the use cases only once running, after they exist; they nudge it back.
  const batcher = startMatchBatcher({
    windowMs: config.MATCHING_BATCH_WINDOW_MS,
    tickMs: config.MATCHING_TICK_MS,
    runRound: async () => {
      const outcome = await matchmaker.runRound();
      if (outcome.claimed > 0) counters.rounds.observe(outcome.claimed);
      counters.proposals.inc(outcome.proposed);
      counters.contended.inc(outcome.contended);
      return outcome;
    },
    sweep: () => lifecycle.sweep(),
    log: log.child({ component: 'batcher' }),
  });
  const nudgeBatcher = () => batcher.nudge();
  const matchmaker = createMatchmaker({
    peers,
    newcomers,
    matches,
    events,
    engineConfig: deps.engineConfig ?? DEFAULT_ENGINE_CONFIG,
    instanceId: config.MATCHING_INSTANCE_ID,
    claimLeaseMs: config.MATCHING_CLAIM_LEASE_MS,
    batchLimit: config.MATCHING_BATCH_MAX,
    clock,
    log: log.child({ component: 'matchmaker' }),
    onOutbox: () => relay.nudge(),
  });
  const lifecycle = createMatchLifecycle({
    peers,
    newcomers,
    matches,
    events,
    matchmaker,
    clock,
    log,
    onOutbox: () => relay.nudge(),
    onNewcomerWaiting: nudgeBatcher,
  });
  const queries = createMatchingQueries({ matches, newcomers, peers, audit, clock });

  // Coordinators' calls need MongoDB only: serve them before joining the consumer group, which after a crash waits
  // out the dead member's session (30 s and more) before the group settles.
  const grpc = await startGrpcServer({
    handlers: createMatchingHandlers({ lifecycle, queries, tokens: tokenMap(config.MATCHING_COORDINATOR_TOKENS), clock, log }),
    host: config.MATCHING_GRPC_HOST,
    port: config.MATCHING_GRPC_PORT,
    log,
    isReady: () => !stopping,
  });

  const ns = config.MATCHING_TOPIC_NAMESPACE || undefined;
  const consumer = await runConsumer({
    kafka,
    groupId: config.MATCHING_GROUP_ID,
    topics: [NEWCOMERS_TOPIC, PEERS_TOPIC, DELIVERIES_TOPIC, ERASURES_TOPIC].map((t) => namespacedTopic(t, ns)),
    decode: recordToEvent,
    handle: createIncomingEventsHandler({ newcomers, peers, lifecycle, clock, onMatchable: nudgeBatcher }),
    publisher,
    log: log.child({ component: 'consumer' }),
    partitionsConsumedConcurrently: config.MATCHING_PARTITIONS_CONCURRENCY,
    onOutcome: (outcome, topic) => counters.records.inc({ topic, outcome }),
  }).catch(async (error: unknown) => {
    await grpc.stop();
    throw error;
  });
  // Newcomers left waiting by a previous run are picked up without waiting for new events.
  batcher.nudge();

  const app = express();
  app.disable('x-powered-by');
  mountOpsRoutes(app, {
    registry: metrics,
    readiness: {
      mongo: () => pingMongo(connection),
      kafka: async () => (await admin.describeCluster()).brokers.length > 0,
    },
    isStopping: () => stopping,
  });
  const server = await listen(app, config.MATCHING_HTTP_PORT);

  return {
    url: server.url,
    grpcAddress: grpc.address,
    async settle() {
      await batcher.drain();
      await relay.flush();
    },
    async stop() {
      if (stopping) return;
      stopping = true;
      await grpc.stop();
      await consumer.stop();
      await batcher.stop();
      await relay.flush();
      await relay.stop();
      await server.close();
      await publisher.disconnect();
      await admin.disconnect();
      await connection.close();
    },
  };
}
