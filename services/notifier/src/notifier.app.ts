import express from 'express';
import { Redis } from 'ioredis';
import { Counter, Gauge, Histogram } from 'prom-client';
import {
  AppError,
  connectMongo,
  createKafka,
  createMetricsRegistry,
  errorCode,
  createRecordPublisher,
  listen,
  mountOpsRoutes,
  traceHttpRequests,
  pingMongo,
  type Logger,
  type RecordPublisher,
} from '@kindred/platform';
import type { NotifierConfig } from './config.js';
import { grpcContactLookup } from './adapters/contact-directory.grpc-client.js';
import { nodemailerEmailSender } from './adapters/email-sender.nodemailer.js';
import { twilioSmsSender } from './adapters/sms-sender.twilio.js';
import { mongoDeliveryLedger, type DeliveryLedger } from './data-access/delivery-ledger.repository.js';
import { mongoEmailOptOuts } from './data-access/email-opt-out.repository.js';
import { unsubscribeRoutes, UNSUBSCRIBE_PATH } from './entry-points/unsubscribe.routes.js';
import { mountAdminBoard } from './entry-points/admin-board.js';
import { startMatchApprovedConsumer } from './entry-points/match-approved.consumer.js';
import { startOutboxRelay, type OutboxRelay } from './entry-points/outbox-relay.js';
import { STATUS_CALLBACK_PATH, twilioWebhookRoutes } from './entry-points/twilio-webhooks.routes.js';
import { systemClock, type Clock } from './ports/clock.port.js';
import type { ContactLookup } from './ports/contact-lookup.port.js';
import { createDeliveryQueues, startDeliveryWorkers, type DeliveryQueues, type DeliveryWorkers } from './queues/delivery-queues.js';
import { sendDelivery, type SendDeliveryDeps } from './use-cases/send-delivery.js';
import { createDeliverySweeper, type DeliverySweeper } from './use-cases/sweep-deliveries.js';
import { startDeliverySweepTimer } from './entry-points/delivery-sweep.timer.js';
import type { IntroduceMatchDeps } from './use-cases/introduce-match.js';

export interface RunningNotifier {
  readonly url: string;
  /** The base URL Twilio calls back on (NOTIFIER_PUBLIC_URL, or the listening address). */
  readonly publicUrl: string;
  readonly ledger: DeliveryLedger;
  readonly queues: DeliveryQueues;
  readonly workers: DeliveryWorkers;
  /** The use-case dependencies, for callers that plan introductions without Kafka (benchmarks, tools). */
  readonly introduceDeps: IntroduceMatchDeps;
  /** The send use case's dependencies, for tests that replace one of them (a ledger that fails, say). */
  readonly sendDeps: SendDeliveryDeps;
  /** Re-queues or fails deliveries that stopped progressing (its timer runs in mode "all"). */
  readonly sweeper: DeliverySweeper;
  /** Publishes pending outbox events now (only in mode "all"). */
  flushOutbox(): Promise<number>;
  stop(): Promise<void>;
}

/** What tests replace: the clock (quiet hours) and the directory (a real gRPC server with test data by default). */
export interface NotifierOverrides {
  readonly clock?: Clock;
  readonly contacts?: ContactLookup;
}

function messageIdDomainOf(from: string): string {
  return /@([A-Za-z0-9.-]+)/.exec(from)?.[1] ?? 'kindred.invalid';
}

