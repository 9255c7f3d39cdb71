import { Queue } from 'bullmq';
import { Kafka, logLevel } from 'kafkajs';
import mongoose from 'mongoose';
import { sandboxClient } from '@kindred/sandbox';
import type { AcceptedNewcomer, ConsumerLag, DeadLetter, DeliveryRecord, EnrolledPeer, MatchRecord, ProviderCopy, QueueCounts, Snapshot } from './invariants.js';

export interface RunStores {
  readonly mongoUrl: string;
  readonly kafkaBrokers: string;
  readonly redisUrl: string;
  readonly sandboxUrl: string;
  readonly databases: { readonly intake: string; readonly matching: string; readonly notifier: string };
  readonly consumerGroups: readonly string[];
  readonly deadLetterTopics: readonly string[];
  readonly queuePrefix: string;
  readonly queueNames: readonly string[];
}

/** Match states reached only through a coordinator's approval. */
const APPROVED_STATES: ReadonlySet<string> = new Set(['approved', 'introduced', 'active', 'needs_attention', 'closed', 'rematch_requested']);
const DELIVERY_ID = /dlv_[a-z0-9]+/;

type Doc = Record<string, unknown>;
const str = (value: unknown): string => (typeof value === 'string' ? value : String(value));
const bool = (value: unknown): boolean => value === true;
const num = (value: unknown): number => (typeof value === 'number' ? value : Number(value));

async function readMongo(stores: RunStores) {
  const client = new mongoose.mongo.MongoClient(stores.mongoUrl, { serverSelectionTimeoutMS: 10_000 });
  await client.connect();
  try {
    const all = (db: string, collection: string): Promise<Doc[]> => client.db(db).collection<Doc>(collection).find({}).toArray();
    const [intakeNewcomers, intakePeers, newcomers, peers, matches, deliveries] = await Promise.all([
      all(stores.databases.intake, 'newcomers'),
      all(stores.databases.intake, 'peers'),
      all(stores.databases.matching, 'newcomers'),
      all(stores.databases.matching, 'peers'),
      all(stores.databases.matching, 'matches'),
      all(stores.databases.notifier, 'deliveries'),
    ]);
    return {
      intakeSubjects: [
        ...intakeNewcomers.map((d) => ({ id: str(d['_id']), kind: 'newcomer' as const, outboxPending: bool(d['outboxPending']) })),
        ...intakePeers.map((d) => ({ id: str(d['_id']), kind: 'peer' as const, outboxPending: bool(d['outboxPending']) })),
      ],
      matchingNewcomers: newcomers.map((d) => ({
        id: str(d['_id']),
        status: str(d['status']),
        currentMatchId: typeof d['currentMatchId'] === 'string' ? d['currentMatchId'] : null,
        riskLevel: str(d['riskLevel']),
      })),
      matchingPeers: peers.map((d) => ({
        id: str(d['_id']),
        capacity: num(d['capacity']),
        load: num(d['load']),
        freeSlots: num(d['freeSlots']),
        holds: Array.isArray(d['holds']) ? d['holds'].map(str) : [],
        outboxPending: bool(d['outboxPending']),
      })),
      matches: matches.map((d): MatchRecord => ({
        id: str(d['_id']),
        state: str(d['state']),
        newcomerId: str(d['newcomerId']),
        peerId: str(d['peerId']),
        capacityHeld: bool(d['capacityHeld']),
        outboxPending: bool(d['outboxPending']),
        approved: APPROVED_STATES.has(str(d['state'])),
      })),
      deliveries: deliveries.map((d): DeliveryRecord => ({
        id: str(d['_id']),
        matchId: str(d['matchId']),
        recipientId: str(d['recipientId']),
        role: d['role'] === 'peer' ? 'peer' : 'newcomer',
        channel: d['channel'] === 'sms' ? 'sms' : 'email',
        status: str(d['status']),
        reason: typeof d['reason'] === 'string' ? d['reason'] : null,
        outboxPending: bool(d['outboxPending']),
      })),
    };
  } finally {
    await client.close();
  }
}

async function readProviderCopies(sandboxUrl: string): Promise<ProviderCopy[]> {
  const sandbox = sandboxClient(sandboxUrl);
  const copies: ProviderCopy[] = [];
  for (const mail of await sandbox.listMail()) {
    const id = DELIVERY_ID.exec(mail.messageId ?? '')?.[0];
    copies.push({ deliveryId: id ?? `unattributed mail ${mail.id}`, channel: 'email', at: Date.parse(mail.receivedAt) });
  }
  for (const sms of await sandbox.listSms()) {
    const id = DELIVERY_ID.exec(sms.statusCallback ?? '')?.[0];
    copies.push({ deliveryId: id ?? `unattributed sms ${sms.sid}`, channel: 'sms', at: Date.parse(sms.dateCreated) });
  }
  return copies;
}

