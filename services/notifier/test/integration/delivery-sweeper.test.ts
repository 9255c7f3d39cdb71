import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sandboxClient } from '@kindred/sandbox';
import { connectMongo, type RecordPublisher } from '@kindred/platform';
import { readTopics, testInfra, uniqueName, waitFor, type TopicReader } from '@kindred/testkit';
import type { Connection } from 'mongoose';
import { startNotifier, type RunningNotifier } from '../../src/notifier.app.js';
import { mongoDeliveryLedger, type DeliveryDocument } from '../../src/data-access/delivery-ledger.repository.js';
import { createDeliveryQueues, startDeliveryWorkers, type DeliveryQueues } from '../../src/queues/delivery-queues.js';
import { createDeliverySweeper, type DeliverySweeper } from '../../src/use-cases/sweep-deliveries.js';
import { introduceMatch } from '../../src/use-cases/introduce-match.js';
import { deliveryIdFor } from '../../src/domain/plan-introduction.js';
import { deliveryJobIdOf } from '../../src/domain/delivery-job-id.js';
import type { Channel } from '../../src/domain/delivery.types.js';
import { startContactDirectoryTestServer, type ContactDirectoryTestServer, type TestPerson } from '../support/contact-directory.test-server.js';
import { deliveryEventsFor, matchApprovedRecord, testPublisher } from '../support/match-events.js';
import { addTestPerson, createTestTopics, manualClock, notifierTestConfig, notifierTestEnv, testLogger } from '../support/notifier-harness.js';

const infra = testInfra();
const sandbox = sandboxClient(infra.sandboxUrl ?? '');
const log = testLogger();
// 15:00 UTC: inside the default 08:00-21:00 window in UTC, midnight in Tokyo.
const clock = manualClock(new Date('2026-01-15T15:00:00Z'));
const STUCK_AFTER_MS = 120_000;
const LEASE_MS = 60_000;
const MAX_ATTEMPTS = 3;

let directory: ContactDirectoryTestServer;
let notifier: RunningNotifier;
let env: Record<string, string>;
let deliveriesReader: TopicReader;
let publisher: RecordPublisher;
// A second notifier instance's sweeper: its own MongoDB connection and queue handles.
let otherMongo: Connection;
let otherQueues: DeliveryQueues;
let otherSweeper: DeliverySweeper;

const person = (kind: TestPerson['kind'], overrides: Partial<TestPerson> = {}): TestPerson =>
  addTestPerson(directory, kind, { consents: { email: true, sms: false, shareFirstName: true, shareTopics: true }, ...overrides });

/** Plans a match into the ledger; `enqueue: false` is a process that died between the ledger write and `queue.add`. */
async function plan(peer: TestPerson, newcomer: TestPerson, options: { enqueue: boolean }): Promise<string> {
  const matchId = uniqueName('match');
  const deps = options.enqueue ? notifier.introduceDeps : { ...notifier.introduceDeps, enqueue: () => Promise.resolve() };
  await introduceMatch(deps, { matchId, peerId: peer.subjectId, newcomerId: newcomer.subjectId, sharedTopics: [], shareTopicsConsented: false }, '', log);
  return matchId;
}

const advance = (ms: number) => clock.set(new Date(clock.now().getTime() + ms));

/** Moves the clock forward to the next 15:00 UTC, inside the sending window of people in UTC. */
function toNextAfternoonUtc(): void {
  const next = clock.now();
  next.setUTCHours(15, 0, 0, 0);
  if (next.getTime() <= clock.now().getTime()) next.setUTCDate(next.getUTCDate() + 1);
  clock.set(next);
}

async function delivery(deliveryId: string): Promise<DeliveryDocument> {
  const found = await notifier.ledger.get(deliveryId);
  if (!found) throw new Error(`delivery ${deliveryId} is not in the ledger`);
  return found;
}

