import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import twilio from 'twilio';
import { InMemorySpanExporter, startTracing, type Tracing } from '@kindred/platform';
import { sandboxClient } from '@kindred/sandbox';
import { readTopics, testInfra, uniqueName, waitFor, type TopicReader } from '@kindred/testkit';
import { startNotifier, type RunningNotifier } from '../../src/notifier.app.js';
import { deliveryIdFor } from '../../src/domain/plan-introduction.js';
import { introduceMatch } from '../../src/use-cases/introduce-match.js';
import { startContactDirectoryTestServer, type ContactDirectoryTestServer, type TestPerson } from '../support/contact-directory.test-server.js';
import { deliveryEventsFor } from '../support/match-events.js';
import { addTestPerson, createTestTopics, notifierTestConfig, notifierTestEnv, TEST_FROM, testLogger } from '../support/notifier-harness.js';

const infra = testInfra();
const sandbox = sandboxClient(infra.sandboxUrl ?? '');
const log = testLogger();

let directory: ContactDirectoryTestServer;
let notifier: RunningNotifier;
let deliveriesReader: TopicReader;
const spans = new InMemorySpanExporter();
let tracing: Tracing;

const person = (kind: TestPerson['kind'], consents: Partial<TestPerson['consents']> = {}): TestPerson =>
  addTestPerson(directory, kind, { consents: { email: false, sms: true, shareFirstName: true, shareTopics: true, ...consents } });

/** Plans and sends a match's introductions directly through the use case (no Kafka needed here). */
async function introduce(peer: TestPerson, newcomer: TestPerson) {
  const matchId = uniqueName('match');
  await introduceMatch(notifier.introduceDeps, { matchId, peerId: peer.subjectId, newcomerId: newcomer.subjectId, sharedTopics: [], shareTopicsConsented: false }, '', log);
  return matchId;
}

const inboundUrl = () => `${notifier.publicUrl}/webhooks/twilio/inbound`;

beforeAll(async () => {
  tracing = startTracing({ service: 'notifier', exporter: spans, scheduledDelayMs: 10 });
  directory = await startContactDirectoryTestServer();
  const env = notifierTestEnv('notifier_webhooks', directory.address);
  await createTestTopics(env, log);
  // Daytime everywhere is not guaranteed by the wall clock: a window of the whole day keeps quiet hours out of this file.
  notifier = await startNotifier({ config: notifierTestConfig({ ...env, NOTIFIER_SENDING_WINDOW: '00:00-24:00' }), log });
  deliveriesReader = await readTopics(infra.kafkaBrokers, [env['NOTIFIER_DELIVERIES_TOPIC'] ?? '']);
});

afterAll(async () => {
  await deliveriesReader?.stop();
  await notifier?.stop();
  await directory?.close();
  await tracing?.shutdown();
});

describe('inbound SMS keywords', () => {
  it('STOP from the sandbox turns SMS off for that person, and the next introduction skips SMS', async () => {
    const peer = person('peer');
    const reply = await sandbox.inboundSms({ from: peer.phoneE164, to: TEST_FROM, body: 'Stop', webhookUrl: inboundUrl() });
    expect(reply.status).toBe(200);
    expect(directory.people.get(peer.subjectId)?.consents.sms).toBe(false);
    expect(directory.calls).toContainEqual({ method: 'SetSmsConsentByPhone', key: peer.phoneE164, purpose: 'sms_keyword_stop' });

    const newcomer = person('newcomer', { sms: false, email: true });
    const matchId = await introduce(peer, newcomer);
    const sms = await notifier.ledger.get(deliveryIdFor(matchId, peer.subjectId, 'sms'));
    expect(sms).toMatchObject({ status: 'suppressed', reason: 'no_consent' });
    expect(await sandbox.listSms({ to: peer.phoneE164 })).toHaveLength(0);
  });

  it('each webhook request is a span named by its route, with the directory call it made inside it, and no phone number', async () => {
    const peer = person('peer');
    expect((await sandbox.inboundSms({ from: peer.phoneE164, to: TEST_FROM, body: 'STOP', webhookUrl: inboundUrl() })).status).toBe(200);
    const { request, directoryCall } = await waitFor(async () => {
      await tracing.flush();
      const finished = spans.getFinishedSpans();
      const request = finished.find((s) => s.name === 'POST /webhooks/twilio/inbound');
      const directoryCall = finished.find(
        (s) => s.name === 'kindred.intake.v1.ContactDirectory/SetSmsConsentByPhone' && s.parentSpanContext?.spanId === request?.spanContext().spanId,
      );
      return request && directoryCall ? { request, directoryCall } : undefined;
    }, { description: 'the webhook request span and the directory call under it' });
    expect(request.attributes['http.response.status_code']).toBe(200);
    expect(directoryCall.spanContext().traceId).toBe(request.spanContext().traceId);
    const digits = peer.phoneE164.replace(/\D/g, '').slice(-7);
    expect(JSON.stringify(spans.getFinishedSpans().map((s) => [s.name, s.attributes]))).not.toContain(digits);
  });

  it('START turns SMS back on; HELP answers with help text and changes nothing', async () => {
    const peer = person('peer', { sms: false });
    const help = await sandbox.inboundSms({ from: peer.phoneE164, to: TEST_FROM, body: 'help', webhookUrl: inboundUrl() });
    expect(help.status).toBe(200);
    expect(help.body).toContain('Reply STOP to opt out');
    expect(directory.people.get(peer.subjectId)?.consents.sms).toBe(false);

    await sandbox.inboundSms({ from: peer.phoneE164, to: TEST_FROM, body: 'UNSTOP', webhookUrl: inboundUrl() });
    expect(directory.people.get(peer.subjectId)?.consents.sms).toBe(true);
  });

  it.each(['STOPALL', 'UNSUBSCRIBE', 'CANCEL', 'END', 'QUIT', 'REVOKE', 'OPTOUT'])('treats %s as an opt-out', async (word) => {
    const peer = person('peer');
    await sandbox.inboundSms({ from: peer.phoneE164, to: TEST_FROM, body: ` ${word.toLowerCase()} `, webhookUrl: inboundUrl() });
    expect(directory.people.get(peer.subjectId)?.consents.sms).toBe(false);
  });

  it('rejects an inbound SMS without a valid signature, and changes nothing', async () => {
    const peer = person('peer');
    const params = { From: peer.phoneE164, To: TEST_FROM, Body: 'STOP', MessageSid: 'SM00000000000000000000000000000000' };
    const forged = twilio.getExpectedTwilioSignature('not-the-auth-token', inboundUrl(), params);
    for (const headers of [{}, { 'x-twilio-signature': forged }]) {
      const response = await fetch(inboundUrl(), {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
        body: new URLSearchParams(params).toString(),
      });
      expect(response.status).toBe(403);
    }
    expect(directory.people.get(peer.subjectId)?.consents.sms).toBe(true);
  });
});

