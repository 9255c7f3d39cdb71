import { randomBytes } from 'node:crypto';
import { Writable } from 'node:stream';
import { MongoClient, type Db } from 'mongodb';
import { createLogger, loadConfig } from '@kindred/platform';
import { readTopics, testInfra, uniqueName, waitFor, type ReadRecord, type TopicReader } from '@kindred/testkit';
import { decodeEnvelope, type DecodedEnvelope } from '@kindred/contracts';
import { intakeConfigSchema, type IntakeConfig } from '../../src/config.js';
import { startIntake, type IntakeTestHooks, type RunningIntake } from '../../src/intake.app.js';
import { noticeVersion } from './fixtures.js';

export interface IntakeHarness {
  readonly app: RunningIntake;
  readonly config: IntakeConfig;
  readonly db: Db;
  readonly topics: { newcomers: string; peers: string; erasures: string };
  readonly reader: TopicReader;
  /** Every log line the service wrote, to prove no PII reaches the logs. */
  readonly logs: string[];
  readonly directoryToken: string;
  readonly adminToken: string;
  stop(): Promise<void>;
  /** Envelopes published so far on a topic, decoded. */
  published(topic: string): { record: ReadRecord; envelope: DecodedEnvelope }[];
  waitForEvents(topic: string, count: number): Promise<{ record: ReadRecord; envelope: DecodedEnvelope }[]>;
  postJson(path: string, body: unknown, headers?: Record<string, string>): Promise<Response>;
  postRaw(path: string, body: string | Uint8Array, contentType: string, headers?: Record<string, string>): Promise<Response>;
}

/** The intake service in-process on port 0, with its own database and topics on the real servers. */
export async function startHarness(options: { name: string; env?: Record<string, string>; hooks?: IntakeTestHooks } = { name: 'intake' }): Promise<IntakeHarness> {
  const infra = testInfra();
  const topics = { newcomers: uniqueName(`${options.name}_newcomers`), peers: uniqueName(`${options.name}_peers`), erasures: uniqueName(`${options.name}_erasures`) };
  const directoryToken = randomBytes(24).toString('base64url');
  const adminToken = randomBytes(24).toString('base64url');
  const config = loadConfig('intake', intakeConfigSchema, {
    INTAKE_HTTP_PORT: '0',
    INTAKE_GRPC_PORT: '0',
    INTAKE_GRPC_HOST: '127.0.0.1',
    MONGO_URL: infra.mongoUrl,
    INTAKE_DB_NAME: uniqueName(`${options.name}_db`),
    KAFKA_BROKERS: infra.kafkaBrokers.join(','),
    LOG_LEVEL: 'debug',
    INTAKE_MASTER_KEY: randomBytes(32).toString('hex'),
    INTAKE_BLIND_INDEX_KEY: randomBytes(32).toString('hex'),
    INTAKE_DIRECTORY_TOKEN: directoryToken,
    INTAKE_ADMIN_TOKEN: adminToken,
    INTAKE_NOTICE_VERSIONS: noticeVersion,
    INTAKE_NEWCOMERS_TOPIC: topics.newcomers,
    INTAKE_PEERS_TOPIC: topics.peers,
    INTAKE_ERASURES_TOPIC: topics.erasures,
    INTAKE_RATE_LIMIT_PER_MINUTE: '10000',
    INTAKE_RELAY_POLL_MS: '100',
    ...options.env,
  });
  const logs: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      logs.push(chunk.toString('utf8'));
      callback();
    },
  });
  const log = createLogger({ service: 'intake', level: 'debug', destination });
  const reader = await readTopics(infra.kafkaBrokers, [topics.newcomers, topics.peers, topics.erasures]);
  const app = await startIntake({ config, log, ...(options.hooks ? { hooks: options.hooks } : {}) });
  const client = new MongoClient(infra.mongoUrl);
  await client.connect();
  const db = client.db(config.INTAKE_DB_NAME);

  const published = (topic: string) => reader.records.filter((r) => r.topic === topic).map((record) => ({ record, envelope: decodeEnvelope(record.value) }));
  return {
    app,
    config,
    db,
    topics,
    reader,
    logs,
    directoryToken,
    adminToken,
    published,
    waitForEvents: (topic, count) => waitFor(() => (published(topic).length >= count ? published(topic) : undefined), { description: `${count} events on ${topic}` }),
    postJson: (path, body, headers = {}) =>
      fetch(`${app.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) }),
    postRaw: (path, body, contentType, headers = {}) => fetch(`${app.url}${path}`, { method: 'POST', headers: { 'content-type': contentType, ...headers }, body }),
    async stop() {
      await app.stop();
      await reader.stop();
      await db.dropDatabase().catch(() => undefined);
      await client.close();
    },
  };
}

export { createOutboxRelay } from '../../src/outbox/outbox.relay.js';
export { createMongoOutboxStore, type OutboxStore } from '../../src/outbox/outbox.store.js';