/** Accepted by the provider: `sent`, or `delivered` once the SMS status callback came. */
const OUT = ['sent', 'delivered'];

const waitUntilOut = (deliveryId: string) =>
  waitFor(async () => (OUT.includes((await delivery(deliveryId)).status) ? true : undefined), { timeoutMs: 30_000, description: `${deliveryId} to be sent` });

const smsTo = async (phone: string) => (await sandbox.listSms({ to: phone })).length;
const mailTo = async (email: string) => (await sandbox.listMail({ to: email })).length;

beforeAll(async () => {
  directory = await startContactDirectoryTestServer();
  env = notifierTestEnv('notifier_sweep', directory.address, {
    // The timer stays out of the way: these tests call sweepOnce themselves, with the clock they set.
    NOTIFIER_SWEEP_INTERVAL_MS: '3600000',
    NOTIFIER_STUCK_AFTER_MS: String(STUCK_AFTER_MS),
    NOTIFIER_MAX_DELIVERY_ATTEMPTS: String(MAX_ATTEMPTS),
    CLAIM_LEASE_MS: String(LEASE_MS),
  });
  await createTestTopics(env, log);
  notifier = await startNotifier({ config: notifierTestConfig(env), log, overrides: { clock } });
  deliveriesReader = await readTopics(infra.kafkaBrokers, [env['NOTIFIER_DELIVERIES_TOPIC'] ?? '']);
  publisher = await testPublisher(infra.kafkaBrokers, log);

  otherMongo = await connectMongo({ url: env['MONGO_URL'] ?? '', dbName: env['NOTIFIER_DB_NAME'] ?? '', log });
  otherQueues = await createDeliveryQueues({ redisUrl: infra.redisUrl, prefix: env['NOTIFIER_QUEUE_PREFIX'] ?? '', attempts: 8, backoff: { baseMs: 200, maxMs: 1000 } });
  otherSweeper = createDeliverySweeper({
    ledger: mongoDeliveryLedger(otherMongo.db!),
    jobs: otherQueues,
    clock,
    stuckAfterMs: STUCK_AFTER_MS,
    maxAttempts: MAX_ATTEMPTS,
    maxSweeps: 10,
    batchSize: 200,
    deliveriesTopic: env['NOTIFIER_DELIVERIES_TOPIC'] ?? '',
    log,
  });
});

afterAll(async () => {
  await publisher?.disconnect();
  await deliveriesReader?.stop();
  await otherQueues?.close();
  await otherMongo?.close();
  await notifier?.stop();
  await directory?.close();
});

