import { Redis } from 'ioredis';
import { Kafka, logLevel } from 'kafkajs';
import { MongoClient } from 'mongodb';
import { randomUUID } from 'node:crypto';

/** Throws unless the broker answers metadata requests and a consumer group can join (group coordinator up). */
export async function probeKafka(brokers: string, timeoutMs: number): Promise<void> {
  const kafka = new Kafka({
    clientId: 'kindred-infra-probe',
    brokers: brokers.split(','),
    logLevel: logLevel.NOTHING,
    connectionTimeout: Math.min(timeoutMs, 3_000),
    retry: { retries: 2, initialRetryTime: 200 },
  });
  const admin = kafka.admin();
  await admin.connect();
  try {
    await admin.describeCluster();
  } finally {
    await admin.disconnect();
  }
  // A short fetch wait: disconnect waits for the in-flight fetch, and the default 5 s would make every probe slow.
  const consumer = kafka.consumer({
    groupId: 'kindred-infra-readiness',
    sessionTimeout: 10_000,
    rebalanceTimeout: 10_000,
    maxWaitTimeInMs: 100,
  });
  try {
    await consumer.connect();
    await consumer.subscribe({ topics: ['kindred.infra.readiness'] });
    const joined = new Promise<void>((resolveJoin) => {
      consumer.on(consumer.events.GROUP_JOIN, () => resolveJoin());
    });
    const crashed = new Promise<never>((_, reject) => {
      consumer.on(consumer.events.CRASH, (event) => reject(event.payload.error));
    });
    await consumer.run({ eachMessage: () => Promise.resolve() });
    await withTimeout(Promise.race([joined, crashed]), timeoutMs, 'consumer group join');
  } finally {
    await consumer.disconnect();
  }
}

/** Produces one message and reads it back through a fresh consumer group: the proof kafkajs works with the broker. */
export async function kafkaRoundTrip(brokers: string, timeoutMs: number): Promise<{ topic: string; value: string }> {
  const kafka = new Kafka({ clientId: 'kindred-infra-roundtrip', brokers: brokers.split(','), logLevel: logLevel.NOTHING });
  const topic = `kindred.infra.roundtrip.${randomUUID()}`;
  const value = randomUUID();
  const admin = kafka.admin();
  await admin.connect();
  try {
    await admin.createTopics({ topics: [{ topic, numPartitions: 3, replicationFactor: 1 }], waitForLeaders: true });
  } finally {
    await admin.disconnect();
  }
  const producer = kafka.producer({ allowAutoTopicCreation: false });
  await producer.connect();
  try {
    await producer.send({ topic, acks: -1, messages: [{ key: 'roundtrip', value }] });
  } finally {
    await producer.disconnect();
  }
  const consumer = kafka.consumer({ groupId: `kindred-infra-roundtrip-${randomUUID()}`, maxWaitTimeInMs: 100 });
  await consumer.connect();
  try {
    await consumer.subscribe({ topics: [topic], fromBeginning: true });
    const received = new Promise<string>((resolveMessage) => {
      void consumer.run({
        eachMessage: ({ message }) => {
          resolveMessage(message.value?.toString() ?? '');
          return Promise.resolve();
        },
      });
    });
    return { topic, value: await withTimeout(received, timeoutMs, 'round-trip consume') };
  } finally {
    await consumer.disconnect();
    const cleanup = kafka.admin();
    await cleanup.connect();
    await cleanup.deleteTopics({ topics: [topic] }).catch(() => undefined);
    await cleanup.disconnect();
  }
}

export async function probeMongo(url: string, timeoutMs: number): Promise<void> {
  const client = new MongoClient(url, { serverSelectionTimeoutMS: timeoutMs, connectTimeoutMS: timeoutMs, directConnection: true });
  try {
    await client.connect();
    const reply = await client.db('admin').command({ ping: 1 });
    if (reply['ok'] !== 1) throw new Error(`ping answered ${JSON.stringify(reply)}`);
  } finally {
    await client.close();
  }
}

export async function probeRedis(url: string, timeoutMs: number): Promise<void> {
  const redis = new Redis(url, {
    lazyConnect: true,
    connectTimeout: timeoutMs,
    maxRetriesPerRequest: 0,
    enableOfflineQueue: false,
    retryStrategy: () => null,
  });
  redis.on('error', () => {});
  try {
    await redis.connect();
    const pong: string = await redis.ping();
    if (pong !== 'PONG') throw new Error(`PING answered ${pong}`);
  } finally {
    redis.disconnect();
  }
}

export async function probeHttpHealth(url: string, timeoutMs: number): Promise<void> {
  const response = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
  if (response.status !== 200) throw new Error(`GET ${url} answered ${response.status}`);
}

async function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not finish within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
