import { Partitioners, type Kafka, type Producer } from 'kafkajs';
import { context, SpanKind } from '@opentelemetry/api';
import { extractTraceContext, injectTraceHeaders, recordSpanError, startSpan } from '../tracing/spans.js';

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

export interface RecordPublisherOptions {
  /**
   * `start` (default) connects before returning, so a service without Kafka fails at start. `first-publish` returns at
   * once and connects when there is something to send, again after a failed attempt: for an outbox relay, whose
   * records wait safely in the database, Kafka being down must not stop the service from accepting work.
   */
  readonly connect?: 'start' | 'first-publish';
}

export async function createRecordPublisher(kafka: Kafka, options: RecordPublisherOptions = {}): Promise<RecordPublisher> {
  // One request in flight keeps a key's records in order even when a send is retried.
  // The default (murmur2) partitioner, named explicitly: the same key lands in the same partition as with Java clients.
  const producer: Producer = kafka.producer({ maxInFlightRequests: 1, allowAutoTopicCreation: true, createPartitioner: Partitioners.DefaultPartitioner });
  let connected: Promise<void> | undefined;
  const ensureConnected = (): Promise<void> => {
    connected ??= producer.connect().catch((error: unknown) => {
      connected = undefined;
      throw error;
    });
    return connected;
  };
  if (options.connect !== 'first-publish') await ensureConnected();
  return {
    async publish(records) {
      if (records.length === 0) return;
      await ensureConnected();
      const byTopic = new Map<string, OutgoingRecord[]>();
      for (const record of records) {
        const list = byTopic.get(record.topic) ?? [];
        list.push(record);
        byTopic.set(record.topic, list);
      }
      // One producer span per record, parented on the trace the record carries (an outbox relay publishes many
      // journeys in one batch) or else on the active span; the span's own context goes out in the headers.
      const spans = new Map<OutgoingRecord, ReturnType<typeof startSpan>>();
      for (const record of records) {
        const parent = record.headers['traceparent'] ? extractTraceContext(record.headers) : context.active();
        spans.set(
          record,
          startSpan(`${record.topic} publish`, {
            kind: SpanKind.PRODUCER,
            parent,
            attributes: { 'messaging.system': 'kafka', 'messaging.operation.type': 'send', 'messaging.operation.name': 'publish', 'messaging.destination.name': record.topic },
          }),
        );
      }
      const headersOf = (record: OutgoingRecord): Record<string, string> => {
        const traced = spans.get(record);
        return traced ? injectTraceHeaders({ ...record.headers }, traced.context) : { ...record.headers };
      };
      try {
        await producer.sendBatch({
          acks: -1,
          topicMessages: [...byTopic].map(([topic, list]) => ({
            topic,
            messages: list.map((record) => ({ key: record.key, value: record.value, headers: headersOf(record) })),
          })),
        });
      } catch (error) {
        for (const { span } of spans.values()) recordSpanError(span, error);
        throw error;
      } finally {
        for (const { span } of spans.values()) span.end();
      }
    },
    disconnect: () => producer.disconnect(),
  };
}
