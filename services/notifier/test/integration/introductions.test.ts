import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { events } from '@kindred/contracts';
import { sandboxClient, countSegments } from '@kindred/sandbox';
import { readTopics, testInfra, uniqueName, waitFor, type TopicReader } from '@kindred/testkit';
import { deadLetterHeaders, type RecordPublisher } from '@kindred/platform';
import { startNotifier, type RunningNotifier } from '../../src/notifier.app.js';
import { deliveryIdFor } from '../../src/domain/plan-introduction.js';
import { TOPIC_LABELS } from '../../src/domain/topic-labels.js';
import type { DeliveryDocument } from '../../src/data-access/delivery-ledger.repository.js';
import { startContactDirectoryTestServer, type ContactDirectoryTestServer, type TestPerson } from '../support/contact-directory.test-server.js';
import { deliveryEventsFor, matchApprovedRecord, testPublisher } from '../support/match-events.js';
import { addTestPerson, createTestTopics, manualClock, notifierTestConfig, notifierTestEnv, testLogger } from '../support/notifier-harness.js';

const infra = testInfra();
const sandbox = sandboxClient(infra.sandboxUrl ?? '');
const log = testLogger();
// 15:00 UTC in January: 10:00 in New York, 16:00 in Madrid, inside the default 08:00-21:00 window.
const clock = manualClock(new Date('2026-01-15T15:00:00Z'));
const diagnosisWords = Object.values(TOPIC_LABELS).flatMap((labels) => [labels.en, labels.es]);

let directory: ContactDirectoryTestServer;
let notifier: RunningNotifier;
let publisher: RecordPublisher;
let deliveriesReader: TopicReader;
let env: Record<string, string>;

const person = (kind: TestPerson['kind'], overrides: Partial<TestPerson> = {}): TestPerson =>
  addTestPerson(directory, kind, { timeZone: 'America/New_York', ...overrides });

async function approve(match: { matchId: string; newcomerId: string; peerId: string; sharedTopics?: events.Topic[]; shareTopicsConsented?: boolean }, eventId?: string) {
  await publisher.publish([matchApprovedRecord(env['NOTIFIER_MATCHES_TOPIC'] ?? '', match, eventId)]);
}

async function ledgerOf(matchId: string, recipientId: string, channel: 'email' | 'sms'): Promise<DeliveryDocument | null> {
  return notifier.ledger.get(deliveryIdFor(matchId, recipientId, channel));
}

function settled(delivery: DeliveryDocument | null, statuses: readonly string[]): DeliveryDocument | undefined {
  return delivery && statuses.includes(delivery.status) ? delivery : undefined;
}

beforeAll(async () => {
  directory = await startContactDirectoryTestServer();
  env = notifierTestEnv('notifier_intro', directory.address);
  await createTestTopics(env, log);
  notifier = await startNotifier({ config: notifierTestConfig(env), log, overrides: { clock } });
  publisher = await testPublisher(infra.kafkaBrokers, log);
  deliveriesReader = await readTopics(infra.kafkaBrokers, [env['NOTIFIER_DELIVERIES_TOPIC'] ?? '']);
});

afterAll(async () => {
  await deliveriesReader?.stop();
  await publisher?.disconnect();
  await notifier?.stop();
  await directory?.close();
});

