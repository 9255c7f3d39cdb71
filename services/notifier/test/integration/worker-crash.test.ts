import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import express from 'express';
import { mkdirSync, writeFileSync } from 'node:fs';
import { sandboxClient } from '@kindred/sandbox';
import { connectMongo, listen, type HttpServerHandle } from '@kindred/platform';
import { testInfra, uniqueName, waitFor } from '@kindred/testkit';
import type { Connection } from 'mongoose';
import { mongoDeliveryLedger, type DeliveryLedger } from '../../src/data-access/delivery-ledger.repository.js';
import { grpcContactLookup, type GrpcContactLookup } from '../../src/adapters/contact-directory.grpc-client.js';
import { mongoEmailOptOuts } from '../../src/data-access/email-opt-out.repository.js';
import { twilioWebhookRoutes } from '../../src/entry-points/twilio-webhooks.routes.js';
import { createDeliveryQueues, type DeliveryQueues } from '../../src/queues/delivery-queues.js';
import { introduceMatch, type IntroduceMatchDeps } from '../../src/use-cases/introduce-match.js';
import { systemClock } from '../../src/ports/clock.port.js';
import { deliveryIdFor } from '../../src/domain/plan-introduction.js';
import { startContactDirectoryTestServer, type ContactDirectoryTestServer, type TestPerson } from '../support/contact-directory.test-server.js';
import { addTestPerson, notifierTestEnv, testLogger } from '../support/notifier-harness.js';
import { killAllChildren, spawnNotifier } from '../support/notifier-child.js';

const infra = testInfra();
const sandbox = sandboxClient(infra.sandboxUrl ?? '');
const log = testLogger();
const reportDir = new URL('../../../../.kindred/', import.meta.url);

let directory: ContactDirectoryTestServer;
let env: Record<string, string>;
let mongo: Connection;
let ledger: DeliveryLedger;
let queues: DeliveryQueues;
let webhooks: HttpServerHandle;
let planDeps: IntroduceMatchDeps;
let contacts: GrpcContactLookup;

const person = (kind: TestPerson['kind']): TestPerson => addTestPerson(directory, kind);

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

beforeAll(async () => {
  mkdirSync(reportDir, { recursive: true });
  directory = await startContactDirectoryTestServer();
  env = notifierTestEnv('notifier_crash', directory.address, {
    NOTIFIER_MODE: 'workers',
    NOTIFIER_SENDING_WINDOW: '00:00-24:00',
    LOG_LEVEL: 'warn',
    SMS_MAX_PER_SECOND: '500',
    EMAIL_MAX_PER_SECOND: '500',
    EMAIL_CONCURRENCY: '4',
    SMS_CONCURRENCY: '4',
    // A dead worker's jobs and claims come back within a few seconds.
    JOB_LOCK_MS: '2000',
    JOB_STALLED_CHECK_MS: '1000',
    CLAIM_LEASE_MS: '3000',
    PROVIDER_TIMEOUT_MS: '2000',
    DELIVERY_ATTEMPTS: '20',
    RETRY_MAX_MS: '2000',
  });
  mongo = await connectMongo({ url: env['MONGO_URL'] ?? '', dbName: env['NOTIFIER_DB_NAME'] ?? '', log });
  ledger = mongoDeliveryLedger(mongo.db!);
  await ledger.ensureIndexes();
  queues = await createDeliveryQueues({ redisUrl: infra.redisUrl, prefix: env['NOTIFIER_QUEUE_PREFIX'] ?? '', attempts: 20, backoff: { baseMs: 200, maxMs: 2000 } });
  // The webhook side runs here, apart from the workers that get killed, as it would in production.
  contacts = grpcContactLookup({ address: directory.address, token: '', deadlineMs: 5000 });
  const app = express();
  const deliveriesTopic = env['NOTIFIER_DELIVERIES_TOPIC'] ?? '';
  app.use(twilioWebhookRoutes({ authToken: infra.twilioAuthToken, publicUrl: () => webhooks.url, ledger, contacts, clock: systemClock, deliveriesTopic, log }));
  webhooks = await listen(app, 0, '127.0.0.1');
  env['NOTIFIER_PUBLIC_URL'] = webhooks.url;
  planDeps = { contacts, ledger, optOuts: mongoEmailOptOuts(mongo.db!), clock: systemClock, deliveriesTopic, enqueue: (deliveries) => queues.enqueue(deliveries) };
});

afterAll(async () => {
  killAllChildren();
  contacts?.close();
  await webhooks?.close();
  await queues?.close();
  await mongo?.close();
  await directory?.close();
});

