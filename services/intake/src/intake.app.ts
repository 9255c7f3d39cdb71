import express, { type ErrorRequestHandler } from 'express';
import { rateLimit } from 'express-rate-limit';
import type { CountryCode } from 'libphonenumber-js';
import { Counter, Gauge } from 'prom-client';
import {
  connectMongo,
  createKafka,
  createMetricsRegistry,
  createRecordPublisher,
  listen,
  mountOpsRoutes,
  pingMongo,
  traceHttpRequests,
  type Logger,
} from '@kindred/platform';
import type { IntakeConfig } from './config.js';
import { crisisResourcesFor } from './domain/crisis-resources.js';
import { createBlindIndex, createFieldCipher } from './domain/field-crypto.js';
import { limits, newcomerIntakeSchema, peerEnrollmentSchema, peerUpdateSchema } from './domain/intake.schemas.js';
import { createDirectoryAuditRepository } from './data-access/directory-audit.repository.js';
import { createSubjectKeyRepository } from './data-access/subject-key.repository.js';
import { createSubjectRepository } from './data-access/subject.repository.js';
import { collectionOf } from './data-access/subject.documents.js';
import type { SubjectKind } from './domain/subject.js';
import { createEventFactory } from './events/intake-event.factory.js';
import { startIntakeGrpcServer } from './grpc/intake.grpc-server.js';
import { intakeApiRoutes } from './http/intake-api.routes.js';
import { intakeFormRoutes } from './http/forms/intake-form.routes.js';
import { openApiDocument } from './http/openapi.js';
import { problems, sendProblem } from './http/problem.js';
import { requestLog, requestLogging } from './http/request-log.js';
import { createOutboxRelay, type OutboxRelay } from './outbox/outbox.relay.js';
import { createMongoOutboxStore, type OutboxStore } from './outbox/outbox.store.js';
import { createContactDirectory } from './use-cases/contact-directory.js';
import { createEnrollPeer } from './use-cases/enroll-peer.js';
import { createEraseSubject } from './use-cases/erase-subject.js';
import { createRegisterNewcomer } from './use-cases/register-newcomer.js';
import { createSubjectVault } from './use-cases/subject-vault.js';
import { createUpdatePeer } from './use-cases/update-peer.js';

export interface RunningIntake {
  readonly url: string;
  /** host:port of the gRPC server (ContactDirectory, PrivacyAdmin, health). */
  readonly grpcAddress: string;
  readonly relay: OutboxRelay;
  stop(): Promise<void>;
}

export interface IntakeTestHooks {
  /** Wraps the relay's store, e.g. to crash between publish and mark. */
  readonly wrapOutboxStore?: (store: OutboxStore) => OutboxStore;
  /** False: the relay is built but not started (tests drive it). */
  readonly startRelay?: boolean;
}

