import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { Redis } from 'ioredis';
import { Kafka, logLevel } from 'kafkajs';
import mongoose from 'mongoose';
import { uniqueName, waitFor } from '@kindred/testkit';
import type { CanaryMarkers } from './canary-markers.js';

/** One place a marker was found in plaintext. */
export interface PlaintextHit {
  /** Where: a log line, a Kafka record part, a Redis key, a MongoDB document. */
  readonly where: string;
  /** The PII field the marker stands for. */
  readonly field: string;
  /** A few characters around the marker. */
  readonly excerpt: string;
}

export interface SearchTally {
  logFiles: number;
  logLines: number;
  kafkaTopics: number;
  kafkaMessages: number;
  redisKeys: number;
  mongoCollections: number;
  mongoDocuments: number;
}

export function emptyTally(): SearchTally {
  return { logFiles: 0, logLines: 0, kafkaTopics: 0, kafkaMessages: 0, redisKeys: 0, mongoCollections: 0, mongoDocuments: 0 };
}

/** Every marker in `text`, each as a hit at `where`. */
export function findMarkers(markers: CanaryMarkers, where: string, text: string): PlaintextHit[] {
  const hits: PlaintextHit[] = [];
  for (const match of text.matchAll(markers.pattern())) {
    const at = match.index;
    hits.push({ where, field: markers.fieldOf(match[0]), excerpt: text.slice(Math.max(0, at - 40), at + match[0].length + 40) });
  }
  return hits;
}

/** Bytes as text for the search: UTF-8 keeps every ASCII marker intact whatever surrounds it. */
function bytesText(value: Buffer | Uint8Array | string | null | undefined): string {
  if (value === null || value === undefined) return '';
  return typeof value === 'string' ? value : Buffer.from(value).toString('utf8');
}

/** Each line of each log file. */
export async function searchLogFiles(markers: CanaryMarkers, files: readonly string[], tally: SearchTally): Promise<PlaintextHit[]> {
  const hits: PlaintextHit[] = [];
  for (const file of files) {
    const lines = (await readFile(file, 'utf8')).split('\n');
    if (lines.at(-1) === '') lines.pop();
    tally.logFiles += 1;
    tally.logLines += lines.length;
    lines.forEach((line, index) => hits.push(...findMarkers(markers, `log ${basename(file)}:${index + 1}`, line)));
  }
  return hits;
}

/**
 * Every message of every topic `select` picks (retry and dead-letter topics included), read from the beginning up
 * to the high watermark each partition had when the search began; key, value and every header.
 */
