import type { Consumer, EachMessagePayload, IHeaders, Kafka, KafkaMessage } from 'kafkajs';
import { SpanKind } from '@opentelemetry/api';
import { errorCode, errorMessage, isAppError } from '../errors.js';
import { extractTraceContext, inSpan } from '../tracing/spans.js';
import type { Logger } from '../logger.js';
import type { RecordPublisher } from './publisher.js';
import { ensureTopics } from './topics.js';

export interface IncomingRecord<T> {
  readonly topic: string;
  readonly partition: number;
  readonly offset: string;
  readonly key: string | null;
  readonly value: T;
  readonly headers: Readonly<Record<string, string>>;
  readonly log: Logger;
}

export interface ConsumerRunnerConfig<T> {
  readonly kafka: Kafka;
  readonly groupId: string;
  readonly topics: readonly string[];
  /** Turns raw bytes into a value; a throw here sends the record straight to the dead-letter topic. */
  readonly decode: (value: Buffer, headers: Readonly<Record<string, string>>) => T;
  readonly handle: (record: IncomingRecord<T>) => Promise<void>;
  readonly publisher: RecordPublisher;
  readonly log: Logger;
  /** Defaults to `<groupId>.dlq`. */
  readonly deadLetterTopic?: string;
  /** Attempts for an ordinary failure before the record is dead-lettered (default 5). */
  readonly maxAttempts?: number;
  readonly retryBackoffMs?: { readonly initial: number; readonly max: number };
  readonly fromBeginning?: boolean;
  /** How long the group waits for a silent member before giving its partitions to another (default 30 s). */
  readonly sessionTimeoutMs?: number;
  readonly partitionsConsumedConcurrently?: number;
  /** Partitions of the topics (and dead-letter topic) this runner creates when they do not exist yet (default 3). */
  readonly partitionsWhenCreating?: number;
  /** Called for every outcome; the metrics module counts them. */
  readonly onOutcome?: (outcome: 'processed' | 'dead_lettered' | 'retried', topic: string) => void;
}

export interface RunningConsumer {
  /** Stops fetching, lets the in-flight record finish and leaves the group. */
  stop(): Promise<void>;
  readonly deadLetterTopic: string;
}

export const deadLetterHeaders = {
  errorCode: 'kindred-dlq-error-code',
  errorMessage: 'kindred-dlq-error-message',
  originalTopic: 'kindred-dlq-original-topic',
  originalPartition: 'kindred-dlq-original-partition',
  originalOffset: 'kindred-dlq-original-offset',
  consumerGroup: 'kindred-dlq-consumer-group',
  attempts: 'kindred-dlq-attempts',
  failedAt: 'kindred-dlq-failed-at',
  stage: 'kindred-dlq-stage',
} as const;

function headersToStrings(headers: IHeaders | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers ?? {})) {
    if (value === undefined) continue;
    const first = Array.isArray(value) ? value[0] : value;
    if (first !== undefined) out[name] = Buffer.isBuffer(first) ? first.toString('utf8') : String(first);
  }
  return out;
}

