import { createKafka, createLogger, ensureTopics, loadConfig, type Logger } from '@kindred/platform';
import { testInfra, uniqueName } from '@kindred/testkit';
import { notifierConfigSchema, type NotifierConfig } from '../../src/config.js';
import type { Clock } from '../../src/ports/clock.port.js';
import type { ContactDirectoryTestServer, TestPerson } from './contact-directory.test-server.js';

/** A clock the test moves by hand. */
export function manualClock(start: Date): Clock & { set(at: Date): void } {
  let current = start;
  return {
    now: () => new Date(current.getTime()),
    set(at: Date) {
      current = at;
    },
  };
}

export const TEST_ACCOUNT_SID = `AC${'0'.repeat(32)}`;
export const TEST_FROM = '+15005550006';

/** The environment of a notifier under test: real servers, and a database, topics and queue prefix of its own. */
export function notifierTestEnv(name: string, directoryAddress: string, extra: Record<string, string> = {}): Record<string, string> {
  const infra = testInfra();
  if (!infra.sandboxUrl) throw new Error('the notifier tests need the SMS sandbox (infra.sandboxUrl)');
  const unique = uniqueName(name);
  return {
    NOTIFIER_HTTP_PORT: '0',
    MONGO_URL: infra.mongoUrl,
    NOTIFIER_DB_NAME: unique,
    KAFKA_BROKERS: infra.kafkaBrokers.join(','),
    NOTIFIER_KAFKA_GROUP: `${unique}_group`,
    NOTIFIER_MATCHES_TOPIC: `${unique}.matches`,
    NOTIFIER_DELIVERIES_TOPIC: `${unique}.deliveries`,
    REDIS_URL: infra.redisUrl,
    NOTIFIER_QUEUE_PREFIX: unique,
    INTAKE_GRPC_ADDR: directoryAddress,
    SMTP_URL: infra.smtpUrl,
    TWILIO_ACCOUNT_SID: TEST_ACCOUNT_SID,
    TWILIO_AUTH_TOKEN: infra.twilioAuthToken,
    TWILIO_FROM: TEST_FROM,
    TWILIO_API_BASE_URL: infra.sandboxUrl,
    SMS_MAX_PER_SECOND: '50',
    EMAIL_MAX_PER_SECOND: '100',
    RETRY_BASE_MS: '200',
    RETRY_MAX_MS: '1000',
    OUTBOX_POLL_MS: '100',
    NOTIFIER_COORDINATOR_TOKEN: 'coordinator-token-for-tests-0001',
    LOG_LEVEL: 'silent',
    ...extra,
  };
}

export function notifierTestConfig(env: Record<string, string>): NotifierConfig {
  return loadConfig('notifier', notifierConfigSchema, env);
}

export function testLogger(): Logger {
  return createLogger({ service: 'notifier-test', level: 'silent' });
}

let lastMillis = 0;
/**
 * A phone number no other test uses, in this run or an earlier one: the sandbox keys faults and outcomes by number
 * and keeps what it received across runs, so counting messages to a reused number would count old ones too.
 * Fifteen digits: +1555, the time in ms (unique within a process, wrapping after about 27 hours), 3 random digits.
 */
export function uniquePhone(): string {
  const millis = Math.max(Date.now(), lastMillis + 1);
  lastMillis = millis;
  const time = String(millis % 100_000_000).padStart(8, '0');
  const random = String(Math.floor(Math.random() * 1000)).padStart(3, '0');
  return `+1555${time}${random}`;
}

export function uniqueEmail(label: string): string {
  return `${uniqueName(label).toLowerCase()}@example.org`;
}

/** The topics a notifier under test reads and writes, created up front as a deployment would. */
export async function createTestTopics(env: Record<string, string>, log: Logger): Promise<void> {
  const kafka = createKafka({ brokers: (env['KAFKA_BROKERS'] ?? '').split(','), clientId: 'notifier-test-admin', log });
  await ensureTopics(kafka, [env['NOTIFIER_MATCHES_TOPIC'] ?? '', env['NOTIFIER_DELIVERIES_TOPIC'] ?? '']);
}

/**
 * Adds a person with fresh contacts to the test directory: English, UTC, every consent given, unless `overrides`
 * say otherwise (a file's own defaults, say).
 */
export function addTestPerson(directory: ContactDirectoryTestServer, kind: TestPerson['kind'], overrides: Partial<TestPerson> = {}): TestPerson {
  return directory.add({
    subjectId: uniqueName(kind),
    kind,
    firstName: kind === 'peer' ? 'Rosa' : 'Ana',
    email: uniqueEmail(kind),
    phoneE164: uniquePhone(),
    locale: 'en',
    timeZone: 'UTC',
    consents: { email: true, sms: true, shareFirstName: true, shareTopics: true },
    ...overrides,
  });
}
