import { randomBytes } from 'node:crypto';
import { Kafka, logLevel } from 'kafkajs';
import { Redis } from 'ioredis';
import { MongoClient } from 'mongodb';
import { afterAll, describe, expect, it } from 'vitest';
import { ensureTopics } from '@kindred/platform';
import { removeStaleTestResources, testInfra, uniqueName } from '@kindred/testkit';

const infra = testInfra();
const dayAgo = Date.now() - 86_400_000;
/** A test name as uniqueName would have made it a day ago. */
const oldName = (prefix: string) => `kt_${prefix}_${dayAgo.toString(36)}_${randomBytes(4).toString('hex')}`;
const mongo = new MongoClient(infra.mongoUrl);
const redis = new Redis(infra.redisUrl);

afterAll(async () => {
  await mongo.close();
  redis.disconnect();
});

describe.runIf(infra.mode === 'native')('removing what old test runs left on the local servers', () => {
  it('removes old test topics, databases and Redis keys, and keeps fresh ones and everything else', async () => {
    const kafka = new Kafka({ clientId: 'cleanup-test', brokers: [...infra.kafkaBrokers], logLevel: logLevel.NOTHING });
    const [oldTopic, freshTopic] = [`${oldName('cleanup')}.kindred.intake.newcomers.v1`, `${uniqueName('cleanup')}.kindred.intake.newcomers.v1`];
    await ensureTopics(kafka, [oldTopic, freshTopic], { numPartitions: 1 });
    const [oldDb, freshDb] = [oldName('cleanup_db'), uniqueName('cleanup_db')];
    await mongo.db(oldDb).collection('x').insertOne({ a: 1 });
    await mongo.db(freshDb).collection('x').insertOne({ a: 1 });
    const [oldKey, freshKey, otherKey] = [`${oldName('cleanup')}:queue:meta`, `${uniqueName('cleanup')}:queue:meta`, `kindred:cleanup-test:${randomBytes(4).toString('hex')}`];
    await redis.set(oldKey, '1');
    await redis.set(freshKey, '1');
    await redis.set(otherKey, '1');

    const removed = await removeStaleTestResources(infra, 3_600_000);

    const admin = kafka.admin();
    await admin.connect();
    const topics = await admin.listTopics();
    await admin.disconnect();
    expect(topics).not.toContain(oldTopic);
    expect(topics).toContain(freshTopic);
    expect(topics).toContain('__consumer_offsets');
    const databases = (await mongo.db('admin').admin().listDatabases({ nameOnly: true })).databases.map((d) => d.name);
    expect(databases).not.toContain(oldDb);
    expect(databases).toContain(freshDb);
    expect(await redis.exists(oldKey, freshKey, otherKey)).toBe(2);
    expect(await redis.exists(oldKey)).toBe(0);
    expect(removed.topics).toBeGreaterThanOrEqual(1);
    expect(removed.databases).toBeGreaterThanOrEqual(1);
    expect(removed.redisKeys).toBeGreaterThanOrEqual(1);
    await redis.del(freshKey, otherKey);
    await mongo.db(freshDb).dropDatabase();
  });
});