function withoutTraceHeaders(headers: Record<string, string>): Record<string, string> {
  const { traceparent: _traceparent, tracestate: _tracestate, ...rest } = headers;
  return rest;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Runs a consumer group with the delivery rules of DESIGN.md:
 * - an offset is committed only after the handler succeeded (a crash before that redelivers the record);
 * - a record that cannot be decoded, that fails with a permanent AppError, or that keeps failing goes to the
 *   dead-letter topic with the error in its headers, and the partition moves on;
 * - an AppError flagged retriable (the database is down, say) is retried without limit: dead-lettering a
 *   record because of an outage would lose it; the partition waits instead, in order.
 * A partition is processed sequentially; scale with partitions and `partitionsConsumedConcurrently`.
 */
export async function runConsumer<T>(config: ConsumerRunnerConfig<T>): Promise<RunningConsumer> {
  const deadLetterTopic = config.deadLetterTopic ?? `${config.groupId}.dlq`;
  const maxAttempts = config.maxAttempts ?? 5;
  const backoff = config.retryBackoffMs ?? { initial: 100, max: 10_000 };
  const consumer: Consumer = config.kafka.consumer({
    groupId: config.groupId,
    allowAutoTopicCreation: true,
    ...(config.sessionTimeoutMs === undefined
      ? {}
      : { sessionTimeout: config.sessionTimeoutMs, heartbeatInterval: Math.max(500, Math.floor(config.sessionTimeoutMs / 5)) }),
  });
  let stopping = false;

  // Subscribing to a topic that does not exist yet fails on a fresh cluster; create what is missing first.
  await ensureTopics(config.kafka, [...config.topics, deadLetterTopic], { numPartitions: config.partitionsWhenCreating ?? 3 });

  await consumer.connect();
  for (const topic of config.topics) {
    await consumer.subscribe({ topic, fromBeginning: config.fromBeginning ?? true });
  }

  const deadLetter = async (
    message: KafkaMessage,
    topic: string,
    partition: number,
    error: unknown,
    attempts: number,
    stage: 'decode' | 'handle',
  ) => {
    await config.publisher.publish([
      {
        topic: deadLetterTopic,
        key: message.key?.toString('utf8') ?? '',
        value: message.value ?? Buffer.alloc(0),
        headers: {
          // Without the producer's trace headers the dead-letter record is published under the consumer's span.
          ...withoutTraceHeaders(headersToStrings(message.headers)),
          [deadLetterHeaders.errorCode]: errorCode(error),
          [deadLetterHeaders.errorMessage]: errorMessage(error).slice(0, 1000),
          [deadLetterHeaders.originalTopic]: topic,
          [deadLetterHeaders.originalPartition]: String(partition),
          [deadLetterHeaders.originalOffset]: message.offset,
          [deadLetterHeaders.consumerGroup]: config.groupId,
          [deadLetterHeaders.attempts]: String(attempts),
          [deadLetterHeaders.failedAt]: new Date().toISOString(),
          [deadLetterHeaders.stage]: stage,
        },
      },
    ]);
    config.onOutcome?.('dead_lettered', topic);
  };

  await consumer.run({
    autoCommit: false,
    partitionsConsumedConcurrently: config.partitionsConsumedConcurrently ?? 1,
    eachMessage: async (payload) => {
      const headers = headersToStrings(payload.message.headers);
      // A consumer span continuing the producer's (from the headers; none or a malformed one starts a new trace):
      // the handler, its logs and whatever it publishes are part of the journey.
      await inSpan(
        `${payload.topic} process`,
        {
          kind: SpanKind.CONSUMER,
          parent: extractTraceContext(headers),
          attributes: {
            'messaging.system': 'kafka',
            'messaging.operation.type': 'process',
            'messaging.destination.name': payload.topic,
            'messaging.consumer.group.name': config.groupId,
            'messaging.destination.partition.id': String(payload.partition),
            'messaging.kafka.offset': Number(payload.message.offset),
            ...(headers['kindred-event-type'] ? { 'kindred.event.type': headers['kindred-event-type'] } : {}),
            ...(headers['kindred-event-id'] ? { 'messaging.message.id': headers['kindred-event-id'] } : {}),
          },
        },
        () => processMessage(payload, headers),
      );
    },
  });

  async function processMessage(payload: EachMessagePayload, headers: Record<string, string>): Promise<void> {
    const { topic, partition, message } = payload;
    const log = config.log.child({
      topic,
      partition,
      offset: message.offset,
      eventId: headers['kindred-event-id'],
      eventType: headers['kindred-event-type'],
    });
    const commit = () =>
      consumer.commitOffsets([{ topic, partition, offset: (BigInt(message.offset) + 1n).toString() }]);

    let value: T;
    try {
      value = config.decode(message.value ?? Buffer.alloc(0), headers);
    } catch (error) {
      log.warn({ code: errorCode(error), reason: errorMessage(error) }, 'undecodable record sent to dead-letter topic');
      await deadLetter(message, topic, partition, error, 1, 'decode');
      await commit();
      return;
    }

    for (let attempt = 1; ; attempt += 1) {
      try {
        await config.handle({ topic, partition, offset: message.offset, key: message.key?.toString('utf8') ?? null, value, headers, log });
        await commit();
        config.onOutcome?.('processed', topic);
        return;
      } catch (error) {
        const transient = isAppError(error) && error.retriable;
        const permanent = isAppError(error) && !error.retriable;
        if (permanent || (!transient && attempt >= maxAttempts)) {
          log.warn({ code: errorCode(error), reason: errorMessage(error), attempt }, 'record sent to dead-letter topic');
          await deadLetter(message, topic, partition, error, attempt, 'handle');
          await commit();
          return;
        }
        if (stopping) throw error; // leave it uncommitted: the next owner of the partition gets it again
        config.onOutcome?.('retried', topic);
        log.warn({ code: errorCode(error), reason: errorMessage(error), attempt }, 'handler failed; retrying');
        const delay = Math.min(backoff.max, backoff.initial * 2 ** (attempt - 1));
        await sleep(delay / 2 + Math.random() * (delay / 2));
        await payload.heartbeat();
      }
    }
  }

  return {
    deadLetterTopic,
    async stop() {
      stopping = true;
      await consumer.disconnect();
    },
  };
}
