import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Writable } from 'node:stream';
import { sandboxClient } from '@kindred/sandbox';
import { createLogger } from '@kindred/platform';
import { readTopics, testInfra, uniqueName, waitFor, type TopicReader } from '@kindred/testkit';
import { Redis } from 'ioredis';
import { startNotifier, type RunningNotifier } from '../../src/notifier.app.js';
import { deliveryIdFor } from '../../src/domain/plan-introduction.js';
import { startContactDirectoryTestServer, type ContactDirectoryTestServer } from '../support/contact-directory.test-server.js';
import { decodeAll, matchApprovedRecord, testPublisher } from '../support/match-events.js';
import { createTestTopics, notifierTestConfig, notifierTestEnv, testLogger, uniqueEmail, uniquePhone } from '../support/notifier-harness.js';
import type { RecordPublisher } from '@kindred/platform';

const infra = testInfra();
const sandbox = sandboxClient(infra.sandboxUrl ?? '');
const logLines: string[] = [];
const capture = new Writable({
  write(chunk: Buffer, _encoding, callback) {
    logLines.push(chunk.toString('utf8'));
    callback();
  },
});

let directory: ContactDirectoryTestServer;
let notifier: RunningNotifier;
let publisher: RecordPublisher;
let reader: TopicReader;
let env: Record<string, string>;

beforeAll(async () => {
  directory = await startContactDirectoryTestServer();
  env = notifierTestEnv('notifier_privacy', directory.address, { NOTIFIER_SENDING_WINDOW: '00:00-24:00' });
  await createTestTopics(env, testLogger());
  // Everything the service logs, at the most verbose level, goes to memory to be searched.
  const log = createLogger({ service: 'notifier', level: 'trace', destination: capture });
  notifier = await startNotifier({ config: notifierTestConfig(env), log });
  publisher = await testPublisher(infra.kafkaBrokers, testLogger());
  reader = await readTopics(infra.kafkaBrokers, [env['NOTIFIER_DELIVERIES_TOPIC'] ?? '']);
});

afterAll(async () => {
  await reader?.stop();
  await publisher?.disconnect();
  await notifier?.stop();
  await directory?.close();
});

describe('personal data stays out of logs, queues and events', () => {
  it('an introduction leaves no name, email or phone number in logs, job payloads or published events', async () => {
    const people = (['peer', 'newcomer'] as const).map((kind) =>
      directory.add({
        subjectId: uniqueName(kind),
        kind,
        firstName: kind === 'peer' ? 'Philippa' : 'Anastasia',
        email: uniqueEmail(kind),
        phoneE164: uniquePhone(),
        locale: 'en',
        timeZone: 'UTC',
        consents: { email: true, sms: true, shareFirstName: true, shareTopics: true },
      }),
    );
    const [peer, newcomer] = people as [NonNullable<(typeof people)[0]>, NonNullable<(typeof people)[1]>];
    const matchId = uniqueName('match');
    await publisher.publish([matchApprovedRecord(env['NOTIFIER_MATCHES_TOPIC'] ?? '', { matchId, peerId: peer.subjectId, newcomerId: newcomer.subjectId })]);
    await sandbox.waitForMail(peer.email, { timeoutMs: 30_000 });
    await sandbox.waitForMail(newcomer.email, { timeoutMs: 30_000 });
    await waitFor(async () => (await notifier.ledger.get(deliveryIdFor(matchId, peer.subjectId, 'sms')))?.status === 'delivered');
    await waitFor(() => decodeAll(reader.records).length >= 4);

    const pii = people.flatMap((p) => [p.firstName, p.email, p.phoneE164, p.phoneE164.slice(1)]);
    const logs = logLines.join('');
    expect(logs).toContain(deliveryIdFor(matchId, peer.subjectId, 'email')); // the logs do describe the work
    for (const value of pii) expect(logs).not.toContain(value);

    const redis = new Redis(infra.redisUrl);
    try {
      const job = await notifier.queues.queues.sms.getJob(deliveryIdFor(matchId, peer.subjectId, 'sms'));
      // Ids only: the delivery id and the journey's W3C traceparent.
      expect(Object.keys(job?.data ?? {})).toEqual(['deliveryId', 'traceparent']);
      expect(job?.data.traceparent).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-0[01]$/);
      const keys = await redis.keys(`${env['NOTIFIER_QUEUE_PREFIX'] ?? ''}:*`);
      for (const key of keys.filter((k) => /:dlv_[0-9a-f]{32}$/.test(k))) {
        const stored = JSON.stringify(await redis.hgetall(key));
        for (const value of pii) expect(stored).not.toContain(value);
      }
    } finally {
      redis.disconnect();
    }

    const published = JSON.stringify(decodeAll(reader.records));
    for (const value of pii) expect(published).not.toContain(value);
  });
});