/** Composition root: builds the adapters, use cases and entry points; `stop` releases them in reverse order. */
export async function startNotifier(deps: { config: NotifierConfig; log: Logger; overrides?: NotifierOverrides }): Promise<RunningNotifier> {
  const { config, log } = deps;
  const clock = deps.overrides?.clock ?? systemClock;
  const closers: { name: string; run: () => Promise<unknown> }[] = [];
  const onStop = (name: string, run: () => Promise<unknown>) => closers.push({ name, run });
  let stopping = false;

  const stopAll = async () => {
    stopping = true;
    for (const closer of closers.reverse()) {
      try {
        await closer.run();
      } catch (error) {
        log.error({ step: closer.name, err: error }, 'notifier stop step failed');
      }
    }
    closers.length = 0;
  };

  try {
    const mongo = await connectMongo({ url: config.MONGO_URL, dbName: config.NOTIFIER_DB_NAME, log });
    onStop('mongo', () => mongo.close());
    const db = mongo.db;
    if (!db) throw new Error('MongoDB connection has no database handle');
    const ledger = mongoDeliveryLedger(db);
    await ledger.ensureIndexes();
    const optOuts = mongoEmailOptOuts(db);

    let contacts = deps.overrides?.contacts;
    if (!contacts) {
      const grpc = grpcContactLookup({
        address: config.INTAKE_GRPC_ADDR,
        token: config.INTAKE_DIRECTORY_TOKEN,
        deadlineMs: config.CONTACT_DIRECTORY_DEADLINE_MS,
      });
      onStop('contact-directory', () => Promise.resolve(grpc.close()));
      contacts = grpc;
    }

    const redis = new Redis(config.REDIS_URL, { maxRetriesPerRequest: 1, enableOfflineQueue: false, lazyConnect: true });
    await redis.connect();
    onStop('redis', () => Promise.resolve(redis.disconnect()));

    const queueConfig = {
      redisUrl: config.REDIS_URL,
      prefix: config.NOTIFIER_QUEUE_PREFIX,
      attempts: config.DELIVERY_ATTEMPTS,
      backoff: { baseMs: config.RETRY_BASE_MS, maxMs: config.RETRY_MAX_MS },
    };
    const queues = await createDeliveryQueues(queueConfig);
    onStop('queues', () => queues.close());

    const email = nodemailerEmailSender({
      smtpUrl: config.SMTP_URL,
      from: config.EMAIL_FROM,
      maxConnections: config.EMAIL_MAX_CONNECTIONS,
      timeoutMs: config.PROVIDER_TIMEOUT_MS,
    });
    onStop('smtp-pool', () => email.close());
    const sms = twilioSmsSender({
      accountSid: config.TWILIO_ACCOUNT_SID,
      authToken: config.TWILIO_AUTH_TOKEN,
      from: config.TWILIO_FROM,
      timeoutMs: config.PROVIDER_TIMEOUT_MS,
      apiBaseUrl: config.TWILIO_API_BASE_URL,
    });

    let publicUrl = config.NOTIFIER_PUBLIC_URL?.replace(/\/+$/, '') ?? '';
    const currentPublicUrl = () => publicUrl;

    const registry = createMetricsRegistry('notifier');
    new Gauge({
      name: 'notifier_queue_jobs',
      help: 'Jobs per delivery queue and state',
      labelNames: ['queue', 'state'] as const,
      registers: [registry],
      async collect() {
        const counts = await queues.counts();
        for (const [queue, states] of Object.entries(counts)) {
          for (const [state, value] of Object.entries(states)) this.set({ queue, state }, value);
        }
      },
    });

    const outcomes = new Counter({
      name: 'notifier_delivery_outcomes_total',
      help: 'Delivery job outcomes per channel (sent, retry, failed, deferred, busy, skipped)',
      labelNames: ['channel', 'outcome'] as const,
      registers: [registry],
    });

    const recordWindow = new Histogram({
      name: 'notifier_acceptance_to_record_seconds',
      help: 'Time from the provider accepting a message to the ledger recording it (a crash inside it means a resend)',
      labelNames: ['channel'] as const,
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1],
      registers: [registry],
    });

    const swept = new Counter({
      name: 'notifier_swept_deliveries_total',
      help: 'Stuck deliveries handled by the sweeper, by outcome (requeued, failed, raced)',
      labelNames: ['outcome'] as const,
      registers: [registry],
    });
    const sweeper = createDeliverySweeper({
      ledger,
      jobs: queues,
      clock,
      stuckAfterMs: config.NOTIFIER_STUCK_AFTER_MS,
      maxAttempts: config.NOTIFIER_MAX_DELIVERY_ATTEMPTS,
      maxSweeps: config.NOTIFIER_MAX_SWEEPS,
      batchSize: config.NOTIFIER_SWEEP_BATCH,
      deliveriesTopic: config.NOTIFIER_DELIVERIES_TOPIC,
      log,
      onSwept: (outcome) => swept.inc({ outcome }),
    });

    const app = express();
    app.disable('x-powered-by');
    app.set('trust proxy', false);
    // Twilio's callbacks, unsubscribe links and the queue board: each request is a span (its own trace; Twilio sends
    // no traceparent), so a directory call a STOP makes is seen under the request that caused it.
    app.use(traceHttpRequests());
    const readiness: Record<string, () => Promise<boolean>> = {
      mongo: () => pingMongo(mongo),
      redis: async () => (await redis.ping()) === 'PONG',
    };

    const sendDeps: SendDeliveryDeps = {
      ledger,
      contacts,
      optOuts,
      email,
      sms,
      clock,
      sendingWindow: config.NOTIFIER_SENDING_WINDOW,
      defaultTimeZone: config.NOTIFIER_DEFAULT_TIME_ZONE,
      claimLeaseMs: config.CLAIM_LEASE_MS,
      deliveriesTopic: config.NOTIFIER_DELIVERIES_TOPIC,
      observeRecordWindow: (channel, seconds) => recordWindow.observe({ channel }, seconds),
      urls: {
        statusCallback: (deliveryId) => `${currentPublicUrl()}${STATUS_CALLBACK_PATH}?d=${deliveryId}`,
        unsubscribe: (deliveryId) => `${currentPublicUrl()}${UNSUBSCRIBE_PATH}/${deliveryId}`,
        messageIdDomain: messageIdDomainOf(config.EMAIL_FROM),
      },
    };
    const introduceDeps: IntroduceMatchDeps = {
      contacts,
      ledger,
      optOuts,
      clock,
      deliveriesTopic: config.NOTIFIER_DELIVERIES_TOPIC,
      enqueue: async (deliveries) => {
        try {
          await queues.enqueue(deliveries);
        } catch (error) {
          // Redis is down: the approval must wait (the ledger already holds the deliveries), not be dead-lettered.
          throw new AppError('NOTIFIER.QUEUE_UNAVAILABLE', 'cannot queue deliveries', { retriable: true, cause: error });
        }
      },
    };

    let relay: OutboxRelay | undefined;
    let publisher: RecordPublisher | undefined;
    if (config.NOTIFIER_MODE === 'all') {
      const kafka = createKafka({ brokers: config.KAFKA_BROKERS, clientId: 'kindred-notifier', log });
      const admin = kafka.admin();
      await admin.connect();
      onStop('kafka-admin', () => admin.disconnect());
      readiness['kafka'] = async () => (await admin.describeCluster()).brokers.length > 0;
      const producer = await createRecordPublisher(kafka);
      publisher = producer;
      onStop('kafka-publisher', () => producer.disconnect());
      const outbox = startOutboxRelay({ ledger, publisher: producer, pollMs: config.OUTBOX_POLL_MS, log });
      relay = outbox;
      onStop('outbox-relay', () => outbox.stop());

      app.use(
        twilioWebhookRoutes({
          authToken: config.TWILIO_AUTH_TOKEN,
          publicUrl: currentPublicUrl,
          ledger,
          contacts,
          clock,
          deliveriesTopic: config.NOTIFIER_DELIVERIES_TOPIC,
          log,
        }),
      );
      app.use(unsubscribeRoutes({ ledger, optOuts, clock, log }));
      mountAdminBoard(app, Object.values(queues.queues), config.NOTIFIER_COORDINATOR_TOKEN);
    }
    mountOpsRoutes(app, { registry, readiness, isStopping: () => stopping });

    const server = await listen(app, config.NOTIFIER_HTTP_PORT);
    onStop('http', () => server.close());
    if (publicUrl === '') publicUrl = server.url;

    // Workers start last and stop first (after the consumer): active jobs finish before their adapters close.
    const workers = startDeliveryWorkers(
      {
        ...queueConfig,
        limits: {
          email: { concurrency: config.EMAIL_CONCURRENCY, maxPerSecond: config.EMAIL_MAX_PER_SECOND },
          sms: { concurrency: config.SMS_CONCURRENCY, maxPerSecond: config.SMS_MAX_PER_SECOND },
        },
        lockDurationMs: config.JOB_LOCK_MS,
        stalledIntervalMs: config.JOB_STALLED_CHECK_MS,
        maxStalledCount: 10,
      },
      (deliveryId, attempt, jobLog) => sendDelivery(sendDeps, deliveryId, attempt, jobLog),
      log,
      (channel, outcome) => outcomes.inc({ channel, outcome }),
      (deliveryId) => {
        // If MongoDB or Redis is still down this fails too; the delivery then waits for a sweep.
        sweeper.settleExhaustedJob(deliveryId).catch((error: unknown) => {
          log.warn({ deliveryId, code: errorCode(error) }, 'could not settle a delivery whose job ran out of attempts; left to the sweeper');
        });
      },
    );
    onStop('workers', () => workers.close());

    if (config.NOTIFIER_MODE === 'all') {
      const sweepTimer = startDeliverySweepTimer({ sweeper, intervalMs: config.NOTIFIER_SWEEP_INTERVAL_MS, log });
      onStop('delivery-sweeper', () => sweepTimer.stop());
    }

    if (config.NOTIFIER_MODE === 'all' && publisher) {
      const kafka = createKafka({ brokers: config.KAFKA_BROKERS, clientId: 'kindred-notifier-consumer', log });
      const running = await startMatchApprovedConsumer({
        kafka,
        publisher,
        groupId: config.NOTIFIER_KAFKA_GROUP,
        topic: config.NOTIFIER_MATCHES_TOPIC,
        introduce: introduceDeps,
        log,
      });
      onStop('consumer', () => running.stop());
    }

    return {
      url: server.url,
      get publicUrl() {
        return publicUrl;
      },
      ledger,
      queues,
      workers,
      introduceDeps,
      sendDeps,
      sweeper,
      flushOutbox: () => relay?.flush() ?? Promise.resolve(0),
      stop: stopAll,
    };
  } catch (error) {
    await stopAll();
    throw error;
  }
}
