import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKafka, createLogger, createRecordPublisher, type RecordPublisher } from '@kindred/platform';
import { testInfra, waitFor } from '@kindred/testkit';
import { createMongoOutboxStore, createOutboxRelay, startHarness, type IntakeHarness, type OutboxStore } from './support/intake-harness.js';
import { validNewcomer, validPeer } from './support/fixtures.js';

/** The first relay "dies" in the mark step: its events reached Kafka, the database never heard of it. */
class SimulatedCrash extends Error {}

let h: IntakeHarness;
let marksAttempted = 0;
let publisher: RecordPublisher;

beforeAll(async () => {
  h = await startHarness({
    name: 'intake_relay_crash',
    env: { INTAKE_RELAY_LEASE_MS: '1000' },
    hooks: {
      startRelay: false,
      wrapOutboxStore: (store: OutboxStore): OutboxStore => ({
        claimNext: (owner, leaseMs) => store.claimNext(owner, leaseMs),
        claimHinted: (hint, owner, leaseMs) => store.claimHinted(hint, owner, leaseMs),
        release: (claim) => store.release(claim),
        markSent: () => {
          marksAttempted += 1;
          return Promise.reject(new SimulatedCrash('relay killed between publish and mark'));
        },
      }),
    },
  });
  publisher = await createRecordPublisher(createKafka({ brokers: testInfra().kafkaBrokers, clientId: 'relay-b', log: createLogger({ service: 'relay-b', level: 'silent' }) }));
});
afterAll(async () => {
  await publisher.disconnect();
  await h.stop();
});

describe('outbox relay crash between publish and mark', () => {
  it('loses no event; consumers see at most duplicates with the same event id, in order per aggregate', async () => {
    const newcomerIds: string[] = [];
    for (let i = 0; i < 3; i += 1) {
      const res = await h.postJson('/v1/intakes', validNewcomer({ firstName: `Crash${i}` }));
      newcomerIds.push(((await res.json()) as { id: string }).id);
    }
    const enrolled = (await (await h.postJson('/v1/peers', validPeer())).json()) as { id: string; editToken: string };
    await fetch(`${h.app.url}/v1/peers/${enrolled.id}`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${enrolled.editToken}` },
      body: JSON.stringify({ pause: { until: '2999-01-01', reason: 'vacation' } }),
    });

    // Relay A publishes the first document it claims, then crashes before marking it sent.
    await expect(h.app.relay.drain()).rejects.toBeInstanceOf(SimulatedCrash);
    expect(marksAttempted).toBeGreaterThanOrEqual(1);
    const pendingAfterCrash = await h.db.collection('newcomers').countDocuments({ outboxPending: true });
    const peersPendingAfterCrash = await h.db.collection('peers').countDocuments({ outboxPending: true });
    expect(pendingAfterCrash + peersPendingAfterCrash).toBe(4); // nothing was marked

    // Relay B (a new process in production) takes over once A's lease has expired.
    const relayB = createOutboxRelay({
      store: createMongoOutboxStore(h.db),
      publisher,
      log: createLogger({ service: 'relay-b', level: 'silent' }),
      pollMs: 50,
      leaseMs: 1000,
    });
    await waitFor(async () => (await relayB.drain(), (await h.db.collection('newcomers').countDocuments({ outboxPending: true })) + (await h.db.collection('peers').countDocuments({ outboxPending: true })) === 0), {
      description: 'relay B to publish everything once the lease expired',
    });

    const newcomerEvents = await h.waitForEvents(h.topics.newcomers, 3);
    const peerEvents = await h.waitForEvents(h.topics.peers, 3);
    // Every aggregate's events arrived.
    for (const id of newcomerIds) expect(newcomerEvents.some((e) => e.record.key === id)).toBe(true);
    const peerCases = [...new Map(peerEvents.filter((e) => e.record.key === enrolled.id).map((e) => [e.envelope.eventId, e.envelope.event.$case])).values()];
    expect(peerCases).toEqual(['peerProfileUpserted', 'peerPaused', 'peerProfileUpserted']);

    // Duplicates carry the same event id: one distinct id per aggregate event, whatever was republished.
    const distinctNewcomerIds = new Set(newcomerEvents.map((e) => e.envelope.eventId));
    expect(distinctNewcomerIds.size).toBe(3);
    const stored = await h.db.collection('newcomers').find({}).toArray();
    expect(stored.every((d) => d['outboxSentSeq'] === 1 && d['outboxPending'] === false)).toBe(true);
    // The batch relay A published before dying went out again, under the same event ids, on the same partition.
    const all = () => [...h.published(h.topics.newcomers), ...h.published(h.topics.peers)];
    const duplicated = await waitFor(() => {
      const seen = new Map<string, number>();
      for (const e of all()) seen.set(e.envelope.eventId, (seen.get(e.envelope.eventId) ?? 0) + 1);
      const ids = [...seen].filter(([, count]) => count > 1).map(([id]) => id);
      return ids.length > 0 ? ids : undefined;
    }, { description: 'the crashed batch to be seen twice' });
    for (const id of duplicated) {
      const copies = all().filter((e) => e.envelope.eventId === id);
      expect(copies).toHaveLength(2);
      expect(new Set(copies.map((c) => `${c.record.key}/${c.record.partition}`)).size).toBe(1);
    }
    expect(all().length).toBe(6 + duplicated.length);
  });

  it('survives a relay process SIGKILLed after publishing and before marking', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 2; i += 1) {
      const res = await h.postJson('/v1/intakes', validNewcomer({ firstName: `Killed${i}` }));
      ids.push(((await res.json()) as { id: string }).id);
    }
    const script = fileURLToPath(new URL('./support/relay-child.process.ts', import.meta.url));
    const child = spawn(process.execPath, ['--import', 'tsx', script, testInfra().mongoUrl, h.config.INTAKE_DB_NAME, testInfra().kafkaBrokers.join(',')], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString('utf8');
    });
    const exited = new Promise<NodeJS.Signals | null>((resolve) => child.on('exit', (_code, signal) => resolve(signal)));
    const killedAggregate = await waitFor(() => /published (\w+)/.exec(output)?.[1], { timeoutMs: 60_000, description: 'the child relay to publish' });
    child.kill('SIGKILL');
    expect(await exited).toBe('SIGKILL');
    expect(ids).toContain(killedAggregate);
    // Published, never marked: still pending in the database.
    expect(await h.db.collection('newcomers').countDocuments({ _id: killedAggregate as never, outboxPending: true })).toBe(1);

    const relayC = createOutboxRelay({ store: createMongoOutboxStore(h.db), publisher, log: createLogger({ service: 'relay-c', level: 'silent' }), pollMs: 50, leaseMs: 1000 });
    await waitFor(async () => (await relayC.drain(), (await h.db.collection('newcomers').countDocuments({ outboxPending: true })) === 0), {
      description: 'relay C to publish once the dead relay lease expired',
    });
    const mine = await waitFor(() => {
      const records = h.published(h.topics.newcomers).filter((e) => ids.includes(e.record.key ?? ''));
      return records.filter((e) => e.record.key === killedAggregate).length >= 2 && ids.every((id) => records.some((e) => e.record.key === id)) ? records : undefined;
    }, { description: 'both intakes, the killed one twice' });
    const killedCopies = mine.filter((e) => e.record.key === killedAggregate);
    expect(killedCopies).toHaveLength(2);
    expect(new Set(killedCopies.map((e) => e.envelope.eventId)).size).toBe(1);
    expect(new Set(mine.map((e) => e.envelope.eventId)).size).toBe(2);
  });
});
