import { mkdirSync, rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Kafka, logLevel } from 'kafkajs';
import mongoose from 'mongoose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DELIVERIES_TOPIC, ERASURES_TOPIC, MATCHES_TOPIC, NEWCOMERS_TOPIC, PEERS_TOPIC } from '@kindred/contracts';
import { sandboxClient } from '@kindred/sandbox';
import { testInfra, uniqueName, unlinkRedisKeys, waitFor } from '@kindred/testkit';
import { CanaryMarkers } from './canary-markers.js';
import { ConsoleSession } from '../support/console-session.js';
import { startKindredProcesses, type KindredProcesses } from '../support/kindred-processes.js';
import { emptyTally, findMarkers, searchKafka, searchLogFiles, searchMongo, searchRedis, summaryLine, type PlaintextHit } from './plaintext-search.js';

/*
 * The privacy canary: people whose every PII field holds a unique marker go through the whole journey on the four
 * services (as processes, logging at debug), including the requests that fail; then every log line, every Kafka
 * message of the run, every Redis key of the run and every document of the run's databases is searched, and beyond
 * the run the default topics and databases and every other Redis key. No marker may appear in plaintext. The
 * sandbox's own mailbox and SMS store are not searched: they hold the delivered introductions, which rightly carry a
 * first name, an address and a phone number (the test checks that they do, so the markers demonstrably flowed).
 */

const infra = testInfra();
const runName = uniqueName('canary');
const logDir = fileURLToPath(new URL('../../.kindred/privacy-canary/', import.meta.url));
const markers = new CanaryMarkers();
const noticeVersion = '2026-01';
const anyTime = [0, 1, 2, 3, 4, 5, 6].map((day) => ({ day, start: '00:00', end: '24:00' }));
const calm = { wishToBeDead: false, suicidalThoughts: false, suicidalBehavior: false };
const imminent = { wishToBeDead: true, suicidalThoughts: true, thoughtsWithMethod: true, intentToAct: true, planWithIntent: true, suicidalBehavior: false };
const allConsents = { contactByEmail: true, contactBySms: true, shareFirstName: true, shareTopics: true, noticeVersion };
const e164 = (phone: string) => phone.replace(/\s/g, '');
// What `./kindred up` uses when no run name is given.
const defaultTopics = new Set([NEWCOMERS_TOPIC, PEERS_TOPIC, MATCHES_TOPIC, DELIVERIES_TOPIC, ERASURES_TOPIC, 'kindred-matching.dlq', 'kindred-notifier.dlq']);
const defaultDatabases = ['kindred_intake', 'kindred_matching', 'kindred_notifier'];

const peer = {
  firstName: markers.text('peer firstName'),
  contact: { email: markers.email('peer contact.email'), phone: markers.phone('peer contact.phone') },
  preferredChannel: 'sms',
  locale: 'en',
  timeZone: 'America/Chicago',
  languages: ['en'],
  ageBand: '45_54',
  gender: 'woman',
  topics: ['grief', 'anxiety'],
  meetingModes: ['phone', 'video'],
  availability: anyTime,
  recoveryStartedOn: '2010-01-01',
  capacity: 2,
  certified: true,
  bio: `Ten years on from loss. ${markers.text('peer bio')}`,
  consents: allConsents,
};

const newcomer = (who: string, screener: Record<string, boolean>) => ({
  firstName: markers.text(`${who} firstName`),
  contact: { email: markers.email(`${who} contact.email`), phone: markers.phone(`${who} contact.phone`) },
  preferredChannel: 'sms',
  locale: 'en',
  timeZone: 'America/Chicago',
  languages: ['en'],
  ageBand: '25_34',
  gender: 'woman',
  genderPreference: { kind: 'none', mustHave: false },
  topics: ['grief'],
  meetingModes: ['video'],
  availability: anyTime,
  hopes: `Someone who lost a parent too. ${markers.text(`${who} hopes`)}`,
  consents: allConsents,
  screener,
});
const matched = newcomer('newcomer', calm);
const urgent = newcomer('urgent newcomer', imminent);

