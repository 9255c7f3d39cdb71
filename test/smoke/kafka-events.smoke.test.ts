import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { events, type DecodedEnvelope } from '@kindred/contracts';
import {
  createKafka,
  createLogger,
  createRecordPublisher,
  ensureTopics,
  deadLetterHeaders,
  eventToRecord,
  newEvent,
  recordToEvent,
  runConsumer,
  AppError,
  inSpan,
  startTracing,
  traceIdOf,
  type Tracing,
  type ConsumerRunnerConfig,
  type RecordPublisher,
  type RunningConsumer,
} from '@kindred/platform';
import { readTopics, testInfra, uniqueName, waitFor } from '@kindred/testkit';

const infra = testInfra();
const log = createLogger({ service: 'smoke', level: 'silent' });
const kafka = createKafka({ brokers: infra.kafkaBrokers, clientId: 'smoke', log });
const namespace = uniqueName('smoke');
const newcomersTopic = `${namespace}.kindred.intake.newcomers.v1`;
let publisher: RecordPublisher;
const running: RunningConsumer[] = [];

function newcomerEvent(newcomerId: string): DecodedEnvelope {
  return newEvent(
    {
      $case: 'newcomerRegistered',
      newcomerRegistered: events.NewcomerRegistered.fromPartial({
        newcomerId,
        topics: [events.Topic.TOPIC_GRIEF, events.Topic.TOPIC_ANXIETY],
        languages: ['en', 'es'],
        timeZone: 'America/Chicago',
        urgent: false,
      }),
    },
    { producer: 'smoke', aggregateId: newcomerId },
  );
}

let tracing: Tracing;

beforeAll(async () => {
  // As a service does at start: without a tracer provider there are no spans and so no trace context to carry.
  tracing = startTracing({ service: 'smoke' });
  await ensureTopics(kafka, [newcomersTopic], { numPartitions: 1 });
  publisher = await createRecordPublisher(kafka);
});

/** Runs a consumer group over `topic` with the platform's runner; every one is stopped after the file. */
async function consume(
  groupId: string,
  topic: string,
  handle: ConsumerRunnerConfig<DecodedEnvelope>['handle'],
  options: Partial<ConsumerRunnerConfig<DecodedEnvelope>> = {},
): Promise<void> {
  running.push(await runConsumer({ kafka, groupId, topics: [topic], decode: recordToEvent, publisher, log, handle, ...options }));
}

afterAll(async () => {
  for (const consumer of running) await consumer.stop();
  await publisher.disconnect();
  await tracing.shutdown();
});