describe('the delivery sweeper', () => {
  it('re-queues a delivery whose BullMQ job was removed, and it is delivered exactly once', async () => {
    const peer = person('peer', { consents: { email: true, sms: true, shareFirstName: true, shareTopics: true } });
    const newcomer = person('newcomer');
    const queues = Object.values(notifier.queues.queues);
    // Paused, so that no worker takes the jobs before they are removed (as if Redis lost them).
    await Promise.all(queues.map((queue) => queue.pause()));
    const matchId = await plan(peer, newcomer, { enqueue: true });
    const ids: [string, Channel][] = [
      [deliveryIdFor(matchId, peer.subjectId, 'email'), 'email'],
      [deliveryIdFor(matchId, peer.subjectId, 'sms'), 'sms'],
      [deliveryIdFor(matchId, newcomer.subjectId, 'email'), 'email'],
    ];
    for (const [id, channel] of ids) expect(await notifier.queues.queues[channel].remove(id)).toBe(1);
    await Promise.all(queues.map((queue) => queue.resume()));

    // Not yet stuck: untouched for less than the threshold.
    await notifier.sweeper.sweepOnce();
    for (const [id] of ids) expect(await delivery(id)).toMatchObject({ status: 'queued', sweeps: 0 });

    advance(STUCK_AFTER_MS + 1_000);
    const summary = await notifier.sweeper.sweepOnce();
    expect(summary.requeued).toBeGreaterThanOrEqual(3);
    for (const [id] of ids) await waitUntilOut(id);
    for (const [id] of ids) {
      const sent = await delivery(id);
      expect(OUT).toContain(sent.status);
      expect(sent).toMatchObject({ sweeps: 1, attempts: 1 });
    }

    expect(await mailTo(peer.email)).toBe(1);
    expect(await mailTo(newcomer.email)).toBe(1);
    expect(await smsTo(peer.phoneE164)).toBe(1);

    // A later sweep leaves sent deliveries alone.
    advance(STUCK_AFTER_MS + 1_000);
    await notifier.sweeper.sweepOnce();
    for (const [id] of ids) {
      const later = await delivery(id);
      expect(OUT).toContain(later.status);
      expect(later.sweeps).toBe(1);
    }

    const metrics = await (await fetch(`${notifier.url}/metrics`)).text();
    expect(metrics).toMatch(/notifier_swept_deliveries_total\{[^}]*outcome="requeued"[^}]*\} [1-9]/);
  });

  it('re-sends once a sending delivery whose worker died and whose lease ran out', async () => {
    const peer = person('peer');
    const newcomer = person('newcomer');
    const matchId = await plan(peer, newcomer, { enqueue: false });
    const peerEmail = deliveryIdFor(matchId, peer.subjectId, 'email');
    const newcomerEmail = deliveryIdFor(matchId, newcomer.subjectId, 'email');
    // A worker claims it and dies before calling the provider.
    expect(await notifier.ledger.claim(peerEmail, 'dead-worker', clock.now(), LEASE_MS)).not.toBeNull();

    advance(LEASE_MS - 1_000);
    await notifier.sweeper.sweepOnce();
    expect(await delivery(peerEmail)).toMatchObject({ status: 'sending', claimToken: 'dead-worker', sweeps: 0 });

    advance(2_000);
    await notifier.sweeper.sweepOnce();
    await waitUntilOut(peerEmail);
    expect(await delivery(peerEmail)).toMatchObject({ status: 'sent', sweeps: 1, attempts: 2 });
    expect(await mailTo(peer.email)).toBe(1);
    // The dead claim can record nothing any more.
    expect(await notifier.ledger.markSent(peerEmail, 'dead-worker', 'late-id', clock.now(), (await delivery(peerEmail)).outbox[0]!)).toBe(false);
    // The newcomer's delivery (never queued) is younger than the stuck threshold: still waiting.
    expect(await delivery(newcomerEmail)).toMatchObject({ status: 'queued', sweeps: 0 });
    expect(await mailTo(newcomer.email)).toBe(0);

    advance(STUCK_AFTER_MS);
    await notifier.sweeper.sweepOnce();
    await waitUntilOut(newcomerEmail);
    expect(await mailTo(newcomer.email)).toBe(1);
    expect(await mailTo(peer.email)).toBe(1);
  });

  it('fails a delivery past the maximum attempts with one IntroductionFailed, even with two sweepers at once', async () => {
    const peer = person('peer');
    const newcomer = person('newcomer');
    const matchId = await plan(peer, newcomer, { enqueue: false });
    const ids = [deliveryIdFor(matchId, peer.subjectId, 'email'), deliveryIdFor(matchId, newcomer.subjectId, 'email')];
    // Three attempts that ended in transient failures, then the job was gone.
    for (const id of ids) {
      for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt += 1) {
        const token = `worker-${attempt}`;
        expect(await notifier.ledger.claim(id, token, clock.now(), LEASE_MS)).not.toBeNull();
        expect(await notifier.ledger.release(id, token, clock.now(), null, 'timeout')).toBe(true);
      }
    }

    advance(STUCK_AFTER_MS + 1_000);
    const [first, second] = await Promise.all([notifier.sweeper.sweepOnce(), otherSweeper.sweepOnce()]);
    expect(first.failed + second.failed).toBe(2);
    for (const id of ids) expect(await delivery(id)).toMatchObject({ status: 'failed', reason: 'attempts_exhausted', claimToken: null });

    await notifier.flushOutbox();
    // A marker after the events on the match's partition: once it is read, everything before it was read too.
    const marker = uniqueName('marker');
    await publisher.publish([matchApprovedRecord(env['NOTIFIER_DELIVERIES_TOPIC'] ?? '', { matchId, newcomerId: newcomer.subjectId, peerId: peer.subjectId }, marker)]);
    await waitFor(() => deliveriesReader.records.some((record) => record.headers['kindred-event-id'] === marker), { timeoutMs: 30_000, description: 'the marker' });

    const { failed, delivered } = deliveryEventsFor(deliveriesReader.records, matchId);
    expect(delivered).toHaveLength(0);
    for (const id of ids) {
      const events = failed.filter((event) => event.deliveryId === id);
      expect(events).toHaveLength(1);
      expect(events[0]).toMatchObject({ errorCode: 'attempts_exhausted', permanent: true });
    }
    expect(await mailTo(peer.email)).toBe(0);

    // Failed for good: later sweeps change nothing.
    advance(STUCK_AFTER_MS + 1_000);
    await Promise.all([notifier.sweeper.sweepOnce(), otherSweeper.sweepOnce()]);
    for (const id of ids) expect(await delivery(id)).toMatchObject({ status: 'failed', reason: 'attempts_exhausted' });
  });

  it('does not sweep a delivery deferred for quiet hours before its time, and does after', async () => {
    const peer = person('peer', { timeZone: 'Asia/Tokyo' });
    const newcomer = person('newcomer', { consents: { email: false, sms: false, shareFirstName: true, shareTopics: true } });
    // Only the peer is reachable: the newcomer's unreachability is recorded at planning time, not by the sweeper.
    const matchId = await plan(peer, newcomer, { enqueue: true });
    const id = deliveryIdFor(matchId, peer.subjectId, 'email');
    const deferred = await waitFor(
      async () => {
        const current = await delivery(id);
        return current.status === 'queued' && current.reason === 'quiet_hours' && current.notBefore ? current : undefined;
      },
      { timeoutMs: 30_000, description: 'the delivery to be deferred' },
    );
    const notBefore = deferred.notBefore!;
    expect(notBefore.getTime()).toBeGreaterThan(clock.now().getTime() + STUCK_AFTER_MS);
    // Its delayed job is lost (Redis data gone), so only the ledger remembers it.
    const queue = notifier.queues.queues.email;
    await waitFor(async () => ((await queue.getJobState(deliveryJobIdOf(id, 0))) === 'delayed' ? true : undefined), { timeoutMs: 30_000 });
    expect(await queue.remove(deliveryJobIdOf(id, 0))).toBe(1);

    clock.set(new Date(notBefore.getTime() - 60_000));
    await notifier.sweeper.sweepOnce();
    expect(await delivery(id)).toMatchObject({ status: 'queued', reason: 'quiet_hours', sweeps: 0, attempts: 1 });
    expect(await mailTo(peer.email)).toBe(0);

    clock.set(new Date(notBefore.getTime() + 1_000));
    await notifier.sweeper.sweepOnce();
    await waitUntilOut(id);
    expect(await delivery(id)).toMatchObject({ status: 'sent', sweeps: 1, attempts: 2 });
    expect(await mailTo(peer.email)).toBe(1);
  });

  it('leaves alone an old queued delivery whose job can still run', async () => {
    toNextAfternoonUtc();
    const peer = person('peer');
    const newcomer = person('newcomer', { consents: { email: false, sms: false, shareFirstName: true, shareTopics: true } });
    const queue = notifier.queues.queues.email;
    // A long backlog: the job waits behind a paused queue while the ledger entry grows old.
    await queue.pause();
    const matchId = await plan(peer, newcomer, { enqueue: true });
    const id = deliveryIdFor(matchId, peer.subjectId, 'email');
    advance(STUCK_AFTER_MS * 3);
    const summary = await notifier.sweeper.sweepOnce();
    expect(summary.live).toBeGreaterThanOrEqual(1);
    expect(await delivery(id)).toMatchObject({ status: 'queued', sweeps: 0 });
    await queue.resume();
    await waitUntilOut(id);
    expect(await delivery(id)).toMatchObject({ sweeps: 0, attempts: 1 });
    expect(await mailTo(peer.email)).toBe(1);
  });

  it('settles at once a delivery whose job ran out of attempts, without waiting for it to look stuck', async () => {
    toNextAfternoonUtc();
    const peer = person('peer');
    const newcomer = person('newcomer', { consents: { email: false, sms: false, shareFirstName: true, shareTopics: true } });
    const matchId = await plan(peer, newcomer, { enqueue: false });
    const id = deliveryIdFor(matchId, peer.subjectId, 'email');
    const queue = notifier.queues.queues.email;
    await queue.pause();
    expect(await notifier.sweeper.settleExhaustedJob(id)).toBe('requeued');
    // Recorded on the ledger, with a new job under the next stable id.
    expect(await delivery(id)).toMatchObject({ status: 'queued', reason: 'job_exhausted', sweeps: 1 });
    expect(await queue.getJobState(deliveryJobIdOf(id, 1))).toBe('waiting');
    await queue.resume();
    await waitUntilOut(id);
    expect(await delivery(id)).toMatchObject({ sweeps: 1, attempts: 1 });
    expect(await mailTo(peer.email)).toBe(1);
    expect(await notifier.sweeper.settleExhaustedJob(id)).toBe('not_stuck');
  });
});