let kindred: KindredProcesses | undefined;
let stopped = false;

async function send(method: string, path: string, body: string, headers: Record<string, string> = {}): Promise<{ status: number; json: Record<string, unknown> }> {
  if (!kindred) throw new Error('Kindred is not running');
  const response = await fetch(`${kindred.urls.intake}${path}`, { method, headers: { 'content-type': 'application/json', ...headers }, body });
  const text = await response.text();
  let json: Record<string, unknown> = {};
  try {
    json = JSON.parse(text) as Record<string, unknown>;
  } catch {
    // an HTML page (the forms)
  }
  return { status: response.status, json };
}

async function postForm(url: string, fields: Record<string, string>): Promise<number> {
  const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(fields).toString() });
  await response.arrayBuffer();
  return response.status;
}

beforeAll(async () => {
  rmSync(logDir, { recursive: true, force: true });
  mkdirSync(logDir, { recursive: true });
  kindred = await startKindredProcesses(infra, runName, logDir, {
    // The most talkative level is the strictest test.
    LOG_LEVEL: 'debug',
    // Any hour is a sending hour: quiet hours have their own tests.
    NOTIFIER_SENDING_WINDOW: '00:00-24:00',
    INTAKE_RATE_LIMIT_PER_MINUTE: '1000',
    INTAKE_RELAY_POLL_MS: '100',
    MATCHING_BATCH_WINDOW_MS: '200',
    MATCHING_OUTBOX_INTERVAL_MS: '100',
    OUTBOX_POLL_MS: '100',
    RETRY_BASE_MS: '200',
    SMS_MAX_PER_SECOND: '20',
  });
}, 240_000);

