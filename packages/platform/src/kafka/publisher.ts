import { Partitioners, type Kafka, type Producer } from 'kafkajs';

export interface OutgoingRecord {
  readonly topic: string;
  /** The aggregate id: one aggregate's records stay in one partition, in order. */
  readonly key: string;
  readonly value: Buffer;
  readonly headers: Readonly<Record<string, string>>;
}

export interface RecordPublisher {
  /** Resolves once every record is acknowledged by all in-sync replicas; rejects otherwise (nothing is half-sent silently). */
  publish(records: readonly OutgoingRecord[]): Promise<void>;
  disconnect(): Promise<void>;
}

export async function createRecordPublisher(kafka: Kafka): Promise<RecordPublisher> {
  // One request in flight keeps a key's records in order even when a send is retried.
  // The default (murmur2) partitioner, named explicitly: the same key lands in the same partition as with Java clients.
  const producer: Producer = kafka.producer({ maxInFlightRequests: 1, allowAutoTopicCreation: true, createPartitioner: Partitioners.DefaultPartitioner });
  await producer.connect();
  return {
    async publish(records) {
      if (records.length === 0) return;
      const byTopic = new Map<string, OutgoingRecord[]>();
      for (const record of records) {
        const list = byTopic.get(record.topic) ?? [];
        list.push(record);
        byTopic.set(record.topic, list);
      }
      await producer.sendBatch({
        acks: -1,
        topicMessages: [...byTopic].map(([topic, list]) => ({
          topic,
          messages: list.map((record) => ({ key: record.key, value: record.value, headers: { ...record.headers } })),
        })),
      });
    },
    disconnect: () => producer.disconnect(),
  };
}