describe('delivery workers', () => {
  it('report a job that used its last attempt on a thrown error, and not one stopped by a permanent failure', async () => {
    const prefix = `${env['NOTIFIER_QUEUE_PREFIX'] ?? ''}_exhaust`;
    const config = { redisUrl: infra.redisUrl, prefix, attempts: 2, backoff: { baseMs: 20, maxMs: 50 } };
    const queues = await createDeliveryQueues(config);
    const runs = new Map<string, number>();
    const exhausted: string[] = [];
    const workers = startDeliveryWorkers(
      {
        ...config,
        limits: { email: { concurrency: 1, maxPerSecond: 100 }, sms: { concurrency: 1, maxPerSecond: 100 } },
        lockDurationMs: 5_000,
        stalledIntervalMs: 5_000,
        maxStalledCount: 1,
      },
      (deliveryId) => {
        runs.set(deliveryId, (runs.get(deliveryId) ?? 0) + 1);
        // The permanent one is recorded by the use case; the other stands for MongoDB being down on every attempt.
        if (deliveryId === 'dlv_permanent') return Promise.resolve({ kind: 'failed', failure: { permanent: true, code: 'smtp_550', reason: 'rejected' } });
        return Promise.reject(new Error('MongoServerSelectionError'));
      },
      log,
      () => undefined,
      (deliveryId) => exhausted.push(deliveryId),
    );
    try {
      await queues.enqueueJob('email', 'dlv_permanent', 'dlv_permanent');
      await waitFor(async () => ((await queues.queues.email.getJobState('dlv_permanent')) === 'failed' ? true : undefined), { timeoutMs: 30_000 });
      await queues.enqueueJob('email', 'dlv_transient', 'dlv_transient');
      await waitFor(() => exhausted.length > 0, { timeoutMs: 30_000, description: 'the exhausted job to be reported' });
      expect(exhausted).toEqual(['dlv_transient']);
      expect(runs.get('dlv_transient')).toBe(2);
      expect(runs.get('dlv_permanent')).toBe(1);
    } finally {
      await workers.close();
      await queues.close();
    }
  });
});