describe('an approved match becomes introductions', () => {
  it('sends exactly what the consents allow, in each recipient language, naming no diagnosis in subjects or SMS', async () => {
    const peer = person('peer', { firstName: 'Rosa', locale: 'en' });
    const newcomer = person('newcomer', {
      firstName: 'Ana',
      locale: 'es',
      timeZone: 'Europe/Madrid',
      consents: { email: true, sms: false, shareFirstName: true, shareTopics: true },
    });
    const matchId = uniqueName('match');
    await approve({
      matchId,
      newcomerId: newcomer.subjectId,
      peerId: peer.subjectId,
      sharedTopics: [events.Topic.TOPIC_DEPRESSION, events.Topic.TOPIC_ANXIETY],
      shareTopicsConsented: true,
    });

    const peerMail = await sandbox.waitForMail(peer.email, { timeoutMs: 30_000 });
    const newcomerMail = await sandbox.waitForMail(newcomer.email, { timeoutMs: 30_000 });
    const peerSms = await waitFor(async () => {
      const list = await sandbox.listSms({ to: peer.phoneE164 });
      return list.length > 0 ? list : undefined;
    }, { timeoutMs: 30_000 });

    // The peer: English, the newcomer's first name, the topics she agreed to share, how to reach her.
    expect(peerMail).toHaveLength(1);
    const toPeer = peerMail[0]!;
    expect(toPeer.subject).toBe('A new Kindred introduction');
    expect(toPeer.text).toContain('Ana');
    expect(toPeer.text).toContain('depression and anxiety');
    expect(toPeer.text).toContain(newcomer.email);
    expect(toPeer.text).not.toContain(newcomer.phoneE164); // she did not agree to SMS contact
    expect(toPeer.headers['list-unsubscribe']).toMatch(/^<http:\/\/127\.0\.0\.1:\d+\/unsubscribe\/dlv_[0-9a-f]{32}>$/);
    expect(toPeer.headers['list-unsubscribe-post']).toBe('List-Unsubscribe=One-Click');
    expect(toPeer.messageId).toContain(deliveryIdFor(matchId, peer.subjectId, 'email'));
    expect(toPeer.html).toContain('Ana');

    // The newcomer: Spanish, the peer's first name and what happens next.
    expect(newcomerMail).toHaveLength(1);
    const toNewcomer = newcomerMail[0]!;
    expect(toNewcomer.subject).toBe('Tu presentación de Kindred');
    expect(toNewcomer.text).toContain('Rosa');
    expect(toNewcomer.text).toContain('Qué pasa ahora');

    // SMS to the peer only; short and discreet.
    expect(peerSms).toHaveLength(1);
    expect(peerSms[0]!.body).toContain('Ana');
    expect(countSegments(peerSms[0]!.body)).toBeLessThanOrEqual(2);
    expect(await sandbox.listSms({ to: newcomer.phoneE164 })).toHaveLength(0);
    for (const word of diagnosisWords) {
      expect(toPeer.subject?.toLowerCase()).not.toContain(word.toLowerCase());
      expect(toNewcomer.subject?.toLowerCase()).not.toContain(word.toLowerCase());
      expect(peerSms[0]!.body.toLowerCase()).not.toContain(word.toLowerCase());
    }

    // The ledger: three sent, the newcomer's SMS suppressed with its reason; the SMS follows its status callbacks.
    const suppressed = await ledgerOf(matchId, newcomer.subjectId, 'sms');
    expect(suppressed).toMatchObject({ status: 'suppressed', reason: 'no_consent' });
    const sms = await waitFor(async () => settled(await ledgerOf(matchId, peer.subjectId, 'sms'), ['delivered']));
    expect(sms.providerMessageId).toBe(peerSms[0]!.sid);

    // The outcomes went out through the outbox: one IntroductionDelivered per sent delivery.
    const outcome = await waitFor(() => {
      const found = deliveryEventsFor(deliveriesReader.records, matchId);
      return found.delivered.length >= 3 ? found : undefined;
    });
    expect(outcome.delivered.map((d) => `${d.role}/${d.channel}`).sort()).toEqual(
      [
        `${events.RecipientRole.RECIPIENT_ROLE_NEWCOMER}/${events.Channel.CHANNEL_EMAIL}`,
        `${events.RecipientRole.RECIPIENT_ROLE_PEER}/${events.Channel.CHANNEL_EMAIL}`,
        `${events.RecipientRole.RECIPIENT_ROLE_PEER}/${events.Channel.CHANNEL_SMS}`,
      ].sort(),
    );
    expect(outcome.failed).toHaveLength(0);
  });

  it('keeps the shared topics out of the peer email when the newcomer did not consent to share them', async () => {
    const peer = person('peer', { consents: { email: true, sms: false, shareFirstName: true, shareTopics: true } });
    const newcomer = person('newcomer', { consents: { email: true, sms: false, shareFirstName: false, shareTopics: false } });
    const matchId = uniqueName('match');
    await approve({ matchId, newcomerId: newcomer.subjectId, peerId: peer.subjectId, sharedTopics: [events.Topic.TOPIC_GRIEF], shareTopicsConsented: false });
    const [mail] = await sandbox.waitForMail(peer.email, { timeoutMs: 30_000 });
    expect(mail?.text).not.toContain('grief');
    expect(mail?.text).not.toContain('Ana');
    expect(mail?.text).toContain('someone new to peer support');
  });
});