describe('a worker killed with SIGKILL while sending', () => {
  it('still gives one introduction per recipient and channel; the duplicate window is measured', { timeout: 240_000 }, async () => {
    const matches = Array.from({ length: 30 }, () => ({ matchId: uniqueName('match'), peer: person('peer'), newcomer: person('newcomer') }));
    for (const m of matches) {
      await introduceMatch(planDeps, { matchId: m.matchId, peerId: m.peer.subjectId, newcomerId: m.newcomer.subjectId, sharedTopics: [], shareTopicsConsented: false }, '', log);
    }
    const total = matches.length * 4;
    const sentCount = async () => {
      const counts = await ledger.countByStatus();
      return (counts['sent'] ?? 0) + (counts['delivered'] ?? 0);
    };

    const kills = 8;
    let killed = 0;
    const logFile = new URL(`notifier-crash-${Date.now()}.log`, reportDir).pathname;
    while (killed < kills && (await sentCount()) < total) {
      const child = spawnNotifier(env, logFile);
      const before = await sentCount();
      // Kill it once it is sending: right after it recorded its next send, plus a little random time.
      await waitFor(async () => (await sentCount()) > before || (await sentCount()) >= total, { timeoutMs: 60_000, description: 'the child to send' });
      await sleep(Math.random() * 120);
      child.process.kill('SIGKILL');
      await child.exited;
      killed += 1;
    }
    const last = spawnNotifier(env, logFile);
    const settled = await waitFor(
      async () => {
        const counts = await ledger.countByStatus();
        return (counts['queued'] ?? 0) + (counts['sending'] ?? 0) === 0 ? counts : undefined;
      },
      { timeoutMs: 120_000, description: 'every delivery to settle' },
    );
    last.process.kill('SIGTERM');
    expect(await last.exited).toBe(0);
    expect((settled['sent'] ?? 0) + (settled['delivered'] ?? 0)).toBe(total);

    const mails = await sandbox.listMail();
    let emailDuplicates = 0;
    let smsDuplicates = 0;
    for (const m of matches) {
      for (const who of [m.peer, m.newcomer]) {
        const deliveryId = deliveryIdFor(m.matchId, who.subjectId, 'email');
        const copies = mails.filter((mail) => mail.messageId?.includes(deliveryId)).length;
        expect(copies).toBeGreaterThanOrEqual(1);
        emailDuplicates += copies - 1;
        const texts = (await sandbox.listSms({ to: who.phoneE164 })).length;
        expect(texts).toBeGreaterThanOrEqual(1);
        smsDuplicates += texts - 1;
      }
    }
    const report = { kills: killed, deliveries: total, emailDuplicates, smsDuplicates, duplicatesPerKill: (emailDuplicates + smsDuplicates) / killed };
    writeFileSync(new URL('notifier-crash-report.json', reportDir), `${JSON.stringify(report, null, 2)}\n`);
    process.stdout.write(`notifier crash report: ${JSON.stringify(report)}\n`);
    // Each kill can catch at most the jobs in flight (concurrency 4 per channel) between acceptance and the ledger write.
    expect(emailDuplicates + smsDuplicates).toBeLessThanOrEqual(killed * 8);
  });
});

describe('a worker stopped with SIGTERM', () => {
  it('finishes the send in flight before it exits, leaving no delivery claimed', { timeout: 120_000 }, async () => {
    const peer = person('peer');
    const newcomer = person('newcomer');
    newcomer.consents = { ...newcomer.consents, email: false, sms: false };
    peer.consents = { ...peer.consents, email: false };
    // The sandbox holds this SMS request open: the job is active until the provider timeout (2 s) ends it.
    await sandbox.smsFault({ to: peer.phoneE164, kind: 'timeout', times: 1 });
    const matchId = uniqueName('match');
    const deliveryId = deliveryIdFor(matchId, peer.subjectId, 'sms');
    const child = spawnNotifier(env, new URL(`notifier-sigterm-${Date.now()}.log`, reportDir).pathname);
    await introduceMatch(planDeps, { matchId, peerId: peer.subjectId, newcomerId: newcomer.subjectId, sharedTopics: [], shareTopicsConsented: false }, '', log);
    await waitFor(async () => (await sandbox.smsFaults()).heldRequests > 0, { timeoutMs: 60_000, description: 'the SMS request to be held' });
    expect((await ledger.get(deliveryId))?.status).toBe('sending');

    child.process.kill('SIGTERM');
    expect(await child.exited).toBe(0);
    const after = await ledger.get(deliveryId);
    // The attempt ran to its end (a timeout, so it goes back to the queue for a later attempt), not cut off mid-claim.
    expect(after).toMatchObject({ status: 'queued', reason: 'timeout', attempts: 1, claimToken: null });
  });
});