export async function searchKafka(
  markers: CanaryMarkers,
  brokers: readonly string[],
  select: (topic: string) => boolean,
  tally: SearchTally,
): Promise<PlaintextHit[]> {
  const kafka = new Kafka({ clientId: 'kindred-privacy-canary', brokers: [...brokers], logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  const ends = new Map<string, bigint>();
  let topics: string[];
  try {
    topics = (await admin.listTopics()).filter(select).sort();
    for (const topic of topics) {
      for (const p of await admin.fetchTopicOffsets(topic)) {
        if (BigInt(p.high) > BigInt(p.low)) ends.set(`${topic}/${p.partition}`, BigInt(p.high));
      }
    }
  } finally {
    await admin.disconnect();
  }
  tally.kafkaTopics += topics.length;
  if (ends.size === 0) return [];

  const hits: PlaintextHit[] = [];
  const seen = new Map<string, bigint>();
  const searched = new Set<string>();
  const groupId = uniqueName('canary_reader');
  const consumer = kafka.consumer({ groupId });
  await consumer.connect();
  try {
    await consumer.subscribe({ topics: [...new Set([...ends.keys()].map((k) => k.slice(0, k.lastIndexOf('/'))))], fromBeginning: true });
    await consumer.run({
      eachMessage: ({ topic, partition, message }) => {
        const at = `${topic}/${partition}`;
        const end = ends.get(at);
        if (end === undefined || BigInt(message.offset) >= end) return Promise.resolve();
        // A rebalance before the group's first commit hands a partition back from its start: count each message once.
        const where = `kafka ${at}@${message.offset}`;
        if (searched.has(where)) return Promise.resolve();
        searched.add(where);
        tally.kafkaMessages += 1;
        seen.set(at, BigInt(message.offset));
        hits.push(...findMarkers(markers, `${where} key`, bytesText(message.key)));
        hits.push(...findMarkers(markers, `${where} value`, bytesText(message.value)));
        for (const [name, value] of Object.entries(message.headers ?? {})) {
          const values = Array.isArray(value) ? value : [value];
          hits.push(...findMarkers(markers, `${where} header name`, name));
          for (const v of values) hits.push(...findMarkers(markers, `${where} header ${name}`, bytesText(v)));
        }
        return Promise.resolve();
      },
    });
    await waitFor(
      () => [...ends].every(([at, end]) => (seen.get(at) ?? -1n) >= end - 1n) || undefined,
      { timeoutMs: 60_000, intervalMs: 100, description: `every message of ${ends.size} partitions up to their high watermark` },
    );
  } finally {
    await consumer.disconnect();
    // The reader's group is of no further use; the stale-resource sweep removes it if this fails.
    await admin.connect();
    await admin.deleteGroups([groupId]).catch(() => undefined);
    await admin.disconnect();
  }
  return hits;
}

type RedisReply = Buffer | string | number | null | RedisReply[];

function flattenReply(reply: RedisReply): string[] {
  if (reply === null) return [];
  if (Array.isArray(reply)) return reply.flatMap(flattenReply);
  return [typeof reply === 'number' ? String(reply) : bytesText(reply)];
}

/** What each Redis type's full content is read with. */
const readCommand: Record<string, (key: string) => [string, ...string[]]> = {
  string: (key) => ['GET', key],
  hash: (key) => ['HGETALL', key],
  list: (key) => ['LRANGE', key, '0', '-1'],
  set: (key) => ['SMEMBERS', key],
  zset: (key) => ['ZRANGE', key, '0', '-1', 'WITHSCORES'],
  stream: (key) => ['XRANGE', key, '-', '+'],
};

/** Every key matching the glob `match` (`*` for all) except those `except` names: its name and its whole content, of any type. */
export async function searchRedis(
  markers: CanaryMarkers,
  redisUrl: string,
  match: string,
  tally: SearchTally,
  except: (key: string) => boolean = () => false,
): Promise<PlaintextHit[]> {
  const redis = new Redis(redisUrl, { maxRetriesPerRequest: 2, lazyConnect: true });
  await redis.connect();
  const hits: PlaintextHit[] = [];
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', match, 'COUNT', 1000);
      cursor = next;
      for (const key of keys) {
        if (except(key)) continue;
        const type = await redis.type(key);
        if (type === 'none') continue; // expired since the scan
        const command = readCommand[type];
        if (command === undefined) throw new Error(`Redis key ${key} has type ${type}, which the canary cannot read`);
        const [name, ...args] = command(key);
        const reply = (await redis.callBuffer(name, ...args)) as RedisReply;
        tally.redisKeys += 1;
        hits.push(...findMarkers(markers, `redis ${type} ${key} (name)`, key));
        hits.push(...findMarkers(markers, `redis ${type} ${key}`, flattenReply(reply).join('\n')));
      }
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
  return hits;
}

const { BSON } = mongoose.mongo;

/** Binary values (BinData), decoded as UTF-8: Extended JSON shows them only as base64. */
function binaryTexts(value: unknown, out: string[] = []): string[] {
  if (value instanceof BSON.Binary) out.push(Buffer.from(value.buffer).toString('utf8'));
  else if (Buffer.isBuffer(value) || value instanceof Uint8Array) out.push(Buffer.from(value).toString('utf8'));
  else if (Array.isArray(value)) for (const item of value) binaryTexts(item, out);
  else if (value !== null && typeof value === 'object' && !(value instanceof Date)) for (const item of Object.values(value)) binaryTexts(item, out);
  return out;
}

/**
 * Every document of every collection of `databases` (one that does not exist has none), raw through the driver: its
 * Extended JSON and its binaries.
 */
export async function searchMongo(markers: CanaryMarkers, mongoUrl: string, databases: readonly string[], tally: SearchTally): Promise<PlaintextHit[]> {
  const client = new mongoose.mongo.MongoClient(mongoUrl, { serverSelectionTimeoutMS: 10_000 });
  await client.connect();
  const hits: PlaintextHit[] = [];
  try {
    for (const name of databases) {
      const db = client.db(name);
      for (const { name: collection } of await db.listCollections({}, { nameOnly: true }).toArray()) {
        tally.mongoCollections += 1;
        for await (const doc of db.collection(collection).find({}, { promoteBuffers: false })) {
          tally.mongoDocuments += 1;
          const where = `mongo ${name}.${collection} ${BSON.EJSON.stringify(doc['_id'])}`;
          hits.push(...findMarkers(markers, where, BSON.EJSON.stringify(doc, { relaxed: false })));
          for (const text of binaryTexts(doc)) hits.push(...findMarkers(markers, `${where} (binary)`, text));
        }
      }
    }
  } finally {
    await client.close();
  }
  return hits;
}

/**
 * `privacy canary: searched … of the run, and … beyond it; N plaintext hits`: the run's own logs, topics, keys and
 * databases, then the places a service that ignored its run name would have written to.
 */
export function summaryLine(run: SearchTally, beyond: SearchTally, hits: readonly PlaintextHit[]): string {
  return (
    `privacy canary: searched ${run.logLines} log lines in ${run.logFiles} files, ${run.kafkaMessages} Kafka messages in ${run.kafkaTopics} topics, ` +
    `${run.redisKeys} Redis keys, ${run.mongoDocuments} documents in ${run.mongoCollections} collections of the run, ` +
    `and ${beyond.kafkaMessages} Kafka messages in ${beyond.kafkaTopics} default topics, ${beyond.redisKeys} other Redis keys, ` +
    `${beyond.mongoDocuments} documents in ${beyond.mongoCollections} collections of the default databases; ${hits.length} plaintext hits`
  );
}
