import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { latePort, testInfra, waitFor, type LatePort } from '@kindred/testkit';
import { startHarness, type IntakeHarness } from './support/intake-harness.js';
import { validNewcomer } from './support/fixtures.js';

/**
 * Kafka is reached through a port that answers nothing at first ("Kafka is down"), then forwards to the real broker
 * ("Kafka is back"). The broker's metadata names its own address, so once bootstrapped the client talks to it
 * directly; the port only has to decide whether Kafka can be found at all.
 */
let kafka: LatePort;
let h: IntakeHarness;

beforeAll(async () => {
  kafka = await latePort();
  h = await startHarness({ name: 'intake_kafka_down', env: { KAFKA_BROKERS: `127.0.0.1:${kafka.port}` } });
});
afterAll(async () => {
  await h?.stop();
  await kafka?.close();
});

/** What /metrics says is waiting to be published from the newcomers collection. */
async function pendingOnMetrics(): Promise<number> {
  const text = await (await fetch(`${h.app.url}/metrics`)).text();
  const line = /^intake_outbox_pending_documents\{[^}]*collection="newcomers"[^}]*\} (\d+)$/m.exec(text);
  if (!line) throw new Error('no intake_outbox_pending_documents for newcomers on /metrics');
  return Number(line[1]);
}

describe('while Kafka cannot be reached', () => {
  it('intake starts, stays ready, accepts intakes into its outbox (counted on /metrics), and publishes them once Kafka is back', async () => {
    const ready = await fetch(`${h.app.url}/readyz`);
    expect(ready.status).toBe(200);

    const response = await h.postJson('/v1/intakes', validNewcomer());
    expect(response.status).toBe(201);
    const { id } = (await response.json()) as { id: string };
    const stored = await h.db.collection('newcomers').findOne({ _id: id as never });
    expect(stored).not.toBeNull();
    expect(h.published(h.topics.newcomers)).toHaveLength(0);
    expect(await pendingOnMetrics()).toBe(1);

    await kafka.forwardTo(testInfra().kafkaBrokers[0] ?? '');
    const [event] = await h.waitForEvents(h.topics.newcomers, 1);
    expect(event!.record.key).toBe(id);
    await waitFor(
      async () => {
        const doc = await h.db.collection('newcomers').findOne({ _id: id as never });
        return doc !== null && doc['outboxSentSeq'] === doc['outboxSeq'] ? true : undefined;
      },
      { description: 'the outbox entry marked sent' },
    );
    expect(await pendingOnMetrics()).toBe(0);
  }, 120_000);
});
