// `pnpm --filter @kindred/notifier bench [--matches N] [--concurrency C] [--rate R] [--seconds S]`
// Introductions per second through the notifier's workers (real Redis, MongoDB-wire server, the sandbox's SMTP and
// SMS on loopback), beside a bare BullMQ no-op worker at the same concurrency on the same Redis in the same run, and
// approval-to-send latency (MatchApproved published on Kafka → provider accepted) at a paced rate.
import { Queue, Worker } from 'bullmq';
import { infraUp } from '@kindred/infra-native';
import { createKafka, createLogger, createRecordPublisher, ensureTopics, loadConfig } from '@kindred/platform';
import { uniqueName } from '@kindred/testkit';
import { introduceMatch, notifierConfigSchema, redisConnectionOptions, startNotifier, type DeliveryDocument, type RunningNotifier } from '@kindred/notifier';
import { startContactDirectoryTestServer, type ContactDirectoryTestServer } from '../test/support/contact-directory.test-server.js';
import { matchApprovedRecord } from '../test/support/match-events.js';

function argument(name: string, fallback: number): number {
  const index = process.argv.indexOf(`--${name}`);
  const value = index >= 0 ? Number(process.argv[index + 1]) : fallback;
  if (!Number.isFinite(value) || value <= 0) throw new Error(`--${name} must be a positive number`);
  return value;
}

const matches = argument('matches', 250);
const concurrency = argument('concurrency', 20);
const rate = argument('rate', 20);
const seconds = argument('seconds', 10);
const log = createLogger({ service: 'notifier-bench', level: 'silent' });
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? Number.NaN;
}

async function until(probe: () => Promise<boolean>, timeoutMs: number, what: string, intervalMs = 25): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await probe())) {
    if (Date.now() > deadline) throw new Error(`bench: timed out waiting for ${what}`);
    await sleep(intervalMs);
  }
}

/** Polls Redis, not the database: the probe must not load the MongoDB-wire server the notifier is measured on. */
async function drained(notifier: RunningNotifier): Promise<boolean> {
  const counts = await notifier.queues.counts();
  return Object.values(counts).every((c) => c.waiting + c.active + c.delayed === 0);
}

async function settledOrThrow(notifier: RunningNotifier, matchIds: readonly string[], expected: number): Promise<DeliveryDocument[]> {
  const deliveries = await notifier.ledger.findByMatches(matchIds);
  const unsent = deliveries.filter((d) => d.status !== 'sent' && d.status !== 'delivered');
  if (deliveries.length !== expected || unsent.length > 0) {
    throw new Error(`bench: ${deliveries.length}/${expected} deliveries recorded, ${unsent.length} not sent (${unsent.map((d) => d.status).join(', ')})`);
  }
  return deliveries;
}

let counter = 0;
function people(directory: ContactDirectoryTestServer) {
  counter += 1;
  const suffix = `${process.pid}${String(counter).padStart(6, '0')}`;
  const make = (kind: 'peer' | 'newcomer', digit: string) =>
    directory.add({
      subjectId: `${kind}_${suffix}`,
      kind,
      firstName: kind === 'peer' ? 'Rosa' : 'Ana',
      email: `${kind}.${suffix}@bench.example.org`,
      phoneE164: `+1${digit}${suffix.slice(-9).padStart(9, '0')}`,
      locale: counter % 2 === 0 ? 'en' : 'es',
      timeZone: 'UTC',
      consents: { email: true, sms: true, shareFirstName: true, shareTopics: true },
    });
  return { peer: make('peer', '5'), newcomer: make('newcomer', '6') };
}

async function notifierThroughput(notifier: RunningNotifier, directory: ContactDirectoryTestServer): Promise<{ deliveries: number; perSecond: number }> {
  await Promise.all(notifier.workers.workers.map((worker) => worker.pause()));
  const ids: string[] = [];
  for (let i = 0; i < matches; i += 1) {
    const { peer, newcomer } = people(directory);
    const matchId = uniqueName('bench_match');
    ids.push(matchId);
    await introduceMatch(notifier.introduceDeps, { matchId, peerId: peer.subjectId, newcomerId: newcomer.subjectId, sharedTopics: [], shareTopicsConsented: false }, '', log);
  }
  const started = performance.now();
  for (const worker of notifier.workers.workers) worker.resume();
  await until(() => drained(notifier), 600_000, 'every introduction to be sent');
  const elapsed = (performance.now() - started) / 1000;
  await settledOrThrow(notifier, ids, matches * 4);
  return { deliveries: matches * 4, perSecond: (matches * 4) / elapsed };
}

