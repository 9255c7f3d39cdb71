// The raw floor under Kindred's figures, measured on the same servers in the same run: a kafkajs produce → consume
// round trip (acks=all, as the outbox relays publish) and a BullMQ no-op worker (add → processed, and jobs/s).
import { randomBytes } from 'node:crypto';
import { Queue, Worker, type ConnectionOptions } from 'bullmq';
import type { Kafka } from 'kafkajs';
import { ensureTopics } from '@kindred/platform';
import { summarize, type LatencySummary } from './journey-stats.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function until(probe: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!probe()) {
    if (Date.now() > deadline) throw new Error(`baseline: timed out waiting for ${what}`);
    await sleep(20);
  }
}

export interface KafkaBaseline {
  readonly roundTrip: LatencySummary;
  readonly pacedPerS: number;
  /** Produce (batches of 500, acks=all) → consume, end to end. */
  readonly messagesPerS: number;
  readonly throughputMessages: number;
}

export async function kafkaBaseline(kafka: Kafka, topic: string, group: string, options = { paced: 300, ratePerS: 50, burst: 20_000 }): Promise<KafkaBaseline> {
  await ensureTopics(kafka, [topic]);
  const received = new Map<string, number>();
  const consumer = kafka.consumer({ groupId: group });
  const producer = kafka.producer({ maxInFlightRequests: 1 });
  await Promise.all([consumer.connect(), producer.connect()]);
  let joined = false;
  consumer.on(consumer.events.GROUP_JOIN, () => {
    joined = true;
  });
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({
      eachMessage: ({ message }) => {
        received.set(message.key?.toString() ?? '', Date.now());
        return Promise.resolve();
      },
    });
    await until(() => joined, 60_000, 'the baseline consumer to join its group');
    // One message through first: the first fetch after a join is not what a running consumer sees.
    await producer.send({ topic, acks: -1, messages: [{ key: 'warm-up', value: 'x' }] });
    await until(() => received.has('warm-up'), 30_000, 'the warm-up message');

    const sentAt = new Map<string, number>();
    const start = Date.now();
    for (let i = 0; i < options.paced; i += 1) {
      const due = start + (i * 1000) / options.ratePerS;
      if (due > Date.now()) await sleep(due - Date.now());
      const key = `p${i}-${randomBytes(3).toString('hex')}`;
      sentAt.set(key, Date.now());
      await producer.send({ topic, acks: -1, messages: [{ key, value: Buffer.alloc(300, 1) }] });
    }
    await until(() => [...sentAt.keys()].every((k) => received.has(k)), 60_000, 'the paced messages');
    const roundTrip = summarize([...sentAt].map(([k, t]) => received.get(k)! - t));

    const burstKeys: string[] = [];
    const burstStart = Date.now();
    for (let i = 0; i < options.burst; i += 500) {
      const messages = Array.from({ length: Math.min(500, options.burst - i) }, (_, k) => {
        const key = `b${i + k}`;
        burstKeys.push(key);
        return { key, value: Buffer.alloc(300, 1) };
      });
      await producer.sendBatch({ acks: -1, topicMessages: [{ topic, messages }] });
    }
    await until(() => burstKeys.every((k) => received.has(k)), 120_000, 'the burst of messages');
    const lastAt = Math.max(...burstKeys.map((k) => received.get(k)!));
    return { roundTrip, pacedPerS: options.ratePerS, messagesPerS: options.burst / ((lastAt - burstStart) / 1000), throughputMessages: options.burst };
  } finally {
    await Promise.allSettled([consumer.disconnect(), producer.disconnect()]);
  }
}

export interface BullmqBaseline {
  readonly concurrency: number;
  readonly addToProcessed: LatencySummary;
  readonly pacedPerS: number;
  readonly jobsPerS: number;
  readonly throughputJobs: number;
}

export function redisConnection(redisUrl: string, extra: Record<string, unknown>): ConnectionOptions {
  const url = new URL(redisUrl);
  const db = url.pathname.replace(/^\//, '');
  return {
    host: url.hostname,
    port: Number(url.port || 6379),
    ...(url.password ? { password: decodeURIComponent(url.password) } : {}),
    ...(db !== '' ? { db: Number(db) } : {}),
    ...extra,
  };
}

export async function bullmqBaseline(redisUrl: string, prefix: string, options = { concurrency: 10, paced: 300, ratePerS: 50, burst: 5_000 }): Promise<BullmqBaseline> {
  const queue = new Queue('noop', { connection: redisConnection(redisUrl, { enableOfflineQueue: false }), prefix });
  await queue.waitUntilReady();
  const latencies: number[] = [];
  let completed = 0;
  const worker = new Worker<{ addedAt: number }>('noop', () => Promise.resolve(), {
    connection: redisConnection(redisUrl, { maxRetriesPerRequest: null }),
    prefix,
    concurrency: options.concurrency,
    removeOnComplete: { count: 100 },
  });
  worker.on('completed', (job) => {
    completed += 1;
    if (job.data.addedAt > 0) latencies.push(Date.now() - job.data.addedAt);
  });
  try {
    await worker.waitUntilReady();
    const start = Date.now();
    for (let i = 0; i < options.paced; i += 1) {
      const due = start + (i * 1000) / options.ratePerS;
      if (due > Date.now()) await sleep(due - Date.now());
      await queue.add('noop', { addedAt: Date.now() });
    }
    await until(() => completed >= options.paced, 60_000, 'the paced no-op jobs');

    await worker.pause();
    for (let i = 0; i < options.burst; i += 500) {
      await queue.addBulk(Array.from({ length: Math.min(500, options.burst - i) }, () => ({ name: 'noop', data: { addedAt: 0 } })));
    }
    const before = completed;
    const burstStart = Date.now();
    worker.resume();
    await until(() => completed - before >= options.burst, 120_000, 'the burst of no-op jobs');
    return {
      concurrency: options.concurrency,
      addToProcessed: summarize(latencies),
      pacedPerS: options.ratePerS,
      jobsPerS: options.burst / ((Date.now() - burstStart) / 1000),
      throughputJobs: options.burst,
    };
  } finally {
    await worker.close();
    await queue.obliterate({ force: true }).catch(() => undefined);
    await queue.close();
  }
}