describe('provider failures', () => {
  it('retries transient failures (SMTP 451, Twilio 500) and then succeeds, sending once', async () => {
    const peer = person('peer');
    const newcomer = person('newcomer', { consents: { email: false, sms: false, shareFirstName: true, shareTopics: true } });
    await sandbox.mailFault({ to: peer.email, code: 451, times: 2 });
    await sandbox.smsFault({ to: peer.phoneE164, kind: '500', times: 2 });
    const matchId = uniqueName('match');
    await approve({ matchId, newcomerId: newcomer.subjectId, peerId: peer.subjectId });

    const email = await waitFor(async () => settled(await ledgerOf(matchId, peer.subjectId, 'email'), ['sent']), { timeoutMs: 30_000 });
    const sms = await waitFor(async () => settled(await ledgerOf(matchId, peer.subjectId, 'sms'), ['sent', 'delivered']), { timeoutMs: 30_000 });
    expect(email.attempts).toBe(3);
    expect(sms.attempts).toBe(3);
    expect(await sandbox.listMail({ to: peer.email })).toHaveLength(1);
    expect(await sandbox.listSms({ to: peer.phoneE164 })).toHaveLength(1);
  });

  it('backs off on Twilio 429 without using up attempts, then sends once', async () => {
    const peer = person('peer', { consents: { email: false, sms: true, shareFirstName: true, shareTopics: true } });
    const newcomer = person('newcomer', { consents: { email: true, sms: false, shareFirstName: true, shareTopics: true } });
    await sandbox.smsFault({ to: peer.phoneE164, kind: '429', times: 3 });
    const matchId = uniqueName('match');
    await approve({ matchId, newcomerId: newcomer.subjectId, peerId: peer.subjectId });

    const sms = await waitFor(async () => settled(await ledgerOf(matchId, peer.subjectId, 'sms'), ['sent', 'delivered']), { timeoutMs: 30_000 });
    expect(sms.attempts).toBe(4); // four claims: three rate-limited, one sent
    const job = await notifier.queues.queues.sms.getJob(sms._id);
    expect(job?.attemptsMade).toBe(1); // only the attempt that sent: the rate-limited ones used none
    expect(await sandbox.listSms({ to: peer.phoneE164 })).toHaveLength(1);
    const metrics = await (await fetch(`${notifier.url}/metrics`)).text();
    expect(metrics).toMatch(/notifier_delivery_outcomes_total\{[^}]*channel="sms"[^}]*outcome="retry"[^}]*\} [1-9]/);
  });

  it('stops at once on a permanent failure (Twilio 21610, SMTP 550) and emits IntroductionFailed', async () => {
    const peer = person('peer');
    const newcomer = person('newcomer', { consents: { email: false, sms: false, shareFirstName: true, shareTopics: true } });
    await sandbox.mailFault({ to: peer.email, code: 550, times: 5 });
    await sandbox.smsFault({ to: peer.phoneE164, kind: '21610', times: 5 });
    const matchId = uniqueName('match');
    await approve({ matchId, newcomerId: newcomer.subjectId, peerId: peer.subjectId });

    const email = await waitFor(async () => settled(await ledgerOf(matchId, peer.subjectId, 'email'), ['failed']), { timeoutMs: 30_000 });
    const sms = await waitFor(async () => settled(await ledgerOf(matchId, peer.subjectId, 'sms'), ['failed']), { timeoutMs: 30_000 });
    expect(email).toMatchObject({ reason: 'smtp_550', attempts: 1 });
    expect(sms).toMatchObject({ reason: 'twilio_21610', attempts: 1 });
    // Twilio's own opt-out record reaches the directory.
    expect(directory.calls).toContainEqual({ method: 'SetSmsConsentByPhone', key: peer.phoneE164, purpose: 'provider_21610' });
    expect(directory.people.get(peer.subjectId)?.consents.sms).toBe(false);

    const outcome = await waitFor(() => {
      const found = deliveryEventsFor(deliveriesReader.records, matchId);
      // Two failed deliveries for the peer, one for the newcomer who can be reached on no channel.
      return found.failed.length >= 3 ? found : undefined;
    });
    const codes = outcome.failed.map((f) => f.errorCode).sort();
    expect(codes).toEqual(['no_consent', 'smtp_550', 'twilio_21610']);
    expect(outcome.failed.every((f) => f.permanent)).toBe(true);
    expect(outcome.delivered).toHaveLength(0);
    const job = await notifier.queues.queues.sms.getJob(deliveryIdFor(matchId, peer.subjectId, 'sms'));
    expect(job?.attemptsMade).toBe(1);
    expect(await job?.getState()).toBe('failed');
  });
});

