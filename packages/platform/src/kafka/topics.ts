import type { Kafka } from 'kafkajs';
import { AppError } from '../errors.js';

export interface EnsureTopicsOptions {
  /** Partitions of a topic created here (default 3). */
  readonly numPartitions?: number;
  readonly timeoutMs?: number;
}

const retriableTypes = new Set(['UNKNOWN_TOPIC_OR_PARTITION', 'LEADER_NOT_AVAILABLE', 'NOT_LEADER_FOR_PARTITION', 'TOPIC_ALREADY_EXISTS']);

function isRetriable(error: unknown): boolean {
  const e = error as { type?: unknown; retriable?: unknown; name?: unknown };
  return (typeof e.type === 'string' && retriableTypes.has(e.type)) || e.retriable === true;
}

/**
 * Creates the topics that do not exist yet and waits until every partition of every topic has a leader.
 * kafkajs's own `createTopics({ waitForLeaders: true })` gives up when a KRaft broker answers, for a moment after
 * creation, that it does not host the new partition yet (UNKNOWN_TOPIC_OR_PARTITION); this waits through it.
 */
export async function ensureTopics(kafka: Kafka, topics: readonly string[], options: EnsureTopicsOptions = {}): Promise<void> {
  if (topics.length === 0) return;
  const admin = kafka.admin();
  await admin.connect();
  try {
    const existing = new Set(await admin.listTopics());
    const missing = [...new Set(topics)].filter((topic) => !existing.has(topic));
    if (missing.length > 0) {
      try {
        await admin.createTopics({ waitForLeaders: false, topics: missing.map((topic) => ({ topic, numPartitions: options.numPartitions ?? 3 })) });
      } catch (error) {
        if (!isRetriable(error)) throw error; // another process created it first
      }
    }
    const deadline = Date.now() + (options.timeoutMs ?? 30_000);
    let lastProblem = 'no metadata yet';
    for (;;) {
      try {
        const metadata = await admin.fetchTopicMetadata({ topics: [...topics] });
        const notReady = metadata.topics.filter((t) => t.partitions.length === 0 || t.partitions.some((p) => p.leader < 0));
        if (metadata.topics.length >= new Set(topics).size && notReady.length === 0) return;
        lastProblem = `partitions without a leader: ${notReady.map((t) => t.name).join(', ')}`;
      } catch (error) {
        if (!isRetriable(error)) throw error;
        lastProblem = error instanceof Error ? error.message : String(error);
      }
      if (Date.now() > deadline) {
        throw new AppError('PLATFORM.KAFKA_TOPICS_NOT_READY', `topics not ready after ${options.timeoutMs ?? 30_000} ms (${lastProblem})`, { retriable: true });
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  } finally {
    await admin.disconnect();
  }
}
