import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { Kafka, logLevel } from 'kafkajs';
import mongoose from 'mongoose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureTopics } from '@kindred/platform';
import { testInfra, uniqueName } from '@kindred/testkit';
import { CanaryMarkers } from './canary-markers.js';
import { emptyTally, findMarkers, searchKafka, searchLogFiles, searchMongo, searchRedis } from './plaintext-search.js';

// The canary only proves something if its search finds a marker wherever one is planted: on each kind of store.
const infra = testInfra();
const runName = uniqueName('canary_search');
const markers = new CanaryMarkers();
const name = markers.text('firstName');
const email = markers.email('email');
const phone = markers.phone('phone');
const digits = phone.replace(/\D/g, '').slice(1);
const hopes = markers.text('hopes');
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'canary-search-'));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
  const client = new mongoose.mongo.MongoClient(infra.mongoUrl);
  await client.connect();
  await client.db(`${runName}_db`).dropDatabase();
  await client.close();
  const admin = new Kafka({ clientId: 'canary-search-cleanup', brokers: [...infra.kafkaBrokers], logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  await admin.deleteTopics({ topics: [`${runName}.kindred.test.v1`] }).catch(() => undefined);
  await admin.disconnect();
  const redis = new Redis(infra.redisUrl);
  const keys = await redis.keys(`${runName}*`);
  if (keys.length > 0) await redis.del(...keys);
  redis.disconnect();
});

describe('the canary search finds a planted marker', () => {
  it('in any case, and a phone with or without separators, naming the field', () => {
    const text = `a ${name.toUpperCase()} b (${digits.slice(0, 3)}) ${digits.slice(3, 6)}-${digits.slice(6)} c +1${digits} d ${email}`;
    const hits = findMarkers(markers, 'here', text);
    expect(hits.map((h) => h.field)).toEqual(['firstName', 'phone', 'phone', 'email']);
    expect(findMarkers(markers, 'here', `cnry${'0'.repeat(markers.token.length)}x1 ${digits.slice(1)} 201-555-0100`)).toEqual([]);
  });

  it('in a log line, and counts the lines it read', async () => {
    const file = join(dir, 'intake.log');
    await writeFile(file, `{"level":30,"msg":"started"}\n{"level":20,"msg":"intake","hopes":"I hope ${hopes}"}\n{"level":30}\n`);
    const tally = emptyTally();
    const hits = await searchLogFiles(markers, [file], tally);
    expect(hits).toEqual([expect.objectContaining({ where: 'log intake.log:2', field: 'hopes' })]);
    expect(tally).toMatchObject({ logFiles: 1, logLines: 3 });
  });

  it('in a BSON document, in a string and inside binary data', async () => {
    const client = new mongoose.mongo.MongoClient(infra.mongoUrl);
    await client.connect();
    try {
      const db = client.db(`${runName}_db`);
      await db.collection('clean').insertOne({ sealed: new mongoose.mongo.BSON.Binary(Buffer.from('not a marker')) });
      await db.collection('people').insertMany([
        { _id: 'a' as never, note: `from ${email}` },
        { _id: 'b' as never, blob: new mongoose.mongo.BSON.Binary(Buffer.from(`\u0001\u0002${name}\u00ff`)) },
      ]);
    } finally {
      await client.close();
    }
    const tally = emptyTally();
    const hits = await searchMongo(markers, infra.mongoUrl, [`${runName}_db`], tally);
    expect(hits.map((h) => [h.where.replace(`${runName}_db.`, ''), h.field]).sort()).toEqual([
      ['mongo people "a"', 'email'],
      ['mongo people "b" (binary)', 'firstName'],
    ]);
    expect(tally).toMatchObject({ mongoCollections: 2, mongoDocuments: 3 });
  });

  it('in a Redis hash, list, sorted set and stream, and in a key name', async () => {
    const redis = new Redis(infra.redisUrl);
    try {
      await redis.hset(`${runName}:job:1`, 'data', JSON.stringify({ deliveryId: 'dlv_1' }), 'opts', `{"to":"+1${digits}"}`);
      await redis.rpush(`${runName}:wait`, 'x', `hello ${name}`);
      await redis.zadd(`${runName}:delayed`, 1, hopes);
      await redis.xadd(`${runName}:events`, '*', 'event', 'added', 'who', email);
      await redis.set(`${runName}:by:${name}`, '1');
      await redis.set(`${runName}:clean`, 'nothing here');
    } finally {
      redis.disconnect();
    }
    const tally = emptyTally();
    const hits = await searchRedis(markers, infra.redisUrl, `${runName}*`, tally);
    expect(hits.map((h) => `${h.where.split(' ')[1]} ${h.field}`).sort()).toEqual(
      ['hash phone', 'list firstName', 'zset hopes', 'stream email', 'string firstName'].sort(),
    );
    expect(tally.redisKeys).toBe(6);
  });

  it('in a Kafka header, key and value of a topic of the run', async () => {
    const kafka = new Kafka({ clientId: 'canary-search-test', brokers: [...infra.kafkaBrokers], logLevel: logLevel.NOTHING });
    const topic = `${runName}.kindred.test.v1`;
    await ensureTopics(kafka, [topic]);
    const producer = kafka.producer();
    await producer.connect();
    try {
      await producer.send({
        topic,
        messages: [
          { key: 'n_1', value: 'clean', headers: { traceparent: '00-abc', 'x-error': `bad email ${email}` } },
          { key: name, value: Buffer.from([0x0a, 0x05, ...Buffer.from(hopes)]) },
          { key: 'n_2', value: 'clean too' },
        ],
      });
    } finally {
      await producer.disconnect();
    }
    const tally = emptyTally();
    const hits = await searchKafka(markers, infra.kafkaBrokers, (t) => t.startsWith(runName), tally);
    expect(hits.map((h) => `${h.where.split(' ').slice(2).join(' ')} ${h.field}`).sort()).toEqual(['header x-error email', 'key firstName', 'value hopes']);
    expect(tally).toMatchObject({ kafkaTopics: 1, kafkaMessages: 3 });
  });
});