/** Everything the run left on the shared servers goes; its logs stay in .kindred/privacy-canary/ to read. */
afterAll(async () => {
  if (!stopped) await kindred?.stop();
  const kafka = new Kafka({ clientId: 'canary-cleanup', brokers: [...infra.kafkaBrokers], logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  try {
    const topics = (await admin.listTopics()).filter((t) => t.includes(runName));
    if (topics.length > 0) await admin.deleteTopics({ topics, timeout: 30_000 });
    const groups = (await admin.listGroups()).groups.map((g) => g.groupId).filter((g) => g.includes(runName));
    if (groups.length > 0) await admin.deleteGroups(groups).catch(() => undefined); // the stale-resource sweep gets any left
  } finally {
    await admin.disconnect();
  }
  const client = new mongoose.mongo.MongoClient(infra.mongoUrl);
  await client.connect();
  try {
    for (const db of kindred?.databases ?? []) await client.db(db).dropDatabase();
  } finally {
    await client.close();
  }
  await unlinkRedisKeys(infra.redisUrl, `*${runName}*`);
}, 120_000);

/** Everything people and the coordinator do, on the running services. */
async function journey(kindred: KindredProcesses): Promise<void> {
  const { urls } = kindred;
  const sandbox = sandboxClient(infra.sandboxUrl ?? '');
  const key = `canary-${markers.token}`;

  // Enrollment, a profile change, and the newcomers: one to match, one at imminent risk.
  const enrolled = await send('POST', '/v1/peers', JSON.stringify(peer), { 'idempotency-key': `${key}-peer` });
  expect(enrolled.status).toBe(201);
  const peerId = String(enrolled.json['id']);
  const editToken = String(enrolled.json['editToken']);
  const updated = await send('PUT', `/v1/peers/${peerId}`, JSON.stringify({ bio: `Still here. ${markers.text('peer bio (update)')}` }), { authorization: `Bearer ${editToken}` });
  expect(updated.status).toBe(200);
  const registered = await send('POST', '/v1/intakes', JSON.stringify(matched), { 'idempotency-key': `${key}-newcomer` });
  expect(registered.status).toBe(201);
  const flagged = await send('POST', '/v1/intakes', JSON.stringify(urgent), { 'idempotency-key': `${key}-urgent` });
  expect(flagged.status).toBe(201);
  expect(flagged.json['urgent']).toBe(true);

  // The requests that fail, each carrying markers: the paths most tempted to log what they were sent. Invalid
  // fields answer 422, a body that is not JSON 400.
  const rejected = newcomer('rejected newcomer', calm);
  expect((await send('POST', '/v1/intakes', JSON.stringify({ ...rejected, ageBand: 'ageless' }))).status).toBe(422);
  const badContact = {
    ...newcomer('bad-contact newcomer', calm),
    contact: { email: `${markers.text('invalid email')}@@example..org`, phone: `${markers.phone('invalid phone')} ext ${markers.text('invalid phone suffix')}` },
  };
  expect((await send('POST', '/v1/intakes', JSON.stringify(badContact))).status).toBe(422);
  const truncated = JSON.stringify(newcomer('malformed-json newcomer', calm)).slice(0, 400);
  expect((await send('POST', '/v1/intakes', truncated)).status).toBe(400);
  const replayed = await send('POST', '/v1/intakes', JSON.stringify(newcomer('reused-key newcomer', calm)), { 'idempotency-key': `${key}-newcomer` });
  expect(replayed.status).toBe(422);
  expect((await send('PUT', `/v1/peers/${peerId}`, JSON.stringify({ bio: `${markers.text('peer bio (control character)')}\u0007` }), { authorization: `Bearer ${editToken}` })).status).toBe(422);
  expect((await send('PUT', `/v1/peers/${peerId}`, JSON.stringify({ bio: markers.text('peer bio (wrong token)') }), { authorization: 'Bearer not-the-token' })).status).toBeGreaterThanOrEqual(401);
  const incompleteIntake = {
    lang: 'en',
    firstName: markers.text('incomplete form firstName'),
    'contact.email': markers.email('incomplete form contact.email'),
    'contact.phone': markers.phone('incomplete form contact.phone'),
    hopes: markers.text('incomplete form hopes'),
  };
  expect(await postForm(`${urls.intake}/intake`, incompleteIntake)).toBe(422);
  const incompleteEnrollment = { ...incompleteIntake, firstName: markers.text('incomplete peer form firstName'), bio: markers.text('incomplete peer form bio') };
  expect(await postForm(`${urls.intake}/peers/enroll`, incompleteEnrollment)).toBe(422);

  // The form without JavaScript, accepted: a newcomer no peer shares a topic with, so the one proposal stays the
  // JSON newcomer's.
  expect(
    await postForm(`${urls.intake}/intake`, {
      lang: 'en',
      formKey: `canary${markers.token}`,
      firstName: markers.text('form newcomer firstName'),
      'contact.email': markers.email('form newcomer contact.email'),
      'contact.phone': markers.phone('form newcomer contact.phone'),
      preferredChannel: 'email',
      timeZone: 'America/Chicago',
      languages: 'en',
      ageBand: '25_34',
      gender: 'woman',
      'genderPreference.kind': 'none',
      topics: 'substance_use',
      meetingModes: 'video',
      'availability.0.start': '18:00',
      'availability.0.end': '21:00',
      hopes: markers.text('form newcomer hopes'),
      'consents.contactByEmail': 'yes',
      'consents.contactBySms': 'yes',
      'consents.shareFirstName': 'yes',
      'consents.shareTopics': 'yes',
      'screener.wishToBeDead': 'no',
      'screener.suicidalThoughts': 'no',
      'screener.suicidalBehavior': 'no',
    }),
  ).toBe(200);

  // The coordinator approves in the console, over its HTTP routes (so the console's logs count too).
  const coordinator = new ConsoleSession(urls.console);
  await coordinator.signIn('coordinator', kindred.consolePassword);
  const proposals = await waitFor(async () => {
    const ids = await coordinator.queueMatchIds();
    return ids.length > 0 ? ids : undefined;
  }, { timeoutMs: 60_000, intervalMs: 250, description: 'a proposal in the console queue' });
  // One proposal: the newcomer at imminent risk is never proposed.
  expect(proposals).toHaveLength(1);
  const [matchId = ''] = proposals;
  await coordinator.approve(matchId);

  // Both people, by email and SMS: four introductions, delivered (the SMS through signed status callbacks).
  for (const to of [peer.contact.email, matched.contact.email]) await sandbox.waitForMail(to, { timeoutMs: 60_000 });
  for (const to of [peer.contact.phone, matched.contact.phone]) {
    await waitFor(async () => (await sandbox.listSms({ to: e164(to) })).find((m) => m.status === 'delivered'), { timeoutMs: 60_000, description: 'a delivered SMS' });
  }
  await waitFor(async () => ((await coordinator.get(`/matches/${encodeURIComponent(matchId)}`)).html.match(/>delivered<\/span>/g) ?? []).length === 4, {
    timeoutMs: 60_000,
    intervalMs: 250,
    description: 'the console to show four delivered introductions',
  });
  expect((await coordinator.get('/follow-up')).status).toBe(200);
  expect((await coordinator.get('/peers')).status).toBe(200);

  // The canary is alive: the markers reached where they belong. The newcomer's introduction names the peer, went to
  // the newcomer's address, and the text went to the newcomer's phone; the search finds each there.
  const [mail] = await sandbox.listMail({ to: matched.contact.email });
  const [text] = await sandbox.listSms({ to: e164(matched.contact.phone) });
  const delivered = findMarkers(markers, 'sandbox', JSON.stringify({ mail, text })).map((h) => h.field);
  expect(delivered).toEqual(expect.arrayContaining(['peer firstName', 'newcomer contact.email', 'newcomer contact.phone']));

  // The peer replies STOP to the text.
  const stop = await sandbox.inboundSms({ from: e164(peer.contact.phone), to: kindred.twilioFrom, body: 'STOP', webhookUrl: `${urls.notifier}/webhooks/twilio/inbound` });
  expect(stop.status).toBe(200);
}

describe('the privacy canary', () => {
  it('finds no marker of any PII field in any log, Kafka topic, Redis key or database of the run', async () => {
    if (!kindred) throw new Error('Kindred is not running');
    const running = kindred;
    // A service that died mid-journey is named, with its log, instead of leaving a bare timeout.
    await journey(running).catch((error: unknown) => {
      const crashed = running.crashed();
      throw crashed.length === 0 ? error : new Error(`${error instanceof Error ? error.message : String(error)}; ${crashed.join('; ')}`);
    });

    await running.stop();
    stopped = true;

    const run = emptyTally();
    const beyond = emptyTally();
    const ofRun = (name: string) => name.includes(runName);
    const hits: PlaintextHit[] = [
      ...(await searchLogFiles(markers, running.logFiles, run)),
      ...(await searchKafka(markers, infra.kafkaBrokers, ofRun, run)),
      ...(await searchRedis(markers, infra.redisUrl, `*${runName}*`, run)),
      ...(await searchMongo(markers, infra.mongoUrl, running.databases, run)),
      // Where a service that ignored its run name would have written: the default topics and databases, and every
      // other key of the shared Redis (markers are unique to this run, so a hit anywhere is this run's leak).
      ...(await searchKafka(markers, infra.kafkaBrokers, (topic) => defaultTopics.has(topic), beyond)),
      ...(await searchRedis(markers, infra.redisUrl, '*', beyond, ofRun)),
      ...(await searchMongo(markers, infra.mongoUrl, defaultDatabases, beyond)),
    ];
    console.log(summaryLine(run, beyond, hits));
    for (const hit of hits) console.log(`  ${hit.field} at ${hit.where}: …${hit.excerpt}…`);

    // The search looked where the run's data went: every service logged, and each store holds the run's data.
    expect(run.logFiles).toBe(4);
    expect(run.kafkaMessages).toBeGreaterThanOrEqual(4);
    expect(run.redisKeys).toBeGreaterThan(0);
    expect(run.mongoDocuments).toBeGreaterThanOrEqual(3);
    expect(hits.map((h) => `${h.field} at ${h.where}`)).toEqual([]);
  }, 300_000);
});