async function readKafka(stores: RunStores): Promise<{ deadLetters: DeadLetter[]; consumerLag: ConsumerLag[] }> {
  const kafka = new Kafka({ clientId: 'kindred-fault-checker', brokers: stores.kafkaBrokers.split(','), logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  const deadLetters: DeadLetter[] = [];
  const consumerLag: ConsumerLag[] = [];
  try {
    const existing = new Set(await admin.listTopics());
    const withMessages: string[] = [];
    for (const topic of stores.deadLetterTopics.filter((t) => existing.has(t))) {
      const offsets = await admin.fetchTopicOffsets(topic);
      if (offsets.some((o) => Number(o.high) > Number(o.low))) withMessages.push(topic);
    }
    if (withMessages.length > 0) deadLetters.push(...(await readDeadLetters(kafka, withMessages)));

    for (const groupId of stores.consumerGroups) {
      for (const { topic, partitions } of await admin.fetchOffsets({ groupId })) {
        const ends = new Map((await admin.fetchTopicOffsets(topic)).map((o) => [o.partition, { high: Number(o.high), low: Number(o.low) }]));
        let lag = 0;
        for (const { partition, offset } of partitions) {
          const end = ends.get(partition);
          if (end === undefined) continue;
          const committed = Number(offset);
          // -1: nothing committed; then everything from the low watermark is unread.
          lag += committed < 0 ? end.high - end.low : end.high - committed;
        }
        consumerLag.push({ group: groupId, topic, lag });
      }
    }
  } finally {
    await admin.disconnect();
  }
  return { deadLetters, consumerLag };
}

async function readDeadLetters(kafka: Kafka, topics: string[]): Promise<DeadLetter[]> {
  const admin = kafka.admin();
  await admin.connect();
  let expected = 0;
  for (const topic of topics) for (const o of await admin.fetchTopicOffsets(topic)) expected += Number(o.high) - Number(o.low);
  await admin.disconnect();
  const consumer = kafka.consumer({ groupId: `kindred-fault-checker-${Date.now()}` });
  const found: DeadLetter[] = [];
  await consumer.connect();
  await consumer.subscribe({ topics, fromBeginning: true });
  const done = new Promise<void>((resolve) => {
    void consumer.run({
      eachMessage: ({ topic, message }) => {
        const code = message.headers?.['kindred-dlq-error-code'];
        found.push({ topic, offset: message.offset, errorCode: code === undefined ? 'unknown' : String(Array.isArray(code) ? code[0] : code) });
        if (found.length >= expected) resolve();
        return Promise.resolve();
      },
    });
  });
  await Promise.race([done, new Promise((resolve) => setTimeout(resolve, 30_000))]);
  await consumer.disconnect();
  // Anything we could not read back still counts.
  for (let i = found.length; i < expected; i += 1) found.push({ topic: topics.join(','), offset: '?', errorCode: 'not read back' });
  return found;
}

async function readQueues(stores: RunStores): Promise<QueueCounts[]> {
  const url = new URL(stores.redisUrl);
  const counts: QueueCounts[] = [];
  for (const name of stores.queueNames) {
    const queue = new Queue(name, { connection: { host: url.hostname, port: Number(url.port), maxRetriesPerRequest: null }, prefix: stores.queuePrefix });
    try {
      const c = await queue.getJobCounts('waiting', 'active', 'delayed', 'prioritized', 'waiting-children', 'paused');
      counts.push({ queue: name, unfinished: Object.values(c).reduce((sum, n) => sum + n, 0) });
    } finally {
      await queue.close();
    }
  }
  return counts;
}

/** Reads every store and topic of the run into a Snapshot for the invariant checker. */
export async function readSnapshot(
  stores: RunStores,
  run: { accepted: readonly AcceptedNewcomer[]; peers: readonly EnrolledPeer[]; notifierKillTimes: readonly number[] },
): Promise<Snapshot> {
  const [mongo, providerCopies, kafka, queues] = await Promise.all([readMongo(stores), readProviderCopies(stores.sandboxUrl), readKafka(stores), readQueues(stores)]);
  return { ...run, ...mongo, providerCopies, ...kafka, queues };
}

/** Cheap progress figures for the drain: how much is still moving. */
export async function pendingWork(stores: RunStores, options: { proposalsPending: boolean }): Promise<{ unsettled: number; detail: string }> {
  const client = new mongoose.mongo.MongoClient(stores.mongoUrl, { serverSelectionTimeoutMS: 5_000 });
  await client.connect();
  try {
    const count = (db: string, collection: string, filter: Doc) => client.db(db).collection(collection).countDocuments(filter);
    const [intakeOutbox, claimed, proposed, approved, matchOutbox, queued, deliveryOutbox] = await Promise.all([
      count(stores.databases.intake, 'newcomers', { outboxPending: true }),
      count(stores.databases.matching, 'newcomers', { status: { $in: ['claimed', 'waiting'] } }),
      count(stores.databases.matching, 'matches', { state: 'proposed' }),
      count(stores.databases.matching, 'matches', { state: { $in: ['approved', 'reserving'] } }),
      count(stores.databases.matching, 'matches', { outboxPending: true }),
      count(stores.databases.notifier, 'deliveries', { status: { $in: ['queued', 'sending'] } }),
      count(stores.databases.notifier, 'deliveries', { outboxPending: true }),
    ]);
    const unsettled = intakeOutbox + claimed + (options.proposalsPending ? proposed : 0) + approved + matchOutbox + queued + deliveryOutbox;
    return {
      unsettled,
      detail: `intake outbox ${intakeOutbox}, newcomers waiting/claimed ${claimed}, proposals ${proposed}, matches approved ${approved}, match outbox ${matchOutbox}, deliveries queued/sending ${queued}, delivery outbox ${deliveryOutbox}`,
    };
  } finally {
    await client.close();
  }
}