describe('quiet hours', () => {
  it('delays a late-evening introduction until 08:00 in the recipient time zone, then sends it', async () => {
    const peer = person('peer', { timeZone: 'America/New_York', consents: { email: true, sms: false, shareFirstName: true, shareTopics: true } });
    const newcomer = person('newcomer', { consents: { email: false, sms: false, shareFirstName: true, shareTopics: true } });
    // 03:30 UTC is 22:30 the evening before in New York.
    clock.set(new Date('2026-01-16T03:30:00Z'));
    const matchId = uniqueName('match');
    const deliveryId = deliveryIdFor(matchId, peer.subjectId, 'email');
    try {
      await approve({ matchId, newcomerId: newcomer.subjectId, peerId: peer.subjectId });
      const deferred = await waitFor(async () => {
        const delivery = await notifier.ledger.get(deliveryId);
        return delivery?.reason === 'quiet_hours' ? delivery : undefined;
      });
      expect(deferred.status).toBe('queued');
      expect(deferred.notBefore?.toISOString()).toBe('2026-01-16T13:00:00.000Z'); // 08:00 in New York
      const job = await waitFor(async () => {
        const found = await notifier.queues.queues.email.getJob(deliveryId);
        return found && (await found.getState()) === 'delayed' ? found : undefined;
      });
      expect(job.delay).toBeGreaterThan(9 * 3_600_000 - 60_000);
      expect(await sandbox.listMail({ to: peer.email })).toHaveLength(0);

      // Morning comes.
      clock.set(new Date('2026-01-16T13:00:05Z'));
      await job.promote();
      await waitFor(async () => settled(await notifier.ledger.get(deliveryId), ['sent']));
      expect(await sandbox.listMail({ to: peer.email })).toHaveLength(1);
    } finally {
      clock.set(new Date('2026-01-15T15:00:00Z'));
    }
  });
});

describe('duplicate safety', () => {
  it('sends one introduction per recipient and channel when the same approval arrives three times', async () => {
    const peer = person('peer');
    const newcomer = person('newcomer', { consents: { email: true, sms: true, shareFirstName: true, shareTopics: true } });
    const matchId = uniqueName('match');
    const eventId = uniqueName('evt');
    const match = { matchId, newcomerId: newcomer.subjectId, peerId: peer.subjectId };
    for (let copy = 0; copy < 3; copy += 1) await approve(match, eventId);
    // A later event on the same key is processed after the three copies (one partition, in order).
    const sentinel = { matchId: uniqueName('match'), newcomerId: newcomer.subjectId, peerId: peer.subjectId };
    await publisher.publish([{ ...matchApprovedRecord(env['NOTIFIER_MATCHES_TOPIC'] ?? '', sentinel), key: matchId }]);
    await waitFor(async () => settled(await ledgerOf(sentinel.matchId, peer.subjectId, 'email'), ['sent']), { timeoutMs: 30_000 });
    for (const who of [peer, newcomer]) {
      await waitFor(async () => settled(await ledgerOf(sentinel.matchId, who.subjectId, 'sms'), ['sent', 'delivered']));
      await waitFor(async () => settled(await ledgerOf(matchId, who.subjectId, 'sms'), ['sent', 'delivered']));
      await waitFor(async () => settled(await ledgerOf(matchId, who.subjectId, 'email'), ['sent']));
    }
    await notifier.flushOutbox();

    const mails = await sandbox.listMail();
    for (const who of [peer, newcomer]) {
      const forThisMatch = mails.filter((m) => m.messageId?.includes(deliveryIdFor(matchId, who.subjectId, 'email')));
      expect(forThisMatch).toHaveLength(1);
      const smsSids = (await sandbox.listSms({ to: who.phoneE164 })).map((m) => m.sid);
      const ledgerSms = await ledgerOf(matchId, who.subjectId, 'sms');
      // Two SMS per phone: this match and the sentinel; exactly one belongs to this match.
      expect(smsSids).toHaveLength(2);
      expect(smsSids).toContain(ledgerSms?.providerMessageId);
    }
  });
});