async function noopThroughput(redisUrl: string, jobs: number): Promise<number> {
  const prefix = uniqueName('bench_noop');
  const queue = new Queue('noop', { connection: redisConnectionOptions(redisUrl, { enableOfflineQueue: false }), prefix });
  await queue.waitUntilReady();
  const worker = new Worker('noop', () => Promise.resolve(), {
    connection: redisConnectionOptions(redisUrl, { maxRetriesPerRequest: null }),
    prefix,
    concurrency: concurrency * 2, // the notifier runs one worker per channel at `concurrency` each
    autorun: false,
    removeOnComplete: { count: 1000 },
  });
  for (let i = 0; i < jobs; i += 500) {
    await queue.addBulk(Array.from({ length: Math.min(500, jobs - i) }, (_, k) => ({ name: 'noop', data: { deliveryId: `dlv_${i + k}` } })));
  }
  let done = 0;
  worker.on('completed', () => {
    done += 1;
  });
  const started = performance.now();
  void worker.run();
  await until(() => Promise.resolve(done >= jobs), 120_000, 'the no-op jobs');
  const perSecond = jobs / ((performance.now() - started) / 1000);
  await worker.close();
  await queue.obliterate({ force: true });
  await queue.close();
  return perSecond;
}

async function approvalLatency(notifier: RunningNotifier, directory: ContactDirectoryTestServer, brokers: readonly string[], topic: string) {
  const publisher = await createRecordPublisher(createKafka({ brokers, clientId: 'notifier-bench', log }));
  const approvedAt = new Map<string, number>();
  const total = Math.round(rate * seconds);
  const started = Date.now();
  for (let i = 0; i < total; i += 1) {
    const due = started + (i * 1000) / rate;
    if (due > Date.now()) await sleep(due - Date.now());
    const { peer, newcomer } = people(directory);
    const matchId = uniqueName('bench_latency');
    approvedAt.set(matchId, Date.now());
    await publisher.publish([matchApprovedRecord(topic, { matchId, peerId: peer.subjectId, newcomerId: newcomer.subjectId })]);
  }
  const ids = [...approvedAt.keys()];
  // The consumer may still be planning the last approvals: wait until all are in the ledger, then until sent.
  await until(async () => (await notifier.ledger.findByMatches(ids)).length === ids.length * 4, 300_000, 'every approval to be planned', 250);
  await until(() => drained(notifier), 300_000, 'the paced introductions');
  const deliveries = await settledOrThrow(notifier, ids, ids.length * 4);
  await publisher.disconnect();
  const latencies = deliveries.map((d) => (d.sentAt?.getTime() ?? Number.NaN) - (approvedAt.get(d.matchId) ?? Number.NaN)).sort((a, b) => a - b);
  return { deliveries: latencies.length, p50: percentile(latencies, 50), p99: percentile(latencies, 99) };
}

