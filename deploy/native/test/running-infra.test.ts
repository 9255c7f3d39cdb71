import { Redis } from 'ioredis';
import { Kafka, logLevel } from 'kafkajs';
import { MongoClient } from 'mongodb';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { infraStatus, kafkaRoundTrip, readInfraEndpoints, type InfraEndpoints } from '#src/index.js';

// The global setup guarantees the infrastructure is up while tests run; these check what it promises.
describe('the running native infrastructure', () => {
  let endpoints: InfraEndpoints;
  beforeAll(() => {
    endpoints = readInfraEndpoints();
  });

  it('reports every server healthy, with the pids in infra.json', async () => {
    const statuses = await infraStatus();
    expect(statuses.map((status) => [status.name, status.state])).toEqual([
      ['redis', 'healthy'],
      ['mongo', 'healthy'],
      ['kafka', 'healthy'],
      ['sandbox', 'healthy'],
    ]);
    for (const status of statuses) expect(status.pid).toBe(endpoints.pids[status.name]);
  });

  it('answers MongoDB ping on mongoUrl', async () => {
    const client = new MongoClient(endpoints.mongoUrl, { serverSelectionTimeoutMS: 5_000 });
    try {
      expect((await client.db('admin').command({ ping: 1 }))['ok']).toBe(1);
    } finally {
      await client.close();
    }
  });

  it('runs Redis the way BullMQ needs it: AOF on, no eviction', async () => {
    const redis = new Redis(endpoints.redisUrl, { lazyConnect: true });
    try {
      await redis.connect();
      expect(await redis.config('GET', 'appendonly')).toEqual(['appendonly', 'yes']);
      expect(await redis.config('GET', 'maxmemory-policy')).toEqual(['maxmemory-policy', 'noeviction']);
    } finally {
      redis.disconnect();
    }
  });

  it('answers GET /healthz on the sandbox', async () => {
    expect(endpoints.sandboxUrl).not.toBeNull();
    const response = await fetch(`${endpoints.sandboxUrl ?? ''}/healthz`);
    expect(response.status).toBe(200);
  });
});

// Proof that kafkajs 2.2.4 works with the broker version the launcher runs (README explains the choice).
describe('kafkajs against the running Kafka', () => {
  let kafka: Kafka;
  beforeAll(() => {
    kafka = new Kafka({ clientId: 'infra-native-test', brokers: readInfraEndpoints().kafkaBrokers.split(','), logLevel: logLevel.NOTHING });
  });

  it('produces a message and reads it back in a consumer group', async () => {
    const { value } = await kafkaRoundTrip(readInfraEndpoints().kafkaBrokers, 30_000);
    expect(value).toMatch(/^[0-9a-f-]{36}$/);
  });

  describe('with committed offsets and transactions', () => {
    const topic = `infra-native-test.${randomUUID()}`;
    const groupId = `infra-native-test-${randomUUID()}`;

    beforeAll(async () => {
      const admin = kafka.admin();
      await admin.connect();
      await admin.createTopics({ topics: [{ topic, numPartitions: 1 }], waitForLeaders: true });
      await admin.disconnect();
    });
    afterAll(async () => {
      const admin = kafka.admin();
      await admin.connect();
      await admin.deleteTopics({ topics: [topic] });
      await admin.disconnect();
    });

    const consumeUntil = async (count: number): Promise<string[]> => {
      const consumer = kafka.consumer({ groupId, maxWaitTimeInMs: 100 });
      const seen: string[] = [];
      await consumer.connect();
      await consumer.subscribe({ topics: [topic], fromBeginning: true });
      await new Promise<void>((resolveAll, reject) => {
        consumer.on(consumer.events.CRASH, (event) => reject(event.payload.error));
        void consumer.run({
          autoCommit: false,
          eachMessage: async ({ message, partition }) => {
            seen.push(message.value?.toString() ?? '');
            await consumer.commitOffsets([{ topic, partition, offset: (BigInt(message.offset) + 1n).toString() }]);
            if (seen.length >= count) resolveAll();
          },
        });
      });
      await consumer.disconnect();
      return seen;
    };

    it('resumes a group after its committed offset, and reads only committed transactions', async () => {
      const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
      await producer.connect();
      await producer.send({ topic, acks: -1, messages: [{ key: 'k', value: 'one' }, { key: 'k', value: 'two' }] });
      await producer.disconnect();
      expect(await consumeUntil(2)).toEqual(['one', 'two']);

      const transactional = kafka.producer({ transactionalId: `infra-native-test-${randomUUID()}`, idempotent: true, maxInFlightRequests: 1 });
      await transactional.connect();
      const aborted = await transactional.transaction();
      await aborted.send({ topic, messages: [{ key: 'k', value: 'aborted' }] });
      await aborted.abort();
      const committed = await transactional.transaction();
      await committed.send({ topic, messages: [{ key: 'k', value: 'three' }] });
      await committed.commit();
      await transactional.disconnect();

      expect(await consumeUntil(1)).toEqual(['three']);

      const admin = kafka.admin();
      await admin.connect();
      const [offsets] = await admin.fetchOffsets({ groupId, topics: [topic] });
      await admin.disconnect();
      // Offsets 0-1 one, two; 2 the aborted record; 3 its abort marker; 4 three: the group commits past it.
      expect(offsets?.partitions[0]?.offset).toBe('5');
    });
  });
});
