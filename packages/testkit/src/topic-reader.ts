import { Kafka, logLevel } from 'kafkajs';
import { ensureTopics } from '@kindred/platform';
import { uniqueName } from './names.js';

export interface ReadRecord {
  readonly topic: string;
  readonly partition: number;
  readonly offset: string;
  readonly key: string | null;
  readonly value: Buffer;
  readonly headers: Readonly<Record<string, string>>;
}

export interface TopicReader {
  /** Every record seen so far, in arrival order. */
  readonly records: readonly ReadRecord[];
  stop(): Promise<void>;
}

/** Reads topics from the beginning with a throwaway group, to assert on what a service published. */
export async function readTopics(brokers: readonly string[], topics: readonly string[]): Promise<TopicReader> {
  const kafka = new Kafka({ clientId: 'kindred-test-reader', brokers: [...brokers], logLevel: logLevel.NOTHING });
  await ensureTopics(kafka, topics);
  const consumer = kafka.consumer({ groupId: uniqueName('reader') });
  await consumer.connect();
  await consumer.subscribe({ topics: [...topics], fromBeginning: true });
  const records: ReadRecord[] = [];
  await consumer.run({
    eachMessage: async ({ topic, partition, message }) => {
      const headers: Record<string, string> = {};
      for (const [name, value] of Object.entries(message.headers ?? {})) {
        const first = Array.isArray(value) ? value[0] : value;
        if (first !== undefined) headers[name] = first.toString();
      }
      records.push({ topic, partition, offset: message.offset, key: message.key?.toString() ?? null, value: message.value ?? Buffer.alloc(0), headers });
      return Promise.resolve();
    },
  });
  return { records, stop: () => consumer.disconnect() };
}
