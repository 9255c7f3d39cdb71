import { once } from 'node:events';
import { createServer, connect, type AddressInfo, type Server, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testInfra, waitFor } from '@kindred/testkit';
import { startHarness, type IntakeHarness } from './support/intake-harness.js';
import { validNewcomer } from './support/fixtures.js';

/**
 * Kafka is reached through a port that answers nothing at first ("Kafka is down"), then forwards to the real broker
 * ("Kafka is back"). The broker's metadata names its own address, so once bootstrapped the client talks to it
 * directly; the port only has to decide whether Kafka can be found at all.
 */
let bootstrapPort: number;
let forwarder: Server | undefined;
const sockets = new Set<Socket>();
let h: IntakeHarness;

async function freePort(): Promise<number> {
  const probe = createServer();
  probe.listen(0, '127.0.0.1');
  await once(probe, 'listening');
  const { port } = probe.address() as AddressInfo;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}

async function kafkaComesBack(): Promise<void> {
  const [host = '127.0.0.1', port = '0'] = (testInfra().kafkaBrokers[0] ?? '').split(':');
  forwarder = createServer((client) => {
    const upstream = connect(Number(port), host);
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.on('error', () => socket.destroy());
      socket.on('close', () => sockets.delete(socket));
    }
    client.pipe(upstream).pipe(client);
  });
  forwarder.listen(bootstrapPort, '127.0.0.1');
  await once(forwarder, 'listening');
}

beforeAll(async () => {
  bootstrapPort = await freePort();
  h = await startHarness({ name: 'intake_kafka_down', env: { KAFKA_BROKERS: `127.0.0.1:${bootstrapPort}` } });
});
afterAll(async () => {
  await h?.stop();
  for (const socket of sockets) socket.destroy();
  await new Promise<void>((resolve) => (forwarder ? forwarder.close(() => resolve()) : resolve()));
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

    await kafkaComesBack();
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