/** Mean and bucket-bound p50/p99 of the acceptance-to-record window, read from the notifier's own /metrics. */
async function recordWindow(notifier: RunningNotifier): Promise<Record<string, { count: number; meanMs: number; p50MsAtMost: number; p99MsAtMost: number }>> {
  const text = await (await fetch(`${notifier.url}/metrics`)).text();
  const out: Record<string, { count: number; meanMs: number; p50MsAtMost: number; p99MsAtMost: number }> = {};
  for (const channel of ['email', 'sms']) {
    const value = (suffix: string) => Number(new RegExp(`notifier_acceptance_to_record_seconds_${suffix}\\{[^}]*channel="${channel}"[^}]*\\} (\\S+)`).exec(text)?.[1] ?? 'NaN');
    const count = value('count');
    const buckets = text
      .split('\n')
      .filter((line) => line.startsWith('notifier_acceptance_to_record_seconds_bucket{') && line.includes(`channel="${channel}"`))
      .map((line) => ({ le: Number(/le="([^"]+)"/.exec(line)?.[1]), cumulative: Number(line.split(' ').pop()) }));
    const bound = (q: number) => (buckets.find((b) => b.cumulative >= q * count)?.le ?? Number.POSITIVE_INFINITY) * 1000;
    out[channel] = { count, meanMs: Number(((value('sum') / count) * 1000).toFixed(2)), p50MsAtMost: bound(0.5), p99MsAtMost: bound(0.99) };
  }
  return out;
}

export async function main(): Promise<void> {
  const infra = await infraUp({ requireSandbox: true, log: () => undefined });
  if (!infra.smtpUrl || !infra.sandboxUrl) throw new Error('bench: the SMTP/SMS sandbox is not running');
  const directory = await startContactDirectoryTestServer();
  const unique = uniqueName('notifier_bench');
  const env = {
    NOTIFIER_HTTP_PORT: '0',
    MONGO_URL: infra.mongoUrl,
    NOTIFIER_DB_NAME: unique,
    KAFKA_BROKERS: infra.kafkaBrokers,
    NOTIFIER_KAFKA_GROUP: `${unique}_group`,
    NOTIFIER_MATCHES_TOPIC: `${unique}.matches`,
    NOTIFIER_DELIVERIES_TOPIC: `${unique}.deliveries`,
    REDIS_URL: infra.redisUrl,
    NOTIFIER_QUEUE_PREFIX: unique,
    INTAKE_GRPC_ADDR: directory.address,
    SMTP_URL: infra.smtpUrl,
    TWILIO_ACCOUNT_SID: `AC${'0'.repeat(32)}`,
    TWILIO_AUTH_TOKEN: infra.twilioAuthToken,
    TWILIO_FROM: '+15005550006',
    TWILIO_API_BASE_URL: infra.sandboxUrl,
    NOTIFIER_SENDING_WINDOW: '00:00-24:00',
    // The providers' rate limits are lifted: this measures the notifier, not a configured cap.
    EMAIL_MAX_PER_SECOND: '100000',
    SMS_MAX_PER_SECOND: '100000',
    EMAIL_CONCURRENCY: String(concurrency),
    SMS_CONCURRENCY: String(concurrency),
    EMAIL_MAX_CONNECTIONS: '10',
    NOTIFIER_COORDINATOR_TOKEN: 'bench-coordinator-token-0000000',
    LOG_LEVEL: 'silent',
  };
  await ensureTopics(createKafka({ brokers: infra.kafkaBrokers.split(','), clientId: 'notifier-bench-admin', log }), [env.NOTIFIER_MATCHES_TOPIC, env.NOTIFIER_DELIVERIES_TOPIC]);

  const notifier = await startNotifier({ config: loadConfig('notifier', notifierConfigSchema, env), log });
  try {
    const sent = await notifierThroughput(notifier, directory);
    const window = await recordWindow(notifier);
    const noop = await noopThroughput(infra.redisUrl, sent.deliveries);
    const latency = await approvalLatency(notifier, directory, infra.kafkaBrokers.split(','), env.NOTIFIER_MATCHES_TOPIC);
    const result = {
      machine: `${(await import('node:os')).cpus().length} cores, Node ${process.version}, mongo: ${infra.mongoServer}`,
      concurrencyPerChannel: concurrency,
      throughput: {
        introductions: sent.deliveries,
        notifierPerSecond: Math.round(sent.perSecond),
        bareBullmqNoopPerSecond: Math.round(noop),
        ratio: Number((sent.perSecond / noop).toFixed(4)),
      },
      acceptanceToLedgerWrite: window,
      approvalToSend: { ratePerSecond: rate, matches: rate * seconds, deliveries: latency.deliveries, p50Ms: Math.round(latency.p50), p99Ms: Math.round(latency.p99) },
    };
    console.log(JSON.stringify(result, null, 2));
  } finally {
    await notifier.stop();
    await directory.close();
  }
}

await main();