describe('Twilio status callbacks', () => {
  it('follow the sandbox callbacks to delivered, and record undelivered as a permanent failure', async () => {
    const peer = person('peer');
    const unlucky = person('peer');
    await sandbox.smsOutcome({ to: unlucky.phoneE164, status: 'undelivered', errorCode: 30003 });
    const newcomer = person('newcomer', { sms: false });
    const matchId = await introduce(peer, newcomer);
    const otherMatch = await introduce(unlucky, newcomer);

    const delivered = await waitFor(async () => {
      const d = await notifier.ledger.get(deliveryIdFor(matchId, peer.subjectId, 'sms'));
      return d?.status === 'delivered' ? d : undefined;
    });
    const [sent] = await sandbox.listSms({ to: peer.phoneE164 });
    expect(delivered.providerMessageId).toBe(sent?.sid);
    const undelivered = await waitFor(async () => {
      const d = await notifier.ledger.get(deliveryIdFor(otherMatch, unlucky.subjectId, 'sms'));
      return d?.status === 'undelivered' ? d : undefined;
    });
    expect(undelivered.reason).toBe('twilio_30003');
    const failed = await waitFor(() => {
      const found = deliveryEventsFor(deliveriesReader.records, otherMatch).failed.filter((f) => f.recipientId === unlucky.subjectId);
      return found.length > 0 ? found : undefined;
    });
    expect(failed.map((f) => ({ code: f.errorCode, permanent: f.permanent }))).toEqual([{ code: 'twilio_30003', permanent: true }]);
  });

  it('answers a forged status callback with 403 and leaves the ledger as it was', async () => {
    const peer = person('peer');
    const newcomer = person('newcomer', { sms: false });
    const matchId = await introduce(peer, newcomer);
    const deliveryId = deliveryIdFor(matchId, peer.subjectId, 'sms');
    const before = await waitFor(async () => {
      const d = await notifier.ledger.get(deliveryId);
      return d?.status === 'delivered' ? d : undefined;
    });

    const url = `${notifier.publicUrl}/webhooks/twilio/status?d=${deliveryId}`;
    const params = { MessageSid: before.providerMessageId ?? '', MessageStatus: 'failed', ErrorCode: '30008' };
    const forged = twilio.getExpectedTwilioSignature('not-the-auth-token', url, params);
    // Signed for another URL (another delivery) with the right token: still forged for this one.
    const replayed = twilio.getExpectedTwilioSignature(infra.twilioAuthToken, `${url}x`, params);
    for (const headers of [{}, { 'x-twilio-signature': forged }, { 'x-twilio-signature': replayed }]) {
      const response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
        body: new URLSearchParams(params).toString(),
      });
      expect(response.status).toBe(403);
    }
    const after = await notifier.ledger.get(deliveryId);
    expect(after?.status).toBe('delivered');
    expect(after?.updatedAt).toEqual(before.updatedAt);
    expect(after?.reason).toBe(before.reason);
  });
});