describe('a poison message on the matches topic', () => {
  it('goes to the dead-letter topic with its error, and the next approval is still introduced', async () => {
    const dlq = await readTopics(infra.kafkaBrokers, [`${env['NOTIFIER_KAFKA_GROUP'] ?? ''}.dlq`]);
    try {
      const peer = person('peer', { consents: { email: true, sms: false, shareFirstName: true, shareTopics: true } });
      const newcomer = person('newcomer', { consents: { email: true, sms: false, shareFirstName: true, shareTopics: true } });
      const matchId = uniqueName('match');
      const topic = env['NOTIFIER_MATCHES_TOPIC'] ?? '';
      // Same key as the real approval: one partition, so the approval queues behind the poison message.
      await publisher.publish([{ topic, key: matchId, value: Buffer.from('not a protobuf envelope \u00ff\u00fe'), headers: {} }]);
      await approve({ matchId, newcomerId: newcomer.subjectId, peerId: peer.subjectId });

      await waitFor(async () => settled(await ledgerOf(matchId, peer.subjectId, 'email'), ['sent']), { timeoutMs: 30_000 });
      const deadLettered = await waitFor(() => dlq.records.find((record) => record.key === matchId));
      expect(deadLettered.headers[deadLetterHeaders.errorCode]).toBe('CONTRACTS.ENVELOPE_UNDECODABLE');
      expect(deadLettered.headers[deadLetterHeaders.stage]).toBe('decode');
    } finally {
      await dlq.stop();
    }
  });
});

describe('the List-Unsubscribe link', () => {
  it('shows a button on GET, opts the person out of email on the one-click POST, and later introductions skip email', async () => {
    const peer = person('peer', { consents: { email: true, sms: false, shareFirstName: true, shareTopics: true } });
    const newcomer = person('newcomer', { consents: { email: true, sms: false, shareFirstName: true, shareTopics: true } });
    await approve({ matchId: uniqueName('match'), newcomerId: newcomer.subjectId, peerId: peer.subjectId });
    const [mail] = await sandbox.waitForMail(peer.email, { timeoutMs: 30_000 });
    const url = /^<(.+)>$/.exec(mail?.headers['list-unsubscribe'] ?? '')?.[1] ?? '';

    const form = await fetch(url);
    expect(form.status).toBe(200);
    expect(await form.text()).toContain('<form method="post">');
    const later = uniqueName('match');
    const oneClick = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'List-Unsubscribe=One-Click' });
    expect(oneClick.status).toBe(200);

    await approve({ matchId: later, newcomerId: newcomer.subjectId, peerId: peer.subjectId });
    await waitFor(async () => settled(await ledgerOf(later, newcomer.subjectId, 'email'), ['sent']), { timeoutMs: 30_000 });
    expect(await ledgerOf(later, peer.subjectId, 'email')).toMatchObject({ status: 'suppressed', reason: 'no_consent' });
    expect(await sandbox.listMail({ to: peer.email })).toHaveLength(1);
  });

  it('answers 404 to a link that names no delivery, and records nothing', async () => {
    const response = await fetch(`${notifier.url}/unsubscribe/dlv_${'0'.repeat(32)}`, { method: 'POST' });
    expect(response.status).toBe(404);
  });
});