/** Composition root: builds the adapters and the HTTP and gRPC servers; `stop` releases them in reverse order. */
export async function startIntake(deps: { config: IntakeConfig; log: Logger; hooks?: IntakeTestHooks }): Promise<RunningIntake> {
  const { config, log } = deps;
  const connection = await connectMongo({ url: config.MONGO_URL, dbName: config.INTAKE_DB_NAME, log });
  const db = connection.db;
  if (!db) throw new Error('MongoDB connection has no database handle');
  const kafka = createKafka({ brokers: config.KAFKA_BROKERS, clientId: 'kindred-intake', log });
  // Intakes wait in the outbox, so Kafka being down (at start or later) delays their events but must not turn people
  // away: the relay connects when it has something to send, and readiness depends on MongoDB only.
  const publisher = await createRecordPublisher(kafka, { connect: 'first-publish' });
  let stopping = false;

  const registry = createMetricsRegistry('intake');
  const accepted = new Counter({ name: 'intake_submissions_total', help: 'Accepted submissions by kind and risk level', labelNames: ['kind', 'risk_level'], registers: [registry] });
  const published = new Counter({ name: 'intake_outbox_published_total', help: 'Events published by the outbox relay', registers: [registry] });
  // Readiness ignores Kafka (intakes wait in the outbox), so this is where an outage shows: documents waiting to publish.
  new Gauge({
    name: 'intake_outbox_pending_documents',
    help: 'Documents whose events are not yet published to Kafka, per collection',
    labelNames: ['collection'] as const,
    registers: [registry],
    async collect() {
      for (const name of new Set(Object.values(collectionOf))) this.set({ collection: name }, await db.collection(name).countDocuments({ outboxPending: true }));
    },
  });

  const subjects = createSubjectRepository(db);
  const audit = createDirectoryAuditRepository(db);
  await subjects.ensureIndexes();
  await audit.ensureIndexes();
  const vault = createSubjectVault({ cipher: createFieldCipher(config.INTAKE_MASTER_KEY), keys: createSubjectKeyRepository(db) });
  const blindIndex = createBlindIndex(config.INTAKE_BLIND_INDEX_KEY);
  const events = createEventFactory({ topics: { newcomers: config.INTAKE_NEWCOMERS_TOPIC, peers: config.INTAKE_PEERS_TOPIC, erasures: config.INTAKE_ERASURES_TOPIC } });

  const baseStore = createMongoOutboxStore(db);
  const relay = createOutboxRelay({
    store: deps.hooks?.wrapOutboxStore ? deps.hooks.wrapOutboxStore(baseStore) : baseStore,
    publisher,
    log,
    pollMs: config.INTAKE_RELAY_POLL_MS,
    leaseMs: config.INTAKE_RELAY_LEASE_MS,
    onPublished: (count) => published.inc(count),
  });
  const afterWrite = (kind: SubjectKind, id: string) => relay.nudge({ collection: collectionOf[kind], aggregateId: id });

  const phoneCountry = config.INTAKE_PHONE_COUNTRY as CountryCode;
  const schemaOptions = { noticeVersions: config.INTAKE_NOTICE_VERSIONS, defaultPhoneCountry: phoneCountry };
  const schemas = {
    newcomer: newcomerIntakeSchema(schemaOptions),
    peerEnrollment: peerEnrollmentSchema(schemaOptions),
    peerUpdate: peerUpdateSchema(schemaOptions),
  };
  const peerDeps = { subjects, vault, blindIndex, events, phoneCountry, afterWrite };
  const registerNewcomerBase = createRegisterNewcomer(peerDeps);
  const registerNewcomer: typeof registerNewcomerBase = async (input, context) => {
    const result = await registerNewcomerBase(input, context);
    if (!result.replayed) accepted.inc({ kind: 'newcomer', risk_level: result.screening.riskLevel });
    return result;
  };
  const enrollPeer = createEnrollPeer(peerDeps);
  const updatePeer = createUpdatePeer(peerDeps);
  const eraseSubject = createEraseSubject({ subjects, vault, events, afterWrite });
  const directory = createContactDirectory({ subjects, vault, blindIndex, audit, events, afterWrite });
  const crisisResources = (region: string | undefined) => crisisResourcesFor(config.INTAKE_CRISIS_RESOURCES_JSON, config.INTAKE_CRISIS_COUNTRY, region);

  const limiter = rateLimit({
    windowMs: 60_000,
    limit: config.INTAKE_RATE_LIMIT_PER_MINUTE,
    standardHeaders: 'draft-8',
    legacyHeaders: false,
    handler: (_req, res) => sendProblem(res, problems.rateLimited()),
  });

  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', config.INTAKE_TRUST_PROXY);
  app.use(traceHttpRequests());
  app.use(requestLogging(log));
  mountOpsRoutes(app, {
    registry,
    readiness: {
      mongo: () => pingMongo(connection),
    },
    isStopping: () => stopping,
  });
  const openApi = JSON.stringify(openApiDocument(schemas));
  app.get('/openapi.json', (_req, res) => {
    res.type('application/json').send(openApi);
  });
  app.use(intakeApiRoutes({ schemas, registerNewcomer, enrollPeer, updatePeer, crisisResources, rateLimit: limiter, bodyLimitBytes: limits.bodyBytes, log }));
  app.use(intakeFormRoutes({ schemas, registerNewcomer, enrollPeer, crisisResources, rateLimit: limiter, bodyLimitBytes: limits.bodyBytes, noticeVersion: config.INTAKE_NOTICE_VERSIONS[0] ?? '', log }));
  const onError: ErrorRequestHandler = (error: { type?: unknown; status?: unknown }, _req, res, _next) => {
    const log = requestLog(res, deps.log);
    if (error.type === 'entity.too.large') return sendProblem(res, problems.tooLarge(limits.bodyBytes));
    if (typeof error.status === 'number' && error.status >= 400 && error.status < 500) {
      return sendProblem(res, problems.badBody([{ field: '', code: 'unreadable', message: 'The request body cannot be read' }]));
    }
    log.error({ err: error }, 'unhandled error');
    return sendProblem(res, problems.internal());
  };
  app.use(onError);

  const server = await listen(app, config.INTAKE_HTTP_PORT);
  const grpc = await startIntakeGrpcServer(
    { directory, eraseSubject, audit, directoryToken: config.INTAKE_DIRECTORY_TOKEN, adminToken: config.INTAKE_ADMIN_TOKEN, log },
    config.INTAKE_GRPC_HOST,
    config.INTAKE_GRPC_PORT,
  );
  if (deps.hooks?.startRelay !== false) relay.start();

  return {
    url: server.url,
    grpcAddress: grpc.address,
    relay,
    async stop() {
      stopping = true;
      await server.close();
      await grpc.stop();
      await relay.stop();
      await publisher.disconnect();
      await connection.close();
    },
  };
}