describe('Kafka through kafkajs on the real broker', () => {
  it('carries a protobuf event from producer to consumer with its id, payload and trace context', async () => {
    // Made and published inside a request's span, as intake's relay does.
    const sent = await inSpan('smoke request', {}, async () => {
      const event = newcomerEvent('nc-roundtrip');
      await publisher.publish([eventToRecord(event, namespace)]);
      return event;
    });

    const received: DecodedEnvelope[] = [];
    const headersSeen: Record<string, string>[] = [];
    await consume(uniqueName('roundtrip'), newcomersTopic, async (record) => {
      received.push(record.value);
      headersSeen.push({ ...record.headers });
      return Promise.resolve();
    });

    const got = await waitFor(() => received.find((e) => e.eventId === sent.eventId), { description: 'the event' });
    expect(got.event.$case).toBe('newcomerRegistered');
    if (got.event.$case !== 'newcomerRegistered') return;
    expect(got.event.newcomerRegistered.topics).toEqual([events.Topic.TOPIC_GRIEF, events.Topic.TOPIC_ANXIETY]);
    expect(got.event.newcomerRegistered.timeZone).toBe('America/Chicago');
    expect(got.aggregateId).toBe('nc-roundtrip');
    // The header names the producer's span, in the trace the event was made in.
    const traceId = traceIdOf(sent.trace);
    expect(traceId).toMatch(/^[0-9a-f]{32}$/);
    expect(traceIdOf({ traceparent: headersSeen[0]?.['traceparent'] ?? '', tracestate: '' })).toBe(traceId);
  });

  it('gives a message again to the group when the consumer that had it crashed before committing', async () => {
    const topic = `${namespace}.crash`;
    await ensureTopics(kafka, [topic], { numPartitions: 1 });
    const groupId = uniqueName('crash');
    const sent = newcomerEvent('nc-crash');
    await publisher.publish([{ ...eventToRecord(sent), topic }]);

    const fixture = fileURLToPath(new URL('./fixtures/consume-then-hang.ts', import.meta.url));
    const child = spawn(process.execPath, ['--import', 'tsx', fixture, infra.kafkaBrokers.join(','), groupId, topic], { stdio: ['ignore', 'pipe', 'inherit'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    await waitFor(() => output.includes(`received ${sent.eventId}`), { timeoutMs: 45_000, description: 'the first consumer to receive the event' });
    child.kill('SIGKILL');
    await new Promise((resolve) => child.once('exit', resolve));

    const redelivered: string[] = [];
    await consume(groupId, topic, async (record) => {
      redelivered.push(record.value.eventId);
      return Promise.resolve();
    }, { sessionTimeoutMs: 6_000 });
    await waitFor(() => redelivered.includes(sent.eventId), { timeoutMs: 45_000, description: 'the event to be delivered again' });
    expect(redelivered.filter((id) => id === sent.eventId)).toHaveLength(1);
  });

  it('sends an undecodable message to the dead-letter topic and still processes the next one', async () => {
    const topic = `${namespace}.poison`;
    const groupId = uniqueName('poison');
    const deadLetterTopic = `${groupId}.dlq`;
    await ensureTopics(kafka, [topic, deadLetterTopic], { numPartitions: 1 });

    const good = newcomerEvent('nc-after-poison');
    await publisher.publish([
      { topic, key: 'poison', value: Buffer.from([0xff, 0xff, 0xff, 0x01, 0x02]), headers: {} },
      { ...eventToRecord(good), topic },
    ]);
    const dead = await readTopics(infra.kafkaBrokers, [deadLetterTopic]);
    const processed: string[] = [];
    await consume(groupId, topic, async (record) => {
      processed.push(record.value.eventId);
      return Promise.resolve();
    });

    await waitFor(() => processed.includes(good.eventId), { description: 'the message after the poison one' });
    const letter = await waitFor(() => dead.records[0], { description: 'the dead letter' });
    await dead.stop();
    expect(letter.value).toEqual(Buffer.from([0xff, 0xff, 0xff, 0x01, 0x02]));
    expect(letter.headers[deadLetterHeaders.errorCode]).toBe('EVENT.UNDECODABLE');
    expect(letter.headers[deadLetterHeaders.originalTopic]).toBe(topic);
    expect(letter.headers[deadLetterHeaders.stage]).toBe('decode');
    expect(processed).toEqual([good.eventId]);
  });

  it('dead-letters a message whose handler keeps failing, after its attempts, and moves on', async () => {
    const topic = `${namespace}.failing`;
    const groupId = uniqueName('failing');
    await ensureTopics(kafka, [topic, `${groupId}.dlq`], { numPartitions: 1 });

    const bad = newcomerEvent('nc-always-fails');
    const next = newcomerEvent('nc-next');
    await publisher.publish([{ ...eventToRecord(bad), topic }, { ...eventToRecord(next), topic }]);
    const dead = await readTopics(infra.kafkaBrokers, [`${groupId}.dlq`]);
    let attempts = 0;
    const processed: string[] = [];
    await consume(groupId, topic, async (record) => {
      if (record.value.eventId === bad.eventId) {
        attempts += 1;
        throw new Error('handler bug');
      }
      processed.push(record.value.eventId);
      return Promise.resolve();
    }, { maxAttempts: 3, retryBackoffMs: { initial: 10, max: 50 } });
    await waitFor(() => processed.includes(next.eventId), { description: 'the next message' });
    const letter = await waitFor(() => dead.records[0], { description: 'the dead letter' });
    await dead.stop();
    expect(attempts).toBe(3);
    expect(letter.headers[deadLetterHeaders.attempts]).toBe('3');
    expect(letter.headers[deadLetterHeaders.errorMessage]).toBe('handler bug');
    expect(letter.headers['kindred-event-id']).toBe(bad.eventId);
  });

  it('dead-letters a permanent AppError at once, without retrying', async () => {
    const topic = `${namespace}.permanent`;
    const groupId = uniqueName('permanent');
    await ensureTopics(kafka, [topic, `${groupId}.dlq`], { numPartitions: 1 });
    const bad = newcomerEvent('nc-permanent');
    await publisher.publish([{ ...eventToRecord(bad), topic }]);
    const dead = await readTopics(infra.kafkaBrokers, [`${groupId}.dlq`]);
    let attempts = 0;
    await consume(groupId, topic, async () => {
      attempts += 1;
      return Promise.reject(new AppError('MATCH.NEWCOMER_UNKNOWN', 'no such newcomer'));
    });
    const letter = await waitFor(() => dead.records[0], { description: 'the dead letter' });
    await dead.stop();
    expect(attempts).toBe(1);
    expect(letter.headers[deadLetterHeaders.errorCode]).toBe('MATCH.NEWCOMER_UNKNOWN');
  });
});
